// Package answer turns 270 and 276 transaction sets into 271 and 277
// answers: it decodes them (edi/eligibility, edi/claimstatus), decides
// with the inquiry package (the roster, our claims) and writes the
// answers with the typed writers. The same Answerer serves the three
// ways inquiries arrive:
//
//   - files in a partner's inbox: Handler is the pipeline.SetHandler of
//     the 270 and 276 kinds; each accepted set's answer is queued with the
//     file's 999, named <271|277>-<NameBase>-<GS06>-<ST02>.x12;
//   - real time: Realtime is the realtime.Responder (one transaction per
//     request; the 999 or TA1 when it does not validate);
//   - the command line: Answer over a file, Acks for its rejections.
//
// A set's inquiries are decoded while the input streams and kept (in an
// unlinked temporary file past 1 MiB) until the set is accepted; they are
// then answered Config.Chunk at a time (one roster query per chunk), each
// chunk one answer interchange (one 271 or 277 set per inquiry), so
// memory does not grow with the number of inquiries.
//
// What is answered, and with which codes, is the inquiry package's
// (see its documentation). An AAA's explanation (the 2-digit suffix case)
// cannot go in a 271: X279A1 has no MSG at a rejected 2100C/2100D level,
// so it is in the JSON answer of the check command and the audit log.
package answer
