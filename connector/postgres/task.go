package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jackc/pglogrepl"
	"github.com/wharf-project/wharf/connector"
)

// Task is the PostgreSQL source task. One goroutine (the runner) owns both
// database connections: it snapshots, then streams, and hands records to
// Poll through a bounded queue. CommitOffsets tells it which LSN is durable.
type Task struct {
	cfg       *Config
	log       *slog.Logger
	partition *connector.SourcePartition

	resume      *Offset // position after the last record Poll returned
	snapshotted bool    // an always-mode snapshot ran in this task's life

	run       *runner
	confirmed atomic.Uint64
	retryAt   time.Time

	ctxHeaders connector.Headers // __debezium.context.* headers of this run
}

type runner struct {
	out    chan connector.SourceRecord
	bytes  *byteBudget // nil: max.queue.size.in.bytes is off
	done   chan struct{}
	err    error
	cancel context.CancelFunc
	sig    chan struct{}
}

// Start parses the configuration and reads the committed offset; the
// connection is made by the first Poll, so a database that is down makes
// Poll retry rather than Start fail.
func (t *Task) Start(ctx context.Context, tc connector.SourceTaskContext, props map[string]string) error {
	t.log = tc.Logger()
	cfg, err := parseConfig(props, t.log)
	if err != nil {
		return err
	}
	t.cfg = cfg
	t.partition = connector.NewSourcePartition(map[string]any{"server": cfg.Prefix})
	t.ctxHeaders = contextHeaders(cfg, tc.TaskID(), newRunID())
	m, err := tc.Offset(ctx, t.partition)
	if err != nil {
		return fmt.Errorf("postgres: read offset: %w", err)
	}
	if t.resume, err = offsetFromMap(m); err != nil {
		return err
	}
	if t.resume != nil {
		t.confirmed.Store(uint64(t.resume.confirmLSN()))
	}
	return nil
}

// Poll returns up to max.batch.size records, waiting at most
// poll.interval.ms for the first.
func (t *Task) Poll(ctx context.Context) ([]connector.SourceRecord, error) {
	if t.run == nil {
		if wait := time.Until(t.retryAt); wait > 0 {
			select {
			case <-time.After(min(wait, t.cfg.PollInterval)):
			case <-ctx.Done():
			}
			return nil, nil
		}
		t.startRunner()
	}
	timer := time.NewTimer(t.cfg.PollInterval)
	defer timer.Stop()
	var batch []connector.SourceRecord
	select {
	case r := <-t.run.out:
		// Sized once from what is queued: records are large, and the
		// runner keeps the batch until every record in it is delivered.
		batch = make([]connector.SourceRecord, 1, max(1, min(len(t.run.out)+1, t.cfg.MaxBatch)))
		batch[0] = r
	case <-t.run.done:
		return t.drainOrFail()
	case <-timer.C:
		return nil, nil
	case <-ctx.Done():
		return nil, nil
	}
	for len(batch) < t.cfg.MaxBatch {
		select {
		case r := <-t.run.out:
			batch = append(batch, r)
			continue
		default:
		}
		break
	}
	t.run.bytes.release(batch)
	t.noteReturned(batch)
	return batch, nil
}

func (t *Task) noteReturned(batch []connector.SourceRecord) {
	for i := len(batch) - 1; i >= 0; i-- {
		if o, ok := batch[i].SourceOffset.(*Offset); ok {
			t.resume = o
			return
		}
	}
}

// drainOrFail returns what the finished runner left in the queue, then its
// error: retriable errors restart the runner after the backoff from the
// last returned position.
func (t *Task) drainOrFail() ([]connector.SourceRecord, error) {
	var batch []connector.SourceRecord
	for len(batch) < t.cfg.MaxBatch {
		select {
		case r := <-t.run.out:
			batch = append(batch, r)
			continue
		default:
		}
		break
	}
	if len(batch) > 0 {
		t.run.bytes.release(batch)
		t.noteReturned(batch)
		return batch, nil
	}
	err := t.run.err
	t.run = nil
	if err == nil || errors.Is(err, context.Canceled) {
		return nil, nil
	}
	err = classify(err, t.cfg.Backoff)
	if connector.IsRetriable(err) {
		t.log.Warn("postgres: connection lost; reconnecting after backoff", "err", err, "backoff", t.cfg.Backoff)
		t.retryAt = time.Now().Add(t.cfg.Backoff)
	}
	return nil, err
}

