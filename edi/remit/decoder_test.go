package remit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/schema"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

const isa835 = "ISA*00*          *00*          *ZZ*PAYER          *ZZ*ALLIANCECH     *261209*1200*^*00501*000000001*0*P*:~\n" +
	"GS*HP*PAYER*ALLIANCECH*20261209*1200*1*X*005010X221A1~\n"

// body835 has two groups, a claim with lines, a claim without, a bad
// amount, an unknown segment and a PLB.
const body835 = `ST*835*0042*005010X221A1~
BPR*I*95*C*CHK************20261209~
TRN*1*CHK1001*1391234567~
CUR*PR*USD~
REF*EV*ALLIANCECH~
DTM*405*20261209~
N1*PR*ALLIANCE HEALTH PLAN*XV*PLAN01~
N3*PO BOX 44365~
N4*MADISON*WI*53744~
REF*2U*PAYER01~
PER*CX*CLAIMS*TE*6085550101~
PER*BL*EDI*EM*edi@example.org~
PER*IC**UR*www.example.org~
N1*PE*NORTH CLINIC*FI*391234567~
N3*12 MAIN ST~
N4*MADISON*WI*53703~
RDM*EM*BILLING*billing@example.org~
LX*1~
TS3*1234567893*11*20261231*2*130~
CLP*PCN1*1*100*80*20*12*ICN1*11*1~
CAS*PR*2*20~
NM1*QC*1*DOE*JANE****MI*M1~
NM1*IL*1*DOE*JOHN****MI*M0~
NM1*82*1*SMITH*ANNA****XX*1234567893~
MOA***N381*M15~
REF*9A*RP1~
REF*1G*PRV9~
DTM*232*20261101~
DTM*233*20261102~
DTM*050*20261105~
AMT*AU*80~
SVC*HC:G0008:RH*100*100*0636*1**2~
DTM*472*20261101~
REF*6R*L1~
AMT*B6*100~
LQ*HE*N381~
LX*2~
CLP*PCN2*4*30*0**12*ICN2~
CAS*CO*16*30*1~
NM1*QC*1*ROE*RICH****MI*M2~
ZZZ*UNKNOWN~
PLB*1234567893*20261231*L6:INT*-15*WO*0.001~
SE*43*0042~
`

func readOne(t *testing.T, data string) (*Remittance, []ack.Issue) {
	t.Helper()
	var got *Remittance
	var issues []ack.Issue
	err := ReadSets(strings.NewReader(data), func(r *Remittance, is []ack.Issue) error {
		if got != nil {
			t.Fatal("more than one set")
		}
		got, issues = r, is
		return nil
	})
	if err != nil || got == nil {
		t.Fatalf("ReadSets: %v", err)
	}
	return got, issues
}

