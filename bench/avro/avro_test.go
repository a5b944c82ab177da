// Package avro_test compares the Avro converter (with the embedded Schema
// Registry) against JsonConverter with schemas.enable=true on Debezium
// change events, in both directions:
//
//	go test -run '^$' -bench . -benchmem ./bench/avro/
package avro_test

import (
	"context"
	"math/big"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/linkedin/goavro/v2"

	"github.com/wharf-project/wharf/connector/data"
	"github.com/wharf-project/wharf/connector/testserver"
	"github.com/wharf-project/wharf/worker/avro"
	"github.com/wharf-project/wharf/worker/convert"
	"github.com/wharf-project/wharf/worker/kafka"
	"github.com/wharf-project/wharf/worker/schemaregistry"
)

const topic = "dbserver1.inventory.customers"

func debezium(name string, t data.Type) *data.Schema {
	return &data.Schema{Type: t, Name: name, Version: 1}
}

// envelope is the schema Debezium's PostgreSQL connector emits for a table
// of twelve typical columns.
func envelope() *data.Schema {
	row := data.StructSchema(topic+".Value").
		Field("id", data.Int32Schema).
		Field("first_name", data.StringSchema).
		Field("last_name", data.StringSchema).
		Field("email", data.OptionalStringSchema).
		Field("age", data.OptionalInt16Schema).
		Field("balance", data.DecimalSchema(2).AsOptional()).
		Field("active", data.BooleanSchema).
		Field("score", data.OptionalFloat64Schema).
		Field("created_at", debezium("io.debezium.time.MicroTimestamp", data.TypeInt64).AsOptional()).
		Field("updated_at", debezium("io.debezium.time.ZonedTimestamp", data.TypeString).AsOptional()).
		Field("birthday", debezium("io.debezium.time.Date", data.TypeInt32).AsOptional()).
		Field("notes", debezium("io.debezium.data.Json", data.TypeString).AsOptional()).
		Optional().Build()
	snapshot := &data.Schema{Type: data.TypeString, Name: "io.debezium.data.Enum", Version: 1, Optional: true,
		Default: "false", Parameters: []data.Param{{Key: "allowed", Value: "true,last,false,incremental"}}}
	source := data.StructSchema("io.debezium.connector.postgresql.Source").
		Field("version", data.StringSchema).Field("connector", data.StringSchema).
		Field("name", data.StringSchema).Field("ts_ms", data.Int64Schema).Field("snapshot", snapshot).
		Field("db", data.StringSchema).Field("sequence", data.OptionalStringSchema).
		Field("schema", data.StringSchema).Field("table", data.StringSchema).
		Field("txId", data.OptionalInt64Schema).Field("lsn", data.OptionalInt64Schema).
		Field("xmin", data.OptionalInt64Schema).Build()
	tx := data.StructSchema("event.block").Field("id", data.StringSchema).
		Field("total_order", data.Int64Schema).Field("data_collection_order", data.Int64Schema).
		Version(1).Optional().Build()
	return data.StructSchema(topic+".Envelope").
		Field("before", row).Field("after", row).Field("source", source).
		Field("transaction", tx).Field("op", data.StringSchema).
		Field("ts_ms", data.OptionalInt64Schema).Field("ts_us", data.OptionalInt64Schema).
		Field("ts_ns", data.OptionalInt64Schema).Version(2).Build()
}

func rowValue(s *data.Schema, id int32) *data.Struct {
	return data.NewStruct(s).MustPut("id", id).MustPut("first_name", "Anne").
		MustPut("last_name", "Kretchmar").MustPut("email", "annek@noanswer.org").
		MustPut("age", int16(42)).MustPut("balance", data.Decimal{Unscaled: big.NewInt(1234567), Scale: 2}).
		MustPut("active", true).MustPut("score", 0.875).
		MustPut("created_at", int64(1_700_000_000_123_456)).
		MustPut("updated_at", "2023-11-14T22:13:20.123456Z").MustPut("birthday", int32(8000)).
		MustPut("notes", `{"tier":"gold","tags":["a","b"]}`)
}

