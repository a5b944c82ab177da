package s3

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/wharf-project/wharf/connector"
)

func (e *env) versions(key string) int {
	e.t.Helper()
	out, err := e.srv.Client.ListObjectVersions(context.Background(), &s3.ListObjectVersionsInput{Bucket: &e.bucket, Prefix: &key})
	if err != nil {
		e.t.Fatal(err)
	}
	return len(out.Versions)
}

// With boundaries that may move on replay (here: a memory limit), files
// complete with If-None-Match: *. A replay of an identical file (single
// PutObject or multipart) meets 412 and succeeds without a new object
// version; a replay that cut the file elsewhere overwrites it.
func TestConditionalWrites(t *testing.T) {
	e := newEnv(t)
	if _, err := e.srv.Client.PutBucketVersioning(context.Background(), &s3.PutBucketVersioningInput{Bucket: &e.bucket,
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	props := e.props(map[string]string{KeyFlushSize: "3", KeyMemoryLimit: "1073741824"})
	run := func(props map[string]string, recs ...connector.SinkRecord) *sinkTask {
		task, _ := e.startTask(props, tp0)
		put(t, task, recs...) // then crash before offsets are committed
		return task
	}
	task := run(props, orderRec(0, 0, 0), orderRec(0, 1, 0), orderRec(0, 2, 0))
	if !task.cond.ok || !task.conditionalOn() {
		t.Fatalf("conditional writes not in use (probe ok=%v err=%v)", task.cond.ok, task.cond.err)
	}
	key := "topics/orders/partition=0/orders+0+0000000000.json"
	first := e.get(key)
	run(props, orderRec(0, 0, 0), orderRec(0, 1, 0), orderRec(0, 2, 0))
	if n := e.versions(key); n != 1 || e.get(key) != first {
		t.Fatalf("identical replay: %d versions", n)
	}
	// A replay with other boundaries (flush.size changed) overwrites.
	run(e.props(map[string]string{KeyFlushSize: "2", KeyMemoryLimit: "1073741824"}), orderRec(0, 0, 0), orderRec(0, 1, 0))
	if n := e.versions(key); n != 2 || strings.Count(e.get(key), "\n") != 2 {
		t.Fatalf("changed replay: %d versions, %q", n, e.get(key))
	}
	if got := e.keys(".wharf/"); len(got) != 0 {
		t.Fatalf("probe objects left: %v", got)
	}

	// Multipart: 6 MiB parts of a 2-part file.
	tp1 := connector.TopicPartition{Topic: "orders", Partition: 1}
	pad := strings.Repeat("z", 3<<20)
	big := func(off int64) connector.SinkRecord {
		return rec("orders", 1, off, 0, bigSchema, bigValue(int32(100+off), pad))
	}
	mp := e.props(map[string]string{KeyFlushSize: "3", KeyMemoryLimit: "1073741824", KeyPartSize: "5242880"})
	for i := 0; i < 2; i++ {
		task, _ := e.startTask(mp, tp1)
		put(t, task, big(0), big(1), big(2))
	}
	key = "topics/orders/partition=1/orders+1+0000000000.json"
	if n := e.versions(key); n != 1 {
		t.Fatalf("identical multipart replay: %d versions", n)
	}
	if ups := e.srv.MultipartUploads(t, e.bucket); len(ups) != 0 {
		t.Fatalf("uploads left: %v", ups)
	}
	if got := e.jsonIDs("topics/orders/partition=1/"); len(got) != 3 {
		t.Fatalf("ids = %v", got)
	}
}

// conditionalOn reports whether new files of the task complete conditionally.
func (t *sinkTask) conditionalOn() bool {
	return t.env.upload("probe").ifNoneMatch
}
