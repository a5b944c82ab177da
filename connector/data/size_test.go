package data

import (
	"math/big"
	"runtime"
	"strings"
	"testing"
	"time"
)

func sizeTestSchema() *Schema {
	inner := StructSchema("inner").Field("s", StringSchema).Field("b", BytesSchema).Build()
	return StructSchema("outer").
		Field("id", Int64Schema).
		Field("name", StringSchema).
		Field("price", DecimalSchema(2)).
		Field("at", Int64Schema).
		Field("tags", ArrayOf(StringSchema)).
		Field("inner", inner).
		Build()
}

func sizeTestValue(s *Schema, text string) *Struct {
	in := NewStruct(s.Fields[5].Schema)
	in.Set(0, strings.Clone(text))
	in.Set(1, []byte(text))
	st := NewStruct(s)
	st.Set(0, int64(7))
	st.Set(1, strings.Clone(text))
	st.Set(2, Decimal{Unscaled: big.NewInt(12345), Scale: 2})
	st.Set(3, time.Unix(1, 0))
	st.Set(4, []any{"a", strings.Clone(text)})
	st.Set(5, in)
	return st
}

// TestSizeOfCountsPayloads checks that every payload byte is counted once
// per place it appears, whatever the nesting.
func TestSizeOfCountsPayloads(t *testing.T) {
	s := sizeTestSchema()
	empty, big := SizeOf(sizeTestValue(s, "")), SizeOf(sizeTestValue(s, strings.Repeat("x", 1000)))
	// The text appears four times: name, tags[1], inner.s, inner.b.
	if got := big - empty; got != 4000 {
		t.Errorf("1000 more bytes in four places: size grew by %d, want 4000", got)
	}
	if empty <= 0 {
		t.Errorf("a struct with values has size %d", empty)
	}
	if n := SizeOf(nil); n != 0 {
		t.Errorf("SizeOf(nil) = %d", n)
	}
	if n := SizeOf((*Struct)(nil)); n != 0 {
		t.Errorf("SizeOf(nil struct) = %d", n)
	}
	m := []MapEntry{{Key: "k", Value: strings.Repeat("v", 100)}}
	if n := SizeOf(m); n < 101 {
		t.Errorf("a map holding 101 payload bytes has size %d", n)
	}
}

// TestSizeOfNearHeap compares the estimate with what the allocator really
// hands out for the same values: a bound that is far off in either
// direction bounds nothing.
func TestSizeOfNearHeap(t *testing.T) {
	s := sizeTestSchema()
	const n = 5000
	keep := make([]*Struct, n)
	text := strings.Repeat("y", 200)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range keep {
		keep[i] = sizeTestValue(s, text[:i%200])
	}
	runtime.ReadMemStats(&after)
	var est int64
	for _, v := range keep {
		est += SizeOf(v)
	}
	heap := int64(after.TotalAlloc - before.TotalAlloc)
	ratio := float64(est) / float64(heap)
	t.Logf("estimate %d, allocated %d: ratio %.2f", est, heap, ratio)
	if ratio < 0.5 || ratio > 2 {
		t.Errorf("estimate %d bytes for %d bytes allocated: ratio %.2f, want within 0.5–2", est, heap, ratio)
	}
}

func TestSizeOfAllocatesNothing(t *testing.T) {
	v := sizeTestValue(sizeTestSchema(), "abc")
	if a := testing.AllocsPerRun(100, func() { _ = SizeOf(v) }); a != 0 {
		t.Errorf("SizeOf allocates %.0f times", a)
	}
}
