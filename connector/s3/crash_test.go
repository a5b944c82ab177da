package s3

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/testserver"
)

// worker plays the runtime for one task incarnation: it delivers records
// from the committed offset in batches, calls PreCommit every commitEvery
// batches (and commits what it returns), and "crashes" — drops the task
// without Close — after crashAfter records (-1: run to the end).
type worker struct {
	e           *env
	props       map[string]string
	records     func(off int64) connector.SinkRecord
	total       int64
	batch       int
	commitEvery int
	committed   int64 // the consumer group's committed offset
}

func (w *worker) run(t *testing.T, crashAfter int) {
	t.Helper()
	task, _ := w.e.startTask(w.props, tp0)
	done, batches := 0, 0
	for off := w.committed; off < w.total; {
		var recs []connector.SinkRecord
		for len(recs) < w.batch && off < w.total && (crashAfter < 0 || done < crashAfter) {
			recs = append(recs, w.records(off))
			off++
			done++
		}
		if len(recs) == 0 {
			return // crash: no Close, no Stop
		}
		put(t, task, recs...)
		batches++
		if batches%w.commitEvery == 0 {
			w.commit(t, task)
		}
	}
	w.commit(t, task)
	if err := task.Close(context.Background(), []connector.TopicPartition{tp0}); err != nil {
		t.Fatal(err)
	}
}

func (w *worker) commit(t *testing.T, task *sinkTask) {
	if off, ok := preCommit(t, task)[tp0]; ok {
		if off < w.committed {
			t.Fatalf("committed offset went back from %d to %d", w.committed, off)
		}
		w.committed = off
	}
}

// After a crash at any record, with offsets committed at any cadence, the
// final object set holds every record exactly once, under the same keys a
// crash-free run writes.
func TestCrashAtEveryRecordJSON(t *testing.T) {
	srv := testserver.MinIO(t)
	wantKeys := []string{
		"topics/orders/partition=0/orders+0+0000000000.json",
		"topics/orders/partition=0/orders+0+0000000003.json",
		"topics/orders/partition=0/orders+0+0000000006.json",
		"topics/orders/partition=0/orders+0+0000000009.json",
	}
	for _, commitEvery := range []int{1, 3, 100} {
		for crash := 0; crash <= 12; crash++ {
			name := fmt.Sprintf("commit-%d-crash-%d", commitEvery, crash)
			t.Run(name, func(t *testing.T) {
				e := &env{t: t, srv: srv, bucket: name}
				srv.CreateBucket(t, name)
				w := &worker{e: e, props: e.props(map[string]string{KeyFlushSize: "3"}),
					records: func(off int64) connector.SinkRecord { return orderRec(0, off, 0) },
					total:   12, batch: 2, commitEvery: commitEvery}
				w.run(t, crash)
				w.run(t, 5) // a second crash during the replay
				w.run(t, -1)
				if got := e.keys(""); !reflect.DeepEqual(got, wantKeys) {
					t.Fatalf("keys = %q", got)
				}
				if got := e.jsonIDs(""); !reflect.DeepEqual(got, seq(0, 11)) {
					t.Fatalf("ids = %v", got)
				}
				if w.committed != 12 {
					t.Fatalf("committed = %d", w.committed)
				}
				if ups := srv.MultipartUploads(t, name); len(ups) != 0 {
					t.Fatalf("multipart uploads left: %v", ups)
				}
			})
		}
	}
}

