package pipelinetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/synth"
)

// Synth837 returns a synthetic 837P interchange with claims claims, two
// claims per set and one set per group (so ceil(claims/2) groups, each
// answered by one 999), every claim valid. Distinct seeds give distinct
// content; control is ISA13 and must differ between files of one test,
// since a repeated ISA13 is a duplicate interchange.
func Synth837(t testing.TB, seed int64, control, claims int) []byte {
	t.Helper()
	var b bytes.Buffer
	_, err := synth.Write(context.Background(), &b, synth.Config{
		Kind: synth.Professional, Claims: claims, Seed: seed, ControlNumber: control,
		ClaimsPerST: 2, STPerGS: 1, LinesMin: 1, LinesMax: 2, Pretty: true,
	})
	if err != nil {
		t.Fatalf("synth: %v", err)
	}
	return b.Bytes()
}

// Groups returns how many GS groups Synth837 writes for claims claims.
func Groups(claims int) int { return (claims + 1) / 2 }

// SHA256 returns the lowercase hex digest of data.
func SHA256(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// Drop writes data to dir/name atomically, as a well-behaved partner
// does: a hidden temp file renamed into place, so a poller never sees it
// half-written.
func Drop(t testing.TB, dir, name string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(dir, ".drop-"+name)
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		t.Fatal(err)
	}
}

// Names returns the names of the entries of dir, sorted; hidden names are
// left out unless hidden is true. A missing dir has none.
func Names(t testing.TB, dir string, hidden bool) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if !hidden && strings.HasPrefix(e.Name(), ".") {
			continue
		}
		names = append(names, e.Name())
	}
	slices.Sort(names)
	return names
}
