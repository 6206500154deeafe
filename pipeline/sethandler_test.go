package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/envelope"
	"github.com/clearinghouse/clearinghouse/edi/schema"
	"github.com/clearinghouse/clearinghouse/edi/validate"
	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/spool"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline"
)

// echoHandler takes 277CA sets (a kind with a schema the engine does not
// otherwise take) and answers each accepted one with a file queued to
// partner "other", naming the segments its body held.
type echoHandler struct {
	endErr  error
	events  int
	settled []string // "<ST02>:accepted" or "<ST02>:<reasons>"
}

func (h *echoHandler) Kinds() []envelope.SetKey {
	return []envelope.SetKey{{FunctionalID: "HN", ID: "277", Version: "005010X214"}}
}

func (h *echoHandler) Begin(sc *pipeline.SetContext, info validate.SetInfo) (schema.Handler, pipeline.SetWork) {
	w := &echoWork{h: h, control: info.Control}
	return w, w
}

type echoWork struct {
	h       *echoHandler
	control string
	segs    []string
	answer  spool.File
}

func (w *echoWork) HandleEvent(e schema.Event) error {
	w.h.events++
	w.segs = append(w.segs, string(e.Seg.ID()))
	return nil
}

func (w *echoWork) Flush() error { return nil }

func (w *echoWork) End(sc *pipeline.SetContext, sr validate.SetResult) error {
	if w.h.endErr != nil {
		return w.h.endErr
	}
	if sr.Control != w.control {
		return fmt.Errorf("End for set %s, begun as %s", sr.Control, w.control)
	}
	f, err := sc.Spool([]byte(strings.Join(w.segs, ",")))
	if err != nil {
		return err
	}
	w.answer = f
	return nil
}

func (w *echoWork) Settle(sc *pipeline.SetContext, s *pipeline.SetOutcome) error {
	if !s.Accepted {
		w.h.settled = append(w.h.settled, s.Set.Control+":"+s.Reasons)
		sc.Reject(s.Reasons, 1)
		return nil
	}
	w.h.settled = append(w.h.settled, s.Set.Control+":accepted")
	sc.Count("echoed", 1)
	name := fmt.Sprintf("ECHO-%s-%s-%s.txt", sc.NameBase(s.Interchange), s.Group.Control, s.Set.Control)
	return sc.EnqueueSpooled("other", store.Kind277, name, w.answer)
}

func read277CA(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "edi", "status277", "testdata", "two_sets.277.golden"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSetHandler runs sets of a kind the Processor does not take itself
// through a SetHandler: accepted sets are settled as accepted and what
// they queue goes out with the file's acknowledgments; a set its 999
// rejects is settled with the rejection codes and queues nothing; a
// failing handler fails the whole file (nothing of it is committed);
// without the handler the kind is not supported (IK502 1).
func TestSetHandler(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			ctx := context.Background()
			st := dbtest.Open(t, store.Config{URL: be.URL(t)})
			sp, err := spool.New(filepath.Join(t.TempDir(), "spool"))
			if err != nil {
				t.Fatal(err)
			}
			good := read277CA(t)
			// The second set's SE counts one segment too many: IK5 R.
			second := strings.Index(good, "ST*277*0002")
			se := strings.Index(good[second:], "SE*") + second
			end := strings.Index(good[se:], "~") + se
			parts := strings.Split(good[se:end], "*")
			var n int
			fmt.Sscan(parts[1], &n)
			bad := good[:se] + fmt.Sprintf("SE*%d*%s", n+1, parts[2]) + good[end:]

			h := &echoHandler{}
			proc := pipeline.NewProcessor(st, sp, pipeline.ProcessorConfig{Identity: pipeline.Identity{ID: "CLEARINGHOUSE"},
				SetHandlers: []pipeline.SetHandler{h}})
			res, err := proc.Process(ctx, record(t, st, sp, "good.277", good))
			if err != nil {
				t.Fatal(err)
			}
			if res.State != store.InboundProcessed || res.Counts.TxAccepted != 2 || res.Outcomes["echoed"] != 2 {
				t.Fatalf("good file: state %s, counts %+v, outcomes %v", res.State, res.Counts, res.Outcomes)
			}
			if h.events == 0 || strings.Join(h.settled, " ") != "0001:accepted 0002:accepted" {
				t.Fatalf("events %d, settled %v", h.events, h.settled)
			}
			kinds := map[string]int{}
			for _, o := range res.Outputs {
				kinds[o.Kind+"/"+o.Partner]++
			}
			if kinds["277/other"] != 2 || kinds["999/acme"] != 1 {
				t.Fatalf("outputs %+v", res.Outputs)
			}

			h.settled = nil
			res, err = proc.Process(ctx, record(t, st, sp, "bad.277", bad))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(h.settled, " ") != "0001:accepted 0002:IK5:R:4" || res.Rejections["IK5:R:4"] != 1 || res.Outcomes["echoed"] != 1 {
				t.Fatalf("settled %v, rejections %v, outcomes %v", h.settled, res.Rejections, res.Outcomes)
			}

			h.endErr = errors.New("disk full")
			before := countRows(t, st, "outbound_files")
			if _, err := proc.Process(ctx, record(t, st, sp, "fails.277", strings.ReplaceAll(good, "000001201", "000001202"))); err == nil || !strings.Contains(err.Error(), "disk full") {
				t.Fatalf("failing handler: err %v", err)
			}
			if after := countRows(t, st, "outbound_files"); after != before {
				t.Fatalf("a failed file queued %d outbound files", after-before)
			}

			plain := pipeline.NewProcessor(st, sp, pipeline.ProcessorConfig{Identity: pipeline.Identity{ID: "CLEARINGHOUSE"}})
			res, err = plain.Process(ctx, record(t, st, sp, "plain.277", strings.ReplaceAll(good, "000001201", "000001203")))
			if err != nil {
				t.Fatal(err)
			}
			if res.State != store.InboundRejected || res.Counts.TxAccepted != 0 {
				t.Fatalf("no handler: state %s, counts %+v", res.State, res.Counts)
			}
		})
	}
}
