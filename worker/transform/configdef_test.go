package transform

import (
	"reflect"
	"testing"

	"github.com/wharf-project/wharf/connector/config"
)

func TestConfigDef(t *testing.T) {
	props := map[string]string{
		"transforms":                   "route,unwrap",
		"transforms.route.type":        "RegexRouter",
		"transforms.route.predicate":   "isDb",
		"transforms.unwrap.type":       ClassExtractNewRecState,
		"predicates":                   "isDb",
		"predicates.isDb.type":         ClassTopicNameMatches,
		"transforms.route.regex":       "db\\.(.*)",
		"transforms.route.replacement": "$1",
	}
	def, err := ConfigDef(registry(), props)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Name, Group string
		Order       int
		Required    bool
		Type        config.Type
		Display     string
	}
	var got []row
	for _, k := range def.Keys() {
		got = append(got, row{k.Name, k.Group, k.OrderInGroup, k.Required(), k.Type, k.DisplayName})
	}
	want := []row{
		{"transforms.route.type", "Transforms: route", 0, true, config.Class, "Transformation type for route"},
		{"transforms.route.regex", "Transforms: route", 1, true, config.String, "regex"},
		{"transforms.route.replacement", "Transforms: route", 2, true, config.String, "replacement"},
		{"transforms.route.negate", "Transforms: route", 3, false, config.Boolean, "negate"},
		{"transforms.route.predicate", "Transforms: route", 4, false, config.String, "predicate"},
		{"transforms.unwrap.type", "Transforms: unwrap", 0, true, config.Class, "Transformation type for unwrap"},
		{"transforms.unwrap.delete.handling.mode", "Transforms: unwrap", 1, false, config.String, "Handle delete records"},
		{"transforms.unwrap.delete.tombstone.handling.mode", "Transforms: unwrap", 2, false, config.String, "Handle delete and tombstone records"},
		{"transforms.unwrap.negate", "Transforms: unwrap", 3, false, config.Boolean, "negate"},
		{"transforms.unwrap.predicate", "Transforms: unwrap", 4, false, config.String, "predicate"},
		{"transforms.unwrap.add.fields", "Transforms: unwrap", 5, false, config.List, "Adds the specified field(s) to the message if they exist."},
		{"transforms.unwrap.add.fields.prefix", "Transforms: unwrap", 6, false, config.String, "Field prefix to be added to each field."},
		{"transforms.unwrap.add.headers", "Transforms: unwrap", 7, false, config.List, "Adds the specified fields to the header if they exist."},
		{"transforms.unwrap.add.headers.prefix", "Transforms: unwrap", 8, false, config.String, "Header prefix to be added to each header."},
		{"transforms.unwrap.drop.tombstones", "Transforms: unwrap", 9, false, config.Boolean, "Drop tombstones"},
		{"transforms.unwrap.replace.null.with.default", "Transforms: unwrap", 10, false, config.Boolean, "replace null field value with default"},
		{"transforms.unwrap.route.by.field", "Transforms: unwrap", 11, false, config.String, "Route by field name"},
		{"predicates.isDb.type", "Predicates: isDb", 0, true, config.Class, "Predicate type for isDb"},
		{"predicates.isDb.pattern", "Predicates: isDb", 1, true, config.String, "pattern"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("keys:\n%v\nwant\n%v", got, want)
	}
	k, _ := def.Key("transforms.route.type")
	if k.Doc != "Class for the 'route' transformation." || k.Importance != config.High || k.Width != config.WidthLong {
		t.Errorf("type key = %+v", k)
	}
	if recs := k.Recommender.ValidValues(k.Name, nil); len(recs) != 6 || recs[0] != ClassExtractNewRecState {
		t.Errorf("recommended = %v", recs)
	}

	results := def.Validate(props)
	byName := map[string]config.Result{}
	for _, r := range results {
		byName[r.Name] = r
	}
	if errs := byName["predicates.isDb.pattern"].Errors; len(errs) != 1 ||
		errs[0] != `Missing required configuration "predicates.isDb.pattern" which has no default value.` {
		t.Errorf("pattern errors = %v", errs)
	}
	props["transforms.route.regex"] = "("
	props["predicates.isDb.pattern"] = "db.*"
	results = def.Validate(props)
	for _, r := range results {
		switch r.Name {
		case "transforms.route.regex":
			if len(r.Errors) != 1 || !startsWith(r.Errors[0], "Invalid value ( for configuration regex: Invalid regex: ") {
				t.Errorf("regex errors = %v", r.Errors)
			}
		default:
			if len(r.Errors) != 0 {
				t.Errorf("%s errors = %v", r.Name, r.Errors)
			}
		}
	}

	if _, err := ConfigDef(registry(), map[string]string{"transforms": "a", "transforms.a.type": "Nope"}); err == nil {
		t.Fatal("unknown class: no error")
	}
	def, err = ConfigDef(registry(), map[string]string{"transforms": "a"})
	if err != nil || len(def.Keys()) != 1 {
		t.Fatalf("missing type: def=%v err=%v", def.Keys(), err)
	}
}
