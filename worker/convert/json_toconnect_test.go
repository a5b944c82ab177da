package convert

import (
	"math"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/wharf-project/wharf/connector/data"
)

// Inputs are those of Kafka's JsonConverterTest *ToConnect cases.
func TestJSONToConnect(t *testing.T) {
	withDefault := func(s *data.Schema, d any) *data.Schema { c := s.Clone(); c.Default = d; return c }
	optional := func(s *data.Schema) *data.Schema { return s.AsOptional() }
	meta := &data.Schema{Type: data.TypeBoolean, Name: "bool", Version: 2, Doc: "the documentation",
		Parameters: []data.Param{{Key: "foo", Value: "bar"}}}
	st := data.StructSchema("").Field("field1", data.BooleanSchema).Field("field2", data.StringSchema).Build()
	stOpt := data.StructSchema("").Field("optional", data.OptionalStringSchema).Field("required", data.StringSchema).Build()
	const decimalSchema = `{ "type": "bytes", "name": "org.apache.kafka.connect.data.Decimal", "version": 1, "parameters": { "scale": "2" } }`
	cases := []struct {
		name   string
		in     string
		schema *data.Schema
		value  any
	}{
		{"boolean", `{ "schema": { "type": "boolean" }, "payload": true }`, data.BooleanSchema, true},
		{"optional null", `{ "schema": { "type": "boolean", "optional": true }, "payload": null }`, data.OptionalBooleanSchema, nil},
		{"default", `{ "schema": { "type": "boolean", "default": true }, "payload": null }`, withDefault(data.BooleanSchema, true), true},
		{"metadata", `{ "schema": { "type": "boolean", "optional": false, "name": "bool", "version": 2, "doc": "the documentation", "parameters": { "foo": "bar" }}, "payload": true }`, meta, true},
		{"int8", `{ "schema": { "type": "int8" }, "payload": 12 }`, data.Int8Schema, int8(12)},
		{"int16", `{ "schema": { "type": "int16" }, "payload": 12 }`, data.Int16Schema, int16(12)},
		{"int32", `{ "schema": { "type": "int32" }, "payload": 12 }`, data.Int32Schema, int32(12)},
		{"int64", `{ "schema": { "type": "int64" }, "payload": 4398046511104 }`, data.Int64Schema, int64(4398046511104)},
		{"float", `{ "schema": { "type": "float" }, "payload": 12.34 }`, data.Float32Schema, float32(12.34)},
		{"double", `{ "schema": { "type": "double" }, "payload": 12.34 }`, data.Float64Schema, 12.34},
		{"bytes", `{ "schema": { "type": "bytes" }, "payload": "dGVzdC1zdHJpbmc=" }`, data.BytesSchema, []byte("test-string")},
		{"string", `{ "schema": { "type": "string" }, "payload": "foo-bar-baz" }`, data.StringSchema, "foo-bar-baz"},
		{"string escapes", `{"schema":{"type":"string"},"payload":"a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"}`, data.StringSchema, "a\"\\/\b\f\n\r\té😀"},
		{"array", `{ "schema": { "type": "array", "items": { "type" : "int32" } }, "payload": [1, 2, 3] }`,
			data.ArrayOf(data.Int32Schema), []any{int32(1), int32(2), int32(3)}},
		{"map string keys", `{ "schema": { "type": "map", "keys": { "type" : "string" }, "values": { "type" : "int32" } }, "payload": { "key1": 12, "key2": 15} }`,
			data.MapOf(data.StringSchema, data.Int32Schema), []data.MapEntry{{Key: "key1", Value: int32(12)}, {Key: "key2", Value: int32(15)}}},
		{"map int keys", `{ "schema": { "type": "map", "keys": { "type" : "int32" }, "values": { "type" : "int32" } }, "payload": [ [1, 12], [2, 15] ] }`,
			data.MapOf(data.Int32Schema, data.Int32Schema), []data.MapEntry{{Key: int32(1), Value: int32(12)}, {Key: int32(2), Value: int32(15)}}},
		{"struct", `{ "schema": { "type": "struct", "fields": [{ "field": "field1", "type": "boolean" }, { "field": "field2", "type": "string" }] }, "payload": { "field1": true, "field2": "string" } }`,
			st, data.NewStruct(st).MustPut("field1", true).MustPut("field2", "string")},
		{"struct optional field", `{ "schema": { "type": "struct", "fields": [{ "field":"optional", "type": "string", "optional": true }, {  "field": "required", "type": "string" }] }, "payload": { "required": "required" } }`,
			stOpt, data.NewStruct(stOpt).MustPut("required", "required")},
		{"decimal", `{ "schema": ` + decimalSchema + `, "payload": "AJw=" }`, data.DecimalSchema(2), dec(156, 2)},
		{"decimal numeric", `{ "schema": ` + decimalSchema + `, "payload": 1.56 }`, data.DecimalSchema(2), dec(156, 2)},
		{"decimal numeric trailing zeros", `{ "schema": ` + decimalSchema + `, "payload": 1.5600 }`, data.DecimalSchema(2), dec(15600, 4)},
		{"decimal high precision", `{ "schema": ` + decimalSchema + `, "payload": 1.23456789123456789 }`, data.DecimalSchema(2),
			data.Decimal{Unscaled: mustBig("123456789123456789"), Scale: 17}},
		{"decimal optional", `{ "schema": { "type": "bytes", "name": "org.apache.kafka.connect.data.Decimal", "version": 1, "optional": true, "parameters": { "scale": "2" } }, "payload": null }`,
			optional(data.DecimalSchema(2)), nil},
		{"decimal default", `{ "schema": { "type": "bytes", "name": "org.apache.kafka.connect.data.Decimal", "version": 1, "default": "AJw=", "parameters": { "scale": "2" } }, "payload": null }`,
			withDefault(data.DecimalSchema(2), dec(156, 2)), dec(156, 2)},
		{"date", `{ "schema": { "type": "int32", "name": "org.apache.kafka.connect.data.Date", "version": 1 }, "payload": 10000 }`, data.DateSchema(), day10000},
		{"date default", `{ "schema": { "type": "int32", "name": "org.apache.kafka.connect.data.Date", "version": 1, "default": 0 }, "payload": null }`,
			withDefault(data.DateSchema(), time.Unix(0, 0).UTC()), time.Unix(0, 0).UTC()},
		{"time", `{ "schema": { "type": "int32", "name": "org.apache.kafka.connect.data.Time", "version": 1 }, "payload": 14400000 }`, data.TimeSchema(), time.UnixMilli(14400000).UTC()},
		{"timestamp", `{ "schema": { "type": "int64", "name": "org.apache.kafka.connect.data.Timestamp", "version": 1 }, "payload": 4000000000 }`, data.TimestampSchema(), time.UnixMilli(4000000000).UTC()},
		{"timestamp default", `{ "schema": { "type": "int64", "name": "org.apache.kafka.connect.data.Timestamp", "version": 1,  "optional": true, "default": 42 }, "payload": null }`,
			withDefault(optional(data.TimestampSchema()), time.UnixMilli(42).UTC()), time.UnixMilli(42).UTC()},
		{"null schema null", `{ "schema": null, "payload": null }`, nil, nil},
		{"null schema boolean", `{ "schema": null, "payload": true }`, nil, true},
		{"null schema integer", `{ "schema": null, "payload": 12 }`, nil, int64(12)},
		{"null schema float", `{ "schema": null, "payload": 12.24 }`, nil, 12.24},
		{"null schema string", `{ "schema": null, "payload": "a string" }`, nil, "a string"},
		{"null schema array", `{ "schema": null, "payload": [1, "2", 3] }`, nil, []any{int64(1), "2", int64(3)}},
		{"null schema object", `{ "schema": null, "payload": { "field1": 1, "field2": 2} }`, nil,
			[]data.MapEntry{{Key: "field1", Value: int64(1)}, {Key: "field2", Value: int64(2)}}},
		{"NaN", `{"schema":{"type":"double","optional":false},"payload":"NaN"}`, data.Float64Schema, math.NaN()},
		{"leading zeros", `{"schema":{"type":"int32"},"payload":007}`, data.Int32Schema, int32(7)},
		{"trailing content ignored", `{"schema":{"type":"int32"},"payload":7} trailing`, data.Int32Schema, int32(7)},
		{"duplicate member replaces", `{"schema":{"type":"int32"},"payload":1,"payload":2}`, data.Int32Schema, int32(2)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := NewJSON()
			s, v, err := c.ToConnect("topic", []byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if !s.Equal(tc.schema) {
				t.Fatalf("schema %+v, want %+v", s, tc.schema)
			}
			if f, ok := v.(float64); ok && math.IsNaN(f) {
				return
			}
			if !data.ValuesEqual(v, tc.value) {
				t.Fatalf("value %#v, want %#v", v, tc.value)
			}
		})
	}
}

