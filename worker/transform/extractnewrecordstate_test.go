package transform

import (
	"reflect"
	"testing"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/data"
)

// Debezium PostgreSQL-shaped schemas for table public.customers.
var (
	rowSchema = data.StructSchema("srv.public.customers.Value").Field("id", data.Int32Schema).
			Field("name", data.OptionalStringSchema).
			Field("tier", &data.Schema{Type: data.TypeString, Optional: true, Default: "basic"}).Optional().Build()
	sourceSchema = data.StructSchema("io.debezium.connector.postgresql.Source").
			Field("version", data.StringSchema).Field("connector", data.StringSchema).Field("name", data.StringSchema).
			Field("ts_ms", data.Int64Schema).Field("db", data.StringSchema).Field("schema", data.StringSchema).
			Field("table", data.StringSchema).Field("lsn", data.OptionalInt64Schema).Build()
	txSchema = data.StructSchema("event.block").Field("id", data.StringSchema).Field("total_order", data.Int64Schema).
			Field("data_collection_order", data.Int64Schema).Optional().Build()
	envSchema = data.StructSchema("srv.public.customers.Envelope").Field("before", rowSchema).Field("after", rowSchema).
			Field("source", sourceSchema).Field("transaction", txSchema).Field("op", data.StringSchema).
			Field("ts_ms", data.OptionalInt64Schema).Version(2).Build()
	keySchema = data.StructSchema("srv.public.customers.Key").Field("id", data.Int32Schema).Build()
)

func row(id int32, name string) *data.Struct { return structOf(rowSchema, id, name, nil) }

// event builds a change event record: op c, r, u, d; before/after may be nil.
func event(op string, before, after *data.Struct) *connector.Record {
	src := structOf(sourceSchema, "3.1.3.Final", "postgresql", "srv", int64(1700000000000), "db", "public", "customers", int64(4242))
	tx := structOf(txSchema, "571:4242", int64(3), int64(1))
	var b, a any
	if before != nil {
		b = before
	}
	if after != nil {
		a = after
	}
	env := structOf(envSchema, b, a, src, tx, op, int64(1700000000999))
	return &connector.Record{Topic: "srv.public.customers", Partition: connector.NoPartition,
		KeySchema: keySchema, Key: structOf(keySchema, int32(1)), ValueSchema: envSchema, Value: env,
		Headers: connector.Headers{{Key: "h", Value: "1"}}}
}

func tombstone() *connector.Record {
	return &connector.Record{Topic: "srv.public.customers", KeySchema: keySchema, Key: structOf(keySchema, int32(1))}
}

type outcome struct {
	kept   bool
	fields []string // nil: null value
	values []any
}

