package transform

import (
	"fmt"
	"strings"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/config"
	"github.com/wharf-project/wharf/connector/data"
)

const (
	// keyDeleteTombstoneMode is Debezium's "delete.tombstone.handling.mode"
	// (2.5+; unset: tombstone unless a legacy key is set): drop, tombstone,
	// rewrite or rewrite-with-tombstone.
	keyDeleteTombstoneMode = "delete.tombstone.handling.mode"
	// keyDropTombstones is the deprecated "drop.tombstones" (default true).
	keyDropTombstones = "drop.tombstones"
	// keyDeleteHandling is the deprecated "delete.handling.mode" (default drop):
	// none, drop or rewrite.
	keyDeleteHandling = "delete.handling.mode"
	// keyRouteByField is "route.by.field" (default ""): a row field whose
	// value becomes the topic.
	keyRouteByField = "route.by.field"
	// keyAddFieldsPrefix is "add.fields.prefix" (default "__").
	keyAddFieldsPrefix = "add.fields.prefix"
	// keyAddFields is "add.fields" (default ""): envelope fields to copy into
	// the value, e.g. op,table,source.ts_ms; name:NEW renames.
	keyAddFields = "add.fields"
	// keyAddHeadersPrefix is "add.headers.prefix" (default "__").
	keyAddHeadersPrefix = "add.headers.prefix"
	// keyAddHeaders is "add.headers" (default ""): envelope fields to copy
	// into headers.
	keyAddHeaders = "add.headers"
)

const (
	deletedField     = "__deleted"
	sourcePurpose    = "source field insertion"
	envelopeSuffix   = ".Envelope"
	modeDrop         = "drop"
	modeTombstone    = "tombstone"
	modeRewrite      = "rewrite"
	modeRewriteTomb  = "rewrite-with-tombstone"
	legacyNone       = "none"
	fieldOp          = "op"
	fieldBefore      = "before"
	fieldAfter       = "after"
	deleteOpCode     = "d"
	fieldSource      = "source"
	fieldTransaction = "transaction"
)

// deleteStrategy says what happens to tombstones, deletes and the rest.
type deleteStrategy struct {
	keepTombstones bool
	deletes        string // modeDrop, modeTombstone (null value), modeRewrite
	rewrite        bool   // add __deleted to every row
}

// ExtractNewRecordState is io.debezium.transforms.ExtractNewRecordState: it
// replaces a Debezium change-event envelope by its "after" row.
type ExtractNewRecordState struct {
	def         *config.Def
	strategy    deleteStrategy
	fields      []fieldReference
	headers     []fieldReference
	routeBy     string
	replaceNull bool
	deleted     InsertField // adds __deleted, as Debezium delegates to InsertField
	undeleted   InsertField
	cache       schemaCache[*data.Schema]
}

func enumValidator(allowed ...string) config.Validator {
	return func(_ string, v any) error {
		s, _ := v.(string)
		s = strings.TrimSpace(s)
		for _, a := range allowed {
			if strings.EqualFold(s, a) {
				return nil
			}
		}
		return fmt.Errorf("Value must be one of %s", strings.Join(allowed, ", "))
	}
}

