package s3

import (
	"fmt"
	"strconv"

	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/schema"

	"github.com/wharf-project/wharf/connector/data"
)

// The Parquet schema of parquet.layout=avro (see parquet_avro.go).

type pnodeKind uint8

const (
	pLeaf pnodeKind = iota
	pGroup
	pRepeated // list or map: one repeated child
)

// pnode is one node of the Parquet schema with what shredding needs.
type pnode struct {
	kind     pnodeKind
	schema   *data.Schema
	optional bool
	children []*pnode // group: fields; repeated: the element (list) or key and value (map)
	elem     bool     // repeated: children[0] is the element itself (list) rather than entry fields
	repLevel int16    // repeated: the repetition level of its elements
	leaf     *pleaf
	first    int // leaves [first, end) are under this node
	end      int
}

// pleaf buffers one column's values and levels until the next batch flush.
type pleaf struct {
	phys     parquet.Type
	schema   *data.Schema
	decimal  bool
	scale    int32
	def, rep []int16
	i32      []int32
	i64      []int64
	f32      []float32
	f64      []float64
	bools    []bool
	bin      []byte
	ends     []int
	binVals  []parquet.ByteArray
}

type pavroBuilder struct {
	leaves  []*pleaf
	repeats int16
	level3  bool
}

// hasOptionalItems reports whether an array of s has optional items, which
// switches parquet-avro to 3-level lists for the whole file.
func hasOptionalItems(s *data.Schema) bool {
	switch s.Type {
	case data.TypeArray:
		return s.Elem.Optional || hasOptionalItems(s.Elem)
	case data.TypeMap:
		return hasOptionalItems(s.Key) || hasOptionalItems(s.Value)
	case data.TypeStruct:
		for _, f := range s.Fields {
			if hasOptionalItems(f.Schema) {
				return true
			}
		}
	}
	return false
}

func repOf(optional bool) parquet.Repetition {
	if optional {
		return parquet.Repetitions.Optional
	}
	return parquet.Repetitions.Required
}

// node builds the Parquet node of a field named name with Connect schema s.
func (b *pavroBuilder) node(name string, s *data.Schema, rep parquet.Repetition) (*pnode, schema.Node, error) {
	n := &pnode{schema: s, optional: rep == parquet.Repetitions.Optional, first: len(b.leaves)}
	var out schema.Node
	var err error
	switch s.Type {
	case data.TypeStruct:
		out, err = b.group(n, name, s, rep)
	case data.TypeArray:
		out, err = b.list(n, name, s, rep)
	case data.TypeMap:
		out, err = b.mapNode(n, name, s, rep)
	default:
		out, err = b.primitive(n, name, s, rep)
	}
	n.end = len(b.leaves)
	return n, out, err
}

func (b *pavroBuilder) group(n *pnode, name string, s *data.Schema, rep parquet.Repetition) (schema.Node, error) {
	if len(s.Fields) == 0 {
		return nil, fmt.Errorf("cannot write a schema with an empty group: %s", name)
	}
	n.kind = pGroup
	fields := make(schema.FieldList, 0, len(s.Fields))
	for _, f := range s.Fields {
		c, fn, err := b.node(f.Name, f.Schema, repOf(f.Schema.Optional))
		if err != nil {
			return nil, err
		}
		n.children = append(n.children, c)
		fields = append(fields, fn)
	}
	return schema.NewGroupNode(name, rep, fields, -1)
}

func (b *pavroBuilder) list(n *pnode, name string, s *data.Schema, rep parquet.Repetition) (schema.Node, error) {
	n.kind, n.elem = pRepeated, true
	b.repeats++
	n.repLevel = b.repeats
	defer func() { b.repeats-- }()
	if b.level3 {
		c, en, err := b.node("element", s.Elem, repOf(s.Elem.Optional))
		if err != nil {
			return nil, err
		}
		n.children = []*pnode{c}
		lst, err := schema.NewGroupNode("list", parquet.Repetitions.Repeated, schema.FieldList{en}, -1)
		if err != nil {
			return nil, err
		}
		return schema.NewGroupNodeLogical(name, rep, schema.FieldList{lst}, schema.NewListLogicalType(), -1)
	}
	c, en, err := b.node("array", s.Elem, parquet.Repetitions.Repeated)
	if err != nil {
		return nil, err
	}
	c.optional = false // the repeated node's level is counted by n
	n.children = []*pnode{c}
	return schema.NewGroupNodeLogical(name, rep, schema.FieldList{en}, schema.NewListLogicalType(), -1)
}

