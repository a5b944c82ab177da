package convert

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"hash/maphash"
	"math"
	"math/big"
	"strconv"
	"time"

	"github.com/wharf-project/wharf/connector/data"
)

// ToConnect implements connector.Converter: nil bytes are a Kafka null.
// Values come back in the Go forms of connector/data; maps keep document
// order (Kafka uses a HashMap).
func (c *JSON) ToConnect(_ string, b []byte) (*data.Schema, any, error) {
	if b == nil {
		return nil, nil, nil
	}
	d := c.getDecoder()
	defer c.putDecoder(d)
	if c.schemasEnabled {
		if s, v, ok := d.envelope(c, b); ok {
			return s, v, nil
		}
	} else if v, ok := d.schemaless(b); ok {
		return nil, v, nil
	}
	return c.toConnectTree(&d.parser, b)
}

// toConnectTree is ToConnect through a node tree: every input the fast
// path leaves, with Kafka's error messages.
func (c *JSON) toConnectTree(p *parser, b []byte) (*data.Schema, any, error) {
	var hint *parsedSchema
	if c.schemasEnabled {
		hint = c.lastSchema.Load()
	}
	var hintRaw []byte
	if hint != nil {
		hintRaw = hint.raw
	}
	root, hit, err := p.parse(b, c.schemasEnabled, hintRaw)
	if err != nil {
		return nil, nil, fmt.Errorf("Converting byte[] to Kafka Connect data failed due to serialization error: %w", err)
	}
	if !c.schemasEnabled {
		v, err := c.toConnect(nil, root)
		return nil, v, err
	}
	if root.kind != kindObject || len(root.kids) != 2 || root.get("schema") == nil || root.get("payload") == nil {
		return nil, nil, errors.New(envelopeError)
	}
	var schema *data.Schema
	if hit {
		schema = hint.schema
	} else if schema, err = c.cachedConnectSchema(root.get("schema")); err != nil {
		return nil, nil, err
	}
	v, err := c.toConnect(schema, root.get("payload"))
	if err != nil {
		return nil, nil, err
	}
	return schema, v, nil
}

// cachedConnectSchema converts a schema node, reusing the *data.Schema
// built for identical schema text before (Kafka keys its cache by JsonNode).
// The cache is keyed by a hash of the text and checks the text itself.
func (c *JSON) cachedConnectSchema(n *node) (*data.Schema, error) {
	if n.isNull() {
		return nil, nil
	}
	h := maphash.Bytes(c.seed, n.raw)
	if e, ok := c.toCache.get(h); ok && bytes.Equal(e.raw, n.raw) {
		c.lastSchema.Store(&e)
		return e.schema, nil
	}
	raw := n.raw
	if n.kind == kindUnparsed {
		parsed, _, err := parseJSON(n.raw, false, nil)
		if err != nil {
			return nil, fmt.Errorf("Converting byte[] to Kafka Connect data failed due to serialization error: %w", err)
		}
		n = parsed
	}
	s, err := c.connectSchema(n)
	if err != nil {
		return nil, err
	}
	e := parsedSchema{raw: append([]byte(nil), raw...), schema: s}
	c.toCache.put(h, e)
	c.lastSchema.Store(&e)
	return s, nil
}

type parsedSchema struct {
	raw    []byte
	schema *data.Schema
}

var typeByName = map[string]data.Type{
	"boolean": data.TypeBoolean, "int8": data.TypeInt8, "int16": data.TypeInt16,
	"int32": data.TypeInt32, "int64": data.TypeInt64, "float": data.TypeFloat32,
	"double": data.TypeFloat64, "bytes": data.TypeBytes, "string": data.TypeString,
	"array": data.TypeArray, "map": data.TypeMap, "struct": data.TypeStruct,
}

