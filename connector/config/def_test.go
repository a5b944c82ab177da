package config

import (
	"reflect"
	"testing"
)

func testDef() *Def {
	return NewDef().
		Define(Key{Name: "name", Type: String, Default: NoDefault, Validator: NonEmptyString}).
		Define(Key{Name: "tasks.max", Type: Int, Default: 1, Validator: AtLeast(1)}).
		Define(Key{Name: "enabled", Type: Boolean, Default: false}).
		Define(Key{Name: "list", Type: List, Default: "a, b"}).
		Define(Key{Name: "mode", Type: String, Default: "x", Validator: OneOf("x", "y")}).
		Define(Key{Name: "secret", Type: Password, Default: nil}).
		Define(Key{Name: "size", Type: Long, Default: "5"})
}

func TestParse(t *testing.T) {
	v, err := testDef().Parse(map[string]string{"name": "c", "tasks.max": " 3 ", "enabled": "TRUE", "secret": "s3",
		"list": "x,y , z"})
	if err != nil {
		t.Fatal(err)
	}
	if v.String("name") != "c" || v.Int("tasks.max") != 3 || !v.Bool("enabled") || v.Password("secret") != "s3" ||
		!reflect.DeepEqual(v.List("list"), []string{"x", "y", "z"}) || v.Long("size") != 5 || v.String("mode") != "x" {
		t.Fatalf("parsed %+v", v)
	}
	if FormatValue(v.Get("secret")) != Hidden {
		t.Fatal("password printed in clear")
	}
}

// Messages are Kafka's ConfigDef texts: clients and scripts match them.
func TestValidateMessages(t *testing.T) {
	res := testDef().Validate(map[string]string{"tasks.max": "zero", "enabled": "yes", "mode": "z", "size": "1.5"})
	got := map[string][]string{}
	for _, r := range res {
		got[r.Name] = r.Errors
	}
	want := map[string][]string{
		"name":      {`Missing required configuration "name" which has no default value.`},
		"tasks.max": {"Invalid value zero for configuration tasks.max: Not a number of type INT"},
		"enabled":   {"Invalid value yes for configuration enabled: Expected value to be either true or false"},
		"list":      {},
		"mode":      {"Invalid value z for configuration mode: String must be one of: x, y"},
		"secret":    {},
		"size":      {"Invalid value 1.5 for configuration size: Not a number of type LONG"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %v\nwant %v", got, want)
	}
	if n := ErrorCount(res); n != 5 {
		t.Fatalf("error count %d", n)
	}
	res = testDef().Validate(map[string]string{"name": "", "tasks.max": "0"})
	if res[0].Errors[0] != "Invalid value  for configuration name: String may not be empty" ||
		res[1].Errors[0] != "Invalid value 0 for configuration tasks.max: Value must be at least 1" {
		t.Fatalf("validator messages %v %v", res[0].Errors, res[1].Errors)
	}
	if _, err := testDef().Parse(map[string]string{}); err == nil || err.Error() != `Missing required configuration "name" which has no default value.` {
		t.Fatalf("parse error %v", err)
	}
}

func TestMergeAndGroups(t *testing.T) {
	a := NewDef().Define(Key{Name: "a", Type: String, Default: "", Group: "G1"})
	b := NewDef().Define(Key{Name: "a", Type: Int, Default: 1, Group: "G9"}).
		Define(Key{Name: "b", Type: String, Default: "", Group: "G2"})
	m := a.Merge(b)
	if len(m.Keys()) != 2 || m.Keys()[0].Type != String || !reflect.DeepEqual(m.Groups(), []string{"G1", "G2"}) {
		t.Fatalf("merged %+v groups %v", m.Keys(), m.Groups())
	}
	defer func() {
		if recover() == nil {
			t.Fatal("duplicate key did not panic")
		}
	}()
	a.Define(Key{Name: "a", Type: String})
}
