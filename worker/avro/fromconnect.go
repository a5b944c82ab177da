package avro

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/wharf-project/wharf/connector/data"
	"github.com/wharf-project/wharf/worker/avro/avroschema"
)

// Names and properties of Confluent's AvroData.
const (
	Namespace           = "io.confluent.connect.avro"
	DefaultSchemaName   = "ConnectDefault"
	DefaultSchemaFull   = Namespace + "." + DefaultSchemaName
	mapEntryTypeName    = "MapEntry"
	keyField            = "key"
	valueField          = "value"
	connectNameProp     = "connect.name"
	connectDocProp      = "connect.doc"
	connectVersionProp  = "connect.version"
	connectDefaultProp  = "connect.default"
	connectParamsProp   = "connect.parameters"
	connectInternalType = "connect.internal.type"
	connectTypeProp     = "connect.type"
	avroRecordDocProp   = Namespace + ".record.doc"
	avroEnumDocPrefix   = Namespace + ".enum.doc."
	avroFieldDocPrefix  = Namespace + ".field.doc."
	avroFieldDefault    = Namespace + ".field.default"
	avroEnumDefPrefix   = Namespace + ".enum.default."
	// UnionName names the Connect struct standing for a general Avro union.
	UnionName = Namespace + ".Union"
	// EnumParam is the parameter holding an Avro enum's full name
	// (enhanced.avro.schema.support).
	EnumParam = Namespace + ".Enum"

	logicalTypeProp         = "logicalType"
	decimalPrecisionParam   = "connect.decimal.precision"
	defaultDecimalPrecision = 64
	avroPropPrefix          = "avro"
)

// Options are AvroDataConfig's switches.
type Options struct {
	// ConnectMetaData writes and reads connect.* properties (connect.meta.data, default true).
	ConnectMetaData bool
	// EnhancedSchemaSupport maps Avro enums to Connect strings with their
	// symbols kept as parameters, and back (enhanced.avro.schema.support).
	EnhancedSchemaSupport bool
	// ScrubInvalidNames replaces characters Avro does not allow in names (scrub.invalid.names).
	ScrubInvalidNames bool
}

// DefaultOptions are AvroDataConfig's defaults.
func DefaultOptions() Options { return Options{ConnectMetaData: true} }

// Data maps Connect schemas and values to Avro and back, as Confluent's
// io.confluent.connect.avro.AvroData does. It holds no state: callers cache.
type Data struct{ opts Options }

// NewData returns a mapper with the given options.
func NewData(opts Options) *Data { return &Data{opts: opts} }

type fromCtx struct {
	done     []doneSchema // non-optional Connect schemas already converted (AvroData's schemaMap)
	records  map[string]*data.Schema
	defaults int // unnamed records seen
}

type doneSchema struct {
	connect *data.Schema
	avro    *avroschema.Schema
}

func (c *fromCtx) lookup(s *data.Schema) *avroschema.Schema {
	for _, d := range c.done {
		if d.connect == s || d.connect.Equal(s) {
			return d.avro
		}
	}
	return nil
}

// FromConnectSchema returns the Avro schema of a Connect schema
// (AvroData.fromConnectSchema).
func (d *Data) FromConnectSchema(s *data.Schema) (*avroschema.Schema, error) {
	if s == nil {
		return nil, fmt.Errorf("avro: schemaless values are not supported by this converter")
	}
	return d.fromConnect(s, &fromCtx{records: map[string]*data.Schema{}}, false)
}

func splitName(full string) (ns, name string) {
	if i := strings.LastIndexByte(full, '.'); i >= 0 {
		return full[:i], full[i+1:]
	}
	return "", full
}

func (d *Data) fromConnect(s *data.Schema, ctx *fromCtx, ignoreOptional bool) (*avroschema.Schema, error) {
	if !s.Optional && s.Name != UnionName {
		if n := ctx.lookup(s); n != nil {
			return n, nil
		}
	}
	ns, name := Namespace, DefaultSchemaName
	if s.Name != "" {
		ns, name = splitName(s.Name)
		if d.opts.ScrubInvalidNames {
			ns, name = scrubNamespace(ns), scrubName(name)
		}
	}
	connectType := ""
	var base *avroschema.Schema
	var err error
	switch s.Type {
	case data.TypeInt8, data.TypeInt16, data.TypeInt32, data.TypeInt64, data.TypeFloat32,
		data.TypeFloat64, data.TypeBoolean:
		base, connectType = numericSchema(s.Type)
	case data.TypeString:
		base = d.stringSchema(s, name)
	case data.TypeBytes:
		base, err = bytesSchema(s)
	case data.TypeArray:
		items, err := d.fromConnect(s.Elem, ctx, false)
		if err != nil {
			return nil, err
		}
		base = &avroschema.Schema{Type: avroschema.Array, Items: items}
	case data.TypeMap:
		base, err = d.mapSchema(s, ns, name, ctx)
	case data.TypeStruct:
		base, err = d.structSchema(s, ns, name, ctx)
	default:
		return nil, fmt.Errorf("Unknown schema type: %s", s.Type)
	}
	if err != nil {
		return nil, err
	}
	final := base
	if base.Type != avroschema.Union {
		if err := d.addMetadata(base, s, connectType); err != nil {
			return nil, err
		}
		if !ignoreOptional && s.Optional {
			if s.Default != nil {
				final = avroschema.NewUnion(base, &avroschema.Schema{Type: avroschema.Null})
			} else {
				final = avroschema.NewUnion(&avroschema.Schema{Type: avroschema.Null}, base)
			}
		}
	}
	if !s.Optional {
		ctx.done = append(ctx.done, doneSchema{s, final})
	}
	return final, nil
}

