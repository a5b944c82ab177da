package transform

import (
	"fmt"
	"strings"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/config"
	"github.com/wharf-project/wharf/connector/data"
)

const (
	// keyExclude is ReplaceField's "exclude" (default empty): fields to drop;
	// it takes precedence over include.
	keyExclude = "exclude"
	// keyBlacklist is the deprecated alias of exclude (default null).
	keyBlacklist = "blacklist"
	// keyInclude is "include" (default empty): if set, only these fields are kept.
	keyInclude = "include"
	// keyWhitelist is the deprecated alias of include (default null).
	keyWhitelist = "whitelist"
	// keyRenames is "renames" (default empty): old:new pairs.
	keyRenames = "renames"
)

const replacePurpose = "field replacement"

// ReplaceField is org.apache.kafka.connect.transforms.ReplaceField$Key and
// $Value: it filters and renames the fields of a struct or map.
type ReplaceField struct {
	key            bool
	def            *config.Def
	exclude        map[string]struct{}
	include        map[string]struct{}
	renames        map[string]string
	reverseRenames map[string]string
	replaceNull    bool
	cache          schemaCache[*replaced]
}

// replaced is a derived schema and, per output field, its input index.
type replaced struct {
	schema *data.Schema
	src    []int
}

func newReplaceField(key bool) *ReplaceField {
	def := config.NewDef().
		Define(config.Key{Name: keyExclude, Type: config.List, Default: []string{}, Importance: config.Medium,
			Doc: "Fields to exclude. This takes precedence over the fields to include."}).
		Define(config.Key{Name: keyBlacklist, Type: config.List, Importance: config.Low,
			Doc: "Deprecated. Use " + keyExclude + " instead."}).
		Define(config.Key{Name: keyInclude, Type: config.List, Default: []string{}, Importance: config.Medium,
			Doc: "Fields to include. If specified, only these fields will be used."}).
		Define(config.Key{Name: keyWhitelist, Type: config.List, Importance: config.Low,
			Doc: "Deprecated. Use " + keyInclude + " instead."}).
		Define(config.Key{Name: keyRenames, Type: config.List, Default: []string{}, Importance: config.Medium,
			Doc: "Field rename mappings.", Validator: func(_ string, v any) error {
				l, _ := v.([]string)
				_, err := parseRenameMappings(l)
				return err
			}}).
		Define(config.Key{Name: keyReplaceNull, Type: config.Boolean, Default: true,
			Importance: config.Medium, Doc: replaceNullDoc})
	return &ReplaceField{key: key, def: def}
}

// parseRenameMappings parses old:new pairs with Java's String.split(":")
// rules (trailing empty parts are dropped).
func parseRenameMappings(mappings []string) (map[string]string, error) {
	m := make(map[string]string, len(mappings))
	for _, mapping := range mappings {
		parts := strings.Split(mapping, ":")
		for len(parts) > 1 && parts[len(parts)-1] == "" {
			parts = parts[:len(parts)-1]
		}
		if mapping != "" && len(parts) == 1 && parts[0] == "" {
			parts = nil
		}
		if len(parts) != 2 {
			return nil, &config.Error{Msg: "Invalid value [" + strings.Join(mappings, ", ") +
				"] for configuration " + keyRenames + ": Invalid rename mapping: " + mapping}
		}
		m[parts[0]] = parts[1]
	}
	return m, nil
}

func (t *ReplaceField) Config() *config.Def { return t.def }

func (t *ReplaceField) Configure(props map[string]string) error {
	props = translateDeprecated(props, keyInclude, keyWhitelist)
	props = translateDeprecated(props, keyExclude, keyBlacklist)
	v, err := t.def.Parse(props)
	if err != nil {
		return err
	}
	t.exclude, t.include = toSet(v.List(keyExclude)), toSet(v.List(keyInclude))
	if t.renames, err = parseRenameMappings(v.List(keyRenames)); err != nil {
		return err
	}
	t.reverseRenames = make(map[string]string, len(t.renames))
	for k, n := range t.renames {
		t.reverseRenames[n] = k
	}
	t.replaceNull = v.Bool(keyReplaceNull)
	t.cache.reset()
	return nil
}

// translateDeprecated is ConfigUtils.translateDeprecatedConfigs for one
// alias: the alias is used only when the target key is absent.
func translateDeprecated(props map[string]string, target, alias string) map[string]string {
	av, hasAlias := props[alias]
	if !hasAlias {
		return props
	}
	out := make(map[string]string, len(props))
	for k, v := range props {
		if k != alias {
			out[k] = v
		}
	}
	if _, hasTarget := out[target]; !hasTarget {
		out[target] = av
	}
	return out
}

func toSet(l []string) map[string]struct{} {
	m := make(map[string]struct{}, len(l))
	for _, s := range l {
		m[s] = struct{}{}
	}
	return m
}

func (t *ReplaceField) filter(name string) bool {
	if _, ex := t.exclude[name]; ex {
		return false
	}
	if len(t.include) == 0 {
		return true
	}
	_, in := t.include[name]
	return in
}

func (t *ReplaceField) renamed(name string) string {
	if n, ok := t.renames[name]; ok {
		return n
	}
	return name
}

func (t *ReplaceField) Apply(r *connector.Record) (bool, error) {
	schema, value := r.ValueSchema, r.Value
	if t.key {
		schema, value = r.KeySchema, r.Key
	}
	if value == nil {
		return true, nil
	}
	var err error
	if schema == nil {
		value, err = t.applySchemaless(value)
	} else {
		schema, value, err = t.applyWithSchema(value)
	}
	if err != nil {
		return false, err
	}
	if t.key {
		r.KeySchema, r.Key = schema, value
	} else {
		r.ValueSchema, r.Value = schema, value
	}
	return true, nil
}

func (t *ReplaceField) applySchemaless(value any) (any, error) {
	m, err := requireMap(value, replacePurpose)
	if err != nil {
		return nil, err
	}
	out := make([]data.MapEntry, 0, len(m))
	for _, e := range m {
		name, ok := e.Key.(string)
		if !ok {
			return nil, fmt.Errorf("class %s cannot be cast to class java.lang.String", javaClassName(e.Key))
		}
		if t.filter(name) {
			out = mapPut(out, t.renamed(name), e.Value)
		}
	}
	return out, nil
}

func (t *ReplaceField) applyWithSchema(value any) (*data.Schema, any, error) {
	st, err := requireStruct(value, replacePurpose)
	if err != nil {
		return nil, nil, err
	}
	in := st.Schema()
	d, ok := t.cache.get(in, "")
	if !ok {
		if d, err = t.updatedSchema(in); err != nil {
			return nil, nil, err
		}
		t.cache.put(in, "", d)
	}
	out := data.NewStruct(d.schema)
	for i, src := range d.src {
		out.Set(i, fieldValue(st, src, t.replaceNull))
	}
	return d.schema, out, nil
}

func (t *ReplaceField) updatedSchema(in *data.Schema) (*replaced, error) {
	s := copySchemaBasics(in, len(in.Fields))
	d := &replaced{schema: s}
	for i, f := range in.Fields {
		if !t.filter(f.Name) {
			continue
		}
		if err := addField(s, t.renamed(f.Name), f.Schema); err != nil {
			return nil, err
		}
		d.src = append(d.src, i)
	}
	return d, nil
}

func (t *ReplaceField) Close() error {
	t.cache.reset()
	return nil
}
