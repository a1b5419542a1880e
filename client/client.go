// Package client is a Go client of Kith's CRM API (the Zeeg CRM v2
// contract). It depends on the standard library only.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Client calls one Kith server with one token.
type Client struct {
	baseURL string
	token   string
	http    *http.Client
}

// New returns a client of the server at baseURL (http://127.0.0.1:8080).
func New(baseURL, token string) *Client {
	// Keep as many idle connections as a concurrent importer uses, instead
	// of net/http's two per host.
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 128
	return &Client{baseURL: strings.TrimRight(baseURL, "/"), token: token, http: &http.Client{Transport: transport}}
}

// Error is an error response of the API.
type Error struct {
	Status               int                     `json:"status"`
	Code                 string                  `json:"code"`
	Message              string                  `json:"message"`
	Errors               map[string][]FieldError `json:"errors"`
	ConflictingRecordIDs []string                `json:"conflictingRecordIds"`
	RetryAfter           string                  `json:"-"`
}

// FieldError is one problem with one value of a request body.
type FieldError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string {
	return fmt.Sprintf("kith: %d %s: %s", e.Status, e.Code, e.Message)
}

// do sends a request and decodes the success body into out, returning the
// HTTP status.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	u := c.baseURL + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode >= 300 {
		e := &Error{Status: resp.StatusCode, RetryAfter: resp.Header.Get("Retry-After")}
		if err := json.Unmarshal(data, e); err != nil {
			e.Message = strings.TrimSpace(string(data))
		}
		return resp.StatusCode, e
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return resp.StatusCode, fmt.Errorf("kith: decoding %s %s: %w", method, path, err)
		}
	}
	return resp.StatusCode, nil
}

// Person is a CRM person as the API returns it.
type Person struct {
	ID               string         `json:"id"`
	FirstName        *string        `json:"firstName"`
	LastName         *string        `json:"lastName"`
	Salutation       *string        `json:"salutation"`
	Emails           []string       `json:"emails"`
	JobTitle         *string        `json:"jobTitle"`
	Description      *string        `json:"description"`
	PhoneNumber      *string        `json:"phoneNumber"`
	PrimaryLocation  *string        `json:"primaryLocation"`
	AvatarURL        *string        `json:"avatarUrl"`
	Company          *CompanyRef    `json:"company"`
	Socials          Socials        `json:"socials"`
	CustomAttributes map[string]any `json:"customAttributes"`
	CreatedAt        string         `json:"createdAt"`
	UpdatedAt        string         `json:"updatedAt"`
}

// CompanyRef is the summary of a person's company.
type CompanyRef struct {
	ID     string  `json:"id"`
	Name   *string `json:"name"`
	Domain *string `json:"domain"`
}

// Socials are a person's or company's social profiles.
type Socials struct {
	LinkedIn  *string `json:"linkedin"`
	Twitter   *string `json:"twitter"`
	Facebook  *string `json:"facebook"`
	Instagram *string `json:"instagram"`
}

// AssertPerson creates or updates the person matched by matchingAttribute
// (email, phone_number or a custom attribute key). body is any JSON-able
// person body. created reports a 201.
func (c *Client) AssertPerson(ctx context.Context, matchingAttribute string, body any) (p Person, created bool, err error) {
	var out struct{ Person Person }
	status, err := c.do(ctx, http.MethodPut, "/v2/crm/people", url.Values{"matchingAttribute": {matchingAttribute}}, body, &out)
	return out.Person, status == http.StatusCreated, err
}

// CreatePerson creates a person.
func (c *Client) CreatePerson(ctx context.Context, body any) (Person, error) {
	var out struct{ Person Person }
	_, err := c.do(ctx, http.MethodPost, "/v2/crm/people", nil, body, &out)
	return out.Person, err
}

// GetPerson returns one person.
func (c *Client) GetPerson(ctx context.Context, id string) (Person, error) {
	var out struct{ Person Person }
	_, err := c.do(ctx, http.MethodGet, "/v2/crm/people/"+url.PathEscape(id), nil, nil, &out)
	return out.Person, err
}

