package worker

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// maxTrace bounds a status trace: status records travel through Kafka.
const maxTrace = 32 << 10

// Trace renders err the way Connect status traces read: first line
// "<kind>: <message>", then each wrapped cause as "Caused by: <kind>: <msg>".
// The kind is the Go type of the error, so tools matching on the first line
// get something stable and meaningful.
func Trace(err error) string {
	if err == nil {
		return ""
	}
	var b strings.Builder
	first := true
	for e := err; e != nil; e = errors.Unwrap(e) {
		msg := e.Error()
		if !first {
			// A wrapped error's message usually repeats as the suffix of its
			// wrapper's; print the chain anyway, it is what users search.
			b.WriteString("\nCaused by: ")
		}
		fmt.Fprintf(&b, "%s: %s", errKind(e), msg)
		first = false
		if b.Len() > maxTrace {
			break
		}
	}
	s := b.String()
	if len(s) > maxTrace {
		s = s[:maxTrace]
	}
	return s
}

func errKind(err error) string {
	var we *Error
	if errors.As(err, &we) && err == error(we) {
		return "org.apache.kafka.connect.errors.ConnectException"
	}
	t := reflect.TypeOf(err)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.PkgPath() == "" {
		return t.String()
	}
	return t.PkgPath() + "." + t.Name()
}
