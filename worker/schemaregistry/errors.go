// Package schemaregistry is a Confluent Schema Registry client (with the
// caching Confluent's CachedSchemaRegistryClient does) and an embedded,
// Confluent-compatible Schema Registry server that keeps its schemas in a
// compacted Kafka topic written in Confluent's own record format.
package schemaregistry

import (
	"errors"
	"fmt"
)

// Confluent's error codes (io.confluent.kafka.schemaregistry.rest.exceptions.Errors).
const (
	CodeSubjectNotFound            = 40401
	CodeVersionNotFound            = 40402
	CodeSchemaNotFound             = 40403
	CodeSubjectSoftDeleted         = 40404
	CodeSubjectNotSoftDeleted      = 40405
	CodeVersionSoftDeleted         = 40406
	CodeVersionNotSoftDeleted      = 40407
	CodeSubjectCompatNotConfigured = 40408
	CodeIncompatibleSchema         = 409
	CodeInvalidSchema              = 42201
	CodeInvalidVersion             = 42202
	CodeInvalidCompatibility       = 42203
	CodeStoreError                 = 50001
	CodeOperationTimeout           = 50002
)

// Error is a registry error: the HTTP status and Confluent's
// {"error_code","message"} body.
type Error struct {
	Status  int    `json:"-"`
	Code    int    `json:"error_code"`
	Message string `json:"message"`
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s; error code: %d", e.Message, e.Code)
}

// Is matches errors by error code, so errors.Is(err, ErrSubjectNotFound) works
// for any 40401.
func (e *Error) Is(target error) bool {
	var t *Error
	return errors.As(target, &t) && t.Code == e.Code && t.Message == ""
}

// Sentinels for errors.Is.
var (
	ErrSubjectNotFound      = &Error{Code: CodeSubjectNotFound}
	ErrVersionNotFound      = &Error{Code: CodeVersionNotFound}
	ErrSchemaNotFound       = &Error{Code: CodeSchemaNotFound}
	ErrSubjectSoftDeleted   = &Error{Code: CodeSubjectSoftDeleted}
	ErrIncompatibleSchema   = &Error{Code: CodeIncompatibleSchema}
	ErrInvalidSchema        = &Error{Code: CodeInvalidSchema}
	ErrInvalidVersion       = &Error{Code: CodeInvalidVersion}
	ErrInvalidCompatibility = &Error{Code: CodeInvalidCompatibility}
)

func subjectNotFound(s string) *Error {
	return &Error{404, CodeSubjectNotFound, fmt.Sprintf("Subject '%s' not found.", s)}
}

func versionNotFound(v int) *Error {
	return &Error{404, CodeVersionNotFound, fmt.Sprintf("Version %d not found.", v)}
}

func schemaNotFound(id int) *Error {
	return &Error{404, CodeSchemaNotFound, fmt.Sprintf("Schema %d not found", id)}
}

func schemaNotFoundPlain() *Error { return &Error{404, CodeSchemaNotFound, "Schema not found"} }

func subjectSoftDeleted(s string) *Error {
	return &Error{404, CodeSubjectSoftDeleted,
		fmt.Sprintf("Subject '%s' was soft deleted.Set permanent=true to delete permanently", s)}
}

func subjectNotSoftDeleted(s string) *Error {
	return &Error{404, CodeSubjectNotSoftDeleted,
		fmt.Sprintf("Subject '%s' was not deleted first before being permanently deleted", s)}
}

func versionSoftDeleted(s string, v int) *Error {
	return &Error{404, CodeVersionSoftDeleted,
		fmt.Sprintf("Subject '%s' Version %d was soft deleted.Set permanent=true to delete permanently", s, v)}
}

func versionNotSoftDeleted(s string, v int) *Error {
	return &Error{404, CodeVersionNotSoftDeleted,
		fmt.Sprintf("Subject '%s' Version %d was not deleted first before being permanently deleted", s, v)}
}

func compatNotConfigured(s string) *Error {
	return &Error{404, CodeSubjectCompatNotConfigured,
		fmt.Sprintf("Subject '%s' does not have subject-level compatibility configured", s)}
}

func invalidVersion(v string) *Error {
	return &Error{422, CodeInvalidVersion, fmt.Sprintf(
		"The specified version '%s' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"", v)}
}

func invalidSchema(msg string) *Error { return &Error{422, CodeInvalidSchema, msg} }

func invalidCompatibility() *Error {
	return &Error{422, CodeInvalidCompatibility, "Invalid compatibility level. Valid values are none, backward, " +
		"forward, full, backward_transitive, forward_transitive, and full_transitive"}
}

func storeError(err error) *Error {
	return &Error{500, CodeStoreError, "Error while registering schema: " + err.Error()}
}
