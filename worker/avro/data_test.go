package avro

import (
	"math/big"
	"testing"
	"time"

	"github.com/linkedin/goavro/v2"

	"github.com/wharf-project/wharf/connector/data"
	"github.com/wharf-project/wharf/worker/avro/avroschema"
)

// TestFromConnectSchemaText checks the Avro schema text against what
// Confluent's AvroData and Avro's Schema.toString produce.
func TestFromConnectSchemaText(t *testing.T) {
	withDefault := &data.Schema{Type: data.TypeInt32, Default: int32(7)}
	optDefault := &data.Schema{Type: data.TypeString, Optional: true, Default: "x"}
	cases := []struct {
		name string
		s    *data.Schema
		want string
	}{
		{"int8", data.Int8Schema, `{"type":"int","connect.type":"int8"}`},
		{"int16", data.Int16Schema, `{"type":"int","connect.type":"int16"}`},
		{"int32", data.Int32Schema, `"int"`},
		{"int64", data.Int64Schema, `"long"`},
		{"float32", data.Float32Schema, `"float"`},
		{"float64", data.Float64Schema, `"double"`},
		{"boolean", data.BooleanSchema, `"boolean"`},
		{"string", data.StringSchema, `"string"`},
		{"bytes", data.BytesSchema, `"bytes"`},
		{"optional string", data.OptionalStringSchema, `["null","string"]`},
		{"decimal", data.DecimalSchema(2),
			`{"type":"bytes","scale":2,"precision":64,"connect.version":1,"connect.parameters":{"scale":"2"},"connect.name":"org.apache.kafka.connect.data.Decimal","logicalType":"decimal"}`},
		{"decimal precision", &data.Schema{Type: data.TypeBytes, Name: data.DecimalName, Version: 1,
			Parameters: []data.Param{{Key: "scale", Value: "3"}, {Key: "connect.decimal.precision", Value: "10"}}},
			`{"type":"bytes","scale":3,"precision":10,"connect.version":1,"connect.parameters":{"scale":"3","connect.decimal.precision":"10"},"connect.name":"org.apache.kafka.connect.data.Decimal","logicalType":"decimal"}`},
		{"date", data.DateSchema(),
			`{"type":"int","connect.version":1,"connect.name":"org.apache.kafka.connect.data.Date","logicalType":"date"}`},
		{"time", data.TimeSchema(),
			`{"type":"int","connect.version":1,"connect.name":"org.apache.kafka.connect.data.Time","logicalType":"time-millis"}`},
		{"timestamp", data.TimestampSchema(),
			`{"type":"long","connect.version":1,"connect.name":"org.apache.kafka.connect.data.Timestamp","logicalType":"timestamp-millis"}`},
		{"micro timestamp", microTimestamp,
			`{"type":"long","connect.version":1,"connect.name":"io.debezium.time.MicroTimestamp"}`},
		{"debezium enum", dbzEnum,
			`{"type":"string","connect.version":1,"connect.parameters":{"allowed":"red,green"},"connect.name":"io.debezium.data.Enum"}`},
		{"doc and default", &data.Schema{Type: data.TypeInt64, Doc: "d", Default: int64(3)},
			`{"type":"long","connect.doc":"d","connect.default":3}`},
		{"array", data.ArrayOf(data.OptionalInt32Schema), `{"type":"array","items":["null","int"]}`},
		{"string map", data.MapOf(data.StringSchema, data.Int64Schema), `{"type":"map","values":"long"}`},
		{"int map", data.MapOf(data.Int32Schema, data.StringSchema),
			`{"type":"array","items":{"type":"record","name":"MapEntry","namespace":"io.confluent.connect.avro","fields":[{"name":"key","type":"int"},{"name":"value","type":"string"}]}}`},
		{"unnamed struct", data.StructSchema("").Field("a", withDefault).Field("b", optDefault).Build(),
			`{"type":"record","name":"ConnectDefault","namespace":"io.confluent.connect.avro","fields":[{"name":"a","type":{"type":"int","connect.default":7},"default":7},{"name":"b","type":[{"type":"string","connect.default":"x"},"null"],"default":"x"}]}`},
		{"key", keySchema(),
			`{"type":"record","name":"Key","namespace":"dbserver1.inventory.customers","fields":[{"name":"id","type":"int"}],"connect.name":"dbserver1.inventory.customers.Key"}`},
	}
	d := NewData(DefaultOptions())
	for _, c := range cases {
		a, err := d.FromConnectSchema(c.s)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := a.String(); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
		if _, err := goavro.NewCodec(a.String()); err != nil {
			t.Errorf("%s: goavro rejects the schema: %v", c.name, err)
		}
	}
}

