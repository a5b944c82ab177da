package convert

import (
	"errors"
	"fmt"
	"hash/maphash"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/wharf-project/wharf/connector/config"
	"github.com/wharf-project/wharf/connector/data"
	"github.com/wharf-project/wharf/connector/jsontext"
)

// JsonConverter configuration keys (org.apache.kafka.connect.json.JsonConverterConfig).
const (
	// SchemasEnableConfig: include the schema in every message as
	// {"schema":…,"payload":…}. Default true.
	SchemasEnableConfig = "schemas.enable"
	// SchemasCacheSizeConfig: how many schemas each direction caches.
	// Default 1000.
	SchemasCacheSizeConfig = "schemas.cache.size"
	// DecimalFormatConfig: BASE64 (default) writes Decimals as base64 of the
	// unscaled two's-complement bytes, NUMERIC as JSON numbers. Case-insensitive.
	DecimalFormatConfig = "decimal.format"
	// ReplaceNullWithDefaultConfig: write (and read) a null value whose
	// schema has a default as that default. Default true (KIP-581).
	ReplaceNullWithDefaultConfig = "replace.null.with.default"
	// ConverterTypeConfig (ConverterConfig): key, value or header; set from
	// the isKey argument of Configure when absent.
	ConverterTypeConfig = "converter.type"
)

const defaultSchemaCacheSize = 1000

// envelopeError is Kafka's message for schemas.enable=true input that is not
// an envelope.
const envelopeError = "JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and " +
	"may not contain additional fields. If you are trying to deserialize plain JSON data, set " +
	"schemas.enable=false in your converter configuration."

// JSON is org.apache.kafka.connect.json.JsonConverter.
type JSON struct {
	schemasEnabled bool
	decimalNumeric bool
	replaceNull    bool
	fromCache      *lru[*data.Schema, *schemaEncoder]
	toCache        *lru[uint64, parsedSchema]
	seed           maphash.Seed
	lastSchema     atomic.Pointer[parsedSchema]  // the schema ToConnect saw last
	lastEncoder    atomic.Pointer[schemaEncoder] // the encoder Append used last
	decoders       sync.Pool                     // *decoder, ToConnect's reusable state
}

// NewJSON returns a JsonConverter with Kafka's defaults; Configure may
// change them.
func NewJSON() *JSON {
	return &JSON{
		schemasEnabled: true, replaceNull: true,
		fromCache: newLRU[*data.Schema, *schemaEncoder](defaultSchemaCacheSize),
		toCache:   newLRU[uint64, parsedSchema](defaultSchemaCacheSize),
		seed:      maphash.MakeSeed(),
	}
}

// converterTypeKey is ConverterConfig's converter.type key.
var converterTypeKey = config.Key{
	Name: ConverterTypeConfig, Type: config.String, Default: config.NoDefault,
	Validator:  config.OneOfIgnoreCase("key", "value", "header"),
	Importance: config.Low,
	Doc:        "How this converter will be used.",
}

// Config returns JsonConverterConfig's ConfigDef.
func (c *JSON) Config() *config.Def {
	return config.NewDef().Define(converterTypeKey).
		Define(config.Key{Name: SchemasEnableConfig, Type: config.Boolean, Default: true,
			Importance: config.High, Doc: "Include schemas within each of the serialized values and keys.",
			Group: "Schemas", OrderInGroup: 0, Width: config.WidthMedium, DisplayName: "Enable Schemas"}).
		Define(config.Key{Name: SchemasCacheSizeConfig, Type: config.Int, Default: defaultSchemaCacheSize,
			Importance: config.High, Doc: "The maximum number of schemas that can be cached in this converter instance.",
			Group: "Schemas", OrderInGroup: 1, Width: config.WidthMedium, DisplayName: "Schema Cache Size"}).
		Define(config.Key{Name: DecimalFormatConfig, Type: config.String, Default: "BASE64",
			Validator:  config.OneOfIgnoreCase("BASE64", "NUMERIC"),
			Importance: config.Low,
			Doc: "Controls which format this converter will serialize decimals in. This value is case " +
				"insensitive and can be either 'BASE64' (default) or 'NUMERIC'",
			Group: "Serialization", OrderInGroup: 0, Width: config.WidthMedium, DisplayName: "Decimal Format"}).
		Define(config.Key{Name: ReplaceNullWithDefaultConfig, Type: config.Boolean, Default: true,
			Importance: config.Low,
			Doc: "Whether to replace fields that have a default value and that are null to the default value. " +
				"When set to true, the default value is used, otherwise null is used.",
			Group: "Serialization", OrderInGroup: 1, Width: config.WidthMedium, DisplayName: "Replace null with default"})
}

