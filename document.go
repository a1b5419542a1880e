package kith

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"unicode/utf8"
)

// A record's values are stored as one JSON document: an object of
// attribute keys whose values are strings, numbers, booleans or arrays of
// those (see valueType.prepare). Every write decodes one document and
// encodes another, so both are written out by hand for exactly that shape;
// anything else goes through encoding/json.

// EncodeValues returns the stored JSON document of a record's values,
// keys sorted.
func EncodeValues(v map[string]any) ([]byte, error) {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b := make([]byte, 0, 64*len(v))
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		var ok bool
		if b, ok = appendValue(b, v[k]); !ok {
			return json.Marshal(v)
		}
	}
	return append(b, '}'), nil
}

// AppendJSON appends v as JSON when it is a string, json.Number, int, bool,
// nil or a []any of those, and reports false for anything else: the fast
// path of the HTTP responses, which encoding/json serves otherwise.
func AppendJSON(b []byte, v any) ([]byte, bool) { return appendValue(b, v) }

func appendValue(b []byte, v any) ([]byte, bool) {
	switch v := v.(type) {
	case string:
		return appendString(b, v), true
	case int:
		return strconv.AppendInt(b, int64(v), 10), true
	case json.Number:
		return append(b, v...), true
	case bool:
		return strconv.AppendBool(b, v), true
	case nil:
		return append(b, "null"...), true
	case []any:
		b = append(b, '[')
		for i, item := range v {
			if i > 0 {
				b = append(b, ',')
			}
			var ok bool
			if b, ok = appendValue(b, item); !ok {
				return b, false
			}
		}
		return append(b, ']'), true
	}
	return b, false
}

// appendString appends s as a JSON string, escaping what JSON requires and
// replacing invalid UTF-8 as encoding/json does.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// DecodeValues parses a stored JSON document, keeping numbers as
// json.Number so that they round-trip exactly.
func DecodeValues(b []byte) (map[string]any, error) {
	d := docDecoder{b: b}
	if v, ok := d.object(); ok && d.end() {
		return v, nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// docDecoder reads the stored document's shape; ok false means "not that
// shape", and the caller falls back to encoding/json.
type docDecoder struct {
	b []byte
	i int
}

func (d *docDecoder) space() {
	for d.i < len(d.b) && (d.b[d.i] == ' ' || d.b[d.i] == '\t' || d.b[d.i] == '\n' || d.b[d.i] == '\r') {
		d.i++
	}
}

func (d *docDecoder) byte(c byte) bool {
	d.space()
	if d.i < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

func (d *docDecoder) end() bool {
	d.space()
	return d.i == len(d.b)
}

func (d *docDecoder) object() (map[string]any, bool) {
	if !d.byte('{') {
		return nil, false
	}
	m := map[string]any{}
	if d.byte('}') {
		return m, true
	}
	for {
		k, ok := d.string()
		if !ok || !d.byte(':') {
			return nil, false
		}
		v, ok := d.value(true)
		if !ok {
			return nil, false
		}
		m[k] = v
		if d.byte('}') {
			return m, true
		}
		if !d.byte(',') {
			return nil, false
		}
	}
}

func (d *docDecoder) value(arrays bool) (any, bool) {
	d.space()
	if d.i >= len(d.b) {
		return nil, false
	}
	switch c := d.b[d.i]; {
	case c == '"':
		return d.string()
	case c == '-' || (c >= '0' && c <= '9'):
		start := d.i
		for d.i < len(d.b) && bytes.IndexByte([]byte("+-.eE0123456789"), d.b[d.i]) >= 0 {
			d.i++
		}
		n := json.Number(d.b[start:d.i])
		if _, err := strconv.ParseFloat(string(n), 64); err != nil {
			return nil, false
		}
		return n, true
	case c == 't' && bytes.HasPrefix(d.b[d.i:], []byte("true")):
		d.i += 4
		return true, true
	case c == 'f' && bytes.HasPrefix(d.b[d.i:], []byte("false")):
		d.i += 5
		return false, true
	case c == 'n' && bytes.HasPrefix(d.b[d.i:], []byte("null")):
		d.i += 4
		return nil, true
	case c == '[' && arrays:
		d.i++
		items := []any{}
		if d.byte(']') {
			return items, true
		}
		for {
			v, ok := d.value(false)
			if !ok {
				return nil, false
			}
			items = append(items, v)
			if d.byte(']') {
				return items, true
			}
			if !d.byte(',') {
				return nil, false
			}
		}
	}
	return nil, false
}

// string reads a JSON string, without reflection when it has no escapes.
func (d *docDecoder) string() (string, bool) {
	d.space()
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return "", false
	}
	end := d.i + 1
	for end < len(d.b) && d.b[end] != '"' {
		if d.b[end] == '\\' {
			end++ // skip the escaped character
		}
		end++
	}
	if end >= len(d.b) {
		return "", false
	}
	raw := d.b[d.i : end+1]
	d.i = end + 1
	if s, ok := plainString(raw); ok {
		return s, true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}