// TestEnvelopeSchemaText: the row record is defined once under "before"
// and referenced by name under "after", as in Confluent's output.
func TestEnvelopeSchemaText(t *testing.T) {
	a, err := NewData(DefaultOptions()).FromConnectSchema(envelopeSchema())
	if err != nil {
		t.Fatal(err)
	}
	text := a.String()
	for _, want := range []string{
		`{"type":"record","name":"Envelope","namespace":"dbserver1.inventory.customers","fields":[{"name":"before","type":["null",{"type":"record","name":"Value","fields":[{"name":"id","type":"int"}`,
		`{"name":"after","type":["null","Value"],"default":null}`,
		`{"name":"source","type":{"type":"record","name":"Source","namespace":"io.debezium.connector.postgresql","fields":[`,
		`{"name":"snapshot","type":[{"type":"string","connect.version":1,"connect.parameters":{"allowed":"true,last,false,incremental"},"connect.default":"false","connect.name":"io.debezium.data.Enum"},"null"],"default":"false"}`,
		`{"name":"amount","type":["null",{"type":"record","name":"VariableScaleDecimal","namespace":"io.debezium.data","fields":[{"name":"scale","type":"int"},{"name":"value","type":"bytes"}],"connect.doc":"Variable scaled decimal","connect.version":1,"connect.name":"io.debezium.data.VariableScaleDecimal"}],"default":null}`,
		`"connect.version":1,"connect.name":"dbserver1.inventory.customers.Envelope"}`,
	} {
		if !contains(text, want) {
			t.Errorf("schema lacks %s\nschema: %s", want, text)
		}
	}
	if _, err := goavro.NewCodec(text); err != nil {
		t.Fatalf("goavro rejects the envelope schema: %v", err)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// allSchemas covers every Connect type, optional and default variants,
// logical and Debezium semantic types.
func allSchemas() map[string]*data.Schema {
	m := map[string]*data.Schema{
		"int8": data.Int8Schema, "int16": data.Int16Schema, "int32": data.Int32Schema,
		"int64": data.Int64Schema, "float32": data.Float32Schema, "float64": data.Float64Schema,
		"boolean": data.BooleanSchema, "string": data.StringSchema, "bytes": data.BytesSchema,
		"opt int8": data.OptionalInt8Schema, "opt bytes": data.OptionalBytesSchema,
		"decimal": data.DecimalSchema(4), "opt decimal": data.DecimalSchema(0).AsOptional(),
		"date": data.DateSchema(), "time": data.TimeSchema(), "timestamp": data.TimestampSchema(),
		"array": data.ArrayOf(data.Int64Schema), "opt array": data.ArrayOf(data.OptionalStringSchema).AsOptional(),
		"string map":  data.MapOf(data.StringSchema, data.OptionalFloat64Schema),
		"int map":     data.MapOf(data.Int16Schema, data.StringSchema),
		"opt key map": data.MapOf(data.OptionalStringSchema, data.Int32Schema),
		"micro ts":    microTimestamp, "zoned": zonedTimestamp, "dbz date": dbzDate, "enum": dbzEnum,
		"var scale": varScale, "key": keySchema(), "envelope": envelopeSchema(),
		"defaults": data.StructSchema("x.Defaults").
			Field("i8", &data.Schema{Type: data.TypeInt8, Default: int8(-1)}).
			Field("i16", &data.Schema{Type: data.TypeInt16, Default: int16(300)}).
			Field("f32", &data.Schema{Type: data.TypeFloat32, Default: float32(1.5)}).
			Field("f64", &data.Schema{Type: data.TypeFloat64, Default: 2.25}).
			Field("b", &data.Schema{Type: data.TypeBoolean, Default: true}).
			Field("bytes", &data.Schema{Type: data.TypeBytes, Default: []byte{0, 200}}).
			Field("s", &data.Schema{Type: data.TypeString, Optional: true, Default: "dflt"}).
			Field("dec", func() *data.Schema {
				s := data.DecimalSchema(2)
				s.Default = data.Decimal{Unscaled: big.NewInt(150), Scale: 2}
				return s
			}()).
			Field("day", func() *data.Schema { s := data.DateSchema(); s.Default = data.DaysToDate(3); return s }()).
			Field("arr", &data.Schema{Type: data.TypeArray, Elem: data.Int32Schema, Default: []any{int32(1), int32(2)}}).
			Doc("struct doc").Version(3).Build(),
		"nested": data.StructSchema("a.b.Outer").
			Field("inner", data.StructSchema("a.b.Inner").Field("x", data.Int32Schema).Build()).
			Field("other", data.StructSchema("c.Other").Field("y", data.StringSchema).Optional().Build()).
			Field("unnamed", data.StructSchema("").Field("z", data.BooleanSchema).Build()).
			Build(),
	}
	return m
}

// TestSchemaRoundTrip: Connect → Avro text → parsed Avro → Connect gives
// the same schema for every type.
func TestSchemaRoundTrip(t *testing.T) {
	d := NewData(DefaultOptions())
	for name, s := range allSchemas() {
		a, err := d.FromConnectSchema(s)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		parsed, err := avroschema.Parse(a.String())
		if err != nil {
			t.Fatalf("%s: parse %s: %v", name, a, err)
		}
		if parsed.String() != a.String() {
			t.Errorf("%s: text changes when parsed:\n%s\n%s", name, a, parsed)
		}
		back, err := d.ToConnectSchema(parsed, 0)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !back.Equal(s) {
			t.Errorf("%s: round trip differs:\n got %s\nwant %s", name, dump(back), dump(s))
		}
	}
}

func dump(s *data.Schema) string {
	if s == nil {
		return "nil"
	}
	out := s.String()
	out += " v" + itoa(s.Version) + " doc=" + s.Doc
	for _, p := range s.Parameters {
		out += " " + p.Key + "=" + p.Value
	}
	if s.Default != nil {
		out += " default"
	}
	for _, f := range s.Fields {
		out += " {" + f.Name + ":" + dump(f.Schema) + "}"
	}
	if s.Elem != nil {
		out += " [" + dump(s.Elem) + "]"
	}
	if s.Key != nil {
		out += " <" + dump(s.Key) + "," + dump(s.Value) + ">"
	}
	return out
}

func itoa(n int) string { return big.NewInt(int64(n)).String() }

// valueFor builds a sample value of s.
func valueFor(s *data.Schema) any {
	switch s.Name {
	case data.DecimalName:
		scale, _ := data.DecimalScale(s)
		return data.Decimal{Unscaled: big.NewInt(-987654321), Scale: scale}
	case data.DateName:
		return data.DaysToDate(19000)
	case data.TimeName:
		return data.MillisToTime(45_296_789)
	case data.TimestampName:
		return time.UnixMilli(1_700_000_000_123).UTC()
	case "dbserver1.inventory.customers.Envelope":
		return envelopeValue(s, "u")
	}
	switch s.Type {
	case data.TypeInt8:
		return int8(-5)
	case data.TypeInt16:
		return int16(1234)
	case data.TypeInt32:
		return int32(-70000)
	case data.TypeInt64:
		return int64(1) << 40
	case data.TypeFloat32:
		return float32(3.25)
	case data.TypeFloat64:
		return -1.0e100
	case data.TypeBoolean:
		return true
	case data.TypeString:
		return "héllo"
	case data.TypeBytes:
		return []byte{0, 1, 0xfe}
	case data.TypeArray:
		return []any{valueFor(s.Elem), nilIfOptional(s.Elem)}
	case data.TypeMap:
		k := valueFor(s.Key)
		return []data.MapEntry{{Key: k, Value: valueFor(s.Value)}}
	case data.TypeStruct:
		st := data.NewStruct(s)
		for i, f := range s.Fields {
			st.Set(i, valueFor(f.Schema))
		}
		return st
	}
	return nil
}

func nilIfOptional(s *data.Schema) any {
	if s.Optional {
		return nil
	}
	return valueFor(s)
}

// TestValueRoundTrip: every value encodes to Avro binary that goavro
// decodes with the same schema text, and decodes back to the same value.
func TestValueRoundTrip(t *testing.T) {
	d := NewData(DefaultOptions())
	for name, s := range allSchemas() {
		a, err := d.FromConnectSchema(s)
		if err != nil {
			t.Fatal(err)
		}
		v := valueFor(s)
		bin, err := d.AppendBinary(nil, s, a, v)
		if err != nil {
			t.Fatalf("%s: encode: %v", name, err)
		}
		codec, err := goavro.NewCodec(a.String())
		if err != nil {
			t.Fatalf("%s: goavro: %v", name, err)
		}
		if _, rest, err := codec.NativeFromBinary(bin); err != nil || len(rest) != 0 {
			t.Fatalf("%s: goavro cannot decode %x: %v (rest %d)", name, bin, err, len(rest))
		}
		back, err := d.ToConnectSchema(a, 0)
		if err != nil {
			t.Fatal(err)
		}
		got, rest, err := d.Decode(bin, a, back)
		if err != nil || len(rest) != 0 {
			t.Fatalf("%s: decode: %v (rest %d)", name, err, len(rest))
		}
		if st, ok := got.(*data.Struct); ok {
			// The decoded struct carries the round-tripped schema, equal to s.
			if !st.Schema().Equal(s) {
				t.Fatalf("%s: struct schema differs", name)
			}
		}
		if !data.ValuesEqual(got, v) {
			t.Errorf("%s: value round trip: got %v want %v", name, got, v)
		}
	}
}

// TestNullHandling: null for a required field fails; a required field with
// a default writes the default; optional nulls take the null branch.
func TestNullHandling(t *testing.T) {
	s := data.StructSchema("t.R").
		Field("req", data.Int32Schema).
		Field("def", &data.Schema{Type: data.TypeString, Default: "d"}).
		Field("opt", data.OptionalInt64Schema).Build()
	d := NewData(DefaultOptions())
	a, _ := d.FromConnectSchema(s)
	if _, err := d.AppendBinary(nil, s, a, data.NewStruct(s)); err == nil || !contains(err.Error(), "Found null value for non-optional schema") {
		t.Fatalf("want null error, got %v", err)
	}
	bin, err := d.AppendBinary(nil, s, a, data.NewStruct(s).MustPut("req", int32(1)))
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{2, 2, 'd', 0} // zigzag 1; "d"; union branch 0 = null
	if string(bin) != string(want) {
		t.Fatalf("got %x want %x", bin, want)
	}
}

// TestGeneralUnion: an Avro union of several types maps to the
// io.confluent.connect.avro.Union struct and back.
func TestGeneralUnion(t *testing.T) {
	a, err := avroschema.Parse(`{"type":"record","name":"U","fields":[{"name":"u","type":["null","int","string",{"type":"enum","name":"Color","symbols":["RED","GREEN"]}]}]}`)
	if err != nil {
		t.Fatal(err)
	}
	d := NewData(DefaultOptions())
	s, err := d.ToConnectSchema(a, 0)
	if err != nil {
		t.Fatal(err)
	}
	us := s.Fields[0].Schema
	if us.Name != UnionName || !us.Optional || len(us.Fields) != 3 || us.Fields[0].Name != "int" ||
		us.Fields[1].Name != "string" || us.Fields[2].Name != "Color" {
		t.Fatalf("union schema: %s", dump(us))
	}
	for _, c := range []struct {
		field string
		v     any
		bin   []byte
	}{{"int", int32(3), []byte{2, 6}}, {"string", "x", []byte{4, 2, 'x'}}, {"Color", "GREEN", []byte{6, 2}}} {
		u := data.NewStruct(us).MustPut(c.field, c.v)
		rec := data.NewStruct(s).MustPut("u", u)
		bin, err := d.AppendBinary(nil, s, a, rec)
		if err != nil {
			t.Fatal(err)
		}
		if string(bin) != string(c.bin) {
			t.Errorf("%s: got %x want %x", c.field, bin, c.bin)
		}
		got, _, err := d.Decode(bin, a, s)
		if err != nil || !data.ValuesEqual(got, rec) {
			t.Errorf("%s: decode %v %v", c.field, got, err)
		}
	}
}

// TestEnhancedEnum: with enhanced.avro.schema.support, Avro enums survive
// the trip through Connect.
func TestEnhancedEnum(t *testing.T) {
	text := `{"type":"record","name":"E","namespace":"n","fields":[{"name":"c","type":{"type":"enum","name":"Color","symbols":["RED","GREEN"]}}]}`
	a, _ := avroschema.Parse(text)
	d := NewData(Options{ConnectMetaData: true, EnhancedSchemaSupport: true})
	s, err := d.ToConnectSchema(a, 0)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Fields[0].Schema.Param(EnumParam); v != "n.Color" {
		t.Fatalf("params %v", s.Fields[0].Schema.Parameters)
	}
	back, err := d.FromConnectSchema(s)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"type":"record","name":"E","namespace":"n","fields":[{"name":"c","type":{"type":"enum","name":"Color","symbols":["RED","GREEN"],"connect.parameters":{"io.confluent.connect.avro.Enum":"n.Color","io.confluent.connect.avro.Enum.RED":"RED","io.confluent.connect.avro.Enum.GREEN":"GREEN"},"connect.name":"n.Color"}}],"connect.name":"n.E"}`
	if back.String() != want {
		t.Fatalf("got  %s\nwant %s", back, want)
	}
	bin, err := d.AppendBinary(nil, s, back, data.NewStruct(s).MustPut("c", "GREEN"))
	if err != nil || string(bin) != "\x02" {
		t.Fatalf("enum encoding %x %v", bin, err)
	}
}
