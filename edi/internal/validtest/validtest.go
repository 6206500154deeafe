// Package validtest checks in tests that written X12 passes the whole
// validator (envelope and implementation-guide tables) with no finding.
package validtest

import (
	"bytes"
	"context"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/validate"
)

// Clean runs validate.Run over data and fails t on any finding: an
// interchange, group, set or file issue, a set whose body was not checked
// against its guide, or a status other than 0.
func Clean(t testing.TB, data []byte) {
	t.Helper()
	res, err := validate.Run(context.Background(), bytes.NewReader(data), validate.Options{})
	if err != nil {
		t.Fatalf("validate.Run: %v", err)
	}
	if res.SetCount() == 0 {
		t.Fatal("no transaction set found")
	}
	for _, ic := range res.Interchanges {
		for _, is := range ic.Issues {
			t.Errorf("interchange issue: %s", is)
		}
		for _, g := range ic.Groups {
			for _, is := range g.Issues {
				t.Errorf("group issue: %s", is)
			}
			for _, s := range g.Sets {
				if !s.BodyChecked {
					t.Errorf("set %s: body not checked against its implementation guide", s.Control)
				}
				for _, is := range s.Issues {
					t.Errorf("set %s: %s (value %q)", s.Control, is, is.Value)
				}
			}
		}
	}
	for _, is := range res.Issues {
		t.Errorf("file issue: %s", is)
	}
	if res.Status() != 0 {
		t.Errorf("Status() = %d, want 0", res.Status())
	}
}
