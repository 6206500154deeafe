package pipelinetest

import (
	"context"
	"io"
	"sync/atomic"

	"github.com/clearinghouse/clearinghouse/transport"
)

// Remote wraps a transport.Remote and runs hooks around its operations.
// Nil hooks do nothing. Set the hooks before the Remote is used.
type Remote struct {
	transport.Remote

	// BeforeList runs before the n-th List call (n counts from 1).
	BeforeList func(ctx context.Context, dir string, n int)
	// BeforeOpen runs before Open.
	BeforeOpen func(ctx context.Context, path string)
	// BeforeRename runs before Rename.
	BeforeRename func(ctx context.Context, from, to string)
	// AfterRename runs after Rename with its error.
	AfterRename func(ctx context.Context, from, to string, err error)
	// PutSource, when set, replaces the source reader of Put; ctx is
	// Put's.
	PutSource func(ctx context.Context, r io.Reader) io.Reader
	// AfterPut runs after a Put that succeeded.
	AfterPut func(ctx context.Context, dir, name string)

	lists atomic.Int64
}

// Wrap returns a Remote around r without hooks.
func Wrap(r transport.Remote) *Remote { return &Remote{Remote: r} }

// Lists returns how many times List was called.
func (r *Remote) Lists() int { return int(r.lists.Load()) }

// List implements transport.Remote.
func (r *Remote) List(ctx context.Context, dir string) ([]transport.FileInfo, error) {
	n := int(r.lists.Add(1))
	if r.BeforeList != nil {
		r.BeforeList(ctx, dir, n)
	}
	return r.Remote.List(ctx, dir)
}

// Open implements transport.Remote.
func (r *Remote) Open(ctx context.Context, path string) (io.ReadCloser, error) {
	if r.BeforeOpen != nil {
		r.BeforeOpen(ctx, path)
	}
	return r.Remote.Open(ctx, path)
}

// Rename implements transport.Remote.
func (r *Remote) Rename(ctx context.Context, from, to string) error {
	if r.BeforeRename != nil {
		r.BeforeRename(ctx, from, to)
	}
	err := r.Remote.Rename(ctx, from, to)
	if r.AfterRename != nil {
		r.AfterRename(ctx, from, to, err)
	}
	return err
}

// Put implements transport.Remote.
func (r *Remote) Put(ctx context.Context, dir, name string, src io.Reader) error {
	if r.PutSource != nil {
		src = r.PutSource(ctx, src)
	}
	if err := r.Remote.Put(ctx, dir, name, src); err != nil {
		return err
	}
	if r.AfterPut != nil {
		r.AfterPut(ctx, dir, name)
	}
	return nil
}
