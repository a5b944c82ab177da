// Package config is Kafka's ConfigDef for Go: typed keys with defaults,
// importance, groups, validators and recommenders, parsing of string
// properties into typed values, and per-key validation results with the exact
// messages Kafka Connect returns.
//
// A Def is built once (usually in a connector's constructor) and is then
// read-only and safe for concurrent use.
package config

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Type is a ConfigDef key type. String returns Kafka's name (BOOLEAN, STRING …).
type Type int

const (
	Boolean Type = iota + 1
	String
	Int
	Short
	Long
	Double
	List
	Class
	Password
)

var typeNames = [...]string{Boolean: "BOOLEAN", String: "STRING", Int: "INT", Short: "SHORT",
	Long: "LONG", Double: "DOUBLE", List: "LIST", Class: "CLASS", Password: "PASSWORD"}

func (t Type) String() string { return typeNames[t] }

// Importance of a key, as shown by /connector-plugins/{plugin}/config.
type Importance int

const (
	High Importance = iota
	Medium
	Low
)

func (i Importance) String() string { return [...]string{"HIGH", "MEDIUM", "LOW"}[i] }

// Width is the display width hint of a key.
type Width int

const (
	WidthNone Width = iota
	WidthShort
	WidthMedium
	WidthLong
)

func (w Width) String() string { return [...]string{"NONE", "SHORT", "MEDIUM", "LONG"}[w] }

type noDefault struct{}

// NoDefault marks a key as required: it has no default value.
var NoDefault any = noDefault{}

// Hidden is how PASSWORD values and defaults are rendered.
const Hidden = "[hidden]"

// Validator checks a parsed value. The returned error's text is the reason
// that follows "Invalid value V for configuration K: ".
type Validator func(name string, value any) error

// Recommender suggests values and visibility from the other parsed values.
type Recommender interface {
	ValidValues(name string, parsed map[string]any) []any
	Visible(name string, parsed map[string]any) bool
}

// Key defines one configuration key.
type Key struct {
	Name         string
	Type         Type
	Default      any // NoDefault when required; otherwise a value of the key's Go type or its string form
	Importance   Importance
	Doc          string
	Group        string
	OrderInGroup int // 0 means unset (-1 on the wire)
	Width        Width
	DisplayName  string
	Dependents   []string
	Validator    Validator
	Recommender  Recommender
}

// Required reports whether the key has no default.
func (k *Key) Required() bool { return k.Default == NoDefault }

// Def is an ordered set of keys.
type Def struct {
	keys  []Key
	index map[string]int
}

// NewDef returns an empty Def.
func NewDef() *Def { return &Def{index: map[string]int{}} }

// Define adds a key. A key without Default is required only when Default is
// NoDefault; a nil Default means "defaults to null". Defining a name twice
// panics: it is a programming error.
func (d *Def) Define(k Key) *Def {
	if _, dup := d.index[k.Name]; dup {
		panic(fmt.Sprintf("config: key %q defined twice", k.Name))
	}
	if k.Default != nil && k.Default != NoDefault {
		if s, ok := k.Default.(string); ok && k.Type != String && k.Type != Password && k.Type != Class {
			v, err := ParseValue(k.Type, s)
			if err != nil {
				panic(fmt.Sprintf("config: invalid default for %q: %v", k.Name, err))
			}
			k.Default = v
		}
	}
	d.index[k.Name] = len(d.keys)
	d.keys = append(d.keys, k)
	return d
}

// Merge returns a new Def with the keys of d followed by the keys of o that d
// does not define.
func (d *Def) Merge(o *Def) *Def {
	n := NewDef()
	for _, k := range d.keys {
		n.Define(k)
	}
	if o != nil {
		for _, k := range o.keys {
			if _, ok := n.index[k.Name]; !ok {
				n.Define(k)
			}
		}
	}
	return n
}

// Keys returns the keys in definition order. The slice must not be modified.
func (d *Def) Keys() []Key { return d.keys }

// Key returns the named key.
func (d *Def) Key(name string) (*Key, bool) {
	i, ok := d.index[name]
	if !ok {
		return nil, false
	}
	return &d.keys[i], true
}

// Groups returns the group names in first-seen order.
func (d *Def) Groups() []string {
	var out []string
	seen := map[string]bool{}
	for _, k := range d.keys {
		if k.Group != "" && !seen[k.Group] {
			seen[k.Group] = true
			out = append(out, k.Group)
		}
	}
	return out
}

// Error is a configuration error with Kafka's message text.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

