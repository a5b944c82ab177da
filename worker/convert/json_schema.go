package convert

import (
	"container/list"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/wharf-project/wharf/connector/data"
	"github.com/wharf-project/wharf/connector/jsontext"
)

// appendSchema is JsonConverter.asJsonSchema. Keys come in Kafka's order:
// type, items | keys, values | fields, optional, name, version, doc,
// parameters, default; a struct field's own name ("field") comes last.
func (c *JSON) appendSchema(dst []byte, s *data.Schema, field string, isField bool) ([]byte, error) {
	if s == nil {
		return append(dst, "null"...), nil
	}
	var err error
	dst = append(dst, `{"type":"`...)
	dst = append(dst, s.Type.String()...)
	dst = append(dst, '"')
	switch s.Type {
	case data.TypeArray:
		dst = append(dst, `,"items":`...)
		if dst, err = c.appendSchema(dst, s.Elem, "", false); err != nil {
			return dst, err
		}
	case data.TypeMap:
		dst = append(dst, `,"keys":`...)
		if dst, err = c.appendSchema(dst, s.Key, "", false); err != nil {
			return dst, err
		}
		dst = append(dst, `,"values":`...)
		if dst, err = c.appendSchema(dst, s.Value, "", false); err != nil {
			return dst, err
		}
	case data.TypeStruct:
		dst = append(dst, `,"fields":[`...)
		for i, f := range s.Fields {
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, err = c.appendSchema(dst, f.Schema, f.Name, true); err != nil {
				return dst, err
			}
		}
		dst = append(dst, ']')
	}
	dst = append(dst, `,"optional":`...)
	dst = appendBool(dst, s.Optional)
	if s.Name != "" {
		dst = append(dst, `,"name":`...)
		dst = jsontext.AppendString(dst, s.Name)
	}
	if s.Version != 0 {
		dst = append(dst, `,"version":`...)
		dst = strconv.AppendInt(dst, int64(s.Version), 10)
	}
	if s.Doc != "" {
		dst = append(dst, `,"doc":`...)
		dst = jsontext.AppendString(dst, s.Doc)
	}
	if len(s.Parameters) > 0 {
		dst = append(dst, `,"parameters":{`...)
		for i, p := range s.Parameters {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = jsontext.AppendString(dst, p.Key)
			dst = append(dst, ':')
			dst = jsontext.AppendString(dst, p.Value)
		}
		dst = append(dst, '}')
	}
	if s.Default != nil {
		dst = append(dst, `,"default":`...)
		if dst, err = c.appendValue(dst, s, s.Default); err != nil {
			return dst, err
		}
	}
	if isField {
		dst = append(dst, `,"field":`...)
		dst = jsontext.AppendString(dst, field)
	}
	return append(dst, '}'), nil
}

// appendLogical writes Decimal, Date, Time and Timestamp values. done is
// false for other schema names, which are written by their type.
func (c *JSON) appendLogical(dst []byte, s *data.Schema, v any) (done bool, out []byte, err error) {
	switch s.Name {
	case data.DecimalName:
		d, ok := v.(data.Decimal)
		if !ok {
			return true, dst, fmt.Errorf("Invalid type for Decimal, expected BigDecimal but was %s", javaClass(v))
		}
		if c.decimalNumeric {
			return true, appendBigDecimal(dst, d), nil
		}
		scale, err := decimalScale(s)
		if err != nil {
			return true, dst, err
		}
		if scale != d.Scale {
			return true, dst, fmt.Errorf("Decimal value has mismatching scale for given Decimal schema. "+
				"Schema has scale %d, value has scale %d.", scale, d.Scale)
		}
		return true, appendDecimalBase64(dst, d), nil
	case data.DateName:
		t, ok := v.(time.Time)
		if !ok {
			return true, dst, fmt.Errorf("Invalid type for Date, expected Date but was %s", javaClass(v))
		}
		if ms := t.UnixMilli(); ms%msPerDay != 0 {
			return true, dst, errors.New("Kafka Connect Date type should not have any time fields set to non-zero values.")
		}
		return true, appendInt(dst, int64(data.DateToDays(t))), nil
	case data.TimeName:
		t, ok := v.(time.Time)
		if !ok {
			return true, dst, fmt.Errorf("Invalid type for Time, expected Date but was %s", javaClass(v))
		}
		if ms := t.UnixMilli(); ms < 0 || ms > msPerDay {
			return true, dst, errors.New("Kafka Connect Time type should not have any date fields set to non-zero values.")
		}
		return true, appendInt(dst, t.UnixMilli()), nil
	case data.TimestampName:
		t, ok := v.(time.Time)
		if !ok {
			return true, dst, fmt.Errorf("Invalid type for Timestamp, expected Date but was %s", javaClass(v))
		}
		return true, appendInt(dst, t.UnixMilli()), nil
	}
	return false, dst, nil
}

// appendDecimalBase64 writes d as Decimal.fromLogical bytes: the unscaled
// value in big-endian two's complement, base64.
func appendDecimalBase64(dst []byte, d data.Decimal) []byte {
	var buf [16]byte
	return appendBase64(dst, appendTwosComplement(buf[:0], d.Unscaled))
}

const msPerDay = 24 * 60 * 60 * 1000

// decimalScale reads the scale parameter without allocating, with Kafka's
// messages for a missing or bad one.
func decimalScale(s *data.Schema) (int32, error) {
	p, ok := s.Param(data.DecimalScaleParam)
	if !ok {
		return 0, errors.New("Invalid Decimal schema: scale parameter not found.")
	}
	n, err := strconv.ParseInt(p, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("Invalid scale parameter found in Decimal schema: %w", err)
	}
	return int32(n), nil
}

// lru is a size-bounded least-recently-used cache safe for concurrent use
// (Kafka's SynchronizedCache over LRUCache). A size below 1 caches nothing.
type lru[K comparable, V any] struct {
	mu    sync.Mutex
	max   int
	items map[K]*list.Element
	order list.List // front: most recently used
}

type lruEntry[K comparable, V any] struct {
	key K
	val V
}

func newLRU[K comparable, V any](max int) *lru[K, V] {
	return &lru[K, V]{max: max, items: make(map[K]*list.Element)}
}

func (l *lru[K, V]) get(k K) (V, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.items[k]; ok {
		l.order.MoveToFront(e)
		return e.Value.(*lruEntry[K, V]).val, true
	}
	var zero V
	return zero, false
}

// peek is get without making k the most recently used.
func (l *lru[K, V]) peek(k K) (V, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.items[k]; ok {
		return e.Value.(*lruEntry[K, V]).val, true
	}
	var zero V
	return zero, false
}

func (l *lru[K, V]) put(k K, v V) {
	if l.max < 1 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.items[k]; ok {
		e.Value.(*lruEntry[K, V]).val = v
		l.order.MoveToFront(e)
		return
	}
	l.items[k] = l.order.PushFront(&lruEntry[K, V]{key: k, val: v})
	for l.order.Len() > l.max {
		last := l.order.Back()
		l.order.Remove(last)
		delete(l.items, last.Value.(*lruEntry[K, V]).key)
	}
}

func (l *lru[K, V]) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.order.Len()
}
