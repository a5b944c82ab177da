package convert

import (
	"errors"
	"math"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/wharf-project/wharf/connector/data"
)

func dec(unscaled int64, scale int32) data.Decimal {
	return data.Decimal{Unscaled: big.NewInt(unscaled), Scale: scale}
}

var day10000 = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 10000)

// Expected bytes follow Kafka's JsonConverterTest (connect/json) and what
// Jackson's default generator writes for those trees.
func TestJSONAppendGolden(t *testing.T) {
	decimal2 := `{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}}`
	structSchema := data.StructSchema("").
		Field("field1", data.BooleanSchema).Field("field2", data.StringSchema).
		Field("field3", data.StringSchema).Field("field4", data.BooleanSchema).Build()
	withDefault := func(s *data.Schema, d any) *data.Schema { c := s.Clone(); c.Default = d; return c }
	meta := &data.Schema{Type: data.TypeBoolean, Name: "bool", Version: 3, Doc: "the documentation",
		Parameters: []data.Param{{Key: "foo", Value: "bar"}}}
	cases := []struct {
		name   string
		schema *data.Schema
		value  any
		want   string
	}{
		{"boolean", data.BooleanSchema, true, `{"schema":{"type":"boolean","optional":false},"payload":true}`},
		{"optional null", data.OptionalBooleanSchema, nil, ``},
		{"default", withDefault(data.BooleanSchema, true), true, `{"schema":{"type":"boolean","optional":false,"default":true},"payload":true}`},
		{"metadata", meta, true, `{"schema":{"type":"boolean","optional":false,"name":"bool","version":3,"doc":"the documentation","parameters":{"foo":"bar"}},"payload":true}`},
		{"int8", data.Int8Schema, int8(12), `{"schema":{"type":"int8","optional":false},"payload":12}`},
		{"int16", data.Int16Schema, int16(-12), `{"schema":{"type":"int16","optional":false},"payload":-12}`},
		{"int32", data.Int32Schema, int32(12), `{"schema":{"type":"int32","optional":false},"payload":12}`},
		{"int64", data.Int64Schema, int64(4398046511104), `{"schema":{"type":"int64","optional":false},"payload":4398046511104}`},
		{"float", data.Float32Schema, float32(12.34), `{"schema":{"type":"float","optional":false},"payload":12.34}`},
		{"double", data.Float64Schema, 12.34, `{"schema":{"type":"double","optional":false},"payload":12.34}`},
		{"double integral", data.Float64Schema, 4.0, `{"schema":{"type":"double","optional":false},"payload":4.0}`},
		{"double NaN", data.Float64Schema, math.NaN(), `{"schema":{"type":"double","optional":false},"payload":"NaN"}`},
		{"float -Inf", data.Float32Schema, float32(math.Inf(-1)), `{"schema":{"type":"float","optional":false},"payload":"-Infinity"}`},
		{"bytes", data.BytesSchema, []byte("test-string"), `{"schema":{"type":"bytes","optional":false},"payload":"dGVzdC1zdHJpbmc="}`},
		{"empty bytes", data.BytesSchema, []byte{}, `{"schema":{"type":"bytes","optional":false},"payload":""}`},
		{"string", data.StringSchema, "test-string", `{"schema":{"type":"string","optional":false},"payload":"test-string"}`},
		{"array", data.ArrayOf(data.Int32Schema), []any{int32(1), int32(2), int32(3)},
			`{"schema":{"type":"array","items":{"type":"int32","optional":false},"optional":false},"payload":[1,2,3]}`},
		{"map string keys", data.MapOf(data.StringSchema, data.Int32Schema),
			[]data.MapEntry{{Key: "key1", Value: int32(12)}, {Key: "key2", Value: int32(15)}},
			`{"schema":{"type":"map","keys":{"type":"string","optional":false},"values":{"type":"int32","optional":false},"optional":false},"payload":{"key1":12,"key2":15}}`},
		{"map int keys", data.MapOf(data.Int32Schema, data.Int32Schema),
			[]data.MapEntry{{Key: int32(1), Value: int32(12)}, {Key: int32(2), Value: int32(15)}},
			`{"schema":{"type":"map","keys":{"type":"int32","optional":false},"values":{"type":"int32","optional":false},"optional":false},"payload":[[1,12],[2,15]]}`},
		{"struct", structSchema, data.NewStruct(structSchema).MustPut("field1", true).MustPut("field2", "string2").
			MustPut("field3", "string3").MustPut("field4", false),
			`{"schema":{"type":"struct","fields":[{"type":"boolean","optional":false,"field":"field1"},{"type":"string","optional":false,"field":"field2"},{"type":"string","optional":false,"field":"field3"},{"type":"boolean","optional":false,"field":"field4"}],"optional":false},"payload":{"field1":true,"field2":"string2","field3":"string3","field4":false}}`},
		{"decimal 156 scale 2", data.DecimalSchema(2), dec(156, 2), `{"schema":` + decimal2 + `,"payload":"AJw="}`},
		{"decimal 1.10", data.DecimalSchema(2), dec(110, 2), `{"schema":` + decimal2 + `,"payload":"bg=="}`},
		{"date", data.DateSchema(), day10000,
			`{"schema":{"type":"int32","optional":false,"name":"org.apache.kafka.connect.data.Date","version":1},"payload":10000}`},
		{"time", data.TimeSchema(), time.UnixMilli(14400000).UTC(),
			`{"schema":{"type":"int32","optional":false,"name":"org.apache.kafka.connect.data.Time","version":1},"payload":14400000}`},
		{"timestamp", data.TimestampSchema(), time.UnixMilli(4000000000).UTC(),
			`{"schema":{"type":"int64","optional":false,"name":"org.apache.kafka.connect.data.Timestamp","version":1},"payload":4000000000}`},
		{"decimal default", withDefault(data.DecimalSchema(2), dec(156, 2)), dec(-1, 2),
			`{"schema":{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"},"default":"AJw="},"payload":"/w=="}`},
		{"null schema boolean", nil, true, `{"schema":null,"payload":true}`},
		{"null schema array", nil, []any{int32(1), "string", true, nil},
			`{"schema":null,"payload":[1,"string",true,null]}`},
		{"null schema map", nil, []data.MapEntry{{Key: "key1", Value: int32(12)}, {Key: "key2", Value: "string"}, {Key: "key3", Value: true}},
			`{"schema":null,"payload":{"key1":12,"key2":"string","key3":true}}`},
		{"null schema map non-string keys", nil, []data.MapEntry{{Key: "string", Value: int32(12)}, {Key: int32(52), Value: "string"}, {Key: false, Value: true}},
			`{"schema":null,"payload":[["string",12],[52,"string"],[false,true]]}`},
		{"null schema and value", nil, nil, ``},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := NewJSON()
			mustConfigure(t, c, nil, false)
			got, err := c.Append(nil, "topic", tc.schema, tc.value)
			if err != nil {
				t.Fatal(err)
			}
			if tc.want == "" {
				if got != nil {
					t.Fatalf("got %q, want nil (Kafka null)", got)
				}
				return
			}
			if string(got) != tc.want {
				t.Fatalf("\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestJSONDecimalFormats(t *testing.T) {
	cases := []struct {
		d      data.Decimal
		base64 string
		num    string
	}{
		{dec(156, 2), `"AJw="`, `1.56`},
		{dec(110, 2), `"bg=="`, `1.10`},
		{dec(12345, 0), `"MDk="`, `12345`},
		{dec(128, 0), `"AIA="`, `128`},
		{dec(127, 0), `"fw=="`, `127`},
		{dec(255, 0), `"AP8="`, `255`},
		{dec(256, 0), `"AQA="`, `256`},
		{dec(0, 0), `"AA=="`, `0`},
		{dec(-1, 0), `"/w=="`, `-1`},
		{dec(-128, 0), `"gA=="`, `-128`},
		{dec(-129, 0), `"/38="`, `-129`},
		{dec(-256, 0), `"/wA="`, `-256`},
		{dec(15600, 4), `"PPA="`, `1.5600`},
		{dec(-5, 3), `"+w=="`, `-0.005`},
		{dec(1, 10), `"AQ=="`, `1E-10`},
		{dec(12, -2), `"DA=="`, `1.2E+3`},
		{dec(0, 2), `"AA=="`, `0.00`},
		{dec(math.MaxInt64, 0), `"f/////////8="`, `9223372036854775807`},
		{dec(math.MinInt64, 0), `"gAAAAAAAAAA="`, `-9223372036854775808`},
		{data.Decimal{Unscaled: new(big.Int).Lsh(big.NewInt(1), 64), Scale: 0}, `"AQAAAAAAAAAA"`, `18446744073709551616`},
	}
	for _, tc := range cases {
		for _, numeric := range []bool{false, true} {
			c := NewJSON()
			props := map[string]string{"schemas.enable": "false"}
			want := tc.base64
			if numeric {
				props["decimal.format"] = "numeric"
				want = tc.num
			}
			mustConfigure(t, c, props, false)
			got, err := c.Append(nil, "t", data.DecimalSchema(tc.d.Scale), tc.d)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != want {
				t.Errorf("%s numeric=%v: got %s want %s", tc.d, numeric, got, want)
			}
		}
	}
}

func TestJSONNullsAndDefaults(t *testing.T) {
	snapshot := &data.Schema{Type: data.TypeString, Optional: true, Default: "false"}
	fico := &data.Schema{Type: data.TypeInt32, Optional: true, Default: int32(600)}
	required := &data.Schema{Type: data.TypeInt32, Default: int32(0)}
	s := data.StructSchema("r").Field("snapshot", snapshot).Field("fico", fico).
		Field("id", required).Field("note", data.OptionalStringSchema).Build()
	v := data.NewStruct(s)
	cases := []struct {
		props   map[string]string
		want    string
		wantErr string
	}{
		{nil, `{"snapshot":"false","fico":600,"id":0,"note":null}`, ""},
		{map[string]string{"replace.null.with.default": "false"}, "",
			"Conversion error: null value for field that is required and has no default value"},
	}
	for _, tc := range cases {
		c := NewJSON()
		props := map[string]string{"schemas.enable": "false"}
		for k, val := range tc.props {
			props[k] = val
		}
		mustConfigure(t, c, props, false)
		got, err := c.Append(nil, "t", s, v)
		if tc.wantErr != "" {
			if err == nil || err.Error() != tc.wantErr {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			continue
		}
		if err != nil || string(got) != tc.want {
			t.Fatalf("got %s, %v; want %s", got, err, tc.want)
		}
	}
	// Without replacement, optional fields with a default stay null.
	s2 := data.StructSchema("r").Field("snapshot", snapshot).Field("fico", fico).Build()
	c := NewJSON()
	mustConfigure(t, c, map[string]string{"schemas.enable": "false", "replace.null.with.default": "false"}, false)
	got, err := c.Append(nil, "t", s2, data.NewStruct(s2))
	if err != nil || string(got) != `{"snapshot":null,"fico":null}` {
		t.Fatalf("got %s, %v", got, err)
	}
	// The schema still carries the default.
	mustConfigure(t, c, map[string]string{"replace.null.with.default": "false"}, false)
	got, _ = c.Append(nil, "t", s2, data.NewStruct(s2))
	want := `{"schema":{"type":"struct","fields":[{"type":"string","optional":true,"default":"false","field":"snapshot"},{"type":"int32","optional":true,"default":600,"field":"fico"}],"optional":false,"name":"r"},"payload":{"snapshot":null,"fico":null}}`
	if string(got) != want {
		t.Fatalf("\n got %s\nwant %s", got, want)
	}
}

func TestJSONStringEscaping(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain", `"plain"`},
		{`q"b\s`, `"q\"b\\s"`},
		{"\n\t\r\b\f", `"\n\t\r\b\f"`},
		{"\x00\x01\x1f", `"\u0000\u0001\u001F"`},
		{"/<>&'", `"/<>&'"`},
		{"\x7f", "\"\x7f\""},
		{"é€😀\u2028", "\"é€😀\u2028\""},
		{"bad\xffbyte", "\"bad\uFFFDbyte\""},
	}
	c := NewJSON()
	mustConfigure(t, c, map[string]string{"schemas.enable": "false"}, false)
	for _, tc := range cases {
		got, err := c.Append(nil, "t", data.StringSchema, tc.in)
		if err != nil || string(got) != tc.want {
			t.Errorf("%q: got %s %v, want %s", tc.in, got, err, tc.want)
		}
	}
}

func TestJSONAppendErrors(t *testing.T) {
	s := data.StructSchema("s").Field("a", data.Int32Schema).Build()
	other := data.StructSchema("other").Field("a", data.Int32Schema).Build()
	cases := []struct {
		name   string
		schema *data.Schema
		value  any
		want   string
	}{
		{"mismatch", data.Float64Schema, true, "Invalid type for FLOAT64: class java.lang.Boolean"},
		{"decimal without schema", nil, dec(156, 2), "Java class class java.math.BigDecimal does not have corresponding schema type."},
		{"go int", nil, 5, "Go type int does not have corresponding schema type."},
		{"required null field", s, data.NewStruct(s), "Conversion error: null value for field that is required and has no default value"},
		{"struct mismatch", s, data.NewStruct(other).MustPut("a", int32(1)), "Mismatching schema."},
		{"decimal scale", data.DecimalSchema(2), dec(1, 3), "Decimal value has mismatching scale for given Decimal schema. Schema has scale 2, value has scale 3."},
		{"decimal type", data.DecimalSchema(2), 1.5, "Invalid type for Decimal, expected BigDecimal but was class java.lang.Double"},
		{"date with time", data.DateSchema(), day10000.Add(time.Hour), "Kafka Connect Date type should not have any time fields set to non-zero values."},
		{"time with date", data.TimeSchema(), day10000, "Kafka Connect Time type should not have any date fields set to non-zero values."},
		{"bytes", data.BytesSchema, "x", "Invalid type for bytes type: class java.lang.String"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NewJSON().Append([]byte("prefix"), "t", tc.schema, tc.value)
			if err == nil || err.Error() != tc.want {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if got != nil {
				t.Fatalf("bytes on error: %q", got)
			}
		})
	}
}

func TestJSONAppendKeepsPrefix(t *testing.T) {
	got, err := NewJSON().Append([]byte("key:"), "t", data.Int32Schema, int32(7))
	if err != nil || string(got) != `key:{"schema":{"type":"int32","optional":false},"payload":7}` {
		t.Fatalf("got %s %v", got, err)
	}
}

func TestJSONConfigure(t *testing.T) {
	c := NewJSON()
	if err := c.Configure(map[string]string{"decimal.format": "HEX"}, false); err == nil ||
		!strings.Contains(err.Error(), "Invalid value HEX for configuration decimal.format") {
		t.Fatalf("err = %v", err)
	}
	if err := c.Configure(map[string]string{"schemas.enable": "maybe"}, false); err == nil {
		t.Fatal("accepted schemas.enable=maybe")
	}
	mustConfigure(t, c, map[string]string{"schemas.cache.size": "1", "schemas.enable": "TRUE"}, true)
	for _, s := range []*data.Schema{data.Int8Schema, data.Int16Schema, data.Int8Schema} {
		if _, err := c.Append(nil, "t", s, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Append(nil, "t", s, zeroOf(s)); err != nil {
			t.Fatal(err)
		}
	}
	if n := c.fromCache.len(); n != 1 {
		t.Fatalf("cache holds %d schemas, want 1", n)
	}
}

func zeroOf(s *data.Schema) any {
	if s.Type == data.TypeInt8 {
		return int8(0)
	}
	return int16(0)
}

func TestJSONTypedNilStruct(t *testing.T) {
	row := data.StructSchema("row").Field("a", data.Int32Schema).Optional().Build()
	env := data.StructSchema("env").Field("before", row).Build()
	var none *data.Struct
	c := NewJSON()
	mustConfigure(t, c, map[string]string{"schemas.enable": "false"}, false)
	got, err := c.Append(nil, "t", env, data.NewStruct(env).MustPut("before", none))
	if err != nil || string(got) != `{"before":null}` {
		t.Fatalf("got %s %v", got, err)
	}
}

// One converter serves several tasks' goroutines.
func TestJSONConcurrentUse(t *testing.T) {
	env := customersEnvelopeSchema()
	c := NewJSON()
	want, err := c.Append(nil, "t", env, customersCreate(env))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 4)
	for g := 0; g < 4; g++ {
		go func() {
			for i := 0; i < 200; i++ {
				got, err := c.Append(nil, "t", env, customersCreate(env))
				if err == nil && string(got) != string(want) {
					err = errMismatch
				}
				if err == nil {
					_, _, err = c.ToConnect("t", want)
				}
				if err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for g := 0; g < 4; g++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

var errMismatch = errors.New("bytes differ between goroutines")
