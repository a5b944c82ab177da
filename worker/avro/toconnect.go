package avro

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/wharf-project/wharf/connector/data"
	"github.com/wharf-project/wharf/worker/avro/avroschema"
)

// ToConnectSchema returns the Connect schema of an Avro schema
// (AvroData.toConnectSchema). version, when not 0, is the registry version
// used for the top-level schema when it has no connect.version property.
func (d *Data) ToConnectSchema(a *avroschema.Schema, version int) (*data.Schema, error) {
	return d.toConnect(a, false, nil, false, version)
}

func setParam(s *data.Schema, k, v string) {
	for i := range s.Parameters {
		if s.Parameters[i].Key == k {
			s.Parameters[i].Value = v
			return
		}
	}
	s.Parameters = append(s.Parameters, data.Param{Key: k, Value: v})
}

func isMapEntry(a *avroschema.Schema) bool {
	if a.Type != avroschema.Record {
		return false
	}
	return (a.Namespace == Namespace && a.Name == mapEntryTypeName) || a.Prop(connectInternalType) == mapEntryTypeName
}

// isDefaultName reports names Wharf or AvroData give unnamed structs.
func isDefaultName(full string) bool {
	rest, ok := strings.CutPrefix(full, DefaultSchemaFull)
	if !ok {
		return false
	}
	if rest == "" {
		return true
	}
	_, err := strconv.Atoi(rest)
	return err == nil
}

func (d *Data) toConnect(a *avroschema.Schema, forceOptional bool, fieldDefault any, hasFieldDefault bool, version int) (*data.Schema, error) {
	s, err := d.baseConnect(a)
	if err != nil || s == nil {
		return s, err
	}
	if s.Optional && a.Type == avroschema.Union && len(a.Branches) == 2 && a.NullIndex >= 0 {
		// [null, T]: baseConnect already resolved T.
		return s, nil
	}
	if err := d.connectMeta(a, s, version); err != nil {
		return nil, err
	}
	connectDefault, hasConnectDefault := a.Props.Get(connectDefaultProp)
	if !hasFieldDefault {
		fieldDefault, hasFieldDefault = connectDefault, hasConnectDefault
	} else if d.opts.ConnectMetaData && !hasConnectDefault {
		setParam(s, avroFieldDefault, "true")
	}
	if hasFieldDefault && fieldDefault != nil {
		// Like AvroData, an invalid default is dropped rather than failing.
		if def, err := defaultFromAvro(s, a, fieldDefault); err == nil {
			s.Default = def
		}
	}
	name := a.Prop(connectNameProp)
	if _, has := a.Props.Get(connectNameProp); !has && (a.Type == avroschema.Record || a.Type == avroschema.Enum) {
		name = a.FullName()
	}
	if name != "" && !isDefaultName(name) {
		if s.Name != "" && s.Name != name {
			return nil, fmt.Errorf("Mismatched names: name already added to SchemaBuilder (%s) differs from name in source schema (%s)", s.Name, name)
		}
		s.Name = name
	}
	if forceOptional {
		s.Optional = true
	}
	return s, nil
}

