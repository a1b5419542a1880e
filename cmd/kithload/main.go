// Command kithload measures a running Kith server over HTTP, and the raw
// database beside it, in one run, so every figure is a ratio to the floor.
//
// It starts nothing itself: point it at a server (kith serve) and, for the
// floor, at a database of its own (a SQLite file path or a postgres:// URL)
// that it fills with the simplest possible upsert of the same person data.
//
//	kithload -url http://127.0.0.1:8080 -token kith_… -mode single -c 32 -n 20000 -raw /tmp/raw.db
//	kithload -url … -token … -mode batch -n 100000 -raw postgres://…/test
//	kithload -url … -token … -mode list -n 2000
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "kithload:", err)
		os.Exit(1)
	}
}

type config struct {
	url, token, mode, raw, prefix string
	concurrency, n, batch, keys   int
	runs                          int
	timeout                       time.Duration
}

func run(ctx context.Context, args []string, out io.Writer) error {
	var cfg config
	fs := flag.NewFlagSet("kithload", flag.ContinueOnError)
	fs.StringVar(&cfg.url, "url", "http://127.0.0.1:8080", "Kith's base URL")
	fs.StringVar(&cfg.token, "token", os.Getenv("KITH_TOKEN"), "an API token with crm:write (env KITH_TOKEN)")
	fs.StringVar(&cfg.mode, "mode", "single", "single: one assert a request; batch: -batch records a request; list: cursor pages of 100")
	fs.IntVar(&cfg.concurrency, "c", 32, "concurrent requests")
	fs.IntVar(&cfg.n, "n", 20000, "records to assert (single, batch) or pages to read (list)")
	fs.IntVar(&cfg.batch, "batch", 1000, "records per batch request")
	fs.IntVar(&cfg.keys, "keys", 0, "distinct emails (default n/4: 25% of writes create, 75% update; n: every write creates)")
	fs.IntVar(&cfg.runs, "runs", 1, "single, batch: run the load (and the floor after it) this many times, each on new people, and report the median ratio")
	fs.StringVar(&cfg.raw, "raw", "", "also measure the raw floor on this database: a SQLite file path or a postgres:// URL")
	fs.StringVar(&cfg.prefix, "prefix", fmt.Sprintf("run%d", time.Now().UnixNano()%1_000_000), "email prefix; a new one asserts new people")
	fs.DurationVar(&cfg.timeout, "timeout", 30*time.Second, "per-request timeout")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cfg.token == "" && cfg.mode != "raw" {
		return errors.New("-token is required")
	}
	if cfg.keys <= 0 || cfg.keys > cfg.n {
		cfg.keys = max(cfg.n/4, 1)
	}
	switch cfg.mode {
	case "single", "batch":
		per := 1
		if cfg.mode == "batch" {
			per = cfg.batch
		}
		var ratios []float64
		for run := range max(cfg.runs, 1) {
			prefix := cfg.prefix
			if run > 0 {
				prefix = fmt.Sprintf("%s-%d", cfg.prefix, run)
			}
			load := newWorkload(prefix, cfg.n, cfg.keys)
			res, err := assertLoad(ctx, cfg, load, per)
			if err != nil {
				return err
			}
			res.print(out, "kith "+cfg.mode)
			if cfg.raw == "" {
				continue
			}
			floor, err := rawLoad(ctx, cfg, load, per)
			if err != nil {
				return err
			}
			floor.print(out, "raw  "+cfg.mode)
			ratios = append(ratios, 100*res.rate()/floor.rate())
			fmt.Fprintf(out, "ratio %s: %.1f%% of the raw floor (records/s)\n", cfg.mode, ratios[len(ratios)-1])
		}
		if len(ratios) > 1 {
			sort.Float64s(ratios)
			fmt.Fprintf(out, "median ratio %s over %d runs: %.1f%% (lowest %.1f%%, highest %.1f%%)\n",
				cfg.mode, len(ratios), ratios[len(ratios)/2], ratios[0], ratios[len(ratios)-1])
		}
		return nil
	case "list":
		res, err := listLoad(ctx, cfg)
		if err != nil {
			return err
		}
		res.print(out, "kith list")
		return nil
	}
	return fmt.Errorf("unknown -mode %q", cfg.mode)
}

