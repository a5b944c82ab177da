package postgres

import (
	"testing"
	"time"

	"github.com/wharf-project/wharf/connector/data"
)

// TestQueueBytesBound streams rows of ~20 KB while nobody polls: with
// max.queue.size.in.bytes the queue stops at its byte limit (plus the one
// record that may cross it), far below max.queue.size records; then every
// row arrives, in order.
func TestQueueBytesBound(t *testing.T) {
	f := newFixture(t, `CREATE TABLE docs (id int PRIMARY KEY, body text)`)
	const limit, rows = 100_000, 60
	f.props[KeySnapshotMode] = "no_data"
	f.props[KeyMaxQueueSizeInBytes] = "100000"
	f.start()
	f.expectQuiet(200 * time.Millisecond) // the runner is started and streaming
	// md5 text does not shrink in TOAST; pgoutput sends it whole either way.
	f.exec(`INSERT INTO docs SELECT i, (SELECT string_agg(md5(i::text || j::text), '') FROM generate_series(1, 625) j)
		FROM generate_series(1, 60) i`)

	b, out := f.task.run.bytes, f.task.run.out
	used := func() int64 { b.mu.Lock(); defer b.mu.Unlock(); return b.used }
	deadline := time.Now().Add(10 * time.Second)
	for used() < limit {
		if time.Now().After(deadline) {
			t.Fatalf("the queue never reached its byte limit: %d bytes, %d records", used(), len(out))
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // let the reader push against the bound
	queued := len(out)
	var sum int64
	for i := 0; i < queued; i++ { // look at the queued records without taking them for good
		r := <-out
		sum += recordSize(&r)
		out <- r
	}
	one := sum / int64(queued)
	if one < 20_000 {
		t.Fatalf("a queued record is estimated at %d bytes; its row alone is 20,000", one)
	}
	if got := used(); got != sum || got > limit+one {
		t.Errorf("queue holds %d records estimated at %d bytes, budget counts %d; limit %d + one record %d", queued, sum, got, limit, one)
	}
	if queued >= rows || queued > limit/20_000+1 {
		t.Errorf("%d records queued under a %d-byte limit", queued, limit)
	}

	recs := f.poll(rows)
	for i, r := range recs {
		if id := r.Key.(*data.Struct).Get("id"); id != int32(i+1) {
			t.Fatalf("record %d has id %v", i, id)
		}
		if n := len(after(r).Get("body").(string)); n != 20_000 {
			t.Fatalf("record %d: body of %d bytes", i, n)
		}
	}
	if got := used(); got != 0 {
		t.Errorf("%d bytes still counted with the queue drained", got)
	}
}

// TestByteBudgetLargeRecord: a record larger than the whole limit passes
// when the queue is empty, as in Debezium, instead of blocking forever.
func TestByteBudgetLargeRecord(t *testing.T) {
	b := newByteBudget(10)
	if !b.tryTake(1000) {
		t.Fatal("a record larger than the limit was refused by an empty queue")
	}
	if b.tryTake(1) {
		t.Fatal("a second record was taken over the limit")
	}
	if newByteBudget(0) != nil {
		t.Fatal("a zero limit must mean no budget")
	}
}
