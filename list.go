package kith

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strconv"
)

// ListRequest asks for one page of an object's records.
type ListRequest struct {
	Count int // 1–100
	// Page (1-based) selects page mode, with totals. UseCursor selects
	// keyset mode: Cursor "" is the first page.
	Page      int
	UseCursor bool
	Cursor    string
	// FilterAttribute and FilterValue ask for the records whose keyed
	// attribute has the value (?email=, ?phone_number=, ?<unique>=).
	FilterAttribute string
	FilterValue     string
}

// List returns one page of an object's records in creation order.
func (s *Service) List(ctx context.Context, ws, slug string, req ListRequest) (*Page, error) {
	if req.Count < 1 || req.Count > 100 {
		return nil, Errorf(EBadRequest, "count must be from 1 to 100.")
	}
	q := ListQuery{Limit: req.Count + 1} // one more tells whether a page follows
	if req.UseCursor {
		after, err := decodeCursor(req.Cursor)
		if err != nil {
			return nil, err
		}
		q.After = after
	} else {
		if req.Page < 1 {
			return nil, Errorf(EBadRequest, "page must be 1 or more.")
		}
		q.Offset = (req.Page - 1) * req.Count
	}
	var page Page
	err := s.store.Read(ctx, ws, func(tx Tx) error {
		obj, err := s.object(ctx, tx, slug)
		if err != nil {
			return err
		}
		page.Object = obj
		if req.FilterAttribute != "" {
			if q.Key, err = s.filterKey(obj, req.FilterAttribute, req.FilterValue); err != nil {
				return err
			}
		}
		if page.Records, err = tx.ListRecords(ctx, slug, q); err != nil {
			return err
		}
		if page.Related, err = s.related(ctx, tx, obj, page.Records); err != nil {
			return err
		}
		if !req.UseCursor {
			page.Total, err = tx.CountRecords(ctx, slug, q.Key)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(page.Records) > req.Count {
		page.Records, page.More = page.Records[:req.Count], true
	}
	return &page, nil
}

// filterKey turns a list filter into the match key it looks up. The value
// is taken as a JSON string, or as a JSON literal for numbers.
func (s *Service) filterKey(obj *Object, name, value string) (*MatchKey, error) {
	a, ok := obj.resolveAttribute(name)
	if !ok || !a.Keyed() {
		return nil, Errorf(EBadRequest, "%s cannot be filtered by %q; filter by one of: %s.", obj.Slug, name, obj.attributeKeys((*Attribute).Keyed))
	}
	one := *a // a filter names one value, also of a multi-value attribute
	one.IsMultiValue = false
	p := Problems{}
	v, ok := s.norm.prepareValue(&one, name, json.RawMessage(strconv.Quote(value)), p)
	if !ok {
		if v, ok = s.norm.prepareValue(&one, name, json.RawMessage(value), Problems{}); !ok {
			return nil, &Error{Code: EBadRequest, Message: "The filter value is not valid.", Fields: p}
		}
	}
	return &MatchKey{Attribute: a.Key, Value: s.norm.matchValues(&one, v)[0]}, nil
}

// NextCursor returns the cursor of the page after p, "" on the last page.
func (p *Page) NextCursor() string {
	if !p.More || len(p.Records) == 0 {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(p.Records[len(p.Records)-1].ID))
}

func decodeCursor(c string) (string, error) {
	if c == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return "", Errorf(EBadRequest, "cursor is not a cursor this server returned.")
	}
	return string(b), nil
}
