package roster_test

import (
	"bytes"
	"context"
	"errors"
	"github.com/clearinghouse/clearinghouse/internal/corpustest"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/x12"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/roster"
)

// countINS counts the INS segments inside ST*834 sets, independently of
// the importer.
func countINS(t *testing.T, data []byte) int {
	t.Helper()
	rd := x12.NewReader(bytes.NewReader(data))
	in834, n := false, 0
	for {
		seg, err := rd.Read()
		if errors.Is(err, io.EOF) {
			return n
		}
		if err != nil {
			continue // syntax errors are the importer's to report
		}
		switch {
		case seg.Is("ST"):
			in834 = seg.String(1) == "834"
		case seg.Is("SE"), seg.Is("GE"), seg.Is("IEA"):
			in834 = false
		case seg.Is("INS") && in834:
			n++
		}
	}
}

func TestImport834Corpus(t *testing.T) {
	// The public 834 samples, read in place (never copied); missing is a
	// failure under CI.
	corpus834 := filepath.Join(corpustest.Dir(t), "834")
	entries, err := os.ReadDir(corpus834)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) == 0 {
		t.Fatalf("%s is empty", corpus834)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(filepath.Join(corpus834, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			st := openSQLite(t)
			res, err := roster.Import834(context.Background(), st, bytes.NewReader(data), roster.Opts{Source: e.Name(), FullReplace: true})
			if err != nil {
				t.Fatalf("Import834: %v", err)
			}
			if want := countINS(t, data); res.Records != want {
				t.Fatalf("Records = %d, want %d INS loops", res.Records, want)
			}
			refused := 0
			for _, re := range res.Errors {
				if re.Record > 0 {
					refused++
				}
				if re.Record > res.Records || re.Offset < 0 || re.Offset >= int64(len(data)) {
					t.Errorf("error out of range: %+v", re)
				}
				if re.Segment != "" && re.Ordinal > 0 && !bytes.HasPrefix(data[re.Offset:], []byte(re.Segment)) {
					t.Errorf("error offset %d does not point at a %s segment: %v", re.Offset, re.Segment, &re)
				}
			}
			if got := res.Added + res.Changed + res.Termed + res.Reinstated + res.Unchanged + refused; got != res.Records {
				t.Fatalf("outcomes add up to %d, want Records %d (%+v)", got, res.Records, res)
			}
			n, err := st.CountMembers(context.Background(), store.MemberFilter{})
			if err != nil || n != int64(res.Added) {
				t.Fatalf("members = %d, %v; want Added %d", n, err, res.Added)
			}
			t.Logf("records %d: added %d changed %d termed %d reinstated %d unchanged %d refused %d; other problems %d",
				res.Records, res.Added, res.Changed, res.Termed, res.Reinstated, res.Unchanged, refused, len(res.Errors)-refused)
			for _, re := range res.Errors {
				t.Logf("  %v", &re)
			}
		})
	}
}
