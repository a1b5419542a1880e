package httpapi_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kith-crm/kith"
	"github.com/kith-crm/kith/internal/teststore"
)

// crmRow is one request of TestCRMScenarios and the answer it must get.
// Paths, bodies and expected strings may hold {name} placeholders, filled
// from the ids that earlier rows saved.
type crmRow struct {
	name   string
	as     string // the token: "" write, "read" read-only, "other" another workspace's
	method string
	path   string
	body   string // JSON; sent as application/json when not empty
	status int
	// errs maps each error path of an error response to its field error
	// code; nil means the response has no errors. The error code is the one
	// of the status.
	errs fieldCodes
	// want maps JSON paths of the response body to their values.
	want at
	// save captures the strings at JSON paths of the response body as
	// placeholders for later rows.
	save capture
}

// at maps JSON paths to expected values. A path is dot-separated object
// keys and array indexes; "#" is the length of the array or object before
// it, and "*" collects the rest of the path from every array element (in
// any order). Values compare as JSON, so 5 matches 5.0; absent and present
// stand for "no such key" and "any value but null".
type at map[string]any

type fieldCodes map[string]string

type capture map[string]string

type sentinel string

const (
	absent  sentinel = "<absent>"
	present sentinel = "<present>"
)

// codeOf is the error code each error status carries.
var codeOf = map[int]kith.Code{
	400: kith.EBadRequest, 403: kith.EForbidden, 404: kith.ENotFound, 409: kith.EConflict, 422: kith.EInvalid,
}

