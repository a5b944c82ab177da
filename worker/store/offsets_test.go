package store

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/wharf-project/wharf/worker/kafka"
)

type offsetStore interface {
	Start(ctx context.Context) error
	Stop() error
	Get(ctx context.Context, connector string, partitions []string) (map[string][]byte, error)
	Set(ctx context.Context, connector string, offsets map[string][]byte) error
	All(ctx context.Context, connector string) (map[string][]byte, error)
}

var (
	_ offsetStore = (*KafkaOffsets)(nil)
	_ offsetStore = (*FileOffsets)(nil)
)

func strMap(m map[string][]byte) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = string(v)
	}
	return out
}

// exerciseOffsets runs a round trip and leaves src with one offset for
// {"filename":"b.txt"} and other with one offset.
func exerciseOffsets(t *testing.T, s offsetStore) {
	ctx := testCtx(t)
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	a, b := `{"filename":"a.txt"}`, `{"filename":"b.txt"}`
	if err := s.Set(ctx, "src", map[string][]byte{a: []byte(`{"position":10}`), b: []byte(`{"position":20}`)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Set(ctx, "other", map[string][]byte{a: []byte(`{"lsn":1}`)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Set(ctx, "src", map[string][]byte{a: []byte(`{"position":30}`)}); err != nil {
		t.Fatal(err)
	}
	// Partition JSON is matched semantically (whitespace, key order).
	got, err := s.Get(ctx, "src", []string{` { "filename" : "a.txt" } `, `{"filename":"c.txt"}`})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{` { "filename" : "a.txt" } `: `{"position":30}`}; !reflect.DeepEqual(strMap(got), want) {
		t.Fatalf("Get = %v, want %v", strMap(got), want)
	}
	if err := s.Set(ctx, "src", map[string][]byte{a: nil}); err != nil {
		t.Fatal(err)
	}
	all, err := s.All(ctx, "src")
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{b: `{"position":20}`}; !reflect.DeepEqual(strMap(all), want) {
		t.Fatalf("All after tombstone = %v, want %v", strMap(all), want)
	}
	if err := s.Set(ctx, "src", map[string][]byte{`"not an object"`: []byte(`1`)}); err == nil {
		t.Error("non-object partition accepted")
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
}

func checkOffsetsAfterRestart(t *testing.T, s offsetStore) {
	ctx := testCtx(t)
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	all, err := s.All(ctx, "src")
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{`{"filename":"b.txt"}`: `{"position":20}`}; !reflect.DeepEqual(strMap(all), want) {
		t.Fatalf("src after restart = %v, want %v", strMap(all), want)
	}
	other, err := s.All(ctx, "other")
	if err != nil || len(other) != 1 {
		t.Fatalf("other after restart = %v, %v", strMap(other), err)
	}
}

func TestFileOffsets(t *testing.T) {
	path := filepath.Join(t.TempDir(), "offsets.json")
	exerciseOffsets(t, NewFileOffsets(path))
	checkOffsetsAfterRestart(t, NewFileOffsets(path))
}

func TestKafkaOffsets(t *testing.T) {
	addrs := cluster(t)
	createTopic(t, addrs, "connect-offsets", 25)
	client := newClient(t, addrs)
	exerciseOffsets(t, NewKafkaOffsets(client, "connect-offsets"))
	checkOffsetsAfterRestart(t, NewKafkaOffsets(newClient(t, addrs), "connect-offsets"))

	// Exact key bytes, and each key in the partition the Java client picks.
	seen := map[string]int{}
	for _, r := range readRaw(t, client, "connect-offsets") {
		seen[string(r.Key)]++
		if want := kafka.JavaPartition(r.Key, 25); r.Partition != want {
			t.Errorf("key %s in partition %d, Java client uses %d", r.Key, r.Partition, want)
		}
	}
	for _, k := range []string{`["src",{"filename":"a.txt"}]`, `["src",{"filename":"b.txt"}]`, `["other",{"filename":"a.txt"}]`} {
		if seen[k] == 0 {
			t.Errorf("no record with key %s; keys: %v", k, seen)
		}
	}
}

// TestKafkaOffsetsApacheKeys reads keys Java Connect wrote with another
// object key order and keeps writing under those exact key bytes.
func TestKafkaOffsetsApacheKeys(t *testing.T) {
	ctx := testCtx(t)
	addrs := cluster(t)
	createTopic(t, addrs, "offs", 5)
	javaKey := `["pg",{"server":"db1","database":"inventory"}]`
	produceRaw(t, addrs, "offs", []Record{
		{[]byte(javaKey), []byte(`{"lsn":100,"txId":7}`)},
		{[]byte(`{"not":"an array"}`), []byte(`{}`)},
		{[]byte(`["pg"]`), []byte(`{}`)},
	})
	client := newClient(t, addrs)
	s := NewKafkaOffsets(client, "offs")
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	part := `{"database":"inventory","server":"db1"}`
	got, err := s.Get(ctx, "pg", []string{part})
	if err != nil || string(got[part]) != `{"lsn":100,"txId":7}` {
		t.Fatalf("Get = %v, %v", strMap(got), err)
	}
	if err := s.Set(ctx, "pg", map[string][]byte{part: []byte(`{"lsn":200}`)}); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, r := range readRaw(t, client, "offs") {
		if string(r.Value) == `{"lsn":200}` {
			keys = append(keys, string(r.Key))
		}
	}
	if len(keys) != 1 || keys[0] != javaKey {
		t.Errorf("new offset written under keys %v, want the existing key %s", keys, javaKey)
	}
	all, _ := s.All(ctx, "pg")
	if len(all) != 1 || string(all[`{"server":"db1","database":"inventory"}`]) != `{"lsn":200}` {
		t.Errorf("All = %v", strMap(all))
	}
}
