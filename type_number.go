package kith

import (
	"encoding/json"
	"math"
	"strconv"
)

// numberType holds integers and decimals (number and currency attributes),
// stored in their shortest decimal form so 29.50 and 29.5 are one value.
type numberType struct{}

func (numberType) prepare(_ *Normalizer, _ *Attribute, raw json.RawMessage) (any, *FieldError) {
	num, fe := decodeNumber(raw)
	if fe != nil {
		return nil, fe
	}
	f, err := num.Float64()
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, fieldErr(FieldOutOfRange, "%s is out of range", num)
	}
	return formatNumber(f), nil
}

func (numberType) matchValue(_ *Normalizer, _ *Attribute, v any) string {
	n, _ := v.(json.Number)
	return string(n)
}

func (numberType) render(_ *Attribute, v any) any { return v }

// formatNumber writes plain decimal digits, never an exponent, and 0 for
// -0: the form PostgreSQL's JSONB stores numbers in, so a stored number
// reads back as written and re-sending it is no change.
func formatNumber(f float64) json.Number {
	if f == 0 {
		f = 0 // -0
	}
	return json.Number(strconv.FormatFloat(f, 'f', -1, 64))
}
