package kith

import (
	"context"
	"slices"
	"time"
)

// prefetchKeys bounds the keys of one prefetch query.
const prefetchKeys = 1000

// prefetchTx is a Tx that answers FindKeys and Record for one object from
// what a batch prefetched in a few queries, instead of two queries per item.
// Its own writes keep the prefetched state current, so items that share a
// key still see each other, as if sent one after another. Anything it did
// not prefetch goes to the underlying Tx.
type prefetchTx struct {
	Tx
	slug    string
	known   map[keyID]bool        // keys whose holders are all in hits
	hits    map[keyID][]string    // key -> ids of the records holding it
	records map[string]Record     // the holders, by id
	keysOf  map[string][]MatchKey // record id -> the prefetched keys it holds
}

type keyID struct{ attribute, value string }

// prefetch reads the holders of keys, and their records, for a batch.
func (s *Service) prefetch(ctx context.Context, tx Tx, slug string, keys []MatchKey) (*prefetchTx, error) {
	p := &prefetchTx{Tx: tx, slug: slug, known: map[keyID]bool{}, hits: map[keyID][]string{},
		records: map[string]Record{}, keysOf: map[string][]MatchKey{}}
	var ids []string
	for chunk := range slices.Chunk(keys, prefetchKeys) {
		hits, err := tx.FindKeys(ctx, slug, chunk)
		if err != nil {
			return nil, err
		}
		for _, k := range chunk {
			p.known[keyID{k.Attribute, k.Value}] = true
		}
		for _, h := range hits {
			p.addHit(MatchKey{Attribute: h.Attribute, Value: h.Value}, h.RecordID)
			if !slices.Contains(ids, h.RecordID) {
				ids = append(ids, h.RecordID)
			}
		}
	}
	for chunk := range slices.Chunk(ids, prefetchKeys) {
		recs, err := tx.RecordsByID(ctx, slug, chunk)
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			p.records[r.ID] = r
		}
	}
	return p, nil
}

func (p *prefetchTx) addHit(k MatchKey, id string) {
	key := keyID{k.Attribute, k.Value}
	if !slices.Contains(p.hits[key], id) {
		p.hits[key] = append(p.hits[key], id)
		p.keysOf[id] = append(p.keysOf[id], k)
	}
}

func (p *prefetchTx) dropHit(k MatchKey, id string) {
	key := keyID{k.Attribute, k.Value}
	p.hits[key] = slices.DeleteFunc(p.hits[key], func(x string) bool { return x == id })
	p.keysOf[id] = slices.DeleteFunc(p.keysOf[id], func(x MatchKey) bool { return x.Attribute == k.Attribute && x.Value == k.Value })
}

func (p *prefetchTx) FindKeys(ctx context.Context, slug string, keys []MatchKey) ([]KeyHit, error) {
	if slug != p.slug || slices.ContainsFunc(keys, func(k MatchKey) bool { return !p.known[keyID{k.Attribute, k.Value}] }) {
		return p.Tx.FindKeys(ctx, slug, keys)
	}
	var out []KeyHit
	for _, k := range keys {
		for _, id := range p.hits[keyID{k.Attribute, k.Value}] {
			out = append(out, KeyHit{Attribute: k.Attribute, Value: k.Value, RecordID: id})
		}
	}
	return out, nil
}

func (p *prefetchTx) Record(ctx context.Context, slug, id string) (Record, error) {
	if r, ok := p.records[id]; ok && slug == p.slug {
		return r, nil
	}
	return p.Tx.Record(ctx, slug, id)
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
	if r.Object == p.slug {
		for _, k := range slices.Clone(p.keysOf[r.ID]) {
			p.dropHit(k, r.ID)
		}
		delete(p.records, r.ID)
	}
	return nil
}

// wrote brings the prefetched state up to a write of r.
func (p *prefetchTx) wrote(r Record, add, remove Index) {
	if r.Object != p.slug {
		return
	}
	p.records[r.ID] = r
	for _, k := range remove.Keys {
		p.dropHit(k, r.ID)
	}
	for _, k := range add.Keys {
		p.addHit(k, r.ID)
	}
}
