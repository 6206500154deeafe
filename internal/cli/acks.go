package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/envelope"
	"github.com/clearinghouse/clearinghouse/edi/validate"
	"github.com/clearinghouse/clearinghouse/internal/config"
	"github.com/clearinghouse/clearinghouse/pipeline"
)

// ackFile is one acknowledgment `validate --ack-dir` wrote (or skipped).
type ackFile struct {
	Kind    string // "TA1" or "999"
	Path    string // "" when skipped
	Skipped string // why no file was written
}

// writeValidateAcks writes the TA1s and 999s res calls for into dir, with
// the engine's names (pipeline queueAcks): TA1-<base>-<ISA06>-<ISA13>.x12
// and 999-<base>-<ISA06>-<ISA13>-<GS06>.x12, where base stands for the
// inbound file ID: the input file's base name without its extension,
// sanitised. Our envelopes carry the configured identity and usage. A TA1
// is written for every interchange marked SendTA1 whose sender is known; a
// 999 per group of every interchange that was not rejected. Two acks of one
// run that would share a name are an error, never a silent overwrite.
func writeValidateAcks(ctx context.Context, res *envelope.Result, input, dir string, cfg config.Config,
	numbers validate.ControlNumbers, written map[string]bool) ([]ackFile, error) {
	base := ackBase(input)
	out := ack.OutboundEnvelope{Usage: cfg.Usage, Suffix: "\n", Time: time.Now()}
	if cfg.Identity.ID != "" {
		out.SenderQualifier = cfg.Identity.Qualifier
		if out.SenderQualifier == "" {
			out.SenderQualifier = "ZZ"
		}
		out.SenderID = cfg.Identity.ID
		out.AppSender = cfg.Identity.ID
	}
	var files []ackFile
	write := func(kind, name string, fn func(f *os.File) error) error {
		path := filepath.Join(dir, name)
		if written[path] {
			return fmt.Errorf("%s %s: name already used by another acknowledgment of this run (same sender and control numbers)", kind, name)
		}
		written[path] = true
		if err := writeFileAtomic(path, fn); err != nil {
			return fmt.Errorf("%s %s: %w", kind, name, err)
		}
		files = append(files, ackFile{Kind: kind, Path: path})
		return nil
	}
	for ii := range res.Interchanges {
		ic := &res.Interchanges[ii]
		in := ic.Header()
		icName := pipeline.AckNameBase(base, ic)
		if ic.SendTA1 {
			if in.SenderID == "" {
				files = append(files, ackFile{Kind: "TA1", Skipped: "interchange sender unknown (damaged ISA)"})
			} else {
				ctl, err := numbers.Next(ctx, validate.KindInterchange)
				if err != nil {
					return files, err
				}
				o := out
				o.Control = ctl
				name := "TA1-" + icName + ".x12"
				if err := write("TA1", name, func(f *os.File) error { return ack.WriteTA1(f, in, ic.TA1, o) }); err != nil {
					return files, err
				}
			}
		}
		if !ic.Accepted() {
			continue
		}
		for gi := range ic.Groups {
			g := &ic.Groups[gi]
			ctl, err := numbers.Next(ctx, validate.KindInterchange)
			if err != nil {
				return files, err
			}
			gctl, err := numbers.Next(ctx, validate.KindGroup)
			if err != nil {
				return files, err
			}
			o := out
			o.Control, o.GroupControl = ctl, gctl
			name := fmt.Sprintf("999-%s-%s.x12", icName, pipeline.GroupNamePart(g, gi))
			if err := write("999", name, func(f *os.File) error { return ack.Write999(f, ic.AckResult(g), o) }); err != nil {
				return files, err
			}
		}
	}
	return files, nil
}

// ackBase is the input file's base name without extension, reduced to
// [A-Za-z0-9_-] (other bytes become '_'), "file" when nothing is left.
func ackBase(input string) string {
	b := filepath.Base(input)
	b = strings.TrimSuffix(b, filepath.Ext(b))
	var sb strings.Builder
	for _, c := range b {
		if c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '-' || c == '_' {
			sb.WriteRune(c)
		} else {
			sb.WriteByte('_')
		}
	}
	if s := strings.Trim(sb.String(), "_"); s != "" {
		return sb.String()
	}
	return "file"
}

// writeFileAtomic writes path through a synced temporary file in the same
// directory and a rename, so a reader never sees a partial file.
func writeFileAtomic(path string, write func(*os.File) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".ack-*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = write(tmp); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
