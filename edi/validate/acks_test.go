package validate_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/validate"
)

func TestWriteAcks(t *testing.T) {
	clean := isaStd + gsStd + "ST*837*0001*005010X222A1~BHT*0019~SE*3*0001~GE*1*1~" +
		strings.Replace(gsStd, "*1*X*", "*2*X*", 1) + "ST*837*0001*005010X222A1~BHT*0019~SE*4*0001~GE*1*2~IEA*2*000000001~"
	requested := strings.ReplaceAll(strings.Replace(clean, "*0*T*", "*1*T*", 1), "000000001", "000000002")
	rejected := strings.ReplaceAll(clean, "IEA*2*000000001", "IEA*2*000000009")
	damaged := "ISA*00*          *00" // truncated at the end: parties unknown
	tests := []struct {
		name     string
		input    string
		envelope ack.OutboundEnvelope
		// files lists "kind:received ISA13[:GS06]", "skipped" for skipped
		files []string
	}{
		{"clean, no TA1 asked", clean, ack.OutboundEnvelope{}, []string{"999:000000001:1", "999:000000001:2"}},
		{"TA1 requested", requested, ack.OutboundEnvelope{}, []string{"TA1:000000002", "999:000000002:1", "999:000000002:2"}},
		{"rejected interchange: TA1 only", rejected, ack.OutboundEnvelope{}, []string{"TA1:000000001"}},
		{"damaged header, parties unknown", damaged, ack.OutboundEnvelope{}, []string{"skipped"}},
		{"damaged header, parties configured", damaged,
			ack.OutboundEnvelope{SenderQualifier: "ZZ", SenderID: "CH", ReceiverQualifier: "ZZ", ReceiverID: "PARTNER"}, []string{"TA1:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := validate.Run(context.Background(), strings.NewReader(tt.input), validate.Options{Body: noBody})
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			files, err := validate.WriteAcks(context.Background(), res, dir, validate.AckOptions{
				ControlNumbers: validate.NewCounter(100),
				Now:            time.Date(2026, 5, 6, 7, 8, 0, 0, time.UTC),
				Envelope:       tt.envelope,
			})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			seen := map[int64]bool{}
			for _, f := range files {
				if f.Skipped != "" {
					got = append(got, "skipped")
					continue
				}
				k := f.Kind + ":" + f.Interchange
				if f.Group != "" {
					k += ":" + f.Group
				}
				got = append(got, k)
				if seen[f.Control] {
					t.Errorf("control number %d used twice", f.Control)
				}
				seen[f.Control] = true
				// Every ack we write passes our own validation.
				data, err := os.ReadFile(f.Path)
				if err != nil {
					t.Fatal(err)
				}
				ackRes, err := validate.Run(context.Background(), bytes.NewReader(data), validate.Options{})
				if err != nil {
					t.Fatal(err)
				}
				if ackRes.Status() != 0 {
					t.Errorf("%s does not validate cleanly: %+v", f.Path, validate.Report(f.Path, ackRes))
				}
			}
			if strings.Join(got, " ") != strings.Join(tt.files, " ") {
				t.Errorf("files %q, want %q", got, tt.files)
			}
			// Nothing else (no temporary files) is left in dir.
			entries, _ := os.ReadDir(dir)
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			sort.Strings(names)
			var want []string
			for _, f := range files {
				if f.Path != "" {
					want = append(want, filepath.Base(f.Path))
				}
			}
			sort.Strings(want)
			if strings.Join(names, " ") != strings.Join(want, " ") {
				t.Errorf("dir holds %q, want %q", names, want)
			}
		})
	}
}

// The 999 for a group says what the validation found.
func TestWriteAcksContent(t *testing.T) {
	input := isaStd + gsStd + "ST*837*0001*005010X222A1~BHT*0019~SE*3*0001~ST*837*0002*005010X222A1~BHT*0019~SE*9*0002~GE*2*1~IEA*1*000000001~"
	res, err := validate.Run(context.Background(), strings.NewReader(input), validate.Options{Body: noBody})
	if err != nil {
		t.Fatal(err)
	}
	files, err := validate.WriteAcks(context.Background(), res, t.TempDir(), validate.AckOptions{
		ControlNumbers: validate.NewCounter(7), Now: time.Date(2026, 5, 6, 7, 8, 0, 0, time.UTC),
	})
	if err != nil || len(files) != 1 {
		t.Fatalf("files %v err %v", files, err)
	}
	data, _ := os.ReadFile(files[0].Path)
	for _, want := range []string{
		"*ZZ*RECEIVER       *ZZ*SUBMITTER      *260506*0708*^*00501*000000007*0*T*:~",
		"GS*FA*RECEIVERGS*SENDERGS*20260506*0708*7*X*005010X231A1~",
		"AK1*HC*1*005010X222A1~AK2*837*0001*005010X222A1~IK5*A~AK2*837*0002*005010X222A1~IK5*R*4~AK9*P*2*2*1~SE*8*0001~GE*1*7~IEA*1*000000007~",
	} {
		if !strings.Contains(string(data), want) {
			t.Errorf("999 lacks %q:\n%s", want, data)
		}
	}
	if filepath.Base(files[0].Path) != "ack_000000001_1_999_000000007.x12" {
		t.Errorf("file name %s", files[0].Path)
	}
}

