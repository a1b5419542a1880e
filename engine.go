package kith

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sort"
)

// change is one validated attribute value of a write; a nil value clears.
type change struct {
	attr  *Attribute
	path  string
	value any
}

// Get returns one record.
func (s *Service) Get(ctx context.Context, ws, slug, id string) (*Result, error) {
	var res *Result
	err := s.store.Read(ctx, ws, func(tx Tx) error {
		obj, err := s.object(ctx, tx, slug)
		if err != nil {
			return err
		}
		rec, err := tx.Record(ctx, slug, id)
		if ErrorCode(err) == ENotFound {
			return notFoundRecord(obj, id)
		} else if err != nil {
			return err
		}
		res = &Result{Object: obj, Record: rec}
		return nil
	})
	return res, err
}

// Create creates a record; omitted attributes are null. A unique value that
// another record holds is EConflict.
func (s *Service) Create(ctx context.Context, wc WriteContext, slug string, in Input) (*Result, error) {
	var res *Result
	err := s.write(ctx, wc, func(tx Tx) error {
		obj, err := s.object(ctx, tx, slug)
		if err != nil {
			return err
		}
		changes, err := s.prepare(obj, in, false)
		if err != nil {
			return err
		}
		hits, err := s.findKeys(ctx, tx, obj, nil, nil, changes)
		if err != nil {
			return err
		}
		res, err = s.create(ctx, tx, wc, obj, changes, hits)
		return err
	})
	return res, err
}

// Patch changes the attributes in the body of one record; the others stay.
// Multi-value attributes (emails) are replaced whole.
func (s *Service) Patch(ctx context.Context, wc WriteContext, slug, id string, in Input) (*Result, error) {
	var res *Result
	err := s.write(ctx, wc, func(tx Tx) error {
		obj, err := s.object(ctx, tx, slug)
		if err != nil {
			return err
		}
		changes, err := s.prepare(obj, in, false)
		if err != nil {
			return err
		}
		rec, err := tx.Record(ctx, slug, id)
		if ErrorCode(err) == ENotFound {
			return notFoundRecord(obj, id)
		} else if err != nil {
			return err
		}
		hits, err := s.findKeys(ctx, tx, obj, nil, nil, changes)
		if err != nil {
			return err
		}
		res, err = s.update(ctx, tx, wc, obj, rec, changes, hits, false)
		return err
	})
	return res, err
}

// Assert creates the record whose matching attribute has the body's value,
// or updates the one that has it. Omitted attributes are null on create and
// unchanged on update; new values of a multi-value attribute are appended.
// On an attribute in the match-key index the lookup is an index lookup; on
// any other it scans the object's records. Several matches: the oldest
// wins, except on a unique attribute, where values of two different records
// are EConflict.
func (s *Service) Assert(ctx context.Context, wc WriteContext, slug, matching string, in Input) (*Result, error) {
	var res *Result
	err := s.write(ctx, wc, func(tx Tx) error {
		obj, attr, err := s.assertTarget(ctx, tx, slug, matching)
		if err != nil {
			return err
		}
		res, err = s.assertOne(ctx, tx, wc, obj, attr, in)
		return err
	})
	return res, err
}

// BatchItem is the outcome of one item of a batch: a result or an error.
type BatchItem struct {
	Result *Result
	Err    error
}

// batchChunk is how many items of a partial batch share a transaction.
const batchChunk = 100

