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
	maxBody      = 1 << 20
	maxBatchBody = 16 << 20
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

	mux.Handle("GET /v2/crm/objects", s.route(kith.ScopeRead, s.listObjects))
	mux.Handle("POST /v2/crm/objects", s.route(kith.ScopeWrite, s.createObject))
	mux.Handle("GET /v2/crm/objects/{slug}", s.route(kith.ScopeRead, s.getObject))
	mux.Handle("PATCH /v2/crm/objects/{slug}", s.route(kith.ScopeWrite, s.patchObject))
	mux.Handle("DELETE /v2/crm/objects/{slug}", s.route(kith.ScopeWrite, s.deleteObject))
	mux.Handle("POST /v2/crm/objects/{slug}/attributes", s.route(kith.ScopeWrite, s.addAttribute))
	mux.Handle("PATCH /v2/crm/objects/{slug}/attributes/{key}", s.route(kith.ScopeWrite, s.patchAttribute))
	mux.Handle("DELETE /v2/crm/objects/{slug}/attributes/{key}", s.route(kith.ScopeWrite, s.deleteAttribute))

	// People and companies have their own paths and JSON; "" routes take
	// the custom object's slug from the path.
	for _, slug := range []string{kith.People, kith.Companies, ""} {
		base := "/v2/crm/" + slug
		if slug == "" {
			base = "/v2/crm/{slug}"
		}
		mux.Handle("GET "+base, s.route(kith.ScopeRead, s.listRecords(slug)))
		mux.Handle("POST "+base, s.route(kith.ScopeWrite, s.createRecord(slug)))
		mux.Handle("PUT "+base, s.route(kith.ScopeWrite, s.assertRecord(slug)))
		mux.Handle("PUT "+base+"/batch", s.routeLimit(kith.ScopeWrite, maxBatchBody, s.assertBatch(slug)))
		mux.Handle("GET "+base+"/{id}", s.route(kith.ScopeRead, s.getRecord(slug)))
		mux.Handle("PATCH "+base+"/{id}", s.route(kith.ScopeWrite, s.patchRecord(slug)))
		mux.Handle("DELETE "+base+"/{id}", s.route(kith.ScopeWrite, s.deleteRecord(slug)))
	}
	mux.Handle("PATCH /v2/crm/{slug}/{id}/relation", s.route(kith.ScopeWrite, s.patchRelation))
	return mux
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"success":true,"status":200}` + "\n"))
}
