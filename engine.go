package kith

import (
	"context"
	"errors"
)

// Get returns one record.
func (s *Service) Get(ctx context.Context, ws, slug, id string) (*Result, error) {
	var res *Result
	err := s.store.Read(ctx, ws, func(tx Tx) error {
		obj, rec, err := s.objectRecord(ctx, tx, slug, id)
		if err != nil {
			return err
		}
		res = &Result{Object: obj, Record: rec}
		return s.expand(ctx, tx, res)
	})
	return res, err
}

// Create creates a record; omitted attributes are null. A unique value that
// another record holds is EConflict.
func (s *Service) Create(ctx context.Context, wc WriteContext, slug string, in Input) (*Result, error) {
	var res *Result
	err := s.grouped(ctx, wc, func(tx Tx) error {
		obj, err := s.object(ctx, tx, slug)
		if err != nil {
			return err
		}
		changes, err := s.prepare(ctx, tx, obj, in, false)
		if err != nil {
			return err
		}
		hits, _, err := s.findKeys(ctx, tx, obj, nil, nil, changes)
		if err != nil {
			return err
		}
		if res, err = s.create(ctx, tx, wc, obj, changes, hits); err != nil {
			return err
		}
		return s.expand(ctx, tx, res)
	})
	return res, err
}

// Patch changes the attributes in the body of one record; the others stay.
// Multi-value attributes (emails) are replaced whole.
func (s *Service) Patch(ctx context.Context, wc WriteContext, slug, id string, in Input) (*Result, error) {
	var res *Result
	err := s.grouped(ctx, wc, func(tx Tx) error {
		obj, rec, err := s.objectRecord(ctx, tx, slug, id)
		if err != nil {
			return err
		}
		changes, err := s.prepare(ctx, tx, obj, in, false)
		if err != nil {
			return err
		}
		hits, _, err := s.findKeys(ctx, tx, obj, nil, nil, changes)
		if err != nil {
			return err
		}
		if res, err = s.update(ctx, tx, wc, obj, rec, changes, hits, false); err != nil {
			return err
		}
		return s.expand(ctx, tx, res)
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
	var a plannedAssert
	err := s.groupedPlan(ctx, wc, slug,
		func(obj *Object) ([]MatchKey, error) { return s.planAssert(obj, matching, in, &a) },
		func(tx Tx) (err error) {
			if res, err = s.applyAssert(ctx, tx, wc, &a); err != nil {
				return err
			}
			return s.expand(ctx, tx, res)
		})
	return res, err
}

// plannedAssert is an assert validated before its transaction writes: its
// lookups can then be read together with those of other asserts.
type plannedAssert struct {
	obj     *Object
	attr    *Attribute
	changes []change
}

// planAssert validates an assert against obj's schema and returns the keys
// it will look up. It reads nothing.
func (s *Service) planAssert(obj *Object, matching string, in Input, a *plannedAssert) ([]MatchKey, error) {
	attr, err := obj.matchingAttribute(matching)
	if err != nil {
		return nil, err
	}
	changes, p := s.validate(obj, in, true)
	if err := p.Err(); err != nil {
		return nil, err
	}
	*a = plannedAssert{obj: obj, attr: attr, changes: changes}
	return s.lookupKeys(attr, matchValue(changes, attr), changes), nil
}

// applyAssert runs a planned assert. Links are checked now, not when
// planned: an earlier write of the same transaction may have created the
// record they name.
func (s *Service) applyAssert(ctx context.Context, tx Tx, wc WriteContext, a *plannedAssert) (*Result, error) {
	if err := s.linksExist(ctx, tx, a.changes); err != nil {
		return nil, err
	}
	return s.assertPrepared(ctx, tx, wc, a.obj, a.attr, a.changes)
}

// BatchItem is the outcome of one item of a batch: a result or an error.
type BatchItem struct {
	Result *Result
	Err    *Error
}

// batchChunk is how many items of a partial batch share a transaction: a
// whole batch of the API, whose commit then costs as the floor's does.
const batchChunk = 1000

// AssertBatch asserts many records by one matching attribute. Items apply
// in order, so items that share a match key behave as if sent one after
// another. An atomic batch is one transaction that is rolled back when any
// item fails (EInvalid, with the failing items' errors in Items); a partial
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
			obj, err := s.object(ctx, tx, slug)
			if err != nil {
				return err
			}
			if _, err := obj.matchingAttribute(matching); err != nil {
				return err // the whole batch names a wrong matchingAttribute
			}
			failed = 0
			planned := make([]plannedAssert, end-start)
			errs := make([]error, end-start)
			var keys []MatchKey
			for i := start; i < end; i++ {
				k, err := s.planAssert(obj, matching, items[i], &planned[i-start])
				if err != nil && !isClientError(err) {
					return err
				}
				errs[i-start] = err
				keys = append(keys, k...)
			}
			// One read for the whole chunk instead of two per item.
			ptx, err := s.prefetch(ctx, tx, map[string][]MatchKey{slug: keys})
			if err != nil {
				return err
			}
			for i := start; i < end; i++ {
				res, err := (*Result)(nil), errs[i-start]
				if err == nil {
					res, err = s.applyAssert(ctx, ptx, wc, &planned[i-start])
				}
				if err != nil && !isClientError(err) {
					return err // rolls back and, after a lost race, retries the chunk
				}
				out[i] = BatchItem{Result: res}
				if err != nil {
					failed++
					out[i].Err = asError(err)
				}
			}
			if atomic && failed > 0 {
				return errBatchFailed
			}
			return nil
		})
		if errors.Is(err, errBatchFailed) {
			e := Errorf(EInvalid, "%d of %d items failed, so the atomic batch was not applied.", failed, len(items))
			for i, it := range out {
				if it.Err != nil {
					e.Items = append(e.Items, ItemError{Index: i, Err: it.Err})
				}
			}
			return nil, e
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

// matchingAttribute resolves an assert's matching attribute.
func (obj *Object) matchingAttribute(matching string) (*Attribute, error) {
	matchable := func(a *Attribute) bool {
		return !isSystemAttribute(a) && (a.IsUnique || !obj.matchUniqueOnly)
	}
	attr, ok := obj.resolveAttribute(matching)
	if !ok || !matchable(attr) {
		return nil, Errorf(EBadRequest, "matchingAttribute %q cannot match %s; valid: %s.",
			matching, obj.Slug, obj.attributeKeys(matchable))
	}
	return attr, nil
}

// matchValue is the value that changes give the matching attribute.
func matchValue(changes []change, attr *Attribute) any {
	for _, c := range changes {
		if c.attr == attr {
			return c.value
		}
	}
	return nil
}

// assertPrepared asserts a validated body inside a transaction.
func (s *Service) assertPrepared(ctx context.Context, tx Tx, wc WriteContext, obj *Object, attr *Attribute, changes []change) (*Result, error) {
	value := matchValue(changes, attr)
	if value == nil || len(s.keysOf(attr, value, nil)) == 0 {
		p := Problems{}
		p.Add(obj.path(attr), FieldRequired, "%s is the matching attribute, so the body needs a value for it", obj.path(attr))
		return nil, p.Err()
	}
	hits, holders, err := s.findKeys(ctx, tx, obj, attr, value, changes)
	if err != nil {
		return nil, err
	}
	target, err := s.match(ctx, tx, obj, attr, value, hits, holders)
	if err != nil {
		return nil, err
	}
	if target == nil {
		return s.create(ctx, tx, wc, obj, changes, hits)
	}
	return s.update(ctx, tx, wc, obj, *target, changes, hits, true)
}

// Delete removes a record, removes it from every relation that points at
// it, and leaves a tombstone for the changes feed.
func (s *Service) Delete(ctx context.Context, wc WriteContext, slug, id string) error {
	return s.grouped(ctx, wc, func(tx Tx) error {
		_, rec, err := s.objectRecord(ctx, tx, slug, id)
		if err != nil {
			return err
		}
		return s.deleteRecord(ctx, tx, wc, rec)
	})
}

// objectRecord loads an object's schema and one of its records; an unknown
// record is ENotFound naming the object.
func (s *Service) objectRecord(ctx context.Context, tx Tx, slug, id string) (*Object, Record, error) {
	obj, err := s.object(ctx, tx, slug)
	if err != nil {
		return nil, Record{}, err
	}
	rec, err := tx.Record(ctx, slug, id)
	if ErrorCode(err) == ENotFound {
		return nil, Record{}, notFoundRecord(obj, id)
	}
	return obj, rec, err
}
