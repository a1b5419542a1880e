package httpapi_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/kith-crm/kith/internal/teststore"
)

// batchBody returns {"records": [...], "mode": mode} with people n..m-1,
// each carrying version in its job title.
func batchBody(from, to int, version, mode string) string {
	var items []string
	for i := from; i < to; i++ {
		items = append(items, fmt.Sprintf(`{"firstName":"P%d","emails":["p%d@batch.example"],"jobTitle":%q}`, i, i, version))
	}
	return fmt.Sprintf(`{"mode":%q,"records":[%s]}`, mode, strings.Join(items, ","))
}

func results(t *testing.T, body map[string]any) []map[string]any {
	t.Helper()
	raw, _ := json.Marshal(body["results"])
	var out []map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("results: %v in %v", err, body)
	}
	return out
}

func countStatuses(rs []map[string]any) map[string]int {
	n := map[string]int{}
	for _, r := range rs {
		n[r["status"].(string)]++
	}
	return n
}

func TestBatchAssert(t *testing.T) {
	for _, store := range teststore.All() {
		t.Run(store.Name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t, store.Open)
			total := func() float64 {
				r := s.call(t, "GET", "/v2/crm/people?count=1", s.write, "", "")
				return r.body["pagination"].(map[string]any)["total"].(float64)
			}
			const path = "/v2/crm/people/batch?matchingAttribute=email"

			// 1,000 new people, in input order.
			rs := results(t, s.mustCall(t, "PUT", path, batchBody(0, 1000, "v1", "partial"), 200))
			if len(rs) != 1000 || countStatuses(rs)["created"] != 1000 || total() != 1000 {
				t.Fatalf("1,000 new: %v, total %v", countStatuses(rs), total())
			}
			for i, r := range rs {
				if r["index"] != float64(i) || r["id"] == nil {
					t.Fatalf("result %d = %v", i, r)
				}
			}
			ids := make([]any, len(rs))
			for i, r := range rs {
				ids[i] = r["id"]
			}
			// The same 1,000 with a change: updated, same ids; then unchanged.
			rs = results(t, s.mustCall(t, "PUT", path, batchBody(0, 1000, "v2", "atomic"), 200))
			if countStatuses(rs)["updated"] != 1000 || total() != 1000 {
				t.Fatalf("1,000 existing: %v", countStatuses(rs))
			}
			for i, r := range rs {
				if r["id"] != ids[i] {
					t.Fatalf("item %d matched %v, want %v", i, r["id"], ids[i])
				}
			}
			if rs = results(t, s.mustCall(t, "PUT", path, batchBody(0, 1000, "v2", "partial"), 200)); countStatuses(rs)["unchanged"] != 1000 {
				t.Fatalf("1,000 unchanged: %v", countStatuses(rs))
			}

			// Items sharing a key apply one after another.
			rs = results(t, s.mustCall(t, "PUT", path, `{"records":[
				{"firstName":"Dup","emails":["dup@batch.example"]},
				{"jobTitle":"Second","emails":["DUP@batch.example","dup2@batch.example"]},
				{"emails":["dup2@batch.example"],"lastName":"Third"}]}`, 200))
			if got := countStatuses(rs); got["created"] != 1 || got["updated"] != 2 || rs[1]["id"] != rs[0]["id"] || rs[2]["id"] != rs[0]["id"] {
				t.Fatalf("duplicates inside a batch: %v", rs)
			}
			dup := s.mustCall(t, "GET", "/v2/crm/people/"+rs[0]["id"].(string), "", 200)["person"].(map[string]any)
			if dup["jobTitle"] != "Second" || dup["lastName"] != "Third" || len(dup["emails"].([]any)) != 2 {
				t.Fatalf("after the duplicates: %v", dup)
			}

			// One invalid item in partial mode: the others are applied.
			before := total()
			rs = results(t, s.mustCall(t, "PUT", path, `{"records":[
				{"firstName":"Ok1","emails":["ok1@batch.example"]},
				{"firstName":"Bad","emails":["not-an-email"]},
				{"firstName":"Ok2","emails":["ok2@batch.example"]},
				"not an object"]}`, 200))
			if got := countStatuses(rs); got["created"] != 2 || got["error"] != 2 || total() != before+2 {
				t.Fatalf("partial with invalid items: %v, total %v→%v", rs, before, total())
			}
			itemErr := rs[1]["error"].(map[string]any)
			if itemErr["code"] != "validation_failed" || itemErr["errors"].(map[string]any)["emails[0]"] == nil || rs[1]["id"] != nil {
				t.Fatalf("invalid item's result: %v", rs[1])
			}

			// The same in atomic mode: 422, the failing item named, nothing applied.
			before = total()
			r := s.call(t, "PUT", path, s.write, "application/json", `{"mode":"atomic","records":[
				{"firstName":"A1","emails":["a1@batch.example"]},
				{"firstName":"A2","emails":["bad"]},
				{"firstName":"A3","emails":["a3@batch.example"]}]}`)
			failing := results(t, r.body)
			if r.status != 422 || len(failing) != 1 || failing[0]["index"] != 1.0 || failing[0]["status"] != "error" || total() != before {
				t.Fatalf("atomic with an invalid item: %d %v, total %v→%v", r.status, r.body, before, total())
			}

			// 1,001 items: 422 with a clear message; nothing applied.
			r = s.call(t, "PUT", path, s.write, "application/json", batchBody(5000, 6001, "x", "partial"))
			if errs, _ := r.body["errors"].(map[string]any); r.status != 422 || errs["records"] == nil || total() != before {
				t.Fatalf("1,001 items: %d %v", r.status, r.body)
			}
			if msg := fmt.Sprint(r.body["errors"]); !strings.Contains(msg, "at most 1000") {
				t.Fatalf("1,001 items message: %s", msg)
			}
			for _, bad := range []string{`{"mode":"sometimes","records":[]}`, `{"records":{}}`, `{}`, `[]`} {
				if r := s.call(t, "PUT", path, s.write, "application/json", bad); r.status != 422 && r.status != 400 {
					t.Fatalf("%s: %d", bad, r.status)
				}
			}
			if r := s.call(t, "PUT", path, s.read, "application/json", batchBody(0, 1, "v", "")); r.status != 403 {
				t.Fatalf("read token: %d", r.status)
			}

			// Companies and custom objects take batches too.
			rs = results(t, s.mustCall(t, "PUT", "/v2/crm/companies/batch?matchingAttribute=domain",
				`{"records":[{"name":"Acme","domain":"acme.com"},{"name":"Acme Inc","domain":"https://www.ACME.com"}]}`, 200))
			if got := countStatuses(rs); got["created"] != 1 || got["updated"] != 1 {
				t.Fatalf("companies batch: %v", rs)
			}
			s.mustCall(t, "POST", "/v2/crm/objects", `{"slug":"deals","singularName":"Deal","pluralName":"Deals"}`, 201)
			s.mustCall(t, "POST", "/v2/crm/objects/deals/attributes", `{"label":"Deal Number","type":"text","isUnique":true}`, 201)
			rs = results(t, s.mustCall(t, "PUT", "/v2/crm/deals/batch?matchingAttribute=deal_number",
				`{"records":[{"deal_number":"D-1"},{"deal_number":"D-2"},{"deal_number":"D-1"},{"deal_number":7}]}`, 200))
			if got := countStatuses(rs); got["created"] != 2 || got["unchanged"] != 1 || got["error"] != 1 {
				t.Fatalf("deals batch: %v", rs)
			}
		})
	}
}
