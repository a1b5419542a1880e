package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/kith-crm/kith"
	"github.com/kith-crm/kith/phone"
)

func testPagination(t *testing.T, e *env) {
	ctx := context.Background()
	var ids []string
	for i := range 25 {
		ids = append(ids, e.mustCreate(t, e.ws, body{"first_name": fmt.Sprintf("P%02d", i)}).Record.ID)
	}
	var paged []string
	for page := 1; page <= 3; page++ {
		p, err := e.svc.List(ctx, e.ws.ID, kith.People, kith.ListRequest{Count: 10, Page: page})
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != 25 || p.More != (page < 3) {
			t.Fatalf("page %d: total %d more %v", page, p.Total, p.More)
		}
		for _, r := range p.Records {
			paged = append(paged, r.ID)
		}
	}
	if !slices.Equal(paged, ids) {
		t.Fatalf("pages gave %d ids out of creation order", len(paged))
	}
	if p, err := e.svc.List(ctx, e.ws.ID, kith.People, kith.ListRequest{Count: 10, Page: 4}); err != nil || len(p.Records) != 0 {
		t.Fatalf("page past the end: %v, %v", p, err)
	}

	var walked []string
	req := kith.ListRequest{Count: 7, UseCursor: true}
	for n := 0; ; n++ {
		p, err := e.svc.List(ctx, e.ws.ID, kith.People, req)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Records {
			walked = append(walked, r.ID)
		}
		if req.Cursor = p.NextCursor(); req.Cursor == "" {
			break
		}
		if n > 10 {
			t.Fatal("cursor walk does not end")
		}
	}
	if !slices.Equal(walked, ids) {
		t.Fatalf("cursor walk gave %d ids, want all 25 in creation order", len(walked))
	}

	for _, bad := range []kith.ListRequest{{Count: 0, Page: 1}, {Count: 101, Page: 1}, {Count: 10, Page: 0}, {Count: 10, UseCursor: true, Cursor: "%%%"}} {
		_, err := e.svc.List(ctx, e.ws.ID, kith.People, bad)
		wantCode(t, err, kith.EBadRequest)
	}
}

func testListFilters(t *testing.T, e *env) {
	ctx := context.Background()
	e.mustAddAttribute(t, e.ws, "External ID", kith.TypeText, true)
	jane := e.mustCreate(t, e.ws, body{"first_name": "Jane", "emails": []string{"jane@acme.com", "jd@home.org"}, "phone_number": "+4930123456789", "external_id": "E1"})
	e.mustCreate(t, e.ws, body{"first_name": "Joe", "emails": []string{"joe@acme.com"}})
	for _, f := range [][2]string{
		{"email", "JD@home.org"}, {"emails", "jane@acme.com"}, {"phone_number", "+49 30 123456789"},
		{"phoneNumber", "+4930123456789"}, {"external_id", "E1"},
	} {
		p, err := e.svc.List(ctx, e.ws.ID, kith.People, kith.ListRequest{Count: 20, Page: 1, FilterAttribute: f[0], FilterValue: f[1]})
		if err != nil {
			t.Fatalf("filter %s=%s: %v", f[0], f[1], err)
		}
		if len(p.Records) != 1 || p.Records[0].ID != jane.Record.ID || p.Total != 1 {
			t.Fatalf("filter %s=%s gave %d records (total %d)", f[0], f[1], len(p.Records), p.Total)
		}
	}
	p, err := e.svc.List(ctx, e.ws.ID, kith.People, kith.ListRequest{Count: 20, Page: 1, FilterAttribute: "email", FilterValue: "nobody@x.io"})
	if err != nil || len(p.Records) != 0 || p.Total != 0 {
		t.Fatalf("filter for nobody: %v %v", p, err)
	}
	_, err = e.svc.List(ctx, e.ws.ID, kith.People, kith.ListRequest{Count: 20, Page: 1, FilterAttribute: "job_title", FilterValue: "CTO"})
	wantCode(t, err, kith.EBadRequest)
}

