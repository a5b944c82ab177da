package runner_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/testserver"
	"github.com/wharf-project/wharf/worker/runner"
	"github.com/wharf-project/wharf/worker/tolerance"
)

// twoPartSource emits records k<n> alternately for two source partitions,
// keyed so that they spread over the topic's Kafka partitions (which
// acknowledge them out of submission order). Its offsets count each
// source partition's records. It checks every AckRecord.
type twoPartSource struct {
	topic string
	total int
	batch int
	parts [2]*connector.SourcePartition

	mu    sync.Mutex
	next  int
	acks  map[int]int
	bad   []string
	drops int
	last  int // last record acked
	back  int // acks of a record older than the previous one
}

func (s *twoPartSource) Start(context.Context, connector.SourceTaskContext, map[string]string) error {
	return nil
}

func (s *twoPartSource) Poll(ctx context.Context) ([]connector.SourceRecord, error) {
	s.mu.Lock()
	from := s.next
	to := min(from+s.batch, s.total)
	s.next = to
	s.mu.Unlock()
	if from >= to {
		return idlePoll(ctx)
	}
	recs := make([]connector.SourceRecord, 0, to-from)
	for n := from; n < to; n++ {
		r := connector.SourceRecord{SourcePartition: s.parts[n%2], SourceOffset: position{Pos: n/2 + 1}}
		r.Topic, r.Partition = s.topic, connector.NoPartition
		r.Key, r.Value = fmt.Sprintf("k%d", n), fmt.Sprintf("v%d", n)
		r.Headers = connector.Headers{{Key: "n", Value: strconv.Itoa(n)}}
		recs = append(recs, r)
	}
	return recs, nil
}

func (s *twoPartSource) Stop() error { return nil }

func (s *twoPartSource) AckRecord(rec *connector.SourceRecord, partition int32, offset int64) {
	n, err := strconv.Atoi(strings.TrimPrefix(rec.Key.(string), "k"))
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case err != nil:
		s.bad = append(s.bad, fmt.Sprintf("key %v", rec.Key))
	case rec.Value != fmt.Sprintf("v%d", n) || len(rec.Headers) != 1 || rec.Headers[0].Value != strconv.Itoa(n) ||
		rec.SourcePartition != s.parts[n%2] || rec.SourceOffset.(position).Pos != n/2+1:
		s.bad = append(s.bad, fmt.Sprintf("record %d changed: %+v", n, *rec))
	case dropEvery(n) != (partition == -1 && offset == -1):
		s.bad = append(s.bad, fmt.Sprintf("record %d acked at %d/%d", n, partition, offset))
	}
	if partition == -1 {
		s.drops++
	}
	if n < s.last {
		s.back++
	}
	s.last = n
	s.acks[n]++
}

func (s *twoPartSource) snapshot() (acks int, bad []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for n, c := range s.acks {
		if c != 1 {
			bad = append(bad, fmt.Sprintf("record %d acked %d times", n, c))
		}
	}
	return len(s.acks), append(bad, s.bad...)
}

func dropEvery(n int) bool { return n%10 == 3 }

// tagTransform drops every tenth record and rewrites the header in place,
// which must not reach the task's record.
type tagTransform struct{}

func (tagTransform) Apply(r *connector.Record) (bool, error) {
	n, _ := strconv.Atoi(strings.TrimPrefix(r.Key.(string), "k"))
	if dropEvery(n) {
		return false, nil
	}
	r.Headers[0].Value = "t" + r.Headers[0].Value.(string)
	return true, nil
}

// Records of two source partitions acknowledged out of order across Kafka
// partitions, some dropped, in batches that reuse the runner's bookkeeping:
// every record is acknowledged once with the record the task polled, each
// partition's final offset is committed, and Kafka holds each record once.
func TestSourceManyPartitionsOutOfOrder(t *testing.T) {
	brokers := testserver.Kafka(t, 1)
	createTopic(t, brokers, "multi", 3)
	offsets := newMemOffsets()
	leak := goroutines(t)
	const total = 3000
	task := &twoPartSource{topic: "multi", total: total, batch: 170, acks: map[int]int{},
		parts: [2]*connector.SourcePartition{
			connector.NewSourcePartition(map[string]any{"p": "even"}),
			connector.NewSourcePartition(map[string]any{"p": "odd"}),
		}}
	var st states
	cfg := sourceConfig(brokers, task, offsets, &st)
	cfg.Transforms = tagTransform{}
	ctx, cancel := context.WithCancel(context.Background())
	done := runSource(ctx, runner.NewSource(cfg))
	waitFor(t, 30*time.Second, "all acks", func() bool { n, _ := task.snapshot(); return n == total })
	want := fmt.Sprintf(`{"pos":%d}`, total/2)
	waitFor(t, 5*time.Second, "final offsets", func() bool {
		return offsets.get("src", `{"p":"even"}`) == want && offsets.get("src", `{"p":"odd"}`) == want
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if _, bad := task.snapshot(); len(bad) > 0 {
		t.Fatalf("%d bad acks, first: %s", len(bad), bad[0])
	}
	t.Logf("%d acks out of submission order", task.back)
	if task.drops != total/10 {
		t.Fatalf("%d records dropped, want %d", task.drops, total/10)
	}
	msgs := readTopic(t, brokers, "multi", total-total/10)
	seen := map[string]bool{}
	for _, m := range msgs {
		n, err := strconv.Atoi(strings.TrimPrefix(string(m.Key), "k"))
		if err != nil || seen[string(m.Key)] || dropEvery(n) || string(m.Value) != fmt.Sprintf("v%d", n) ||
			len(m.Headers) != 1 || string(m.Headers[0].Value) != fmt.Sprintf("t%d", n) {
			t.Fatalf("record %s=%s headers %v (duplicate: %v)", m.Key, m.Value, m.Headers, seen[string(m.Key)])
		}
		seen[string(m.Key)] = true
	}
	if len(seen) != total-total/10 {
		t.Fatalf("%d records in Kafka, want %d", len(seen), total-total/10)
	}
	leak()
}

// A record that fails conversion in the middle of a batch fails the task:
// the records before it are written and committed, the rest of the batch is
// taken back at once, so shutdown does not wait for it.
func TestSourceFailureMidBatch(t *testing.T) {
	brokers := testserver.Kafka(t, 1)
	offsets := newMemOffsets()
	task := newCountSource("midbatch", 100)
	task.batch = 50
	var st states
	cfg := sourceConfig(brokers, &badValueSource{countSource: task, bad: 20}, offsets, &st)
	cfg.Errors = tolerance.DefaultConfig()
	cfg.FlushTimeout = time.Minute
	start := time.Now()
	err := <-runSource(context.Background(), runner.NewSource(cfg))
	if err == nil || !strings.Contains(err.Error(), "Tolerance exceeded") {
		t.Fatalf("Run = %v", err)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Fatalf("Run took %v: shutdown waited for records never sent", d)
	}
	if got := offsets.get("src", `{"file":"f"}`); got != `{"pos":20}` {
		t.Fatalf("committed %s, want {\"pos\":20}", got)
	}
	if a, _, _ := task.snapshot(); a != 20 {
		t.Fatalf("%d acks, want 20", a)
	}
}
