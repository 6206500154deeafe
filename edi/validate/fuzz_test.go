package validate_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/validate"
)

// FuzzValidate: any input validates without panic or error, the counts are
// consistent, and the acks of any interchange that was not rejected are
// themselves clean X12 by our own validation.
func FuzzValidate(f *testing.F) {
	for _, pattern := range []string{"testdata/*.edi", "../ack/testdata/*.edi"} {
		files, _ := filepath.Glob(pattern)
		if len(files) == 0 {
			f.Fatalf("no seed file matches %s", pattern)
		}
		for _, file := range files {
			if b, err := os.ReadFile(file); err == nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte(acceptedWithErrors()))
	f.Add([]byte(bigInput(3)))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := validate.Run(context.Background(), bytes.NewReader(data), validate.Options{})
		if err != nil {
			t.Fatal(err)
		}
		_ = validate.Report("fuzz", res)
		now := time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC)
		for ii := range res.Interchanges {
			ic := &res.Interchanges[ii]
			for gi := range ic.Groups {
				g := &ic.Groups[gi]
				if g.Received != len(g.Sets) || g.Accepted > g.Received {
					t.Fatalf("group counts %d/%d for %d sets", g.Received, g.Accepted, len(g.Sets))
				}
			}
			if !ic.Accepted() {
				continue
			}
			var buf bytes.Buffer
			out := ack.OutboundEnvelope{Control: 1, GroupControl: 1, Time: now}
			if err := ack.WriteTA1(&buf, ic.Header(), ic.TA1, out); err != nil {
				t.Fatal(err)
			}
			for gi := range ic.Groups {
				if err := ack.Write999(&buf, ic.AckResult(&ic.Groups[gi]), out); err != nil {
					t.Fatal(err)
				}
			}
			acks, err := validate.Run(context.Background(), bytes.NewReader(buf.Bytes()), validate.Options{})
			if err != nil {
				t.Fatal(err)
			}
			// Our acks reuse control number 1: duplicates are expected.
			for _, a := range acks.Interchanges {
				for _, is := range a.Issues {
					if is.Code != ack.NoteDuplicateControl {
						t.Fatalf("our ack is not clean: %v\n%q", is, buf.Bytes())
					}
				}
				for _, g := range a.Groups {
					if g.Ack != ack.Accepted {
						t.Fatalf("our 999 group %s: %v %v\n%q", g.Ack, g.Issues, g.Sets, buf.Bytes())
					}
				}
			}
		}
	})
}