func testSequenceAndTombstones(t *testing.T, e *env) {
	ctx := context.Background()
	a := e.mustAssert(t, e.ws, "email", body{"first_name": "A", "emails": []string{"a@x.io"}})
	b := e.mustAssert(t, e.ws, "email", body{"first_name": "B", "emails": []string{"b@x.io"}})
	if b.Record.Seq <= a.Record.Seq {
		t.Fatalf("seq %d then %d: not increasing", a.Record.Seq, b.Record.Seq)
	}
	upd := e.mustAssert(t, e.ws, "email", body{"last_name": "Changed", "emails": []string{"a@x.io"}})
	if upd.Record.Seq <= b.Record.Seq {
		t.Fatalf("update seq %d not after %d", upd.Record.Seq, b.Record.Seq)
	}
	if err := e.svc.Delete(ctx, e.wc(e.ws), kith.People, b.Record.ID); err != nil {
		t.Fatal(err)
	}
	other := e.mustWorkspace(t, "other")
	e.mustAssert(t, other, "email", body{"first_name": "O", "emails": []string{"o@x.io"}})

	var stones []kith.Tombstone
	err := e.store.Read(ctx, e.ws.ID, func(tx kith.Tx) (err error) {
		stones, err = tx.Tombstones(ctx, 0, 10)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(stones) != 1 || stones[0].RecordID != b.Record.ID || stones[0].Object != kith.People || stones[0].Seq <= upd.Record.Seq {
		t.Fatalf("tombstones = %+v, want one for %s after seq %d", stones, b.Record.ID, upd.Record.Seq)
	}
	err = e.store.Read(ctx, other.ID, func(tx kith.Tx) (err error) {
		stones, err = tx.Tombstones(ctx, 0, 10)
		return err
	})
	if err != nil || len(stones) != 0 {
		t.Fatalf("other workspace sees tombstones %v, %v", stones, err)
	}
}

func testAttributeKeys(t *testing.T, e *env) {
	ctx := context.Background()
	for label, want := range map[string]string{"Product Name": "product_name", "Größe (cm)": "groesse_cm", "2nd Email": "n_2nd_email"} {
		if got := e.mustAddAttribute(t, e.ws, label, kith.TypeText, false).Key; got != want {
			t.Errorf("key of %q = %q, want %q", label, got, want)
		}
	}
	if got := e.mustAddAttribute(t, e.ws, "product name", kith.TypeNumber, false).Key; got != "product_name_2" {
		t.Errorf("second product name key = %q, want product_name_2", got)
	}
	if got := e.mustAddAttribute(t, e.ws, "First Name", kith.TypeText, false).Key; got != "first_name_2" {
		t.Errorf("key clashing with a standard attribute = %q, want first_name_2", got)
	}
	label, checkbox, bogus, sel := "Flag", kith.TypeCheckbox, kith.AttributeType("colour"), kith.TypeSelect
	for _, bad := range []kith.NewAttribute{
		{Type: &checkbox},
		{Label: &label},
		{Label: &label, Type: &bogus},
		{Label: &label, Type: &checkbox, IsUnique: true},
		{Label: &label, Type: &sel, Options: []kith.NewOption{{Value: "A"}, {Value: "a"}}},
	} {
		_, err := e.svc.AddAttribute(ctx, e.wc(e.ws), kith.People, bad)
		wantCode(t, err, kith.EInvalid)
	}
	_, err := e.svc.AddAttribute(ctx, e.wc(e.ws), "nothing", kith.NewAttribute{Label: &label, Type: &checkbox})
	wantCode(t, err, kith.ENotFound)

	stage := "Stage"
	a, err := e.svc.AddAttribute(ctx, e.wc(e.ws), kith.People, kith.NewAttribute{Label: &stage, Type: &sel,
		Options: []kith.NewOption{{Value: "Lead", Color: "red"}, {Value: "Customer"}}})
	if err != nil {
		t.Fatal(err)
	}
	obj, err := e.svc.Object(ctx, e.ws.ID, kith.People)
	if err != nil {
		t.Fatal(err)
	}
	stored, ok := obj.Attribute("stage")
	if !ok || len(stored.Options) != 2 || stored.Options[0].ID != a.Options[0].ID || stored.Options[0].Color != "red" {
		t.Fatalf("stored stage = %+v", stored)
	}
	// Options are referred to by id, by {id} or by label.
	for _, ref := range []any{map[string]any{"id": a.Options[1].ID}, a.Options[1].ID, "customer"} {
		res := e.mustCreate(t, e.ws, body{"first_name": "S", "stage": ref})
		if res.Record.Values["stage"] != a.Options[1].ID {
			t.Fatalf("stage from %v = %v", ref, res.Record.Values["stage"])
		}
	}
	_, err = e.svc.Create(ctx, e.wc(e.ws), kith.People, input(t, body{"first_name": "S", "stage": "Churned"}))
	if ke := wantCode(t, err, kith.EInvalid); ke.Fields["customAttributes.stage"][0].Code != kith.FieldInvalidOption {
		t.Fatalf("errors = %v", ke.Fields)
	}
}

func testTokens(t *testing.T, e *env) {
	ctx := context.Background()
	secret, tok, err := e.svc.CreateToken(ctx, "acme", "ci", []kith.Scope{kith.ScopeRead}, e.clock)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, "kith_") || len(secret) < 40 {
		t.Fatalf("secret %q", secret)
	}
	got, err := e.svc.Authenticate(ctx, secret)
	if err != nil || got.ID != tok.ID || got.WorkspaceID != tok.WorkspaceID || !got.Allows(kith.ScopeRead) || got.Allows(kith.ScopeWrite) {
		t.Fatalf("authenticate = %+v, %v", got, err)
	}
	_, err = e.svc.Authenticate(ctx, secret+"x")
	wantCode(t, err, kith.EUnauthorized)
	// A second token of the same workspace name lands in the same workspace.
	_, tok2, err := e.svc.CreateToken(ctx, "acme", "ci2", []kith.Scope{kith.ScopeWrite}, e.clock)
	if err != nil || tok2.WorkspaceID != tok.WorkspaceID {
		t.Fatalf("second token: %+v %v", tok2, err)
	}
	_, err = e.svc.CreateWorkspace(ctx, "acme", e.clock)
	wantCode(t, err, kith.EConflict)
	// Bootstrap happens only on an empty database.
	if s, err := e.svc.Bootstrap(ctx, e.clock); err != nil || s != "" {
		t.Fatalf("bootstrap on a used database = %q, %v", s, err)
	}
}

// testConcurrentAsserts races 64 writers over 2,000 people. Person i has a
// primary p_i and a secondary s_i; each of its three bodies carries p_i in
// random letter case, half the people's bodies also s_i, some in reverse
// order. The end state: exactly one person per i with exactly the emails
// asserted for it, and no error.
func testConcurrentAsserts(t *testing.T, e *env) {
	const people, bodiesEach, workers = 2000, 3, 64
	if testing.Short() {
		t.Skip("slow")
	}
	type job struct {
		i      int
		emails []string
	}
	rng := rand.New(rand.NewPCG(1, 2))
	randomCase := func(s string) string {
		b := []byte(s)
		for i := range b {
			if rng.IntN(2) == 0 {
				b[i] = byte(strings.ToUpper(string(b[i]))[0])
			}
		}
		return string(b)
	}
	var jobs []job
	for i := range people {
		p, s := fmt.Sprintf("p%d@race.test", i), fmt.Sprintf("s%d@race.test", i)
		for n := range bodiesEach {
			emails := []string{randomCase(p)}
			if i%2 == 0 && n > 0 {
				emails = append(emails, s)
				if rng.IntN(3) == 0 {
					emails[0], emails[1] = emails[1], emails[0]
				}
			}
			jobs = append(jobs, job{i, emails})
		}
	}
	rng.Shuffle(len(jobs), func(a, b int) { jobs[a], jobs[b] = jobs[b], jobs[a] })

	ch := make(chan job)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []error
	for range workers {
		wg.Go(func() {
			for j := range ch {
				_, err := e.svc.Assert(context.Background(), e.wc2(), kith.People, "email",
					input(t, body{"first_name": fmt.Sprint("P", j.i), "emails": j.emails}))
				if err != nil {
					mu.Lock()
					failures = append(failures, err)
					mu.Unlock()
				}
			}
		})
	}
	for _, j := range jobs {
		ch <- j
	}
	close(ch)
	wg.Wait()
	for _, err := range failures[:min(len(failures), 5)] {
		t.Errorf("assert failed: %v", err)
	}
	if len(failures) > 0 {
		t.Fatalf("%d of %d asserts failed", len(failures), len(jobs))
	}

	seen := map[string]bool{}
	req := kith.ListRequest{Count: 100, UseCursor: true}
	total := 0
	for {
		p, err := e.svc.List(context.Background(), e.ws.ID, kith.People, req)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Records {
			total++
			var i int
			fmt.Sscanf(fmt.Sprint(r.Values["first_name"]), "P%d", &i)
			got := emails(r)
			for k := range got {
				got[k] = strings.ToLower(got[k])
			}
			slices.Sort(got)
			want := []string{fmt.Sprintf("p%d@race.test", i)}
			if i%2 == 0 {
				want = append(want, fmt.Sprintf("s%d@race.test", i))
			}
			if !slices.Equal(got, want) {
				t.Errorf("person %d has emails %v, want %v", i, got, want)
			}
			if seen[want[0]] {
				t.Errorf("person %d exists twice", i)
			}
			seen[want[0]] = true
		}
		if req.Cursor = p.NextCursor(); req.Cursor == "" {
			break
		}
	}
	if total != people {
		t.Fatalf("%d people, want %d", total, people)
	}
}

// testGroupedWritesFailAlone: concurrent writes share transactions (group
// commit); a write that fails validation or clashes fails alone, and the
// others of its group land.
func testGroupedWritesFailAlone(t *testing.T, e *env) {
	const writers = 200
	e.mustAssert(t, e.ws, "email", body{"first_name": "Taken", "emails": []string{"taken@group.test"}})
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			b := body{"first_name": fmt.Sprint("G", i), "emails": []string{fmt.Sprintf("g%d@group.test", i)}}
			switch i % 4 {
			case 1:
				b["emails"] = []string{"not-an-email"} // invalid
			case 2:
				b["emails"] = []string{"TAKEN@group.test"} // a create with another person's email
				_, errs[i] = e.svc.Create(context.Background(), e.wc2(), kith.People, input(t, b))
				return
			}
			_, errs[i] = e.svc.Assert(context.Background(), e.wc2(), kith.People, "email", input(t, b))
		})
	}
	wg.Wait()
	for i, err := range errs {
		want := map[int]kith.Code{0: "", 1: kith.EInvalid, 2: kith.EConflict, 3: ""}[i%4]
		if got := kith.Code(""); err != nil {
			got = kith.ErrorCode(err)
			if got != want {
				t.Errorf("write %d: %v, want %q", i, err, want)
			}
		} else if want != "" {
			t.Errorf("write %d succeeded, want %s", i, want)
		}
	}
	if n := e.count(t, e.ws); n != 1+writers/2 {
		t.Fatalf("%d people, want %d", n, 1+writers/2)
	}
}

