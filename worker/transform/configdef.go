package transform

import (
	"fmt"
	"sort"
	"strings"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/config"
)

// ConfigDef returns the keys Connect's validation adds for the chain props
// configure (ConnectorConfig.enrich): per transformation alias
// transforms.<alias>.type, .predicate, .negate and the transformation's own
// keys, in group "Transforms: <alias>"; per predicate alias the same under
// "Predicates: <alias>". A type naming no known plugin of the right kind is
// a configuration error that lists the available ones.
func ConfigDef(reg *connector.Registry, props map[string]string) (*config.Def, error) {
	def := config.NewDef()
	for _, kind := range []pluginKind{transformKind(), predicateKind()} {
		aliases, err := config.ParseValue(config.List, props[kind.listKey])
		if err != nil {
			continue // the framework def reports the bad list
		}
		seen := map[string]bool{}
		for _, alias := range aliases.([]string) {
			if seen[alias] {
				continue
			}
			seen[alias] = true
			if err := enrich(def, reg, props, kind, alias); err != nil {
				return nil, err
			}
		}
	}
	return def, nil
}

type pluginKind struct {
	listKey string // "transforms"
	group   string // "Transforms"
	name    string // "transformation", as in Kafka's docs
	simple  string // "Transformation", the Java interface
	typ     connector.PluginType
}

func transformKind() pluginKind {
	return pluginKind{keyTransforms, "Transforms", "transformation", "Transformation", connector.TypeTransformation}
}

func predicateKind() pluginKind {
	return pluginKind{keyPredicates, "Predicates", "predicate", "Predicate", connector.TypePredicate}
}

func enrich(def *config.Def, reg *connector.Registry, props map[string]string, kind pluginKind, alias string) error {
	prefix := kind.listKey + "." + alias + "."
	group := kind.group + ": " + alias
	typeKey := prefix + keyType
	def.Define(config.Key{Name: typeKey, Type: config.Class, Default: config.NoDefault,
		Validator: typeValidator(reg, props, kind, prefix), Importance: config.High,
		Doc:   "Class for the '" + alias + "' " + kind.name + ".",
		Group: group, Width: config.WidthLong, DisplayName: kind.simple + " type for " + alias,
		Recommender: classRecommender{reg: reg, typ: kind.typ}})
	cls := strings.TrimSpace(props[typeKey])
	if cls == "" {
		return nil // reported as a missing required key
	}
	p, ok := reg.Lookup(cls)
	if !ok || p.Type != kind.typ {
		reason := "Class " + cls + " could not be found."
		if ok {
			reason = "Not a " + kind.simple + "."
		}
		return config.InvalidValue(typeKey, cls, reason+" Available "+kind.name+"s: "+
			strings.Join(classes(reg, kind.typ), ", "))
	}
	child := config.NewDef()
	if kind.typ == connector.TypeTransformation {
		child.Define(config.Key{Name: keyPredicate, Type: config.String, Default: "", Importance: config.Medium,
			Doc: "The alias of a predicate used to determine whether to apply this transformation."})
		child.Define(config.Key{Name: keyNegate, Type: config.Boolean, Default: false, Importance: config.Medium,
			Doc: "Whether the configured predicate should be negated."})
	}
	if own := pluginDef(p); own != nil {
		for _, k := range own.Keys() {
			if kind.typ == connector.TypeTransformation && (k.Name == keyPredicate || k.Name == keyNegate) {
				continue // masked by the implicit keys, as in Connect
			}
			child.Define(k)
		}
	}
	embed(def, prefix, group, 1, child)
	return nil
}

func pluginDef(p connector.Plugin) *config.Def {
	switch x := p.New().(type) {
	case connector.Transformation:
		return x.Config()
	case connector.Predicate:
		return x.Config()
	}
	return nil
}

// typeValidator reports what Connect's type validator does: a negate without
// a predicate, an unknown class, a class of the wrong kind.
func typeValidator(reg *connector.Registry, props map[string]string, kind pluginKind, prefix string) config.Validator {
	return func(name string, v any) error {
		if kind.typ == connector.TypeTransformation {
			_, hasNegate := props[prefix+keyNegate]
			_, hasPred := props[prefix+keyPredicate]
			if hasNegate && !hasPred {
				return &config.Error{Msg: "Config '" + prefix + keyNegate + "' was provided but there is no config '" +
					prefix + keyPredicate + "' defining a predicate to be negated."}
			}
		}
		cls, _ := v.(string)
		p, ok := reg.Lookup(cls)
		if !ok {
			return fmt.Errorf("Class %s could not be found.", cls)
		}
		if p.Type != kind.typ {
			return config.InvalidValue(name, "class "+p.Class, "Not a "+kind.simple)
		}
		return nil
	}
}