func mustBig(s string) *big.Int {
	n, ok := new(big.Int).SetString(s, 10)
	if !ok {
		panic(s)
	}
	return n
}

func TestJSONToConnectSchemaless(t *testing.T) {
	c := NewJSON()
	mustConfigure(t, c, map[string]string{"schemas.enable": "false"}, true)
	cases := []struct {
		in   string
		want any
	}{
		{`true`, true},
		{``, nil},
		{"  \n", nil},
		{`null`, nil},
		{`{ "a": "", "b": null}`, []data.MapEntry{{Key: "a", Value: ""}, {Key: "b", Value: nil}}},
		{`{"z":1,"a":[1.5,1e3,-0]}`, []data.MapEntry{{Key: "z", Value: int64(1)}, {Key: "a", Value: []any{1.5, 1000.0, int64(0)}}}},
		{`{"schema":{"type":"int32"},"payload":1}`, []data.MapEntry{
			{Key: "schema", Value: []data.MapEntry{{Key: "type", Value: "int32"}}}, {Key: "payload", Value: int64(1)}}},
	}
	for _, tc := range cases {
		s, v, err := c.ToConnect("t", []byte(tc.in))
		if err != nil || s != nil || !data.ValuesEqual(v, tc.want) {
			t.Errorf("%q: got %v %#v %v, want %#v", tc.in, s, v, err, tc.want)
		}
	}
	if s, v, err := c.ToConnect("t", nil); s != nil || v != nil || err != nil {
		t.Errorf("nil bytes: %v %v %v", s, v, err)
	}
}

