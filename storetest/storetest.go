// Package storetest is the one behavioural suite every kith.Store passes.
// It drives the record engine (kith.Service) over the store under test, so
// it checks what users see: matching, uniqueness, isolation, pagination,
// the change sequence and tombstones, and concurrency.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/kith-crm/kith"
	"github.com/kith-crm/kith/phone"
)

// Run runs the suite; open returns a fresh, empty store for each test.
func Run(t *testing.T, open func(testing.TB) kith.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, e *env)
	}{
		{"CreateGetPatchDelete", testCreateGetPatchDelete},
		{"AssertCreatesThenUpdates", testAssertCreatesThenUpdates},
		{"AssertNoOpKeepsUpdatedAtAndSeq", testAssertNoOp},
		{"AssertMatchesEveryEmailSlotAnyCase", testAssertMatchesEmailSlots},
		{"AssertEmailsOfTwoPeopleConflict", testAssertEmailsOfTwoPeople},
		{"AssertByPhoneMatchesE164", testAssertByPhone},
		{"AssertByUniqueCustomAttribute", testAssertByUniqueCustom},
		{"AssertByPlainAttributeOldestWins", testAssertByPlainAttribute},
		{"UniqueClashIsConflict", testUniqueClash},
		{"PatchReplacesEmails", testPatchReplacesEmails},
		{"ValidationNamesFields", testValidation},
		{"WorkspaceIsolation", testWorkspaceIsolation},
		{"PaginationByPageAndCursor", testPagination},
		{"ListFilters", testListFilters},
		{"ChangeSequenceAndTombstones", testSequenceAndTombstones},
		{"AttributeKeys", testAttributeKeys},
		{"TokensAndWorkspaces", testTokens},
		{"Companies", testCompanies},
		{"PersonCompanyLink", testPersonCompanyLink},
		{"CustomObjects", testCustomObjects},
		{"OptionsReplaceAll", testOptionsReplaceAll},
		{"UniqueTurnedOn", testUniqueTurnedOn},
		{"Relations", testRelations},
		{"EveryAttributeType", testTypes},
		{"ValuesRoundTrip", testValuesRoundTrip},
		{"GroupedWritesFailAlone", testGroupedWritesFailAlone},
		{"ConcurrentAssertsNeverDuplicate", testConcurrentAsserts},
		{"TwoServersLoseNoUpdate", testTwoServers},
		{"SchemaChangedByAnotherServer", testSchemaChangedElsewhere},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, newEnv(t, open(t)))
		})
	}
}

// env is a service over a fresh store with one workspace.
type env struct {
	store kith.Store
	svc   *kith.Service
	ws    kith.Workspace
	clock time.Time
}

func newEnv(t *testing.T, store kith.Store) *env {
	t.Helper()
	e := &env{
		store: store,
		svc:   kith.NewService(store, kith.Normalizer{PhoneE164: phone.E164("")}),
		clock: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC),
	}
	e.ws = e.mustWorkspace(t, "default")
	return e
}

func (e *env) mustWorkspace(t *testing.T, name string) kith.Workspace {
	t.Helper()
	ws, err := e.svc.CreateWorkspace(context.Background(), name, e.clock)
	if err != nil {
		t.Fatalf("create workspace %s: %v", name, err)
	}
	return ws
}

// wc returns a write context in ws one second after the previous one, so
// that every write has its own time.
func (e *env) wc(ws kith.Workspace) kith.WriteContext {
	e.clock = e.clock.Add(time.Second)
	return kith.WriteContext{WorkspaceID: ws.ID, TokenID: "test", RequestID: kith.NewID(), Now: e.clock}
}

// wc2 is a write context for concurrent writers, which must not share
// the env's clock.
func (e *env) wc2() kith.WriteContext {
	return kith.WriteContext{WorkspaceID: e.ws.ID, TokenID: "test", RequestID: kith.NewID(), Now: time.Now().UTC().Truncate(time.Microsecond)}
}

// body is a person body keyed by attribute key. input places each value
// where the people API has it (first_name at firstName, a custom key under
// customAttributes), so error paths read as clients see them.
type body map[string]any

func input(t testing.TB, b body) kith.Input {
	t.Helper()
	return standardInput(t, kith.People, b)
}

// standardInput is input for people or companies.
func standardInput(t testing.TB, slug string, b body) kith.Input {
	t.Helper()
	paths := map[string]string{}
	for _, a := range kith.StandardFields(slug) {
		paths[a.Key] = a.Field
	}
	in := kith.Input{}
	for k, v := range b {
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if path, ok := paths[k]; ok {
			in.Fields = append(in.Fields, kith.InputField{Key: k, Path: path, Raw: raw})
		} else {
			in.Fields = append(in.Fields, kith.InputField{Key: k, Path: "customAttributes." + k, Raw: raw, Custom: true})
		}
	}
	return in
}

func (e *env) mustAssert(t testing.TB, ws kith.Workspace, matching string, b body) *kith.Result {
	t.Helper()
	res, err := e.svc.Assert(context.Background(), e.wc(ws), kith.People, matching, input(t, b))
	if err != nil {
		t.Fatalf("assert %v by %s: %v", b, matching, err)
	}
	return res
}

func (e *env) mustCreate(t testing.TB, ws kith.Workspace, b body) *kith.Result {
	t.Helper()
	res, err := e.svc.Create(context.Background(), e.wc(ws), kith.People, input(t, b))
	if err != nil {
		t.Fatalf("create %v: %v", b, err)
	}
	return res
}

func (e *env) mustGet(t testing.TB, ws kith.Workspace, id string) kith.Record {
	t.Helper()
	res, err := e.svc.Get(context.Background(), ws.ID, kith.People, id)
	if err != nil {
		t.Fatalf("get %s: %v", id, err)
	}
	return res.Record
}

func (e *env) mustAddAttribute(t testing.TB, ws kith.Workspace, label string, typ kith.AttributeType, unique bool) *kith.Attribute {
	t.Helper()
	a, err := e.svc.AddAttribute(context.Background(), e.wc(ws), kith.People, kith.NewAttribute{Label: &label, Type: &typ, IsUnique: unique})
	if err != nil {
		t.Fatalf("add attribute %s: %v", label, err)
	}
	return a
}

func (e *env) count(t testing.TB, ws kith.Workspace) int {
	t.Helper()
	page, err := e.svc.List(context.Background(), ws.ID, kith.People, kith.ListRequest{Count: 1, Page: 1})
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	return page.Total
}

// wantCode fails unless err carries code.
func wantCode(t testing.TB, err error, code kith.Code) *kith.Error {
	t.Helper()
	if got := kith.ErrorCode(err); got != code {
		t.Fatalf("error code = %s (%v), want %s", got, err, code)
	}
	var e *kith.Error
	errors.As(err, &e)
	return e
}

// emails returns a record's emails.
func emails(r kith.Record) []string {
	items, _ := r.Values["emails"].([]any)
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = fmt.Sprint(it)
	}
	return out
}
