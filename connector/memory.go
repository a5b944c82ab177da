package connector

import "sync/atomic"

// MemoryPool is a byte budget the runtime shares between all the connectors
// of a worker that buffer data (the worker property
// wharf.buffer.memory.limit.bytes). Connectors account the bytes they hold
// with Add and shed them (flush, rotate) while Over reports true. A nil
// pool means "no worker-wide limit"; every method is nil-safe. Safe for
// concurrent use.
type MemoryPool struct {
	limit   int64
	used    atomic.Int64
	members atomic.Int64
}

// NewMemoryPool returns a pool of limit bytes, or nil for limit <= 0.
func NewMemoryPool(limit int64) *MemoryPool {
	if limit <= 0 {
		return nil
	}
	return &MemoryPool{limit: limit}
}

// Add accounts d bytes (negative to release).
func (p *MemoryPool) Add(d int64) {
	if p != nil {
		p.used.Add(d)
	}
}

// Over reports whether the pool holds more than its limit.
func (p *MemoryPool) Over() bool { return p != nil && p.used.Load() > p.limit }

// Used returns the bytes accounted.
func (p *MemoryPool) Used() int64 {
	if p == nil {
		return 0
	}
	return p.used.Load()
}

// Limit returns the limit (0 for a nil pool).
func (p *MemoryPool) Limit() int64 {
	if p == nil {
		return 0
	}
	return p.limit
}

// Join registers one more task sharing the pool; call the returned
// function when it stops.
func (p *MemoryPool) Join() (leave func()) {
	if p == nil {
		return func() {}
	}
	p.members.Add(1)
	return func() { p.members.Add(-1) }
}

// Share is a member's fair part of the limit: a task above it sheds its own
// buffers when the pool is over; tasks below it leave that to the others.
// It is 0 for a nil pool.
func (p *MemoryPool) Share() int64 {
	if p == nil {
		return 0
	}
	return p.limit / max(1, p.members.Load())
}
