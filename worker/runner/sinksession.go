package runner

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/IBM/sarama"

	"github.com/wharf-project/wharf/connector"
)

// handler is the sarama.ConsumerGroupHandler of one Run. sarama calls Setup
// and Cleanup from the goroutine running Consume (the runner's), and
// ConsumeClaim from one goroutine per claimed partition; those only move
// fetched batches to the session's delivery goroutine, the one goroutine
// that calls Put and PreCommit.
type handler struct {
	s   *Sink
	ctx context.Context
	cur *session
}

// session is one consumer group generation.
type session struct {
	sess      sarama.ConsumerGroupSession
	tps       []connector.TopicPartition
	assigned  map[connector.TopicPartition]bool
	batches   chan claimBatch
	restart   chan struct{} // closed to end the generation early (rewind, failure)
	endOnce   sync.Once
	done      chan struct{} // closed when the delivery goroutine ended
	opened    bool
	current   map[connector.TopicPartition]int64 // next offset after what was Put
	committed map[connector.TopicPartition]int64 // last committed by this runner
}

// claimBatch is what a claim goroutine fetched in one go.
type claimBatch struct {
	tp   connector.TopicPartition
	msgs []*sarama.ConsumerMessage
	hwm  int64
}

func (st *session) end() { st.endOnce.Do(func() { close(st.restart) }) }

// Setup opens the assigned partitions and applies rewinds the task asked for
// (also during Open) before any claim starts fetching.
func (h *handler) Setup(sess sarama.ConsumerGroupSession) error {
	s := h.s
	st := &session{
		sess:      sess,
		assigned:  map[connector.TopicPartition]bool{},
		batches:   make(chan claimBatch, 1),
		restart:   make(chan struct{}),
		done:      make(chan struct{}),
		current:   map[connector.TopicPartition]int64{},
		committed: map[connector.TopicPartition]int64{},
	}
	for topic, parts := range sess.Claims() {
		for _, p := range parts {
			tp := connector.TopicPartition{Topic: topic, Partition: p}
			st.tps = append(st.tps, tp)
			st.assigned[tp] = true
		}
	}
	sort.Slice(st.tps, func(i, j int) bool {
		if st.tps[i].Topic != st.tps[j].Topic {
			return st.tps[i].Topic < st.tps[j].Topic
		}
		return st.tps[i].Partition < st.tps[j].Partition
	})
	h.cur = st
	s.log.Debug("partitions assigned", "generation", sess.GenerationID(), "partitions", st.tps)
	if err := s.cfg.Task.Open(h.ctx, st.tps); err != nil {
		s.setFatal(fmt.Errorf("runner: open partitions: %w", err))
		close(st.done)
		return err
	}
	st.opened = true
	s.mu.Lock()
	for tp, off := range s.rewinds {
		if st.assigned[tp] {
			// Reset moves the position back, Mark forward; one of them applies.
			// Neither is committed: auto-commit is off and commits go through
			// commitOffsets with PreCommit's offsets only.
			sess.ResetOffset(tp.Topic, tp.Partition, off, "")
			sess.MarkOffset(tp.Topic, tp.Partition, off, "")
			st.current[tp] = off
		}
	}
	clear(s.rewinds)
	s.mu.Unlock()
	go func() {
		defer close(st.done)
		s.deliver(h.ctx, st)
	}()
	return nil
}

// Cleanup runs after every claim goroutine returned: the delivery goroutine
// is stopped, then a final PreCommit and commit, then Close.
func (h *handler) Cleanup(sarama.ConsumerGroupSession) error {
	s, st := h.s, h.cur
	if st == nil {
		return nil
	}
	h.cur = nil
	st.end()
	<-st.done
	s.log.Debug("partitions revoked", "generation", st.sess.GenerationID(), "partitions", st.tps)
	for _, tp := range st.tps {
		s.cfg.Metrics.RemoveLag(tp.Topic, tp.Partition)
	}
	if !st.opened {
		return nil
	}
	ctx := context.WithoutCancel(h.ctx)
	s.commit(ctx, st)
	if err := s.cfg.Task.Close(ctx, st.tps); err != nil {
		s.setFatal(fmt.Errorf("runner: close partitions: %w", err))
		return err
	}
	return nil
}

