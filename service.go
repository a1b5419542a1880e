package kith

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"strings"
	"sync"
	"time"
)

// Service is the record engine: every rule of people, companies and custom
// objects lives here once, above the stores.
type Service struct {
	store   Store
	norm    *Normalizer
	schemas schemaCache
	groups  writeGroups
}

// NewService returns a Service over store.
func NewService(store Store, norm Normalizer) *Service {
	return &Service{
		store:   store,
		norm:    &norm,
		schemas: schemaCache{m: map[schemaKey]cachedSchema{}},
		groups:  writeGroups{pending: map[string][]*groupedWrite{}, running: map[string]bool{}},
	}
}

// schemaCache keeps loaded object schemas by workspace and slug, each with
// the workspace's schema version it was loaded at. The cached objects are
// shared and never modified.
type schemaCache struct {
	mu sync.Mutex
	m  map[schemaKey]cachedSchema
}

type schemaKey struct{ workspace, slug string }

type cachedSchema struct {
	version int64
	obj     *Object
}

func (c *schemaCache) get(k schemaKey, version int64) *Object {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[k]; ok && e.version == version {
		return e.obj
	}
	return nil
}

// latest returns the schema cached last for k, whatever its version.
func (c *schemaCache) latest(k schemaKey) (*Object, int64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	return e.obj, e.version, ok
}

func (c *schemaCache) put(k schemaKey, version int64, obj *Object) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= 10000 { // bound memory; entries refill on use
		clear(c.m)
	}
	c.m[k] = cachedSchema{version, obj}
}

// maxWriteAttempts bounds how often a write that lost a race is retried.
const maxWriteAttempts = 10

// write runs fn in a write transaction, again when it lost a race to a
// concurrent transaction: the retry sees the winner's rows and decides anew
// (update instead of create, or a clean conflict).
func (s *Service) write(ctx context.Context, wc WriteContext, fn func(Tx) error) error {
	var err error
	for range maxWriteAttempts {
		err = s.store.Write(ctx, wc, fn)
		if !errors.Is(err, errRetry) {
			return err
		}
	}
	return &Error{Code: EConflict, Message: "The write collided with concurrent writes too often; retry it.", Err: err}
}

// CreateWorkspace creates a workspace with its standard objects.
func (s *Service) CreateWorkspace(ctx context.Context, name string, now time.Time) (Workspace, error) {
	if name == "" {
		return Workspace{}, Errorf(EBadRequest, "a workspace needs a name")
	}
	ws := Workspace{ID: NewID(), Name: name, CreatedAt: now}
	var objects []Object
	for _, slug := range []string{People, Companies} {
		o, _ := standardObject(slug)
		o.CreatedAt, o.UpdatedAt = now, now
		objects = append(objects, o)
	}
	if err := s.store.CreateWorkspace(ctx, ws, objects); err != nil {
		return Workspace{}, err
	}
	return ws, nil
}

// CreateToken creates a token in the named workspace, creating the
// workspace first when it does not exist, and returns the token's secret.
func (s *Service) CreateToken(ctx context.Context, workspace, name string, scopes []Scope, now time.Time) (string, Token, error) {
	if len(scopes) == 0 {
		return "", Token{}, Errorf(EBadRequest, "a token needs at least one scope")
	}
	ws, err := s.store.WorkspaceByName(ctx, workspace)
	if ErrorCode(err) == ENotFound {
		ws, err = s.CreateWorkspace(ctx, workspace, now)
	}
	if err != nil {
		return "", Token{}, err
	}
	secret := NewTokenSecret()
	t := Token{ID: NewID(), WorkspaceID: ws.ID, Name: name, Scopes: scopes, CreatedAt: now}
	if err := s.store.CreateToken(ctx, t, HashToken(secret)); err != nil {
		return "", Token{}, err
	}
	return secret, t, nil
}

// Bootstrap prepares an empty database for its first start: it creates the
// workspace "default" and a read-write token, and returns the token's
// secret. On a database that has a workspace it returns "".
func (s *Service) Bootstrap(ctx context.Context, now time.Time) (string, error) {
	n, err := s.store.CountWorkspaces(ctx)
	if err != nil || n > 0 {
		return "", err
	}
	secret, _, err := s.CreateToken(ctx, "default", "bootstrap", []Scope{ScopeRead, ScopeWrite}, now)
	return secret, err
}

