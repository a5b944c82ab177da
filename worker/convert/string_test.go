package convert

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/data"
)

func TestStringConverter(t *testing.T) {
	st := data.StructSchema("s").Field("a", data.Int32Schema).Field("b", data.OptionalStringSchema).
		Field("c", data.Float64Schema).Build()
	cases := []struct {
		value any
		want  string
	}{
		{"hello ü", "hello ü"},
		{"", ""},
		{int32(42), "42"},
		{int64(-7), "-7"},
		{true, "true"},
		{2.0, "2.0"},
		{float32(0.1), "0.1"},
		{1e7, "1.0E7"},
		{dec(156, 2), "1.56"},
		{[]any{"a", int32(1), nil}, "[a, 1, null]"},
		{[]data.MapEntry{{Key: "k", Value: "v"}, {Key: "n", Value: int8(1)}}, "{k=v, n=1}"},
		{data.NewStruct(st).MustPut("a", int32(1)).MustPut("c", 2.5), "Struct{a=1,c=2.5}"},
		{time.UnixMilli(0).UTC(), "Thu Jan 01 00:00:00 UTC 1970"},
	}
	c := NewString()
	if err := c.Configure(nil, false); err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		got, err := c.Append(nil, "t", nil, tc.value)
		if err != nil || string(got) != tc.want || got == nil {
			t.Errorf("%#v: got %q %v, want %q", tc.value, got, err, tc.want)
		}
	}
	if got, err := c.Append(nil, "t", data.StringSchema, nil); got != nil || err != nil {
		t.Errorf("nil value: %q %v", got, err)
	}
	s, v, err := c.ToConnect("t", []byte("héllo"))
	if err != nil || s != data.OptionalStringSchema || v != "héllo" {
		t.Errorf("ToConnect: %v %v %v", s, v, err)
	}
	s, v, err = c.ToConnect("t", nil)
	if err != nil || s != data.OptionalStringSchema || v != nil {
		t.Errorf("ToConnect(nil): %v %v %v", s, v, err)
	}
}

func TestStringConverterEncodings(t *testing.T) {
	cases := []struct {
		enc  string
		in   string
		want []byte
	}{
		{"UTF-8", "é", []byte{0xC3, 0xA9}},
		{"utf8", "é", []byte{0xC3, 0xA9}},
		{"ISO-8859-1", "é€", []byte{0xE9, '?'}},
		{"US-ASCII", "aé", []byte{'a', '?'}},
		{"UTF-16BE", "é", []byte{0x00, 0xE9}},
		{"UTF-16LE", "é", []byte{0xE9, 0x00}},
		{"UTF-16", "é", []byte{0xFE, 0xFF, 0x00, 0xE9}},
	}
	for _, tc := range cases {
		c := NewString()
		if err := c.Configure(map[string]string{"converter.encoding": tc.enc}, true); err != nil {
			t.Fatal(err)
		}
		got, err := c.Append(nil, "t", nil, tc.in)
		if err != nil || !bytes.Equal(got, tc.want) {
			t.Errorf("%s %q: got % x %v, want % x", tc.enc, tc.in, got, err, tc.want)
		}
		_, back, err := c.ToConnect("t", got)
		if err != nil || (!strings.ContainsRune(string(got), '?') && back != tc.in) {
			t.Errorf("%s: back %q %v", tc.enc, back, err)
		}
	}
	if err := NewString().Configure(map[string]string{"converter.encoding": "EBCDIC-X"}, false); err == nil {
		t.Error("unknown encoding accepted")
	}
}

