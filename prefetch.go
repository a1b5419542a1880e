package kith

import (
	"context"
	"slices"
	"time"
)

// prefetchKeys bounds the keys of one prefetch query.
const prefetchKeys = 1000

// prefetchTx is a Tx that answers FindKeys from what a batch or a group of
// writes prefetched in a few queries, instead of a query per write. Its own
// writes keep the prefetched state current, so writes that share a key
// still see each other, as if sent one after another. Anything it did not
// prefetch goes to the underlying Tx.
type prefetchTx struct {
	Tx
	known   map[keyID]bool     // keys whose holders are all in hits
	hits    map[keyID][]string // key -> ids of the records holding it
	records map[string]Record  // the holders, by id
	keysOf  map[string][]keyID // record id -> the prefetched keys it holds
}

type keyID struct{ object, attribute, value string }

// prefetch reads the holders of keys (by object slug), and their records.
func (s *Service) prefetch(ctx context.Context, tx Tx, keys map[string][]MatchKey) (*prefetchTx, error) {
	p := &prefetchTx{Tx: tx, known: map[keyID]bool{}, hits: map[keyID][]string{},
		records: map[string]Record{}, keysOf: map[string][]keyID{}}
	for slug, objectKeys := range keys {
		for chunk := range slices.Chunk(objectKeys, prefetchKeys) {
			hits, holders, err := tx.FindKeys(ctx, slug, chunk)
			if err != nil {
				return nil, err
			}
			for _, k := range chunk {
				p.known[keyID{slug, k.Attribute, k.Value}] = true
			}
			for _, h := range hits {
				p.addHit(keyID{slug, h.Attribute, h.Value}, h.RecordID)
			}
			for _, r := range holders {
				p.records[r.ID] = r
			}
		}
	}
	return p, nil
}

func (p *prefetchTx) addHit(k keyID, id string) {
	if !slices.Contains(p.hits[k], id) {
		p.hits[k] = append(p.hits[k], id)
		p.keysOf[id] = append(p.keysOf[id], k)
	}
}

func (p *prefetchTx) dropHit(k keyID, id string) {
	p.hits[k] = slices.DeleteFunc(p.hits[k], func(x string) bool { return x == id })
	p.keysOf[id] = slices.DeleteFunc(p.keysOf[id], func(x keyID) bool { return x == k })
}

func (p *prefetchTx) FindKeys(ctx context.Context, slug string, keys []MatchKey) ([]KeyHit, []Record, error) {
	if slices.ContainsFunc(keys, func(k MatchKey) bool { return !p.known[keyID{slug, k.Attribute, k.Value}] }) {
		return p.Tx.FindKeys(ctx, slug, keys)
	}
	var hits []KeyHit
	var holders []Record
	for _, k := range keys {
		for _, id := range p.hits[keyID{slug, k.Attribute, k.Value}] {
			hits = append(hits, KeyHit{Attribute: k.Attribute, Value: k.Value, RecordID: id})
			if !slices.ContainsFunc(holders, func(r Record) bool { return r.ID == id }) {
				holders = append(holders, p.records[id])
			}
		}
	}
	return hits, holders, nil
}

func (p *prefetchTx) InsertRecord(ctx context.Context, r Record, idx Index) error {
	if err := p.Tx.InsertRecord(ctx, r, idx); err != nil {
		return err
	}
	p.wrote(r, idx, Index{})
	return nil
}

func (p *prefetchTx) UpdateRecord(ctx context.Context, r Record, add, remove Index) error {
	if err := p.Tx.UpdateRecord(ctx, r, add, remove); err != nil {
		return err
	}
	p.wrote(r, add, remove)
	return nil
}

func (p *prefetchTx) DeleteRecord(ctx context.Context, r Record, seq int64, at time.Time) error {
	if err := p.Tx.DeleteRecord(ctx, r, seq, at); err != nil {
		return err
	}
	for _, k := range slices.Clone(p.keysOf[r.ID]) {
		p.dropHit(k, r.ID)
	}
	delete(p.records, r.ID)
	return nil
}

// wrote brings the prefetched state up to a write of r. A record it never
// read is kept too: a later write of the batch may look it up.
func (p *prefetchTx) wrote(r Record, add, remove Index) {
	p.records[r.ID] = r
	for _, k := range remove.Keys {
		p.dropHit(keyID{r.Object, k.Attribute, k.Value}, r.ID)
	}
	for _, k := range add.Keys {
		p.addHit(keyID{r.Object, k.Attribute, k.Value}, r.ID)
	}
}
