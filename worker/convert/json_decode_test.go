package convert

import (
	"math"
	"os"
	"reflect"
	"testing"

	"github.com/wharf-project/wharf/connector/data"
)

// fastPathInputs are envelopes the fast path reads or has to give up on;
// each is checked against the tree path.
var fastPathInputs = []string{
	`{"schema":{"type":"int32"},"payload":7}`,
	`{"schema":{"type":"int32"},"payload":007}`,
	`{"schema":{"type":"int32"},"payload":-0}`,
	`{"schema":{"type":"int8"},"payload":300}`,
	`{"schema":{"type":"int64"},"payload":-9223372036854775808}`,
	`{"schema":{"type":"int64"},"payload":9223372036854775807}`,
	`{"schema":{"type":"int64"},"payload":9223372036854775808}`,
	`{"schema":{"type":"int64"},"payload":-123456789012345678}`,
	`{"schema":{"type":"int64"},"payload":1.5}`,
	`{"schema":{"type":"int64"},"payload":"1"}`,
	`{"schema":{"type":"float"},"payload":1e40}`,
	`{"schema":{"type":"double"},"payload":-1.5E-3}`,
	`{"schema":{"type":"double"},"payload":3}`,
	`{"schema":{"type":"double"},"payload":"NaN"}`,
	`{"schema":{"type":"boolean"},"payload":true}`,
	`{"schema":{"type":"boolean"},"payload":1}`,
	`{"schema":{"type":"boolean"},"payload":truex}`,
	`{"schema":{"type":"string"},"payload":"a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"}`,
	`{"schema":{"type":"string"},"payload":5}`,
	`{"schema":{"type":"string","optional":true},"payload":null}`,
	`{"schema":{"type":"string","default":"d"},"payload":null}`,
	`{"schema":{"type":"string"},"payload":null}`,
	`{"schema":{"type":"string"},"payload":nul}`,
	`{"schema":{"type":"bytes"},"payload":"dGVzdC1zdHJpbmc="}`,
	`{"schema":{"type":"bytes"},"payload":"!!"}`,
	`{"schema":{"type":"array","items":{"type":"int32"}},"payload":[1, 2 ,3]}`,
	`{"schema":{"type":"array","items":{"type":"int32"}},"payload":[ ]}`,
	`{"schema":{"type":"array","items":{"type":"int32"}},"payload":[1,]}`,
	`{"schema":{"type":"array","items":{"type":"int32"}},"payload":{}}`,
	`{"schema":{"type":"array","items":{"type":"array","items":{"type":"string","optional":true}}},"payload":[["a",null],[],["b"]]}`,
	`{"schema":{"type":"map","keys":{"type":"string"},"values":{"type":"int32"}},"payload":{"a":1,"b":2,"a":3}}`,
	`{"schema":{"type":"map","keys":{"type":"string"},"values":{"type":"int32"}},"payload":{"a":"x","a":3}}`,
	`{"schema":{"type":"map","keys":{"type":"string"},"values":{"type":"int32"}},"payload":{}}`,
	`{"schema":{"type":"map","keys":{"type":"string"},"values":{"type":"string"}},"payload":{"a\u0062":"x\ny","c":"\u00e9","a\u0062":"\t"}}`,
	`{"schema":{"type":"struct","fields":[{"field":"ab","type":"string"},{"field":"m","type":"map","keys":{"type":"string"},"values":{"type":"string"}}]},"payload":{"a\u0062":"\"q\"","m":{"\u00e9":"\u00e8"}}}`,
	`{"schema":{"type":"map","keys":{"type":"int32"},"values":{"type":"string"}},"payload":[[1,"a"],[2,"b"]]}`,
	`{"schema":{"type":"map","keys":{"type":"int32"},"values":{"type":"string"}},"payload":[[1]]}`,
	`{"schema":{"type":"map","keys":{"type":"int32"},"values":{"type":"string"}},"payload":[]}`,
	`{"schema":{"type":"struct","fields":[{"field":"a","type":"string"},{"field":"b","type":"int32","optional":true}]},"payload":{"a":"x","b":1}}`,
	`{"schema":{"type":"struct","fields":[{"field":"a","type":"string"},{"field":"b","type":"int32","optional":true}]},"payload":{"b":1,"a":"x"}}`,
	`{"schema":{"type":"struct","fields":[{"field":"a","type":"string"},{"field":"b","type":"int32","optional":true}]},"payload":{"a":"x"}}`,
	`{"schema":{"type":"struct","fields":[{"field":"a","type":"string"},{"field":"b","type":"int32","optional":true}]},"payload":{"b":1}}`,
	`{"schema":{"type":"struct","fields":[{"field":"a","type":"string"},{"field":"b","type":"int32","optional":true}]},"payload":{"a":"x","a":"y"}}`,
	`{"schema":{"type":"struct","fields":[{"field":"a","type":"string"},{"field":"b","type":"int32","optional":true}]},"payload":{"a":"x","zz":{"q":[1,{"r":null}]}}}`,
	`{"schema":{"type":"struct","fields":[{"field":"a","type":"string"},{"field":"b","type":"int32","optional":true}]},"payload":{"a":"x","zz":[1,}}`,
	`{"schema":{"type":"struct","fields":[{"field":"a","type":"string"},{"field":"b","type":"int32","optional":true}]},"payload":{"\u0061":"x"}}`,
	`{"schema":{"type":"struct","fields":[{"field":"a","type":"string"},{"field":"b","type":"int32","optional":true}]},"payload":{"a":"x",}}`,
	`{"schema":{"type":"struct","fields":[{"field":"a","type":"string"},{"field":"b","type":"int32","optional":true}]},"payload":{}}`,
	`{"schema":{"type":"struct","fields":[{"field":"a","type":"string"},{"field":"b","type":"int32","optional":true}]},"payload":[]}`,
	`{"schema":{"type":"struct","fields":[{"field":"s","type":"struct","optional":true,"fields":[{"field":"t","type":"string"}]},{"field":"u","type":"string"}]},"payload":{"s":{"t":"in"},"u":"out"}}`,
	`{"schema":{"type":"struct","fields":[{"field":"s","type":"struct","optional":true,"fields":[{"field":"t","type":"string"}]},{"field":"u","type":"string"}]},"payload":{"s":null,"u":"\u00e9"}}`,
	`{"schema":{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"2"}},"payload":"AJw="}`,
	`{"schema":{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"2"}},"payload":""}`,
	`{"schema":{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"x"}},"payload":"AJw="}`,
	`{"schema":{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"2"}},"payload":1.5600}`,
	`{"schema":{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"2"}},"payload":true}`,
	`{"schema":{"type":"int32","name":"org.apache.kafka.connect.data.Date"},"payload":10000}`,
	`{"schema":{"type":"int32","name":"org.apache.kafka.connect.data.Date"},"payload":3000000000}`,
	`{"schema":{"type":"int32","name":"org.apache.kafka.connect.data.Time"},"payload":86400001}`,
	`{"schema":{"type":"int32","name":"org.apache.kafka.connect.data.Time"},"payload":14400000}`,
	`{"schema":{"type":"int64","name":"org.apache.kafka.connect.data.Timestamp"},"payload":-1}`,
	`{"schema":{"type":"string","name":"org.apache.kafka.connect.data.Timestamp"},"payload":5}`,
	`{"schema":{"type":"string","name":"io.debezium.data.Enum"},"payload":"x"}`,
	`{"schema":{"type":"int32"},"payload":1,"payload":2}`,
	`{"schema":{"type":"int32"},"payload":1,"extra":2}`,
	`{"schema":{"type":"int32"},"payload":1} trailing`,
	`{"schema":{"type":"int32"},"payload":1`,
	`{"payload":1,"schema":{"type":"int32"}}`,
	` { "schema" : {"type":"int32"} , "payload" : 1 } `,
	`{"schema":null,"payload":1}`,
	"{\"schema\":{\"type\":\"string\"},\"payload\":\"a\x01\"}",
	"{\"schema\":{\"type\":\"string\"},\"payload\":\"\xff\"}",
	"{\"schema\":{\"type\":\"int32\"},\"payload\":1} \xff",
	"{\"schema\":{\"type\":\"int32\"}\xff,\"payload\":1}",
	"{\"schema\":{\"type\":\"struct\",\"fields\":[]},\"payload\":{\"\xc3\":1}}",
}