func TestByteArrayConverter(t *testing.T) {
	c := NewByteArray()
	if err := c.Configure(map[string]string{"anything": "x"}, false); err != nil {
		t.Fatal(err)
	}
	got, err := c.Append([]byte("p:"), "t", data.OptionalBytesSchema, []byte{1, 2})
	if err != nil || string(got) != "p:\x01\x02" {
		t.Errorf("got %q %v", got, err)
	}
	if got, err := c.Append(nil, "t", nil, []byte{}); err != nil || got == nil || len(got) != 0 {
		t.Errorf("empty bytes must stay an empty value, got %#v %v", got, err)
	}
	if got, err := c.Append(nil, "t", nil, nil); got != nil || err != nil {
		t.Errorf("nil: %v %v", got, err)
	}
	_, err = c.Append(nil, "t", data.Int32Schema, []byte{1})
	if err == nil || err.Error() != "Invalid schema type for ByteArrayConverter: INT32" {
		t.Errorf("err = %v", err)
	}
	_, err = c.Append(nil, "t", nil, "text")
	if err == nil || err.Error() != "ByteArrayConverter is not compatible with objects of type class java.lang.String" {
		t.Errorf("err = %v", err)
	}
	s, v, err := c.ToConnect("t", []byte{9})
	if err != nil || s != data.OptionalBytesSchema || !bytes.Equal(v.([]byte), []byte{9}) {
		t.Errorf("ToConnect: %v %v %v", s, v, err)
	}
}

func TestSimpleHeaderConverterAppend(t *testing.T) {
	st := data.StructSchema("k").Field("custkey", data.StringSchema).Field("n", data.OptionalInt32Schema).Build()
	cases := []struct {
		value any
		want  string
	}{
		{"C0003", "C0003"},
		{int32(42), "42"},
		{int8(-1), "-1"},
		{false, "false"},
		{1.5, "1.5"},
		{float32(1e10), "1.0E10"},
		{dec(156, 2), "1.56"},
		{[]byte("hi"), "aGk="},
		{data.NewStruct(st).MustPut("custkey", "C0003"), `{"custkey":"C0003","n":null}`},
		{[]any{"a\"b", int32(1), []byte("hi"), nil}, `["a\"b",1,"aGk=",null]`},
		{[]data.MapEntry{{Key: "k", Value: true}, {Key: "p\\q", Value: "v"}}, `{"k":true,"p\\q":"v"}`},
		{data.DaysToDate(19797), "2024-03-15"},
		{time.UnixMilli(14400000).UTC(), "04:00:00.000Z"},
		{time.UnixMilli(1710497100250).UTC(), "2024-03-15T10:05:00.250Z"},
	}
	h := NewSimpleHeader()
	if err := h.Configure(nil); err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		got, err := h.AppendHeader(nil, "t", "h", nil, tc.value)
		if err != nil || string(got) != tc.want {
			t.Errorf("%v: got %q %v, want %q", tc.value, got, err, tc.want)
		}
	}
	if got, err := h.AppendHeader(nil, "t", "h", nil, ""); err != nil || got == nil || len(got) != 0 {
		t.Errorf("empty string: %#v %v", got, err)
	}
	if got, err := h.AppendHeader(nil, "t", "h", data.StringSchema, nil); got != nil || err != nil {
		t.Errorf("nil: %v %v", got, err)
	}
}

