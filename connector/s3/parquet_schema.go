package s3

import (
	"fmt"
	"math/big"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/wharf-project/wharf/connector/data"
)

// Debezium semantic type names mapped to Parquet logical types.
const (
	dbzDate           = "io.debezium.time.Date"
	dbzTime           = "io.debezium.time.Time"
	dbzMicroTime      = "io.debezium.time.MicroTime"
	dbzTimestamp      = "io.debezium.time.Timestamp"
	dbzMicroTimestamp = "io.debezium.time.MicroTimestamp"
	// decimalPrecisionParam is set by Debezium and Confluent's AvroData.
	decimalPrecisionParam = "connect.decimal.precision"
	maxDecimalPrecision   = 38
)

type colKind uint8

const (
	kInt8 colKind = iota + 1
	kInt16
	kInt32
	kInt64
	kFloat32
	kFloat64
	kBool
	kString
	kBinary
	kDate
	kTimeMillis
	kTimeMicros
	kTimestampMillis
	kTimestampMicros
	kDecimal
	kDecimalString
	kList
	kMap
	kStruct
)

// column maps one Connect schema to an Arrow type and appends values of it
// to the matching builder.
type column struct {
	schema   *data.Schema
	kind     colKind
	typ      arrow.DataType
	scale    int32
	children []*column
	// fields maps Arrow struct children to Connect field indexes (empty
	// structs, which Parquet cannot store, are left out).
	fields []int
}

// newColumn derives the Arrow type of s: Connect and Debezium temporal types
// become DATE/TIME/TIMESTAMP, Decimal becomes DECIMAL(p,s) when p ≤ 38 (p
// from connect.decimal.precision, else 38) and a decimal string otherwise.
func newColumn(s *data.Schema) (*column, error) {
	c := &column{schema: s}
	switch s.Type {
	case data.TypeArray, data.TypeMap:
		return nestedColumn(c)
	case data.TypeStruct:
		return structColumn(c)
	case data.TypeBytes:
		if s.Name == data.DecimalName {
			return decimalColumn(c)
		}
	}
	if !primitiveColumn(c) {
		return nil, fmt.Errorf("unsupported schema type %s", s.Type)
	}
	return c, nil
}

func primitiveColumn(c *column) bool {
	s := c.schema
	switch s.Type {
	case data.TypeInt8:
		c.kind, c.typ = kInt8, arrow.PrimitiveTypes.Int8
	case data.TypeInt16:
		c.kind, c.typ = kInt16, arrow.PrimitiveTypes.Int16
	case data.TypeInt32:
		switch s.Name {
		case data.DateName, dbzDate:
			c.kind, c.typ = kDate, arrow.FixedWidthTypes.Date32
		case data.TimeName, dbzTime:
			c.kind, c.typ = kTimeMillis, arrow.FixedWidthTypes.Time32ms
		default:
			c.kind, c.typ = kInt32, arrow.PrimitiveTypes.Int32
		}
	case data.TypeInt64:
		switch s.Name {
		case data.TimestampName:
			c.kind, c.typ = kTimestampMillis, &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}
		case dbzTimestamp:
			c.kind, c.typ = kTimestampMillis, &arrow.TimestampType{Unit: arrow.Millisecond}
		case dbzMicroTimestamp:
			c.kind, c.typ = kTimestampMicros, &arrow.TimestampType{Unit: arrow.Microsecond}
		case dbzMicroTime:
			c.kind, c.typ = kTimeMicros, arrow.FixedWidthTypes.Time64us
		default:
			c.kind, c.typ = kInt64, arrow.PrimitiveTypes.Int64
		}
	case data.TypeFloat32:
		c.kind, c.typ = kFloat32, arrow.PrimitiveTypes.Float32
	case data.TypeFloat64:
		c.kind, c.typ = kFloat64, arrow.PrimitiveTypes.Float64
	case data.TypeBoolean:
		c.kind, c.typ = kBool, arrow.FixedWidthTypes.Boolean
	case data.TypeString:
		c.kind, c.typ = kString, arrow.BinaryTypes.String
	case data.TypeBytes:
		c.kind, c.typ = kBinary, arrow.BinaryTypes.Binary
	default:
		return false
	}
	return true
}

