package s3

import (
	"strings"
	"testing"
	"time"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/data"
)

func mustSettings(t *testing.T, props map[string]string) *settings {
	t.Helper()
	base := map[string]string{KeyBucket: "b", KeyFormat: JSONFormat, KeyFlushSize: "1"}
	for k, v := range props {
		base[k] = v
	}
	s, err := parseSettings(configDef(), base)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func keyFor(t *testing.T, props map[string]string, r connector.SinkRecord, now int64) string {
	t.Helper()
	s := mustSettings(t, props)
	p, err := newPartitioner(s.part)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := p.extract(&r, now)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := p.encode(&r, ts)
	if err != nil {
		t.Fatal(err)
	}
	k := keyer{topicsDir: s.topicsDir, dirDelim: s.dirDelim, fileDelim: s.fileDelim, padWidth: s.padWidth, ext: extension(s)}
	return k.key(r.Topic, r.Partition, enc, r.Offset)
}

func TestKeys(t *testing.T) {
	nested := data.StructSchema("n").Field("inner", data.StructSchema("i").Field("country", data.StringSchema).Build()).
		Field("region", data.OptionalStringSchema).Field("n", data.Int64Schema).Field("ok", data.BooleanSchema).Build()
	nv := data.NewStruct(nested).MustPut("inner", data.NewStruct(nested.Fields[0].Schema).MustPut("country", "de")).
		MustPut("n", int64(-7)).MustPut("ok", true)
	r := rec("orders", 3, 1234, 1700000000000, nested, nv)
	big := rec("orders", 3, 12345678901, 1700000000000, nested, nv)
	paris := "Europe/Paris"
	for _, tc := range []struct {
		name  string
		props map[string]string
		r     connector.SinkRecord
		want  string
	}{
		{"default", nil, r, "topics/orders/partition=3/orders+3+0000001234.json"},
		{"no pad overflow", nil, big, "topics/orders/partition=3/orders+3+12345678901.json"},
		{"pad width and delims", map[string]string{KeyPadWidth: "3", KeyDirDelim: "#", KeyFileDelim: "-", KeyTopicsDir: "a/b"}, r,
			"a/b#orders#partition=3#orders-3-1234.json"},
		{"blank topics.dir", map[string]string{KeyTopicsDir: ""}, r, "orders/partition=3/orders+3+0000001234.json"},
		{"gzip json", map[string]string{KeyCompression: "gzip"}, r, "topics/orders/partition=3/orders+3+0000001234.json.gz"},
		{"parquet snappy", map[string]string{KeyFormat: ParquetFormat}, r, "topics/orders/partition=3/orders+3+0000001234.snappy.parquet"},
		{"parquet zstd", map[string]string{KeyFormat: ParquetFormat, KeyParquetCodec: "zstd"}, r, "topics/orders/partition=3/orders+3+0000001234.zstd.parquet"},
		{"parquet none", map[string]string{KeyFormat: ParquetFormat, KeyParquetCodec: "none"}, r, "topics/orders/partition=3/orders+3+0000001234.parquet"},
		{"avro", map[string]string{KeyFormat: AvroFormat}, r, "topics/orders/partition=3/orders+3+0000001234.avro"},
		{"bytearray", map[string]string{KeyFormat: ByteArrayFormat}, r, "topics/orders/partition=3/orders+3+0000001234.bin"},
		{"field", map[string]string{KeyPartitioner: FieldPartitioner, KeyPartitionFields: "inner.country, region,n,ok"}, r,
			"topics/orders/inner.country=de/region=null/n=-7/ok=true/orders+3+0000001234.json"},
		{"field delim", map[string]string{KeyPartitioner: FieldPartitioner, KeyPartitionFields: "n,ok", KeyDirDelim: "_"}, r,
			"topics_orders_n=-7_ok=true_orders+3+0000001234.json"},
		{"hourly UTC", map[string]string{KeyPartitioner: HourlyPartitioner, KeyExtractor: "Record", KeyLocale: "en-US", KeyTimezone: "UTC"}, r,
			"topics/orders/year=2023/month=11/day=14/hour=22/orders+3+0000001234.json"},
		{"daily Paris", map[string]string{KeyPartitioner: DailyPartitioner, KeyExtractor: "Record", KeyLocale: "en", KeyTimezone: paris}, r,
			"topics/orders/year=2023/month=11/day=14/orders+3+0000001234.json"},
		{"time based custom format, trailing delim, offset zone",
			map[string]string{KeyPartitioner: TimeBasedPartitioner, KeyExtractor: "Record", KeyLocale: "en", KeyTimezone: "+05:30",
				KeyPartitionDuration: "900000", KeyPathFormat: "'dt'=YYYY-MM-dd/'t'=HHmm/DDD/MMM/EEE/"}, r,
			"topics/orders/dt=2023-11-15/t=0330/319/Nov/Wed/orders+3+0000001234.json"},
		{"time based RecordField", map[string]string{KeyPartitioner: TimeBasedPartitioner, KeyExtractor: "RecordField",
			KeyTimestampField: "n", KeyLocale: "en", KeyTimezone: "UTC", KeyPartitionDuration: "60000", KeyPathFormat: "YYYY/mm"}, r,
			"topics/orders/1969/59/orders+3+0000001234.json"},
		{"wallclock", map[string]string{KeyPartitioner: HourlyPartitioner, KeyLocale: "en", KeyTimezone: "UTC"}, r,
			"topics/orders/year=2001/month=02/day=03/hour=04/orders+3+0000001234.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC).UnixMilli()
			if got := keyFor(t, tc.props, tc.r, now); got != tc.want {
				t.Fatalf("key = %s\nwant  %s", got, tc.want)
			}
		})
	}
}

