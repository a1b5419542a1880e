package httpapi

import (
	"errors"
	"net/http"

	"github.com/kith-crm/kith"
)

// statusOf is the one table from error code to HTTP status.
var statusOf = map[kith.Code]int{
	kith.EBadRequest:   http.StatusBadRequest,
	kith.EUnauthorized: http.StatusUnauthorized,
	kith.EForbidden:    http.StatusForbidden,
	kith.ENotFound:     http.StatusNotFound,
	kith.EConflict:     http.StatusConflict,
	kith.ETooLarge:     http.StatusRequestEntityTooLarge,
	kith.EUnsupported:  http.StatusUnsupportedMediaType,
	kith.EInvalid:      http.StatusUnprocessableEntity,
	kith.EUnavailable:  http.StatusServiceUnavailable,
	kith.EInternal:     http.StatusInternalServerError,
}

// errorDetail is what an error says, in an error response and in a batch
// item's result.
type errorDetail struct {
	Code                 kith.Code                    `json:"code"`
	Message              string                       `json:"message"`
	Errors               map[string][]kith.FieldError `json:"errors,omitempty"`
	ConflictingRecordIDs []string                     `json:"conflictingRecordIds,omitempty"`
}

func detail(e *kith.Error) *errorDetail {
	return &errorDetail{Code: e.Code, Message: e.Message, Errors: e.Fields, ConflictingRecordIDs: e.ConflictingRecordIDs}
}

type errorBody struct {
	Success bool `json:"success"`
	Status  int  `json:"status"`
	*errorDetail
	// Results lists a failed atomic batch's failing items.
	Results []batchResult `json:"results,omitempty"`
}

// writeError writes every error response. Internal errors are logged and
// answered without their detail.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var e *kith.Error
	if !errors.As(err, &e) {
		e = &kith.Error{Code: kith.EInternal, Err: err}
	}
	status := statusOf[e.Code]
	body := errorBody{Status: status, errorDetail: detail(e)}
	for _, item := range e.Items {
		body.Results = append(body.Results, batchResult{Index: item.Index, Status: "error", Error: detail(item.Err)})
	}
	switch e.Code {
	case kith.EInternal:
		s.log.Error("internal error", "method", r.Method, "path", r.URL.Path, "request_id", w.Header().Get("X-Request-Id"), "err", err)
		body.Message = "Something went wrong on our side; the request id is in the X-Request-Id header."
	case kith.EUnavailable:
		s.log.Warn("database unavailable", "method", r.Method, "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", "1")
	}
	writeJSON(w, status, body)
}
