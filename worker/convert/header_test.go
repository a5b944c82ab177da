package convert

import (
	"testing"

	"github.com/wharf-project/wharf/connector/data"
)

// Cases of Kafka's SimpleHeaderConverterTest: write with AppendHeader, read
// back with ToConnectHeader.
func TestSimpleHeaderRoundTrip(t *testing.T) {
	stringMap := []data.MapEntry{{Key: "foo", Value: "123"}, {Key: "bar", Value: "baz"}}
	shortMap := []data.MapEntry{{Key: "foo", Value: int16(12345)}, {Key: "bar", Value: int16(0)}, {Key: "baz", Value: int16(-4321)}}
	intMap := []data.MapEntry{{Key: "foo", Value: int32(1234567890)}, {Key: "bar", Value: int32(0)}, {Key: "baz", Value: int32(-987654321)}}
	cases := []struct {
		name       string
		in         any
		wantSchema *data.Schema
		want       any
	}{
		{"simple string", "simple", data.StringSchema, "simple"},
		{"empty string", "", data.StringSchema, ""},
		{"quotes", `three"blind\"mice`, data.StringSchema, `three"blind\"mice`},
		{"delimiters", `string with delimiters: <>?,./\=+-!@#$%^&*(){}[]|;':`, data.StringSchema,
			`string with delimiters: <>?,./\=+-!@#$%^&*(){}[]|;':`},
		{"string map", stringMap, data.MapOf(data.StringSchema, data.StringSchema), stringMap},
		{"map text", `{"foo":"123","bar":"baz"}`, data.MapOf(data.StringSchema, data.StringSchema), stringMap},
		{"map text with spaces", "{ \"foo\" : \"123\", \n\"bar\" : \"baz\" } ", data.MapOf(data.StringSchema, data.StringSchema), stringMap},
		{"short map", shortMap, data.MapOf(data.StringSchema, data.Int16Schema), shortMap},
		{"short map text", ` { "foo" :  12345 , "bar" : 0,  "baz" : -4321 }  `, data.MapOf(data.StringSchema, data.Int16Schema), shortMap},
		{"int map", intMap, data.MapOf(data.StringSchema, data.Int32Schema), intMap},
		{"int map text", `{"foo":1234567890,"bar":0,"baz":-987654321}`, data.MapOf(data.StringSchema, data.Int32Schema), intMap},
		{"string list", []any{"foo", "bar"}, data.ArrayOf(data.StringSchema), []any{"foo", "bar"}},
		{"int list", []any{int32(1234567890), int32(-987654321)}, data.ArrayOf(data.Int32Schema), []any{int32(1234567890), int32(-987654321)}},
		{"mixed map", []data.MapEntry{{Key: "foo", Value: "bar"}, {Key: "baz", Value: int16(3456)}},
			&data.Schema{Type: data.TypeMap, Key: data.StringSchema}, []data.MapEntry{{Key: "foo", Value: "bar"}, {Key: "baz", Value: int16(3456)}}},
		{"mixed list", []any{"foo", int16(13344)}, &data.Schema{Type: data.TypeArray}, []any{"foo", int16(13344)}},
		{"empty map", []data.MapEntry{}, &data.Schema{Type: data.TypeMap}, []data.MapEntry{}},
		{"empty list", []any{}, &data.Schema{Type: data.TypeArray}, []any{}},
	}
	h := NewSimpleHeader()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := h.AppendHeader(nil, "topic", "header", nil, tc.in)
			if err != nil || b == nil {
				t.Fatalf("AppendHeader: %q %v", b, err)
			}
			s, v, err := h.ToConnectHeader("topic", "header", b)
			if err != nil || !s.Equal(tc.wantSchema) || !data.ValuesEqual(v, tc.want) {
				t.Fatalf("%s → %v %#v %v; want %v %#v", b, s, v, err, tc.wantSchema, tc.want)
			}
			// Writing the result again gives the same result.
			b2, _ := h.AppendHeader(nil, "topic", "header", s, v)
			s2, v2, _ := h.ToConnectHeader("topic", "header", b2)
			if !s2.Equal(s) || !data.ValuesEqual(v2, v) {
				t.Fatalf("second round trip: %s → %v %#v", b2, s2, v2)
			}
		})
	}
}
