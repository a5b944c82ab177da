package postgres

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"
	"math/bits"
	"strconv"
	"strings"

	"github.com/wharf-project/wharf/connector/data"
)

// Debezium semantic type names (io.debezium.data.*, io.debezium.time.*).
const (
	nameVariableScaleDecimal = "io.debezium.data.VariableScaleDecimal"
	nameJSON                 = "io.debezium.data.Json"
	nameXML                  = "io.debezium.data.Xml"
	nameUUID                 = "io.debezium.data.Uuid"
	nameEnum                 = "io.debezium.data.Enum"
	nameLtree                = "io.debezium.data.Ltree"
	nameBits                 = "io.debezium.data.Bits"
	nameTsvector             = "io.debezium.data.Tsvector"
	nameDate                 = "io.debezium.time.Date"
	nameTime                 = "io.debezium.time.Time"
	nameMicroTime            = "io.debezium.time.MicroTime"
	nameTimestamp            = "io.debezium.time.Timestamp"
	nameMicroTimestamp       = "io.debezium.time.MicroTimestamp"
	nameZonedTimestamp       = "io.debezium.time.ZonedTimestamp"
	nameZonedTime            = "io.debezium.time.ZonedTime"
	nameMicroDuration        = "io.debezium.time.MicroDuration"
	nameInterval             = "io.debezium.time.Interval"
	precisionParam           = "connect.decimal.precision"
)

// pgType is one row of pg_type, with enum labels in sort order.
type pgType struct {
	oid      uint32
	name     string
	typtype  byte // b base, d domain, e enum, r range, c composite, p pseudo, m multirange
	elem     uint32
	base     uint32
	category byte
	labels   []string
}

// colType is how one column's values become Connect values: a schema
// (required form) and a decoder from PostgreSQL's text output. Snapshot and
// stream both decode text, so a row converts identically from either.
type colType struct {
	schema *data.Schema
	decode func(s string) (any, error)
	// unavailable is the value used for an unchanged TOAST column.
	unavailable any
}

func semantic(t data.Type, name string) *data.Schema {
	return &data.Schema{Type: t, Name: name, Version: 1}
}

// columnType maps a column to its Connect form, or returns nil for a type
// Wharf does not support (the column is then left out, as Debezium does with
// include.unknown.datatypes=false).
func (c *Config) columnType(reg *typeRegistry, oid uint32, typmod int32) *colType {
	t := reg.get(oid)
	if t == nil {
		return nil
	}
	for t.typtype == 'd' { // domains map like their base type
		if b := reg.get(t.base); b != nil {
			t = b
		} else {
			return nil
		}
	}
	if t.category == 'A' && t.elem != 0 {
		return c.arrayType(reg, t.elem, typmod)
	}
	if t.typtype == 'e' {
		s := semantic(data.TypeString, nameEnum)
		s.Parameters = []data.Param{{Key: "allowed", Value: strings.Join(t.labels, ",")}}
		return &colType{schema: s, decode: decodeString, unavailable: c.Placeholder}
	}
	if t.typtype == 'r' || t.typtype == 'm' {
		return &colType{schema: data.StringSchema, decode: decodeString, unavailable: c.Placeholder}
	}
	if ct := c.scalarType(t.name, typmod); ct != nil {
		return ct
	}
	switch t.name {
	case "numeric":
		return c.numericType(typmod)
	case "money":
		return c.moneyType()
	case "bytea":
		return c.byteaType()
	case "hstore":
		return c.hstoreType()
	case "date", "time", "timetz", "timestamp", "timestamptz", "interval":
		return c.temporalType(t.name, typmod)
	}
	return nil
}

