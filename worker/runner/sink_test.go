package runner_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/testserver"
	"github.com/wharf-project/wharf/worker/runner"
	"github.com/wharf-project/wharf/worker/tolerance"
)

// recSink records what it is given. preCommit decides what is safe.
type recSink struct {
	preCommit  func(map[connector.TopicPartition]int64) map[connector.TopicPartition]int64
	retryFirst bool   // the first non-empty Put fails with a RetriableError
	errantKey  string // a record with this key is reported errant
	rewindOpen map[connector.TopicPartition]int64

	mu        sync.Mutex
	tc        connector.SinkTaskContext
	puts      [][]connector.SinkRecord // every call, failed ones included
	put       []connector.SinkRecord   // records of successful calls
	retried   bool
	opened    [][]connector.TopicPartition
	closed    [][]connector.TopicPartition
	lastSafe  map[connector.TopicPartition]int64
	stopped   bool
	errantErr error
}

func (s *recSink) Start(_ context.Context, tc connector.SinkTaskContext, _ map[string]string) error {
	s.tc = tc
	return nil
}

func (s *recSink) Open(_ context.Context, tps []connector.TopicPartition) error {
	s.mu.Lock()
	s.opened = append(s.opened, tps)
	s.mu.Unlock()
	for tp, off := range s.rewindOpen {
		s.tc.Rewind(tp, off)
	}
	s.rewindOpen = nil // only the first assignment
	return nil
}

func (s *recSink) Put(ctx context.Context, recs []connector.SinkRecord) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(recs) == 0 {
		return nil
	}
	s.puts = append(s.puts, append([]connector.SinkRecord(nil), recs...))
	if s.retryFirst && !s.retried {
		s.retried = true
		return &connector.RetriableError{Err: errors.New("busy"), Backoff: 100 * time.Millisecond}
	}
	for i := range recs {
		if s.errantKey != "" && recs[i].Key == s.errantKey {
			if err := s.tc.ReportErrant(ctx, &recs[i], errors.New("cannot write")); err != nil {
				s.errantErr = err
				return err
			}
			continue
		}
		s.put = append(s.put, recs[i])
	}
	return nil
}

func (s *recSink) PreCommit(_ context.Context, cur map[connector.TopicPartition]int64) (map[connector.TopicPartition]int64, error) {
	safe := cur
	if s.preCommit != nil {
		safe = s.preCommit(cur)
	}
	s.mu.Lock()
	s.lastSafe = safe
	s.mu.Unlock()
	return safe, nil
}

func (s *recSink) Close(_ context.Context, tps []connector.TopicPartition) error {
	s.mu.Lock()
	s.closed = append(s.closed, tps)
	s.mu.Unlock()
	return nil
}

func (s *recSink) Stop() error {
	s.mu.Lock()
	s.stopped = true
	s.mu.Unlock()
	return nil
}

func (s *recSink) putCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.put)
}

func (s *recSink) records() []connector.SinkRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]connector.SinkRecord(nil), s.put...)
}

func sinkConfig(brokers []string, task connector.SinkTask, topic string, st *states) runner.SinkConfig {
	return runner.SinkConfig{
		Connector: "snk", Task: task, Topics: []string{topic},
		KeyConverter: stringConv{}, ValueConverter: stringConv{}, HeaderConverter: stringHeaders{},
		Brokers: brokers, CommitInterval: 200 * time.Millisecond,
		Errors:  tolerance.DefaultConfig(),
		OnState: func(s runner.State, err error) { st.on(string(s), err) },
	}
}

func runSink(ctx context.Context, s *runner.Sink) <-chan error {
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	return done
}

func record(topic string, p int32, key, value string, headers ...string) *sarama.ProducerMessage {
	m := &sarama.ProducerMessage{Topic: topic, Partition: p, Key: sarama.StringEncoder(key), Value: sarama.StringEncoder(value)}
	for i := 0; i+1 < len(headers); i += 2 {
		m.Headers = append(m.Headers, sarama.RecordHeader{Key: []byte(headers[i]), Value: []byte(headers[i+1])})
	}
	return m
}

