// Package realtime is the real-time endpoint of eligibility (270 → 271)
// and claim status (276 → 277) inquiries: POST /x12/realtime, with one
// X12 interchange in the body (Content-Type application/edi-x12) or the
// CAQH CORE connectivity envelope (HTTP MIME multipart/form-data with
// PayloadType, ProcessingMode, PayloadID, TimeStamp, SenderID,
// ReceiverID, CORERuleVersion and Payload), answered synchronously.
//
// Every request is authenticated (Authenticator: a bearer token, or HTTP
// basic with the partner ID as user name; CORE UserName/Password fields
// are accepted too) and may only ask as the partner authenticated: the
// interchange's ISA06 and the CORE SenderID must be the partner's
// (Config.SenderIDs), else 403. The Responder turns the X12 into the
// answer (a 271 or 277, or the 999/TA1 when the request does not
// validate); every request and its answer are written to the audit log
// (Auditor), never to the normal log.
//
// HTTP statuses: 200 for every X12 answer (a 999 or TA1 included, as
// CORE asks), 400 for a body that is not X12 or a CORE envelope with a
// bad field (the CORE ErrorCode says which), 401 without valid
// credentials, 403 when asking as another partner, 405 for another
// method, 413 for a body over Config.MaxBody, 415 for another content
// type, 503 when the Responder cannot answer (the database is down), 504
// when it does not answer within Config.AnswerTimeout.
//
//	srv, err := realtime.Listen(realtime.Config{Addr: "127.0.0.1:8443", Auth: auth, Responder: r, Audit: st})
//	...
//	srv.Shutdown(ctx)
package realtime
