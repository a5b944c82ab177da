package avro

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/wharf-project/wharf/connector/data"
	"github.com/wharf-project/wharf/worker/avro/avroschema"
)

var errNullRequired = errors.New("Found null value for non-optional schema")

// AppendBinary appends the Avro binary encoding of a Connect value v of
// schema s, written with Avro schema a (which FromConnectSchema built from
// s, or a schema of the same shape). It walks both schemas together without
// building intermediate Avro objects.
func (d *Data) AppendBinary(dst []byte, s *data.Schema, a *avroschema.Schema, v any) ([]byte, error) {
	return d.encode(dst, s, a, v)
}

func appendLong(dst []byte, v int64) []byte {
	return binary.AppendUvarint(dst, uint64((v<<1)^(v>>63)))
}

func appendBytes(dst []byte, b []byte) []byte {
	dst = appendLong(dst, int64(len(b)))
	return append(dst, b...)
}

func typeError(s *data.Schema, v any) error {
	return fmt.Errorf("Invalid type for %s: %T", strings.ToUpper(s.Type.String()), v)
}

func (d *Data) encode(dst []byte, s *data.Schema, a *avroschema.Schema, v any) ([]byte, error) {
	if a.Type == avroschema.Union {
		if s.Type == data.TypeStruct && s.Name == UnionName {
			return d.encodeUnionStruct(dst, s, a, v)
		}
		if v == nil {
			if a.NullIndex < 0 {
				return dst, errNullRequired
			}
			return appendLong(dst, int64(a.NullIndex)), nil
		}
		i := branchFor(a, s)
		if i < 0 {
			return dst, fmt.Errorf("avro: no union branch of %s for %s", a, s)
		}
		dst = appendLong(dst, int64(i))
		a = a.Branches[i]
	}
	if v == nil {
		return dst, errNullRequired
	}
	if s.Type.Primitive() && s.Type != data.TypeString && s.Type != data.TypeBytes {
		return encodeScalar(dst, s, v)
	}
	switch s.Type {
	case data.TypeString:
		return encodeString(dst, s, a, v)
	case data.TypeBytes:
		return encodeBytes(dst, s, a, v)
	case data.TypeArray:
		x, ok := v.([]any)
		if !ok {
			return dst, typeError(s, v)
		}
		return d.encodeArray(dst, s, a, x)
	case data.TypeMap:
		x, ok := v.([]data.MapEntry)
		if !ok {
			return dst, typeError(s, v)
		}
		return d.encodeMap(dst, s, a, x)
	case data.TypeStruct:
		x, ok := v.(*data.Struct)
		if !ok || x == nil {
			return dst, typeError(s, v)
		}
		return d.encodeStruct(dst, s, a, x)
	}
	return dst, fmt.Errorf("Unknown schema type: %s", s.Type)
}

// encodeScalar writes numbers, booleans and the logical types built on them.
func encodeScalar(dst []byte, s *data.Schema, v any) ([]byte, error) {
	switch s.Type {
	case data.TypeInt8:
		x, ok := v.(int8)
		if !ok {
			return dst, typeError(s, v)
		}
		return appendLong(dst, int64(x)), nil
	case data.TypeInt16:
		x, ok := v.(int16)
		if !ok {
			return dst, typeError(s, v)
		}
		return appendLong(dst, int64(x)), nil
	case data.TypeInt32:
		switch x := v.(type) {
		case int32:
			return appendLong(dst, int64(x)), nil
		case time.Time:
			switch s.Name {
			case data.DateName:
				return appendLong(dst, int64(data.DateToDays(x))), nil
			case data.TimeName:
				return appendLong(dst, int64(data.TimeToMillis(x))), nil
			}
		}
		return dst, typeError(s, v)
	case data.TypeInt64:
		switch x := v.(type) {
		case int64:
			return appendLong(dst, x), nil
		case time.Time:
			if s.Name == data.TimestampName {
				return appendLong(dst, x.UnixMilli()), nil
			}
		}
		return dst, typeError(s, v)
	case data.TypeFloat32:
		x, ok := v.(float32)
		if !ok {
			return dst, typeError(s, v)
		}
		return binary.LittleEndian.AppendUint32(dst, math.Float32bits(x)), nil
	case data.TypeFloat64:
		x, ok := v.(float64)
		if !ok {
			return dst, typeError(s, v)
		}
		return binary.LittleEndian.AppendUint64(dst, math.Float64bits(x)), nil
	case data.TypeBoolean:
		x, ok := v.(bool)
		if !ok {
			return dst, typeError(s, v)
		}
		if x {
			return append(dst, 1), nil
		}
		return append(dst, 0), nil
	}
	return dst, typeError(s, v)
}

