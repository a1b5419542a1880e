package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kith-crm/kith/client"
)

// syncBuffer is an io.Writer that the server goroutine writes and the test
// reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// startKith boots the real program on port 0 over a new database and
// returns its base URL and the bootstrap token it printed.
func startKith(t *testing.T) (baseURL, token string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	db := filepath.Join(t.TempDir(), "data", "kith.db")
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", db}, env(nil), &stdout, &stderr)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	listening := regexp.MustCompile(`listening on (http://\S+)`)
	tokenLine := regexp.MustCompile(`(?m)^token: (kith_\w+)$`)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := listening.FindStringSubmatch(stdout.String()); m != nil {
			tm := tokenLine.FindStringSubmatch(stdout.String())
			if tm == nil {
				t.Fatalf("no token line in %q", stdout.String())
			}
			return m[1], tm[1]
		}
		select {
		case err := <-done:
			t.Fatalf("serve exited: %v; stderr: %s", err, stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatalf("serve did not start; stdout %q stderr %q", stdout.String(), stderr.String())
	return "", ""
}

// The seed's request body, placeholders filled from its response example.
const seedBody = `{
  "firstName": "Jane",
  "lastName": "Doe",
  "salutation": "Ms",
  "emails": ["jane.doe@acme.com"],
  "jobTitle": "Head of Product",
  "description": "Key decision-maker at Acme Corp.",
  "phoneNumber": "+4930123456789",
  "primaryLocation": "Berlin, Germany",
  "socials": {
    "linkedin": "https://linkedin.com/in/janedoe",
    "twitter": null,
    "facebook": null,
    "instagram": null
  }
}`

// The seed's shorter "use case" body.
const useCaseBody = `{
  "firstName": "Jane",
  "lastName": "Doe",
  "emails": ["jane.doe@acme.com"],
  "jobTitle": "Head of Product",
  "primaryLocation": "Berlin, Germany",
  "socials": {
    "linkedin": "https://linkedin.com/in/janedoe"
  }
}`

// putRaw sends a raw assert and returns the status and decoded body.
func putRaw(t *testing.T, baseURL, token, query, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, baseURL+"/v2/crm/people?"+query, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestSeedAssert sends the seed's bodies to a fresh server, as the founding
// document describes the endpoint.
func TestSeedAssert(t *testing.T) {
	for name, body := range map[string]string{"seed body": seedBody, "use case body": useCaseBody} {
		t.Run(name, func(t *testing.T) {
			baseURL, token := startKith(t)
			status, out := putRaw(t, baseURL, token, "matchingAttribute=email", body)
			if status != 201 || out["success"] != true || out["status"] != 201.0 {
				t.Fatalf("first assert = %d %v", status, out)
			}
			if got := keys(out); !slices.Equal(got, []string{"person", "status", "success"}) {
				t.Fatalf("envelope keys %v", got)
			}
			person := out["person"].(map[string]any)
			wantKeys := []string{"avatarUrl", "company", "createdAt", "customAttributes", "description", "emails", "firstName",
				"id", "jobTitle", "lastName", "phoneNumber", "primaryLocation", "salutation", "socials", "updatedAt"}
			if got := keys(person); !slices.Equal(got, wantKeys) {
				t.Fatalf("person keys %v, want %v", got, wantKeys)
			}
			if got := keys(person["socials"].(map[string]any)); !slices.Equal(got, []string{"facebook", "instagram", "linkedin", "twitter"}) {
				t.Fatalf("socials keys %v", got)
			}
			var sent map[string]any
			json.Unmarshal([]byte(body), &sent)
			for k, v := range sent {
				if k == "socials" {
					for net, url := range v.(map[string]any) {
						if person["socials"].(map[string]any)[net] != url {
							t.Errorf("socials.%s = %v, want %v", net, person["socials"].(map[string]any)[net], url)
						}
					}
					continue
				}
				if fmt.Sprint(person[k]) != fmt.Sprint(v) {
					t.Errorf("%s = %v, want %v", k, person[k], v)
				}
			}
			if person["company"] != nil || person["avatarUrl"] != nil || len(person["customAttributes"].(map[string]any)) != 0 {
				t.Errorf("company %v avatarUrl %v customAttributes %v", person["company"], person["avatarUrl"], person["customAttributes"])
			}
			stamp := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$`)
			if !stamp.MatchString(person["createdAt"].(string)) || !stamp.MatchString(person["updatedAt"].(string)) {
				t.Errorf("timestamps %v %v", person["createdAt"], person["updatedAt"])
			}
			id := person["id"].(string)

			c := client.New(baseURL, token)
			ctx := context.Background()
			again, created, err := c.AssertPerson(ctx, "email", json.RawMessage(body))
			if err != nil || created || again.ID != id {
				t.Fatalf("same body again: created %v id %s err %v", created, again.ID, err)
			}
			// A no-op keeps updatedAt.
			if again.UpdatedAt != person["updatedAt"] {
				t.Errorf("no-op changed updatedAt %v → %s", person["updatedAt"], again.UpdatedAt)
			}
			// The primary email in other letter case matches; a new secondary is appended.
			p, created, err := c.AssertPerson(ctx, "email", map[string]any{"emails": []string{"JANE.Doe@Acme.COM", "jane@home.example"}})
			if err != nil || created || p.ID != id || !slices.Equal(p.Emails, []string{"jane.doe@acme.com", "jane@home.example"}) {
				t.Fatalf("case-changed primary: created %v id %s emails %v err %v", created, p.ID, p.Emails, err)
			}
			// The secondary alone matches, and another secondary is appended.
			p, created, err = c.AssertPerson(ctx, "emails", map[string]any{"emails": []string{"Jane@Home.example", "j.doe@work.example"}, "jobTitle": "CPO"})
			if err != nil || created || p.ID != id {
				t.Fatalf("secondary: created %v id %s err %v", created, p.ID, err)
			}
			if want := []string{"jane.doe@acme.com", "jane@home.example", "j.doe@work.example"}; !slices.Equal(p.Emails, want) || *p.JobTitle != "CPO" {
				t.Fatalf("emails %v jobTitle %v, want %v and CPO", p.Emails, *p.JobTitle, want)
			}
			page, err := c.ListPeople(ctx, client.ListOptions{})
			if err != nil || page.Pagination.Total != 1 {
				t.Fatalf("people: %+v %v", page.Pagination, err)
			}
		})
	}
}

// TestMatchingAttributes covers phone and custom-attribute matching and the
// matchingAttribute errors, end to end.
func TestMatchingAttributes(t *testing.T) {
	baseURL, token := startKith(t)
	c := client.New(baseURL, token)
	ctx := context.Background()
	jane, _, err := c.AssertPerson(ctx, "email", json.RawMessage(seedBody))
	if err != nil {
		t.Fatal(err)
	}
	p, created, err := c.AssertPerson(ctx, "phone_number", map[string]any{"phoneNumber": "+49 30 123456789", "salutation": "Dr"})
	if err != nil || created || p.ID != jane.ID || *p.PhoneNumber != "+49 30 123456789" {
		t.Fatalf("phone match: created %v id %s err %v", created, p.ID, err)
	}

	if _, err := c.AddAttribute(ctx, "people", map[string]any{"label": "Booking Ref", "type": "text", "isUnique": true, "isRequired": false, "isArchived": false}); err != nil {
		t.Fatal(err)
	}
	first, created, err := c.AssertPerson(ctx, "booking_ref", map[string]any{"firstName": "Ben", "customAttributes": map[string]any{"booking_ref": "BK-1"}})
	if err != nil || !created {
		t.Fatalf("custom create: %v %v", created, err)
	}
	second, created, err := c.AssertPerson(ctx, "booking_ref", map[string]any{"lastName": "Booker", "customAttributes": map[string]any{"booking_ref": "BK-1"}})
	if err != nil || created || second.ID != first.ID || *second.FirstName != "Ben" || *second.LastName != "Booker" {
		t.Fatalf("custom match: created %v id %s err %v", created, second.ID, err)
	}

	var apiErr *client.Error
	_, _, err = c.AssertPerson(ctx, "favourite_colour", map[string]any{"firstName": "X"})
	if !errors.As(err, &apiErr) || apiErr.Status != 400 || !strings.Contains(apiErr.Message, "booking_ref") || !strings.Contains(apiErr.Message, "emails") {
		t.Fatalf("unknown matchingAttribute: %v", err)
	}
	_, _, err = c.AssertPerson(ctx, "phone_number", map[string]any{"firstName": "X"})
	if !errors.As(err, &apiErr) || apiErr.Status != 422 || apiErr.Errors["phoneNumber"] == nil {
		t.Fatalf("missing matching value: %v", err)
	}
}

// TestConcurrentAssertsOverHTTP: 32 clients over 500 people. Person i has
// a primary p_i and a secondary s_i; every body carries p_i in random letter
// case and half of them also s_i. It ends with exactly 500 people, each
// with exactly {p_i, s_i} or {p_i}, and no 5xx.
func TestConcurrentAssertsOverHTTP(t *testing.T) {
	const people, perPerson, workers = 500, 4, 32
	baseURL, token := startKith(t)
	c := client.New(baseURL, token)
	rng := rand.New(rand.NewPCG(7, 11))
	type job struct {
		i      int
		emails []string
	}
	var jobs []job
	hasSecondary := make([]bool, people)
	for i := range people {
		for range perPerson {
			p := []byte(fmt.Sprintf("p%d@load.example", i))
			for k := range p {
				if rng.IntN(2) == 0 && p[k] >= 'a' && p[k] <= 'z' {
					p[k] -= 'a' - 'A'
				}
			}
			emails := []string{string(p)}
			if rng.IntN(2) == 0 {
				emails = append(emails, fmt.Sprintf("s%d@load.example", i))
				hasSecondary[i] = true
			}
			jobs = append(jobs, job{i, emails})
		}
	}
	rng.Shuffle(len(jobs), func(a, b int) { jobs[a], jobs[b] = jobs[b], jobs[a] })
	ch := make(chan job)
	errs := make(chan error, len(jobs))
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := range ch {
				_, _, err := c.AssertPerson(context.Background(), "email", map[string]any{"firstName": fmt.Sprint("P", j.i), "emails": j.emails})
				if err != nil {
					errs <- err
				}
			}
		})
	}
	for _, j := range jobs {
		ch <- j
	}
	close(ch)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("assert failed: %v", err)
	}

	count := 0
	cursor := ""
	for {
		page, err := c.ListPeople(context.Background(), client.ListOptions{Count: 100, Cursor: &cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range page.Collection {
			count++
			var i int
			fmt.Sscanf(*p.FirstName, "P%d", &i)
			want := []string{fmt.Sprintf("p%d@load.example", i)}
			if hasSecondary[i] {
				want = append(want, fmt.Sprintf("s%d@load.example", i))
			}
			got := make([]string, len(p.Emails))
			for k, e := range p.Emails {
				got[k] = strings.ToLower(e)
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("person %d: emails %v, want %v", i, got, want)
			}
		}
		if page.Pagination.NextCursor == nil {
			break
		}
		cursor = *page.Pagination.NextCursor
	}
	if count != people {
		t.Fatalf("%d people, want %d", count, people)
	}
}

// TestTokenCreate: the CLI prints a new token alone on stdout, creating the
// workspace; the token works at once against a running server.
func TestTokenCreate(t *testing.T) {
	db := filepath.Join(t.TempDir(), "kith.db")
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"token", "create", "--db", db, "--workspace", "acme", "--scopes", "crm:read"}, env(nil), &out, &errOut)
	if err != nil {
		t.Fatalf("token create: %v %s", err, errOut.String())
	}
	secret := strings.TrimSpace(out.String())
	if !regexp.MustCompile(`^kith_\w{30,}$`).MatchString(secret) {
		t.Fatalf("stdout %q is not a token alone", out.String())
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var sout syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, env(map[string]string{"KITH_DB": db, "KITH_ADDR": "127.0.0.1:0"}), &sout, io.Discard)
	}()
	var baseURL string
	for range 500 {
		if m := regexp.MustCompile(`listening on (http://\S+)`).FindStringSubmatch(sout.String()); m != nil {
			baseURL = m[1]
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if baseURL == "" {
		t.Fatal("serve did not start")
	}
	if strings.Contains(sout.String(), "token:") {
		t.Fatalf("serve bootstrapped a token on a database that has a workspace: %q", sout.String())
	}
	c := client.New(baseURL, secret)
	if _, err := c.ListPeople(ctx, client.ListOptions{}); err != nil {
		t.Fatalf("read with the new token: %v", err)
	}
	var apiErr *client.Error
	if _, err := c.CreatePerson(ctx, map[string]any{"firstName": "X"}); !errors.As(err, &apiErr) || apiErr.Status != 403 {
		t.Fatalf("write with a read token: %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	if err := run(context.Background(), []string{"token", "create", "--db", db, "--scopes", "crm:admin"}, env(nil), io.Discard, io.Discard); err == nil {
		t.Fatal("unknown scope accepted")
	}
}