// scalarType maps the types whose form depends on no setting.
func (c *Config) scalarType(name string, typmod int32) *colType {
	str := func(s *data.Schema) *colType {
		return &colType{schema: s, decode: decodeString, unavailable: c.Placeholder}
	}
	switch name {
	case "bool":
		return &colType{schema: data.BooleanSchema, decode: decodeBool}
	case "bit", "varbit":
		// bit(1)/varbit(1) are booleans; longer ones io.debezium.data.Bits,
		// with length 2147483647 when unbounded.
		if typmod == 1 {
			return &colType{schema: data.BooleanSchema, decode: func(s string) (any, error) { return strings.Trim(s, "0") != "", nil }}
		}
		length := int64(typmod)
		if length <= 0 {
			length = 2147483647
		}
		sch := semantic(data.TypeBytes, nameBits)
		sch.Parameters = []data.Param{{Key: "length", Value: strconv.FormatInt(length, 10)}}
		return &colType{schema: sch, decode: decodeBits, unavailable: []byte(c.Placeholder)}
	case "int2":
		return &colType{schema: data.Int16Schema, decode: func(s string) (any, error) {
			n, err := strconv.ParseInt(s, 10, 16)
			return int16(n), err
		}}
	case "int4":
		return &colType{schema: data.Int32Schema, decode: func(s string) (any, error) {
			n, err := strconv.ParseInt(s, 10, 32)
			return int32(n), err
		}}
	case "int8", "oid":
		return &colType{schema: data.Int64Schema, decode: func(s string) (any, error) { return strconv.ParseInt(s, 10, 64) }}
	case "float4":
		return &colType{schema: data.Float32Schema, decode: func(s string) (any, error) {
			f, err := strconv.ParseFloat(s, 32)
			return float32(f), err
		}}
	case "float8":
		return &colType{schema: data.Float64Schema, decode: func(s string) (any, error) { return strconv.ParseFloat(s, 64) }}
	case "bpchar", "varchar", "text", "name", "citext", "char", "inet", "cidr", "macaddr", "macaddr8":
		return str(data.StringSchema)
	case "json", "jsonb":
		return str(semantic(data.TypeString, nameJSON))
	case "xml":
		return str(semantic(data.TypeString, nameXML))
	case "uuid":
		return str(semantic(data.TypeString, nameUUID))
	case "ltree":
		return str(semantic(data.TypeString, nameLtree))
	case "tsvector":
		// Supported from Debezium 3.3 (DBZ-8470); 3.1 leaves the column out.
		if c.Compat == "3.5" {
			return str(semantic(data.TypeString, nameTsvector))
		}
	}
	return nil
}

func decodeString(s string) (any, error) { return s, nil }

// decodeBits turns a bit string ("1011") into Debezium's Bits bytes: a
// java.util.BitSet whose bit 0 is the last character, as toByteArray()
// writes it (little-endian, no trailing zero bytes; all zeros give none).
func decodeBits(s string) (any, error) {
	n := len(s)
	var out []byte
	for i := n - 1; i >= 0; i-- {
		switch s[i] {
		case '1':
			k := n - 1 - i
			for len(out) <= k/8 {
				out = append(out, 0)
			}
			out[k/8] |= 1 << (k % 8)
		case '0':
		default:
			return nil, fmt.Errorf("invalid bit string %.20q", s)
		}
	}
	if out == nil {
		out = []byte{}
	}
	return out, nil
}

func decodeBool(s string) (any, error) {
	switch s {
	case "t", "true":
		return true, nil
	case "f", "false":
		return false, nil
	}
	return nil, fmt.Errorf("invalid boolean %q", s)
}

