package postgres

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pglogrepl"
	"github.com/jackc/pgx/v5"
	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/connectortest"
	"github.com/wharf-project/wharf/connector/data"
)

// The benchmarks here drive the streaming decode path (XLogData → pgoutput
// Insert/Update/Delete → SourceRecord → Task.Poll) on pre-built pgoutput
// messages for bench/pgsource's customers table, without a replication
// connection. The catalog (Relation handling) uses the test cluster.

const benchCustomersDDL = `CREATE TABLE public.customers (
  id bigint PRIMARY KEY,
  custkey varchar(16) NOT NULL,
  first_name varchar(40),
  last_name varchar(40),
  email varchar(80),
  city varchar(40),
  state char(2),
  fico int,
  balance numeric(12,2),
  registration_date date,
  updated_at timestamptz,
  notes text)`

var benchDB struct {
	once sync.Once
	name string
	err  error
}

func benchDatabase(b testing.TB) string {
	benchDB.once.Do(func() {
		benchDB.name = "bench_stream"
		benchDB.err = execSQL(testPG.DSN("postgres"), "CREATE DATABASE "+benchDB.name)
		if benchDB.err == nil {
			benchDB.err = execSQL(testPG.DSN(benchDB.name), benchCustomersDDL)
		}
	})
	if benchDB.err != nil {
		b.Fatal(benchDB.err)
	}
	return benchDB.name
}

