package s3

import (
	"fmt"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/data"
	"github.com/wharf-project/wharf/connector/testserver"
)

func balanceSchema() *data.Schema {
	s := data.DecimalSchema(2)
	s.Parameters = append(s.Parameters, data.Param{Key: decimalPrecisionParam, Value: "10"})
	s.Optional = true
	return s
}

var (
	rowSchema = data.StructSchema("dbserver1.public.customers.Value").
			Field("custkey", data.StringSchema).
			Field("first_name", data.OptionalStringSchema).
			Field("city", data.OptionalStringSchema).
			Field("fico", data.OptionalInt32Schema).
			Field("registration_date", &data.Schema{Type: data.TypeInt32, Name: dbzDate, Optional: true, Version: 1}).
			Field("balance", balanceSchema()).
			Field("updated_at", &data.Schema{Type: data.TypeInt64, Name: dbzMicroTimestamp, Optional: true, Version: 1}).
			Field("created_ms", &data.Schema{Type: data.TypeInt64, Name: dbzTimestamp, Optional: true, Version: 1}).
			Field("tags", &data.Schema{Type: data.TypeArray, Elem: data.StringSchema, Optional: true}).
			Field("attrs", &data.Schema{Type: data.TypeMap, Key: data.StringSchema, Value: data.OptionalInt32Schema, Optional: true}).
			Field("blob", data.OptionalBytesSchema).
			Optional().Build()
	sourceSchema = data.StructSchema("io.debezium.connector.postgresql.Source").
			Field("version", data.StringSchema).
			Field("connector", data.StringSchema).
			Field("name", data.StringSchema).
			Field("ts_ms", data.Int64Schema).
			Field("snapshot", data.OptionalStringSchema).
			Field("db", data.StringSchema).
			Field("schema", data.StringSchema).
			Field("table", data.StringSchema).
			Field("txId", data.OptionalInt64Schema).
			Field("lsn", data.OptionalInt64Schema).
			Build()
	envelopeSchema = data.StructSchema("dbserver1.public.customers.Envelope").
			Field("before", rowSchema).
			Field("after", rowSchema).
			Field("source", sourceSchema).
			Field("op", data.StringSchema).
			Field("ts_ms", data.OptionalInt64Schema).
			Version(1).Build()
)

var baseTime = time.Date(2024, 3, 9, 10, 11, 12, 345678000, time.UTC)

func customer(key, city string, n int64) *data.Struct {
	return data.NewStruct(rowSchema).
		MustPut("custkey", key).MustPut("first_name", "Zoë "+key).MustPut("city", city).
		MustPut("fico", int32(600+n)).
		MustPut("registration_date", int32(19000+n)).
		MustPut("balance", data.Decimal{Unscaled: big.NewInt(-12345 + n), Scale: 2}).
		MustPut("updated_at", baseTime.UnixMicro()+n).
		MustPut("created_ms", baseTime.UnixMilli()).
		MustPut("tags", []any{"a", key}).
		MustPut("attrs", []data.MapEntry{{Key: "k", Value: int32(n)}, {Key: "nil", Value: nil}}).
		MustPut("blob", []byte{0, 1, byte(n)})
}

func change(op string, before, after any, lsn int64) *data.Struct {
	src := data.NewStruct(sourceSchema).MustPut("version", "2.7.0").MustPut("connector", "postgresql").
		MustPut("name", "dbserver1").MustPut("ts_ms", int64(1700000000000)).MustPut("db", "shop").
		MustPut("schema", "public").MustPut("table", "customers").MustPut("lsn", lsn)
	return data.NewStruct(envelopeSchema).MustPut("before", before).MustPut("after", after).
		MustPut("source", src).MustPut("op", op).MustPut("ts_ms", int64(1700000000000)+lsn)
}

func cdcRec(off int64, v *data.Struct) connector.SinkRecord {
	return rec("dbserver1.public.customers", 0, off, 0, envelopeSchema, v)
}

