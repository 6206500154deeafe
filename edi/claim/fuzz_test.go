package claim_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/claim"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// FuzzDecode runs arbitrary input through both decoders, the edits, Select
// and Encode: none may panic, and an edited transaction must decode again.
func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.edi")
	if len(files) == 0 {
		f.Fatal("no seed file matches testdata/*.edi")
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		streamAll(t, data)
		err := claim.ReadTransactions(bytes.NewReader(data), func(tx *claim.Transaction, _ []ack.Issue) error {
			d := x12.DefaultDelimiters
			for ctx := range tx.Claims() {
				c := ctx.Claim
				_ = c.SetPricing(claim.Pricing{Method: "03", Allowed: c.TotalCharge})
				_ = c.SetRef("9A", "R1")
				_ = c.SetDate("050", "D8", "20260101")
				for _, l := range c.Lines {
					_ = l.SetPricing(claim.Pricing{Method: "02", Allowed: l.Charge})
					_ = l.SetRef("9B", "L1")
				}
				_ = c.ServiceFrom() + c.ServiceTo() + c.MemberID() + c.PayerID() + c.TypeOfBill()
			}
			if err := claim.EncodeSet(x12.NewWriter(io.Discard, d), tx, "1"); err != nil {
				t.Fatalf("encode: %v", err)
			}
			n := 0
			if sel := tx.Select(func(*claim.Claim) bool { n++; return n%2 == 0 }); sel != nil {
				if err := sel.Encode(x12.NewWriter(io.Discard, d)); err != nil {
					t.Fatalf("encode selection: %v", err)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("read: %v", err)
		}
	})
}