// InvalidValue formats Kafka's ConfigException(name, value, reason) text.
func InvalidValue(name string, value any, reason string) *Error {
	msg := "Invalid value " + FormatValue(value) + " for configuration " + name
	if reason != "" {
		msg += ": " + reason
	}
	return &Error{Msg: msg}
}

// MissingRequired formats Kafka's missing-key text.
func MissingRequired(name string) *Error {
	return &Error{Msg: fmt.Sprintf("Missing required configuration %q which has no default value.", name)}
}

// Parse turns string properties into typed values for every defined key,
// applying defaults and validators. Unknown keys are ignored. The first error
// is returned; use Validate to collect all of them.
func (d *Def) Parse(props map[string]string) (Values, error) {
	vals := make(map[string]any, len(d.keys))
	for i := range d.keys {
		k := &d.keys[i]
		v, err := d.parseKey(k, props)
		if err != nil {
			return Values{}, err
		}
		vals[k.Name] = v
	}
	return Values{m: vals}, nil
}

func (d *Def) parseKey(k *Key, props map[string]string) (any, error) {
	raw, set := props[k.Name]
	var v any
	switch {
	case set:
		pv, err := ParseValue(k.Type, raw)
		if err != nil {
			return nil, InvalidValue(k.Name, raw, err.Error())
		}
		v = pv
	case k.Required():
		return nil, MissingRequired(k.Name)
	default:
		v = k.Default
	}
	if k.Validator != nil && (set || v != nil) {
		if err := k.Validator(k.Name, v); err != nil {
			var ce *Error
			if e, ok := err.(*Error); ok {
				ce = e
			} else {
				ce = InvalidValue(k.Name, v, err.Error())
			}
			return nil, ce
		}
	}
	return v, nil
}

// ParseValue parses s as type t, with Kafka's ConfigDef.parseType rules.
func ParseValue(t Type, s string) (any, error) {
	trimmed := strings.TrimSpace(s)
	switch t {
	case Boolean:
		switch strings.ToLower(trimmed) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, fmt.Errorf("Expected value to be either true or false")
	case String, Class:
		return trimmed, nil
	case Password:
		return PasswordValue(s), nil
	case Int:
		n, err := strconv.ParseInt(trimmed, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("Not a number of type INT")
		}
		return int(n), nil
	case Short:
		n, err := strconv.ParseInt(trimmed, 10, 16)
		if err != nil {
			return nil, fmt.Errorf("Not a number of type SHORT")
		}
		return int16(n), nil
	case Long:
		n, err := strconv.ParseInt(trimmed, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("Not a number of type LONG")
		}
		return n, nil
	case Double:
		f, err := strconv.ParseFloat(trimmed, 64)
		if err != nil {
			return nil, fmt.Errorf("Not a number of type DOUBLE")
		}
		return f, nil
	case List:
		if trimmed == "" {
			return []string{}, nil
		}
		parts := strings.Split(trimmed, ",")
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		return parts, nil
	}
	return nil, fmt.Errorf("unknown type %d", t)
}

// FormatValue renders a parsed value as ConfigDef.convertToString does
// (lists joined by commas, passwords hidden).
func FormatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case []string:
		return strings.Join(x, ",")
	case PasswordValue:
		return Hidden
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return fmt.Sprint(x)
	}
}

// PasswordValue marks a parsed password so it is never printed by accident.
type PasswordValue string

func (PasswordValue) String() string { return Hidden }

// Values holds parsed values by key name.
type Values struct{ m map[string]any }

// Get returns the raw parsed value.
func (v Values) Get(name string) any { return v.m[name] }

// String returns a STRING/CLASS value ("" when null).
func (v Values) String(name string) string {
	switch s := v.m[name].(type) {
	case string:
		return s
	case PasswordValue:
		return string(s)
	}
	return ""
}

// Password returns a PASSWORD value in clear text.
func (v Values) Password(name string) string { return v.String(name) }

// Int returns an INT value.
func (v Values) Int(name string) int { n, _ := v.m[name].(int); return n }

// Long returns a LONG value.
func (v Values) Long(name string) int64 {
	switch n := v.m[name].(type) {
	case int64:
		return n
	case int:
		return int64(n)
	}
	return 0
}

// Double returns a DOUBLE value.
func (v Values) Double(name string) float64 { f, _ := v.m[name].(float64); return f }

// Bool returns a BOOLEAN value.
func (v Values) Bool(name string) bool { b, _ := v.m[name].(bool); return b }

// List returns a LIST value.
func (v Values) List(name string) []string { l, _ := v.m[name].([]string); return l }

// SortedKeys returns the keys of props sorted, for deterministic messages.
func SortedKeys(props map[string]string) []string {
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