func execSQL(dsn string, sql ...string) error {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	for _, s := range sql {
		if _, err := conn.Exec(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// benchStream is a streamer and task wired to a channel, fed by hand.
type benchStream struct {
	z    *streamer
	task *Task
	out  chan connector.SourceRecord
	rel  uint32
	wal  uint64
}

func newBenchStream(b testing.TB, props map[string]string) *benchStream {
	db := benchDatabase(b)
	p := map[string]string{
		"connector.class": Class, KeyHostname: testPG.Host, KeyPort: strconv.Itoa(testPG.Port),
		KeyUser: "postgres", KeyDBName: db, KeyTopicPrefix: "ins", KeyPluginName: "pgoutput",
		KeySSLMode: "disable",
	}
	for k, v := range props {
		p[k] = v
	}
	log := connectortest.Logger(nil)
	cfg, err := parseConfig(p, log)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	part := connector.NewSourcePartition(map[string]any{"server": cfg.Prefix})
	s := newSession(cfg, log, part, contextHeaders(cfg, 0, newRunID()))
	if s.conn, err = connectQuery(ctx, cfg); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.conn.Close(context.Background()) })
	if s.types, err = loadTypes(ctx, s.conn); err != nil {
		b.Fatal(err)
	}
	out := make(chan connector.SourceRecord, cfg.MaxQueue)
	task := &Task{cfg: cfg, log: log, partition: part, run: &runner{out: out, done: make(chan struct{})}}
	z := &streamer{s: s, out: out, done: make(chan struct{}), confirmed: &task.confirmed, confirmCh: make(chan struct{}, 1)}
	bs := &benchStream{z: z, task: task, out: out, wal: 0x1000000}

	var oid uint32
	if err := s.conn.QueryRow(ctx, "SELECT 'public.customers'::regclass::oid").Scan(&oid); err != nil {
		b.Fatal(err)
	}
	bs.rel = oid
	rows, err := s.conn.Query(ctx, `SELECT attname, atttypid, atttypmod, attnum = 1 FROM pg_attribute
		WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped ORDER BY attnum`, oid)
	if err != nil {
		b.Fatal(err)
	}
	var cols []pglogrepl.RelationMessageColumn
	for rows.Next() {
		var c pglogrepl.RelationMessageColumn
		var key bool
		if err := rows.Scan(&c.Name, &c.DataType, &c.TypeModifier, &key); err != nil {
			b.Fatal(err)
		}
		if key {
			c.Flags = 1
		}
		cols = append(cols, c)
	}
	rows.Close()
	bs.feed(b, relationMsg(oid, "public", "customers", 'd', cols))
	return bs
}

// feed hands one pgoutput message to the streamer as XLogData.
func (bs *benchStream) feed(b testing.TB, msg []byte) {
	if err := bs.z.handleCopy(context.Background(), xlog(bs.wal, msg)); err != nil {
		b.Fatal(err)
	}
}

func xlog(lsn uint64, msg []byte) []byte {
	out := []byte{'w'}
	out = binary.BigEndian.AppendUint64(out, lsn)
	out = binary.BigEndian.AppendUint64(out, lsn)
	out = binary.BigEndian.AppendUint64(out, 0)
	return append(out, msg...)
}

func pgString(b []byte, s string) []byte { return append(append(b, s...), 0) }

func relationMsg(oid uint32, ns, name string, ident byte, cols []pglogrepl.RelationMessageColumn) []byte {
	b := binary.BigEndian.AppendUint32([]byte{'R'}, oid)
	b = pgString(b, ns)
	b = pgString(b, name)
	b = append(b, ident)
	b = binary.BigEndian.AppendUint16(b, uint16(len(cols)))
	for _, c := range cols {
		b = append(b, c.Flags)
		b = pgString(b, c.Name)
		b = binary.BigEndian.AppendUint32(b, c.DataType)
		b = binary.BigEndian.AppendUint32(b, uint32(c.TypeModifier))
	}
	return b
}

func beginMsg(finalLSN uint64, commitUs int64, xid uint32) []byte {
	b := binary.BigEndian.AppendUint64([]byte{'B'}, finalLSN)
	b = binary.BigEndian.AppendUint64(b, uint64(commitUs-pgEpochMicros))
	return binary.BigEndian.AppendUint32(b, xid)
}

func commitMsg(lsn, end uint64, commitUs int64) []byte {
	b := binary.BigEndian.AppendUint64([]byte{'C', 0}, lsn)
	b = binary.BigEndian.AppendUint64(b, end)
	return binary.BigEndian.AppendUint64(b, uint64(commitUs-pgEpochMicros))
}

// customerRow is row g of bench/pgsource's insert workload, as text.
func customerRow(g int64, upd bool) []*string {
	str := func(s string) *string { return &s }
	names := []string{"Alice", "Bob", "Carla", "Dmitri", "Élodie", "Farid", "Grace", "Hiro"}
	cities := []string{"Boston", "Austin", "Seattle", "Denver", "Chicago", "Portland", "Miami", "Phoenix"}
	states := []string{"MA", "TX", "WA", "CO", "IL", "OR", "FL", "AZ"}
	bal := (g % 1000000)
	ts := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(g) * time.Second)
	if upd {
		bal += 125
		ts = ts.AddDate(0, 0, 1)
	}
	return []*string{
		str(strconv.FormatInt(g, 10)),
		str(fmt.Sprintf("C%010d", g)),
		str(fmt.Sprintf("%s %d", names[g%8], g%997)),
		str(fmt.Sprintf("Lastname-%d", g%5003)),
		str(fmt.Sprintf("user%d@example.com", g)),
		str(cities[g%8]),
		str(states[g%8]),
		str(strconv.FormatInt(550+g%300, 10)),
		str(fmt.Sprintf("%d.%02d", bal/100, bal%100)),
		str(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(g%1500)).Format("2006-01-02")),
		str(ts.Format("2006-01-02 15:04:05") + "+00"),
		str(fmt.Sprintf("note %032x %032x", g*7919, g*104729)),
	}
}

func rowMsg(op byte, rel uint32, g int64) []byte {
	b := binary.BigEndian.AppendUint32([]byte{op}, rel)
	switch op {
	case 'I':
		b = append(b, 'N')
		b = append(b, tupleBytes(customerRow(g, false)...)...)
	case 'U':
		b = append(b, 'N')
		b = append(b, tupleBytes(customerRow(g, true)...)...)
	case 'D':
		b = append(b, 'K')
		key := make([]*string, 12)
		key[0] = customerRow(g, false)[0]
		b = append(b, tupleBytes(key...)...)
	}
	return b
}

