package store

import (
	"context"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

type statusStore interface {
	Start(ctx context.Context) error
	Stop() error
	PutConnector(ctx context.Context, name string, s Status) error
	PutTask(ctx context.Context, connector string, task int, s Status) error
	Connector(name string) (Status, bool)
	Tasks(name string) map[int]Status
	DeleteConnector(ctx context.Context, name string) error
	DeleteTask(ctx context.Context, connector string, task int) error
	PutTopic(ctx context.Context, connector, topic string, task int) error
	Topics(connector string) []string
	ResetTopics(ctx context.Context, connector string) error
}

var (
	_ statusStore = (*KafkaStatus)(nil)
	_ statusStore = (*MemoryStatus)(nil)
)

// exerciseStatus leaves connector "keep" RUNNING with task 0 and topic "t1".
func exerciseStatus(t *testing.T, s statusStore) {
	ctx := testCtx(t)
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	w1 := Status{State: "RUNNING", WorkerID: "w1:8083", Generation: 3}
	must(t, s.PutConnector(ctx, "c", w1))
	must(t, s.PutTask(ctx, "c", 0, w1))
	must(t, s.PutTask(ctx, "c", 1, Status{State: "FAILED", Trace: "boom", WorkerID: "w1:8083", Generation: 3}))
	if got, ok := s.Connector("c"); !ok || got != w1 {
		t.Fatalf("Connector = %+v, %v", got, ok)
	}
	if got := s.Tasks("c"); len(got) != 2 || got[1].Trace != "boom" {
		t.Fatalf("Tasks = %+v", got)
	}

	// The task moved to w2 in generation 4; w1's late UNASSIGNED/FAILED
	// writes from generation 3 are ignored, its own newer writes are not.
	w2 := Status{State: "RUNNING", WorkerID: "w2:8083", Generation: 4}
	must(t, s.PutTask(ctx, "c", 0, w2))
	must(t, s.PutTask(ctx, "c", 0, Status{State: "UNASSIGNED", WorkerID: "w1:8083", Generation: 3}))
	must(t, s.PutTask(ctx, "c", 0, Status{State: "FAILED", WorkerID: "w1:8083", Generation: 3}))
	if got := s.Tasks("c")[0]; got != w2 {
		t.Errorf("stale safe write applied: %+v", got)
	}
	newer := Status{State: "UNASSIGNED", WorkerID: "w1:8083", Generation: 5}
	must(t, s.PutTask(ctx, "c", 0, newer))
	if got := s.Tasks("c")[0]; got != newer {
		t.Errorf("newer-generation write ignored: %+v", got)
	}
	// Plain writes (RUNNING, PAUSED, …) always apply, as Connect's put.
	paused := Status{State: "PAUSED", WorkerID: "w3:8083", Generation: 1}
	must(t, s.PutConnector(ctx, "c", paused))
	if got, _ := s.Connector("c"); got != paused {
		t.Errorf("plain write ignored: %+v", got)
	}

	must(t, s.PutTopic(ctx, "c", "zeta", 0))
	must(t, s.PutTopic(ctx, "c", "alpha", 1))
	must(t, s.PutTopic(ctx, "c", "alpha", 1))
	if got := s.Topics("c"); !reflect.DeepEqual(got, []string{"alpha", "zeta"}) {
		t.Errorf("Topics = %v", got)
	}
	must(t, s.ResetTopics(ctx, "c"))
	if got := s.Topics("c"); len(got) != 0 {
		t.Errorf("Topics after reset = %v", got)
	}

	must(t, s.DeleteTask(ctx, "c", 1))
	if _, ok := s.Tasks("c")[1]; ok {
		t.Error("DeleteTask kept the task")
	}
	must(t, s.DeleteConnector(ctx, "c"))
	if _, ok := s.Connector("c"); ok || len(s.Tasks("c")) != 0 {
		t.Error("DeleteConnector kept statuses")
	}

	keep := Status{State: "RUNNING", WorkerID: "w1:8083", Generation: 9}
	must(t, s.PutConnector(ctx, "keep", keep))
	must(t, s.PutTask(ctx, "keep", 0, keep))
	must(t, s.PutTopic(ctx, "keep", "t1", 0))
	must(t, s.Stop())
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestMemoryStatus(t *testing.T) { exerciseStatus(t, NewMemoryStatus()) }

func TestKafkaStatus(t *testing.T) {
	addrs := cluster(t)
	createTopic(t, addrs, "connect-status", 5)
	exerciseStatus(t, NewKafkaStatus(newClient(t, addrs), "connect-status"))

	s := NewKafkaStatus(newClient(t, addrs), "connect-status")
	must(t, s.Start(testCtx(t)))
	defer s.Stop()
	keep := Status{State: "RUNNING", WorkerID: "w1:8083", Generation: 9}
	if got, ok := s.Connector("keep"); !ok || got != keep {
		t.Errorf("connector after restart: %+v, %v", got, ok)
	}
	if got := s.Tasks("keep"); len(got) != 1 || got[0] != keep {
		t.Errorf("tasks after restart: %+v", got)
	}
	if got := s.Topics("keep"); !reflect.DeepEqual(got, []string{"t1"}) {
		t.Errorf("topics after restart: %v", got)
	}
	if _, ok := s.Connector("c"); ok || len(s.Topics("c")) != 0 {
		t.Error("deleted statuses came back after restart")
	}
}

func TestKafkaStatusGolden(t *testing.T) {
	ctx := testCtx(t)
	addrs := cluster(t)
	createTopic(t, addrs, "status", 1)
	client := newClient(t, addrs)
	s := NewKafkaStatus(client, "status")
	must(t, s.Start(ctx))
	defer s.Stop()
	before := time.Now().UnixMilli()
	must(t, s.PutConnector(ctx, "file-sink", Status{State: "RUNNING", WorkerID: "10.0.0.5:8083", Generation: 7}))
	must(t, s.PutTask(ctx, "file-sink", 0, Status{State: "FAILED", Trace: "java.lang.Error: <boom>\n\tat X", WorkerID: "10.0.0.5:8083", Generation: 7}))
	must(t, s.PutTopic(ctx, "file-sink", "lines", 0))
	got := formatRecords(readRaw(t, client, "status"))
	ts := regexp.MustCompile(`"discoverTimestamp":(\d+)`)
	m := ts.FindStringSubmatch(strings.Join(got, "\n"))
	if m == nil {
		t.Fatalf("no discoverTimestamp in %v", got)
	}
	if n, _ := strconv.ParseInt(m[1], 10, 64); n < before || n > time.Now().UnixMilli() {
		t.Errorf("discoverTimestamp %d not between %d and now", n, before)
	}
	for i := range got {
		got[i] = ts.ReplaceAllString(got[i], `"discoverTimestamp":TIMESTAMP`)
	}
	diffLines(t, got, formatWant(loadRecords(t, "testdata/status-topic.golden")))
}

// TestKafkaStatusReadsApacheRecords reads status records written by Apache
// Connect, including a trace and a topic record.
func TestKafkaStatusReadsApacheRecords(t *testing.T) {
	addrs := cluster(t)
	createTopic(t, addrs, "st", 5)
	produceRaw(t, addrs, "st", []Record{
		{[]byte("status-connector-my-conn"), []byte(`{"state":"RUNNING","trace":null,"worker_id":"connect-1:8083","generation":12}`)},
		{[]byte("status-task-my-conn-3"), []byte(`{"state":"FAILED","trace":"org.apache.kafka.connect.errors.ConnectException: x\n\tat y","worker_id":"connect-2:8083","generation":12}`)},
		{[]byte("status-topic-orders.v1:connector-my-conn"), []byte(`{"topic":{"name":"orders.v1","connector":"my-conn","task":3,"discoverTimestamp":1715000000000}}`)},
		{[]byte("status-task-my-conn-x"), []byte(`{}`)},
	})
	s := NewKafkaStatus(newClient(t, addrs), "st")
	must(t, s.Start(testCtx(t)))
	defer s.Stop()
	if got, _ := s.Connector("my-conn"); got != (Status{"RUNNING", "", "connect-1:8083", 12}) {
		t.Errorf("connector: %+v", got)
	}
	want := Status{"FAILED", "org.apache.kafka.connect.errors.ConnectException: x\n\tat y", "connect-2:8083", 12}
	if got := s.Tasks("my-conn"); len(got) != 1 || got[3] != want {
		t.Errorf("tasks: %+v", got)
	}
	if got := s.Topics("my-conn"); !reflect.DeepEqual(got, []string{"orders.v1"}) {
		t.Errorf("topics: %v", got)
	}
}
