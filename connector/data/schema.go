// Package data is the Kafka Connect data model: schemas, structs and the logical
// types Connect defines (Decimal, Date, Time, Timestamp).
//
// Values are plain Go values chosen by schema type:
//
//	INT8 int8, INT16 int16, INT32 int32, INT64 int64, FLOAT32 float32,
//	FLOAT64 float64, BOOLEAN bool, STRING string, BYTES []byte,
//	ARRAY []any, MAP []MapEntry (ordered, as Connect's LinkedHashMap),
//	STRUCT *Struct.
//
// Logical types keep their Go form: Decimal is Decimal, Date/Time/Timestamp are
// time.Time. Debezium's semantic types (io.debezium.time.MicroTimestamp …) are
// ordinary primitives with a schema name, exactly as in Connect.
//
// Schemas are immutable once built and safe to share between goroutines.
package data

import (
	"fmt"
	"strings"
)

// Type is a Connect schema type.
type Type uint8

const (
	TypeInt8 Type = iota + 1
	TypeInt16
	TypeInt32
	TypeInt64
	TypeFloat32
	TypeFloat64
	TypeBoolean
	TypeString
	TypeBytes
	TypeArray
	TypeMap
	TypeStruct
)

var typeNames = [...]string{
	TypeInt8: "int8", TypeInt16: "int16", TypeInt32: "int32", TypeInt64: "int64",
	TypeFloat32: "float", TypeFloat64: "double", TypeBoolean: "boolean", TypeString: "string",
	TypeBytes: "bytes", TypeArray: "array", TypeMap: "map", TypeStruct: "struct",
}

// String returns the type name JsonConverter writes ("int32", "float", "struct", …).
func (t Type) String() string {
	if int(t) < len(typeNames) && typeNames[t] != "" {
		return typeNames[t]
	}
	return fmt.Sprintf("Type(%d)", t)
}

// ParseType maps a JsonConverter type name back to a Type.
func ParseType(name string) (Type, bool) {
	for t, n := range typeNames {
		if n != "" && n == name {
			return Type(t), true
		}
	}
	return 0, false
}

// Primitive reports whether t is neither array, map nor struct.
func (t Type) Primitive() bool { return t >= TypeInt8 && t <= TypeBytes }

// Param is one schema parameter. Parameters keep insertion order because
// JsonConverter writes them in that order (Connect uses a LinkedHashMap).
type Param struct {
	Key, Value string
}

// Field is one field of a struct schema.
type Field struct {
	Name   string
	Index  int
	Schema *Schema
}

// Schema describes a Connect value. Build it with the constructors and the
// builder methods below; do not modify a Schema after it is shared.
type Schema struct {
	Type     Type
	Optional bool
	// Default is the value used for a null; nil means no default. Its Go type
	// follows the same rules as values.
	Default    any
	Name       string
	Version    int // 0: unset
	Doc        string
	Parameters []Param

	Fields []Field // struct
	Elem   *Schema // array items
	Key    *Schema // map keys
	Value  *Schema // map values
}

// Common schemas, shared and never modified.
var (
	Int8Schema            = &Schema{Type: TypeInt8}
	Int16Schema           = &Schema{Type: TypeInt16}
	Int32Schema           = &Schema{Type: TypeInt32}
	Int64Schema           = &Schema{Type: TypeInt64}
	Float32Schema         = &Schema{Type: TypeFloat32}
	Float64Schema         = &Schema{Type: TypeFloat64}
	BooleanSchema         = &Schema{Type: TypeBoolean}
	StringSchema          = &Schema{Type: TypeString}
	BytesSchema           = &Schema{Type: TypeBytes}
	OptionalInt8Schema    = &Schema{Type: TypeInt8, Optional: true}
	OptionalInt16Schema   = &Schema{Type: TypeInt16, Optional: true}
	OptionalInt32Schema   = &Schema{Type: TypeInt32, Optional: true}
	OptionalInt64Schema   = &Schema{Type: TypeInt64, Optional: true}
	OptionalFloat32Schema = &Schema{Type: TypeFloat32, Optional: true}
	OptionalFloat64Schema = &Schema{Type: TypeFloat64, Optional: true}
	OptionalBooleanSchema = &Schema{Type: TypeBoolean, Optional: true}
	OptionalStringSchema  = &Schema{Type: TypeString, Optional: true}
	OptionalBytesSchema   = &Schema{Type: TypeBytes, Optional: true}
)