func TestParquetDebeziumEnvelope(t *testing.T) {
	e := newEnv(t)
	props := e.props(map[string]string{KeyFormat: ParquetFormat, KeyFlushSize: "3"})
	tp := connector.TopicPartition{Topic: "dbserver1.public.customers", Partition: 0}
	task, _ := e.startTask(props, tp)
	put(t, task,
		cdcRec(0, change("r", nil, customer("C1", "Paris", 1), 100)),
		cdcRec(1, change("c", nil, customer("C2", "Lyon", 2), 101)),
		cdcRec(2, change("u", customer("C1", "Paris", 1), customer("C1", "Nice", 3), 102)),
		cdcRec(3, change("d", customer("C2", "Lyon", 2), nil, 103)),
	)
	put(t, task) // idle: nothing rotates
	want := []string{"topics/dbserver1.public.customers/partition=0/dbserver1.public.customers+0+0000000000.snappy.parquet"}
	if got := e.keys(""); !reflect.DeepEqual(got, want) {
		t.Fatalf("keys = %q", got)
	}
	if got := preCommit(t, task); got[tp] != 3 {
		t.Fatalf("precommit = %v", got)
	}
	if err := task.Close(t.Context(), []connector.TopicPartition{tp}); err != nil {
		t.Fatal(err)
	}
	if ups := e.srv.MultipartUploads(t, e.bucket); len(ups) != 0 {
		t.Fatalf("uploads left: %v", ups)
	}
	dir, _ := e.download("")
	glob := dir + "/**/*.parquet"
	rows := testserver.DuckDB(t, `SELECT op, before.custkey AS bk, after.city AS city, source.lsn::INTEGER AS lsn,
		after.balance::VARCHAR AS balance, after.registration_date::VARCHAR AS rd,
		after.updated_at::VARCHAR AS upd, after.created_ms::VARCHAR AS created, after.tags AS tags,
		after.attrs['k'] AS k, hex(after.blob) AS blob, after.first_name AS fn
		FROM read_parquet($1) ORDER BY lsn`, glob)
	got := fmt.Sprint(rows)
	wantRows := "[map[balance:-123.44 bk:<nil> blob:000101 city:Paris created:2024-03-09 10:11:12.345 fn:Zoë C1 k:1 lsn:100 op:r rd:2022-01-09 tags:[a C1] upd:2024-03-09 10:11:12.345679] " +
		"map[balance:-123.43 bk:<nil> blob:000102 city:Lyon created:2024-03-09 10:11:12.345 fn:Zoë C2 k:2 lsn:101 op:c rd:2022-01-10 tags:[a C2] upd:2024-03-09 10:11:12.34568] " +
		"map[balance:-123.42 bk:C1 blob:000103 city:Nice created:2024-03-09 10:11:12.345 fn:Zoë C1 k:3 lsn:102 op:u rd:2022-01-11 tags:[a C1] upd:2024-03-09 10:11:12.345681]]"
	if got != wantRows {
		t.Fatalf("rows:\n got %s\nwant %s", got, wantRows)
	}
	desc := testserver.DuckDB(t, `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet($1))`, glob)
	types := map[string]string{}
	for _, r := range desc {
		types[r["column_name"].(string)] = r["column_type"].(string)
	}
	wantAfter := "STRUCT(custkey VARCHAR, first_name VARCHAR, city VARCHAR, fico INTEGER, registration_date DATE, " +
		"balance DECIMAL(10,2), updated_at TIMESTAMP, created_ms TIMESTAMP, tags VARCHAR[], attrs MAP(VARCHAR, INTEGER), blob BLOB)"
	if types["after"] != wantAfter || types["before"] != wantAfter || types["op"] != "VARCHAR" || types["ts_ms"] != "BIGINT" {
		t.Fatalf("types = %v", types)
	}
	assertParquetSchema(t, glob)
}

func assertParquetSchema(t *testing.T, glob string) {
	t.Helper()
	schema := testserver.DuckDB(t, `SELECT DISTINCT name, type, repetition_type, logical_type::VARCHAR AS lt
		FROM parquet_schema($1) WHERE name IN ('custkey','registration_date','balance','updated_at','created_ms','lsn','op','before','source')
		ORDER BY name`, glob)
	var got2 []string
	for _, r := range schema {
		got2 = append(got2, fmt.Sprint(r["name"], " ", r["type"], " ", r["repetition_type"], " ", r["lt"]))
	}
	want2 := []string{
		"balance INT64 OPTIONAL DecimalType(scale=2, precision=10)",
		"before <nil> OPTIONAL <nil>",
		"created_ms INT64 OPTIONAL TimestampType(isAdjustedToUTC=0, unit=TimeUnit(MILLIS=MilliSeconds(), MICROS=<null>, NANOS=<null>))",
		"custkey BYTE_ARRAY REQUIRED StringType()",
		"lsn INT64 OPTIONAL IntType(bitWidth=@, isSigned=1)",
		"op BYTE_ARRAY REQUIRED StringType()",
		"registration_date INT32 OPTIONAL DateType()",
		"source <nil> REQUIRED <nil>",
		"updated_at INT64 OPTIONAL TimestampType(isAdjustedToUTC=0, unit=TimeUnit(MILLIS=<null>, MICROS=MicroSeconds(), NANOS=<null>))",
	}
	if strings.Join(got2, "\n") != strings.Join(want2, "\n") {
		t.Fatalf("parquet schema:\n%s", strings.Join(got2, "\n"))
	}
}

