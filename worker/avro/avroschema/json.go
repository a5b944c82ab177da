package avroschema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/wharf-project/wharf/connector/jsontext"
	"io"
	"strconv"
)

// JSON values keep their document order because Avro (and Confluent's
// registry after it) writes schema properties in insertion order, and that
// order is part of the schema text whose identity the registry checks.
//
// A JSON value is one of: nil, bool, json.Number, string, []any, Object.

// Member is one member of a JSON object.
type Member struct {
	Key   string
	Value any
}

// Object is a JSON object in document order.
type Object []Member

// Get returns the value of key and whether it is present.
func (o Object) Get(key string) (any, bool) {
	for _, m := range o {
		if m.Key == key {
			return m.Value, true
		}
	}
	return nil, false
}

// Set replaces the value of key, or appends it.
func (o Object) Set(key string, v any) Object {
	for i := range o {
		if o[i].Key == key {
			o[i].Value = v
			return o
		}
	}
	return append(o, Member{key, v})
}

// ParseJSON decodes one JSON document keeping object member order.
func ParseJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	v, err := parseValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after the JSON value")
	}
	return v, nil
}

func parseValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			obj := Object{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := parseValue(dec)
				if err != nil {
					return nil, err
				}
				obj = obj.Set(k, v) // a repeated key keeps its first position, last value, as Jackson
			}
			_, err := dec.Token()
			return obj, err
		case '[':
			arr := []any{}
			for dec.More() {
				v, err := parseValue(dec)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			_, err := dec.Token()
			return arr, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	default:
		return t, nil
	}
}

// AppendJSON writes v compactly, as Jackson writes a JsonNode tree.
func AppendJSON(dst []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...)
	case bool:
		return strconv.AppendBool(dst, x)
	case json.Number:
		return append(dst, x...)
	case string:
		return jsontext.AppendString(dst, x)
	case []any:
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendJSON(dst, e)
		}
		return append(dst, ']')
	case Object:
		dst = append(dst, '{')
		for i, m := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = jsontext.AppendString(dst, m.Key)
			dst = append(dst, ':')
			dst = AppendJSON(dst, m.Value)
		}
		return append(dst, '}')
	case int:
		return strconv.AppendInt(dst, int64(x), 10)
	case int64:
		return strconv.AppendInt(dst, x, 10)
	}
	panic(fmt.Sprintf("avroschema: not a JSON value: %T", v))
}

// JavaFloat formats f as Java's Double.toString (bits 64) or Float.toString
// (bits 32), which is how Jackson writes floating-point numbers.
func JavaFloat(f float64, bits int) json.Number {
	return json.Number(jsontext.AppendJava(nil, f, bits))
}
