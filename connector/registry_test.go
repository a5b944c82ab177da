package connector

import "testing"

func TestRegistryAliasesAndOrder(t *testing.T) {
	nop := func() any { return nil }
	r := NewRegistry(
		Plugin{Class: "org.apache.kafka.connect.file.FileStreamSourceConnector", Type: TypeSource, New: nop},
		Plugin{Class: "org.apache.kafka.connect.file.FileStreamSinkConnector", Type: TypeSink, New: nop},
		Plugin{Class: "org.apache.kafka.connect.json.JsonConverter", Type: TypeConverter, New: nop},
		Plugin{Class: "a.Dup", Type: TypeTransformation, New: nop},
		Plugin{Class: "b.Dup", Type: TypeTransformation, New: nop},
	)
	for _, name := range []string{"org.apache.kafka.connect.file.FileStreamSinkConnector", "FileStreamSinkConnector", "FileStreamSink"} {
		if p, ok := r.LookupConnector(name); !ok || p.Type != TypeSink {
			t.Errorf("lookup %s: %v %v", name, p, ok)
		}
	}
	if _, ok := r.LookupConnector("JsonConverter"); ok {
		t.Error("a converter was found as a connector")
	}
	if _, ok := r.Lookup("Json"); !ok {
		t.Error("converter alias without suffix not found")
	}
	if _, ok := r.Lookup("Dup"); ok {
		t.Error("an ambiguous alias resolved")
	}
	list := r.List(false)
	order := []PluginType{TypeSink, TypeSource, TypeTransformation, TypeTransformation, TypeConverter}
	for i, p := range list {
		if p.Type != order[i] {
			t.Fatalf("order %v", list)
		}
	}
	if n := len(r.List(true)); n != 2 {
		t.Fatalf("connectorsOnly listed %d", n)
	}
}

func TestSourcePartitionJSON(t *testing.T) {
	p := NewSourcePartition(map[string]any{"server": "dbserver1", "a": 1})
	if p.JSON() != `{"a":1,"server":"dbserver1"}` {
		t.Fatalf("partition JSON %s", p.JSON())
	}
}
