package avroschema

import (
	"strings"
	"testing"
)

// TestParseAndWrite: parsing then writing gives Avro's Schema.toString form.
func TestParseAndWrite(t *testing.T) {
	cases := map[string]string{
		`"int"`:           `"int"`,
		`{"type":"long"}`: `"long"`,
		`{ "type" : "int", "connect.type":"int16" }`: `{"type":"int","connect.type":"int16"}`,
		`["null",{"type":"string"}]`:                 `["null","string"]`,
		// namespace inherited by nested records is not repeated; a
		// reference uses the short name inside the same namespace.
		`{"type":"record","name":"a.b.R","doc":"d","fields":[{"name":"x","type":{"type":"record","name":"S","fields":[{"name":"y","type":"int","default":1,"doc":"fd"}]}},{"name":"z","type":"S","order":"descending"},{"name":"w","type":{"type":"record","name":"c.T","fields":[]}},{"name":"v","type":"c.T"}],"custom":{"k":[1,"x",null,true]}}`: `{"type":"record","name":"R","namespace":"a.b","doc":"d","fields":[{"name":"x","type":{"type":"record","name":"S","fields":[{"name":"y","type":"int","doc":"fd","default":1}]}},{"name":"z","type":"S","order":"descending"},{"name":"w","type":{"type":"record","name":"T","namespace":"c","fields":[]}},{"name":"v","type":"c.T"}],"custom":{"k":[1,"x",null,true]}}`,
		`{"type":"enum","name":"E","symbols":["A","B"],"default":"A","aliases":["F"]}`:                                                             `{"type":"enum","name":"E","symbols":["A","B"],"default":"A","aliases":["F"]}`,
		`{"type":"fixed","name":"F","size":16,"logicalType":"decimal","precision":4,"scale":2}`:                                                    `{"type":"fixed","name":"F","size":16,"logicalType":"decimal","precision":4,"scale":2}`,
		`{"type":"map","values":{"type":"array","items":"bytes"}}`:                                                                                 `{"type":"map","values":{"type":"array","items":"bytes"}}`,
		`{"type":"string","doc":"x\u0001\"y"}`:                                                                                                     `"string"`,
		`{"type":"record","name":"N","namespace":"ns","fields":[{"name":"r","type":{"type":"record","name":"Inner","namespace":"","fields":[]}}]}`: `{"type":"record","name":"N","namespace":"ns","fields":[{"name":"r","type":{"type":"record","name":"Inner","namespace":"","fields":[]}}]}`,
	}
	for in, want := range cases {
		s, err := Parse(in)
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if got := s.String(); got != want {
			t.Errorf("%s:\n got %s\nwant %s", in, got, want)
		}
	}
}

// TestParseErrors: schemas Avro's parser refuses.
func TestParseErrors(t *testing.T) {
	for in, want := range map[string]string{
		`{`:                             "invalid schema JSON",
		`"nope"`:                        "undefined name",
		`{"type":"record","fields":[]}`: "has no name",
		`{"type":"record","name":"1x","fields":[]}`: "illegal character",
		`["int","int"]`:    "duplicate in union",
		`["null",["int"]]`: "nested union",
		`{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":"x"}]}`:             "invalid default",
		`{"type":"record","name":"R","fields":[{"name":"a","type":["null","int"],"default":1}]}`:      "invalid default",
		`{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"a","type":"int"}]}`: "duplicate field",
		`{"type":"record","name":"R","fields":[{"name":"next","type":["null","R"]}]}`:                 "recursive",
		`{"type":"enum","name":"E","symbols":["A","A"]}`:                                              "invalid symbol",
		`{"type":"array"}`: "no items",
		`[{"type":"record","name":"R","fields":[]},{"type":"record","name":"R","fields":[]}]`: "redefine",
	} {
		_, err := Parse(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", in, err, want)
		}
	}
}

// TestCanRead: reader/writer resolution, including the reasons.
func TestCanRead(t *testing.T) {
	parse := func(s string) *Schema {
		x, err := Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	w := parse(`{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}`)
	r := parse(`{"type":"record","name":"R","fields":[{"name":"a","type":"long"},{"name":"b","type":"string"}]}`)
	inc := CanRead(r, w)
	if len(inc) != 1 || inc[0].Type != "READER_FIELD_MISSING_DEFAULT_VALUE" || inc[0].Location != "/fields/1" || inc[0].Info != "b" {
		t.Fatalf("got %+v", inc)
	}
	if inc := CanRead(w, r); len(inc) != 1 || inc[0].Type != "TYPE_MISMATCH" || inc[0].Location != "/fields/0/type" {
		t.Fatalf("long → int: %+v", inc)
	}
	alias := parse(`{"type":"record","name":"S","aliases":["R"],"fields":[{"name":"c","aliases":["a"],"type":"double"}]}`)
	if inc := CanRead(alias, w); len(inc) != 0 {
		t.Fatalf("aliases: %+v", inc)
	}
	if inc := CanRead(parse(`["null","long"]`), parse(`"int"`)); len(inc) != 0 {
		t.Fatalf("union reader with promotion: %+v", inc)
	}
	if inc := CanRead(parse(`"long"`), parse(`["null","int"]`)); len(inc) != 1 || inc[0].Type != "MISSING_UNION_BRANCH" {
		t.Fatalf("writer union with null: %+v", inc)
	}
	if inc := CanRead(parse(`{"type":"enum","name":"E","symbols":["A"]}`), parse(`{"type":"enum","name":"E","symbols":["A","B","C"]}`)); len(inc) != 1 || inc[0].Info != "B, C" {
		t.Fatalf("enum: %+v", inc)
	}
}

func TestJavaFloat(t *testing.T) {
	for f, want := range map[float64]string{1: "1.0", 1.5: "1.5", 1e7: "1.0E7", 1.25e-5: "1.25E-5", 0.001: "0.001", -2e21: "-2.0E21", 123456.5: "123456.5"} {
		if got := string(JavaFloat(f, 64)); got != want {
			t.Errorf("%v: got %s want %s", f, got, want)
		}
	}
}
