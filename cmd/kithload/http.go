package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// api speaks HTTP/1.1 to the server itself, over keep-alive connections,
// one request at a time on each. The load generator shares the machine with
// the server and the database, so it takes as little CPU as it can: no
// goroutines per connection, no header maps, one buffer each way.
type api struct {
	cfg  config
	addr string // host:port
	host string // the Host header
	base string // the path prefix of -url

	mu   sync.Mutex
	idle []*conn
}

type conn struct {
	c   net.Conn
	r   *bufio.Reader
	buf []byte
}

func newAPI(cfg config) (*api, error) {
	u, err := url.Parse(cfg.url)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("-url %q: kithload speaks plain http", cfg.url)
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "80")
	}
	return &api{cfg: cfg, addr: addr, host: u.Host, base: strings.TrimRight(u.Path, "/")}, nil
}

func (a *api) get(ctx context.Context) (*conn, error) {
	a.mu.Lock()
	if n := len(a.idle); n > 0 {
		c := a.idle[n-1]
		a.idle = a.idle[:n-1]
		a.mu.Unlock()
		return c, nil
	}
	a.mu.Unlock()
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", a.addr)
	if err != nil {
		return nil, err
	}
	return &conn{c: c, r: bufio.NewReaderSize(c, 64<<10)}, nil
}

func (a *api) put(c *conn) {
	a.mu.Lock()
	a.idle = append(a.idle, c)
	a.mu.Unlock()
}

// do sends a request and returns the body of a 2xx answer.
func (a *api) do(ctx context.Context, method, path, body string) ([]byte, error) {
	c, err := a.get(ctx)
	if err != nil {
		return nil, err
	}
	status, data, keep, err := c.roundTrip(a, method, path, body)
	if err != nil || !keep {
		c.c.Close()
	} else {
		a.put(c)
	}
	if err != nil {
		return nil, err
	}
	if status >= 300 {
		return nil, fmt.Errorf("%s %s: %d %s", method, path, status, bytes.TrimSpace(data))
	}
	return data, nil
}

func (c *conn) roundTrip(a *api, method, path, body string) (status int, data []byte, keep bool, err error) {
	c.c.SetDeadline(time.Now().Add(a.cfg.timeout))
	b := c.buf[:0]
	b = fmt.Appendf(b, "%s %s%s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n", method, a.base, path, a.host, a.cfg.token)
	if body != "" {
		b = fmt.Appendf(b, "Content-Type: application/json\r\nContent-Length: %d\r\n", len(body))
	}
	b = append(b, "\r\n"...)
	b = append(b, body...)
	c.buf = b
	if _, err := c.c.Write(b); err != nil {
		return 0, nil, false, err
	}

	line, err := c.line()
	if err != nil {
		return 0, nil, false, err
	}
	_, code, ok := strings.Cut(line, " ")
	if status, err = strconv.Atoi(code[:min(3, len(code))]); !ok || err != nil {
		return 0, nil, false, fmt.Errorf("bad status line %q", line)
	}
	length, chunked, keep := -1, false, true
	for {
		line, err := c.line()
		if err != nil {
			return 0, nil, false, err
		}
		if line == "" {
			break
		}
		name, value, _ := strings.Cut(line, ":")
		value = strings.TrimSpace(value)
		switch {
		case strings.EqualFold(name, "Content-Length"):
			if length, err = strconv.Atoi(value); err != nil {
				return 0, nil, false, fmt.Errorf("bad Content-Length %q", value)
			}
		case strings.EqualFold(name, "Transfer-Encoding"):
			chunked = strings.EqualFold(value, "chunked")
		case strings.EqualFold(name, "Connection"):
			keep = !strings.EqualFold(value, "close")
		}
	}
	switch {
	case chunked:
		data, err = c.chunks()
	case length >= 0:
		data = make([]byte, length)
		_, err = io.ReadFull(c.r, data)
	default:
		data, err = io.ReadAll(c.r)
		keep = false
	}
	return status, data, keep && err == nil, err
}

func (c *conn) line() (string, error) {
	s, err := c.r.ReadString('\n')
	if err != nil {
		return "", err
	}
	return strings.TrimRight(s, "\r\n"), nil
}

func (c *conn) chunks() ([]byte, error) {
	var data []byte
	for {
		line, err := c.line()
		if err != nil {
			return nil, err
		}
		size, err := strconv.ParseInt(strings.TrimSpace(strings.SplitN(line, ";", 2)[0]), 16, 64)
		if err != nil {
			return nil, fmt.Errorf("bad chunk size %q", line)
		}
		if size == 0 {
			for { // trailers, up to the blank line
				if line, err = c.line(); err != nil || line == "" {
					return data, err
				}
			}
		}
		start := len(data)
		data = append(data, make([]byte, size)...)
		if _, err := io.ReadFull(c.r, data[start:]); err != nil {
			return nil, err
		}
		if line, err = c.line(); err != nil || line != "" {
			return nil, errors.Join(err, errors.New("chunk without its CRLF"))
		}
	}
}

// assertLoad sends the workload as single asserts (per == 1) or as batches
// of per records.
func assertLoad(ctx context.Context, cfg config, w *workload, per int) (*result, error) {
	a, err := newAPI(cfg)
	if err != nil {
		return nil, err
	}
	if _, err := a.do(ctx, http.MethodGet, "/v2/crm/people?count=1", ""); err != nil {
		return nil, err
	}
	jobs := (len(w.items) + per - 1) / per
	if per == 1 {
		bodies := make([]string, len(w.items)) // rendered before the clock starts
		for i, it := range w.items {
			bodies[i] = w.person(it)
		}
		return runConcurrently(ctx, cfg.concurrency, jobs, func(ctx context.Context, j int) (int, error) {
			if _, err := a.do(ctx, http.MethodPut, "/v2/crm/people?matchingAttribute=email", bodies[j]); err != nil {
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
	a, err := newAPI(cfg)
	if err != nil {
		return nil, err
	}
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