func newExtractNewRecordState() *ExtractNewRecordState {
	def := config.NewDef().
		Define(config.Key{Name: keyDeleteTombstoneMode, Type: config.String, Importance: config.Medium,
			Width: config.WidthMedium, DisplayName: "Handle delete and tombstone records",
			Validator: enumValidator(modeDrop, modeTombstone, modeRewrite, modeRewriteTomb),
			Doc: "How to handle delete records. Options are: " +
				"drop - Remove the delete event and tombstone from the stream." +
				"tombstone (default) - For each delete event, leave only a tombstone in the stream." +
				"rewrite - Remove tombstone from the record, and add a `__deleted` field with the value `true`." +
				"rewrite-with-tombstone - Retain tombstone in record and add a `__deleted` field with the value `true`."}).
		Define(config.Key{Name: keyDropTombstones, Type: config.Boolean, Default: true, Importance: config.Low,
			Width: config.WidthShort, DisplayName: "Drop tombstones",
			Doc: "Debezium by default generates a tombstone record to enable Kafka compaction after " +
				"a delete record was generated. This record is usually filtered out to avoid duplicates " +
				"as a delete record is converted to a tombstone record, too" +
				"Note: This option is scheduled for removal in a future release, use \"delete.tombstone.handling.mode\" instead"}).
		Define(config.Key{Name: keyDeleteHandling, Type: config.String, Default: modeDrop, Importance: config.Medium,
			Width: config.WidthMedium, DisplayName: "Handle delete records",
			Validator: enumValidator(modeDrop, modeRewrite, legacyNone),
			Doc: "How to handle delete records. Options are: none - records are passed," +
				"drop - records are removed (the default),rewrite - __deleted field is added to records." +
				"Note: This option is scheduled for removal in a future release, use \"delete.tombstone.handling.mode\" instead"}).
		Define(config.Key{Name: keyRouteByField, Type: config.String, Default: "", Importance: config.Low,
			Width: config.WidthLong, DisplayName: "Route by field name",
			Doc: "The column which determines how the events will be routed, the value will replace the topic name."}).
		Define(config.Key{Name: keyAddFieldsPrefix, Type: config.String, Default: "__", Importance: config.Low,
			Width: config.WidthShort, DisplayName: "Field prefix to be added to each field.",
			Doc: "Adds this prefix to each field listed."}).
		Define(config.Key{Name: keyAddFields, Type: config.List, Default: "", Importance: config.Low,
			Width: config.WidthLong, DisplayName: "Adds the specified field(s) to the message if they exist.",
			Doc: "Adds each field listed, prefixed with __ (or __<struct>_ if the struct is specified). " +
				"Example: 'version,connector,source.ts_ms' would add __version, __connector and __source_ts_ms fields. " +
				"Optionally one can also map new field name like version:VERSION,connector:CONNECTOR,source.ts_ms:EVENT_TIMESTAMP." +
				"Please note that the new field name is case-sensitive."}).
		Define(config.Key{Name: keyAddHeadersPrefix, Type: config.String, Default: "__", Importance: config.Low,
			Width: config.WidthShort, DisplayName: "Header prefix to be added to each header.",
			Doc: "Adds this prefix listed to each header."}).
		Define(config.Key{Name: keyAddHeaders, Type: config.List, Default: "", Importance: config.Low,
			Width: config.WidthLong, DisplayName: "Adds the specified fields to the header if they exist.",
			Doc: "Adds each field listed to the header,  __ (or __<struct>_ if the struct is specified). " +
				"Example: 'version,connector,source.ts_ms' would add __version, __connector and __source_ts_ms fields. " +
				"Optionally one can also map new field name like version:VERSION,connector:CONNECTOR,source.ts_ms:EVENT_TIMESTAMP." +
				"Please note that the new field name is case-sensitive."}).
		Define(config.Key{Name: keyReplaceNull, Type: config.Boolean, Default: true, Importance: config.Low,
			Width: config.WidthShort, DisplayName: "replace null field value with default",
			Doc: "When this option is enabled, null field values are replaced by source-defined defaults when rewriting the record."})
	return &ExtractNewRecordState{def: def}
}

func (t *ExtractNewRecordState) Config() *config.Def { return t.def }

func (t *ExtractNewRecordState) Configure(props map[string]string) error {
	v, err := t.def.Parse(props)
	if err != nil {
		return err
	}
	mode := strings.ToLower(strings.TrimSpace(v.String(keyDeleteTombstoneMode)))
	_, legacyTomb := props[keyDropTombstones]
	_, legacyDel := props[keyDeleteHandling]
	if mode == "" && (legacyTomb || legacyDel) {
		t.strategy = legacyStrategy(v.Bool(keyDropTombstones), strings.ToLower(strings.TrimSpace(v.String(keyDeleteHandling))))
	} else {
		if mode == "" {
			mode = modeTombstone
		}
		t.strategy = deleteStrategy{keepTombstones: mode == modeRewriteTomb, deletes: mode,
			rewrite: mode == modeRewrite || mode == modeRewriteTomb}
		if t.strategy.rewrite {
			t.strategy.deletes = modeRewrite
		}
	}
	if t.fields, err = parseFieldReferences(v.String(keyAddFieldsPrefix), v.List(keyAddFields)); err != nil {
		return err
	}
	if t.headers, err = parseFieldReferences(v.String(keyAddHeadersPrefix), v.List(keyAddHeaders)); err != nil {
		return err
	}
	t.routeBy = v.String(keyRouteByField)
	t.replaceNull = v.Bool(keyReplaceNull)
	for _, d := range []struct {
		f   *InsertField
		val string
	}{{&t.deleted, "true"}, {&t.undeleted, "false"}} {
		*d.f = *newInsertField(false)
		if err := d.f.Configure(map[string]string{keyStaticField: deletedField, keyStaticValue: d.val,
			keyReplaceNull: fmt.Sprint(t.replaceNull)}); err != nil {
			return err
		}
	}
	t.cache.reset()
	return nil
}

// legacyStrategy maps drop.tombstones and delete.handling.mode.
func legacyStrategy(dropTombstones bool, deletes string) deleteStrategy {
	s := deleteStrategy{keepTombstones: !dropTombstones, deletes: deletes}
	switch deletes {
	case legacyNone:
		s.deletes = modeTombstone
	case modeRewrite:
		s.rewrite = true
	}
	return s
}