// ConsumeClaim forwards fetched records in batches until the claim closes
// or the session ends.
func (h *handler) ConsumeClaim(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	s, st := h.s, h.cur
	tp := connector.TopicPartition{Topic: claim.Topic(), Partition: claim.Partition()}
	if s.isPaused(tp) {
		s.mu.Lock()
		g := s.group
		s.mu.Unlock()
		g.Pause(map[string][]int32{tp.Topic: {tp.Partition}})
	}
	msgs := claim.Messages()
	done := sess.Context().Done()
	s.log.Debug("claim started", "topic", tp.Topic, "partition", tp.Partition, "offset", claim.InitialOffset())
	for {
		var first *sarama.ConsumerMessage
		select {
		case m, ok := <-msgs:
			if !ok {
				return nil
			}
			first = m
		case <-st.restart:
			return nil
		case <-done:
			return nil
		}
		batch := []*sarama.ConsumerMessage{first}
	drain:
		for len(batch) < s.cfg.MaxPollRecords {
			select {
			case m, ok := <-msgs:
				if !ok {
					break drain
				}
				batch = append(batch, m)
			default:
				break drain
			}
		}
		select {
		case st.batches <- claimBatch{tp: tp, msgs: batch, hwm: claim.HighWaterMarkOffset()}:
		case <-st.restart:
			return nil
		case <-done:
			return nil
		}
	}
}

// deliver is the session's delivery loop: batches to Put, empty Puts when
// idle, commits on the interval or on request, rewinds and resumed partitions.
func (s *Sink) deliver(ctx context.Context, st *session) {
	done := st.sess.Context().Done()
	commit := time.NewTicker(s.cfg.CommitInterval)
	defer commit.Stop()
	idle := time.NewTicker(idlePut)
	defer idle.Stop()
	d := &delivery{s: s, st: st, held: map[connector.TopicPartition][]claimBatch{}, lastPut: time.Now()}
	for {
		var err error
		select {
		case <-done:
			return
		case <-st.restart:
			return
		case b := <-st.batches:
			err = d.process(ctx, d.collect(b))
		case <-commit.C:
			s.commit(ctx, st)
			err = d.checkTopics()
		case <-idle.C:
			if time.Since(d.lastPut) >= idlePut {
				err = d.put(ctx, nil, nil, nil)
			}
		case <-s.wake:
			err = d.wakeup(ctx)
		}
		if err != nil {
			// Errors caused by shutdown (a cancelled retry wait) end the
			// session; anything else fails the task.
			if err != errSessionEnd && ctx.Err() == nil {
				s.setFatal(err)
			}
			st.end()
			return
		}
	}
}

// commitOffsets commits offsets for the session's generation and waits for
// the coordinator's answer.
func (s *Sink) commitOffsets(st *session, offsets map[connector.TopicPartition]int64) error {
	s.mu.Lock()
	client := s.client
	s.mu.Unlock()
	conf := client.Config()
	req := &sarama.OffsetCommitRequest{Version: commitVersion(conf.Version), ConsumerGroup: s.cfg.GroupID,
		ConsumerGroupGeneration: st.sess.GenerationID(), ConsumerID: st.sess.MemberID()}
	var ts int64
	switch {
	case req.Version == 1:
		ts = sarama.ReceiveTime
	case req.Version >= 2 && req.Version < 5:
		req.RetentionTime = -1
	}
	for tp, off := range offsets {
		req.AddBlock(tp.Topic, tp.Partition, off, ts, "")
	}
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		var b *sarama.Broker
		b, err = client.Coordinator(s.cfg.GroupID)
		if err != nil {
			continue
		}
		var resp *sarama.OffsetCommitResponse
		resp, err = b.CommitOffset(req)
		if err != nil {
			_ = client.RefreshCoordinator(s.cfg.GroupID)
			continue
		}
		err = commitError(resp)
		if err == nil {
			return nil
		}
		if err != sarama.ErrNotCoordinatorForConsumer && err != sarama.ErrConsumerCoordinatorNotAvailable {
			return err
		}
		_ = client.RefreshCoordinator(s.cfg.GroupID)
	}
	return err
}

func commitError(resp *sarama.OffsetCommitResponse) error {
	for _, parts := range resp.Errors {
		for _, kerr := range parts {
			if kerr != sarama.ErrNoError {
				return kerr
			}
		}
	}
	return nil
}

// commitVersion picks the OffsetCommit version for the configured Kafka
// version, as sarama's offset manager does.
func commitVersion(v sarama.KafkaVersion) int16 {
	switch {
	case v.IsAtLeast(sarama.V2_4_0_0):
		return 8
	case v.IsAtLeast(sarama.V2_3_0_0):
		return 7
	case v.IsAtLeast(sarama.V2_1_0_0):
		return 6
	case v.IsAtLeast(sarama.V2_0_0_0):
		return 4
	case v.IsAtLeast(sarama.V0_11_0_0):
		return 3
	case v.IsAtLeast(sarama.V0_9_0_0):
		return 2
	}
	return 1
}
