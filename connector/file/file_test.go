package file

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/connectortest"
	"github.com/wharf-project/wharf/connector/data"
)

func startSource(t *testing.T, tc *connectortest.Source, props map[string]string) *sourceTask {
	t.Helper()
	c := NewSourceConnector()
	if err := c.Start(context.Background(), testContext{}, props); err != nil {
		t.Fatalf("connector Start: %v", err)
	}
	cfgs, err := c.TaskConfigs(4)
	if err != nil || len(cfgs) != 1 {
		t.Fatalf("TaskConfigs = %v, %v; want one task", cfgs, err)
	}
	task := c.NewTask().(*sourceTask)
	task.wait = 20 * time.Millisecond
	if err := task.Start(context.Background(), tc, cfgs[0]); err != nil {
		t.Fatalf("task Start: %v", err)
	}
	t.Cleanup(func() { task.Stop() })
	return task
}

type testContext struct{}

func (testContext) RequestTaskReconfiguration()       {}
func (testContext) MemoryPool() *connector.MemoryPool { return nil }
func (testContext) RaiseError(error)                  {}
func (testContext) Logger() *slog.Logger              { return connectortest.Logger(nil) }

func appendFile(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

func poll(t *testing.T, task *sourceTask) []connector.SourceRecord {
	t.Helper()
	recs, err := task.Poll(context.Background())
	if err != nil {
		t.Fatalf("Poll: %v", err)
	}
	return recs
}

func values(recs []connector.SourceRecord) []string {
	var out []string
	for _, r := range recs {
		out = append(out, r.Value.(string))
	}
	return out
}

func TestSourceReadsLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "in.txt")
	appendFile(t, path, "alpha\nbeta\r\ngamma\rdelta\r\nhalf")
	task := startSource(t, connectortest.NewSource("fs"), map[string]string{"file": path, "topic": "lines"})
	recs := poll(t, task)
	if got, want := values(recs), []string{"alpha", "beta", "gamma", "delta"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("lines = %q, want %q", got, want)
	}
	wantPos := []int64{6, 12, 18, 25}
	for i, r := range recs {
		if r.Topic != "lines" || r.Partition != connector.NoPartition || r.Key != nil || r.KeySchema != nil {
			t.Errorf("record %d: topic %q partition %d key %v", i, r.Topic, r.Partition, r.Key)
		}
		if r.ValueSchema != data.StringSchema || r.Timestamp.IsZero() {
			t.Errorf("record %d: schema %v timestamp %v", i, r.ValueSchema, r.Timestamp)
		}
		if r.SourcePartition.JSON() != fmt.Sprintf(`{"filename":%q}`, path) {
			t.Errorf("partition = %s", r.SourcePartition.JSON())
		}
		if r.SourceOffset != (fileOffset{Position: wantPos[i]}) {
			t.Errorf("record %d offset = %v, want %d", i, r.SourceOffset, wantPos[i])
		}
	}
	if recs := poll(t, task); len(recs) != 0 {
		t.Fatalf("partial line emitted: %q", values(recs))
	}
	appendFile(t, path, "-line\n")
	if got := values(poll(t, task)); !reflect.DeepEqual(got, []string{"half-line"}) {
		t.Fatalf("appended = %q", got)
	}
}

func TestSourceBatchSizeAndResume(t *testing.T) {
	path := filepath.Join(t.TempDir(), "in.txt")
	var b strings.Builder
	for i := range 7 {
		fmt.Fprintf(&b, "line-%d\n", i)
	}
	appendFile(t, path, b.String())
	tc := connectortest.NewSource("fs")
	props := map[string]string{"file": path, "topic": "t", "batch.size": "3"}
	task := startSource(t, tc, props)
	first := poll(t, task)
	if got := values(first); !reflect.DeepEqual(got, []string{"line-0", "line-1", "line-2"}) {
		t.Fatalf("first batch = %q", got)
	}
	if got := values(poll(t, task)); !reflect.DeepEqual(got, []string{"line-3", "line-4", "line-5"}) {
		t.Fatalf("second batch = %q", got)
	}
	// Commit only the first batch, then restart: reading resumes after it.
	last := first[len(first)-1]
	if err := tc.Commit(last.SourcePartition, last.SourceOffset); err != nil {
		t.Fatal(err)
	}
	task.Stop()
	task = startSource(t, tc, props)
	if got := values(poll(t, task)); !reflect.DeepEqual(got, []string{"line-3", "line-4", "line-5"}) {
		t.Fatalf("after restart = %q", got)
	}
	appendFile(t, path, "late\n")
	if got := values(poll(t, task)); !reflect.DeepEqual(got, []string{"line-6", "late"}) {
		t.Fatalf("tail = %q", got)
	}
}

