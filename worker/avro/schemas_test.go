package avro

import (
	"math/big"

	"github.com/wharf-project/wharf/connector/data"
)

// Debezium's semantic types, as its connectors build them.
func debeziumSchema(name string, t data.Type, params ...data.Param) *data.Schema {
	return &data.Schema{Type: t, Name: name, Version: 1, Parameters: params}
}

var (
	microTimestamp = debeziumSchema("io.debezium.time.MicroTimestamp", data.TypeInt64)
	zonedTimestamp = debeziumSchema("io.debezium.time.ZonedTimestamp", data.TypeString)
	dbzDate        = debeziumSchema("io.debezium.time.Date", data.TypeInt32)
	microTime      = debeziumSchema("io.debezium.time.MicroTime", data.TypeInt64)
	dbzEnum        = debeziumSchema("io.debezium.data.Enum", data.TypeString, data.Param{Key: "allowed", Value: "red,green"})
	dbzJSON        = debeziumSchema("io.debezium.data.Json", data.TypeString)
	dbzUUID        = debeziumSchema("io.debezium.data.Uuid", data.TypeString)
	varScale       = func() *data.Schema {
		s := data.StructSchema("io.debezium.data.VariableScaleDecimal").
			Field("scale", data.Int32Schema).Field("value", data.BytesSchema).
			Version(1).Doc("Variable scaled decimal").Build()
		return s
	}()
)

// customerValue is the row schema of a Debezium table.
func customerValue() *data.Schema {
	return data.StructSchema("dbserver1.inventory.customers.Value").
		Field("id", data.Int32Schema).
		Field("first_name", data.StringSchema).
		Field("email", data.OptionalStringSchema).
		Field("small", data.OptionalInt16Schema).
		Field("tiny", data.Int8Schema).
		Field("price", data.DecimalSchema(2).AsOptional()).
		Field("created", microTimestamp.AsOptional()).
		Field("updated", zonedTimestamp.AsOptional()).
		Field("birthday", dbzDate.AsOptional()).
		Field("alarm", microTime.AsOptional()).
		Field("color", dbzEnum.AsOptional()).
		Field("doc", dbzJSON.AsOptional()).
		Field("uid", dbzUUID.AsOptional()).
		Field("amount", varScale.AsOptional()).
		Field("ratio", data.OptionalFloat64Schema).
		Field("score", data.Float32Schema).
		Field("active", data.BooleanSchema).
		Field("blob", data.OptionalBytesSchema).
		Field("tags", data.ArrayOf(data.StringSchema).AsOptional()).
		Optional().Build()
}

func sourceSchema() *data.Schema {
	snapshot := dbzEnum.Clone()
	snapshot.Parameters = []data.Param{{Key: "allowed", Value: "true,last,false,incremental"}}
	snapshot.Optional, snapshot.Default = true, "false"
	return data.StructSchema("io.debezium.connector.postgresql.Source").
		Field("version", data.StringSchema).
		Field("connector", data.StringSchema).
		Field("name", data.StringSchema).
		Field("ts_ms", data.Int64Schema).
		Field("snapshot", snapshot).
		Field("db", data.StringSchema).
		Field("schema", data.StringSchema).
		Field("table", data.StringSchema).
		Field("txId", data.OptionalInt64Schema).
		Field("lsn", data.OptionalInt64Schema).
		Build()
}

// envelopeSchema is the Debezium envelope of customers.
func envelopeSchema() *data.Schema {
	row := customerValue()
	return data.StructSchema("dbserver1.inventory.customers.Envelope").
		Field("before", row).
		Field("after", row).
		Field("source", sourceSchema()).
		Field("op", data.StringSchema).
		Field("ts_ms", data.OptionalInt64Schema).
		Version(1).Build()
}

func keySchema() *data.Schema {
	return data.StructSchema("dbserver1.inventory.customers.Key").Field("id", data.Int32Schema).Build()
}

// customerRow returns a row value with every field set.
func customerRow(s *data.Schema, id int32) *data.Struct {
	amount := data.NewStruct(s.Field("amount").Schema).MustPut("scale", int32(3)).MustPut("value", []byte{0x30, 0x39})
	return data.NewStruct(s).
		MustPut("id", id).
		MustPut("first_name", "Sally").
		MustPut("email", "sally@example.com").
		MustPut("small", int16(-300)).
		MustPut("tiny", int8(-7)).
		MustPut("price", data.Decimal{Unscaled: big.NewInt(-12345), Scale: 2}).
		MustPut("created", int64(1_700_000_000_123_456)).
		MustPut("updated", "2023-11-14T22:13:20.123456Z").
		MustPut("birthday", int32(19000)).
		MustPut("alarm", int64(3_600_000_000)).
		MustPut("color", "green").
		MustPut("doc", `{"a":1}`).
		MustPut("uid", "7d1f0c1e-4b4a-4c1e-9b2d-1f0c1e4b4a4c").
		MustPut("amount", amount).
		MustPut("ratio", 0.25).
		MustPut("score", float32(1.5)).
		MustPut("active", true).
		MustPut("blob", []byte{0, 1, 2, 0xff}).
		MustPut("tags", []any{"a", "b"})
}

func envelopeValue(s *data.Schema, op string) *data.Struct {
	row := s.Field("after").Schema
	src := data.NewStruct(s.Field("source").Schema).
		MustPut("version", "2.5.0.Final").MustPut("connector", "postgresql").MustPut("name", "dbserver1").
		MustPut("ts_ms", int64(1700000000000)).MustPut("snapshot", "false").MustPut("db", "postgres").
		MustPut("schema", "inventory").MustPut("table", "customers").MustPut("txId", int64(771)).
		MustPut("lsn", int64(34_000_000))
	env := data.NewStruct(s).MustPut("source", src).MustPut("op", op).MustPut("ts_ms", int64(1700000000100))
	if op != "c" {
		env.MustPut("before", customerRow(row, 1001))
	}
	if op != "d" {
		env.MustPut("after", customerRow(row, 1001))
	}
	return env
}