func TestParquetSchemalessIsAClearError(t *testing.T) {
	e := newEnv(t)
	props := e.props(map[string]string{KeyFormat: ParquetFormat})
	task, sc := e.startTask(props, tp0)
	sc.FailErrant = true
	err := task.Put(t.Context(), []connector.SinkRecord{rec("orders", 0, 0, 0, nil, map[string]any{"id": 1.0})})
	if err == nil || !strings.Contains(err.Error(), "ParquetFormat needs records with a value schema") {
		t.Fatalf("err = %v", err)
	}
	// With errors.tolerance=all the record goes to the DLQ and the task moves on.
	sc.FailErrant = false
	put(t, task, rec("orders", 0, 1, 0, nil, map[string]any{"id": 1.0}), orderRec(0, 2, 0))
	if n := len(sc.Errant()); n != 1 {
		t.Fatalf("errant = %d", n)
	}
}

// A schema change (NONE) rotates; both files read back together.
func TestParquetSchemaChange(t *testing.T) {
	e := newEnv(t)
	task, _ := e.startTask(e.props(map[string]string{KeyFormat: ParquetFormat, KeyFlushSize: "10", KeyParquetCodec: "zstd"}), tp0)
	v2 := data.StructSchema("orders.Value").Field("id", data.Int32Schema).Field("region", data.StringSchema).
		Field("amount", data.OptionalFloat64Schema).Field("ts", data.Int64Schema).Field("extra", data.OptionalStringSchema).Build()
	r2 := func(off int64) connector.SinkRecord {
		return rec("orders", 0, off, 0, v2, data.NewStruct(v2).MustPut("id", int32(off)).MustPut("region", "eu").
			MustPut("ts", int64(0)).MustPut("extra", "e"))
	}
	put(t, task, orderRec(0, 0, 0), orderRec(0, 1, 0), r2(2), r2(3), orderRec(0, 4, 0))
	put(t, task, r2(5), r2(6), r2(7), r2(8), r2(9), r2(10), r2(11))
	keys := e.keys("")
	want := []string{"topics/orders/partition=0/orders+0+0000000000.zstd.parquet",
		"topics/orders/partition=0/orders+0+0000000002.zstd.parquet",
		"topics/orders/partition=0/orders+0+0000000004.zstd.parquet"}
	if !reflect.DeepEqual(keys, want) {
		t.Fatalf("keys = %q", keys)
	}
	dir, _ := e.download("")
	rows := testserver.DuckDB(t, `SELECT count(*)::INTEGER AS n, count(DISTINCT id)::INTEGER AS d, count(extra)::INTEGER AS x,
		max(id)::INTEGER AS m FROM read_parquet($1, union_by_name=true)`, dir+"/**/*.parquet")
	if fmt.Sprint(rows) != "[map[d:5 m:4 n:5 x:2]]" {
		t.Fatalf("rows = %v", rows)
	}
}