// TestCRMScenarios drives the objects, attributes, custom records,
// companies and people-company surface on every store: one row per
// request, named by outcome, in order against one server.
func TestCRMScenarios(t *testing.T) {
	long := strings.Repeat("x", 256)
	rows := []crmRow{
		// Objects: create, read, rename, refuse.
		{name: "a new workspace lists the standard objects", method: "GET", path: "/v2/crm/objects", status: 200,
			want: at{"collection.*.slug": []any{"companies", "people"}, "collection.#": 2}},
		{name: "object without slug is 422", method: "POST", path: "/v2/crm/objects", body: `{"singularName":"Widget","pluralName":"Widgets"}`,
			status: 422, errs: fieldCodes{"slug": "required"}},
		{name: "slug of 2 chars is 422", method: "POST", path: "/v2/crm/objects", body: `{"slug":"ab","singularName":"Widget","pluralName":"Widgets"}`,
			status: 422, errs: fieldCodes{"slug": "invalid_format"}},
		{name: "slug of 61 chars is 422", method: "POST", path: "/v2/crm/objects", body: `{"slug":"` + strings.Repeat("a", 61) + `","singularName":"Widget","pluralName":"Widgets"}`,
			status: 422, errs: fieldCodes{"slug": "invalid_format"}},
		{name: "upper-case slug is 422", method: "POST", path: "/v2/crm/objects", body: `{"slug":"Widgets","singularName":"Widget","pluralName":"Widgets"}`,
			status: 422, errs: fieldCodes{"slug": "invalid_format"}},
		{name: "slug with a double hyphen is 422", method: "POST", path: "/v2/crm/objects", body: `{"slug":"big--widgets","singularName":"Widget","pluralName":"Widgets"}`,
			status: 422, errs: fieldCodes{"slug": "invalid_format"}},
		{name: "slug with a trailing dot is 422", method: "POST", path: "/v2/crm/objects", body: `{"slug":"widgets.","singularName":"Widget","pluralName":"Widgets"}`,
			status: 422, errs: fieldCodes{"slug": "invalid_format"}},
		{name: "slug with a leading hyphen is 422", method: "POST", path: "/v2/crm/objects", body: `{"slug":"-widgets","singularName":"Widget","pluralName":"Widgets"}`,
			status: 422, errs: fieldCodes{"slug": "invalid_format"}},
		{name: "slug with a space is 422", method: "POST", path: "/v2/crm/objects", body: `{"slug":"big widgets","singularName":"Widget","pluralName":"Widgets"}`,
			status: 422, errs: fieldCodes{"slug": "invalid_format"}},
		{name: "reserved slug people is 422", method: "POST", path: "/v2/crm/objects", body: `{"slug":"people","singularName":"Person","pluralName":"People"}`,
			status: 422, errs: fieldCodes{"slug": "invalid_option"}},
		{name: "reserved slug companies is 422", method: "POST", path: "/v2/crm/objects", body: `{"slug":"companies","singularName":"Company","pluralName":"Companies"}`,
			status: 422, errs: fieldCodes{"slug": "invalid_option"}},
		{name: "reserved slug objects is 422", method: "POST", path: "/v2/crm/objects", body: `{"slug":"objects","singularName":"Object","pluralName":"Objects"}`,
			status: 422, errs: fieldCodes{"slug": "invalid_option"}},
		{name: "reserved slug batch is 422", method: "POST", path: "/v2/crm/objects", body: `{"slug":"batch","singularName":"Batch","pluralName":"Batches"}`,
			status: 422, errs: fieldCodes{"slug": "invalid_option"}},
		{name: "slug of the wrong type is 422", method: "POST", path: "/v2/crm/objects", body: `{"slug":5,"singularName":"Widget","pluralName":"Widgets"}`,
			status: 422, errs: fieldCodes{"slug": "invalid_type"}},
		{name: "object without singularName is 422", method: "POST", path: "/v2/crm/objects", body: `{"slug":"widgets","pluralName":"Widgets"}`,
			status: 422, errs: fieldCodes{"singularName": "required"}},
		{name: "singularName over 255 chars is 422", method: "POST", path: "/v2/crm/objects", body: `{"slug":"widgets","singularName":"` + long + `","pluralName":"Widgets"}`,
			status: 422, errs: fieldCodes{"singularName": "too_long"}},
		{name: "object with an unknown field is 422", method: "POST", path: "/v2/crm/objects", body: `{"slug":"widgets","singularName":"Widget","pluralName":"Widgets","colour":"red"}`,
			status: 422, errs: fieldCodes{"colour": "unknown_key"}},
		{name: "custom object is created with its system attributes", method: "POST", path: "/v2/crm/objects", body: `{"slug":"deals","singularName":"Deal","pluralName":"Deals"}`,
			status: 201, want: at{
				"object.slug": "deals", "object.singularName": "Deal", "object.pluralName": "Deals",
				"object.isStandard": false, "object.isActive": true, "object.createdAt": present, "object.updatedAt": present,
				"object.attributes.#":     3,
				"object.attributes.0.key": "id", "object.attributes.0.type": "text", "object.attributes.0.isRequired": true, "object.attributes.0.isStandard": true,
				"object.attributes.1.key": "created_at", "object.attributes.1.type": "datetime", "object.attributes.1.isRequired": true,
				"object.attributes.2.key": "updated_at", "object.attributes.2.type": "datetime", "object.attributes.2.isRequired": false,
			}},
		{name: "duplicate slug is 409", method: "POST", path: "/v2/crm/objects", body: `{"slug":"deals","singularName":"Deal","pluralName":"Deals"}`,
			status: 409},
		{name: "second custom object is created", method: "POST", path: "/v2/crm/objects", body: `{"slug":"projects","singularName":"Project","pluralName":"Projects"}`,
			status: 201, want: at{"object.slug": "projects"}},
		{name: "slug of 3 chars is created", method: "POST", path: "/v2/crm/objects", body: `{"slug":"abc","singularName":"Abc","pluralName":"Abcs"}`,
			status: 201, want: at{"object.slug": "abc"}},
		{name: "slug of 60 chars is created", method: "POST", path: "/v2/crm/objects", body: `{"slug":"` + strings.Repeat("a", 60) + `","singularName":"A","pluralName":"As"}`,
			status: 201, want: at{"object.slug": strings.Repeat("a", 60)}},
		{name: "slug with dots, hyphens and digits is created", method: "POST", path: "/v2/crm/objects", body: `{"slug":"tmp.leads-2","singularName":"Lead","pluralName":"Leads","isActive":false}`,
			status: 201, want: at{"object.slug": "tmp.leads-2", "object.isActive": false}},
		{name: "objects lists people, companies and custom objects", method: "GET", path: "/v2/crm/objects", status: 200,
			want: at{"collection.#": 7, "collection.*.slug": []any{"people", "companies", "deals", "projects", "abc", strings.Repeat("a", 60), "tmp.leads-2"}}},
		{name: "custom object is read back", method: "GET", path: "/v2/crm/objects/deals", status: 200,
			want: at{"object.slug": "deals", "object.isStandard": false, "object.attributes.#": 3}},
		{name: "standard object is read back", method: "GET", path: "/v2/crm/objects/companies", status: 200,
			want: at{"object.slug": "companies", "object.isStandard": true, "object.attributes.0.key": "name"}},
		{name: "unknown object is 404", method: "GET", path: "/v2/crm/objects/widgets", status: 404},
		{name: "custom object is renamed", method: "PATCH", path: "/v2/crm/objects/deals", body: `{"singularName":"Opportunity"}`,
			status: 200, want: at{"object.slug": "deals", "object.singularName": "Opportunity", "object.pluralName": "Deals"}},
		{name: "slug in an object patch is 422 read_only", method: "PATCH", path: "/v2/crm/objects/deals", body: `{"pluralName":"Opportunities","slug":"opportunities"}`,
			status: 422, errs: fieldCodes{"slug": "read_only"}},
		{name: "isActive in an object patch is 422 read_only", method: "PATCH", path: "/v2/crm/objects/deals", body: `{"isActive":false}`,
			status: 422, errs: fieldCodes{"isActive": "read_only"}},
		{name: "empty singularName in an object patch is 422", method: "PATCH", path: "/v2/crm/objects/deals", body: `{"singularName":" "}`,
			status: 422, errs: fieldCodes{"singularName": "required"}},
		{name: "unknown field in an object patch is 422", method: "PATCH", path: "/v2/crm/objects/deals", body: `{"colour":"red"}`,
			status: 422, errs: fieldCodes{"colour": "unknown_key"}},
		{name: "the rejected patches changed nothing", method: "GET", path: "/v2/crm/objects/deals", status: 200,
			want: at{"object.slug": "deals", "object.singularName": "Opportunity", "object.pluralName": "Deals", "object.isActive": true}},
		{name: "patching people is 403", method: "PATCH", path: "/v2/crm/objects/people", body: `{"singularName":"Human"}`, status: 403},
		{name: "patching companies is 403", method: "PATCH", path: "/v2/crm/objects/companies", body: `{"singularName":"Firm"}`, status: 403},
		{name: "patching an unknown object is 404", method: "PATCH", path: "/v2/crm/objects/widgets", body: `{"singularName":"Widget"}`, status: 404},
		{name: "deleting people is 403", method: "DELETE", path: "/v2/crm/objects/people", status: 403},
		{name: "deleting companies is 403", method: "DELETE", path: "/v2/crm/objects/companies", status: 403},
		{name: "deleting an unknown object is 404", method: "DELETE", path: "/v2/crm/objects/widgets", status: 404},

		// Attributes: one of every type, keys derived from labels.
		{name: "projects get a text attribute", method: "POST", path: "/v2/crm/objects/projects/attributes", body: `{"label":"Name","type":"text","isRequired":false,"isUnique":false,"isArchived":false}`,
			status: 201, want: at{"attribute.key": "name"}},
		{name: "a label naming a system attribute gets a suffix", method: "POST", path: "/v2/crm/objects/projects/attributes", body: `{"label":"ID","type":"text"}`,
			status: 201, want: at{"attribute.key": "id_2", "attribute.label": "ID"}},
		{name: "required text attribute is added", method: "POST", path: "/v2/crm/objects/deals/attributes", body: `{"label":"Title","type":"text","isRequired":true,"isUnique":false,"isArchived":false}`,
			status: 201, want: at{
				"attribute.key": "title", "attribute.label": "Title", "attribute.type": "text", "attribute.isRequired": true,
				"attribute.isStandard": false, "attribute.isUnique": false, "attribute.isArchived": false, "attribute.validation.#": 0,
				"attribute.createdAt": present, "attribute.updatedAt": present, "attribute.options": absent,
			}},
		{name: "label Deal Number gives key deal_number", method: "POST", path: "/v2/crm/objects/deals/attributes", body: `{"label":"Deal Number","type":"text","isRequired":false,"isUnique":true,"isArchived":false}`,
			status: 201, want: at{"attribute.key": "deal_number", "attribute.isUnique": true}},
		{name: "a second Deal Number gets key deal_number_2", method: "POST", path: "/v2/crm/objects/deals/attributes", body: `{"label":"Deal Number","type":"text","isRequired":false,"isUnique":false,"isArchived":false}`,
			status: 201, want: at{"attribute.key": "deal_number_2", "attribute.label": "Deal Number", "attribute.isUnique": false}},
		{name: "text attribute with email validation is added", method: "POST", path: "/v2/crm/objects/deals/attributes", body: `{"label":"Contact Email","type":"text","isUnique":false,"validation":["email"]}`,
			status: 201, want: at{"attribute.key": "contact_email", "attribute.validation": []any{"email"}}},
		{name: "text attribute with url validation is added", method: "POST", path: "/v2/crm/objects/deals/attributes", body: `{"label":"Website","type":"text","isUnique":false,"validation":["url"]}`,
			status: 201, want: at{"attribute.key": "website", "attribute.validation": []any{"url"}}},
		{name: "number attribute is added", method: "POST", path: "/v2/crm/objects/deals/attributes", body: `{"label":"Amount","type":"number","isUnique":false}`,
			status: 201, want: at{"attribute.key": "amount", "attribute.type": "number"}},
		{name: "phone_number attribute is added", method: "POST", path: "/v2/crm/objects/deals/attributes", body: `{"label":"Phone","type":"phone_number","isUnique":false}`,
			status: 201, want: at{"attribute.key": "phone", "attribute.type": "phone_number"}},
		{name: "date attribute is added", method: "POST", path: "/v2/crm/objects/deals/attributes", body: `{"label":"Close Date","type":"date"}`,
			status: 201, want: at{"attribute.key": "close_date", "attribute.type": "date"}},
		{name: "datetime attribute is added", method: "POST", path: "/v2/crm/objects/deals/attributes", body: `{"label":"Signed At","type":"datetime"}`,
			status: 201, want: at{"attribute.key": "signed_at", "attribute.type": "datetime"}},
		{name: "checkbox attribute is added, punctuation dropped from its key", method: "POST", path: "/v2/crm/objects/deals/attributes", body: `{"label":"Won?","type":"checkbox"}`,
			status: 201, want: at{"attribute.key": "won", "attribute.type": "checkbox"}},
		{name: "select attribute is added with option ids", method: "POST", path: "/v2/crm/objects/deals/attributes",
			body:   `{"label":"Stage","type":"select","options":[{"value":"Lead","color":"warning"},{"value":"Won","color":"success"},{"value":"Lost","color":"red"}]}`,
			status: 201, want: at{"attribute.key": "stage", "attribute.options.#": 3, "attribute.options.*.value": []any{"Lead", "Won", "Lost"}, "attribute.options.1.color": "success"},
			save: capture{"opt_lead": "attribute.options.0.id", "opt_won": "attribute.options.1.id", "opt_lost": "attribute.options.2.id"}},
		{name: "multiselect attribute is added", method: "POST", path: "/v2/crm/objects/deals/attributes", body: `{"label":"Tags","type":"multiselect","options":[{"value":"Hot"},{"value":"Cold"}]}`,
			status: 201, want: at{"attribute.key": "tags", "attribute.type": "multiselect", "attribute.options.#": 2},
			save: capture{"tag_hot": "attribute.options.0.id", "tag_cold": "attribute.options.1.id"}},
		{name: "rating attribute is added", method: "POST", path: "/v2/crm/objects/deals/attributes", body: `{"label":"Score","type":"rating"}`,
			status: 201, want: at{"attribute.key": "score", "attribute.type": "rating"}},
		{name: "relation attribute is added", method: "POST", path: "/v2/crm/objects/deals/attributes",
			body:   `{"label":"Projects","type":"relation","relationType":"many_to_many","relatedObjectSlug":"projects","relatedObjectLabel":"Deals"}`,
			status: 201, want: at{"attribute.key": "projects", "attribute.relationType": "many_to_many", "attribute.relatedObjectSlug": "projects", "attribute.relatedObjectLabel": "Deals"}},
		{name: "status attribute is added", method: "POST", path: "/v2/crm/objects/deals/attributes", body: `{"label":"Status","type":"status","options":[{"value":"Open"},{"value":"Closed"}]}`,
			status: 201, want: at{"attribute.key": "status", "attribute.type": "status", "attribute.options.#": 2},
			save: capture{"st_open": "attribute.options.0.id"}},
		{name: "user attribute is added", method: "POST", path: "/v2/crm/objects/deals/attributes", body: `{"label":"Owners","type":"user"}`,
			status: 201, want: at{"attribute.key": "owners", "attribute.type": "user"}},
		{name: "currency attribute is added", method: "POST", path: "/v2/crm/objects/deals/attributes",
			body:   `{"label":"Value","type":"currency","currency":"EUR","currencyDisplay":"symbol","currencyDecimal":true,"currencyGrouping":true}`,
			status: 201, want: at{"attribute.key": "value", "attribute.currency": "EUR", "attribute.currencyDisplay": "symbol", "attribute.currencyDecimal": true, "attribute.currencyGrouping": true}},
		{name: "relation to a standard object is added", method: "POST", path: "/v2/crm/objects/deals/attributes",
			body:   `{"label":"Account","type":"relation","relationType":"many_to_one","relatedObjectSlug":"companies","relatedObjectLabel":"Deals"}`,
			status: 201, want: at{"attribute.key": "account", "attribute.relatedObjectSlug": "companies"}},
		{name: "the dotted object gets a text attribute", method: "POST", path: "/v2/crm/objects/tmp.leads-2/attributes", body: `{"label":"Name","type":"text"}`,
			status: 201, want: at{"attribute.key": "name"}},
		{name: "relation to the dotted object is added", method: "POST", path: "/v2/crm/objects/deals/attributes",
			body:   `{"label":"Source Lead","type":"relation","relationType":"many_to_one","relatedObjectSlug":"tmp.leads-2"}`,
			status: 201, want: at{"attribute.key": "source_lead", "attribute.relatedObjectSlug": "tmp.leads-2"}},
		{name: "relation without relationType is 422", method: "POST", path: "/v2/crm/objects/deals/attributes", body: `{"label":"Bad","type":"relation","relatedObjectSlug":"projects"}`,
			status: 422, errs: fieldCodes{"relationType": "required"}},
		{name: "relation without relatedObjectSlug is 422", method: "POST", path: "/v2/crm/objects/deals/attributes", body: `{"label":"Bad","type":"relation","relationType":"many_to_one"}`,
			status: 422, errs: fieldCodes{"relatedObjectSlug": "required"}},
		{name: "relation to an unknown object is 422", method: "POST", path: "/v2/crm/objects/deals/attributes", body: `{"label":"Bad","type":"relation","relationType":"many_to_one","relatedObjectSlug":"widgets"}`,
			status: 422, errs: fieldCodes{"relatedObjectSlug": "not_found"}},
		{name: "unknown relationType is 422", method: "POST", path: "/v2/crm/objects/deals/attributes", body: `{"label":"Bad","type":"relation","relationType":"several","relatedObjectSlug":"projects"}`,
			status: 422, errs: fieldCodes{"relationType": "invalid_option"}},
		{name: "currency without a code is 422", method: "POST", path: "/v2/crm/objects/deals/attributes", body: `{"label":"Bad","type":"currency"}`,
			status: 422, errs: fieldCodes{"currency": "required"}},
		{name: "lower-case currency code is 422", method: "POST", path: "/v2/crm/objects/deals/attributes", body: `{"label":"Bad","type":"currency","currency":"eur"}`,
			status: 422, errs: fieldCodes{"currency": "invalid_format"}},
		{name: "currency code of 4 letters is 422", method: "POST", path: "/v2/crm/objects/deals/attributes", body: `{"label":"Bad","type":"currency","currency":"EURO"}`,
			status: 422, errs: fieldCodes{"currency": "invalid_format"}},
		{name: "unknown currencyDisplay is 422", method: "POST", path: "/v2/crm/objects/deals/attributes", body: `{"label":"Bad","type":"currency","currency":"EUR","currencyDisplay":"emoji"}`,
			status: 422, errs: fieldCodes{"currencyDisplay": "invalid_option"}},
		{name: "text validation phone is 422", method: "POST", path: "/v2/crm/objects/deals/attributes", body: `{"label":"Bad","type":"text","validation":["phone"]}`,
			status: 422, errs: fieldCodes{"validation": "invalid_option"}},
		{name: "validation on a number is 422", method: "POST", path: "/v2/crm/objects/deals/attributes", body: `{"label":"Bad","type":"number","validation":["email"]}`,
			status: 422, errs: fieldCodes{"validation": "invalid_option"}},
		{name: "unique select is 422", method: "POST", path: "/v2/crm/objects/deals/attributes", body: `{"label":"Bad","type":"select","isUnique":true,"options":[{"value":"A"}]}`,
			status: 422, errs: fieldCodes{"isUnique": "invalid_option"}},
		{name: "an option listed twice is 422", method: "POST", path: "/v2/crm/objects/deals/attributes", body: `{"label":"Bad","type":"select","options":[{"value":"A"},{"value":"a"}]}`,
			status: 422, errs: fieldCodes{"options[1].value": "not_unique"}},
		{name: "an option without value is 422", method: "POST", path: "/v2/crm/objects/deals/attributes", body: `{"label":"Bad","type":"status","options":[{"color":"red"}]}`,
			status: 422, errs: fieldCodes{"options[0].value": "required"}},
		{name: "attribute without type is 422", method: "POST", path: "/v2/crm/objects/deals/attributes", body: `{"label":"Bad"}`,
			status: 422, errs: fieldCodes{"type": "required"}},
		{name: "attribute of unknown type is 422", method: "POST", path: "/v2/crm/objects/deals/attributes", body: `{"label":"Bad","type":"colour"}`,
			status: 422, errs: fieldCodes{"type": "invalid_option"}},
		{name: "label without letters or digits is 422", method: "POST", path: "/v2/crm/objects/deals/attributes", body: `{"label":"!!!","type":"text"}`,
			status: 422, errs: fieldCodes{"label": "invalid_format"}},
		{name: "attribute on an unknown object is 404", method: "POST", path: "/v2/crm/objects/widgets/attributes", body: `{"label":"Name","type":"text"}`, status: 404},
		{name: "the object schema lists every attribute", method: "GET", path: "/v2/crm/objects/deals", status: 200,
			want: at{"object.attributes.*.key": []any{"id", "created_at", "updated_at", "title", "deal_number", "deal_number_2", "contact_email", "website",
				"amount", "phone", "close_date", "signed_at", "won", "stage", "tags", "score", "projects", "status", "owners", "value", "account", "source_lead"}}},

		// Records of custom objects: create and read.
		{name: "project Apollo is created", method: "POST", path: "/v2/crm/projects", body: `{"name":"Apollo"}`,
			status: 201, want: at{"record.objectSlug": "projects", "record.attributes.name": "Apollo"}, save: capture{"p1": "record.id"}},
		{name: "project Gemini is created", method: "POST", path: "/v2/crm/projects", body: `{"name":"Gemini"}`,
			status: 201, save: capture{"p2": "record.id"}},
		{name: "lead is created on the dotted object", method: "POST", path: "/v2/crm/tmp.leads-2", body: `{"name":"L1"}`,
			status: 201, want: at{"record.objectSlug": "tmp.leads-2"}, save: capture{"lead1": "record.id"}},
		{name: "record holds every attribute, null when unset", method: "POST", path: "/v2/crm/deals", body: `{"title":"Alpha","deal_number":"D-1"}`,
			status: 201, save: capture{"alpha": "record.id"}, want: at{
				"record.id": "{alpha}", "record.objectSlug": "deals", "record.createdAt": present, "record.updatedAt": present,
				"record.attributes.#": 22, "record.attributes.id": "{alpha}", "record.attributes.created_at": present, "record.attributes.updated_at": present,
				"record.attributes.title": "Alpha", "record.attributes.deal_number": "D-1",
				"record.attributes.deal_number_2": nil, "record.attributes.contact_email": nil, "record.attributes.website": nil,
				"record.attributes.amount": nil, "record.attributes.phone": nil, "record.attributes.close_date": nil,
				"record.attributes.signed_at": nil, "record.attributes.won": nil, "record.attributes.stage": nil,
				"record.attributes.tags": nil, "record.attributes.score": nil, "record.attributes.projects": nil,
				"record.attributes.status": nil, "record.attributes.owners": nil, "record.attributes.value": nil,
				"record.attributes.account": nil, "record.attributes.source_lead": nil,
			}},
		{name: "every type takes a valid value", method: "POST", path: "/v2/crm/deals",
			body: `{"title":"Beta","deal_number":"D-2","deal_number_2":"X","contact_email":" Bob@Example.com ","website":"example.com/deals",` +
				`"amount":1234.50,"phone":"+49 30 123456","close_date":"2025-06-01","signed_at":"2025-06-01T14:00:00+02:00","won":true,` +
				`"stage":"Won","tags":[{"id":"{tag_hot}"},"Cold"],"score":4,"projects":["{p1}","{p2}"],"status":{"id":"{st_open}"},` +
				`"owners":["QK566D4X49E8X78"],"value":99.99,"source_lead":["{lead1}"]}`,
			status: 201, save: capture{"beta": "record.id"}, want: at{
				"record.attributes.title": "Beta", "record.attributes.deal_number_2": "X", "record.attributes.contact_email": "Bob@Example.com",
				"record.attributes.website": "example.com/deals", "record.attributes.amount": 1234.5, "record.attributes.phone": "+49 30 123456",
				"record.attributes.close_date": "2025-06-01", "record.attributes.signed_at": "2025-06-01T12:00:00+00:00", "record.attributes.won": true,
				"record.attributes.stage.id": "{opt_won}", "record.attributes.stage.value": "Won",
				"record.attributes.tags.*.id": []any{"{tag_hot}", "{tag_cold}"}, "record.attributes.score": 4,
				"record.attributes.projects": []any{"{p1}", "{p2}"}, "record.attributes.status.id": "{st_open}", "record.attributes.status.value": "Open",
				"record.attributes.owners": []any{"QK566D4X49E8X78"}, "record.attributes.value": 99.99, "record.attributes.source_lead": []any{"{lead1}"},
			}},
		{name: "select takes a numeric option id", method: "POST", path: "/v2/crm/deals", body: `{"title":"Gamma","deal_number":"D-3","deal_number_2":"X","stage":{"id":{opt_lost}},"tags":["Cold"]}`,
			status: 201, save: capture{"gamma": "record.id"}, want: at{"record.attributes.stage.id": "{opt_lost}", "record.attributes.tags.*.id": []any{"{tag_cold}"}}},
		{name: "record is read by id", method: "GET", path: "/v2/crm/deals/{beta}", status: 200,
			want: at{"record.id": "{beta}", "record.objectSlug": "deals", "record.attributes.title": "Beta", "record.attributes.stage.id": "{opt_won}"}},
		{name: "unknown record id is 404", method: "GET", path: "/v2/crm/deals/{missing}", status: 404},
		{name: "a record read through another object is 404", method: "GET", path: "/v2/crm/projects/{beta}", status: 404},
		{name: "records of an unknown object are 404", method: "GET", path: "/v2/crm/widgets", status: 404},
		{name: "creating a record of an unknown object is 404", method: "POST", path: "/v2/crm/widgets", body: `{"name":"W"}`, status: 404},

		// Values of every type that are refused.
		{name: "record without its required attribute is 422", method: "POST", path: "/v2/crm/deals", body: `{"deal_number":"D-9"}`,
			status: 422, errs: fieldCodes{"title": "required"}},
		{name: "text of the wrong type is 422", method: "POST", path: "/v2/crm/deals", body: `{"title":"Bad","deal_number_2":5}`,
			status: 422, errs: fieldCodes{"deal_number_2": "invalid_type"}},
		{name: "text over 255 chars is 422", method: "POST", path: "/v2/crm/deals", body: `{"title":"` + long + `"}`,
			status: 422, errs: fieldCodes{"title": "too_long"}},
		{name: "text of 255 chars is fine but a taken unique value is 409", method: "POST", path: "/v2/crm/deals", body: `{"title":"` + long[1:] + `","deal_number":"D-1"}`,
			status: 409, errs: fieldCodes{"deal_number": "not_unique"}, want: at{"conflictingRecordIds": []any{"{alpha}"}}},
		{name: "invalid email is 422", method: "POST", path: "/v2/crm/deals", body: `{"title":"Bad","contact_email":"nope"}`,
			status: 422, errs: fieldCodes{"contact_email": "invalid_format"}},
		{name: "invalid url is 422", method: "POST", path: "/v2/crm/deals", body: `{"title":"Bad","website":"not a url"}`,
			status: 422, errs: fieldCodes{"website": "invalid_format"}},
		{name: "unknown key is 422", method: "POST", path: "/v2/crm/deals", body: `{"title":"Bad","shoe_size":42}`,
			status: 422, errs: fieldCodes{"shoe_size": "unknown_key"}},
		{name: "number as a word is 422", method: "POST", path: "/v2/crm/deals", body: `{"title":"Bad","amount":"ten"}`,
			status: 422, errs: fieldCodes{"amount": "invalid_type"}},
		{name: "number as a numeric string is 422", method: "POST", path: "/v2/crm/deals", body: `{"title":"Bad","amount":"10"}`,
			status: 422, errs: fieldCodes{"amount": "invalid_type"}},
		{name: "phone number of the wrong type is 422", method: "POST", path: "/v2/crm/deals", body: `{"title":"Bad","phone":4930123456}`,
			status: 422, errs: fieldCodes{"phone": "invalid_type"}},
		{name: "date with month 13 is 422", method: "POST", path: "/v2/crm/deals", body: `{"title":"Bad","close_date":"2025-13-01"}`,
			status: 422, errs: fieldCodes{"close_date": "invalid_format"}},
		{name: "date with a time is 422", method: "POST", path: "/v2/crm/deals", body: `{"title":"Bad","close_date":"2025-06-01T12:00:00+00:00"}`,
			status: 422, errs: fieldCodes{"close_date": "invalid_format"}},
		{name: "date as a number is 422", method: "POST", path: "/v2/crm/deals", body: `{"title":"Bad","close_date":20250601}`,
			status: 422, errs: fieldCodes{"close_date": "invalid_type"}},
		{name: "datetime without offset is 422", method: "POST", path: "/v2/crm/deals", body: `{"title":"Bad","signed_at":"2025-06-01T12:00:00"}`,
			status: 422, errs: fieldCodes{"signed_at": "invalid_format"}},
		{name: "datetime as a date is 422", method: "POST", path: "/v2/crm/deals", body: `{"title":"Bad","signed_at":"2025-06-01"}`,
			status: 422, errs: fieldCodes{"signed_at": "invalid_format"}},
		{name: "checkbox yes is 422", method: "POST", path: "/v2/crm/deals", body: `{"title":"Bad","won":"yes"}`,
			status: 422, errs: fieldCodes{"won": "invalid_type"}},
		{name: "checkbox 1 is 422", method: "POST", path: "/v2/crm/deals", body: `{"title":"Bad","won":1}`,
			status: 422, errs: fieldCodes{"won": "invalid_type"}},
		{name: "select with an unknown label is 422", method: "POST", path: "/v2/crm/deals", body: `{"title":"Bad","stage":"Maybe"}`,
			status: 422, errs: fieldCodes{"stage": "invalid_option"}},
		{name: "select with an unknown option id is 422", method: "POST", path: "/v2/crm/deals", body: `{"title":"Bad","stage":{"id":"999"}}`,
			status: 422, errs: fieldCodes{"stage": "invalid_option"}},
		{name: "select as a boolean is 422", method: "POST", path: "/v2/crm/deals", body: `{"title":"Bad","stage":true}`,
			status: 422, errs: fieldCodes{"stage": "invalid_type"}},
		{name: "select object without id is 422", method: "POST", path: "/v2/crm/deals", body: `{"title":"Bad","stage":{"value":"Won"}}`,
			status: 422, errs: fieldCodes{"stage": "invalid_type"}},
		{name: "multiselect with an unknown option is 422", method: "POST", path: "/v2/crm/deals", body: `{"title":"Bad","tags":[{"id":"{tag_hot}"},"Lukewarm"]}`,
			status: 422, errs: fieldCodes{"tags": "invalid_option"}},
		{name: "multiselect not an array is 422", method: "POST", path: "/v2/crm/deals", body: `{"title":"Bad","tags":"Hot"}`,
			status: 422, errs: fieldCodes{"tags": "invalid_type"}},
		{name: "rating 6 is 422", method: "POST", path: "/v2/crm/deals", body: `{"title":"Bad","score":6}`,
			status: 422, errs: fieldCodes{"score": "out_of_range"}},
		{name: "rating -1 is 422", method: "POST", path: "/v2/crm/deals", body: `{"title":"Bad","score":-1}`,
			status: 422, errs: fieldCodes{"score": "out_of_range"}},
		{name: "rating 2.5 is 422", method: "POST", path: "/v2/crm/deals", body: `{"title":"Bad","score":2.5}`,
			status: 422, errs: fieldCodes{"score": "invalid_type"}},
		{name: "rating as a string is 422", method: "POST", path: "/v2/crm/deals", body: `{"title":"Bad","score":"4"}`,
			status: 422, errs: fieldCodes{"score": "invalid_type"}},
		{name: "relation to an unknown record is 422", method: "POST", path: "/v2/crm/deals", body: `{"title":"Bad","projects":["{missing}"]}`,
			status: 422, errs: fieldCodes{"projects": "not_found"}},
		{name: "relation to a record of another object is 422", method: "POST", path: "/v2/crm/deals", body: `{"title":"Bad","projects":["{alpha}"]}`,
			status: 422, errs: fieldCodes{"projects": "not_found"}},
		{name: "relation not an array is 422", method: "POST", path: "/v2/crm/deals", body: `{"title":"Bad","projects":"{p1}"}`,
			status: 422, errs: fieldCodes{"projects": "invalid_type"}},
		{name: "many_to_one relation with two records is 422", method: "POST", path: "/v2/crm/deals", body: `{"title":"Bad","source_lead":["{lead1}","{missing}"]}`,
			status: 422, errs: fieldCodes{"source_lead": "out_of_range"}},
		{name: "status with an unknown option is 422", method: "POST", path: "/v2/crm/deals", body: `{"title":"Bad","status":"Bogus"}`,
			status: 422, errs: fieldCodes{"status": "invalid_option"}},
		{name: "user ids not an array is 422", method: "POST", path: "/v2/crm/deals", body: `{"title":"Bad","owners":"QK566D4X49E8X78"}`,
			status: 422, errs: fieldCodes{"owners": "invalid_type"}},
		{name: "user id as a number is 422", method: "POST", path: "/v2/crm/deals", body: `{"title":"Bad","owners":[15]}`,
			status: 422, errs: fieldCodes{"owners": "invalid_type"}},
		{name: "currency as a string is 422", method: "POST", path: "/v2/crm/deals", body: `{"title":"Bad","value":"12.50"}`,
			status: 422, errs: fieldCodes{"value": "invalid_type"}},
		{name: "every bad value of a body is reported", method: "POST", path: "/v2/crm/deals", body: `{"title":1,"score":9,"won":"no","shoe_size":1}`,
			status: 422, errs: fieldCodes{"title": "invalid_type", "score": "out_of_range", "won": "invalid_type", "shoe_size": "unknown_key"}},
		{name: "refused bodies created nothing", method: "GET", path: "/v2/crm/deals", status: 200,
			want: at{"pagination.total": 3, "collection.*.id": []any{"{alpha}", "{beta}", "{gamma}"}}},

		// Lists: pages and cursors.
		{name: "first page of two", method: "GET", path: "/v2/crm/deals?count=2", status: 200,
			want: at{"collection.#": 2, "collection.0.id": "{alpha}", "collection.1.id": "{beta}", "collection.0.objectSlug": "deals",
				"pagination.total": 3, "pagination.count": 2, "pagination.totalPages": 2, "pagination.currentPage": 1,
				"pagination.previousPage": nil, "pagination.nextPage": "/v2/crm/deals?count=2&page=2"}},
		{name: "second page of two", method: "GET", path: "/v2/crm/deals?count=2&page=2", status: 200,
			want: at{"collection.#": 1, "collection.0.id": "{gamma}", "pagination.currentPage": 2, "pagination.nextPage": nil,
				"pagination.previousPage": "/v2/crm/deals?count=2&page=1"}},
		{name: "empty cursor starts a keyset list", method: "GET", path: "/v2/crm/deals?count=2&cursor=", status: 200,
			want: at{"collection.#": 2, "collection.0.id": "{alpha}", "collection.1.id": "{beta}", "pagination.nextCursor": present, "pagination.total": absent},
			save: capture{"cursor": "pagination.nextCursor"}},
		{name: "next cursor ends the keyset list", method: "GET", path: "/v2/crm/deals?count=2&cursor={cursor}", status: 200,
			want: at{"collection.#": 1, "collection.0.id": "{gamma}", "pagination.nextCursor": nil}},
		{name: "list filters by a unique attribute", method: "GET", path: "/v2/crm/deals?deal_number=D-2", status: 200,
			want: at{"collection.#": 1, "collection.0.id": "{beta}", "pagination.total": 1}},
		{name: "list filter by a plain attribute is 400", method: "GET", path: "/v2/crm/deals?title=Beta", status: 400},

		// PATCH of custom records.
		{name: "patch changes only the attributes sent", method: "PATCH", path: "/v2/crm/deals/{alpha}", body: `{"amount":10,"won":false}`,
			status: 200, want: at{"record.id": "{alpha}", "record.attributes.amount": 10, "record.attributes.won": false,
				"record.attributes.title": "Alpha", "record.attributes.deal_number": "D-1"}},
		{name: "patch ignores read-only record fields", method: "PATCH", path: "/v2/crm/deals/{alpha}",
			body:   `{"id":"x","objectSlug":"projects","createdAt":"x","updatedAt":"x","created_at":"x","updated_at":"x","won":true}`,
			status: 200, want: at{"record.id": "{alpha}", "record.objectSlug": "deals", "record.attributes.won": true}},
		{name: "patch with null clears", method: "PATCH", path: "/v2/crm/deals/{alpha}", body: `{"amount":null}`,
			status: 200, want: at{"record.attributes.amount": nil, "record.attributes.won": true}},
		{name: "patch of a required attribute to null is 422", method: "PATCH", path: "/v2/crm/deals/{alpha}", body: `{"title":null}`,
			status: 422, errs: fieldCodes{"title": "required"}},
		{name: "patch to a taken unique value is 409", method: "PATCH", path: "/v2/crm/deals/{alpha}", body: `{"deal_number":"D-2"}`,
			status: 409, errs: fieldCodes{"deal_number": "not_unique"}},
		{name: "patch with a bad value is 422", method: "PATCH", path: "/v2/crm/deals/{alpha}", body: `{"score":6}`,
			status: 422, errs: fieldCodes{"score": "out_of_range"}},
		{name: "patch with an unknown key is 422", method: "PATCH", path: "/v2/crm/deals/{alpha}", body: `{"shoe_size":6}`,
			status: 422, errs: fieldCodes{"shoe_size": "unknown_key"}},
		{name: "patch of an unknown record is 404", method: "PATCH", path: "/v2/crm/deals/{missing}", body: `{"won":true}`, status: 404},
		{name: "refused patches changed nothing", method: "GET", path: "/v2/crm/deals/{alpha}", status: 200,
			want: at{"record.attributes.title": "Alpha", "record.attributes.deal_number": "D-1", "record.attributes.score": nil}},

		// PUT (assert) of custom records.
		{name: "assert without a match creates", method: "PUT", path: "/v2/crm/deals?matchingAttribute=deal_number", body: `{"title":"Delta","deal_number":"D-4","amount":5}`,
			status: 201, save: capture{"delta": "record.id"}, want: at{"record.attributes.title": "Delta", "record.attributes.amount": 5, "record.attributes.won": nil}},
		{name: "assert with a match updates the same record", method: "PUT", path: "/v2/crm/deals?matchingAttribute=deal_number", body: `{"deal_number":"D-4","won":true}`,
			status: 200, want: at{"record.id": "{delta}", "record.attributes.won": true, "record.attributes.title": "Delta", "record.attributes.amount": 5}},
		{name: "assert may match a plain attribute", method: "PUT", path: "/v2/crm/deals?matchingAttribute=title", body: `{"title":"Delta","score":3}`,
			status: 200, want: at{"record.id": "{delta}", "record.attributes.score": 3, "record.attributes.deal_number": "D-4"}},
		{name: "assert on a value several records share updates the oldest", method: "PUT", path: "/v2/crm/deals?matchingAttribute=won", body: `{"won":true,"phone":"+1 555 0100"}`,
			status: 200, want: at{"record.id": "{alpha}", "record.attributes.phone": "+1 555 0100"}},
		{name: "rating 0 and a negative decimal are values, not null", method: "PATCH", path: "/v2/crm/deals/{delta}", body: `{"score":0,"amount":-0.5}`,
			status: 200, want: at{"record.attributes.score": 0, "record.attributes.amount": -0.5}},
		{name: "assert without matchingAttribute is 400", method: "PUT", path: "/v2/crm/deals", body: `{"title":"Eps","deal_number":"D-5"}`, status: 400},
		{name: "assert on an unknown attribute is 400", method: "PUT", path: "/v2/crm/deals?matchingAttribute=shoe_size", body: `{"title":"Eps"}`, status: 400},
		{name: "assert on the id is 400", method: "PUT", path: "/v2/crm/deals?matchingAttribute=id", body: `{"id":"{alpha}","title":"Eps"}`, status: 400},
		{name: "assert without the matching value is 422", method: "PUT", path: "/v2/crm/deals?matchingAttribute=deal_number", body: `{"title":"Eps"}`,
			status: 422, errs: fieldCodes{"deal_number": "required"}},
		{name: "assert creating without a required attribute is 422", method: "PUT", path: "/v2/crm/deals?matchingAttribute=deal_number", body: `{"deal_number":"D-5"}`,
			status: 422, errs: fieldCodes{"title": "required"}},
		{name: "assert with a bad value is 422", method: "PUT", path: "/v2/crm/deals?matchingAttribute=deal_number", body: `{"deal_number":"D-4","close_date":"2025-02-30"}`,
			status: 422, errs: fieldCodes{"close_date": "invalid_format"}},
		{name: "assert on an unknown object is 404", method: "PUT", path: "/v2/crm/widgets?matchingAttribute=name", body: `{"name":"W"}`, status: 404},

		// The relation endpoint.
		{name: "relation add links an existing record", method: "PATCH", path: "/v2/crm/deals/{alpha}/relation", body: `{"attributeSlug":"projects","add":["{p1}"]}`,
			status: 200, want: at{"record.id": "{alpha}", "record.attributes.projects": []any{"{p1}"}}},
		{name: "relation add of a linked id changes nothing", method: "PATCH", path: "/v2/crm/deals/{alpha}/relation", body: `{"attributeSlug":"projects","add":["{p1}"]}`,
			status: 200, want: at{"record.attributes.projects": []any{"{p1}"}}},
		{name: "relation remove of an unlinked id changes nothing", method: "PATCH", path: "/v2/crm/deals/{alpha}/relation", body: `{"attributeSlug":"projects","remove":["{p2}"]}`,
			status: 200, want: at{"record.attributes.projects": []any{"{p1}"}}},
		{name: "relation remove unlinks", method: "PATCH", path: "/v2/crm/deals/{beta}/relation", body: `{"attributeSlug":"projects","remove":["{p2}"]}`,
			status: 200, want: at{"record.attributes.projects": []any{"{p1}"}}},
		{name: "relation add and remove in one call", method: "PATCH", path: "/v2/crm/deals/{beta}/relation", body: `{"attributeSlug":"projects","add":["{p2}"],"remove":["{p1}"]}`,
			status: 200, want: at{"record.attributes.projects": []any{"{p2}"}}},
		{name: "an id in add and in remove is 422", method: "PATCH", path: "/v2/crm/deals/{alpha}/relation", body: `{"attributeSlug":"projects","add":["{p2}"],"remove":["{p2}"]}`,
			status: 422, errs: fieldCodes{"remove": "invalid_option"}},
		{name: "relation patch without add or remove is 422", method: "PATCH", path: "/v2/crm/deals/{alpha}/relation", body: `{"attributeSlug":"projects"}`,
			status: 422, errs: fieldCodes{"add": "required"}},
		{name: "relation patch with empty add and remove is 422", method: "PATCH", path: "/v2/crm/deals/{alpha}/relation", body: `{"attributeSlug":"projects","add":[],"remove":[]}`,
			status: 422, errs: fieldCodes{"add": "required"}},
		{name: "relation add of an unknown id is 422", method: "PATCH", path: "/v2/crm/deals/{alpha}/relation", body: `{"attributeSlug":"projects","add":["{missing}"]}`,
			status: 422, errs: fieldCodes{"add": "not_found"}},
		{name: "relation add of another object's record is 422", method: "PATCH", path: "/v2/crm/deals/{alpha}/relation", body: `{"attributeSlug":"projects","add":["{beta}"]}`,
			status: 422, errs: fieldCodes{"add": "not_found"}},
		{name: "relation patch of a text attribute is 422", method: "PATCH", path: "/v2/crm/deals/{alpha}/relation", body: `{"attributeSlug":"title","add":["{p2}"]}`,
			status: 422, errs: fieldCodes{"attributeSlug": "invalid_option"}},
		{name: "relation patch of an unknown attribute is 422", method: "PATCH", path: "/v2/crm/deals/{alpha}/relation", body: `{"attributeSlug":"nope","add":["{p2}"]}`,
			status: 422, errs: fieldCodes{"attributeSlug": "invalid_option"}},
		{name: "relation patch without attributeSlug is 422", method: "PATCH", path: "/v2/crm/deals/{alpha}/relation", body: `{"add":["{p2}"]}`,
			status: 422, errs: fieldCodes{"attributeSlug": "required"}},
		{name: "relation patch with an unknown field is 422", method: "PATCH", path: "/v2/crm/deals/{alpha}/relation", body: `{"attributeSlug":"projects","add":["{p2}"],"replace":true}`,
			status: 422, errs: fieldCodes{"replace": "unknown_key"}},
		{name: "relation patch of an unknown record is 404", method: "PATCH", path: "/v2/crm/deals/{missing}/relation", body: `{"attributeSlug":"projects","add":["{p2}"]}`, status: 404},
		{name: "relation patch on an unknown object is 404", method: "PATCH", path: "/v2/crm/widgets/{alpha}/relation", body: `{"attributeSlug":"projects","add":["{p2}"]}`, status: 404},
		{name: "the refused relation patches changed nothing", method: "GET", path: "/v2/crm/deals/{alpha}", status: 200,
			want: at{"record.attributes.projects": []any{"{p1}"}}},
		{name: "user add links member ids", method: "PATCH", path: "/v2/crm/deals/{alpha}/relation", body: `{"attributeSlug":"owners","add":["M1","M2"]}`,
			status: 200, want: at{"record.attributes.owners": []any{"M1", "M2"}}},
		{name: "user remove unlinks a member id", method: "PATCH", path: "/v2/crm/deals/{alpha}/relation", body: `{"attributeSlug":"owners","remove":["M1"]}`,
			status: 200, want: at{"record.attributes.owners": []any{"M2"}}},

		// Attribute changes: options replaced whole, immutable fields,
		// uniqueness.
		{name: "options are replaced with ids kept", method: "PATCH", path: "/v2/crm/objects/deals/attributes/stage",
			body:   `{"options":[{"id":"{opt_lead}","value":"Lead"},{"id":"{opt_won}","value":"Closed won","color":"success"},{"value":"Negotiation"}]}`,
			status: 200, save: capture{"opt_neg": "attribute.options.2.id"}, want: at{
				"attribute.key": "stage", "attribute.options.#": 3,
				"attribute.options.0.id": "{opt_lead}", "attribute.options.1.id": "{opt_won}", "attribute.options.1.value": "Closed won",
				"attribute.options.2.value": "Negotiation", "attribute.options.*.id": []any{"{opt_lead}", "{opt_won}", present},
			}},
		{name: "a new option gets an id of its own", method: "PATCH", path: "/v2/crm/deals/{alpha}", body: `{"stage":"Negotiation"}`,
			status: 200, want: at{"record.attributes.stage.id": "{opt_neg}"}},
		{name: "the removed option's id is gone", method: "PATCH", path: "/v2/crm/deals/{alpha}", body: `{"stage":{"id":"{opt_lost}"}}`,
			status: 422, errs: fieldCodes{"stage": "invalid_option"}},
		{name: "multiselect options are replaced", method: "PATCH", path: "/v2/crm/objects/deals/attributes/tags", body: `{"options":[{"id":"{tag_hot}","value":"Hot"}]}`,
			status: 200, want: at{"attribute.options.#": 1, "attribute.options.0.id": "{tag_hot}"}},
		{name: "a record keeps a kept option", method: "GET", path: "/v2/crm/deals/{beta}", status: 200,
			want: at{"record.attributes.stage.id": "{opt_won}", "record.attributes.stage.value": "Closed won", "record.attributes.tags.*.id": []any{"{tag_hot}"}}},
		{name: "a removed option is cleared from its records", method: "GET", path: "/v2/crm/deals/{gamma}", status: 200,
			want: at{"record.attributes.stage": nil, "record.attributes.tags": nil, "record.attributes.title": "Gamma"}},
		{name: "numeric option ids are accepted in an options patch", method: "PATCH", path: "/v2/crm/objects/deals/attributes/status",
			body:   `{"options":[{"id":{st_open},"value":"Open"},{"value":"Done"}]}`,
			status: 200, want: at{"attribute.options.#": 2, "attribute.options.0.id": "{st_open}", "attribute.options.1.value": "Done"}},
		{name: "a status kept by numeric id stays on its records", method: "GET", path: "/v2/crm/deals/{beta}", status: 200,
			want: at{"record.attributes.status.id": "{st_open}"}},
		{name: "relatedObjectLabel changes", method: "PATCH", path: "/v2/crm/objects/deals/attributes/projects", body: `{"relatedObjectLabel":"Opportunities"}`,
			status: 200, want: at{"attribute.relatedObjectLabel": "Opportunities", "attribute.relatedObjectSlug": "projects"}},
		{name: "an option id the attribute never had is 422", method: "PATCH", path: "/v2/crm/objects/deals/attributes/stage", body: `{"options":[{"id":"999","value":"Ghost"}]}`,
			status: 422, errs: fieldCodes{"options[0].id": "not_found"}},
		{name: "options on a text attribute are 422", method: "PATCH", path: "/v2/crm/objects/deals/attributes/title", body: `{"options":[{"value":"A"}]}`,
			status: 422, errs: fieldCodes{"options": "unknown_key"}},
		{name: "changing type is 422 read_only", method: "PATCH", path: "/v2/crm/objects/deals/attributes/title", body: `{"type":"number"}`,
			status: 422, errs: fieldCodes{"type": "read_only"}},
		{name: "changing key is 422 read_only", method: "PATCH", path: "/v2/crm/objects/deals/attributes/title", body: `{"key":"name"}`,
			status: 422, errs: fieldCodes{"key": "read_only"}},
		{name: "changing relatedObjectSlug is 422 read_only", method: "PATCH", path: "/v2/crm/objects/deals/attributes/projects", body: `{"relatedObjectSlug":"companies"}`,
			status: 422, errs: fieldCodes{"relatedObjectSlug": "read_only"}},
		{name: "changing validation is 422 read_only", method: "PATCH", path: "/v2/crm/objects/deals/attributes/contact_email", body: `{"validation":["url"]}`,
			status: 422, errs: fieldCodes{"validation": "read_only"}},
		{name: "changing currency is 422 read_only", method: "PATCH", path: "/v2/crm/objects/deals/attributes/value", body: `{"currency":"USD"}`,
			status: 422, errs: fieldCodes{"currency": "read_only"}},
		{name: "a label change keeps the key, and the unchanged type is accepted", method: "PATCH", path: "/v2/crm/objects/deals/attributes/title", body: `{"label":"Deal Title","type":"text"}`,
			status: 200, want: at{"attribute.key": "title", "attribute.label": "Deal Title", "attribute.type": "text"}},
		{name: "currency display settings change", method: "PATCH", path: "/v2/crm/objects/deals/attributes/value", body: `{"currencyDisplay":"code","currencyGrouping":false}`,
			status: 200, want: at{"attribute.currency": "EUR", "attribute.currencyDisplay": "code", "attribute.currencyGrouping": false, "attribute.currencyDecimal": true}},
		{name: "patching a standard attribute is 400", method: "PATCH", path: "/v2/crm/objects/people/attributes/first_name", body: `{"label":"Given Name"}`, status: 400},
		{name: "patching people's emails is 400", method: "PATCH", path: "/v2/crm/objects/people/attributes/emails", body: `{"isRequired":true}`, status: 400},
		{name: "patching a system attribute is 400", method: "PATCH", path: "/v2/crm/objects/deals/attributes/id", body: `{"label":"Key"}`, status: 400},
		{name: "patching an unknown attribute is 404", method: "PATCH", path: "/v2/crm/objects/deals/attributes/nope", body: `{"label":"Nope"}`, status: 404},
		{name: "patching an attribute of an unknown object is 404", method: "PATCH", path: "/v2/crm/objects/widgets/attributes/name", body: `{"label":"Nope"}`, status: 404},
		{name: "unique checkbox is 422", method: "PATCH", path: "/v2/crm/objects/deals/attributes/won", body: `{"isUnique":true}`,
			status: 422, errs: fieldCodes{"isUnique": "invalid_option"}},
		{name: "isUnique while two records share a value is 409", method: "PATCH", path: "/v2/crm/objects/deals/attributes/deal_number_2", body: `{"isUnique":true}`,
			status: 409, want: at{"conflictingRecordIds.*": []any{"{beta}", "{gamma}"}}},
		{name: "one of the two records changes its value", method: "PATCH", path: "/v2/crm/deals/{gamma}", body: `{"deal_number_2":"Y"}`,
			status: 200, want: at{"record.attributes.deal_number_2": "Y"}},
		{name: "isUnique succeeds once values differ", method: "PATCH", path: "/v2/crm/objects/deals/attributes/deal_number_2", body: `{"isUnique":true}`,
			status: 200, want: at{"attribute.isUnique": true}},
		{name: "the now-unique value is enforced", method: "POST", path: "/v2/crm/deals", body: `{"title":"Dup","deal_number_2":"X"}`,
			status: 409, errs: fieldCodes{"deal_number_2": "not_unique"}},
		{name: "the now-unique attribute can match", method: "PUT", path: "/v2/crm/deals?matchingAttribute=deal_number_2", body: `{"deal_number_2":"Y","score":1}`,
			status: 200, want: at{"record.id": "{gamma}", "record.attributes.score": 1}},

		// Attribute deletion.
		{name: "deleting a custom attribute", method: "DELETE", path: "/v2/crm/objects/deals/attributes/website", status: 200,
			want: at{"message": present}},
		{name: "a deleted attribute's values vanish from records", method: "GET", path: "/v2/crm/deals/{beta}", status: 200,
			want: at{"record.attributes.website": absent, "record.attributes.contact_email": "Bob@Example.com"}},
		{name: "a deleted attribute is an unknown key", method: "PATCH", path: "/v2/crm/deals/{beta}", body: `{"website":"example.com"}`,
			status: 422, errs: fieldCodes{"website": "unknown_key"}},
		{name: "deleting it again is 404", method: "DELETE", path: "/v2/crm/objects/deals/attributes/website", status: 404},
		{name: "deleting an unknown attribute is 404", method: "DELETE", path: "/v2/crm/objects/deals/attributes/nope", status: 404},
		{name: "deleting a system attribute is 400", method: "DELETE", path: "/v2/crm/objects/deals/attributes/created_at", status: 400},
		{name: "deleting a standard attribute is 400", method: "DELETE", path: "/v2/crm/objects/people/attributes/first_name", status: 400},
		{name: "deleting a company standard attribute is 400", method: "DELETE", path: "/v2/crm/objects/companies/attributes/domain", status: 400},

		// Companies and people's company.
		{name: "company assert creates with the domain normalized", method: "PUT", path: "/v2/crm/companies?matchingAttribute=domain", body: `{"name":"Acme","domain":"https://www.Acme.com/about"}`,
			status: 201, save: capture{"acme": "company.id"}, want: at{
				"company.name": "Acme", "company.domain": "acme.com", "company.description": nil,
				"company.socials.linkedin": nil, "company.customAttributes.#": 0, "company.createdAt": present,
			}},
		{name: "company assert matches the normalized domain", method: "PUT", path: "/v2/crm/companies?matchingAttribute=domain", body: `{"name":"Acme Inc","domain":"acme.com"}`,
			status: 200, want: at{"company.id": "{acme}", "company.name": "Acme Inc", "company.domain": "acme.com"}},
		{name: "company assert by name is 400", method: "PUT", path: "/v2/crm/companies?matchingAttribute=name", body: `{"name":"Acme Inc"}`, status: 400},
		{name: "company assert without a domain is 422", method: "PUT", path: "/v2/crm/companies?matchingAttribute=domain", body: `{"name":"Initech"}`,
			status: 422, errs: fieldCodes{"domain": "required"}},
		{name: "company assert with an invalid domain is 422", method: "PUT", path: "/v2/crm/companies?matchingAttribute=domain", body: `{"name":"Initech","domain":"not a domain"}`,
			status: 422, errs: fieldCodes{"domain": "invalid_format"}},
		{name: "company is created", method: "POST", path: "/v2/crm/companies", body: `{"name":"Globex","domain":"globex.com","description":"Big","socials":{"linkedin":"linkedin.com/company/globex"}}`,
			status: 201, save: capture{"globex": "company.id"}, want: at{"company.name": "Globex", "company.domain": "globex.com", "company.description": "Big",
				"company.socials.linkedin": "linkedin.com/company/globex"}},
		{name: "company without a name is 422", method: "POST", path: "/v2/crm/companies", body: `{"domain":"initech.com"}`,
			status: 422, errs: fieldCodes{"name": "required"}},
		{name: "company with an invalid domain is 422", method: "POST", path: "/v2/crm/companies", body: `{"name":"Initech","domain":"not a domain"}`,
			status: 422, errs: fieldCodes{"domain": "invalid_format"}},
		{name: "company with a taken domain is 409", method: "POST", path: "/v2/crm/companies", body: `{"name":"Acme 2","domain":"ACME.com"}`,
			status: 409, errs: fieldCodes{"domain": "not_unique"}},
		{name: "company with an unknown field is 422", method: "POST", path: "/v2/crm/companies", body: `{"name":"Initech","employees":5}`,
			status: 422, errs: fieldCodes{"employees": "unknown_key"}},
		{name: "company is read by id", method: "GET", path: "/v2/crm/companies/{acme}", status: 200,
			want: at{"company.id": "{acme}", "company.name": "Acme Inc", "company.domain": "acme.com"}},
		{name: "companies are listed", method: "GET", path: "/v2/crm/companies", status: 200,
			want: at{"pagination.total": 2, "collection.*.id": []any{"{acme}", "{globex}"}}},
		{name: "companies filter by a normalized domain", method: "GET", path: "/v2/crm/companies?domain=www.ACME.com", status: 200,
			want: at{"pagination.total": 1, "collection.0.id": "{acme}"}},
		{name: "company is patched", method: "PATCH", path: "/v2/crm/companies/{globex}", body: `{"primaryLocation":"Springfield"}`,
			status: 200, want: at{"company.primaryLocation": "Springfield", "company.name": "Globex"}},
		{name: "company patch to a taken domain is 409", method: "PATCH", path: "/v2/crm/companies/{globex}", body: `{"domain":"www.acme.com"}`,
			status: 409, errs: fieldCodes{"domain": "not_unique"}},
		{name: "company patch of the name to null is 422", method: "PATCH", path: "/v2/crm/companies/{globex}", body: `{"name":null}`,
			status: 422, errs: fieldCodes{"name": "required"}},
		{name: "company description of 10,000 chars is fine", method: "PATCH", path: "/v2/crm/companies/{globex}", body: `{"description":"` + strings.Repeat("d", 10000) + `"}`,
			status: 200, want: at{"company.name": "Globex"}},
		{name: "company description over 10,000 chars is 422", method: "PATCH", path: "/v2/crm/companies/{globex}", body: `{"description":"` + strings.Repeat("d", 10001) + `"}`,
			status: 422, errs: fieldCodes{"description": "too_long"}},
		{name: "company name over 255 chars is 422", method: "PATCH", path: "/v2/crm/companies/{globex}", body: `{"name":"` + long + `"}`,
			status: 422, errs: fieldCodes{"name": "too_long"}},
		{name: "unknown company is 404", method: "GET", path: "/v2/crm/companies/{missing}", status: 404},
		{name: "a deal is not a company", method: "GET", path: "/v2/crm/companies/{beta}", status: 404},
		{name: "person assert links a company", method: "PUT", path: "/v2/crm/people?matchingAttribute=email", body: `{"firstName":"Jane","emails":["jane@acme.com"],"companyId":"{acme}"}`,
			status: 201, save: capture{"jane": "person.id"}, want: at{"person.company": map[string]any{"id": "{acme}", "name": "Acme Inc", "domain": "acme.com"}}},
		{name: "person with an unknown companyId is 422", method: "PUT", path: "/v2/crm/people?matchingAttribute=email", body: `{"firstName":"Joe","emails":["joe@acme.com"],"companyId":"{missing}"}`,
			status: 422, errs: fieldCodes{"companyId": "not_found"}},
		{name: "person with a deal as companyId is 422", method: "PUT", path: "/v2/crm/people?matchingAttribute=email", body: `{"firstName":"Joe","emails":["joe@acme.com"],"companyId":"{beta}"}`,
			status: 422, errs: fieldCodes{"companyId": "not_found"}},
		{name: "people get a custom attribute", method: "POST", path: "/v2/crm/objects/people/attributes", body: `{"label":"Nickname","type":"text"}`,
			status: 201, want: at{"attribute.key": "nickname", "attribute.isStandard": false}},
		{name: "a person takes the custom value", method: "PATCH", path: "/v2/crm/people/{jane}", body: `{"customAttributes":{"nickname":"JJ"}}`,
			status: 200, want: at{"person.customAttributes.nickname": "JJ"}},
		{name: "deleting a custom attribute of people", method: "DELETE", path: "/v2/crm/objects/people/attributes/nickname", status: 200},
		{name: "a deleted people attribute vanishes from persons", method: "GET", path: "/v2/crm/people/{jane}", status: 200,
			want: at{"person.customAttributes.nickname": absent, "person.customAttributes.#": 0, "person.firstName": "Jane"}},
		{name: "many_to_one relation to companies takes one company", method: "PATCH", path: "/v2/crm/deals/{beta}", body: `{"account":["{acme}","{globex}"]}`,
			status: 422, errs: fieldCodes{"account": "out_of_range"}},
		{name: "deal links a company", method: "PATCH", path: "/v2/crm/deals/{beta}", body: `{"account":["{acme}"]}`,
			status: 200, want: at{"record.attributes.account": []any{"{acme}"}}},

		// Another workspace sees none of it.
		{name: "another workspace lists only its standard objects", as: "other", method: "GET", path: "/v2/crm/objects", status: 200,
			want: at{"collection.*.slug": []any{"companies", "people"}}},
		{name: "another workspace cannot read the object", as: "other", method: "GET", path: "/v2/crm/objects/deals", status: 404},
		{name: "another workspace cannot rename the object", as: "other", method: "PATCH", path: "/v2/crm/objects/deals", body: `{"singularName":"X"}`, status: 404},
		{name: "another workspace cannot delete the object", as: "other", method: "DELETE", path: "/v2/crm/objects/deals", status: 404},
		{name: "another workspace cannot add attributes", as: "other", method: "POST", path: "/v2/crm/objects/deals/attributes", body: `{"label":"X","type":"text"}`, status: 404},
		{name: "another workspace cannot patch attributes", as: "other", method: "PATCH", path: "/v2/crm/objects/deals/attributes/title", body: `{"label":"X"}`, status: 404},
		{name: "another workspace cannot delete attributes", as: "other", method: "DELETE", path: "/v2/crm/objects/deals/attributes/title", status: 404},
		{name: "another workspace cannot list the records", as: "other", method: "GET", path: "/v2/crm/deals", status: 404},
		{name: "another workspace cannot read a record", as: "other", method: "GET", path: "/v2/crm/deals/{beta}", status: 404},
		{name: "another workspace cannot create a record", as: "other", method: "POST", path: "/v2/crm/deals", body: `{"title":"X"}`, status: 404},
		{name: "another workspace cannot assert a record", as: "other", method: "PUT", path: "/v2/crm/deals?matchingAttribute=deal_number", body: `{"title":"X","deal_number":"D-2"}`, status: 404},
		{name: "another workspace cannot patch a record", as: "other", method: "PATCH", path: "/v2/crm/deals/{beta}", body: `{"title":"X"}`, status: 404},
		{name: "another workspace cannot patch a relation", as: "other", method: "PATCH", path: "/v2/crm/deals/{beta}/relation", body: `{"attributeSlug":"projects","remove":["{p2}"]}`, status: 404},
		{name: "another workspace cannot delete a record", as: "other", method: "DELETE", path: "/v2/crm/deals/{beta}", status: 404},
		{name: "another workspace cannot read a company", as: "other", method: "GET", path: "/v2/crm/companies/{acme}", status: 404},
		{name: "another workspace cannot patch a company", as: "other", method: "PATCH", path: "/v2/crm/companies/{acme}", body: `{"name":"X"}`, status: 404},
		{name: "another workspace cannot delete a company", as: "other", method: "DELETE", path: "/v2/crm/companies/{acme}", status: 404},
		{name: "another workspace lists no companies", as: "other", method: "GET", path: "/v2/crm/companies", status: 200,
			want: at{"pagination.total": 0, "collection.#": 0}},
		{name: "another workspace's domain does not match ours", as: "other", method: "PUT", path: "/v2/crm/companies?matchingAttribute=domain", body: `{"name":"Other Acme","domain":"acme.com"}`,
			status: 201, save: capture{"other_acme": "company.id"}, want: at{"company.name": "Other Acme"}},
		{name: "another workspace may take the same slug", as: "other", method: "POST", path: "/v2/crm/objects", body: `{"slug":"deals","singularName":"Deal","pluralName":"Deals"}`,
			status: 201, want: at{"object.attributes.#": 3}},
		{name: "the other workspace's records stay apart", as: "other", method: "GET", path: "/v2/crm/deals/{beta}", status: 404},
		{name: "a relation cannot link another workspace's company", method: "PATCH", path: "/v2/crm/deals/{beta}", body: `{"account":["{other_acme}"]}`,
			status: 422, errs: fieldCodes{"account": "not_found"}},
		{name: "a person cannot join another workspace's company", method: "PATCH", path: "/v2/crm/people/{jane}", body: `{"companyId":"{other_acme}"}`,
			status: 422, errs: fieldCodes{"companyId": "not_found"}},
		{name: "the relation endpoint cannot link another workspace's record", method: "PATCH", path: "/v2/crm/deals/{beta}/relation", body: `{"attributeSlug":"account","add":["{other_acme}"],"remove":["{acme}"]}`,
			status: 422, errs: fieldCodes{"add": "not_found"}},
		{name: "the isolation rows changed nothing here", method: "GET", path: "/v2/crm/deals/{beta}", status: 200,
			want: at{"record.attributes.title": "Beta", "record.attributes.projects": []any{"{p2}"}, "record.attributes.account": []any{"{acme}"}}},

		// The read-only token reads and never writes.
		{name: "read token reads an object", as: "read", method: "GET", path: "/v2/crm/objects/deals", status: 200},
		{name: "read token lists records", as: "read", method: "GET", path: "/v2/crm/deals", status: 200},
		{name: "read token reads a record", as: "read", method: "GET", path: "/v2/crm/deals/{beta}", status: 200},
		{name: "read token reads a company", as: "read", method: "GET", path: "/v2/crm/companies/{acme}", status: 200},
		{name: "read token cannot create objects", as: "read", method: "POST", path: "/v2/crm/objects", body: `{"slug":"widgets","singularName":"Widget","pluralName":"Widgets"}`, status: 403},
		{name: "read token cannot rename objects", as: "read", method: "PATCH", path: "/v2/crm/objects/deals", body: `{"singularName":"X"}`, status: 403},
		{name: "read token cannot delete objects", as: "read", method: "DELETE", path: "/v2/crm/objects/deals", status: 403},
		{name: "read token cannot add attributes", as: "read", method: "POST", path: "/v2/crm/objects/deals/attributes", body: `{"label":"X","type":"text"}`, status: 403},
		{name: "read token cannot patch attributes", as: "read", method: "PATCH", path: "/v2/crm/objects/deals/attributes/title", body: `{"label":"X"}`, status: 403},
		{name: "read token cannot delete attributes", as: "read", method: "DELETE", path: "/v2/crm/objects/deals/attributes/title", status: 403},
		{name: "read token cannot create records", as: "read", method: "POST", path: "/v2/crm/deals", body: `{"title":"X"}`, status: 403},
		{name: "read token cannot assert records", as: "read", method: "PUT", path: "/v2/crm/deals?matchingAttribute=deal_number", body: `{"title":"X","deal_number":"D-9"}`, status: 403},
		{name: "read token cannot patch records", as: "read", method: "PATCH", path: "/v2/crm/deals/{beta}", body: `{"title":"X"}`, status: 403},
		{name: "read token cannot delete records", as: "read", method: "DELETE", path: "/v2/crm/deals/{beta}", status: 403},
		{name: "read token cannot patch relations", as: "read", method: "PATCH", path: "/v2/crm/deals/{beta}/relation", body: `{"attributeSlug":"projects","remove":["{p2}"]}`, status: 403},
		{name: "read token cannot create companies", as: "read", method: "POST", path: "/v2/crm/companies", body: `{"name":"X"}`, status: 403},
		{name: "read token cannot assert companies", as: "read", method: "PUT", path: "/v2/crm/companies?matchingAttribute=domain", body: `{"name":"X","domain":"x.com"}`, status: 403},
		{name: "read token cannot patch companies", as: "read", method: "PATCH", path: "/v2/crm/companies/{acme}", body: `{"name":"X"}`, status: 403},
		{name: "read token cannot delete companies", as: "read", method: "DELETE", path: "/v2/crm/companies/{acme}", status: 403},
		{name: "the read token changed nothing", method: "GET", path: "/v2/crm/companies/{acme}", status: 200,
			want: at{"company.name": "Acme Inc"}},

		// Deletes and what they cascade to.
		{name: "deleting a company answers with a message", method: "DELETE", path: "/v2/crm/companies/{acme}", status: 200,
			want: at{"message": "Record deleted."}},
		{name: "a deleted company is 404", method: "GET", path: "/v2/crm/companies/{acme}", status: 404},
		{name: "a person of a deleted company has company null", method: "GET", path: "/v2/crm/people/{jane}", status: 200,
			want: at{"person.company": nil, "person.firstName": "Jane"}},
		{name: "a deleted company leaves the deals that linked it", method: "GET", path: "/v2/crm/deals/{beta}", status: 200,
			want: at{"record.attributes.account": nil}},
		{name: "deleting a company again is 404", method: "DELETE", path: "/v2/crm/companies/{acme}", status: 404},
		{name: "deleting a project", method: "DELETE", path: "/v2/crm/projects/{p1}", status: 200,
			want: at{"message": "Record deleted."}},
		{name: "a deleted record is removed from the relation that held it", method: "GET", path: "/v2/crm/deals/{alpha}", status: 200,
			want: at{"record.attributes.projects": nil}},
		{name: "deleting the last linked project", method: "DELETE", path: "/v2/crm/projects/{p2}", status: 200},
		{name: "a deleted record is removed from every relation", method: "GET", path: "/v2/crm/deals/{beta}", status: 200,
			want: at{"record.attributes.projects": nil, "record.attributes.title": "Beta"}},
		{name: "deleting a deal", method: "DELETE", path: "/v2/crm/deals/{gamma}", status: 200,
			want: at{"message": "Record deleted."}},
		{name: "a deleted deal is 404", method: "GET", path: "/v2/crm/deals/{gamma}", status: 404},
		{name: "patching a deleted deal is 404", method: "PATCH", path: "/v2/crm/deals/{gamma}", body: `{"score":2}`, status: 404},
		{name: "deleting a deal again is 404", method: "DELETE", path: "/v2/crm/deals/{gamma}", status: 404},
		{name: "deleting a record of an unknown object is 404", method: "DELETE", path: "/v2/crm/widgets/{alpha}", status: 404},
		{name: "deleting a custom object", method: "DELETE", path: "/v2/crm/objects/tmp.leads-2", status: 200,
			want: at{"message": present}},
		{name: "a deleted object is 404", method: "GET", path: "/v2/crm/objects/tmp.leads-2", status: 404},
		{name: "a deleted object's records are 404", method: "GET", path: "/v2/crm/tmp.leads-2/{lead1}", status: 404},
		{name: "a deleted object's list is 404", method: "GET", path: "/v2/crm/tmp.leads-2", status: 404},
		{name: "relations to a deleted object go with it", method: "GET", path: "/v2/crm/deals/{beta}", status: 200,
			want: at{"record.attributes.source_lead": absent, "record.attributes.title": "Beta"}},
		{name: "deleting a deleted object is 404", method: "DELETE", path: "/v2/crm/objects/tmp.leads-2", status: 404},
		{name: "a deleted slug can be taken again", method: "POST", path: "/v2/crm/objects", body: `{"slug":"tmp.leads-2","singularName":"Lead","pluralName":"Leads"}`,
			status: 201, want: at{"object.attributes.#": 3}},
		{name: "the new object starts without records", method: "GET", path: "/v2/crm/tmp.leads-2", status: 200,
			want: at{"pagination.total": 0, "collection.#": 0}},
		{name: "the former record stays 404", method: "GET", path: "/v2/crm/tmp.leads-2/{lead1}", status: 404},
	}

	for _, store := range teststore.All() {
		t.Run(store.Name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t, store.Open)
			saved := map[string]string{"missing": "0190c8a0-0000-7000-8000-000000000000"}
			for _, row := range rows {
				s.runCRM(t, row, saved)
			}
		})
	}
}