// StructBuilder builds a struct schema field by field.
type StructBuilder struct{ s *Schema }

// StructSchema starts a struct schema with the given name (may be empty).
func StructSchema(name string) *StructBuilder {
	return &StructBuilder{s: &Schema{Type: TypeStruct, Name: name}}
}

// Field appends a field. Field names must be unique; Build panics otherwise,
// since a duplicate is a programming error in the connector.
func (b *StructBuilder) Field(name string, s *Schema) *StructBuilder {
	b.s.Fields = append(b.s.Fields, Field{Name: name, Index: len(b.s.Fields), Schema: s})
	return b
}

// Optional marks the struct optional.
func (b *StructBuilder) Optional() *StructBuilder { b.s.Optional = true; return b }

// Version sets the schema version.
func (b *StructBuilder) Version(v int) *StructBuilder { b.s.Version = v; return b }

// Doc sets the schema documentation.
func (b *StructBuilder) Doc(d string) *StructBuilder { b.s.Doc = d; return b }

// Build returns the schema.
func (b *StructBuilder) Build() *Schema {
	seen := make(map[string]bool, len(b.s.Fields))
	for _, f := range b.s.Fields {
		if seen[f.Name] {
			panic(fmt.Sprintf("data: duplicate field %q in struct schema %q", f.Name, b.s.Name))
		}
		seen[f.Name] = true
	}
	return b.s
}

// ArrayOf returns an array schema of elem.
func ArrayOf(elem *Schema) *Schema { return &Schema{Type: TypeArray, Elem: elem} }

// MapOf returns a map schema.
func MapOf(key, value *Schema) *Schema { return &Schema{Type: TypeMap, Key: key, Value: value} }

// Clone returns a shallow copy whose top-level attributes may be changed
// (for example to make an optional variant or rename it).
func (s *Schema) Clone() *Schema {
	c := *s
	c.Parameters = append([]Param(nil), s.Parameters...)
	c.Fields = append([]Field(nil), s.Fields...)
	return &c
}

// AsOptional returns an optional copy of s (or s itself when already optional).
func (s *Schema) AsOptional() *Schema {
	if s.Optional {
		return s
	}
	c := s.Clone()
	c.Optional = true
	return c
}

// Param returns the value of a parameter and whether it is set.
func (s *Schema) Param(key string) (string, bool) {
	for _, p := range s.Parameters {
		if p.Key == key {
			return p.Value, true
		}
	}
	return "", false
}

// Field returns the named field, or nil.
func (s *Schema) Field(name string) *Field {
	for i := range s.Fields {
		if s.Fields[i].Name == name {
			return &s.Fields[i]
		}
	}
	return nil
}

// Equal reports whether two schemas are the same, attribute by attribute,
// recursively (Connect's ConnectSchema.equals).
func (s *Schema) Equal(o *Schema) bool {
	if s == o {
		return true
	}
	if s == nil || o == nil {
		return false
	}
	if s.Type != o.Type || s.Optional != o.Optional || s.Name != o.Name || s.Version != o.Version ||
		s.Doc != o.Doc || len(s.Parameters) != len(o.Parameters) || len(s.Fields) != len(o.Fields) {
		return false
	}
	for i := range s.Parameters {
		if s.Parameters[i] != o.Parameters[i] {
			return false
		}
	}
	for i := range s.Fields {
		if s.Fields[i].Name != o.Fields[i].Name || !s.Fields[i].Schema.Equal(o.Fields[i].Schema) {
			return false
		}
	}
	if !s.Elem.Equal(o.Elem) || !s.Key.Equal(o.Key) || !s.Value.Equal(o.Value) {
		return false
	}
	return ValuesEqual(s.Default, o.Default)
}

// String renders the schema for error messages.
func (s *Schema) String() string {
	if s == nil {
		return "<nil schema>"
	}
	var b strings.Builder
	if s.Name != "" {
		b.WriteString(s.Name)
		b.WriteByte(':')
	}
	b.WriteString(strings.ToUpper(s.Type.String()))
	if s.Optional {
		b.WriteString("(optional)")
	}
	return b.String()
}
