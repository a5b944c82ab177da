package avro

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/wharf-project/wharf/connector/config"
	"github.com/wharf-project/wharf/connector/data"
	"github.com/wharf-project/wharf/worker/avro/avroschema"
	"github.com/wharf-project/wharf/worker/schemaregistry"
)

// AvroConverter configuration keys (AbstractKafkaSchemaSerDeConfig and AvroDataConfig).
const (
	// SchemaRegistryURLConfig: required; comma-separated registry base URLs.
	SchemaRegistryURLConfig = "schema.registry.url"
	// AutoRegisterConfig: register the schema of each new Connect schema. Default true.
	AutoRegisterConfig = "auto.register.schemas"
	// UseLatestVersionConfig: with auto.register.schemas=false, write with the
	// subject's latest registered schema. Default false.
	UseLatestVersionConfig = "use.latest.version"
	// LatestCompatStrictConfig: accepted for compatibility; default true.
	LatestCompatStrictConfig = "latest.compatibility.strict"
	// KeySubjectStrategyConfig: subject naming for keys; default TopicNameStrategy.
	KeySubjectStrategyConfig = "key.subject.name.strategy"
	// ValueSubjectStrategyConfig: subject naming for values; default TopicNameStrategy.
	ValueSubjectStrategyConfig = "value.subject.name.strategy"
	// BasicAuthSourceConfig: URL (default: user info of the URL), USER_INFO
	// (basic.auth.user.info) or SASL_INHERIT (not supported).
	BasicAuthSourceConfig = "basic.auth.credentials.source"
	// BasicAuthUserInfoConfig: "user:password" for USER_INFO.
	BasicAuthUserInfoConfig = "basic.auth.user.info"
	// LegacyUserInfoConfig: older name of basic.auth.user.info.
	LegacyUserInfoConfig = "schema.registry.basic.auth.user.info"
	// SchemasCacheConfig: schemas cached per direction. Default 1000.
	SchemasCacheConfig = "schemas.cache.config"
	// EnhancedSchemaSupportConfig: keep Avro enums (and full union member
	// names) across Connect. Default false.
	EnhancedSchemaSupportConfig = "enhanced.avro.schema.support"
	// ConnectMetaDataConfig: write and read connect.* schema properties. Default true.
	ConnectMetaDataConfig = "connect.meta.data"
	// ScrubInvalidNamesConfig: replace characters Avro names do not allow. Default false.
	ScrubInvalidNamesConfig = "scrub.invalid.names"
	// MaxSchemasPerSubjectConfig: client cache capacity. Default 1000.
	MaxSchemasPerSubjectConfig = "max.schemas.per.subject"

	converterTypeConfig = "converter.type"
	defaultStrategy     = "io.confluent.kafka.serializers.subject.TopicNameStrategy"
)

// Class is the converter's Java class name.
const Class = "io.confluent.connect.avro.AvroConverter"

// Version is the Confluent Platform version this converter mirrors.
const Version = "7.6.0"