func (t *ExtractNewRecordState) Apply(r *connector.Record) (bool, error) {
	if r.Value == nil {
		if !t.strategy.keepTombstones {
			return false, nil
		}
		for _, h := range t.headers {
			if h.field == fieldOp {
				r.Headers = append(r.Headers, connector.Header{Key: h.newField, Schema: data.StringSchema, Value: deleteOpCode})
			}
		}
		return true, nil
	}
	if r.ValueSchema == nil || !strings.HasSuffix(r.ValueSchema.Name, envelopeSuffix) {
		return true, nil // not a change event (heartbeat, schema change): passed on unchanged
	}
	env, ok := r.Value.(*data.Struct)
	if !ok || env == nil {
		return true, nil
	}
	afterF, beforeF := env.Schema().Field(fieldAfter), env.Schema().Field(fieldBefore)
	if afterF == nil {
		return false, fmt.Errorf("Unknown field: %s", fieldAfter)
	}
	if beforeF == nil {
		return false, fmt.Errorf("Unknown field: %s", fieldBefore)
	}
	t.addHeaders(r, env)
	after, before := env.At(afterF.Index), env.At(beforeF.Index)
	if after == nil && before == nil {
		return false, nil // truncate events are dropped
	}
	if after == nil {
		return t.applyDelete(r, env, beforeF, afterF)
	}
	r.ValueSchema, r.Value = afterF.Schema, after
	if t.strategy.rewrite {
		if _, isStruct := after.(*data.Struct); isStruct {
			if _, err := t.undeleted.Apply(r); err != nil {
				return false, err
			}
		}
	}
	if t.routeBy != "" {
		st, err := requireStruct(r.Value, "Read record to set topic routing for CREATE / UPDATE")
		if err != nil {
			return false, err
		}
		setTopic(r, st, t.routeBy)
	}
	return true, t.addFields(r, env)
}

func (t *ExtractNewRecordState) applyDelete(r *connector.Record, env *data.Struct, beforeF, afterF *data.Field) (bool, error) {
	switch t.strategy.deletes {
	case modeDrop:
		return false, nil
	case modeTombstone:
		r.ValueSchema, r.Value = afterF.Schema, nil
	default: // rewrite
		r.ValueSchema, r.Value = beforeF.Schema, env.At(beforeF.Index)
		if _, isStruct := r.Value.(*data.Struct); isStruct {
			if _, err := t.deleted.Apply(r); err != nil {
				return false, err
			}
		}
	}
	if t.routeBy != "" {
		before, err := requireStruct(env.At(beforeF.Index), "Read record to set topic routing for DELETE")
		if err != nil {
			return false, err
		}
		setTopic(r, before, t.routeBy)
	}
	if t.strategy.rewrite {
		return true, t.addFields(r, env)
	}
	return true, nil
}

// setTopic routes to the string in field name of st, when not blank.
func setTopic(r *connector.Record, st *data.Struct, name string) {
	if s, ok := st.Get(name).(string); ok && strings.TrimSpace(s) != "" {
		r.Topic = s
	}
}

func (t *ExtractNewRecordState) addHeaders(r *connector.Record, env *data.Struct) {
	for i := range t.headers {
		h := &t.headers[i]
		if s := h.schema(env.Schema()); s != nil {
			r.Headers = append(r.Headers, connector.Header{Key: h.newField, Schema: s, Value: h.value(env)})
		}
	}
}

// addFields copies the row into a schema extended by add.fields, cached per
// row schema and operation as Debezium does. Debezium copies the row even
// with no extra field, which makes the value schema required; so do we.
func (t *ExtractNewRecordState) addFields(r *connector.Record, env *data.Struct) error {
	row, err := requireStruct(r.Value, sourcePurpose)
	if err != nil {
		return err
	}
	op, _ := env.Get(fieldOp).(string)
	in := row.Schema()
	updated, ok := t.cache.get(in, op)
	if !ok {
		updated = copySchemaBasics(in, len(in.Fields)+len(t.fields))
		for _, f := range in.Fields {
			if err := addField(updated, f.Name, f.Schema); err != nil {
				return err
			}
		}
		for i := range t.fields {
			if s := t.fields[i].schema(env.Schema()); s != nil {
				if err := addField(updated, t.fields[i].newField, s); err != nil {
					return err
				}
			}
		}
		t.cache.put(in, op, updated)
	}
	out := data.NewStruct(updated)
	n := len(in.Fields)
	for i := 0; i < n; i++ {
		out.Set(i, row.At(i))
	}
	for i := range t.fields {
		f := &t.fields[i]
		if n < len(updated.Fields) && updated.Fields[n].Name == f.newField {
			out.Set(n, f.value(env))
			n++
		}
	}
	r.ValueSchema, r.Value = updated, out
	return nil
}

func (t *ExtractNewRecordState) Close() error {
	t.cache.reset()
	return nil
}
