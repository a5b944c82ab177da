package runner

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/IBM/sarama"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/data"
	"github.com/wharf-project/wharf/worker/tolerance"
)

// errSessionEnd ends a group session without failing the task.
var errSessionEnd = errors.New("runner: end session")

// defaultRetryBackoff is the wait before a batch is redelivered when Put
// returned a RetriableError without a backoff.
const defaultRetryBackoff = time.Second

// delivery is the state of one session's delivery goroutine.
type delivery struct {
	s       *Sink
	st      *session
	held    map[connector.TopicPartition][]claimBatch // fetched while paused
	lastPut time.Time
}

// collect adds batches already waiting, up to max.poll.records.
func (d *delivery) collect(first claimBatch) []claimBatch {
	out := []claimBatch{first}
	n := len(first.msgs)
	for n < d.s.cfg.MaxPollRecords {
		select {
		case b := <-d.st.batches:
			out = append(out, b)
			n += len(b.msgs)
		default:
			return out
		}
	}
	return out
}

// process converts and transforms fetched batches and puts them. Records of
// paused partitions are held until those resume.
func (d *delivery) process(ctx context.Context, batches []claimBatch) error {
	s := d.s
	n := 0
	for _, b := range batches {
		n += len(b.msgs)
	}
	recs := make([]connector.SinkRecord, 0, n)
	raws := make([]*sarama.ConsumerMessage, 0, n)
	var next []connector.TopicPartition
	var nextOff []int64
	for _, b := range batches {
		if s.isPaused(b.tp) {
			d.held[b.tp] = append(d.held[b.tp], b)
			continue
		}
		last := b.msgs[len(b.msgs)-1].Offset
		s.cfg.Metrics.Lag(b.tp.Topic, b.tp.Partition, max(0, b.hwm-last-1))
		for _, m := range b.msgs {
			recs = append(recs, connector.SinkRecord{})
			ok, err := s.convert(ctx, m, &recs[len(recs)-1])
			if err != nil {
				return err
			}
			if !ok {
				recs = recs[:len(recs)-1]
				continue
			}
			raws = append(raws, m)
		}
		next = append(next, b.tp)
		nextOff = append(nextOff, last+1)
	}
	if len(next) == 0 {
		return nil
	}
	return d.put(ctx, recs, raws, func() {
		// Skipped and dropped records count as consumed (Connect's origOffsets).
		for i, tp := range next {
			d.st.current[tp] = nextOff[i]
		}
	})
}

// put calls Put until it succeeds, redelivering the same batch after each
// RetriableError's backoff. advance runs after success.
func (d *delivery) put(ctx context.Context, recs []connector.SinkRecord, raws []*sarama.ConsumerMessage, advance func()) error {
	s := d.s
	if recs == nil {
		recs = []connector.SinkRecord{}
	}
	s.mu.Lock()
	s.inflight = raws
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inflight = nil
		s.mu.Unlock()
	}()
	for {
		err := s.cfg.Task.Put(ctx, recs)
		if errantErr := s.takeErrant(); errantErr != nil {
			return errantErr
		}
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			// Put was interrupted by shutdown: the batch was not written.
			return errSessionEnd
		}
		var re *connector.RetriableError
		if !errors.As(err, &re) {
			return fmt.Errorf("runner: put: %w", err)
		}
		backoff := re.Backoff
		if backoff <= 0 {
			backoff = defaultRetryBackoff
		}
		s.log.Warn("retriable error from put; redelivering the batch", "error", err, "backoff", backoff)
		t := time.NewTimer(backoff)
		select {
		case <-t.C:
		case <-d.st.sess.Context().Done():
			t.Stop()
			return errSessionEnd
		case <-d.st.restart:
			t.Stop()
			return errSessionEnd
		}
	}
	d.lastPut = time.Now()
	if advance != nil {
		advance()
	}
	s.cfg.Metrics.Put(len(recs))
	return nil
}

func (s *Sink) takeErrant() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.errantErr
	s.errantErr = nil
	return err
}

// wakeup handles what the task or the herder asked for from other goroutines.
func (d *delivery) wakeup(ctx context.Context) error {
	s, st := d.s, d.st
	s.mu.Lock()
	rewound := false
	for tp, off := range s.rewinds {
		if st.assigned[tp] {
			st.current[tp] = off
			rewound = true
		}
	}
	commitReq := s.commitReq
	s.commitReq = false
	s.mu.Unlock()
	if rewound {
		// sarama cannot seek a running claim: end the generation; the next
		// Setup starts the partitions at the rewound offsets.
		return errSessionEnd
	}
	if commitReq {
		s.commit(ctx, st)
	}
	for tp, bs := range d.held {
		if s.isPaused(tp) {
			continue
		}
		delete(d.held, tp)
		if err := d.process(ctx, bs); err != nil {
			return err
		}
	}
	return nil
}

// checkTopics ends the session when topics.regex matches a different set
// of topics than the session subscribed to.
func (d *delivery) checkTopics() error {
	if d.s.regex == nil {
		return nil
	}
	topics, err := d.s.subscription()
	if err != nil {
		return nil
	}
	var have []string
	for _, tp := range d.st.tps {
		if len(have) == 0 || have[len(have)-1] != tp.Topic {
			have = append(have, tp.Topic)
		}
	}
	for _, t := range topics {
		if _, found := slices.BinarySearch(have, t); !found {
			return errSessionEnd
		}
	}
	return nil
}