// baseConnect maps the type itself (the switch of AvroData.toConnectSchema).
func (d *Data) baseConnect(a *avroschema.Schema) (*data.Schema, error) {
	logical := a.Prop(logicalTypeProp)
	switch a.Type {
	case avroschema.Boolean:
		return &data.Schema{Type: data.TypeBoolean}, nil
	case avroschema.Bytes, avroschema.Fixed:
		return bytesConnect(a, logical)
	case avroschema.Double:
		return &data.Schema{Type: data.TypeFloat64}, nil
	case avroschema.Float:
		return &data.Schema{Type: data.TypeFloat32}, nil
	case avroschema.Int:
		return intSchema(a.Prop(connectTypeProp), logical)
	case avroschema.Long:
		if strings.EqualFold(logical, "timestamp-millis") {
			return data.TimestampSchema(), nil
		}
		return &data.Schema{Type: data.TypeInt64}, nil
	case avroschema.String:
		return &data.Schema{Type: data.TypeString}, nil
	case avroschema.Array:
		return d.arrayConnect(a)
	case avroschema.Map:
		v, err := d.toConnect(a.Values, false, nil, false, 0)
		if err != nil {
			return nil, err
		}
		return data.MapOf(data.StringSchema, v), nil
	case avroschema.Record:
		return d.recordConnect(a)
	case avroschema.Enum:
		s := &data.Schema{Type: data.TypeString}
		if d.opts.ConnectMetaData {
			if a.Doc != "" {
				setParam(s, avroEnumDocPrefix+a.Name, a.Doc)
			}
			if a.EnumDefault != nil {
				setParam(s, avroEnumDefPrefix+a.Name, *a.EnumDefault)
			}
		}
		setParam(s, EnumParam, a.FullName())
		for _, sym := range a.Symbols {
			setParam(s, EnumParam+"."+sym, sym)
		}
		return s, nil
	case avroschema.Union:
		return d.unionConnect(a)
	case avroschema.Null:
		return nil, fmt.Errorf("Standalone null schemas are not supported by this converter")
	}
	return nil, fmt.Errorf("Couldn't translate unsupported schema type %s.", a.Type)
}

// bytesConnect maps bytes and fixed, with the decimal logical type.
func bytesConnect(a *avroschema.Schema, logical string) (*data.Schema, error) {
	if !strings.EqualFold(logical, "decimal") {
		return &data.Schema{Type: data.TypeBytes}, nil
	}
	scale, ok := a.IntProp("scale")
	if !ok {
		return nil, fmt.Errorf("scale must be specified and must be a number.")
	}
	s := data.DecimalSchema(int32(scale))
	if _, has := a.Props.Get("precision"); has {
		p, ok := a.IntProp("precision")
		if !ok {
			return nil, fmt.Errorf("precision property must be a JSON Integer. https://avro.apache.org/docs/1.9.1/spec.html#Decimal")
		}
		if p != defaultDecimalPrecision {
			setParam(s, decimalPrecisionParam, strconv.Itoa(p))
		}
	}
	return s, nil
}

// arrayConnect maps arrays, and arrays of MapEntry records back to maps.
func (d *Data) arrayConnect(a *avroschema.Schema) (*data.Schema, error) {
	if isMapEntry(a.Items) {
		e := a.Items
		if len(e.Fields) != 2 || e.Field(keyField) == nil || e.Field(valueField) == nil {
			return nil, fmt.Errorf("Found map encoded as array of key-value pairs, but array elements do not match the expected format.")
		}
		k, err := d.toConnect(e.Field(keyField).Type, false, nil, false, 0)
		if err != nil {
			return nil, err
		}
		v, err := d.toConnect(e.Field(valueField).Type, false, nil, false, 0)
		if err != nil {
			return nil, err
		}
		return data.MapOf(k, v), nil
	}
	elem, err := d.toConnect(a.Items, false, nil, false, 0)
	if err != nil {
		return nil, err
	}
	return data.ArrayOf(elem), nil
}

func intSchema(connectType, logical string) (*data.Schema, error) {
	switch {
	case connectType == "" && logical == "":
		return &data.Schema{Type: data.TypeInt32}, nil
	case logical != "":
		switch {
		case strings.EqualFold(logical, "date"):
			return data.DateSchema(), nil
		case strings.EqualFold(logical, "time-millis"):
			return data.TimeSchema(), nil
		}
		return &data.Schema{Type: data.TypeInt32}, nil
	case connectType == "int8":
		return &data.Schema{Type: data.TypeInt8}, nil
	case connectType == "int16":
		return &data.Schema{Type: data.TypeInt16}, nil
	}
	return nil, fmt.Errorf("Connect type annotation for Avro int field is null")
}