// Hourly buckets across the spring-forward gap in Europe/Paris: 02:00 local
// does not exist, so the hour after 01 is 03.
func TestHourlyDST(t *testing.T) {
	props := map[string]string{KeyPartitioner: HourlyPartitioner, KeyExtractor: "Record", KeyLocale: "fr", KeyTimezone: "Europe/Paris"}
	var got []string
	for _, utc := range []string{"2024-03-31T00:59:59Z", "2024-03-31T01:00:00Z", "2024-10-27T00:30:00Z", "2024-10-27T01:30:00Z"} {
		ts, _ := time.Parse(time.RFC3339, utc)
		r := rec("t", 0, 0, ts.UnixMilli(), data.StringSchema, "x")
		k := keyFor(t, props, r, 0)
		got = append(got, strings.TrimSuffix(strings.TrimPrefix(k, "topics/t/"), "/t+0+0000000000.json"))
	}
	want := []string{"year=2024/month=03/day=31/hour=01", "year=2024/month=03/day=31/hour=03",
		"year=2024/month=10/day=27/hour=02", "year=2024/month=10/day=27/hour=02"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("got %v\nwant %v", got, want)
	}
}

func TestScheduledRotationTime(t *testing.T) {
	paris, _ := parseZone("Europe/Paris")
	now := time.Date(2024, 6, 1, 10, 7, 0, 0, paris).UnixMilli()
	next := nextScheduledRotation(now, 10*60*1000, paris)
	if want := time.Date(2024, 6, 1, 10, 10, 0, 0, paris).UnixMilli(); next != want {
		t.Fatalf("next = %v, want %v", time.UnixMilli(next), time.UnixMilli(want))
	}
	// Capped at the next local midnight.
	now = time.Date(2024, 6, 1, 23, 30, 0, 0, paris).UnixMilli()
	if next := nextScheduledRotation(now, 7*3600*1000, paris); next != time.Date(2024, 6, 2, 0, 0, 0, 0, paris).UnixMilli() {
		t.Fatalf("next = %v", time.UnixMilli(next))
	}
}
