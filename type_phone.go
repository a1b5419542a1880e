package kith

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// phoneType holds phone numbers as sent (trimmed). They are matched on
// their E.164 form when the Normalizer parses them, and exactly otherwise:
// an unparseable number is kept, never rejected.
type phoneType struct{}

func (phoneType) prepare(_ *Normalizer, a *Attribute, raw json.RawMessage) (any, *FieldError) {
	s, fe := decodeString(raw)
	if fe != nil {
		return nil, fe
	}
	s = strings.TrimSpace(s)
	if n := utf8.RuneCountInString(s); n > a.maxLength() {
		return nil, fieldErr(FieldTooLong, "must be at most %d characters, got %d", a.maxLength(), n)
	}
	return s, nil
}

func (phoneType) matchValue(n *Normalizer, _ *Attribute, v any) string {
	s, _ := v.(string)
	if n != nil && n.PhoneE164 != nil {
		if e164, ok := n.PhoneE164(s); ok {
			return e164
		}
	}
	return s
}

func (phoneType) render(_ *Attribute, v any) any { return v }
