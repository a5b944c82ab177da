package runner

import (
	"sync"
	"sync/atomic"
)

// arenaSize is the buffer converters append serialized keys, values and
// headers into; records in flight keep slices of it. An arena is reused
// once the producer has returned every record with bytes in it (sarama
// holds no reference to a message after returning it), so a steady stream
// of records costs no allocation and no zeroing of fresh buffers.
const (
	arenaSize    = 64 << 10
	arenaMinFree = 4 << 10
	// arenaPoolMax bounds the idle arenas kept for reuse (8 MiB): one
	// produce response frees about a request's worth at once.
	arenaPoolMax = 128
)

// arena is one buffer and the count of its users: each record with bytes in
// it, plus one while it is the runner's current arena.
type arena struct {
	buf  []byte
	refs atomic.Int32
}

// arenaPool holds idle arenas; the runner goroutine takes them, the
// acknowledgement goroutine returns them.
type arenaPool struct {
	mu   sync.Mutex
	idle []*arena
}

func (p *arenaPool) get() *arena {
	p.mu.Lock()
	var a *arena
	if n := len(p.idle); n > 0 {
		a = p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
	}
	p.mu.Unlock()
	if a == nil {
		a = &arena{buf: make([]byte, arenaSize)}
	}
	a.refs.Store(1)
	return a
}

// release drops one user of a and keeps it for reuse when it was the last.
func (p *arenaPool) release(a *arena) {
	if a.refs.Add(-1) != 0 {
		return
	}
	p.mu.Lock()
	if len(p.idle) < arenaPoolMax {
		p.idle = append(p.idle, a)
	}
	p.mu.Unlock()
}

// arenaRefs are the arenas one record has bytes in: nearly always one, two
// when the runner moved to a fresh arena while converting it.
type arenaRefs struct {
	first [2]*arena
	more  []*arena
}

func (r *arenaRefs) add(a *arena) {
	for i, x := range r.first {
		if x == a {
			return
		}
		if x == nil {
			r.first[i] = a
			a.refs.Add(1)
			return
		}
	}
	for _, x := range r.more {
		if x == a {
			return
		}
	}
	r.more = append(r.more, a)
	a.refs.Add(1)
}

// releaseAll hands the record's arenas back; its bytes must no longer be read.
func (r *arenaRefs) releaseAll(p *arenaPool) {
	for i, a := range r.first {
		if a != nil {
			p.release(a)
			r.first[i] = nil
		}
	}
	for _, a := range r.more {
		p.release(a)
	}
	r.more = nil
}

// room returns the current arena's spare capacity for the next append,
// moving to another arena when less than the largest append seen is left.
func (s *Source) room() []byte {
	need := max(arenaMinFree, s.largest)
	if s.arena == nil || cap(s.free) < need {
		if s.arena != nil {
			s.arenas.release(s.arena)
		}
		s.arena = s.arenas.get()
		s.free = s.arena.buf[:0]
	}
	return s.free
}

// take records that out, returned by an append into room(), is used by the
// record being converted. An append that outgrew the arena left its bytes in
// memory of their own, which the arena does not track.
func (s *Source) take(out []byte) []byte {
	n := len(out)
	if n == 0 {
		return out[:0:0]
	}
	if cap(out) != cap(s.free) || &out[:1][0] != &s.free[:1][0] {
		s.largest = min(max(s.largest, n+n/4), arenaSize/2)
		return out[:n:n]
	}
	s.free = out[n:]
	if s.filling != nil {
		s.filling.arenas.add(s.arena)
	}
	return out[:n:n]
}

// releaseArenas is called once the producer is done with p's message.
func (s *Source) releaseArenas(p *pending) { p.arenas.releaseAll(&s.arenas) }
