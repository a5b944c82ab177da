package store

import (
	"context"
	"path/filepath"
	"reflect"
	"regexp"
	"sync"
	"testing"

	"github.com/IBM/sarama"

	"github.com/wharf-project/wharf/worker/kafka"
)

// configStore is the method set the herder consumes.
type configStore interface {
	Start(ctx context.Context) error
	Stop() error
	Snapshot() ConfigSnapshot
	PutConnectorConfig(ctx context.Context, name string, props map[string]string, initial TargetState) error
	RemoveConnectorConfig(ctx context.Context, name string) error
	PutTargetState(ctx context.Context, name string, s TargetState) error
	PutTaskConfigs(ctx context.Context, name string, tasks []map[string]string) error
	OnChange(fn func(ConfigChange))
}

var (
	_ configStore = (*KafkaConfig)(nil)
	_ configStore = (*FileConfig)(nil)
)

type changeLog struct {
	mu  sync.Mutex
	got []ConfigChange
}

func (c *changeLog) add(ch ConfigChange) {
	c.mu.Lock()
	c.got = append(c.got, ch)
	c.mu.Unlock()
}

func (c *changeLog) take() []ConfigChange {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.got
	c.got = nil
	return out
}

// exerciseConfig runs the same round trip against any config store and
// returns the final snapshot.
func exerciseConfig(t *testing.T, s configStore, wantOffset int64) ConfigSnapshot {
	ctx := testCtx(t)
	var changes changeLog
	s.OnChange(changes.add)
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	src := map[string]string{"connector.class": "FileStreamSource", "file": "in.txt", "topic": "lines"}
	if err := s.PutConnectorConfig(ctx, "src", src, Paused); err != nil {
		t.Fatal(err)
	}
	snap := s.Snapshot()
	if !reflect.DeepEqual(snap.Connectors["src"], src) || snap.TargetStates["src"] != Paused {
		t.Fatalf("after put: %+v", snap)
	}
	if _, ok := snap.TaskConfigs["src"]; ok {
		t.Error("task configs before any were written")
	}
	snap.Connectors["src"]["file"] = "mutated" // Snapshot is a deep copy
	tasks := []map[string]string{{"file": "in.txt", "task": "0"}, {"file": "in.txt", "task": "1"}}
	if err := s.PutTaskConfigs(ctx, "src", tasks); err != nil {
		t.Fatal(err)
	}
	if err := s.PutTargetState(ctx, "src", Stopped); err != nil {
		t.Fatal(err)
	}
	if err := s.PutConnectorConfig(ctx, "sink", map[string]string{"connector.class": "FileStreamSink"}, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.PutConnectorConfig(ctx, "gone", map[string]string{"connector.class": "X"}, Started); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveConnectorConfig(ctx, "gone"); err != nil {
		t.Fatal(err)
	}
	if err := s.PutTaskConfigs(ctx, "sink", nil); err != nil {
		t.Fatal(err)
	}
	want := ConfigSnapshot{
		Connectors:   map[string]map[string]string{"src": src, "sink": {"connector.class": "FileStreamSink"}},
		TargetStates: map[string]TargetState{"src": Stopped, "sink": Started},
		TaskConfigs:  map[string][]map[string]string{"src": tasks, "sink": {}},
		Offset:       wantOffset,
	}
	if got := s.Snapshot(); !reflect.DeepEqual(got, want) {
		t.Fatalf("snapshot\n got %+v\nwant %+v", got, want)
	}
	wantChanges := []ConfigChange{
		{TargetStateChanged, "src"}, {ConnectorConfig, "src"}, {TaskConfigs, "src"}, {TargetStateChanged, "src"},
		{ConnectorConfig, "sink"}, {TargetStateChanged, "gone"}, {ConnectorConfig, "gone"},
		{ConnectorRemoved, "gone"}, {TaskConfigs, "sink"},
	}
	got := changes.take()
	// The Kafka store also reports the target-state tombstone of a removal.
	got = filterChanges(got, ConfigChange{TargetStateChanged, "gone"}, 1)
	if !reflect.DeepEqual(got, wantChanges) {
		t.Errorf("changes\n got %v\nwant %v", got, wantChanges)
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	return want
}

// filterChanges keeps the first keep occurrences of c.
func filterChanges(in []ConfigChange, c ConfigChange, keep int) []ConfigChange {
	var out []ConfigChange
	for _, x := range in {
		if x == c {
			if keep == 0 {
				continue
			}
			keep--
		}
		out = append(out, x)
	}
	return out
}

func TestFileConfigRoundTripAndRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "connectors.json")
	want := exerciseConfig(t, NewFileConfig(path), -1)
	again := NewFileConfig(path)
	if err := again.Start(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	if got := again.Snapshot(); !reflect.DeepEqual(got, want) {
		t.Fatalf("after restart\n got %+v\nwant %+v", got, want)
	}
}

func TestKafkaConfigRoundTripAndRestart(t *testing.T) {
	addrs := cluster(t)
	createTopic(t, addrs, "connect-configs", 1)
	client := newClient(t, addrs)
	// 12 records: 2 (create src) + 3 (tasks) + 1 + 1 + 2 (create gone) + 2 (remove) + 1.
	want := exerciseConfig(t, NewKafkaConfig(client, "connect-configs"), 12)
	again := NewKafkaConfig(newClient(t, addrs), "connect-configs")
	var changes changeLog
	again.OnChange(changes.add)
	if err := again.Start(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	defer again.Stop()
	if got := again.Snapshot(); !reflect.DeepEqual(got, want) {
		t.Fatalf("after restart\n got %+v\nwant %+v", got, want)
	}
	if got := changes.take(); len(got) != 0 {
		t.Errorf("changes reported during Start's replay: %v", got)
	}
}

// TestKafkaConfigGolden pins the exact bytes of every record kind.
func TestKafkaConfigGolden(t *testing.T) {
	ctx := testCtx(t)
	addrs := cluster(t)
	createTopic(t, addrs, "configs", 1)
	client := newClient(t, addrs)
	s := NewKafkaConfig(client, "configs")
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	props := map[string]string{"connector.class": "FileStreamSource", "file": "in.txt", "tasks.max": "1",
		"topic": "lines", "x": `a<b>&c é "q"`}
	steps := []error{
		s.PutConnectorConfig(ctx, "file-source", props, Paused),
		s.PutTaskConfigs(ctx, "file-source", []map[string]string{{"file": "in.txt", "task.class": "FileStreamSourceTask", "topic": "lines"}}),
		s.PutTargetState(ctx, "file-source", Stopped),
		s.PutTargetState(ctx, "file-source", Started),
		s.RemoveConnectorConfig(ctx, "file-source"),
	}
	for i, err := range steps {
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	diffLines(t, formatRecords(readRaw(t, client, "configs")), formatWant(loadRecords(t, "testdata/config-topic.golden")))
}

// TestKafkaConfigReadsApacheTopic reads a topic as Apache Kafka Connect
// writes it, including record kinds Wharf ignores.
func TestKafkaConfigReadsApacheTopic(t *testing.T) {
	addrs := cluster(t)
	createTopic(t, addrs, "apache-configs", 1)
	produceRaw(t, addrs, "apache-configs", loadRecords(t, "testdata/apache-config-topic.txt"))
	s := NewKafkaConfig(newClient(t, addrs), "apache-configs")
	if err := s.Start(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	task := "io.confluent.connect.jdbc.source.JdbcSourceTask"
	want := ConfigSnapshot{
		Connectors: map[string]map[string]string{
			"jdbc":      {"tasks.max": "2", "name": "jdbc", "connector.class": "io.confluent.connect.jdbc.JdbcSourceConnector"},
			"old-style": {"name": "old-style", "connector.class": "FileStreamSink"},
			"legacy":    {"name": "legacy", "connector.class": "FileStreamSink"},
			"half":      {"name": "half"},
		},
		TargetStates: map[string]TargetState{"jdbc": Stopped, "old-style": Started, "legacy": Paused, "half": Started},
		Offset:       20,
		TaskConfigs: map[string][]map[string]string{
			"jdbc": {{"task.class": task, "tables": "a"}, {"task.class": task, "tables": "b"}},
			// "half" committed 2 tasks but only task 1 survived: no usable set.
		},
	}
	if got := s.Snapshot(); !reflect.DeepEqual(got, want) {
		t.Fatalf("snapshot\n got %+v\nwant %+v", got, want)
	}
}

// TestKafkaTaskConfigsNeedCommit checks that task records stay invisible
// until their commit record is read, also when another worker writes them.
func TestKafkaTaskConfigsNeedCommit(t *testing.T) {
	ctx := testCtx(t)
	addrs := cluster(t)
	createTopic(t, addrs, "cfg", 1)
	client := newClient(t, addrs)
	s := NewKafkaConfig(client, "cfg")
	var changes changeLog
	s.OnChange(changes.add)
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	if err := s.PutConnectorConfig(ctx, "c", map[string]string{"k": "v"}, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.PutTaskConfigs(ctx, "c", []map[string]string{{"t": "old"}}); err != nil {
		t.Fatal(err)
	}
	produceRaw(t, addrs, "cfg", []Record{
		{[]byte("task-c-0"), []byte(`{"properties":{"t":"new0"}}`)},
		{[]byte("task-c-1"), []byte(`{"properties":{"t":"new1"}}`)},
	})
	if err := s.log.ReadToEnd(ctx); err != nil {
		t.Fatal(err)
	}
	if got := s.Snapshot().TaskConfigs["c"]; !reflect.DeepEqual(got, []map[string]string{{"t": "old"}}) {
		t.Fatalf("uncommitted task configs visible: %v", got)
	}
	changes.take()
	produceRaw(t, addrs, "cfg", []Record{{[]byte("commit-c"), []byte(`{"tasks":2}`)}})
	if err := s.log.ReadToEnd(ctx); err != nil {
		t.Fatal(err)
	}
	if got := s.Snapshot().TaskConfigs["c"]; !reflect.DeepEqual(got, []map[string]string{{"t": "new0"}, {"t": "new1"}}) {
		t.Fatalf("committed task configs: %v", got)
	}
	if got := changes.take(); !reflect.DeepEqual(got, []ConfigChange{{TaskConfigs, "c"}}) {
		t.Errorf("changes: %v", got)
	}
}

func TestKafkaConfigGoldenValues(t *testing.T) {
	// The encoders alone, for values not covered by the topic golden file.
	if got := string(encodeTargetState(Started)); got != `{"state":"STARTED","state.v2":"STARTED"}` {
		t.Error(got)
	}
	if got := string(encodeCommit(0)); got != `{"tasks":0}` {
		t.Error(got)
	}
	if got := string(encodeProperties(map[string]string{"a\u2028": "\x01"})); got != "{\"properties\":{\"a\u2028\":\"\\u0001\"}}" {
		t.Error(got)
	}
	if !regexp.MustCompile(`^\{"properties":\{\}\}$`).MatchString(string(encodeProperties(nil))) {
		t.Error(string(encodeProperties(nil)))
	}
}

// TestKafkaConfigSkipsAbortedTransactions reads a config topic with
// transactional writes (Apache Connect with exactly.once.source.support):
// aborted records are never applied.
func TestKafkaConfigSkipsAbortedTransactions(t *testing.T) {
	ctx := testCtx(t)
	addrs := cluster(t)
	createTopic(t, addrs, "tx-configs", 1)
	cfg, _ := kafka.SaramaConfig(nil, kafka.RoleProducer)
	cfg.Producer.Idempotent = true
	cfg.Producer.Transaction.ID = "connect-cluster-leader"
	p, err := sarama.NewAsyncProducer(addrs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	go func() {
		for range p.Successes() {
		}
	}()
	send := func(key, value string, commit bool) {
		must(t, p.BeginTxn())
		p.Input() <- &sarama.ProducerMessage{Topic: "tx-configs", Key: sarama.StringEncoder(key), Value: sarama.StringEncoder(value)}
		if commit {
			must(t, p.CommitTxn())
		} else {
			must(t, p.AbortTxn())
		}
	}
	send("connector-aborted", `{"properties":{"a":"1"}}`, false)
	send("connector-kept", `{"properties":{"k":"1"}}`, true)
	send("connector-kept", `{"properties":{"k":"aborted"}}`, false)

	s := NewKafkaConfig(newClient(t, addrs), "tx-configs")
	must(t, s.Start(ctx))
	defer s.Stop()
	snap := s.Snapshot()
	if _, ok := snap.Connectors["aborted"]; ok || snap.Connectors["kept"]["k"] != "1" || len(snap.Connectors) != 1 {
		t.Fatalf("snapshot: %+v", snap.Connectors)
	}
	// The store keeps working after transactional records and markers.
	must(t, s.PutConnectorConfig(ctx, "mine", map[string]string{"m": "1"}, ""))
	if s.Snapshot().Connectors["mine"]["m"] != "1" {
		t.Error("own write not visible")
	}
}
