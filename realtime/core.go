package realtime

import (
	"bytes"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"time"
)

// CORE connectivity envelope error codes (ErrorCode of the answer).
const (
	CORESuccess                    = "Success"
	COREPayloadTypeRequired        = "PayloadTypeRequired"
	COREPayloadTypeNotSupported    = "PayloadTypeNotSupported"
	COREProcessingModeRequired     = "ProcessingModeRequired"
	COREProcessingModeNotSupported = "ProcessingModeNotSupported"
	COREPayloadIDRequired          = "PayloadIDRequired"
	COREPayloadRequired            = "PayloadRequired"
	CORETimeStampRequired          = "TimeStampRequired"
	CORETimeStampIncorrect         = "TimeStampIncorrect"
	CORESenderIDRequired           = "SenderIDRequired"
	COREReceiverIDRequired         = "ReceiverIDRequired"
	CORERuleVersionRequired        = "CORERuleVersionRequired"
	CORERuleVersionNotSupported    = "CORERuleVersionNotSupported"
	COREUnAuthorized               = "UnAuthorized"
	COREServerError                = "ReceiverServerError"
)

// CORERuleVersions are the CORERuleVersion values accepted (and echoed).
var CORERuleVersions = []string{"2.2.0", "4.0.0"}

// coreFields are the envelope fields read from a request; others are
// ignored.
var coreFields = []string{"PayloadType", "ProcessingMode", "PayloadID", "TimeStamp", "UserName", "Password",
	"SenderID", "ReceiverID", "CORERuleVersion", "Payload"}

// coreEnvelope is a CORE request's fields.
type coreEnvelope map[string]string

// readCORE reads the multipart/form-data envelope.
func readCORE(r *http.Request, boundary string) (coreEnvelope, error) {
	if boundary == "" {
		return nil, errors.New("multipart body without a boundary")
	}
	mr := multipart.NewReader(r.Body, boundary)
	env := coreEnvelope{}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return env, nil
		}
		if err != nil {
			return nil, err
		}
		name := part.FormName()
		data, err := io.ReadAll(part)
		if err != nil {
			return nil, err
		}
		if slices.Contains(coreFields, name) {
			if name == "Payload" {
				env[name] = string(data)
			} else {
				env[name] = strings.TrimSpace(string(data))
			}
		}
	}
}

// serveCORE serves a CORE multipart request.
func (h *Handler) serveCORE(w http.ResponseWriter, r *http.Request, boundary string, ex *exchange) {
	env, err := readCORE(r, boundary)
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			h.fail(w, ex, http.StatusRequestEntityTooLarge, "body over the limit")
			return
		}
		h.fail(w, ex, http.StatusBadRequest, "cannot read the multipart envelope")
		return
	}
	ex.payloadID = env["PayloadID"]
	answer := func(status int, code, msg string, payloadType string, payload []byte) {
		ex.status, ex.coreError = status, code
		if status != http.StatusOK && ex.why == "" {
			ex.why = code
		}
		if payload != nil {
			ex.respSum = digest(payload)
		}
		h.writeCORE(w, status, env, code, msg, payloadType, payload)
	}
	partner, err := h.cfg.Auth.Authenticate(r.Context(), r, env["UserName"], env["Password"])
	if err != nil {
		ex.why = "auth"
		if errors.Is(err, ErrAuthUnavailable) {
			answer(http.StatusServiceUnavailable, COREServerError, "cannot authenticate now; try again", "", nil)
			return
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="clearinghouse", Basic realm="clearinghouse"`)
		answer(http.StatusUnauthorized, COREUnAuthorized, "authentication required", "", nil)
		return
	}
	ex.partner = partner
	for _, f := range []struct{ field, code string }{
		{"PayloadType", COREPayloadTypeRequired}, {"ProcessingMode", COREProcessingModeRequired},
		{"PayloadID", COREPayloadIDRequired}, {"TimeStamp", CORETimeStampRequired},
		{"SenderID", CORESenderIDRequired}, {"ReceiverID", COREReceiverIDRequired},
		{"CORERuleVersion", CORERuleVersionRequired}, {"Payload", COREPayloadRequired},
	} {
		if env[f.field] == "" {
			answer(http.StatusBadRequest, f.code, f.field+" is required", "", nil)
			return
		}
	}
	switch {
	case env["PayloadType"] != PayloadType270 && env["PayloadType"] != PayloadType276:
		answer(http.StatusBadRequest, COREPayloadTypeNotSupported, "PayloadType must be "+PayloadType270+" or "+PayloadType276, "", nil)
		return
	case env["ProcessingMode"] != "RealTime":
		answer(http.StatusBadRequest, COREProcessingModeNotSupported, "ProcessingMode must be RealTime", "", nil)
		return
	case !slices.Contains(CORERuleVersions, env["CORERuleVersion"]):
		answer(http.StatusBadRequest, CORERuleVersionNotSupported, "CORERuleVersion must be one of "+strings.Join(CORERuleVersions, ", "), "", nil)
		return
	}
	if _, err := time.Parse(time.RFC3339, env["TimeStamp"]); err != nil {
		answer(http.StatusBadRequest, CORETimeStampIncorrect, "TimeStamp must be an XML dateTime such as 2026-12-07T10:20:34Z", "", nil)
		return
	}
	payload := []byte(env["Payload"])
	ex.reqSum = digest(payload)
	if !h.allowed(partner, env["SenderID"]) || !h.asItself(partner, payload, ex) {
		if ex.why == "" {
			ex.why = "sender_id"
		}
		answer(http.StatusForbidden, COREUnAuthorized, "SenderID and ISA06 must be the authenticated partner's", "", nil)
		return
	}
	ans, status, msg := h.respond(r.Context(), Request{Partner: partner, Payload: payload, PayloadType: env["PayloadType"]}, ex)
	switch status {
	case http.StatusOK:
		answer(http.StatusOK, CORESuccess, "", ans.PayloadType, ans.Payload)
	case http.StatusBadRequest:
		answer(status, COREPayloadTypeNotSupported, msg, "", nil)
	default:
		answer(status, COREServerError, msg, "", nil)
	}
}

// writeCORE writes the CORE answer envelope.
func (h *Handler) writeCORE(w http.ResponseWriter, status int, req coreEnvelope, code, msg, payloadType string, payload []byte) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	version := req["CORERuleVersion"]
	if !slices.Contains(CORERuleVersions, version) {
		version = CORERuleVersions[0]
	}
	mode := req["ProcessingMode"]
	if mode == "" {
		mode = "RealTime"
	}
	fields := [][2]string{
		{"PayloadType", payloadType}, {"ProcessingMode", mode}, {"PayloadID", req["PayloadID"]},
		{"TimeStamp", h.cfg.Now().UTC().Format(time.RFC3339)}, {"SenderID", h.cfg.ReceiverID},
		{"ReceiverID", req["SenderID"]}, {"CORERuleVersion", version},
	}
	if payload != nil {
		fields = append(fields, [2]string{"Payload", string(payload)})
	}
	fields = append(fields, [2]string{"ErrorCode", code}, [2]string{"ErrorMessage", msg})
	for _, f := range fields {
		if f[1] == "" && f[0] != "ErrorMessage" && f[0] != "PayloadType" {
			continue
		}
		_ = mw.WriteField(f[0], f[1])
	}
	_ = mw.Close()
	w.Header().Set("Content-Type", mw.FormDataContentType())
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
