package s3

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/connectortest"
	"github.com/wharf-project/wharf/connector/data"
	"github.com/wharf-project/wharf/connector/testserver"
)

// env is one MinIO with a bucket and the props to reach it.
type env struct {
	t      *testing.T
	srv    *testserver.S3
	bucket string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	srv := testserver.MinIO(t)
	srv.CreateBucket(t, "lake")
	return &env{t: t, srv: srv, bucket: "lake"}
}

func (e *env) props(extra map[string]string) map[string]string {
	p := map[string]string{
		"connector.class":      "S3SinkConnector",
		KeyBucket:              e.bucket,
		KeyRegion:              testserver.MinIORegion,
		KeyStoreURL:            e.srv.Endpoint,
		KeyAccessKey:           e.srv.AccessKey,
		KeySecretKey:           e.srv.SecretKey,
		KeyFormat:              JSONFormat,
		KeyFlushSize:           "3",
		KeyStorageClass:        storageClass,
		KeyPartSize:            "5242880",
		KeyRetryBackoff:        "10",
		"topics":               "orders",
		"schema.compatibility": "NONE",
	}
	for k, v := range extra {
		if v == "" {
			delete(p, k)
			continue
		}
		p[k] = v
	}
	return p
}

// startTask starts a task of a fresh connector with props, opened for tps.
func (e *env) startTask(props map[string]string, tps ...connector.TopicPartition) (*sinkTask, *connectortest.Sink) {
	e.t.Helper()
	c := New()
	if err := c.Start(context.Background(), nil, props); err != nil {
		e.t.Fatalf("connector start: %v", err)
	}
	task := c.NewTask().(*sinkTask)
	sc := connectortest.NewSink("s3-sink")
	if err := task.Start(context.Background(), sc, props); err != nil {
		e.t.Fatalf("task start: %v", err)
	}
	if err := task.Open(context.Background(), tps); err != nil {
		e.t.Fatalf("open: %v", err)
	}
	return task, sc
}

func (e *env) keys(prefix string) []string { return e.srv.Keys(e.t, e.bucket, prefix) }

func (e *env) get(key string) string { return string(e.srv.Get(e.t, e.bucket, key)) }

func put(t *testing.T, task *sinkTask, recs ...connector.SinkRecord) {
	t.Helper()
	if err := task.Put(context.Background(), recs); err != nil {
		t.Fatalf("put: %v", err)
	}
}

func preCommit(t *testing.T, task *sinkTask) map[connector.TopicPartition]int64 {
	t.Helper()
	out, err := task.PreCommit(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var orderSchema = data.StructSchema("orders.Value").
	Field("id", data.Int32Schema).
	Field("region", data.StringSchema).
	Field("amount", data.OptionalFloat64Schema).
	Field("ts", data.Int64Schema).
	Build()

func order(id int32, region string, ts int64) *data.Struct {
	return data.NewStruct(orderSchema).MustPut("id", id).MustPut("region", region).
		MustPut("amount", float64(id)*1.5).MustPut("ts", ts)
}

func rec(topic string, part int32, off int64, ts int64, schema *data.Schema, v any) connector.SinkRecord {
	r := connector.SinkRecord{Offset: off, TimestampType: connector.CreateTime}
	r.Topic, r.Partition, r.ValueSchema, r.Value = topic, part, schema, v
	if ts != 0 {
		r.Timestamp = time.UnixMilli(ts)
	}
	return r
}

func orderRec(part int32, off int64, ts int64) connector.SinkRecord {
	return rec("orders", part, off, ts, orderSchema, order(int32(off), []string{"eu", "us"}[off%2], ts))
}

// jsonIDs returns the ids of JSON lines in every object under prefix, in
// key order, and fails on a duplicate.
func (e *env) jsonIDs(prefix string) []int {
	e.t.Helper()
	var ids []int
	seen := map[int]string{}
	for _, k := range e.keys(prefix) {
		for _, line := range strings.Split(strings.TrimSuffix(e.get(k), "\n"), "\n") {
			var v struct{ ID int }
			if err := json.Unmarshal([]byte(line), &v); err != nil {
				e.t.Fatalf("%s: %q: %v", k, line, err)
			}
			if prev, dup := seen[v.ID]; dup {
				e.t.Fatalf("record %d twice: in %s and %s", v.ID, prev, k)
			}
			seen[v.ID] = k
			ids = append(ids, v.ID)
		}
	}
	sort.Ints(ids)
	return ids
}

func seq(from, to int) []int {
	var out []int
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

// download copies objects under prefix to a temp dir for DuckDB.
func (e *env) download(prefix string) (string, []string) {
	dir := e.t.TempDir()
	paths := e.srv.Download(e.t, e.bucket, prefix, dir)
	return dir, paths
}

func newSinkContext() *connectortest.Sink { return connectortest.NewSink("s3-sink") }

var bigSchema = data.StructSchema("big").Field("id", data.Int32Schema).Field("pad", data.StringSchema).Build()

func bigValue(id int32, pad string) *data.Struct {
	return data.NewStruct(bigSchema).MustPut("id", id).MustPut("pad", pad)
}
