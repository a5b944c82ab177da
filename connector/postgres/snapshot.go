package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pglogrepl"
	"github.com/jackc/pgx/v5"
	"github.com/wharf-project/wharf/connector"
)

// snapshotMarker computes source.snapshot for a row with Debezium's
// priority: last > first > last_in_data_collection > first_in_data_collection > true.
func snapshotMarker(compat string, firstAll, lastAll, firstTable, lastTable bool) string {
	if compat == "2.7" {
		if lastAll {
			return "last"
		}
		return "true"
	}
	switch {
	case lastAll:
		return "last"
	case firstAll:
		return "first"
	case lastTable:
		return "last_in_data_collection"
	case firstTable:
		return "first_in_data_collection"
	}
	return "true"
}

// rowFunc receives one snapshot row of t; first marks the table's first row.
// vals is only valid during the call (the reader reuses it for the next
// row): a rowFunc that keeps the row copies it.
type rowFunc func(t *table, vals []any, first bool) error

// snapshot reads every captured table inside the slot's exported snapshot
// and emits op "r" records. lsn is the position streaming starts from.
func (s *session) snapshot(ctx context.Context, snapName string, // "" without an exported slot snapshot
	lsn pglogrepl.LSN, emit func(connector.SourceRecord) error) error {
	tx, err := s.conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead})
	if err != nil {
		return fmt.Errorf("postgres: begin snapshot: %w", err)
	}
	defer tx.Rollback(context.Background())
	if snapName == "" {
		// No slot was created for this snapshot: the transaction is its own
		// snapshot, exported so parallel readers share it.
		if err := tx.QueryRow(ctx, "SELECT pg_export_snapshot()").Scan(&snapName); err != nil {
			return fmt.Errorf("postgres: export snapshot: %w", err)
		}
	} else if _, err := tx.Exec(ctx, "SET TRANSACTION SNAPSHOT "+quoteLiteral(snapName)); err != nil {
		return fmt.Errorf("postgres: import snapshot %s: %w", snapName, err)
	}
	var txID int64
	var ts time.Time
	if err := tx.QueryRow(ctx, "SELECT txid_current(), CURRENT_TIMESTAMP").Scan(&txID, &ts); err != nil {
		return fmt.Errorf("postgres: snapshot txid: %w", err)
	}
	tables, err := s.snapshotTables(ctx)
	if err != nil {
		return err
	}
	s.log.Info("postgres: snapshot started", "tables", len(tables), "lsn", lsn.String(), "txId", txID,
		"threads", s.cfg.SnapshotThreads)
	si := srcInfo{tsUs: ts.UnixMicro(), lsn: int64(lsn), txID: &txID}
	m := &markerEmitter{s: s, si: &si, emit: emit, first: true}
	if s.cfg.SnapshotThreads > 1 {
		var chunks []chunk
		if chunks, err = s.planChunks(ctx, tables); err == nil {
			err = s.readParallel(ctx, snapName, chunks, m.row)
		}
	} else {
		for _, t := range tables {
			if _, err = s.snapshotTable(ctx, s.conn, chunk{t: t}, m.row); err != nil {
				break
			}
		}
	}
	if err != nil {
		return err
	}
	if err := m.flush(true, true); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: commit snapshot: %w", err)
	}
	s.log.Info("postgres: snapshot completed")
	return nil
}

// snapshotTables reads the captured tables' catalog inside the snapshot.
func (s *session) snapshotTables(ctx context.Context) ([]*table, error) {
	refs, err := listTables(ctx, s.conn, s.cfg.Filter)
	if err != nil {
		return nil, err
	}
	var out []*table
	for _, ref := range refs {
		meta, err := loadTable(ctx, s.conn, ref.oid)
		if err != nil {
			return nil, err
		}
		if meta != nil {
			out = append(out, s.buildTable(meta, meta.cols))
		}
	}
	return out, nil
}

// markerEmitter holds one row back until the next row shows which
// snapshot marker it gets (an empty last table makes the previous row last).
type markerEmitter struct {
	s     *session
	si    *srcInfo
	emit  func(connector.SourceRecord) error
	first bool // no row emitted yet

	pending    *table
	vals       []any
	firstAll   bool
	firstTable bool
	seqV       any // source.sequence, boxed once
}

func (m *markerEmitter) row(t *table, vals []any, firstInTable bool) error {
	if m.pending != nil {
		if err := m.flush(false, firstInTable); err != nil {
			return err
		}
	}
	// The held row's values were copied into its structs by flush, so its
	// slice takes the new row.
	m.vals = append(m.vals[:0], vals...)
	m.pending, m.firstAll, m.firstTable = t, m.first, firstInTable
	m.first = false
	return nil
}

