package postgres

import (
	"fmt"
	"testing"
	"time"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/data"
)

const moreTypesDDL = `CREATE TABLE more_types (
  id int PRIMARY KEY, b1 bit(1), b4 bit(4), vb varbit, vb9 varbit(9), vb1 varbit(1),
  d date, d2 date, ts timestamp, ts3 timestamp(3), tv tsvector)`

const moreTypesRow = `INSERT INTO more_types VALUES
  (%d, B'1', B'1011', B'101000001', B'0000', B'0', 'infinity', '-infinity', 'infinity', '-infinity', 'a fat cat sat')`

// TestBitsInfinityTsvector checks bit/varbit (io.debezium.data.Bits,
// little-endian BitSet bytes), ±infinity dates and timestamps, and tsvector
// (left out in the 3.1 layout, io.debezium.data.Tsvector from 3.3), from
// the snapshot and from the stream.
func TestBitsInfinityTsvector(t *testing.T) {
	for _, compat := range []string{"3.1", "3.5"} {
		t.Run(compat, func(t *testing.T) {
			f := newFixture(t, moreTypesDDL, fmt.Sprintf(moreTypesRow, 1))
			f.props[KeyCompatVersion] = compat
			f.start()
			snap := f.poll(1)[0]
			f.exec(fmt.Sprintf(moreTypesRow, 2))
			stream := f.poll(1)[0]
			for _, r := range []connector.SourceRecord{snap, stream} {
				a := after(r)
				want := map[string]any{
					"b1": true, "b4": []byte{0x0b}, "vb": []byte{0x41, 0x01}, "vb9": []byte{}, "vb1": false,
					"d": int32(-2147472692), "d2": int32(-2147472691),
					"ts": int64(9223372036825200000), "ts3": int64(-9223372036832400),
				}
				for k, v := range want {
					if !data.ValuesEqual(a.Get(k), v) {
						t.Errorf("%s %s = %#v, want %#v", opOf(r), k, a.Get(k), v)
					}
				}
				s := a.Schema()
				for col, length := range map[string]string{"b4": "4", "vb": "2147483647", "vb9": "9"} {
					fs := s.Field(col).Schema
					if l, _ := fs.Param("length"); fs.Name != "io.debezium.data.Bits" || fs.Type != data.TypeBytes || l != length {
						t.Errorf("%s schema %+v", col, fs)
					}
				}
				tv := s.Field("tv")
				switch compat {
				case "3.1":
					if tv != nil {
						t.Errorf("tsvector column present in the 3.1 layout")
					}
				case "3.5":
					if tv == nil || tv.Schema.Name != "io.debezium.data.Tsvector" || a.Get("tv") != "'a' 'cat' 'fat' 'sat'" {
						t.Errorf("tsvector %v %v", tv, a.Get("tv"))
					}
				}
			}
		})
	}
}

// TestDefaultValues checks schema defaults against Debezium's
// PostgresDefaultValueConverter for literals, casts, functions and types
// without a mapper.
func TestDefaultValues(t *testing.T) {
	f := newFixture(t, `CREATE TYPE mood AS ENUM ('sad', 'ok')`, `CREATE TABLE defs (
	  id serial PRIMARY KEY, i int4 DEFAULT -1, n numeric(6,2) DEFAULT 1.5, n0 numeric(6,0) DEFAULT random(),
	  nv numeric DEFAULT 2.5, b bool DEFAULT true, bn bool DEFAULT NULL,
	  vc varchar(10) DEFAULT 'it''s', vn varchar(10) DEFAULT NULL, tx text DEFAULT now()::text,
	  d date DEFAULT CURRENT_DATE, d2 date DEFAULT '2024-03-15', ts timestamp DEFAULT now(),
	  tz timestamptz DEFAULT '2021-03-20 13:44:28+00', tz0 timestamptz(0) DEFAULT now(), tzc timestamptz DEFAULT CURRENT_TIMESTAMP,
	  u uuid DEFAULT gen_random_uuid(), e mood DEFAULT 'ok', m money DEFAULT 1, bt bit(4) DEFAULT B'1011', b1 bit(1) DEFAULT B'1',
	  iv interval DEFAULT '1 day', ivf interval DEFAULT make_interval(days => 1), j jsonb DEFAULT '{}', t time DEFAULT '12:30:00',
	  f8 float8 DEFAULT 2.5, i8 int8 DEFAULT 9223372036854775807)`)
	f.props[KeySnapshotMode] = "no_data"
	f.start()
	f.expectQuiet(200 * time.Millisecond)
	f.exec(`INSERT INTO defs DEFAULT VALUES`)
	s := after(f.poll(1)[0]).Schema()
	want := map[string]any{
		"id": int32(0), "i": int32(-1), "n": dec(150, 2), "n0": nil, "nv": nil, "b": true, "bn": nil,
		"vc": "it", "tx": "", "d": nil, "d2": int32(19797), "ts": int64(0),
		"tz": "2021-03-20T13:44:28.000000Z", "tz0": "1970-01-01T00:00:00Z", "tzc": nil,
		"u": "00000000-0000-0000-0000-000000000000", "e": nil, "m": nil, "bt": []byte{0x0b}, "b1": true,
		"iv": int64(86400000000), "ivf": nil, "j": "{}", "t": int64(45000000000), "f8": 2.5, "i8": int64(9223372036854775807),
	}
	for col, v := range want {
		if got := s.Field(col).Schema.Default; !data.ValuesEqual(got, v) {
			t.Errorf("%s default = %#v, want %#v (expr %v)", col, got, v,
				f.query(`SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE a.attrelid = 'defs'::regclass AND a.attname = $1`, col))
		}
	}
	// Debezium keeps the text of an explicit DEFAULT NULL on a varchar
	// column (no NULL:: check in its varchar mapper).
	if got := s.Field("vn").Schema.Default; got != "NULL::character varying" {
		t.Errorf("vn default %#v", got)
	}
}
