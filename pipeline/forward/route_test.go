package forward_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/claim"
	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline"
	"github.com/clearinghouse/clearinghouse/pipeline/forward"
	"github.com/clearinghouse/clearinghouse/repricing/x12price"
	"github.com/clearinghouse/clearinghouse/roster"
)

// byMember routes 88461 by the member's TPA: WEST and SOUTH have partners
// of their own; a replacement or void goes to corrections.
func byMember(defaultPartner string) []forward.Route {
	return []forward.Route{
		{PayerID: "2712", ClaimType: "P", Partner: "relayhealth"},
		{PayerID: "1935", ClaimType: "I", Partner: "relayhealth"},
		{PayerID: "88461", Partner: defaultPartner, CorrectedPartner: "corrections",
			TPAPartners: map[string]string{"SYNTH TPA WEST": "tpa-west", " synth tpa south ": "tpa-south"}},
	}
}

var decideTests = []struct {
	name                  string
	defaultPartner        string
	payer, typ, freq, tpa string
	partner               string
	err                   error
}{
	{"PayerDecides", "", "2712", "P", "1", "SYNTH TPA WEST", "relayhealth", nil},
	{"TPADecides", "", "88461", "P", "1", "SYNTH TPA WEST", "tpa-west", nil},
	{"TPANameFolded", "", "88461", "I", "1", " Synth Tpa South", "tpa-south", nil},
	{"ReplacementToCorrections", "", "88461", "P", "7", "SYNTH TPA WEST", "corrections", nil},
	{"VoidToCorrections", "", "88461", "I", "8", "", "corrections", nil},
	{"OtherTPAToDefault", "optum", "88461", "P", "1", "SYNTH TPA NORTH", "optum", nil},
	{"NoTPAToDefault", "optum", "88461", "P", "1", "", "optum", nil},
	{"OtherTPAWithoutDefault", "", "88461", "P", "1", "SYNTH TPA NORTH", "", forward.ErrUnroutedTPA},
	{"NoTPAWithoutDefault", "", "88461", "P", "1", "", "", forward.ErrUnroutedTPA},
	{"UnknownPayer", "", "99999", "P", "1", "SYNTH TPA WEST", "", forward.ErrUnknownPayer},
	{"WrongType", "", "2712", "I", "1", "SYNTH TPA WEST", "", forward.ErrWrongClaimType},
}

func TestDecide(t *testing.T) {
	notes := map[error]string{forward.ErrUnroutedTPA: "tpa-unrouted", forward.ErrUnknownPayer: "no-route", forward.ErrWrongClaimType: "payer-wrong-claim-type"}
	for _, tt := range decideTests {
		t.Run(tt.name, func(t *testing.T) {
			table, err := forward.NewTable(byMember(tt.defaultPartner))
			if err != nil {
				t.Fatal(err)
			}
			r, partner, err := table.Decide(tt.payer, tt.typ, tt.freq, tt.tpa)
			if tt.err == nil {
				if err != nil || partner != tt.partner || r.PayerID != tt.payer {
					t.Fatalf("Decide = %s, %+v, %v; want %s", partner, r, err, tt.partner)
				}
				return
			}
			var re *forward.RouteError
			if !errors.As(err, &re) || !errors.Is(err, tt.err) || re.Reason != forward.ReasonIncorrectPayer || re.Note() != notes[tt.err] {
				t.Fatalf("Decide error = %v, want RouteError wrapping %v with A3:116 and note %s", err, tt.err, notes[tt.err])
			}
		})
	}
}

var badTPARoutes = []struct {
	name string
	tpa  map[string]string
}{
	{"EmptyTPAName", map[string]string{" ": "aa"}},
	{"EmptyPartner", map[string]string{"SYNTH TPA WEST": ""}},
	{"TPATwiceIgnoringCase", map[string]string{"SYNTH TPA WEST": "aa", "synth tpa west": "bb"}},
	{"DelimiterInPartner", map[string]string{"SYNTH TPA WEST": "a*b"}},
}

func TestNewTableTPAErrors(t *testing.T) {
	for _, tt := range badTPARoutes {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := forward.NewTable([]forward.Route{{PayerID: "1", TPAPartners: tt.tpa}}); err == nil {
				t.Fatal("NewTable succeeded")
			}
		})
	}
	// A route by member needs no default partner.
	if _, err := forward.NewTable([]forward.Route{{PayerID: "1", TPAPartners: map[string]string{"T": "aa"}}}); err != nil {
		t.Fatal(err)
	}
}

// rosterTPAs reads testdata/roster/alliance-members.csv independently of
// the roster package: member ID → TPA.
func rosterTPAs(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "testdata", "roster", "alliance-members.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rows[1:] {
		out[r[0]] = r[9]
	}
	return out
}

// demoRosterChecker imports testdata/roster/alliance-members.csv into st,
// runs edit (when not nil) and returns a roster checker on st.
func demoRosterChecker(t *testing.T, st *store.Store, edit func()) *roster.Checker {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "testdata", "roster", "alliance-members.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := roster.ImportCSV(context.Background(), st, f, roster.Opts{Source: "alliance-members.csv"}); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit()
	}
	checker, err := roster.NewChecker(st, roster.CheckerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	return checker
}

