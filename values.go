package kith

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// valueType validates, normalizes, matches and renders the values of one
// attribute type. Each type is one file registered in valueTypes.
type valueType interface {
	// prepare checks one JSON value (never null) and returns its stored
	// form: string, json.Number, bool or []any of those.
	prepare(n *Normalizer, a *Attribute, raw json.RawMessage) (any, *FieldError)
	// matchValue returns the normalized form of one stored value that
	// matching and uniqueness compare.
	matchValue(n *Normalizer, a *Attribute, v any) string
	// render returns the JSON form of a stored value in responses.
	render(a *Attribute, v any) any
}

var valueTypes = map[AttributeType]valueType{
	TypeText:        textType{},
	TypeNumber:      numberType{},
	TypeCurrency:    numberType{},
	TypePhoneNumber: phoneType{},
	TypeDate:        dateType{},
	TypeDatetime:    datetimeType{},
	TypeCheckbox:    checkboxType{},
	TypeRating:      ratingType{},
	TypeSelect:      selectType{},
	TypeStatus:      selectType{},
	TypeMultiselect: multiselectType{},
	TypeUser:        userType{},
	TypeRelation:    relationType{},
}

// Normalizer holds the locale-dependent normalizations the values need.
type Normalizer struct {
	// PhoneE164 returns the E.164 form of a phone number, or false when it
	// does not parse. Nil matches phone numbers as sent.
	PhoneE164 func(string) (string, bool)
}

// prepareValue checks a non-null raw value for attribute a, reporting
// problems at path. Multi-value attributes take an array of their type.
func (n *Normalizer) prepareValue(a *Attribute, path string, raw json.RawMessage, p Problems) (any, bool) {
	vt := valueTypes[a.Type]
	if !a.IsMultiValue {
		v, fe := vt.prepare(n, a, raw)
		if fe != nil {
			p[path] = append(p[path], *fe)
			return nil, false
		}
		return v, true
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		p.Add(path, FieldInvalidType, "must be an array")
		return nil, false
	}
	out := make([]any, 0, len(items))
	seen := make(map[string]bool, len(items))
	ok := true
	for i, item := range items {
		itemPath := fmt.Sprintf("%s[%d]", path, i)
		if isNull(item) {
			p.Add(itemPath, FieldInvalidType, "must not be null")
			ok = false
			continue
		}
		v, fe := vt.prepare(n, a, item)
		if fe != nil {
			p[itemPath] = append(p[itemPath], *fe)
			ok = false
			continue
		}
		// The same value twice (jane@acme.com, JANE@acme.com) is one value.
		if k := vt.matchValue(n, a, v); !seen[k] {
			seen[k] = true
			out = append(out, v)
		}
	}
	return out, ok
}

// matchValues returns the normalized match values of a stored value: one
// per item of a multi-value attribute.
func (n *Normalizer) matchValues(a *Attribute, v any) []string {
	vt := valueTypes[a.Type]
	if items, ok := v.([]any); ok && a.IsMultiValue {
		out := make([]string, len(items))
		for i, item := range items {
			out[i] = vt.matchValue(n, a, item)
		}
		return out
	}
	return []string{vt.matchValue(n, a, v)}
}

// render returns the JSON form of a stored value; nil stays nil.
func render(a *Attribute, v any) any {
	if v == nil {
		return nil
	}
	if items, ok := v.([]any); ok && a.IsMultiValue {
		vt := valueTypes[a.Type]
		out := make([]any, len(items))
		for i, item := range items {
			out[i] = vt.render(a, item)
		}
		return out
	}
	return valueTypes[a.Type].render(a, v)
}

// Render returns the JSON form of attribute a's value in r (nil when
// unset). The system attributes of custom objects render the record's id
// and timestamps.
func (r *Record) Render(a *Attribute) any {
	if isSystemAttribute(a) {
		switch a.Key {
		case "id":
			return r.ID
		case "created_at":
			return FormatTime(r.CreatedAt)
		default:
			return FormatTime(r.UpdatedAt)
		}
	}
	return render(a, r.Values[a.Key])
}

func isNull(raw json.RawMessage) bool {
	return bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}

// decodeString decodes raw as a JSON string. A NUL character is refused:
// PostgreSQL can store it in neither text nor JSON.
func decodeString(raw json.RawMessage) (string, *FieldError) {
	if s, ok := plainString(raw); ok {
		return s, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", &FieldError{Code: FieldInvalidType, Message: "must be a string"}
	}
	if strings.IndexByte(s, 0) >= 0 {
		return "", &FieldError{Code: FieldInvalidFormat, Message: "must not contain the NUL character (\\u0000)"}
	}
	return s, nil
}

// plainString decodes the common JSON string that needs no unescaping
// (no backslash, no control character, valid UTF-8) without reflection;
// anything else is left to encoding/json.
func plainString(raw json.RawMessage) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	body := raw[1 : len(raw)-1]
	for _, c := range body {
		if c < 0x20 || c == '\\' || c == '"' {
			return "", false
		}
	}
	if !utf8.Valid(body) {
		return "", false
	}
	return string(body), true
}

// decodeNumber decodes raw as a JSON number, keeping its digits.
func decodeNumber(raw json.RawMessage) (json.Number, *FieldError) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) {
		return "", &FieldError{Code: FieldInvalidType, Message: "must be a number"}
	}
	var num json.Number
	if err := json.Unmarshal(raw, &num); err != nil {
		return "", &FieldError{Code: FieldInvalidType, Message: "must be a number"}
	}
	return num, nil
}

// canonicalJSON is the comparison form of values without their own
// normalization: encoding/json sorts map keys, so equal values encode equal.
func canonicalJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func fieldErr(code, format string, args ...any) *FieldError {
	return &FieldError{Code: code, Message: fmt.Sprintf(format, args...)}
}

func lower(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