// testTwoServers runs two Services on one store, as two Kith processes on
// one database run: each groups its own writes, so their transactions
// overlap in the database. 32 writers, half on each, assert one person
// again and again, each time with a new second email. Assert appends new
// emails, so the person ends with every one of them: a write that decided
// on a read another process's commit made stale would have dropped some.
func testTwoServers(t *testing.T, e *env) {
	const writers, rounds = 32, 10
	other := kith.NewService(e.store, kith.Normalizer{PhoneE164: phone.E164("")})
	var wg sync.WaitGroup
	errs := make(chan error, writers*rounds)
	var id atomic.Value
	for w := range writers {
		svc := e.svc
		if w%2 == 1 {
			svc = other
		}
		wg.Go(func() {
			for r := range rounds {
				emails := []string{"shared@two.test", fmt.Sprintf("w%d-r%d@two.test", w, r)}
				res, err := svc.Assert(context.Background(), e.wc2(), kith.People, "email", input(t, body{"first_name": "Two", "emails": emails}))
				if err != nil {
					errs <- err
					continue
				}
				id.Store(res.Record.ID)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("assert: %v", err)
	}
	res, err := e.svc.Get(context.Background(), e.ws.ID, kith.People, id.Load().(string))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := res.Record.Values["emails"].([]any)
	if len(got) != 1+writers*rounds {
		t.Fatalf("the person has %d emails, want %d: every assert's new email", len(got), 1+writers*rounds)
	}
	n, err := e.svc.List(context.Background(), e.ws.ID, kith.People, kith.ListRequest{Count: 10, Page: 1})
	if err != nil || n.Total != 1 {
		t.Fatalf("people: %+v, %v; want exactly one", n, err)
	}
}

// testSchemaChangedElsewhere: a server validates an assert on the schema it
// loaded last, before the write's transaction; when another server changed
// the schema since, the transaction sees it and validates again, so the
// change holds at once.
func testSchemaChangedElsewhere(t *testing.T, e *env) {
	ctx := context.Background()
	other := kith.NewService(e.store, kith.Normalizer{PhoneE164: phone.E164("")})
	assert := func(matching string, b body) (*kith.Result, error) {
		return other.Assert(ctx, e.wc2(), kith.People, matching, input(t, b))
	}
	if _, err := assert("email", body{"first_name": "Ann", "emails": []string{"ann@schema.test"}}); err != nil {
		t.Fatal(err) // other now holds the people schema
	}

	e.mustAttr(t, kith.People, kith.NewAttribute{Label: ptr("Badge"), Type: ptr(kith.TypeText), IsUnique: true})
	first, err := assert("badge", body{"first_name": "Bob", "badge": "B-1"})
	if err != nil || first.Outcome != kith.Created {
		t.Fatalf("assert by the new attribute: %+v, %v; want created", first, err)
	}
	again, err := assert("badge", body{"first_name": "Bobby", "badge": "B-1"})
	if err != nil || again.Outcome != kith.Updated || again.Record.ID != first.Record.ID {
		t.Fatalf("assert by the new attribute again: %+v, %v; want %s updated", again, err, first.Record.ID)
	}

	e.mustAttr(t, kith.People, kith.NewAttribute{Label: ptr("Team"), Type: ptr(kith.TypeText), IsRequired: true})
	_, err = assert("email", body{"first_name": "Cy", "emails": []string{"cy@schema.test"}})
	wantCode(t, err, kith.EInvalid)
}
