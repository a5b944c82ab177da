package postgres

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/data"
)

// chunkMinRows is the estimated size (pg_class.reltuples) from which a table
// with an integer primary key is read in key ranges by several readers.
// Such a table is read in chunks of about chunkRows rows, at most maxChunks.
const (
	chunkMinRows = 100_000
	chunkRows    = snapQueue * snapBatch
	maxChunks    = 1 << 14
)

// chunk is a part of a table to read: all of it (where == "") or a range
// of its first primary-key column. where is built from the quoted column
// name and integers read from the table, never from user input.
type chunk struct {
	t     *table
	where string
}

// planChunks splits big tables with an integer primary key into key ranges
// (min/max read inside the snapshot), so one table is read in parallel too.
func (s *session) planChunks(ctx context.Context, tables []*table) ([]chunk, error) {
	var out []chunk
	for _, t := range tables {
		col := chunkColumn(t)
		if col == "" {
			out = append(out, chunk{t: t})
			continue
		}
		var est float64
		var lo, hi *int64
		qt, qc := pgx.Identifier{t.schema, t.name}.Sanitize(), pgx.Identifier{col}.Sanitize()
		if err := s.conn.QueryRow(ctx, `SELECT reltuples FROM pg_class WHERE oid = $1`, t.oid).Scan(&est); err != nil {
			return nil, fmt.Errorf("postgres: size of %s.%s: %w", t.schema, t.name, err)
		}
		if est < chunkMinRows {
			out = append(out, chunk{t: t})
			continue
		}
		if err := s.conn.QueryRow(ctx, "SELECT min("+qc+")::int8, max("+qc+")::int8 FROM "+qt).Scan(&lo, &hi); err != nil {
			return nil, fmt.Errorf("postgres: key range of %s.%s: %w", t.schema, t.name, err)
		}
		if lo == nil || hi == nil {
			out = append(out, chunk{t: t})
			continue
		}
		// Chunks small enough to wait whole in their queue, so a reader
		// ahead of the chunk being emitted can finish its chunk.
		n := min(max(int64(s.cfg.SnapshotThreads)*4, int64(est)/chunkRows), maxChunks)
		out = append(out, splitRange(t, qc, *lo, *hi, n)...)
	}
	return out, nil
}

// chunkColumn returns the first key column when it is an integer column.
func chunkColumn(t *table) string {
	if t.keySchema == nil || len(t.keySchema.Fields) == 0 {
		return ""
	}
	f := t.keySchema.Fields[0]
	switch f.Schema.Type {
	case data.TypeInt16, data.TypeInt32, data.TypeInt64:
		if f.Schema.Name == "" {
			return f.Name
		}
	}
	return ""
}

// splitRange covers every value with n ranges: the first is open below and
// the last open above, so no row can fall between them.
func splitRange(t *table, col string, lo, hi, n int64) []chunk {
	span := hi/2 - lo/2 // halves avoid overflow at the int64 extremes
	step := span / n * 2
	if n <= 1 || step <= 0 {
		return []chunk{{t: t}}
	}
	var out []chunk
	prev := ""
	for i := int64(1); i < n; i++ {
		b := strconv.FormatInt(lo+i*step, 10)
		w := " WHERE " + col + " < " + b
		if prev != "" {
			w = " WHERE " + col + " >= " + prev + " AND " + col + " < " + b
		}
		out = append(out, chunk{t: t, where: w})
		prev = b
	}
	return append(out, chunk{t: t, where: " WHERE " + col + " >= " + prev})
}

// Records travel from the readers to the session goroutine in batches of
// snapBatch records; up to snapQueue batches of a chunk wait to be emitted
// (fewer when max.queue.size is smaller than what the readers could hold).
const (
	snapBatch = 128
	snapQueue = 16
)

