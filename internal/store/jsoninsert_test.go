package store

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// dumpTable returns every row of table, ordered by id, each value as its
// SQLite type and the hex of its bytes.
func dumpTable(t *testing.T, s *Store, table string) []string {
	t.Helper()
	ctx := context.Background()
	var cols []string
	if err := s.db.SelectContext(ctx, &cols, `SELECT name FROM pragma_table_info(?) ORDER BY cid`, table); err != nil {
		t.Fatal(err)
	}
	exprs := make([]string, len(cols))
	for i, c := range cols {
		exprs[i] = fmt.Sprintf(`'%s=' || typeof(%s) || ':' || coalesce(hex(%s), '')`, c, c, c)
	}
	var rows []string
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+strings.Join(exprs, ` || ' ' || `)+` FROM `+table+` ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	return rows
}

// jsonInsertClaims are claims with every column set, text that JSON
// escapes, and large, negative and absent numbers.
func jsonInsertClaims(in *InboundFile, tr *Transaction, prefix string) []*Claim {
	var cs []*Claim
	for i := range 7 {
		c := &Claim{InboundFileID: in.ID, PartnerID: in.PartnerID, ControlNumber: fmt.Sprintf("%s%05d", prefix, i),
			CLM01: fmt.Sprintf("PCN\"%d\\/\t\x01", i), ClaimType: "P", Frequency: "1", RefF8: "", State: ClaimAccepted,
			Reasons: "A3:21;A7:164:IL", BilledCents: 9223372036854775807 - int64(i), PayerID: "PAYER01", SubmitterID: "SUBM01",
			BillingNPI: "1234567893", BillingTIN: "990000001", MemberID: "ZZ\u00e9M", PatientLast: "O'BRIEN \"JR\"",
			PatientFirst: "日本\U0001F600", PatientDOB: "19800101", ServiceFrom: "20240210", ServiceTo: "20240211",
			Fingerprint: fmt.Sprint("fp", i), SuspectKey: "sk", RawOffset: int64(i) * 100000, RawLength: int64(i),
			Notes: "duplicate;x\u2028", RelatedControl: "CH1", MemberTPA: "TPA\n1"}
		switch i % 3 {
		case 0:
			c.TransactionID = &tr.ID
			allowed := int64(-5)
			c.AllowedCents = &allowed
		case 1:
			c.Frequency, c.RefF8, c.State = "7", "CH00001", ClaimSuspect
		}
		for j := range i % 4 {
			l := ClaimLine{LineNo: j + 1, Code: "A0428", Modifiers: "RH\"", Units: int64(1000 * j), UnitType: "UN",
				ChargeCents: int64(300 + j), ServiceFrom: "20240210", ServiceTo: "20240210", RevenueCode: "04\\50"}
			if j == 1 {
				a := int64(256)
				l.AllowedCents = &a
			}
			c.Lines = append(c.Lines, l)
		}
		cs = append(cs, c)
	}
	return cs
}

// TestInsertClaimsJSON checks that claims inserted as JSON arguments on
// SQLite are stored as InsertClaim stores them, value for value (type and
// bytes), and that a batch with text JSON does not carry unchanged goes
// the per-value way, stored the same.
func TestInsertClaimsJSON(t *testing.T) {
	ctx := context.Background()
	clock := func() time.Time { return time.Date(2026, 12, 8, 2, 50, 1, 123456000, time.UTC) }
	type run struct {
		name string
		edit func([]*Claim)
	}
	for _, r := range []run{
		{"json", func([]*Claim) {}},
		{"not json", func(cs []*Claim) { cs[3].PatientLast, cs[5].CLM01 = "B\xffAD", "A\x00B" }},
	} {
		t.Run(r.name, func(t *testing.T) {
			var dumps [2][2][]string
			for k, batched := range []bool{false, true} {
				s, err := OpenConfig(ctx, Config{URL: "sqlite:" + filepath.Join(t.TempDir(), "ins.db"), Now: clock})
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				if err := s.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				in, _, err := s.RecordInbound(ctx, InboundFile{PartnerID: "acme", Name: "a.x12", SHA256: fmt.Sprintf("%064d", 1)})
				if err != nil {
					t.Fatal(err)
				}
				ic := &Interchange{InboundFileID: in.ID, SenderID: "S", ReceiverID: "R", Control: "1"}
				if err := s.RecordInterchange(ctx, ic); err != nil {
					t.Fatal(err)
				}
				g := &Group{InterchangeID: ic.ID, FunctionalID: "HC", Control: "1"}
				if err := s.RecordGroup(ctx, g); err != nil {
					t.Fatal(err)
				}
				tr := &Transaction{GroupID: g.ID, SetID: "837", Control: "0001"}
				if err := s.RecordTransaction(ctx, tr); err != nil {
					t.Fatal(err)
				}
				// A claim before, so that IDs are numbered on.
				if err := s.InsertClaim(ctx, jsonInsertClaims(in, tr, "PRE")[2]); err != nil {
					t.Fatal(err)
				}
				cs := jsonInsertClaims(in, tr, "CH")
				r.edit(cs)
				if want := r.name == "json"; jsonClaimText(cs) != want {
					t.Fatalf("jsonClaimText = %v, want %v", !want, want)
				}
				if batched {
					err = s.InTx(ctx, func(tx *Tx) error { return tx.InsertClaims(ctx, cs) })
				} else {
					for _, c := range cs {
						if err = s.InsertClaim(ctx, c); err != nil {
							break
						}
					}
				}
				if err != nil {
					t.Fatal(err)
				}
				for i, c := range cs {
					if c.ID != int64(i+2) || (len(c.Lines) > 0 && c.Lines[0].ClaimID != c.ID) {
						t.Fatalf("claim %d: ID %d, lines %+v", i, c.ID, c.Lines)
					}
				}
				dumps[k][0], dumps[k][1] = dumpTable(t, s, "claims"), dumpTable(t, s, "claim_lines")
			}
			if len(dumps[0][0]) != 8 || len(dumps[0][1]) != 11 {
				t.Fatalf("%d claims and %d lines stored, want 8 and 11", len(dumps[0][0]), len(dumps[0][1]))
			}
			for i, table := range []string{"claims", "claim_lines"} {
				if !slices.Equal(dumps[0][i], dumps[1][i]) {
					for j := range dumps[0][i] {
						if j < len(dumps[1][i]) && dumps[0][i][j] != dumps[1][i][j] {
							t.Errorf("%s row %d:\n one by one %s\n   batched %s", table, j, dumps[0][i][j], dumps[1][i][j])
						}
					}
					t.Fatalf("%s differ", table)
				}
			}
		})
	}
}

// FuzzJSONRowsArg checks that SQLite reads back, as ->> does in a JSON
// INSERT, the text and integers jsonRowsArg writes.
func FuzzJSONRowsArg(f *testing.F) {
	for i, s := range jsonRowsStrings {
		f.Add(s, int64(i)*-1000003)
	}
	s := openJSONRowsDB(f)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, str string, n int64) {
		if !jsonText(str) {
			t.Skip()
		}
		var a jsonRowsArg
		a.reset()
		a.row()
		a.str(str)
		a.int(n)
		a.opt(nil)
		a.endRow()
		a.row()
		a.str("")
		a.endRow()
		var got []struct {
			S    string `db:"s"`
			N    *int64 `db:"n"`
			Null *int64 `db:"z"`
			Type string `db:"t"`
		}
		if err := s.db.SelectContext(ctx, &got, `SELECT value->>0 AS s, value->>1 AS n, value->>2 AS z, typeof(value->>0) AS t
			FROM json_each(?)`, a.arg()); err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].S != str || got[0].Type != "text" || got[0].N == nil || *got[0].N != n || got[0].Null != nil ||
			got[1].S != "" {
			t.Fatalf("%+q, %d: read back %+v", str, n, got)
		}
	})
}