// mapNode writes string-keyed maps as MAP key_value groups and others as
// lists of MapEntry{key, value}, as AvroData.
func (b *pavroBuilder) mapNode(n *pnode, name string, s *data.Schema, rep parquet.Repetition) (schema.Node, error) {
	n.kind = pRepeated
	b.repeats++
	n.repLevel = b.repeats
	defer func() { b.repeats-- }()
	k, kn, err := b.node("key", s.Key, repOf(s.Key.Optional))
	if err != nil {
		return nil, err
	}
	v, vn, err := b.node("value", s.Value, repOf(s.Value.Optional))
	if err != nil {
		return nil, err
	}
	n.children = []*pnode{k, v}
	if s.Key.Type == data.TypeString && !s.Key.Optional {
		kv, err := schema.NewGroupNodeConverted("key_value", parquet.Repetitions.Repeated, schema.FieldList{kn, vn},
			schema.ConvertedTypes.MapKeyValue, -1)
		if err != nil {
			return nil, err
		}
		return schema.NewGroupNodeLogical(name, rep, schema.FieldList{kv}, schema.MapLogicalType{}, -1)
	}
	var entry schema.Node
	if b.level3 {
		// 3-level: the MapEntry record is the (required) element.
		el, err := schema.NewGroupNode("element", parquet.Repetitions.Required, schema.FieldList{kn, vn}, -1)
		if err != nil {
			return nil, err
		}
		entry, err = schema.NewGroupNode("list", parquet.Repetitions.Repeated, schema.FieldList{el}, -1)
		if err != nil {
			return nil, err
		}
	} else {
		var err error
		if entry, err = schema.NewGroupNode("array", parquet.Repetitions.Repeated, schema.FieldList{kn, vn}, -1); err != nil {
			return nil, err
		}
	}
	return schema.NewGroupNodeLogical(name, rep, schema.FieldList{entry}, schema.NewListLogicalType(), -1)
}

func (b *pavroBuilder) primitive(n *pnode, name string, s *data.Schema, rep parquet.Repetition) (schema.Node, error) {
	n.kind = pLeaf
	l := &pleaf{schema: s}
	var lt schema.LogicalType = schema.NoLogicalType{}
	switch s.Type {
	case data.TypeInt8, data.TypeInt16:
		l.phys = parquet.Types.Int32
	case data.TypeInt32:
		l.phys = parquet.Types.Int32
		switch s.Name {
		case data.DateName:
			lt = schema.DateLogicalType{}
		case data.TimeName:
			lt = schema.NewTimeLogicalType(true, schema.TimeUnitMillis)
		}
	case data.TypeInt64:
		l.phys = parquet.Types.Int64
		if s.Name == data.TimestampName {
			lt = schema.NewTimestampLogicalType(true, schema.TimeUnitMillis)
		}
	case data.TypeFloat32:
		l.phys = parquet.Types.Float
	case data.TypeFloat64:
		l.phys = parquet.Types.Double
	case data.TypeBoolean:
		l.phys = parquet.Types.Boolean
	case data.TypeString:
		l.phys, lt = parquet.Types.ByteArray, schema.StringLogicalType{}
	case data.TypeBytes:
		l.phys = parquet.Types.ByteArray
		if s.Name == data.DecimalName {
			scale, err := data.DecimalScale(s)
			if err != nil {
				return nil, err
			}
			prec := 64 // AvroData's default
			if p, ok := s.Param(decimalPrecisionParam); ok {
				if prec, err = strconv.Atoi(p); err != nil {
					return nil, fmt.Errorf("Decimal %s %q: %w", decimalPrecisionParam, p, err)
				}
			}
			l.decimal, l.scale, lt = true, scale, schema.NewDecimalLogicalType(int32(prec), scale)
		}
	default:
		return nil, fmt.Errorf("unsupported schema type %s", s.Type)
	}
	n.leaf = l
	b.leaves = append(b.leaves, l)
	return schema.NewPrimitiveNodeLogical(name, rep, lt, l.phys, -1, -1)
}