// arrayType maps a one-dimensional array; an array column's typmod is its
// element's (numeric(10,2)[]).
func (c *Config) arrayType(reg *typeRegistry, elem uint32, typmod int32) *colType {
	et := reg.get(elem)
	if et == nil {
		return nil
	}
	switch et.name { // Debezium does not support arrays of these
	case "money", "name", "interval", "varbit", "xml", "point", "bit":
		return nil
	}
	ec := c.columnType(reg, elem, typmod)
	if ec == nil {
		return nil
	}
	sch := data.ArrayOf(ec.schema.AsOptional())
	var unavailable any
	switch ec.schema.Type {
	case data.TypeString:
		unavailable = []any{c.Placeholder}
	case data.TypeInt32, data.TypeInt64, data.TypeInt16:
		// Debezium fills integer arrays with the placeholder's bytes.
		l := make([]any, len(c.Placeholder))
		for i := 0; i < len(c.Placeholder); i++ {
			switch ec.schema.Type {
			case data.TypeInt16:
				l[i] = int16(c.Placeholder[i])
			case data.TypeInt32:
				l[i] = int32(c.Placeholder[i])
			default:
				l[i] = int64(c.Placeholder[i])
			}
		}
		unavailable = l
	}
	delim := byte(',')
	if et.name == "box" {
		delim = ';'
	}
	return &colType{schema: sch, unavailable: unavailable, decode: func(s string) (any, error) {
		items, err := parseArray(s, delim)
		if err != nil {
			return nil, err
		}
		out := make([]any, len(items))
		for i, it := range items {
			// Infinite dates in arrays stay null: Debezium reads array
			// elements through pgjdbc's java.sql.Date, not its sentinels.
			if it == nil || (et.name == "date" && isInfinity(*it)) {
				continue
			}
			if out[i], err = ec.decode(*it); err != nil {
				return nil, err
			}
		}
		return out, nil
	}}
}

func (c *Config) numericType(typmod int32) *colType {
	precision, scale := int32(-1), int32(-1)
	if typmod >= 4 {
		precision, scale = ((typmod-4)>>16)&0xffff, (typmod-4)&0xffff
	}
	switch c.DecimalMode {
	case "double":
		return &colType{schema: data.Float64Schema, decode: func(s string) (any, error) { return strconv.ParseFloat(s, 64) }}
	case "string":
		return &colType{schema: data.StringSchema, decode: func(s string) (any, error) {
			switch s {
			case "NaN":
				return "NAN", nil
			case "Infinity":
				return "POSITIVE_INFINITY", nil
			case "-Infinity":
				return "NEGATIVE_INFINITY", nil
			}
			return s, nil
		}}
	}
	if scale < 0 {
		return &colType{schema: variableScaleSchema(), decode: decodeVariableScale}
	}
	s := data.DecimalSchema(scale)
	s.Parameters = append(s.Parameters, data.Param{Key: precisionParam, Value: strconv.Itoa(int(precision))})
	return &colType{schema: s, decode: func(v string) (any, error) { return decodeDecimal(v, scale) }}
}

// variableScaleSchema is optional because decoded values carry it and most
// numeric columns are nullable; valueStruct re-wraps values of NOT NULL ones.
func variableScaleSchema() *data.Schema {
	return data.StructSchema(nameVariableScaleDecimal).Version(1).Doc("Variable scaled decimal").Optional().
		Field("scale", data.Int32Schema).Field("value", data.BytesSchema).Build()
}

// decodeDecimal parses a decimal and rescales it to scale; NaN and the
// infinities have no Decimal form and become null, as in Debezium.
func decodeDecimal(s string, scale int32) (any, error) {
	if s == "NaN" || s == "Infinity" || s == "-Infinity" {
		return nil, nil
	}
	if d, ok := parseSmallDecimal(s, scale); ok {
		return d, nil
	}
	d, err := data.ParseDecimal(s)
	if err != nil {
		return nil, err
	}
	return rescale(d, scale), nil
}

