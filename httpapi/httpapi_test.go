package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kith-crm/kith"
	"github.com/kith-crm/kith/httpapi"
	"github.com/kith-crm/kith/internal/teststore"
	"github.com/kith-crm/kith/phone"
)

// server is a Kith API over a fresh store, with tokens of two workspaces.
type server struct {
	*httptest.Server
	write, read, other string // write and read tokens of "default"; a write token of "other"
}

func newServer(t testing.TB, open func(testing.TB) kith.Store) *server {
	t.Helper()
	svc := kith.NewService(open(t), kith.Normalizer{PhoneE164: phone.E164("")})
	ctx, now := context.Background(), time.Now()
	mustToken := func(ws string, scopes ...kith.Scope) string {
		secret, _, err := svc.CreateToken(ctx, ws, "test", scopes, now)
		if err != nil {
			t.Fatal(err)
		}
		return secret
	}
	s := &server{
		write: mustToken("default", kith.ScopeWrite),
		read:  mustToken("default", kith.ScopeRead),
		other: mustToken("other", kith.ScopeRead, kith.ScopeWrite),
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	s.Server = httptest.NewServer(httpapi.New(svc, log, time.Now).Handler())
	t.Cleanup(s.Close)
	return s
}

// response is a decoded API response.
type response struct {
	status int
	header http.Header
	body   map[string]any
}

func (s *server) call(t testing.TB, method, path, token, contentType, body string) response {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	data, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("%s %s: body is not a JSON object: %q", method, path, data)
	}
	return response{resp.StatusCode, resp.Header, out}
}

func (s *server) mustCall(t *testing.T, method, path, body string, want int) map[string]any {
	t.Helper()
	r := s.call(t, method, path, s.write, "application/json", body)
	if r.status != want {
		t.Fatalf("%s %s = %d %v, want %d", method, path, r.status, r.body, want)
	}
	return r.body
}

func id(body map[string]any, key string) string {
	return body[key].(map[string]any)["id"].(string)
}

