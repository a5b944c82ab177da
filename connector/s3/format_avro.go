package s3

import (
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"time"

	"github.com/linkedin/goavro/v2"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/data"
)

// avroBlockRecords is how many records go into one Avro container block.
const avroBlockRecords = 256

// avroFormat writes Avro object container files (Confluent's AvroFormat)
// with goavro; the Avro schema follows Confluent's AvroData mapping
// (connect.name/connect.version properties, optional as a null union,
// unnamed structs as io.confluent.connect.avro.ConnectDefault).
type avroFormat struct{ codec string }

type avroWriter struct {
	root  *avroType
	ocf   *goavro.OCFWriter
	block []any
	bytes int // estimated size of block
}

// avroType is the compiled mapping of one Connect schema.
type avroType struct {
	schema    *data.Schema
	name      string // union branch name goavro expects
	fields    []*avroType
	elem, val *avroType
	mapArray  bool // non-string map keys: array of MapEntry records
}

func (f *avroFormat) open(out io.Writer, s *data.Schema) (recordWriter, error) {
	if s == nil {
		return nil, dataErrorf("AvroFormat needs records with a value schema")
	}
	b := &avroBuilder{names: map[string]bool{}}
	root, js := b.build(s)
	text, err := json.Marshal(js)
	if err != nil {
		return nil, err
	}
	codec := map[string]string{"null": goavro.CompressionNullLabel, "deflate": goavro.CompressionDeflateLabel,
		"snappy": goavro.CompressionSnappyLabel}[f.codec]
	if codec == "" {
		return nil, fmt.Errorf("avro codec %s is not supported", f.codec)
	}
	ocf, err := goavro.NewOCFWriter(goavro.OCFConfig{W: out, Schema: string(text), CompressionName: codec})
	if err != nil {
		return nil, fmt.Errorf("avro: schema %s: %w", text, err)
	}
	return &avroWriter{root: root, ocf: ocf}, nil
}

type avroBuilder struct {
	names map[string]bool
	seq   int
}

func (b *avroBuilder) build(s *data.Schema) (*avroType, any) {
	t := &avroType{schema: s}
	var js any
	switch s.Type {
	case data.TypeArray:
		var items any
		t.elem, items = b.build(s.Elem)
		js, t.name = map[string]any{"type": "array", "items": items}, "array"
	case data.TypeMap:
		js = b.buildMap(t)
	case data.TypeStruct:
		js = b.buildRecord(t)
	default:
		js = buildPrimitive(t)
	}
	if s.Optional {
		return t, []any{"null", js}
	}
	return t, js
}

// connectProps are AvroData's connect.name/connect.version properties.
func connectProps(s *data.Schema) map[string]any {
	props := map[string]any{}
	if s.Name != "" {
		props["connect.name"] = s.Name
	}
	if s.Version != 0 {
		props["connect.version"] = s.Version
	}
	if len(s.Parameters) > 0 {
		params := make(map[string]any, len(s.Parameters))
		for _, p := range s.Parameters {
			params[p.Key] = p.Value
		}
		props["connect.parameters"] = params
	}
	return props
}

func buildPrimitive(t *avroType) map[string]any {
	s := t.schema
	m := connectProps(s)
	set := func(typ string) { m["type"], t.name = typ, typ }
	switch s.Type {
	case data.TypeInt8, data.TypeInt16:
		set("int")
		m["connect.type"] = s.Type.String()
	case data.TypeInt32:
		set("int")
		switch s.Name {
		case data.DateName:
			m["logicalType"], t.name = "date", "int.date"
		case data.TimeName:
			m["logicalType"], t.name = "time-millis", "int.time-millis"
		}
	case data.TypeInt64:
		set("long")
		if s.Name == data.TimestampName {
			m["logicalType"], t.name = "timestamp-millis", "long.timestamp-millis"
		}
	case data.TypeFloat32:
		set("float")
	case data.TypeFloat64:
		set("double")
	case data.TypeBoolean:
		set("boolean")
	case data.TypeString:
		set("string")
	case data.TypeBytes:
		set("bytes")
		if s.Name == data.DecimalName {
			scale, _ := data.DecimalScale(s)
			prec := 64 // AvroData's default without connect.decimal.precision
			if p, ok := s.Param(decimalPrecisionParam); ok {
				prec, _ = strconv.Atoi(p)
			}
			m["logicalType"], m["precision"], m["scale"], t.name = "decimal", prec, scale, "bytes.decimal"
		}
	}
	return m
}

// buildMap maps string-keyed maps to Avro maps and others to arrays of
// MapEntry records, as AvroData.
func (b *avroBuilder) buildMap(t *avroType) any {
	s := t.schema
	k, kjs := b.build(s.Key)
	v, vjs := b.build(s.Value)
	t.elem, t.val, t.name = k, v, "array"
	if s.Key.Type == data.TypeString && !s.Key.Optional {
		t.name = "map"
		return map[string]any{"type": "map", "values": vjs}
	}
	t.mapArray = true
	entry := b.recordName("io.confluent.connect.avro.MapEntry")
	return map[string]any{"type": "array", "items": map[string]any{"type": "record", "name": entry,
		"fields": []any{map[string]any{"name": "key", "type": kjs}, map[string]any{"name": "value", "type": vjs}}}}
}

