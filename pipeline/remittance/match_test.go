package remittance

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/store"
)

// fakeLookup serves candidates from memory and counts the queries.
type fakeLookup struct {
	claims  []store.MatchCandidate
	queries int
	err     error
}

func (f *fakeLookup) ClaimsByControlNumbers(_ context.Context, controls []string) (map[string]store.MatchCandidate, error) {
	f.queries++
	out := map[string]store.MatchCandidate{}
	for _, c := range f.claims {
		for _, k := range controls {
			if c.ControlNumber == k {
				out[k] = c
			}
		}
	}
	return out, f.err
}

func (f *fakeLookup) ClaimsByCLM01s(_ context.Context, clm01s []string) (map[string][]store.MatchCandidate, error) {
	f.queries++
	out := map[string][]store.MatchCandidate{}
	for _, c := range f.claims {
		for _, k := range clm01s {
			if c.CLM01 == k && c.State != store.ClaimRejected && c.State != store.ClaimDuplicate {
				out[k] = append(out[k], c)
				break
			}
		}
	}
	return out, f.err
}

func candidate(id int64, control, clm01 string, mod func(*store.MatchCandidate)) store.MatchCandidate {
	c := store.MatchCandidate{ID: id, ControlNumber: control, CLM01: clm01, PartnerID: "acme", State: store.ClaimForwarded,
		PayerID: "PAYER01", BillingNPI: "1234567893", BillingTIN: "990000001", BilledCents: 15000, RoutePartner: "tpa"}
	if mod != nil {
		mod(&c)
	}
	return c
}

func TestMatch(t *testing.T) {
	claims := []store.MatchCandidate{
		candidate(1, "C0001", "PCN1", nil),
		candidate(2, "C0002", "PCN2", nil),
		// PCN3: an original replaced by a correction, same charge.
		candidate(3, "C0003", "PCN3", func(c *store.MatchCandidate) { c.State = store.ClaimReplaced }),
		candidate(4, "C0004", "PCN3", nil),
		// PCN4: two claims in effect: ambiguous.
		candidate(5, "C0005", "PCN4", nil),
		candidate(6, "C0006", "PCN4", nil),
		// PCN5: sent elsewhere with another payer ID.
		candidate(7, "C0007", "PCN5", func(c *store.MatchCandidate) { c.RoutePartner, c.PayerID = "other", "P2" }),
		// PCN6: a payee known by TIN only.
		candidate(8, "C0008", "PCN6", func(c *store.MatchCandidate) { c.BillingNPI = "" }),
	}
	tests := []struct {
		name   string
		remit  func(*store.Remittance)
		claim  store.RemitClaim
		want   int64 // 0: unmatched
		method string
		note   string
	}{
		{"by ref", nil, store.RemitClaim{ClaimRef: "C0002", CLP01: "whatever", ChargeCents: 1}, 2, store.MatchRef, ""},
		{"ref unknown falls back to CLP01", nil, store.RemitClaim{ClaimRef: "ZZZ", CLP01: "PCN1", ChargeCents: 15000}, 1, store.MatchCLM01, ""},
		{"ref unknown, nothing else", nil, store.RemitClaim{ClaimRef: "ZZZ", CLP01: "NOPE", ChargeCents: 15000}, 0, "", NoteRefUnknown},
		{"by CLP01", nil, store.RemitClaim{CLP01: "PCN1", ChargeCents: 15000}, 1, store.MatchCLM01, ""},
		{"reversal: negated charge", nil, store.RemitClaim{CLP01: "PCN1", Status: "22", ChargeCents: -15000}, 1, store.MatchCLM01, ""},
		{"charge differs", nil, store.RemitClaim{CLP01: "PCN1", ChargeCents: 15001}, 0, "", NoteNoClaim},
		{"provider differs", func(r *store.Remittance) { r.PayeeNPI = "1111111112" }, store.RemitClaim{CLP01: "PCN1", ChargeCents: 15000}, 0, "", NoteNoClaim},
		{"replaced original left out", nil, store.RemitClaim{CLP01: "PCN3", ChargeCents: 15000}, 4, store.MatchCLM01, ""},
		{"ambiguous", nil, store.RemitClaim{CLP01: "PCN4", ChargeCents: 15000}, 0, "", NoteAmbiguous + ":2"},
		{"other payer and route", nil, store.RemitClaim{CLP01: "PCN5", ChargeCents: 15000}, 0, "", NoteNoClaim},
		{"payer ID matches", func(r *store.Remittance) { r.PayerID = "P2" }, store.RemitClaim{CLP01: "PCN5", ChargeCents: 15000}, 7, store.MatchCLM01, ""},
		{"payee TIN", func(r *store.Remittance) { r.PayeeNPI, r.PayeeTIN = "", "990000001" }, store.RemitClaim{CLP01: "PCN6", ChargeCents: 15000}, 8, store.MatchCLM01, ""},
		{"no payee ID at all", func(r *store.Remittance) { r.PayeeNPI = "" }, store.RemitClaim{CLP01: "PCN1", ChargeCents: 15000}, 0, "", NoteNoClaim},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &store.Remittance{Direction: store.RemitIn, PartnerID: "tpa", PayerID: "TPA01", PayeeNPI: "1234567893",
				Claims: []store.RemitClaim{tc.claim}}
			if tc.remit != nil {
				tc.remit(r)
			}
			l := &fakeLookup{claims: claims}
			if err := Match(context.Background(), l, r); err != nil {
				t.Fatal(err)
			}
			c := r.Claims[0]
			var got int64
			if c.ClaimID != nil {
				got = *c.ClaimID
			}
			if got != tc.want || c.MatchMethod != tc.method || c.Note != tc.note {
				t.Fatalf("matched %d by %q note %q, want %d by %q note %q", got, c.MatchMethod, c.Note, tc.want, tc.method, tc.note)
			}
		})
	}
}