// connectSchema is JsonConverter.asConnectSchema.
func (c *JSON) connectSchema(n *node) (*data.Schema, error) {
	if n.isNull() {
		return nil, nil
	}
	tn := n.get("type")
	if tn == nil || tn.kind != kindString {
		return nil, errors.New("Schema must contain 'type' field")
	}
	t, ok := typeByName[tn.text]
	if !ok {
		return nil, fmt.Errorf("Unknown schema type: %s", tn.text)
	}
	s := &data.Schema{Type: t}
	var err error
	switch t {
	case data.TypeArray:
		items := n.get("items")
		if items.isNull() {
			return nil, errors.New("Array schema did not specify the element type")
		}
		if s.Elem, err = c.connectSchema(items); err != nil {
			return nil, err
		}
	case data.TypeMap:
		keys, values := n.get("keys"), n.get("values")
		if keys == nil {
			return nil, errors.New("Map schema did not specify the key type")
		}
		if values == nil {
			return nil, errors.New("Map schema did not specify the value type")
		}
		if s.Key, err = c.connectSchema(keys); err != nil {
			return nil, err
		}
		if s.Value, err = c.connectSchema(values); err != nil {
			return nil, err
		}
		if s.Key == nil || s.Value == nil {
			return nil, errors.New("Map schema did not specify the key or value type")
		}
	case data.TypeStruct:
		if err := c.connectFields(s, n.get("fields")); err != nil {
			return nil, err
		}
	}
	if o := n.get("optional"); o != nil && o.kind == kindBool && o.b {
		s.Optional = true
	}
	if nm := n.get("name"); nm != nil && nm.kind == kindString {
		s.Name = nm.text
	}
	if v := n.get("version"); v != nil && v.kind == kindNumber && v.isInt {
		s.Version = int(int32(intValue(v)))
	}
	if d := n.get("doc"); d != nil && d.kind == kindString {
		s.Doc = d.text
	}
	if ps := n.get("parameters"); ps != nil && ps.kind == kindObject {
		for _, p := range ps.kids {
			if p.kind != kindString {
				return nil, errors.New("Schema parameters must have string values.")
			}
			s.Parameters = append(s.Parameters, data.Param{Key: string(p.key), Value: p.text})
		}
	}
	if d := n.get("default"); d != nil {
		if s.Default, err = c.toConnect(s, d); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (c *JSON) connectFields(s *data.Schema, fields *node) error {
	if fields == nil || fields.kind != kindArray {
		return errors.New("Struct schema's \"fields\" argument is not an array.")
	}
	for i := range fields.kids {
		f := &fields.kids[i]
		name := f.get("field")
		if name == nil || name.kind != kindString {
			return errors.New("Struct schema's field name not specified properly")
		}
		if s.Field(name.text) != nil {
			return fmt.Errorf("Cannot create field because of field name duplication %s", name.text)
		}
		fs, err := c.connectSchema(f)
		if err != nil {
			return err
		}
		s.Fields = append(s.Fields, data.Field{Name: name.text, Index: len(s.Fields), Schema: fs})
	}
	return nil
}

// toConnect is JsonConverter.convertToConnect, including Jackson's lenient
// accessors: a number read as a boolean is false, text read as a number is 0.
func (c *JSON) toConnect(s *data.Schema, n *node) (any, error) {
	var t data.Type
	if s != nil {
		t = s.Type
		if n.isNull() {
			switch {
			case s.Default != nil && c.replaceNull:
				return s.Default, nil
			case s.Optional:
				return nil, nil
			}
			return nil, fmt.Errorf("Invalid null value for required %s field", typeEnum(t))
		}
		if s.Name != "" {
			if done, v, err := c.logicalToConnect(s, n); done {
				return v, err
			}
		}
	} else {
		switch n.kind {
		case kindMissing, kindNull:
			return nil, nil
		case kindBool:
			t = data.TypeBoolean
		case kindNumber:
			t = data.TypeFloat64
			if n.isInt {
				t = data.TypeInt64
			}
		case kindString:
			t = data.TypeString
		case kindArray:
			t = data.TypeArray
		case kindObject:
			t = data.TypeMap
		}
	}
	switch t {
	case data.TypeBoolean:
		return n.kind == kindBool && n.b, nil
	case data.TypeInt8:
		return int8(intValue(n)), nil
	case data.TypeInt16:
		return int16(intValue(n)), nil
	case data.TypeInt32:
		return int32(intValue(n)), nil
	case data.TypeInt64:
		return intValue(n), nil
	case data.TypeFloat32:
		return float32(floatValue(n, 32)), nil
	case data.TypeFloat64:
		return floatValue(n, 64), nil
	case data.TypeString:
		if n.kind != kindString {
			return nil, nil
		}
		return n.text, nil
	case data.TypeBytes:
		if n.kind != kindString {
			return nil, nil
		}
		b, err := base64.StdEncoding.DecodeString(n.text)
		if err != nil {
			return nil, fmt.Errorf("Invalid bytes field: %w", err)
		}
		return b, nil
	case data.TypeArray:
		return c.arrayToConnect(s, n)
	case data.TypeMap:
		return c.mapToConnect(s, n)
	case data.TypeStruct:
		return c.structToConnect(s, n)
	}
	return nil, fmt.Errorf("Unknown schema type: %s", t)
}

func (c *JSON) arrayToConnect(s *data.Schema, n *node) (any, error) {
	var elem *data.Schema
	if s != nil {
		elem = s.Elem
	}
	out := make([]any, 0, len(n.kids))
	if n.kind != kindArray {
		return out, nil // iterating a non-container JsonNode yields nothing
	}
	for i := range n.kids {
		v, err := c.toConnect(elem, &n.kids[i])
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (c *JSON) mapToConnect(s *data.Schema, n *node) (any, error) {
	var ks, vs *data.Schema
	if s != nil {
		ks, vs = s.Key, s.Value
	}
	out := make([]data.MapEntry, 0, len(n.kids))
	if s == nil || ks.Type == data.TypeString {
		if n.kind != kindObject {
			return nil, fmt.Errorf("Maps with string fields should be encoded as JSON objects, but found %s", n.kind)
		}
		for i := range n.kids {
			v, err := c.toConnect(vs, &n.kids[i])
			if err != nil {
				return nil, err
			}
			out = append(out, data.MapEntry{Key: string(n.kids[i].key), Value: v})
		}
		return out, nil
	}
	if n.kind != kindArray {
		return nil, fmt.Errorf("Maps with non-string fields should be encoded as JSON array of tuples, but found %s", n.kind)
	}
	for i := range n.kids {
		e := &n.kids[i]
		if e.kind != kindArray {
			return nil, fmt.Errorf("Found invalid map entry instead of array tuple: %s", e.kind)
		}
		if len(e.kids) != 2 {
			return nil, fmt.Errorf("Found invalid map entry, expected length 2 but found :%d", len(e.kids))
		}
		k, err := c.toConnect(ks, &e.kids[0])
		if err != nil {
			return nil, err
		}
		v, err := c.toConnect(vs, &e.kids[1])
		if err != nil {
			return nil, err
		}
		out = append(out, data.MapEntry{Key: k, Value: v})
	}
	return out, nil
}

func (c *JSON) structToConnect(s *data.Schema, n *node) (any, error) {
	if n.kind != kindObject {
		return nil, fmt.Errorf("Structs should be encoded as JSON objects, but found %s", n.kind)
	}
	st := data.NewStruct(s)
	for i := range s.Fields {
		f := &s.Fields[i]
		v, err := c.toConnect(f.Schema, n.get(f.Name))
		if err != nil {
			return nil, err
		}
		st.Set(i, v)
	}
	return st, nil
}

// logicalToConnect reads Decimal, Date, Time and Timestamp values.
func (c *JSON) logicalToConnect(s *data.Schema, n *node) (bool, any, error) {
	switch s.Name {
	case data.DecimalName:
		if n.kind == kindNumber {
			d, err := data.ParseDecimal(string(n.raw))
			return true, d, err
		}
		if n.kind == kindString {
			b, err := base64.StdEncoding.DecodeString(n.text)
			if err == nil && len(b) == 0 {
				err = errors.New("Zero length BigInteger")
			}
			if err != nil {
				return true, nil, fmt.Errorf("Invalid bytes for Decimal field: %w", err)
			}
			scale, err := decimalScale(s)
			if err != nil {
				return true, nil, fmt.Errorf("Invalid bytes for Decimal field: %w", err)
			}
			return true, data.Decimal{Unscaled: data.FromTwosComplement(b), Scale: scale}, nil
		}
		return true, nil, fmt.Errorf("Invalid type for Decimal, underlying representation should be numeric or bytes but was %s", n.kind)
	case data.DateName:
		if !isInt32(n) {
			return true, nil, fmt.Errorf("Invalid type for Date, underlying representation should be integer but was %s", n.kind)
		}
		return true, data.DaysToDate(int32(intValue(n))), nil
	case data.TimeName:
		if !isInt32(n) {
			return true, nil, fmt.Errorf("Invalid type for Time, underlying representation should be integer but was %s", n.kind)
		}
		ms := intValue(n)
		if ms < 0 || ms > msPerDay {
			return true, nil, errors.New("Time values must use number of milliseconds greater than 0 and less than 86400000")
		}
		return true, data.MillisToTime(int32(ms)), nil
	case data.TimestampName:
		if n.kind != kindNumber || !n.isInt {
			return true, nil, fmt.Errorf("Invalid type for Timestamp, underlying representation should be integral but was %s", n.kind)
		}
		return true, time.UnixMilli(intValue(n)).UTC(), nil
	}
	return false, nil, nil
}

// isInt32 is Jackson's JsonNode.isInt: an integer literal that fits an int.
func isInt32(n *node) bool {
	if n.kind != kindNumber || !n.isInt {
		return false
	}
	v, err := strconv.ParseInt(string(n.raw), 10, 32)
	return err == nil && v == int64(int32(v))
}

// intValue is JsonNode.longValue: integers exactly (wrapping beyond 64 bits
// as BigInteger.longValue does), fractions truncated, non-numbers 0.
func intValue(n *node) int64 {
	if n.kind != kindNumber {
		return 0
	}
	if n.isInt {
		if v, err := strconv.ParseInt(string(n.raw), 10, 64); err == nil {
			return v
		}
		b, _ := new(big.Int).SetString(string(n.raw), 10)
		return lowBits(b)
	}
	r, ok := new(big.Rat).SetString(string(n.raw))
	if !ok {
		return 0
	}
	return lowBits(new(big.Int).Quo(r.Num(), r.Denom()))
}

func lowBits(b *big.Int) int64 {
	if b == nil {
		return 0
	}
	var m big.Int
	m.And(b, new(big.Int).SetUint64(math.MaxUint64))
	return int64(m.Uint64())
}

// floatValue is JsonNode.doubleValue/floatValue, also reading the strings
// JsonConverter writes for non-finite numbers (Kafka reads them as 0.0).
func floatValue(n *node, bits int) float64 {
	switch n.kind {
	case kindNumber:
		f, _ := strconv.ParseFloat(string(n.raw), bits)
		return f
	case kindString:
		switch n.text {
		case "NaN":
			return math.NaN()
		case "Infinity":
			return math.Inf(1)
		case "-Infinity":
			return math.Inf(-1)
		}
	}
	return 0
}