func TestJSONToConnectErrors(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"a":1}`, envelopeError},
		{`true`, envelopeError},
		{``, envelopeError},
		{`{"schema":null,"payload":1,"extra":2}`, envelopeError},
		{`{"schema":null}`, envelopeError},
		{`{"schema":{"type":"int32"},"payload":null}`, "Invalid null value for required INT32 field"},
		{`{"schema":{"type":"float"},"payload":null}`, "Invalid null value for required FLOAT32 field"},
		{`{"schema":{"optional":true},"payload":null}`, "Schema must contain 'type' field"},
		{`{"schema":{"type":"uint8"},"payload":null}`, "Unknown schema type: uint8"},
		{`{"schema":{"type":"array"},"payload":[]}`, "Array schema did not specify the element type"},
		{`{"schema":{"type":"map","keys":{"type":"string"}},"payload":{}}`, "Map schema did not specify the value type"},
		{`{"schema":{"type":"struct"},"payload":{}}`, `Struct schema's "fields" argument is not an array.`},
		{`{"schema":{"type":"struct","fields":[{"type":"int8"}]},"payload":{}}`, "Struct schema's field name not specified properly"},
		{`{"schema":{"type":"string","parameters":{"a":1}},"payload":"x"}`, "Schema parameters must have string values."},
		{`{"schema":{"type":"struct","fields":[]},"payload":[]}`, "Structs should be encoded as JSON objects, but found ARRAY"},
		{`{"schema":{"type":"map","keys":{"type":"string"},"values":{"type":"int8"}},"payload":[]}`,
			"Maps with string fields should be encoded as JSON objects, but found ARRAY"},
		{`{"schema":{"type":"map","keys":{"type":"int8"},"values":{"type":"int8"}},"payload":[[1]]}`,
			"Found invalid map entry, expected length 2 but found :1"},
		{`{"schema":{"type":"int32","name":"org.apache.kafka.connect.data.Date"},"payload":"x"}`,
			"Invalid type for Date, underlying representation should be integer but was STRING"},
		{`{"schema":{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"2"}},"payload":true}`,
			"Invalid type for Decimal, underlying representation should be numeric or bytes but was BOOLEAN"},
		{`{"schema":{"type":"int32"},"payload":1`, "Converting byte[] to Kafka Connect data failed due to serialization error: "},
		{`{"schema":{"type":"int32",},"payload":1}`, "Converting byte[] to Kafka Connect data failed due to serialization error: "},
		{"{\"schema\":null,\"payload\":\"a\x01\"}", "Converting byte[] to Kafka Connect data failed due to serialization error: "},
		{`{"schema":null,"payload":truex}`, "Converting byte[] to Kafka Connect data failed due to serialization error: "},
	}
	for _, tc := range cases {
		_, _, err := NewJSON().ToConnect("t", []byte(tc.in))
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.in, err, tc.want)
		}
	}
}