// UpdatePerson changes the fields in body of one person.
func (c *Client) UpdatePerson(ctx context.Context, id string, body any) (Person, error) {
	var out struct{ Person Person }
	_, err := c.do(ctx, http.MethodPatch, "/v2/crm/people/"+url.PathEscape(id), nil, body, &out)
	return out.Person, err
}

// DeletePerson deletes one person.
func (c *Client) DeletePerson(ctx context.Context, id string) error {
	_, err := c.do(ctx, http.MethodDelete, "/v2/crm/people/"+url.PathEscape(id), nil, nil, nil)
	return err
}

// ListOptions selects a page. Set Cursor (a pointer to "" for the first
// page) for keyset pages; otherwise Page selects a numbered page. Filter
// holds at most one exact lookup such as {"email": "jane@acme.com"}.
type ListOptions struct {
	Count  int
	Page   int
	Cursor *string
	Filter map[string]string
}

func (o ListOptions) query() url.Values {
	q := url.Values{}
	if o.Count > 0 {
		q.Set("count", strconv.Itoa(o.Count))
	}
	if o.Page > 0 {
		q.Set("page", strconv.Itoa(o.Page))
	}
	if o.Cursor != nil {
		q.Set("cursor", *o.Cursor)
	}
	for k, v := range o.Filter {
		q.Set(k, v)
	}
	return q
}

// Pagination describes a list page. Page mode fills the totals and page
// links; cursor mode fills NextCursor (nil on the last page).
type Pagination struct {
	Total        int     `json:"total"`
	Count        int     `json:"count"`
	TotalPages   int     `json:"totalPages"`
	PreviousPage *string `json:"previousPage"`
	CurrentPage  int     `json:"currentPage"`
	NextPage     *string `json:"nextPage"`
	NextCursor   *string `json:"nextCursor"`
}

// PeoplePage is one page of people.
type PeoplePage struct {
	Collection []Person   `json:"collection"`
	Pagination Pagination `json:"pagination"`
}

// ListPeople returns one page of people in creation order.
func (c *Client) ListPeople(ctx context.Context, opts ListOptions) (PeoplePage, error) {
	var out PeoplePage
	_, err := c.do(ctx, http.MethodGet, "/v2/crm/people", opts.query(), nil, &out)
	return out, err
}

// Attribute is an attribute definition.
type Attribute struct {
	Key        string   `json:"key"`
	Label      string   `json:"label"`
	Type       string   `json:"type"`
	IsRequired bool     `json:"isRequired"`
	IsStandard bool     `json:"isStandard"`
	IsUnique   bool     `json:"isUnique"`
	IsArchived bool     `json:"isArchived"`
	Options    []Option `json:"options,omitempty"`
	Validation []string `json:"validation,omitempty"`
	CreatedAt  string   `json:"createdAt"`
	UpdatedAt  string   `json:"updatedAt"`
}

// Option is one option of a select-like attribute.
type Option struct {
	ID    string `json:"id"`
	Value string `json:"value"`
	Color string `json:"color,omitempty"`
}

// Object is an object's schema.
type Object struct {
	Slug         string      `json:"slug"`
	SingularName string      `json:"singularName"`
	PluralName   string      `json:"pluralName"`
	IsStandard   bool        `json:"isStandard"`
	IsActive     bool        `json:"isActive"`
	Attributes   []Attribute `json:"attributes"`
	CreatedAt    string      `json:"createdAt"`
	UpdatedAt    string      `json:"updatedAt"`
}

// Object returns the schema of an object (people, companies or custom).
func (c *Client) Object(ctx context.Context, slug string) (Object, error) {
	var out struct{ Object Object }
	_, err := c.do(ctx, http.MethodGet, "/v2/crm/objects/"+url.PathEscape(slug), nil, nil, &out)
	return out.Object, err
}

// AddAttribute adds a custom attribute to an object; body holds label,
// type and the type's settings.
func (c *Client) AddAttribute(ctx context.Context, slug string, body any) (Attribute, error) {
	var out struct{ Attribute Attribute }
	_, err := c.do(ctx, http.MethodPost, "/v2/crm/objects/"+url.PathEscape(slug)+"/attributes", nil, body, &out)
	return out.Attribute, err
}