func (d *Data) recordConnect(a *avroschema.Schema) (*data.Schema, error) {
	s := &data.Schema{Type: data.TypeStruct}
	if d.opts.ConnectMetaData && a.Doc != "" {
		setParam(s, avroRecordDocProp, a.Doc)
	}
	for i, f := range a.Fields {
		if d.opts.ConnectMetaData && f.Doc != "" {
			setParam(s, avroFieldDocPrefix+f.Name, f.Doc)
		}
		fs, err := d.toConnect(f.Type, false, f.Default, f.HasDefault, 0)
		if err != nil {
			return nil, err
		}
		s.Fields = append(s.Fields, data.Field{Name: f.Name, Index: i, Schema: fs})
	}
	return s, nil
}

func (d *Data) unionConnect(a *avroschema.Schema) (*data.Schema, error) {
	if len(a.Branches) == 2 && a.NullIndex >= 0 {
		inner, err := d.toConnect(a.Branches[1-a.NullIndex], true, nil, false, 0)
		if err != nil {
			return nil, err
		}
		return inner, nil
	}
	s := &data.Schema{Type: data.TypeStruct, Name: UnionName}
	seen := map[string]bool{}
	for _, b := range a.Branches {
		if b.Type == avroschema.Null {
			s.Optional = true
			continue
		}
		name := d.unionMemberName(b)
		if seen[name] {
			return nil, fmt.Errorf("Multiple union schemas map to the Connect union field name")
		}
		seen[name] = true
		fs, err := d.toConnect(b, true, nil, false, 0)
		if err != nil {
			return nil, err
		}
		s.Fields = append(s.Fields, data.Field{Name: name, Index: len(s.Fields), Schema: fs})
	}
	return s, nil
}

func (d *Data) unionMemberName(b *avroschema.Schema) string {
	if b.Type == avroschema.Record || b.Type == avroschema.Enum {
		if d.opts.EnhancedSchemaSupport {
			return b.FullName()
		}
		return b.Name
	}
	return b.Type.String()
}

// connectMeta reads connect.doc, connect.version, connect.parameters and
// avro* properties.
func (d *Data) connectMeta(a *avroschema.Schema, s *data.Schema, version int) error {
	if doc := a.Prop(connectDocProp); d.opts.ConnectMetaData && doc != "" {
		s.Doc = doc
	}
	v := -1
	if raw, ok := a.Props.Get(connectVersionProp); ok {
		n, isNum := raw.(json.Number)
		i, err := n.Int64()
		if !isNum || err != nil {
			return fmt.Errorf("Invalid Connect version found: %s", avroschema.AppendJSON(nil, raw))
		}
		v = int(i)
	} else if version > 0 {
		v = version
	}
	if v >= 0 {
		if s.Version != 0 && s.Version != v {
			return fmt.Errorf("Mismatched versions: version already added to SchemaBuilder (%d) differs from version in source schema (%d)", s.Version, v)
		}
		s.Version = v
	}
	if raw, ok := a.Props.Get(connectParamsProp); d.opts.ConnectMetaData && ok {
		obj, isObj := raw.(avroschema.Object)
		if !isObj {
			return fmt.Errorf("Expected JSON object for schema parameters but found: %s", avroschema.AppendJSON(nil, raw))
		}
		for _, m := range obj {
			str, isStr := m.Value.(string)
			if !isStr {
				return fmt.Errorf("Expected schema parameter values to be strings but found: %s", avroschema.AppendJSON(nil, m.Value))
			}
			setParam(s, m.Key, str)
		}
	}
	for _, m := range a.Props {
		if strings.HasPrefix(m.Key, avroPropPrefix) {
			str, isStr := m.Value.(string)
			if !isStr {
				str = string(avroschema.AppendJSON(nil, m.Value))
			}
			setParam(s, m.Key, str)
		}
	}
	return nil
}