// readChunks reads chunks on up to snapshot.max.threads connections (the
// session's own, whose transaction holds the snapshot, and extra ones that
// import it). The readers build complete records; this goroutine hands
// them to m in chunk order (so tables stay in order and snapshot markers
// stay exact) and emits them, so reading overlaps with emitting even with
// one thread.
//
// At most window chunks are claimed and not yet emitted: a reader takes a
// token before it claims the next chunk, and this goroutine returns one
// when it has emitted a chunk. That bounds the records waiting, and lets
// chunk i use queue i%window: chunk i-window was emitted before chunk i
// could be claimed. A reader ends a chunk with a nil batch.
func (s *session) readChunks(ctx context.Context, snapName string, chunks []chunk, m *markerEmitter) error {
	if len(chunks) == 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	threads := max(1, min(s.cfg.SnapshotThreads, len(chunks)))
	window := min(2*threads, len(chunks))
	// What waits here is bounded like the streaming queue, by
	// max.queue.size records (but at least a batch per chunk read ahead).
	perQueue := max(1, min(snapQueue, s.cfg.MaxQueue/(window*snapBatch)))
	// With max.queue.size.in.bytes, batches also end at their share of it
	// (at least one record each).
	var batchBytes int64
	if s.cfg.MaxQueueBytes > 0 {
		batchBytes = max(1, s.cfg.MaxQueueBytes/int64(window*(perQueue+1)))
	}
	queues := make([]chan []connector.SourceRecord, window)
	for i := range queues {
		queues[i] = make(chan []connector.SourceRecord, perQueue+1) // + the end of the chunk
	}
	tokens := make(chan struct{}, window)
	// Emitted batches go back to the readers.
	free := make(chan []connector.SourceRecord, window*(perQueue+1)+threads)
	errc := make(chan error, threads)
	var next atomic.Int64
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }() // every reader ends before return
	tmpl := m.builder()
	for w := 0; w < threads; w++ {
		var conn *pgx.Conn
		if w == 0 {
			conn = s.conn // idle until every reader has ended
		}
		r := &chunkReader{s: s, b: *tmpl, chunks: chunks, queues: queues, tokens: tokens, free: free, next: &next, maxBytes: batchBytes}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := r.run(ctx, conn, snapName); err != nil {
				errc <- err
				cancel()
			}
		}()
	}
	var prev *table
	for i, c := range chunks {
		q := queues[i%window]
		for done := false; !done; {
			select {
			case b := <-q:
				if b == nil {
					done = true
					break
				}
				for j := range b {
					if err := m.add(b[j], c.t != prev); err != nil {
						return err
					}
					prev = c.t
				}
				clear(b)
				select {
				case free <- b[:0]:
				default:
				}
			case <-ctx.Done():
				return firstErr(errc, ctx.Err())
			}
		}
		<-tokens // chunk i's
	}
	return firstErr(errc, nil)
}

func firstErr(errc chan error, dflt error) error {
	select {
	case err := <-errc:
		return err
	default:
		return dflt
	}
}

// chunkReader is one reader of readChunks: it reads the chunks it claims
// until none is left, and sends their records in batches.
type chunkReader struct {
	s      *session
	b      snapBuilder
	chunks []chunk
	queues []chan []connector.SourceRecord
	tokens chan struct{}
	free   chan []connector.SourceRecord
	next   *atomic.Int64
	// maxBytes ends a batch at that many bytes of records (0: no limit).
	maxBytes int64

	batch      []connector.SourceRecord
	batchBytes int64
	q          chan []connector.SourceRecord // the queue of the chunk being read
}

// run reads on conn, which is inside the snapshot transaction, or on a
// connection of its own when conn is nil.
func (r *chunkReader) run(ctx context.Context, conn *pgx.Conn, snapName string) error {
	if conn == nil {
		var err error
		if conn, err = connectQuery(ctx, r.s.cfg); err != nil {
			return fmt.Errorf("postgres: snapshot connection: %w", err)
		}
		defer conn.Close(context.Background())
		tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
		if err != nil {
			return fmt.Errorf("postgres: begin snapshot: %w", err)
		}
		defer tx.Rollback(context.Background())
		if _, err := tx.Exec(ctx, "SET TRANSACTION SNAPSHOT "+quoteLiteral(snapName)); err != nil {
			return fmt.Errorf("postgres: import snapshot %s: %w", snapName, err)
		}
	}
	row := func(t *table, vals []any, _ bool) error {
		if r.batch == nil {
			select {
			case r.batch = <-r.free:
			default:
				r.batch = make([]connector.SourceRecord, 0, snapBatch)
			}
		}
		r.batch = append(r.batch, r.b.record(t, vals))
		if r.maxBytes > 0 {
			r.batchBytes += recordSize(&r.batch[len(r.batch)-1])
		}
		if len(r.batch) == snapBatch || (r.maxBytes > 0 && r.batchBytes >= r.maxBytes) {
			return r.send(ctx)
		}
		return nil
	}
	for {
		select {
		case r.tokens <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		i := int(r.next.Add(1) - 1)
		if i >= len(r.chunks) {
			<-r.tokens // not needed: give it back
			return nil
		}
		r.q = r.queues[i%len(r.queues)]
		_, err := r.s.snapshotTable(ctx, conn, r.chunks[i], row)
		if err == nil && len(r.batch) > 0 {
			err = r.send(ctx)
		}
		if err == nil {
			err = r.send(ctx) // the end of the chunk
		}
		if err != nil {
			return err
		}
	}
}

// send queues the batch being filled (nil: the end of the chunk). It may
// wait, so the next record reads the clock afresh.
func (r *chunkReader) send(ctx context.Context) error {
	r.b.tsLeft = 0
	select {
	case r.q <- r.batch:
		r.batch, r.batchBytes = nil, 0
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
