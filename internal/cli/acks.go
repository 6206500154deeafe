package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/envelope"
	"github.com/clearinghouse/clearinghouse/edi/validate"
	"github.com/clearinghouse/clearinghouse/internal/config"
	"github.com/clearinghouse/clearinghouse/pipeline"
)

// writeValidateAcks writes the TA1s and 999s res calls for into dir
// (validate.WriteAcks), with the engine's names (pipeline.AckNameBase):
// TA1-<base>-<ISA06>-<ISA13>.x12 and 999-<base>-<ISA06>-<ISA13>-<GS06>.x12,
// where base stands for the inbound file ID: the input file's base name
// without its extension, sanitised. Our envelopes carry the configured
// identity and usage. Two acks of one run that would share a name are an
// error, never a silent overwrite (written holds the run's paths).
func writeValidateAcks(ctx context.Context, res *envelope.Result, input, dir string, cfg config.Config,
	numbers validate.ControlNumbers, written map[string]bool) ([]validate.AckFile, error) {
	base := ackBase(input)
	out := ack.OutboundEnvelope{Usage: cfg.Usage, Suffix: "\n"}
	if cfg.Identity.ID != "" {
		out.SenderQualifier = cfg.Identity.Qualifier
		if out.SenderQualifier == "" {
			out.SenderQualifier = "ZZ"
		}
		out.SenderID = cfg.Identity.ID
		out.AppSender = cfg.Identity.ID
	}
	return validate.WriteAcks(ctx, res, dir, validate.AckOptions{
		ControlNumbers: numbers,
		Envelope:       out,
		Written:        written,
		Name: func(kind string, ic *envelope.Interchange, gi int) string {
			if gi < 0 {
				return "TA1-" + pipeline.AckNameBase(base, ic) + ".x12"
			}
			return fmt.Sprintf("999-%s-%s.x12", pipeline.AckNameBase(base, ic), pipeline.GroupNamePart(&ic.Groups[gi], gi))
		},
	})
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
