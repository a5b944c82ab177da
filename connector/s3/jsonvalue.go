package s3

import (
	"encoding/base64"
	"strconv"
	"time"

	"github.com/wharf-project/wharf/connector/data"
	"github.com/wharf-project/wharf/connector/jsontext"
)

// jsonEncoder writes Connect values as Kafka's JsonConverter does with
// schemas.enable=false (what Confluent's JsonFormat uses): logical types as
// their wire numbers, bytes and BASE64 decimals as base64 strings, maps with
// string keys as objects and others as [key,value] pairs, and Java's
// Double.toString/Float.toString number forms.
type jsonEncoder struct {
	decimalNumeric bool
}

func (e *jsonEncoder) append(dst []byte, s *data.Schema, v any) ([]byte, error) {
	if v == nil {
		if s != nil && s.Default != nil {
			return e.append(dst, s, s.Default)
		}
		if s != nil && !s.Optional {
			return nil, dataErrorf("Conversion error: null value for field that is required and has no default value")
		}
		return append(dst, "null"...), nil
	}
	if s == nil {
		return e.appendSchemaless(dst, v)
	}
	if out, ok := e.appendLogical(dst, s, v); ok {
		return out, nil
	}
	switch s.Type {
	case data.TypeStruct:
		st, ok := v.(*data.Struct)
		if !ok {
			return nil, dataErrorf("expected Struct for schema %s, got %T", s, v)
		}
		dst = append(dst, '{')
		for i, f := range s.Fields {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = jsontext.AppendString(dst, f.Name)
			dst = append(dst, ':')
			var err error
			if dst, err = e.append(dst, f.Schema, st.At(i)); err != nil {
				return nil, err
			}
		}
		return append(dst, '}'), nil
	case data.TypeArray:
		a, ok := v.([]any)
		if !ok {
			return nil, dataErrorf("expected array for schema %s, got %T", s, v)
		}
		dst = append(dst, '[')
		for i, x := range a {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = e.append(dst, s.Elem, x); err != nil {
				return nil, err
			}
		}
		return append(dst, ']'), nil
	case data.TypeMap:
		m, ok := v.([]data.MapEntry)
		if !ok {
			return nil, dataErrorf("expected map for schema %s, got %T", s, v)
		}
		return e.appendMap(dst, s.Key, s.Value, s.Key.Type == data.TypeString, m)
	}
	return e.appendPrimitive(dst, v)
}

// appendLogical writes Connect's logical types in their wire form.
func (e *jsonEncoder) appendLogical(dst []byte, s *data.Schema, v any) ([]byte, bool) {
	switch s.Name {
	case data.DecimalName:
		if d, ok := v.(data.Decimal); ok {
			if e.decimalNumeric {
				return append(dst, d.String()...), true
			}
			return appendBase64(dst, d.Bytes()), true
		}
	case data.DateName:
		if t, ok := v.(time.Time); ok {
			return strconv.AppendInt(dst, int64(data.DateToDays(t)), 10), true
		}
	case data.TimeName:
		if t, ok := v.(time.Time); ok {
			return strconv.AppendInt(dst, int64(data.TimeToMillis(t)), 10), true
		}
	case data.TimestampName:
		if t, ok := v.(time.Time); ok {
			return strconv.AppendInt(dst, t.UnixMilli(), 10), true
		}
	}
	return dst, false
}

func (e *jsonEncoder) appendMap(dst []byte, ks, vs *data.Schema, object bool, m []data.MapEntry) ([]byte, error) {
	var err error
	if object {
		dst = append(dst, '{')
	} else {
		dst = append(dst, '[')
	}
	for i, en := range m {
		if i > 0 {
			dst = append(dst, ',')
		}
		if object {
			k, _ := en.Key.(string)
			dst = jsontext.AppendString(dst, k)
			dst = append(dst, ':')
		} else {
			dst = append(dst, '[')
			if dst, err = e.append(dst, ks, en.Key); err != nil {
				return nil, err
			}
			dst = append(dst, ',')
		}
		if dst, err = e.append(dst, vs, en.Value); err != nil {
			return nil, err
		}
		if !object {
			dst = append(dst, ']')
		}
	}
	if object {
		return append(dst, '}'), nil
	}
	return append(dst, ']'), nil
}

// appendSchemaless infers the JSON form from the Go value.
func (e *jsonEncoder) appendSchemaless(dst []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case *data.Struct:
		return e.append(dst, x.Schema(), x)
	case []any:
		dst = append(dst, '[')
		for i, el := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = e.append(dst, nil, el); err != nil {
				return nil, err
			}
		}
		return append(dst, ']'), nil
	case map[string]any:
		dst = append(dst, '{')
		for i, k := range sortedKeys(x) {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = jsontext.AppendString(dst, k)
			dst = append(dst, ':')
			var err error
			if dst, err = e.append(dst, nil, x[k]); err != nil {
				return nil, err
			}
		}
		return append(dst, '}'), nil
	case []data.MapEntry:
		object := true
		for _, en := range x {
			if _, ok := en.Key.(string); !ok {
				object = false
			}
		}
		return e.appendMap(dst, nil, nil, object, x)
	case data.Decimal:
		if e.decimalNumeric {
			return append(dst, x.String()...), nil
		}
		return appendBase64(dst, x.Bytes()), nil
	case time.Time:
		return strconv.AppendInt(dst, x.UnixMilli(), 10), nil
	}
	return e.appendPrimitive(dst, v)
}

func (e *jsonEncoder) appendPrimitive(dst []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case string:
		return jsontext.AppendString(dst, x), nil
	case bool:
		return strconv.AppendBool(dst, x), nil
	case int8:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int16:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int32:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(dst, x, 10), nil
	case int:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case float32:
		return jsontext.AppendFloat(dst, float64(x), 32), nil
	case float64:
		return jsontext.AppendFloat(dst, x, 64), nil
	case []byte:
		return appendBase64(dst, x), nil
	case interface{ String() string }: // json.Number and the like
		return append(dst, x.String()...), nil
	}
	return nil, dataErrorf("cannot write %T as JSON", v)
}

func appendBase64(dst []byte, b []byte) []byte {
	dst = append(dst, '"')
	dst = base64.StdEncoding.AppendEncode(dst, b)
	return append(dst, '"')
}
