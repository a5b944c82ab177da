package runner

import (
	"context"
	"fmt"
	"slices"

	"github.com/IBM/sarama"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/data"
	"github.com/wharf-project/wharf/worker/tolerance"
)

// rawBytes is a sarama.Encoder over bytes that lives inside pending, so
// setting a message key or value costs no allocation.
type rawBytes struct{ b []byte }

func (r *rawBytes) Encode() ([]byte, error) { return r.b, nil }
func (r *rawBytes) Length() int             { return len(r.b) }

// outgoing is a pending record with its key and value encoders.
type outgoing struct {
	pending
	key, value rawBytes
}

func (s *Source) newProducer() (sarama.AsyncProducer, error) {
	c := sarama.NewConfig()
	if s.cfg.Sarama != nil {
		cc := *s.cfg.Sarama
		c = &cc
	} else {
		// Connect's producer defaults: acks=all, one request in flight so
		// retries cannot reorder records.
		c.Producer.RequiredAcks = sarama.WaitForAll
		c.Net.MaxOpenRequests = 1
	}
	c.Producer.Return.Successes = true
	c.Producer.Return.Errors = true
	c.Producer.Partitioner = newPartitioner
	return sarama.NewAsyncProducer(s.cfg.Brokers, c)
}

// send transforms, converts and produces one polled batch. Records dropped by
// a transformation or skipped by error tolerance count as acknowledged, so
// their offsets are committed (Connect's recordDropped).
func (s *Source) send(ctx context.Context, producer sarama.AsyncProducer, recs []connector.SourceRecord) error {
	for i := range recs {
		rec := &recs[i]
		o := &outgoing{}
		o.rec = rec
		r := rec.Record
		if s.cfg.Transforms != nil {
			// Transformations change the record in place; the task's record
			// stays as polled for AckRecord and error reports.
			r.Headers = slices.Clone(r.Headers)
			keep, err := s.cfg.Transforms.Apply(&r)
			if err != nil {
				keep, err = s.retryTransform(ctx, rec, &r, err)
				if err != nil {
					return err
				}
			}
			if !keep {
				s.dropped(&o.pending)
				continue
			}
		}
		s.filling = &o.pending
		ok, err := s.convert(ctx, o, &r)
		s.filling = nil
		if err != nil {
			s.releaseArenas(&o.pending)
			return err
		}
		if !ok {
			s.dropped(&o.pending)
			continue
		}
		if err := s.trackTopic(ctx, r.Topic); err != nil {
			s.releaseArenas(&o.pending)
			return err
		}
		s.track.submit(&o.pending)
		select {
		case producer.Input() <- &o.msg:
		case <-ctx.Done():
			// Shutting down with the producer full: the rest of the batch is
			// not sent and its offsets stay uncommitted.
			s.track.unsubmit(&o.pending)
			s.releaseArenas(&o.pending)
			return nil
		}
	}
	return nil
}

func (s *Source) retryTransform(ctx context.Context, rec *connector.SourceRecord, r *connector.Record, err error) (bool, error) {
	keep := false
	orig := *r
	ok, ferr := s.op.Handle(ctx, tolerance.Failure{Stage: tolerance.Transformation, Class: typeName(s.cfg.Transforms),
		Err: err, Source: rec}, func() error {
		*r = orig
		r.Headers = slices.Clone(orig.Headers)
		var e error
		keep, e = s.cfg.Transforms.Apply(r)
		return e
	})
	return ok && keep, ferr
}

func (s *Source) dropped(p *pending) {
	s.track.submit(p)
	s.track.ack(p)
	s.releaseArenas(p)
	if s.acker != nil {
		s.acker.AckRecord(p.rec, -1, -1)
	}
}

// convert fills o's producer message from the transformed record r. It
// returns false when a conversion failed and the record is skipped.
func (s *Source) convert(ctx context.Context, o *outgoing, r *connector.Record) (bool, error) {
	key, ok, err := s.appendValue(ctx, o.rec, tolerance.KeyConverter, r.Topic, r.KeySchema, r.Key)
	if !ok || err != nil {
		return false, err
	}
	value, ok, err := s.appendValue(ctx, o.rec, tolerance.ValueConverter, r.Topic, r.ValueSchema, r.Value)
	if !ok || err != nil {
		return false, err
	}
	m := &o.msg
	m.Topic = r.Topic
	m.Metadata = &o.pending
	o.partition = r.Partition
	if key != nil {
		o.key.b = key
		m.Key = &o.key
	}
	if value != nil {
		o.value.b = value
		m.Value = &o.value
	}
	if !r.Timestamp.IsZero() {
		m.Timestamp = r.Timestamp
	}
	if len(r.Headers) > 0 {
		m.Headers = make([]sarama.RecordHeader, len(r.Headers))
		for i := range r.Headers {
			h := &r.Headers[i]
			m.Headers[i].Key = s.appendBytes(h.Key)
			v, ok, err := s.appendHeader(ctx, o.rec, r.Topic, h)
			if !ok || err != nil {
				return false, err
			}
			m.Headers[i].Value = v
		}
	}
	return true, nil
}

func (s *Source) appendBytes(b string) []byte {
	return s.take(append(s.room(), b...))
}

