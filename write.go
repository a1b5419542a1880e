package kith

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
)

// change is one validated attribute value of a write; a nil value clears.
type change struct {
	attr  *Attribute
	path  string
	value any
}

// prepare validates a body against the object's schema and checks, inside
// the transaction, that the records its relations name exist.
func (s *Service) prepare(ctx context.Context, tx Tx, obj *Object, in Input, assert bool) ([]change, error) {
	changes, p := s.validate(obj, in, assert)
	if err := s.checkLinks(ctx, tx, changes, p); err != nil {
		return nil, err
	}
	return changes, p.Err()
}

// validate checks a body against the object's schema alone.
func (s *Service) validate(obj *Object, in Input, assert bool) ([]change, Problems) {
	p := Problems{}
	maps.Copy(p, in.Problems)
	changes := make([]change, 0, len(in.Fields))
	for _, f := range in.Fields {
		a, ok := obj.Attribute(f.Key)
		if !ok || (f.Custom && a.IsStandard) {
			p.Add(f.Path, FieldUnknownKey, "%s has no attribute %q", obj.Slug, f.Key)
			continue
		}
		if isSystemAttribute(a) {
			continue // read-only, accepted so that a client can send back what it read
		}
		if isNull(f.Raw) {
			if assert && a.IsMultiValue {
				p.Add(f.Path, FieldInvalidType, "cannot be null on assert, which only adds values; remove values with PATCH")
				continue
			}
			changes = append(changes, change{attr: a, path: f.Path})
			continue
		}
		v, ok := s.norm.prepareValue(a, f.Path, f.Raw, p)
		if !ok {
			continue
		}
		if items, isList := v.([]any); isList && len(items) == 0 {
			v = nil // an empty list is no value
		}
		changes = append(changes, change{attr: a, path: f.Path, value: v})
	}
	return changes, p
}

// linksExist is EInvalid when relation values name no record of the
// related object.
func (s *Service) linksExist(ctx context.Context, tx Tx, changes []change) error {
	p := Problems{}
	if err := s.checkLinks(ctx, tx, changes, p); err != nil {
		return err
	}
	return p.Err()
}

// checkLinks reports relation values that name no record of the related
// object.
func (s *Service) checkLinks(ctx context.Context, tx Tx, changes []change, p Problems) error {
	for _, c := range changes {
		if c.attr.Type != TypeRelation || c.value == nil {
			continue
		}
		ids := relationIDs(c.value)
		found, err := tx.RecordsByID(ctx, c.attr.RelatedObjectSlug, ids)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if !slices.ContainsFunc(found, func(r Record) bool { return r.ID == id }) {
				p.Add(c.path, FieldNotFound, "there is no %s record with id %q", c.attr.RelatedObjectSlug, id)
			}
		}
	}
	return nil
}

// findKeys looks up the records that hold the matching value and the
// unique values of the body: which hold which key, and the records.
func (s *Service) findKeys(ctx context.Context, tx Tx, obj *Object, matchAttr *Attribute, matchValue any, changes []change) ([]KeyHit, []Record, error) {
	keys := s.lookupKeys(matchAttr, matchValue, changes)
	if len(keys) == 0 {
		return nil, nil, nil
	}
	return tx.FindKeys(ctx, obj.Slug, keys)
}

// lookupKeys are the keys a write looks up: the matching attribute's
// values when it is keyed, and the body's unique values.
func (s *Service) lookupKeys(matchAttr *Attribute, matchValue any, changes []change) []MatchKey {
	var keys []MatchKey
	if matchAttr != nil && matchAttr.Keyed() {
		keys = s.keysOf(matchAttr, matchValue, keys)
	}
	for _, c := range changes {
		if c.attr.IsUnique && c.value != nil && c.attr != matchAttr {
			keys = s.keysOf(c.attr, c.value, keys)
		}
	}
	return keys
}