// TestScenarios checks each endpoint's statuses and error envelope on
// every store: one row per request, named by outcome.
func TestScenarios(t *testing.T) {
	for _, store := range teststore.All() {
		t.Run(store.Name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t, store.Open)
			jane := s.mustCall(t, "PUT", "/v2/crm/people?matchingAttribute=email",
				`{"firstName":"Jane","emails":["jane@acme.com"],"phoneNumber":"+4930123456789"}`, 201)
			janeID := id(jane, "person")
			s.mustCall(t, "POST", "/v2/crm/objects/people/attributes",
				`{"label":"External ID","type":"text","isUnique":true,"isRequired":false,"isArchived":false}`, 201)
			s.mustCall(t, "PUT", "/v2/crm/people?matchingAttribute=external_id",
				`{"lastName":"Ext","customAttributes":{"external_id":"E1"}}`, 201)
			big := `{"firstName":"` + strings.Repeat("x", 1<<20) + `"}`

			tests := []struct {
				name, method, path, token, contentType, body string
				status                                       int
				code                                         kith.Code
				errorPaths                                   []string
			}{
				{"health needs no token", "GET", "/healthz", "-", "", "", 200, "", nil},
				{"no token is 401", "GET", "/v2/crm/people", "-", "", "", 401, kith.EUnauthorized, nil},
				{"unknown token is 401", "GET", "/v2/crm/people", "kith_nope", "", "", 401, kith.EUnauthorized, nil},
				{"read token can read", "GET", "/v2/crm/people/" + janeID, "read", "", "", 200, "", nil},
				{"read token cannot assert", "PUT", "/v2/crm/people?matchingAttribute=email", "read", "application/json", `{"firstName":"X","emails":["x@x.io"]}`, 403, kith.EForbidden, nil},
				{"read token cannot delete", "DELETE", "/v2/crm/people/" + janeID, "read", "", "", 403, kith.EForbidden, nil},
				{"read token cannot add attributes", "POST", "/v2/crm/objects/people/attributes", "read", "application/json", `{"label":"X","type":"text"}`, 403, kith.EForbidden, nil},
				{"another workspace's person is 404", "GET", "/v2/crm/people/" + janeID, "other", "", "", 404, kith.ENotFound, nil},
				{"another workspace cannot patch it", "PATCH", "/v2/crm/people/" + janeID, "other", "application/json", `{"firstName":"X"}`, 404, kith.ENotFound, nil},
				{"another workspace cannot delete it", "DELETE", "/v2/crm/people/" + janeID, "other", "", "", 404, kith.ENotFound, nil},
				{"unknown id is 404", "GET", "/v2/crm/people/0190c8a0-0000-7000-8000-000000000000", "", "", "", 404, kith.ENotFound, nil},
				{"unknown route is 404", "GET", "/v2/crm/nothing/here/at/all", "", "", "", 404, kith.ENotFound, nil},
				{"unknown object is 404", "GET", "/v2/crm/objects/widgets", "", "", "", 404, kith.ENotFound, nil},
				{"malformed JSON is 400", "PUT", "/v2/crm/people?matchingAttribute=email", "", "application/json", `{"firstName":`, 400, kith.EBadRequest, nil},
				{"a JSON array is 400", "POST", "/v2/crm/people", "", "application/json", `[1,2]`, 400, kith.EBadRequest, nil},
				{"trailing data is 400", "POST", "/v2/crm/people", "", "application/json", `{"firstName":"A"} {}`, 400, kith.EBadRequest, nil},
				{"form data is 415", "POST", "/v2/crm/people", "", "application/x-www-form-urlencoded", `firstName=A`, 415, kith.EUnsupported, nil},
				{"a body over 1 MiB is 413", "POST", "/v2/crm/people", "", "application/json", big, 413, kith.ETooLarge, nil},
				{"missing matchingAttribute is 400", "PUT", "/v2/crm/people", "", "application/json", `{"firstName":"A"}`, 400, kith.EBadRequest, nil},
				{"unknown matchingAttribute is 400", "PUT", "/v2/crm/people?matchingAttribute=shoe_size", "", "application/json", `{"firstName":"A"}`, 400, kith.EBadRequest, nil},
				{"missing matching value is 422", "PUT", "/v2/crm/people?matchingAttribute=email", "", "application/json", `{"firstName":"A"}`, 422, kith.EInvalid, []string{"emails"}},
				{"empty emails cannot match", "PUT", "/v2/crm/people?matchingAttribute=email", "", "application/json", `{"firstName":"A","emails":[]}`, 422, kith.EInvalid, []string{"emails"}},
				{"missing custom matching value is 422", "PUT", "/v2/crm/people?matchingAttribute=external_id", "", "application/json", `{"firstName":"A"}`, 422, kith.EInvalid, []string{"customAttributes.external_id"}},
				{"emails null on assert is 422", "PUT", "/v2/crm/people?matchingAttribute=phone_number", "", "application/json", `{"phoneNumber":"+4930123456789","emails":null}`, 422, kith.EInvalid, []string{"emails"}},
				{"wrong types are 422 per field", "POST", "/v2/crm/people", "", "application/json",
					`{"firstName":1,"emails":"a@b.io","socials":{"linkedin":false},"customAttributes":{"external_id":7}}`, 422, kith.EInvalid,
					[]string{"firstName", "emails", "socials.linkedin", "customAttributes.external_id"}},
				{"invalid email is 422 at its slot", "PUT", "/v2/crm/people?matchingAttribute=email", "", "application/json", `{"firstName":"A","emails":["a@x.io","nope"]}`, 422, kith.EInvalid, []string{"emails[1]"}},
				{"unknown keys are 422", "POST", "/v2/crm/people", "", "application/json", `{"firstName":"A","shoeSize":42,"socials":{"myspace":"x"},"customAttributes":{"shoe_size":1,"first_name":"B"}}`, 422, kith.EInvalid,
					[]string{"shoeSize", "socials.myspace", "customAttributes.shoe_size", "customAttributes.first_name"}},
				{"socials must be an object", "POST", "/v2/crm/people", "", "application/json", `{"firstName":"A","socials":"x"}`, 422, kith.EInvalid, []string{"socials"}},
				{"neither name on create is 422", "POST", "/v2/crm/people", "", "application/json", `{"emails":["n@x.io"]}`, 422, kith.EInvalid, []string{"firstName"}},
				{"neither name on assert-create is 422", "PUT", "/v2/crm/people?matchingAttribute=email", "", "application/json", `{"emails":["n@x.io"]}`, 422, kith.EInvalid, []string{"firstName"}},
				{"a name is not needed to update", "PUT", "/v2/crm/people?matchingAttribute=email", "", "application/json", `{"emails":["jane@acme.com"],"jobTitle":"CTO"}`, 200, "", nil},
				{"text over 255 is 422", "PATCH", "/v2/crm/people/" + janeID, "", "application/json", `{"jobTitle":"` + strings.Repeat("y", 256) + `"}`, 422, kith.EInvalid, []string{"jobTitle"}},
				{"read-only fields are ignored", "PATCH", "/v2/crm/people/" + janeID, "", "application/json", `{"id":"x","createdAt":"x","updatedAt":"x","company":null,"salutation":"Ms"}`, 200, "", nil},
				{"unknown company is 422", "PATCH", "/v2/crm/people/" + janeID, "", "application/json", `{"companyId":"0190c8a0-0000-7000-8000-000000000000"}`, 422, kith.EInvalid, []string{"companyId"}},
				{"another person's email is 409", "POST", "/v2/crm/people", "", "application/json", `{"firstName":"B","emails":["JANE@acme.com"]}`, 409, kith.EConflict, []string{"emails"}},
				{"a taken unique value is 409", "POST", "/v2/crm/people", "", "application/json", `{"firstName":"B","customAttributes":{"external_id":"E1"}}`, 409, kith.EConflict, []string{"customAttributes.external_id"}},
				{"emails of two people are 409", "PUT", "/v2/crm/people?matchingAttribute=email", "", "application/json", `{"customAttributes":{"external_id":"E1"},"emails":["jane@acme.com"]}`, 409, kith.EConflict, nil},
				{"count over 100 is 400", "GET", "/v2/crm/people?count=101", "", "", "", 400, kith.EBadRequest, nil},
				{"count must be a number", "GET", "/v2/crm/people?count=ten", "", "", "", 400, kith.EBadRequest, nil},
				{"a bad cursor is 400", "GET", "/v2/crm/people?cursor=***", "", "", "", 400, kith.EBadRequest, nil},
				{"page and cursor together are 400", "GET", "/v2/crm/people?page=2&cursor=", "", "", "", 400, kith.EBadRequest, nil},
				{"filtering by a plain attribute is 400", "GET", "/v2/crm/people?job_title=CTO", "", "", "", 400, kith.EBadRequest, nil},
				{"two filters are 400", "GET", "/v2/crm/people?email=a@x.io&phone_number=1", "", "", "", 400, kith.EBadRequest, nil},
				{"attribute without label is 422", "POST", "/v2/crm/objects/people/attributes", "", "application/json", `{"type":"text"}`, 422, kith.EInvalid, []string{"label"}},
				{"attribute of unknown type is 422", "POST", "/v2/crm/objects/people/attributes", "", "application/json", `{"label":"X","type":"colour"}`, 422, kith.EInvalid, []string{"type"}},
				{"attribute with unknown field is 422", "POST", "/v2/crm/objects/people/attributes", "", "application/json", `{"label":"X","type":"text","colour":"red"}`, 422, kith.EInvalid, []string{"colour"}},
				{"attribute label of wrong type is 422", "POST", "/v2/crm/objects/people/attributes", "", "application/json", `{"label":5,"type":"text"}`, 422, kith.EInvalid, []string{"label"}},
				{"unique checkbox is 422", "POST", "/v2/crm/objects/people/attributes", "", "application/json", `{"label":"X","type":"checkbox","isUnique":true}`, 422, kith.EInvalid, []string{"isUnique"}},
				{"attribute on unknown object is 404", "POST", "/v2/crm/objects/widgets/attributes", "", "application/json", `{"label":"X","type":"text"}`, 404, kith.ENotFound, nil},
				{"delete answers with a message", "DELETE", "/v2/crm/people/" + janeID, "", "", "", 200, "", nil},
				{"a second delete is 404", "DELETE", "/v2/crm/people/" + janeID, "", "", "", 404, kith.ENotFound, nil},
			}
			for _, tt := range tests {
				token := map[string]string{"": s.write, "read": s.read, "other": s.other, "-": "", "kith_nope": "kith_nope"}[tt.token]
				r := s.call(t, tt.method, tt.path, token, tt.contentType, tt.body)
				if r.status != tt.status {
					t.Errorf("%s: %s %s = %d %v, want %d", tt.name, tt.method, tt.path, r.status, r.body, tt.status)
					continue
				}
				if r.body["status"] != float64(tt.status) || r.body["success"] != (tt.status < 300) {
					t.Errorf("%s: envelope %v", tt.name, r.body)
				}
				if r.header.Get("X-Request-Id") == "" && tt.path != "/healthz" {
					t.Errorf("%s: no X-Request-Id", tt.name)
				}
				if tt.code == "" {
					continue
				}
				if r.body["code"] != string(tt.code) || r.body["message"] == "" {
					t.Errorf("%s: code %v message %v, want %s", tt.name, r.body["code"], r.body["message"], tt.code)
				}
				errs, _ := r.body["errors"].(map[string]any)
				var paths []string
				for p := range errs {
					paths = append(paths, p)
				}
				slices.Sort(paths)
				want := slices.Clone(tt.errorPaths)
				slices.Sort(want)
				if tt.errorPaths != nil && !slices.Equal(paths, want) {
					t.Errorf("%s: error paths %v, want %v", tt.name, paths, want)
				}
			}
		})
	}
}
