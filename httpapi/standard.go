package httpapi

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/kith-crm/kith"
)

// standardResource is a standard object served under its own path
// (/v2/crm/people) with camelCase bodies.
type standardResource struct {
	slug string // people
	key  string // person: the envelope key of one record
}

func (s *Server) getStandard(res standardResource) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		out, err := s.svc.Get(r.Context(), caller(r.Context()).WorkspaceID, res.slug, r.PathValue("id"))
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, success(http.StatusOK, res.key, renderStandard(out.Object, &out.Record)))
		return nil
	}
}

func (s *Server) createStandard(res standardResource) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		body, err := decodeObject(r)
		if err != nil {
			return err
		}
		out, err := s.svc.Create(r.Context(), s.writeContext(w, r), res.slug, decodeStandard(res.slug, body))
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusCreated, success(http.StatusCreated, res.key, renderStandard(out.Object, &out.Record)))
		return nil
	}
}

func (s *Server) assertStandard(res standardResource) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		matching := r.URL.Query().Get("matchingAttribute")
		if matching == "" {
			return kith.Errorf(kith.EBadRequest, "The query parameter matchingAttribute is required, e.g. ?matchingAttribute=email.")
		}
		body, err := decodeObject(r)
		if err != nil {
			return err
		}
		out, err := s.svc.Assert(r.Context(), s.writeContext(w, r), res.slug, matching, decodeStandard(res.slug, body))
		if err != nil {
			return err
		}
		status := http.StatusOK
		if out.Outcome == kith.Created {
			status = http.StatusCreated
		}
		writeJSON(w, status, success(status, res.key, renderStandard(out.Object, &out.Record)))
		return nil
	}
}

func (s *Server) patchStandard(res standardResource) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		body, err := decodeObject(r)
		if err != nil {
			return err
		}
		out, err := s.svc.Patch(r.Context(), s.writeContext(w, r), res.slug, r.PathValue("id"), decodeStandard(res.slug, body))
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, success(http.StatusOK, res.key, renderStandard(out.Object, &out.Record)))
		return nil
	}
}

func (s *Server) deleteStandard(res standardResource) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		return s.deleteRecord(w, r, res.slug)
	}
}

func (s *Server) deleteRecord(w http.ResponseWriter, r *http.Request, slug string) error {
	if err := s.svc.Delete(r.Context(), s.writeContext(w, r), slug, r.PathValue("id")); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ordered{{"success", true}, {"status", http.StatusOK}, {"message", "Record deleted."}})
	return nil
}

func (s *Server) listStandard(res standardResource) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		req, err := parseList(r.URL.Query())
		if err != nil {
			return err
		}
		page, err := s.svc.List(r.Context(), caller(r.Context()).WorkspaceID, res.slug, req)
		if err != nil {
			return err
		}
		collection := make([]ordered, len(page.Records))
		for i := range page.Records {
			collection[i] = renderStandard(page.Object, &page.Records[i])
		}
		writeJSON(w, http.StatusOK, ordered{
			{"success", true}, {"status", http.StatusOK},
			{"collection", collection},
			{"pagination", pagination(r.URL, req, page)},
		})
		return nil
	}
}

// parseList reads count, page or cursor, and at most one exact-lookup
// filter (?email=, ?phone_number=, ?<unique attribute>=).
func parseList(q url.Values) (kith.ListRequest, error) {
	req := kith.ListRequest{Count: 20, Page: 1}
	for name, values := range q {
		v := values[0]
		var err error
		switch name {
		case "count":
			req.Count, err = strconv.Atoi(v)
		case "page":
			req.Page, err = strconv.Atoi(v)
		case "cursor":
			req.UseCursor, req.Cursor = true, v
		default:
			if req.FilterAttribute != "" {
				return req, kith.Errorf(kith.EBadRequest, "A list takes one filter; got %s and %s.", req.FilterAttribute, name)
			}
			req.FilterAttribute, req.FilterValue = name, v
		}
		if err != nil {
			return req, kith.Errorf(kith.EBadRequest, "%s must be a whole number, got %q.", name, v)
		}
	}
	if req.UseCursor && q.Has("page") {
		return req, kith.Errorf(kith.EBadRequest, "Use page or cursor, not both.")
	}
	return req, nil
}

// pagination describes a page: totals and page links in page mode, the
// next cursor in cursor mode.
func pagination(u *url.URL, req kith.ListRequest, page *kith.Page) ordered {
	if req.UseCursor {
		var next any
		if c := page.NextCursor(); c != "" {
			next = c
		}
		return ordered{{"count", len(page.Records)}, {"nextCursor", next}}
	}
	totalPages := (page.Total + req.Count - 1) / req.Count
	link := func(n int) any {
		if n < 1 || n > totalPages {
			return nil
		}
		q := u.Query()
		q.Set("page", strconv.Itoa(n))
		return u.Path + "?" + q.Encode()
	}
	return ordered{
		{"total", page.Total},
		{"count", len(page.Records)},
		{"totalPages", totalPages},
		{"previousPage", link(req.Page - 1)},
		{"currentPage", req.Page},
		{"nextPage", link(req.Page + 1)},
	}
}