// parseSmallDecimal is decodeDecimal's fast path for the plain
// "[-]digits[.digits]" text PostgreSQL prints, when the value rescaled to
// scale fits in 18 digits: it parses into an int64 instead of through
// big.Int.SetString. ok is false for anything else, which then takes the
// general path; both give the same Decimal (rescale truncates toward zero,
// as int64 division does).
func parseSmallDecimal(s string, scale int32) (data.Decimal, bool) {
	i, neg := 0, false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg, i = s[0] == '-', 1
	}
	var n int64
	digits, frac, dot := 0, 0, false
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			if digits++; digits > 18 {
				return data.Decimal{}, false
			}
			n = n*10 + int64(c-'0')
			if dot {
				frac++
			}
		case c == '.' && !dot:
			dot = true
		default:
			return data.Decimal{}, false
		}
	}
	if digits == 0 || scale < 0 {
		return data.Decimal{}, false
	}
	switch sc := int(scale); {
	case sc > frac:
		if digits+sc-frac > 18 {
			return data.Decimal{}, false
		}
		n *= pow10(sc - frac)
	case sc < frac:
		n /= pow10(frac - sc)
	}
	if neg {
		n = -n
	}
	return data.Decimal{Unscaled: smallBigInt(n), Scale: scale}, true
}

// smallInt is a big.Int with room for its one word, so a small decimal
// costs one allocation rather than big.NewInt's two (the Int and its word
// slice).
type smallInt struct {
	i big.Int
	w [1]big.Word
}

// smallBigInt returns n as a *big.Int in a single allocation.
func smallBigInt(n int64) *big.Int {
	u := uint64(n)
	if n < 0 {
		u = -u
	}
	if u == 0 || bits.UintSize == 32 && u>>32 != 0 {
		return big.NewInt(n)
	}
	b := &smallInt{}
	b.w[0] = big.Word(u)
	b.i.SetBits(b.w[:])
	if n < 0 {
		b.i.Neg(&b.i)
	}
	return &b.i
}

// pow10 is 10^e for 0 ≤ e ≤ 18.
func pow10(e int) int64 {
	p := int64(1)
	for ; e > 0; e-- {
		p *= 10
	}
	return p
}

func rescale(d data.Decimal, scale int32) data.Decimal {
	if d.Scale == scale {
		return d
	}
	if d.Scale < scale {
		mul := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale-d.Scale)), nil)
		return data.Decimal{Unscaled: new(big.Int).Mul(d.Unscaled, mul), Scale: scale}
	}
	div := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d.Scale-scale)), nil)
	return data.Decimal{Unscaled: new(big.Int).Quo(d.Unscaled, div), Scale: scale}
}

func decodeVariableScale(s string) (any, error) {
	if s == "NaN" || s == "Infinity" || s == "-Infinity" {
		return nil, nil
	}
	d, err := data.ParseDecimal(s)
	if err != nil {
		return nil, err
	}
	// Strip trailing fraction zeros (10.1000 → scale 1).
	ten := big.NewInt(10)
	m := new(big.Int)
	for d.Scale > 0 {
		q, r := new(big.Int).QuoRem(d.Unscaled, ten, m)
		if r.Sign() != 0 {
			break
		}
		d = data.Decimal{Unscaled: q, Scale: d.Scale - 1}
	}
	st := data.NewStruct(variableScaleSchema())
	st.Set(0, d.Scale)
	st.Set(1, d.Bytes())
	return st, nil
}

func (c *Config) moneyType() *colType {
	parse := func(s string) (string, error) {
		neg := strings.HasPrefix(s, "-") || strings.HasPrefix(s, "(")
		s = strings.Map(func(r rune) rune {
			if (r >= '0' && r <= '9') || r == '.' {
				return r
			}
			return -1
		}, s)
		if s == "" {
			return "", fmt.Errorf("invalid money value")
		}
		if neg {
			s = "-" + s
		}
		return s, nil
	}
	switch c.DecimalMode {
	case "double":
		return &colType{schema: data.Float64Schema, decode: func(s string) (any, error) {
			v, err := parse(s)
			if err != nil {
				return nil, err
			}
			return strconv.ParseFloat(v, 64)
		}}
	case "string":
		return &colType{schema: data.StringSchema, decode: func(s string) (any, error) { return parse(s) }}
	}
	scale := int32(c.MoneyDigits)
	return &colType{schema: data.DecimalSchema(scale), decode: func(s string) (any, error) {
		v, err := parse(s)
		if err != nil {
			return nil, err
		}
		return decodeDecimal(v, scale)
	}}
}