func TestExtractNewRecordStateModes(t *testing.T) {
	ins := func() *connector.Record { return event("c", nil, row(1, "ann")) }
	snap := func() *connector.Record { return event("r", nil, row(1, "ann")) }
	upd := func() *connector.Record { return event("u", row(1, "ann"), row(1, "bob")) }
	del := func() *connector.Record { return event("d", row(1, "bob"), nil) }
	plain := []string{"id", "name", "tier"}
	rewritten := []string{"id", "name", "tier", "__deleted"}
	tests := []struct {
		name                             string
		props                            map[string]string
		create, read, update, delete, tb outcome
	}{
		{"default is tombstone", nil,
			outcome{true, plain, []any{int32(1), "ann", nil}}, outcome{true, plain, nil}, outcome{true, plain, []any{int32(1), "bob", nil}},
			outcome{true, nil, nil}, outcome{false, nil, nil}},
		{"drop", map[string]string{"delete.tombstone.handling.mode": "drop"},
			outcome{true, plain, nil}, outcome{true, plain, nil}, outcome{true, plain, nil}, outcome{false, nil, nil}, outcome{false, nil, nil}},
		{"rewrite", map[string]string{"delete.tombstone.handling.mode": "rewrite"},
			outcome{true, rewritten, []any{int32(1), "ann", "basic", "false"}}, outcome{true, rewritten, nil},
			outcome{true, rewritten, []any{int32(1), "bob", "basic", "false"}},
			outcome{true, rewritten, []any{int32(1), "bob", "basic", "true"}}, outcome{false, nil, nil}},
		{"rewrite-with-tombstone", map[string]string{"delete.tombstone.handling.mode": "REWRITE-WITH-TOMBSTONE", "replace.null.with.default": "false"},
			outcome{true, rewritten, []any{int32(1), "ann", nil, "false"}}, outcome{true, rewritten, nil}, outcome{true, rewritten, nil},
			outcome{true, rewritten, []any{int32(1), "bob", nil, "true"}}, outcome{true, nil, nil}},
		{"legacy defaults drop deletes and tombstones", map[string]string{"drop.tombstones": "true"},
			outcome{true, plain, nil}, outcome{true, plain, nil}, outcome{true, plain, nil}, outcome{false, nil, nil}, outcome{false, nil, nil}},
		{"legacy none keeps tombstones", map[string]string{"drop.tombstones": "false", "delete.handling.mode": "none"},
			outcome{true, plain, nil}, outcome{true, plain, nil}, outcome{true, plain, nil}, outcome{true, nil, nil}, outcome{true, nil, nil}},
		{"legacy rewrite", map[string]string{"delete.handling.mode": "rewrite"},
			outcome{true, rewritten, nil}, outcome{true, rewritten, nil}, outcome{true, rewritten, nil},
			outcome{true, rewritten, []any{int32(1), "bob", "basic", "true"}}, outcome{false, nil, nil}},
		{"mode wins over legacy", map[string]string{"delete.tombstone.handling.mode": "tombstone", "delete.handling.mode": "rewrite"},
			outcome{true, plain, nil}, outcome{true, plain, nil}, outcome{true, plain, nil}, outcome{true, nil, nil}, outcome{false, nil, nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := single(t, ClassExtractNewRecState, tt.props)
			for _, step := range []struct {
				name string
				rec  *connector.Record
				want outcome
			}{{"create", ins(), tt.create}, {"read", snap(), tt.read}, {"update", upd(), tt.update},
				{"delete", del(), tt.delete}, {"tombstone", tombstone(), tt.tb}} {
				r := step.rec
				keep, err := c.Apply(r)
				if err != nil {
					t.Fatalf("%s: %v", step.name, err)
				}
				if keep != step.want.kept {
					t.Fatalf("%s: kept = %v, want %v", step.name, keep, step.want.kept)
				}
				if !keep {
					continue
				}
				if r.Topic != "srv.public.customers" || !data.ValuesEqual(r.Key, structOf(keySchema, int32(1))) {
					t.Errorf("%s: topic/key changed: %q %v", step.name, r.Topic, r.Key)
				}
				if step.want.fields == nil {
					if r.Value != nil {
						t.Errorf("%s: value = %v, want null", step.name, r.Value)
					}
					if step.name == "delete" && r.ValueSchema != rowSchema {
						t.Errorf("%s: value schema = %v, want the after schema", step.name, r.ValueSchema)
					}
					continue
				}
				if got := fieldNames(r.ValueSchema); !reflect.DeepEqual(got, step.want.fields) {
					t.Fatalf("%s: fields = %v, want %v", step.name, got, step.want.fields)
				}
				if r.ValueSchema.Optional || r.ValueSchema.Name != "srv.public.customers.Value" {
					t.Errorf("%s: value schema %v: want required srv.public.customers.Value", step.name, r.ValueSchema)
				}
				if err := data.ValidateValue(r.ValueSchema, r.Value); err != nil {
					t.Errorf("%s: invalid value: %v", step.name, err)
				}
				for i, want := range step.want.values {
					if got := r.Value.(*data.Struct).At(i); !data.ValuesEqual(got, want) {
						t.Errorf("%s: %s = %v, want %v", step.name, step.want.fields[i], got, want)
					}
				}
			}
		})
	}
}

