package worker

import (
	"errors"
	"fmt"
)

// Kind classifies a herder error; rest maps it to an HTTP status.
type Kind int

const (
	KindInternal Kind = iota
	KindBadRequest
	KindNotFound
	KindConflict // already exists, rebalance, stale config
	KindForbidden
)

// Error is a herder error whose message is the text Apache Kafka Connect
// returns for the same situation, so scripts that grep it keep working.
type Error struct {
	Kind Kind
	Msg  string
	Err  error // cause, if any
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.Err }

func errorf(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Msg: fmt.Sprintf(format, args...)}
}

// KindOf returns the kind of err (KindInternal when it is not an *Error).
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

func errConnectorNotFound(name string) *Error {
	return errorf(KindNotFound, "Connector %s not found", name)
}

func errUnknownConnector(name string) *Error {
	return errorf(KindNotFound, "Unknown connector %s", name)
}