func (c *Config) byteaType() *colType {
	ph := []byte(c.Placeholder)
	raw := func(s string) ([]byte, error) {
		if !strings.HasPrefix(s, `\x`) {
			return nil, fmt.Errorf("bytea not in hex format (set bytea_output=hex): %.20q", s)
		}
		return hex.DecodeString(s[2:])
	}
	switch c.BinaryMode {
	case "base64":
		return &colType{schema: data.StringSchema, unavailable: base64.StdEncoding.EncodeToString(ph), decode: func(s string) (any, error) {
			b, err := raw(s)
			return base64.StdEncoding.EncodeToString(b), err
		}}
	case "base64-url-safe":
		return &colType{schema: data.StringSchema, unavailable: base64.URLEncoding.EncodeToString(ph), decode: func(s string) (any, error) {
			b, err := raw(s)
			return base64.URLEncoding.EncodeToString(b), err
		}}
	case "hex":
		return &colType{schema: data.StringSchema, unavailable: hex.EncodeToString(ph), decode: func(s string) (any, error) {
			b, err := raw(s)
			return hex.EncodeToString(b), err
		}}
	}
	return &colType{schema: data.BytesSchema, unavailable: ph, decode: func(s string) (any, error) { return raw(s) }}
}

func (c *Config) hstoreType() *colType {
	if c.HstoreMode == "map" {
		sch := data.MapOf(data.StringSchema, data.OptionalStringSchema)
		return &colType{schema: sch,
			unavailable: []data.MapEntry{{Key: c.Placeholder, Value: c.Placeholder}},
			decode: func(s string) (any, error) {
				kv, err := parseHstore(s)
				if err != nil {
					return nil, err
				}
				kv = javaHashOrder(kv)
				out := make([]data.MapEntry, len(kv))
				for i, e := range kv {
					out[i] = data.MapEntry{Key: e.key}
					if e.val != nil {
						out[i].Value = *e.val
					}
				}
				return out, nil
			}}
	}
	return &colType{schema: semantic(data.TypeString, nameJSON), unavailable: c.Placeholder, decode: func(s string) (any, error) {
		kv, err := parseHstore(s)
		if err != nil {
			return nil, err
		}
		return hstoreJSON(javaHashOrder(kv)), nil
	}}
}

// zeroValue is the value Debezium falls back to for a required field that
// has no value (a NOT NULL column missing from a key-only before image, or a
// function default): 0, "", false, epoch, empty bytes.
func zeroValue(s *data.Schema) any {
	switch s.Name {
	case data.DecimalName:
		sc, _ := data.DecimalScale(s)
		return data.Decimal{Unscaled: new(big.Int), Scale: sc}
	case data.DateName, data.TimeName, data.TimestampName:
		return data.DaysToDate(0)
	case nameZonedTimestamp:
		return "1970-01-01T00:00:00Z"
	case nameZonedTime:
		return "00:00:00Z"
	case nameUUID:
		return "00000000-0000-0000-0000-000000000000"
	case nameJSON:
		return "{}"
	case nameVariableScaleDecimal:
		st := data.NewStruct(s)
		st.Set(0, int32(0))
		st.Set(1, []byte{0})
		return st
	}
	switch s.Type {
	case data.TypeInt8:
		return int8(0)
	case data.TypeInt16:
		return int16(0)
	case data.TypeInt32:
		return int32(0)
	case data.TypeInt64:
		return int64(0)
	case data.TypeFloat32:
		return float32(0)
	case data.TypeFloat64:
		return float64(0)
	case data.TypeBoolean:
		return false
	case data.TypeString:
		if s.Name == nameEnum {
			if v, ok := s.Param("allowed"); ok {
				first, _, _ := strings.Cut(v, ",")
				return first
			}
		}
		return ""
	case data.TypeBytes:
		return []byte{}
	case data.TypeArray:
		return []any{}
	case data.TypeMap:
		return []data.MapEntry{}
	}
	return nil
}