func nestedColumn(c *column) (*column, error) {
	s := c.schema
	switch s.Type {
	case data.TypeArray:
		elem, err := newColumn(s.Elem)
		if err != nil {
			return nil, err
		}
		c.kind, c.children = kList, []*column{elem}
		c.typ = arrow.ListOfField(arrow.Field{Name: "element", Type: elem.typ, Nullable: s.Elem.Optional})
	case data.TypeMap:
		k, err := newColumn(s.Key)
		if err != nil {
			return nil, err
		}
		v, err := newColumn(s.Value)
		if err != nil {
			return nil, err
		}
		c.kind, c.children = kMap, []*column{k, v}
		c.typ = arrow.MapOf(k.typ, v.typ)
	}
	return c, nil
}

func decimalColumn(c *column) (*column, error) {
	scale, err := data.DecimalScale(c.schema)
	if err != nil {
		return nil, err
	}
	c.scale = scale
	prec := int32(maxDecimalPrecision)
	if p, ok := c.schema.Param(decimalPrecisionParam); ok {
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, fmt.Errorf("Decimal %s %q: %w", decimalPrecisionParam, p, err)
		}
		prec = int32(n)
	}
	if prec > maxDecimalPrecision || scale > prec || scale < 0 {
		// Readers cap DECIMAL at 38 digits: keep the exact value as text.
		c.kind, c.typ = kDecimalString, arrow.BinaryTypes.String
		return c, nil
	}
	c.kind, c.typ = kDecimal, &arrow.Decimal128Type{Precision: prec, Scale: scale}
	return c, nil
}

func structColumn(c *column) (*column, error) {
	var fields []arrow.Field
	for i, f := range c.schema.Fields {
		if f.Schema.Type == data.TypeStruct && len(f.Schema.Fields) == 0 {
			continue // Parquet cannot store an empty group
		}
		fc, err := newColumn(f.Schema)
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", f.Name, err)
		}
		c.children = append(c.children, fc)
		c.fields = append(c.fields, i)
		fields = append(fields, arrow.Field{Name: f.Name, Type: fc.typ, Nullable: f.Schema.Optional})
	}
	c.kind, c.typ = kStruct, arrow.StructOf(fields...)
	return c, nil
}

// appendValue appends v (already validated against c.schema) to b and adds
// an estimate of its size to *n.
func (c *column) appendValue(b array.Builder, v any, n *int) error {
	if v == nil {
		v = c.schema.Default
	}
	if v == nil {
		b.AppendNull()
		return nil
	}
	*n += 8
	switch c.kind {
	case kInt8:
		b.(*array.Int8Builder).Append(v.(int8))
	case kInt16:
		b.(*array.Int16Builder).Append(v.(int16))
	case kInt32:
		b.(*array.Int32Builder).Append(v.(int32))
	case kInt64:
		b.(*array.Int64Builder).Append(v.(int64))
	case kFloat32:
		b.(*array.Float32Builder).Append(v.(float32))
	case kFloat64:
		b.(*array.Float64Builder).Append(v.(float64))
	case kBool:
		b.(*array.BooleanBuilder).Append(v.(bool))
	case kString:
		b.(*array.StringBuilder).Append(v.(string))
		*n += len(v.(string))
	case kBinary:
		b.(*array.BinaryBuilder).Append(v.([]byte))
		*n += len(v.([]byte))
	case kDate:
		b.(*array.Date32Builder).Append(arrow.Date32(int32OrTime(v, data.DateToDays)))
	case kTimeMillis:
		b.(*array.Time32Builder).Append(arrow.Time32(int32OrTime(v, data.TimeToMillis)))
	case kTimeMicros:
		b.(*array.Time64Builder).Append(arrow.Time64(v.(int64)))
	case kTimestampMillis:
		b.(*array.TimestampBuilder).Append(arrow.Timestamp(int64OrTime(v, time.Time.UnixMilli)))
	case kTimestampMicros:
		b.(*array.TimestampBuilder).Append(arrow.Timestamp(int64OrTime(v, time.Time.UnixMicro)))
	case kDecimal, kDecimalString:
		return c.appendDecimal(b, v)
	default:
		return c.appendNested(b, v, n)
	}
	return nil
}