func TestSinkCommitsWhatPreCommitReturnsAndResumes(t *testing.T) {
	brokers := testserver.Kafka(t, 1)
	createTopic(t, brokers, "in", 2)
	var msgs []*sarama.ProducerMessage
	for i := 0; i < 10; i++ {
		msgs = append(msgs, record("in", 0, fmt.Sprintf("a%d", i), fmt.Sprintf("va%d", i), "h", fmt.Sprint(i)))
	}
	for i := 0; i < 6; i++ {
		msgs = append(msgs, record("in", 1, fmt.Sprintf("b%d", i), fmt.Sprintf("vb%d", i)))
	}
	produce(t, brokers, msgs...)
	leak := goroutines(t)

	p0 := connector.TopicPartition{Topic: "in", Partition: 0}
	// The task holds back the last two records of partition 0 and never
	// vouches for partition 1.
	task := &recSink{preCommit: func(cur map[connector.TopicPartition]int64) map[connector.TopicPartition]int64 {
		out := map[connector.TopicPartition]int64{}
		if o, ok := cur[p0]; ok {
			out[p0] = o - 2
		}
		return out
	}}
	var st states
	ctx, cancel := context.WithCancel(context.Background())
	done := runSink(ctx, runner.NewSink(sinkConfig(brokers, task, "in", &st)))
	waitFor(t, 20*time.Second, "16 records put", func() bool { return task.putCount() == 16 })
	waitFor(t, 10*time.Second, "commit of partition 0", func() bool {
		return committedOffsets(t, brokers, "connect-snk", "in", 0)[0] == 8
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got := committedOffsets(t, brokers, "connect-snk", "in", 0, 1); got[0] != 8 || got[1] != -1 {
		t.Fatalf("committed %v, want p0=8 and nothing for p1", got)
	}
	if len(task.opened) != 1 || len(task.closed) != 1 || len(task.opened[0]) != 2 || !task.stopped {
		t.Fatalf("opened %v closed %v stopped %v", task.opened, task.closed, task.stopped)
	}
	seen := map[string]bool{}
	for _, r := range task.records() {
		want := fmt.Sprintf("v%s", r.Key)
		if r.Value != want || r.OriginalTopic != "in" || r.Topic != "in" || r.TimestampType != connector.CreateTime {
			t.Fatalf("record %+v", r)
		}
		if r.Partition == 0 {
			if h, ok := r.Headers.Last("h"); !ok || h.Value != fmt.Sprint(r.Offset) {
				t.Fatalf("record %v headers %v", r.Key, r.Headers)
			}
		}
		seen[r.Key.(string)] = true
	}
	if len(seen) != 16 {
		t.Fatalf("distinct records %d", len(seen))
	}

	// A new task starts where the commits left: 8 on p0, the beginning of p1.
	task2 := &recSink{}
	ctx, cancel = context.WithCancel(context.Background())
	done = runSink(ctx, runner.NewSink(sinkConfig(brokers, task2, "in", &st)))
	waitFor(t, 20*time.Second, "8 records put", func() bool { return task2.putCount() == 8 })
	time.Sleep(300 * time.Millisecond)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run 2: %v", err)
	}
	var got []string
	for _, r := range task2.records() {
		got = append(got, fmt.Sprintf("%d/%d", r.Partition, r.Offset))
	}
	if strings.Join(got, " ") != "0/8 0/9 1/0 1/1 1/2 1/3 1/4 1/5" && strings.Join(got, " ") != "1/0 1/1 1/2 1/3 1/4 1/5 0/8 0/9" {
		// Order across partitions may interleave; check as a set.
		set := map[string]bool{}
		for _, g := range got {
			set[g] = true
		}
		for _, w := range []string{"0/8", "0/9", "1/0", "1/1", "1/2", "1/3", "1/4", "1/5"} {
			if !set[w] {
				t.Fatalf("second run got %v", got)
			}
		}
		if len(got) != 8 {
			t.Fatalf("second run got %v", got)
		}
	}
	if c := committedOffsets(t, brokers, "connect-snk", "in", 0, 1); c[0] != 10 || c[1] != 6 {
		t.Fatalf("committed %v after second run", c)
	}
	leak()
}

func TestSinkRetriableRedelivers(t *testing.T) {
	brokers := testserver.Kafka(t, 1)
	var msgs []*sarama.ProducerMessage
	for i := 0; i < 5; i++ {
		msgs = append(msgs, record("retry", 0, fmt.Sprintf("k%d", i), fmt.Sprintf("vk%d", i)))
	}
	produce(t, brokers, msgs...)
	leak := goroutines(t)
	task := &recSink{retryFirst: true}
	var st states
	ctx, cancel := context.WithCancel(context.Background())
	done := runSink(ctx, runner.NewSink(sinkConfig(brokers, task, "retry", &st)))
	waitFor(t, 20*time.Second, "5 records put", func() bool { return task.putCount() == 5 })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(task.puts) < 2 || task.puts[0][0].Offset != task.puts[1][0].Offset || len(task.puts[0]) != len(task.puts[1]) {
		t.Fatalf("batch not redelivered: %d calls", len(task.puts))
	}
	for i, r := range task.records() {
		if r.Offset != int64(i) {
			t.Fatalf("records %v", task.records())
		}
	}
	if c := committedOffsets(t, brokers, "connect-snk", "retry", 0); c[0] != 5 {
		t.Fatalf("committed %v", c)
	}
	leak()
}

func TestSinkDeadLetterQueue(t *testing.T) {
	brokers := testserver.Kafka(t, 1)
	produce(t, brokers,
		record("dlqin", 0, "k0", "v0"), record("dlqin", 0, "k1", "v1"),
		record("dlqin", 0, "k2", "poison-2", "orig", "x"),
		record("dlqin", 0, "k3", "v3"), record("dlqin", 0, "k4", "v4"))
	leak := goroutines(t)
	task := &recSink{errantKey: "k3"}
	var st states
	cfg := sinkConfig(brokers, task, "dlqin", &st)
	cfg.Errors.Tolerance = tolerance.All
	cfg.Errors.LogEnable = true
	cfg.Errors.DLQTopic = "dlq"
	cfg.Errors.DLQReplication = 1
	cfg.Errors.DLQContextHeaders = true
	ctx, cancel := context.WithCancel(context.Background())
	done := runSink(ctx, runner.NewSink(cfg))
	waitFor(t, 20*time.Second, "3 records put", func() bool { return task.putCount() == 3 })
	dead := readTopic(t, brokers, "dlq", 2)
	waitFor(t, 10*time.Second, "commit", func() bool {
		return committedOffsets(t, brokers, "connect-snk", "dlqin", 0)[0] == 5
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(dead) != 2 {
		t.Fatalf("%d DLQ records", len(dead))
	}
	want := []map[string]string{{
		"orig": "x", tolerance.HeaderTopic: "dlqin", tolerance.HeaderPartition: "0", tolerance.HeaderOffset: "2",
		tolerance.HeaderConnectorName: "snk", tolerance.HeaderTaskID: "0", tolerance.HeaderStage: "VALUE_CONVERTER",
		tolerance.HeaderClassName: "runner_test.stringConv", tolerance.HeaderExceptionClass: "*errors.errorString",
		tolerance.HeaderExceptionMessage: "stringConv: cannot parse poison",
	}, {
		tolerance.HeaderTopic: "dlqin", tolerance.HeaderOffset: "3", tolerance.HeaderStage: "TASK_PUT",
		tolerance.HeaderClassName: "*runner_test.recSink", tolerance.HeaderExceptionMessage: "cannot write",
	}}
	for i, m := range dead {
		if string(m.Key) != fmt.Sprintf("k%d", i+2) {
			t.Fatalf("DLQ record %d key %s", i, m.Key)
		}
		h := map[string]string{}
		for _, rh := range m.Headers {
			h[string(rh.Key)] = string(rh.Value)
		}
		for k, v := range want[i] {
			if h[k] != v {
				t.Errorf("DLQ record %d header %s = %q, want %q", i, k, h[k], v)
			}
		}
		if h[tolerance.HeaderExceptionTrace] == "" {
			t.Errorf("DLQ record %d has no stack trace header", i)
		}
	}
	if string(dead[0].Value) != "poison-2" || string(dead[1].Value) != "v3" {
		t.Fatalf("DLQ values %q %q", dead[0].Value, dead[1].Value)
	}
	leak()
}

func TestSinkToleranceNoneFails(t *testing.T) {
	brokers := testserver.Kafka(t, 1)
	produce(t, brokers, record("none", 0, "k0", "v0"), record("none", 0, "k1", "poison"), record("none", 0, "k2", "v2"))
	leak := goroutines(t)
	task := &recSink{}
	var st states
	err := <-runSink(context.Background(), runner.NewSink(sinkConfig(brokers, task, "none", &st)))
	if err == nil || !strings.Contains(err.Error(), "Tolerance exceeded in error handler") {
		t.Fatalf("Run = %v", err)
	}
	if st.last() != "FAILED" || !errors.Is(st.err, tolerance.ErrToleranceExceeded) {
		t.Fatalf("states %v %v", st.all, st.err)
	}
	if c := committedOffsets(t, brokers, "connect-snk", "none", 0); c[0] > 1 {
		t.Fatalf("committed %v past what was put", c)
	}
	leak()
}

func TestSinkErrantRecordWithToleranceNoneFails(t *testing.T) {
	brokers := testserver.Kafka(t, 1)
	produce(t, brokers, records("errant", 0, 3)...)
	leak := goroutines(t)
	task := &recSink{errantKey: "k1"}
	var st states
	cfg := sinkConfig(brokers, task, "errant", &st)
	cfg.Errors.LogEnable = true
	err := <-runSink(context.Background(), runner.NewSink(cfg))
	if !errors.Is(err, tolerance.ErrToleranceExceeded) || !strings.Contains(err.Error(), "cannot write") {
		t.Fatalf("Run = %v", err)
	}
	if c := committedOffsets(t, brokers, "connect-snk", "errant", 0); c[0] > 0 {
		t.Fatalf("committed %v after a failed put", c)
	}
	leak()
}
