package transport_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/transport"
)

func TestNameHash(t *testing.T) {
	const name = "DOE_JANE_DOB19700101_MRN123456.x12"
	h := transport.NameHash(name)
	if len(h) != 12 || strings.Trim(h, "0123456789abcdef") != "" {
		t.Fatalf("NameHash = %q; want 12 lowercase hex digits", h)
	}
	if transport.NameHash("inbox/"+name) != h {
		t.Errorf("NameHash of a path differs from the hash of its base name")
	}
	if transport.NameHash("DOE_JOHN_DOB19700101_MRN123456.x12") == h {
		t.Errorf("two names share a hash")
	}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("x", transport.NameAttr("inbox/"+name))
	if out := buf.String(); strings.Contains(out, "DOE") || !strings.Contains(out, "name_hash="+h) {
		t.Errorf("log line %q; want name_hash=%s and no name", out, h)
	}
}

func TestRedactName(t *testing.T) {
	const name = "DOE_JANE_DOB19700101_MRN123456.x12"
	msg := "open inbox/" + name + ": permission denied"
	got := transport.RedactName(msg, "inbox/"+name)
	want := "open inbox/<name " + transport.NameHash(name) + ">: permission denied"
	if got != want {
		t.Errorf("RedactName = %q; want %q", got, want)
	}
	if got := transport.RedactName(msg, ""); got != msg {
		t.Errorf("RedactName with no name = %q; want the message unchanged", got)
	}
}
