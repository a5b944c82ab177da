package rest

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/wharf-project/wharf/worker"
)

// errorBody is Connect's ErrorMessage: exactly error_code and message.
type errorBody struct {
	ErrorCode int     `json:"error_code"`
	Message   *string `json:"message"`
}

// httpError is an error raised by the REST layer itself.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func badRequest(msg string) error { return &httpError{http.StatusBadRequest, msg} }

// statusOf is the one mapping from errors to HTTP statuses.
func statusOf(err error) int {
	var he *httpError
	if errors.As(err, &he) {
		return he.status
	}
	switch worker.KindOf(err) {
	case worker.KindBadRequest:
		return http.StatusBadRequest
	case worker.KindNotFound:
		return http.StatusNotFound
	case worker.KindConflict:
		return http.StatusConflict
	case worker.KindForbidden:
		return http.StatusForbidden
	}
	return http.StatusInternalServerError
}

func writeError(w http.ResponseWriter, err error) {
	code := statusOf(err)
	msg := err.Error()
	writeJSON(w, code, errorBody{ErrorCode: code, Message: &msg})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// plainError answers with an HTTP reason as Jersey does ("HTTP 404 Not Found").
func plainError(code int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, &httpError{code, "HTTP " + itoa(code) + " " + http.StatusText(code)})
	})
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
