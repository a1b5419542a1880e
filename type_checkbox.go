package kith

import "encoding/json"

// checkboxType holds booleans.
type checkboxType struct{}

func (checkboxType) prepare(_ *Normalizer, _ *Attribute, raw json.RawMessage) (any, *FieldError) {
	var b bool
	if err := json.Unmarshal(raw, &b); err != nil {
		return nil, fieldErr(FieldInvalidType, "must be true or false")
	}
	return b, nil
}

func (checkboxType) matchValue(_ *Normalizer, _ *Attribute, v any) string { return canonicalJSON(v) }

func (checkboxType) render(_ *Attribute, v any) any { return v }
