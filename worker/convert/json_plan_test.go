package convert

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/wharf-project/wharf/connector/data"
)

// planCases are values that fit their schema's plan and values that do not
// (wrong Go type, nil, foreign struct schema), for which the planned path
// must hand over to appendValue.
func planCases() []struct {
	name   string
	schema *data.Schema
	value  any
} {
	withDefault := func(s *data.Schema, d any) *data.Schema { c := s.Clone(); c.Default = d; return c }
	row := data.StructSchema("row").
		Field("id", data.Int64Schema).
		Field("q\"uote\\", data.OptionalStringSchema).
		Field("ctl\x01é\u2028", data.OptionalStringSchema).
		Field("i8", data.OptionalInt8Schema).
		Field("i16", data.OptionalInt16Schema).
		Field("f32", data.OptionalFloat32Schema).
		Field("f64", data.OptionalFloat64Schema).
		Field("b", data.OptionalBooleanSchema).
		Field("raw", data.OptionalBytesSchema).
		Field("amount", data.DecimalSchema(2).AsOptional()).
		Field("day", data.DateSchema().AsOptional()).
		Field("at", data.TimeSchema().AsOptional()).
		Field("ts", data.TimestampSchema().AsOptional()).
		Field("zoned", &data.Schema{Type: data.TypeString, Optional: true, Name: "io.debezium.time.ZonedTimestamp", Version: 1}).
		Field("withDefault", withDefault(data.OptionalStringSchema, "dflt")).
		Optional().Build()
	rowCopy := row.Clone()
	other := data.StructSchema("other").Field("id", data.Int64Schema).Optional().Build()
	env := data.StructSchema("env").
		Field("before", row).Field("after", row).
		Field("tags", data.ArrayOf(row).AsOptional()).
		Field("attrs", data.MapOf(data.StringSchema, row).AsOptional()).
		Field("loose", nil).
		Build()
	full := func() *data.Struct {
		return data.NewStruct(row).MustPut("id", int64(-42)).MustPut("q\"uote\\", "a\"b\\c\n").
			MustPut("ctl\x01é\u2028", "Köln \xff東京").MustPut("i8", int8(-8)).MustPut("i16", int16(1600)).
			MustPut("f32", float32(math.Inf(1))).MustPut("f64", 1e21).MustPut("b", true).
			MustPut("raw", []byte{0, 1, 0xfe}).MustPut("amount", dec(-12345, 2)).
			MustPut("day", day10000).MustPut("at", time.UnixMilli(14400000).UTC()).
			MustPut("ts", time.UnixMilli(1710497100612).UTC()).
			MustPut("zoned", "2024-01-01T00:00:01.000000Z")
	}
	envOf := func(after any) *data.Struct {
		return data.NewStruct(env).MustPut("after", after)
	}
	var noStruct *data.Struct
	badScale := &data.Schema{Type: data.TypeBytes, Name: data.DecimalName, Version: 1,
		Parameters: []data.Param{{Key: data.DecimalScaleParam, Value: "two"}}}
	noScale := &data.Schema{Type: data.TypeBytes, Name: data.DecimalName, Version: 1}
	badDefault := withDefault(data.Int32Schema, "not an int")
	structDefault := data.StructSchema("sd").Field("id", data.Int64Schema).Build()
	structDefault.Default = data.NewStruct(structDefault).MustPut("id", int64(7))
	withStructDefault := data.StructSchema("wsd").Field("d", structDefault).Build()

	return []struct {
		name   string
		schema *data.Schema
		value  any
	}{
		{"full row", row, full()},
		{"sparse row", row, data.NewStruct(row).MustPut("id", int64(1))},
		{"required null", row, data.NewStruct(row)},
		{"envelope", env, envOf(full()).MustPut("before", full()).MustPut("loose", []any{"x", int32(1), nil})},
		{"typed nil struct", env, envOf(noStruct)},
		{"equal schema", env, envOf(data.NewStruct(rowCopy).MustPut("id", int64(3)))},
		{"foreign schema", env, envOf(data.NewStruct(other).MustPut("id", int64(3)))},
		{"not a struct", env, envOf("after")},
		{"array of structs", env, envOf(nil).MustPut("tags", []any{full(), nil, data.NewStruct(row).MustPut("id", int64(2))})},
		{"array bad element", env, envOf(nil).MustPut("tags", []any{"x"})},
		{"array not a slice", env, envOf(nil).MustPut("tags", "x")},
		{"map of structs", env, envOf(nil).MustPut("attrs", []data.MapEntry{{Key: "k", Value: full()}, {Key: "n", Value: nil}})},
		{"schemaless field", env, envOf(nil).MustPut("loose", []data.MapEntry{{Key: int32(1), Value: "v"}})},
		{"wrong int", row, full().MustPut("id", int32(1))},
		{"wrong int8", row, full().MustPut("i8", int16(1))},
		{"wrong int16", row, full().MustPut("i16", int8(1))},
		{"wrong float32", row, full().MustPut("f32", 1.5)},
		{"wrong float64", row, full().MustPut("f64", float32(1.5))},
		{"wrong bool", row, full().MustPut("b", "true")},
		{"wrong string", row, full().MustPut("zoned", int64(1))},
		{"wrong bytes", row, full().MustPut("raw", "AAE=")},
		{"nil bytes", row, full().MustPut("raw", []byte(nil))},
		{"wrong decimal", row, full().MustPut("amount", int64(1))},
		{"decimal scale mismatch", row, full().MustPut("amount", dec(1, 3))},
		{"decimal bad scale", badScale, dec(1, 2)},
		{"decimal no scale", noScale, dec(1, 2)},
		{"wrong date", row, full().MustPut("day", int32(1))},
		{"date with time", row, full().MustPut("day", day10000.Add(time.Hour))},
		{"default replaces null", row, full().MustPut("withDefault", nil)},
		{"struct default", withStructDefault, data.NewStruct(withStructDefault)},
		{"bad default", badDefault, int32(1)},
		{"bad default null", badDefault, nil},
		{"top-level scalar", data.Int32Schema, int32(5)},
		{"top-level wrong", data.Int32Schema, "5"},
		{"top-level array", data.ArrayOf(data.StringSchema), []any{"a", "b\""}},
		{"top-level array null", data.ArrayOf(data.StringSchema), []any{"a", nil}},
		{"no schema", nil, full()},
		{"no schema scalar", nil, int64(9)},
		{"no schema unknown type", nil, struct{}{}},
	}
}

