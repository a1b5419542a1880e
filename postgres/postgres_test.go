package postgres_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kith-crm/kith"
	"github.com/kith-crm/kith/httpapi"
	"github.com/kith-crm/kith/internal/teststore"
	"github.com/kith-crm/kith/postgres"
	"github.com/kith-crm/kith/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, teststore.Postgres)
}

func BenchmarkAssert(b *testing.B) { storetest.BenchmarkAssert(b, teststore.Postgres) }

// globalTables are the tables looked up before a workspace is known; every
// other table holds CRM data and must be distributable by workspace.
var globalTables = map[string]bool{"workspaces": true, "api_tokens": true, "schema_migrations": true}

// TestKeysBeginWithWorkspace reads the live catalog: every primary key and
// unique index of a CRM data table begins with workspace_id, and every such
// table has a primary key (docs/scaling.md relies on both).
func TestKeysBeginWithWorkspace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := teststore.PostgresConfig(t)
	store, err := postgres.OpenConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	store.Close()
	conn, err := pgx.ConnectConfig(ctx, cfg.ConnConfig)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)

	rows, _ := conn.Query(ctx, `
		SELECT c.relname, COALESCE(i.relname, ''), COALESCE(x.indisprimary, false), COALESCE(a.attname, '')
		FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		LEFT JOIN pg_index x ON x.indrelid = c.oid AND (x.indisprimary OR x.indisunique)
		LEFT JOIN pg_class i ON i.oid = x.indexrelid
		LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = x.indkey[0]
		WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
		ORDER BY 1, 2`)
	type key struct {
		Table, Index string
		Primary      bool
		First        string // the index's first column
	}
	keys, err := pgx.CollectRows(rows, pgx.RowToStructByPos[key])
	if err != nil {
		t.Fatal(err)
	}
	hasPrimary := map[string]bool{}
	for _, k := range keys {
		if globalTables[k.Table] {
			continue
		}
		hasPrimary[k.Table] = hasPrimary[k.Table] || k.Primary
		if k.Index != "" && k.First != "workspace_id" {
			t.Errorf("%s: unique index %s begins with %q, not workspace_id", k.Table, k.Index, k.First)
		}
	}
	for _, table := range []string{"objects", "attributes", "records", "match_keys", "tombstones"} {
		if _, ok := hasPrimary[table]; !ok {
			t.Errorf("table %s is missing from the catalog of %s", table, cfg.ConnConfig.RuntimeParams["search_path"])
		}
	}
	for table, ok := range hasPrimary {
		if !ok {
			t.Errorf("%s has no primary key", table)
		}
	}
}

