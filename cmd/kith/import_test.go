package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kith-crm/kith/client"
)

// importer runs the bulk-import flow of the Zeeg guide through the API:
// read the schema, add what is missing, then assert companies by domain,
// people by email (linked with companyId) and deals by deal number.
type importer struct {
	t       *testing.T
	c       *client.Client
	created int // records and schema items the run created
}

func (im *importer) run() {
	t, c, ctx := im.t, im.c, context.Background()
	objects, err := c.Objects(ctx)
	if err != nil {
		t.Fatal(err)
	}
	has := func(slug, key string) (objectExists, attributeExists bool) {
		for _, o := range objects {
			if o.Slug == slug {
				return true, key == "" || slices.ContainsFunc(o.Attributes, func(a client.Attribute) bool { return a.Key == key })
			}
		}
		return false, false
	}
	ensureAttribute := func(slug, key string, def map[string]any) {
		if _, ok := has(slug, key); ok {
			return
		}
		a, err := c.AddAttribute(ctx, slug, def)
		if err != nil || a.Key != key {
			t.Fatalf("add %s.%s: key %q, %v", slug, key, a.Key, err)
		}
		im.created++
	}
	ensureAttribute("people", "lead_source", map[string]any{"label": "Lead Source", "type": "select", "isRequired": false, "isArchived": false,
		"options": []map[string]any{{"value": "Website", "color": "success"}, {"value": "Referral", "color": "warning"}}})
	ensureAttribute("people", "bookings", map[string]any{"label": "Bookings", "type": "number", "isUnique": false, "isRequired": false, "isArchived": false})
	ensureAttribute("companies", "industry", map[string]any{"label": "Industry", "type": "text", "isUnique": false, "isRequired": false, "isArchived": false})
	if exists, _ := has("deals", ""); !exists {
		if _, err := c.CreateObject(ctx, map[string]any{"slug": "deals", "singularName": "Deal", "pluralName": "Deals"}); err != nil {
			t.Fatal(err)
		}
		im.created++
		if objects, err = c.Objects(ctx); err != nil {
			t.Fatal(err)
		}
	}
	ensureAttribute("deals", "deal_number", map[string]any{"label": "Deal Number", "type": "text", "isUnique": true, "isRequired": true, "isArchived": false})
	ensureAttribute("deals", "company", map[string]any{"label": "Company", "type": "relation", "isRequired": false, "isArchived": false,
		"relationType": "many_to_one", "relatedObjectSlug": "companies", "relatedObjectLabel": "Deals"})
	ensureAttribute("deals", "amount", map[string]any{"label": "Amount", "type": "currency", "isRequired": false, "isArchived": false,
		"currency": "EUR", "currencyDisplay": "symbol", "currencyDecimal": true, "currencyGrouping": true})
	ensureAttribute("deals", "stage", map[string]any{"label": "Stage", "type": "status", "isRequired": false, "isArchived": false,
		"options": []map[string]any{{"value": "Open"}, {"value": "Won"}, {"value": "Lost"}}})

	companyIDs := map[string]string{}
	for i, domain := range []string{"acme.com", "initech.example", "globex.example"} {
		co, created, err := c.AssertCompany(ctx, "domain", map[string]any{
			"name": fmt.Sprintf("Company %d", i), "domain": "https://www." + domain + "/",
			"customAttributes": map[string]any{"industry": "Manufacturing"},
		})
		if err != nil || *co.Domain != domain {
			t.Fatalf("assert company %s: %v", domain, err)
		}
		im.count(created)
		companyIDs[domain] = co.ID
	}
	for i := range 6 {
		domain := []string{"acme.com", "initech.example", "globex.example"}[i%3]
		p, created, err := c.AssertPerson(ctx, "email", map[string]any{
			"firstName": fmt.Sprint("Person ", i), "emails": []string{fmt.Sprintf("p%d@%s", i, domain)},
			"companyId":        companyIDs[domain],
			"customAttributes": map[string]any{"lead_source": "Referral", "bookings": i},
		})
		if err != nil || p.Company == nil || p.Company.ID != companyIDs[domain] || *p.Company.Domain != domain {
			t.Fatalf("assert person %d: %+v %v", i, p.Company, err)
		}
		im.count(created)
	}
	for i := range 4 {
		d, created, err := c.AssertRecord(ctx, "deals", "deal_number", map[string]any{
			"deal_number": fmt.Sprintf("D-%03d", i), "company": []string{companyIDs["acme.com"]},
			"amount": 1000.5 * float64(i+1), "stage": "Open",
		})
		if err != nil || d.Attributes["deal_number"] != fmt.Sprintf("D-%03d", i) {
			t.Fatalf("assert deal %d: %v", i, err)
		}
		im.count(created)
	}
}

func (im *importer) count(created bool) {
	if created {
		im.created++
	}
}

// snapshot records every record's id and updatedAt, and the schema.
func snapshot(t *testing.T, c *client.Client) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	all := func(list func(cursor *string) ([]string, *string, error)) {
		cursor := ""
		for {
			items, next, err := list(&cursor)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range items {
				out[it] = it
			}
			if next == nil {
				return
			}
			cursor = *next
		}
	}
	all(func(cur *string) ([]string, *string, error) {
		p, err := c.ListPeople(ctx, client.ListOptions{Count: 100, Cursor: cur})
		var items []string
		for _, x := range p.Collection {
			items = append(items, "person "+x.ID+" "+x.UpdatedAt)
		}
		return items, p.Pagination.NextCursor, err
	})
	all(func(cur *string) ([]string, *string, error) {
		p, err := c.ListCompanies(ctx, client.ListOptions{Count: 100, Cursor: cur})
		var items []string
		for _, x := range p.Collection {
			items = append(items, "company "+x.ID+" "+x.UpdatedAt)
		}
		return items, p.Pagination.NextCursor, err
	})
	all(func(cur *string) ([]string, *string, error) {
		p, err := c.ListRecords(ctx, "deals", client.ListOptions{Count: 100, Cursor: cur})
		var items []string
		for _, x := range p.Collection {
			items = append(items, "deal "+x.ID+" "+x.UpdatedAt)
		}
		return items, p.Pagination.NextCursor, err
	})
	objects, err := c.Objects(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objects {
		for _, a := range o.Attributes {
			key := "attribute " + o.Slug + "." + a.Key + " " + a.UpdatedAt
			out[key] = key
		}
	}
	return out
}

// TestBulkImportFlow runs the Zeeg guide's import twice: the second run
// creates nothing and changes no updatedAt.
func TestBulkImportFlow(t *testing.T) {
	baseURL, token := startKith(t)
	c := client.New(baseURL, token)

	first := &importer{t: t, c: c}
	first.run()
	// 7 attributes and 1 object, then 3 companies, 6 people and 4 deals.
	if first.created != 8+3+6+4 {
		t.Fatalf("first run created %d items, want 21", first.created)
	}
	before := snapshot(t, c)

	second := &importer{t: t, c: c}
	second.run()
	if second.created != 0 {
		t.Fatalf("second run created %d items, want 0", second.created)
	}
	after := snapshot(t, c)
	for k := range before {
		if _, ok := after[k]; !ok {
			t.Errorf("changed by the second run: %s", k)
		}
	}
	if len(after) != len(before) {
		t.Errorf("%d items after the second run, %d before", len(after), len(before))
	}
	records := 0
	for k := range before {
		if !strings.HasPrefix(k, "attribute ") {
			records++
		}
	}
	if records != 13 {
		t.Fatalf("snapshot holds %d records, want 13", records)
	}
}