func classes(reg *connector.Registry, typ connector.PluginType) []string {
	var out []string
	for _, p := range reg.List(false) {
		if p.Type == typ {
			out = append(out, p.Class)
		}
	}
	return out
}

// classRecommender recommends the installed plugins of one kind.
type classRecommender struct {
	reg *connector.Registry
	typ connector.PluginType
}

func (r classRecommender) ValidValues(string, map[string]any) []any {
	cs := classes(r.reg, r.typ)
	out := make([]any, len(cs))
	for i, c := range cs {
		out[i] = c
	}
	return out
}

func (r classRecommender) Visible(string, map[string]any) bool { return true }

// embed is ConfigDef.embed: child's keys, in ConfigDef.sortedConfigs order,
// prefixed, grouped under group and numbered from order.
func embed(def *config.Def, prefix, group string, order int, child *config.Def) {
	for _, k := range sortedKeys(child) {
		name := k.Name
		k.Name = prefix + name
		if k.Group == "" {
			k.Group = group
		} else {
			k.Group = group + ": " + k.Group
		}
		k.OrderInGroup = order
		order++
		if k.DisplayName == "" {
			k.DisplayName = name
		}
		if len(k.Dependents) > 0 {
			deps := make([]string, len(k.Dependents))
			for i, d := range k.Dependents {
				deps[i] = prefix + d
			}
			k.Dependents = deps
		}
		if base := k.Validator; base != nil {
			k.Validator = func(_ string, v any) error {
				// Connect validates embedded keys under their own names.
				if err := base(name, v); err != nil {
					if _, ok := err.(*config.Error); ok {
						return err
					}
					return config.InvalidValue(name, v, err.Error())
				}
				return nil
			}
		}
		if k.Recommender != nil {
			k.Recommender = embeddedRecommender{prefix: prefix, base: k.Recommender}
		}
		def.Define(k)
	}
}

// sortedKeys is ConfigDef.sortedConfigs: by group (ungrouped first), order
// in group, required before defaulted, importance, then name.
func sortedKeys(d *config.Def) []config.Key {
	groupOrd := map[string]int{}
	for i, g := range d.Groups() {
		groupOrd[g] = i
	}
	keys := append([]config.Key(nil), d.Keys()...)
	ord := func(k *config.Key) int {
		if k.OrderInGroup == 0 {
			return -1
		}
		return k.OrderInGroup
	}
	sort.SliceStable(keys, func(i, j int) bool {
		a, b := &keys[i], &keys[j]
		ga, gb := -1, -1
		if a.Group != "" {
			ga = groupOrd[a.Group]
		}
		if b.Group != "" {
			gb = groupOrd[b.Group]
		}
		if ga != gb {
			return ga < gb
		}
		if ord(a) != ord(b) {
			return ord(a) < ord(b)
		}
		if a.Required() != b.Required() {
			return a.Required()
		}
		if a.Importance != b.Importance {
			return a.Importance < b.Importance
		}
		return a.Name < b.Name
	})
	return keys
}

// embeddedRecommender shows a child recommender the unprefixed names.
type embeddedRecommender struct {
	prefix string
	base   config.Recommender
}

func (r embeddedRecommender) unprefixed(parsed map[string]any) map[string]any {
	out := make(map[string]any)
	for k, v := range parsed {
		if strings.HasPrefix(k, r.prefix) {
			out[k[len(r.prefix):]] = v
		}
	}
	return out
}

func (r embeddedRecommender) ValidValues(name string, parsed map[string]any) []any {
	return r.base.ValidValues(strings.TrimPrefix(name, r.prefix), r.unprefixed(parsed))
}

func (r embeddedRecommender) Visible(name string, parsed map[string]any) bool {
	return r.base.Visible(strings.TrimPrefix(name, r.prefix), r.unprefixed(parsed))
}
