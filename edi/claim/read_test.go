package claim_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/claim"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// TestReadTransactions checks that ReadTransactions decodes what the
// TransactionDecoder decodes, reports the parser's issues, and skips sets
// that are not 837P/837I.
func TestReadTransactions(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.edi")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			want := decodeAll(t, data)
			wantIssues, err := feed(data, claim.NewDecoder("", func(*claim.ClaimContext) error { return nil }))
			if err != nil {
				t.Fatal(err)
			}
			var got []*claim.Transaction
			var issues []ack.Issue
			err = claim.ReadTransactions(bytes.NewReader(data), func(tx *claim.Transaction, is []ack.Issue) error {
				got = append(got, tx)
				issues = append(issues, is...)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if a, b := jsonOf(t, got), jsonOf(t, want); a != b {
				t.Errorf("ReadTransactions and TransactionDecoder differ")
			}
			if len(issues) != len(wantIssues) {
				t.Errorf("%d issues, want %d", len(issues), len(wantIssues))
			}
			spans := setSpans(data)
			for i, tx := range got {
				if out := encode(t, tx, spans[i].delims); !bytes.Equal(out, spans[i].data) {
					t.Errorf("set %d does not round-trip\n%s", i+1, firstDiff(out, spans[i].data))
				}
			}
		})
	}
	stop := errors.New("stop")
	data, _ := os.ReadFile("testdata/837p_basic.edi")
	if err := claim.ReadTransactions(bytes.NewReader(data), func(*claim.Transaction, []ack.Issue) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("error from fn: got %v", err)
	}
	// A 4010 set and a non-837 set are skipped.
	other := bytes.Replace(data, []byte("005010X222A1"), []byte("004010X098A1"), -1)
	n := 0
	if err := claim.ReadTransactions(bytes.NewReader(other), func(*claim.Transaction, []ack.Issue) error { n++; return nil }); err != nil || n != 0 {
		t.Errorf("4010 set: %d transactions, err %v", n, err)
	}
}

// readSegments returns owned clones of the segments of the first ST..SE.
func readSegments(t *testing.T, data []byte) []*x12.Segment {
	t.Helper()
	r := x12.NewReader(bytes.NewReader(data))
	var segs []*x12.Segment
	for {
		seg, err := r.Read()
		if err == io.EOF {
			t.Fatal("no SE")
		}
		if err != nil {
			t.Fatal(err)
		}
		if seg.Is("ST") || len(segs) > 0 {
			segs = append(segs, seg.Clone())
		}
		if seg.Is("SE") {
			return segs
		}
	}
}

func TestDecodeTransaction(t *testing.T) {
	data, span := readSpan(t, "837i_outpatient_dependent.edi")
	segs := readSegments(t, data)
	tx, issues, err := claim.DecodeTransaction("", segs)
	if err != nil {
		t.Fatal(err)
	}
	if len(issues) != 0 {
		t.Errorf("issues: %v", issues)
	}
	if tx.Kind != claim.Institutional {
		t.Errorf("kind %q", tx.Kind)
	}
	if a, b := jsonOf(t, tx), jsonOf(t, decodeAll(t, data)[0]); a != b {
		t.Error("DecodeTransaction and TransactionDecoder differ")
	}
	if out := encode(t, tx, span.delims); !bytes.Equal(out, span.data) {
		t.Errorf("does not round-trip\n%s", firstDiff(out, span.data))
	}
	// An empty ST03 falls back to the given version.
	segs[0] = x12.NewSegment([]byte("ST*837*1002"), segs[0].Delims)
	tx, _, err = claim.DecodeTransaction("005010X223A2", segs)
	if err != nil || tx.Kind != claim.Institutional {
		t.Errorf("with GS08 version: kind %v, err %v", tx, err)
	}
	if _, _, err := claim.DecodeTransaction("004010X096A1", segs); !errors.Is(err, claim.ErrUnsupported) {
		t.Errorf("4010: err = %v, want ErrUnsupported", err)
	}
	if _, _, err := claim.DecodeTransaction("", segs[1:]); err == nil {
		t.Error("segments without ST accepted")
	}
}
