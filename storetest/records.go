package storetest

import (
	"context"
	"slices"
	"testing"

	"github.com/kith-crm/kith"
)

func testCreateGetPatchDelete(t *testing.T, e *env) {
	ctx := context.Background()
	created := e.mustCreate(t, e.ws, body{"first_name": "Jane", "emails": []string{"jane@acme.com"}})
	if created.Outcome != kith.Created {
		t.Fatalf("outcome = %s, want created", created.Outcome)
	}
	got := e.mustGet(t, e.ws, created.Record.ID)
	if got.Values["first_name"] != "Jane" || !slices.Equal(emails(got), []string{"jane@acme.com"}) {
		t.Fatalf("get = %v", got.Values)
	}
	if !got.CreatedAt.Equal(created.Record.CreatedAt) {
		t.Fatalf("createdAt = %v, want %v", got.CreatedAt, created.Record.CreatedAt)
	}

	patched, err := e.svc.Patch(ctx, e.wc(e.ws), kith.People, got.ID, input(t, body{"last_name": "Doe", "first_name": nil}))
	if err != nil {
		t.Fatal(err)
	}
	got = e.mustGet(t, e.ws, got.ID)
	if patched.Outcome != kith.Updated || got.Values["last_name"] != "Doe" || got.Values["first_name"] != nil {
		t.Fatalf("after patch: outcome %s, values %v", patched.Outcome, got.Values)
	}
	if !got.UpdatedAt.After(got.CreatedAt) {
		t.Fatalf("updatedAt %v not after createdAt %v", got.UpdatedAt, got.CreatedAt)
	}

	// A person keeps a name: clearing the last one left is refused.
	_, err = e.svc.Patch(ctx, e.wc(e.ws), kith.People, got.ID, input(t, body{"last_name": nil}))
	if wantCode(t, err, kith.EInvalid).Fields["firstName"] == nil {
		t.Fatalf("errors = %v, want one at firstName", err)
	}

	if err := e.svc.Delete(ctx, e.wc(e.ws), kith.People, got.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Get(ctx, e.ws.ID, kith.People, got.ID)
	wantCode(t, err, kith.ENotFound)
	wantCode(t, e.svc.Delete(ctx, e.wc(e.ws), kith.People, got.ID), kith.ENotFound)
	_, err = e.svc.Patch(ctx, e.wc(e.ws), kith.People, got.ID, input(t, body{"last_name": "X"}))
	wantCode(t, err, kith.ENotFound)

	// The deleted person's email is free again.
	again := e.mustAssert(t, e.ws, "email", body{"first_name": "Jane", "emails": []string{"jane@acme.com"}})
	if again.Outcome != kith.Created || again.Record.ID == got.ID {
		t.Fatalf("assert after delete: %s %s", again.Outcome, again.Record.ID)
	}
}

func testAssertCreatesThenUpdates(t *testing.T, e *env) {
	first := e.mustAssert(t, e.ws, "email", body{"first_name": "Jane", "last_name": "Doe", "job_title": "CTO", "emails": []string{"jane@acme.com"}})
	if first.Outcome != kith.Created {
		t.Fatalf("first outcome = %s", first.Outcome)
	}
	second := e.mustAssert(t, e.ws, "emails", body{"job_title": "CEO", "emails": []string{"jane@acme.com"}})
	if second.Outcome != kith.Updated || second.Record.ID != first.Record.ID {
		t.Fatalf("second: %s %s, want updated %s", second.Outcome, second.Record.ID, first.Record.ID)
	}
	got := e.mustGet(t, e.ws, first.Record.ID)
	// Omitted attributes stay; sent ones change.
	if got.Values["first_name"] != "Jane" || got.Values["last_name"] != "Doe" || got.Values["job_title"] != "CEO" {
		t.Fatalf("values = %v", got.Values)
	}
	// An explicit null clears.
	e.mustAssert(t, e.ws, "email", body{"job_title": nil, "emails": []string{"jane@acme.com"}})
	if got := e.mustGet(t, e.ws, first.Record.ID); got.Values["job_title"] != nil {
		t.Fatalf("job_title = %v, want cleared", got.Values["job_title"])
	}
	if n := e.count(t, e.ws); n != 1 {
		t.Fatalf("people = %d, want 1", n)
	}
	// emails: null on assert would drop addresses: refused.
	_, err := e.svc.Assert(context.Background(), e.wc(e.ws), kith.People, "phone_number", input(t, body{"phone_number": "+4930123456789", "emails": nil}))
	wantCode(t, err, kith.EInvalid)
}

func testAssertNoOp(t *testing.T, e *env) {
	b := body{"first_name": "Jane", "emails": []string{"jane@acme.com"}, "phone_number": "+4930123456789"}
	first := e.mustAssert(t, e.ws, "email", b)
	second := e.mustAssert(t, e.ws, "email", b)
	if second.Outcome != kith.Unchanged {
		t.Fatalf("outcome = %s, want unchanged", second.Outcome)
	}
	got := e.mustGet(t, e.ws, first.Record.ID)
	if !got.UpdatedAt.Equal(first.Record.UpdatedAt) || got.Seq != first.Record.Seq {
		t.Fatalf("no-op changed updatedAt %v→%v or seq %d→%d", first.Record.UpdatedAt, got.UpdatedAt, first.Record.Seq, got.Seq)
	}
	// The same email in other letter case is no change either.
	if res := e.mustAssert(t, e.ws, "email", body{"emails": []string{"JANE@ACME.COM"}}); res.Outcome != kith.Unchanged {
		t.Fatalf("case-only assert outcome = %s, want unchanged", res.Outcome)
	}
}

func testAssertMatchesEmailSlots(t *testing.T, e *env) {
	first := e.mustAssert(t, e.ws, "email", body{"first_name": "Jane", "emails": []string{"jane@acme.com", "jd@home.org"}})
	id := first.Record.ID
	for _, tc := range []struct {
		name   string
		emails []string
	}{
		{"primary in other case", []string{"Jane@ACME.com"}},
		{"secondary", []string{"jd@home.org"}},
		{"secondary in other case with spaces", []string{"  JD@Home.ORG "}},
		{"new address after a known one", []string{"jd@home.org", "jane.doe@new.io"}},
		{"new address before a known one", []string{"jane2@new.io", "jane@acme.com"}},
	} {
		res := e.mustAssert(t, e.ws, "email", body{"emails": tc.emails})
		if res.Record.ID != id {
			t.Fatalf("%s: matched %s (%s), want %s", tc.name, res.Record.ID, res.Outcome, id)
		}
	}
	want := []string{"jane@acme.com", "jd@home.org", "jane.doe@new.io", "jane2@new.io"}
	if got := emails(e.mustGet(t, e.ws, id)); !slices.Equal(got, want) {
		t.Fatalf("emails = %v, want %v (primary first, appended, none dropped)", got, want)
	}
	if n := e.count(t, e.ws); n != 1 {
		t.Fatalf("people = %d, want 1", n)
	}
}

func testAssertEmailsOfTwoPeople(t *testing.T, e *env) {
	a := e.mustAssert(t, e.ws, "email", body{"first_name": "A", "emails": []string{"a@x.io"}})
	b := e.mustAssert(t, e.ws, "email", body{"first_name": "B", "emails": []string{"b@x.io"}})
	_, err := e.svc.Assert(context.Background(), e.wc(e.ws), kith.People, "email", input(t, body{"emails": []string{"a@x.io", "B@x.io"}}))
	ke := wantCode(t, err, kith.EConflict)
	want := []string{a.Record.ID, b.Record.ID}
	slices.Sort(want)
	if !slices.Equal(ke.ConflictingRecordIDs, want) {
		t.Fatalf("conflicting ids = %v, want %v", ke.ConflictingRecordIDs, want)
	}
	// Nothing changed.
	if got := emails(e.mustGet(t, e.ws, a.Record.ID)); !slices.Equal(got, []string{"a@x.io"}) {
		t.Fatalf("a's emails = %v", got)
	}
}

func testAssertByPhone(t *testing.T, e *env) {
	first := e.mustAssert(t, e.ws, "phone_number", body{"first_name": "Jane", "phone_number": "+4930123456789"})
	for _, p := range []string{"+49 30 123456789", "+49 (30) 123-456-789"} {
		res := e.mustAssert(t, e.ws, "phoneNumber", body{"last_name": "Doe", "phone_number": p})
		if res.Record.ID != first.Record.ID || res.Outcome == kith.Created {
			t.Fatalf("%q: %s %s, want a match of %s", p, res.Outcome, res.Record.ID, first.Record.ID)
		}
	}
	// Phone numbers are stored as sent.
	if got := e.mustGet(t, e.ws, first.Record.ID).Values["phone_number"]; got != "+49 (30) 123-456-789" {
		t.Fatalf("phone_number = %v", got)
	}
	// An unparseable number is kept and matched exactly.
	odd := e.mustAssert(t, e.ws, "phone_number", body{"first_name": "Odd", "phone_number": "ext. 42"})
	if res := e.mustAssert(t, e.ws, "phone_number", body{"phone_number": "ext. 42"}); res.Record.ID != odd.Record.ID {
		t.Fatalf("unparseable number did not match exactly")
	}
	if n := e.count(t, e.ws); n != 2 {
		t.Fatalf("people = %d, want 2", n)
	}
}

func testAssertByUniqueCustom(t *testing.T, e *env) {
	e.mustAddAttribute(t, e.ws, "External ID", kith.TypeText, true)
	first := e.mustAssert(t, e.ws, "external_id", body{"first_name": "Jane", "external_id": "crm-1"})
	second := e.mustAssert(t, e.ws, "external_id", body{"last_name": "Doe", "external_id": "crm-1"})
	if second.Record.ID != first.Record.ID || second.Outcome != kith.Updated {
		t.Fatalf("second assert: %s %s", second.Outcome, second.Record.ID)
	}
	// Exact equality: another case is another value.
	if other := e.mustAssert(t, e.ws, "external_id", body{"first_name": "X", "external_id": "CRM-1"}); other.Record.ID == first.Record.ID {
		t.Fatalf("CRM-1 matched crm-1")
	}
	// Missing matching value: 422 naming the field.
	_, err := e.svc.Assert(context.Background(), e.wc(e.ws), kith.People, "external_id", input(t, body{"first_name": "Y"}))
	if ke := wantCode(t, err, kith.EInvalid); ke.Fields["customAttributes.external_id"] == nil {
		t.Fatalf("errors = %v, want customAttributes.external_id", ke.Fields)
	}
	// Unknown matching attribute: 400.
	_, err = e.svc.Assert(context.Background(), e.wc(e.ws), kith.People, "shoe_size", input(t, body{"first_name": "Y"}))
	wantCode(t, err, kith.EBadRequest)
}

func testAssertByPlainAttribute(t *testing.T, e *env) {
	old := e.mustCreate(t, e.ws, body{"first_name": "Old", "job_title": "CTO"})
	e.mustCreate(t, e.ws, body{"first_name": "New", "job_title": "CTO"})
	res := e.mustAssert(t, e.ws, "job_title", body{"job_title": "CTO", "last_name": "Matched"})
	if res.Record.ID != old.Record.ID {
		t.Fatalf("matched %s, want the oldest %s", res.Record.ID, old.Record.ID)
	}
	if res := e.mustAssert(t, e.ws, "jobTitle", body{"job_title": "CFO", "first_name": "New CFO"}); res.Outcome != kith.Created {
		t.Fatalf("no match should create, got %s", res.Outcome)
	}
}

func testUniqueClash(t *testing.T, e *env) {
	ctx := context.Background()
	e.mustAddAttribute(t, e.ws, "External ID", kith.TypeText, true)
	a := e.mustCreate(t, e.ws, body{"first_name": "A", "emails": []string{"a@x.io"}, "external_id": "E1"})
	b := e.mustCreate(t, e.ws, body{"first_name": "B", "emails": []string{"b@x.io"}})

	_, err := e.svc.Create(ctx, e.wc(e.ws), kith.People, input(t, body{"first_name": "C", "emails": []string{"A@X.io"}}))
	if ke := wantCode(t, err, kith.EConflict); !slices.Equal(ke.ConflictingRecordIDs, []string{a.Record.ID}) {
		t.Fatalf("conflicting ids = %v", ke.ConflictingRecordIDs)
	}
	_, err = e.svc.Patch(ctx, e.wc(e.ws), kith.People, b.Record.ID, input(t, body{"external_id": "E1"}))
	wantCode(t, err, kith.EConflict)
	// Asserting b by email with a's external id clashes too, and changes nothing.
	_, err = e.svc.Assert(ctx, e.wc(e.ws), kith.People, "email", input(t, body{"emails": []string{"b@x.io"}, "external_id": "E1", "job_title": "X"}))
	wantCode(t, err, kith.EConflict)
	if got := e.mustGet(t, e.ws, b.Record.ID); got.Values["job_title"] != nil {
		t.Fatalf("a refused assert changed b: %v", got.Values)
	}
	// Re-sending a's own unique values is no clash.
	if _, err := e.svc.Patch(ctx, e.wc(e.ws), kith.People, a.Record.ID, input(t, body{"external_id": "E1", "emails": []string{"a@x.io"}})); err != nil {
		t.Fatal(err)
	}
}

func testPatchReplacesEmails(t *testing.T, e *env) {
	ctx := context.Background()
	p := e.mustAssert(t, e.ws, "email", body{"first_name": "P", "emails": []string{"one@x.io", "two@x.io"}})
	if _, err := e.svc.Patch(ctx, e.wc(e.ws), kith.People, p.Record.ID, input(t, body{"emails": []string{"three@x.io", "one@x.io"}})); err != nil {
		t.Fatal(err)
	}
	if got := emails(e.mustGet(t, e.ws, p.Record.ID)); !slices.Equal(got, []string{"three@x.io", "one@x.io"}) {
		t.Fatalf("emails = %v", got)
	}
	// The dropped address no longer matches; it is free for someone else.
	q := e.mustAssert(t, e.ws, "email", body{"first_name": "Q", "emails": []string{"two@x.io"}})
	if q.Outcome != kith.Created {
		t.Fatalf("two@x.io still matched %s", q.Record.ID)
	}
	if res := e.mustAssert(t, e.ws, "email", body{"emails": []string{"three@x.io"}}); res.Record.ID != p.Record.ID {
		t.Fatalf("new primary does not match")
	}
}

func testValidation(t *testing.T, e *env) {
	ctx := context.Background()
	e.mustAddAttribute(t, e.ws, "Seats", kith.TypeNumber, false)
	e.mustAddAttribute(t, e.ws, "Renewal", kith.TypeDate, false)
	e.mustAddAttribute(t, e.ws, "VIP", kith.TypeCheckbox, false)
	long := make([]byte, 256)
	for i := range long {
		long[i] = 'x'
	}
	_, err := e.svc.Create(ctx, e.wc(e.ws), kith.People, input(t, body{
		"emails":     []any{"ok@x.io", "not-an-email", 7},
		"first_name": 12,
		"job_title":  string(long),
		"seats":      "ten",
		"renewal":    "2025-13-01",
		"vip":        "yes",
		"linkedin":   "not a url",
		"nope":       "x",
	}))
	ke := wantCode(t, err, kith.EInvalid)
	for path, code := range map[string]string{
		"emails[1]":                kith.FieldInvalidFormat,
		"emails[2]":                kith.FieldInvalidType,
		"firstName":                kith.FieldInvalidType,
		"jobTitle":                 kith.FieldTooLong,
		"customAttributes.seats":   kith.FieldInvalidType,
		"customAttributes.renewal": kith.FieldInvalidFormat,
		"customAttributes.vip":     kith.FieldInvalidType,
		"socials.linkedin":         kith.FieldInvalidFormat,
		"customAttributes.nope":    kith.FieldUnknownKey,
	} {
		if got := ke.Fields[path]; len(got) != 1 || got[0].Code != code {
			t.Errorf("errors[%s] = %v, want code %s", path, got, code)
		}
	}
	if len(ke.Fields) != 9 {
		t.Errorf("got %d field errors, want 9: %v", len(ke.Fields), ke.Fields)
	}
	// Neither name on create.
	_, err = e.svc.Create(ctx, e.wc(e.ws), kith.People, input(t, body{"emails": []string{"x@x.io"}}))
	if ke := wantCode(t, err, kith.EInvalid); ke.Fields["firstName"] == nil {
		t.Fatalf("errors = %v, want firstName required", ke.Fields)
	}
	if n := e.count(t, e.ws); n != 0 {
		t.Fatalf("people = %d after refused writes, want 0", n)
	}
}

func testWorkspaceIsolation(t *testing.T, e *env) {
	ctx := context.Background()
	other := e.mustWorkspace(t, "other")
	e.mustAddAttribute(t, other, "External ID", kith.TypeText, true)
	mine := e.mustAssert(t, e.ws, "email", body{"first_name": "Mine", "emails": []string{"jane@acme.com"}})

	_, err := e.svc.Get(ctx, other.ID, kith.People, mine.Record.ID)
	wantCode(t, err, kith.ENotFound)
	_, err = e.svc.Patch(ctx, e.wc(other), kith.People, mine.Record.ID, input(t, body{"first_name": "Theirs"}))
	wantCode(t, err, kith.ENotFound)
	wantCode(t, e.svc.Delete(ctx, e.wc(other), kith.People, mine.Record.ID), kith.ENotFound)

	// The same email in another workspace is another person.
	theirs := e.mustAssert(t, other, "email", body{"first_name": "Theirs", "emails": []string{"jane@acme.com"}})
	if theirs.Outcome != kith.Created || theirs.Record.ID == mine.Record.ID {
		t.Fatalf("assert in other workspace: %s %s", theirs.Outcome, theirs.Record.ID)
	}
	if e.count(t, e.ws) != 1 || e.count(t, other) != 1 {
		t.Fatalf("counts %d, %d; want 1, 1", e.count(t, e.ws), e.count(t, other))
	}
	// Custom attributes are per workspace too.
	_, err = e.svc.Assert(ctx, e.wc(e.ws), kith.People, "external_id", input(t, body{"first_name": "X", "external_id": "1"}))
	wantCode(t, err, kith.EBadRequest)
	if got := e.mustGet(t, e.ws, mine.Record.ID); got.Values["first_name"] != "Mine" {
		t.Fatalf("other workspace's writes reached mine: %v", got.Values)
	}
}
