package postgres

import (
	"github.com/wharf-project/wharf/connector/data"
)

// column is one tuple position of a table: where its value goes.
type column struct {
	name   string
	ct     *colType     // nil: unsupported type, never emitted
	schema *data.Schema // field schema (optional per nullability, default)
	field  int          // index in the value struct, -1 when excluded
	key    int          // index in the key struct, -1 when not a key column
}

// table is a captured table with its Connect schemas. It is rebuilt on every
// Relation message, so rows after a DDL get the new schemas.
type table struct {
	oid                  uint32
	schema, name, topic  string
	collection           string // "schema.table", the transaction metadata data collection
	replIdent            byte
	cols                 []column
	keySchema, valSchema *data.Schema
	envSchema            *data.Schema
	// schema and name boxed once: every change event's source block
	// carries them, and boxing a string allocates.
	schemaV, nameV any
}

// buildTable derives a table from catalog metadata and the tuple columns
// (name, type, typmod) in the order tuples carry them.
func (s *session) buildTable(m *tableMeta, tuple []catColumn) *table {
	c := s.cfg
	t := &table{oid: m.oid, schema: m.schema, name: m.name, replIdent: m.replIdent,
		topic: topicName(c.Prefix + "." + m.schema + "." + m.name), collection: m.schema + "." + m.name,
		schemaV: m.schema, nameV: m.name}
	keyNames := m.pk
	if kc, ok := c.keyColumnsFor(m.schema, m.name); ok {
		keyNames = kc
	} else if len(keyNames) == 0 {
		keyNames = m.identity
	}
	base := c.Prefix + "." + m.schema + "." + m.name
	vb := data.StructSchema(base + ".Value").Optional()
	t.cols = make([]column, len(tuple))
	nf := 0
	for i, tc := range tuple {
		col := column{name: tc.name, field: -1, key: -1}
		cat := m.col(tc.name)
		notNull := tc.notNull
		var def *string
		var doc string
		if cat != nil {
			notNull, def = cat.notNull, cat.def
			if cat.comment != nil {
				doc = *cat.comment
			}
		}
		col.ct = c.columnType(s.types, tc.typ, tc.typmod)
		if col.ct != nil {
			sch := col.ct.schema.Clone()
			sch.Optional = !notNull
			if doc != "" {
				sch.Doc = doc
			}
			if def != nil {
				typName := ""
				if pt := s.types.get(tc.typ); pt != nil {
					typName = pt.name
				}
				sch.Default = parseDefault(*def, typName, col.ct)
			}
			col.schema = sch
			if c.Filter.Column(m.schema, m.name, tc.name) {
				col.field = nf
				nf++
				vb.Field(tc.name, sch)
			}
		}
		t.cols[i] = col
	}
	t.keySchema = keySchema(base+".Key", t.cols, keyNames)
	t.valSchema = vb.Build()
	t.envSchema = s.envelopeSchema(base+".Envelope", t.valSchema)
	return t
}

// keySchema builds the key struct from keyNames (in key order) and marks
// the key columns; it returns nil when no key column exists.
func keySchema(name string, cols []column, keyNames []string) *data.Schema {
	kb := data.StructSchema(name)
	n := 0
	for _, kn := range keyNames {
		for i := range cols {
			if cols[i].name == kn && cols[i].ct != nil {
				cols[i].key = n
				n++
				kb.Field(kn, cols[i].schema)
			}
		}
	}
	if n == 0 {
		return nil
	}
	return kb.Build()
}

// topicName replaces characters Kafka does not allow with '_' and truncates
// to 249 characters, as Debezium's topic naming strategy does.
func topicName(s string) string {
	b := make([]rune, 0, len(s))
	for _, ch := range s {
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '.' || ch == '_' || ch == '-') {
			ch = '_'
		}
		b = append(b, ch)
	}
	if len(b) > 249 {
		b = b[:249]
	}
	return string(b)
}

const (
	snapshotAllowed27 = "true,last,false,incremental"
	snapshotAllowed   = "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental"
)

// sourceSchema is io.debezium.connector.postgresql.Source in the field order
// of the chosen Debezium layout.
func sourceSchema(compat string) *data.Schema {
	snap := semantic(data.TypeString, nameEnum)
	snap.Optional = true
	snap.Default = "false"
	allowed := snapshotAllowed
	if compat == "2.7" {
		allowed = snapshotAllowed27
	}
	snap.Parameters = []data.Param{{Key: "allowed", Value: allowed}}
	b := data.StructSchema("io.debezium.connector.postgresql.Source").
		Field("version", data.StringSchema).Field("connector", data.StringSchema).
		Field("name", data.StringSchema).Field("ts_ms", data.Int64Schema).
		Field("snapshot", snap).Field("db", data.StringSchema).
		Field("sequence", data.OptionalStringSchema).Field("ts_us", data.OptionalInt64Schema).
		Field("ts_ns", data.OptionalInt64Schema).Field("schema", data.StringSchema).
		Field("table", data.StringSchema).Field("txId", data.OptionalInt64Schema).
		Field("lsn", data.OptionalInt64Schema).Field("xmin", data.OptionalInt64Schema)
	if compat == "3.5" {
		b.Field("origin", data.OptionalStringSchema).Field("origin_lsn", data.OptionalInt64Schema)
	}
	if compat != "2.7" {
		b.Version(1)
	}
	return b.Build()
}

// Source struct field indexes (identical in every layout).
const (
	srcVersion = iota
	srcConnector
	srcName
	srcTsMs
	srcSnapshot
	srcDB
	srcSequence
	srcTsUs
	srcTsNs
	srcSchema
	srcTable
	srcTxID
	srcLsn
	srcXmin
)

func blockSchema() *data.Schema {
	return data.StructSchema("event.block").Optional().Version(1).
		Field("id", data.StringSchema).Field("total_order", data.Int64Schema).
		Field("data_collection_order", data.Int64Schema).Build()
}

// Envelope field indexes.
const (
	envBefore = iota
	envAfter
	envSource
	envTransaction
	envOp
	envTsMs
	envTsUs
	envTsNs
)

func (s *session) envelopeSchema(name string, row *data.Schema) *data.Schema {
	return data.StructSchema(name).Version(2).
		Field("before", row).Field("after", row).Field("source", s.srcSchema).
		Field("transaction", s.blockSchema).Field("op", data.StringSchema).
		Field("ts_ms", data.OptionalInt64Schema).Field("ts_us", data.OptionalInt64Schema).
		Field("ts_ns", data.OptionalInt64Schema).Build()
}

var (
	heartbeatKeySchema = data.StructSchema("io.debezium.connector.common.ServerNameKey").Version(1).
				Field("serverName", data.StringSchema).Build()
	heartbeatValueSchema = data.StructSchema("io.debezium.connector.common.Heartbeat").Version(1).
				Field("ts_ms", data.Int64Schema).Build()
	txKeySchema = data.StructSchema("io.debezium.connector.common.TransactionMetadataKey").Version(1).
			Field("id", data.StringSchema).Build()
	txCollectionSchema = data.StructSchema("event.collection").Version(1).
				Field("data_collection", data.StringSchema).Field("event_count", data.Int64Schema).Build()
	txValueSchema = data.StructSchema("io.debezium.connector.common.TransactionMetadataValue").Version(1).
			Field("status", data.StringSchema).Field("id", data.StringSchema).
			Field("event_count", data.OptionalInt64Schema).
			Field("data_collections", &data.Schema{Type: data.TypeArray, Optional: true, Elem: txCollectionSchema}).
			Field("ts_ms", data.Int64Schema).Build()
)