// Config returns the converter's ConfigDef.
func (c *Converter) Config() *config.Def {
	strategy := config.Validator(func(name string, v any) error {
		s, _ := v.(string)
		if _, err := parseStrategy(s); err != nil {
			return config.InvalidValue(name, s, err.Error())
		}
		return nil
	})
	return config.NewDef().
		Define(config.Key{Name: converterTypeConfig, Type: config.String, Default: config.NoDefault,
			Validator: config.OneOfIgnoreCase("key", "value", "header"), Importance: config.Low,
			Doc: "How this converter will be used."}).
		Define(config.Key{Name: SchemaRegistryURLConfig, Type: config.List, Default: config.NoDefault,
			Importance: config.High, Doc: "Comma-separated list of URLs for Schema Registry instances that can be used to register or look up schemas."}).
		Define(config.Key{Name: AutoRegisterConfig, Type: config.Boolean, Default: true, Importance: config.Medium,
			Doc: "Specify if the Serializer should attempt to register the Schema with Schema Registry"}).
		Define(config.Key{Name: UseLatestVersionConfig, Type: config.Boolean, Default: false, Importance: config.Low,
			Doc: "Specify if the Serializer should use the latest subject version for serialization"}).
		Define(config.Key{Name: LatestCompatStrictConfig, Type: config.Boolean, Default: true, Importance: config.Low,
			Doc: "Specify if the Serializer should check the backwards compatibility with the latest subject version when using use.latest.version=true"}).
		Define(config.Key{Name: KeySubjectStrategyConfig, Type: config.Class, Default: defaultStrategy, Validator: strategy,
			Importance: config.Medium, Doc: "Determines how to construct the subject name under which the key schema is registered with the schema registry."}).
		Define(config.Key{Name: ValueSubjectStrategyConfig, Type: config.Class, Default: defaultStrategy, Validator: strategy,
			Importance: config.Medium, Doc: "Determines how to construct the subject name under which the value schema is registered with the schema registry."}).
		Define(config.Key{Name: BasicAuthSourceConfig, Type: config.String, Default: "URL",
			Validator: config.OneOf("URL", "USER_INFO", "SASL_INHERIT"), Importance: config.Medium,
			Doc: "Specify how to pick the credentials for Basic Auth header. The supported values are URL, USER_INFO and SASL_INHERIT"}).
		Define(config.Key{Name: BasicAuthUserInfoConfig, Type: config.Password, Default: "", Importance: config.Medium,
			Doc: "Specify the user info for Basic Auth in the form of {username}:{password}"}).
		Define(config.Key{Name: LegacyUserInfoConfig, Type: config.Password, Default: "", Importance: config.Medium,
			Doc: "Specify the user info for Basic Auth in the form of {username}:{password}"}).
		Define(config.Key{Name: MaxSchemasPerSubjectConfig, Type: config.Int, Default: 1000, Importance: config.Low,
			Doc: "Maximum number of schemas to create or cache locally."}).
		Define(config.Key{Name: SchemasCacheConfig, Type: config.Int, Default: 1000, Validator: config.AtLeast(1),
			Importance: config.Low, Doc: "Size of the converted schemas cache"}).
		Define(config.Key{Name: EnhancedSchemaSupportConfig, Type: config.Boolean, Default: false, Importance: config.Low,
			Doc: "Toggle for enabling/disabling enhanced avro schema support: Enum symbol preservation and Package Name awareness"}).
		Define(config.Key{Name: ConnectMetaDataConfig, Type: config.Boolean, Default: true, Importance: config.Low,
			Doc: "Toggle for enabling/disabling connect converter to add its meta data to the output schema or not"}).
		Define(config.Key{Name: ScrubInvalidNamesConfig, Type: config.Boolean, Default: false, Importance: config.Low,
			Doc: "Whether to scrub invalid names by replacing invalid characters with valid characters"})
}

type strategy uint8

const (
	topicName strategy = iota
	recordName
	topicRecordName
)

// parseStrategy accepts Confluent's class names and their simple names.
func parseStrategy(class string) (strategy, error) {
	simple := strings.TrimSpace(class)
	if i := strings.LastIndexByte(simple, '.'); i >= 0 {
		simple = simple[i+1:]
	}
	switch simple {
	case "TopicNameStrategy", "":
		return topicName, nil
	case "RecordNameStrategy":
		return recordName, nil
	case "TopicRecordNameStrategy":
		return topicRecordName, nil
	}
	return 0, fmt.Errorf("unknown subject name strategy (TopicNameStrategy, RecordNameStrategy or TopicRecordNameStrategy)")
}

// Converter is io.confluent.connect.avro.AvroConverter. After Configure it
// is safe for concurrent use: the schemas it converts, registers and reads
// are cached, so a record whose *data.Schema was seen before costs neither
// an HTTP call nor a schema conversion.
type Converter struct {
	isKey        bool
	autoRegister bool
	useLatest    bool
	strategy     strategy
	cacheSize    int
	data         *Data
	client       *schemaregistry.Client
	timeout      time.Duration

	mu     sync.RWMutex
	writes map[writeKey]*writeEntry
	avros  map[*data.Schema]*avroEntry
	reads  map[int]*readEntry
}

type writeKey struct {
	topic  string
	schema *data.Schema
}

type writeEntry struct {
	id   [5]byte // magic byte and schema id: the record prefix
	avro *avroschema.Schema
}

type avroEntry struct {
	avro *avroschema.Schema
	text string
}

type readEntry struct {
	avro    *avroschema.Schema
	connect *data.Schema
}

// NewConverter returns an unconfigured converter.
func NewConverter() *Converter { return &Converter{} }