// TestConcurrentOpen starts several processes' worth of stores on one
// empty schema at once: the migration lock lets each migration run once.
func TestConcurrentOpen(t *testing.T) {
	t.Parallel()
	cfg := teststore.PostgresConfig(t)
	errs := make(chan error, 4)
	for range cap(errs) {
		go func() {
			s, err := postgres.OpenConfig(context.Background(), cfg)
			if err == nil {
				s.Close()
			}
			errs <- err
		}()
	}
	for range cap(errs) {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func TestCancelledContextIsUnavailable(t *testing.T) {
	t.Parallel()
	store := teststore.Postgres(t)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel := context.WithTimeout(context.Background(), -time.Second)
	defer cancel()
	for name, ctx := range map[string]context.Context{"cancelled": cancelled, "expired": expired} {
		err := store.Read(ctx, "ws", func(tx kith.Tx) error {
			_, err := tx.ObjectRow(ctx, kith.People)
			return err
		})
		if code := kith.ErrorCode(err); code != kith.EUnavailable {
			t.Errorf("%s: error code = %s (%v), want %s", name, code, err, kith.EUnavailable)
		}
	}
}

// TestOutage cuts the network between Kith and PostgreSQL: requests answer
// 503 with Retry-After, promptly and never 500, and the same store serves
// again once the network is back.
func TestOutage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := teststore.PostgresConfig(t)
	p := startProxy(t, net.JoinHostPort(cfg.ConnConfig.Host, strconv.Itoa(int(cfg.ConnConfig.Port))))
	host, port, _ := net.SplitHostPort(p.addr)
	portNum, _ := strconv.Atoi(port)
	cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Fallbacks = host, uint16(portNum), nil
	store, err := postgres.OpenConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })

	svc := kith.NewService(store, kith.Normalizer{})
	secret, _, err := svc.CreateToken(ctx, "default", "t", []kith.Scope{kith.ScopeRead, kith.ScopeWrite}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.New(svc, slog.New(slog.DiscardHandler), time.Now).Handler())
	defer srv.Close()
	client := &http.Client{Timeout: 20 * time.Second}
	do := func(method, path, body string) *http.Response {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+secret)
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	const list = "/v2/crm/people"
	const assert = "/v2/crm/people?matchingAttribute=emails"
	put := func(n int) string { return `{"firstName":"Jane","emails":["jane` + strconv.Itoa(n) + `@acme.com"]}` }

	// The first request also puts the token in the server's cache, so the
	// requests during the outage reach the store past authentication.
	if res := do("GET", list, ""); res.StatusCode != http.StatusOK {
		t.Fatalf("before the outage: GET = %d, want 200", res.StatusCode)
	}
	if res := do("PUT", assert, put(1)); res.StatusCode >= 300 {
		t.Fatalf("before the outage: PUT = %d, want 2xx", res.StatusCode)
	}

	p.cut()
	for i, r := range []struct{ method, path, body string }{
		{"GET", list, ""}, {"PUT", assert, put(2)}, {"GET", list, ""}, {"PUT", assert, put(3)},
	} {
		start := time.Now()
		res := do(r.method, r.path, r.body)
		if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
			t.Errorf("outage request %d: %s = %d with Retry-After %q, want 503 with Retry-After",
				i, r.method, res.StatusCode, res.Header.Get("Retry-After"))
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("outage request %d: %s took %v, want an answer within seconds", i, r.method, d)
		}
	}

	p.restore(t)
	// A pooled connection the outage broke may still be handed out once;
	// it answers 503 too, and the next request gets a fresh connection.
	deadline := time.Now().Add(10 * time.Second)
	for _, r := range []struct {
		method, path, body string
	}{{"GET", list, ""}, {"PUT", assert, put(4)}} {
		for {
			res := do(r.method, r.path, r.body)
			if res.StatusCode < 300 {
				break
			}
			if res.StatusCode != http.StatusServiceUnavailable || time.Now().After(deadline) {
				t.Fatalf("after the outage: %s = %d, want 2xx", r.method, res.StatusCode)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}

// proxy forwards TCP connections to a target. cut closes every connection
// and refuses new ones; restore listens again on the same address.
type proxy struct {
	target, addr string

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]bool
}

func startProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{target: target, addr: ln.Addr().String(), conns: map[net.Conn]bool{}}
	p.serve(ln)
	t.Cleanup(p.cut)
	return p
}

func (p *proxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.forward(c)
		}
	}()
}

func (p *proxy) forward(client net.Conn) {
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		client.Close()
		return
	}
	p.mu.Lock()
	live := p.ln != nil // a cut between Accept and here closes this pair too
	if live {
		p.conns[client], p.conns[server] = true, true
	}
	p.mu.Unlock()
	if !live {
		client.Close()
		server.Close()
		return
	}
	go func() {
		io.Copy(server, client)
		server.Close()
		client.Close()
	}()
	io.Copy(client, server)
	client.Close()
	server.Close()
	p.mu.Lock()
	delete(p.conns, client)
	delete(p.conns, server)
	p.mu.Unlock()
}

func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

func (p *proxy) restore(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		t.Fatalf("restore proxy: %v", err)
	}
	p.serve(ln)
}
