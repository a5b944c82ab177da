package convert

import (
	"github.com/wharf-project/wharf/connector/data"
	"github.com/wharf-project/wharf/connector/jsontext"
)

// schemaEncoder is what Append keeps per schema in its cache: the schema's
// JSON form and a plan for writing the schema's values. Source connectors
// send every record of a table with one schema, so both are built once per
// table rather than once per record.
type schemaEncoder struct {
	schema *data.Schema
	json   []byte // the schema's JSON form; nil when schemas.enable is false
	plan   *valuePlan
}

// encoder returns the cached schemaEncoder of s, building it the first time
// s is seen, or nil when the cache is configured to keep nothing: building
// a plan for a single value would cost more than it saves.
//
// A task sends runs of records with one schema, so the encoder used last is
// checked first, without the cache's lock. It may outlive its eviction from
// the cache, which therefore holds at most one schema more than its size.
func (c *JSON) encoder(s *data.Schema) (*schemaEncoder, error) {
	if e := c.lastEncoder.Load(); e != nil && e.schema == s {
		return e, nil
	}
	if c.fromCache.max < 1 {
		return nil, nil
	}
	e, ok := c.fromCache.get(s)
	if !ok {
		e = &schemaEncoder{schema: s, plan: newPlan(s)}
		if c.schemasEnabled {
			b, err := c.appendSchema(nil, s, "", false)
			if err != nil {
				return nil, err
			}
			e.json = b
		}
		c.fromCache.put(s, e)
	}
	c.lastEncoder.Store(e)
	return e, nil
}

type planKind uint8

const (
	planGeneric planKind = iota // whatever appendValue does
	planInt8
	planInt16
	planInt32
	planInt64
	planFloat32
	planFloat64
	planBoolean
	planString
	planBytes
	planDecimal
	planArray
	planStruct
)

// A valuePlan is the part of appendValue's work that depends only on the
// schema, done once: which Go type a value should have, and for a struct
// its fields' keys already quoted. Values that do not fit the plan (nil,
// another Go type, a struct of another schema) go through appendValue,
// which has Kafka's rules and messages for them.
type valuePlan struct {
	s       *data.Schema
	kind    planKind
	scaleOK bool  // planDecimal: scale holds the schema's valid scale
	scale   int32 // planDecimal
	elem    *valuePlan
	fields  []fieldPlan
}

type fieldPlan struct {
	key  string // `"name":`, after a comma for all but the first field
	plan *valuePlan
}

var primitivePlans = [...]planKind{
	data.TypeInt8: planInt8, data.TypeInt16: planInt16, data.TypeInt32: planInt32,
	data.TypeInt64: planInt64, data.TypeFloat32: planFloat32, data.TypeFloat64: planFloat64,
	data.TypeBoolean: planBoolean, data.TypeString: planString, data.TypeBytes: planBytes,
}

// newPlan returns the plan of s. A schema that appears several times in
// the tree (Debezium's before and after) gets one plan.
func newPlan(s *data.Schema) *valuePlan {
	return buildPlan(s, make(map[*data.Schema]*valuePlan))
}

// schemalessPlan writes a value that has no schema (a field or array
// element whose schema is nil), by its Go type.
var schemalessPlan = &valuePlan{kind: planGeneric}

func buildPlan(s *data.Schema, seen map[*data.Schema]*valuePlan) *valuePlan {
	if s == nil {
		return schemalessPlan
	}
	if p, ok := seen[s]; ok {
		return p
	}
	p := &valuePlan{s: s}
	seen[s] = p
	switch {
	case s.Name == data.DecimalName:
		p.kind = planDecimal
		scale, err := decimalScale(s)
		p.scale, p.scaleOK = scale, err == nil
	case s.Name == data.DateName || s.Name == data.TimeName || s.Name == data.TimestampName:
		p.kind = planGeneric
	case s.Type.Primitive():
		p.kind = primitivePlans[s.Type]
	case s.Type == data.TypeArray:
		p.kind = planArray
		p.elem = buildPlan(s.Elem, seen)
	case s.Type == data.TypeStruct:
		p.kind = planStruct
		var keys []byte
		ends := make([]int, len(s.Fields))
		for i, f := range s.Fields {
			if i > 0 {
				keys = append(keys, ',')
			}
			keys = jsontext.AppendString(keys, f.Name)
			keys = append(keys, ':')
			ends[i] = len(keys)
		}
		all := string(keys)
		p.fields = make([]fieldPlan, len(s.Fields))
		start := 0
		for i, f := range s.Fields {
			p.fields[i] = fieldPlan{key: all[start:ends[i]], plan: buildPlan(f.Schema, seen)}
			start = ends[i]
		}
	}
	return p
}

// appendPlanned is appendValue for a value of p's schema.
func (c *JSON) appendPlanned(dst []byte, p *valuePlan, v any) ([]byte, error) {
	switch p.kind {
	case planString:
		if x, ok := v.(string); ok {
			return jsontext.AppendString(dst, x), nil
		}
	case planInt64:
		if x, ok := v.(int64); ok {
			return appendInt(dst, x), nil
		}
	case planInt32:
		if x, ok := v.(int32); ok {
			return appendInt(dst, int64(x)), nil
		}
	case planInt16:
		if x, ok := v.(int16); ok {
			return appendInt(dst, int64(x)), nil
		}
	case planInt8:
		if x, ok := v.(int8); ok {
			return appendInt(dst, int64(x)), nil
		}
	case planBoolean:
		if x, ok := v.(bool); ok {
			return appendBool(dst, x), nil
		}
	case planFloat64:
		if x, ok := v.(float64); ok {
			return jsontext.AppendFloat(dst, x, 64), nil
		}
	case planFloat32:
		if x, ok := v.(float32); ok {
			return jsontext.AppendFloat(dst, float64(x), 32), nil
		}
	case planBytes:
		if x, ok := v.([]byte); ok {
			return appendBase64(dst, x), nil
		}
	case planDecimal:
		if d, ok := v.(data.Decimal); ok {
			if c.decimalNumeric {
				return appendBigDecimal(dst, d), nil
			}
			if p.scaleOK && p.scale == d.Scale {
				return appendDecimalBase64(dst, d), nil
			}
		}
	case planStruct:
		if x, ok := v.(*data.Struct); ok && x != nil && (x.Schema() == p.s || x.Schema().Equal(p.s)) {
			return c.appendStructPlanned(dst, p, x)
		}
	case planArray:
		if x, ok := v.([]any); ok {
			return c.appendArrayPlanned(dst, p.elem, x)
		}
	}
	return c.appendValue(dst, p.s, v)
}

func (c *JSON) appendStructPlanned(dst []byte, p *valuePlan, st *data.Struct) ([]byte, error) {
	dst = append(dst, '{')
	var err error
	for i := range p.fields {
		f := &p.fields[i]
		dst = append(dst, f.key...)
		if dst, err = c.appendPlanned(dst, f.plan, st.At(i)); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}

func (c *JSON) appendArrayPlanned(dst []byte, elem *valuePlan, a []any) ([]byte, error) {
	dst = append(dst, '[')
	var err error
	for i, e := range a {
		if i > 0 {
			dst = append(dst, ',')
		}
		if dst, err = c.appendPlanned(dst, elem, e); err != nil {
			return dst, err
		}
	}
	return append(dst, ']'), nil
}
