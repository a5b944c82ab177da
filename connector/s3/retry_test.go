package s3

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/wharf-project/wharf/connector"
)

// faultyProxy sits between the task and MinIO and answers 503 to writes
// while failing is set, as an overloaded S3 does.
func faultyProxy(t *testing.T, target string) (string, *atomic.Bool) {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	var failing atomic.Bool
	rp := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if failing.Load() && (r.Method == http.MethodPut || r.Method == http.MethodPost) {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`<Error><Code>SlowDown</Code><Message>busy</Message></Error>`))
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &failing
}

// A transient S3 failure makes Put return a RetriableError; redelivering
// the batch resumes the interrupted rotation or part upload and skips the
// records already handled, so every record lands once.
func TestRetriableS3Failure(t *testing.T) {
	e := newEnv(t)
	endpoint, failing := faultyProxy(t, e.srv.Endpoint)
	props := e.props(map[string]string{KeyStoreURL: endpoint, KeyPartRetries: "1", KeyFlushSize: "3"})
	task, _ := e.startTask(props, tp0)
	put(t, task, orderRec(0, 0, 0), orderRec(0, 1, 0))
	failing.Store(true)
	batch := []connector.SinkRecord{orderRec(0, 2, 0), orderRec(0, 3, 0)}
	for i := 0; i < 2; i++ {
		err := task.Put(t.Context(), batch)
		if !connector.IsRetriable(err) {
			t.Fatalf("err = %v, want retriable", err)
		}
	}
	if got := preCommit(t, task); len(got) != 0 {
		t.Fatalf("committed during failure: %v", got)
	}
	failing.Store(false)
	put(t, task, batch...)
	put(t, task, orderRec(0, 4, 0), orderRec(0, 5, 0))
	if got := preCommit(t, task); got[tp0] != 6 {
		t.Fatalf("precommit = %v", got)
	}
	if got := e.jsonIDs(""); !reflect.DeepEqual(got, seq(0, 5)) {
		t.Fatalf("ids = %v", got)
	}

	// A failed part upload keeps the data and is retried.
	tp1 := connector.TopicPartition{Topic: "orders", Partition: 1}
	task2, _ := e.startTask(e.props(map[string]string{KeyStoreURL: endpoint, KeyPartRetries: "0", KeyFlushSize: "10"}), tp1)
	pad := strings.Repeat("y", 1200*1024)
	big := func(off int64) connector.SinkRecord {
		return rec("orders", 1, off, 0, bigSchema, bigValue(int32(100+off), pad))
	}
	put(t, task2, big(0), big(1), big(2), big(3))
	failing.Store(true)
	for i := 0; i < 2; i++ {
		if err := task2.Put(t.Context(), []connector.SinkRecord{big(4), big(5)}); !connector.IsRetriable(err) {
			t.Fatalf("err = %v, want retriable", err)
		}
	}
	if st := task2.writers[tp1].files[0].parts[0].stream; st.uploadID != "" && len(st.parts) != 0 {
		t.Fatalf("a part was uploaded while failing")
	}
	failing.Store(false)
	put(t, task2, big(4), big(5))
	put(t, task2, big(6), big(7), big(8), big(9))
	if got := preCommit(t, task2); got[tp1] != 10 {
		t.Fatalf("precommit = %v", got)
	}
	want := append(seq(0, 5), seq(100, 109)...)
	if got := e.jsonIDs(""); !reflect.DeepEqual(got, want) {
		t.Fatalf("ids = %v", got)
	}
	if ups := e.srv.MultipartUploads(t, e.bucket); len(ups) != 0 {
		t.Fatalf("uploads left: %v", ups)
	}

	// The part upload fails on the record that fills flush.size: the size
	// rotation happens on the retry, so the file still ends there.
	tp2 := connector.TopicPartition{Topic: "orders", Partition: 2}
	task3, _ := e.startTask(e.props(map[string]string{KeyStoreURL: endpoint, KeyPartRetries: "0", KeyFlushSize: "5"}), tp2)
	big2 := func(off int64) connector.SinkRecord {
		return rec("orders", 2, off, 0, bigSchema, bigValue(int32(200+off), pad))
	}
	put(t, task3, big2(0), big2(1), big2(2), big2(3))
	failing.Store(true)
	if err := task3.Put(t.Context(), []connector.SinkRecord{big2(4), big2(5)}); !connector.IsRetriable(err) {
		t.Fatalf("err = %v, want retriable", err)
	}
	failing.Store(false)
	put(t, task3, big2(4), big2(5))
	if got := e.keys("topics/orders/partition=2/"); !reflect.DeepEqual(got, []string{"topics/orders/partition=2/orders+2+0000000000.json"}) {
		t.Fatalf("keys = %q", got)
	}
	if got := preCommit(t, task3); got[tp2] != 5 {
		t.Fatalf("precommit = %v", got)
	}
}
