package convert

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"time"

	"github.com/wharf-project/wharf/connector/data"
	"github.com/wharf-project/wharf/connector/jsontext"
)

// appendJavaString writes v as Java's Object.toString would render the
// Connect value (what StringConverter sends): List as "[a, b]", Map as
// "{k=v}", Struct as "Struct{f=v,g=w}", Date in Date.toString form (UTC).
// A byte array, which Java would print as "[B@1b6d3586", is written raw at
// the top level and as base64 when nested.
func appendJavaString(dst []byte, v any, nested bool) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case string:
		return append(dst, x...), nil
	case []byte:
		if nested {
			return base64.StdEncoding.AppendEncode(dst, x), nil
		}
		return append(dst, x...), nil
	case []any:
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',', ' ')
			}
			var err error
			if dst, err = appendJavaString(dst, e, true); err != nil {
				return dst, err
			}
		}
		return append(dst, ']'), nil
	case []data.MapEntry:
		dst = append(dst, '{')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',', ' ')
			}
			var err error
			if dst, err = appendJavaString(dst, e.Key, true); err != nil {
				return dst, err
			}
			dst = append(dst, '=')
			if dst, err = appendJavaString(dst, e.Value, true); err != nil {
				return dst, err
			}
		}
		return append(dst, '}'), nil
	case *data.Struct:
		dst = append(dst, "Struct{"...)
		first := true
		for i, f := range x.Schema().Fields {
			fv := x.At(i)
			if fv == nil {
				continue
			}
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = append(dst, f.Name...)
			dst = append(dst, '=')
			var err error
			if dst, err = appendJavaString(dst, fv, true); err != nil {
				return dst, err
			}
		}
		return append(dst, '}'), nil
	case time.Time:
		return x.UTC().AppendFormat(dst, "Mon Jan 02 15:04:05 UTC 2006"), nil
	}
	if out, ok := appendScalarString(dst, v); ok {
		return out, nil
	}
	return dst, fmt.Errorf("Failed to serialize unexpected value type %s: %v", javaClass(v), v)
}

// appendScalarString writes numbers and booleans as their Java toString.
func appendScalarString(dst []byte, v any) ([]byte, bool) {
	switch x := v.(type) {
	case bool:
		return strconv.AppendBool(dst, x), true
	case int8:
		return strconv.AppendInt(dst, int64(x), 10), true
	case int16:
		return strconv.AppendInt(dst, int64(x), 10), true
	case int32:
		return strconv.AppendInt(dst, int64(x), 10), true
	case int64:
		return strconv.AppendInt(dst, x, 10), true
	case float32:
		return jsontext.AppendJava(dst, float64(x), 32), true
	case float64:
		return jsontext.AppendJava(dst, x, 64), true
	case data.Decimal:
		return appendBigDecimal(dst, x), true
	}
	return dst, false
}

// appendValuesString is Kafka's Values.convertToString, used by
// SimpleHeaderConverter: primitives in their string form, containers and
// structs in a JSON-like form whose embedded strings are quoted with only
// '\\' and '"' escaped, bytes as base64, dates in ISO-8601 (UTC).
func appendValuesString(dst []byte, v any, embedded bool) ([]byte, error) {
	var err error
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case string:
		if !embedded {
			return append(dst, x...), nil
		}
		return appendValuesQuoted(dst, x), nil
	case []byte:
		if embedded {
			dst = append(dst, '"')
		}
		dst = base64.StdEncoding.AppendEncode(dst, x)
		if embedded {
			dst = append(dst, '"')
		}
		return dst, nil
	case []any:
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, err = appendValuesString(dst, e, true); err != nil {
				return dst, err
			}
		}
		return append(dst, ']'), nil
	case []data.MapEntry:
		dst = append(dst, '{')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, err = appendValuesString(dst, e.Key, true); err != nil {
				return dst, err
			}
			dst = append(dst, ':')
			if dst, err = appendValuesString(dst, e.Value, true); err != nil {
				return dst, err
			}
		}
		return append(dst, '}'), nil
	case *data.Struct:
		dst = append(dst, '{')
		for i, f := range x.Schema().Fields {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendValuesQuoted(dst, f.Name)
			dst = append(dst, ':')
			if dst, err = appendValuesString(dst, x.At(i), true); err != nil {
				return dst, err
			}
		}
		return append(dst, '}'), nil
	case time.Time:
		return appendISODate(dst, x), nil
	}
	if out, ok := appendScalarString(dst, v); ok {
		return out, nil
	}
	return dst, fmt.Errorf("Failed to serialize unexpected value type %s: %v", javaClass(v), v)
}

func appendValuesQuoted(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' || s[i] == '"' {
			dst = append(dst, '\\')
		}
		dst = append(dst, s[i])
	}
	return append(dst, '"')
}

// Values' ISO-8601 layouts (Values.dateFormatFor), in UTC.
const (
	isoDate      = "2006-01-02"
	isoTime      = "15:04:05.000Z"
	isoTimestamp = "2006-01-02T15:04:05.000Z"
)

// appendISODate picks the layout as Values.dateFormatFor does: a time of
// day when within the first day after the epoch, a date at a midnight,
// otherwise a timestamp.
func appendISODate(dst []byte, t time.Time) []byte {
	ms := t.UnixMilli()
	t = t.UTC()
	switch {
	case ms < msPerDay:
		return t.AppendFormat(dst, isoTime)
	case ms%msPerDay == 0:
		return t.AppendFormat(dst, isoDate)
	}
	return t.AppendFormat(dst, isoTimestamp)
}