// Configure implements connector.Converter.
func (c *Converter) Configure(props map[string]string, isKey bool) error {
	p := make(map[string]string, len(props)+1)
	for k, v := range props {
		p[k] = v
	}
	p[converterTypeConfig] = "value"
	if isKey {
		p[converterTypeConfig] = "key"
	}
	vals, err := c.Config().Parse(p)
	if err != nil {
		return fmt.Errorf("avro converter: %w", err)
	}
	c.isKey = isKey
	c.autoRegister = vals.Bool(AutoRegisterConfig)
	c.useLatest = vals.Bool(UseLatestVersionConfig)
	strategyKey := ValueSubjectStrategyConfig
	if isKey {
		strategyKey = KeySubjectStrategyConfig
	}
	c.strategy, _ = parseStrategy(vals.String(strategyKey))
	c.cacheSize = vals.Int(SchemasCacheConfig)
	c.data = NewData(Options{ConnectMetaData: vals.Bool(ConnectMetaDataConfig),
		EnhancedSchemaSupport: vals.Bool(EnhancedSchemaSupportConfig),
		ScrubInvalidNames:     vals.Bool(ScrubInvalidNamesConfig)})
	opts := schemaregistry.ClientOptions{URLs: vals.List(SchemaRegistryURLConfig),
		CacheCapacity: vals.Int(MaxSchemasPerSubjectConfig)}
	switch vals.String(BasicAuthSourceConfig) {
	case "USER_INFO":
		info := vals.Password(BasicAuthUserInfoConfig)
		if info == "" {
			info = vals.Password(LegacyUserInfoConfig)
		}
		user, pass, _ := strings.Cut(info, ":")
		opts.Username, opts.Password = user, pass
	case "SASL_INHERIT":
		return errors.New("avro converter: basic.auth.credentials.source=SASL_INHERIT is not supported")
	}
	if c.client, err = schemaregistry.NewClient(opts); err != nil {
		return fmt.Errorf("avro converter: %w", err)
	}
	c.timeout = 30 * time.Second
	c.writes = map[writeKey]*writeEntry{}
	c.avros = map[*data.Schema]*avroEntry{}
	c.reads = map[int]*readEntry{}
	return nil
}

// Data returns the converter's schema and value mapper.
func (c *Converter) Data() *Data { return c.data }

// Append implements connector.Converter: magic byte 0, the schema id as 4
// big-endian bytes, then the Avro binary value.
func (c *Converter) Append(dst []byte, topic string, schema *data.Schema, value any) ([]byte, error) {
	if value == nil {
		return nil, nil
	}
	if schema == nil {
		return nil, fmt.Errorf("Failed to serialize Avro data from topic %s : schemaless values are not supported by the Wharf AvroConverter", topic)
	}
	c.mu.RLock()
	w := c.writes[writeKey{topic, schema}]
	c.mu.RUnlock()
	if w == nil {
		var err error
		if w, err = c.resolveWrite(topic, schema); err != nil {
			return nil, err
		}
	}
	dst = append(dst, w.id[:]...)
	return c.data.encode(dst, schema, w.avro, value)
}

// resolveWrite converts schema and finds its id in the registry, once per
// (topic, *data.Schema).
func (c *Converter) resolveWrite(topic string, schema *data.Schema) (*writeEntry, error) {
	c.mu.RLock()
	ae := c.avros[schema]
	c.mu.RUnlock()
	if ae == nil {
		a, err := c.data.FromConnectSchema(schema)
		if err != nil {
			return nil, err
		}
		ae = &avroEntry{avro: a, text: a.String()}
	}
	subject := c.subject(topic, ae.avro)
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	w := &writeEntry{avro: ae.avro}
	var id int
	var err error
	what := "Error registering Avro schema"
	switch {
	case c.autoRegister:
		id, err = c.client.Register(ctx, subject, ae.text)
	case c.useLatest:
		what = "Error retrieving latest version of Avro schema"
		var latest schemaregistry.SubjectVersion
		if latest, err = c.client.LatestVersion(ctx, subject); err == nil {
			id = latest.ID
			w.avro, err = c.latestWriter(ae.avro, latest.Schema)
		}
	default:
		what = "Error retrieving Avro schema"
		var sv schemaregistry.SubjectVersion
		sv, err = c.client.Lookup(ctx, subject, ae.text, false)
		id = sv.ID
	}
	if err != nil {
		return nil, fmt.Errorf("Failed to serialize Avro data from topic %s: %s (subject %s): %w", topic, what, subject, err)
	}
	w.id[0] = 0
	binary.BigEndian.PutUint32(w.id[1:], uint32(id))
	c.mu.Lock()
	if len(c.writes) >= c.cacheSize {
		clear(c.writes)
		clear(c.avros)
	}
	c.writes[writeKey{topic, schema}] = w
	c.avros[schema] = ae
	c.mu.Unlock()
	return w, nil
}

