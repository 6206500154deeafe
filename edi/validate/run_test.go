package validate_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/envelope"
	"github.com/clearinghouse/clearinghouse/edi/schema"
	"github.com/clearinghouse/clearinghouse/edi/validate"
)

const (
	isaStd = "ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       *260101*1200*^*00501*000000001*0*T*:~"
	gsStd  = "GS*HC*SENDERGS*RECEIVERGS*20260101*1200*1*X*005010X222A1~"
)

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The default body validation is the implementation-guide schema; the
// handler sees every segment of the set as an event, OnSetEnd the verdict.
func TestRunSchemaHandler(t *testing.T) {
	data := readFile(t, "testdata/clean_837p.edi")
	var events []string
	var ends []validate.SetResult
	var ics int
	res, err := validate.Run(context.Background(), bytes.NewReader(data), validate.Options{
		Handler: func(set validate.SetInfo) schema.Handler {
			if set.ID != "837" || set.Version != "005010X222A1" || set.Control != "0001" || set.Interchange != "000000201" {
				t.Errorf("handler for %+v", set)
			}
			return schema.HandlerFunc(func(e schema.Event) error {
				events = append(events, e.Seg.Tag()+"/"+e.Loop)
				return nil
			})
		},
		OnSetEnd:         func(r validate.SetResult) { ends = append(ends, r) },
		OnInterchangeEnd: func(*envelope.Interchange) { ics++ },
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status() != 0 {
		t.Fatalf("clean 837P: status %d %+v", res.Status(), validate.Report("", res))
	}
	if len(events) != 23 || !strings.HasPrefix(events[0], "ST/") || !strings.HasPrefix(events[22], "SE/") {
		t.Errorf("events %q", events)
	}
	if !strings.Contains(strings.Join(events, " "), "CLM/2300") {
		t.Errorf("events have no CLM in loop 2300: %q", events)
	}
	if len(ends) != 1 || ends[0].Ack != ack.Accepted || !ends[0].BodyChecked || ends[0].SegmentCount != 23 || ics != 1 {
		t.Errorf("OnSetEnd %+v, %d interchange ends", ends, ics)
	}
}

// Body findings from the schema end up in the set, with IK5 5/I5.
func TestRunSchemaFindings(t *testing.T) {
	data := strings.Replace(string(readFile(t, "testdata/clean_837p.edi")), "SV1*HC:A0428*100.00*UN*1***1~", "SV1*HC:A0428*100.00*UN*1***1~ZZZ*1~", 1)
	data = strings.Replace(data, "SE*23*0001~", "SE*24*0001~", 1)
	res, err := validate.Run(context.Background(), strings.NewReader(data), validate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Interchanges[0].Groups[0].Sets[0]
	if s.Ack != ack.Rejected || !s.BodyChecked || len(s.Issues) == 0 {
		t.Fatalf("set %+v", s)
	}
	found := false
	for _, is := range s.Issues {
		if is.Level == ack.LevelSegment && is.SegmentID == "ZZZ" && is.Position == 22 && is.Transaction == "0001" && is.Interchange == "000000201" {
			found = true
		}
	}
	if !found {
		t.Errorf("no segment issue for ZZZ at position 22: %v", s.Issues)
	}
}

// A handler error aborts the run.
func TestRunHandlerError(t *testing.T) {
	boom := errors.New("decoder failed")
	_, err := validate.Run(context.Background(), bytes.NewReader(readFile(t, "testdata/clean_837p.edi")), validate.Options{
		Handler: func(validate.SetInfo) schema.Handler {
			return schema.HandlerFunc(func(e schema.Event) error {
				if e.Seg.Is("CLM") {
					return boom
				}
				return nil
			})
		},
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the handler's error", err)
	}
}

// bigInput is one interchange of n small sets.
func bigInput(n int) string {
	var b strings.Builder
	b.WriteString(isaStd + gsStd)
	for i := 0; i < n; i++ {
		b.WriteString("ST*837*0001*005010X222A1~BHT*0019~SE*3*0001~")
	}
	b.WriteString("GE*1*1~IEA*1*000000001~")
	return b.String()
}

// cancelReader cancels a context once it has been read from.
type cancelReader struct {
	r      io.Reader
	cancel context.CancelFunc
}

func (c *cancelReader) Read(p []byte) (int, error) {
	c.cancel()
	return c.r.Read(p)
}

func TestRunContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := validate.Run(ctx, strings.NewReader(bigInput(1)), validate.Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled before: err = %v", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	r := &cancelReader{r: strings.NewReader(bigInput(5000)), cancel: cancel}
	if _, err := validate.Run(ctx, r, validate.Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled while reading: err = %v", err)
	}
}

func TestRunReadError(t *testing.T) {
	broken := errors.New("disk on fire")
	r := io.MultiReader(strings.NewReader(isaStd+gsStd), iotest.ErrReader(broken))
	if _, err := validate.Run(context.Background(), r, validate.Options{}); !errors.Is(err, broken) {
		t.Errorf("err = %v, want the reader's error", err)
	}
}

// Tokenizer errors become issues and reading goes on.
func TestRunSyntaxErrors(t *testing.T) {
	clean := isaStd + gsStd + "ST*837*0001*005010X222A1~BHT*0019~SE*3*0001~GE*1*1~IEA*1*000000001~"
	second := strings.ReplaceAll(clean, "000000001", "000000002")
	tests := []struct {
		name  string
		input string
		notes string // TA105 of each interchange
	}{
		{"truncated ISA at the end", clean + "ISA*00*    ", "000,023"},
		{"damaged ISA then more", clean + "ISA*00" + strings.Repeat(" ", 600) + "\n" + second, "000,024,000"},
		{"invalid delimiters", strings.Replace(clean, "*:~", "*~~", 1) + second, "026,000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := validate.Run(context.Background(), strings.NewReader(tt.input), validate.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var notes []string
			for _, ic := range res.Interchanges {
				notes = append(notes, ic.TA1.Note)
			}
			if got := strings.Join(notes, ","); got != tt.notes {
				t.Errorf("TA1 notes %s, want %s", got, tt.notes)
			}
		})
	}
}

// A segment longer than MaxSegmentLen is reported at its position.
func TestRunMaxSegmentLen(t *testing.T) {
	input := isaStd + gsStd + "ST*837*0001*005010X222A1~NTE*" + strings.Repeat("X", 200) + "~SE*3*0001~GE*1*1~IEA*1*000000001~"
	res, err := validate.Run(context.Background(), strings.NewReader(input), validate.Options{MaxSegmentLen: 150, Body: noBody})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Interchanges[0].Groups[0].Sets[0]
	if len(s.Issues) != 1 || s.Issues[0].Position != 2 || s.Issues[0].Code != ack.SegmentUnrecognized {
		t.Errorf("issues %v", s.Issues)
	}
}

func noBody(validate.SetInfo) envelope.BodyValidator { return nil }

// A claims intake rejects an 835 as not supported; by default the 835
// body is checked against the X221A1 guide (this one lacks most of it).
func TestRunClaimsOnly(t *testing.T) {
	input := isaStd + "GS*HP*SENDERGS*RECEIVERGS*20260101*1200*1*X*005010X221A1~ST*835*0001*005010X221A1~BPR*I~SE*3*0001~GE*1*1~IEA*1*000000001~"
	for _, tt := range []struct {
		name      string
		supported []envelope.SetKey
		ak9, ik5  string
		body      bool
	}{
		{"default: body checked", nil, "R", "R", true},
		{"claims intake", envelope.Claims, "R", "R", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, err := validate.Run(context.Background(), strings.NewReader(input), validate.Options{Supported: tt.supported})
			if err != nil {
				t.Fatal(err)
			}
			g := res.Interchanges[0].Groups[0]
			if g.Ack != tt.ak9 || g.Sets[0].Ack != tt.ik5 || g.Sets[0].BodyChecked != tt.body {
				t.Errorf("AK9 %s IK5 %s body %v", g.Ack, g.Sets[0].Ack, g.Sets[0].BodyChecked)
			}
		})
	}
}