// TestMatchBatches: two queries for any number of CLPs; none by CLP01
// when every CLP matched by reference; lookup errors are returned.
func TestMatchBatches(t *testing.T) {
	var claims []store.MatchCandidate
	r := &store.Remittance{Direction: store.RemitIn, PartnerID: "tpa", PayeeNPI: "1234567893"}
	for i := 1; i <= 1000; i++ {
		claims = append(claims, candidate(int64(i), fmt.Sprintf("C%04d", i), fmt.Sprintf("PCN%d", i), nil))
		r.Claims = append(r.Claims, store.RemitClaim{Seq: i, ClaimRef: fmt.Sprintf("C%04d", i), CLP01: "x", ChargeCents: 15000})
	}
	l := &fakeLookup{claims: claims}
	if err := Match(context.Background(), l, r); err != nil {
		t.Fatal(err)
	}
	if l.queries != 1 || *r.Claims[999].ClaimID != 1000 {
		t.Fatalf("%d queries", l.queries)
	}
	r.Claims[0].ClaimRef = ""
	r.Claims[0].CLP01 = "PCN1"
	l.queries = 0
	if err := Match(context.Background(), l, r); err != nil || l.queries != 2 || *r.Claims[0].ClaimID != 1 {
		t.Fatalf("%d queries, %v", l.queries, err)
	}
	l.err = errors.New("connection reset")
	if err := Match(context.Background(), l, r); err == nil {
		t.Fatal("lookup error not returned")
	}
}

// TestMatchStore matches against the real store on every backend.
func TestMatchStore(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			ctx := context.Background()
			s := dbtest.Open(t, store.Config{URL: be.URL(t)})
			in, _, err := s.RecordInbound(ctx, store.InboundFile{PartnerID: "acme", Name: "a.x12",
				SHA256: "0000000000000000000000000000000000000000000000000000000000000001", SpoolPath: "x"})
			if err != nil {
				t.Fatal(err)
			}
			for i, clm01 := range []string{"PCN1", "PCN2"} {
				c := &store.Claim{InboundFileID: in.ID, PartnerID: "acme", ControlNumber: fmt.Sprintf("C%04d", i+1), CLM01: clm01,
					ClaimType: "P", State: store.ClaimForwarded, BilledCents: 15000, PayerID: "PAYER01", BillingNPI: "1234567893"}
				if err := s.InsertClaim(ctx, c); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := s.DB().ExecContext(ctx, `UPDATE claims SET route_partner = 'tpa'`); err != nil {
				t.Fatal(err)
			}
			r := &store.Remittance{Direction: store.RemitIn, PartnerID: "tpa", PayeeNPI: "1234567893", Claims: []store.RemitClaim{
				{Seq: 1, ClaimRef: "C0001", CLP01: "PCN1", ChargeCents: 15000, Status: "1"},
				{Seq: 2, CLP01: "PCN2", ChargeCents: 15000, Status: "1"},
				{Seq: 3, CLP01: "PCN3", ChargeCents: 15000, Status: "1"},
			}}
			if err := Match(ctx, s, r); err != nil {
				t.Fatal(err)
			}
			if r.Claims[0].MatchMethod != store.MatchRef || r.Claims[1].MatchMethod != store.MatchCLM01 || r.Claims[2].Note != NoteNoClaim {
				t.Fatalf("claims %+v", r.Claims)
			}
		})
	}
}