// Row groups stream into the multipart upload: a file larger than a part
// has parts in S3 before it is committed, and the part buffer never grows
// beyond s3.part.size.
func TestParquetStreamsRowGroups(t *testing.T) {
	e := newEnv(t)
	task, _ := e.startTask(e.props(map[string]string{KeyFormat: ParquetFormat, KeyFlushSize: "1000", KeyParquetCodec: "none"}), tp0)
	rnd := make([]byte, 150*1024)
	seed := uint32(1)
	for off := int64(0); off < 200; off++ {
		for i := range rnd {
			seed = seed*1664525 + 1013904223
			rnd[i] = 'a' + byte(seed>>24)%26
		}
		put(t, task, rec("orders", 0, off, 0, bigSchema, bigValue(int32(off), string(rnd))))
	}
	w := task.writers[tp0]
	if len(w.files) != 1 || w.files[0].parts[0].stream.uploadID == "" || len(w.files[0].parts[0].stream.parts) < 3 {
		t.Fatalf("expected parts uploaded before commit: %+v", w.files)
	}
	if c := cap(w.files[0].parts[0].stream.buf); c > 5*1024*1024 {
		t.Fatalf("part buffer grew to %d", c)
	}
	if got := e.keys(""); len(got) != 0 {
		t.Fatalf("visible before commit: %v", got)
	}
	task.now = func() time.Time { return time.Now() }
	// Rotate by count.
	for off := int64(200); off < 1000; off++ {
		put(t, task, rec("orders", 0, off, 0, bigSchema, bigValue(int32(off), "s")))
	}
	if got := e.keys(""); len(got) != 1 {
		t.Fatalf("keys = %v", got)
	}
	dir, _ := e.download("")
	rows := testserver.DuckDB(t, `SELECT count(*)::INTEGER AS n, sum(id)::BIGINT::VARCHAR AS s, count(DISTINCT length(pad))::INTEGER AS l,
		(SELECT count(*)::INTEGER FROM parquet_metadata($1) WHERE column_id = 0) AS rg FROM read_parquet($1)`, dir+"/**/*.parquet")
	if rows[0]["n"] != float64(1000) || rows[0]["s"] != "499500" || rows[0]["l"] != float64(2) || rows[0]["rg"].(float64) < 2 {
		t.Fatalf("rows = %v", rows)
	}
}

// Daily buckets from a nested record field (source.ts_ms) of Debezium
// events, in a DST zone, read back with Hive partitioning.
func TestParquetDailyByRecordField(t *testing.T) {
	e := newEnv(t)
	props := e.props(map[string]string{KeyFormat: ParquetFormat, KeyFlushSize: "100", KeyPartitioner: DailyPartitioner,
		KeyExtractor: "RecordField", KeyTimestampField: "source.ts_ms", KeyLocale: "en", KeyTimezone: "America/New_York",
		KeyRotateInterval: "3600000"})
	tp := connector.TopicPartition{Topic: "dbserver1.public.customers", Partition: 2}
	task, _ := e.startTask(props, tp)
	at := func(off int64, utc string) connector.SinkRecord {
		r := cdcRec(off, change("c", nil, customer(fmt.Sprint("K", off), "Oslo", off), off))
		ts, _ := time.Parse(time.RFC3339, utc)
		r.Value.(*data.Struct).Get("source").(*data.Struct).MustPut("ts_ms", ts.UnixMilli())
		r.Partition = 2
		return r
	}
	put(t, task, at(0, "2024-03-10T03:00:00Z"), at(1, "2024-03-10T03:59:00Z"), // Mar 9 local (EST)
		at(2, "2024-03-10T05:00:00Z"), // Mar 10 00:00 EST: new bucket, rotates everything
		at(3, "2024-03-10T05:30:00Z"),
		at(4, "2024-03-11T03:59:00Z"), // Mar 10 23:59 EDT (after the DST switch): > 1 h later, rotates
		at(5, "2024-03-11T04:00:00Z")) // Mar 11 00:00 EDT
	want := []string{
		"topics/dbserver1.public.customers/year=2024/month=03/day=09/dbserver1.public.customers+2+0000000000.snappy.parquet",
		"topics/dbserver1.public.customers/year=2024/month=03/day=10/dbserver1.public.customers+2+0000000002.snappy.parquet",
		"topics/dbserver1.public.customers/year=2024/month=03/day=10/dbserver1.public.customers+2+0000000004.snappy.parquet",
	}
	if got := e.keys(""); !reflect.DeepEqual(got, want) {
		t.Fatalf("keys = %q", got)
	}
	dir, _ := e.download("")
	rows := testserver.DuckDB(t, `SELECT day::INTEGER AS day, list(source.lsn::INTEGER ORDER BY source.lsn) AS lsns
		FROM read_parquet($1, hive_partitioning=true) GROUP BY day ORDER BY day`, dir+"/**/*.parquet")
	if fmt.Sprint(rows) != "[map[day:9 lsns:[0 1]] map[day:10 lsns:[2 3 4]]]" {
		t.Fatalf("rows = %v", rows)
	}
}
