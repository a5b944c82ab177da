package runner_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/testserver"
	"github.com/wharf-project/wharf/worker/runner"
	"github.com/wharf-project/wharf/worker/tolerance"
)

type position struct {
	Pos int `json:"pos"`
}

// countSource emits records k<n>/v<n> for n from its committed position up
// to total, batch at a time; its source offset is the position after the record.
type countSource struct {
	topic   string
	total   int
	batch   int
	failAt  int // poll number that fails (0: never)
	badPart int // record number sent to a partition that does not exist (-1: none)
	part    *connector.SourcePartition

	mu        sync.Mutex
	next      int
	polls     int
	started   bool
	stopped   bool
	acked     int
	committed []connector.CommittedOffset
}

func newCountSource(topic string, total int) *countSource {
	return &countSource{topic: topic, total: total, batch: 5, badPart: -1,
		part: connector.NewSourcePartition(map[string]any{"file": "f"})}
}

func (s *countSource) Start(ctx context.Context, tc connector.SourceTaskContext, _ map[string]string) error {
	off, err := tc.Offset(ctx, s.part)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if off != nil {
		s.next = int(off["pos"].(float64))
	}
	s.started = true
	return nil
}

// idlePoll is a Poll with nothing to return: it waits a little, as a task
// with no data does, or until ctx ends.
func idlePoll(ctx context.Context) ([]connector.SourceRecord, error) {
	t := time.NewTimer(10 * time.Millisecond)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-t.C:
		return nil, nil
	}
}

func (s *countSource) Poll(ctx context.Context) ([]connector.SourceRecord, error) {
	s.mu.Lock()
	s.polls++
	polls, from := s.polls, s.next
	to := min(from+s.batch, s.total)
	s.next = to
	s.mu.Unlock()
	if s.failAt > 0 && polls == s.failAt {
		return nil, errors.New("boom")
	}
	if from >= to {
		return idlePoll(ctx)
	}
	recs := make([]connector.SourceRecord, 0, to-from)
	for n := from; n < to; n++ {
		r := connector.SourceRecord{SourcePartition: s.part, SourceOffset: position{Pos: n + 1}}
		r.Topic, r.Partition = s.topic, connector.NoPartition
		r.Key, r.Value = fmt.Sprintf("k%d", n), fmt.Sprintf("v%d", n)
		r.Headers = connector.Headers{{Key: "n", Value: fmt.Sprint(n)}}
		if n == s.badPart {
			r.Partition = 7
		}
		recs = append(recs, r)
	}
	return recs, nil
}

func (s *countSource) Stop() error {
	s.mu.Lock()
	s.stopped = true
	s.mu.Unlock()
	return nil
}

func (s *countSource) AckRecord(*connector.SourceRecord, int32, int64) {
	s.mu.Lock()
	s.acked++
	s.mu.Unlock()
}

func (s *countSource) CommitOffsets(_ context.Context, c []connector.CommittedOffset) error {
	s.mu.Lock()
	s.committed = append(s.committed, c...)
	s.mu.Unlock()
	return nil
}

func (s *countSource) snapshot() (acked, polls int, stopped bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.acked, s.polls, s.stopped
}

func sourceConfig(brokers []string, task connector.SourceTask, offsets runner.OffsetStore, st *states) runner.SourceConfig {
	return runner.SourceConfig{
		Connector: "src", TaskID: 0, Task: task,
		KeyConverter: stringConv{}, ValueConverter: stringConv{}, HeaderConverter: stringHeaders{},
		Brokers: brokers, Offsets: offsets, FlushInterval: 100 * time.Millisecond,
		OnState: func(s runner.State, err error) { st.on(string(s), err) },
	}
}

func runSource(ctx context.Context, s *runner.Source) <-chan error {
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	return done
}

func TestSourceProducesCommitsAndResumes(t *testing.T) {
	brokers := testserver.Kafka(t, 1)
	offsets := newMemOffsets()
	leak := goroutines(t)

	task := newCountSource("out", 20)
	var st states
	var topics []string
	cfg := sourceConfig(brokers, task, offsets, &st)
	cfg.OnTopic = func(tp string) { topics = append(topics, tp) }
	ctx, cancel := context.WithCancel(context.Background())
	done := runSource(ctx, runner.NewSource(cfg))
	waitFor(t, 15*time.Second, "20 acks", func() bool { a, _, _ := task.snapshot(); return a == 20 })
	waitFor(t, 5*time.Second, "offset 20", func() bool { return offsets.get("src", `{"file":"f"}`) == `{"pos":20}` })
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if _, _, stopped := task.snapshot(); !stopped {
		t.Fatal("task not stopped")
	}
	if st.last() != "RUNNING" {
		t.Fatalf("states %v", st.all)
	}
	if len(topics) != 1 || topics[0] != "out" {
		t.Fatalf("OnTopic calls %v", topics)
	}
	last := task.committed[len(task.committed)-1]
	if last.Partition.JSON() != `{"file":"f"}` || last.Offset.(position).Pos != 20 {
		t.Fatalf("last CommitOffsets %+v", last)
	}

	// A new task instance resumes from the committed offset: no loss, no duplicates.
	task2 := newCountSource("out", 30)
	ctx, cancel = context.WithCancel(context.Background())
	done = runSource(ctx, runner.NewSource(sourceConfig(brokers, task2, offsets, &st)))
	waitFor(t, 15*time.Second, "10 acks", func() bool { a, _, _ := task2.snapshot(); return a == 10 })
	waitFor(t, 5*time.Second, "offset 30", func() bool { return offsets.get("src", `{"file":"f"}`) == `{"pos":30}` })
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run 2: %v", err)
	}
	msgs := readTopic(t, brokers, "out", 30)
	if len(msgs) != 30 {
		t.Fatalf("got %d records, want 30", len(msgs))
	}
	for i, m := range msgs {
		if string(m.Key) != fmt.Sprintf("k%d", i) || string(m.Value) != fmt.Sprintf("v%d", i) {
			t.Fatalf("record %d: %s=%s", i, m.Key, m.Value)
		}
		if len(m.Headers) != 1 || string(m.Headers[0].Key) != "n" || string(m.Headers[0].Value) != fmt.Sprint(i) {
			t.Fatalf("record %d headers %v", i, m.Headers)
		}
	}
	leak()
}

