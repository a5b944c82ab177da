package runner_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/testserver"
	"github.com/wharf-project/wharf/worker/metrics"
	"github.com/wharf-project/wharf/worker/runner"
)

func records(topic string, from, to int) []*sarama.ProducerMessage {
	var out []*sarama.ProducerMessage
	for i := from; i < to; i++ {
		out = append(out, record(topic, 0, fmt.Sprintf("k%d", i), fmt.Sprintf("vk%d", i)))
	}
	return out
}

func TestSinkPauseResume(t *testing.T) {
	brokers := testserver.Kafka(t, 1)
	produce(t, brokers, records("pause", 0, 3)...)
	leak := goroutines(t)
	task := &recSink{}
	var st states
	snk := runner.NewSink(sinkConfig(brokers, task, "pause", &st))
	ctx, cancel := context.WithCancel(context.Background())
	done := runSink(ctx, snk)
	waitFor(t, 20*time.Second, "3 records put", func() bool { return task.putCount() == 3 })
	snk.Pause()
	if st.last() != "PAUSED" {
		t.Fatalf("states %v", st.all)
	}
	produce(t, brokers, records("pause", 3, 6)...)
	time.Sleep(700 * time.Millisecond)
	if n := task.putCount(); n != 3 {
		t.Fatalf("%d records put while paused", n)
	}
	snk.Resume()
	waitFor(t, 10*time.Second, "6 records put", func() bool { return task.putCount() == 6 })
	if st.last() != "RUNNING" {
		t.Fatalf("states %v", st.all)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	leak()
}

// rewindSink rewinds partition 0 to offset 3 when opened, and once more to
// offset 1 after it has seen offset 5.
type rewindSink struct {
	recSink
	rewound bool
}

func (s *rewindSink) Put(ctx context.Context, recs []connector.SinkRecord) error {
	if err := s.recSink.Put(ctx, recs); err != nil {
		return err
	}
	for _, r := range recs {
		if r.Offset == 5 && !s.rewound {
			s.rewound = true
			s.tc.Rewind(connector.TopicPartition{Topic: r.Topic, Partition: r.Partition}, 1)
		}
	}
	return nil
}

func TestSinkRewind(t *testing.T) {
	brokers := testserver.Kafka(t, 1)
	produce(t, brokers, records("rewind", 0, 6)...)
	leak := goroutines(t)
	reg := prometheus.NewRegistry()
	m := metrics.New(reg).Task("snk", 0)
	task := &rewindSink{}
	task.rewindOpen = map[connector.TopicPartition]int64{{Topic: "rewind", Partition: 0}: 3}
	var st states
	cfg := sinkConfig(brokers, task, "rewind", &st)
	cfg.Metrics = m
	ctx, cancel := context.WithCancel(context.Background())
	done := runSink(ctx, runner.NewSink(cfg))
	// 3,4,5 then, after the rewind, 1..5 again.
	waitFor(t, 20*time.Second, "8 records put", func() bool { return task.putCount() == 8 })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, r := range task.records() {
		got = append(got, r.Offset)
	}
	if fmt.Sprint(got) != "[3 4 5 1 2 3 4 5]" {
		t.Fatalf("offsets put %v", got)
	}
	if v := counter(t, reg, "wharf_sink_records_put_total"); v != 8 {
		t.Fatalf("wharf_sink_records_put_total = %v", v)
	}
	m.Remove()
	if v := counter(t, reg, "wharf_sink_records_put_total"); v != -1 {
		t.Fatalf("series left after Remove: %v", v)
	}
	leak()
}

// counter returns the value of the first series of name, or -1 if none.
func counter(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name && len(mf.Metric) > 0 {
			return mf.Metric[0].GetCounter().GetValue()
		}
	}
	return -1
}
