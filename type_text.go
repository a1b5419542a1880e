package kith

import (
	"encoding/json"
	"net/mail"
	"net/url"
	"strings"
	"unicode/utf8"
)

// textType holds strings of at most MaxLength characters, optionally
// validated as an email address or a URL. Emails are stored trimmed and
// matched case-insensitively; other text is matched exactly.
type textType struct{}

func (textType) prepare(_ *Normalizer, a *Attribute, raw json.RawMessage) (any, *FieldError) {
	s, fe := decodeString(raw)
	if fe != nil {
		return nil, fe
	}
	if n := utf8.RuneCountInString(s); n > a.maxLength() {
		return nil, fieldErr(FieldTooLong, "must be at most %d characters, got %d", a.maxLength(), n)
	}
	switch {
	case a.validates(ValidateEmail):
		s = strings.TrimSpace(s)
		if !validEmail(s) {
			return nil, fieldErr(FieldInvalidFormat, "%q is not a valid email address", s)
		}
	case a.validates(ValidateURL):
		if !validURL(s) {
			return nil, fieldErr(FieldInvalidFormat, "%q is not a valid URL", s)
		}
	case a.validates(ValidateDomain):
		d, ok := normalizeDomain(s)
		if !ok {
			return nil, fieldErr(FieldInvalidFormat, "%q is not a domain such as acme.com", s)
		}
		s = d
	}
	return s, nil
}

func (textType) matchValue(_ *Normalizer, a *Attribute, v any) string {
	s, _ := v.(string)
	if a.validates(ValidateEmail) {
		return lower(s)
	}
	return s
}

func (textType) render(_ *Attribute, v any) any { return v }

// validEmail accepts a bare address (no display name) with a dotless or
// dotted domain, as net/mail parses it.
func validEmail(s string) bool {
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Name != "" || addr.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && at < len(s)-1 && !strings.ContainsAny(s, " \t\r\n")
}

// normalizeDomain reduces a domain or URL to its bare host: lower case,
// without scheme, www., port, path or trailing dot
// (https://www.Acme.com:443/about → acme.com).
func normalizeDomain(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:]
	}
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "www."), ".")
	if !strings.Contains(s, ".") || strings.Contains(s, "..") || strings.HasPrefix(s, ".") || len(s) > 253 {
		return "", false
	}
	for _, r := range s {
		if r <= ' ' || strings.ContainsRune(`"<>\^{|}`+"`", r) {
			return "", false
		}
	}
	return s, true
}

// validURL accepts an absolute http(s) URL, or a host-and-path such as
// linkedin.com/in/jane that imports often carry without a scheme.
func validURL(s string) bool {
	if strings.ContainsAny(s, " \t\r\n") || s == "" {
		return false
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	return strings.Contains(u.Hostname(), ".") || u.Hostname() == "localhost"
}
