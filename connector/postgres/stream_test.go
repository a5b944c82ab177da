package postgres

import (
	"strings"
	"testing"
	"time"

	"github.com/wharf-project/wharf/connector/data"
)

const toastDDL = `CREATE TABLE docs (id int PRIMARY KEY, n int, body text, tags text[], blob bytea);
ALTER TABLE docs ALTER COLUMN body SET STORAGE EXTERNAL;
ALTER TABLE docs ALTER COLUMN tags SET STORAGE EXTERNAL;
ALTER TABLE docs ALTER COLUMN blob SET STORAGE EXTERNAL`

func TestUnchangedToast(t *testing.T) {
	big := strings.Repeat("x", 10000)
	for _, full := range []bool{false, true} {
		name := "default"
		if full {
			name = "full"
		}
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, toastDDL)
			if full {
				f.exec(`ALTER TABLE docs REPLICA IDENTITY FULL`)
			}
			f.props[KeySnapshotMode] = "no_data"
			f.start()
			f.expectQuiet(200 * time.Millisecond)
			f.exec(`INSERT INTO docs VALUES (1, 1, repeat('x', 10000), ARRAY[repeat('y', 10000)], convert_to(repeat('z', 10000), 'UTF8'))`,
				`UPDATE docs SET n = 2 WHERE id = 1`)
			recs := f.poll(2)
			if after(recs[0]).Get("body") != big {
				t.Fatalf("insert body not complete")
			}
			a := after(recs[1])
			if a.Get("n") != int32(2) {
				t.Fatalf("update n = %v", a.Get("n"))
			}
			if full {
				if a.Get("body") != big || before(recs[1]).Get("body") != big {
					t.Errorf("FULL: unchanged TOAST body not carried from the old tuple")
				}
				return
			}
			if a.Get("body") != "__debezium_unavailable_value" {
				t.Errorf("body = %.40v, want placeholder", a.Get("body"))
			}
			if !data.ValuesEqual(a.Get("tags"), []any{"__debezium_unavailable_value"}) {
				t.Errorf("tags = %.60v", a.Get("tags"))
			}
			if !data.ValuesEqual(a.Get("blob"), []byte("__debezium_unavailable_value")) {
				t.Errorf("blob = %.60v", a.Get("blob"))
			}
		})
	}
}

func TestSchemaChangeMidStream(t *testing.T) {
	f := newFixture(t, `CREATE TABLE items (id int PRIMARY KEY, name text)`)
	f.props[KeySnapshotMode] = "no_data"
	f.start()
	f.expectQuiet(200 * time.Millisecond)
	f.exec(`INSERT INTO items VALUES (1, 'a')`,
		`ALTER TABLE items ADD COLUMN price numeric(8,2) NOT NULL DEFAULT 1.5`,
		`INSERT INTO items VALUES (2, 'b', 9.99)`,
		`ALTER TABLE items DROP COLUMN name`,
		`INSERT INTO items VALUES (3, 3.25)`)
	recs := f.poll(3)
	s1, s2, s3 := after(recs[0]).Schema(), after(recs[1]).Schema(), after(recs[2]).Schema()
	if len(s1.Fields) != 2 || len(s2.Fields) != 3 || len(s3.Fields) != 2 {
		t.Fatalf("field counts %d %d %d", len(s1.Fields), len(s2.Fields), len(s3.Fields))
	}
	if p := s2.Field("price"); p == nil || p.Schema.Optional || !data.ValuesEqual(p.Schema.Default, dec(150, 2)) {
		t.Errorf("price schema %+v", p)
	}
	if !data.ValuesEqual(after(recs[1]).Get("price"), dec(999, 2)) || s3.Field("name") != nil {
		t.Errorf("rows: %v %v", after(recs[1]), after(recs[2]))
	}
	if !recs[0].ValueSchema.Equal(recs[0].ValueSchema) || recs[0].ValueSchema.Equal(recs[1].ValueSchema) {
		t.Errorf("envelope schema did not change with the table")
	}
}

func TestTruncateAndSkippedOperations(t *testing.T) {
	f := newFixture(t, customersDDL)
	f.props[KeySnapshotMode] = "no_data"
	f.props[KeySkippedOperations] = "u"
	f.start()
	f.expectQuiet(200 * time.Millisecond)
	f.exec(`INSERT INTO customers VALUES ('C1','a','b','CO',1,NULL)`,
		`UPDATE customers SET fico = 2`, `TRUNCATE customers`)
	recs := f.poll(2)
	if opOf(recs[0]) != "c" || opOf(recs[1]) != "t" || recs[1].Key != nil {
		t.Fatalf("got %v", summary(recs))
	}
}
