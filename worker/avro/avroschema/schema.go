// Package avroschema is an Avro schema model: parsing the JSON form, writing
// it back exactly as Apache Avro's Java Schema.toString does (the form
// Confluent's Schema Registry stores and compares), and Avro's schema
// resolution rules for compatibility checks.
//
// Named types defined once and referenced later are the same *Schema, so a
// schema graph may share nodes; recursive schemas are rejected.
package avroschema

import (
	"encoding/json"
	"strconv"
)

// Type is an Avro schema type.
type Type uint8

const (
	Null Type = iota + 1
	Boolean
	Int
	Long
	Float
	Double
	Bytes
	String
	Record
	Enum
	Array
	Map
	Union
	Fixed
)

var typeNames = [...]string{Null: "null", Boolean: "boolean", Int: "int", Long: "long",
	Float: "float", Double: "double", Bytes: "bytes", String: "string", Record: "record",
	Enum: "enum", Array: "array", Map: "map", Union: "union", Fixed: "fixed"}

func (t Type) String() string {
	if int(t) < len(typeNames) && typeNames[t] != "" {
		return typeNames[t]
	}
	return "Type(" + strconv.Itoa(int(t)) + ")"
}

func primitiveType(name string) (Type, bool) {
	for t := Null; t <= String; t++ {
		if typeNames[t] == name {
			return t, true
		}
	}
	return 0, false
}

// Schema is one Avro schema node.
type Schema struct {
	Type      Type
	Name      string // simple name of a record, enum or fixed
	Namespace string // "" = none
	Doc       string
	Aliases   []string
	// Props holds every other attribute in document order: logicalType,
	// precision, scale, connect.name, connect.version …
	Props Object

	Fields      []*Field  // record
	Items       *Schema   // array
	Values      *Schema   // map
	Branches    []*Schema // union
	Symbols     []string  // enum
	EnumDefault *string   // enum
	Size        int       // fixed

	// NullIndex is, for a union, the index of its null branch (-1 when none).
	NullIndex int
}

// Field is one field of a record.
type Field struct {
	Name       string
	Type       *Schema
	Doc        string
	Default    any // JSON value; meaningful when HasDefault
	HasDefault bool
	Order      string // "" = ascending
	Aliases    []string
	Props      Object
}

// FullName returns namespace.name (name alone without namespace).
func (s *Schema) FullName() string {
	if s.Namespace == "" {
		return s.Name
	}
	return s.Namespace + "." + s.Name
}

// Named reports whether s is a record, enum or fixed.
func (s *Schema) Named() bool { return s.Type == Record || s.Type == Enum || s.Type == Fixed }

// Prop returns the string value of a property ("" when absent or not a string).
func (s *Schema) Prop(key string) string {
	v, _ := s.Props.Get(key)
	str, _ := v.(string)
	return str
}

// IntProp returns a numeric property and whether it is a JSON number.
func (s *Schema) IntProp(key string) (int, bool) {
	v, ok := s.Props.Get(key)
	if !ok {
		return 0, false
	}
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	if i, err := n.Int64(); err == nil {
		return int(i), true
	}
	f, err := n.Float64()
	return int(f), err == nil
}

// AddProp appends a property unless it is already set, as Avro's addProp
// does (an equal value is a no-op).
func (s *Schema) AddProp(key string, v any) {
	if _, ok := s.Props.Get(key); ok {
		return
	}
	s.Props = append(s.Props, Member{key, v})
}

// Field returns the named record field, or nil.
func (s *Schema) Field(name string) *Field {
	for _, f := range s.Fields {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// NewUnion returns a union of branches with NullIndex set.
func NewUnion(branches ...*Schema) *Schema {
	u := &Schema{Type: Union, Branches: branches}
	u.setNullIndex()
	return u
}

func (s *Schema) setNullIndex() {
	s.NullIndex = -1
	for i, b := range s.Branches {
		if b.Type == Null {
			s.NullIndex = i
			return
		}
	}
}
