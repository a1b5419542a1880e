package kith

import (
	"encoding/json"
	"testing"
)

// decodeString's fast path must decode exactly as encoding/json does.
func TestDecodeStringMatchesEncodingJSON(t *testing.T) {
	for _, raw := range []string{
		`"jane@acme.com"`, `""`, `"Größe 🚀"`, `"a\"b"`, `"tab\there"`, `"\u00e9"`, `"back\\slash"`,
		`"a/b"`, `"\/"`, "\"raw\ttab\"", "\"bad \xff utf8\"", `"x"`,
	} {
		var want string
		wantErr := json.Unmarshal([]byte(raw), &want)
		got, fe := decodeString(json.RawMessage(raw))
		if (wantErr != nil) != (fe != nil) || (wantErr == nil && got != want) {
			t.Errorf("decodeString(%q) = %q, %v; encoding/json: %q, %v", raw, got, fe, want, wantErr)
		}
	}
}

func FuzzDecodeString(f *testing.F) {
	for _, s := range []string{`"a"`, `"\u0041"`, "\"\xff\"", `"a\\b"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		var want string
		if json.Unmarshal([]byte(raw), &want) != nil {
			return
		}
		if got, ok := plainString(json.RawMessage(raw)); ok && got != want {
			t.Fatalf("plainString(%q) = %q, encoding/json %q", raw, got, want)
		}
	})
}