func TestSourceCommitsOnlyAckedPrefix(t *testing.T) {
	brokers := testserver.Kafka(t, 1)
	offsets := newMemOffsets()
	leak := goroutines(t)
	task := newCountSource("prefix", 20)
	task.badPart = 7 // Kafka refuses record 7: offsets must stop before it
	var st states
	cfg := sourceConfig(brokers, task, offsets, &st)
	err := <-runSource(context.Background(), runner.NewSource(cfg))
	if err == nil || !strings.Contains(err.Error(), "partition 7") {
		t.Fatalf("Run = %v, want a produce error", err)
	}
	if got := offsets.get("src", `{"file":"f"}`); got != `{"pos":7}` {
		t.Fatalf("committed %s, want {\"pos\":7} (records 0-6)", got)
	}
	if st.last() != "FAILED" || st.err == nil {
		t.Fatalf("states %v err %v", st.all, st.err)
	}
	leak()
}

func TestSourcePauseResume(t *testing.T) {
	brokers := testserver.Kafka(t, 1)
	leak := goroutines(t)
	task := newCountSource("paused", 1<<30)
	task.batch = 1
	var st states
	src := runner.NewSource(sourceConfig(brokers, task, newMemOffsets(), &st))
	ctx, cancel := context.WithCancel(context.Background())
	done := runSource(ctx, src)
	waitFor(t, 10*time.Second, "acks", func() bool { a, _, _ := task.snapshot(); return a > 3 })
	src.Pause()
	if st.last() != "PAUSED" {
		t.Fatalf("states %v", st.all)
	}
	time.Sleep(100 * time.Millisecond) // a poll running at Pause may finish
	_, polls, _ := task.snapshot()
	time.Sleep(400 * time.Millisecond)
	if _, p, _ := task.snapshot(); p != polls {
		t.Fatalf("polled %d times while paused", p-polls)
	}
	src.Resume()
	waitFor(t, 5*time.Second, "polls after resume", func() bool { _, p, _ := task.snapshot(); return p > polls+3 })
	if st.last() != "RUNNING" {
		t.Fatalf("states %v", st.all)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	leak()
}

func TestSourceTaskErrorFails(t *testing.T) {
	brokers := testserver.Kafka(t, 1)
	leak := goroutines(t)
	task := newCountSource("fail", 100)
	task.failAt = 3
	var st states
	err := <-runSource(context.Background(), runner.NewSource(sourceConfig(brokers, task, newMemOffsets(), &st)))
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("Run = %v", err)
	}
	if st.last() != "FAILED" || st.err == nil || !strings.Contains(st.err.Error(), "boom") {
		t.Fatalf("states %v err %v", st.all, st.err)
	}
	if _, _, stopped := task.snapshot(); !stopped {
		t.Fatal("task not stopped after failure")
	}
	leak()
}

func TestSourceConverterErrorTolerance(t *testing.T) {
	brokers := testserver.Kafka(t, 1)
	task := newCountSource("tol", 5)
	// A header value the header converter cannot handle is not possible with
	// stringHeaders, so make the value converter fail on one type.
	var st states
	cfg := sourceConfig(brokers, &badValueSource{countSource: task, bad: 2}, newMemOffsets(), &st)
	cfg.Errors = tolerance.DefaultConfig()
	err := <-runSource(context.Background(), runner.NewSource(cfg))
	if err == nil || !errors.Is(err, tolerance.ErrToleranceExceeded) ||
		!strings.Contains(err.Error(), "Tolerance exceeded in error handler") {
		t.Fatalf("Run = %v", err)
	}

	task = newCountSource("tol2", 5)
	cfg = sourceConfig(brokers, &badValueSource{countSource: task, bad: 2}, newMemOffsets(), &st)
	cfg.Errors = tolerance.DefaultConfig()
	cfg.Errors.Tolerance = tolerance.All
	ctx, cancel := context.WithCancel(context.Background())
	done := runSource(ctx, runner.NewSource(cfg))
	waitFor(t, 10*time.Second, "5 acks (one dropped)", func() bool { a, _, _ := task.snapshot(); return a == 5 })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	msgs := readTopic(t, brokers, "tol2", 4)
	if len(msgs) != 4 {
		t.Fatalf("got %d records, want 4", len(msgs))
	}
}

// badValueSource gives record bad a value the string converter rejects.
type badValueSource struct {
	*countSource
	bad int
}

func (b *badValueSource) Poll(ctx context.Context) ([]connector.SourceRecord, error) {
	recs, err := b.countSource.Poll(ctx)
	for i := range recs {
		if recs[i].Key == fmt.Sprintf("k%d", b.bad) {
			recs[i].Value = 42
		}
	}
	return recs, err
}
