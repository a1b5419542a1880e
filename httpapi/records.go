package httpapi

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/kith-crm/kith"
)

// The record handlers serve people, companies and custom objects alike;
// a view (views.go) maps each object's JSON. Each takes the object's slug,
// or "" to read it from the path.

func objectSlug(r *http.Request, slug string) string {
	if slug != "" {
		return slug
	}
	return r.PathValue("slug")
}

// matchingAttribute reads the required ?matchingAttribute= of an assert.
func matchingAttribute(r *http.Request) (string, error) {
	m := r.URL.Query().Get("matchingAttribute")
	if m == "" {
		return "", kith.Errorf(kith.EBadRequest, "The query parameter matchingAttribute is required, e.g. ?matchingAttribute=email.")
	}
	return m, nil
}

// writeRecord writes one record in its view's envelope.
func writeRecord(w http.ResponseWriter, status int, res *kith.Result) {
	v := viewOf(res.Object.Slug)
	writeJSON(w, status, success(status, v.key(), v.render(res.Object, &res.Record, res.Related)))
}

func (s *Server) getRecord(slug string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		res, err := s.svc.Get(r.Context(), caller(r.Context()).WorkspaceID, objectSlug(r, slug), r.PathValue("id"))
		if err != nil {
			return err
		}
		writeRecord(w, http.StatusOK, res)
		return nil
	}
}

func (s *Server) createRecord(slug string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		slug := objectSlug(r, slug)
		body, err := decodeObject(r)
		if err != nil {
			return err
		}
		res, err := s.svc.Create(r.Context(), s.writeContext(w, r), slug, viewOf(slug).decode(body))
		if err != nil {
			return err
		}
		writeRecord(w, http.StatusCreated, res)
		return nil
	}
}

func (s *Server) assertRecord(slug string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		slug := objectSlug(r, slug)
		matching, err := matchingAttribute(r)
		if err != nil {
			return err
		}
		body, err := decodeObject(r)
		if err != nil {
			return err
		}
		res, err := s.svc.Assert(r.Context(), s.writeContext(w, r), slug, matching, viewOf(slug).decode(body))
		if err != nil {
			return err
		}
		status := http.StatusOK
		if res.Outcome == kith.Created {
			status = http.StatusCreated
		}
		writeRecord(w, status, res)
		return nil
	}
}

func (s *Server) patchRecord(slug string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		slug := objectSlug(r, slug)
		body, err := decodeObject(r)
		if err != nil {
			return err
		}
		res, err := s.svc.Patch(r.Context(), s.writeContext(w, r), slug, r.PathValue("id"), viewOf(slug).decode(body))
		if err != nil {
			return err
		}
		writeRecord(w, http.StatusOK, res)
		return nil
	}
}

func (s *Server) patchRelation(w http.ResponseWriter, r *http.Request) error {
	var patch kith.RelationPatch
	if err := decodeJSON(r, &patch); err != nil {
		return err
	}
	res, err := s.svc.UpdateRelation(r.Context(), s.writeContext(w, r), r.PathValue("slug"), r.PathValue("id"), patch)
	if err != nil {
		return err
	}
	writeRecord(w, http.StatusOK, res)
	return nil
}

func (s *Server) deleteRecord(slug string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := s.svc.Delete(r.Context(), s.writeContext(w, r), objectSlug(r, slug), r.PathValue("id")); err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, ordered{{"success", true}, {"status", http.StatusOK}, {"message", "Record deleted."}})
		return nil
	}
}

func (s *Server) listRecords(slug string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		slug := objectSlug(r, slug)
		req, err := parseList(r.URL.Query())
		if err != nil {
			return err
		}
		page, err := s.svc.List(r.Context(), caller(r.Context()).WorkspaceID, slug, req)
		if err != nil {
			return err
		}
		v := viewOf(slug)
		collection := make([]ordered, len(page.Records))
		for i := range page.Records {
			collection[i] = v.render(page.Object, &page.Records[i], page.Related)
		}
		writeJSON(w, http.StatusOK, ordered{
			{"success", true}, {"status", http.StatusOK},
			{"collection", collection},
			{"pagination", pagination(r.URL, req, page.Total, len(page.Records), page.NextCursor())},
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
func pagination(u *url.URL, req kith.ListRequest, total, count int, nextCursor string) ordered {
	if req.UseCursor {
		var next any
		if nextCursor != "" {
			next = nextCursor
		}
		return ordered{{"count", count}, {"nextCursor", next}}
	}
	totalPages := (total + req.Count - 1) / req.Count
	link := func(n int) any {
		if n < 1 || n > totalPages {
			return nil
		}
		q := u.Query()
		q.Set("page", strconv.Itoa(n))
		return u.Path + "?" + q.Encode()
	}
	return ordered{
		{"total", total},
		{"count", count},
		{"totalPages", totalPages},
		{"previousPage", link(req.Page - 1)},
		{"currentPage", req.Page},
		{"nextPage", link(req.Page + 1)},
	}
}
