package kith

import (
	"encoding/json"
	"strconv"
)

// ratingType holds whole numbers from 0 to 5.
type ratingType struct{}

func (ratingType) prepare(_ *Normalizer, _ *Attribute, raw json.RawMessage) (any, *FieldError) {
	num, fe := decodeNumber(raw)
	if fe != nil {
		return nil, fe
	}
	n, err := strconv.Atoi(string(num))
	if err != nil {
		return nil, fieldErr(FieldInvalidType, "must be a whole number from 0 to 5")
	}
	if n < 0 || n > 5 {
		return nil, fieldErr(FieldOutOfRange, "must be from 0 to 5, got %d", n)
	}
	return json.Number(strconv.Itoa(n)), nil
}

func (ratingType) matchValue(_ *Normalizer, _ *Attribute, v any) string {
	n, _ := v.(json.Number)
	return string(n)
}

func (ratingType) render(_ *Attribute, v any) any { return v }