func TestCounter(t *testing.T) {
	c := validate.NewCounter(999_999_998)
	ctx := context.Background()
	var got []int64
	for i := 0; i < 3; i++ {
		n, _ := c.Next(ctx, validate.KindInterchange)
		got = append(got, n)
	}
	g, _ := c.Next(ctx, validate.KindGroup)
	if got[0] != 999_999_998 || got[1] != 999_999_999 || got[2] != 1 || g != 999_999_998 {
		t.Errorf("counter %v, group %d", got, g)
	}
}

// IK303 (element 447, AN 1/4) carries the base-standard loop ID ("2000",
// "2010"), not the guide's loop name ("2000B", "2010BA"), which stays in
// the report.
func TestAck999BaseLoopID(t *testing.T) {
	input := strings.NewReplacer(
		"SBR*P*18*******CI~", "SBR*Q*18*******CI~", // 2000B SBR01: invalid code
		"NM1*IL*1*DOE*JANE****MI*SYN000001~", "NM1*IL*1*DOE*JANE****ZZ*SYN000001~", // 2010BA NM108
		"NM1*85*2*SYNTHETIC CLINIC*****XX*1234567893~", "NM1*85*2*SYNTHETIC CLINIC*****ZZ*1234567893~", // 2010AA NM108
	).Replace(string(readFile(t, "testdata/clean_837p.edi")))
	res, err := validate.Run(context.Background(), strings.NewReader(input), validate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	files, err := validate.WriteAcks(context.Background(), res, t.TempDir(), validate.AckOptions{
		ControlNumbers: validate.NewCounter(7), Now: time.Date(2026, 5, 6, 7, 8, 0, 0, time.UTC),
	})
	if err != nil || len(files) != 1 {
		t.Fatalf("files %v err %v", files, err)
	}
	data, _ := os.ReadFile(files[0].Path)
	for _, want := range []string{"IK3*NM1*7*2010*8~", "IK3*SBR*12*2000*8~", "IK3*NM1*13*2010*8~"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("999 lacks %q:\n%s", want, data)
		}
	}
	for _, seg := range strings.Split(string(data), "~") {
		if el := strings.Split(seg, "*"); el[0] == "IK3" && (len(el) < 4 || len(el[3]) > 4) {
			t.Errorf("IK303 longer than 4 characters: %s", seg)
		}
	}
	var loops []string
	for _, is := range validate.Report("", res).Interchanges[0].Groups[0].Transactions[0].Errors {
		loops = append(loops, is.SegmentID+"/"+is.Loop)
	}
	if got := strings.Join(loops, " "); got != "NM1/2010AA SBR/2000B NM1/2010BA" {
		t.Errorf("report loops %q", got)
	}
}

// A byte outside the X12 character set (0xFF, NUL, a UTF-8 letter) in an
// element value rejects the set with IK403 6 at the element's position;
// the 999 copies the value with '?' in place of the bad bytes.
func TestAck999InvalidCharacter(t *testing.T) {
	for _, tt := range []struct{ name, value, ik404 string }{
		{"0xFF", "DO\xffE", "DO?E"},
		{"NUL", "DO\x00E", "DO?E"},
		{"UTF-8", "DO\u00c9", "DO??"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			input := strings.Replace(string(readFile(t, "testdata/clean_837p.edi")), "NM1*IL*1*DOE*JANE", "NM1*IL*1*"+tt.value+"*JANE", 1)
			res, err := validate.Run(context.Background(), strings.NewReader(input), validate.Options{})
			if err != nil {
				t.Fatal(err)
			}
			files, err := validate.WriteAcks(context.Background(), res, t.TempDir(), validate.AckOptions{
				ControlNumbers: validate.NewCounter(7), Now: time.Date(2026, 5, 6, 7, 8, 0, 0, time.UTC),
			})
			if err != nil || len(files) != 1 {
				t.Fatalf("files %v err %v", files, err)
			}
			data, _ := os.ReadFile(files[0].Path)
			want := "IK3*NM1*13*2010*8~IK4*3*1035*6*" + tt.ik404 + "~IK5*R*5~AK9*R*1*1*0~"
			if !strings.Contains(string(data), want) {
				t.Errorf("999 lacks %q:\n%q", want, data)
			}
			for i, c := range data {
				if (c < 0x20 && c != '\n') || c >= 0x7f {
					t.Fatalf("999 byte %d is %#x", i, c)
				}
			}
		})
	}
}
