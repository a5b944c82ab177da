package postgres

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/wharf-project/wharf/connector/data"
)

// chunkMinRows is the estimated size (pg_class.reltuples) from which a table
// with an integer primary key is read in key ranges by several readers.
const chunkMinRows = 100_000

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
		out = append(out, splitRange(t, qc, *lo, *hi, int64(s.cfg.SnapshotThreads)*4)...)
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

// readParallel reads chunks on snapshot.max.threads extra connections that
// import the same exported snapshot, and hands rows to row in chunk order
// (so tables stay in order and snapshot markers stay exact).
func (s *session) readParallel(ctx context.Context, snapName string, chunks []chunk, row rowFunc) error {
	ctx, cancel := context.WithCancel(ctx)
	const batchSize = 256
	chans := make([]chan [][]any, len(chunks))
	for i := range chans {
		chans[i] = make(chan [][]any, 8)
	}
	threads := max(1, min(s.cfg.SnapshotThreads, len(chunks)))
	errc := make(chan error, threads)
	var next atomic.Int64
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }() // every worker ends before return
	for w := 0; w < threads; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.snapshotWorker(ctx, snapName, chunks, chans, &next, batchSize); err != nil {
				errc <- err
				cancel()
			}
		}()
	}
	var prev *table
	for i, c := range chunks {
		for done := false; !done; {
			select {
			case b, ok := <-chans[i]:
				if !ok {
					done = true
					break
				}
				for _, vals := range b {
					if err := row(c.t, vals, c.t != prev); err != nil {
						return err
					}
					prev = c.t
				}
			case <-ctx.Done():
				return firstErr(errc, ctx.Err())
			}
		}
		if err := firstErr(errc, nil); err != nil {
			return err
		}
	}
	return nil
}

func firstErr(errc chan error, dflt error) error {
	select {
	case err := <-errc:
		return err
	default:
		return dflt
	}
}

// snapshotWorker reads chunks claimed from next until none is left. A
// chunk's channel is closed when it is done (after any error is reported).
func (s *session) snapshotWorker(ctx context.Context, snapName string, chunks []chunk, chans []chan [][]any,
	next *atomic.Int64, batchSize int) error {
	conn, err := connectQuery(ctx, s.cfg)
	if err != nil {
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
	for {
		i := int(next.Add(1) - 1)
		if i >= len(chunks) {
			return nil
		}
		batch := make([][]any, 0, batchSize)
		send := func() error {
			select {
			case chans[i] <- batch:
				batch = make([][]any, 0, batchSize)
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		_, err := s.snapshotTable(ctx, conn, chunks[i], func(_ *table, vals []any, _ bool) error {
			batch = append(batch, slices.Clone(vals))
			if len(batch) == batchSize {
				return send()
			}
			return nil
		})
		if err == nil && len(batch) > 0 {
			err = send()
		}
		if err != nil {
			return err
		}
		close(chans[i])
	}
}
