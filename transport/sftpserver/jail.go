package sftpserver

import (
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/pkg/sftp"

	"github.com/clearinghouse/clearinghouse/transport/internal/xfer"
)

// jail implements the pkg/sftp request-server handlers on top of an os.Root,
// so no request path, "..", or symbolic link can leave the user's root.
type jail struct {
	root *os.Root
	user string
	log  *slog.Logger
}

var (
	_ sftp.FileReader           = (*jail)(nil)
	_ sftp.OpenFileWriter       = (*jail)(nil)
	_ sftp.PosixRenameFileCmder = (*jail)(nil)
	_ sftp.LstatFileLister      = (*jail)(nil)
)

// handlers returns the four request-server handlers, all backed by j.
func (j *jail) handlers() sftp.Handlers {
	return sftp.Handlers{FileGet: j, FilePut: j, FileCmd: j, FileList: j}
}

// rel maps an SFTP path to a path relative to the jail root. The request
// server has already made it absolute and cleaned it ("/a/../../b" is "/b"),
// and cleaning it again here keeps that true whatever the caller.
func rel(p string) string {
	c := strings.TrimPrefix(path.Clean("/"+p), "/")
	if c == "" {
		return "."
	}
	return c
}

// Fileread implements sftp.FileReader.
func (j *jail) Fileread(r *sftp.Request) (io.ReaderAt, error) {
	f, err := j.root.Open(rel(r.Filepath))
	if err != nil {
		return nil, j.fail(r, err)
	}
	if fi, err := f.Stat(); err != nil || fi.IsDir() {
		f.Close()
		if err == nil {
			err = errors.New("is a directory")
		}
		return nil, j.fail(r, err)
	}
	return f, nil
}

// Filewrite implements sftp.FileWriter.
func (j *jail) Filewrite(r *sftp.Request) (io.WriterAt, error) {
	return j.openFile(r, os.O_WRONLY)
}

// OpenFile implements sftp.OpenFileWriter (read-write handles).
func (j *jail) OpenFile(r *sftp.Request) (sftp.WriterAtReaderAt, error) {
	return j.openFile(r, os.O_RDWR)
}

func (j *jail) openFile(r *sftp.Request, mode int) (*os.File, error) {
	pf := r.Pflags()
	flag := mode
	if pf.Creat {
		flag |= os.O_CREATE
	}
	if pf.Trunc {
		flag |= os.O_TRUNC
	}
	if pf.Excl {
		flag |= os.O_EXCL
	}
	// pf.Append is ignored on purpose: the client sends explicit offsets, and
	// O_APPEND would make WriteAt fail.
	f, err := j.root.OpenFile(rel(r.Filepath), flag, 0o640)
	if err != nil {
		return nil, j.fail(r, err)
	}
	return f, nil
}

// Filecmd implements sftp.FileCmder.
func (j *jail) Filecmd(r *sftp.Request) error {
	p := rel(r.Filepath)
	var err error
	switch r.Method {
	case "Setstat":
		err = j.setstat(r, p)
	case "Rename":
		err = j.rename(p, rel(r.Target))
	case "Mkdir":
		err = j.root.Mkdir(p, 0o750)
	case "Rmdir":
		err = j.remove(p, true)
	case "Remove":
		err = j.remove(p, false)
	case "Link", "Symlink":
		// Links could point anywhere; refusing them keeps the jail simple.
		return sftp.ErrSSHFxOpUnsupported
	default:
		return sftp.ErrSSHFxOpUnsupported
	}
	return j.fail(r, err)
}

// PosixRename implements sftp.PosixRenameFileCmder: rename(2) semantics, an
// existing target is replaced atomically.
func (j *jail) PosixRename(r *sftp.Request) error {
	from, to := rel(r.Filepath), rel(r.Target)
	if from == "." || to == "." {
		return sftp.ErrSSHFxPermissionDenied
	}
	return j.fail(r, j.root.Rename(from, to))
}

// rename is the SFTPv3 rename: it fails when the target exists. Like
// OpenSSH it links then unlinks, so the existence check is atomic; for
// directories (which cannot be hard-linked) it checks and renames.
func (j *jail) rename(from, to string) error {
	if from == "." || to == "." {
		return sftp.ErrSSHFxPermissionDenied
	}
	err := j.root.Link(from, to)
	if err == nil {
		return j.root.Remove(from)
	}
	if errors.Is(err, fs.ErrExist) || errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if _, lerr := j.root.Lstat(to); lerr == nil {
		return fs.ErrExist
	}
	return j.root.Rename(from, to)
}

func (j *jail) remove(p string, wantDir bool) error {
	if p == "." {
		return sftp.ErrSSHFxPermissionDenied
	}
	fi, err := j.root.Lstat(p)
	if err != nil {
		return err
	}
	if fi.IsDir() != wantDir {
		return sftp.ErrSSHFxFailure
	}
	return j.root.Remove(p)
}

