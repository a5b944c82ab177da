package data

import "time"

// Approximate sizes, in bytes, of what a value holds on a 64-bit platform.
const (
	sizeIface  = 16 // an interface value: a slot of a Struct, array or map entry
	sizeString = 16 // a string header
	sizeSlice  = 24 // a slice header
	sizeStruct = 32 // a Struct header (schema pointer, values slice)
	sizeWord   = 8  // a number or bool behind an interface
)

// SizeOf estimates the bytes of memory v holds: headers and payloads of
// the Connect data model's Go types, not allocator rounding. It is meant
// for memory bounds such as Debezium's max.queue.size.in.bytes, so it
// errs high: schemas are not counted (they are shared), but a value
// referenced from several places (a source block several snapshot records
// share) is counted for each. It walks v and allocates nothing.
func SizeOf(v any) int64 {
	switch x := v.(type) {
	case nil:
		return 0
	case string:
		return sizeString + int64(len(x))
	case []byte:
		return sizeSlice + int64(len(x))
	case *Struct:
		if x == nil {
			return 0
		}
		n := int64(sizeStruct + sizeIface*len(x.values))
		for _, e := range x.values {
			n += SizeOf(e)
		}
		return n
	case []any:
		n := int64(sizeSlice + sizeIface*len(x))
		for _, e := range x {
			n += SizeOf(e)
		}
		return n
	case []MapEntry:
		n := int64(sizeSlice + 2*sizeIface*len(x))
		for _, e := range x {
			n += SizeOf(e.Key) + SizeOf(e.Value)
		}
		return n
	case Decimal:
		n := int64(sizeWord + sizeWord) // the *big.Int and the scale
		if x.Unscaled != nil {
			n += sizeSlice + sizeWord + int64(len(x.Unscaled.Bits()))*sizeWord
		}
		return n
	case time.Time:
		return 24
	default: // the numbers and bool of the model
		return sizeWord
	}
}
