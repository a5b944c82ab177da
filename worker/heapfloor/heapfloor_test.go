package heapfloor

import (
	"context"
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

func TestPercent(t *testing.T) {
	for _, c := range []struct {
		live, scanned, floor uint64
		base, want           int
	}{
		{live: 16 << 20, scanned: 16 << 20, floor: 128 << 20, base: 100, want: 700}, // 16 + 16 × 7 = 128 MiB
		{live: 16 << 20, scanned: 32 << 20, floor: 128 << 20, base: 100, want: 350}, // 16 + 32 × 3.5
		{live: 64 << 20, scanned: 64 << 20, floor: 128 << 20, base: 100, want: 100}, // doubling reaches the floor
		{live: 200 << 20, scanned: 200 << 20, floor: 128 << 20, base: 100, want: 100},
		{live: 200 << 20, scanned: 200 << 20, floor: 128 << 20, base: 50, want: 50}, // GOGC above the floor is kept
		{live: 16 << 20, scanned: 16 << 20, floor: 128 << 20, base: 900, want: 900},
		{live: 1, scanned: 1, floor: 128 << 20, base: 100, want: 3200}, // the 4 MiB minimum × 32
		{live: 0, scanned: 0, floor: 128 << 20, base: 100, want: 3200},
	} {
		if got := Percent(c.live, c.scanned, c.floor, c.base); got != c.want {
			t.Errorf("Percent(%d, %d, %d, %d) = %d, want %d", c.live, c.scanned, c.floor, c.base, got, c.want)
		}
	}
}

func TestGuardLimit(t *testing.T) {
	const floor = 128 << 20
	for _, c := range []struct {
		p, base   int
		userLimit int64
		want      int64
	}{
		{p: 700, base: 100, userLimit: math.MaxInt64, want: 192 << 20}, // raised: 1.5 × floor
		{p: 100, base: 100, userLimit: math.MaxInt64, want: math.MaxInt64},
		{p: 700, base: 100, userLimit: 150 << 20, want: 150 << 20}, // GOMEMLIMIT below the guard wins
		{p: 700, base: 100, userLimit: 1 << 30, want: 192 << 20},
		{p: 100, base: 100, userLimit: 1 << 30, want: 1 << 30},
	} {
		if got := GuardLimit(c.p, c.base, floor, c.userLimit); got != c.want {
			t.Errorf("GuardLimit(%d, %d, floor, %d) = %d, want %d", c.p, c.base, c.userLimit, got, c.want)
		}
	}
}

func readUint(name string) uint64 {
	s := []metrics.Sample{{Name: name}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// TestRunRaisesGoal runs the tuner in this test process, whose live heap is
// a few MB: after a collection the heap goal is near the floor, and the GC
// percent is restored when Run ends.
func TestRunRaisesGoal(t *testing.T) {
	const floor = 96 << 20
	before, beforeLimit := readUint("/gc/gogc:percent"), readUint("/gc/gomemlimit:bytes")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); Run(ctx, floor) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
		goal := readUint("/gc/heap/goal:bytes")
		if goal >= floor*9/10 && goal <= floor*12/10 {
			break
		}
		if time.Now().After(deadline) {
			cancel()
			<-done
			t.Fatalf("heap goal %d MiB after 10 s, want about %d MiB (GC percent %d)", goal>>20, floor>>20,
				readUint("/gc/gogc:percent"))
		}
	}
	if p := readUint("/gc/gogc:percent"); p <= before {
		t.Errorf("GC percent %d, want above %d", p, before)
	}
	if l := readUint("/gc/gomemlimit:bytes"); l != floor*3/2 {
		t.Errorf("memory limit %d MiB while the percent is raised, want the %d MiB guard", l>>20, floor*3/2>>20)
	}
	cancel()
	<-done
	if p := readUint("/gc/gogc:percent"); p != before {
		t.Errorf("GC percent after Run: %d, want %d restored", p, before)
	}
	if l := readUint("/gc/gomemlimit:bytes"); l != beforeLimit {
		t.Errorf("memory limit after Run: %d, want %d restored", l, beforeLimit)
	}
}

// TestRunMissedRetune holds the retuning back, as a late cleanup does, while
// the live heap grows past what the raised percent was chosen for: the
// guard limit still makes a collection run near 1.5 × floor.
func TestRunMissedRetune(t *testing.T) {
	const floor = 32 << 20
	before, beforeLimit := debug.SetGCPercent(-1), debug.SetMemoryLimit(-1)
	debug.SetGCPercent(before)
	defer debug.SetGCPercent(before)
	defer debug.SetMemoryLimit(beforeLimit)
	runtime.GC()
	// What Run sets after a collection of a ~1 MiB live heap.
	debug.SetMemoryLimit(GuardLimit(Percent(1<<20, 1<<20, floor, before), before, floor, beforeLimit))
	debug.SetGCPercent(Percent(1<<20, 1<<20, floor, before))
	// Keep 24 MiB live; at the raised percent the goal would be ~24 × 32 MiB.
	var keep [][]byte
	for range 24 {
		keep = append(keep, make([]byte, 1<<20))
	}
	runtime.GC() // a collection whose retune never comes
	var peak uint64
	for range 400 {
		b := make([]byte, 1<<20) // garbage
		b[0] = 1
		if h := readUint("/memory/classes/heap/objects:bytes"); h > peak {
			peak = h
		}
	}
	runtime.KeepAlive(keep)
	if peak > floor*2 {
		t.Errorf("heap peaked at %d MiB with a %d MiB floor and a missed retune; the guard should hold it near %d MiB",
			peak>>20, floor>>20, floor*3/2>>20)
	}
}

// TestRunAboveFloor: with a live heap above the floor GOGC is left alone.
func TestRunAboveFloor(t *testing.T) {
	const floor = 16 << 20
	before := readUint("/gc/gogc:percent")
	live := make([]byte, 48<<20)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); Run(ctx, floor) }()
	for range 5 {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if p := readUint("/gc/gogc:percent"); p != before {
		t.Errorf("GC percent %d with %d MiB live above a %d MiB floor, want %d", p, len(live)>>20, floor>>20, before)
	}
	runtime.KeepAlive(live)
	cancel()
	<-done
}