func (c *column) appendNested(b array.Builder, v any, n *int) error {
	switch c.kind {
	case kList:
		lb := b.(*array.ListBuilder)
		lb.Append(true)
		for _, e := range v.([]any) {
			if err := c.children[0].appendValue(lb.ValueBuilder(), e, n); err != nil {
				return err
			}
		}
	case kMap:
		mb := b.(*array.MapBuilder)
		mb.Append(true)
		for _, e := range v.([]data.MapEntry) {
			if err := c.children[0].appendValue(mb.KeyBuilder(), e.Key, n); err != nil {
				return err
			}
			if err := c.children[1].appendValue(mb.ItemBuilder(), e.Value, n); err != nil {
				return err
			}
		}
	case kStruct:
		sb := b.(*array.StructBuilder)
		sb.Append(true)
		return c.appendFields(sb.FieldBuilder, v.(*data.Struct), n)
	}
	return nil
}

// appendFields appends a struct's fields to the builders field(i) returns.
func (c *column) appendFields(field func(int) array.Builder, st *data.Struct, n *int) error {
	for i, child := range c.children {
		if err := child.appendValue(field(i), st.At(c.fields[i]), n); err != nil {
			return fmt.Errorf("field %s: %w", c.schema.Fields[c.fields[i]].Name, err)
		}
	}
	return nil
}

func (c *column) appendDecimal(b array.Builder, v any) error {
	var unscaled *big.Int
	scale := c.scale
	switch d := v.(type) {
	case data.Decimal:
		unscaled, scale = d.Unscaled, d.Scale
	case []byte:
		unscaled = data.FromTwosComplement(d)
	}
	if c.kind == kDecimalString {
		b.(*array.StringBuilder).Append(data.Decimal{Unscaled: unscaled, Scale: scale}.String())
		return nil
	}
	if scale != c.scale {
		var err error
		if unscaled, err = rescale(unscaled, scale, c.scale); err != nil {
			return err
		}
	}
	t := c.typ.(*arrow.Decimal128Type)
	n := decimal128.FromBigInt(unscaled)
	if !n.FitsInPrecision(t.Precision) {
		return dataErrorf("decimal %s does not fit DECIMAL(%d,%d)", data.Decimal{Unscaled: unscaled, Scale: c.scale}, t.Precision, t.Scale)
	}
	b.(*array.Decimal128Builder).Append(n)
	return nil
}

func rescale(u *big.Int, from, to int32) (*big.Int, error) {
	if to > from {
		return new(big.Int).Mul(u, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(to-from)), nil)), nil
	}
	div := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(from-to)), nil)
	q, r := new(big.Int).QuoRem(u, div, new(big.Int))
	if r.Sign() != 0 {
		return nil, dataErrorf("decimal scale %d cannot be reduced to %d without loss", from, to)
	}
	return q, nil
}

func int32OrTime(v any, conv func(time.Time) int32) int32 {
	if t, ok := v.(time.Time); ok {
		return conv(t)
	}
	return v.(int32)
}

func int64OrTime(v any, conv func(time.Time) int64) int64 {
	if t, ok := v.(time.Time); ok {
		return conv(t)
	}
	return v.(int64)
}
