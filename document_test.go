package kith

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// decodeStd is encoding/json's reading of a document, the oracle.
func decodeStd(t testing.TB, b []byte) map[string]any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v map[string]any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("encoding/json cannot read %s: %v", b, err)
	}
	return v
}

func TestDocumentRoundTrip(t *testing.T) {
	docs := []map[string]any{
		{},
		{"first_name": "Jane", "emails": []any{"jane@acme.com", "j@x.io"}, "rating": json.Number("5"), "vip": true},
		{"quote\"d": "back\\slash\ttab\nnewline\u0001", "unicode": "Größe 🚀 \u2028", "empty": "", "list": []any{}},
		{"n": json.Number("-12.5e3"), "f": false, "null": nil, "mixed": []any{"a", json.Number("1"), true, nil}},
		{"bad utf8": "a\xffb"},
	}
	for _, doc := range docs {
		b, err := EncodeValues(doc)
		if err != nil {
			t.Fatal(err)
		}
		want := decodeStd(t, b) // what was written is what encoding/json reads
		got, err := DecodeValues(b)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("DecodeValues(%s) = %#v, %v; encoding/json %#v", b, got, err, want)
		}
		// It stores what encoding/json would have stored.
		std, _ := json.Marshal(doc)
		if stored := decodeStd(t, std); !reflect.DeepEqual(want, stored) {
			t.Errorf("EncodeValues stores %#v, encoding/json %#v", want, stored)
		}
	}
	// Documents as PostgreSQL's JSONB returns them, with spaces.
	jsonb := []byte(`{"emails": ["a@x.io", "B@x.io"], "n": 1000000000000000000000, "s": "x\"y", "t": true}`)
	if got, want := mustDecode(t, jsonb), decodeStd(t, jsonb); !reflect.DeepEqual(got, want) {
		t.Errorf("jsonb form: %#v, want %#v", got, want)
	}
	// Shapes the fast path does not take still decode, through encoding/json.
	nested := []byte(`{"o": {"a": 1}, "deep": [[1]]}`)
	if got, want := mustDecode(t, nested), decodeStd(t, nested); !reflect.DeepEqual(got, want) {
		t.Errorf("nested: %#v, want %#v", got, want)
	}
	if _, err := DecodeValues([]byte(`{"a": `)); err == nil {
		t.Error("a truncated document decoded")
	}
}

func mustDecode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	v, err := DecodeValues(b)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func FuzzDecodeValues(f *testing.F) {
	f.Add([]byte(`{"a":"b","c":[1,true,null],"d":-0.5}`))
	f.Add([]byte(`{"x":"\u00e9\\\"","y":[]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d := json.NewDecoder(bytes.NewReader(b))
		d.UseNumber()
		var want map[string]any
		if d.Decode(&want) != nil || d.More() || want == nil {
			return
		}
		var rest any
		if d.Decode(&rest) == nil {
			return // more than one value
		}
		got, err := DecodeValues(b)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("DecodeValues(%q) = %#v, %v; encoding/json %#v", b, got, err, want)
		}
	})
}
