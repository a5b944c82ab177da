package convert

import (
	"bytes"
	"os"
	"testing"

	"github.com/wharf-project/wharf/connector/data"
)

// The Debezium PostgreSQL change events of docs research §2.8–2.13
// (customers table, Debezium 3.1 layout). testdata/debezium_*.json were
// produced from that text by a JSON tool that keeps key order, independently
// of this package.

func customersRowSchema() *data.Schema {
	debeziumDate := &data.Schema{Type: data.TypeInt32, Optional: true, Name: "io.debezium.time.Date", Version: 1}
	return data.StructSchema("dbserver1.public.customers.Value").
		Field("custkey", data.StringSchema).
		Field("first_name", data.OptionalStringSchema).
		Field("city", data.OptionalStringSchema).
		Field("state", data.OptionalStringSchema).
		Field("fico", data.OptionalInt32Schema).
		Field("registration_date", debeziumDate).
		Optional().Build()
}

func customersSourceSchema() *data.Schema {
	snapshot := &data.Schema{Type: data.TypeString, Optional: true, Name: "io.debezium.data.Enum", Version: 1,
		Parameters: []data.Param{{Key: "allowed",
			Value: "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental"}},
		Default: "false"}
	return data.StructSchema("io.debezium.connector.postgresql.Source").
		Field("version", data.StringSchema).
		Field("connector", data.StringSchema).
		Field("name", data.StringSchema).
		Field("ts_ms", data.Int64Schema).
		Field("snapshot", snapshot).
		Field("db", data.StringSchema).
		Field("sequence", data.OptionalStringSchema).
		Field("ts_us", data.OptionalInt64Schema).
		Field("ts_ns", data.OptionalInt64Schema).
		Field("schema", data.StringSchema).
		Field("table", data.StringSchema).
		Field("txId", data.OptionalInt64Schema).
		Field("lsn", data.OptionalInt64Schema).
		Field("xmin", data.OptionalInt64Schema).
		Version(1).Build()
}

func customersEnvelopeSchema() *data.Schema {
	row := customersRowSchema()
	block := data.StructSchema("event.block").
		Field("id", data.StringSchema).
		Field("total_order", data.Int64Schema).
		Field("data_collection_order", data.Int64Schema).
		Optional().Version(1).Build()
	return data.StructSchema("dbserver1.public.customers.Envelope").
		Field("before", row).
		Field("after", row).
		Field("source", customersSourceSchema()).
		Field("transaction", block).
		Field("op", data.StringSchema).
		Field("ts_ms", data.OptionalInt64Schema).
		Field("ts_us", data.OptionalInt64Schema).
		Field("ts_ns", data.OptionalInt64Schema).
		Version(2).Build()
}

// customersCreate is the create event of §2.11; snapshot is left unset so
// that the schema default ("false") fills it, as in Debezium.
func customersCreate(env *data.Schema) *data.Struct {
	row := env.Field("after").Schema
	after := data.NewStruct(row).
		MustPut("custkey", "C0003").MustPut("first_name", "Carol").MustPut("city", "Denver").
		MustPut("state", "CO").MustPut("fico", int32(750)).MustPut("registration_date", int32(19797))
	src := data.NewStruct(env.Field("source").Schema).
		MustPut("version", "3.1.3.Final").MustPut("connector", "postgresql").MustPut("name", "dbserver1").
		MustPut("ts_ms", int64(1710497100250)).MustPut("db", "appdb").
		MustPut("sequence", `[null,"23804096"]`).
		MustPut("ts_us", int64(1710497100250117)).MustPut("ts_ns", int64(1710497100250117000)).
		MustPut("schema", "public").MustPut("table", "customers").
		MustPut("txId", int64(748)).MustPut("lsn", int64(23804096))
	return data.NewStruct(env).
		MustPut("after", after).MustPut("source", src).MustPut("op", "c").
		MustPut("ts_ms", int64(1710497100612)).MustPut("ts_us", int64(1710497100612345)).
		MustPut("ts_ns", int64(1710497100612345067))
}

func customersDelete(env *data.Schema) *data.Struct {
	before := data.NewStruct(env.Field("before").Schema).MustPut("custkey", "C0002")
	src := data.NewStruct(env.Field("source").Schema).
		MustPut("version", "3.1.3.Final").MustPut("connector", "postgresql").MustPut("name", "dbserver1").
		MustPut("ts_ms", int64(1710497265774)).MustPut("snapshot", "false").MustPut("db", "appdb").
		MustPut("sequence", `["23804832","23804880"]`).
		MustPut("ts_us", int64(1710497265774410)).MustPut("ts_ns", int64(1710497265774410000)).
		MustPut("schema", "public").MustPut("table", "customers").
		MustPut("txId", int64(750)).MustPut("lsn", int64(23804880))
	return data.NewStruct(env).
		MustPut("before", before).MustPut("source", src).MustPut("op", "d").
		MustPut("ts_ms", int64(1710497266001)).MustPut("ts_us", int64(1710497266001233)).
		MustPut("ts_ns", int64(1710497266001233554))
}

func golden(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(b, []byte("\n"))
}