// Authenticate returns the live token with the given secret, or
// EUnauthorized.
func (s *Service) Authenticate(ctx context.Context, secret string) (Token, error) {
	t, err := s.store.TokenByHash(ctx, HashToken(secret))
	switch {
	case ErrorCode(err) == ENotFound:
		return Token{}, Errorf(EUnauthorized, "The API token is not valid.")
	case err != nil:
		return Token{}, err
	case t.RevokedAt != nil:
		return Token{}, Errorf(EUnauthorized, "The API token has been revoked.")
	}
	return t, nil
}

// TouchToken records a token's use.
func (s *Service) TouchToken(ctx context.Context, id string, at time.Time) error {
	return s.store.TouchToken(ctx, id, at)
}

// object returns an object's whole schema inside a transaction: from the
// cache when the workspace's schema version has not moved, else loaded.
func (s *Service) object(ctx context.Context, tx Tx, slug string) (*Object, error) {
	version, err := tx.SchemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	key := schemaKey{tx.WorkspaceID(), slug}
	if obj := s.schemas.get(key, version); obj != nil {
		return obj, nil
	}
	obj, err := s.loadObject(ctx, tx, slug)
	if err != nil {
		return nil, err
	}
	s.schemas.put(key, version, obj)
	return obj, nil
}

// latestObject returns an object's schema as last loaded, and the schema
// version it was loaded at, to plan a write before its transaction, which
// then checks the version. A schema not loaded yet is loaded now.
func (s *Service) latestObject(ctx context.Context, ws, slug string) (*Object, int64, error) {
	if obj, version, ok := s.schemas.latest(schemaKey{ws, slug}); ok {
		return obj, version, nil
	}
	var obj *Object
	var version int64
	err := s.store.Read(ctx, ws, func(tx Tx) (err error) {
		if obj, err = s.object(ctx, tx, slug); err != nil {
			return err
		}
		version, err = tx.SchemaVersion(ctx)
		return err
	})
	return obj, version, err
}

// schemaChanged gives the workspace a new schema version. Versions are
// random, not counted: a version set by a transaction that rolls back is
// never set again, so a schema cached under it can never look current.
func (s *Service) schemaChanged(ctx context.Context, tx Tx) error {
	var b [8]byte
	rand.Read(b[:])
	return tx.SetSchemaVersion(ctx, int64(binary.BigEndian.Uint64(b[:])>>1))
}

func (s *Service) loadObject(ctx context.Context, tx Tx, slug string) (*Object, error) {
	row, err := tx.ObjectRow(ctx, slug)
	if err != nil {
		if ErrorCode(err) == ENotFound {
			return nil, Errorf(ENotFound, "There is no object %q.", slug)
		}
		return nil, err
	}
	custom, err := tx.CustomAttributes(ctx, slug)
	if err != nil {
		return nil, err
	}
	obj := row
	if std, ok := standardObject(slug); ok {
		obj.Attributes = std.Attributes
		obj.requireAnyOf, obj.matchUniqueOnly = std.requireAnyOf, std.matchUniqueOnly
	} else {
		obj.Attributes = systemAttributes()
	}
	for i := range obj.Attributes {
		obj.Attributes[i].CreatedAt, obj.Attributes[i].UpdatedAt = row.CreatedAt, row.CreatedAt
	}
	obj.Attributes = append(obj.Attributes, custom...)
	return &obj, nil
}

// Object returns an object's schema.
func (s *Service) Object(ctx context.Context, ws, slug string) (*Object, error) {
	var obj *Object
	err := s.store.Read(ctx, ws, func(tx Tx) (err error) {
		obj, err = s.object(ctx, tx, slug)
		return err
	})
	return obj, err
}

// path is where attribute a of object o appears in request and response
// bodies: its field for standard attributes of people and companies,
// customAttributes.key for their custom ones, the key for custom objects.
func (o *Object) path(a *Attribute) string {
	switch {
	case a.Field != "":
		return a.Field
	case o.IsStandard:
		return "customAttributes." + a.Key
	}
	return a.Key
}

func notFoundRecord(o *Object, id string) error {
	return Errorf(ENotFound, "There is no %s with id %q.", strings.ToLower(o.SingularName), id)
}
