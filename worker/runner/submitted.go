package runner

import (
	"sync"

	"github.com/IBM/sarama"

	"github.com/wharf-project/wharf/connector"
)

// pending is one source record handed to the producer. It embeds the
// producer message so each record costs one allocation; the message's
// Metadata points back to it.
type pending struct {
	msg       sarama.ProducerMessage
	rec       *connector.SourceRecord // as polled, before transformations
	queue     *partitionQueue         // nil: the record has no source partition
	partition int32                   // requested Kafka partition or NoPartition
	acked     bool
	arenas    arenaRefs // where the message's bytes live
}

// partitionQueue holds one source partition's records in submission order.
type partitionQueue struct {
	part    *connector.SourcePartition
	records []*pending
	head    int
	offset  any  // offset of the last record of the acknowledged prefix
	dirty   bool // offset changed since the last flush
}

// submitted tracks records from submission to acknowledgement (Connect's
// SubmittedRecords): per source partition, the committable offset is the
// one of the last record such that it and every earlier record were acked.
// submit is called by the runner goroutine, ack and fail by the producer's
// acknowledgement goroutine.
type submitted struct {
	mu       sync.Mutex
	queues   map[string]*partitionQueue
	inflight int
	empty    chan struct{} // closed when inflight reaches 0; nil when nobody waits
}

func newSubmitted() *submitted {
	return &submitted{queues: map[string]*partitionQueue{}}
}

// submit registers p, a record of rec's source partition, in order.
func (s *submitted) submit(p *pending) {
	s.mu.Lock()
	s.inflight++
	if part := p.rec.SourcePartition; part != nil {
		q := s.queues[part.JSON()]
		if q == nil {
			q = &partitionQueue{part: part}
			s.queues[part.JSON()] = q
		}
		p.queue = q
		q.records = append(q.records, p)
	}
	s.mu.Unlock()
}

// unsubmit takes back the last submitted record, which never reached the
// producer (shutdown while the producer's input was full).
func (s *submitted) unsubmit(p *pending) {
	s.mu.Lock()
	s.inflight--
	if q := p.queue; q != nil && len(q.records) > q.head && q.records[len(q.records)-1] == p {
		q.records = q.records[:len(q.records)-1]
	}
	s.signalLocked()
	s.mu.Unlock()
}

// ack marks p acknowledged (or dropped) and advances its partition's prefix.
func (s *submitted) ack(p *pending) {
	s.mu.Lock()
	s.inflight--
	p.acked = true
	if q := p.queue; q != nil {
		for q.head < len(q.records) && q.records[q.head].acked {
			q.offset = q.records[q.head].rec.SourceOffset
			q.dirty = true
			q.records[q.head] = nil
			q.head++
		}
		if q.head == len(q.records) {
			q.records, q.head = q.records[:0], 0
		} else if q.head > 1024 && q.head*2 > len(q.records) {
			n := copy(q.records, q.records[q.head:])
			clear(q.records[n:])
			q.records, q.head = q.records[:n], 0
		}
	}
	s.signalLocked()
	s.mu.Unlock()
}

// fail records that p will never be acknowledged: its partition's prefix
// stops before it for good, but nobody waits for it any more.
func (s *submitted) fail(*pending) {
	s.mu.Lock()
	s.inflight--
	s.signalLocked()
	s.mu.Unlock()
}

func (s *submitted) signalLocked() {
	if s.inflight == 0 && s.empty != nil {
		close(s.empty)
		s.empty = nil
	}
}

// idle returns a channel closed once no record is in flight.
func (s *submitted) idle() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inflight == 0 {
		c := make(chan struct{})
		close(c)
		return c
	}
	if s.empty == nil {
		s.empty = make(chan struct{})
	}
	return s.empty
}

// committable returns the partitions whose acked prefix moved since the last
// flush, and marks them clean; restore marks them dirty again after a failed
// flush.
func (s *submitted) committable() []connector.CommittedOffset {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []connector.CommittedOffset
	for _, q := range s.queues {
		if q.dirty {
			out = append(out, connector.CommittedOffset{Partition: q.part, Offset: q.offset})
			q.dirty = false
		}
	}
	return out
}

func (s *submitted) restore(offsets []connector.CommittedOffset) {
	s.mu.Lock()
	for _, o := range offsets {
		if q := s.queues[o.Partition.JSON()]; q != nil {
			q.dirty = true
		}
	}
	s.mu.Unlock()
}
