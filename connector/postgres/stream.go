package postgres

import (
	"context"
	"encoding/binary"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/jackc/pglogrepl"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/wharf-project/wharf/connector"
)

// streamState is the position bookkeeping of the replication stream.
type streamState struct {
	lastCommit *int64 // end LSN of the last processed COMMIT
	lsnProc    int64
	xid        *int64
	commitUs   int64
	inTx       bool
	received   pglogrepl.LSN // highest LSN seen (reported as written)
	walEnd     pglogrepl.LSN // last keepalive position while no transaction was open
	lastHB     time.Time
	// resume: skip events of the partially emitted transaction.
	skipXid *int64
	skipLsn int64
	// tx is the open transaction's metadata (provide.transaction.metadata).
	tx txContext
}

// streamer reads pgoutput from the slot and emits records.
type streamer struct {
	s         *session
	st        streamState
	out       chan<- connector.SourceRecord
	bytes     *byteBudget // nil: the queue is bounded in records only
	done      <-chan struct{}
	confirmed *atomic.Uint64 // LSN allowed to be confirmed (set by CommitOffsets)
	confirmCh chan struct{}

	// Scratch reused from row to row (see parseRowChange, change).
	oldTuple, newTuple    rawTuple
	beforeVals, afterVals []any
	box                   txBoxes
}

// emit hands a record to Poll. While the queue is full it keeps sending
// status updates, so a slow consumer does not trip wal_sender_timeout.
func (z *streamer) emit(rec connector.SourceRecord) error { return z.send(rec, true) }

func (z *streamer) send(rec connector.SourceRecord, streaming bool) error {
	var size int64
	taken := z.bytes == nil
	if !taken {
		size = recordSize(&rec)
		taken = z.bytes.tryTake(size)
	}
	if taken {
		// A one-case select is a plain non-blocking send, much cheaper
		// than the general select below; a record queued after
		// cancellation is dropped with the queue.
		select {
		case z.out <- rec:
			return nil
		default:
		}
		select {
		case z.out <- rec:
			return nil
		case <-z.done:
			return context.Canceled
		default:
		}
	}
	tick := time.NewTicker(z.s.cfg.StatusInterval)
	defer tick.Stop()
	for {
		// Until the bytes are taken, wait for Poll to free some; then
		// for room in the queue.
		var out chan<- connector.SourceRecord
		var freed <-chan struct{}
		if taken {
			out = z.out
		} else {
			freed = z.bytes.freed
		}
		select {
		case out <- rec:
			return nil
		case <-freed:
			taken = z.bytes.tryTake(size)
		case <-z.done:
			return context.Canceled
		case <-tick.C:
			if streaming {
				if err := z.sendStatus(false); err != nil {
					return err
				}
			}
		}
	}
}

// offsetAlloc is an Offset with room for its lsn_proc, so a streamed
// record's offset costs one allocation. LsnCommit and TxID point at the
// stream state's values, which are replaced, never changed in place.
type offsetAlloc struct {
	o       Offset
	lsnProc int64
}

func (z *streamer) offset(lsn int64, msgType string) *Offset {
	a := &offsetAlloc{o: Offset{MessageType: msgType, LsnCommit: z.st.lastCommit,
		Lsn: lsn, TxID: z.st.xid, TsUsec: z.st.commitUs}, lsnProc: z.st.lsnProc}
	a.o.LsnProc = &a.lsnProc
	return &a.o
}

// start issues START_REPLICATION at from with protocol v1, asking for
// logical decoding messages on PostgreSQL 14+ as Debezium does.
func (z *streamer) start(ctx context.Context, from pglogrepl.LSN) error {
	pub := quoteLiteral(pgx.Identifier{z.s.cfg.Publication}.Sanitize())
	args := []string{"proto_version '1'", "publication_names " + pub}
	if z.s.serverNum >= 140000 {
		args = append(args, "messages 'true'")
	}
	err := pglogrepl.StartReplication(ctx, z.s.repl, pgx.Identifier{z.s.cfg.Slot}.Sanitize(), from,
		pglogrepl.StartReplicationOptions{Mode: pglogrepl.LogicalReplication, PluginArgs: args})
	if err != nil {
		return fmt.Errorf("postgres: start replication from %s: %w", from, err)
	}
	z.s.log.Info("postgres: streaming started", "slot", z.s.cfg.Slot, "from", from.String())
	return nil
}

