package transform

import (
	"reflect"
	"testing"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/data"
)

func TestReplaceField(t *testing.T) {
	in := data.StructSchema("row").Field("a", data.Int64Schema).Field("b", data.StringSchema).
		Field("c", &data.Schema{Type: data.TypeString, Optional: true, Default: "dc"}).Optional().Build()
	tests := []struct {
		name       string
		props      map[string]string
		wantFields []string
		wantVals   []any
		wantMap    []data.MapEntry
	}{
		{"exclude", map[string]string{"exclude": "b"}, []string{"a", "c"}, []any{int64(1), "dc"},
			mapOf("a", int64(1), "c", nil)},
		{"include", map[string]string{"include": "c,a"}, []string{"a", "c"}, []any{int64(1), "dc"},
			mapOf("a", int64(1), "c", nil)},
		{"exclude wins", map[string]string{"include": "a,b", "exclude": "b"}, []string{"a"}, []any{int64(1)},
			mapOf("a", int64(1))},
		{"renames", map[string]string{"renames": "a:id,c:note", "replace.null.with.default": "false"},
			[]string{"id", "b", "note"}, []any{int64(1), "x", nil}, mapOf("id", int64(1), "b", "x", "note", nil)},
		{"legacy whitelist", map[string]string{"whitelist": "b"}, []string{"b"}, []any{"x"}, mapOf("b", "x")},
		{"legacy blacklist", map[string]string{"blacklist": "a,b"}, []string{"c"}, []any{"dc"}, mapOf("c", nil)},
		{"include beats whitelist", map[string]string{"include": "a", "whitelist": "b"}, []string{"a"},
			[]any{int64(1)}, mapOf("a", int64(1))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := single(t, ClassReplaceFieldValue, tt.props)
			r := &connector.Record{ValueSchema: in, Value: structOf(in, int64(1), "x", nil)}
			if _, err := c.Apply(r); err != nil {
				t.Fatal(err)
			}
			if got := fieldNames(r.ValueSchema); !reflect.DeepEqual(got, tt.wantFields) {
				t.Fatalf("fields = %v, want %v", got, tt.wantFields)
			}
			if r.ValueSchema.Optional {
				t.Error("derived schema is optional; Connect's copy is required")
			}
			for i, want := range tt.wantVals {
				if got := r.Value.(*data.Struct).At(i); !data.ValuesEqual(got, want) {
					t.Errorf("field %d = %v, want %v", i, got, want)
				}
			}
			m := &connector.Record{Value: mapOf("a", int64(1), "b", "x", "c", nil)}
			if _, err := c.Apply(m); err != nil {
				t.Fatal(err)
			}
			if !data.ValuesEqual(m.Value, tt.wantMap) {
				t.Fatalf("schemaless = %v, want %v", m.Value, tt.wantMap)
			}
		})
	}
}

func TestReplaceFieldKeyAndErrors(t *testing.T) {
	c := single(t, ClassReplaceFieldKey, map[string]string{"renames": "id:key_id"})
	r := &connector.Record{Key: mapOf("id", int64(7)), Value: "v"}
	if _, err := c.Apply(r); err != nil {
		t.Fatal(err)
	}
	if !data.ValuesEqual(r.Key, mapOf("key_id", int64(7))) || r.Value != "v" {
		t.Fatalf("key = %v value = %v", r.Key, r.Value)
	}
	for _, bad := range []string{"a", "a:b:c", "a:"} {
		msg := chainErr(t, map[string]string{"transforms": "x", "transforms.x.type": ClassReplaceFieldValue,
			"transforms.x.renames": "ok:fine," + bad})
		if want := "Invalid value [ok:fine, " + bad + "] for configuration renames: Invalid rename mapping: " + bad; msg != want {
			t.Fatalf("error = %q, want %q", msg, want)
		}
	}
	dup := data.StructSchema("row").Field("a", data.Int64Schema).Field("b", data.Int64Schema).Build()
	c = single(t, ClassReplaceFieldValue, map[string]string{"renames": "a:b"})
	_, err := c.Apply(&connector.Record{ValueSchema: dup, Value: structOf(dup, int64(1), int64(2))})
	if err == nil || !endsWith(err.Error(), "Cannot create field because of field name duplication b") {
		t.Fatalf("error = %v", err)
	}
	_, err = c.Apply(&connector.Record{Value: []any{int64(1)}})
	if err == nil || !endsWith(err.Error(), "Only Map objects supported in absence of schema for [field replacement], found: java.util.ArrayList") {
		t.Fatalf("error = %v", err)
	}
}
