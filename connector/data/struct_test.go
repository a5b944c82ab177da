package data

import (
	"fmt"
	"testing"
)

// TestNewStructSizes covers every size class of NewStruct's one-allocation
// layout and the general case: each field is its own slot.
func TestNewStructSizes(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 4, 5, 8, 9, 12, 13, 16, 17, 24, 25, 32, 33, 50} {
		b := StructSchema("")
		for i := range n {
			b.Field(fmt.Sprintf("f%d", i), Int32Schema)
		}
		s := b.Build()
		st := NewStruct(s)
		if st.Schema() != s {
			t.Fatalf("%d fields: schema not kept", n)
		}
		for i := range n {
			st.Set(i, int32(i))
		}
		for i := range n {
			if v := st.At(i); v != int32(i) {
				t.Fatalf("%d fields: field %d = %v", n, i, v)
			}
		}
		if err := st.Validate(); err != nil {
			t.Fatalf("%d fields: %v", n, err)
		}
		if n > 0 {
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("%d fields: Set(%d) did not panic", n, n)
					}
				}()
				st.Set(n, int32(0))
			}()
		}
	}
}

func BenchmarkNewStruct(b *testing.B) {
	sb := StructSchema("")
	for i := range 12 {
		sb.Field(fmt.Sprintf("f%d", i), OptionalStringSchema)
	}
	s := sb.Build()
	b.ReportAllocs()
	for b.Loop() {
		st := NewStruct(s)
		st.Set(0, "x")
		structSink = st // as a record's struct, it outlives the call
	}
}

var structSink *Struct