func TestDebeziumGolden(t *testing.T) {
	env := customersEnvelopeSchema()
	cases := []struct {
		name    string
		props   map[string]string
		value   *data.Struct
		goldenF string
	}{
		{"create", nil, customersCreate(env), "debezium_create.json"},
		{"delete", nil, customersDelete(env), "debezium_delete.json"},
		{"create schemaless", map[string]string{"schemas.enable": "false"}, customersCreate(env), "debezium_create_schemaless.json"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := NewJSON()
			if err := c.Configure(tc.props, false); err != nil {
				t.Fatal(err)
			}
			want := golden(t, tc.goldenF)
			for i := 0; i < 2; i++ { // the second pass writes the cached schema
				got, err := c.Append(nil, "dbserver1.public.customers", env, tc.value)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("pass %d:\n got %s\nwant %s", i, got, want)
				}
			}
			if tc.props != nil {
				return
			}
			s, v, err := c.ToConnect("t", want)
			if err != nil {
				t.Fatal(err)
			}
			if !s.Equal(env) {
				t.Fatalf("schema round trip: got %v", s)
			}
			// The round trip fills the snapshot default in, as Kafka does.
			exp := tc.value
			if exp.Get("source").(*data.Struct).Get("snapshot") == nil {
				exp.Get("source").(*data.Struct).MustPut("snapshot", "false")
			}
			if !data.ValuesEqual(v, exp) {
				t.Fatalf("value round trip: got %v want %v", v, exp)
			}
		})
	}
}

func TestDebeziumKeysAndHeartbeat(t *testing.T) {
	key := data.StructSchema("dbserver1.public.customers.Key").Field("custkey", data.StringSchema).Build()
	hbKey := data.StructSchema("io.debezium.connector.common.ServerNameKey").
		Field("serverName", data.StringSchema).Version(1).Build()
	hbValue := data.StructSchema("io.debezium.connector.common.Heartbeat").
		Field("ts_ms", data.Int64Schema).Version(1).Build()
	cases := []struct {
		schemas bool
		schema  *data.Schema
		value   *data.Struct
		want    string
	}{
		{true, key, data.NewStruct(key).MustPut("custkey", "C0001"),
			`{"schema":{"type":"struct","fields":[{"type":"string","optional":false,"field":"custkey"}],"optional":false,"name":"dbserver1.public.customers.Key"},"payload":{"custkey":"C0001"}}`},
		{false, key, data.NewStruct(key).MustPut("custkey", "C0001"), `{"custkey":"C0001"}`},
		{true, hbKey, data.NewStruct(hbKey).MustPut("serverName", "dbserver1"),
			`{"schema":{"type":"struct","fields":[{"type":"string","optional":false,"field":"serverName"}],"optional":false,"name":"io.debezium.connector.common.ServerNameKey","version":1},"payload":{"serverName":"dbserver1"}}`},
		{true, hbValue, data.NewStruct(hbValue).MustPut("ts_ms", int64(1710497300000)),
			`{"schema":{"type":"struct","fields":[{"type":"int64","optional":false,"field":"ts_ms"}],"optional":false,"name":"io.debezium.connector.common.Heartbeat","version":1},"payload":{"ts_ms":1710497300000}}`},
	}
	for _, tc := range cases {
		c := NewJSON()
		if !tc.schemas {
			mustConfigure(t, c, map[string]string{"schemas.enable": "false"}, true)
		}
		got, err := c.Append(nil, "t", tc.schema, tc.value)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tc.want {
			t.Errorf("\n got %s\nwant %s", got, tc.want)
		}
	}
}

func mustConfigure(t testing.TB, c *JSON, props map[string]string, isKey bool) {
	t.Helper()
	if err := c.Configure(props, isKey); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkAppendDebeziumEnvelope measures the per-record cost of writing
// a Debezium change event (nested before/after/source structs) with schema.
func BenchmarkAppendDebeziumEnvelope(b *testing.B) {
	for _, schemas := range []string{"true", "false"} {
		b.Run("schemas.enable="+schemas, func(b *testing.B) {
			env := customersEnvelopeSchema()
			v := customersCreate(env)
			c := NewJSON()
			mustConfigure(b, c, map[string]string{"schemas.enable": schemas}, false)
			buf := make([]byte, 0, 4096)
			b.ReportAllocs()
			for b.Loop() {
				out, err := c.Append(buf[:0], "t", env, v)
				if err != nil {
					b.Fatal(err)
				}
				b.SetBytes(int64(len(out)))
			}
		})
	}
}

func BenchmarkToConnectDebeziumEnvelope(b *testing.B) {
	msg := golden(b, "debezium_create.json")
	c := NewJSON()
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if _, _, err := c.ToConnect("t", msg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppendDebeziumKey is the key side of the same events: a
// one-field struct, where per-record overhead rather than the payload
// dominates.
func BenchmarkAppendDebeziumKey(b *testing.B) {
	for _, schemas := range []string{"true", "false"} {
		b.Run("schemas.enable="+schemas, func(b *testing.B) {
			key := data.StructSchema("dbserver1.public.customers.Key").Field("id", data.Int32Schema).Build()
			v := data.NewStruct(key).MustPut("id", int32(1003))
			c := NewJSON()
			mustConfigure(b, c, map[string]string{"schemas.enable": schemas}, true)
			buf := make([]byte, 0, 256)
			b.ReportAllocs()
			for b.Loop() {
				out, err := c.Append(buf[:0], "t", key, v)
				if err != nil {
					b.Fatal(err)
				}
				b.SetBytes(int64(len(out)))
			}
		})
	}
}
