package httpapi

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/kith-crm/kith"
)

// A view maps one kind of object between its JSON and attribute keys.
type view interface {
	key() string // the envelope key of one record: person, company, record
	decode(body map[string]json.RawMessage) kith.Input
	render(obj *kith.Object, r *kith.Record, related map[string]kith.Record) ordered
}

var (
	peopleView    = newStandardView(kith.People, "person")
	companiesView = newStandardView(kith.Companies, "company")
)

func viewOf(slug string) view {
	switch slug {
	case kith.People:
		return peopleView
	case kith.Companies:
		return companiesView
	}
	return recordView{}
}

// standardView is the camelCase JSON of people and companies: standard
// fields at the top, socials grouped, custom attributes under
// customAttributes, a person's company as companyId in and company out.
type standardView struct {
	slug     string
	envelope string
	fields   map[string]kith.Attribute // body path -> standard attribute
}

func newStandardView(slug, envelope string) standardView {
	v := standardView{slug: slug, envelope: envelope, fields: map[string]kith.Attribute{}}
	for _, a := range kith.StandardFields(slug) {
		v.fields[a.Field] = a
	}
	return v
}

// readOnlyFields are accepted in standard bodies and ignored, so that a
// client can send back what it read.
var readOnlyFields = map[string]bool{"id": true, "createdAt": true, "updatedAt": true, "company": true}

func (v standardView) key() string { return v.envelope }

// decode maps a body to attribute keys. Unknown fields are problems, never
// dropped silently.
func (v standardView) decode(body map[string]json.RawMessage) kith.Input {
	fields := v.fields
	in := kith.Input{Problems: kith.Problems{}}
	nested := func(group string, raw json.RawMessage, each func(k string, v json.RawMessage)) {
		if string(raw) == "null" {
			return
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			in.Problems.Add(group, kith.FieldInvalidType, "must be an object")
			return
		}
		for _, k := range sortedKeys(m) {
			each(k, m[k])
		}
	}
	for _, name := range sortedKeys(body) {
		raw := body[name]
		switch a, ok := fields[name]; {
		case ok && a.Type == kith.TypeRelation:
			// companyId carries one id; the relation holds a list.
			var id *string
			if err := json.Unmarshal(raw, &id); err != nil {
				in.Problems.Add(name, kith.FieldInvalidType, "must be a record id or null")
				continue
			}
			if id != nil {
				raw, _ = json.Marshal([]string{*id})
			}
			in.Fields = append(in.Fields, kith.InputField{Key: a.Key, Path: name, Raw: raw})
		case ok:
			in.Fields = append(in.Fields, kith.InputField{Key: a.Key, Path: name, Raw: raw})
		case name == "socials":
			nested(name, raw, func(k string, val json.RawMessage) {
				path := "socials." + k
				a, ok := fields[path]
				if !ok {
					in.Problems.Add(path, kith.FieldUnknownKey, "%s is not a social network; known: linkedin, twitter, facebook, instagram", k)
					return
				}
				in.Fields = append(in.Fields, kith.InputField{Key: a.Key, Path: path, Raw: val})
			})
			if string(raw) == "null" { // socials: null clears every network
				for _, a := range kith.StandardFields(v.slug) {
					if strings.HasPrefix(a.Field, "socials.") {
						in.Fields = append(in.Fields, kith.InputField{Key: a.Key, Path: a.Field, Raw: raw})
					}
				}
			}
		case name == "customAttributes":
			nested(name, raw, func(k string, val json.RawMessage) {
				in.Fields = append(in.Fields, kith.InputField{Key: k, Path: "customAttributes." + k, Raw: val, Custom: true})
			})
		case readOnlyFields[name]:
		default:
			in.Problems.Add(name, kith.FieldUnknownKey, "%s is not a field of %s", name, v.slug)
		}
	}
	return in
}

// render renders a person or company as the documented example does: id,
// the standard fields in schema order, socials, the custom attributes,
// then the timestamps.
func (v standardView) render(obj *kith.Object, r *kith.Record, related map[string]kith.Record) ordered {
	out := ordered{{"id", r.ID}}
	socials, custom := ordered{}, ordered{}
	for i := range obj.Attributes {
		a := &obj.Attributes[i]
		switch {
		case a.Field == "":
			custom = append(custom, field{a.Key, r.Render(a)})
		case strings.HasPrefix(a.Field, "socials."):
			socials = append(socials, field{strings.TrimPrefix(a.Field, "socials."), r.Render(a)})
		case a.Type == kith.TypeRelation:
			out = append(out, field{strings.TrimSuffix(a.Field, "Id"), companySummary(r.Values[a.Key], related)})
		default:
			out = append(out, field{a.Field, r.Render(a)})
		}
	}
	return append(out,
		field{"socials", socials},
		field{"customAttributes", custom},
		field{"createdAt", kith.FormatTime(r.CreatedAt)},
		field{"updatedAt", kith.FormatTime(r.UpdatedAt)},
	)
}

// companySummary embeds a linked company as {id, name, domain}, or null.
func companySummary(link any, related map[string]kith.Record) any {
	ids, _ := link.([]any)
	if len(ids) == 0 {
		return nil
	}
	id, _ := ids[0].(string)
	c, ok := related[id]
	if !ok {
		return nil
	}
	return ordered{{"id", c.ID}, {"name", c.Values["name"]}, {"domain", c.Values["domain"]}}
}

// recordView is the JSON of custom objects' records: flat attribute keys
// in bodies, {id, objectSlug, attributes, createdAt, updatedAt} out.
type recordView struct{}

// recordReadOnly are record fields accepted in bodies and ignored.
var recordReadOnly = map[string]bool{"objectSlug": true, "createdAt": true, "updatedAt": true}

func (recordView) key() string { return "record" }

func (recordView) decode(body map[string]json.RawMessage) kith.Input {
	in := kith.Input{Problems: kith.Problems{}}
	for _, k := range sortedKeys(body) {
		if !recordReadOnly[k] {
			in.Fields = append(in.Fields, kith.InputField{Key: k, Path: k, Raw: body[k]})
		}
	}
	return in
}

func (recordView) render(obj *kith.Object, r *kith.Record, _ map[string]kith.Record) ordered {
	attrs := make(ordered, len(obj.Attributes))
	for i := range obj.Attributes {
		attrs[i] = field{obj.Attributes[i].Key, r.Render(&obj.Attributes[i])}
	}
	return ordered{
		{"id", r.ID},
		{"objectSlug", obj.Slug},
		{"attributes", attrs},
		{"createdAt", kith.FormatTime(r.CreatedAt)},
		{"updatedAt", kith.FormatTime(r.UpdatedAt)},
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
