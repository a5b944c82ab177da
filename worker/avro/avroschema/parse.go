package avroschema

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Parse parses the JSON form of an Avro schema with the checks Avro's
// parser makes (names, duplicate definitions, union rules, defaults are
// kept as JSON).
func Parse(text string) (*Schema, error) {
	v, err := ParseJSON([]byte(text))
	if err != nil {
		return nil, fmt.Errorf("avro: invalid schema JSON: %w", err)
	}
	p := &parser{names: map[string]*Schema{}, building: map[*Schema]bool{}}
	return p.parse(v, "")
}

type parser struct {
	names    map[string]*Schema
	building map[*Schema]bool
}

var reservedSchema = map[string]bool{"type": true, "name": true, "namespace": true, "doc": true,
	"fields": true, "items": true, "values": true, "symbols": true, "size": true, "aliases": true, "default": true}

var reservedField = map[string]bool{"name": true, "type": true, "doc": true, "default": true,
	"order": true, "aliases": true}

func (p *parser) parse(v any, space string) (*Schema, error) {
	switch x := v.(type) {
	case string:
		return p.ref(x, space)
	case []any:
		u := &Schema{Type: Union}
		seen := map[string]bool{}
		for _, b := range x {
			bs, err := p.parse(b, space)
			if err != nil {
				return nil, err
			}
			if bs.Type == Union {
				return nil, errors.New("avro: nested union: " + string(AppendJSON(nil, x)))
			}
			key := bs.Type.String()
			if bs.Named() {
				key = bs.FullName()
			}
			if seen[key] {
				return nil, fmt.Errorf("avro: duplicate in union: %s", key)
			}
			seen[key] = true
			u.Branches = append(u.Branches, bs)
		}
		u.setNullIndex()
		return u, nil
	case Object:
		return p.parseObject(x, space)
	}
	return nil, fmt.Errorf("avro: schema is not a string, array or object: %s", AppendJSON(nil, v))
}

func (p *parser) ref(name, space string) (*Schema, error) {
	if t, ok := primitiveType(name); ok {
		return &Schema{Type: t}, nil
	}
	full := name
	if !strings.Contains(name, ".") && space != "" {
		full = space + "." + name
	}
	s, ok := p.names[full]
	if !ok {
		s, ok = p.names[name]
	}
	if !ok {
		return nil, fmt.Errorf("avro: undefined name: %q", name)
	}
	if p.building[s] {
		return nil, fmt.Errorf("avro: recursive schemas are not supported (%s)", s.FullName())
	}
	return s, nil
}

func str(o Object, key string) (string, bool, error) {
	v, ok := o.Get(key)
	if !ok {
		return "", false, nil
	}
	s, isStr := v.(string)
	if !isStr {
		return "", true, fmt.Errorf("avro: %q must be a string", key)
	}
	return s, true, nil
}

func (p *parser) parseObject(o Object, space string) (*Schema, error) {
	tv, ok := o.Get("type")
	if !ok {
		return nil, fmt.Errorf("avro: no type: %s", AppendJSON(nil, o))
	}
	tname, isStr := tv.(string)
	if !isStr {
		// {"type": {...}} or {"type": [...]}: the nested schema, props dropped as Avro does.
		return p.parse(tv, space)
	}
	var s *Schema
	switch tname {
	case "record", "error", "enum", "fixed":
		return p.parseNamed(o, tname, space)
	case "array":
		items, ok := o.Get("items")
		if !ok {
			return nil, errors.New("avro: array has no items type")
		}
		it, err := p.parse(items, space)
		if err != nil {
			return nil, err
		}
		s = &Schema{Type: Array, Items: it}
	case "map":
		values, ok := o.Get("values")
		if !ok {
			return nil, errors.New("avro: map has no values type")
		}
		vt, err := p.parse(values, space)
		if err != nil {
			return nil, err
		}
		s = &Schema{Type: Map, Values: vt}
	default:
		t, ok := primitiveType(tname)
		if !ok {
			ref, err := p.ref(tname, space)
			if err != nil {
				return nil, err
			}
			return ref, nil
		}
		s = &Schema{Type: t}
	}
	for _, m := range o {
		if !reservedSchema[m.Key] {
			s.Props = append(s.Props, m)
		}
	}
	return s, nil
}

// qualify resolves a named type's name and namespace (a dotted name wins,
// then "namespace", then the enclosing namespace) and checks them.
func qualify(o Object, tname, space string) (*Schema, error) {
	name, ok, err := str(o, "name")
	if err != nil {
		return nil, err
	}
	if !ok || name == "" {
		return nil, fmt.Errorf("avro: %s has no name: %s", tname, AppendJSON(nil, o))
	}
	ns, hasNS, err := str(o, "namespace")
	if err != nil {
		return nil, err
	}
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		ns, name = name[:i], name[i+1:]
	} else if !hasNS {
		ns = space
	}
	if err := validName(name); err != nil {
		return nil, err
	}
	if ns != "" {
		for _, part := range strings.Split(ns, ".") {
			if err := validName(part); err != nil {
				return nil, err
			}
		}
	}
	return &Schema{Name: name, Namespace: ns}, nil
}

