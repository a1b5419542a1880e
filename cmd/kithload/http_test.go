package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestAPI holds kithload's own HTTP/1.1 client to what net/http's server
// sends: small bodies with a length, large ones in chunks, errors, and a
// connection the server closes.
func TestAPI(t *testing.T) {
	large := strings.Repeat("x", 100_000) // beyond the server's buffer: chunked
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" {
			http.Error(w, "no token", http.StatusUnauthorized)
			return
		}
		body, _ := io.ReadAll(r.Body)
		switch r.URL.Path {
		case "/base/echo":
			w.Write([]byte(r.Method + " " + r.URL.RequestURI() + " " + string(body)))
		case "/base/large":
			w.Write([]byte(large))
		case "/base/close":
			w.Header().Set("Connection", "close")
			w.Write([]byte("bye"))
		default:
			http.Error(w, "missing", http.StatusNotFound)
		}
	}))
	defer srv.Close()
	a, err := newAPI(config{url: srv.URL + "/base/", token: "tok", timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for range 3 { // the same connection again and again
		got, err := a.do(ctx, http.MethodPut, "/echo?x=1", `{"a":1}`)
		if err != nil || string(got) != `PUT /base/echo?x=1 {"a":1}` {
			t.Fatalf("echo = %q, %v", got, err)
		}
		if got, err := a.do(ctx, http.MethodGet, "/large", ""); err != nil || string(got) != large {
			t.Fatalf("large body: %d bytes, %v; want %d", len(got), err, len(large))
		}
		if got, err := a.do(ctx, http.MethodGet, "/close", ""); err != nil || string(got) != "bye" {
			t.Fatalf("close = %q, %v", got, err)
		}
	}
	if _, err := a.do(ctx, http.MethodGet, "/nowhere", ""); err == nil || !strings.Contains(err.Error(), "404 missing") {
		t.Fatalf("missing path: %v; want the 404 and its body", err)
	}
	a.cfg.token = "bad"
	if _, err := a.do(ctx, http.MethodGet, "/echo", ""); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("bad token: %v; want 401", err)
	}
	if _, err := newAPI(config{url: "https://example.test"}); err == nil {
		t.Fatal("https: want an error, kithload speaks plain http")
	}
}
