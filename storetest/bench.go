package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kith-crm/kith"
	"github.com/kith-crm/kith/phone"
)

// BenchmarkAssert measures one assert by email (an update that changes a
// field, as sync jobs send) with 1,000 and with 100,000 people stored. The
// match-key index makes both the same index lookup, so the two latencies
// should stay within a small factor of each other.
func BenchmarkAssert(b *testing.B, open func(testing.TB) kith.Store) {
	for _, size := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("people=%d", size), func(b *testing.B) {
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
			person := func(i, version int) kith.Input {
				return input(b, body{
					"first_name": "Jane", "last_name": fmt.Sprint("Doe ", version), "salutation": "Ms",
					"emails":    []string{fmt.Sprintf("person%d@bench.example", i)},
					"job_title": "Head of Product", "description": "Key decision-maker at Acme Corp.",
					"phone_number": fmt.Sprintf("+4930%09d", i), "primary_location": "Berlin, Germany",
					"linkedin": "https://linkedin.com/in/janedoe",
				})
			}
			seed := make([]kith.Input, size)
			for i := range size {
				seed[i] = person(i, 0)
			}
			if _, err := svc.AssertBatch(ctx, wc(), kith.People, "email", seed, true); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for n := 0; b.Loop(); n++ {
				if _, err := svc.Assert(ctx, wc(), kith.People, "email", person(n%size, n+1)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
