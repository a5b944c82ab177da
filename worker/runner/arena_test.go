package runner

import "testing"

// An arena is reused only after the runner moved on from it and every
// record with bytes in it was released.
func TestArenaReuse(t *testing.T) {
	s := &Source{}
	recA, recB := &pending{}, &pending{}

	s.filling = recA
	a := s.take(append(s.room(), "key-a"...))
	v := s.take(append(s.room(), "value-a"...))
	s.filling = recB
	b := s.take(append(s.room(), "value-b"...))
	s.filling = nil
	first := s.arena
	if string(a) != "key-a" || string(v) != "value-a" || string(b) != "value-b" || cap(a) != len(a) {
		t.Fatalf("slices %q %q %q", a, v, b)
	}
	if got := first.refs.Load(); got != 3 { // current + two records
		t.Fatalf("refs = %d, want 3", got)
	}

	// A big append moves to a fresh arena; the first is still current for
	// nobody but still holds recA's and recB's bytes.
	s.largest = arenaSize // force the switch
	s.room()
	if s.arena == first || first.refs.Load() != 2 {
		t.Fatalf("no switch, or refs = %d, want 2", first.refs.Load())
	}
	s.releaseArenas(recA)
	if len(s.arenas.idle) != 0 {
		t.Fatal("arena reused while a record still uses it")
	}
	s.releaseArenas(recB)
	if len(s.arenas.idle) != 1 || s.arenas.idle[0] != first {
		t.Fatalf("idle = %v, want the first arena", s.arenas.idle)
	}
	s.releaseArenas(recB) // releasing twice is a no-op
	if first.refs.Load() != 0 {
		t.Fatalf("refs = %d after double release", first.refs.Load())
	}

	// An append larger than the rest of the arena lands outside it and is
	// not counted.
	s.largest = 0
	s.filling = recA
	big := make([]byte, arenaSize+1)
	out := s.take(append(s.room(), big...))
	s.filling = nil
	if len(out) != len(big) || recA.arenas.first[0] != nil {
		t.Fatalf("spilled append: len %d, refs %v", len(out), recA.arenas.first)
	}
	if s.largest == 0 {
		t.Fatal("largest append not remembered")
	}
}
