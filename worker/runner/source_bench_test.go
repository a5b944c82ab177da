package runner_test

import (
	"context"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/testserver"
	"github.com/wharf-project/wharf/worker/kafka"
	"github.com/wharf-project/wharf/worker/runner"
)

// benchSource returns batches of copies of one pre-built record (a few KB
// value, one source partition), with pre-built offsets 1, 2, …, until it has
// returned total records. Records past warmup wait for the gate.
type benchSource struct {
	template []connector.SourceRecord // one batch, copied per poll
	offsets  []any                    // offsets[n] is position{n+1}, boxed in advance

	warmup, total int
	gate          chan struct{} // closed when the timed part starts
	started       chan struct{}
	polled        int          // Poll is called from the runner goroutine only
	committed     atomic.Int64 // highest offset given to CommitOffsets
}

func newBenchSource(topic string, batch, valueSize, warmup, total int) *benchSource {
	part := connector.NewSourcePartition(map[string]any{"slot": "bench"})
	unit := `{"id":12345,"name":"abcdefghij","payload":"xyz"},`
	value := []byte(strings.Repeat(unit, valueSize/len(unit)+1))[:valueSize]
	s := &benchSource{warmup: warmup, total: total, gate: make(chan struct{}), started: make(chan struct{})}
	s.template = make([]connector.SourceRecord, batch)
	for i := range s.template {
		r := connector.SourceRecord{SourcePartition: part}
		r.Topic, r.Partition = topic, connector.NoPartition
		r.Key, r.Value = "key-12345", value
		s.template[i] = r
	}
	s.offsets = make([]any, total)
	for i := range s.offsets {
		s.offsets[i] = position{Pos: i + 1}
	}
	return s
}

func (s *benchSource) Start(context.Context, connector.SourceTaskContext, map[string]string) error {
	close(s.started)
	return nil
}

func (s *benchSource) Poll(ctx context.Context) ([]connector.SourceRecord, error) {
	select {
	case <-s.gate:
	default:
		if s.polled >= s.warmup {
			// Return now and then, so the runner flushes the warm-up's offsets.
			return nil, s.idle(ctx)
		}
	}
	end := s.total
	if s.polled < s.warmup {
		end = s.warmup
	}
	n := min(len(s.template), end-s.polled)
	if n <= 0 {
		return nil, s.idle(ctx)
	}
	out := make([]connector.SourceRecord, n)
	copy(out, s.template)
	for i := range out {
		out[i].SourceOffset = s.offsets[s.polled+i]
	}
	s.polled += n
	return out, nil
}

func (s *benchSource) idle(ctx context.Context) error {
	t := time.NewTimer(time.Millisecond)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (s *benchSource) Stop() error { return nil }

func (s *benchSource) CommitOffsets(_ context.Context, c []connector.CommittedOffset) error {
	for _, o := range c {
		if p, ok := o.Offset.(position); ok && int64(p.Pos) > s.committed.Load() {
			s.committed.Store(int64(p.Pos))
		}
	}
	return nil
}

// ackingBenchSource also implements connector.RecordAcker.
type ackingBenchSource struct {
	*benchSource
	acked atomic.Int64
}

func (s *ackingBenchSource) AckRecord(*connector.SourceRecord, int32, int64) { s.acked.Add(1) }

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSource measures the source runner per record: polled batches of
// a pre-built 4.4 KB record go through a copying converter into kfake with
// the worker's producer defaults (lz4, acks=all; kfake keeps every record in
// memory, which the repetitive value keeps small). An op is one record whose
// offset was committed, that is which Kafka acknowledged. cpu-ns/rec is the
// CPU time of the whole process (runner, sarama and the in-process broker)
// per record. "acker": the task implements RecordAcker; "commit": it does
// not (as the Postgres task).
func BenchmarkSource(b *testing.B) {
	b.Run("commit", func(b *testing.B) { benchSource1(b, false) })
	b.Run("acker", func(b *testing.B) { benchSource1(b, true) })
}

func benchSource1(b *testing.B, acker bool) {
	brokers := testserver.Kafka(b, 1)
	sc, err := kafka.SaramaConfig(nil, kafka.RoleProducer)
	if err != nil {
		b.Fatal(err)
	}
	const warmup = 5000
	task := newBenchSource("bench", 500, 4400, warmup, warmup+b.N)
	var st states
	cfg := sourceConfig(brokers, task, newMemOffsets(), &st)
	if acker {
		cfg.Task = &ackingBenchSource{benchSource: task}
	}
	cfg.Sarama = sc
	cfg.FlushInterval = 5 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := runSource(ctx, runner.NewSource(cfg))
	<-task.started
	wait := func(n int) {
		deadline := time.Now().Add(60 * time.Second)
		for task.committed.Load() < int64(n) {
			select {
			case err := <-done:
				b.Fatalf("Run ended early: %v", err)
			default:
			}
			if time.Now().After(deadline) {
				b.Fatalf("%d of %d records committed", task.committed.Load(), n)
			}
			time.Sleep(200 * time.Microsecond)
		}
	}
	wait(warmup)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	close(task.gate)
	wait(warmup + b.N)
	b.StopTimer()
	b.ReportMetric(float64((cpuTime()-cpu).Nanoseconds())/float64(b.N), "cpu-ns/rec")
	cancel()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	if a, ok := cfg.Task.(*ackingBenchSource); ok && a.acked.Load() != int64(warmup+b.N) {
		b.Fatalf("%d records acked, want %d", a.acked.Load(), warmup+b.N)
	}
}
