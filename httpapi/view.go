package httpapi

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/kith-crm/kith"
)

// readOnlyFields are accepted in standard bodies and ignored, so that a
// client can send back what it read.
var readOnlyFields = map[string]bool{"id": true, "createdAt": true, "updatedAt": true, "company": true}

// decodeStandard maps a people or companies body (camelCase fields,
// socials, customAttributes) to attribute keys. Unknown fields are
// problems, never dropped silently.
func decodeStandard(slug string, body map[string]json.RawMessage) kith.Input {
	fields := map[string]string{} // body path -> attribute key
	for _, a := range kith.StandardFields(slug) {
		fields[a.Field] = a.Key
	}
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
		switch {
		case fields[name] != "":
			in.Fields = append(in.Fields, kith.InputField{Key: fields[name], Path: name, Raw: raw})
		case name == "socials":
			nested(name, raw, func(k string, v json.RawMessage) {
				path := "socials." + k
				if fields[path] == "" {
					in.Problems.Add(path, kith.FieldUnknownKey, "%s is not a social network of %s; known: linkedin, twitter, facebook, instagram", k, slug)
					return
				}
				in.Fields = append(in.Fields, kith.InputField{Key: fields[path], Path: path, Raw: v})
			})
			if string(raw) == "null" { // socials: null clears every network
				for _, a := range kith.StandardFields(slug) {
					if strings.HasPrefix(a.Field, "socials.") {
						in.Fields = append(in.Fields, kith.InputField{Key: a.Key, Path: a.Field, Raw: raw})
					}
				}
			}
		case name == "customAttributes":
			nested(name, raw, func(k string, v json.RawMessage) {
				in.Fields = append(in.Fields, kith.InputField{Key: k, Path: "customAttributes." + k, Raw: v, Custom: true})
			})
		case name == "companyId" && slug == kith.People:
			if string(raw) != "null" {
				in.Problems.Add(name, kith.FieldNotFound, "there is no company with this id")
			}
		case readOnlyFields[name]:
		default:
			in.Problems.Add(name, kith.FieldUnknownKey, "%s is not a field of %s", name, slug)
		}
	}
	return in
}

// renderStandard renders a person or company as the documented example
// does: id, the standard fields in schema order, socials, the custom
// attributes, then the timestamps.
func renderStandard(obj *kith.Object, r *kith.Record) ordered {
	out := ordered{{"id", r.ID}}
	socials, custom := ordered{}, ordered{}
	for i := range obj.Attributes {
		a := &obj.Attributes[i]
		switch {
		case a.Field == "":
			custom = append(custom, field{a.Key, r.Render(a)})
		case strings.HasPrefix(a.Field, "socials."):
			socials = append(socials, field{strings.TrimPrefix(a.Field, "socials."), r.Render(a)})
		default:
			out = append(out, field{a.Field, r.Render(a)})
		}
	}
	if obj.Slug == kith.People {
		out = append(out, field{"company", nil}) // companies arrive with the companies API
	}
	return append(out,
		field{"socials", socials},
		field{"customAttributes", custom},
		field{"createdAt", kith.FormatTime(r.CreatedAt)},
		field{"updatedAt", kith.FormatTime(r.UpdatedAt)},
	)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