func (b *avroBuilder) buildRecord(t *avroType) any {
	s := t.schema
	name := s.Name
	if name == "" {
		name = "io.confluent.connect.avro.ConnectDefault"
	}
	if b.names[name] {
		// Already defined: Avro refers to it by name (Debezium's before/after).
		t.name = name
		for _, f := range s.Fields {
			ft, _ := b.build(f.Schema)
			t.fields = append(t.fields, ft)
		}
		return name
	}
	name = b.recordName(name)
	var fields []any
	for _, f := range s.Fields {
		ft, fjs := b.build(f.Schema)
		t.fields = append(t.fields, ft)
		fm := map[string]any{"name": f.Name, "type": fjs}
		if f.Schema.Optional {
			fm["default"] = nil
		}
		fields = append(fields, fm)
	}
	m := connectProps(s) // AvroData repeats the name as connect.name
	m["type"], m["name"], m["fields"] = "record", name, fields
	t.name = name
	return m
}

func (b *avroBuilder) recordName(name string) string {
	if b.names[name] {
		b.seq++
		name += strconv.Itoa(b.seq)
	}
	b.names[name] = true
	return name
}

func (w *avroWriter) write(rec *connector.SinkRecord) error {
	if err := data.ValidateValue(w.root.schema, rec.Value); err != nil {
		return dataErrorf("value does not match its schema: %v", err)
	}
	v, err := w.root.native(rec.Value)
	if err != nil {
		return err
	}
	w.block = append(w.block, v)
	w.bytes += valueSize(rec.Value)
	if len(w.block) >= avroBlockRecords {
		return w.flush()
	}
	return nil
}

func (w *avroWriter) flush() error {
	if len(w.block) == 0 {
		return nil
	}
	err := w.ocf.Append(w.block)
	w.block, w.bytes = w.block[:0], 0
	if err != nil {
		return fmt.Errorf("avro: append: %w", err)
	}
	return nil
}

func (w *avroWriter) finish() error { return w.flush() }
func (w *avroWriter) release()      { w.block = nil }
func (w *avroWriter) buffered() int { return w.bytes }
func (w *avroWriter) shrink() error { return w.flush() }

// valueSize estimates the memory of a Connect value converted to goavro's
// native form (maps per record and union).
func valueSize(v any) int {
	switch x := v.(type) {
	case string:
		return 16 + len(x)
	case []byte:
		return 24 + len(x)
	case *data.Struct:
		n := 48
		for i := range x.Schema().Fields {
			n += 32 + valueSize(x.At(i))
		}
		return n
	case []any:
		n := 24
		for _, e := range x {
			n += valueSize(e)
		}
		return n
	case []data.MapEntry:
		n := 48
		for _, e := range x {
			n += 32 + valueSize(e.Key) + valueSize(e.Value)
		}
		return n
	}
	return 16
}

// native converts a Connect value to goavro's native form (unions wrapped
// as {branch: value}). goavro's API needs a map per record and union; Avro
// output costs those allocations, Parquet and JSON do not.
func (t *avroType) native(v any) (any, error) {
	if v == nil {
		v = t.schema.Default
	}
	if v == nil {
		return nil, nil
	}
	out, err := t.bare(v)
	if err != nil || !t.schema.Optional {
		return out, err
	}
	return map[string]any{t.name: out}, nil
}

func (t *avroType) bare(v any) (any, error) {
	s := t.schema
	switch s.Type {
	case data.TypeInt8:
		return int32(v.(int8)), nil
	case data.TypeInt16:
		return int32(v.(int16)), nil
	case data.TypeInt32:
		if tm, ok := v.(time.Time); ok {
			if s.Name == data.TimeName {
				return time.Duration(data.TimeToMillis(tm)) * time.Millisecond, nil
			}
			return tm.UTC(), nil
		}
		return v, nil
	case data.TypeBytes:
		if d, ok := v.(data.Decimal); ok {
			return new(big.Rat).SetFrac(d.Unscaled, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d.Scale)), nil)), nil
		}
		return v, nil
	case data.TypeArray:
		a := v.([]any)
		out := make([]any, len(a))
		for i, e := range a {
			var err error
			if out[i], err = t.elem.native(e); err != nil {
				return nil, err
			}
		}
		return out, nil
	case data.TypeMap:
		return t.nativeMap(v.([]data.MapEntry))
	case data.TypeStruct:
		st := v.(*data.Struct)
		m := make(map[string]any, len(s.Fields))
		for i, f := range s.Fields {
			fv, err := t.fields[i].native(st.At(i))
			if err != nil {
				return nil, fmt.Errorf("field %s: %w", f.Name, err)
			}
			m[f.Name] = fv
		}
		return m, nil
	}
	return v, nil
}

func (t *avroType) nativeMap(m []data.MapEntry) (any, error) {
	if !t.mapArray {
		out := make(map[string]any, len(m))
		for _, e := range m {
			v, err := t.val.native(e.Value)
			if err != nil {
				return nil, err
			}
			out[e.Key.(string)] = v
		}
		return out, nil
	}
	out := make([]any, len(m))
	for i, e := range m {
		k, err := t.elem.native(e.Key)
		if err != nil {
			return nil, err
		}
		v, err := t.val.native(e.Value)
		if err != nil {
			return nil, err
		}
		out[i] = map[string]any{"key": k, "value": v}
	}
	return out, nil
}
