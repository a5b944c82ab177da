package config

import (
	"fmt"
	"regexp"
	"strings"
)

// Result is the validation outcome of one key: Kafka's ConfigValue.
type Result struct {
	Name              string
	Value             any // parsed value, raw string when unparsable, nil when unset
	RecommendedValues []any
	Errors            []string
	Visible           bool
}

// Validate checks every defined key of props and returns one Result per key
// in definition order, collecting every error (ConfigDef.validate).
func (d *Def) Validate(props map[string]string) []Result {
	parsed := make(map[string]any, len(d.keys))
	results := make([]Result, len(d.keys))
	for i := range d.keys {
		k := &d.keys[i]
		r := Result{Name: k.Name, Visible: true, Errors: []string{}, RecommendedValues: []any{}}
		raw, set := props[k.Name]
		switch {
		case set:
			v, err := ParseValue(k.Type, raw)
			if err != nil {
				r.Value = raw
				r.Errors = append(r.Errors, InvalidValue(k.Name, raw, err.Error()).Msg)
			} else {
				r.Value = v
				parsed[k.Name] = v
			}
		case k.Required():
			r.Errors = append(r.Errors, MissingRequired(k.Name).Msg)
		default:
			r.Value = k.Default
			parsed[k.Name] = k.Default
		}
		results[i] = r
	}
	for i := range d.keys {
		k := &d.keys[i]
		r := &results[i]
		v, ok := parsed[k.Name]
		if ok && k.Validator != nil && v != nil {
			if err := k.Validator(k.Name, v); err != nil {
				if ce, isCE := err.(*Error); isCE {
					r.Errors = append(r.Errors, ce.Msg)
				} else {
					r.Errors = append(r.Errors, InvalidValue(k.Name, v, err.Error()).Msg)
				}
			}
		}
		if k.Recommender != nil {
			r.RecommendedValues = append(r.RecommendedValues, k.Recommender.ValidValues(k.Name, parsed)...)
			r.Visible = k.Recommender.Visible(k.Name, parsed)
		}
	}
	return results
}

// ErrorCount sums the errors of results.
func ErrorCount(results []Result) int {
	n := 0
	for _, r := range results {
		n += len(r.Errors)
	}
	return n
}

// AtLeast is Range.atLeast.
func AtLeast(min int64) Validator {
	return func(_ string, v any) error {
		if n, ok := asInt64(v); ok && n < min {
			return fmt.Errorf("Value must be at least %d", min)
		}
		return nil
	}
}

// Between is Range.between.
func Between(min, max int64) Validator {
	return func(_ string, v any) error {
		n, ok := asInt64(v)
		if !ok {
			return nil
		}
		if n < min {
			return fmt.Errorf("Value must be at least %d", min)
		}
		if n > max {
			return fmt.Errorf("Value must be no more than %d", max)
		}
		return nil
	}
}

func asInt64(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int16:
		return int64(n), true
	case int64:
		return n, true
	case float64:
		return int64(n), true
	}
	return 0, false
}

// OneOf is ValidString.in: the value must be one of the given strings exactly.
func OneOf(allowed ...string) Validator {
	return func(_ string, v any) error {
		s, _ := v.(string)
		for _, a := range allowed {
			if s == a {
				return nil
			}
		}
		return fmt.Errorf("String must be one of: %s", strings.Join(allowed, ", "))
	}
}

// OneOfIgnoreCase is CaseInsensitiveValidString.in.
func OneOfIgnoreCase(allowed ...string) Validator {
	return func(_ string, v any) error {
		s, _ := v.(string)
		for _, a := range allowed {
			if strings.EqualFold(s, a) {
				return nil
			}
		}
		return fmt.Errorf("String must be one of (case insensitive): %s", strings.Join(allowed, ", "))
	}
}

// NonEmptyString is ConfigDef.NonEmptyString.
func NonEmptyString(_ string, v any) error {
	if s, ok := v.(string); ok && s == "" {
		return fmt.Errorf("String may not be empty")
	}
	return nil
}

// ValidRegex checks that a STRING value (or each LIST element) compiles as a
// regular expression.
func ValidRegex(_ string, v any) error {
	var items []string
	switch x := v.(type) {
	case string:
		items = []string{x}
	case []string:
		items = x
	}
	for _, s := range items {
		if _, err := regexp.Compile(s); err != nil {
			return fmt.Errorf("not a valid regular expression: %v", err)
		}
	}
	return nil
}

// All runs validators in order and returns the first error.
func All(vs ...Validator) Validator {
	return func(name string, v any) error {
		for _, f := range vs {
			if err := f(name, v); err != nil {
				return err
			}
		}
		return nil
	}
}