var placeholder = regexp.MustCompile(`\{([a-z][a-z0-9_]*)\}`)

// fill replaces the {name} placeholders of s with saved ids; a name that
// no row saved is an error.
func fill(s string, saved map[string]string) (string, error) {
	var missing []string
	out := placeholder.ReplaceAllStringFunc(s, func(m string) string {
		name := m[1 : len(m)-1]
		v, ok := saved[name]
		if !ok {
			missing = append(missing, m)
		}
		return v
	})
	if missing != nil {
		return "", fmt.Errorf("%s not saved by an earlier row", strings.Join(missing, ", "))
	}
	return out, nil
}

// fillValue fills the placeholders of the strings in an expected value.
func fillValue(v any, saved map[string]string) (any, error) {
	switch v := v.(type) {
	case string:
		return fill(v, saved)
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			var err error
			if out[i], err = fillValue(x, saved); err != nil {
				return nil, err
			}
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			var err error
			if out[k], err = fillValue(x, saved); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return v, nil
}

// runCRM sends one row's request and checks the answer, saving the ids
// the row names.
func (s *server) runCRM(t *testing.T, row crmRow, saved map[string]string) {
	t.Helper()
	path, err := fill(row.path, saved)
	if err == nil {
		row.body, err = fill(row.body, saved)
	}
	if err != nil {
		t.Errorf("%s: %v", row.name, err)
		return
	}
	token := map[string]string{"": s.write, "read": s.read, "other": s.other}[row.as]
	contentType := ""
	if row.body != "" {
		contentType = "application/json"
	}
	r := s.call(t, row.method, path, token, contentType, row.body)
	if r.status != row.status {
		t.Errorf("%s: %s %s = %d %v, want %d", row.name, row.method, path, r.status, r.body, row.status)
		return
	}
	if r.body["status"] != float64(row.status) || r.body["success"] != (row.status < 300) {
		t.Errorf("%s: envelope %v", row.name, r.body)
	}
	for name, p := range row.save {
		v, _ := lookup(r.body, strings.Split(p, "."))
		if str, ok := v.(string); ok && str != "" {
			saved[name] = str
		} else {
			t.Errorf("%s: cannot save {%s}: %s is %v", row.name, name, p, v)
		}
	}
	if row.status >= 400 {
		checkErrors(t, row, r.body)
	}
	for _, p := range slices.Sorted(maps.Keys(row.want)) {
		want, err := fillValue(row.want[p], saved)
		if err != nil {
			t.Errorf("%s: %s: %v", row.name, p, err)
			continue
		}
		got, ok := lookup(r.body, strings.Split(p, "."))
		switch {
		case want == absent:
			if ok {
				t.Errorf("%s: %s = %s, want it absent", row.name, p, canonical(got))
			}
		case !ok:
			t.Errorf("%s: %s is absent, want %s", row.name, p, canonical(want))
		case want == present:
			if got == nil {
				t.Errorf("%s: %s is null, want a value", row.name, p)
			}
		case !matches(got, want, strings.Contains(p, "*")):
			t.Errorf("%s: %s = %s, want %s", row.name, p, canonical(got), canonical(want))
		}
	}
}

// checkErrors checks an error response: the code of its status, a
// message, and exactly the expected field error codes at their paths.
func checkErrors(t *testing.T, row crmRow, body map[string]any) {
	t.Helper()
	if code, ok := codeOf[row.status]; !ok || body["code"] != string(code) || body["message"] == "" {
		t.Errorf("%s: code %v message %v, want %s", row.name, body["code"], body["message"], code)
	}
	got := fieldCodes{}
	errs, _ := body["errors"].(map[string]any)
	for p, list := range errs {
		var codes []string
		items, _ := list.([]any)
		for _, item := range items {
			fe, _ := item.(map[string]any)
			code, _ := fe["code"].(string)
			codes = append(codes, code)
		}
		got[p] = strings.Join(codes, ",")
	}
	if !maps.Equal(got, row.errs) {
		t.Errorf("%s: errors %v, want %v", row.name, got, row.errs)
	}
}

// lookup returns the value at a JSON path (see at).
func lookup(v any, path []string) (any, bool) {
	if len(path) == 0 {
		return v, true
	}
	seg, rest := path[0], path[1:]
	switch x := v.(type) {
	case map[string]any:
		if seg == "#" {
			return lookup(float64(len(x)), rest)
		}
		if e, ok := x[seg]; ok {
			return lookup(e, rest)
		}
	case []any:
		switch seg {
		case "#":
			return lookup(float64(len(x)), rest)
		case "*":
			out := []any{}
			for _, e := range x {
				if got, ok := lookup(e, rest); ok {
					out = append(out, got)
				}
			}
			return out, true
		}
		if i, err := strconv.Atoi(seg); err == nil && i >= 0 && i < len(x) {
			return lookup(x[i], rest)
		}
	}
	return nil, false
}

// matches compares got with want as JSON; unordered compares lists as
// multisets, where present in want stands for any one non-null item.
func matches(got, want any, unordered bool) bool {
	gl, gok := got.([]any)
	wl, wok := want.([]any)
	if !unordered || !gok || !wok {
		return canonical(got) == canonical(want)
	}
	if len(gl) != len(wl) {
		return false
	}
	rest := slices.Clone(gl)
	wildcards := 0
	for _, w := range wl {
		if w == present {
			wildcards++
			continue
		}
		i := slices.IndexFunc(rest, func(g any) bool { return canonical(g) == canonical(w) })
		if i < 0 {
			return false
		}
		rest = slices.Delete(rest, i, i+1)
	}
	return !slices.Contains(rest, nil) && len(rest) == wildcards
}

func canonical(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
