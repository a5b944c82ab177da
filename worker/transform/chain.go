package transform

import (
	"errors"
	"fmt"
	"strings"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/config"
)

const (
	// keyTransforms is the connector's "transforms" (default empty): aliases
	// of the transformations, applied in order.
	keyTransforms = "transforms"
	// keyPredicates is "predicates" (default empty): aliases of predicates.
	keyPredicates = "predicates"
	// keyType is "<kind>.<alias>.type" (required): class or alias of the plugin.
	keyType = "type"
	// keyPredicate is "transforms.<alias>.predicate" (default ""): the alias of
	// the predicate deciding whether the transformation applies.
	keyPredicate = "predicate"
	// keyNegate is "transforms.<alias>.negate" (default false): apply the
	// transformation when the predicate is false instead.
	keyNegate = "negate"
)

// Error is a transformation's failure on a record; it names the stage as
// Connect's error reporter does.
type Error struct {
	Alias string
	Class string
	Err   error
}

func (e *Error) Error() string {
	return fmt.Sprintf("transformation %q (%s): %v", e.Alias, e.Class, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// sinkApplier is implemented by transformations that read what only a sink
// record has (InsertField's offset.field reads the Kafka offset).
type sinkApplier interface {
	applySink(r *connector.SinkRecord) (bool, error)
}

type stage struct {
	alias  string
	class  string
	t      connector.Transformation
	sink   sinkApplier // t, when it reads sink metadata
	pred   connector.Predicate
	negate bool
}

// Chain is a connector's configured sequence of transformations. The zero
// value and a nil *Chain are empty chains.
type Chain struct {
	stages []stage
}

// NewChain builds and configures the chain that props ("transforms",
// "transforms.<alias>.*", "predicates", "predicates.<alias>.*") describe.
func NewChain(reg *connector.Registry, props map[string]string) (*Chain, error) {
	aliases, err := parseAliases(props, keyTransforms)
	if err != nil {
		return nil, err
	}
	if _, err := parseAliases(props, keyPredicates); err != nil {
		return nil, err
	}
	if len(aliases) == 0 {
		if _, set := props[keyPredicates]; !set {
			return &Chain{}, nil
		}
	}
	def, err := ConfigDef(reg, props)
	if err != nil {
		return nil, err
	}
	if _, err := def.Parse(props); err != nil {
		return nil, err
	}
	c := &Chain{stages: make([]stage, 0, len(aliases))}
	for _, alias := range aliases {
		s, err := newStage(reg, props, alias)
		if err != nil {
			c.Close()
			return nil, err
		}
		c.stages = append(c.stages, s)
	}
	return c, nil
}

func newStage(reg *connector.Registry, props map[string]string, alias string) (stage, error) {
	prefix := keyTransforms + "." + alias + "."
	p, _ := reg.Lookup(props[prefix+keyType])
	s := stage{alias: alias, class: p.Class}
	t, ok := p.New().(connector.Transformation)
	if !ok {
		return s, fmt.Errorf("transformation %q: %s does not implement Transformation", alias, p.Class)
	}
	if err := t.Configure(stripPrefix(props, prefix, keyType, keyPredicate, keyNegate)); err != nil {
		return s, &Error{Alias: alias, Class: p.Class, Err: err}
	}
	s.t = t
	s.sink, _ = t.(sinkApplier)
	predAlias := props[prefix+keyPredicate]
	if predAlias == "" {
		return s, nil
	}
	s.negate = strings.EqualFold(props[prefix+keyNegate], "true") // Boolean.parseBoolean
	predPrefix := keyPredicates + "." + predAlias + "."
	pp, found := reg.Lookup(props[predPrefix+keyType])
	if !found || !listed(props, keyPredicates, predAlias) {
		t.Close()
		return s, &config.Error{Msg: fmt.Sprintf("Unknown configuration '%s'", predPrefix+keyType)}
	}
	pred, ok := pp.New().(connector.Predicate)
	if !ok {
		t.Close()
		return s, fmt.Errorf("predicate %q: %s does not implement Predicate", predAlias, pp.Class)
	}
	if err := pred.Configure(stripPrefix(props, predPrefix, keyType)); err != nil {
		t.Close()
		return s, &Error{Alias: predAlias, Class: pp.Class, Err: err}
	}
	s.pred = pred
	return s, nil
}

// parseAliases reads a LIST of aliases and rejects duplicates as
// ConnectorConfig's alias validator does.
func parseAliases(props map[string]string, key string) ([]string, error) {
	raw, ok := props[key]
	if !ok {
		return nil, nil
	}
	v, err := config.ParseValue(config.List, raw)
	if err != nil {
		return nil, config.InvalidValue(key, raw, err.Error())
	}
	aliases := v.([]string)
	seen := make(map[string]bool, len(aliases))
	for _, a := range aliases {
		if seen[a] {
			return nil, &config.Error{Msg: "Invalid value [" + strings.Join(aliases, ", ") +
				"] for configuration " + key + ": Duplicate alias provided."}
		}
		seen[a] = true
	}
	return aliases, nil
}

func listed(props map[string]string, key, alias string) bool {
	v, err := config.ParseValue(config.List, props[key])
	if err != nil {
		return false
	}
	for _, a := range v.([]string) {
		if a == alias {
			return true
		}
	}
	return false
}

// stripPrefix returns the keys under prefix with the prefix removed, less
// the framework's own keys.
func stripPrefix(props map[string]string, prefix string, skip ...string) map[string]string {
	out := make(map[string]string)
	for k, v := range props {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		name := k[len(prefix):]
		drop := false
		for _, s := range skip {
			drop = drop || name == s
		}
		if !drop {
			out[name] = v
		}
	}
	return out
}

// Apply runs the chain on r, in place. keep is false when a transformation
// dropped the record; the chain stops there, as Connect's does.
func (c *Chain) Apply(r *connector.Record) (keep bool, err error) {
	if c == nil {
		return true, nil
	}
	for i := range c.stages {
		s := &c.stages[i]
		if s.pred != nil && s.pred.Test(r) == s.negate {
			continue
		}
		keep, err := s.t.Apply(r)
		if err != nil {
			return false, &Error{Alias: s.alias, Class: s.class, Err: err}
		}
		if !keep {
			return false, nil
		}
	}
	return true, nil
}

// ApplySink is Apply for sink records: transformations that read sink-only
// metadata (InsertField's offset.field) see the Kafka offset.
func (c *Chain) ApplySink(r *connector.SinkRecord) (keep bool, err error) {
	if c == nil {
		return true, nil
	}
	for i := range c.stages {
		s := &c.stages[i]
		if s.pred != nil && s.pred.Test(&r.Record) == s.negate {
			continue
		}
		if s.sink != nil {
			keep, err = s.sink.applySink(r)
		} else {
			keep, err = s.t.Apply(&r.Record)
		}
		if err != nil {
			return false, &Error{Alias: s.alias, Class: s.class, Err: err}
		}
		if !keep {
			return false, nil
		}
	}
	return true, nil
}

// Len returns the number of transformations.
func (c *Chain) Len() int {
	if c == nil {
		return 0
	}
	return len(c.stages)
}

// Close closes every transformation and predicate.
func (c *Chain) Close() error {
	if c == nil {
		return nil
	}
	var errs []error
	for _, s := range c.stages {
		if s.t != nil {
			errs = append(errs, s.t.Close())
		}
		if s.pred != nil {
			errs = append(errs, s.pred.Close())
		}
	}
	c.stages = nil
	return errors.Join(errs...)
}
