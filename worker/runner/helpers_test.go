package runner_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/data"
)

// stringConv is a tiny real converter: strings as UTF-8; bytes starting
// with "poison" cannot be parsed.
type stringConv struct{}

func (stringConv) Configure(map[string]string, bool) error { return nil }

func (stringConv) Append(dst []byte, _ string, _ *data.Schema, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		return append(dst, x...), nil
	case []byte:
		return append(dst, x...), nil
	}
	return nil, fmt.Errorf("stringConv: unsupported type %T", v)
}

func (stringConv) ToConnect(_ string, b []byte) (*data.Schema, any, error) {
	if b == nil {
		return nil, nil, nil
	}
	if strings.HasPrefix(string(b), "poison") {
		return nil, nil, errors.New("stringConv: cannot parse poison")
	}
	return &data.Schema{Type: data.TypeString, Optional: true}, string(b), nil
}

type stringHeaders struct{}

func (stringHeaders) Configure(map[string]string) error { return nil }

func (stringHeaders) AppendHeader(dst []byte, _, _ string, _ *data.Schema, v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	return append(dst, fmt.Sprint(v)...), nil
}

func (stringHeaders) ToConnectHeader(_, _ string, b []byte) (*data.Schema, any, error) {
	if b == nil {
		return nil, nil, nil
	}
	return nil, string(b), nil
}

// memOffsets is an in-memory offset store.
type memOffsets struct {
	mu   sync.Mutex
	data map[string]map[string][]byte
	sets int
}

func newMemOffsets() *memOffsets { return &memOffsets{data: map[string]map[string][]byte{}} }

func (m *memOffsets) Get(_ context.Context, conn string, parts []string) (map[string][]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string][]byte{}
	for _, p := range parts {
		if b, ok := m.data[conn][p]; ok {
			out[p] = b
		}
	}
	return out, nil
}

func (m *memOffsets) Set(_ context.Context, conn string, offs map[string][]byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.data[conn] == nil {
		m.data[conn] = map[string][]byte{}
	}
	for k, v := range offs {
		m.data[conn][k] = append([]byte(nil), v...)
	}
	m.sets++
	return nil
}

func (m *memOffsets) get(conn, part string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return string(m.data[conn][part])
}

// states records OnState calls.
type states struct {
	mu  sync.Mutex
	all []string
	err error
}

func (s *states) on(st string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.all = append(s.all, st)
	if err != nil {
		s.err = err
	}
}

func (s *states) last() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.all) == 0 {
		return ""
	}
	return s.all[len(s.all)-1]
}

func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// goroutines returns a check that fails the test if goroutines started after
// the call are still running once Run returned (sarama closes connections
// asynchronously, so it waits a little). The broker's own goroutines and
// go-metrics' process-wide ticker are not ours and are not counted.
func goroutines(t *testing.T) func() {
	t.Helper()
	base := ours()
	return func() {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			now := ours()
			if len(now) <= len(base) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("goroutines leaked: %d > %d\n%s", len(now), len(base), strings.Join(now, "\n\n"))
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

func ours() []string {
	buf := make([]byte, 4<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "franz-go/pkg/kfake") || strings.Contains(g, "rcrowley/go-metrics") {
			continue
		}
		out = append(out, g)
	}
	return out
}

// readTopic reads n records of topic (all partitions) from the beginning.
func readTopic(t *testing.T, brokers []string, topic string, n int) []*sarama.ConsumerMessage {
	t.Helper()
	c, err := sarama.NewConsumer(brokers, sarama.NewConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	parts, err := c.Partitions(topic)
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan *sarama.ConsumerMessage, n+100)
	var pcs []sarama.PartitionConsumer
	for _, p := range parts {
		pc, err := c.ConsumePartition(topic, p, sarama.OffsetOldest)
		if err != nil {
			t.Fatal(err)
		}
		pcs = append(pcs, pc)
	}
	var wg sync.WaitGroup
	done := make(chan struct{})
	for _, pc := range pcs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case m := <-pc.Messages():
					out <- m
				case <-done:
					return
				}
			}
		}()
	}
	var msgs []*sarama.ConsumerMessage
	timeout := time.After(15 * time.Second)
	for len(msgs) < n {
		select {
		case m := <-out:
			msgs = append(msgs, m)
		case <-timeout:
			close(done)
			wg.Wait()
			t.Fatalf("read %d of %d records from %s", len(msgs), n, topic)
		}
	}
	// Anything beyond n arriving shortly after is a duplicate the caller
	// should see.
	extra := time.After(300 * time.Millisecond)
loop:
	for {
		select {
		case m := <-out:
			msgs = append(msgs, m)
		case <-extra:
			break loop
		}
	}
	close(done)
	wg.Wait()
	for _, pc := range pcs {
		pc.Close()
	}
	return msgs
}

func produce(t *testing.T, brokers []string, msgs ...*sarama.ProducerMessage) {
	t.Helper()
	cfg := sarama.NewConfig()
	cfg.Producer.Return.Successes = true
	cfg.Producer.Partitioner = sarama.NewManualPartitioner
	p, err := sarama.NewSyncProducer(brokers, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.SendMessages(msgs); err != nil {
		t.Fatal(err)
	}
}

func createTopic(t *testing.T, brokers []string, topic string, partitions int32) {
	t.Helper()
	admin, err := sarama.NewClusterAdmin(brokers, sarama.NewConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if err := admin.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: partitions, ReplicationFactor: 1}, false); err != nil {
		t.Fatal(err)
	}
}

func committedOffsets(t *testing.T, brokers []string, group, topic string, parts ...int32) map[int32]int64 {
	t.Helper()
	admin, err := sarama.NewClusterAdmin(brokers, sarama.NewConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	resp, err := admin.ListConsumerGroupOffsets(group, map[string][]int32{topic: parts})
	if err != nil {
		t.Fatal(err)
	}
	out := map[int32]int64{}
	for _, p := range parts {
		if b := resp.GetBlock(topic, p); b != nil {
			out[p] = b.Offset
		}
	}
	return out
}

var _ connector.Converter = stringConv{}
var _ connector.HeaderConverter = stringHeaders{}
