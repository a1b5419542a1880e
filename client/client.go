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

// The typed methods below share these generic calls: one record of type T
// under the envelope key, at a collection path such as /v2/crm/people.

func one[T any](c *Client, ctx context.Context, method, path string, query url.Values, body any, key string) (T, int, error) {
	var v T
	var out map[string]json.RawMessage
	status, err := c.do(ctx, method, path, query, body, &out)
	if err == nil {
		err = json.Unmarshal(out[key], &v)
	}
	return v, status, err
}

func assertAt[T any](c *Client, ctx context.Context, path, key, matchingAttribute string, body any) (T, bool, error) {
	v, status, err := one[T](c, ctx, http.MethodPut, path, url.Values{"matchingAttribute": {matchingAttribute}}, body, key)
	return v, status == http.StatusCreated, err
}

func createAt[T any](c *Client, ctx context.Context, path, key string, body any) (T, error) {
	v, _, err := one[T](c, ctx, http.MethodPost, path, nil, body, key)
	return v, err
}

func getAt[T any](c *Client, ctx context.Context, path, key, id string) (T, error) {
	v, _, err := one[T](c, ctx, http.MethodGet, path+"/"+url.PathEscape(id), nil, nil, key)
	return v, err
}

func updateAt[T any](c *Client, ctx context.Context, path, key, id string, body any) (T, error) {
	v, _, err := one[T](c, ctx, http.MethodPatch, path+"/"+url.PathEscape(id), nil, body, key)
	return v, err
}

func (c *Client) deleteAt(ctx context.Context, path, id string) error {
	_, err := c.do(ctx, http.MethodDelete, path+"/"+url.PathEscape(id), nil, nil, nil)
	return err
}

func listAt[T any](c *Client, ctx context.Context, path string, opts ListOptions) (Page[T], error) {
	var out Page[T]
	_, err := c.do(ctx, http.MethodGet, path, opts.query(), nil, &out)
	return out, err
}

const peoplePath, companiesPath = "/v2/crm/people", "/v2/crm/companies"

func recordsPath(slug string) string { return "/v2/crm/" + url.PathEscape(slug) }

// AssertPerson creates or updates the person matched by matchingAttribute
// (email, phone_number or a custom attribute key). body is any JSON-able
// person body. created reports a 201.
func (c *Client) AssertPerson(ctx context.Context, matchingAttribute string, body any) (p Person, created bool, err error) {
	return assertAt[Person](c, ctx, peoplePath, "person", matchingAttribute, body)
}

// CreatePerson creates a person.
func (c *Client) CreatePerson(ctx context.Context, body any) (Person, error) {
	return createAt[Person](c, ctx, peoplePath, "person", body)
}

// GetPerson returns one person.
func (c *Client) GetPerson(ctx context.Context, id string) (Person, error) {
	return getAt[Person](c, ctx, peoplePath, "person", id)
}

// UpdatePerson changes the fields in body of one person.
func (c *Client) UpdatePerson(ctx context.Context, id string, body any) (Person, error) {
	return updateAt[Person](c, ctx, peoplePath, "person", id, body)
}

// DeletePerson deletes one person.
func (c *Client) DeletePerson(ctx context.Context, id string) error {
	return c.deleteAt(ctx, peoplePath, id)
}

// ListPeople returns one page of people in creation order.
func (c *Client) ListPeople(ctx context.Context, opts ListOptions) (Page[Person], error) {
	return listAt[Person](c, ctx, peoplePath, opts)
}

// Company is a CRM company as the API returns it.
type Company struct {
	ID               string         `json:"id"`
	Name             *string        `json:"name"`
	Domain           *string        `json:"domain"`
	Description      *string        `json:"description"`
	PrimaryLocation  *string        `json:"primaryLocation"`
	LogoURL          *string        `json:"logoUrl"`
	Socials          Socials        `json:"socials"`
	CustomAttributes map[string]any `json:"customAttributes"`
	CreatedAt        string         `json:"createdAt"`
	UpdatedAt        string         `json:"updatedAt"`
}

// AssertCompany creates or updates the company matched by
// matchingAttribute: domain or a unique custom attribute.
func (c *Client) AssertCompany(ctx context.Context, matchingAttribute string, body any) (Company, bool, error) {
	return assertAt[Company](c, ctx, companiesPath, "company", matchingAttribute, body)
}

// CreateCompany creates a company.
func (c *Client) CreateCompany(ctx context.Context, body any) (Company, error) {
	return createAt[Company](c, ctx, companiesPath, "company", body)
}

// GetCompany returns one company.
func (c *Client) GetCompany(ctx context.Context, id string) (Company, error) {
	return getAt[Company](c, ctx, companiesPath, "company", id)
}

// UpdateCompany changes the fields in body of one company.
func (c *Client) UpdateCompany(ctx context.Context, id string, body any) (Company, error) {
	return updateAt[Company](c, ctx, companiesPath, "company", id, body)
}

// DeleteCompany deletes one company and unlinks its people.
func (c *Client) DeleteCompany(ctx context.Context, id string) error {
	return c.deleteAt(ctx, companiesPath, id)
}

// ListCompanies returns one page of companies.
func (c *Client) ListCompanies(ctx context.Context, opts ListOptions) (Page[Company], error) {
	return listAt[Company](c, ctx, companiesPath, opts)
}

