// Command kith is the Kith CRM API server and its administration CLI.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	_ "net/http/pprof" // served only on --debug-addr
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/kith-crm/kith"
	"github.com/kith-crm/kith/httpapi"
	"github.com/kith-crm/kith/phone"
	"github.com/kith-crm/kith/postgres"
	"github.com/kith-crm/kith/sqlite"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "kith:", err)
		os.Exit(1)
	}
}

const usage = `Kith, a self-hosted CRM API server.

Usage:
  kith serve [--addr HOST:PORT] [--db PATH|postgres://URL] [--phone-region CC] [--debug-addr HOST:PORT]
  kith token create [--db …] --workspace NAME [--scopes crm:read,crm:write] [--name NAME]
  kith migrate [--db …]

Environment: KITH_ADDR, KITH_DB, KITH_PHONE_REGION, KITH_DEBUG_ADDR (flags win).
`

// config is every setting of Kith: defaults, then KITH_* variables, then
// flags.
type config struct {
	Addr        string
	DB          string
	PhoneRegion string
	DebugAddr   string
}

func (c *config) bind(fs *flag.FlagSet, getenv func(string) string) {
	c.Addr = envOr(getenv, "KITH_ADDR", "127.0.0.1:8080")
	c.DB = envOr(getenv, "KITH_DB", "./kith-data/kith.db")
	c.PhoneRegion = getenv("KITH_PHONE_REGION")
	fs.StringVar(&c.DB, "db", c.DB, "SQLite file path, or a postgres:// URL (env KITH_DB)")
	fs.StringVar(&c.PhoneRegion, "phone-region", c.PhoneRegion, "region for phone numbers without +, e.g. DE (env KITH_PHONE_REGION)")
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

// run is the whole program; main only supplies the process's arguments,
// environment and streams.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		return serve(ctx, rest, getenv, stdout, stderr)
	case "token":
		if len(rest) == 0 || rest[0] != "create" {
			fmt.Fprint(stderr, usage)
			return errors.New("usage: kith token create --workspace NAME")
		}
		return tokenCreate(ctx, rest[1:], getenv, stdout, stderr)
	case "migrate":
		return migrateCmd(ctx, rest, getenv, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("kith "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// openStore opens the database a --db value names.
func openStore(ctx context.Context, dsn string) (kith.Store, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return postgres.Open(ctx, dsn)
	}
	return sqlite.Open(ctx, dsn)
}

func newService(store kith.Store, cfg config) *kith.Service {
	return kith.NewService(store, kith.Normalizer{PhoneE164: phone.E164(cfg.PhoneRegion)})
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var cfg config
	fs := newFlags("serve", stderr)
	cfg.bind(fs, getenv)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "address to listen on (env KITH_ADDR)")
	fs.StringVar(&cfg.DebugAddr, "debug-addr", getenv("KITH_DEBUG_ADDR"), "if set, serve Go's profiler (/debug/pprof/) on this address (env KITH_DEBUG_ADDR)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	tuneGC(getenv)
	store, err := openStore(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer store.Close()
	svc := newService(store, cfg)
	secret, err := svc.Bootstrap(ctx, time.Now())
	if err != nil {
		return err
	}
	if secret != "" {
		fmt.Fprintln(stdout, "token:", secret)
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	var unused connSet
	srv := &http.Server{
		Handler:           httpapi.New(svc, log, time.Now).Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ConnState:         unused.track,
	}
	if cfg.DebugAddr != "" {
		debug, err := net.Listen("tcp", cfg.DebugAddr)
		if err != nil {
			return err
		}
		defer debug.Close()
		go http.Serve(debug, http.DefaultServeMux) // net/http/pprof registers there
		fmt.Fprintf(stdout, "profiler on http://%s/debug/pprof/\n", debug.Addr())
	}
	fmt.Fprintf(stdout, "listening on http://%s\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Shutdown waits for requests in flight, but also, for up to five
	// seconds, for connections that never sent one (clients dial spares):
	// those have nothing to finish. It calls closeAll once the listener is
	// closed.
	srv.RegisterOnShutdown(unused.closeAll)
	return srv.Shutdown(shutdownCtx)
}

// tuneGC trades memory for CPU unless GOGC or GOMEMLIMIT say otherwise: a
// server's heap is small (about 30 MB serving a million people), so
// collecting at 4x the live heap instead of 2x halves the collector's
// share of a write, and a 160 MiB soft limit keeps the heap from growing
// past that.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(160 << 20)
	}
}

// connSet tracks connections that have not sent a request yet.
type connSet struct {
	mu    sync.Mutex
	conns map[net.Conn]bool
}

func (s *connSet) track(c net.Conn, state http.ConnState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conns == nil {
		s.conns = map[net.Conn]bool{}
	}
	if state == http.StateNew {
		s.conns[c] = true
	} else {
		delete(s.conns, c)
	}
}

func (s *connSet) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.Close()
	}
}

func tokenCreate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var cfg config
	fs := newFlags("token create", stderr)
	cfg.bind(fs, getenv)
	workspace := fs.String("workspace", "default", "workspace name; created when missing")
	scopes := fs.String("scopes", "crm:read,crm:write", "comma-separated scopes: crm:read, crm:write")
	name := fs.String("name", "cli", "a name to recognise the token by")
	if err := fs.Parse(args); err != nil {
		return err
	}
	sc, err := kith.ParseScopes(*scopes)
	if err != nil {
		return err
	}
	store, err := openStore(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer store.Close()
	secret, _, err := newService(store, cfg).CreateToken(ctx, *workspace, *name, sc, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, secret)
	return nil
}

func migrateCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var cfg config
	fs := newFlags("migrate", stderr)
	cfg.bind(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return err
	}
	store, err := openStore(ctx, cfg.DB) // opening applies pending migrations
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "migrations applied")
	return store.Close()
}
