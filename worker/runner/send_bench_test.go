package runner

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/IBM/sarama"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/data"
)

// instantProducer is a sarama.AsyncProducer that returns every message as
// written as soon as it takes it, in batches of what is waiting, so a
// benchmark sees the runner's own cost without a broker's.
type instantProducer struct {
	sarama.AsyncProducer // not implemented
	input                chan *sarama.ProducerMessage
	successes            chan *sarama.ProducerMessage
	errors               chan *sarama.ProducerError
	done                 chan struct{}
}

func newInstantProducer() *instantProducer {
	p := &instantProducer{input: make(chan *sarama.ProducerMessage, 256),
		successes: make(chan *sarama.ProducerMessage, 256), errors: make(chan *sarama.ProducerError),
		done: make(chan struct{})}
	go func() {
		defer close(p.done)
		var offset int64
		for m := range p.input {
			m.Offset = offset
			offset++
			p.successes <- m
		}
		close(p.successes)
		close(p.errors)
	}()
	return p
}

func (p *instantProducer) Input() chan<- *sarama.ProducerMessage     { return p.input }
func (p *instantProducer) Successes() <-chan *sarama.ProducerMessage { return p.successes }
func (p *instantProducer) Errors() <-chan *sarama.ProducerError      { return p.errors }
func (p *instantProducer) AsyncClose()                               { close(p.input) }

// copyConv appends []byte and string values as they are.
type copyConv struct{}

func (copyConv) Configure(map[string]string, bool) error { return nil }

func (copyConv) Append(dst []byte, _ string, _ *data.Schema, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		return append(dst, x...), nil
	case []byte:
		return append(dst, x...), nil
	}
	return nil, fmt.Errorf("copyConv: unsupported type %T", v)
}

func (copyConv) ToConnect(string, []byte) (*data.Schema, any, error) { return nil, nil, nil }

type nopSourceTask struct{}

func (nopSourceTask) Start(context.Context, connector.SourceTaskContext, map[string]string) error {
	return nil
}
func (nopSourceTask) Poll(context.Context) ([]connector.SourceRecord, error) { return nil, nil }
func (nopSourceTask) Stop() error                                            { return nil }

type ackingSourceTask struct {
	nopSourceTask
	acked atomic.Int64
}

func (t *ackingSourceTask) AckRecord(*connector.SourceRecord, int32, int64) { t.acked.Add(1) }

// BenchmarkSend measures the source runner's own work per record (send,
// the conversions of a 4.4 KB value by copying, ackLoop, the submitted
// records) against a producer that acknowledges at once; an op is a record.
// "commit": the task is no RecordAcker; "acker": it is one.
func BenchmarkSend(b *testing.B) {
	b.Run("commit", func(b *testing.B) { benchSend(b, nopSourceTask{}) })
	b.Run("acker", func(b *testing.B) { benchSend(b, &ackingSourceTask{}) })
}

func benchSend(b *testing.B, task connector.SourceTask) {
	const batch = 500
	part := connector.NewSourcePartition(map[string]any{"slot": "bench"})
	value := []byte(strings.Repeat("x", 4400))
	template := make([]connector.SourceRecord, batch)
	for i := range template {
		r := connector.SourceRecord{SourcePartition: part}
		r.Topic, r.Partition = "bench", connector.NoPartition
		r.Key, r.Value = "key-12345", value
		template[i] = r
	}
	offsets := make([]any, b.N+batch)
	for i := range offsets {
		offsets[i] = i + 1000 // boxed in advance
	}
	s := NewSource(SourceConfig{Connector: "bench", Task: task,
		KeyConverter: copyConv{}, ValueConverter: copyConv{}})
	producer := newInstantProducer()
	ctx := context.Background()
	acks := make(chan struct{})
	go func() {
		defer close(acks)
		s.ackLoop(ctx, producer)
	}()
	b.ReportAllocs()
	b.ResetTimer()
	for sent := 0; sent < b.N; {
		n := min(batch, b.N-sent)
		recs := make([]connector.SourceRecord, n)
		copy(recs, template)
		for i := range recs {
			recs[i].SourceOffset = offsets[sent+i]
		}
		if err := s.send(ctx, producer, recs); err != nil {
			b.Fatal(err)
		}
		sent += n
	}
	<-s.track.idle()
	b.StopTimer()
	producer.AsyncClose()
	<-acks
	<-producer.done
	if got := s.track.committable(); len(got) != 1 || got[0].Offset != offsets[b.N-1] {
		b.Fatalf("committable %v, want offset %v", got, offsets[b.N-1])
	}
	if t, ok := task.(*ackingSourceTask); ok && t.acked.Load() != int64(b.N) {
		b.Fatalf("%d acked, want %d", t.acked.Load(), b.N)
	}
}
