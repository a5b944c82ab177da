package postgres

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/data"
	"github.com/wharf-project/wharf/connector/testserver"
)

func markers(recs []connector.SourceRecord) []string {
	var out []string
	for _, r := range recs {
		out = append(out, fmt.Sprintf("%s:%v", source(r).Get("table"), source(r).Get("snapshot")))
	}
	return out
}

func TestSnapshotMarkers(t *testing.T) {
	for _, threads := range []string{"1", "3"} {
		t.Run("threads="+threads, func(t *testing.T) { testSnapshotMarkers(t, threads) })
	}
}

func testSnapshotMarkers(t *testing.T, threads string) {
	f := newFixture(t,
		`CREATE TABLE a (id int PRIMARY KEY)`, `CREATE TABLE b (id int PRIMARY KEY)`, `CREATE TABLE c (id int PRIMARY KEY)`,
		`CREATE TABLE d (id int PRIMARY KEY)`, `CREATE TABLE e (id int PRIMARY KEY)`,
		`INSERT INTO a VALUES (1),(2),(3)`, `INSERT INTO c VALUES (1)`, `INSERT INTO d VALUES (1),(2)`)
	f.props[KeySnapshotMaxThreads] = threads
	f.start()
	got := fmt.Sprint(markers(f.poll(6)))
	want := "[a:first a:true a:last_in_data_collection c:last_in_data_collection d:first_in_data_collection d:last]"
	if got != want {
		t.Fatalf("markers\n got %s\nwant %s", got, want)
	}
	f.expectQuiet(200 * time.Millisecond)
	f.exec(`INSERT INTO a VALUES (4)`)
	if r := f.poll(1)[0]; opOf(r) != "c" {
		t.Fatalf("stream after snapshot: %v", summary([]connector.SourceRecord{r}))
	}
}

// TestParallelSnapshotLarge reads several tables on 3 connections, the
// biggest in primary-key chunks, and checks every row arrives once, tables
// in order, with exact markers.
func TestParallelSnapshotLarge(t *testing.T) {
	t.Run("default queue", func(t *testing.T) { testParallelSnapshotLarge(t, "", "") })
	// A queue smaller than the readers' batches: less read-ahead, same rows.
	t.Run("small queue", func(t *testing.T) { testParallelSnapshotLarge(t, "100", "") })
	// A byte bound of a few dozen records: batches of a record or two.
	t.Run("queue in bytes", func(t *testing.T) { testParallelSnapshotLarge(t, "", "40000") })
}

func testParallelSnapshotLarge(t *testing.T, maxQueue, maxQueueBytes string) {
	f := newFixture(t)
	sizes := map[string]int{"t1": 3000, "t2": 0, "t3": 3000, "t4": 120000}
	total := 0
	for _, n := range []string{"t1", "t2", "t3", "t4"} {
		f.exec(`CREATE TABLE `+n+` (id int PRIMARY KEY, v text)`,
			fmt.Sprintf(`INSERT INTO %s SELECT i, md5(i::text) FROM generate_series(-10, %d) i`, n, sizes[n]-11), `ANALYZE `+n)
		total += sizes[n]
	}
	f.props[KeySnapshotMaxThreads] = "3"
	f.props[KeyMaxBatchSize] = "4096"
	if maxQueue != "" { // Debezium wants the queue larger than a batch
		f.props[KeyMaxQueueSize], f.props[KeyMaxBatchSize] = maxQueue, "50"
	}
	if maxQueueBytes != "" {
		f.props[KeyMaxQueueSizeInBytes] = maxQueueBytes
	}
	f.start()
	recs := f.poll(total)
	seen := map[string]bool{}
	lastTable := ""
	firsts := 0
	for _, r := range recs {
		tbl := source(r).Get("table").(string)
		if tbl < lastTable {
			t.Fatalf("table %s after %s", tbl, lastTable)
		}
		if m := source(r).Get("snapshot"); m == "first" || m == "first_in_data_collection" {
			firsts++
			if tbl == lastTable {
				t.Fatalf("second first marker in %s", tbl)
			}
		}
		lastTable = tbl
		k := fmt.Sprintf("%s/%v", tbl, r.Key.(*data.Struct).Get("id"))
		if seen[k] {
			t.Fatalf("duplicate %s", k)
		}
		seen[k] = true
	}
	if len(seen) != total || firsts != 3 || source(recs[total-1]).Get("snapshot") != "last" {
		t.Fatalf("rows %d/%d, first markers %d, last marker %v", len(seen), total, firsts, source(recs[total-1]).Get("snapshot"))
	}
	f.expectQuiet(200 * time.Millisecond)
}

func TestSnapshotLayout27And35(t *testing.T) {
	for _, compat := range []string{"2.7", "3.5"} {
		t.Run(compat, func(t *testing.T) {
			f := newFixture(t, customersDDL, `INSERT INTO customers (custkey) VALUES ('A'), ('B')`)
			f.props[KeyCompatVersion] = compat
			f.start()
			recs := f.poll(2)
			src := source(recs[0]).Schema()
			o := recs[1].SourceOffset.(*Offset)
			switch compat {
			case "2.7":
				if fmt.Sprint(markers(recs)) != "[customers:true customers:last]" || src.Version != 0 || o.Snapshot != true || o.SnapshotCompleted != nil {
					t.Errorf("2.7: markers %v version %d offset %+v", markers(recs), src.Version, o)
				}
				if a, _ := src.Field("snapshot").Schema.Param("allowed"); a != snapshotAllowed27 {
					t.Errorf("allowed %s", a)
				}
			case "3.5":
				if src.Version != 1 || src.Fields[len(src.Fields)-2].Name != "origin" || src.Fields[len(src.Fields)-1].Name != "origin_lsn" {
					t.Errorf("3.5 source schema %v", src.Fields)
				}
			}
		})
	}
}

