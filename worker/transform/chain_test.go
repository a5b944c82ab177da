package transform

import (
	"errors"
	"strings"
	"testing"

	"github.com/wharf-project/wharf/connector"
)

func TestPredicates(t *testing.T) {
	hdr := connector.Headers{{Key: "trace", Value: "1"}}
	tests := []struct {
		name   string
		props  map[string]string
		rec    connector.Record
		negate bool
		want   bool // predicate result
	}{
		{"topic matches", map[string]string{"type": "TopicNameMatches", "pattern": "db\\..*"}, connector.Record{Topic: "db.users"}, false, true},
		{"topic partial", map[string]string{"type": ClassTopicNameMatches, "pattern": "db"}, connector.Record{Topic: "db.users"}, false, false},
		{"header present", map[string]string{"type": ClassHasHeaderKey, "name": "trace"}, connector.Record{Headers: hdr, Value: 1}, false, true},
		{"header absent", map[string]string{"type": ClassHasHeaderKey, "name": "span"}, connector.Record{Headers: hdr}, false, false},
		{"tombstone", map[string]string{"type": ClassRecordIsTombstone}, connector.Record{}, false, true},
		{"not tombstone", map[string]string{"type": ClassRecordIsTombstone}, connector.Record{Value: "v"}, false, false},
		{"negated tombstone", map[string]string{"type": ClassRecordIsTombstone}, connector.Record{Value: "v"}, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			props := map[string]string{"transforms": "route", "transforms.route.type": ClassRegexRouter,
				"transforms.route.regex": ".*", "transforms.route.replacement": "routed",
				"transforms.route.predicate": "p", "predicates": "p"}
			if tt.negate {
				props["transforms.route.negate"] = "true"
			}
			for k, v := range tt.props {
				props["predicates.p."+k] = v
			}
			c := chain(t, props)
			r := tt.rec
			r.Topic = orDefault(r.Topic, "orig")
			if _, err := c.Apply(&r); err != nil {
				t.Fatal(err)
			}
			if applied := r.Topic == "routed"; applied != tt.want {
				t.Fatalf("transformation applied = %v, want %v", applied, tt.want)
			}
		})
	}
	msg := chainErr(t, map[string]string{"transforms": "a", "transforms.a.type": ClassRegexRouter,
		"transforms.a.regex": "x", "transforms.a.replacement": "y", "transforms.a.predicate": "p",
		"predicates": "p", "predicates.p.type": ClassTopicNameMatches, "predicates.p.pattern": "[x"})
	if !startsWith(msg, "Invalid value [x for configuration pattern: Invalid regex: ") {
		t.Fatalf("error = %q", msg)
	}
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func TestChainOrderAndDrop(t *testing.T) {
	c := chain(t, map[string]string{
		"transforms":                          "first,dropTombstones,second",
		"transforms.first.type":               ClassRegexRouter,
		"transforms.first.regex":              "(.*)",
		"transforms.first.replacement":        "$1-a",
		"transforms.second.type":              ClassRegexRouter,
		"transforms.second.regex":             "(.*)",
		"transforms.second.replacement":       "$1-b",
		"transforms.dropTombstones.type":      ClassExtractNewRecState,
		"transforms.dropTombstones.negate":    "false",
		"transforms.dropTombstones.predicate": "tomb",
		"predicates":                          "tomb",
		"predicates.tomb.type":                ClassRecordIsTombstone,
	})
	r := &connector.Record{Topic: "t", Value: "not an envelope"}
	if keep, err := c.Apply(r); !keep || err != nil || r.Topic != "t-a-b" {
		t.Fatalf("keep=%v err=%v topic=%q, want t-a-b", keep, err, r.Topic)
	}
	tomb := &connector.Record{Topic: "t"}
	if keep, err := c.Apply(tomb); keep || err != nil || tomb.Topic != "t-a" {
		t.Fatalf("tombstone: keep=%v err=%v topic=%q: want dropped after first stage", keep, err, tomb.Topic)
	}
	if c.Len() != 3 {
		t.Fatalf("Len = %d", c.Len())
	}
}

func TestEmptyChain(t *testing.T) {
	for _, props := range []map[string]string{{}, {"transforms": ""}, {"transforms": " "}} {
		c := chain(t, props)
		r := &connector.Record{Topic: "t"}
		if keep, err := c.Apply(r); !keep || err != nil || c.Len() != 0 {
			t.Fatalf("%v: keep=%v err=%v", props, keep, err)
		}
	}
	var nilChain *Chain
	if keep, err := nilChain.Apply(&connector.Record{}); !keep || err != nil {
		t.Fatal("nil chain drops")
	}
}