func (s *Source) appendValue(ctx context.Context, rec *connector.SourceRecord, stage tolerance.Stage,
	topic string, schema *data.Schema, v any) ([]byte, bool, error) {
	conv := s.cfg.ValueConverter
	if stage == tolerance.KeyConverter {
		conv = s.cfg.KeyConverter
	}
	out, err := conv.Append(s.room(), topic, schema, v)
	if err != nil {
		return s.retryAppend(ctx, rec, stage, conv, topic, schema, v, err)
	}
	if out == nil || (v == nil && len(out) == 0) {
		return nil, true, nil
	}
	return s.take(out), true, nil
}

func (s *Source) retryAppend(ctx context.Context, rec *connector.SourceRecord, stage tolerance.Stage,
	conv connector.Converter, topic string, schema *data.Schema, v any, err error) ([]byte, bool, error) {
	var out []byte
	ok, ferr := s.op.Handle(ctx, tolerance.Failure{Stage: stage, Class: typeName(conv), Err: err, Source: rec},
		func() error {
			var e error
			out, e = conv.Append(nil, topic, schema, v)
			return e
		})
	if !ok || ferr != nil || out == nil {
		return nil, ok, ferr
	}
	return out, true, nil
}

func (s *Source) appendHeader(ctx context.Context, rec *connector.SourceRecord, topic string, h *connector.Header) ([]byte, bool, error) {
	out, err := s.cfg.HeaderConverter.AppendHeader(s.room(), topic, h.Key, h.Schema, h.Value)
	if err == nil {
		if out == nil {
			return nil, true, nil
		}
		return s.take(out), true, nil
	}
	ok, ferr := s.op.Handle(ctx, tolerance.Failure{Stage: tolerance.HeaderConverter,
		Class: typeName(s.cfg.HeaderConverter), Err: err, Source: rec}, func() error {
		var e error
		out, e = s.cfg.HeaderConverter.AppendHeader(nil, topic, h.Key, h.Schema, h.Value)
		return e
	})
	return out, ok, ferr
}

// trackTopic creates a topic before its first record and reports it once.
func (s *Source) trackTopic(ctx context.Context, topic string) error {
	if topic == s.lastTopic {
		return nil
	}
	if _, ok := s.topics[topic]; !ok {
		if s.cfg.EnsureTopic != nil {
			if err := s.cfg.EnsureTopic(ctx, topic); err != nil {
				return fmt.Errorf("runner: create topic %s: %w", topic, err)
			}
		}
		s.topics[topic] = struct{}{}
		if s.cfg.OnTopic != nil {
			s.cfg.OnTopic(topic)
		}
	}
	s.lastTopic = topic
	return nil
}

// ackLoop consumes the producer's acknowledgements until it is closed.
func (s *Source) ackLoop(ctx context.Context, producer sarama.AsyncProducer) {
	succ, errs := producer.Successes(), producer.Errors()
	for succ != nil || errs != nil {
		select {
		case m, ok := <-succ:
			if !ok {
				succ = nil
				continue
			}
			p := m.Metadata.(*pending)
			s.releaseArenas(p)
			s.track.ack(p)
			s.cfg.Metrics.Written(1)
			if s.acker != nil {
				s.acker.AckRecord(p.rec, m.Partition, m.Offset)
			}
		case e, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			s.produceFailed(ctx, e.Msg.Metadata.(*pending), e.Err)
		}
	}
}

// produceFailed applies KIP-779: with errors.tolerance=all a record Kafka
// refused is reported and skipped; otherwise the task fails.
func (s *Source) produceFailed(ctx context.Context, p *pending, err error) {
	err = fmt.Errorf("runner: produce to %s: %w", p.msg.Topic, err)
	s.releaseArenas(p)
	if s.op.Report(context.WithoutCancel(ctx), tolerance.Failure{Stage: tolerance.KafkaProduce,
		Class: "sarama.AsyncProducer", Err: err, Source: p.rec}) == nil {
		s.track.ack(p)
		if s.acker != nil {
			s.acker.AckRecord(p.rec, -1, -1)
		}
		return
	}
	s.track.fail(p)
	s.mu.Lock()
	if s.sendErr == nil {
		s.sendErr = err
	}
	s.mu.Unlock()
}

// partitioner keeps a partition the record names and otherwise hashes the
// key with murmur2 like Java's default partitioner, so keys land where a
// Java producer would put them.
type partitioner struct{ hash sarama.Partitioner }

func newPartitioner(topic string) sarama.Partitioner {
	return &partitioner{hash: sarama.NewMurmur2Partitioner(topic)}
}

func (p *partitioner) Partition(m *sarama.ProducerMessage, n int32) (int32, error) {
	if pd, ok := m.Metadata.(*pending); ok && pd.partition != connector.NoPartition {
		if pd.partition < 0 || pd.partition >= n {
			return -1, fmt.Errorf("runner: partition %d of topic %s does not exist (%d partitions): %w",
				pd.partition, m.Topic, n, sarama.ErrInvalidPartition)
		}
		return pd.partition, nil
	}
	return p.hash.Partition(m, n)
}

func (p *partitioner) RequiresConsistency() bool { return true }

func (p *partitioner) MessageRequiresConsistency(m *sarama.ProducerMessage) bool {
	if pd, ok := m.Metadata.(*pending); ok && pd.partition != connector.NoPartition {
		return true
	}
	return m.Key != nil
}
