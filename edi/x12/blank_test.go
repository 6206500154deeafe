package x12_test

import (
	"bytes"
	"errors"
	"io"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// repeatReader yields prefix, then filler n times, then suffix, without
// holding the whole stream in memory.
type repeatReader struct {
	prefix, filler, suffix []byte
	n                      int
	cur                    []byte
	stage                  int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	for len(r.cur) == 0 {
		switch {
		case r.stage == 0:
			r.cur, r.stage = r.prefix, 1
		case r.stage == 1 && r.n > 0:
			// Hand out many copies of filler at once.
			k := min(r.n, 64<<10/len(r.filler)+1)
			r.cur = bytes.Repeat(r.filler, k)
			r.n -= k
		case r.stage == 1:
			r.cur, r.stage = r.suffix, 2
		default:
			return 0, io.EOF
		}
	}
	n := copy(p, r.cur)
	r.cur = r.cur[n:]
	return n, nil
}

// limitStack caps the goroutine stack size for the test, so that a reader
// that recursed once per empty segment dies at once with "stack overflow"
// instead of growing its stack to gigabytes first.
func limitStack(t *testing.T) {
	old := debug.SetMaxStack(4 << 20)
	t.Cleanup(func() { debug.SetMaxStack(old) })
}

// Millions of empty segments (blank lines when the terminator is a line
// feed, "~~~" otherwise) are read in bounded stack and memory: the reader
// loops over blank lines instead of recursing (a file of an ISA and 20 MB
// of line feeds used to end in "fatal error: stack overflow").
func TestManyEmptySegments(t *testing.T) {
	limitStack(t)
	const n = 3_000_000
	lf := strings.TrimSuffix(isa('*', '^', ':', '\n'), "\n")
	tests := []struct {
		name           string
		prefix, filler string
		suffix         string
		// empties is how many empty segments Read returns: blank lines
		// are skipped, empty segments between '~' are returned.
		empties int
	}{
		{"LF terminator, blank lines", lf + "\nGS*HC*A\n", "\n", "GE*0*1\nIEA*1*000000001\n", 0},
		{"LF terminator, CRLF blank lines", lf + "\r\nGS*HC*A\r\n", "\r\n", "GE*0*1\r\nIEA*1*000000001\r\n", 0},
		{"tilde terminator, empty segments", std + "GS*HC*A~", "~", "GE*0*1~IEA*1*000000001~", n},
		{"tilde terminator, line breaks", std + "GS*HC*A~", "\r\n", "GE*0*1~IEA*1*000000001~", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ids []string
			var empties int
			allocs := testing.AllocsPerRun(1, func() {
				ids, empties = ids[:0], 0
				r := x12.NewReader(&repeatReader{prefix: []byte(tt.prefix), filler: []byte(tt.filler), suffix: []byte(tt.suffix), n: n})
				for {
					s, err := r.Read()
					if err == io.EOF {
						return
					}
					if err != nil {
						t.Fatal(err)
					}
					if len(s.ID()) == 0 {
						empties++
						continue
					}
					ids = append(ids, s.Tag())
				}
			})
			if got := strings.Join(ids, " "); got != "ISA GS GE IEA" {
				t.Errorf("segments %q", got)
			}
			if empties != tt.empties {
				t.Errorf("%d empty segments, want %d", empties, tt.empties)
			}
			// The reader's own allocations do not depend on the number
			// of empty segments (the filler source allocates per 64 KiB).
			if max := float64(n*len(tt.filler)/(64<<10) + 100); allocs > max {
				t.Errorf("%.0f allocations for %d empty segments (max %.0f)", allocs, n, max)
			}
		})
	}
}

// The tokenizer takes any byte in element values (checking the character
// set is the validator's job) and never panics on them.
func TestControlAndHighBytes(t *testing.T) {
	in := std + "GS*HC*A\x00B*\xff\xfe~ST*837*1~NM1*85*2*\x01\x7f\xc3\xa9~SE*3*1~GE*1*1~IEA*1*000000001~"
	r := x12.NewReader(strings.NewReader(in))
	var got []string
	for {
		s, err := r.Read()
		if err == io.EOF {
			break
		}
		var se *x12.SyntaxError
		if errors.As(err, &se) {
			t.Fatalf("syntax error %v", err)
		}
		got = append(got, string(s.Raw()))
	}
	if len(got) != 7 || got[1] != "GS*HC*A\x00B*\xff\xfe" || got[3] != "NM1*85*2*\x01\x7f\xc3\xa9" {
		t.Errorf("segments %q", got)
	}
}
