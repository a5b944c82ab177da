package avro

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/wharf-project/wharf/connector/data"
	"github.com/wharf-project/wharf/worker/avro/avroschema"
)

var errShort = errors.New("avro: unexpected end of data")

// Decode reads one value written with Avro schema a into the Connect value
// of s, the schema ToConnectSchema returned for a. It returns the rest of b.
func (d *Data) Decode(b []byte, a *avroschema.Schema, s *data.Schema) (any, []byte, error) {
	r := reader{b: b}
	v, err := d.decode(&r, a, s)
	if err != nil {
		return nil, nil, err
	}
	return v, r.b[r.pos:], nil
}

type reader struct {
	b   []byte
	pos int
}

func (r *reader) long() (int64, error) {
	u, n := binary.Uvarint(r.b[r.pos:])
	if n <= 0 {
		return 0, errShort
	}
	r.pos += n
	return int64(u>>1) ^ -int64(u&1), nil
}

func (r *reader) next(n int64) ([]byte, error) {
	if n < 0 || n > int64(len(r.b)-r.pos) {
		return nil, errShort
	}
	out := r.b[r.pos : r.pos+int(n)]
	r.pos += int(n)
	return out, nil
}

func (r *reader) bytes() ([]byte, error) {
	n, err := r.long()
	if err != nil {
		return nil, err
	}
	return r.next(n)
}

func timeFromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

func (d *Data) decode(r *reader, a *avroschema.Schema, s *data.Schema) (any, error) {
	switch a.Type {
	case avroschema.Null:
		return nil, nil
	case avroschema.Union:
		i, err := r.long()
		if err != nil {
			return nil, err
		}
		if i < 0 || int(i) >= len(a.Branches) {
			return nil, fmt.Errorf("avro: union index %d out of range", i)
		}
		b := a.Branches[i]
		if b.Type == avroschema.Null {
			return nil, nil
		}
		if s.Type == data.TypeStruct && s.Name == UnionName {
			f := s.Field(unionFieldName(b, s))
			if f == nil {
				return nil, fmt.Errorf("Did not find matching union field for data")
			}
			v, err := d.decode(r, b, f.Schema)
			if err != nil {
				return nil, err
			}
			st := data.NewStruct(s)
			st.Set(f.Index, v)
			return st, nil
		}
		return d.decode(r, b, s)
	case avroschema.Array:
		return d.decodeArray(r, a, s)
	case avroschema.Map:
		return d.decodeMap(r, a, s)
	case avroschema.Record:
		st := data.NewStruct(s)
		for i, f := range a.Fields {
			v, err := d.decode(r, f.Type, s.Fields[i].Schema)
			if err != nil {
				return nil, err
			}
			st.Set(i, v)
		}
		return st, nil
	}
	return decodePrimitive(r, a, s)
}

// decodePrimitive reads a primitive, enum or fixed value.
func decodePrimitive(r *reader, a *avroschema.Schema, s *data.Schema) (any, error) {
	switch a.Type {
	case avroschema.Boolean:
		b, err := r.next(1)
		if err != nil {
			return nil, err
		}
		return b[0] != 0, nil
	case avroschema.Int, avroschema.Long:
		return decodeInteger(r, a, s)
	case avroschema.Float:
		b, err := r.next(4)
		if err != nil {
			return nil, err
		}
		return math.Float32frombits(binary.LittleEndian.Uint32(b)), nil
	case avroschema.Double:
		b, err := r.next(8)
		if err != nil {
			return nil, err
		}
		return math.Float64frombits(binary.LittleEndian.Uint64(b)), nil
	case avroschema.String:
		b, err := r.bytes()
		if err != nil {
			return nil, err
		}
		return string(b), nil
	case avroschema.Enum:
		i, err := r.long()
		if err != nil {
			return nil, err
		}
		if i < 0 || int(i) >= len(a.Symbols) {
			return nil, fmt.Errorf("avro: enum index %d out of range", i)
		}
		return a.Symbols[i], nil
	case avroschema.Bytes, avroschema.Fixed:
		var b []byte
		var err error
		if a.Type == avroschema.Fixed {
			b, err = r.next(int64(a.Size))
		} else {
			b, err = r.bytes()
		}
		if err != nil {
			return nil, err
		}
		if s.Name == data.DecimalName {
			return logicalFromAvro(s, b) // copies into a big.Int
		}
		return append([]byte(nil), b...), nil
	}
	return nil, fmt.Errorf("avro: cannot decode %s", a.Type)
}

// blockCount reads an array or map block header; a negative count is
// followed by the block's byte size, which is skipped.
func (r *reader) blockCount() (int64, error) {
	n, err := r.long()
	if err != nil {
		return 0, err
	}
	if n < 0 {
		if _, err := r.long(); err != nil {
			return 0, err
		}
		n = -n
	}
	if n > math.MaxInt32 {
		return 0, fmt.Errorf("avro: block of %d items", n)
	}
	return n, nil
}

func (d *Data) decodeArray(r *reader, a *avroschema.Schema, s *data.Schema) (any, error) {
	if s.Type == data.TypeMap {
		out := []data.MapEntry{}
		entry := a.Items
		for {
			n, err := r.blockCount()
			if err != nil || n == 0 {
				return out, err
			}
			for ; n > 0; n-- {
				k, err := d.decode(r, entry.Fields[0].Type, s.Key)
				if err != nil {
					return nil, err
				}
				v, err := d.decode(r, entry.Fields[1].Type, s.Value)
				if err != nil {
					return nil, err
				}
				out = append(out, data.MapEntry{Key: k, Value: v})
			}
		}
	}
	out := []any{}
	for {
		n, err := r.blockCount()
		if err != nil || n == 0 {
			return out, err
		}
		for ; n > 0; n-- {
			v, err := d.decode(r, a.Items, s.Elem)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
	}
}

func (d *Data) decodeMap(r *reader, a *avroschema.Schema, s *data.Schema) (any, error) {
	out := []data.MapEntry{}
	for {
		n, err := r.blockCount()
		if err != nil || n == 0 {
			return out, err
		}
		for ; n > 0; n-- {
			k, err := r.bytes()
			if err != nil {
				return nil, err
			}
			v, err := d.decode(r, a.Values, s.Value)
			if err != nil {
				return nil, err
			}
			out = append(out, data.MapEntry{Key: string(k), Value: v})
		}
	}
}

// decodeInteger reads int and long values, with the Connect types and
// logical types built on them.
func decodeInteger(r *reader, a *avroschema.Schema, s *data.Schema) (any, error) {
	n, err := r.long()
	if err != nil {
		return nil, err
	}
	if a.Type == avroschema.Long {
		if s.Name == data.TimestampName {
			return timeFromMillis(n), nil
		}
		return n, nil
	}
	switch s.Type {
	case data.TypeInt8:
		return int8(n), nil
	case data.TypeInt16:
		return int16(n), nil
	}
	switch s.Name {
	case data.DateName:
		return data.DaysToDate(int32(n)), nil
	case data.TimeName:
		return data.MillisToTime(int32(n)), nil
	}
	return int32(n), nil
}