// latestWriter parses the subject's latest schema and checks that values of
// the Connect schema can be written with it: same shape, same field order.
func (c *Converter) latestWriter(own *avroschema.Schema, text string) (*avroschema.Schema, error) {
	latest, err := avroschema.Parse(text)
	if err != nil {
		return nil, err
	}
	if err := sameShape(own, latest); err != nil {
		return nil, fmt.Errorf("the latest registered schema cannot write this record: %w", err)
	}
	return latest, nil
}

func sameShape(a, b *avroschema.Schema) error {
	if a.Type != b.Type {
		if (a.Type == avroschema.String && b.Type == avroschema.Enum) || (a.Type == avroschema.Bytes && b.Type == avroschema.Fixed) {
			return nil
		}
		return fmt.Errorf("%s differs from %s", a.Type, b.Type)
	}
	switch a.Type {
	case avroschema.Record:
		if len(a.Fields) != len(b.Fields) {
			return fmt.Errorf("record %s has %d fields, %s has %d", a.FullName(), len(a.Fields), b.FullName(), len(b.Fields))
		}
		for i := range a.Fields {
			if a.Fields[i].Name != b.Fields[i].Name {
				return fmt.Errorf("field %d is %s, not %s", i, b.Fields[i].Name, a.Fields[i].Name)
			}
			if err := sameShape(a.Fields[i].Type, b.Fields[i].Type); err != nil {
				return fmt.Errorf("field %s: %w", a.Fields[i].Name, err)
			}
		}
	case avroschema.Array:
		return sameShape(a.Items, b.Items)
	case avroschema.Map:
		return sameShape(a.Values, b.Values)
	case avroschema.Union:
		if len(a.Branches) != len(b.Branches) || a.NullIndex != b.NullIndex {
			return errors.New("unions differ")
		}
		for i := range a.Branches {
			if err := sameShape(a.Branches[i], b.Branches[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// subject names the subject of a schema per the configured strategy.
func (c *Converter) subject(topic string, a *avroschema.Schema) string {
	suffix := "-value"
	if c.isKey {
		suffix = "-key"
	}
	switch c.strategy {
	case recordName:
		return recordNameOf(a)
	case topicRecordName:
		return topic + "-" + recordNameOf(a)
	}
	return topic + suffix
}

// recordNameOf is AvroSchema.name(): the full name of a named type, else
// the type name.
func recordNameOf(a *avroschema.Schema) string {
	if a.Named() {
		return a.FullName()
	}
	return a.Type.String()
}

// ToConnect implements connector.Converter.
func (c *Converter) ToConnect(topic string, b []byte) (*data.Schema, any, error) {
	if b == nil {
		return nil, nil, nil
	}
	if len(b) < 5 || b[0] != 0 {
		return nil, nil, fmt.Errorf("Failed to deserialize data for topic %s to Avro: Unknown magic byte!", topic)
	}
	id := int(binary.BigEndian.Uint32(b[1:5]))
	c.mu.RLock()
	r := c.reads[id]
	c.mu.RUnlock()
	if r == nil {
		var err error
		if r, err = c.resolveRead(topic, id); err != nil {
			return nil, nil, err
		}
	}
	v, _, err := c.data.Decode(b[5:], r.avro, r.connect)
	if err != nil {
		return nil, nil, fmt.Errorf("Failed to deserialize data for topic %s to Avro: Error deserializing Avro message for id %d: %w", topic, id, err)
	}
	return r.connect, v, nil
}

// resolveRead fetches and converts the writer schema of id, once. As in
// Confluent's converter, a top-level schema without connect.version takes
// the version it is registered under in the record's subject.
func (c *Converter) resolveRead(topic string, id int) (*readEntry, error) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	text, err := c.client.SchemaByID(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("Failed to deserialize data for topic %s to Avro: Error retrieving Avro schema for id %d: %w", topic, id, err)
	}
	a, err := avroschema.Parse(text)
	if err != nil {
		return nil, fmt.Errorf("Failed to deserialize data for topic %s to Avro: schema %d: %w", topic, id, err)
	}
	version := 0
	if _, has := a.Props.Get(connectVersionProp); !has {
		if sv, err := c.client.Lookup(ctx, c.subject(topic, a), text, true); err == nil {
			version = sv.Version
		}
	}
	s, err := c.data.ToConnectSchema(a, version)
	if err != nil {
		return nil, err
	}
	r := &readEntry{avro: a, connect: s}
	c.mu.Lock()
	if len(c.reads) >= c.cacheSize {
		clear(c.reads)
	}
	c.reads[id] = r
	c.mu.Unlock()
	return r, nil
}
