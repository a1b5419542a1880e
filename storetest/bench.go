package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kith-crm/kith"
	"github.com/kith-crm/kith/phone"
)

// BenchmarkAssert measures one assert (an update that changes a field, as
// sync jobs send) with 1,000 and with 100,000 records stored, for each kind
// of key: a person by email, a company by domain, a custom object's record
// by a unique attribute. The match-key index makes each an index lookup, so
// the latency at 100k should stay within a small factor of that at 1k.
func BenchmarkAssert(b *testing.B, open func(testing.TB) kith.Store) {
	cases := []struct {
		name, slug, matching string
		setup                func(b *testing.B, svc *kith.Service, wc kith.WriteContext)
		body                 func(b *testing.B, i, version int) kith.Input
	}{
		{
			name: "people-by-email", slug: kith.People, matching: "email",
			body: func(b *testing.B, i, version int) kith.Input {
				return input(b, body{
					"first_name": "Jane", "last_name": fmt.Sprint("Doe ", version), "salutation": "Ms",
					"emails":    []string{fmt.Sprintf("person%d@bench.example", i)},
					"job_title": "Head of Product", "description": "Key decision-maker at Acme Corp.",
					"phone_number": fmt.Sprintf("+4930%09d", i), "primary_location": "Berlin, Germany",
					"linkedin": "https://linkedin.com/in/janedoe",
				})
			},
		},
		{
			name: "companies-by-domain", slug: kith.Companies, matching: "domain",
			body: func(b *testing.B, i, version int) kith.Input {
				return flat(b, body{"name": fmt.Sprint("Company ", version), "domain": fmt.Sprintf("company%d.example", i),
					"primary_location": "Berlin, Germany"})
			},
		},
		{
			name: "deals-by-unique-attribute", slug: "deals", matching: "deal_number",
			setup: func(b *testing.B, svc *kith.Service, wc kith.WriteContext) {
				ctx := context.Background()
				if _, err := svc.CreateObject(ctx, wc, kith.NewObject{Slug: ptr("deals"), SingularName: ptr("Deal"), PluralName: ptr("Deals")}); err != nil {
					b.Fatal(err)
				}
				for _, spec := range []kith.NewAttribute{
					{Label: ptr("Deal Number"), Type: ptr(kith.TypeText), IsUnique: true},
					{Label: ptr("Title"), Type: ptr(kith.TypeText)},
					{Label: ptr("Amount"), Type: ptr(kith.TypeCurrency), Currency: "EUR"},
				} {
					if _, err := svc.AddAttribute(ctx, wc, "deals", spec); err != nil {
						b.Fatal(err)
					}
				}
			},
			body: func(b *testing.B, i, version int) kith.Input {
				return flat(b, body{"deal_number": fmt.Sprintf("D-%07d", i), "title": fmt.Sprint("Deal ", version), "amount": 1000 + i})
			},
		},
	}
	for _, bc := range cases {
		for _, size := range []int{1_000, 100_000} {
			b.Run(fmt.Sprintf("%s/records=%d", bc.name, size), func(b *testing.B) {
				store := open(b)
				svc := kith.NewService(store, kith.Normalizer{PhoneE164: phone.E164("")})
				ctx := context.Background()
				ws, err := svc.CreateWorkspace(ctx, "bench", time.Now())
				if err != nil {
					b.Fatal(err)
				}
				wc := func() kith.WriteContext {
					return kith.WriteContext{WorkspaceID: ws.ID, Now: time.Now().UTC().Truncate(time.Microsecond)}
				}
				if bc.setup != nil {
					bc.setup(b, svc, wc())
				}
				seed := make([]kith.Input, size)
				for i := range size {
					seed[i] = bc.body(b, i, 0)
				}
				if _, err := svc.AssertBatch(ctx, wc(), bc.slug, bc.matching, seed, true); err != nil {
					b.Fatal(err)
				}
				b.ResetTimer()
				for n := 0; b.Loop(); n++ {
					if _, err := svc.Assert(ctx, wc(), bc.slug, bc.matching, bc.body(b, n%size, n+1)); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