// withType returns props with converter.type set from isKey, as Kafka's
// configure(configs, isKey) does.
func withType(props map[string]string, isKey bool) map[string]string {
	out := make(map[string]string, len(props)+1)
	for k, v := range props {
		out[k] = v
	}
	out[ConverterTypeConfig] = "value"
	if isKey {
		out[ConverterTypeConfig] = "key"
	}
	return out
}

// Configure implements connector.Converter.
func (c *JSON) Configure(props map[string]string, isKey bool) error {
	vals, err := c.Config().Parse(withType(props, isKey))
	if err != nil {
		return fmt.Errorf("json converter: %w", err)
	}
	c.schemasEnabled = vals.Bool(SchemasEnableConfig)
	c.decimalNumeric = strings.EqualFold(vals.String(DecimalFormatConfig), "NUMERIC")
	c.replaceNull = vals.Bool(ReplaceNullWithDefaultConfig)
	size := vals.Int(SchemasCacheSizeConfig)
	c.fromCache = newLRU[*data.Schema, *schemaEncoder](size)
	c.toCache = newLRU[uint64, parsedSchema](size)
	c.lastSchema.Store(nil)
	c.lastEncoder.Store(nil)
	return nil
}

// Append implements connector.Converter. A nil value gives nil (a Kafka
// null), whatever the schema.
func (c *JSON) Append(dst []byte, _ string, schema *data.Schema, value any) ([]byte, error) {
	if value == nil {
		return nil, nil
	}
	var enc *schemaEncoder
	if schema != nil {
		var err error
		if enc, err = c.encoder(schema); err != nil {
			return nil, err
		}
	}
	if !c.schemasEnabled {
		return c.appendPayload(dst, schema, enc, value)
	}
	dst = append(dst, `{"schema":`...)
	switch {
	case schema == nil:
		dst = append(dst, "null"...)
	case enc == nil:
		var err error
		if dst, err = c.appendSchema(dst, schema, "", false); err != nil {
			return nil, err
		}
	default:
		dst = append(dst, enc.json...)
	}
	dst = append(dst, `,"payload":`...)
	dst, err := c.appendPayload(dst, schema, enc, value)
	if err != nil {
		return nil, err
	}
	return append(dst, '}'), nil
}

// appendPayload writes v of schema s, by the plan of enc when there is one,
// and returns nil on error.
func (c *JSON) appendPayload(dst []byte, s *data.Schema, enc *schemaEncoder, v any) ([]byte, error) {
	var err error
	if enc != nil {
		dst, err = c.appendPlanned(dst, enc.plan, v)
	} else {
		dst, err = c.appendValue(dst, s, v)
	}
	if err != nil {
		return nil, err
	}
	return dst, nil
}

var errRequiredNull = errors.New("Conversion error: null value for field that is required and has no default value")

// appendValue is JsonConverter.convertToJson.
func (c *JSON) appendValue(dst []byte, s *data.Schema, v any) ([]byte, error) {
	if v == nil {
		switch {
		case s == nil:
			return append(dst, "null"...), nil
		case s.Default != nil && c.replaceNull:
			return c.appendValue(dst, s, s.Default)
		case s.Optional:
			return append(dst, "null"...), nil
		}
		return dst, errRequiredNull
	}
	if s == nil {
		return c.appendSchemaless(dst, v)
	}
	if s.Name != "" {
		if done, out, err := c.appendLogical(dst, s, v); done {
			return out, err
		}
	}
	if s.Type.Primitive() {
		if out, t, ok := appendScalar(dst, v); ok && t == s.Type {
			return out, nil
		}
		if s.Type == data.TypeBytes {
			return dst, fmt.Errorf("Invalid type for bytes type: %s", javaClass(v))
		}
	}
	switch s.Type {
	case data.TypeArray:
		if x, ok := v.([]any); ok {
			return c.appendArray(dst, s.Elem, x)
		}
	case data.TypeMap:
		if x, ok := v.([]data.MapEntry); ok {
			return c.appendMap(dst, s, x)
		}
	case data.TypeStruct:
		x, ok := v.(*data.Struct)
		if ok && x == nil {
			return c.appendValue(dst, s, nil)
		}
		if !ok || (x.Schema() != s && !x.Schema().Equal(s)) {
			return dst, errors.New("Mismatching schema.")
		}
		return c.appendStruct(dst, s, x)
	}
	return dst, fmt.Errorf("Invalid type for %s: %s", typeEnum(s.Type), javaClass(v))
}

