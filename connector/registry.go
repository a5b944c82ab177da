package connector

import (
	"fmt"
	"sort"
	"strings"
)

// PluginType is how /connector-plugins names a plugin's kind.
type PluginType string

const (
	TypeSink            PluginType = "sink"
	TypeSource          PluginType = "source"
	TypeTransformation  PluginType = "transformation"
	TypePredicate       PluginType = "predicate"
	TypeConverter       PluginType = "converter"
	TypeHeaderConverter PluginType = "header_converter"
)

// typeOrder is the listing order of /connector-plugins.
var typeOrder = map[PluginType]int{TypeSink: 0, TypeSource: 1, TypeTransformation: 2,
	TypePredicate: 3, TypeConverter: 4, TypeHeaderConverter: 5}

// Plugin describes one installed plugin.
type Plugin struct {
	// Class is the Java class name users configure, e.g.
	// "io.debezium.connector.postgresql.PostgresConnector".
	Class   string
	Type    PluginType
	Version string
	// New returns a fresh instance: a SourceConnector, SinkConnector,
	// Transformation, Predicate, Converter or HeaderConverter per Type.
	New func() any
}

// Registry maps class names and aliases to plugins. It is a value built at
// start-up from an explicit list; it is read-only afterwards.
type Registry struct {
	plugins []Plugin
	byName  map[string]int // class and unambiguous aliases
}

// NewRegistry builds a registry. A nil constructor or a duplicate class is a
// programming error and panics, as sql.Register does.
func NewRegistry(plugins ...Plugin) *Registry {
	r := &Registry{byName: map[string]int{}}
	aliasCount := map[string]int{}
	for i, p := range plugins {
		if p.New == nil || p.Class == "" {
			panic(fmt.Sprintf("connector: plugin %d has no class or constructor", i))
		}
		if _, dup := r.byName[p.Class]; dup {
			panic("connector: plugin registered twice: " + p.Class)
		}
		r.byName[p.Class] = i
		for _, a := range aliases(p) {
			aliasCount[a]++
		}
	}
	r.plugins = append(r.plugins, plugins...)
	for i, p := range plugins {
		for _, a := range aliases(p) {
			if _, isClass := r.byName[a]; !isClass && aliasCount[a] == 1 {
				r.byName[a] = i
			}
		}
	}
	return r
}

// aliases returns Kafka's aliases for a plugin: the simple class name and the
// simple name without its type suffix (FileStreamSinkConnector → FileStreamSink).
func aliases(p Plugin) []string {
	simple := p.Class
	if i := strings.LastIndexByte(simple, '.'); i >= 0 {
		simple = simple[i+1:]
	}
	out := []string{simple}
	var suffix string
	switch p.Type {
	case TypeSink, TypeSource:
		suffix = "Connector"
	case TypeConverter:
		suffix = "Converter"
	case TypeHeaderConverter:
		suffix = "HeaderConverter"
	case TypeTransformation:
		suffix = "Transformation"
	case TypePredicate:
		suffix = "Predicate"
	}
	if pruned := strings.TrimSuffix(simple, suffix); pruned != simple && pruned != "" {
		out = append(out, pruned)
	}
	return out
}

// Lookup finds a plugin by class name or alias.
func (r *Registry) Lookup(name string) (Plugin, bool) {
	i, ok := r.byName[strings.TrimSpace(name)]
	if !ok {
		return Plugin{}, false
	}
	return r.plugins[i], true
}

// LookupConnector finds a source or sink connector plugin.
func (r *Registry) LookupConnector(name string) (Plugin, bool) {
	p, ok := r.Lookup(name)
	if !ok || (p.Type != TypeSource && p.Type != TypeSink) {
		return Plugin{}, false
	}
	return p, true
}

// List returns plugins in /connector-plugins order: sinks, sources, then the
// other kinds, each sorted by class name. With connectorsOnly, only sinks and
// sources.
func (r *Registry) List(connectorsOnly bool) []Plugin {
	var out []Plugin
	for _, p := range r.plugins {
		if connectorsOnly && p.Type != TypeSink && p.Type != TypeSource {
			continue
		}
		out = append(out, p)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if typeOrder[out[i].Type] != typeOrder[out[j].Type] {
			return typeOrder[out[i].Type] < typeOrder[out[j].Type]
		}
		return out[i].Class < out[j].Class
	})
	return out
}
