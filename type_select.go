package kith

import (
	"bytes"
	"encoding/json"
	"strings"
)

// selectType holds one option of a select or status attribute. A value is
// sent as {"id": …} (extra keys such as value and color, as responses carry
// them, are ignored), as the option's id, or as its label; it is stored as
// the option id and rendered as the whole option.
type selectType struct{}

func (selectType) prepare(_ *Normalizer, a *Attribute, raw json.RawMessage) (any, *FieldError) {
	o, fe := findOption(a, raw)
	if fe != nil {
		return nil, fe
	}
	return o.ID, nil
}

func (selectType) matchValue(_ *Normalizer, _ *Attribute, v any) string { s, _ := v.(string); return s }

func (selectType) render(a *Attribute, v any) any { return renderOption(a, v) }

// findOption resolves one option reference of a select-like attribute.
func findOption(a *Attribute, raw json.RawMessage) (*Option, *FieldError) {
	raw = bytes.TrimSpace(raw)
	var ref string
	switch {
	case len(raw) > 0 && raw[0] == '{':
		var obj struct {
			ID json.RawMessage `json:"id"`
		}
		if err := json.Unmarshal(raw, &obj); err != nil || obj.ID == nil {
			return nil, fieldErr(FieldInvalidType, `must be {"id": …}, an option id or an option label`)
		}
		raw = bytes.TrimSpace(obj.ID)
		fallthrough
	default:
		if len(raw) > 0 && raw[0] == '"' {
			if err := json.Unmarshal(raw, &ref); err != nil {
				return nil, fieldErr(FieldInvalidType, `must be {"id": …}, an option id or an option label`)
			}
		} else if num, fe := decodeNumber(raw); fe == nil {
			ref = string(num)
		} else {
			return nil, fieldErr(FieldInvalidType, `must be {"id": …}, an option id or an option label`)
		}
	}
	for i := range a.Options {
		if a.Options[i].ID == ref {
			return &a.Options[i], nil
		}
	}
	for i := range a.Options {
		if strings.EqualFold(a.Options[i].Value, ref) {
			return &a.Options[i], nil
		}
	}
	return nil, fieldErr(FieldInvalidOption, "%q is not an option of %s", ref, a.Key)
}

// renderOption expands a stored option id into the option; an id whose
// option no longer exists renders as null.
func renderOption(a *Attribute, v any) any {
	id, _ := v.(string)
	for _, o := range a.Options {
		if o.ID == id {
			return o
		}
	}
	return nil
}