// numericSchema maps numbers and booleans; int8 and int16 keep their
// Connect type in connect.type.
func numericSchema(t data.Type) (*avroschema.Schema, string) {
	switch t {
	case data.TypeInt8:
		return &avroschema.Schema{Type: avroschema.Int}, "int8"
	case data.TypeInt16:
		return &avroschema.Schema{Type: avroschema.Int}, "int16"
	case data.TypeInt32:
		return &avroschema.Schema{Type: avroschema.Int}, ""
	case data.TypeInt64:
		return &avroschema.Schema{Type: avroschema.Long}, ""
	case data.TypeFloat32:
		return &avroschema.Schema{Type: avroschema.Float}, ""
	case data.TypeFloat64:
		return &avroschema.Schema{Type: avroschema.Double}, ""
	}
	return &avroschema.Schema{Type: avroschema.Boolean}, ""
}

// bytesSchema maps bytes; a Decimal carries scale and precision (64 unless
// connect.decimal.precision says otherwise).
func bytesSchema(s *data.Schema) (*avroschema.Schema, error) {
	base := &avroschema.Schema{Type: avroschema.Bytes}
	if !strings.EqualFold(s.Name, data.DecimalName) {
		return base, nil
	}
	scale, err := data.DecimalScale(s)
	if err != nil {
		return nil, err
	}
	base.AddProp("scale", json.Number(strconv.Itoa(int(scale))))
	prec := strconv.Itoa(defaultDecimalPrecision)
	if p, ok := s.Param(decimalPrecisionParam); ok {
		prec = p
	}
	base.AddProp("precision", json.Number(prec))
	return base, nil
}

func (d *Data) stringSchema(s *data.Schema, name string) *avroschema.Schema {
	enumName, isEnum := s.Param(EnumParam)
	if !d.opts.EnhancedSchemaSupport || !isEnum {
		return &avroschema.Schema{Type: avroschema.String}
	}
	e := &avroschema.Schema{Type: avroschema.Enum}
	e.Namespace, e.Name = splitName(enumName)
	for _, p := range s.Parameters {
		if strings.HasPrefix(p.Key, EnumParam+".") {
			e.Symbols = append(e.Symbols, p.Value)
		}
	}
	e.Doc, _ = s.Param(avroEnumDocPrefix + name)
	if def, ok := s.Param(avroEnumDefPrefix + name); ok {
		e.EnumDefault = &def
	}
	return e
}

func (d *Data) mapSchema(s *data.Schema, ns, name string, ctx *fromCtx) (*avroschema.Schema, error) {
	if s.Key.Type == data.TypeString && !s.Key.Optional {
		values, err := d.fromConnect(s.Value, ctx, false)
		if err != nil {
			return nil, err
		}
		return &avroschema.Schema{Type: avroschema.Map, Values: values}, nil
	}
	entry := &avroschema.Schema{Type: avroschema.Record, Name: mapEntryTypeName, Namespace: ns}
	if s.Name != "" {
		entry.Name = name
		entry.AddProp(connectInternalType, mapEntryTypeName)
	}
	for _, f := range []struct {
		name string
		s    *data.Schema
	}{{keyField, s.Key}, {valueField, s.Value}} {
		af, err := d.recordField(f.name, f.s, "", ctx)
		if err != nil {
			return nil, err
		}
		entry.Fields = append(entry.Fields, af)
	}
	return &avroschema.Schema{Type: avroschema.Array, Items: entry}, nil
}