func TestDecodeFields(t *testing.T) {
	r, issues := readOne(t, isa835+body835+"GE*1*1~\nIEA*1*000000001~\n")
	if r.ControlNumber != "0042" || r.Version != Version || r.Currency != "USD" || r.ReceiverID != "ALLIANCECH" ||
		r.ProductionDate != "20261209" || r.SegmentCount != 43 {
		t.Errorf("header %+v", r)
	}
	if r.Payer.ID != "PLAN01" || len(r.Payer.Contacts) != 3 || r.Payer.Contacts[2].Numbers[0].Qualifier != "UR" ||
		r.Payer.Refs[0] != (Ref{"2U", "PAYER01"}) || r.Payer.Address.PostalCode != "53744" {
		t.Errorf("payer %+v", r.Payer)
	}
	if r.Payee.TIN() != "391234567" || r.Payee.NPI() != "" || r.Payee.Delivery == nil || r.Payee.Delivery.Method != "EM" {
		t.Errorf("payee %+v", r.Payee)
	}
	if len(r.Groups) != 2 || r.Groups[0].Summary == nil || r.Groups[0].Summary.TotalCharge != 13000 ||
		r.Groups[0].Summary.ClaimCount != 2000 || r.Groups[1].Number != 2 {
		t.Fatalf("groups %+v", r.Groups)
	}
	c := r.Groups[0].Claims[0]
	if c.Insured == nil || c.Insured.ID != "M0" || c.Rendering.ID != "1234567893" || c.Outpatient == nil ||
		strings.Join(c.Outpatient.Remarks, ",") != "N381,M15" || len(c.Refs) != 2 || c.StatementFrom != "20261101" ||
		c.StatementTo != "20261102" || c.Received != "20261105" || c.Amounts[0] != (Amount{"AU", 8000}) ||
		c.Facility != "11" || c.Frequency != "1" {
		t.Errorf("claim 1 %+v", c)
	}
	l := c.Lines[0]
	if l.Procedure.Code != "G0008" || strings.Join(l.Procedure.Modifiers, ",") != "RH" ||
		l.RevenueCode != "0636" || l.Units != 1000 || l.OriginalUnits != 2000 || l.Remarks[0] != (Remark{"HE", "N381"}) {
		t.Errorf("line %+v", l)
	}
	d := r.Groups[1].Claims[0]
	if !d.IsDenied() || d.Adjustments[0].Reasons[0] != (Reason{Code: "16", Amount: 3000, Quantity: 1000, HasQuantity: true}) {
		t.Errorf("claim 2 %+v", d)
	}
	if len(r.Adjustments) != 1 || r.Adjustments[0].Items[0] != (PLBItem{"L6", "INT", -1500}) {
		t.Errorf("PLB %+v", r.Adjustments)
	}
	// The PLB amount 0.001 is not whole cents: a problem (by position, not
	// value) and an issue; ZZZ is unplaced but kept.
	if len(r.Problems) != 1 || !strings.Contains(r.Problems[0], "PLB06 at position 42") || strings.Contains(r.Problems[0], "0.001") {
		t.Errorf("problems %v", r.Problems)
	}
	var codes []string
	for _, is := range issues {
		codes = append(codes, is.SegmentID+":"+is.Code)
	}
	if got := strings.Join(codes, " "); got != "ZZZ:1 PLB:I12" {
		t.Errorf("issues %s", got)
	}
	if r.Totals != (Totals{Claims: 2, Charge: 13000, Paid: 8000}) {
		t.Errorf("totals %+v", r.Totals)
	}
	// Encode keeps the unplaced segment and the line breaks.
	var buf bytes.Buffer
	w := x12.NewWriter(&buf, x12.DefaultDelimiters)
	if err := r.Encode(w); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	if buf.String() != strings.TrimSuffix(body835, "\n") {
		t.Errorf("Encode:\n%s\nwant\n%s", buf.String(), body835)
	}
}

// A set without SE is emitted by Flush; the streaming claim ends at the
// last segment.
func TestDecoderFlushWithoutSE(t *testing.T) {
	body := strings.Replace(body835, "SE*43*0042~\n", "", 1)
	claims, sets := decodeAll(t, []byte(isa835+body))
	if len(claims) != 2 || len(sets) != 1 {
		t.Fatalf("%d claims, %d sets", len(claims), len(sets))
	}
	if sets[0].SegmentCount != 0 || len(sets[0].Adjustments) != 1 || len(sets[0].Groups) != 0 {
		t.Errorf("set %+v", sets[0])
	}
	in := isa835 + body
	if got := in[claims[1].Start:claims[1].End]; !strings.HasPrefix(got, "CLP*PCN2") || !strings.HasSuffix(got, "ZZZ*UNKNOWN~") {
		t.Errorf("claim 2 bytes %q", got)
	}
}

func TestDecodeSet(t *testing.T) {
	rd := x12.NewReader(strings.NewReader(isa835 + body835))
	var segs []*x12.Segment
	for {
		s, err := rd.Read()
		if err != nil {
			break
		}
		if s.Position > 0 {
			segs = append(segs, s.Clone())
		}
	}
	r, issues, err := DecodeSet("", segs)
	if err != nil || r.Totals.Claims != 2 || len(issues) != 2 {
		t.Fatalf("DecodeSet: %v, %d claims, issues %v", err, r.Totals.Claims, issues)
	}
	segs[0] = x12.NewSegment([]byte("ST*835*0042*004010X091A1"), segs[0].Delims)
	if _, _, err := DecodeSet("", segs); !errors.Is(err, ErrUnsupported) {
		t.Errorf("4010: %v", err)
	}
	if _, _, err := DecodeSet("", segs[1:]); err == nil {
		t.Error("no ST: no error")
	}
	var built Remittance
	if err := built.Encode(x12.NewWriter(&bytes.Buffer{}, x12.DefaultDelimiters)); !errors.Is(err, ErrNoSegments) {
		t.Errorf("Encode by hand: %v", err)
	}
}