func (p *parser) parseNamed(o Object, tname, space string) (*Schema, error) {
	s, err := qualify(o, tname, space)
	if err != nil {
		return nil, err
	}
	if _, dup := p.names[s.FullName()]; dup {
		return nil, fmt.Errorf("avro: can't redefine: %s", s.FullName())
	}
	s.Doc, _, _ = str(o, "doc")
	s.Aliases = stringList(o, "aliases")
	p.names[s.FullName()] = s
	switch tname {
	case "record", "error":
		s.Type = Record
		p.building[s] = true
		if err := p.parseFields(s, o); err != nil {
			return nil, err
		}
		delete(p.building, s)
	case "enum":
		s.Type = Enum
		if err := parseEnum(s, o); err != nil {
			return nil, err
		}
	case "fixed":
		s.Type = Fixed
		sz, ok := o.Get("size")
		n, isNum := sz.(json.Number)
		size, err := n.Int64()
		if !ok || !isNum || err != nil || size < 0 {
			return nil, fmt.Errorf("avro: fixed %s has an invalid size", s.FullName())
		}
		s.Size = int(size)
	}
	for _, m := range o {
		if !reservedSchema[m.Key] {
			s.Props = append(s.Props, m)
		}
	}
	return s, nil
}

func parseEnum(s *Schema, o Object) error {
	syms, _ := o.Get("symbols")
	arr, ok := syms.([]any)
	if !ok {
		return fmt.Errorf("avro: enum %s has no symbols", s.FullName())
	}
	seen := map[string]bool{}
	for _, e := range arr {
		sym, ok := e.(string)
		if !ok || validName(sym) != nil || seen[sym] {
			return fmt.Errorf("avro: enum %s has an invalid symbol %s", s.FullName(), AppendJSON(nil, e))
		}
		seen[sym] = true
		s.Symbols = append(s.Symbols, sym)
	}
	if d, ok, _ := str(o, "default"); ok {
		if !seen[d] {
			return fmt.Errorf("avro: enum %s default %q is not a symbol", s.FullName(), d)
		}
		s.EnumDefault = &d
	}
	return nil
}

func (p *parser) parseFields(s *Schema, o Object) error {
	fv, _ := o.Get("fields")
	arr, ok := fv.([]any)
	if !ok {
		return fmt.Errorf("avro: record %s has no fields", s.FullName())
	}
	seen := map[string]bool{}
	for _, e := range arr {
		fo, ok := e.(Object)
		if !ok {
			return fmt.Errorf("avro: record %s: a field is not an object", s.FullName())
		}
		name, _, err := str(fo, "name")
		if err != nil || validName(name) != nil {
			return fmt.Errorf("avro: record %s: invalid field name %q", s.FullName(), name)
		}
		if seen[name] {
			return fmt.Errorf("avro: record %s: duplicate field %s", s.FullName(), name)
		}
		seen[name] = true
		tv, ok := fo.Get("type")
		if !ok {
			return fmt.Errorf("avro: record %s: field %s has no type", s.FullName(), name)
		}
		ft, err := p.parse(tv, s.Namespace)
		if err != nil {
			return err
		}
		f := &Field{Name: name, Type: ft}
		f.Doc, _, _ = str(fo, "doc")
		f.Order, _, _ = str(fo, "order")
		if f.Order == "ascending" {
			f.Order = ""
		}
		if d, ok := fo.Get("default"); ok {
			if err := checkDefault(ft, d); err != nil {
				return fmt.Errorf("avro: invalid default for field %s: %w", name, err)
			}
			f.Default, f.HasDefault = d, true
		}
		f.Aliases = stringList(fo, "aliases")
		for _, m := range fo {
			if !reservedField[m.Key] {
				f.Props = append(f.Props, m)
			}
		}
		s.Fields = append(s.Fields, f)
	}
	return nil
}

// checkDefault validates a field default against its schema as Avro does
// (a union default matches its first branch).
func checkDefault(s *Schema, d any) error {
	ok := false
	switch s.Type {
	case Null:
		ok = d == nil
	case Boolean:
		_, ok = d.(bool)
	case Int, Long:
		n, isNum := d.(json.Number)
		if isNum {
			_, err := n.Int64()
			ok = err == nil
		}
	case Float, Double:
		_, ok = d.(json.Number)
		if str, isStr := d.(string); isStr {
			ok = str == "NaN" || str == "Infinity" || str == "-Infinity"
		}
	case Bytes, String, Fixed, Enum:
		_, ok = d.(string)
	default:
		return checkComplexDefault(s, d)
	}
	if !ok {
		return fmt.Errorf("%s not a %s", AppendJSON(nil, d), s.Type)
	}
	return nil
}

func checkComplexDefault(s *Schema, d any) error {
	mismatch := fmt.Errorf("%s not a %s", AppendJSON(nil, d), s.Type)
	switch s.Type {
	case Array:
		arr, ok := d.([]any)
		if !ok {
			return mismatch
		}
		for _, e := range arr {
			if err := checkDefault(s.Items, e); err != nil {
				return err
			}
		}
	case Map:
		o, ok := d.(Object)
		if !ok {
			return mismatch
		}
		for _, m := range o {
			if err := checkDefault(s.Values, m.Value); err != nil {
				return err
			}
		}
	case Record:
		o, ok := d.(Object)
		if !ok {
			return mismatch
		}
		for _, f := range s.Fields {
			v, present := o.Get(f.Name)
			if !present && !f.HasDefault {
				return fmt.Errorf("field %s missing", f.Name)
			}
			if present {
				if err := checkDefault(f.Type, v); err != nil {
					return err
				}
			}
		}
	case Union:
		if len(s.Branches) == 0 {
			return errors.New("empty union")
		}
		return checkDefault(s.Branches[0], d)
	}
	return nil
}

func stringList(o Object, key string) []string {
	a, _ := o.Get(key)
	arr, _ := a.([]any)
	var out []string
	for _, e := range arr {
		if es, ok := e.(string); ok {
			out = append(out, es)
		}
	}
	return out
}

func validName(n string) error {
	if n == "" {
		return errors.New("avro: empty name")
	}
	for i, c := range n {
		if c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9') {
			continue
		}
		return fmt.Errorf("avro: illegal character in: %s", n)
	}
	return nil
}
