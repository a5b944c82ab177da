package postgres

import (
	"fmt"
	"testing"
	"time"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/data"
)

// TestMarkerEmitterFixUp drives markerEmitter with records built as the
// readers build them (common marker, shared source block, shared offset)
// and checks the markers and offsets it fixes up, without changing what
// another record shares.
func TestMarkerEmitterFixUp(t *testing.T) {
	for _, compat := range []string{"3.5", "2.7"} {
		t.Run(compat, func(t *testing.T) { testMarkerEmitterFixUp(t, compat) })
	}
}

func testMarkerEmitterFixUp(t *testing.T, compat string) {
	bs := newBenchStream(t, map[string]string{KeyCompatVersion: compat, KeyTopicPrefix: "dbserver1"})
	s := bs.z.s
	t1 := s.tables[bs.rel]
	t2, t3 := *t1, *t1
	t2.name, t2.nameV = "t2", nil
	t3.name, t3.nameV = "t3", nil
	pos := make([]int, len(t1.cols))
	for i := range pos {
		pos[i] = i
	}
	txID := int64(77)
	si := srcInfo{tsUs: time.Now().UnixMicro(), lsn: 0x1000000, txID: &txID}
	var out []connector.SourceRecord
	m := &markerEmitter{s: s, si: &si, emit: func(r connector.SourceRecord) error { out = append(out, r); return nil }, first: true}
	// t1 through row (the emitter's builder), t2 and t3 through add with a
	// builder of their own, as readChunks does.
	rb := *m.builder()
	for i, tb := range []*table{t1, t1, t1, &t2, &t3, &t3} {
		rd := rowDecoder{t: tb, sr: snapshotRow{pos: pos}}
		raw := make([][]byte, len(pos))
		for j, c := range customerRow(int64(i+1), false) {
			if c != nil {
				raw[j] = []byte(*c)
			}
		}
		vals, err := rd.decode(raw)
		if err != nil {
			t.Fatal(err)
		}
		first := i == 0 || i == 3 || i == 4
		if tb == t1 {
			err = m.row(tb, vals, first)
		} else {
			err = m.add(rb.record(tb, vals), first)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(out) != 5 {
		t.Fatalf("%d records emitted before the last flush, want 5", len(out))
	}
	if err := m.flush(true, true); err != nil {
		t.Fatal(err)
	}
	want := "[customers:first customers:true customers:last_in_data_collection t2:last_in_data_collection t3:first_in_data_collection t3:last]"
	if compat == "2.7" {
		want = "[customers:true customers:true customers:true t2:true t3:true t3:last]"
	}
	if got := fmt.Sprint(markers(out)); got != want {
		t.Fatalf("markers\n got %s\nwant %s", got, want)
	}
	for i, r := range out {
		validate(t, r)
		o := r.SourceOffset.(*Offset)
		last := i == len(out)-1
		if *o.LastSnapshotRecord != last {
			t.Errorf("record %d: last_snapshot_record %v", i, *o.LastSnapshotRecord)
		}
		switch compat {
		case "2.7":
			if o.Snapshot != true || o.SnapshotCompleted != nil {
				t.Errorf("record %d: 2.7 offset %+v", i, o)
			}
		default:
			if o.Snapshot != "INITIAL" || *o.SnapshotCompleted != last {
				t.Errorf("record %d: offset %+v", i, o)
			}
		}
		if o.Lsn != si.lsn || *o.TxID != txID || o.TsUsec != si.tsUs {
			t.Errorf("record %d: offset %+v", i, o)
		}
		src := source(r)
		if src.Get("lsn") != si.lsn || src.Get("txId") != txID || src.Get("ts_us") != si.tsUs ||
			src.Get("sequence") != sequence(nil, si.lsn) {
			t.Errorf("record %d: source %v", i, src)
		}
		if i > 0 && source(out[i-1]) == src && source(out[i-1]).Get("snapshot") != src.Get("snapshot") {
			t.Errorf("records %d and %d share a source block with two markers", i-1, i)
		}
	}
	// The fixed-up blocks are copies: the ones of the same table with the
	// common marker still have it.
	if compat != "2.7" && source(out[1]).Get("snapshot") != "true" {
		t.Errorf("middle record's marker %v", source(out[1]).Get("snapshot"))
	}
}

// TestParallelSnapshotEmptyChunks reads a table whose middle key ranges are
// empty, between an empty table and a small one, and checks markers,
// offsets, chunk order and that every row arrives once.
func TestParallelSnapshotEmptyChunks(t *testing.T) {
	for _, c := range []struct{ threads, compat string }{{"3", "3.5"}, {"2", "2.7"}, {"1", "3.5"}} {
		t.Run("threads="+c.threads+"/"+c.compat, func(t *testing.T) { testParallelSnapshotEmptyChunks(t, c.threads, c.compat) })
	}
}

func testParallelSnapshotEmptyChunks(t *testing.T, threads, compat string) {
	f := newFixture(t,
		`CREATE TABLE a (id int PRIMARY KEY, v text)`, `CREATE TABLE b (id int PRIMARY KEY)`,
		`CREATE TABLE c (id bigint PRIMARY KEY)`, `CREATE TABLE d (id int PRIMARY KEY)`,
		`INSERT INTO a SELECT i, md5(i::text) FROM generate_series(1, 60000) i`,
		`INSERT INTO a SELECT i, md5(i::text) FROM generate_series(940001, 1000000) i`,
		`INSERT INTO c VALUES (5), (6)`, `ANALYZE a`)
	f.props[KeySnapshotMaxThreads] = threads
	f.props[KeyCompatVersion] = compat
	f.props[KeyMaxBatchSize] = "4096"
	f.start()
	const total = 120002
	recs := f.poll(total)
	seen := map[string]bool{}
	high := false // a row of a's upper key range arrived
	var got []string
	for i, r := range recs {
		tbl := source(r).Get("table").(string)
		id := fmt.Sprint(r.Key.(*data.Struct).Get("id"))
		k := tbl + "/" + id
		if seen[k] {
			t.Fatalf("duplicate %s", k)
		}
		seen[k] = true
		if tbl == "a" {
			lowKey := len(id) <= 5 // 1..60000
			if lowKey && high {
				t.Fatalf("a/%s after a row of the upper key range: chunks out of order", id)
			}
			high = high || !lowKey
		}
		mk := source(r).Get("snapshot").(string)
		if mk != "true" {
			got = append(got, fmt.Sprintf("%d:%s:%s", i, tbl, mk))
		}
		o := r.SourceOffset.(*Offset)
		if last := i == total-1; *o.LastSnapshotRecord != last || (o.SnapshotCompleted != nil && *o.SnapshotCompleted != last) {
			t.Fatalf("record %d: offset %+v", i, o)
		}
	}
	want := "[0:a:first 119999:a:last_in_data_collection 120000:c:first_in_data_collection 120001:c:last]"
	if compat == "2.7" {
		want = "[120001:c:last]"
	}
	if fmt.Sprint(got) != want {
		t.Fatalf("markers other than true\n got %v\nwant %s", got, want)
	}
	f.expectQuiet(200 * time.Millisecond)
}
