package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

type api struct {
	cfg  config
	http *http.Client
}

func newAPI(cfg config) *api {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = cfg.concurrency * 2
	return &api{cfg: cfg, http: &http.Client{Transport: t, Timeout: cfg.timeout}}
}

// do sends a request and returns the body of a 2xx answer.
func (a *api) do(ctx context.Context, method, path, body string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(a.cfg.url, "/")+path, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+a.cfg.token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 300 {
		return nil, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, bytes.TrimSpace(data))
	}
	return data, nil
}

// assertLoad sends the workload as single asserts (per == 1) or as batches
// of per records.
func assertLoad(ctx context.Context, cfg config, w *workload, per int) (*result, error) {
	a := newAPI(cfg)
	if _, err := a.do(ctx, http.MethodGet, "/v2/crm/people?count=1", ""); err != nil {
		return nil, err
	}
	jobs := (len(w.items) + per - 1) / per
	if per == 1 {
		return runConcurrently(ctx, cfg.concurrency, jobs, func(ctx context.Context, j int) (int, error) {
			if _, err := a.do(ctx, http.MethodPut, "/v2/crm/people?matchingAttribute=email", w.person(w.items[j])); err != nil {
				return 0, err
			}
			return 1, nil
		}), nil
	}
	return runConcurrently(ctx, cfg.concurrency, jobs, func(ctx context.Context, j int) (int, error) {
		items := w.items[j*per : min((j+1)*per, len(w.items))]
		var b strings.Builder
		b.WriteString(`{"mode":"partial","records":[`)
		for i, it := range items {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(w.person(it))
		}
		b.WriteString("]}")
		data, err := a.do(ctx, http.MethodPut, "/v2/crm/people/batch?matchingAttribute=email", b.String())
		if err != nil {
			return 0, err
		}
		var out struct {
			Results []struct {
				Status string          `json:"status"`
				Error  json.RawMessage `json:"error"`
			} `json:"results"`
		}
		if err := json.Unmarshal(data, &out); err != nil {
			return 0, err
		}
		ok := 0
		for _, r := range out.Results {
			if r.Status == "error" {
				return ok, fmt.Errorf("batch item: %s", r.Error)
			}
			ok++
		}
		return ok, nil
	}), nil
}

// listLoad reads n pages of 100 people by cursor, one at a time, walking
// the whole list and starting over at its end.
func listLoad(ctx context.Context, cfg config) (*result, error) {
	a := newAPI(cfg)
	cursor := ""
	var failure error
	res := runConcurrently(ctx, 1, cfg.n, func(ctx context.Context, _ int) (int, error) {
		data, err := a.do(ctx, http.MethodGet, "/v2/crm/people?count=100&cursor="+url.QueryEscape(cursor), "")
		if err != nil {
			failure = err
			return 0, err
		}
		var page struct {
			Collection []json.RawMessage `json:"collection"`
			Pagination struct {
				NextCursor *string `json:"nextCursor"`
			} `json:"pagination"`
		}
		if err := json.Unmarshal(data, &page); err != nil {
			return 0, err
		}
		cursor = ""
		if page.Pagination.NextCursor != nil {
			cursor = *page.Pagination.NextCursor
		}
		return len(page.Collection), nil
	})
	if failure != nil && res.errors == res.requests {
		return nil, failure
	}
	return res, nil
}
