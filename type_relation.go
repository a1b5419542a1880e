package kith

import (
	"encoding/json"
	"strings"
)

// relationType holds links to records of the related object: an array of
// record ids, stored in the order sent. That the ids exist is checked by
// the engine inside the write's transaction; the store keeps the links in
// a table indexed from both ends, so deleting a record finds and removes
// the links to it without scanning.
type relationType struct{}

func (relationType) prepare(_ *Normalizer, a *Attribute, raw json.RawMessage) (any, *FieldError) {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fieldErr(FieldInvalidType, "must be an array of %s record ids", a.RelatedObjectSlug)
	}
	ids := make([]any, 0, len(items))
	seen := make(map[string]bool, len(items))
	for i, item := range items {
		id, fe := decodeString(item)
		if fe != nil || strings.TrimSpace(id) == "" || len(id) > 64 {
			return nil, fieldErr(FieldInvalidType, "item %d must be a record id", i)
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if len(ids) > 1 && (a.RelationType == ManyToOne || a.RelationType == OneToOne) {
		return nil, fieldErr(FieldOutOfRange, "a %s relation links at most one record, got %d", a.RelationType, len(ids))
	}
	return ids, nil
}

func (relationType) matchValue(_ *Normalizer, _ *Attribute, v any) string { return sortedStrings(v) }

func (relationType) render(_ *Attribute, v any) any { return v }

// relationIDs returns the record ids of a stored relation value.
func relationIDs(v any) []string {
	items, _ := v.([]any)
	out := make([]string, 0, len(items))
	for _, it := range items {
		if s, ok := it.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