func (m *markerEmitter) flush(lastAll, lastTable bool) error {
	t := m.pending
	if t == nil {
		return nil
	}
	m.pending = nil
	rsi := *m.si
	rsi.snapshot = snapshotMarker(m.s.cfg.Compat, m.firstAll, lastAll, m.firstTable, lastTable)
	if m.seqV == nil { // the same for every snapshot record
		m.seqV = sequence(rsi.lastCommit, rsi.lsn)
	}
	rsi.seqV = m.seqV
	off := m.s.snapshotOffset(m.si, lastAll)
	return m.emit(m.s.changeRecord(t, "r", t.keyStruct(m.vals), nil, t.valueStruct(m.vals), &rsi, nil, off))
}

// snapshotTable streams one table's rows in text form (simple protocol)
// through the same decoder the replication stream uses.
func (s *session) snapshotTable(ctx context.Context, conn *pgx.Conn, ch chunk, row rowFunc) (int, error) {
	t := ch.t
	var cols []string
	pos := make([]int, len(t.cols))
	for i, c := range t.cols {
		pos[i] = -1
		if c.ct != nil {
			pos[i] = len(cols)
			cols = append(cols, pgx.Identifier{c.name}.Sanitize())
		}
	}
	if len(cols) == 0 {
		return 0, nil
	}
	sql := "SELECT " + strings.Join(cols, ", ") + " FROM " + pgx.Identifier{t.schema, t.name}.Sanitize() + ch.where
	mrr := conn.PgConn().Exec(ctx, sql)
	defer mrr.Close()
	n := 0
	rd := rowDecoder{t: t, sr: snapshotRow{pos: pos}}
	for mrr.NextResult() {
		rr := mrr.ResultReader()
		for rr.NextRow() {
			vals, err := rd.decode(rr.Values())
			if err == nil {
				err = row(t, vals, n == 0)
			}
			if err != nil {
				rr.Close()
				return n, err
			}
			n++
		}
		if _, err := rr.Close(); err != nil {
			return n, fmt.Errorf("postgres: snapshot %s.%s: %w", t.schema, t.name, err)
		}
	}
	if err := mrr.Close(); err != nil {
		return n, fmt.Errorf("postgres: snapshot %s.%s: %w", t.schema, t.name, err)
	}
	return n, nil
}

// snapshotOffsetAlloc is an Offset with room for its flags, so a snapshot
// record's offset costs one allocation.
type snapshotOffsetAlloc struct {
	o               Offset
	last, completed bool
}

func (s *session) snapshotOffset(si *srcInfo, last bool) *Offset {
	a := &snapshotOffsetAlloc{o: Offset{Lsn: si.lsn, TxID: si.txID, TsUsec: si.tsUs}, last: last, completed: last}
	o := &a.o
	o.LastSnapshotRecord = &a.last
	if s.cfg.Compat == "2.7" {
		o.Snapshot = true
	} else {
		o.Snapshot = "INITIAL"
		o.SnapshotCompleted = &a.completed
	}
	return o
}

// rowDecoder decodes the result rows of one table's snapshot query; the
// values slice it returns is reused for the next row.
type rowDecoder struct {
	t    *table
	sr   snapshotRow
	tp   rawTuple
	vals []any
}

func (d *rowDecoder) decode(raw [][]byte) ([]any, error) {
	d.sr.fill(&d.tp, raw)
	vals, _, err := d.t.decodeTuple(d.vals, &d.tp)
	if err != nil {
		return nil, err
	}
	d.vals = vals
	return vals, nil
}

// snapshotRow turns result rows into rawTuples for decodeTuple: column i of
// the table is raw[pos[i]] (pos[i] < 0: not selected). A row's texts share
// one string, so a row costs one copy; buf and ends are scratch.
type snapshotRow struct {
	pos  []int
	buf  []byte
	ends []int
}

func (r *snapshotRow) fill(tp *rawTuple, raw [][]byte) {
	r.buf, r.ends = r.buf[:0], r.ends[:0]
	tp.kinds = tp.kinds[:0]
	for _, j := range r.pos {
		kind := byte(kindNull)
		if j >= 0 && raw[j] != nil {
			kind = kindText
			r.buf = append(r.buf, raw[j]...)
		}
		tp.kinds = append(tp.kinds, kind)
		r.ends = append(r.ends, len(r.buf))
	}
	row := string(r.buf)
	tp.texts = tp.texts[:0]
	start := 0
	for _, end := range r.ends {
		tp.texts = append(tp.texts, row[start:end])
		start = end
	}
}
