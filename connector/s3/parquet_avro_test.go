package s3

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/data"
	"github.com/wharf-project/wharf/connector/testserver"
)

// parquet.layout=avro writes the Parquet schema parquet-avro derives from
// AvroData's schema, with its footer, and DuckDB reads the same values.
func TestParquetAvroLayout(t *testing.T) {
	e := newEnv(t)
	props := e.props(map[string]string{KeyFormat: ParquetFormat, KeyFlushSize: "3", KeyParquetLayout: "avro"})
	tp := connector.TopicPartition{Topic: "dbserver1.public.customers", Partition: 0}
	task, _ := e.startTask(props, tp)
	put(t, task,
		cdcRec(0, change("r", nil, customer("C1", "Paris", 1), 100)),
		cdcRec(1, change("c", nil, customer("C2", "Lyon", 2), 101)),
		cdcRec(2, change("u", customer("C1", "Paris", 1), customer("C1", "Nice", 3), 102)))
	dir, paths := e.download("")
	if len(paths) != 1 || !strings.HasSuffix(paths[0], "dbserver1.public.customers+0+0000000000.snappy.parquet") {
		t.Fatalf("paths = %v", paths)
	}
	glob := dir + "/**/*.parquet"
	schema := testserver.DuckDB(t, `SELECT name, type, repetition_type AS r, converted_type AS ct, logical_type::VARCHAR AS lt
		FROM parquet_schema($1)`, glob)
	var got []string
	for _, r := range schema {
		got = append(got, words(r["name"], r["type"], r["r"], r["ct"], r["lt"]))
	}
	wantHead := []string{
		"dbserver1.public.customers.Envelope", // root: the Avro record's full name
		"before OPTIONAL",
		"custkey BYTE_ARRAY REQUIRED UTF8 StringType()",
		"first_name BYTE_ARRAY OPTIONAL UTF8 StringType()",
		"city BYTE_ARRAY OPTIONAL UTF8 StringType()",
		"fico INT32 OPTIONAL",
		"registration_date INT32 OPTIONAL", // io.debezium.time.Date: no DATE annotation
		"balance BYTE_ARRAY OPTIONAL DECIMAL DecimalType(scale=2, precision=10)",
		"updated_at INT64 OPTIONAL", // MicroTimestamp: plain INT64
		"created_ms INT64 OPTIONAL",
		"tags OPTIONAL LIST ListType()",
		"array BYTE_ARRAY REPEATED UTF8 StringType()", // 2-level list
		"attrs OPTIONAL MAP MapType()",
		"key_value REPEATED MAP_KEY_VALUE MapType()",
		"key BYTE_ARRAY REQUIRED UTF8 StringType()",
		"value INT32 OPTIONAL",
		"blob BYTE_ARRAY OPTIONAL",
	}
	if len(got) < len(wantHead) || strings.Join(got[:len(wantHead)], "\n") != strings.Join(wantHead, "\n") {
		t.Fatalf("parquet schema:\n%s", strings.Join(got, "\n"))
	}
	kv := testserver.DuckDB(t, `SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata($1) ORDER BY k`, glob)
	if len(kv) != 2 || kv[0]["k"] != "parquet.avro.schema" || kv[1]["k"] != "writer.model.name" || kv[1]["v"] != "avro" {
		t.Fatalf("kv = %v", kv)
	}
	var avro map[string]any
	if err := json.Unmarshal([]byte(kv[0]["v"].(string)), &avro); err != nil {
		t.Fatal(err)
	}
	fields := avro["fields"].([]any)
	before := fields[0].(map[string]any)
	after := before["type"].([]any)
	if avro["name"] != "dbserver1.public.customers.Envelope" || avro["connect.name"] != "dbserver1.public.customers.Envelope" ||
		avro["connect.version"] != float64(1) || before["name"] != "before" || after[0] != "null" || before["default"] != nil {
		t.Fatalf("avro schema = %s", kv[0]["v"])
	}
	for _, want := range []string{`"connect.name":"io.debezium.time.Date"`, `"logicalType":"decimal"`,
		`"connect.parameters":{"connect.decimal.precision":"10","scale":"2"}`, `"connect.name":"io.debezium.time.MicroTimestamp"`} {
		if !strings.Contains(kv[0]["v"].(string), want) {
			t.Fatalf("avro schema lacks %s: %s", want, kv[0]["v"])
		}
	}
	rows := testserver.DuckDB(t, `SELECT op, before.custkey AS bk, after.city AS city, source.lsn::INTEGER AS lsn,
		after.balance::VARCHAR AS balance, after.registration_date AS rd, after.updated_at::VARCHAR AS upd,
		after.tags AS tags, after.attrs['k'] AS k, after.attrs['nil'] AS nil, hex(after.blob) AS blob
		FROM read_parquet($1) ORDER BY lsn`, glob)
	wantRows := "[map[balance:-123.44 bk:<nil> blob:000101 city:Paris k:1 lsn:100 nil:<nil> op:r rd:19001 tags:[a C1] upd:1709979072345679] " +
		"map[balance:-123.43 bk:<nil> blob:000102 city:Lyon k:2 lsn:101 nil:<nil> op:c rd:19002 tags:[a C2] upd:1709979072345680] " +
		"map[balance:-123.42 bk:C1 blob:000103 city:Nice k:3 lsn:102 nil:<nil> op:u rd:19003 tags:[a C1] upd:1709979072345681]]"
	if fmt.Sprint(rows) != wantRows {
		t.Fatalf("rows:\n got %s\nwant %s", rows, wantRows)
	}
}