func TestSourceWaitsForFileAndContext(t *testing.T) {
	path := filepath.Join(t.TempDir(), "later.txt")
	task := startSource(t, connectortest.NewSource("fs"), map[string]string{"file": path, "topic": "t"})
	if recs := poll(t, task); len(recs) != 0 {
		t.Fatal("records from a missing file")
	}
	appendFile(t, path, "now\n")
	if got := values(poll(t, task)); !reflect.DeepEqual(got, []string{"now"}) {
		t.Fatalf("lines = %q", got)
	}
	task.wait = time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	start := time.Now()
	if _, err := task.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Poll took %v after cancel", d)
	}
}

func TestSourceConfigErrors(t *testing.T) {
	for _, tt := range []struct {
		props map[string]string
		want  string
	}{
		{map[string]string{"file": "/x"}, `Missing required configuration "topic" which has no default value.`},
		{map[string]string{"file": "/x", "topic": " "}, "Invalid value  for configuration topic: String may not be empty"},
		{map[string]string{"file": "/x", "topic": "t", "batch.size": "a"}, "Invalid value a for configuration batch.size: Not a number of type INT"},
		{map[string]string{"topic": "t"}, errStdin.Error()},
	} {
		err := NewSourceConnector().Start(context.Background(), testContext{}, tt.props)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%v: error = %v, want %q", tt.props, err, tt.want)
		}
	}
	tc := connectortest.NewSource("fs")
	path := filepath.Join(t.TempDir(), "in.txt")
	appendFile(t, path, "a\n")
	part := connector.NewSourcePartition(map[string]any{"filename": path})
	tc.Commit(part, map[string]any{"position": "zero"})
	task := startSource(t, tc, map[string]string{"file": path, "topic": "t"})
	if _, err := task.Poll(context.Background()); err == nil || err.Error() != "Offset position is the incorrect type" {
		t.Fatalf("error = %v", err)
	}
}

func TestSinkWritesAndFlushes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.txt")
	c := NewSinkConnector()
	props := map[string]string{"file": path, "topics": "a,b"}
	if err := c.Start(context.Background(), testContext{}, props); err != nil {
		t.Fatal(err)
	}
	cfgs, _ := c.TaskConfigs(3)
	task := c.NewTask()
	if err := task.Start(context.Background(), connectortest.NewSink("fs"), cfgs[0]); err != nil {
		t.Fatal(err)
	}
	row := data.StructSchema("r").Field("id", data.Int32Schema).Field("name", data.OptionalStringSchema).Build()
	st := data.NewStruct(row).MustPut("id", int32(7)).MustPut("name", "x")
	recs := []connector.SinkRecord{
		{Record: connector.Record{Topic: "a", Value: "hello"}, Offset: 0},
		{Record: connector.Record{Topic: "a", Value: nil}, Offset: 1},
		{Record: connector.Record{Topic: "b", Value: int64(42)}, Offset: 0},
		{Record: connector.Record{Topic: "b", Value: 1.5}, Offset: 1},
		{Record: connector.Record{Topic: "b", ValueSchema: row, Value: st}, Offset: 2},
		{Record: connector.Record{Topic: "b", Value: []any{"x", int32(1)}}, Offset: 3},
	}
	if err := task.Put(context.Background(), recs); err != nil {
		t.Fatal(err)
	}
	current := map[connector.TopicPartition]int64{{Topic: "a"}: 2, {Topic: "b"}: 4}
	got, err := task.PreCommit(context.Background(), current)
	if err != nil || !reflect.DeepEqual(got, current) {
		t.Fatalf("PreCommit = %v, %v", got, err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "hello\nnull\n42\n1.5\nStruct{id=7,name=x}\n[x, 1]\n"
	if string(b) != want {
		t.Fatalf("file = %q, want %q", b, want)
	}
	task.Put(context.Background(), recs[:1])
	if err := task.Stop(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != want+"hello\n" {
		t.Fatalf("after Stop file = %q", b)
	}
}

func TestJavaDouble(t *testing.T) {
	for f, want := range map[float64]string{1: "1.0", 0.001: "0.001", 1e7: "1.0E7", 1.5e-4: "1.5E-4", -2.25: "-2.25", 123456.5: "123456.5"} {
		if got := javaString(f); got != want {
			t.Errorf("javaString(%v) = %q, want %q", f, got, want)
		}
	}
}

func TestPlugins(t *testing.T) {
	reg := connector.NewRegistry(Plugins()...)
	for _, name := range []string{"FileStreamSource", "FileStreamSinkConnector", SourceClass} {
		if p, ok := reg.LookupConnector(name); !ok || p.Version != "3.9.0" {
			t.Errorf("lookup %s: %+v %v", name, p, ok)
		}
	}
	if _, ok := reg.Lookup(SourceClass); !ok {
		t.Fatal("source not registered")
	}
	if _, ok := (any)(NewSourceConnector()).(connector.SourceConnector); !ok {
		t.Fatal("not a SourceConnector")
	}
	if _, ok := (any)(NewSinkConnector()).(connector.SinkConnector); !ok {
		t.Fatal("not a SinkConnector")
	}
}