// The fast path gives what the tree path gives, or gives up.
func TestJSONFastPathMatchesTree(t *testing.T) {
	fast := 0
	for _, in := range fastPathInputs {
		for _, replace := range []string{"true", "false"} {
			if checkFastPath(t, in, replace) {
				fast++
			}
		}
	}
	if fast < len(fastPathInputs) {
		t.Errorf("the fast path read only %d of %d inputs", fast, 2*len(fastPathInputs))
	}
	for _, name := range []string{"debezium_create.json", "debezium_delete.json"} {
		if !checkFastPath(t, string(golden(t, name)), "true") {
			t.Errorf("%s: not read by the fast path", name)
		}
	}
}

// checkFastPath compares both paths on in, the schema cached by a first
// read, and reports whether the fast path read it.
func checkFastPath(t *testing.T, in, replaceNull string) bool {
	t.Helper()
	c := NewJSON()
	mustConfigure(t, c, map[string]string{ReplaceNullWithDefaultConfig: replaceNull}, false)
	var p parser
	c.toConnectTree(&p, []byte(in)) // caches the schema
	for _, hint := range []bool{true, false} {
		if !hint {
			c.lastSchema.Store(nil)
		}
		ws, wv, werr := c.toConnectTree(&p, []byte(in))
		d := c.getDecoder()
		s, v, ok := d.envelope(c, []byte(in))
		c.putDecoder(d)
		if !ok {
			return false
		}
		if werr != nil {
			t.Errorf("%s: fast path read %#v, tree path failed: %v", in, v, werr)
			return true
		}
		if s != ws {
			t.Errorf("%s: fast path schema %p, tree path %p", in, s, ws)
		}
		if f, isF := wv.(float64); isF && math.IsNaN(f) {
			continue
		}
		if !data.ValuesEqual(v, wv) || !reflect.DeepEqual(v, wv) {
			t.Errorf("%s: fast path %#v, tree path %#v", in, v, wv)
		}
	}
	return true
}

