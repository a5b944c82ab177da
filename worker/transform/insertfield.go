package transform

import (
	"strings"
	"time"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/config"
	"github.com/wharf-project/wharf/connector/data"
)

const (
	// keyTopicField is InsertField's "topic.field" (default null): field for the
	// record topic; suffix "!" makes it required, "?" optional (the default).
	keyTopicField = "topic.field"
	// keyPartitionField is "partition.field" (default null): the Kafka partition.
	keyPartitionField = "partition.field"
	// keyOffsetField is "offset.field" (default null): the Kafka offset, sink records only.
	keyOffsetField = "offset.field"
	// keyTimestampField is "timestamp.field" (default null): the record timestamp.
	keyTimestampField = "timestamp.field"
	// keyStaticField is "static.field" (default null): a field holding static.value.
	keyStaticField = "static.field"
	// keyStaticValue is "static.value" (default null): the static field's value.
	keyStaticValue = "static.value"
	// keyReplaceNull is "replace.null.with.default" (default true, KIP-1040):
	// copied null fields take their schema default.
	keyReplaceNull = "replace.null.with.default"
)

const (
	optionalityDoc   = "Suffix with <code>!</code> to make this a required field, or <code>?</code> to keep it optional (the default)."
	replaceNullDoc   = "Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used."
	insertionPurpose = "field insertion"
)

// insertionSpec is one configured field; the zero value is "not configured".
type insertionSpec struct {
	name     string
	optional bool
	set      bool
}

func parseInsertionSpec(s string, set bool) insertionSpec {
	if !set {
		return insertionSpec{}
	}
	switch {
	case strings.HasSuffix(s, "?"):
		return insertionSpec{name: s[:len(s)-1], optional: true, set: true}
	case strings.HasSuffix(s, "!"):
		return insertionSpec{name: s[:len(s)-1], set: true}
	}
	return insertionSpec{name: s, optional: true, set: true}
}

func (s insertionSpec) schema(required, optional *data.Schema) *data.Schema {
	if s.optional {
		return optional
	}
	return required
}

// InsertField is org.apache.kafka.connect.transforms.InsertField$Key and
// $Value: it adds record metadata and a static value as fields.
type InsertField struct {
	key         bool
	def         *config.Def
	topic       insertionSpec
	partition   insertionSpec
	offset      insertionSpec
	timestamp   insertionSpec
	static      insertionSpec
	staticValue string
	replaceNull bool
	cache       schemaCache[*data.Schema]
}

func newInsertField(key bool) *InsertField {
	def := config.NewDef()
	for _, k := range []struct{ name, doc string }{
		{keyTopicField, "Field name for Kafka topic. " + optionalityDoc},
		{keyPartitionField, "Field name for Kafka partition. " + optionalityDoc},
		{keyOffsetField, "Field name for Kafka offset - only applicable to sink connectors.<br/>" + optionalityDoc},
		{keyTimestampField, "Field name for record timestamp. " + optionalityDoc},
		{keyStaticField, "Field name for static data field. " + optionalityDoc},
		{keyStaticValue, "Static field value, if field name configured."},
	} {
		def.Define(config.Key{Name: k.name, Type: config.String, Importance: config.Medium, Doc: k.doc})
	}
	def.Define(config.Key{Name: keyReplaceNull, Type: config.Boolean, Default: true,
		Importance: config.Medium, Doc: replaceNullDoc})
	return &InsertField{key: key, def: def}
}

func (t *InsertField) Config() *config.Def { return t.def }

func (t *InsertField) Configure(props map[string]string) error {
	v, err := t.def.Parse(props)
	if err != nil {
		return err
	}
	spec := func(k string) insertionSpec {
		s, ok := v.Get(k).(string)
		return parseInsertionSpec(s, ok)
	}
	t.topic, t.partition, t.offset = spec(keyTopicField), spec(keyPartitionField), spec(keyOffsetField)
	t.timestamp, t.static = spec(keyTimestampField), spec(keyStaticField)
	sv, hasValue := v.Get(keyStaticValue).(string)
	t.staticValue = sv
	t.replaceNull = v.Bool(keyReplaceNull)
	if !t.topic.set && !t.partition.set && !t.offset.set && !t.timestamp.set && !t.static.set {
		return &config.Error{Msg: "No field insertion configured"}
	}
	if t.static.set && !hasValue {
		return config.InvalidValue(keyStaticValue, nil, "No value specified for static field: "+t.static.name)
	}
	t.cache.reset()
	return nil
}

func (t *InsertField) Apply(r *connector.Record) (bool, error) {
	return t.apply(r, 0, false)
}

