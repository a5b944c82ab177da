package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/data"
)

func txValue(r connector.SourceRecord) *data.Struct { return r.Value.(*data.Struct) }

func txBlockOf(r connector.SourceRecord) *data.Struct {
	b, _ := r.Value.(*data.Struct).Get("transaction").(*data.Struct)
	return b
}

// offsetJSON is the offset as the runtime stores it.
func offsetJSON(t *testing.T, r connector.SourceRecord) map[string]any {
	t.Helper()
	b, err := json.Marshal(r.SourceOffset)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("offset %s: %v", b, err)
	}
	return m
}

// TestTransactionMetadata checks BEGIN/END and the transaction block as
// Debezium's PostgresTransactionMonitor builds them: ids "<xid>:<lsn>"
// with the LSN current at each record, and the transaction context in
// every offset while the transaction is open.
func TestTransactionMetadata(t *testing.T) {
	f := newFixture(t, customersDDL, `CREATE TABLE other (id int PRIMARY KEY)`, `CREATE TABLE noise (id int PRIMARY KEY)`)
	f.props[KeySnapshotMode] = "no_data"
	f.props[KeyProvideTxMetadata] = "true"
	f.props[KeyTableInclude] = "public.customers,public.other"
	f.start()
	f.expectQuiet(200 * time.Millisecond)
	// A transaction without captured changes still gets BEGIN and END, as
	// Debezium emits them for every transaction the slot sends.
	f.exec(`INSERT INTO noise VALUES (1)`)
	if recs := f.poll(2); txValue(recs[0]).Get("status") != "BEGIN" || txValue(recs[1]).Get("event_count") != int64(0) ||
		len(txValue(recs[1]).Get("data_collections").([]any)) != 0 {
		t.Fatalf("empty transaction: %v %v", txValue(recs[0]), txValue(recs[1]))
	}
	f.exec(`BEGIN; INSERT INTO customers VALUES ('C1','a','b','CO',1,NULL); INSERT INTO other VALUES (1);
		INSERT INTO customers VALUES ('C2','a','b','CO',1,NULL); COMMIT`)
	recs := f.poll(5)
	if recs[0].Topic != "dbserver1.transaction" || recs[4].Topic != "dbserver1.transaction" {
		t.Fatalf("got %v", summary(recs))
	}
	begin, end := txValue(recs[0]), txValue(recs[4])
	xid := fmt.Sprint(source(recs[1]).Get("txId"))
	if begin.Get("status") != "BEGIN" || begin.Get("event_count") != nil || begin.Get("data_collections") != nil ||
		!strings.HasPrefix(begin.Get("id").(string), xid+":") || recs[0].Key.(*data.Struct).Get("id") != begin.Get("id") {
		t.Errorf("begin %v key %v", begin, recs[0].Key)
	}
	for i, want := range [][2]int64{{1, 1}, {2, 1}, {3, 2}} {
		r := recs[i+1]
		blk := txBlockOf(r)
		if blk.Get("id") != fmt.Sprintf("%s:%d", xid, source(r).Get("lsn")) || blk.Get("total_order") != want[0] || blk.Get("data_collection_order") != want[1] {
			t.Errorf("event %d block %v", i, blk)
		}
	}
	endOff := recs[4].SourceOffset.(*Offset)
	if end.Get("status") != "END" || end.Get("event_count") != int64(3) || end.Get("id") != fmt.Sprintf("%s:%d", xid, *endOff.LsnCommit) {
		t.Errorf("end %v offset %+v", end, endOff)
	}
	got := map[string]int64{}
	for _, c := range end.Get("data_collections").([]any) {
		got[c.(*data.Struct).Get("data_collection").(string)] = c.(*data.Struct).Get("event_count").(int64)
	}
	if fmt.Sprint(got) != "map[public.customers:2 public.other:1]" {
		t.Errorf("collections %v", got)
	}
	// Offsets carry Debezium's TransactionContext keys.
	m := offsetJSON(t, recs[3])
	if m["transaction_id"] != xid || m["transaction_data_collection_order_public.customers"] != float64(2) ||
		m["transaction_data_collection_order_public.other"] != float64(1) || m["messageType"] != "INSERT" {
		t.Errorf("data offset %v", m)
	}
	if m := offsetJSON(t, recs[0]); m["transaction_id"] != xid || m["messageType"] != "BEGIN" || len(m) != 7 {
		t.Errorf("begin offset %v", m)
	}
	if m := offsetJSON(t, recs[4]); m["transaction_id"] != xid || m["messageType"] != "COMMIT" {
		t.Errorf("end offset %v", m)
	}
}

