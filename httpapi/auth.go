package httpapi

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/kith-crm/kith"
)

// tokenTTL bounds how long a cached token outlives its revocation.
const tokenTTL = time.Minute

// tokenCache resolves tokens from memory. A miss reads the database, so a
// token made by the CLI works at once; entries expire so that revocation
// takes effect within tokenTTL.
type tokenCache struct {
	svc *kith.Service
	now func() time.Time

	mu      sync.Mutex
	entries map[string]cachedToken
}

type cachedToken struct {
	token   kith.Token
	expires time.Time
}

func newTokenCache(svc *kith.Service, now func() time.Time) *tokenCache {
	return &tokenCache{svc: svc, now: now, entries: map[string]cachedToken{}}
}

// authenticate returns the token of an Authorization header.
func (c *tokenCache) authenticate(ctx context.Context, header string) (kith.Token, error) {
	scheme, secret, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
		return kith.Token{}, kith.Errorf(kith.EUnauthorized, "Send an API token as Authorization: Bearer <token>.")
	}
	secret = strings.TrimSpace(secret)
	key := string(kith.HashToken(secret))
	now := c.now()
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.token, nil
	}
	t, err := c.svc.Authenticate(ctx, secret)
	if err != nil {
		return kith.Token{}, err
	}
	if err := c.svc.TouchToken(ctx, t.ID, now); err != nil {
		return kith.Token{}, err
	}
	c.mu.Lock()
	if len(c.entries) > 10000 { // bound memory: drop everything, entries refill on use
		clear(c.entries)
	}
	c.entries[key] = cachedToken{token: t, expires: now.Add(tokenTTL)}
	c.mu.Unlock()
	return t, nil
}
