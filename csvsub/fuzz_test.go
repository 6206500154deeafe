package csvsub

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/validate"
)

// FuzzConvertClaims: any input converts without panicking, every row is
// accepted or rejected, and whatever 837 comes out passes the validator.
func FuzzConvertClaims(f *testing.F) {
	for _, name := range []string{"testdata/claims-mixed.csv", "testdata/results-mixed.csv"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("\xef\xbb\xbf\"a,b\r\n\"\"\n,,,\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		var out bytes.Buffer
		res, err := ConvertClaims(context.Background(), bytes.NewReader(data), &out, testOptions())
		if err != nil {
			t.Fatal(err)
		}
		if res.Accepted+res.Rejected != res.Rows {
			t.Fatalf("%+v", res)
		}
		if res.Sets == 0 {
			if out.Len() != 0 {
				t.Fatalf("%d bytes without a set", out.Len())
			}
			return
		}
		v, err := validate.Run(context.Background(), bytes.NewReader(out.Bytes()), validate.Options{})
		if err != nil || v.Status() != 0 {
			t.Fatalf("converted 837 not valid (status %d, %v):\n%s", v.Status(), err, out.Bytes())
		}
	})
}

// FuzzConvertResults: any input is read without panicking and every row
// is accepted or rejected.
func FuzzConvertResults(f *testing.F) {
	data, err := os.ReadFile("testdata/results-mixed.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte("a,b,c,d,e,f,g,h,i,j\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := ConvertResults(context.Background(), bytes.NewReader(data), ResultsOptions{Today: "20261123"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Accepted+res.Rejected != res.Rows {
			t.Fatalf("%+v", res)
		}
	})
}
