package storetest

import (
	"context"
	"encoding/json"
	"math"
	"slices"
	"testing"

	"github.com/kith-crm/kith"
)

// flat is a custom object record body: attribute keys at the top.
func flat(t testing.TB, b body) kith.Input {
	t.Helper()
	in := kith.Input{}
	for k, v := range b {
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		in.Fields = append(in.Fields, kith.InputField{Key: k, Path: k, Raw: raw})
	}
	return in
}

func ptr[T any](v T) *T { return &v }

func (e *env) mustObject(t testing.TB, slug string) *kith.Object {
	t.Helper()
	obj, err := e.svc.CreateObject(context.Background(), e.wc(e.ws), kith.NewObject{Slug: &slug, SingularName: ptr("Thing"), PluralName: ptr("Things")})
	if err != nil {
		t.Fatalf("create object %s: %v", slug, err)
	}
	return obj
}

func (e *env) mustAttr(t testing.TB, slug string, spec kith.NewAttribute) *kith.Attribute {
	t.Helper()
	a, err := e.svc.AddAttribute(context.Background(), e.wc(e.ws), slug, spec)
	if err != nil {
		t.Fatalf("add attribute %s to %s: %v", *spec.Label, slug, err)
	}
	return a
}

func (e *env) mustRecord(t testing.TB, slug string, b body) kith.Record {
	t.Helper()
	res, err := e.svc.Create(context.Background(), e.wc(e.ws), slug, flat(t, b))
	if err != nil {
		t.Fatalf("create %s %v: %v", slug, b, err)
	}
	return res.Record
}

func (e *env) get(t testing.TB, slug, id string) kith.Record {
	t.Helper()
	res, err := e.svc.Get(context.Background(), e.ws.ID, slug, id)
	if err != nil {
		t.Fatalf("get %s %s: %v", slug, id, err)
	}
	return res.Record
}

func testCompanies(t *testing.T, e *env) {
	ctx := context.Background()
	assert := func(matching string, b body) (*kith.Result, error) {
		return e.svc.Assert(ctx, e.wc(e.ws), kith.Companies, matching, flat(t, b))
	}
	acme, err := assert("domain", body{"name": "Acme", "domain": "https://www.Acme.com/about"})
	if err != nil || acme.Outcome != kith.Created || acme.Record.Values["domain"] != "acme.com" {
		t.Fatalf("create acme: %v %v", acme, err)
	}
	for _, d := range []string{"acme.com", "ACME.COM", "http://acme.com:8080/x?y", "www.acme.com."} {
		res, err := assert("domain", body{"domain": d, "description": "Anvils " + d})
		if err != nil || res.Record.ID != acme.Record.ID {
			t.Fatalf("domain %q: %v %v", d, res, err)
		}
	}
	_, err = assert("name", body{"name": "Acme"})
	wantCode(t, err, kith.EBadRequest)
	_, err = assert("domain", body{"domain": "initech.com"})
	if ke := wantCode(t, err, kith.EInvalid); ke.Fields["name"] == nil {
		t.Fatalf("missing name: %v", ke.Fields)
	}
	_, err = assert("domain", body{"name": "Bad", "domain": "not a domain"})
	if ke := wantCode(t, err, kith.EInvalid); ke.Fields["domain"] == nil {
		t.Fatalf("bad domain: %v", ke.Fields)
	}
	_, err = e.svc.Create(ctx, e.wc(e.ws), kith.Companies, flat(t, body{"name": "Acme 2", "domain": "www.acme.com"}))
	wantCode(t, err, kith.EConflict)

	// Any unique custom attribute matches companies too.
	e.mustAttr(t, kith.Companies, kith.NewAttribute{Label: ptr("Registry ID"), Type: ptr(kith.TypeText), IsUnique: true})
	res, err := e.svc.Assert(ctx, e.wc(e.ws), kith.Companies, "registry_id", standardInput(t, kith.Companies, body{"name": "Reg", "registry_id": "HRB 1"}))
	if err != nil || res.Outcome != kith.Created {
		t.Fatalf("assert by registry_id: %v", err)
	}
}