// appendScalar writes a primitive Go value and reports its Connect type.
func appendScalar(dst []byte, v any) ([]byte, data.Type, bool) {
	switch x := v.(type) {
	case string:
		return jsontext.AppendString(dst, x), data.TypeString, true
	case int64:
		return appendInt(dst, x), data.TypeInt64, true
	case int32:
		return appendInt(dst, int64(x)), data.TypeInt32, true
	case bool:
		return appendBool(dst, x), data.TypeBoolean, true
	case int16:
		return appendInt(dst, int64(x)), data.TypeInt16, true
	case int8:
		return appendInt(dst, int64(x)), data.TypeInt8, true
	case float64:
		return jsontext.AppendFloat(dst, x, 64), data.TypeFloat64, true
	case float32:
		return jsontext.AppendFloat(dst, float64(x), 32), data.TypeFloat32, true
	case []byte:
		return appendBase64(dst, x), data.TypeBytes, true
	}
	return dst, 0, false
}

func (c *JSON) appendStruct(dst []byte, s *data.Schema, st *data.Struct) ([]byte, error) {
	dst = append(dst, '{')
	var err error
	for i := range s.Fields {
		f := &s.Fields[i]
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = jsontext.AppendString(dst, f.Name)
		dst = append(dst, ':')
		if dst, err = c.appendValue(dst, f.Schema, st.At(i)); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}

func (c *JSON) appendArray(dst []byte, elem *data.Schema, a []any) ([]byte, error) {
	dst = append(dst, '[')
	var err error
	for i, e := range a {
		if i > 0 {
			dst = append(dst, ',')
		}
		if dst, err = c.appendValue(dst, elem, e); err != nil {
			return dst, err
		}
	}
	return append(dst, ']'), nil
}

// appendMap writes a map with STRING keys (or, schemaless, only string
// keys) as a JSON object and any other map as an array of [key,value] pairs.
func (c *JSON) appendMap(dst []byte, s *data.Schema, m []data.MapEntry) ([]byte, error) {
	var ks, vs *data.Schema
	objectMode := true
	if s != nil {
		ks, vs = s.Key, s.Value
		objectMode = ks != nil && ks.Type == data.TypeString
	} else {
		for _, e := range m {
			if _, ok := e.Key.(string); !ok {
				objectMode = false
				break
			}
		}
	}
	var err error
	if objectMode {
		dst = append(dst, '{')
		for i, e := range m {
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, err = c.appendMapKey(dst, ks, e.Key); err != nil {
				return dst, err
			}
			dst = append(dst, ':')
			if dst, err = c.appendValue(dst, vs, e.Value); err != nil {
				return dst, err
			}
		}
		return append(dst, '}'), nil
	}
	dst = append(dst, '[')
	for i, e := range m {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, '[')
		if dst, err = c.appendValue(dst, ks, e.Key); err != nil {
			return dst, err
		}
		dst = append(dst, ',')
		if dst, err = c.appendValue(dst, vs, e.Value); err != nil {
			return dst, err
		}
		dst = append(dst, ']')
	}
	return append(dst, ']'), nil
}

// appendMapKey writes an object key: the text of the converted key
// (JsonNode.asText), so a null key becomes "null".
func (c *JSON) appendMapKey(dst []byte, ks *data.Schema, k any) ([]byte, error) {
	if k == nil && ks != nil && ks.Default != nil && c.replaceNull {
		k = ks.Default
	}
	switch x := k.(type) {
	case string:
		return jsontext.AppendString(dst, x), nil
	case nil:
		if ks == nil || ks.Optional {
			return append(dst, `"null"`...), nil
		}
		return dst, errRequiredNull
	}
	return dst, fmt.Errorf("Invalid type for STRING: %s", javaClass(k))
}

// appendSchemaless writes a value without schema, its Connect type inferred
// from its Go type (ConnectSchema.schemaType). A *data.Struct carries its
// own schema; Kafka would refuse it ("Mismatching schema.").
func (c *JSON) appendSchemaless(dst []byte, v any) ([]byte, error) {
	if out, _, ok := appendScalar(dst, v); ok {
		return out, nil
	}
	switch x := v.(type) {
	case []any:
		return c.appendArray(dst, nil, x)
	case []data.MapEntry:
		return c.appendMap(dst, nil, x)
	case *data.Struct:
		if x == nil {
			return append(dst, "null"...), nil
		}
		return c.appendStruct(dst, x.Schema(), x)
	}
	cls := javaClass(v)
	if strings.HasPrefix(cls, "Go type ") {
		return dst, fmt.Errorf("%s does not have corresponding schema type.", cls)
	}
	return dst, fmt.Errorf("Java class %s does not have corresponding schema type.", cls)
}

func appendInt(dst []byte, v int64) []byte {
	if v >= 0 && v < 10 {
		return append(dst, byte('0'+v))
	}
	return strconv.AppendInt(dst, v, 10)
}

func appendBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, "true"...)
	}
	return append(dst, "false"...)
}