func FuzzJSONFastPath(f *testing.F) {
	for _, in := range fastPathInputs {
		f.Add(in)
	}
	f.Add(string(golden(f, "debezium_create.json")))
	f.Fuzz(func(t *testing.T, in string) {
		checkFastPath(t, in, "true")
	})
}

// The pooled state keeps nothing of a record once ToConnect returns.
func TestJSONDecoderReleased(t *testing.T) {
	c := NewJSON()
	msg := golden(t, "debezium_create.json")
	for i := 0; i < 2; i++ {
		if _, _, err := c.ToConnect("t", msg); err != nil {
			t.Fatal(err)
		}
	}
	d := c.getDecoder()
	defer c.putDecoder(d)
	if d.b != nil || d.hint != nil || len(d.fix) != 0 || len(d.strs) != 0 || len(d.seen) != 0 {
		t.Fatalf("decoder not reset: %d fixes, %d bytes", len(d.fix), len(d.strs))
	}
	for _, f := range d.fix[:cap(d.fix)] {
		if f.st != nil {
			t.Fatal("a pooled decoder keeps a struct alive")
		}
	}
}

var schemalessInputs = []string{
	`true`, `false`, `null`, ` "s\n" `, `"x" trailing`, `[]`, `{}`, `[1, -0, 1.5, 1e3, "a", null, [true], {"k":"v"}]`,
	`{"a":1,"b":{"c":[1,2]},"a":"\u00e9"}`, `{"a\u0062":"x","ab":"y"}`, `{"z":1,"a":[1.5,1e3,-0]}`,
	`[9223372036854775807, -9223372036854775808]`, `[9223372036854775808]`, `7`, `7x`, ``, `  `, `truex`, `[1,]`,
	`{"a":}`, `{"a" 1}`, `"open`, "\"a\x01\"", "\"\xff\"", `{"a":1}{`, `[[[[[]]]]]`,
	string(mustGolden("debezium_create_schemaless.json")), string(mustGolden("debezium_create.json")),
}

func mustGolden(name string) []byte {
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		panic(err)
	}
	return b
}

func TestJSONSchemalessFastPathMatchesTree(t *testing.T) {
	fast := 0
	for _, in := range schemalessInputs {
		if checkSchemaless(t, in) {
			fast++
		}
	}
	if fast < len(schemalessInputs)/2 {
		t.Errorf("the fast path read only %d of %d inputs", fast, len(schemalessInputs))
	}
	if !checkSchemaless(t, string(mustGolden("debezium_create_schemaless.json"))) {
		t.Error("a schemaless Debezium event did not take the fast path")
	}
}

func checkSchemaless(t *testing.T, in string) bool {
	t.Helper()
	c := NewJSON()
	mustConfigure(t, c, map[string]string{SchemasEnableConfig: "false"}, false)
	var p parser
	_, wv, werr := c.toConnectTree(&p, []byte(in))
	d := c.getDecoder()
	defer c.putDecoder(d)
	v, ok := d.schemaless([]byte(in))
	if !ok {
		return false
	}
	if werr != nil {
		t.Errorf("%q: fast path read %#v, tree path failed: %v", in, v, werr)
	} else if !data.ValuesEqual(v, wv) || !reflect.DeepEqual(v, wv) {
		t.Errorf("%q: fast path %#v, tree path %#v", in, v, wv)
	}
	return true
}

func FuzzJSONSchemalessFastPath(f *testing.F) {
	for _, in := range schemalessInputs {
		f.Add(in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		checkSchemaless(t, in)
	})
}
