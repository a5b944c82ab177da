package s3

import (
	"encoding/base64"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/wharf-project/wharf/connector/data"
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
			dst = appendJSONString(dst, f.Name)
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
			dst = appendJSONString(dst, k)
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
			dst = appendJSONString(dst, k)
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
		return appendJSONString(dst, x), nil
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
		return appendJavaFloat(dst, float64(x), 32), nil
	case float64:
		return appendJavaFloat(dst, x, 64), nil
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

// appendJavaFloat renders f as Java's Double.toString (bits 64) or
// Float.toString (bits 32): shortest digits, plain notation for
// 1e-3 <= |f| < 1e7 with at least one fraction digit, else d.dddE±n.
// Jackson quotes NaN and infinities.
func appendJavaFloat(dst []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(dst, `"Infinity"`...)
	case math.IsInf(f, -1):
		return append(dst, `"-Infinity"`...)
	case f == 0:
		if math.Signbit(f) {
			return append(dst, "-0.0"...)
		}
		return append(dst, "0.0"...)
	}
	abs := math.Abs(f)
	if abs >= 1e-3 && abs < 1e7 {
		start := len(dst)
		dst = strconv.AppendFloat(dst, f, 'f', -1, bits)
		for _, c := range dst[start:] {
			if c == '.' {
				return dst
			}
		}
		return append(dst, ".0"...)
	}
	var tmp [32]byte
	s := strconv.AppendFloat(tmp[:0], f, 'e', -1, bits) // 1.2345e+07
	i := 0
	for s[i] != 'e' {
		i++
	}
	mant, exp := s[:i], s[i+1:]
	dst = append(dst, mant...)
	hasDot := false
	for _, c := range mant {
		if c == '.' {
			hasDot = true
		}
	}
	if !hasDot {
		dst = append(dst, ".0"...)
	}
	dst = append(dst, 'E')
	if exp[0] == '-' {
		dst = append(dst, '-')
	}
	exp = exp[1:]
	for len(exp) > 1 && exp[0] == '0' {
		exp = exp[1:]
	}
	return append(dst, exp...)
}

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s as Jackson does: ", \ and control characters
// escaped, everything else (including non-ASCII and /) raw UTF-8.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			if c < utf8.RuneSelf {
				i++
				continue
			}
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				dst = append(dst, s[start:i]...)
				dst = append(dst, `\ufffd`...)
				i++
				start = i
				continue
			}
			i += size
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
