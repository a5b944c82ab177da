package runner

import (
	"sync"

	"github.com/IBM/sarama"

	"github.com/wharf-project/wharf/connector"
)

// pending is one source record handed to the producer. It embeds the
// producer message and its key and value encoders; the message's Metadata
// points back to it. Pendings are recycled (see submitted.recycleLocked), so
// steady production allocates none.
type pending struct {
	msg        sarama.ProducerMessage
	key, value rawBytes
	rec        *connector.SourceRecord // as polled, before transformations
	queue      *partitionQueue         // nil: the record has no source partition
	partition  int32                   // requested Kafka partition or NoPartition
	acked      bool
	// refs counts who may still read the pending: its owner (the runner
	// until the record is handed off, then the producer and the
	// acknowledgement goroutine) until ack, and its partition queue until
	// the acknowledged prefix moves past it. Guarded by submitted.mu.
	refs    int8
	arenas  arenaRefs             // where the message's bytes live
	headers []sarama.RecordHeader // reusable backing array of msg.Headers
}

// partitionQueue holds one source partition's records in submission order.
type partitionQueue struct {
	part    *connector.SourcePartition
	records []*pending
	head    int
	offset  any  // offset of the last record of the acknowledged prefix
	dirty   bool // offset changed since the last flush
}

// maxFreePending bounds the idle pendings kept for reuse.
const maxFreePending = 4096

// submitted tracks records from submission to acknowledgement (Connect's
// SubmittedRecords): per source partition, the committable offset is the
// one of the last record such that it and every earlier record were acked.
// submit and unsubmit are called by the runner goroutine, ack by the
// producer's acknowledgement goroutine (and by the runner for dropped
// records), fail by the acknowledgement goroutine.
type submitted struct {
	mu       sync.Mutex
	queues   map[string]*partitionQueue
	inflight int
	empty    chan struct{} // closed when inflight reaches 0; nil when nobody waits
	free     []*pending    // recycled pendings, zeroed

	// Runner goroutine only (read and written under mu): the queue of the
	// previous record's partition, which is nearly always the next one's.
	lastPart  *connector.SourcePartition
	lastQueue *partitionQueue
}

func newSubmitted() *submitted {
	return &submitted{queues: map[string]*partitionQueue{}}
}

// submit registers a pending for each of recs, in order, and returns them in
// out (reused). Every returned pending must then be handed to ack (directly,
// or once the producer returned it), to fail, or back to unsubmit.
func (s *submitted) submit(recs []connector.SourceRecord, out []*pending) []*pending {
	out = out[:0]
	s.mu.Lock()
	s.inflight += len(recs)
	for i := range recs {
		var p *pending
		if n := len(s.free); n > 0 {
			p = s.free[n-1]
			s.free[n-1] = nil
			s.free = s.free[:n-1]
		} else {
			p = &pending{}
		}
		rec := &recs[i]
		p.rec = rec
		p.refs = 1
		if part := rec.SourcePartition; part != nil {
			q := s.lastQueue
			if part != s.lastPart {
				q = s.queues[part.JSON()]
				if q == nil {
					q = &partitionQueue{part: part}
					s.queues[part.JSON()] = q
				}
				s.lastPart, s.lastQueue = part, q
			}
			p.queue = q
			p.refs++
			q.records = append(q.records, p)
		}
		out = append(out, p)
	}
	s.mu.Unlock()
	return out
}

// unsubmit takes back the last submitted records, which never reached the
// producer (shutdown while the producer's input was full, or a failure
// before they were sent). ps must be the tail of what submit returned, none
// of it acknowledged.
func (s *submitted) unsubmit(ps []*pending) {
	if len(ps) == 0 {
		return
	}
	s.mu.Lock()
	s.inflight -= len(ps)
	for i := len(ps) - 1; i >= 0; i-- {
		p := ps[i]
		p.refs--
		if q := p.queue; q != nil && len(q.records) > q.head && q.records[len(q.records)-1] == p {
			q.records[len(q.records)-1] = nil
			q.records = q.records[:len(q.records)-1]
			p.refs--
		}
		s.recycleLocked(p)
	}
	s.signalLocked()
	s.mu.Unlock()
}

// ack marks p acknowledged (or dropped) and advances its partition's prefix.
// The caller must not use p afterwards: it may be recycled at once.
func (s *submitted) ack(p *pending) {
	s.mu.Lock()
	s.ackLocked(p)
	s.signalLocked()
	s.mu.Unlock()
}

// ackAll is ack for each of ps, in order, under one lock.
func (s *submitted) ackAll(ps []*pending) {
	s.mu.Lock()
	for _, p := range ps {
		s.ackLocked(p)
	}
	s.signalLocked()
	s.mu.Unlock()
}

func (s *submitted) ackLocked(p *pending) {
	s.inflight--
	p.acked = true
	q := p.queue
	p.refs--
	s.recycleLocked(p)
	if q == nil {
		return
	}
	for q.head < len(q.records) && q.records[q.head].acked {
		h := q.records[q.head]
		q.offset = h.rec.SourceOffset
		q.dirty = true
		q.records[q.head] = nil
		q.head++
		h.refs--
		s.recycleLocked(h)
	}
	if q.head == len(q.records) {
		q.records, q.head = q.records[:0], 0
	} else if q.head > 1024 && q.head*2 > len(q.records) {
		n := copy(q.records, q.records[q.head:])
		clear(q.records[n:])
		q.records, q.head = q.records[:n], 0
	}
}

// recycleLocked keeps p for reuse once nobody reads it any more. Its arenas
// were released already.
func (s *submitted) recycleLocked(p *pending) {
	if p.refs != 0 || len(s.free) >= maxFreePending {
		return
	}
	h := p.headers
	clear(h[:cap(h)])
	*p = pending{headers: h[:0]}
	s.free = append(s.free, p)
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
