package remit

import (
	"errors"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/internal/outbound"
)

// resolveEnvelope resolves out for an interchange of n sets with the
// shared outbound envelope of the new writers (as for the 277CA: there is
// no received ISA to answer, so Control, GroupControl, Time, SenderID and
// ReceiverID are required; qualifiers default to ZZ, GS02/GS03 to the ISA
// IDs, Usage to P, the first ST02 to 1). A field problem is a *FieldError
// naming the OutboundEnvelope field.
func resolveEnvelope(out ack.OutboundEnvelope, n int) (*outbound.Envelope, error) {
	var errs []error
	env, err := outbound.Resolve(out, n, func(field string, err error) {
		errs = append(errs, &FieldError{Field: field, Err: err})
	})
	if err != nil {
		return nil, err
	}
	if env == nil {
		return nil, errors.Join(errs...)
	}
	return env, nil
}