func testPersonCompanyLink(t *testing.T, e *env) {
	ctx := context.Background()
	acme, err := e.svc.Create(ctx, e.wc(e.ws), kith.Companies, flat(t, body{"name": "Acme", "domain": "acme.com"}))
	if err != nil {
		t.Fatal(err)
	}
	jane, err := e.svc.Assert(ctx, e.wc(e.ws), kith.People, "email", input(t, body{"first_name": "Jane", "emails": []string{"j@acme.com"}, "company": []string{acme.Record.ID}}))
	if err != nil {
		t.Fatal(err)
	}
	if rel, ok := jane.Related[acme.Record.ID]; !ok || rel.Values["name"] != "Acme" {
		t.Fatalf("related = %v", jane.Related)
	}
	_, err = e.svc.Assert(ctx, e.wc(e.ws), kith.People, "email", input(t, body{"emails": []string{"j@acme.com"}, "company": []string{kith.NewID()}}))
	if ke := wantCode(t, err, kith.EInvalid); ke.Fields["companyId"] == nil {
		t.Fatalf("unknown company: %v", ke.Fields)
	}
	before := e.get(t, kith.People, jane.Record.ID)
	if err := e.svc.Delete(ctx, e.wc(e.ws), kith.Companies, acme.Record.ID); err != nil {
		t.Fatal(err)
	}
	after := e.get(t, kith.People, jane.Record.ID)
	if after.Values["company"] != nil || after.Seq <= before.Seq || !after.UpdatedAt.After(before.UpdatedAt) {
		t.Fatalf("after deleting the company: company %v, seq %d→%d, updatedAt %v→%v",
			after.Values["company"], before.Seq, after.Seq, before.UpdatedAt, after.UpdatedAt)
	}
}

func testCustomObjects(t *testing.T, e *env) {
	ctx := context.Background()
	for _, bad := range []string{"", "ab", "Deals", "deals--x", "-deals", "people", "objects", "batch"} {
		_, err := e.svc.CreateObject(ctx, e.wc(e.ws), kith.NewObject{Slug: &bad, SingularName: ptr("D"), PluralName: ptr("Ds")})
		if ke := wantCode(t, err, kith.EInvalid); ke.Fields["slug"] == nil {
			t.Fatalf("slug %q: %v", bad, ke.Fields)
		}
	}
	deals := e.mustObject(t, "deals")
	if keys := attributeKeys(deals); !slices.Equal(keys, []string{"id", "created_at", "updated_at"}) {
		t.Fatalf("new object's attributes %v", keys)
	}
	_, err := e.svc.CreateObject(ctx, e.wc(e.ws), kith.NewObject{Slug: ptr("deals"), SingularName: ptr("D"), PluralName: ptr("Ds")})
	wantCode(t, err, kith.EConflict)
	renamed, err := e.svc.UpdateObject(ctx, e.wc(e.ws), "deals", kith.ObjectPatch{SingularName: ptr("Deal")})
	if err != nil || renamed.SingularName != "Deal" || renamed.PluralName != "Things" {
		t.Fatalf("rename: %v %v", renamed, err)
	}
	_, err = e.svc.UpdateObject(ctx, e.wc(e.ws), kith.People, kith.ObjectPatch{SingularName: ptr("Human")})
	wantCode(t, err, kith.EForbidden)
	wantCode(t, e.svc.DeleteObject(ctx, e.wc(e.ws), kith.Companies), kith.EForbidden)

	e.mustAttr(t, "deals", kith.NewAttribute{Label: ptr("Deal Number"), Type: ptr(kith.TypeText), IsUnique: true})
	e.mustAttr(t, "deals", kith.NewAttribute{Label: ptr("Amount"), Type: ptr(kith.TypeCurrency), Currency: "EUR"})
	// A person links to deals; deleting the object takes that attribute along.
	e.mustAttr(t, kith.People, kith.NewAttribute{Label: ptr("Deals"), Type: ptr(kith.TypeRelation), RelationType: kith.ManyToMany, RelatedObjectSlug: "deals"})

	d1, err := e.svc.Assert(ctx, e.wc(e.ws), "deals", "deal_number", flat(t, body{"deal_number": "D-1", "amount": 100.5}))
	if err != nil || d1.Outcome != kith.Created {
		t.Fatalf("assert deal: %v", err)
	}
	d1b, err := e.svc.Assert(ctx, e.wc(e.ws), "deals", "deal_number", flat(t, body{"deal_number": "D-1"}))
	if err != nil || d1b.Record.ID != d1.Record.ID || d1b.Outcome != kith.Unchanged || d1b.Record.Values["amount"] != json.Number("100.5") {
		t.Fatalf("re-assert deal: %+v %v", d1b, err)
	}
	// System attributes are read-only: accepted and ignored.
	if _, err := e.svc.Patch(ctx, e.wc(e.ws), "deals", d1.Record.ID, flat(t, body{"id": "x", "created_at": "x", "amount": 7})); err != nil {
		t.Fatal(err)
	}
	jane := e.mustCreate(t, e.ws, body{"first_name": "Jane", "deals": []string{d1.Record.ID}})

	if err := e.svc.DeleteObject(ctx, e.wc(e.ws), "deals"); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Get(ctx, e.ws.ID, "deals", d1.Record.ID)
	wantCode(t, err, kith.ENotFound)
	got := e.get(t, kith.People, jane.Record.ID)
	if _, has := got.Values["deals"]; has {
		t.Fatalf("person still links deals: %v", got.Values)
	}
	obj, err := e.svc.Object(ctx, e.ws.ID, kith.People)
	if err != nil {
		t.Fatal(err)
	}
	if _, has := obj.Attribute("deals"); has {
		t.Fatal("people keep the relation attribute to a deleted object")
	}
	var stones []kith.Tombstone
	e.store.Read(ctx, e.ws.ID, func(tx kith.Tx) (err error) { stones, err = tx.Tombstones(ctx, 0, 10); return err })
	if len(stones) != 1 || stones[0].RecordID != d1.Record.ID {
		t.Fatalf("tombstones %+v", stones)
	}
	// The slug is free again, with no attributes left over.
	if again := e.mustObject(t, "deals"); len(again.Attributes) != 3 {
		t.Fatalf("recreated object has attributes %v", attributeKeys(again))
	}
}

