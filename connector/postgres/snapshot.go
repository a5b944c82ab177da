package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pglogrepl"
	"github.com/jackc/pgx/v5"
	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/data"
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
	var chunks []chunk
	if s.cfg.SnapshotThreads > 1 {
		chunks, err = s.planChunks(ctx, tables)
	} else {
		for _, t := range tables {
			chunks = append(chunks, chunk{t: t})
		}
	}
	if err == nil {
		err = s.readChunks(ctx, snapName, chunks, m)
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

// snapBuilder builds complete snapshot records, as for a row in the middle
// of the snapshot: the common marker ("true" in every layout) and the
// offset of a record that is not the last. markerEmitter fixes up the few
// records that differ. A builder belongs to one goroutine; the srcInfo and
// offset it points to are read-only and shared by all builders of a
// snapshot, and so is the source block of a table's records, which is the
// same for all of them (a fix-up replaces it, never changes it).
type snapBuilder struct {
	s   *session
	si  *srcInfo // common marker, values boxed once
	off *Offset  // the offset of every record but the last

	t   *table
	src *data.Struct // t's source block

	// ts is the processing time of the next stampRows records: reading
	// the clock and boxing three times per row cost ~8 % of a snapshot
	// row, and 64 rows take well under a millisecond.
	ts     stamp
	tsLeft int
}

const stampRows = 64

func (b *snapBuilder) record(t *table, vals []any) connector.SourceRecord {
	if t != b.t {
		b.t, b.src = t, b.s.sourceStruct(t, b.si)
	}
	if b.tsLeft == 0 {
		b.ts, b.tsLeft = newStamp(b.s.now()), stampRows
	}
	b.tsLeft--
	return b.s.recordWithSource(t, "r", t.keyStruct(vals), nil, t.valueStruct(vals), b.src, nil, b.off, b.ts)
}

// markerEmitter holds one record back until the next record shows which
// snapshot marker it gets (an empty last table makes the previous record
// last), and gives it its marker and offset when they are not the common
// ones its builder set.
type markerEmitter struct {
	s     *session
	si    *srcInfo
	emit  func(connector.SourceRecord) error
	first bool // no record taken yet

	b          *snapBuilder // template of the builders; built on first use
	held       bool
	pending    connector.SourceRecord
	firstAll   bool
	firstTable bool
}

// builder returns the emitter's builder, which row uses; a goroutine that
// builds records for add uses a copy.
func (m *markerEmitter) builder() *snapBuilder {
	if m.b == nil {
		si := *m.si
		si.snapshot = snapshotMarker(m.s.cfg.Compat, false, false, false, false)
		si.seqV = sequence(si.lastCommit, si.lsn)
		si.tx = new(txBoxes).boxesFor(&si)
		m.b = &snapBuilder{s: m.s, si: &si, off: m.s.snapshotOffset(m.si, false)}
	}
	return m.b
}

func (m *markerEmitter) row(t *table, vals []any, firstInTable bool) error {
	return m.add(m.builder().record(t, vals), firstInTable)
}

// add takes the next record, built by a copy of m.builder(), and emits the
// one held back. firstInTable marks the first record of its table.
func (m *markerEmitter) add(rec connector.SourceRecord, firstInTable bool) error {
	if m.held {
		if err := m.flush(false, firstInTable); err != nil {
			return err
		}
	}
	m.pending, m.held = rec, true
	m.firstAll, m.firstTable = m.first, firstInTable
	m.first = false
	return nil
}

// flush emits the record held back, if any; lastAll and lastTable say
// whether it is the snapshot's and its table's last.
func (m *markerEmitter) flush(lastAll, lastTable bool) error {
	if !m.held {
		return nil
	}
	m.held = false
	rec := m.pending
	if mk := snapshotMarker(m.s.cfg.Compat, m.firstAll, lastAll, m.firstTable, lastTable); mk != m.builder().si.snapshot {
		// The envelope is this record's own; its source block is shared.
		env := rec.Value.(*data.Struct)
		env.Set(envSource, withMarker(env.At(envSource).(*data.Struct), mk))
	}
	if lastAll {
		rec.SourceOffset = m.s.snapshotOffset(m.si, true)
	}
	return m.emit(rec)
}

// withMarker returns a copy of the source block src with marker mk.
func withMarker(src *data.Struct, mk string) *data.Struct {
	out := data.NewStruct(src.Schema())
	for i := range src.Schema().Fields {
		out.Set(i, src.At(i))
	}
	out.Set(srcSnapshot, boxedMarker(mk))
	return out
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
