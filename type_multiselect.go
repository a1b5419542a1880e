package kith

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// multiselectType holds a set of options, sent as an array of option
// references (see selectType) and stored as option ids in the order sent.
type multiselectType struct{}

func (multiselectType) prepare(_ *Normalizer, a *Attribute, raw json.RawMessage) (any, *FieldError) {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fieldErr(FieldInvalidType, "must be an array of options")
	}
	ids := make([]any, 0, len(items))
	seen := make(map[string]bool, len(items))
	for i, item := range items {
		o, fe := findOption(a, item)
		if fe != nil {
			return nil, &FieldError{Code: fe.Code, Message: fmt.Sprintf("item %d: %s", i, fe.Message)}
		}
		if !seen[o.ID] {
			seen[o.ID] = true
			ids = append(ids, o.ID)
		}
	}
	return ids, nil
}

// matchValue compares sets: the same options in any order match.
func (multiselectType) matchValue(_ *Normalizer, _ *Attribute, v any) string {
	return sortedStrings(v)
}

func (multiselectType) render(a *Attribute, v any) any {
	ids, _ := v.([]any)
	out := make([]any, 0, len(ids))
	for _, id := range ids {
		if o := renderOption(a, id); o != nil {
			out = append(out, o)
		}
	}
	return out
}

// sortedStrings is the order-free comparison form of a list of strings.
func sortedStrings(v any) string {
	items, _ := v.([]any)
	s := make([]string, 0, len(items))
	for _, item := range items {
		str, _ := item.(string)
		s = append(s, str)
	}
	sort.Strings(s)
	return strings.Join(s, "\x1f") // the unit separator: no id holds it, and PostgreSQL text can
}
