package postgres

import (
	"math/big"
	"testing"
	"time"

	"github.com/wharf-project/wharf/connector/data"
)

const everyTypeDDL = `CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE every_type (
  id serial PRIMARY KEY,
  i2 int2, i4 int4 DEFAULT 600, i8 int8 NOT NULL DEFAULT 0,
  n numeric(10,2), nv numeric, b bool, f4 float4, f8 float8,
  c char(4), vc varchar(20), tx text,
  d date, t time, t3 time(3), ttz timetz, ts timestamp, ts3 timestamp(3), tstz timestamptz, tstz0 timestamptz(0),
  iv interval, u uuid, j json, jb jsonb, by bytea,
  ai int4[], at text[], an numeric(6,2)[], ad date[], e mood, ip inet, cid cidr, mac macaddr, m money, x xml, r int4range)`

const everyTypeRow = `INSERT INTO every_type (i2,i4,i8,n,nv,b,f4,f8,c,vc,tx,d,t,t3,ttz,ts,ts3,tstz,tstz0,iv,u,j,jb,by,ai,at,an,ad,e,ip,cid,mac,m,x,r) VALUES
 (1, 123456, 1234567890123, 1.10, 10.1111, true, 3.3, 4.0, 'ab', 'Boston', 'long text',
  '2024-03-15', '11:51:30.123456', '11:51:30.123', '11:51:30.123789+02', '2016-11-04 11:51:30.123456', '2016-11-04 11:51:30.123',
  '2016-11-04 13:51:30.123456+02', '2020-04-01 11:51:02', '1 year 2 mons 3 days 04:05:06.78',
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"bar": "baz"}', '{"bar": "baz"}', '\x010203',
  '{1,2,NULL}', '{"a b","c\"d",NULL}', '{1.5,NULL}', '{2024-03-15,infinity}', 'happy', '192.168.2.1', '192.168.2.0/24', '08:00:2b:01:02:03', '$1,234.11',
  '<a>x</a>', '[1000,6000)')`

func dec(unscaled int64, scale int32) data.Decimal {
	return data.Decimal{Unscaled: big.NewInt(unscaled), Scale: scale}
}

// everyTypeWant is the value of every column per §3 (default modes).
func everyTypeWant() map[string]any {
	vsd := data.NewStruct(variableScaleSchema())
	vsd.Set(0, int32(4))
	vsd.Set(1, []byte{0x01, 0x8a, 0xf7})
	return map[string]any{
		"i2": int16(1), "i4": int32(123456), "i8": int64(1234567890123),
		"n": dec(110, 2), "nv": vsd, "b": true, "f4": float32(3.3), "f8": 4.0,
		"c": "ab  ", "vc": "Boston", "tx": "long text",
		"d": int32(19797), "t": int64(42690123456), "t3": int32(42690123), "ttz": "09:51:30.123789Z",
		"ts": int64(1478260290123456), "ts3": int64(1478260290123),
		"tstz": "2016-11-04T11:51:30.123456Z", "tstz0": "2020-04-01T11:51:02Z",
		"iv": int64(37091106780000), "u": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
		"j": `{"bar": "baz"}`, "jb": `{"bar": "baz"}`, "by": []byte{1, 2, 3},
		"ai": []any{int32(1), int32(2), nil}, "at": []any{"a b", `c"d`, nil}, "e": "happy",
		"an": []any{dec(150, 2), nil}, "ad": []any{int32(19797), nil},
		"ip": "192.168.2.1", "cid": "192.168.2.0/24", "mac": "08:00:2b:01:02:03", "m": dec(123411, 2),
		"x": "<a>x</a>", "r": "[1000,6000)",
	}
}

