package s3

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/data"
	"github.com/wharf-project/wharf/connector/testserver"
)

// The seed tutorial's s3_sink.json must start unchanged (placeholders filled,
// endpoint added because the tutorial runs against AWS).
func TestTutorialConfigJSON(t *testing.T) {
	e := newEnv(t)
	raw, err := os.ReadFile("testdata/seed_s3_sink.json") // verbatim copy of shared/seeds/cdc_streaming_ingest/s3_sink.json
	if err != nil {
		t.Fatal(err)
	}
	raw = []byte(strings.NewReplacer("<topic>", "orders", "<s3_bucket>", e.bucket, "<region>", "us-east-1").Replace(string(raw)))
	var doc struct{ Config map[string]any }
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	props := map[string]string{}
	for k, v := range doc.Config {
		b, _ := json.Marshal(v)
		props[k] = strings.Trim(string(b), `"`)
	}
	props[KeyStoreURL] = e.srv.Endpoint
	t.Setenv("AWS_ACCESS_KEY_ID", e.srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", e.srv.SecretKey)
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
	if res := New().Validate(context.Background(), props); res != nil {
		t.Fatalf("validate: %+v", res)
	}
	tp := connector.TopicPartition{Topic: "orders", Partition: 0}
	task, _ := e.startTask(props, tp)
	tomb := rec("orders", 0, 2, 0, nil, nil)
	put(t, task, orderRec(0, 0, 0), orderRec(0, 1, 0), tomb, orderRec(0, 3, 0))
	want := []string{
		"topics/orders/partition=0/orders+0+0000000000.json",
		"topics/orders/partition=0/orders+0+0000000001.json",
		"topics/orders/partition=0/orders+0+0000000003.json",
	}
	if got := e.keys(""); !reflect.DeepEqual(got, want) {
		t.Fatalf("keys = %q, want %q", got, want)
	}
	if got := e.get(want[0]); got != `{"id":0,"region":"eu","amount":0.0,"ts":0}`+"\n" {
		t.Fatalf("object = %q", got)
	}
	if got := preCommit(t, task); got[tp] != 4 {
		t.Fatalf("precommit = %v", got)
	}
	rows := testserver.DuckDB(t, "SELECT count(*)::INTEGER AS n, sum(id)::INTEGER AS s FROM read_json_auto($1)",
		mustDownloadGlob(e, "topics/"))
	if rows[0]["n"] != float64(3) || rows[0]["s"] != float64(4) {
		t.Fatalf("duckdb rows = %v", rows)
	}
}

func mustDownloadGlob(e *env, prefix string) string {
	dir, _ := e.download(prefix)
	return dir + "/**/*.json"
}

func TestJSONGzipAndByteArray(t *testing.T) {
	e := newEnv(t)
	task, _ := e.startTask(e.props(map[string]string{KeyCompression: "gzip", KeyFlushSize: "2"}), tp0)
	put(t, task, orderRec(0, 0, 0), orderRec(0, 1, 0))
	keys := e.keys("")
	if len(keys) != 1 || keys[0] != "topics/orders/partition=0/orders+0+0000000000.json.gz" {
		t.Fatalf("keys = %q", keys)
	}
	dir, _ := e.download("")
	rows := testserver.DuckDB(t, "SELECT list(region ORDER BY id) AS r FROM read_json_auto($1)", dir+"/"+keys[0])
	if fmt.Sprint(rows) != "[map[r:[eu us]]]" {
		t.Fatalf("rows = %v", rows)
	}

	tp1 := connector.TopicPartition{Topic: "raw", Partition: 1}
	task2, _ := e.startTask(e.props(map[string]string{KeyFormat: ByteArrayFormat, KeyFlushSize: "3", KeyByteArraySep: "|",
		KeyByteArrayExt: ".txt"}), tp1)
	put(t, task2, rec("raw", 1, 7, 0, data.OptionalBytesSchema, []byte("a")), rec("raw", 1, 8, 0, data.OptionalBytesSchema, []byte("bc")),
		rec("raw", 1, 9, 0, data.OptionalBytesSchema, []byte{}))
	if got := e.get("topics/raw/partition=1/raw+1+0000000007.txt"); got != "a|bc||" {
		t.Fatalf("bytearray = %q", got)
	}
}
