package kith

import (
	"encoding/json"
	"time"
)

// datetimeType holds instants, sent in RFC 3339 with any offset and stored
// in UTC with up to microseconds, so one instant has one stored form.
type datetimeType struct{}

func (datetimeType) prepare(_ *Normalizer, _ *Attribute, raw json.RawMessage) (any, *FieldError) {
	s, fe := decodeString(raw)
	if fe != nil {
		return nil, fe
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return nil, fieldErr(FieldInvalidFormat, "%q is not an RFC 3339 date-time such as 2025-06-01T12:00:00+00:00", s)
	}
	return t.UTC().Format("2006-01-02T15:04:05.999999-07:00"), nil
}

func (datetimeType) matchValue(_ *Normalizer, _ *Attribute, v any) string {
	s, _ := v.(string)
	return s
}

func (datetimeType) render(_ *Attribute, v any) any { return v }

// FormatTime is the wire form of createdAt and updatedAt, as the Zeeg
// examples show it: UTC to the second with offset +00:00. The stores keep
// microseconds.
func FormatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05-07:00")
}