func TestSimpleHeaderConverterToConnect(t *testing.T) {
	cases := []struct {
		in     string
		schema *data.Schema
		value  any
	}{
		{"true", data.BooleanSchema, true},
		{" false ", data.BooleanSchema, false},
		{"null", nil, nil},
		{"", data.StringSchema, ""},
		{"  ", data.StringSchema, "  "},
		{"42", data.Int8Schema, int8(42)},
		{"-129", data.Int16Schema, int16(-129)},
		{"70000", data.Int32Schema, int32(70000)},
		{"1710497100250", data.Int64Schema, int64(1710497100250)},
		{"1.0", data.Int8Schema, int8(1)},
		{"1.5", data.Float32Schema, float32(1.5)},
		{"3.4E39", data.Float64Schema, 3.4e39},
		{"123456789012345678901234567890", data.DecimalSchema(0), data.Decimal{Unscaled: mustBig("123456789012345678901234567890")}},
		{"2024-03-15", data.DateSchema(), data.DaysToDate(19797)},
		{"04:00:00.000Z", data.TimeSchema(), time.UnixMilli(14400000).UTC()},
		{"2024-03-15T10:05:00.250Z", data.TimestampSchema(), time.UnixMilli(1710497100250).UTC()},
		{"C0003", data.StringSchema, "C0003"},
		{"-x", data.StringSchema, "-x"},
		{"truest", data.StringSchema, "truest"},
		{"12,13", data.StringSchema, "12,13"},
		{`{"custkey":"C0003"}`, data.MapOf(data.StringSchema, data.StringSchema), []data.MapEntry{{Key: "custkey", Value: "C0003"}}},
		{"[1,2,3]", data.ArrayOf(data.Int8Schema), []any{int8(1), int8(2), int8(3)}},
		{"[1, 300]", data.ArrayOf(data.Int16Schema), []any{int16(1), int16(300)}},
		{"[1,2.5]", data.ArrayOf(data.Float32Schema), []any{float32(1), float32(2.5)}},
		{`["a","b c"]`, data.ArrayOf(data.StringSchema), []any{"a", "b c"}},
		{`[1,"a"]`, &data.Schema{Type: data.TypeArray}, []any{int8(1), "a"}},
		{"[]", &data.Schema{Type: data.TypeArray}, []any{}},
		{"{}", &data.Schema{Type: data.TypeMap}, []data.MapEntry{}},
		{"[1,null]", data.StringSchema, "[1,null]"},
		{"[1,2", data.StringSchema, "[1,2"},
		{"{a:1}", data.StringSchema, "{a:1}"},
		{`["2024-03-15"]`, data.ArrayOf(data.DateSchema()), []any{data.DaysToDate(19797)}},
		{`{"a":1,"b":true}`, &data.Schema{Type: data.TypeMap, Key: data.StringSchema},
			[]data.MapEntry{{Key: "a", Value: int8(1)}, {Key: "b", Value: true}}},
		{`{"k":[1,2],"k":[3]}`, data.MapOf(data.StringSchema, data.ArrayOf(data.Int8Schema)),
			[]data.MapEntry{{Key: "k", Value: []any{int8(3)}}}},
	}
	h := NewSimpleHeader()
	for _, tc := range cases {
		s, v, err := h.ToConnectHeader("t", "h", []byte(tc.in))
		if err != nil || !s.Equal(tc.schema) || !data.ValuesEqual(v, tc.value) {
			t.Errorf("%q: got %v %#v %v, want %v %#v", tc.in, s, v, err, tc.schema, tc.value)
		}
	}
	if s, v, err := h.ToConnectHeader("t", "h", nil); s != nil || v != nil || err != nil {
		t.Errorf("nil: %v %v %v", s, v, err)
	}
	if s, v, _ := h.ToConnectHeader("t", "h", []byte{'a', 0xff}); s != data.StringSchema || v != "a\uFFFD" {
		t.Errorf("invalid UTF-8: %v %v", s, v)
	}
}

func TestHeaderAdapter(t *testing.T) {
	h := HeaderAdapter(NewJSON())
	if err := h.Configure(map[string]string{"schemas.enable": "false"}); err != nil {
		t.Fatal(err)
	}
	b, err := h.AppendHeader(nil, "t", "k", data.StringSchema, "test-string")
	if err != nil || string(b) != `"test-string"` {
		t.Fatalf("got %s %v", b, err)
	}
	s, v, err := h.ToConnectHeader("t", "k", b)
	if err != nil || s != nil || v != "test-string" {
		t.Fatalf("got %v %v %v", s, v, err)
	}
}

func TestPlugins(t *testing.T) {
	reg := connector.NewRegistry(Plugins()...)
	want := map[string]connector.PluginType{
		"JsonConverter":         connector.TypeConverter,
		"StringConverter":       connector.TypeConverter,
		"ByteArray":             connector.TypeConverter,
		"SimpleHeaderConverter": connector.TypeHeaderConverter,
		JSONClass:               connector.TypeConverter,
	}
	for name, typ := range want {
		p, ok := reg.Lookup(name)
		if !ok || p.Type != typ || p.Version != "3.9.0" {
			t.Errorf("%s: %+v %v", name, p, ok)
		}
	}
	for _, p := range Plugins() {
		a, b := p.New(), p.New()
		if _, stateless := a.(*ByteArray); !stateless && a == b && p.Class != SimpleHeaderClass {
			t.Errorf("%s: New returned the same instance", p.Class)
		}
		switch p.Type {
		case connector.TypeConverter:
			if _, ok := a.(connector.Converter); !ok {
				t.Errorf("%s is not a Converter", p.Class)
			}
		case connector.TypeHeaderConverter:
			if _, ok := a.(connector.HeaderConverter); !ok {
				t.Errorf("%s is not a HeaderConverter", p.Class)
			}
		}
	}
}
