package avro

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/wharf-project/wharf/connector/data"
	"github.com/wharf-project/wharf/worker/avro/avroschema"
)

// defaultFromConnect renders a Connect default as the JSON AvroData writes
// (defaultValueFromConnect): bytes as ISO-8859-1 text, logical values in
// their Avro form, maps with non-string keys as [key, value] pairs.
func defaultFromConnect(s *data.Schema, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	v, err := logicalToAvro(s, v)
	if err != nil {
		return nil, err
	}
	bad := func() (any, error) {
		return nil, fmt.Errorf("Invalid type used for default value of %s field: %T", strings.ToUpper(s.Type.String()), v)
	}
	switch s.Type {
	case data.TypeInt8, data.TypeInt16, data.TypeInt32, data.TypeInt64:
		n, ok := intValue(v)
		if !ok {
			return bad()
		}
		return json.Number(strconv.FormatInt(n, 10)), nil
	case data.TypeFloat32:
		f, ok := v.(float32)
		if !ok {
			return bad()
		}
		return avroschema.JavaFloat(float64(f), 32), nil
	case data.TypeFloat64:
		f, ok := v.(float64)
		if !ok {
			return bad()
		}
		return avroschema.JavaFloat(f, 64), nil
	case data.TypeBoolean, data.TypeString:
		return v, nil
	case data.TypeBytes:
		b, ok := v.([]byte)
		if !ok {
			return bad()
		}
		r := make([]rune, len(b))
		for i, c := range b {
			r[i] = rune(c)
		}
		return string(r), nil
	case data.TypeArray, data.TypeMap, data.TypeStruct:
		return compositeDefaultFromConnect(s, v)
	}
	return bad()
}

// compositeDefaultFromConnect renders array, map and struct defaults.
func compositeDefaultFromConnect(s *data.Schema, v any) (any, error) {
	switch s.Type {
	case data.TypeArray:
		arr, _ := v.([]any)
		out := make([]any, 0, len(arr))
		for _, e := range arr {
			j, err := defaultFromConnect(s.Elem, e)
			if err != nil {
				return nil, err
			}
			out = append(out, j)
		}
		return out, nil
	case data.TypeMap:
		return mapDefaultFromConnect(s, v)
	case data.TypeStruct:
		st, ok := v.(*data.Struct)
		if !ok {
			return nil, fmt.Errorf("Invalid type used for default value of STRUCT field: %T", v)
		}
		var obj avroschema.Object
		for i, f := range s.Fields {
			fv := st.At(i)
			if fv == nil {
				fv = f.Schema.Default
			}
			j, err := defaultFromConnect(f.Schema, fv)
			if err != nil {
				return nil, err
			}
			obj = append(obj, avroschema.Member{Key: f.Name, Value: j})
		}
		return obj, nil
	}
	return nil, fmt.Errorf("Invalid type used for default value of %s field: %T", strings.ToUpper(s.Type.String()), v)
}

func mapDefaultFromConnect(s *data.Schema, v any) (any, error) {
	m, _ := v.([]data.MapEntry)
	if s.Key.Type == data.TypeString && !s.Key.Optional {
		obj := avroschema.Object{}
		for _, e := range m {
			j, err := defaultFromConnect(s.Value, e.Value)
			if err != nil {
				return nil, err
			}
			k, _ := e.Key.(string)
			obj = obj.Set(k, j)
		}
		return obj, nil
	}
	out := []any{}
	for _, e := range m {
		k, err := defaultFromConnect(s.Key, e.Key)
		if err != nil {
			return nil, err
		}
		val, err := defaultFromConnect(s.Value, e.Value)
		if err != nil {
			return nil, err
		}
		out = append(out, []any{k, val})
	}
	return out, nil
}

func intValue(v any) (int64, bool) {
	switch x := v.(type) {
	case int8:
		return int64(x), true
	case int16:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	}
	return 0, false
}

// logicalToAvro converts Connect's logical values to their physical form.
func logicalToAvro(s *data.Schema, v any) (any, error) {
	if s.Name == "" {
		return v, nil
	}
	switch s.Name {
	case data.DecimalName:
		dec, ok := v.(data.Decimal)
		if !ok {
			return nil, fmt.Errorf("Invalid type for Decimal, expected BigDecimal but was %T", v)
		}
		scale, err := data.DecimalScale(s)
		if err != nil {
			return nil, err
		}
		if dec.Scale != scale {
			return nil, fmt.Errorf("BigDecimal has mismatching scale value for given Decimal schema")
		}
		return dec.Bytes(), nil
	case data.DateName, data.TimeName, data.TimestampName:
		t, ok := v.(time.Time)
		if !ok {
			if _, isInt := intValue(v); isInt {
				return v, nil
			}
			return nil, fmt.Errorf("Invalid type for %s, expected Date but was %T", s.Name[strings.LastIndexByte(s.Name, '.')+1:], v)
		}
		switch s.Name {
		case data.DateName:
			return data.DateToDays(t), nil
		case data.TimeName:
			return data.TimeToMillis(t), nil
		}
		return t.UnixMilli(), nil
	}
	return v, nil
}

// defaultFromAvro converts a JSON default to its Connect value, logical
// types included (AvroData.defaultValueFromAvro).
func defaultFromAvro(s *data.Schema, a *avroschema.Schema, v any) (any, error) {
	raw, err := physicalDefault(s, a, v)
	if err != nil || raw == nil {
		return nil, err
	}
	return logicalFromAvro(s, raw)
}