// commit asks PreCommit what is safe and commits exactly that, leaving out
// partitions not assigned, offsets past what was Put, and unchanged ones.
func (s *Sink) commit(ctx context.Context, st *session) {
	current := make(map[connector.TopicPartition]int64, len(st.current))
	for tp, off := range st.current {
		current[tp] = off
	}
	safe, err := s.cfg.Task.PreCommit(ctx, current)
	if err != nil {
		s.cfg.Metrics.CommitFailed()
		s.log.Error("PreCommit failed; offsets not committed", "error", err)
		return
	}
	offsets := map[connector.TopicPartition]int64{}
	for tp, off := range safe {
		cur, ok := st.current[tp]
		switch {
		case !st.assigned[tp]:
			s.log.Warn("ignoring offset for a partition not assigned", "topic", tp.Topic, "partition", tp.Partition)
		case !ok || off > cur:
			s.log.Warn("ignoring offset past what was put", "topic", tp.Topic, "partition", tp.Partition,
				"offset", off, "current", cur)
		case off < 0:
		default:
			if last, done := st.committed[tp]; !done || last != off {
				offsets[tp] = off
			}
		}
	}
	if len(offsets) == 0 {
		return
	}
	start := time.Now()
	if err := s.commitOffsets(st, offsets); err != nil {
		s.cfg.Metrics.CommitFailed()
		s.log.Error("offset commit failed", "error", err)
		return
	}
	s.cfg.Metrics.Committed(time.Since(start))
	for tp, off := range offsets {
		st.committed[tp] = off
	}
}

// convert turns a consumed record into out (converters, then
// transformations). It returns false when the record is skipped.
func (s *Sink) convert(ctx context.Context, m *sarama.ConsumerMessage, out *connector.SinkRecord) (bool, error) {
	*out = connector.SinkRecord{
		Record: connector.Record{Topic: m.Topic, Partition: m.Partition, Timestamp: m.Timestamp},
		Offset: m.Offset, TimestampType: connector.CreateTime,
		OriginalTopic: m.Topic, OriginalPartition: m.Partition,
	}
	if m.Timestamp.IsZero() {
		out.TimestampType = connector.NoTimestampType
	}
	var err error
	r := &out.Record
	if r.KeySchema, r.Key, err = s.cfg.KeyConverter.ToConnect(m.Topic, m.Key); err != nil {
		if ok, ferr := s.retryToConnect(ctx, m, tolerance.KeyConverter, &r.KeySchema, &r.Key, err); !ok {
			return false, ferr
		}
	}
	if r.ValueSchema, r.Value, err = s.cfg.ValueConverter.ToConnect(m.Topic, m.Value); err != nil {
		if ok, ferr := s.retryToConnect(ctx, m, tolerance.ValueConverter, &r.ValueSchema, &r.Value, err); !ok {
			return false, ferr
		}
	}
	if len(m.Headers) > 0 {
		r.Headers = make(connector.Headers, len(m.Headers))
		for i, h := range m.Headers {
			hd := &r.Headers[i]
			hd.Key = string(h.Key)
			if hd.Schema, hd.Value, err = s.cfg.HeaderConverter.ToConnectHeader(m.Topic, hd.Key, h.Value); err != nil {
				if ok, ferr := s.retryHeader(ctx, m, hd, h.Value, err); !ok {
					return false, ferr
				}
			}
		}
	}
	if s.cfg.Transforms == nil {
		return true, nil
	}
	apply := func() (bool, error) { return s.cfg.Transforms.Apply(r) }
	if st, ok := s.cfg.Transforms.(SinkTransformer); ok {
		// SMTs such as InsertField's offset.field need the Kafka offset.
		apply = func() (bool, error) { return st.ApplySink(out) }
	}
	orig := *out
	keep, err := apply()
	if err != nil {
		ok, ferr := s.op.Handle(ctx, tolerance.Failure{Stage: tolerance.Transformation,
			Class: typeName(s.cfg.Transforms), Err: err, Consumed: m}, func() error {
			*out = orig
			var e error
			keep, e = apply()
			return e
		})
		if !ok {
			return false, ferr
		}
	}
	return keep, nil
}

func (s *Sink) retryToConnect(ctx context.Context, m *sarama.ConsumerMessage, stage tolerance.Stage,
	schema **data.Schema, v *any, err error) (bool, error) {
	conv, b := s.cfg.ValueConverter, m.Value
	if stage == tolerance.KeyConverter {
		conv, b = s.cfg.KeyConverter, m.Key
	}
	return s.op.Handle(ctx, tolerance.Failure{Stage: stage, Class: typeName(conv), Err: err, Consumed: m},
		func() error {
			var e error
			*schema, *v, e = conv.ToConnect(m.Topic, b)
			return e
		})
}

func (s *Sink) retryHeader(ctx context.Context, m *sarama.ConsumerMessage, hd *connector.Header, b []byte, err error) (bool, error) {
	return s.op.Handle(ctx, tolerance.Failure{Stage: tolerance.HeaderConverter, Class: typeName(s.cfg.HeaderConverter),
		Err: err, Consumed: m}, func() error {
		var e error
		hd.Schema, hd.Value, e = s.cfg.HeaderConverter.ToConnectHeader(m.Topic, hd.Key, b)
		return e
	})
}