// branchFor finds the union branch for a non-null value of s: the non-null
// branch of an optional union, or the one of matching type.
func branchFor(a *avroschema.Schema, s *data.Schema) int {
	if len(a.Branches) == 2 && a.NullIndex >= 0 {
		return 1 - a.NullIndex
	}
	for i, b := range a.Branches {
		if b.Type != avroschema.Null && physicalMatch(s, b) {
			return i
		}
	}
	return -1
}

func physicalMatch(s *data.Schema, b *avroschema.Schema) bool {
	switch s.Type {
	case data.TypeInt8, data.TypeInt16, data.TypeInt32:
		return b.Type == avroschema.Int
	case data.TypeInt64:
		return b.Type == avroschema.Long
	case data.TypeFloat32:
		return b.Type == avroschema.Float
	case data.TypeFloat64:
		return b.Type == avroschema.Double
	case data.TypeBoolean:
		return b.Type == avroschema.Boolean
	case data.TypeString:
		if _, isEnum := s.Param(EnumParam); isEnum {
			return b.Type == avroschema.Enum || b.Type == avroschema.String
		}
		return b.Type == avroschema.String
	case data.TypeBytes:
		return b.Type == avroschema.Bytes || b.Type == avroschema.Fixed
	case data.TypeArray:
		return b.Type == avroschema.Array && !isMapEntry(b.Items)
	case data.TypeMap:
		return b.Type == avroschema.Map || (b.Type == avroschema.Array && isMapEntry(b.Items))
	case data.TypeStruct:
		if b.Type != avroschema.Record {
			return false
		}
		return s.Name == "" || s.Name == b.FullName() || b.Prop(connectNameProp) == s.Name ||
			strings.HasSuffix(s.Name, "."+b.Name) || s.Name == b.Name
	}
	return false
}

// encodeUnionStruct writes the io.confluent.connect.avro.Union struct: its
// first non-null field picks the branch.
func (d *Data) encodeUnionStruct(dst []byte, s *data.Schema, a *avroschema.Schema, v any) ([]byte, error) {
	st, _ := v.(*data.Struct)
	if st != nil {
		for i, f := range s.Fields {
			fv := st.At(i)
			if fv == nil {
				continue
			}
			for bi, b := range a.Branches {
				if b.Type != avroschema.Null && (d.unionMemberName(b) == f.Name || unionFieldName(b, s) == f.Name) {
					dst = appendLong(dst, int64(bi))
					return d.encode(dst, nonOptional(f.Schema), b, fv)
				}
			}
			return dst, fmt.Errorf("Did not find matching union field for data: %v", fv)
		}
	}
	if a.NullIndex < 0 {
		return dst, errNullRequired
	}
	return appendLong(dst, int64(a.NullIndex)), nil
}

func encodeString(dst []byte, s *data.Schema, a *avroschema.Schema, v any) ([]byte, error) {
	x, ok := v.(string)
	if !ok {
		return dst, typeError(s, v)
	}
	if a.Type == avroschema.Enum {
		for i, sym := range a.Symbols {
			if sym == x {
				return appendLong(dst, int64(i)), nil
			}
		}
		return dst, fmt.Errorf("avro: %q is not a symbol of enum %s", x, a.FullName())
	}
	dst = appendLong(dst, int64(len(x)))
	return append(dst, x...), nil
}

