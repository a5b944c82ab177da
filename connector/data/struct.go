package data

import (
	"bytes"
	"fmt"
	"time"
)

// MapEntry is one entry of a MAP value. Maps are ordered slices so that the
// bytes a converter writes are deterministic.
type MapEntry struct {
	Key, Value any
}

// Struct is a STRUCT value: one slot per schema field, addressed by index on
// hot paths and by name elsewhere.
type Struct struct {
	schema *Schema
	values []any
}

// NewStruct returns an empty struct of schema s (every field nil).
//
// Sources build several structs per record (a Debezium event has four), so
// the struct and its values share one allocation when the schema has up to
// 32 fields: half the allocations, and the values sit next to their header.
func NewStruct(s *Schema) *Struct {
	switch n := len(s.Fields); {
	case n <= 2:
		return newStructIn(s, n, func(a *[2]any) []any { return a[:] })
	case n <= 4:
		return newStructIn(s, n, func(a *[4]any) []any { return a[:] })
	case n <= 8:
		return newStructIn(s, n, func(a *[8]any) []any { return a[:] })
	case n <= 12:
		return newStructIn(s, n, func(a *[12]any) []any { return a[:] })
	case n <= 16:
		return newStructIn(s, n, func(a *[16]any) []any { return a[:] })
	case n <= 24:
		return newStructIn(s, n, func(a *[24]any) []any { return a[:] })
	case n <= 32:
		return newStructIn(s, n, func(a *[32]any) []any { return a[:] })
	default:
		return &Struct{schema: s, values: make([]any, n)}
	}
}

// newStructIn allocates a struct together with an array A of value slots,
// of which it uses the first n.
func newStructIn[A any](s *Schema, n int, slots func(*A) []any) *Struct {
	b := new(struct {
		st Struct
		v  A
	})
	b.st = Struct{schema: s, values: slots(&b.v)[:n:n]}
	return &b.st
}

// Schema returns the struct's schema.
func (s *Struct) Schema() *Schema { return s.schema }

// Set stores v in the field at index i.
func (s *Struct) Set(i int, v any) { s.values[i] = v }

// At returns the value of the field at index i (nil when unset).
func (s *Struct) At(i int) any { return s.values[i] }

// Put stores v in the named field.
func (s *Struct) Put(name string, v any) error {
	f := s.schema.Field(name)
	if f == nil {
		return fmt.Errorf("data: %s is not a valid field name", name)
	}
	s.values[f.Index] = v
	return nil
}

// MustPut is Put for connectors that build structs from their own schemas,
// where an unknown field is a programming error.
func (s *Struct) MustPut(name string, v any) *Struct {
	if err := s.Put(name, v); err != nil {
		panic(err)
	}
	return s
}

// Get returns the named field's value, or nil.
func (s *Struct) Get(name string) any {
	f := s.schema.Field(name)
	if f == nil {
		return nil
	}
	return s.values[f.Index]
}

// Validate checks that every value matches its field schema (Connect's
// Struct.validate): required fields without a default are present and values
// have the Go type of their schema type.
func (s *Struct) Validate() error {
	for i, f := range s.schema.Fields {
		if err := ValidateValue(f.Schema, s.values[i]); err != nil {
			return fmt.Errorf("field %s: %w", f.Name, err)
		}
	}
	return nil
}

// ValidateValue checks v against schema sch.
func ValidateValue(sch *Schema, v any) error {
	if v == nil {
		if sch.Optional || sch.Default != nil {
			return nil
		}
		return fmt.Errorf("invalid value: null used for required field, schema type: %s", sch.Type)
	}
	ok := false
	switch sch.Type {
	case TypeInt8:
		_, ok = v.(int8)
	case TypeInt16:
		_, ok = v.(int16)
	case TypeInt32:
		switch v.(type) {
		case int32:
			ok = true
		case time.Time:
			ok = sch.Name == DateName || sch.Name == TimeName
		}
	case TypeInt64:
		switch v.(type) {
		case int64:
			ok = true
		case time.Time:
			ok = sch.Name == TimestampName
		}
	case TypeFloat32:
		_, ok = v.(float32)
	case TypeFloat64:
		_, ok = v.(float64)
	case TypeBoolean:
		_, ok = v.(bool)
	case TypeString:
		_, ok = v.(string)
	case TypeBytes:
		switch v.(type) {
		case []byte:
			ok = true
		case Decimal:
			ok = sch.Name == DecimalName
		}
	case TypeArray:
		var a []any
		if a, ok = v.([]any); ok {
			for _, e := range a {
				if err := ValidateValue(sch.Elem, e); err != nil {
					return err
				}
			}
		}
	case TypeMap:
		var m []MapEntry
		if m, ok = v.([]MapEntry); ok {
			for _, e := range m {
				if err := ValidateValue(sch.Key, e.Key); err != nil {
					return err
				}
				if err := ValidateValue(sch.Value, e.Value); err != nil {
					return err
				}
			}
		}
	case TypeStruct:
		var st *Struct
		if st, ok = v.(*Struct); ok {
			if !st.schema.Equal(sch) {
				return fmt.Errorf("struct schemas do not match")
			}
			return st.Validate()
		}
	}
	if !ok {
		return fmt.Errorf("invalid Go type %T for schema type %s", v, sch.Type)
	}
	return nil
}

// Equal reports whether two structs have equal schemas and values.
func (s *Struct) Equal(o *Struct) bool {
	if s == nil || o == nil {
		return s == o
	}
	if !s.schema.Equal(o.schema) {
		return false
	}
	for i := range s.values {
		if !ValuesEqual(s.values[i], o.values[i]) {
			return false
		}
	}
	return true
}

// ValuesEqual compares two Connect values deeply.
func ValuesEqual(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case []byte:
		y, ok := b.([]byte)
		return ok && bytes.Equal(x, y)
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !ValuesEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case []MapEntry:
		y, ok := b.([]MapEntry)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !ValuesEqual(x[i].Key, y[i].Key) || !ValuesEqual(x[i].Value, y[i].Value) {
				return false
			}
		}
		return true
	case *Struct:
		y, ok := b.(*Struct)
		return ok && x.Equal(y)
	case Decimal:
		y, ok := b.(Decimal)
		return ok && x.Scale == y.Scale && x.Unscaled.Cmp(y.Unscaled) == 0
	case time.Time:
		y, ok := b.(time.Time)
		return ok && x.Equal(y)
	default:
		return a == b
	}
}

// String renders the struct like Connect's Struct.toString.
func (s *Struct) String() string {
	var b bytes.Buffer
	b.WriteString("Struct{")
	first := true
	for i, f := range s.schema.Fields {
		if s.values[i] == nil {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		fmt.Fprintf(&b, "%s=%v", f.Name, s.values[i])
	}
	b.WriteByte('}')
	return b.String()
}
