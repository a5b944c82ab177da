package rest_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/wharf-project/wharf/connector/s3"
	"github.com/wharf-project/wharf/connector/testserver"
	"github.com/wharf-project/wharf/rest/resttest"
)

// A Debezium-style change event in JsonConverter's envelope: nested
// before/after/source structs with Connect Date, Decimal and Timestamp and
// Debezium MicroTimestamp fields.
const rowSchemaJSON = `{"type":"struct","name":"shop.public.customers.Value","optional":true,"fields":[` +
	`{"field":"id","type":"int32","optional":false},{"field":"name","type":"string","optional":true},` +
	`{"field":"born","type":"int32","optional":true,"name":"org.apache.kafka.connect.data.Date","version":1},` +
	`{"field":"balance","type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2","connect.decimal.precision":"10"}},` +
	`{"field":"updated","type":"int64","optional":true,"name":"org.apache.kafka.connect.data.Timestamp","version":1},` +
	`{"field":"seen","type":"int64","optional":true,"name":"io.debezium.time.MicroTimestamp","version":1}]}`

var envelopeSchemaJSON = `{"type":"struct","name":"shop.public.customers.Envelope","optional":false,"fields":[` +
	`{"field":"before",` + rowSchemaJSON[1:] + `,{"field":"after",` + rowSchemaJSON[1:] + `,` +
	`{"field":"source","type":"struct","name":"io.debezium.connector.postgresql.Source","optional":false,"fields":[` +
	`{"field":"db","type":"string","optional":false},{"field":"table","type":"string","optional":false},{"field":"lsn","type":"int64","optional":true}]},` +
	`{"field":"op","type":"string","optional":false},{"field":"ts_ms","type":"int64","optional":true}]}`

var changeTime = time.Date(2024, 3, 9, 10, 11, 12, 345678000, time.UTC)

// changeEvent returns event i as produced and the row the preview must show.
func changeEvent(i int) (msg, row string) {
	var dec [8]byte
	binary.BigEndian.PutUint64(dec[:], uint64(int64(-12345+i)))
	payload := fmt.Sprintf(`{"id":%d,"name":"Zoë %d","born":%d,"balance":%q,"updated":%d,"seen":%d}`,
		i, i, 19000+i, base64.StdEncoding.EncodeToString(dec[:]), changeTime.UnixMilli(), changeTime.UnixMicro()+int64(i))
	msg = fmt.Sprintf(`{"schema":%s,"payload":{"before":null,"after":%s,"source":{"db":"shop","table":"customers","lsn":%d},"op":"c","ts_ms":%d}}`,
		envelopeSchemaJSON, payload, 100+i, 1700000000000+int64(i))
	born := time.Unix(0, 0).UTC().AddDate(0, 0, 19000+i).Format("2006-01-02")
	after := fmt.Sprintf(`{"id":%d,"name":"Zoë %d","born":%q,"balance":"%s","updated":"2024-03-09T10:11:12.345Z","seen":%q}`,
		i, i, born, decimalString(-12345+i), changeTime.Add(time.Duration(i)*time.Microsecond).Format("2006-01-02T15:04:05.999999"))
	row = fmt.Sprintf(`{"before":null,"after":%s,"source":{"db":"shop","table":"customers","lsn":%d},"op":"c","ts_ms":%d}`,
		after, 100+i, 1700000000000+int64(i))
	return msg, row
}

func decimalString(unscaled int) string {
	sign := ""
	if unscaled < 0 {
		sign, unscaled = "-", -unscaled
	}
	return fmt.Sprintf("%s%d.%02d", sign, unscaled/100, unscaled%100)
}

