package kith

import (
	"encoding/json"
	"time"
)

// dateType holds calendar dates as YYYY-MM-DD.
type dateType struct{}

func (dateType) prepare(_ *Normalizer, _ *Attribute, raw json.RawMessage) (any, *FieldError) {
	s, fe := decodeString(raw)
	if fe != nil {
		return nil, fe
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return nil, fieldErr(FieldInvalidFormat, "%q is not a date in the form YYYY-MM-DD", s)
	}
	return s, nil
}

func (dateType) matchValue(_ *Normalizer, _ *Attribute, v any) string { s, _ := v.(string); return s }

func (dateType) render(_ *Attribute, v any) any { return v }