// run reads until ctx is done or an error occurs.
func (z *streamer) run(ctx context.Context) error {
	interval := z.s.cfg.StatusInterval
	nextStatus := time.Now().Add(interval)
	z.st.lastHB = time.Now()
	// Receives wait under a read deadline on the connection, not a context:
	// pgconn watches every cancellable context it is given, which costs an
	// AfterFunc registration per message. Cancellation of ctx ends a wait at
	// once through the same deadline.
	conn := z.s.repl.Conn()
	stop := context.AfterFunc(ctx, func() { conn.SetReadDeadline(time.Now()) })
	defer func() {
		stop()
		conn.SetReadDeadline(time.Time{})
	}()
	var deadline time.Time
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		select {
		case <-z.confirmCh:
			if err := z.sendStatus(false); err != nil {
				return err
			}
		default:
		}
		now := time.Now() // once per message: reading the clock shows in profiles
		if now.After(nextStatus) {
			// Outside a transaction, ask for a keepalive: its WAL end lets
			// heartbeats advance an idle or filtered-only slot.
			if err := z.sendStatus(!z.st.inTx && z.s.cfg.Heartbeat > 0); err != nil {
				return err
			}
			now = time.Now()
			nextStatus = now.Add(interval)
		}
		if deadline.IsZero() || !now.Before(deadline) {
			deadline = z.receiveDeadline(nextStatus)
			if err := conn.SetReadDeadline(deadline); err != nil {
				return fmt.Errorf("postgres: receive: %w", err)
			}
		}
		msg, err := z.s.repl.ReceiveMessage(context.Background())
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if pgconn.Timeout(err) {
				deadline = time.Time{}
				if err := z.maybeHeartbeat(ctx); err != nil {
					return err
				}
				continue
			}
			return fmt.Errorf("postgres: receive: %w", err)
		}
		switch m := msg.(type) {
		case *pgproto3.CopyData:
			if err := z.handleCopy(ctx, m.Data); err != nil {
				return err
			}
		case *pgproto3.ErrorResponse:
			return pgconn.ErrorResponseToPgError(m)
		}
	}
}

// receiveDeadline is when a wait for the next message must end: the next
// status update or heartbeat, and at most 200ms (to act on confirmations).
func (z *streamer) receiveDeadline(nextStatus time.Time) time.Time {
	d := time.Now().Add(200 * time.Millisecond)
	if nextStatus.Before(d) {
		d = nextStatus
	}
	if hb := z.s.cfg.Heartbeat; hb > 0 && z.st.lastHB.Add(hb).Before(d) {
		d = z.st.lastHB.Add(hb)
	}
	if min := time.Now().Add(time.Millisecond); d.Before(min) {
		d = min
	}
	return d
}

func (z *streamer) handleCopy(ctx context.Context, b []byte) error {
	if len(b) == 0 {
		return nil
	}
	switch b[0] {
	case pglogrepl.PrimaryKeepaliveMessageByteID:
		k, err := pglogrepl.ParsePrimaryKeepaliveMessage(b[1:])
		if err != nil {
			return fmt.Errorf("postgres: keepalive: %w", err)
		}
		if k.ServerWALEnd > z.st.received {
			z.st.received = k.ServerWALEnd
		}
		if !z.st.inTx {
			z.st.walEnd = k.ServerWALEnd
		}
		if k.ReplyRequested {
			if err := z.sendStatus(false); err != nil {
				return err
			}
		}
		return z.maybeHeartbeat(ctx)
	case pglogrepl.XLogDataByteID:
		x, err := pglogrepl.ParseXLogData(b[1:])
		if err != nil {
			return fmt.Errorf("postgres: xlogdata: %w", err)
		}
		if x.WALStart > z.st.received {
			z.st.received = x.WALStart
		}
		return z.handleMessage(ctx, x.WALStart, x.WALData)
	}
	return nil
}