// Most a partner may grant with Setstat: read and write for the owner and
// group, never for others, never set-id or sticky bits; execute only on
// directories. Owner access must stay, so that a partner cannot lock the
// engine out of a file it uploaded.
const (
	maxFileMode = 0o660
	maxDirMode  = 0o770
	minFileMode = 0o600
	minDirMode  = 0o700
)

// setstat applies a Setstat (or Fsetstat) after checking every attribute
// against the jail's rules, so a refused request changes nothing: the
// jail root cannot be changed at all (a partner must not "chmod 777 /"),
// ownership never, and modes only within maxFileMode/maxDirMode (and at
// least minFileMode/minDirMode). Times and sizes of the partner's files
// may change (clients set the modification time after an upload).
func (j *jail) setstat(r *sftp.Request, p string) error {
	flags, attrs := r.AttrFlags(), r.Attributes()
	if p == "." {
		return sftp.ErrSSHFxPermissionDenied
	}
	if flags.UidGid {
		return sftp.ErrSSHFxPermissionDenied
	}
	fi, err := j.root.Lstat(p)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() && !fi.IsDir() {
		return sftp.ErrSSHFxPermissionDenied
	}
	if flags.Permissions {
		mode := attrs.FileMode()
		most, least := fs.FileMode(maxFileMode), fs.FileMode(minFileMode)
		if fi.IsDir() {
			most, least = maxDirMode, minDirMode
		}
		if mode&(fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky) != 0 || mode.Perm()&^most != 0 || mode.Perm()&least != least {
			return sftp.ErrSSHFxPermissionDenied
		}
	}
	if flags.Size {
		f, err := j.root.OpenFile(p, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		err = f.Truncate(int64(attrs.Size))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	if flags.Permissions {
		if err := j.root.Chmod(p, attrs.FileMode().Perm()); err != nil {
			return err
		}
	}
	if flags.Acmodtime {
		if err := j.root.Chtimes(p, attrs.AccessTime(), attrs.ModTime()); err != nil {
			return err
		}
	}
	return nil
}

// Filelist implements sftp.FileLister for List, Stat and Readlink.
func (j *jail) Filelist(r *sftp.Request) (sftp.ListerAt, error) {
	p := rel(r.Filepath)
	switch r.Method {
	case "List":
		f, err := j.root.Open(p)
		if err != nil {
			return nil, j.fail(r, err)
		}
		defer f.Close()
		ents, err := f.ReadDir(-1)
		if err != nil {
			return nil, j.fail(r, err)
		}
		out := make(listerAt, 0, len(ents))
		for _, e := range ents {
			fi, err := e.Info()
			if err != nil {
				continue // removed since ReadDir
			}
			out = append(out, fi)
		}
		slices.SortFunc(out, func(a, b os.FileInfo) int { return strings.Compare(a.Name(), b.Name()) })
		return out, nil
	case "Stat":
		fi, err := j.root.Stat(p)
		if err != nil {
			return nil, j.fail(r, err)
		}
		return listerAt{fi}, nil
	default: // Readlink: link targets may name host paths; not exposed.
		return nil, sftp.ErrSSHFxOpUnsupported
	}
}

// Lstat implements sftp.LstatFileLister.
func (j *jail) Lstat(r *sftp.Request) (sftp.ListerAt, error) {
	fi, err := j.root.Lstat(rel(r.Filepath))
	if err != nil {
		return nil, j.fail(r, err)
	}
	return listerAt{fi}, nil
}

// fail turns a file-system error into an SFTP status without the host-side
// details, and logs it at debug level.
func (j *jail) fail(r *sftp.Request, err error) error {
	if err == nil {
		return nil
	}
	// File names can carry PHI: the log names the file by its hash.
	msg := xfer.RedactName(xfer.RedactName(err.Error(), r.Filepath), r.Target)
	j.log.Debug("sftp request failed", slog.String("user", j.user),
		slog.String("method", r.Method), slog.String("name_hash", xfer.NameHash(r.Filepath)), slog.String("error", msg))
	switch {
	case errors.Is(err, sftp.ErrSSHFxOpUnsupported), errors.Is(err, sftp.ErrSSHFxPermissionDenied),
		errors.Is(err, sftp.ErrSSHFxFailure):
		return err
	case errors.Is(err, fs.ErrNotExist):
		return os.ErrNotExist
	case errors.Is(err, fs.ErrPermission), strings.Contains(err.Error(), "path escapes"):
		return sftp.ErrSSHFxPermissionDenied
	default:
		return sftp.ErrSSHFxFailure
	}
}

// listerAt serves a fixed slice of file infos to the request server.
type listerAt []os.FileInfo

func (l listerAt) ListAt(dst []os.FileInfo, off int64) (int, error) {
	if off >= int64(len(l)) {
		return 0, io.EOF
	}
	n := copy(dst, l[off:])
	if n < len(dst) {
		return n, io.EOF
	}
	return n, nil
}
