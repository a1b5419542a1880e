package kith

import (
	"encoding/json"
	"strings"
)

// userType holds workspace member ids, stored as given: Kith has no member
// directory yet, so ids are checked for shape only.
type userType struct{}

func (userType) prepare(_ *Normalizer, _ *Attribute, raw json.RawMessage) (any, *FieldError) {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fieldErr(FieldInvalidType, "must be an array of member ids")
	}
	ids := make([]any, 0, len(items))
	seen := make(map[string]bool, len(items))
	for i, item := range items {
		id, fe := decodeString(item)
		if fe != nil || strings.TrimSpace(id) == "" || len(id) > 255 {
			return nil, fieldErr(FieldInvalidType, "item %d must be a non-empty member id", i)
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids, nil
}

func (userType) matchValue(_ *Normalizer, _ *Attribute, v any) string { return sortedStrings(v) }

func (userType) render(_ *Attribute, v any) any { return v }
