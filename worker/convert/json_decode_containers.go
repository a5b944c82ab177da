package convert

import (
	"strconv"
	"unicode/utf8"

	"github.com/wharf-project/wharf/connector/data"
)

// isLogicalName reports the schema names logicalToConnect reads by name.
func isLogicalName(name string) bool {
	switch name {
	case data.DecimalName, data.DateName, data.TimeName, data.TimestampName:
		return true
	}
	return false
}

// structValue is structToConnect: members in any order, unknown ones
// checked and ignored, missing ones read as null.
func (d *decoder) structValue(s *data.Schema, depth int) (any, bool) {
	p := &d.parser
	st := data.NewStruct(s)
	base := len(d.seen)
	for range s.Fields {
		d.seen = append(d.seen, false)
	}
	seen := d.seen[base:]
	defer func() { d.seen = d.seen[:base] }()
	p.i++ // {
	if p.skipSpace(); p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return d.missing(s, st, seen)
	}
	next := 0
	for {
		key, ok := p.memberKey()
		if !ok {
			return nil, false
		}
		i := fieldIndex(s, key, next)
		switch {
		case i < 0:
			var skipped node
			if p.value(&skipped, depth+1) != nil {
				return nil, false
			}
		case seen[i]:
			return nil, false // a duplicate: Jackson keeps the last one
		default:
			if !d.field(st, i, depth+1) {
				return nil, false
			}
			seen[i], next = true, i+1
		}
		more, ok := p.next('}')
		if !ok {
			return nil, false
		}
		if !more {
			return d.missing(s, st, seen)
		}
	}
}

// fieldIndex finds the field named key, trying next first: members usually
// come in schema order.
func fieldIndex(s *data.Schema, key []byte, next int) int {
	if next < len(s.Fields) && s.Fields[next].Name == string(key) {
		return next
	}
	for i := range s.Fields {
		if s.Fields[i].Name == string(key) {
			return i
		}
	}
	return -1
}

// field reads the value of field i into st; a plain string is collected
// for fixStrings.
func (d *decoder) field(st *data.Struct, i, depth int) bool {
	p := &d.parser
	fs := st.Schema().Fields[i].Schema
	if fs != nil && fs.Type == data.TypeString && p.b[p.i] == '"' && !isLogicalName(fs.Name) {
		b, err := p.tempStr()
		if err != nil {
			return false
		}
		start := len(d.strs)
		d.strs = append(d.strs, b...)
		d.fix = append(d.fix, stringFix{st: st, field: i, start: start, end: len(d.strs)})
		return true
	}
	v, ok := d.value(fs, depth)
	if ok {
		st.Set(i, v)
	}
	return ok
}

func (d *decoder) missing(s *data.Schema, st *data.Struct, seen []bool) (any, bool) {
	for i := range s.Fields {
		if seen[i] {
			continue
		}
		v, ok := d.null(s.Fields[i].Schema)
		if !ok {
			return nil, false
		}
		st.Set(i, v)
	}
	return st, true
}

// array is arrayToConnect; a nil elem infers each element's type.
func (d *decoder) array(elem *data.Schema, depth int) (any, bool) {
	p := &d.parser
	base := len(d.vals)
	defer func() { clear(d.vals[base:]); d.vals = d.vals[:base] }()
	p.i++ // [
	if p.skipSpace(); p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return []any{}, true
	}
	for {
		p.skipSpace()
		v, ok := d.elem(elem, depth+1)
		if !ok {
			return nil, false
		}
		d.vals = append(d.vals, v)
		more, ok := p.next(']')
		if !ok {
			return nil, false
		}
		if !more {
			out := make([]any, len(d.vals)-base)
			copy(out, d.vals[base:])
			return out, true
		}
	}
}