func physicalDefault(s *data.Schema, a *avroschema.Schema, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	num, _ := v.(json.Number)
	switch a.Type {
	case avroschema.Int:
		n, err := num.Int64()
		if err != nil {
			return nil, err
		}
		switch s.Type {
		case data.TypeInt8:
			return int8(n), nil
		case data.TypeInt16:
			return int16(n), nil
		}
		return int32(n), nil
	case avroschema.Long:
		return num.Int64()
	case avroschema.Float:
		f, err := floatDefault(v)
		return float32(f), err
	case avroschema.Double:
		return floatDefault(v)
	case avroschema.Boolean:
		b, _ := v.(bool)
		return b, nil
	case avroschema.String, avroschema.Enum:
		str, _ := v.(string)
		return str, nil
	case avroschema.Bytes, avroschema.Fixed:
		str, _ := v.(string)
		b := make([]byte, 0, len(str))
		for _, r := range str {
			b = append(b, byte(r))
		}
		return b, nil
	case avroschema.Array:
		return arrayDefault(s, a, v)
	case avroschema.Map, avroschema.Record:
		return objectDefault(s, a, v)
	case avroschema.Union:
		first := a.Branches[0]
		if first.Type == avroschema.Null {
			return nil, nil
		}
		if s.Name == UnionName {
			f := s.Field(unionFieldName(first, s))
			if f == nil {
				return nil, nil
			}
			return defaultFromAvro(f.Schema, first, v)
		}
		return defaultFromAvro(s, first, v)
	}
	return nil, nil
}

// objectDefault converts the JSON object default of a map or record.
func objectDefault(s *data.Schema, a *avroschema.Schema, v any) (any, error) {
	switch a.Type {
	case avroschema.Map:
		obj, ok := v.(avroschema.Object)
		if !ok {
			return nil, fmt.Errorf("Invalid JSON for map default value: %s", avroschema.AppendJSON(nil, v))
		}
		out := make([]data.MapEntry, 0, len(obj))
		for _, m := range obj {
			val, err := defaultFromAvro(s.Value, a.Values, m.Value)
			if err != nil {
				return nil, err
			}
			out = append(out, data.MapEntry{Key: m.Key, Value: val})
		}
		return out, nil
	case avroschema.Record:
		obj, ok := v.(avroschema.Object)
		if !ok {
			return nil, fmt.Errorf("Invalid JSON for record default value: %s", avroschema.AppendJSON(nil, v))
		}
		st := data.NewStruct(s)
		for i, f := range a.Fields {
			fv, _ := obj.Get(f.Name)
			val, err := defaultFromAvro(s.Fields[i].Schema, f.Type, fv)
			if err != nil {
				return nil, err
			}
			st.Set(i, val)
		}
		return st, nil
	}
	return nil, nil
}

func unionFieldName(b *avroschema.Schema, s *data.Schema) string {
	if b.Type == avroschema.Record || b.Type == avroschema.Enum {
		if s.Field(b.FullName()) != nil {
			return b.FullName()
		}
		return b.Name
	}
	return b.Type.String()
}

func floatDefault(v any) (float64, error) {
	switch x := v.(type) {
	case json.Number:
		return x.Float64()
	case string:
		return strconv.ParseFloat(strings.Replace(x, "Infinity", "Inf", 1), 64)
	}
	return 0, fmt.Errorf("invalid float default %v", v)
}

func arrayDefault(s *data.Schema, a *avroschema.Schema, v any) (any, error) {
	arr, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("Invalid JSON for array default value: %s", avroschema.AppendJSON(nil, v))
	}
	if s.Type == data.TypeMap {
		// Non-string-key maps: AvroData writes [[key, value], …].
		out := make([]data.MapEntry, 0, len(arr))
		for _, e := range arr {
			pair, ok := e.([]any)
			if !ok || len(pair) != 2 {
				return nil, fmt.Errorf("Invalid JSON for map default value: %s", avroschema.AppendJSON(nil, e))
			}
			k, err := defaultFromAvro(s.Key, a.Items.Fields[0].Type, pair[0])
			if err != nil {
				return nil, err
			}
			val, err := defaultFromAvro(s.Value, a.Items.Fields[1].Type, pair[1])
			if err != nil {
				return nil, err
			}
			out = append(out, data.MapEntry{Key: k, Value: val})
		}
		return out, nil
	}
	out := make([]any, 0, len(arr))
	for _, e := range arr {
		val, err := defaultFromAvro(s.Elem, a.Items, e)
		if err != nil {
			return nil, err
		}
		out = append(out, val)
	}
	return out, nil
}

// logicalFromAvro converts physical values of Connect's logical types.
func logicalFromAvro(s *data.Schema, v any) (any, error) {
	switch s.Name {
	case data.DecimalName:
		b, ok := v.([]byte)
		if !ok {
			return nil, fmt.Errorf("Invalid type for Decimal, underlying representation should be bytes but was %T", v)
		}
		scale, err := data.DecimalScale(s)
		if err != nil {
			return nil, err
		}
		return data.Decimal{Unscaled: data.FromTwosComplement(b), Scale: scale}, nil
	case data.DateName:
		n, ok := v.(int32)
		if !ok {
			return nil, fmt.Errorf("Invalid type for Date, underlying representation should be int32 but was %T", v)
		}
		return data.DaysToDate(n), nil
	case data.TimeName:
		n, ok := v.(int32)
		if !ok {
			return nil, fmt.Errorf("Invalid type for Time, underlying representation should be int32 but was %T", v)
		}
		return data.MillisToTime(n), nil
	case data.TimestampName:
		n, ok := v.(int64)
		if !ok {
			return nil, fmt.Errorf("Invalid type for Timestamp, underlying representation should be int64 but was %T", v)
		}
		return timeFromMillis(n), nil
	}
	return v, nil
}