// A crash while a file is a multipart upload with parts already sent: the
// parts stay invisible, the next owner aborts the stale upload on Open and
// the replay writes the same object.
func TestCrashMidMultipart(t *testing.T) {
	e := newEnv(t)
	pad := strings.Repeat("x", 1200*1024)
	big := func(off int64) connector.SinkRecord {
		return rec("orders", 0, off, 0, bigSchema, bigValue(int32(off), pad))
	}
	w := &worker{e: e, props: e.props(map[string]string{KeyFlushSize: "6"}), records: big, total: 12, batch: 1, commitEvery: 1}
	w.run(t, 5) // 5 × 1.2 MiB: one 5 MiB part uploaded, upload not complete
	if ups := e.srv.MultipartUploads(t, e.bucket); len(ups) != 1 {
		t.Fatalf("uploads = %v, want one in progress", ups)
	}
	if got := e.keys(""); len(got) != 0 {
		t.Fatalf("visible before completion: %v", got)
	}
	task, _ := e.startTask(w.props, tp0)
	if ups := e.srv.MultipartUploads(t, e.bucket); len(ups) != 0 {
		t.Fatalf("stale uploads not aborted on Open: %v", ups)
	}
	_ = task.Stop()
	w.run(t, 9) // completes file 0 (multipart), crashes inside file 6
	w.run(t, -1)
	want := []string{
		"topics/orders/partition=0/orders+0+0000000000.json",
		"topics/orders/partition=0/orders+0+0000000006.json",
	}
	if got := e.keys(""); !reflect.DeepEqual(got, want) {
		t.Fatalf("keys = %q", got)
	}
	if got := e.jsonIDs(""); !reflect.DeepEqual(got, seq(0, 11)) {
		t.Fatalf("ids = %v", got)
	}
	if n := len(e.get(want[0])); n < 6*len(pad) {
		t.Fatalf("object 0 has %d bytes", n)
	}
}

// The same for Parquet, checked by DuckDB: every Debezium event exactly once.
func TestCrashParquet(t *testing.T) {
	srv := testserver.MinIO(t)
	for _, commitEvery := range []int{1, 100} {
		for _, crash := range []int{0, 3, 6, 9, 13} {
			name := fmt.Sprintf("pq-commit-%d-crash-%d", commitEvery, crash)
			t.Run(name, func(t *testing.T) {
				e := &env{t: t, srv: srv, bucket: name}
				srv.CreateBucket(t, name)
				props := e.props(map[string]string{KeyFormat: ParquetFormat, KeyFlushSize: "4"})
				w := &worker{e: e, props: props, total: 16, batch: 3, commitEvery: commitEvery,
					records: func(off int64) connector.SinkRecord {
						r := cdcRec(off, change("c", nil, customer(fmt.Sprint("K", off), "Oslo", off), 1000+off))
						r.Topic = "orders"
						return r
					}}
				w.run(t, crash)
				w.run(t, -1)
				if got := len(e.keys("")); got != 4 || w.committed != 16 {
					t.Fatalf("keys = %d, committed = %d", got, w.committed)
				}
				dir, _ := e.download("")
				rows := testserver.DuckDB(t, `SELECT count(*)::INTEGER AS n, count(DISTINCT source.lsn)::INTEGER AS d,
					min(source.lsn)::INTEGER AS lo, max(source.lsn)::INTEGER AS hi FROM read_parquet($1)`, dir+"/**/*.parquet")
				if fmt.Sprint(rows) != "[map[d:16 hi:1015 lo:1000 n:16]]" {
					t.Fatalf("rows = %v", rows)
				}
			})
		}
	}
}

// Close (partitions revoked) aborts open multipart uploads: nothing of the
// open file remains, visible or not.
func TestCloseAbortsOpenUploads(t *testing.T) {
	e := newEnv(t)
	task, _ := e.startTask(e.props(map[string]string{KeyFlushSize: "100"}), tp0)
	pad := strings.Repeat("z", 1200*1024)
	for off := int64(0); off < 5; off++ {
		put(t, task, rec("orders", 0, off, 0, bigSchema, bigValue(int32(off), pad)))
	}
	if ups := e.srv.MultipartUploads(t, e.bucket); len(ups) != 1 {
		t.Fatalf("uploads = %v", ups)
	}
	if got := preCommit(t, task); len(got) != 0 {
		t.Fatalf("precommit inside an open file: %v", got)
	}
	if err := task.Close(context.Background(), []connector.TopicPartition{tp0}); err != nil {
		t.Fatal(err)
	}
	if ups := e.srv.MultipartUploads(t, e.bucket); len(ups) != 0 {
		t.Fatalf("uploads after Close = %v", ups)
	}
	if keys := e.keys(""); len(keys) != 0 {
		t.Fatalf("objects = %v", keys)
	}
	if err := task.Stop(); err != nil {
		t.Fatal(err)
	}
}
