package properties

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseProperties(t *testing.T) {
	in := "# comment\n! also\nbootstrap.servers=localhost:9092\nkey.converter : org.Json\n" +
		"plugin.path   /a,\\\n   /b\nempty=\nspaced key\\ x=v\nunicode=caf\\u00e9\n"
	got, err := Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"bootstrap.servers": "localhost:9092", "key.converter": "org.Json",
		"plugin.path": "/a,/b", "empty": "", "spaced": "key\\ x=v", "unicode": "café"}
	// "spaced key\ x=v": the key ends at the first unescaped space.
	want["spaced"] = "key x=v"
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v\nwant %#v", got, want)
	}
}