// sendStatus reports written = received, flushed = applied = the LSN the
// runtime confirmed durable; nothing later is ever reported as flushed.
// (pglogrepl.SendStandbyStatusUpdate would turn a zero flush position into
// the write position, so the message is encoded here.)
func (z *streamer) sendStatus(reply bool) error {
	flushed := pglogrepl.LSN(z.confirmed.Load())
	written := z.st.received
	if written < flushed {
		written = flushed
	}
	b := make([]byte, 0, 34)
	b = append(b, pglogrepl.StandbyStatusUpdateByteID)
	b = binary.BigEndian.AppendUint64(b, uint64(written))
	b = binary.BigEndian.AppendUint64(b, uint64(flushed))
	b = binary.BigEndian.AppendUint64(b, uint64(flushed))
	b = binary.BigEndian.AppendUint64(b, uint64(time.Now().UnixMicro()-pgEpochMicros))
	if reply {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	buf, err := (&pgproto3.CopyData{Data: b}).Encode(nil)
	if err == nil {
		err = z.s.repl.Frontend().SendUnbufferedEncodedCopyData(buf)
	}
	if err != nil {
		return fmt.Errorf("postgres: standby status update: %w", err)
	}
	return nil
}

// pgEpochMicros is 2000-01-01 UTC in Unix microseconds.
const pgEpochMicros = 946684800000000

// maybeHeartbeat emits a heartbeat when the interval has passed. Outside a
// transaction it carries the last keepalive position, so an idle or
// filtered-only slot advances once the heartbeat's offset is committed.
func (z *streamer) maybeHeartbeat(ctx context.Context) error {
	hb := z.s.cfg.Heartbeat
	if hb <= 0 || time.Since(z.st.lastHB) < hb {
		return nil
	}
	z.st.lastHB = time.Now()
	if q := z.s.cfg.HeartbeatQuery; q != "" {
		if _, err := z.s.conn.Exec(ctx, q); err != nil {
			z.s.log.Warn("postgres: heartbeat.action.query failed", "err", err)
		}
	}
	if z.st.inTx {
		return nil
	}
	if int64(z.st.walEnd) > z.st.lsnProc {
		z.st.lsnProc = int64(z.st.walEnd)
	}
	off := z.offset(z.st.lsnProc, "COMMIT")
	off.Tx = z.st.tx.state()
	return z.emit(z.s.heartbeatRecord(off))
}

func (z *streamer) handleMessage(ctx context.Context, lsn pglogrepl.LSN, raw []byte) error {
	if len(raw) > 0 {
		var op byte
		switch raw[0] {
		case 'I':
			op = 'c'
		case 'U':
			op = 'u'
		case 'D':
			op = 'd'
		}
		if op != 0 {
			rc, err := z.parseRowChange(raw)
			if err != nil {
				return err
			}
			return z.change(ctx, op, int64(lsn), rc)
		}
	}
	msg, err := pglogrepl.Parse(raw)
	if err != nil {
		return fmt.Errorf("postgres: parse pgoutput message: %w", err)
	}
	switch m := msg.(type) {
	case *pglogrepl.RelationMessage:
		return z.s.relation(ctx, m)
	case *pglogrepl.BeginMessage:
		return z.begin(m, int64(lsn))
	case *pglogrepl.LogicalDecodingMessage:
		return z.message(ctx, m, int64(lsn))
	case *pglogrepl.CommitMessage:
		return z.commit(ctx, int64(m.TransactionEndLSN))
	case *pglogrepl.TruncateMessage:
		for _, rel := range m.RelationIDs {
			if err := z.truncate(rel, int64(lsn)); err != nil {
				return err
			}
		}
	}
	return nil
}

// begin opens a transaction. With transaction metadata it emits BEGIN, as
// Debezium does for every transaction the slot sends, unless the
// transaction is the one a restart resumes inside (its BEGIN was emitted
// and its counters come from the stored offset).
func (z *streamer) begin(m *pglogrepl.BeginMessage, lsn int64) error {
	z.st.inTx = true
	z.st.xid = i64(int64(m.Xid))
	z.st.commitUs = m.CommitTime.UnixMicro()
	z.st.lsnProc = lsn
	if !z.s.cfg.TxMetadata {
		return nil
	}
	id := strconv.FormatUint(uint64(m.Xid), 10)
	if z.st.tx.id == id && z.st.skipXid != nil && *z.st.skipXid == int64(m.Xid) {
		return nil
	}
	z.st.tx.begin(id)
	off := z.offset(lsn, "BEGIN")
	off.Tx = z.st.tx.state()
	return z.emit(z.s.txRecord("BEGIN", id+":"+strconv.FormatInt(lsn, 10), floorDiv(z.st.commitUs, 1000), &z.st.tx, off))
}

// commit closes a transaction: a due heartbeat first, then END, as
// Debezium's commitMessage and dispatchTransactionCommittedEvent order them.
func (z *streamer) commit(ctx context.Context, end int64) error {
	z.st.inTx = false
	z.st.lastCommit = i64(end)
	z.st.lsnProc = end
	if z.st.skipXid != nil && z.st.xid != nil && *z.st.xid == *z.st.skipXid {
		z.st.skipXid = nil
	}
	if err := z.maybeHeartbeat(ctx); err != nil {
		return err
	}
	if z.st.tx.id == "" {
		return nil
	}
	off := z.offset(end, "COMMIT")
	off.Tx = z.st.tx.state()
	rec := z.s.txRecord("END", z.st.tx.id+":"+strconv.FormatInt(end, 10), floorDiv(z.st.commitUs, 1000), &z.st.tx, off)
	z.st.tx.end()
	return z.emit(rec)
}

// relation rebuilds a table from a Relation message plus the catalog, so a
// schema change mid-stream yields new schemas from the next row on.
func (s *session) relation(ctx context.Context, m *pglogrepl.RelationMessage) error {
	if !s.cfg.Filter.Table(m.Namespace, m.RelationName) {
		s.tables[m.RelationID] = nil
		return nil
	}
	meta, err := loadTable(ctx, s.conn, m.RelationID)
	if err != nil {
		return err
	}
	if meta == nil { // dropped since: describe it from the message alone
		meta = &tableMeta{oid: m.RelationID, schema: m.Namespace, name: m.RelationName, replIdent: m.ReplicaIdentity}
		for _, c := range m.Columns {
			if c.Flags&1 != 0 {
				meta.pk = append(meta.pk, c.Name)
			}
		}
	}
	meta.schema, meta.name = m.Namespace, m.RelationName
	tuple := make([]catColumn, len(m.Columns))
	for i, c := range m.Columns {
		tuple[i] = catColumn{name: c.Name, typ: c.DataType, typmod: c.TypeModifier}
		if s.types.get(c.DataType) == nil { // a type created after start (new enum)
			if s.types, err = loadTypes(ctx, s.conn); err != nil {
				return err
			}
		}
	}
	s.tables[m.RelationID] = s.buildTable(meta, tuple)
	return nil
}