// ReuseClaims gives the same claims (as seen during the callback) as
// fresh allocation, and both the claims of the whole-set decoder: for
// claims of two lines (the room of a claim block) and for claims of more
// lines than that with more modifiers than a line block has room for.
func TestDecoderReuseClaims(t *testing.T) {
	t.Run("two lines", func(t *testing.T) { testReuseClaims(t, large(t, 50), 50) })
	t.Run("five lines", func(t *testing.T) {
		r := payment()
		tmpl := r.Groups[0].Claims[0]
		var claims []*Claim
		for i := range 7 {
			c := *tmpl
			c.PatientControlNumber = fmt.Sprintf("PCN%08d", i)
			c.Lines = nil
			for j := range 2 + i%4 {
				l := *tmpl.Lines[j%2]
				l.Procedure.Modifiers = []string{"RH", "GY", "QX", "59"}[:j%5]
				l.OriginalProcedure = &Procedure{Qualifier: "HC", Code: "A0425", Modifiers: []string{"RH", "GY", "QX"}[:j%4]}
				c.Lines = append(c.Lines, &l)
			}
			c.Charge, c.Paid = 0, 0
			for _, l := range c.Lines {
				c.Charge += l.Charge
				c.Paid += l.Paid
			}
			claims = append(claims, &c)
		}
		r.Groups = []*Group{{Number: 1, Claims: claims}}
		r.ComputeTotals()
		var buf bytes.Buffer
		if err := Write(&buf, []Remittance{r}, testEnvelope()); err != nil {
			t.Fatal(err)
		}
		testReuseClaims(t, buf.Bytes(), len(claims))
	})
}

func testReuseClaims(t *testing.T, data []byte, n int) {
	snapshot := func(reuse bool) []string {
		var out []string
		d := NewDecoder(func(c *ClaimContext) error {
			j, err := json.Marshal(c.Claim)
			if err != nil {
				return err
			}
			out = append(out, string(j))
			return nil
		}, nil)
		d.ReuseClaims = reuse
		if err := decodeStream(data, schema.NewParser(Schema(), d), nil); err != nil {
			t.Fatal(err)
		}
		return out
	}
	fresh, reused := snapshot(false), snapshot(true)
	if len(fresh) != n || strings.Join(fresh, "\n") != strings.Join(reused, "\n") {
		t.Fatalf("reused claims differ (%d vs %d)", len(fresh), len(reused))
	}
	var whole []string
	err := ReadSets(bytes.NewReader(data), func(r *Remittance, _ []ack.Issue) error {
		for c := range r.Claims() {
			j, err := json.Marshal(c)
			if err != nil {
				return err
			}
			whole = append(whole, string(j))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(fresh, "\n") != strings.Join(whole, "\n") {
		t.Fatalf("streamed claims differ from the whole-set decoder's (%d vs %d)", len(fresh), len(whole))
	}
}

// strArena.str returns every value unchanged, whether taken from the
// two-byte table, copied into a chunk or allocated on its own.
func TestStrArena(t *testing.T) {
	var a strArena
	long := strings.Repeat("X", chunkSize/2)
	values := []string{"", "A", "CO", "6R", "99", "ZZ", "a1", "C-", "1.", "\x00A", "HC", "A0428", "PCN00000001", long, "45"}
	for range 3 {
		for _, v := range values {
			if got := a.str([]byte(v)); got != v {
				t.Fatalf("str(%q) = %q", v, got)
			}
		}
	}
	for i := range len(pairChars) {
		for j := range len(pairChars) {
			v := string([]byte{pairChars[i], pairChars[j]})
			if got := a.str([]byte(v)); got != v {
				t.Fatalf("str(%q) = %q", v, got)
			}
		}
	}
}
