package heapfloor

import (
	"context"
	"runtime"
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
	before := readUint("/gc/gogc:percent")
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
	cancel()
	<-done
	if p := readUint("/gc/gogc:percent"); p != before {
		t.Errorf("GC percent after Run: %d, want %d restored", p, before)
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
