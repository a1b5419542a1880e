package kith

import (
	"crypto/rand"
	"crypto/sha256"
	"math/big"
	"strings"
	"time"
)

// Scope is a permission a token carries.
type Scope string

// The CRM scopes. crm:write implies crm:read.
const (
	ScopeRead  Scope = "crm:read"
	ScopeWrite Scope = "crm:write"
)

// ParseScopes parses a comma-separated scope list.
func ParseScopes(s string) ([]Scope, error) {
	var out []Scope
	for _, part := range strings.Split(s, ",") {
		switch sc := Scope(strings.TrimSpace(part)); sc {
		case ScopeRead, ScopeWrite:
			out = append(out, sc)
		default:
			return nil, Errorf(EBadRequest, "unknown scope %q (want crm:read, crm:write)", part)
		}
	}
	return out, nil
}

// FormatScopes is the stored and printed form of a scope list, which
// ParseScopes reads back.
func FormatScopes(scopes []Scope) string {
	s := make([]string, len(scopes))
	for i, sc := range scopes {
		s[i] = string(sc)
	}
	return strings.Join(s, ",")
}

// Workspace is one tenant; every record belongs to exactly one.
type Workspace struct {
	ID        string
	Name      string
	CreatedAt time.Time
}

// Token is an API token. Only the SHA-256 hash of its secret is stored.
type Token struct {
	ID          string
	WorkspaceID string
	Name        string
	Scopes      []Scope
	CreatedAt   time.Time
	LastUsedAt  *time.Time
	RevokedAt   *time.Time
}

// Allows reports whether the token grants scope s.
func (t *Token) Allows(s Scope) bool {
	for _, have := range t.Scopes {
		if have == s || (have == ScopeWrite && s == ScopeRead) {
			return true
		}
	}
	return false
}

// NewTokenSecret returns a new token secret: kith_ and 32 random bytes in
// base62.
func NewTokenSecret() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	n := new(big.Int).SetBytes(b[:])
	return "kith_" + n.Text(62)
}

// HashToken returns the stored form of a token secret.
func HashToken(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// WriteContext travels with every write: who writes, when, and under which
// request, so history, webhook and idempotency rows can join the same
// transaction.
type WriteContext struct {
	WorkspaceID string
	TokenID     string
	RequestID   string
	Now         time.Time
}
