package s3

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/linkedin/goavro/v2"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/data"
)

func keyed(r connector.SinkRecord, key string, hs ...connector.Header) connector.SinkRecord {
	r.KeySchema, r.Key, r.Headers = data.StringSchema, key, hs
	return r
}

// avroValues reads an Avro container object.
func (e *env) avroValues(key string) []any {
	e.t.Helper()
	r, err := goavro.NewOCFReader(bytes.NewReader([]byte(e.get(key))))
	if err != nil {
		e.t.Fatalf("%s: %v", key, err)
	}
	var out []any
	for r.Scan() {
		v, err := r.Read()
		if err != nil {
			e.t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// store.kafka.keys/headers write .keys/.headers companions with the value
// file's boundaries; with behavior.on.null.values=write tombstones keep
// only their key (and headers) under the tombstone partition, as Confluent.
func TestKeysAndHeadersFiles(t *testing.T) {
	hs := []connector.Header{{Key: "trace", Value: "abc"}, {Key: "n", Schema: data.Int32Schema, Value: int32(5)},
		{Key: "raw", Value: []byte{1, 2}}}
	tomb := func(off int64, key string) connector.SinkRecord {
		return keyed(rec("orders", 0, off, 0, nil, nil), key, hs...)
	}
	t.Run("json values, avro keys, json headers", func(t *testing.T) {
		e := newEnv(t)
		task, sc := e.startTask(e.props(map[string]string{KeyStoreKeys: "true", KeyStoreHeaders: "true",
			KeyHeadersFormat: JSONFormat, KeyNullValues: "write", KeyFlushSize: "2"}), tp0)
		put(t, task, keyed(orderRec(0, 0, 0), "k0", hs...), tomb(1, "k1"), keyed(orderRec(0, 2, 0), "k2", hs...), tomb(3, "k3"))
		// A record without a key is a data error; the files stay aligned.
		sc.FailErrant = false
		put(t, task, keyed(orderRec(0, 4, 0), "k4", hs...), orderRec(0, 5, 0), keyed(orderRec(0, 6, 0), "k6"), keyed(orderRec(0, 7, 0), "k7", hs...))
		p, ts := "topics/orders/partition=0/orders+0+", "topics/orders/tombstone/orders+0+"
		want := []string{
			p + "0000000000.headers.json", p + "0000000000.json", p + "0000000000.keys.avro",
			p + "0000000002.headers.json", p + "0000000002.json", p + "0000000002.keys.avro",
			p + "0000000004.headers.json", p + "0000000004.json", p + "0000000004.keys.avro",
			ts + "0000000001.headers.json", ts + "0000000001.keys.avro",
			ts + "0000000003.headers.json", ts + "0000000003.keys.avro",
		}
		if got := e.keys(""); !reflect.DeepEqual(got, want) {
			t.Fatalf("keys:\n%s", strings.Join(got, "\n"))
		}
		if n := len(sc.Errant()); n != 2 {
			t.Fatalf("errant = %d, want the keyless and the headerless records", n)
		}
		if got := fmt.Sprint(e.avroValues(p + "0000000004.keys.avro")); got != "[k4 k7]" {
			t.Fatalf("keys = %s", got)
		}
		if got := fmt.Sprint(e.avroValues(ts + "0000000003.keys.avro")); got != "[k3]" {
			t.Fatalf("tombstone keys = %s", got)
		}
		wantH := `[{"key":"trace","value":"abc"},{"key":"n","value":"5"},{"key":"raw","value":"AQI="}]` + "\n"
		if got := e.get(ts + "0000000001.headers.json"); got != wantH {
			t.Fatalf("headers = %q", got)
		}
		var ids []int
		for _, off := range []string{"0000000000", "0000000002", "0000000004"} {
			ids = append(ids, e.jsonIDs(p+off+".json")...)
		}
		if got := ids; !reflect.DeepEqual(got, []int{0, 2, 4, 7}) {
			t.Fatalf("ids = %v", got)
		}
		if got := preCommit(t, task); got[tp0] != 8 {
			t.Fatalf("precommit = %v", got)
		}
	})
	t.Run("avro values, json keys", func(t *testing.T) {
		e := newEnv(t)
		task, _ := e.startTask(e.props(map[string]string{KeyFormat: AvroFormat, KeyStoreKeys: "true", KeyStoreHeaders: "true",
			KeyKeysFormat: JSONFormat, KeyNullValues: "write", KeyFlushSize: "3"}), tp0)
		put(t, task, keyed(orderRec(0, 0, 0), "k0", hs...), keyed(orderRec(0, 1, 0), "k1", hs[:1]...), tomb(2, "k2"))
		p := "topics/orders/partition=0/orders+0+"
		want := []string{p + "0000000000.avro", p + "0000000000.headers.avro", p + "0000000000.keys.json",
			"topics/orders/tombstone/orders+0+0000000002.headers.avro", "topics/orders/tombstone/orders+0+0000000002.keys.json"}
		if got := e.keys(""); !reflect.DeepEqual(got, want) {
			t.Fatalf("keys:\n%s", strings.Join(got, "\n"))
		}
		if got := e.get(want[2]); got != "\"k0\"\n\"k1\"\n" {
			t.Fatalf("keys file = %q", got)
		}
		if got := fmt.Sprint(e.avroValues(want[1])); got != "[[map[key:trace value:abc] map[key:n value:5] map[key:raw value:AQI=]] [map[key:trace value:abc]]]" {
			t.Fatalf("headers = %s", got)
		}
		if got := e.get(want[4]); got != "\"k2\"\n" {
			t.Fatalf("tombstone keys file = %q", got)
		}
		if n := len(e.avroValues(want[0])); n != 2 {
			t.Fatalf("values = %d", n)
		}
	})
}