func attributeKeys(o *kith.Object) []string {
	var keys []string
	for _, a := range o.Attributes {
		keys = append(keys, a.Key)
	}
	return keys
}

func testOptionsReplaceAll(t *testing.T, e *env) {
	ctx := context.Background()
	e.mustObject(t, "tickets")
	stage := e.mustAttr(t, "tickets", kith.NewAttribute{Label: ptr("Stage"), Type: ptr(kith.TypeSelect),
		Options: []kith.NewOption{{Value: "Open"}, {Value: "Closed"}}})
	tags := e.mustAttr(t, "tickets", kith.NewAttribute{Label: ptr("Tags"), Type: ptr(kith.TypeMultiselect),
		Options: []kith.NewOption{{Value: "a"}, {Value: "b"}}})
	open, closed := stage.Options[0].ID, stage.Options[1].ID
	keep := e.mustRecord(t, "tickets", body{"stage": "Open", "tags": []string{"a", "b"}})
	lose := e.mustRecord(t, "tickets", body{"stage": "Closed"})
	untouched := e.mustRecord(t, "tickets", body{"tags": []string{"a"}})

	openID, _ := json.Marshal(open)
	next, err := e.svc.UpdateAttribute(ctx, e.wc(e.ws), "tickets", "stage", kith.AttributePatch{
		Options: &[]kith.NewOption{{ID: openID, Value: "Open again"}, {Value: "Won"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(next.Options) != 2 || next.Options[0].ID != open || next.Options[0].Value != "Open again" || next.Options[1].ID == closed {
		t.Fatalf("options %+v (closed was %s)", next.Options, closed)
	}
	if got := e.get(t, "tickets", keep.ID); got.Values["stage"] != open || got.Seq != keep.Seq {
		t.Fatalf("kept option: %v seq %d→%d", got.Values, keep.Seq, got.Seq)
	}
	if got := e.get(t, "tickets", lose.ID); got.Values["stage"] != nil || got.Seq <= lose.Seq || !got.UpdatedAt.After(lose.UpdatedAt) {
		t.Fatalf("removed option: %v seq %d→%d", got.Values, lose.Seq, got.Seq)
	}
	// Removing one of a multiselect's options keeps the others.
	aID, _ := json.Marshal(tags.Options[0].ID)
	if _, err := e.svc.UpdateAttribute(ctx, e.wc(e.ws), "tickets", "tags", kith.AttributePatch{Options: &[]kith.NewOption{{ID: aID, Value: "a"}}}); err != nil {
		t.Fatal(err)
	}
	if got := e.get(t, "tickets", keep.ID); !slices.Equal(got.Values["tags"].([]any), []any{tags.Options[0].ID}) {
		t.Fatalf("tags after removing b: %v", got.Values["tags"])
	}
	if got := e.get(t, "tickets", untouched.ID); got.Seq != untouched.Seq {
		t.Fatalf("a record without the removed option changed")
	}
	// Unknown option ids, immutable fields and standard attributes are refused.
	bogus, _ := json.Marshal("999")
	_, err = e.svc.UpdateAttribute(ctx, e.wc(e.ws), "tickets", "stage", kith.AttributePatch{Options: &[]kith.NewOption{{ID: bogus, Value: "X"}}})
	wantCode(t, err, kith.EInvalid)
	_, err = e.svc.UpdateAttribute(ctx, e.wc(e.ws), "tickets", "stage", kith.AttributePatch{Type: ptr(kith.TypeText)})
	if ke := wantCode(t, err, kith.EInvalid); ke.Fields["type"][0].Code != kith.FieldReadOnly {
		t.Fatalf("type change: %v", ke.Fields)
	}
	if _, err := e.svc.UpdateAttribute(ctx, e.wc(e.ws), "tickets", "stage", kith.AttributePatch{Type: ptr(kith.TypeSelect), Label: ptr("Phase")}); err != nil {
		t.Fatalf("sending back the same type: %v", err)
	}
	_, err = e.svc.UpdateAttribute(ctx, e.wc(e.ws), kith.People, "first_name", kith.AttributePatch{Label: ptr("Given name")})
	wantCode(t, err, kith.EBadRequest)
	wantCode(t, e.svc.DeleteAttribute(ctx, e.wc(e.ws), kith.People, "emails"), kith.EBadRequest)
	wantCode(t, e.svc.DeleteAttribute(ctx, e.wc(e.ws), "tickets", "nope"), kith.ENotFound)

	if err := e.svc.DeleteAttribute(ctx, e.wc(e.ws), "tickets", "tags"); err != nil {
		t.Fatal(err)
	}
	if got := e.get(t, "tickets", untouched.ID); got.Values["tags"] != nil || got.Seq <= untouched.Seq {
		t.Fatalf("deleted attribute's value stayed: %v", got.Values)
	}
}

func testUniqueTurnedOn(t *testing.T, e *env) {
	ctx := context.Background()
	e.mustObject(t, "orders")
	e.mustAttr(t, "orders", kith.NewAttribute{Label: ptr("Ref"), Type: ptr(kith.TypeText)})
	a := e.mustRecord(t, "orders", body{"ref": "R1"})
	b := e.mustRecord(t, "orders", body{"ref": "R1"})
	_, err := e.svc.UpdateAttribute(ctx, e.wc(e.ws), "orders", "ref", kith.AttributePatch{IsUnique: ptr(true)})
	if ke := wantCode(t, err, kith.EConflict); len(ke.ConflictingRecordIDs) != 2 {
		t.Fatalf("conflicting ids %v", ke.ConflictingRecordIDs)
	}
	if _, err := e.svc.Patch(ctx, e.wc(e.ws), "orders", b.ID, flat(t, body{"ref": "R2"})); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.UpdateAttribute(ctx, e.wc(e.ws), "orders", "ref", kith.AttributePatch{IsUnique: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	// Now R1 is in the match-key index: a filter finds it and a clash is refused.
	p, err := e.svc.List(ctx, e.ws.ID, "orders", kith.ListRequest{Count: 10, Page: 1, FilterAttribute: "ref", FilterValue: "R1"})
	if err != nil || len(p.Records) != 1 || p.Records[0].ID != a.ID {
		t.Fatalf("filter by the new unique attribute: %v %v", p, err)
	}
	_, err = e.svc.Create(ctx, e.wc(e.ws), "orders", flat(t, body{"ref": "R2"}))
	wantCode(t, err, kith.EConflict)
	// And back off again.
	if _, err := e.svc.UpdateAttribute(ctx, e.wc(e.ws), "orders", "ref", kith.AttributePatch{IsUnique: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	e.mustRecord(t, "orders", body{"ref": "R2"})
}

func testRelations(t *testing.T, e *env) {
	ctx := context.Background()
	e.mustObject(t, "projects")
	e.mustObject(t, "tasks")
	e.mustAttr(t, "tasks", kith.NewAttribute{Label: ptr("Project"), Type: ptr(kith.TypeRelation), RelationType: kith.ManyToOne, RelatedObjectSlug: "projects"})
	e.mustAttr(t, "tasks", kith.NewAttribute{Label: ptr("Blocks"), Type: ptr(kith.TypeRelation), RelationType: kith.ManyToMany, RelatedObjectSlug: "tasks"})
	e.mustAttr(t, "tasks", kith.NewAttribute{Label: ptr("Owners"), Type: ptr(kith.TypeUser)})
	_, err := e.svc.AddAttribute(ctx, e.wc(e.ws), "tasks", kith.NewAttribute{Label: ptr("X"), Type: ptr(kith.TypeRelation), RelationType: kith.ManyToOne, RelatedObjectSlug: "nowhere"})
	if ke := wantCode(t, err, kith.EInvalid); ke.Fields["relatedObjectSlug"] == nil {
		t.Fatalf("unknown related object: %v", ke.Fields)
	}
	p1, p2 := e.mustRecord(t, "projects", body{}), e.mustRecord(t, "projects", body{})
	t1 := e.mustRecord(t, "tasks", body{"project": []string{p1.ID}, "owners": []string{"QK566D4X49E8X78"}})
	_, err = e.svc.Create(ctx, e.wc(e.ws), "tasks", flat(t, body{"project": []string{p1.ID, p2.ID}}))
	wantCode(t, err, kith.EInvalid) // many_to_one takes one
	_, err = e.svc.Create(ctx, e.wc(e.ws), "tasks", flat(t, body{"project": []string{t1.ID}}))
	if ke := wantCode(t, err, kith.EInvalid); ke.Fields["project"][0].Code != kith.FieldNotFound {
		t.Fatalf("a task id as project: %v", ke.Fields)
	}
	t2 := e.mustRecord(t, "tasks", body{"blocks": []string{t1.ID}})

	upd := func(id string, patch kith.RelationPatch) (*kith.Result, error) {
		return e.svc.UpdateRelation(ctx, e.wc(e.ws), "tasks", id, patch)
	}
	res, err := upd(t2.ID, kith.RelationPatch{AttributeSlug: "blocks", Add: []string{t2.ID, t1.ID}})
	if err != nil || !slices.Equal(res.Record.Values["blocks"].([]any), []any{t1.ID, t2.ID}) {
		t.Fatalf("add: %v %v", res, err)
	}
	if res, err := upd(t2.ID, kith.RelationPatch{AttributeSlug: "blocks", Add: []string{t1.ID}, Remove: []string{p1.ID}}); err != nil || res.Outcome != kith.Unchanged {
		t.Fatalf("no-op relation patch: %v %v", res, err)
	}
	res, err = upd(t1.ID, kith.RelationPatch{AttributeSlug: "owners", Add: []string{"M2"}, Remove: []string{"QK566D4X49E8X78"}})
	if err != nil || !slices.Equal(res.Record.Values["owners"].([]any), []any{"M2"}) {
		t.Fatalf("user patch: %v %v", res, err)
	}
	for _, bad := range []kith.RelationPatch{
		{AttributeSlug: "blocks"},
		{AttributeSlug: "blocks", Add: []string{t1.ID}, Remove: []string{t1.ID}},
		{AttributeSlug: "nope", Add: []string{t1.ID}},
		{AttributeSlug: "blocks", Add: []string{kith.NewID()}},
	} {
		_, err := upd(t2.ID, bad)
		wantCode(t, err, kith.EInvalid)
	}

	// Deleting t1 removes it from t2's blocks; deleting p1 empties t1's project.
	if err := e.svc.Delete(ctx, e.wc(e.ws), "tasks", t1.ID); err != nil {
		t.Fatal(err)
	}
	if got := e.get(t, "tasks", t2.ID); !slices.Equal(got.Values["blocks"].([]any), []any{t2.ID}) {
		t.Fatalf("blocks after deleting t1: %v", got.Values["blocks"])
	}
	t3 := e.mustRecord(t, "tasks", body{"project": []string{p2.ID}})
	if err := e.svc.Delete(ctx, e.wc(e.ws), "projects", p2.ID); err != nil {
		t.Fatal(err)
	}
	if got := e.get(t, "tasks", t3.ID); got.Values["project"] != nil {
		t.Fatalf("project after deleting it: %v", got.Values["project"])
	}
	// A record that links to itself can be deleted.
	if err := e.svc.Delete(ctx, e.wc(e.ws), "tasks", t2.ID); err != nil {
		t.Fatal(err)
	}
}

// testTypes writes a valid and an invalid value of every attribute type.
func testTypes(t *testing.T, e *env) {
	ctx := context.Background()
	e.mustObject(t, "samples")
	e.mustObject(t, "others")
	other := e.mustRecord(t, "others", body{})
	for _, spec := range []kith.NewAttribute{
		{Label: ptr("Text"), Type: ptr(kith.TypeText)},
		{Label: ptr("Email"), Type: ptr(kith.TypeText), Validation: []string{kith.ValidateEmail}},
		{Label: ptr("Site"), Type: ptr(kith.TypeText), Validation: []string{kith.ValidateURL}},
		{Label: ptr("Number"), Type: ptr(kith.TypeNumber)},
		{Label: ptr("Phone"), Type: ptr(kith.TypePhoneNumber)},
		{Label: ptr("Date"), Type: ptr(kith.TypeDate)},
		{Label: ptr("Datetime"), Type: ptr(kith.TypeDatetime)},
		{Label: ptr("Checkbox"), Type: ptr(kith.TypeCheckbox)},
		{Label: ptr("Select"), Type: ptr(kith.TypeSelect), Options: []kith.NewOption{{Value: "Red"}, {Value: "Blue"}}},
		{Label: ptr("Multiselect"), Type: ptr(kith.TypeMultiselect), Options: []kith.NewOption{{Value: "A"}, {Value: "B"}}},
		{Label: ptr("Rating"), Type: ptr(kith.TypeRating)},
		{Label: ptr("Relation"), Type: ptr(kith.TypeRelation), RelationType: kith.ManyToMany, RelatedObjectSlug: "others"},
		{Label: ptr("Status"), Type: ptr(kith.TypeStatus), Options: []kith.NewOption{{Value: "Active"}}},
		{Label: ptr("User"), Type: ptr(kith.TypeUser)},
		{Label: ptr("Currency"), Type: ptr(kith.TypeCurrency), Currency: "EUR"},
	} {
		e.mustAttr(t, "samples", spec)
	}
	valid := body{
		"text": "hello", "email": " Ann@Example.com ", "site": "https://example.com/x", "number": 29.50,
		"phone": "+49 30 123456789", "date": "2025-06-01", "datetime": "2025-06-01T14:00:00+02:00",
		"checkbox": true, "select": "blue", "multiselect": []any{map[string]any{"id": "1"}, "B"}, "rating": 5,
		"relation": []string{other.ID}, "status": map[string]any{"id": "1", "value": "Active", "color": ""},
		"user": []string{"QK566D4X49E8X78"}, "currency": 1999.99,
	}
	rec := e.mustRecord(t, "samples", valid)
	want := map[string]any{
		"text": "hello", "email": "Ann@Example.com", "site": "https://example.com/x", "number": json.Number("29.5"),
		"phone": "+49 30 123456789", "date": "2025-06-01", "datetime": "2025-06-01T12:00:00+00:00",
		"checkbox": true, "select": "2", "rating": json.Number("5"), "status": "1", "currency": json.Number("1999.99"),
	}
	for k, v := range want {
		if rec.Values[k] != v {
			t.Errorf("%s stored as %#v, want %#v", k, rec.Values[k], v)
		}
	}
	if !slices.Equal(rec.Values["multiselect"].([]any), []any{"1", "2"}) || !slices.Equal(rec.Values["relation"].([]any), []any{other.ID}) {
		t.Errorf("multiselect %v relation %v", rec.Values["multiselect"], rec.Values["relation"])
	}

	for key, bad := range map[string][]any{
		"text":        {7, string(make([]byte, 256))},
		"email":       {"not-an-email", "Ann <ann@example.com>"},
		"site":        {"not a url", "ftp://example.com"},
		"number":      {"ten", true},
		"phone":       {42, string(make([]byte, 256))},
		"date":        {"2025-13-01", "01.06.2025", 20250601},
		"datetime":    {"2025-06-01T14:00:00", "yesterday"},
		"checkbox":    {"yes", 1},
		"select":      {"Green", map[string]any{"id": "9"}, map[string]any{"value": "Red"}},
		"multiselect": {"A", []any{"A", "Z"}},
		"rating":      {6, -1, 2.5, "5"},
		"relation":    {other.ID, []string{kith.NewID()}, []any{5}},
		"status":      {"Inactive"},
		"user":        {"QK566D4X49E8X78", []any{""}},
		"currency":    {"12.00 EUR", false},
		"unknown":     {"x"},
	} {
		for _, v := range bad {
			_, err := e.svc.Create(ctx, e.wc(e.ws), "samples", flat(t, body{key: v}))
			if ke := wantCode(t, err, kith.EInvalid); len(ke.Fields[key]) != 1 {
				t.Errorf("%s = %#v: errors %v, want one at %s", key, v, ke.Fields, key)
			}
		}
	}
	// Every value can be cleared with null.
	clear := body{}
	for k := range valid {
		clear[k] = nil
	}
	res, err := e.svc.Patch(ctx, e.wc(e.ws), "samples", rec.ID, flat(t, clear))
	if err != nil || len(res.Record.Values) != 0 {
		t.Fatalf("clear all: %v %v", res, err)
	}
}

// testValuesRoundTrip: values read back as written on every store, so that
// re-sending them changes nothing; text the stores cannot hold is refused.
func testValuesRoundTrip(t *testing.T, e *env) {
	ctx := context.Background()
	e.mustObject(t, "measures")
	e.mustAttr(t, "measures", kith.NewAttribute{Label: ptr("Value"), Type: ptr(kith.TypeNumber)})
	e.mustAttr(t, "measures", kith.NewAttribute{Label: ptr("Note"), Type: ptr(kith.TypeText), IsUnique: true})
	for _, v := range []any{1e21, math.Copysign(0, -1), 123456789.125, 1e-7, -42} {
		rec := e.mustRecord(t, "measures", body{"value": v})
		again, err := e.svc.Patch(ctx, e.wc(e.ws), "measures", rec.ID, flat(t, body{"value": v}))
		if err != nil || again.Outcome != kith.Unchanged {
			t.Errorf("re-sending %v: %v %v (stored %v)", v, again.Outcome, err, e.get(t, "measures", rec.ID).Values["value"])
		}
	}
	_, err := e.svc.Create(ctx, e.wc(e.ws), "measures", flat(t, body{"note": "a\u0000b"}))
	if ke := wantCode(t, err, kith.EInvalid); ke.Fields["note"][0].Code != kith.FieldInvalidFormat {
		t.Fatalf("NUL in text: %v", ke.Fields)
	}
}