// TestHotPathAllocations pins the per-record cost of the cheap paths: an
// empty chain, a routed topic seen before, a predicate that skips a stage.
func TestHotPathAllocations(t *testing.T) {
	empty := chain(t, map[string]string{})
	routed := single(t, ClassRegexRouter, map[string]string{"regex": "(.*)", "replacement": "x-$1"})
	skipped := chain(t, map[string]string{"transforms": "a", "transforms.a.type": ClassInsertFieldValue,
		"transforms.a.topic.field": "t", "transforms.a.predicate": "p", "predicates": "p",
		"predicates.p.type": ClassTopicNameMatches, "predicates.p.pattern": "other"})
	for name, c := range map[string]*Chain{"empty": empty, "routed": routed, "skipped": skipped} {
		r := &connector.Record{Topic: "t", Value: "v"}
		allocs := testing.AllocsPerRun(100, func() {
			r.Topic = "t"
			if _, err := c.Apply(r); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per record", name, allocs)
		}
	}
}

func TestChainConfigErrors(t *testing.T) {
	tests := []struct {
		name  string
		props map[string]string
		want  string
	}{
		{"duplicate alias", map[string]string{"transforms": "a,b,a"},
			"Invalid value [a, b, a] for configuration transforms: Duplicate alias provided."},
		{"missing type", map[string]string{"transforms": "a"},
			`Missing required configuration "transforms.a.type" which has no default value.`},
		{"unknown class", map[string]string{"transforms": "a", "transforms.a.type": "com.example.Nope"},
			"Invalid value com.example.Nope for configuration transforms.a.type: Class com.example.Nope could not be found. Available transformations: " +
				"io.debezium.transforms.ExtractNewRecordState, org.apache.kafka.connect.transforms.InsertField$Key, " +
				"org.apache.kafka.connect.transforms.InsertField$Value, org.apache.kafka.connect.transforms.RegexRouter, " +
				"org.apache.kafka.connect.transforms.ReplaceField$Key, org.apache.kafka.connect.transforms.ReplaceField$Value"},
		{"predicate as transformation", map[string]string{"transforms": "a", "transforms.a.type": ClassRecordIsTombstone},
			"Invalid value " + ClassRecordIsTombstone + " for configuration transforms.a.type: Not a Transformation. Available transformations: "},
		{"negate without predicate", map[string]string{"transforms": "a", "transforms.a.type": ClassReplaceFieldValue,
			"transforms.a.negate": "true"},
			"Config 'transforms.a.negate' was provided but there is no config 'transforms.a.predicate' defining a predicate to be negated."},
		{"undeclared predicate", map[string]string{"transforms": "a", "transforms.a.type": ClassReplaceFieldValue,
			"transforms.a.predicate": "p"}, "Unknown configuration 'predicates.p.type'"},
		{"bad negate", map[string]string{"transforms": "a", "transforms.a.type": ClassReplaceFieldValue,
			"transforms.a.predicate": "p", "transforms.a.negate": "maybe", "predicates": "p", "predicates.p.type": ClassRecordIsTombstone},
			"Invalid value maybe for configuration transforms.a.negate: Expected value to be either true or false"},
		{"predicate missing type", map[string]string{"predicates": "p"},
			`Missing required configuration "predicates.p.type" which has no default value.`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := chainErr(t, tt.props); got != tt.want && !(strings.HasSuffix(tt.want, ": ") && startsWith(got, tt.want)) {
				t.Fatalf("error =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestChainErrorNamesStage(t *testing.T) {
	c := single(t, ClassInsertFieldValue, map[string]string{"topic.field": "t"})
	_, err := c.Apply(&connector.Record{Value: int64(1)})
	var se *Error
	if !errors.As(err, &se) || se.Alias != "x" || se.Class != ClassInsertFieldValue {
		t.Fatalf("error = %#v", err)
	}
	want := `transformation "x" (org.apache.kafka.connect.transforms.InsertField$Value): ` +
		"Only Map objects supported in absence of schema for [field insertion], found: java.lang.Long"
	if err.Error() != want {
		t.Fatalf("error = %q, want %q", err, want)
	}
}
