// Package heapfloor keeps the Go heap target from dropping below a floor.
//
// With the default GOGC=100 the garbage collector runs each time the heap
// has grown by its live size. A worker's live heap is small (tens of MB) but
// a source task allocates fast (sarama builds every produce request in fresh
// buffers, ~4 KB per Debezium record with schemas), so it collected dozens of
// times a second and GC took a quarter of its CPU. Raising GOGC for the whole
// process would multiply the memory of workers with a large live heap (S3
// sinks buffering files); a floor costs at most its own size: below it the
// collector waits until the heap reaches the floor, above it GOGC applies
// unchanged. GOMEMLIMIT, when set, still bounds the heap.
//
// The percent is retuned after each collection, from a cleanup that a
// collection runs. A cleanup can come one collection late (its sentinel
// was allocated while a collection was marking, as happens when
// collections follow each other at start-up), and then a percent chosen
// for a tiny live heap applies to a larger one: measured, a 4 MB heap's
// percent let an 11 MB heap grow to 291 MB. So while the percent is raised
// a memory limit of 1.5 × floor (or GOMEMLIMIT, if lower) stands guard; it
// never binds while the retuning keeps up, because the percent is raised
// only while the live heap is below about half the floor.
package heapfloor

import (
	"context"
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// minHeapPer100 is the runtime's minimum heap goal at GOGC=100; it scales
// with GOGC, so a large percent for a tiny heap would overshoot the floor.
const minHeapPer100 = 4 << 20

// Run tunes the GC percent after every collection until ctx is done, so that
// the next heap target is about max(floor, live × (1 + GOGC/100)), with the
// guard limit while it is raised; it then restores the GC percent and
// memory limit it found. It does nothing when floor is 0 or the collector
// is off (GOGC=off). Run it at most once per process.
func Run(ctx context.Context, floor uint64) {
	base := debug.SetGCPercent(100)
	debug.SetGCPercent(base)
	if floor == 0 || base < 0 {
		return
	}
	userLimit := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(userLimit) // after the percent (defers run last first)
	defer debug.SetGCPercent(base)
	gc := make(chan struct{}, 1)
	arm(gc)
	// The runtime's heap goal is live + (live + stacks + globals) × GOGC/100.
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/gc/scan/stack:bytes"},
		{Name: "/gc/scan/globals:bytes"}}
	current, currentLimit := base, userLimit
	for {
		select {
		case <-ctx.Done():
			return
		case <-gc:
		}
		arm(gc)
		metrics.Read(sample)
		var v [3]uint64
		for i, s := range sample {
			if s.Value.Kind() != metrics.KindUint64 {
				return // the runtime no longer reports what the goal is made of
			}
			v[i] = s.Value.Uint64()
		}
		p := Percent(v[0], v[0]+v[1]+v[2], floor, base)
		limit := GuardLimit(p, base, floor, userLimit)
		// Lower the limit before raising the percent, and raise it after
		// lowering the percent, so no moment has the raised percent unguarded.
		if limit < currentLimit {
			debug.SetMemoryLimit(limit)
		}
		if p != current {
			debug.SetGCPercent(p)
			current = p
		}
		if limit > currentLimit {
			debug.SetMemoryLimit(limit)
		}
		currentLimit = limit
	}
}

// GuardLimit is the memory limit that goes with GC percent p: 1.5 × floor
// (or userLimit, when lower) while p is raised above base, userLimit
// otherwise.
func GuardLimit(p, base int, floor uint64, userLimit int64) int64 {
	if p <= base {
		return userLimit
	}
	g := floor + floor/2
	if g > math.MaxInt64 || int64(g) > userLimit {
		return userLimit
	}
	return int64(g)
}

// Percent is the GC percent that puts the heap goal at floor, given the
// live heap and the memory the collector scans (live heap, stacks,
// globals), or base when base already puts it above the floor.
func Percent(live, scanned, floor uint64, base int) int {
	if live >= floor {
		return base
	}
	limit := floor * 100 / minHeapPer100
	p := limit
	if scanned > 0 {
		p = min((floor-live)*100/scanned, limit)
	}
	return max(int(p), base)
}

// sentinel is an object only a collection can reclaim; it is larger than
// the tiny allocator's 16 bytes so it is reclaimed on its own.
type sentinel struct{ _ [32]byte }

// arm signals gc once the next collection has reclaimed a fresh sentinel.
func arm(gc chan<- struct{}) {
	runtime.AddCleanup(new(sentinel), func(gc chan<- struct{}) {
		select {
		case gc <- struct{}{}:
		default:
		}
	}, gc)
}