// updateEvent is an update with before and after images.
func updateEvent(s *data.Schema) *data.Struct {
	row := s.Field("after").Schema
	src := data.NewStruct(s.Field("source").Schema).MustPut("version", "2.7.0.Final").
		MustPut("connector", "postgresql").MustPut("name", "dbserver1").MustPut("ts_ms", int64(1700000000000)).
		MustPut("snapshot", "false").MustPut("db", "postgres").MustPut("sequence", `["24023928","24023928"]`).
		MustPut("schema", "inventory").MustPut("table", "customers").MustPut("txId", int64(771)).
		MustPut("lsn", int64(24023928))
	return data.NewStruct(s).MustPut("before", rowValue(row, 1004)).MustPut("after", rowValue(row, 1004)).
		MustPut("source", src).MustPut("op", "u").MustPut("ts_ms", int64(1700000000100)).
		MustPut("ts_us", int64(1700000000100123)).MustPut("ts_ns", int64(1700000000100123456))
}

type converter interface {
	Append(dst []byte, topic string, schema *data.Schema, value any) ([]byte, error)
	ToConnect(topic string, b []byte) (*data.Schema, any, error)
}

func jsonConverter(b *testing.B) converter {
	c := convert.NewJSON()
	if err := c.Configure(map[string]string{"schemas.enable": "true"}, false); err != nil {
		b.Fatal(err)
	}
	return c
}

// avroConverter starts a broker, the embedded registry and an HTTP listener.
func avroConverter(b *testing.B) converter {
	cfg, err := kafka.SaramaConfig(nil, kafka.RoleWorker)
	if err != nil {
		b.Fatal(err)
	}
	client, err := sarama.NewClient(testserver.Kafka(b, 1), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { client.Close() })
	srv, err := schemaregistry.NewServer(schemaregistry.ServerOptions{Client: client})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Start(ctx); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Stop() })
	hs := httptest.NewServer(srv.Handler())
	b.Cleanup(hs.Close)
	c := avro.NewConverter()
	if err := c.Configure(map[string]string{avro.SchemaRegistryURLConfig: hs.URL}, false); err != nil {
		b.Fatal(err)
	}
	return c
}

func benchFromConnect(b *testing.B, c converter) {
	s := envelope()
	v := updateEvent(s)
	buf, err := c.Append(nil, topic, s, v) // registers the schema, fills caches
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if buf, err = c.Append(buf[:0], topic, s, v); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(buf)), "bytes/record")
}

func benchToConnect(b *testing.B, c converter) {
	s := envelope()
	msg, err := c.Append(nil, topic, s, updateEvent(s))
	if err != nil {
		b.Fatal(err)
	}
	if _, _, err := c.ToConnect(topic, msg); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := c.ToConnect(topic, msg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFromConnect: Connect value → bytes (source side, per record).
func BenchmarkFromConnect(b *testing.B) {
	b.Run("json", func(b *testing.B) { benchFromConnect(b, jsonConverter(b)) })
	b.Run("avro", func(b *testing.B) { benchFromConnect(b, avroConverter(b)) })
}

// BenchmarkToConnect: bytes → Connect value (sink side, per record).
func BenchmarkToConnect(b *testing.B) {
	b.Run("json", func(b *testing.B) { benchToConnect(b, jsonConverter(b)) })
	b.Run("avro", func(b *testing.B) { benchToConnect(b, avroConverter(b)) })
	// goavro's generic decoder into map[string]any, for scale: the converter
	// decodes straight into Connect values instead.
	b.Run("goavro-native", func(b *testing.B) {
		s := envelope()
		d := avro.NewData(avro.DefaultOptions())
		a, err := d.FromConnectSchema(s)
		if err != nil {
			b.Fatal(err)
		}
		msg, err := d.AppendBinary(nil, s, a, updateEvent(s))
		if err != nil {
			b.Fatal(err)
		}
		codec, err := goavro.NewCodec(a.String())
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, _, err := codec.NativeFromBinary(msg); err != nil {
				b.Fatal(err)
			}
		}
	})
}