// AssertBatch asserts many records by one matching attribute. Items apply
// in order, so items that share a match key behave as if sent one after
// another. An atomic batch is one transaction that is rolled back when any
// item fails (EInvalid, with the items' errors in the results); a partial
// batch is written in transactions of batchChunk items, and a failing item
// fails alone. Errors that are not an item's fault (the database) fail the
// call.
func (s *Service) AssertBatch(ctx context.Context, wc WriteContext, slug, matching string, items []Input, atomic bool) ([]BatchItem, error) {
	out := make([]BatchItem, len(items))
	chunk := batchChunk
	if atomic {
		chunk = max(len(items), 1)
	}
	failed := 0
	for start := 0; start < len(items); start += chunk {
		end := min(start+chunk, len(items))
		err := s.write(ctx, wc, func(tx Tx) error {
			obj, attr, err := s.assertTarget(ctx, tx, slug, matching)
			if err != nil {
				return err
			}
			failed = 0
			for i := start; i < end; i++ {
				res, err := s.assertOne(ctx, tx, wc, obj, attr, items[i])
				if err != nil && !isClientError(err) {
					return err // rolls back and, after a lost race, retries the chunk
				}
				if err != nil {
					failed++
				}
				out[i] = BatchItem{Result: res, Err: err}
			}
			if atomic && failed > 0 {
				return errBatchFailed
			}
			return nil
		})
		if errors.Is(err, errBatchFailed) {
			return out, Errorf(EInvalid, "%d of %d items failed, so the atomic batch was not applied.", failed, len(items))
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

var errBatchFailed = errors.New("kith: atomic batch failed")

// isClientError reports an error that a request's own content caused.
func isClientError(err error) bool {
	switch ErrorCode(err) {
	case EInvalid, EConflict, EBadRequest, ENotFound:
		return true
	}
	return false
}

// assertTarget loads the object and resolves the matching attribute.
func (s *Service) assertTarget(ctx context.Context, tx Tx, slug, matching string) (*Object, *Attribute, error) {
	obj, err := s.object(ctx, tx, slug)
	if err != nil {
		return nil, nil, err
	}
	attr, ok := obj.resolveAttribute(matching)
	if !ok || isSystemAttribute(attr) {
		return nil, nil, Errorf(EBadRequest, "matchingAttribute %q is not an attribute of %s; valid: %s.",
			matching, obj.Slug, obj.attributeKeys(func(a *Attribute) bool { return !isSystemAttribute(a) }))
	}
	return obj, attr, nil
}

// assertOne asserts one body inside a transaction.
func (s *Service) assertOne(ctx context.Context, tx Tx, wc WriteContext, obj *Object, attr *Attribute, in Input) (*Result, error) {
	changes, err := s.prepare(obj, in, true)
	if err != nil {
		return nil, err
	}
	var value any
	for _, c := range changes {
		if c.attr == attr {
			value = c.value
		}
	}
	if value == nil || len(s.keysOf(attr, value, nil)) == 0 {
		p := Problems{}
		p.Add(obj.path(attr), FieldRequired, "%s is the matching attribute, so the body needs a value for it", obj.path(attr))
		return nil, p.Err()
	}
	hits, err := s.findKeys(ctx, tx, obj, attr, value, changes)
	if err != nil {
		return nil, err
	}
	target, err := s.match(ctx, tx, obj, attr, value, hits)
	if err != nil {
		return nil, err
	}
	if target == "" {
		return s.create(ctx, tx, wc, obj, changes, hits)
	}
	rec, err := tx.Record(ctx, obj.Slug, target)
	if err != nil {
		return nil, err
	}
	return s.update(ctx, tx, wc, obj, rec, changes, hits, true)
}

// Delete removes a record and leaves a tombstone for the changes feed.
func (s *Service) Delete(ctx context.Context, wc WriteContext, slug, id string) error {
	return s.write(ctx, wc, func(tx Tx) error {
		obj, err := s.object(ctx, tx, slug)
		if err != nil {
			return err
		}
		rec, err := tx.Record(ctx, slug, id)
		if ErrorCode(err) == ENotFound {
			return notFoundRecord(obj, id)
		} else if err != nil {
			return err
		}
		seq, err := tx.NextSeq(ctx)
		if err != nil {
			return err
		}
		return tx.DeleteRecord(ctx, rec, seq, wc.Now)
	})
}

// prepare validates a body against the object's schema.
func (s *Service) prepare(obj *Object, in Input, assert bool) ([]change, error) {
	p := Problems{}
	maps.Copy(p, in.Problems)
	changes := make([]change, 0, len(in.Fields))
	for _, f := range in.Fields {
		a, ok := obj.Attribute(f.Key)
		if !ok || (f.Custom && a.IsStandard) {
			p.Add(f.Path, FieldUnknownKey, "%s has no custom attribute %q", obj.Slug, f.Key)
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
	return changes, p.Err()
}

// findKeys looks up, in one query, the records that hold the matching
// value and the unique values of the body.
func (s *Service) findKeys(ctx context.Context, tx Tx, obj *Object, matchAttr *Attribute, matchValue any, changes []change) ([]KeyHit, error) {
	var keys []MatchKey
	if matchAttr != nil && matchAttr.Keyed() {
		keys = s.keysOf(matchAttr, matchValue, keys)
	}
	for _, c := range changes {
		if c.attr.IsUnique && c.value != nil && c.attr != matchAttr {
			keys = s.keysOf(c.attr, c.value, keys)
		}
	}
	if len(keys) == 0 {
		return nil, nil
	}
	return tx.FindKeys(ctx, obj.Slug, keys)
}

// match returns the id of the record an assert updates, "" for none.
func (s *Service) match(ctx context.Context, tx Tx, obj *Object, attr *Attribute, value any, hits []KeyHit) (string, error) {
	if !attr.Keyed() {
		want := canonicalJSON(s.norm.matchValues(attr, value))
		var found string
		err := tx.ScanRecords(ctx, obj.Slug, func(r Record) bool {
			if v, ok := r.Values[attr.Key]; ok && canonicalJSON(s.norm.matchValues(attr, v)) == want {
				found = r.ID
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
		return "", nil
	}
	sort.Strings(ids) // UUIDv7: the oldest first
	if attr.IsUnique && len(ids) > 1 {
		return "", &Error{
			Code:                 EConflict,
			Message:              "The values of " + obj.path(attr) + " belong to different records; nothing was changed.",
			ConflictingRecordIDs: ids,
		}
	}
	return ids[0], nil
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
	if err := tx.InsertRecord(ctx, rec, s.matchKeys(obj, values)); err != nil {
		return nil, err
	}
	return &Result{Object: obj, Record: rec, Outcome: Created}, nil
}

func (s *Service) update(ctx context.Context, tx Tx, wc WriteContext, obj *Object, rec Record, changes []change, hits []KeyHit, assert bool) (*Result, error) {
	values := s.apply(rec.Values, changes, assert)
	if canonicalJSON(values) == canonicalJSON(rec.Values) {
		return &Result{Object: obj, Record: rec, Outcome: Unchanged}, nil
	}
	if err := checkRecord(obj, values, changes, hits, rec.ID); err != nil {
		return nil, err
	}
	add, remove := diffKeys(s.matchKeys(obj, rec.Values), s.matchKeys(obj, values))
	seq, err := tx.NextSeq(ctx)
	if err != nil {
		return nil, err
	}
	rec.Values, rec.Seq, rec.UpdatedAt = values, seq, wc.Now
	if err := tx.UpdateRecord(ctx, rec, add, remove); err != nil {
		return nil, err
	}
	return &Result{Object: obj, Record: rec, Outcome: Updated}, nil
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

// matchKeys returns the sorted match keys of a record's values. Taking
// keys in one order in every transaction keeps two writers of [a, b] and
// [b, a] from deadlocking.
func (s *Service) matchKeys(obj *Object, values map[string]any) []MatchKey {
	var keys []MatchKey
	for i := range obj.Attributes {
		a := &obj.Attributes[i]
		if v, ok := values[a.Key]; ok && a.Keyed() {
			keys = s.keysOf(a, v, keys)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].Attribute != keys[j].Attribute {
			return keys[i].Attribute < keys[j].Attribute
		}
		return keys[i].Value < keys[j].Value
	})
	return keys
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

// diffKeys returns the keys in next but not in prev, and those in prev but
// not in next.
func diffKeys(prev, next []MatchKey) (add, remove []MatchKey) {
	in := func(list []MatchKey, k MatchKey) bool {
		for _, x := range list {
			if x.Attribute == k.Attribute && x.Value == k.Value {
				return true
			}
		}
		return false
	}
	for _, k := range next {
		if !in(prev, k) {
			add = append(add, k)
		}
	}
	for _, k := range prev {
		if !in(next, k) {
			remove = append(remove, k)
		}
	}
	return add, remove
}

// isSystemAttribute reports the read-only attributes every custom object
// has (id, created_at, updated_at).
func isSystemAttribute(a *Attribute) bool {
	return a.IsStandard && a.Field == "" && (a.Key == "id" || a.Key == "created_at" || a.Key == "updated_at")
}