func TestEveryTypeSnapshotAndStream(t *testing.T) {
	f := newFixture(t, everyTypeDDL, everyTypeRow)
	f.start()
	snap := f.poll(1)[0]
	f.exec(everyTypeRow)
	stream := f.poll(1)[0]
	if opOf(snap) != "r" || opOf(stream) != "c" {
		t.Fatalf("ops %s %s", opOf(snap), opOf(stream))
	}
	sa, ca := after(snap), after(stream)
	if !sa.Schema().Equal(ca.Schema()) {
		t.Fatalf("snapshot and stream schemas differ:\n%v\n%v", sa.Schema().Fields, ca.Schema().Fields)
	}
	for name, want := range everyTypeWant() {
		for _, row := range []*data.Struct{sa, ca} {
			if got := row.Get(name); !data.ValuesEqual(got, want) {
				t.Errorf("%s = %#v (%T), want %#v", name, got, got, want)
			}
		}
	}
	if err := ca.Validate(); err != nil {
		t.Errorf("validate: %v", err)
	}
	sch := ca.Schema()
	checks := []struct {
		field, name string
		typ         data.Type
		optional    bool
	}{
		{"id", "", data.TypeInt32, false}, {"n", data.DecimalName, data.TypeBytes, true},
		{"nv", nameVariableScaleDecimal, data.TypeStruct, true}, {"d", nameDate, data.TypeInt32, true},
		{"t", nameMicroTime, data.TypeInt64, true}, {"t3", nameTime, data.TypeInt32, true},
		{"ttz", nameZonedTime, data.TypeString, true}, {"ts", nameMicroTimestamp, data.TypeInt64, true},
		{"ts3", nameTimestamp, data.TypeInt64, true}, {"tstz", nameZonedTimestamp, data.TypeString, true},
		{"iv", nameMicroDuration, data.TypeInt64, true}, {"u", nameUUID, data.TypeString, true},
		{"j", nameJSON, data.TypeString, true}, {"e", nameEnum, data.TypeString, true},
		{"x", nameXML, data.TypeString, true}, {"ai", "", data.TypeArray, true},
	}
	for _, c := range checks {
		fs := sch.Field(c.field)
		if fs == nil {
			t.Errorf("no field %s", c.field)
			continue
		}
		if fs.Schema.Name != c.name || fs.Schema.Type != c.typ || fs.Schema.Optional != c.optional {
			t.Errorf("%s schema = %v, want %s %v optional=%v", c.field, fs.Schema, c.name, c.typ, c.optional)
		}
	}
	if p, _ := sch.Field("n").Schema.Param(precisionParam); p != "10" {
		t.Errorf("numeric precision param = %q", p)
	}
	if a, _ := sch.Field("e").Schema.Param("allowed"); a != "sad,ok,happy" {
		t.Errorf("enum allowed = %q", a)
	}
	if d := sch.Field("id").Schema.Default; d != int32(0) {
		t.Errorf("serial default = %#v, want 0", d)
	}
	if d := sch.Field("i4").Schema.Default; d != int32(600) {
		t.Errorf("i4 default = %#v, want 600", d)
	}
}

func TestDecimalAndBinaryModes(t *testing.T) {
	for _, tc := range []struct {
		mode, binary string
		n, nv, m, by any
	}{
		{"double", "base64", 1.1, 10.1111, 1234.11, "AQID"},
		{"string", "hex", "1.10", "10.1111", "1234.11", "010203"},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			f := newFixture(t, everyTypeDDL)
			f.props[KeyDecimalMode] = tc.mode
			f.props[KeyBinaryMode] = tc.binary
			f.props[KeyIntervalMode] = "string"
			f.props[KeyTimePrecisionMode] = "connect"
			f.start()
			f.expectQuiet(200 * time.Millisecond)
			f.exec(everyTypeRow)
			a := after(f.poll(1)[0])
			for name, want := range map[string]any{"n": tc.n, "nv": tc.nv, "m": tc.m, "by": tc.by,
				"iv": "P1Y2M3DT4H5M6.78S", "d": data.DaysToDate(19797)} {
				if got := a.Get(name); !data.ValuesEqual(got, want) {
					t.Errorf("%s = %#v, want %#v", name, got, want)
				}
			}
			if s := a.Schema().Field("d").Schema; s.Name != data.DateName {
				t.Errorf("connect date schema %v", s)
			}
		})
	}
}

func TestExtensionTypes(t *testing.T) {
	for _, mode := range []string{"json", "map"} {
		t.Run(mode, func(t *testing.T) {
			f := newFixture(t, `CREATE EXTENSION hstore`, `CREATE EXTENSION citext`, `CREATE EXTENSION ltree`,
				`CREATE TABLE ext (id int PRIMARY KEY, h hstore, ci citext, lt ltree)`,
				`INSERT INTO ext VALUES (1, 'a=>1, aa=>2, n=>NULL', 'MiXeD', 'a.b.c')`)
			f.props[KeyHstoreMode] = mode
			f.start()
			snap := after(f.poll(1)[0])
			f.exec(`INSERT INTO ext VALUES (2, 'a=>1, aa=>2, n=>NULL', 'MiXeD', 'a.b.c')`)
			stream := after(f.poll(1)[0])
			for _, row := range []*data.Struct{snap, stream} {
				h := row.Get("h")
				switch mode {
				case "json":
					if h != `{"aa":"2","a":"1","n":null}` {
						t.Errorf("hstore json = %v", h)
					}
				case "map":
					want := []data.MapEntry{{Key: "aa", Value: "2"}, {Key: "a", Value: "1"}, {Key: "n"}}
					if !data.ValuesEqual(h, want) {
						t.Errorf("hstore map = %v", h)
					}
				}
				if row.Get("ci") != "MiXeD" || row.Get("lt") != "a.b.c" || row.Schema().Field("lt").Schema.Name != nameLtree {
					t.Errorf("citext/ltree = %v %v", row.Get("ci"), row.Get("lt"))
				}
			}
		})
	}
}
