package kith

import (
	"context"
	"sync"
)

// maxGroup bounds how many writes share one transaction.
const maxGroup = 256

// writeGroups runs concurrent single-record writes of a workspace in shared
// transactions (group commit). The first writer to arrive while no group of
// its workspace runs becomes the leader: it runs every write queued so far
// (its own among them) in one transaction, then hands the lead to the first
// write queued meanwhile, so that no leader waits for others' writes. A
// store's single writer (SQLite) or the lock on the workspace's row
// (PostgreSQL) then costs once per group, not per write.
type writeGroups struct {
	mu      sync.Mutex
	pending map[string][]*groupedWrite // by workspace
	running map[string]bool
}

type groupedWrite struct {
	wc   WriteContext
	slug string                            // the object plan validates against
	plan func(*Object) ([]MatchKey, error) // may be nil
	fn   func(Tx) error

	version int64         // the schema version plan ran at
	keys    []MatchKey    // what plan returned
	planErr error         // what plan found wrong with the write
	err     error         // the write's outcome
	done    chan struct{} // closed when the write's group ran
	lead    chan struct{} // receives when the write is to lead the next group
}

// grouped runs fn in a write transaction that it may share with other
// writes of the workspace. fn must fail with a client error (EInvalid,
// EConflict, ...) before it writes anything, as the engine's record writes
// do: such an error fails fn's write alone. Any other error fails the
// group's transaction, which then runs again.
func (s *Service) grouped(ctx context.Context, wc WriteContext, fn func(Tx) error) error {
	return s.groupedPlan(ctx, wc, "", nil, fn)
}

// groupedPlan is grouped with a plan: it validates the write against the
// schema of object slug and names the match keys the write will look up,
// so that the group reads all of them in one query, together with the
// statement that begins the transaction. The plan runs before the write
// joins a group, on the caller's goroutine and on the schema as last
// loaded; should the transaction find the schema changed since, it plans
// the write again.
func (s *Service) groupedPlan(ctx context.Context, wc WriteContext, slug string, plan func(*Object) ([]MatchKey, error), fn func(Tx) error) error {
	w := &groupedWrite{wc: wc, slug: slug, plan: plan, fn: fn, done: make(chan struct{}), lead: make(chan struct{}, 1)}
	if plan != nil {
		obj, version, err := s.latestObject(ctx, wc.WorkspaceID, slug)
		if err != nil {
			return err
		}
		w.version = version
		w.keys, w.planErr = plan(obj)
	}
	g := &s.groups
	ws := wc.WorkspaceID
	g.mu.Lock()
	g.pending[ws] = append(g.pending[ws], w)
	if g.running[ws] {
		g.mu.Unlock()
		select {
		case <-w.done: // a leader ran it
			return w.err
		case <-w.lead: // w heads the queue and leads the next group
		}
		g.mu.Lock()
	}
	g.running[ws] = true
	batch := g.pending[ws][:min(len(g.pending[ws]), maxGroup)]
	g.pending[ws] = g.pending[ws][len(batch):]
	g.mu.Unlock()

	s.runGroup(context.WithoutCancel(ctx), batch)

	g.mu.Lock()
	if next := g.pending[ws]; len(next) > 0 {
		next[0].lead <- struct{}{}
	} else {
		delete(g.pending, ws)
		delete(g.running, ws)
	}
	g.mu.Unlock()
	return w.err
}

// runGroup runs a group's writes in one transaction and hands each its
// outcome.
func (s *Service) runGroup(ctx context.Context, batch []*groupedWrite) {
	err := s.write(ctx, batch[0].wc, func(tx Tx) error {
		keys := map[string][]MatchKey{}
		for _, w := range batch {
			if w.plan != nil && w.planErr == nil {
				keys[w.slug] = append(keys[w.slug], w.keys...)
			}
		}
		ptx, err := s.prefetch(ctx, tx, keys)
		if err != nil {
			return err
		}
		version, err := tx.SchemaVersion(ctx)
		if err != nil {
			return err
		}
		for _, w := range batch {
			if w.plan != nil && w.version != version {
				if err := s.replan(ctx, tx, w, version); err != nil {
					return err
				}
			}
			w.err = w.planErr
			if w.err == nil {
				w.err = w.fn(ptx)
			}
			if w.err != nil && !isClientError(w.err) {
				return w.err
			}
		}
		return nil
	})
	for _, w := range batch {
		if err != nil {
			w.err = err
		}
		close(w.done)
	}
}

// replan plans w again on the schema of the transaction, which has version
// version. Its keys were not prefetched: its lookups go to the database.
func (s *Service) replan(ctx context.Context, tx Tx, w *groupedWrite, version int64) error {
	obj, err := s.object(ctx, tx, w.slug)
	if err != nil && !isClientError(err) {
		return err
	}
	w.version, w.planErr = version, err
	if err == nil {
		w.keys, w.planErr = w.plan(obj)
	}
	return nil
}