// stringMap is mapToConnect for STRING keys, or without schema (vs nil):
// a JSON object, a repeated key keeping its first position and its last
// value (Jackson's ObjectNode).
func (d *decoder) stringMap(vs *data.Schema, depth int) (any, bool) {
	p := &d.parser
	base := len(d.ents)
	defer func() { clear(d.ents[base:]); d.ents = d.ents[:base] }()
	p.i++ // {
	if p.skipSpace(); p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return []data.MapEntry{}, true
	}
	for {
		key, ok := p.memberKey()
		if !ok {
			return nil, false
		}
		k := string(key) // before the value reuses tempStr's buffer
		v, ok := d.elem(vs, depth+1)
		if !ok {
			return nil, false
		}
		d.putEntry(base, k, v)
		more, ok := p.next('}')
		if !ok {
			return nil, false
		}
		if !more {
			return d.entries(base), true
		}
	}
}

func (d *decoder) putEntry(base int, key string, v any) {
	for i := base; i < len(d.ents); i++ {
		if d.ents[i].Key.(string) == key {
			d.ents[i].Value = v
			return
		}
	}
	d.ents = append(d.ents, data.MapEntry{Key: key, Value: v})
}

// tupleMap is mapToConnect for other keys: an array of [key, value] pairs.
func (d *decoder) tupleMap(ks, vs *data.Schema, depth int) (any, bool) {
	p := &d.parser
	base := len(d.ents)
	defer func() { clear(d.ents[base:]); d.ents = d.ents[:base] }()
	p.i++ // [
	if p.skipSpace(); p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return []data.MapEntry{}, true
	}
	for {
		if !p.expect('[') {
			return nil, false
		}
		p.skipSpace()
		k, ok := d.value(ks, depth+2)
		if !ok {
			return nil, false
		}
		if !p.expect(',') {
			return nil, false
		}
		p.skipSpace()
		v, ok := d.value(vs, depth+2)
		if !ok {
			return nil, false
		}
		if !p.expect(']') {
			return nil, false
		}
		d.ents = append(d.ents, data.MapEntry{Key: k, Value: v})
		more, ok := p.next(']')
		if !ok {
			return nil, false
		}
		if !more {
			return d.entries(base), true
		}
	}
}

// entries copies the map being read out of d.ents, exactly sized.
func (d *decoder) entries(base int) []data.MapEntry {
	out := make([]data.MapEntry, len(d.ents)-base)
	copy(out, d.ents[base:])
	return out
}

// schemaless is ToConnect's fast path for schemas.enable=false: toConnect
// with a nil schema, read straight from the bytes. A number at the root
// (Jackson's separator rule) and empty input go the tree path.
func (d *decoder) schemaless(b []byte) (any, bool) {
	if !utf8.Valid(b) {
		return nil, false
	}
	p := &d.parser
	p.reset(b, false, nil)
	if p.skipSpace(); p.i >= len(p.b) || p.b[p.i] == '-' || (p.b[p.i] >= '0' && p.b[p.i] <= '9') {
		return nil, false
	}
	return d.inferred(0)
}

// elem reads a container's element or member value, its type inferred when
// s is nil.
func (d *decoder) elem(s *data.Schema, depth int) (any, bool) {
	if s == nil {
		return d.inferred(depth)
	}
	return d.value(s, depth)
}

// inferred reads any JSON value as toConnect does without a schema.
func (d *decoder) inferred(depth int) (any, bool) {
	p := &d.parser
	if depth > maxDepth || p.i >= len(p.b) {
		return nil, false
	}
	switch c := p.b[p.i]; {
	case c == '{':
		return d.stringMap(nil, depth)
	case c == '[':
		return d.array(nil, depth)
	case c == '"':
		s, err := p.tempStr()
		if err != nil {
			return nil, false
		}
		return string(s), true
	case c == '-' || (c >= '0' && c <= '9'):
		start := p.i
		isInt, err := p.scanNumber()
		if err != nil {
			return nil, false
		}
		if isInt {
			n, ok := parseInt(p.b[start:p.i])
			return n, ok
		}
		f, _ := strconv.ParseFloat(string(p.b[start:p.i]), 64)
		return f, true
	case p.lit("true"):
		return true, true
	case p.lit("false"):
		return false, true
	case p.lit("null"):
		return nil, true
	}
	return nil, false
}