// TestLandedParquet runs a real S3 sink writing typed Parquet into MinIO
// (and one writing Avro):
// the listing gives each object's record count (from the sink's metadata,
// and from the footer or the lines of objects without it, as Confluent's
// connector writes them), and the preview returns the first rows with
// nested structs and readable logical types, and the schema.
func TestLandedParquet(t *testing.T) {
	minio := testserver.MinIO(t)
	minio.CreateBucket(t, "lake")
	brokers := testserver.Kafka(t, 1)
	w := resttest.Start(t, resttest.Options{Brokers: brokers, Plugins: append(resttest.DefaultPlugins(), s3.Plugin())})
	var msgs []*sarama.ProducerMessage
	var rows []string
	for i := range 7 {
		m, r := changeEvent(i)
		msgs = append(msgs, &sarama.ProducerMessage{Topic: "customers", Value: sarama.StringEncoder(m)})
		rows = append(rows, r)
	}
	produce(t, brokers, msgs...)
	w.Expect(t, 201, "POST", "/connectors", map[string]any{"name": "pq", "config": map[string]any{
		"connector.class": "S3SinkConnector", "topics": "customers", "s3.bucket.name": "lake",
		"s3.region": minio.Region, "store.url": minio.Endpoint, "aws.access.key.id": minio.AccessKey,
		"aws.secret.access.key": minio.SecretKey, "format.class": "io.confluent.connect.s3.format.parquet.ParquetFormat",
		"flush.size": "3", "value.converter": "org.apache.kafka.connect.json.JsonConverter"}})

	const dir = "topics/customers/partition=0/"
	first, second := dir+"customers+0+0000000000.snappy.parquet", dir+"customers+0+0000000003.snappy.parquet"
	resttest.Eventually(t, 60*time.Second, func() string {
		if keys := minio.Keys(t, "lake", dir); len(keys) != 2 {
			return fmt.Sprintf("keys %v (status %v)", keys, w.Status(t, "pq"))
		}
		return ""
	})
	// The sink's own record count, as user metadata.
	head, err := minio.Client.HeadObject(context.Background(), &awss3.HeadObjectInput{Bucket: aws.String("lake"), Key: aws.String(first)})
	if err != nil || head.Metadata[s3.RecordsMetadata] != "3" {
		t.Fatalf("metadata of %s: %v (%v)", first, head, err)
	}
	// Objects without the metadata: a copy of the Parquet file, JSON lines,
	// and a format that is not counted.
	put := func(key string, body []byte) {
		t.Helper()
		if _, err := minio.Client.PutObject(context.Background(), &awss3.PutObjectInput{Bucket: aws.String("lake"),
			Key: aws.String(key), Body: bytes.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
	bare := dir + "confluent+0+0000000100.parquet"
	put(bare, minio.Get(t, "lake", first))
	put(dir+"confluent+0+0000000200.json", []byte("{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n{\"a\":4}"))
	put(dir+"confluent+0+0000000300.avro", []byte("Obj\x01"))

	var landed struct {
		Objects []struct {
			Key     string
			Records *int64
		}
	}
	w.Expect(t, 200, "GET", "/wharf/connectors/pq/landed", nil).JSON(t, &landed)
	counts := map[string]string{}
	for _, o := range landed.Objects {
		counts[strings.TrimPrefix(o.Key, dir)] = "null"
		if o.Records != nil {
			counts[strings.TrimPrefix(o.Key, dir)] = fmt.Sprint(*o.Records)
		}
	}
	want := map[string]string{"customers+0+0000000000.snappy.parquet": "3", "customers+0+0000000003.snappy.parquet": "3",
		"confluent+0+0000000100.parquet": "3", "confluent+0+0000000200.json": "4", "confluent+0+0000000300.avro": "null"}
	if fmt.Sprint(counts) != fmt.Sprint(want) {
		t.Fatalf("record counts %v, want %v", counts, want)
	}

	type preview struct {
		Format    string
		Size      int64
		Records   *int64
		Rows      []json.RawMessage
		Schema    string
		Truncated bool
	}
	for _, c := range []struct {
		key  string
		n    int
		want []string
	}{{first, 2, rows[:2]}, {second, 10, rows[3:6]}, {bare, 3, rows[:3]}} {
		var p preview
		w.Expect(t, 200, "GET", fmt.Sprintf("/wharf/connectors/pq/landed/preview?rows=%d&key=%s", c.n, url.QueryEscape(c.key)), nil).JSON(t, &p)
		if p.Format != "parquet" || p.Records == nil || *p.Records != 3 || p.Truncated != (c.n < 3) || len(p.Rows) != len(c.want) {
			t.Fatalf("preview of %s: %+v", c.key, p)
		}
		for i, r := range p.Rows {
			if string(r) != c.want[i] {
				t.Fatalf("%s row %d:\n got %s\nwant %s", c.key, i, r, c.want[i])
			}
		}
		for _, s := range []string{"message shop.public.customers.Envelope {\n", "  optional group after {\n", "    required int32 id;\n", "    optional binary name (STRING);\n", "    optional int32 born (DATE);\n", "    optional int64 balance (DECIMAL(10,2));\n", "    optional int64 updated (TIMESTAMP(MILLIS,true));\n", "    optional int64 seen (TIMESTAMP(MICROS,false));\n"} {
			if !strings.Contains(p.Schema, s) {
				t.Fatalf("schema of %s lacks %q:\n%s", c.key, s, p.Schema)
			}
		}
	}
	// The same events as Avro, and as Parquet in parquet-avro's layout
	// (what Confluent's ParquetFormat writes): Connect's logical types are
	// annotated, Debezium's MicroTimestamp stays a long, unions unwrapped.
	for _, c := range []struct{ name, dir, format, layout, key, schema string }{
		{"av", "avro", "avro.AvroFormat", "", "customers+0+0000000003.avro", `"name": "shop.public.customers.Envelope"`},
		{"pqa", "pqavro", "parquet.ParquetFormat", "avro", "customers+0+0000000003.snappy.parquet",
			"    optional binary balance (DECIMAL(10,2));\n    optional int64 updated (TIMESTAMP(MILLIS,true));\n    optional int64 seen;\n"},
	} {
		cfg := map[string]any{
			"connector.class": "S3SinkConnector", "topics": "customers", "s3.bucket.name": "lake", "topics.dir": c.dir,
			"s3.region": minio.Region, "store.url": minio.Endpoint, "aws.access.key.id": minio.AccessKey,
			"aws.secret.access.key": minio.SecretKey, "format.class": "io.confluent.connect.s3.format." + c.format,
			"flush.size": "3", "value.converter": "org.apache.kafka.connect.json.JsonConverter"}
		if c.layout != "" {
			cfg["parquet.layout"] = c.layout
		}
		w.Expect(t, 201, "POST", "/connectors", map[string]any{"name": c.name, "config": cfg})
		resttest.Eventually(t, 60*time.Second, func() string {
			if keys := minio.Keys(t, "lake", c.dir+"/"); len(keys) != 2 {
				return fmt.Sprintf("keys %v (status %v)", keys, w.Status(t, c.name))
			}
			return ""
		})
		key := c.dir + "/customers/partition=0/" + c.key
		var p preview
		w.Expect(t, 200, "GET", "/wharf/connectors/"+c.name+"/landed/preview?rows=2&key="+url.QueryEscape(key), nil).JSON(t, &p)
		if p.Records == nil || *p.Records != 3 || !p.Truncated || len(p.Rows) != 2 || !strings.Contains(p.Schema, c.schema) {
			t.Fatalf("%s preview: %+v\n%s", c.name, p, p.Schema)
		}
		for i, r := range p.Rows {
			seen := changeTime.Add(time.Duration(3+i) * time.Microsecond)
			want := strings.Replace(rows[3+i], fmt.Sprintf("%q", seen.Format("2006-01-02T15:04:05.999999")), fmt.Sprint(seen.UnixMicro()), 1)
			if string(r) != want {
				t.Fatalf("%s row %d:\n got %s\nwant %s", c.name, i, r, want)
			}
		}
	}

	// Not Parquet after all: a 422 that says why.
	put(dir+"broken+0+0000000400.parquet", []byte("PAR1 not really PAR1"))
	w.ExpectError(t, 422, "Cannot preview", "GET", "/wharf/connectors/pq/landed/preview?key="+url.QueryEscape(dir+"broken+0+0000000400.parquet"), nil)
	w.ExpectError(t, 404, "not found", "GET", "/wharf/connectors/pq/landed/preview?key="+url.QueryEscape(dir+"gone.parquet"), nil)
	w.ExpectError(t, 422, "Cannot preview", "GET", "/wharf/connectors/pq/landed/preview?key="+url.QueryEscape(dir+"confluent+0+0000000300.avro"), nil)
}