func TestExtractNewRecordStateAddFieldsAndHeaders(t *testing.T) {
	c := single(t, ClassExtractNewRecState, map[string]string{
		"delete.tombstone.handling.mode": "rewrite-with-tombstone",
		"add.fields":                     "op,table, lsn,source.ts_ms,ts_ms:EVENT_TS,transaction.id,missing",
		"add.headers":                    "op,source.lsn:LSN",
		"add.headers.prefix":             "dbz.",
	})
	r := event("u", row(1, "ann"), row(1, "bob"))
	if _, err := c.Apply(r); err != nil {
		t.Fatal(err)
	}
	wantFields := []string{"id", "name", "tier", "__deleted", "__op", "__table", "__lsn", "__source_ts_ms", "__EVENT_TS", "__transaction_id"}
	if got := fieldNames(r.ValueSchema); !reflect.DeepEqual(got, wantFields) {
		t.Fatalf("fields = %v, want %v", got, wantFields)
	}
	st := r.Value.(*data.Struct)
	for name, want := range map[string]any{"__op": "u", "__table": "customers", "__lsn": int64(4242),
		"__source_ts_ms": int64(1700000000000), "__EVENT_TS": int64(1700000000999), "__transaction_id": "571:4242", "__deleted": "false"} {
		if got := st.Get(name); !data.ValuesEqual(got, want) {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
		if f := r.ValueSchema.Field(name); !f.Schema.Optional {
			t.Errorf("%s schema is required; Debezium adds optional fields", name)
		}
	}
	if err := data.ValidateValue(r.ValueSchema, r.Value); err != nil {
		t.Fatal(err)
	}
	wantHeaders := connector.Headers{{Key: "h", Value: "1"},
		{Key: "dbz.op", Schema: data.OptionalStringSchema, Value: "u"},
		{Key: "dbz.LSN", Schema: data.OptionalInt64Schema, Value: int64(4242)}}
	if len(r.Headers) != 3 {
		t.Fatalf("headers = %v", r.Headers)
	}
	for i, h := range wantHeaders {
		got := r.Headers[i]
		if got.Key != h.Key || !data.ValuesEqual(got.Value, h.Value) || (h.Schema != nil && !got.Schema.Equal(h.Schema)) {
			t.Errorf("header %d = %+v, want %+v", i, got, h)
		}
	}

	d := event("d", row(1, "bob"), nil)
	if _, err := c.Apply(d); err != nil {
		t.Fatal(err)
	}
	if got := d.Value.(*data.Struct); got.Get("__deleted") != "true" || got.Get("__op") != "d" || got.Get("name") != "bob" {
		t.Fatalf("rewritten delete = %v", got)
	}
	tb := tombstone()
	if keep, err := c.Apply(tb); !keep || err != nil {
		t.Fatalf("tombstone: keep=%v err=%v", keep, err)
	}
	if h, ok := tb.Headers.Last("dbz.op"); !ok || h.Value != "d" || len(tb.Headers) != 1 {
		t.Fatalf("tombstone headers = %v", tb.Headers)
	}
}

func TestExtractNewRecordStateRoutingAndPassThrough(t *testing.T) {
	c := single(t, ClassExtractNewRecState, map[string]string{"route.by.field": "name", "delete.tombstone.handling.mode": "rewrite"})
	r := event("c", nil, row(1, "ann"))
	if _, err := c.Apply(r); err != nil || r.Topic != "ann" {
		t.Fatalf("create routed to %q (err %v)", r.Topic, err)
	}
	d := event("d", row(1, "bob"), nil)
	if _, err := c.Apply(d); err != nil || d.Topic != "bob" {
		t.Fatalf("delete routed to %q (err %v)", d.Topic, err)
	}
	hb := data.StructSchema("io.debezium.connector.common.Heartbeat").Field("ts_ms", data.Int64Schema).Build()
	heartbeat := &connector.Record{Topic: "__debezium-heartbeat.srv", ValueSchema: hb, Value: structOf(hb, int64(1))}
	if keep, err := c.Apply(heartbeat); !keep || err != nil || heartbeat.ValueSchema != hb {
		t.Fatalf("heartbeat: keep=%v err=%v", keep, err)
	}
	truncate := event("t", nil, nil)
	if keep, err := c.Apply(truncate); keep || err != nil {
		t.Fatalf("truncate: keep=%v err=%v, want dropped", keep, err)
	}
	if msg := chainErr(t, map[string]string{"transforms": "x", "transforms.x.type": ClassExtractNewRecState,
		"transforms.x.delete.tombstone.handling.mode": "keep"}); msg !=
		"Invalid value keep for configuration delete.tombstone.handling.mode: Value must be one of drop, tombstone, rewrite, rewrite-with-tombstone" {
		t.Fatalf("error = %q", msg)
	}
}

func TestExtractNewRecordStateCachesSchema(t *testing.T) {
	c := single(t, ClassExtractNewRecState, map[string]string{"add.fields": "op"})
	a, b := event("c", nil, row(1, "a")), event("c", nil, row(2, "b"))
	c.Apply(a)
	c.Apply(b)
	if a.ValueSchema != b.ValueSchema {
		t.Fatal("derived schema rebuilt per record")
	}
	allocs := testing.AllocsPerRun(50, func() {
		r := event("c", nil, row(1, "a"))
		c.Apply(r)
	})
	base := testing.AllocsPerRun(50, func() { _ = event("c", nil, row(1, "a")) })
	if extra := allocs - base; extra > 3 {
		t.Fatalf("%v allocations per record beyond building it", extra)
	}
}
