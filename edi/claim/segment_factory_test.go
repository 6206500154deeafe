package claim

import (
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/x12"
)

func TestNewSegmentKeepsLeading(t *testing.T) {
	tests := []struct {
		name     string
		d        x12.Delimiters
		lead     string
		raw      string
		wantLead string // "" when the lead cannot be kept
	}{
		{"tilde and CRLF indent", x12.DefaultDelimiters, "\r\n    ", "HCP*03*70*30", "\r\n    "},
		{"no lead", x12.DefaultDelimiters, "", "REF*9A*RP1", ""},
		{"newline terminator, indent", x12.Delimiters{Element: '*', Repetition: '^', Component: ':', Segment: '\n'}, "\t  ", "DTP*050*D8*20260101", "\t  "},
		{"other delimiters, no repetition", x12.Delimiters{Element: '|', Component: '>', Segment: '\''}, "\n", "HL|1||20|1", "\n"},
		{"lead that is not whitespace is dropped", x12.DefaultDelimiters, "xx", "HCP*03*1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tx := &Transaction{}
			for i := 0; i < 3; i++ { // the factory is reused across calls
				seg := tx.newSegment([]byte(tt.lead), []byte(tt.raw), tt.d)
				if string(seg.Raw()) != tt.raw || string(seg.Leading()) != tt.wantLead || seg.Delims != tt.d {
					t.Fatalf("call %d: raw %q lead %q delims %v", i+1, seg.Raw(), seg.Leading(), seg.Delims)
				}
				if seg.Offset != 0 || seg.Position != 0 {
					t.Errorf("offset %d position %d, want 0", seg.Offset, seg.Position)
				}
			}
		})
	}
}