// TestRestartMidSnapshot stops the task after the first snapshot record was
// committed: the restarted task snapshots again on the same slot and loses
// nothing; changes committed while it was stopped are in the new snapshot
// and are streamed again too (at least once), before later changes.
func TestRestartMidSnapshot(t *testing.T) {
	f := newFixture(t, customersDDL, `INSERT INTO customers (custkey) VALUES ('A'), ('B'), ('C')`)
	f.props[KeyMaxBatchSize] = "1"
	f.start()
	first := f.poll(1)
	if source(first[0]).Get("snapshot") != "first" {
		t.Fatalf("first record %v", markers(first))
	}
	f.commit()
	f.stop()
	f.exec(`INSERT INTO customers (custkey) VALUES ('D')`, `UPDATE customers SET fico = 1 WHERE custkey = 'A'`)
	f.start()
	recs := f.poll(4)
	keys := map[string]any{}
	for _, r := range recs {
		if opOf(r) != "r" {
			t.Fatalf("op %s", opOf(r))
		}
		keys[r.Key.(*data.Struct).Get("custkey").(string)] = after(r).Get("fico")
	}
	if fmt.Sprint(keys) != "map[A:1 B:<nil> C:<nil> D:<nil>]" {
		t.Fatalf("after restart mid-snapshot: %v", keys)
	}
	f.exec(`INSERT INTO customers (custkey) VALUES ('E')`)
	streamed := f.poll(3)
	if got := fmt.Sprint(summary(streamed)); !strings.Contains(got, "custkey=D} op=c") ||
		!strings.Contains(got, "custkey=A} op=u") || !strings.Contains(got, "custkey=E} op=c") {
		t.Fatalf("stream after re-snapshot: %v, want D:c and A:u replayed, then E:c", got)
	}
	if k := streamed[2].Key.(*data.Struct).Get("custkey"); k != "E" {
		t.Fatalf("E must come after the replayed changes: %v", summary(streamed))
	}
}

func TestFiltersAndKeyColumns(t *testing.T) {
	f := newFixture(t, customersDDL, `CREATE SCHEMA other`, `CREATE TABLE other.t (id int PRIMARY KEY, secret text, v text)`,
		`CREATE TABLE "Weird Name" (id int PRIMARY KEY)`)
	f.props[KeyTableInclude] = `other\..*,public\.Weird.*`
	f.props[KeyColumnExclude] = `other\.t\.secret`
	f.props[KeyMessageKeyColumns] = `other\.T:v`
	f.props[KeyPublicationAutocreate] = "filtered"
	f.props[KeySnapshotMode] = "no_data"
	f.start()
	f.expectQuiet(200 * time.Millisecond)
	f.exec(`INSERT INTO customers (custkey) VALUES ('X')`, `INSERT INTO other.t VALUES (1, 's', 'v1')`, `INSERT INTO "Weird Name" VALUES (7)`)
	recs := f.poll(2)
	r := recs[0]
	if r.Topic != "dbserver1.other.t" || after(r).Schema().Field("secret") != nil || after(r).Get("v") != "v1" {
		t.Errorf("filtered record %v %v", r.Topic, after(r))
	}
	if k := r.Key.(*data.Struct); k.Schema().Name != "dbserver1.other.t.Key" || len(k.Schema().Fields) != 1 || k.Get("v") != "v1" {
		t.Errorf("message.key.columns key %v", k)
	}
	if recs[1].Topic != "dbserver1.public.Weird_Name" || recs[1].ValueSchema.Name != "dbserver1.public.Weird Name.Envelope" {
		t.Errorf("sanitised topic %q schema %q", recs[1].Topic, recs[1].ValueSchema.Name)
	}
	if n := f.query(`SELECT count(*) FROM pg_publication_tables WHERE pubname = 'dbz_publication'`); n != int64(2) {
		t.Errorf("filtered publication has %v tables, want 2", n)
	}
}

// TestSnapshotStreamNoGapNoOverlap writes rows while the connector creates
// its slot and snapshots: every row must arrive exactly once, as a snapshot
// read or as a streamed create.
func TestSnapshotStreamNoGapNoOverlap(t *testing.T) {
	f := newFixture(t, `CREATE TABLE seq (id int PRIMARY KEY)`, `INSERT INTO seq SELECT generate_series(1, 500)`)
	const total = 1500
	done := make(chan error, 1)
	go func() {
		for i := 501; i <= total; i++ {
			if err := testserver.ExecSQL(f.dsn, fmt.Sprintf("INSERT INTO seq VALUES (%d)", i)); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	time.Sleep(50 * time.Millisecond)
	f.start()
	seen := map[int32]string{}
	for len(seen) < total {
		for _, r := range f.poll(1) {
			id := r.Key.(*data.Struct).Get("id").(int32)
			if prev, dup := seen[id]; dup {
				t.Fatalf("row %d delivered twice (%s, then %s)", id, prev, opOf(r))
			}
			seen[id] = opOf(r)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	f.expectQuiet(300 * time.Millisecond)
	ops := map[string]int{}
	for _, op := range seen {
		ops[op]++
	}
	t.Logf("snapshot rows %d, streamed rows %d", ops["r"], ops["c"])
}
