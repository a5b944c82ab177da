package transform

import (
	"reflect"
	"testing"
	"time"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/data"
)

var allInsertions = map[string]string{
	"topic.field": "topic!", "partition.field": "part", "offset.field": "off?",
	"timestamp.field": "ts", "static.field": "src", "static.value": "wharf",
}

func TestInsertFieldSchemaless(t *testing.T) {
	c := single(t, ClassInsertFieldValue, allInsertions)
	r := &connector.SinkRecord{Record: connector.Record{Topic: "t", Partition: 3, Timestamp: ts,
		Value: mapOf("a", int64(1), "src", "old")}, Offset: 42}
	if keep, err := c.ApplySink(r); err != nil || !keep {
		t.Fatalf("ApplySink: keep=%v err=%v", keep, err)
	}
	want := mapOf("a", int64(1), "src", "wharf", "topic", "t", "part", int32(3), "off", int64(42),
		"ts", ts.UnixMilli())
	if !data.ValuesEqual(r.Value, want) || r.ValueSchema != nil {
		t.Fatalf("value = %v (schema %v), want %v", r.Value, r.ValueSchema, want)
	}
}

func TestInsertFieldWithSchema(t *testing.T) {
	in := data.StructSchema("row").Field("a", data.Int64Schema).
		Field("b", &data.Schema{Type: data.TypeString, Optional: true, Default: "dflt"}).Optional().Version(2).Build()
	tests := []struct {
		name        string
		props       map[string]string
		source      bool
		wantFields  []string
		wantOpt     []bool
		wantVals    []any
		replaceNull bool
	}{
		{"all", allInsertions, false, []string{"a", "b", "topic", "part", "off", "ts", "src"},
			[]bool{false, true, false, true, true, true, true},
			[]any{int64(1), "dflt", "t", int32(3), int64(42), ts, "wharf"}, true},
		{"source record without partition or timestamp", map[string]string{"topic.field": "topic", "partition.field": "p",
			"timestamp.field": "ts!", "replace.null.with.default": "false"}, true,
			[]string{"a", "b", "topic", "p", "ts"}, []bool{false, true, true, true, false},
			[]any{int64(1), nil, "t", nil, nil}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := single(t, ClassInsertFieldValue, tt.props)
			var prev *data.Schema
			for range 2 {
				r := &connector.SinkRecord{Record: connector.Record{Topic: "t", Partition: 3, Timestamp: ts,
					ValueSchema: in, Value: structOf(in, int64(1), nil)}, Offset: 42}
				var err error
				if tt.source {
					r.Partition, r.Timestamp = connector.NoPartition, time.Time{}
					_, err = c.Apply(&r.Record)
				} else {
					_, err = c.ApplySink(r)
				}
				if err != nil {
					t.Fatal(err)
				}
				s := r.ValueSchema
				if got := fieldNames(s); !reflect.DeepEqual(got, tt.wantFields) {
					t.Fatalf("fields = %v, want %v", got, tt.wantFields)
				}
				for i, f := range s.Fields {
					if f.Schema.Optional != tt.wantOpt[i] {
						t.Errorf("field %s optional = %v", f.Name, f.Schema.Optional)
					}
				}
				if s.Optional || s.Name != "row" || s.Version != 2 {
					t.Errorf("schema basics: optional=%v name=%q version=%d", s.Optional, s.Name, s.Version)
				}
				st := r.Value.(*data.Struct)
				for i, want := range tt.wantVals {
					if !data.ValuesEqual(st.At(i), want) {
						t.Errorf("field %s = %v, want %v", s.Fields[i].Name, st.At(i), want)
					}
				}
				if prev != nil && prev != s {
					t.Error("derived schema not cached")
				}
				prev = s
			}
		})
	}
}

func TestInsertFieldKeyAndTombstone(t *testing.T) {
	c := single(t, ClassInsertFieldKey, map[string]string{"topic.field": "t"})
	r := &connector.Record{Topic: "x", Key: mapOf("id", int64(1))}
	if _, err := c.Apply(r); err != nil {
		t.Fatal(err)
	}
	if want := mapOf("id", int64(1), "t", "x"); !data.ValuesEqual(r.Key, want) || r.Value != nil {
		t.Fatalf("key = %v, want %v", r.Key, want)
	}
	v := single(t, ClassInsertFieldValue, map[string]string{"topic.field": "t"})
	tomb := &connector.Record{Topic: "x", Key: "k"}
	if keep, err := v.Apply(tomb); !keep || err != nil || tomb.Value != nil {
		t.Fatalf("tombstone: keep=%v err=%v value=%v", keep, err, tomb.Value)
	}
}

func TestInsertFieldErrors(t *testing.T) {
	row := data.StructSchema("row").Field("topic", data.StringSchema).Build()
	tests := []struct {
		name  string
		props map[string]string
		rec   connector.Record
		want  string
	}{
		{"offset on a source record", map[string]string{"offset.field": "o"},
			connector.Record{Value: mapOf()},
			"Only SinkRecord supported for [field insertion], found: org.apache.kafka.connect.source.SourceRecord"},
		{"string without schema", map[string]string{"topic.field": "t"}, connector.Record{Value: "s"},
			"Only Map objects supported in absence of schema for [field insertion], found: java.lang.String"},
		{"string with schema", map[string]string{"topic.field": "t"},
			connector.Record{ValueSchema: data.StringSchema, Value: "s"},
			"Only Struct objects supported for [field insertion], found: java.lang.String"},
		{"duplicate field", map[string]string{"topic.field": "topic"},
			connector.Record{ValueSchema: row, Value: structOf(row, "a")},
			"Cannot create field because of field name duplication topic"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := single(t, ClassInsertFieldValue, tt.props)
			r := tt.rec
			_, err := c.Apply(&r)
			want := `transformation "x" (` + ClassInsertFieldValue + "): " + tt.want
			if err == nil || err.Error() != want {
				t.Fatalf("error = %v, want %q", err, want)
			}
		})
	}
	if msg := chainErr(t, map[string]string{"transforms": "x", "transforms.x.type": ClassInsertFieldValue}); !endsWith(msg, "No field insertion configured") {
		t.Fatalf("error = %q", msg)
	}
	if msg := chainErr(t, map[string]string{"transforms": "x", "transforms.x.type": ClassInsertFieldValue,
		"transforms.x.static.field": "s"}); !endsWith(msg, "Invalid value null for configuration static.value: No value specified for static field: s") {
		t.Fatalf("error = %q", msg)
	}
}