// TestRunOnceByMemberTPA processes the demo files with eligibility against
// the demo roster and 88461 routed by the member's TPA, without a default
// partner: claims of WEST and SOUTH members go to their TPA's partner; the
// NORTH members' claims are rejected at intake (A3:116, tpa-unrouted), so
// their 277CA never accepts them, and the forwarder leaves them alone.
func TestRunOnceByMemberTPA(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			ctx := context.Background()
			table, err := forward.NewTable(byMember(""))
			if err != nil {
				t.Fatal(err)
			}
			b := setupWith(t, be.URL(t), func(st *store.Store, cfg *pipeline.ProcessorConfig) {
				cfg.Eligibility, cfg.Routes = demoRosterChecker(t, st, nil), table
			}, replacementFile(t))
			tpaOf := rosterTPAs(t)
			before := b.claimsByCLM01(t)
			want := map[string]string{} // CLM01 → partner
			unrouted := 0
			for clm01, c := range before {
				tpa := tpaOf[c.MemberID]
				if c.MemberTPA != "" && c.MemberTPA != tpa {
					t.Errorf("claim %s: member TPA %q, roster says %q", clm01, c.MemberTPA, tpa)
				}
				if c.PayerID == "88461" && c.State == store.ClaimRejected && c.Notes == "tpa-unrouted" {
					if c.Reasons != "A3:116" || tpa == "SYNTH TPA WEST" || tpa == "SYNTH TPA SOUTH" {
						t.Errorf("claim %s (TPA %q): rejected %s %s", clm01, tpa, c.Reasons, c.Notes)
					}
					unrouted++
					continue
				}
				if !forwardable(c) {
					continue
				}
				// The replacement's original was never forwarded: it goes
				// as an original, by its member's TPA, not to corrections.
				switch {
				case c.PayerID != "88461":
					want[clm01] = partnerOfPayer[c.PayerID]
				case tpa == "SYNTH TPA WEST":
					want[clm01] = "tpa-west"
				case tpa == "SYNTH TPA SOUTH":
					want[clm01] = "tpa-south"
				default:
					t.Errorf("claim %s (TPA %q) accepted; want rejected as tpa-unrouted", clm01, tpa)
				}
			}
			perPartner := map[string]int{}
			for _, p := range want {
				perPartner[p]++
			}
			if unrouted == 0 || perPartner["tpa-west"] == 0 || perPartner["tpa-south"] == 0 {
				t.Fatalf("demo data does not exercise the routes: %d unrouted, %v", unrouted, perPartner)
			}

			f := b.forwarder(t, byMember(""), b.engine, 0)
			res, err := f.RunOnce(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if res.Forwarded != len(want) || res.Rejected != 0 {
				t.Errorf("result %+v, want %d forwarded and none rejected", res, len(want))
			}
			got, _ := b.outbound(t)
			for clm01, p := range want {
				if s := got[clm01]; len(s) != 1 || s[0].partner != p {
					t.Errorf("claim %s: sent %+v, want once to %s", clm01, s, p)
				}
			}
			after := b.claimsByCLM01(t)
			for clm01, p := range want {
				if a := after[clm01]; a.State != store.ClaimForwarded || a.RoutePartner != p {
					t.Errorf("claim %s: %s to %q, want forwarded to %s", clm01, a.State, a.RoutePartner, p)
				}
			}
		})
	}
}

// TestRunOnceContractByTPA prices by the member's roster TPA: the 88461
// professional claims of a member moved to SYNTH TPA CENTRAL match
// ALLIANCE-PROF's {payer_id 88461, claim_type P, tpa} rule (lesser of fee
// schedule) instead of ALLIANCE-88461 (percent of charges).
func TestRunOnceContractByTPA(t *testing.T) {
	ctx := context.Background()
	var central string // the member moved to CENTRAL
	b := setupWith(t, dbtest.SQLiteURL(t), func(st *store.Store, cfg *pipeline.ProcessorConfig) {
		cfg.Eligibility = demoRosterChecker(t, st, func() {
			// The member of the first 88461 professional claim of the demo.
			claims := 0
			err := claim.ReadTransactions(bytes.NewReader(readDemo(t, demoFiles[0])), func(tx *claim.Transaction, _ []ack.Issue) error {
				for cc := range tx.Claims() {
					if in := x12price.FromClaim(cc); in.PayerID == "88461" && central == "" {
						central = cc.Subscriber.Member.ID
					}
					claims++
				}
				return nil
			})
			if err != nil || central == "" {
				t.Fatalf("no 88461 claim in the demo (%d claims): %v", claims, err)
			}
			if _, err := st.DB().ExecContext(ctx, st.DB().Rebind(`UPDATE members SET tpa = ? WHERE member_id = ?`), "synth tpa central", central); err != nil {
				t.Fatal(err)
			}
		})
	})
	f := b.forwarder(t, forward.DefaultRoutes(), b.engine, 0)
	if _, err := f.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	byTPA, other := 0, 0
	for clm01, c := range b.claimsByCLM01(t) {
		if c.State != store.ClaimForwarded || c.PayerID != "88461" || c.ClaimType != "P" {
			continue
		}
		want := "percent_of_charges"
		if c.MemberID == central {
			want = "lesser_of_fee"
			byTPA++
			if c.MemberTPA != "synth tpa central" {
				t.Errorf("claim %s: member TPA %q", clm01, c.MemberTPA)
			}
		} else {
			other++
		}
		if c.PricingMethod != want {
			t.Errorf("claim %s (member TPA %q): priced %s, want %s", clm01, c.MemberTPA, c.PricingMethod, want)
		}
	}
	if byTPA == 0 || other == 0 {
		t.Fatalf("%d claims priced by TPA, %d others; the demo should give both", byTPA, other)
	}
}