// workload is the sequence of person writes both Kith and the floor get:
// n writes over keys emails, each email written n/keys times with a field
// that changes each time, in a shuffled order. With the default n/4 keys,
// 25% of writes create and 75% update.
type workload struct {
	prefix string
	items  []item
}

type item struct{ key, version int }

func newWorkload(prefix string, n, keys int) *workload {
	w := &workload{prefix: prefix, items: make([]item, 0, n)}
	for k := range keys {
		for v := range n / keys {
			w.items = append(w.items, item{k, v})
		}
	}
	// A fixed xorshift shuffle keeps runs comparable. Versions of a key stay
	// in order: the shuffle swaps whole positions, and then each key's
	// versions are renumbered in the order they now appear.
	state := uint64(0x9E3779B97F4A7C15)
	for i := len(w.items) - 1; i > 0; i-- {
		state ^= state << 13
		state ^= state >> 7
		state ^= state << 17
		j := int(state % uint64(i+1))
		w.items[i], w.items[j] = w.items[j], w.items[i]
	}
	next := make([]int, keys)
	for i := range w.items {
		k := w.items[i].key
		w.items[i].version = next[k]
		next[k]++
	}
	return w
}

func (w *workload) email(it item) string { return fmt.Sprintf("%s-p%d@load.example", w.prefix, it.key) }

// person is the seed's person body with the item's email and a job title
// that changes with each version.
func (w *workload) person(it item) string {
	return fmt.Sprintf(`{"firstName":"Jane","lastName":"Doe","salutation":"Ms","emails":[%q],`+
		`"jobTitle":"Head of Product %d","description":"Key decision-maker at Acme Corp.",`+
		`"phoneNumber":"+4930%09d","primaryLocation":"Berlin, Germany",`+
		`"socials":{"linkedin":"https://linkedin.com/in/janedoe"}}`, w.email(it), it.version, it.key)
}

// result is what one measured phase did.
type result struct {
	records, requests, errors int
	elapsed                   time.Duration
	latencies                 []time.Duration
	concurrency               int
	firstError                string
}

func (r *result) rate() float64 { return float64(r.records) / r.elapsed.Seconds() }

func (r *result) print(out io.Writer, name string) {
	sort.Slice(r.latencies, func(i, j int) bool { return r.latencies[i] < r.latencies[j] })
	pct := func(p float64) time.Duration {
		if len(r.latencies) == 0 {
			return 0
		}
		return r.latencies[min(len(r.latencies)-1, int(p*float64(len(r.latencies))))]
	}
	fmt.Fprintf(out, "%-11s c=%-3d %7d records %6d requests in %6.2fs: %9.0f records/s %8.0f requests/s  p50 %-9v p99 %-9v errors %d\n",
		name, r.concurrency, r.records, r.requests, r.elapsed.Seconds(), r.rate(), float64(r.requests)/r.elapsed.Seconds(),
		pct(0.50).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond), r.errors)
	if r.firstError != "" {
		fmt.Fprintf(out, "  first error: %s\n", r.firstError)
	}
}

// runConcurrently runs jobs 0..jobs-1 on c workers, timing each.
func runConcurrently(ctx context.Context, c, jobs int, fn func(ctx context.Context, job int) (records int, err error)) *result {
	res := &result{concurrency: c, latencies: make([]time.Duration, jobs)}
	var next, records, failures atomic.Int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for range c {
		wg.Go(func() {
			for {
				j := int(next.Add(1) - 1)
				if j >= jobs || ctx.Err() != nil {
					return
				}
				t0 := time.Now()
				n, err := fn(ctx, j)
				res.latencies[j] = time.Since(t0)
				records.Add(int64(n))
				if err != nil {
					failures.Add(1)
					mu.Lock()
					if res.firstError == "" {
						res.firstError = strings.TrimSpace(err.Error())
					}
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.records, res.requests, res.errors = int(records.Load()), jobs, int(failures.Load())
	return res
}
