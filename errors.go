package kith

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Code classifies an error. httpapi maps each code to one HTTP status; nothing
// else decides a status.
type Code string

// The error vocabulary of Kith.
const (
	EBadRequest   Code = "bad_request"            // malformed JSON or query
	EUnauthorized Code = "unauthorized"           // missing or unknown token
	EForbidden    Code = "forbidden"              // token lacks a scope, or the operation is not allowed
	ENotFound     Code = "not_found"              // unknown id or slug, or another workspace's
	EConflict     Code = "conflict"               // uniqueness clash or ambiguous match
	ETooLarge     Code = "payload_too_large"      // body over the limit
	EUnsupported  Code = "unsupported_media_type" // body is not JSON
	EInvalid      Code = "validation_failed"      // body failed validation; see Fields
	EUnavailable  Code = "unavailable"            // the database cannot be reached
	EInternal     Code = "internal"               // a bug
)

// Field error codes: the fixed list a client can switch on.
const (
	FieldRequired      = "required"
	FieldInvalidType   = "invalid_type"
	FieldInvalidFormat = "invalid_format"
	FieldTooLong       = "too_long"
	FieldOutOfRange    = "out_of_range"
	FieldInvalidOption = "invalid_option"
	FieldUnknownKey    = "unknown_key"
	FieldNotFound      = "not_found"
	FieldNotUnique     = "not_unique"
	FieldReadOnly      = "read_only"
)

// FieldError is one problem with one value of a request body.
type FieldError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Error is Kith's error type. Every error a client can cause is an *Error;
// anything else is EInternal.
type Error struct {
	Code    Code
	Message string
	// Fields maps a body path (emails[1], socials.linkedin,
	// customAttributes.external_id) to its problems.
	Fields map[string][]FieldError
	// ConflictingRecordIDs names the records an EConflict clashed with.
	ConflictingRecordIDs []string
	// Items holds the errors of a batch's failing items.
	Items []ItemError
	// Err is the underlying cause, kept for logs, never shown to clients.
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Code))
	b.WriteString(": ")
	b.WriteString(e.Message)
	paths := make([]string, 0, len(e.Fields))
	for p := range e.Fields {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		for _, fe := range e.Fields[p] {
			fmt.Fprintf(&b, "; %s: %s", p, fe.Message)
		}
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// ItemError is the error of one item of a batch, by its index.
type ItemError struct {
	Index int
	Err   *Error
}

// asError returns err as an *Error, wrapping errors of other types as
// EInternal.
func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: EInternal, Message: "internal error", Err: err}
}

// Errorf returns an *Error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, EInternal for errors that are not *Error.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// errRetry marks a write that lost a race (a unique key inserted by a
// concurrent transaction, a serialization failure, a deadlock). The service
// runs the whole transaction again; by then the winner's row is visible.
var errRetry = errors.New("kith: concurrent write, retry")

// ErrRetry wraps cause so that the service retries the transaction. Stores
// return it from their error translation.
func ErrRetry(cause error) error { return fmt.Errorf("%w: %w", errRetry, cause) }

// Problems collects field errors of one request body.
type Problems map[string][]FieldError

// Add records a problem at path.
func (p Problems) Add(path, code, format string, args ...any) {
	p[path] = append(p[path], FieldError{Code: code, Message: fmt.Sprintf(format, args...)})
}

// Err returns nil when there are no problems, else an EInvalid error.
func (p Problems) Err() error {
	if len(p) == 0 {
		return nil
	}
	return &Error{Code: EInvalid, Message: "The request body failed validation.", Fields: p}
}