// applySink is used for sink records, whose Kafka offset offset.field reads.
func (t *InsertField) applySink(r *connector.SinkRecord) (bool, error) {
	return t.apply(&r.Record, r.Offset, true)
}

func (t *InsertField) apply(r *connector.Record, offset int64, sink bool) (bool, error) {
	schema, value := r.ValueSchema, r.Value
	if t.key {
		schema, value = r.KeySchema, r.Key
	}
	if value == nil {
		return true, nil
	}
	var err error
	if schema == nil {
		value, err = t.applySchemaless(r, value, offset, sink)
	} else {
		schema, value, err = t.applyWithSchema(r, value, offset, sink)
	}
	if err != nil {
		return false, err
	}
	if t.key {
		r.KeySchema, r.Key = schema, value
	} else {
		r.ValueSchema, r.Value = schema, value
	}
	return true, nil
}

func errNotSinkRecord(purpose string) error {
	return &dataError{"Only SinkRecord supported for [" + purpose + "], found: org.apache.kafka.connect.source.SourceRecord"}
}

// dataError is a Connect DataException raised by a transformation.
type dataError struct{ msg string }

func (e *dataError) Error() string { return e.msg }

func (t *InsertField) applySchemaless(r *connector.Record, value any, offset int64, sink bool) (any, error) {
	m, err := requireMap(value, insertionPurpose)
	if err != nil {
		return nil, err
	}
	if t.offset.set && !sink {
		return nil, errNotSinkRecord(insertionPurpose)
	}
	out := make([]data.MapEntry, len(m), len(m)+5)
	copy(out, m)
	if t.topic.set {
		out = mapPut(out, t.topic.name, r.Topic)
	}
	if t.partition.set && r.Partition != connector.NoPartition {
		out = mapPut(out, t.partition.name, r.Partition)
	}
	if t.offset.set {
		out = mapPut(out, t.offset.name, offset)
	}
	if t.timestamp.set && !r.Timestamp.IsZero() {
		out = mapPut(out, t.timestamp.name, r.Timestamp.UnixMilli())
	}
	if t.static.set {
		out = mapPut(out, t.static.name, t.staticValue)
	}
	return out, nil
}

func (t *InsertField) applyWithSchema(r *connector.Record, value any, offset int64, sink bool) (*data.Schema, any, error) {
	st, err := requireStruct(value, insertionPurpose)
	if err != nil {
		return nil, nil, err
	}
	if t.offset.set && !sink {
		return nil, nil, errNotSinkRecord(insertionPurpose)
	}
	in := st.Schema()
	updated, ok := t.cache.get(in, "")
	if !ok {
		if updated, err = t.updatedSchema(in); err != nil {
			return nil, nil, err
		}
		t.cache.put(in, "", updated)
	}
	out := data.NewStruct(updated)
	n := len(in.Fields)
	for i := 0; i < n; i++ {
		out.Set(i, fieldValue(st, i, t.replaceNull))
	}
	// Inserted fields follow in configuration order; unset ones stay null.
	if t.topic.set {
		out.Set(n, r.Topic)
		n++
	}
	if t.partition.set {
		if r.Partition != connector.NoPartition {
			out.Set(n, r.Partition)
		}
		n++
	}
	if t.offset.set {
		out.Set(n, offset)
		n++
	}
	if t.timestamp.set {
		if !r.Timestamp.IsZero() {
			out.Set(n, time.UnixMilli(r.Timestamp.UnixMilli()).UTC())
		}
		n++
	}
	if t.static.set {
		out.Set(n, t.staticValue)
	}
	return updated, out, nil
}

func (t *InsertField) updatedSchema(in *data.Schema) (*data.Schema, error) {
	s := copySchemaBasics(in, len(in.Fields)+5)
	for _, f := range in.Fields {
		if err := addField(s, f.Name, f.Schema); err != nil {
			return nil, err
		}
	}
	for _, x := range []struct {
		spec          insertionSpec
		required, opt *data.Schema
	}{
		{t.topic, data.StringSchema, data.OptionalStringSchema},
		{t.partition, data.Int32Schema, data.OptionalInt32Schema},
		{t.offset, data.Int64Schema, data.OptionalInt64Schema},
		{t.timestamp, data.TimestampSchema(), data.TimestampSchema().AsOptional()},
		{t.static, data.StringSchema, data.OptionalStringSchema},
	} {
		if !x.spec.set {
			continue
		}
		if err := addField(s, x.spec.name, x.spec.schema(x.required, x.opt)); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (t *InsertField) Close() error {
	t.cache.reset()
	return nil
}
