package s3

import (
	"math/big"
	"testing"
	"time"

	"github.com/wharf-project/wharf/connector/data"
)

func TestJSONEncoding(t *testing.T) {
	dec := data.DecimalSchema(2)
	s := data.StructSchema("x").
		Field("s", data.StringSchema).
		Field("d", dec).
		Field("date", data.DateSchema()).
		Field("ts", data.TimestampSchema()).
		Field("b", data.BytesSchema).
		Field("f", data.Float32Schema).
		Field("m", data.MapOf(data.StringSchema, data.Int16Schema)).
		Field("im", data.MapOf(data.Int32Schema, data.BooleanSchema)).
		Field("a", data.ArrayOf(data.OptionalInt64Schema)).
		Field("def", &data.Schema{Type: data.TypeInt8, Optional: true, Default: int8(7)}).
		Field("opt", data.OptionalStringSchema).
		Build()
	v := data.NewStruct(s).
		MustPut("s", "a\"b\\c\n\x01é/<>").
		MustPut("d", data.Decimal{Unscaled: big.NewInt(-12345), Scale: 2}).
		MustPut("date", time.Date(1970, 1, 3, 0, 0, 0, 0, time.UTC)).
		MustPut("ts", time.UnixMilli(1700000000123)).
		MustPut("b", []byte{0xff, 0}).
		MustPut("f", float32(2.5)).
		MustPut("m", []data.MapEntry{{Key: "z", Value: int16(1)}, {Key: "a", Value: int16(2)}}).
		MustPut("im", []data.MapEntry{{Key: int32(1), Value: true}}).
		MustPut("a", []any{int64(1), nil})
	got, err := (&jsonEncoder{}).append(nil, s, v)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"s":"a\"b\\c\n\u0001é/<>","d":"z8c=","date":2,"ts":1700000000123,"b":"/wA=","f":2.5,` +
		`"m":{"z":1,"a":2},"im":[[1,true]],"a":[1,null],"def":7,"opt":null}`
	if string(got) != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	got, _ = (&jsonEncoder{decimalNumeric: true}).append(nil, dec, data.Decimal{Unscaled: big.NewInt(-12345), Scale: 2})
	if string(got) != "-123.45" {
		t.Fatalf("numeric decimal = %s", got)
	}
	got, _ = (&jsonEncoder{}).append(nil, nil, map[string]any{"b": []any{1.0, "x", true, nil}, "a": map[string]any{}})
	if string(got) != `{"a":{},"b":[1.0,"x",true,null]}` {
		t.Fatalf("schemaless = %s", got)
	}
	if _, err := (&jsonEncoder{}).append(nil, data.StringSchema, nil); err == nil {
		t.Fatal("null for a required schema must fail")
	}
}