// The planned path writes the same bytes and returns the same errors as
// appendValue, which a converter without a schema cache uses throughout.
func TestJSONPlanMatchesAppendValue(t *testing.T) {
	for _, schemas := range []string{"true", "false"} {
		for _, decimals := range []string{"BASE64", "NUMERIC"} {
			for _, replace := range []string{"true", "false"} {
				props := map[string]string{"schemas.enable": schemas, "decimal.format": decimals,
					"replace.null.with.default": replace}
				planned := NewJSON()
				mustConfigure(t, planned, props, false)
				props["schemas.cache.size"] = "0"
				unplanned := NewJSON()
				mustConfigure(t, unplanned, props, false)
				for _, tc := range planCases() {
					name := fmt.Sprintf("%s/schemas=%s/%s/replace=%s", tc.name, schemas, decimals, replace)
					want, wantErr := unplanned.Append([]byte("prefix"), "t", tc.schema, tc.value)
					// Twice: the plan is built on the first call and reused on the second.
					for range 2 {
						got, err := planned.Append([]byte("prefix"), "t", tc.schema, tc.value)
						if fmt.Sprint(err) != fmt.Sprint(wantErr) || string(got) != string(want) {
							t.Fatalf("%s:\n got %q, %v\nwant %q, %v", name, got, err, want, wantErr)
						}
					}
				}
			}
		}
	}
}

// The encoder Append remembers must not outlive a Configure that changes
// what it holds.
func TestJSONReconfigureDropsEncoder(t *testing.T) {
	s := data.StructSchema("k").Field("id", data.Int32Schema).Build()
	v := data.NewStruct(s).MustPut("id", int32(1))
	c := NewJSON()
	mustConfigure(t, c, map[string]string{"schemas.enable": "false"}, true)
	if got, err := c.Append(nil, "t", s, v); err != nil || string(got) != `{"id":1}` {
		t.Fatalf("got %s %v", got, err)
	}
	mustConfigure(t, c, map[string]string{"schemas.enable": "true"}, true)
	want := `{"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],"optional":false,"name":"k"},"payload":{"id":1}}`
	if got, err := c.Append(nil, "t", s, v); err != nil || string(got) != want {
		t.Fatalf("got %s %v", got, err)
	}
}

// Alternating schemas go through the cache; the one used last is
// remembered without growing it past its size.
func TestJSONEncoderCacheBound(t *testing.T) {
	c := NewJSON()
	mustConfigure(t, c, map[string]string{"schemas.cache.size": "2"}, false)
	schemas := []*data.Schema{data.Int8Schema, data.Int16Schema, data.Int32Schema, data.Int64Schema}
	values := []any{int8(1), int16(2), int32(3), int64(4)}
	for round := 0; round < 3; round++ {
		for i, s := range schemas {
			got, err := c.Append(nil, "t", s, values[i])
			want := fmt.Sprintf(`{"schema":{"type":"%s","optional":false},"payload":%d}`, s.Type, i+1)
			if err != nil || string(got) != want {
				t.Fatalf("got %s %v, want %s", got, err, want)
			}
		}
	}
	if n := c.fromCache.len(); n != 2 {
		t.Fatalf("cache holds %d schemas, want 2", n)
	}
}
