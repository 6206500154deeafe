package remittance

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/edi/remit"
	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline"
)

// TestDenier: exact duplicates and a claim without a route get zero-pay
// denial 835s, one per submitter and payee, that validate clean and
// balance (golden), exactly once; routes without deny_remit get none.
func TestDenier(t *testing.T) {
	demo, err := os.ReadFile("../../testdata/demo/acme-837p-20261120-01.x12")
	if err != nil {
		t.Fatal(err)
	}
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			e := newEnv(t, be.URL(t))
			ctx := e.ctx
			e.process("acme", "first.837", demo)
			// The same claims again in another interchange: exact duplicates.
			again := bytes.Replace(demo, []byte("*000000101*"), []byte("*000000901*"), 1)
			again = bytes.Replace(again, []byte("IEA*1*000000101"), []byte("IEA*1*000000901"), 1)
			res := e.process("acme", "again.837", again)
			dups := res.Outcomes["duplicate"]
			if dups == 0 {
				t.Fatalf("no duplicates: %v %v", res.Outcomes, res.Rejections)
			}
			// One original found no route (what the forwarder records).
			if _, err := e.st.DB().ExecContext(ctx, `UPDATE claims SET state = 'rejected', notes = 'no-route', reasons = 'A3:116'
				WHERE id = (SELECT MIN(id) FROM claims WHERE state = 'accepted')`); err != nil {
				t.Fatal(err)
			}
			deny := true
			cfg := DenyConfig{Identity: pipeline.Identity{Qualifier: "ZZ", ID: "CLEARINGHOUSE"}, Usage: "T",
				Payer: remit.Payer{Name: "CLEARINGHOUSE", IDQualifier: "XV", ID: "CLEARINGHOUSE",
					Address:  remit.Address{Line1: "1 EXAMPLE WAY", City: "MADISON", State: "WI", PostalCode: "53703"},
					Contacts: []remit.Contact{{Function: "BL", Numbers: []remit.Communication{{Qualifier: "TE", Number: "6085550100"}}}}},
				TaxID:  "991234567",
				Denies: func(payer, claimType string) bool { return deny },
				Now:    func() time.Time { return clock }}
			d, err := NewDenier(e.st, e.sp, cfg)
			if err != nil {
				t.Fatal(err)
			}
			deny = false
			if r, err := d.RunOnce(ctx); err != nil || r.Remittances != 0 {
				t.Fatalf("without deny_remit: %+v, %v", r, err)
			}
			deny = true
			r, err := d.RunOnce(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if r.Claims != dups+1 || r.Remittances == 0 || len(r.Files) != r.Remittances {
				t.Fatalf("denials %+v, want %d claims", r, dups+1)
			}
			for i, f := range r.Files {
				if f.PartnerID != "acme" || f.Kind != store.Kind835 {
					t.Fatalf("file %+v", f)
				}
				b, err := os.ReadFile(f.SpoolPath)
				if err != nil {
					t.Fatal(err)
				}
				validateClean(t, b)
				if !bytes.Contains(b, []byte("BPR*H*0*C*NON")) || !bytes.Contains(b, []byte("CLP*")) {
					t.Fatalf("not a denial 835:\n%s", b)
				}
				if i == 0 && be.Name == store.DialectSQLite {
					golden(t, "denial.835.golden", b)
				}
			}
			if again, err := d.RunOnce(ctx); err != nil || again.Remittances != 0 {
				t.Fatalf("second run: %+v, %v", again, err)
			}
			denied, err := e.st.ListClaims(ctx, store.ClaimFilter{PaymentStatus: store.PaymentDenied, Limit: 1000})
			if err != nil || len(denied) != dups+1 {
				t.Fatalf("%d claims with payment denied, %v", len(denied), err)
			}
			sent, err := e.st.ListRemittances(ctx, store.RemittanceFilter{Direction: store.RemitOut})
			if err != nil || len(sent) != r.Remittances || sent[0].State != store.RemitSent || sent[0].Handling != "H" {
				t.Fatalf("sent %+v, %v", sent, err)
			}
			full, err := e.st.GetRemittance(ctx, sent[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			var carcs []string
			for _, c := range full.Claims {
				carcs = append(carcs, c.Adjustments[0].Reason)
			}
			if carcs[0] != "109" && carcs[0] != "18" {
				t.Fatalf("CARCs %v", carcs)
			}
		})
	}
}

// TestDenierReprocess: reprocessing a file keeps the claims a denial 835
// was sent for, so they are not denied twice.
func TestDenierReprocess(t *testing.T) {
	demo, err := os.ReadFile("../../testdata/demo/acme-837p-20261120-01.x12")
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, dbtest.SQLiteURL(t))
	ctx := e.ctx
	e.process("acme", "first.837", demo)
	again := bytes.Replace(demo, []byte("*000000101*"), []byte("*000000901*"), 1)
	again = bytes.Replace(again, []byte("IEA*1*000000101"), []byte("IEA*1*000000901"), 1)
	res := e.process("acme", "again.837", again)
	d, err := NewDenier(e.st, e.sp, DenyConfig{Identity: pipeline.Identity{ID: "CLEARINGHOUSE"},
		Payer: remit.Payer{Name: "CLEARINGHOUSE", IDQualifier: "XV", ID: "CLEARINGHOUSE",
			Address:  remit.Address{Line1: "1 EXAMPLE WAY", City: "MADISON", State: "WI", PostalCode: "53703"},
			Contacts: []remit.Contact{{Function: "BL", Numbers: []remit.Communication{{Qualifier: "TE", Number: "6085550100"}}}}},
		TaxID: "991234567", Denies: func(string, string) bool { return true }, Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	first, err := d.RunOnce(ctx)
	if err != nil || first.Claims != res.Outcomes["duplicate"] {
		t.Fatalf("first run %+v, %v", first, err)
	}
	rec, err := e.st.GetInbound(ctx, res.InboundID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.proc.Process(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if r, err := d.RunOnce(ctx); err != nil || r.Claims != 0 {
		t.Fatalf("after reprocess: %+v, %v", r, err)
	}
}
