package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/kith-crm/kith"
)

// handlerFunc is an API handler: it writes a success response or returns
// the error that route writes.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

type callerKey struct{}

// caller is the authenticated token of a request.
func caller(ctx context.Context) kith.Token {
	t, _ := ctx.Value(callerKey{}).(kith.Token)
	return t
}

// route wraps an API handler: request id, panic recovery, authentication,
// the scope check, the body limit and error writing.
func (s *Server) route(scope kith.Scope, h handlerFunc) http.Handler {
	return s.routeLimit(scope, maxBody, h)
}

// routeLimit is route with another body limit.
func (s *Server) routeLimit(scope kith.Scope, limit int64, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 128 {
			id = kith.NewID()
		}
		w.Header().Set("X-Request-Id", id)
		defer func() {
			if p := recover(); p != nil {
				s.writeError(w, r, fmt.Errorf("panic: %v\n%s", p, debug.Stack()))
			}
		}()
		token, err := s.tokens.authenticate(r.Context(), r.Header.Get("Authorization"))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if !token.Allows(scope) {
			s.writeError(w, r, kith.Errorf(kith.EForbidden, "This endpoint needs a token with scope %s.", scope))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		if err := h(w, r.WithContext(context.WithValue(r.Context(), callerKey{}, token))); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// writeContext is the write context of a request.
func (s *Server) writeContext(w http.ResponseWriter, r *http.Request) kith.WriteContext {
	t := caller(r.Context())
	return kith.WriteContext{
		WorkspaceID: t.WorkspaceID,
		TokenID:     t.ID,
		RequestID:   w.Header().Get("X-Request-Id"),
		Now:         s.now().UTC().Truncate(time.Microsecond), // the stores keep microseconds
	}
}

// decodeJSON decodes a JSON body into v. Malformed JSON is EBadRequest, a
// body over the limit ETooLarge, and a body that is not JSON EUnsupported.
func decodeJSON(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !(len(mt) > 5 && mt[len(mt)-5:] == "+json")) {
			return kith.Errorf(kith.EUnsupported, "The body must be JSON (Content-Type: application/json), not %q.", ct)
		}
	}
	d := json.NewDecoder(r.Body)
	d.UseNumber()
	d.DisallowUnknownFields() // for bodies decoded into structs
	err := d.Decode(v)
	if err == nil && d.More() {
		err = errors.New("unexpected data after the JSON value")
	}
	var tooLarge *http.MaxBytesError
	var typeErr *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &tooLarge):
		return kith.Errorf(kith.ETooLarge, "The body is larger than %d bytes.", tooLarge.Limit)
	case errors.As(err, &typeErr) && typeErr.Field == "":
		return kith.Errorf(kith.EBadRequest, "The body must be a JSON object.")
	case errors.As(err, &typeErr):
		p := kith.Problems{}
		p.Add(typeErr.Field, kith.FieldInvalidType, "must be %s", typeErr.Type)
		return p.Err()
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// encoding/json has no error type for this one.
		p := kith.Problems{}
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		p.Add(name, kith.FieldUnknownKey, "%s is not a field of this request", name)
		return p.Err()
	default:
		return &kith.Error{Code: kith.EBadRequest, Message: "The body is not valid JSON: " + err.Error() + ".", Err: err}
	}
}

// decodeObject decodes a JSON object body, keeping each value raw.
func decodeObject(r *http.Request) (map[string]json.RawMessage, error) {
	var body map[string]json.RawMessage
	if err := decodeJSON(r, &body); err != nil {
		return nil, err
	}
	if body == nil {
		return nil, kith.Errorf(kith.EBadRequest, "The body must be a JSON object.")
	}
	return body, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	var err error
	if o, ok := v.(ordered); ok {
		err = o.encode(&buf, enc) // skips encoding/json's re-validation of MarshalJSON output
		buf.WriteByte('\n')
	} else {
		err = enc.Encode(v)
	}
	if err != nil {
		panic(err) // responses are built from values that always encode
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// field is one member of an ordered JSON object.
type field struct {
	Key   string
	Value any
}

// ordered is a JSON object that keeps its members in order, so that
// responses read like the documented examples.
type ordered []field

func (o ordered) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := o.encode(&buf, enc)
	return buf.Bytes(), err
}

// encode writes o to buf, encoding leaves with enc, which writes to buf.
func (o ordered) encode(buf *bytes.Buffer, enc *json.Encoder) error {
	leaf := func(v any) error {
		if b, ok := kith.AppendJSON(buf.AvailableBuffer(), v); ok {
			buf.Write(b)
			return nil
		}
		if err := enc.Encode(v); err != nil {
			return err
		}
		buf.Truncate(buf.Len() - 1) // Encode ends with a newline
		return nil
	}
	buf.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := leaf(f.Key); err != nil {
			return err
		}
		buf.WriteByte(':')
		var err error
		switch v := f.Value.(type) {
		case ordered:
			err = v.encode(buf, enc)
		case []ordered:
			buf.WriteByte('[')
			for i, item := range v {
				if i > 0 {
					buf.WriteByte(',')
				}
				if err = item.encode(buf, enc); err != nil {
					break
				}
			}
			buf.WriteByte(']')
		default:
			err = leaf(v)
		}
		if err != nil {
			return err
		}
	}
	buf.WriteByte('}')
	return nil
}

// success is the envelope of a success response with one resource.
func success(status int, key string, v any) ordered {
	return ordered{{"success", true}, {"status", status}, {key, v}}
}