// TestTransactionMetadataRestart stops the task with the offset of the
// second event of a four-event transaction committed: the restarted task
// emits no second BEGIN, the repeated event keeps its numbers and the
// counters continue to END.
func TestTransactionMetadataRestart(t *testing.T) {
	f := newFixture(t, customersDDL)
	f.props[KeySnapshotMode] = "no_data"
	f.props[KeyProvideTxMetadata] = "true"
	f.start()
	f.expectQuiet(200 * time.Millisecond)
	f.exec(`INSERT INTO customers (custkey, fico) SELECT 'K' || i, i FROM generate_series(1, 4) i`)
	recs := f.poll(6)
	f.last = recs[2].SourceOffset
	f.commit()
	stored, _ := f.ctx.Offset(context.Background(), connector.NewSourcePartition(map[string]any{"server": "dbserver1"}))
	xid := fmt.Sprint(source(recs[1]).Get("txId"))
	if stored["transaction_id"] != xid || stored["transaction_data_collection_order_public.customers"] != float64(2) {
		t.Fatalf("stored offset %v", stored)
	}
	f.stop()
	f.start()
	var got []connector.SourceRecord
	for len(got) == 0 || got[len(got)-1].Topic != "dbserver1.transaction" {
		got = append(got, f.poll(1)...)
	}
	var orders []string
	for _, r := range got {
		if r.Topic == "dbserver1.transaction" {
			orders = append(orders, fmt.Sprintf("%s/%v", txValue(r).Get("status"), txValue(r).Get("event_count")))
			continue
		}
		b := txBlockOf(r)
		orders = append(orders, fmt.Sprintf("%s:%v/%v", r.Key.(*data.Struct).Get("custkey"), b.Get("total_order"), b.Get("data_collection_order")))
	}
	if s := fmt.Sprint(orders); s != "[K2:2/2 K3:3/3 K4:4/4 END/4]" {
		t.Fatalf("after restart %s", s)
	}
	if id := txValue(got[len(got)-1]).Get("id").(string); !strings.HasPrefix(id, xid+":") {
		t.Errorf("END id %s", id)
	}
}

// TestSequenceAfterRestart checks source.sequence right after a restart: as
// Debezium's PostgresOffsetContext.Loader, the first element is the stored
// lsn_commit, or lsn_proc when the offset has none, never null.
func TestSequenceAfterRestart(t *testing.T) {
	f := newFixture(t, customersDDL)
	f.props[KeySnapshotMode] = "no_data"
	f.start()
	f.expectQuiet(200 * time.Millisecond)
	// The first transaction after a new slot: its offsets have no lsn_commit.
	f.exec(`INSERT INTO customers (custkey, fico) SELECT 'K' || i, i FROM generate_series(1, 3) i`)
	recs := f.poll(3)
	if seq := source(recs[0]).Get("sequence").(string); !strings.HasPrefix(seq, "[null,") {
		t.Fatalf("fresh sequence %s", seq)
	}
	f.last = recs[0].SourceOffset
	f.commit()
	proc := *recs[0].SourceOffset.(*Offset).LsnProc
	f.stop()
	f.start()
	got := f.poll(3)
	for _, r := range got {
		want := fmt.Sprintf(`["%d","%d"]`, proc, source(r).Get("lsn"))
		if seq := source(r).Get("sequence"); seq != want {
			t.Errorf("%v: sequence %v, want %s (lsn_proc of the stored offset)", r.Key, seq, want)
		}
	}
	// After a commit was stored, the first element is that lsn_commit.
	f.exec(`UPDATE customers SET fico = 0 WHERE custkey = 'K1'`, `UPDATE customers SET fico = 0`)
	recs = f.poll(4)
	f.last = recs[1].SourceOffset
	f.commit()
	commit := *recs[1].SourceOffset.(*Offset).LsnCommit
	f.stop()
	f.start()
	for _, r := range f.poll(3) {
		if seq := source(r).Get("sequence"); seq != fmt.Sprintf(`["%d","%d"]`, commit, source(r).Get("lsn")) {
			t.Errorf("sequence %v, want lsn_commit %d first", seq, commit)
		}
	}
}
