package kith

import (
	"context"
	"encoding/json"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// NewObject is the body of a request that creates a custom object.
type NewObject struct {
	Slug         *string `json:"slug"`
	SingularName *string `json:"singularName"`
	PluralName   *string `json:"pluralName"`
	IsActive     *bool   `json:"isActive"`
}

// ObjectPatch is the body of a request that renames a custom object. Slug
// and IsActive are there to be refused as read-only.
type ObjectPatch struct {
	SingularName *string         `json:"singularName"`
	PluralName   *string         `json:"pluralName"`
	Slug         json.RawMessage `json:"slug"`
	IsActive     json.RawMessage `json:"isActive"`
}

// ReservedSlugs are the names Kith routes under /v2/crm/ itself; no custom
// object may take them.
var ReservedSlugs = []string{"people", "companies", "objects", "batch", "changes", "webhooks", "imports",
	"search", "history", "merge", "records", "attributes", "relation", "tokens", "workspaces", "lists", "notes"}

// slugPattern: runs of lower-case letters, digits and underscores joined by
// single hyphens or dots.
var slugPattern = regexp.MustCompile(`^[a-z0-9_]+([.-][a-z0-9_]+)*$`)

// Objects returns the schema of every object of a workspace.
func (s *Service) Objects(ctx context.Context, ws string) ([]*Object, error) {
	var out []*Object
	err := s.store.Read(ctx, ws, func(tx Tx) error {
		rows, err := tx.ObjectRows(ctx)
		if err != nil {
			return err
		}
		for _, row := range rows {
			obj, err := s.object(ctx, tx, row.Slug)
			if err != nil {
				return err
			}
			out = append(out, obj)
		}
		return nil
	})
	return out, err
}

// CreateObject creates a custom object with its system attributes.
func (s *Service) CreateObject(ctx context.Context, wc WriteContext, spec NewObject) (*Object, error) {
	p := Problems{}
	slug := ""
	switch {
	case spec.Slug == nil || *spec.Slug == "":
		p.Add("slug", FieldRequired, "slug is required")
	case len(*spec.Slug) < 3 || len(*spec.Slug) > 60:
		p.Add("slug", FieldInvalidFormat, "must be 3 to 60 characters")
	case !slugPattern.MatchString(*spec.Slug):
		p.Add("slug", FieldInvalidFormat, "must be lower-case letters, digits and underscores, joined by single hyphens or dots")
	case slices.Contains(ReservedSlugs, *spec.Slug):
		p.Add("slug", FieldInvalidOption, "%q is reserved; reserved: %s", *spec.Slug, strings.Join(ReservedSlugs, ", "))
	default:
		slug = *spec.Slug
	}
	obj := Object{Slug: slug, IsActive: spec.IsActive == nil || *spec.IsActive, CreatedAt: wc.Now, UpdatedAt: wc.Now}
	obj.SingularName = objectName(p, "singularName", spec.SingularName, true)
	obj.PluralName = objectName(p, "pluralName", spec.PluralName, true)
	if err := p.Err(); err != nil {
		return nil, err
	}
	var out *Object
	err := s.write(ctx, wc, func(tx Tx) error {
		if _, err := tx.ObjectRow(ctx, slug); err == nil {
			return Errorf(EConflict, "An object with slug %q exists.", slug)
		} else if ErrorCode(err) != ENotFound {
			return err
		}
		if err := tx.InsertObject(ctx, obj); err != nil {
			return err
		}
		if err := s.schemaChanged(ctx, tx); err != nil {
			return err
		}
		var err error
		out, err = s.object(ctx, tx, slug)
		return err
	})
	return out, err
}

// objectName validates a display name; a nil name is a problem only when
// required.
func objectName(p Problems, path string, name *string, required bool) string {
	switch {
	case name == nil && !required:
		return ""
	case name == nil || strings.TrimSpace(*name) == "":
		p.Add(path, FieldRequired, "%s is required", path)
	case utf8.RuneCountInString(*name) > 255:
		p.Add(path, FieldTooLong, "must be at most 255 characters")
	default:
		return strings.TrimSpace(*name)
	}
	return ""
}

// UpdateObject renames a custom object. Standard objects are EForbidden.
func (s *Service) UpdateObject(ctx context.Context, wc WriteContext, slug string, patch ObjectPatch) (*Object, error) {
	p := Problems{}
	singular := objectName(p, "singularName", patch.SingularName, false)
	plural := objectName(p, "pluralName", patch.PluralName, false)
	if patch.Slug != nil {
		p.Add("slug", FieldReadOnly, "an object's slug never changes")
	}
	if patch.IsActive != nil {
		p.Add("isActive", FieldReadOnly, "isActive cannot be changed here")
	}
	var out *Object
	err := s.write(ctx, wc, func(tx Tx) error {
		obj, err := s.customObject(ctx, tx, slug)
		if err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		row := *obj
		if singular != "" {
			row.SingularName = singular
		}
		if plural != "" {
			row.PluralName = plural
		}
		if row.SingularName != obj.SingularName || row.PluralName != obj.PluralName {
			row.UpdatedAt = wc.Now
			if err := tx.UpdateObject(ctx, row); err != nil {
				return err
			}
			if err := s.schemaChanged(ctx, tx); err != nil {
				return err
			}
		}
		out, err = s.object(ctx, tx, slug)
		return err
	})
	return out, err
}

// DeleteObject deletes a custom object: the relation attributes of other
// objects that point at it, then its records (each leaves a tombstone),
// then its definition.
func (s *Service) DeleteObject(ctx context.Context, wc WriteContext, slug string) error {
	return s.write(ctx, wc, func(tx Tx) error {
		if _, err := s.customObject(ctx, tx, slug); err != nil {
			return err
		}
		rows, err := tx.ObjectRows(ctx)
		if err != nil {
			return err
		}
		for _, row := range rows {
			other, err := s.object(ctx, tx, row.Slug)
			if err != nil {
				return err
			}
			for _, a := range other.Attributes {
				if a.Type == TypeRelation && a.RelatedObjectSlug == slug && !a.IsStandard && row.Slug != slug {
					if err := s.deleteAttribute(ctx, tx, wc, other, a.Key); err != nil {
						return err
					}
				}
			}
		}
		var recs []Record
		if err := tx.ScanRecords(ctx, slug, func(r Record) bool { recs = append(recs, r); return true }); err != nil {
			return err
		}
		for _, r := range recs {
			if err := s.deleteRecord(ctx, tx, wc, r); err != nil {
				return err
			}
		}
		if err := s.schemaChanged(ctx, tx); err != nil {
			return err
		}
		return tx.DeleteObject(ctx, slug)
	})
}

// customObject loads an object that may be changed: EForbidden for the
// standard ones.
func (s *Service) customObject(ctx context.Context, tx Tx, slug string) (*Object, error) {
	obj, err := s.object(ctx, tx, slug)
	if err != nil {
		return nil, err
	}
	if obj.IsStandard {
		return nil, Errorf(EForbidden, "%s is a standard object; only custom objects can be changed or deleted.", slug)
	}
	return obj, nil
}

// RelationPatch is the body of a request that adds and removes links of
// one relation (or user) attribute of a record.
type RelationPatch struct {
	AttributeSlug string   `json:"attributeSlug"`
	Add           []string `json:"add"`
	Remove        []string `json:"remove"`
}

// UpdateRelation adds and removes ids of a relation or user attribute of a
// record. Adding a linked id and removing an unlinked one change nothing.
func (s *Service) UpdateRelation(ctx context.Context, wc WriteContext, slug, id string, patch RelationPatch) (*Result, error) {
	p := Problems{}
	if len(patch.Add) == 0 && len(patch.Remove) == 0 {
		p.Add("add", FieldRequired, "send ids to add or to remove")
	}
	for _, x := range patch.Add {
		if slices.Contains(patch.Remove, x) {
			p.Add("remove", FieldInvalidOption, "%q is in add and in remove", x)
		}
	}
	var res *Result
	err := s.write(ctx, wc, func(tx Tx) error {
		obj, rec, err := s.objectRecord(ctx, tx, slug, id)
		if err != nil {
			return err
		}
		attr, ok := obj.Attribute(patch.AttributeSlug)
		switch {
		case patch.AttributeSlug == "":
			p.Add("attributeSlug", FieldRequired, "attributeSlug is required")
			return p.Err()
		case !ok || (attr.Type != TypeRelation && attr.Type != TypeUser):
			p.Add("attributeSlug", FieldInvalidOption, "%s has no relation or user attribute %q", slug, patch.AttributeSlug)
			return p.Err()
		}
		if err := p.Err(); err != nil {
			return err
		}
		ids := slices.DeleteFunc(relationIDs(rec.Values[attr.Key]), func(x string) bool { return slices.Contains(patch.Remove, x) })
		for _, x := range patch.Add {
			if !slices.Contains(ids, x) {
				ids = append(ids, x)
			}
		}
		raw, _ := json.Marshal(ids)
		changes, err := s.prepare(ctx, tx, obj, Input{Fields: []InputField{{Key: attr.Key, Path: "add", Raw: raw}}}, false)
		if err != nil {
			return err
		}
		if res, err = s.update(ctx, tx, wc, obj, rec, changes, nil, false); err != nil {
			return err
		}
		return s.expand(ctx, tx, res)
	})
	return res, err
}

// deleteAttribute removes a custom attribute's values from every record
// (each changed record gets a new sequence number) and then its definition.
func (s *Service) deleteAttribute(ctx context.Context, tx Tx, wc WriteContext, obj *Object, key string) error {
	next := *obj
	next.Attributes = slices.DeleteFunc(slices.Clone(obj.Attributes), func(a Attribute) bool { return a.Key == key })
	err := s.reindex(ctx, tx, wc, obj, &next, func(values map[string]any) map[string]any {
		if _, ok := values[key]; !ok {
			return values
		}
		values = maps.Clone(values)
		delete(values, key)
		return values
	})
	if err != nil {
		return err
	}
	if err := s.schemaChanged(ctx, tx); err != nil {
		return err
	}
	return tx.DeleteAttribute(ctx, obj.Slug, key)
}

// reindex moves every record of an object from schema prev to schema
// next: transform gives each record's new values (a record whose values
// change gets a new sequence number and updatedAt), and the match keys and
// links follow the new schema.
func (s *Service) reindex(ctx context.Context, tx Tx, wc WriteContext, prev, next *Object, transform func(map[string]any) map[string]any) error {
	var recs []Record
	if err := tx.ScanRecords(ctx, prev.Slug, func(r Record) bool { recs = append(recs, r); return true }); err != nil {
		return err
	}
	for _, r := range recs {
		values := transform(r.Values)
		add, remove := diffIndex(s.index(prev, r.Values), s.index(next, values))
		changed := !reflect.DeepEqual(values, r.Values)
		if !changed && len(add.Keys)+len(add.Links)+len(remove.Keys)+len(remove.Links) == 0 {
			continue
		}
		if changed {
			seq, err := tx.NextSeq(ctx)
			if err != nil {
				return err
			}
			r.Values, r.Seq, r.UpdatedAt = values, seq, wc.Now
		}
		if err := tx.UpdateRecord(ctx, r, add, remove); err != nil {
			return err
		}
	}
	return nil
}
