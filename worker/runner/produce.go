package runner

import (
	"context"
	"fmt"

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
//
// The whole batch is registered with the submitted records first (one lock);
// records that are not handed off, because send returns early, are taken
// back before it returns.
func (s *Source) send(ctx context.Context, producer sarama.AsyncProducer, recs []connector.SourceRecord) error {
	batch := s.track.submit(recs, s.batch)
	s.batch = batch
	next := 0 // batch[:next] were handed off (produced or dropped)
	defer func() {
		s.track.unsubmit(batch[next:])
		clear(batch)
		if s.cfg.Transforms != nil {
			s.scratch = connector.Record{}
			clear(s.headers)
		}
	}()
	input := producer.Input()
	for i := range recs {
		rec := &recs[i]
		o := batch[i]
		r := &rec.Record
		if s.cfg.Transforms != nil {
			// Transformations change the record in place; the task's record
			// stays as polled for AckRecord and error reports.
			r = &s.scratch
			s.copyRecord(r, rec)
			keep, err := s.cfg.Transforms.Apply(r)
			if err != nil {
				keep, err = s.retryTransform(ctx, rec, r, err)
				if err != nil {
					return err
				}
			}
			if !keep {
				next = i + 1
				s.dropped(o)
				continue
			}
		}
		s.filling = o
		ok, err := s.convert(ctx, o, r)
		s.filling = nil
		if err != nil {
			s.releaseArenas(o)
			return err
		}
		if !ok {
			next = i + 1
			s.dropped(o)
			continue
		}
		if err := s.trackTopic(ctx, r.Topic); err != nil {
			s.releaseArenas(o)
			return err
		}
		select {
		case input <- &o.msg:
		default:
			select {
			case input <- &o.msg:
			case <-ctx.Done():
				// Shutting down with the producer full: the rest of the
				// batch is not sent and its offsets stay uncommitted.
				s.releaseArenas(o)
				return nil
			}
		}
		next = i + 1
	}
	return nil
}

// copyRecord sets r to the polled record with headers of its own, which the
// transformations may change without touching the task's.
func (s *Source) copyRecord(r *connector.Record, rec *connector.SourceRecord) {
	*r = rec.Record
	if len(rec.Headers) > 0 {
		s.headers = append(s.headers[:0], rec.Headers...)
		r.Headers = s.headers
	} else {
		r.Headers = rec.Headers[:0:0]
	}
}

func (s *Source) retryTransform(ctx context.Context, rec *connector.SourceRecord, r *connector.Record, err error) (bool, error) {
	keep := false
	ok, ferr := s.op.Handle(ctx, tolerance.Failure{Stage: tolerance.Transformation, Class: typeName(s.cfg.Transforms),
		Err: err, Source: rec}, func() error {
		s.copyRecord(r, rec)
		var e error
		keep, e = s.cfg.Transforms.Apply(r)
		return e
	})
	return ok && keep, ferr
}

// dropped acknowledges p, which is not produced; p must not be used after.
func (s *Source) dropped(p *pending) {
	rec := p.rec
	s.releaseArenas(p)
	s.track.ack(p)
	if s.acker != nil {
		s.acker.AckRecord(rec, -1, -1)
	}
}

// convert fills o's producer message from the transformed record r. It
// returns false when a conversion failed and the record is skipped.
func (s *Source) convert(ctx context.Context, o *pending, r *connector.Record) (bool, error) {
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
	m.Metadata = o
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
		if cap(o.headers) < len(r.Headers) {
			o.headers = make([]sarama.RecordHeader, len(r.Headers))
		}
		m.Headers = o.headers[:len(r.Headers)]
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

// maxAckBatch bounds the acknowledgements ackLoop takes at once.
const maxAckBatch = 256

// ackLoop consumes the producer's acknowledgements until it is closed.
// Successes already waiting are handled together: without a RecordAcker
// under one lock of the submitted records; with one, each record is acked
// and then reported to the task before the next one is acked, as one at a
// time.
func (s *Source) ackLoop(ctx context.Context, producer sarama.AsyncProducer) {
	succ, errs := producer.Successes(), producer.Errors()
	batch := make([]*pending, 0, maxAckBatch)
	for succ != nil || errs != nil {
		var m *sarama.ProducerMessage
		select {
		case sm, ok := <-succ:
			if !ok {
				succ = nil
				continue
			}
			m = sm
		case e, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			s.produceFailed(ctx, e.Msg.Metadata.(*pending), e.Err)
			continue
		}
		batch = append(batch[:0], m.Metadata.(*pending))
	drain:
		for len(batch) < maxAckBatch {
			select {
			case m, ok := <-succ:
				if !ok {
					succ = nil
					break drain
				}
				batch = append(batch, m.Metadata.(*pending))
			default:
				break drain
			}
		}
		s.acked(batch)
		clear(batch)
	}
}

// acked handles pendings the producer returned as written, in order.
func (s *Source) acked(batch []*pending) {
	for _, p := range batch {
		s.releaseArenas(p)
	}
	if s.acker == nil {
		s.track.ackAll(batch)
		s.cfg.Metrics.Written(len(batch))
		return
	}
	for _, p := range batch {
		rec, part, off := p.rec, p.msg.Partition, p.msg.Offset
		s.track.ack(p)
		s.cfg.Metrics.Written(1)
		s.acker.AckRecord(rec, part, off)
	}
}

// produceFailed applies KIP-779: with errors.tolerance=all a record Kafka
// refused is reported and skipped; otherwise the task fails.
func (s *Source) produceFailed(ctx context.Context, p *pending, err error) {
	err = fmt.Errorf("runner: produce to %s: %w", p.msg.Topic, err)
	s.releaseArenas(p)
	rec := p.rec
	if s.op.Report(context.WithoutCancel(ctx), tolerance.Failure{Stage: tolerance.KafkaProduce,
		Class: "sarama.AsyncProducer", Err: err, Source: rec}) == nil {
		s.track.ack(p)
		if s.acker != nil {
			s.acker.AckRecord(rec, -1, -1)
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