func (t *Task) startRunner() {
	ctx, cancel := context.WithCancel(context.Background())
	r := &runner{out: make(chan connector.SourceRecord, t.cfg.MaxQueue), bytes: newByteBudget(t.cfg.MaxQueueBytes), done: make(chan struct{}),
		cancel: cancel, sig: make(chan struct{}, 1)}
	t.run = r
	resume := t.resume
	firstAlways := t.cfg.SnapshotMode == "always" && !t.snapshotted
	t.snapshotted = true
	go func() {
		defer close(r.done)
		r.err = t.runSession(ctx, r, resume, firstAlways)
	}()
}

// CommitOffsets confirms to the slot the newest LSN whose offset is durable.
func (t *Task) CommitOffsets(_ context.Context, committed []connector.CommittedOffset) error {
	for _, c := range committed {
		if c.Partition == nil || c.Partition.JSON() != t.partition.JSON() {
			continue
		}
		o, err := toOffset(c.Offset)
		if err != nil || o == nil {
			continue
		}
		lsn := uint64(o.confirmLSN())
		for {
			cur := t.confirmed.Load()
			if lsn <= cur || t.confirmed.CompareAndSwap(cur, lsn) {
				break
			}
		}
	}
	if t.run != nil {
		select {
		case t.run.sig <- struct{}{}:
		default:
		}
	}
	return nil
}

// Stop ends the runner and waits for it.
func (t *Task) Stop() error {
	if t.run != nil {
		t.run.cancel()
		<-t.run.done
		t.run = nil
	}
	if t.cfg != nil && t.cfg.SlotDropOnStop {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn, err := connectQuery(ctx, t.cfg)
		if err != nil {
			return fmt.Errorf("postgres: drop slot on stop: %w", err)
		}
		defer conn.Close(ctx)
		s := &session{cfg: t.cfg, conn: conn}
		return s.dropSlot(ctx)
	}
	return nil
}

// runSession connects, decides on a snapshot, and streams until ctx ends.
func (t *Task) runSession(ctx context.Context, r *runner, resume *Offset, always bool) error {
	s, slot, err := t.openSession(ctx)
	if err != nil {
		return err
	}
	defer s.close()
	z := &streamer{s: s, out: r.out, bytes: r.bytes, done: ctx.Done(), confirmed: &t.confirmed, confirmCh: r.sig}
	from, streaming, err := t.prepare(ctx, s, z, slot, resume, always)
	if err != nil {
		return err
	}
	if !streaming { // initial_only: the snapshot was all there is to do
		<-ctx.Done()
		return ctx.Err()
	}
	if err := z.start(ctx, from); err != nil {
		return err
	}
	return z.run(ctx)
}

// openSession connects, loads the type registry, ensures the publication
// and reads the slot.
func (t *Task) openSession(ctx context.Context) (s *session, slot slotInfo, err error) {
	s = newSession(t.cfg, t.log, t.partition, t.ctxHeaders)
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	if s.conn, err = connectQuery(ctx, t.cfg); err != nil {
		return nil, slot, fmt.Errorf("postgres: connect: %w", err)
	}
	if err = s.conn.QueryRow(ctx, "SELECT current_setting('server_version_num')::int").Scan(&s.serverNum); err != nil {
		return nil, slot, fmt.Errorf("postgres: server version: %w", err)
	}
	if s.types, err = loadTypes(ctx, s.conn); err != nil {
		return nil, slot, err
	}
	if err = s.ensurePublication(ctx); err != nil {
		return nil, slot, err
	}
	if slot, err = s.readSlot(ctx); err != nil {
		return nil, slot, err
	}
	if slot.exists && slot.database != "" && slot.database != t.cfg.DBName {
		err = &permanentError{msg: fmt.Sprintf("postgres: replication slot %q belongs to database %q, not %q; choose another slot.name", t.cfg.Slot, slot.database, t.cfg.DBName)}
		return nil, slot, err
	}
	if slot.exists && slot.plugin != "pgoutput" {
		err = &permanentError{msg: fmt.Sprintf("postgres: replication slot %q uses plug-in %q; Wharf needs pgoutput: drop the slot or choose another slot.name", t.cfg.Slot, slot.plugin)}
		return nil, slot, err
	}
	if s.repl, err = connectReplication(ctx, t.cfg); err != nil {
		return nil, slot, fmt.Errorf("postgres: replication connect: %w", err)
	}
	return s, slot, nil
}

