package sftp

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/transport/internal/xfer"
)

// TestLogOpRedactsName: the retry log of an operation on a file names it
// by hash only, in the attributes and in the error text.
func TestLogOpRedactsName(t *testing.T) {
	const p = "inbox/DOE_JANE_DOB19700101_MRN123456.x12"
	err := fmt.Errorf("sftp open %s: connection lost", p)
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("x", logOp("open "+p, err))
	out := buf.String()
	if strings.Contains(out, "DOE_JANE") || !strings.Contains(out, "name_hash="+xfer.NameHash(p)) || !strings.Contains(out, "op=open") {
		t.Errorf("log line %q; want op=open, the name hash and no name", out)
	}
	buf.Reset()
	slog.New(slog.NewTextHandler(&buf, nil)).Info("x", logOp("list inbox", errors.New("sftp list inbox: EOF")))
	if out := buf.String(); !strings.Contains(out, "sftp list inbox: EOF") || strings.Contains(out, "name_hash") {
		t.Errorf("log line %q; want a directory operation logged as is", out)
	}
}
