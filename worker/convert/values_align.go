package convert

import (
	"errors"
	"math/big"
	"time"

	"github.com/wharf-project/wharf/connector/data"
	"github.com/wharf-project/wharf/connector/jsontext"
)

// numericRank orders the types Values.commonSchemaFor widens between.
var numericRank = map[data.Type]int{
	data.TypeInt8: 1, data.TypeInt16: 2, data.TypeInt32: 3, data.TypeInt64: 4,
	data.TypeFloat32: 5, data.TypeFloat64: 6,
}

// commonSchemaFor is Values.commonSchemaFor: numbers widen (integers to
// larger integers or floats, FLOAT32 to FLOAT64); other differing types have
// no common schema (nil), and the next element starts over.
func commonSchemaFor(prev *data.Schema, latest *schemaAndValue) *data.Schema {
	if latest == nil {
		return prev
	}
	if prev == nil {
		return latest.schema
	}
	next := latest.schema
	if prev.Type != next.Type {
		rp, okp := numericRank[prev.Type]
		rn, okn := numericRank[next.Type]
		switch {
		case !okp || !okn:
			return nil
		case rn > rp:
			return next
		}
		return prev
	}
	if prev.Optional == next.Optional {
		if prev.Optional {
			return prev
		}
		return next
	}
	if !prev.Equal(next) {
		return nil
	}
	return prev
}

var errNullRequired = errors.New("Unable to convert a null value to a schema that requires a value")

// alignTo is Values.convertTo for the schemas parsing infers.
func alignTo(to *data.Schema, v any) (any, error) {
	if v == nil {
		if to.Optional {
			return nil, nil
		}
		return nil, errNullRequired
	}
	switch to.Name {
	case data.DecimalName:
		switch x := v.(type) {
		case data.Decimal:
			return x, nil
		case string:
			return nil, errValuesParse
		}
		f, err := asDouble(v)
		if err != nil {
			return nil, err
		}
		return data.ParseDecimal(string(jsontext.AppendJava(nil, f, 64))) // BigDecimal.valueOf(double)
	case data.DateName, data.TimeName, data.TimestampName:
		if t, ok := v.(time.Time); ok {
			return t, nil
		}
		return nil, errValuesParse
	}
	switch to.Type {
	case data.TypeString:
		b, err := appendValuesString(nil, v, false)
		return string(b), err
	case data.TypeBoolean:
		if b, ok := v.(bool); ok {
			return b, nil
		}
		n, err := asLong(v)
		return n != 0, err
	case data.TypeInt8, data.TypeInt16, data.TypeInt32, data.TypeInt64:
		n, err := asLong(v)
		if err != nil {
			return nil, err
		}
		switch to.Type {
		case data.TypeInt8:
			return int8(n), nil
		case data.TypeInt16:
			return int16(n), nil
		case data.TypeInt32:
			return int32(n), nil
		}
		return n, nil
	case data.TypeFloat32, data.TypeFloat64:
		f, err := asDouble(v)
		if err != nil {
			return nil, err
		}
		if to.Type == data.TypeFloat32 {
			if x, ok := v.(float32); ok {
				return x, nil
			}
			return float32(f), nil
		}
		return f, nil
	case data.TypeArray:
		if a, ok := v.([]any); ok {
			return a, nil
		}
	case data.TypeMap:
		if m, ok := v.([]data.MapEntry); ok {
			return m, nil
		}
	}
	return nil, errValuesParse
}

// asLong is Number.longValue, or BigDecimal(text).longValue for strings.
func asLong(v any) (int64, error) {
	switch x := v.(type) {
	case int8:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case int64:
		return x, nil
	case float32:
		return int64(x), nil
	case float64:
		return int64(x), nil
	case data.Decimal:
		return decimalLong(x), nil
	case string:
		d, err := data.ParseDecimal(x)
		if err != nil {
			return 0, errValuesParse
		}
		return decimalLong(d), nil
	}
	return 0, errValuesParse
}

func asDouble(v any) (float64, error) {
	switch x := v.(type) {
	case float32:
		return float64(x), nil
	case float64:
		return x, nil
	case data.Decimal:
		f, _ := decimalRat(x).Float64()
		return f, nil
	case string:
		d, err := data.ParseDecimal(x)
		if err != nil {
			return 0, errValuesParse
		}
		f, _ := decimalRat(d).Float64()
		return f, nil
	}
	n, err := asLong(v)
	return float64(n), err
}

func decimalRat(d data.Decimal) *big.Rat {
	u := d.Unscaled
	if u == nil {
		u = new(big.Int)
	}
	pow := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs32(d.Scale))), nil)
	if d.Scale >= 0 {
		return new(big.Rat).SetFrac(u, pow)
	}
	return new(big.Rat).SetInt(new(big.Int).Mul(u, pow))
}

// decimalLong is BigDecimal.longValue: truncated, low 64 bits.
func decimalLong(d data.Decimal) int64 {
	r := decimalRat(d)
	return lowBits(new(big.Int).Quo(r.Num(), r.Denom()))
}

func abs32(v int32) int32 {
	if v < 0 {
		return -v
	}
	return v
}
