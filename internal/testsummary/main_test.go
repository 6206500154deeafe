package main

import (
	"bytes"
	"strings"
	"testing"
)

// events is test2json output of a run with a passing test, a PostgreSQL
// subtest and an OpenSSH test skipped, another skip and a failing test.
const events = `{"Action":"start","Package":"p/a"}
{"Action":"run","Package":"p/a","Test":"TestOK"}
{"Action":"output","Package":"p/a","Test":"TestOK","Output":"=== RUN   TestOK\n"}
{"Action":"output","Package":"p/a","Test":"TestOK","Output":"--- PASS: TestOK (0.00s)\n"}
{"Action":"pass","Package":"p/a","Test":"TestOK"}
{"Action":"run","Package":"p/a","Test":"TestStore"}
{"Action":"run","Package":"p/a","Test":"TestStore/sqlite"}
{"Action":"pass","Package":"p/a","Test":"TestStore/sqlite"}
{"Action":"run","Package":"p/a","Test":"TestStore/postgres"}
{"Action":"output","Package":"p/a","Test":"TestStore/postgres","Output":"    dbtest.go:64: DATABASE_URL is not set; skipping PostgreSQL test\n"}
{"Action":"skip","Package":"p/a","Test":"TestStore/postgres"}
{"Action":"pass","Package":"p/a","Test":"TestStore"}
{"Action":"output","Package":"p/a","Output":"PASS\n"}
{"Action":"output","Package":"p/a","Output":"ok  \tp/a\t0.01s\n"}
{"Action":"pass","Package":"p/a"}
{"Action":"run","Package":"p/b","Test":"TestSFTP"}
{"Action":"output","Package":"p/b","Test":"TestSFTP","Output":"    openssh_test.go:37: SFTP_ADDR unset: no OpenSSH sftp server to test against\n"}
{"Action":"skip","Package":"p/b","Test":"TestSFTP"}
{"Action":"run","Package":"p/b","Test":"TestLong"}
{"Action":"output","Package":"p/b","Test":"TestLong","Output":"    x_test.go:9: long input\n"}
{"Action":"skip","Package":"p/b","Test":"TestLong"}
{"Action":"run","Package":"p/b","Test":"TestBad"}
{"Action":"output","Package":"p/b","Test":"TestBad","Output":"=== RUN   TestBad\n"}
{"Action":"output","Package":"p/b","Test":"TestBad","Output":"    b_test.go:3: got 1, want 2\n"}
{"Action":"output","Package":"p/b","Test":"TestBad","Output":"--- FAIL: TestBad (0.00s)\n"}
{"Action":"fail","Package":"p/b","Test":"TestBad"}
{"Action":"output","Package":"p/b","Output":"FAIL\n"}
{"Action":"output","Package":"p/b","Output":"FAIL\tp/b\t0.02s\n"}
{"Action":"fail","Package":"p/b"}
`

func TestSummarise(t *testing.T) {
	var out bytes.Buffer
	s, err := summarise(strings.NewReader(events), &out)
	if err != nil {
		t.Fatal(err)
	}
	want := "ok  \tp/a\t0.01s\n    b_test.go:3: got 1, want 2\n--- FAIL: TestBad (0.00s)\nFAIL\nFAIL\tp/b\t0.02s\n"
	if out.String() != want {
		t.Errorf("output:\n%q\nwant:\n%q", out.String(), want)
	}
	if !s.failed {
		t.Error("failure not seen")
	}
	report(&out, s)
	line := "tests: 4 run, 3 skipped (1 no OpenSSH sshd (SFTP_ADDR), 1 no PostgreSQL (DATABASE_URL), 1 other)"
	if !strings.Contains(out.String(), line) {
		t.Errorf("report:\n%s\nwant %q", out.String(), line)
	}
}

func TestSummariseAllPass(t *testing.T) {
	in := `{"Action":"run","Package":"p","Test":"T"}
{"Action":"pass","Package":"p","Test":"T"}
{"Action":"output","Package":"p","Output":"ok  \tp\t0.01s\n"}
{"Action":"pass","Package":"p"}
`
	var out bytes.Buffer
	s, err := summarise(strings.NewReader(in), &out)
	if err != nil || s.failed {
		t.Fatalf("failed %v, err %v", s.failed, err)
	}
	report(&out, s)
	if !strings.HasSuffix(out.String(), "tests: 1 run, 0 skipped\n") {
		t.Errorf("report %q", out.String())
	}
}
