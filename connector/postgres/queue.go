package postgres

import (
	"sync"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/data"
)

// recordOverhead is what a queued record holds besides its key, value and
// topic: the SourceRecord itself, its offset and the queue slot.
const recordOverhead = 256

// recordSize estimates the memory a queued record holds, for
// max.queue.size.in.bytes. Like Debezium's ApproximateStructSizeCalculator
// it counts values, not schemas, which records share.
func recordSize(r *connector.SourceRecord) int64 {
	n := int64(recordOverhead+len(r.Topic)) + data.SizeOf(r.Key) + data.SizeOf(r.Value)
	for _, h := range r.Headers {
		n += int64(len(h.Key)) + data.SizeOf(h.Value)
	}
	return n
}

// byteBudget bounds the bytes of the records between the reader and Poll
// (max.queue.size.in.bytes) as Debezium's ChangeEventQueue does: a record
// waits while the queue holds the limit or more, so one record larger than
// the limit still passes, alone. One goroutine takes (the session's); Poll
// releases.
type byteBudget struct {
	limit int64
	mu    sync.Mutex
	used  int64
	freed chan struct{} // a token after a release, for the waiting taker
}

// newByteBudget returns a budget of limit bytes, or nil for no bound.
func newByteBudget(limit int64) *byteBudget {
	if limit <= 0 {
		return nil
	}
	return &byteBudget{limit: limit, freed: make(chan struct{}, 1)}
}

// tryTake counts n bytes in unless the queue is at its limit.
func (b *byteBudget) tryTake(n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.used >= b.limit {
		return false
	}
	b.used += n
	return true
}

// release counts the records of batch out and wakes the taker.
func (b *byteBudget) release(batch []connector.SourceRecord) {
	if b == nil || len(batch) == 0 {
		return
	}
	var n int64
	for i := range batch {
		n += recordSize(&batch[i])
	}
	b.mu.Lock()
	b.used -= n
	b.mu.Unlock()
	select {
	case b.freed <- struct{}{}:
	default:
	}
}
