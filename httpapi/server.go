// Package httpapi serves the Zeeg CRM v2 API over a kith.Service.
package httpapi

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/kith-crm/kith"
)

// Body limits.
const (
	maxBody = 1 << 20
)

// Server is Kith's HTTP API.
type Server struct {
	svc    *kith.Service
	log    *slog.Logger
	now    func() time.Time
	tokens *tokenCache
}

// New returns a Server; now is its clock.
func New(svc *kith.Service, log *slog.Logger, now func() time.Time) *Server {
	return &Server{svc: svc, log: log, now: now, tokens: newTokenCache(svc, now)}
}

// Handler returns the API's handler. Every route is listed here.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.Handle("/", s.route(kith.ScopeRead, func(w http.ResponseWriter, r *http.Request) error {
		return kith.Errorf(kith.ENotFound, "There is no endpoint %s %s.", r.Method, r.URL.Path)
	}))

	mux.Handle("GET /v2/crm/objects/{slug}", s.route(kith.ScopeRead, s.getObject))
	mux.Handle("POST /v2/crm/objects/{slug}/attributes", s.route(kith.ScopeWrite, s.addAttribute))

	people := standardResource{slug: kith.People, key: "person"}
	mux.Handle("GET /v2/crm/people", s.route(kith.ScopeRead, s.listStandard(people)))
	mux.Handle("POST /v2/crm/people", s.route(kith.ScopeWrite, s.createStandard(people)))
	mux.Handle("PUT /v2/crm/people", s.route(kith.ScopeWrite, s.assertStandard(people)))
	mux.Handle("GET /v2/crm/people/{id}", s.route(kith.ScopeRead, s.getStandard(people)))
	mux.Handle("PATCH /v2/crm/people/{id}", s.route(kith.ScopeWrite, s.patchStandard(people)))
	mux.Handle("DELETE /v2/crm/people/{id}", s.route(kith.ScopeWrite, s.deleteStandard(people)))
	return mux
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"success":true,"status":200}` + "\n"))
}