// Record is a record of a custom object.
type Record struct {
	ID         string         `json:"id"`
	ObjectSlug string         `json:"objectSlug"`
	Attributes map[string]any `json:"attributes"`
	CreatedAt  string         `json:"createdAt"`
	UpdatedAt  string         `json:"updatedAt"`
}

// AssertRecord creates or updates the record of a custom object matched
// by matchingAttribute. body is a flat map of attribute keys.
func (c *Client) AssertRecord(ctx context.Context, slug, matchingAttribute string, body any) (Record, bool, error) {
	return assertAt[Record](c, ctx, recordsPath(slug), "record", matchingAttribute, body)
}

// CreateRecord creates a record of a custom object.
func (c *Client) CreateRecord(ctx context.Context, slug string, body any) (Record, error) {
	return createAt[Record](c, ctx, recordsPath(slug), "record", body)
}

// GetRecord returns one record of a custom object.
func (c *Client) GetRecord(ctx context.Context, slug, id string) (Record, error) {
	return getAt[Record](c, ctx, recordsPath(slug), "record", id)
}

// UpdateRecord changes the attributes in body of one record.
func (c *Client) UpdateRecord(ctx context.Context, slug, id string, body any) (Record, error) {
	return updateAt[Record](c, ctx, recordsPath(slug), "record", id, body)
}

// DeleteRecord deletes one record and removes it from every relation.
func (c *Client) DeleteRecord(ctx context.Context, slug, id string) error {
	return c.deleteAt(ctx, recordsPath(slug), id)
}

// ListRecords returns one page of a custom object's records.
func (c *Client) ListRecords(ctx context.Context, slug string, opts ListOptions) (Page[Record], error) {
	return listAt[Record](c, ctx, recordsPath(slug), opts)
}

// UpdateRelation adds and removes ids of a relation or user attribute.
func (c *Client) UpdateRelation(ctx context.Context, slug, id, attributeSlug string, add, remove []string) (Record, error) {
	body := map[string]any{"attributeSlug": attributeSlug, "add": add, "remove": remove}
	v, _, err := one[Record](c, ctx, http.MethodPatch, recordsPath(slug)+"/"+url.PathEscape(id)+"/relation", nil, body, "record")
	return v, err
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

// Page is one page of a list.
type Page[T any] struct {
	Collection []T        `json:"collection"`
	Pagination Pagination `json:"pagination"`
}

// Attribute is an attribute definition.
type Attribute struct {
	Key                string   `json:"key"`
	Label              string   `json:"label"`
	Type               string   `json:"type"`
	IsRequired         bool     `json:"isRequired"`
	IsStandard         bool     `json:"isStandard"`
	IsUnique           bool     `json:"isUnique"`
	IsArchived         bool     `json:"isArchived"`
	Options            []Option `json:"options,omitempty"`
	Validation         []string `json:"validation,omitempty"`
	RelationType       string   `json:"relationType,omitempty"`
	RelatedObjectSlug  string   `json:"relatedObjectSlug,omitempty"`
	RelatedObjectLabel string   `json:"relatedObjectLabel,omitempty"`
	Currency           string   `json:"currency,omitempty"`
	CreatedAt          string   `json:"createdAt"`
	UpdatedAt          string   `json:"updatedAt"`
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

const objectsPath = "/v2/crm/objects"

// Objects returns every object's schema.
func (c *Client) Objects(ctx context.Context) ([]Object, error) {
	var out Page[Object]
	_, err := c.do(ctx, http.MethodGet, objectsPath, nil, nil, &out)
	return out.Collection, err
}

// Object returns the schema of an object (people, companies or custom).
func (c *Client) Object(ctx context.Context, slug string) (Object, error) {
	return getAt[Object](c, ctx, objectsPath, "object", slug)
}

// CreateObject creates a custom object from {slug, singularName, pluralName}.
func (c *Client) CreateObject(ctx context.Context, body any) (Object, error) {
	return createAt[Object](c, ctx, objectsPath, "object", body)
}

// UpdateObject renames a custom object.
func (c *Client) UpdateObject(ctx context.Context, slug string, body any) (Object, error) {
	return updateAt[Object](c, ctx, objectsPath, "object", slug, body)
}

// DeleteObject deletes a custom object with its records.
func (c *Client) DeleteObject(ctx context.Context, slug string) error {
	return c.deleteAt(ctx, objectsPath, slug)
}

// AddAttribute adds a custom attribute to an object; body holds label,
// type and the type's settings.
func (c *Client) AddAttribute(ctx context.Context, slug string, body any) (Attribute, error) {
	return createAt[Attribute](c, ctx, objectsPath+"/"+url.PathEscape(slug)+"/attributes", "attribute", body)
}

// UpdateAttribute changes a custom attribute.
func (c *Client) UpdateAttribute(ctx context.Context, slug, key string, body any) (Attribute, error) {
	return updateAt[Attribute](c, ctx, objectsPath+"/"+url.PathEscape(slug)+"/attributes", "attribute", key, body)
}

// DeleteAttribute deletes a custom attribute and its values.
func (c *Client) DeleteAttribute(ctx context.Context, slug, key string) error {
	return c.deleteAt(ctx, objectsPath+"/"+url.PathEscape(slug)+"/attributes", key)
}