// Writing and reading back gives the same schema and value.
func TestJSONRoundTrip(t *testing.T) {
	inner := data.StructSchema("inner").Field("x", data.OptionalFloat64Schema).
		Field("tags", data.ArrayOf(data.OptionalStringSchema)).Optional().Build()
	s := data.StructSchema("outer").Version(4).Doc("doc \"quoted\"").
		Field("i8", data.Int8Schema).Field("i16", data.Int16Schema).Field("i32", data.Int32Schema).
		Field("i64", data.Int64Schema).Field("f32", data.Float32Schema).Field("f64", data.Float64Schema).
		Field("b", data.BooleanSchema).Field("s", data.StringSchema).Field("raw", data.BytesSchema).
		Field("dec", data.DecimalSchema(3)).Field("date", data.DateSchema()).Field("time", data.TimeSchema()).
		Field("ts", data.TimestampSchema()).
		Field("m", data.MapOf(data.StringSchema, data.OptionalInt64Schema)).
		Field("mi", data.MapOf(data.Int16Schema, inner)).
		Field("inner", inner).Field("none", inner).Build()
	in := data.NewStruct(inner).MustPut("x", 1e-9).MustPut("tags", []any{"a", nil, "ü\n"})
	v := data.NewStruct(s).MustPut("i8", int8(-128)).MustPut("i16", int16(32767)).MustPut("i32", int32(-7)).
		MustPut("i64", int64(math.MinInt64)).MustPut("f32", float32(0.1)).MustPut("f64", math.MaxFloat64).
		MustPut("b", true).MustPut("s", "\x00\u2028</script>").MustPut("raw", []byte{0, 255, 1}).
		MustPut("dec", dec(-123456, 3)).MustPut("date", day10000).MustPut("time", time.UnixMilli(86399999).UTC()).
		MustPut("ts", time.UnixMilli(-1).UTC()).
		MustPut("m", []data.MapEntry{{Key: "k", Value: int64(1)}, {Key: "n", Value: nil}}).
		MustPut("mi", []data.MapEntry{{Key: int16(5), Value: in}, {Key: int16(-5), Value: nil}}).
		MustPut("inner", in)
	for _, props := range []map[string]string{nil, {"decimal.format": "NUMERIC"}} {
		c := NewJSON()
		mustConfigure(t, c, props, false)
		b, err := c.Append(nil, "t", s, v)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2; i++ { // the second read hits the schema cache
			gs, gv, err := c.ToConnect("t", b)
			if err != nil {
				t.Fatal(err)
			}
			if !gs.Equal(s) {
				t.Fatalf("schema differs after round trip")
			}
			if !data.ValuesEqual(gv, v) {
				t.Fatalf("value differs after round trip:\n%v\n%v", gv, v)
			}
		}
	}
}

func TestJSONToConnectSchemaCache(t *testing.T) {
	c := NewJSON()
	msgs := []string{
		`{ "schema": { "type": "boolean" }, "payload": true }`,
		`{ "schema": { "type": "boolean" }, "payload": false }`,
		`{ "schema": { "type": "boolean", "optional": true }, "payload": true }`,
		`{ "schema": { "type": "boolean", "optional": false }, "payload": true }`,
	}
	var first *data.Schema
	for i, m := range msgs {
		s, _, err := c.ToConnect("t", []byte(m))
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = s
		}
		if i == 1 && s != first {
			t.Fatal("identical schema text gave a new *data.Schema")
		}
	}
	// As Kafka: differently written schemas are cached apart.
	if n := c.toCache.len(); n != 3 {
		t.Fatalf("cache size %d, want 3", n)
	}
}

func TestJSONToConnectRootTokens(t *testing.T) {
	c := NewJSON()
	mustConfigure(t, c, map[string]string{"schemas.enable": "false"}, false)
	for _, in := range []string{"7x", "truex", "nul", "-", "01.", "1e", `"open`, "[1,]", "{\"a\"}", "\xff"} {
		if _, v, err := c.ToConnect("t", []byte(in)); err == nil {
			t.Errorf("%q parsed as %#v", in, v)
		}
	}
	for in, want := range map[string]any{"7 x": int64(7), "true ": true, " -0.5\n": -0.5, "[] junk": []any{}} {
		if _, v, err := c.ToConnect("t", []byte(in)); err != nil || !data.ValuesEqual(v, want) {
			t.Errorf("%q: %#v %v", in, v, err)
		}
	}
}