// An array with optional items switches every list of the file to the
// 3-level structure; non-string map keys become lists of MapEntry groups;
// Connect's own logical types keep their annotations.
func TestParquetAvroLayoutLists(t *testing.T) {
	e := newEnv(t)
	s := data.StructSchema("").
		Field("opt", &data.Schema{Type: data.TypeArray, Elem: data.OptionalInt32Schema}).
		Field("req", &data.Schema{Type: data.TypeArray, Elem: data.StringSchema, Optional: true}).
		Field("nested", &data.Schema{Type: data.TypeArray, Elem: &data.Schema{Type: data.TypeArray, Elem: data.Int64Schema}}).
		Field("im", &data.Schema{Type: data.TypeMap, Key: data.Int32Schema, Value: data.StringSchema}).
		Field("small", &data.Schema{Type: data.TypeInt16}).
		Field("day", &data.Schema{Type: data.TypeInt32, Name: data.DateName}).
		Field("at", &data.Schema{Type: data.TypeInt64, Name: data.TimestampName}).
		Field("amount", decimalWithPrecision(3, "20")).
		Field("wide", data.DecimalSchema(1)). // no precision: AvroData's 64
		Build()
	v := func(i int) *data.Struct {
		return data.NewStruct(s).MustPut("opt", []any{int32(i), nil}).MustPut("req", nil).
			MustPut("nested", []any{[]any{int64(i), int64(2 * i)}, []any{}}).
			MustPut("im", []data.MapEntry{{Key: int32(i), Value: "x"}}).MustPut("small", int16(-i)).
			MustPut("day", int32(20000+i)).MustPut("at", int64(1700000000000+i)).
			MustPut("amount", data.Decimal{Unscaled: big.NewInt(int64(1234567 * i)), Scale: 3}).
			MustPut("wide", data.Decimal{Unscaled: big.NewInt(int64(i)), Scale: 1})
	}
	task, _ := e.startTask(e.props(map[string]string{KeyFormat: ParquetFormat, KeyFlushSize: "2", KeyParquetLayout: "avro",
		KeyParquetCodec: "none"}), tp0)
	put(t, task, rec("orders", 0, 0, 0, s, v(1)), rec("orders", 0, 1, 0, s, v(2)))
	dir, _ := e.download("")
	glob := dir + "/**/*.parquet"
	schema := testserver.DuckDB(t, `SELECT name, type, repetition_type AS r, converted_type AS ct, precision AS p FROM parquet_schema($1)`, glob)
	var got []string
	for _, r := range schema {
		got = append(got, words(r["name"], r["type"], r["r"], r["ct"]))
		if r["name"] == "wide" && fmt.Sprint(r["p"]) != "64" {
			t.Fatalf("wide decimal: %v", r)
		}
	}
	want := []string{"io.confluent.connect.avro.ConnectDefault",
		"opt REQUIRED LIST", "list REPEATED", "element INT32 OPTIONAL",
		"req OPTIONAL LIST", "list REPEATED", "element BYTE_ARRAY REQUIRED UTF8",
		"nested REQUIRED LIST", "list REPEATED", "element REQUIRED LIST", "list REPEATED", "element INT64 REQUIRED",
		"im REQUIRED LIST", "list REPEATED", "element REQUIRED", "key INT32 REQUIRED", "value BYTE_ARRAY REQUIRED UTF8",
		"small INT32 REQUIRED", "day INT32 REQUIRED DATE", "at INT64 REQUIRED TIMESTAMP_MILLIS",
		"amount BYTE_ARRAY REQUIRED DECIMAL", "wide BYTE_ARRAY REQUIRED DECIMAL"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("parquet schema:\n%s", strings.Join(got, "\n"))
	}
	rows := testserver.DuckDB(t, `SELECT opt, req, nested, im[1].key AS k, small, day::VARCHAR AS day, "at"::VARCHAR AS ts, amount::VARCHAR AS amount
		FROM read_parquet($1) ORDER BY small DESC`, glob)
	wantRows := "[map[amount:1234.567 day:2024-10-05 k:1 nested:[[1 2] []] opt:[1 <nil>] req:<nil> small:-1 ts:2023-11-14 22:13:20.001+00] " +
		"map[amount:2469.134 day:2024-10-06 k:2 nested:[[2 4] []] opt:[2 <nil>] req:<nil> small:-2 ts:2023-11-14 22:13:20.002+00]]"
	if fmt.Sprint(rows) != wantRows {
		t.Fatalf("rows:\n got %v\nwant %s", rows, wantRows)
	}
}

// words joins the non-null values with spaces.
func words(vs ...any) string {
	var out []string
	for _, v := range vs {
		if v != nil && v != "" {
			out = append(out, fmt.Sprint(v))
		}
	}
	return strings.Join(out, " ")
}

func decimalWithPrecision(scale int32, prec string) *data.Schema {
	s := data.DecimalSchema(scale)
	s.Parameters = append(s.Parameters, data.Param{Key: decimalPrecisionParam, Value: prec})
	return s
}