func encodeBytes(dst []byte, s *data.Schema, a *avroschema.Schema, v any) ([]byte, error) {
	var b []byte
	switch x := v.(type) {
	case []byte:
		b = x
	case data.Decimal:
		if s.Name != data.DecimalName {
			return dst, typeError(s, v)
		}
		scale, err := data.DecimalScale(s)
		if err != nil {
			return dst, err
		}
		if x.Scale != scale {
			return dst, errors.New("BigDecimal has mismatching scale value for given Decimal schema")
		}
		if a.Type == avroschema.Fixed {
			b = x.Bytes()
			break
		}
		return appendDecimal(dst, x), nil
	default:
		return dst, typeError(s, v)
	}
	if a.Type == avroschema.Fixed {
		if len(b) != a.Size {
			return dst, fmt.Errorf("avro: fixed %s needs %d bytes, got %d", a.FullName(), a.Size, len(b))
		}
		return append(dst, b...), nil
	}
	return appendBytes(dst, b), nil
}

// appendDecimal writes the unscaled value's minimal two's-complement bytes
// (BigInteger.toByteArray) without allocating for values that fit in int64.
func appendDecimal(dst []byte, x data.Decimal) []byte {
	if x.Unscaled == nil {
		return append(dst, 2, 0) // length 1, byte 0
	}
	if !x.Unscaled.IsInt64() {
		return appendBytes(dst, x.Bytes())
	}
	v := x.Unscaled.Int64()
	size := 1
	for size < 8 {
		shift := uint(64 - size*8)
		if (v<<shift)>>shift == v {
			break
		}
		size++
	}
	dst = appendLong(dst, int64(size))
	for i := size - 1; i >= 0; i-- {
		dst = append(dst, byte(v>>(uint(i)*8)))
	}
	return dst
}

func (d *Data) encodeArray(dst []byte, s *data.Schema, a *avroschema.Schema, x []any) ([]byte, error) {
	if a.Type != avroschema.Array {
		return dst, fmt.Errorf("avro: array value for Avro %s", a.Type)
	}
	var err error
	if len(x) > 0 {
		dst = appendLong(dst, int64(len(x)))
		for _, e := range x {
			if dst, err = d.encode(dst, s.Elem, a.Items, e); err != nil {
				return dst, err
			}
		}
	}
	return append(dst, 0), nil
}

func (d *Data) encodeMap(dst []byte, s *data.Schema, a *avroschema.Schema, m []data.MapEntry) ([]byte, error) {
	var err error
	switch a.Type {
	case avroschema.Map:
		if len(m) > 0 {
			dst = appendLong(dst, int64(len(m)))
			for _, e := range m {
				k, ok := e.Key.(string)
				if !ok {
					return dst, typeError(s.Key, e.Key)
				}
				dst = appendLong(dst, int64(len(k)))
				dst = append(dst, k...)
				if dst, err = d.encode(dst, s.Value, a.Values, e.Value); err != nil {
					return dst, err
				}
			}
		}
		return append(dst, 0), nil
	case avroschema.Array:
		entry := a.Items
		if len(m) > 0 {
			dst = appendLong(dst, int64(len(m)))
			for _, e := range m {
				if dst, err = d.encode(dst, s.Key, entry.Fields[0].Type, e.Key); err != nil {
					return dst, err
				}
				if dst, err = d.encode(dst, s.Value, entry.Fields[1].Type, e.Value); err != nil {
					return dst, err
				}
			}
		}
		return append(dst, 0), nil
	}
	return dst, fmt.Errorf("avro: map value for Avro %s", a.Type)
}

func (d *Data) encodeStruct(dst []byte, s *data.Schema, a *avroschema.Schema, st *data.Struct) ([]byte, error) {
	if st.Schema() != s && !st.Schema().Equal(s) {
		return dst, errors.New("Mismatching struct schema")
	}
	if a.Type != avroschema.Record || len(a.Fields) != len(s.Fields) {
		return dst, fmt.Errorf("avro: struct %s does not match Avro %s", s, a.Type)
	}
	var err error
	for i := range s.Fields {
		fs := s.Fields[i].Schema
		v := st.At(i)
		if v == nil {
			v = fs.Default // Struct.get returns the field default, as in Connect
		}
		if dst, err = d.encode(dst, fs, a.Fields[i].Type, v); err != nil {
			if err == errNullRequired {
				return dst, fmt.Errorf("%w (field %s)", err, s.Fields[i].Name)
			}
			return dst, err
		}
	}
	return dst, nil
}