func (d *Data) structSchema(s *data.Schema, ns, name string, ctx *fromCtx) (*avroschema.Schema, error) {
	switch {
	case s.Name == UnionName:
		u := &avroschema.Schema{Type: avroschema.Union}
		if s.Optional {
			u.Branches = append(u.Branches, &avroschema.Schema{Type: avroschema.Null})
		}
		for _, f := range s.Fields {
			b, err := d.fromConnect(nonOptional(f.Schema), ctx, true)
			if err != nil {
				return nil, err
			}
			u.Branches = append(u.Branches, b)
		}
		return avroschema.NewUnion(u.Branches...), nil
	case s.Optional:
		inner, err := d.fromConnect(nonOptional(s), ctx, false)
		if err != nil {
			return nil, err
		}
		return avroschema.NewUnion(&avroschema.Schema{Type: avroschema.Null}, inner), nil
	}
	rec := &avroschema.Schema{Type: avroschema.Record, Name: name, Namespace: ns}
	if s.Name == "" {
		// Unnamed structs share AvroData's default name; Wharf numbers further
		// distinct ones (ConnectDefault2 …) where Avro would refuse to redefine it.
		ctx.defaults++
		if ctx.defaults > 1 {
			rec.Name = DefaultSchemaName + strconv.Itoa(ctx.defaults)
		}
	} else if prev, ok := ctx.records[rec.FullName()]; ok && !prev.Equal(nonOptional(s)) {
		return nil, fmt.Errorf("avro: can't redefine: %s (two different struct schemas share the name)", rec.FullName())
	}
	ctx.records[rec.FullName()] = s
	rec.Doc, _ = s.Param(avroRecordDocProp)
	for _, f := range s.Fields {
		doc, _ := s.Param(avroFieldDocPrefix + f.Name)
		fname := f.Name
		if d.opts.ScrubInvalidNames {
			fname = scrubName(fname)
		}
		af, err := d.recordField(fname, f.Schema, doc, ctx)
		if err != nil {
			return nil, err
		}
		rec.Fields = append(rec.Fields, af)
	}
	return rec, nil
}

func (d *Data) recordField(name string, s *data.Schema, doc string, ctx *fromCtx) (*avroschema.Field, error) {
	t, err := d.fromConnect(s, ctx, false)
	if err != nil {
		return nil, err
	}
	f := &avroschema.Field{Name: name, Type: t, Doc: doc}
	if s.Default != nil {
		def, err := defaultFromConnect(s, s.Default)
		if err != nil {
			return nil, err
		}
		f.Default, f.HasDefault = def, true
	} else if s.Optional {
		f.Default, f.HasDefault = nil, true
	}
	return f, nil
}

// addMetadata adds connect.* properties and logical types in AvroData's order.
func (d *Data) addMetadata(base *avroschema.Schema, s *data.Schema, connectType string) error {
	if d.opts.ConnectMetaData {
		if s.Doc != "" {
			base.AddProp(connectDocProp, s.Doc)
		}
		if s.Version != 0 {
			base.AddProp(connectVersionProp, json.Number(strconv.Itoa(s.Version)))
		}
		var params avroschema.Object
		for _, p := range s.Parameters {
			if p.Key != avroFieldDefault {
				params = params.Set(p.Key, p.Value)
			}
		}
		if len(params) > 0 {
			base.AddProp(connectParamsProp, params)
		}
		if _, flagged := s.Param(avroFieldDefault); s.Default != nil && !flagged {
			def, err := defaultFromConnect(s, s.Default)
			if err != nil {
				return err
			}
			base.AddProp(connectDefaultProp, def)
		}
		if s.Name != "" {
			base.AddProp(connectNameProp, s.Name)
		}
		if connectType != "" {
			base.AddProp(connectTypeProp, connectType)
		}
	}
	switch {
	case strings.EqualFold(s.Name, data.DecimalName):
		// precision and scale are already set; a scale Avro's decimal forbids
		// (negative, above the precision) keeps only this legacy property, as
		// in AvroData.
		base.AddProp(logicalTypeProp, "decimal")
	case strings.EqualFold(s.Name, data.TimeName):
		base.AddProp(logicalTypeProp, "time-millis")
	case strings.EqualFold(s.Name, data.TimestampName):
		base.AddProp(logicalTypeProp, "timestamp-millis")
	case strings.EqualFold(s.Name, data.DateName):
		base.AddProp(logicalTypeProp, "date")
	}
	for _, p := range s.Parameters {
		if strings.HasPrefix(p.Key, avroPropPrefix) {
			base.AddProp(p.Key, p.Value)
		}
	}
	return nil
}

func nonOptional(s *data.Schema) *data.Schema {
	if !s.Optional {
		return s
	}
	c := *s
	c.Optional = false
	return &c
}

func scrubName(n string) string {
	if n == "" {
		return n
	}
	b := []byte(n)
	for i, c := range b {
		ok := c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9')
		if !ok {
			b[i] = '_'
		}
	}
	return string(b)
}

func scrubNamespace(ns string) string {
	if ns == "" {
		return ns
	}
	parts := strings.Split(ns, ".")
	for i, p := range parts {
		parts[i] = scrubName(p)
	}
	return strings.Join(parts, ".")
}