// match returns the record an assert updates, nil for none. On a keyed
// attribute it is one of holders, the records that findKeys found.
func (s *Service) match(ctx context.Context, tx Tx, obj *Object, attr *Attribute, value any, hits []KeyHit, holders []Record) (*Record, error) {
	if !attr.Keyed() {
		want := canonicalJSON(s.norm.matchValues(attr, value))
		var found *Record
		err := tx.ScanRecords(ctx, obj.Slug, func(r Record) bool {
			if v, ok := r.Values[attr.Key]; ok && canonicalJSON(s.norm.matchValues(attr, v)) == want {
				found = &r
				return false
			}
			return true
		})
		return found, err
	}
	var ids []string
	for _, h := range hits {
		if h.Attribute == attr.Key && !slices.Contains(ids, h.RecordID) {
			ids = append(ids, h.RecordID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	sort.Strings(ids) // UUIDv7: the oldest first
	if attr.IsUnique && len(ids) > 1 {
		return nil, &Error{
			Code:                 EConflict,
			Message:              "The values of " + obj.path(attr) + " belong to different records; nothing was changed.",
			ConflictingRecordIDs: ids,
		}
	}
	i := slices.IndexFunc(holders, func(r Record) bool { return r.ID == ids[0] })
	if i < 0 {
		return nil, fmt.Errorf("kith: match key of %s %s without its record", obj.Slug, ids[0])
	}
	return &holders[i], nil
}

func (s *Service) create(ctx context.Context, tx Tx, wc WriteContext, obj *Object, changes []change, hits []KeyHit) (*Result, error) {
	values := s.apply(nil, changes, false)
	if err := checkRecord(obj, values, changes, hits, ""); err != nil {
		return nil, err
	}
	seq, err := tx.NextSeq(ctx)
	if err != nil {
		return nil, err
	}
	rec := Record{ID: NewID(), Object: obj.Slug, Values: values, Seq: seq, CreatedAt: wc.Now, UpdatedAt: wc.Now}
	if err := tx.InsertRecord(ctx, rec, s.index(obj, values)); err != nil {
		return nil, err
	}
	return &Result{Object: obj, Record: rec, Outcome: Created}, nil
}

func (s *Service) update(ctx context.Context, tx Tx, wc WriteContext, obj *Object, rec Record, changes []change, hits []KeyHit, assert bool) (*Result, error) {
	values := s.apply(rec.Values, changes, assert)
	if reflect.DeepEqual(values, rec.Values) { // normalized values: equal means unchanged
		return &Result{Object: obj, Record: rec, Outcome: Unchanged}, nil
	}
	if err := checkRecord(obj, values, changes, hits, rec.ID); err != nil {
		return nil, err
	}
	if err := s.save(ctx, tx, wc, obj, &rec, values); err != nil {
		return nil, err
	}
	return &Result{Object: obj, Record: rec, Outcome: Updated}, nil
}

// save stores new values of rec with the next change sequence number,
// updating the match keys and links that changed.
func (s *Service) save(ctx context.Context, tx Tx, wc WriteContext, obj *Object, rec *Record, values map[string]any) error {
	add, remove := diffIndex(s.index(obj, rec.Values), s.index(obj, values))
	seq, err := tx.NextSeq(ctx)
	if err != nil {
		return err
	}
	rec.Values, rec.Seq, rec.UpdatedAt = values, seq, wc.Now
	return tx.UpdateRecord(ctx, *rec, add, remove)
}

// deleteRecord removes rec from every relation that points at it (each
// record that loses a link changes, with its own sequence number), then
// deletes it and leaves a tombstone.
func (s *Service) deleteRecord(ctx context.Context, tx Tx, wc WriteContext, rec Record) error {
	links, err := tx.LinksTo(ctx, rec.ID)
	if err != nil {
		return err
	}
	objects := map[string]*Object{}
	for _, l := range links {
		if l.RecordID == rec.ID {
			continue // a link to itself goes with the record
		}
		obj := objects[l.Object]
		if obj == nil {
			if obj, err = s.object(ctx, tx, l.Object); err != nil {
				return err
			}
			objects[l.Object] = obj
		}
		src, err := tx.Record(ctx, l.Object, l.RecordID)
		if err != nil {
			return err
		}
		values := maps.Clone(src.Values)
		kept := slices.DeleteFunc(slices.Clone(relationIDs(values[l.Attribute])), func(id string) bool { return id == rec.ID })
		if len(kept) == 0 {
			delete(values, l.Attribute)
		} else {
			values[l.Attribute] = anySlice(kept)
		}
		if err := s.save(ctx, tx, wc, obj, &src, values); err != nil {
			return err
		}
	}
	seq, err := tx.NextSeq(ctx)
	if err != nil {
		return err
	}
	return tx.DeleteRecord(ctx, rec, seq, wc.Now)
}

// expand loads the records that res's standard relation attributes point
// at (a person's company), for embedding in responses.
func (s *Service) expand(ctx context.Context, tx Tx, res *Result) error {
	related, err := s.related(ctx, tx, res.Object, []Record{res.Record})
	res.Related = related
	return err
}

func (s *Service) related(ctx context.Context, tx Tx, obj *Object, recs []Record) (map[string]Record, error) {
	out := map[string]Record{}
	for i := range obj.Attributes {
		a := &obj.Attributes[i]
		if a.Type != TypeRelation || a.Field == "" {
			continue
		}
		var ids []string
		for _, r := range recs {
			ids = append(ids, relationIDs(r.Values[a.Key])...)
		}
		if len(ids) == 0 {
			continue
		}
		found, err := tx.RecordsByID(ctx, a.RelatedObjectSlug, ids)
		if err != nil {
			return nil, err
		}
		for _, r := range found {
			out[r.ID] = r
		}
	}
	return out, nil
}

// apply returns base with the changes made. On assert, values of a
// multi-value attribute are appended to the stored ones.
func (s *Service) apply(base map[string]any, changes []change, assert bool) map[string]any {
	values := make(map[string]any, len(base)+len(changes))
	maps.Copy(values, base)
	for _, c := range changes {
		switch {
		case c.value == nil:
			delete(values, c.attr.Key)
		case assert && c.attr.IsMultiValue:
			values[c.attr.Key] = s.union(c.attr, values[c.attr.Key], c.value)
		default:
			values[c.attr.Key] = c.value
		}
	}
	return values
}

// union appends to the stored items those new items whose match value is
// not among them yet.
func (s *Service) union(a *Attribute, stored, added any) any {
	old, _ := stored.([]any)
	out := append([]any(nil), old...)
	seen := make(map[string]bool, len(old))
	for _, m := range s.norm.matchValues(a, old) {
		seen[m] = true
	}
	items, _ := added.([]any)
	for i, m := range s.norm.matchValues(a, added) {
		if !seen[m] {
			seen[m] = true
			out = append(out, items[i])
		}
	}
	return out
}

// checkRecord enforces required attributes on the record a write leaves,
// and that no unique value of the body belongs to another record.
func checkRecord(obj *Object, values map[string]any, changes []change, hits []KeyHit, self string) error {
	p := Problems{}
	for i := range obj.Attributes {
		a := &obj.Attributes[i]
		if a.IsRequired && !isSystemAttribute(a) && values[a.Key] == nil {
			p.Add(obj.path(a), FieldRequired, "%s is required", obj.path(a))
		}
	}
	if len(obj.requireAnyOf) > 0 {
		var paths []string
		found := false
		for _, key := range obj.requireAnyOf {
			a, _ := obj.Attribute(key)
			paths = append(paths, obj.path(a))
			found = found || values[key] != nil
		}
		if !found {
			p.Add(paths[0], FieldRequired, "%s or %s is required", paths[0], paths[1])
		}
	}
	if err := p.Err(); err != nil {
		return err
	}
	var others []string
	for _, c := range changes {
		for _, h := range hits {
			if c.attr.IsUnique && h.Attribute == c.attr.Key && h.RecordID != self {
				p.Add(c.path, FieldNotUnique, "%q already belongs to record %s", h.Value, h.RecordID)
				if !slices.Contains(others, h.RecordID) {
					others = append(others, h.RecordID)
				}
			}
		}
	}
	if len(others) > 0 {
		sort.Strings(others)
		return &Error{Code: EConflict, Message: "A unique value of the body belongs to another record.", Fields: p, ConflictingRecordIDs: others}
	}
	return nil
}

// index returns what a record's values put into the store's indexes:
// match keys of keyed attributes and links of relations, each sorted.
// Taking keys in one order in every transaction keeps two writers of
// [a, b] and [b, a] from deadlocking.
func (s *Service) index(obj *Object, values map[string]any) Index {
	var idx Index
	for i := range obj.Attributes {
		a := &obj.Attributes[i]
		v, ok := values[a.Key]
		if !ok {
			continue
		}
		if a.Keyed() {
			idx.Keys = s.keysOf(a, v, idx.Keys)
		}
		if a.Type == TypeRelation {
			for _, id := range relationIDs(v) {
				idx.Links = append(idx.Links, Link{Attribute: a.Key, Target: id})
			}
		}
	}
	slices.SortFunc(idx.Keys, func(x, y MatchKey) int {
		return cmp.Or(cmp.Compare(x.Attribute, y.Attribute), cmp.Compare(x.Value, y.Value))
	})
	slices.SortFunc(idx.Links, func(x, y Link) int {
		return cmp.Or(cmp.Compare(x.Attribute, y.Attribute), cmp.Compare(x.Target, y.Target))
	})
	return idx
}

// keysOf appends the match keys of attribute a's value v. Empty values
// hold no key: "" is no identity to be unique about.
func (s *Service) keysOf(a *Attribute, v any, keys []MatchKey) []MatchKey {
	for _, m := range s.norm.matchValues(a, v) {
		if m != "" {
			keys = append(keys, MatchKey{Attribute: a.Key, Value: m, Unique: a.IsUnique})
		}
	}
	return keys
}

// diffIndex returns what next has that prev lacks, and what prev has that
// next lacks.
func diffIndex(prev, next Index) (add, remove Index) {
	sameKey := func(x, y MatchKey) bool { return x.Attribute == y.Attribute && x.Value == y.Value }
	add.Keys, remove.Keys = minus(next.Keys, prev.Keys, sameKey), minus(prev.Keys, next.Keys, sameKey)
	sameLink := func(x, y Link) bool { return x == y }
	add.Links, remove.Links = minus(next.Links, prev.Links, sameLink), minus(prev.Links, next.Links, sameLink)
	return add, remove
}

// minus returns the items of a that are not in b.
func minus[T any](a, b []T, same func(x, y T) bool) []T {
	var out []T
	for _, x := range a {
		if !slices.ContainsFunc(b, func(y T) bool { return same(x, y) }) {
			out = append(out, x)
		}
	}
	return out
}

func anySlice(ids []string) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// isSystemAttribute reports the read-only attributes every custom object
// has (id, created_at, updated_at).
func isSystemAttribute(a *Attribute) bool {
	return a.IsStandard && a.Field == "" && (a.Key == "id" || a.Key == "created_at" || a.Key == "updated_at")
}
