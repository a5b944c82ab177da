package transform

import (
	"fmt"
	"time"

	"github.com/wharf-project/wharf/connector/data"
)

// javaClassName names the Java class Connect would see for a Go value, so
// error texts match Connect's Requirements messages.
func javaClassName(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return "java.lang.String"
	case int8:
		return "java.lang.Byte"
	case int16:
		return "java.lang.Short"
	case int32:
		return "java.lang.Integer"
	case int64:
		return "java.lang.Long"
	case float32:
		return "java.lang.Float"
	case float64:
		return "java.lang.Double"
	case bool:
		return "java.lang.Boolean"
	case []byte:
		return "[B"
	case []any:
		return "java.util.ArrayList"
	case []data.MapEntry:
		return "java.util.HashMap"
	case *data.Struct:
		if x == nil {
			return "null"
		}
		return "org.apache.kafka.connect.data.Struct"
	case data.Decimal:
		return "java.math.BigDecimal"
	case time.Time:
		return "java.util.Date"
	default:
		return fmt.Sprintf("%T", v)
	}
}

// requireStruct is Connect's Requirements.requireStruct.
func requireStruct(v any, purpose string) (*data.Struct, error) {
	if s, ok := v.(*data.Struct); ok && s != nil {
		return s, nil
	}
	return nil, fmt.Errorf("Only Struct objects supported for [%s], found: %s", purpose, javaClassName(v))
}

// requireMap is Connect's Requirements.requireMap.
func requireMap(v any, purpose string) ([]data.MapEntry, error) {
	if m, ok := v.([]data.MapEntry); ok {
		return m, nil
	}
	return nil, fmt.Errorf("Only Map objects supported in absence of schema for [%s], found: %s", purpose, javaClassName(v))
}

// copySchemaBasics is Connect's SchemaUtil.copySchemaBasics for a struct:
// name, version, doc and parameters carry over; optionality and the default
// do not, so the copy is a required struct, as in Java.
func copySchemaBasics(s *data.Schema, fields int) *data.Schema {
	return &data.Schema{Type: s.Type, Name: s.Name, Version: s.Version, Doc: s.Doc,
		Parameters: append([]data.Param(nil), s.Parameters...),
		Fields:     make([]data.Field, 0, fields)}
}

// addField appends a field, failing as SchemaBuilder.field does on a
// duplicate name (data.StructBuilder would panic instead).
func addField(s *data.Schema, name string, fs *data.Schema) error {
	if s.Field(name) != nil {
		return fmt.Errorf("Cannot create field because of field name duplication %s", name)
	}
	s.Fields = append(s.Fields, data.Field{Name: name, Index: len(s.Fields), Schema: fs})
	return nil
}

// fieldValue reads field i as Struct.get (replaceNull: the field's default
// stands in for null) or Struct.getWithoutDefault.
func fieldValue(s *data.Struct, i int, replaceNull bool) any {
	v := s.At(i)
	if v == nil && replaceNull {
		return s.Schema().Fields[i].Schema.Default
	}
	return v
}

// mapPut sets key in an ordered map, replacing an existing entry in place
// (HashMap.put) or appending.
func mapPut(m []data.MapEntry, key string, v any) []data.MapEntry {
	for i := range m {
		if k, ok := m[i].Key.(string); ok && k == key {
			m[i].Value = v
			return m
		}
	}
	return append(m, data.MapEntry{Key: key, Value: v})
}

// cacheSize bounds derived-schema caches, as Connect's LRUCache(16).
const cacheSize = 16

// schemaCache maps input schemas to derived values. Lookups try pointer
// identity first (sources reuse schema values), then structural equality
// (converters may build a new but equal schema per record).
type schemaCache[T any] struct {
	keys [cacheSize]*data.Schema
	tags [cacheSize]string
	vals [cacheSize]T
	n    int
	next int
}

func (c *schemaCache[T]) get(k *data.Schema, tag string) (T, bool) {
	for i := 0; i < c.n; i++ {
		if c.keys[i] == k && c.tags[i] == tag {
			return c.vals[i], true
		}
	}
	for i := 0; i < c.n; i++ {
		if c.tags[i] == tag && c.keys[i].Equal(k) {
			return c.vals[i], true
		}
	}
	var zero T
	return zero, false
}

func (c *schemaCache[T]) put(k *data.Schema, tag string, v T) {
	c.keys[c.next], c.tags[c.next], c.vals[c.next] = k, tag, v
	c.next = (c.next + 1) % cacheSize
	if c.n < cacheSize {
		c.n++
	}
}

func (c *schemaCache[T]) reset() { *c = schemaCache[T]{} }