// prepare creates the slot when needed, takes the snapshot when needed and
// returns where streaming starts (streaming is false for initial_only).
func (t *Task) prepare(ctx context.Context, s *session, z *streamer, slot slotInfo, resume *Offset, always bool) (pglogrepl.LSN, bool, error) {
	snap := t.needSnapshot(resume, slot, always)
	if !snap && t.cfg.SnapshotMode == "initial_only" { // the snapshot was taken before: nothing to do
		return 0, false, nil
	}
	if !snap && resume != nil && (!slot.exists || slot.walStatus == "lost") {
		what := "does not exist"
		if slot.exists {
			what = "has lost required WAL (wal_status=lost)"
		}
		return 0, false, &permanentError{msg: fmt.Sprintf("postgres: replication slot %q %s but offsets exist at LSN %s; changes since then are lost: "+
			"set snapshot.mode=when_needed (or always) to re-snapshot, or delete the connector's offsets", t.cfg.Slot, what, pglogrepl.LSN(resume.Lsn))}
	}
	switch {
	case snap:
		var lsn, start pglogrepl.LSN
		var name string
		if slot.exists {
			// As Debezium does, an existing slot is kept: it may hold changes
			// that were never emitted (a worker killed before its first
			// offset flush). The snapshot runs in its own transaction and
			// streaming starts at the slot's confirmed position, so changes
			// committed between that position and the snapshot are delivered
			// again (at least once) rather than lost.
			if err := s.conn.QueryRow(ctx, "SELECT pg_current_wal_lsn()").Scan(&lsn); err != nil {
				return 0, false, fmt.Errorf("postgres: current WAL position: %w", err)
			}
			start = slot.confirmed
			if resume != nil && resume.confirmLSN() > start {
				start = resume.confirmLSN() // snapshot.mode=always: what Kafka has is not replayed
			}
			s.log.Info("postgres: snapshot on an existing slot; streaming resumes at its confirmed position",
				"slot", t.cfg.Slot, "confirmed_flush_lsn", start.String(), "snapshot_lsn", lsn.String())
		} else {
			var err error
			if lsn, name, err = s.createSlot(ctx, true); err != nil {
				return 0, false, err
			}
			start = lsn
		}
		t.confirmed.Store(uint64(start))
		emit := func(rec connector.SourceRecord) error { return z.send(rec, false) }
		if err := s.snapshot(ctx, name, lsn, emit); err != nil {
			return 0, false, err
		}
		z.st.lsnProc = int64(start)
		return start, t.cfg.SnapshotMode != "initial_only", nil
	case !slot.exists:
		lsn, _, err := s.createSlot(ctx, false)
		if err != nil {
			return 0, false, err
		}
		t.confirmed.Store(uint64(lsn))
		z.st.lsnProc = int64(lsn)
		return lsn, true, nil
	case resume == nil: // no_data on an existing slot: stream from where it is
		t.confirmed.Store(uint64(slot.confirmed))
		z.st.lsnProc = int64(slot.confirmed)
		return slot.confirmed, true, nil
	}
	from := resume.confirmLSN()
	if from < slot.confirmed {
		from = slot.confirmed
	}
	if t.confirmed.Load() < uint64(slot.confirmed) {
		t.confirmed.Store(uint64(slot.confirmed))
	}
	t.resumeState(z, resume)
	return from, true, nil
}

func (t *Task) needSnapshot(resume *Offset, slot slotInfo, always bool) bool {
	switch t.cfg.SnapshotMode {
	case "no_data", "never":
		return false
	case "always":
		return always || resume == nil || resume.inSnapshot()
	case "when_needed":
		return resume == nil || resume.inSnapshot() || !slot.exists || slot.walStatus == "lost"
	}
	return resume == nil || resume.inSnapshot() // initial, initial_only
}

// resumeState restores the stream bookkeeping from a stored offset and arms
// the skip of already-emitted events of a partially processed transaction.
// As Debezium's PostgresOffsetContext.Loader, a missing lsn_commit falls
// back to lsn_proc, so source.sequence continues ["<lsn_commit>","<lsn>"]
// right after a restart.
func (t *Task) resumeState(z *streamer, o *Offset) {
	z.st.lastCommit = o.LsnCommit
	if z.st.lastCommit == nil && o.LsnProc != nil {
		z.st.lastCommit = i64(*o.LsnProc)
	}
	z.st.lsnProc = int64(o.confirmLSN())
	z.st.commitUs = o.TsUsec
	if o.Snapshot == nil && o.MessageType != "COMMIT" && o.TxID != nil {
		z.st.skipXid = o.TxID
		z.st.skipLsn = o.Lsn
		if t.cfg != nil && t.cfg.TxMetadata && o.Tx != nil {
			z.st.tx.restore(o.Tx)
			// The event at the stored LSN is emitted again; it keeps its numbers.
			z.st.tx.rewind, z.st.tx.rewindLsn = true, o.Lsn
		}
	}
}
