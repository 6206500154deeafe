package answer_test

import (
	"context"
	"errors"
	"testing"

	"github.com/clearinghouse/clearinghouse/inquiry/answer"
	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/realtime"
)

// FuzzRealtime: whatever the body, the real-time responder answers
// (a 271, 277, 999 or TA1) or refuses with ErrNotX12 / ErrUnsupported;
// it never panics and never fails otherwise.
func FuzzRealtime(f *testing.F) {
	for _, tc := range goldenCases {
		f.Add([]byte(tc.input))
	}
	f.Add([]byte("ISA*00*"))
	f.Add([]byte("hello"))
	b := setup(f, dbtest.SQLiteURL(f))
	rt := &answer.Realtime{Answerer: b.a, Lookup: b.st, Controls: &answer.ControlBlocks{Store: b.st}}
	f.Fuzz(func(t *testing.T, body []byte) {
		ans, err := rt.Respond(context.Background(), realtime.Request{Partner: "acme", Payload: body})
		switch {
		case err == nil:
			if len(ans.Payload) == 0 || ans.PayloadType == "" {
				t.Fatalf("empty answer %+v", ans)
			}
		case errors.Is(err, realtime.ErrNotX12), errors.Is(err, realtime.ErrUnsupported):
		default:
			t.Fatalf("unexpected error: %v", err)
		}
	})
}