// run feeds n row messages of op in transactions of txRows rows, draining
// the queue through Task.Poll as the runtime would.
func (bs *benchStream) run(b *testing.B, op byte, txRows int) {
	msgs := make([][]byte, txRows)
	for i := range msgs {
		msgs[i] = xlog(bs.wal+uint64(i+1)*256, rowMsg(op, bs.rel, int64(i+1)))
	}
	ctx := context.Background()
	xid := uint32(1000)
	commitUs := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC).UnixMicro()
	endLSN := bs.wal + uint64(txRows+1)*256
	drain := func() {
		for len(bs.out) > 0 {
			if _, err := bs.task.Poll(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
	maxBatch := bs.task.cfg.MaxBatch
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; {
		bs.feed(b, beginMsg(endLSN, commitUs, xid))
		for j := 0; j < txRows && i < b.N; j, i = j+1, i+1 {
			if err := bs.z.handleCopy(ctx, msgs[j]); err != nil {
				b.Fatal(err)
			}
			if len(bs.out) >= maxBatch {
				drain()
			}
		}
		bs.feed(b, commitMsg(endLSN-8, endLSN, commitUs))
		xid++
		commitUs += 1000
	}
	drain()
}

func BenchmarkStreamInsert(b *testing.B) {
	newBenchStream(b, nil).run(b, 'I', 1000)
}

func BenchmarkStreamUpdate(b *testing.B) {
	newBenchStream(b, nil).run(b, 'U', 1000)
}

func BenchmarkStreamDelete(b *testing.B) {
	newBenchStream(b, nil).run(b, 'D', 1000)
}

func BenchmarkStreamInsertTxMeta(b *testing.B) {
	newBenchStream(b, map[string]string{KeyProvideTxMetadata: "true", KeyCompatVersion: "3.5"}).run(b, 'I', 1000)
}

// BenchmarkSnapshotRow drives the snapshot row path (snapshotRow.fill,
// decodeTuple, markerEmitter) on pre-built result rows.
func BenchmarkSnapshotRow(b *testing.B) {
	bs := newBenchStream(b, nil)
	s := bs.z.s
	t := s.tables[bs.rel]
	rows := make([][][]byte, 1000)
	for i := range rows {
		r := customerRow(int64(i+1), false)
		rows[i] = make([][]byte, len(r))
		for j, c := range r {
			rows[i][j] = []byte(*c)
		}
	}
	pos := make([]int, len(t.cols))
	for i := range pos {
		pos[i] = i
	}
	txID := int64(77)
	si := srcInfo{tsUs: time.Now().UnixMicro(), lsn: 0x1000000, txID: &txID}
	ctx := context.Background()
	emit := func(rec connector.SourceRecord) error { return bs.z.send(rec, false) }
	m := &markerEmitter{s: s, si: &si, emit: emit, first: true}
	rd := rowDecoder{t: t, sr: snapshotRow{pos: pos}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		vals, err := rd.decode(rows[i%len(rows)])
		if err == nil {
			err = m.row(t, vals, i%len(rows) == 0)
		}
		if err != nil {
			b.Fatal(err)
		}
		if len(bs.out) >= bs.task.cfg.MaxBatch {
			for len(bs.out) > 0 {
				if _, err := bs.task.Poll(ctx); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	if err := m.flush(true, true); err != nil {
		b.Fatal(err)
	}
	for len(bs.out) > 0 {
		bs.task.Poll(ctx)
	}
}

// TestBenchStreamDump writes the records of a mixed stream (JsonConverter
// bytes, offsets, headers) to $WHARF_STREAM_DUMP, to compare the output of
// the decode path before and after a change.
func TestBenchStreamDump(t *testing.T) {
	path := os.Getenv("WHARF_STREAM_DUMP")
	if path == "" {
		t.Skip("WHARF_STREAM_DUMP not set")
	}
	var out bytes.Buffer
	for _, props := range []map[string]string{nil,
		{KeyProvideTxMetadata: "true", KeyCompatVersion: "3.5"},
		{KeyCompatVersion: "2.7"},
		{KeyDecimalMode: "string", KeyTimePrecisionMode: "connect"}} {
		bs := newBenchStream(t, props)
		ctx := context.Background()
		commitUs := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC).UnixMicro()
		lsn := bs.wal
		for tx := 0; tx < 3; tx++ {
			lsn += 256
			bs.wal = lsn
			bs.feed(t, beginMsg(lsn+10000, commitUs, uint32(500+tx)))
			for i := 0; i < 5; i++ {
				for _, op := range []byte{'I', 'U', 'D'} {
					lsn += 256
					bs.wal = lsn
					bs.feed(t, rowMsg(op, bs.rel, int64(tx*100+i*7+1)))
				}
			}
			// A primary-key change (old key tuple present).
			lsn += 256
			bs.wal = lsn
			m := binary.BigEndian.AppendUint32([]byte{'U'}, bs.rel)
			key := make([]*string, 12)
			key[0] = customerRow(999, false)[0]
			m = append(append(m, 'K'), tupleBytes(key...)...)
			m = append(append(m, 'N'), tupleBytes(customerRow(1000+int64(tx), false)...)...)
			bs.feed(t, m)
			// NULLs and negative numbers.
			lsn += 256
			bs.wal = lsn
			r := customerRow(31, false)
			neg, neg2 := "-12345.6", "-0.05"
			r[2], r[3], r[8] = nil, nil, &neg
			if tx == 1 {
				r[8] = &neg2
			}
			m = binary.BigEndian.AppendUint32([]byte{'I'}, bs.rel)
			m = append(append(m, 'N'), tupleBytes(r...)...)
			bs.feed(t, m)
			lsn += 256
			bs.wal = lsn
			bs.feed(t, commitMsg(lsn, lsn+8, commitUs))
			commitUs += 1234567
		}
		// Snapshot rows of the same table.
		st := bs.z.s.tables[bs.rel]
		txID := int64(77)
		si := srcInfo{tsUs: commitUs, lsn: 0x1000000, txID: &txID}
		mk := &markerEmitter{s: bs.z.s, si: &si, emit: func(rec connector.SourceRecord) error { return bs.z.send(rec, false) }, first: true}
		pos := make([]int, len(st.cols))
		for i := range pos {
			pos[i] = i
		}
		rd := rowDecoder{t: st, sr: snapshotRow{pos: pos}}
		for i := 0; i < 4; i++ {
			r := customerRow(int64(i*13+5), false)
			raw := make([][]byte, len(r))
			for j, c := range r {
				raw[j] = []byte(*c)
			}
			if i == 2 {
				raw[2], raw[8] = nil, []byte("-3.07")
			}
			vals, err := rd.decode(raw)
			if err == nil {
				err = mk.row(st, vals, i == 0)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if err := mk.flush(true, true); err != nil {
			t.Fatal(err)
		}
		for len(bs.out) > 0 {
			batch, err := bs.task.Poll(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range batch {
				if st, ok := r.Value.(*data.Struct); ok && st.Schema().Field("ts_us") != nil && st.Schema().Field("source") != nil {
					st.Set(envTsMs, nil)
					st.Set(envTsUs, nil)
					st.Set(envTsNs, nil)
				}
				off, _ := json.Marshal(r.SourceOffset)
				fmt.Fprintf(&out, "%s %d\nkey %s\nval %s\noff %s\n", r.Topic, r.Partition,
					jsonBytes(t, true, true, r.Topic, r.KeySchema, r.Key),
					jsonBytes(t, true, false, r.Topic, r.ValueSchema, r.Value), off)
				for _, h := range r.Headers {
					if h.Key == headerRunID {
						continue
					}
					fmt.Fprintf(&out, "hdr %s %v\n", h.Key, h.Value)
				}
			}
		}
	}
	if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
