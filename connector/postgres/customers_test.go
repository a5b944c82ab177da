package postgres

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/data"
	"github.com/wharf-project/wharf/worker/convert"
)

const customersDDL = `CREATE TABLE public.customers (
  custkey varchar PRIMARY KEY, first_name varchar, city varchar,
  state varchar(2), fico int, registration_date date)`

// volatile matches the payload fields that differ between runs (times,
// LSNs, transaction ids, database name).
var volatile = regexp.MustCompile(`"(ts_ms|ts_us|ts_ns|txId|lsn)":-?\d+|"sequence":"(\\"|[^"])*"|"db":"[^"]*"`)

func normalize(b []byte) string {
	return volatile.ReplaceAllStringFunc(string(b), func(m string) string {
		name, _, _ := strings.Cut(m, ":")
		return name + ":0"
	})
}

func jsonBytes(t *testing.T, schemas bool, isKey bool, topic string, s *data.Schema, v any) []byte {
	t.Helper()
	c := convert.NewJSON()
	enable := "false"
	if schemas {
		enable = "true"
	}
	if err := c.Configure(map[string]string{"schemas.enable": enable}, isKey); err != nil {
		t.Fatal(err)
	}
	b, err := c.Append(nil, topic, s, v)
	if err != nil {
		t.Fatalf("JsonConverter: %v", err)
	}
	return b
}

func readGolden(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// TestCustomersAppendixA checks snapshot markers and the exact JsonConverter
// bytes of a streamed create against the captured Debezium 3.1.3 output.
func TestCustomersAppendixA(t *testing.T) {
	f := newFixture(t, customersDDL,
		`INSERT INTO customers VALUES ('C0001','Alice','Boston','MA',720,'2022-06-01'),('C0002','Bob','Austin','TX',680,'2024-01-15')`)
	f.start()
	snap := f.poll(2)
	for i, want := range []string{"first", "last"} {
		r := snap[i]
		if r.Topic != "dbserver1.public.customers" || opOf(r) != "r" {
			t.Fatalf("record %d: topic %s op %s", i, r.Topic, opOf(r))
		}
		if got := source(r).Get("snapshot"); got != want {
			t.Errorf("record %d: snapshot = %v, want %s", i, got, want)
		}
		o := r.SourceOffset.(*Offset)
		if o.Snapshot != "INITIAL" || *o.LastSnapshotRecord != (i == 1) || *o.SnapshotCompleted != (i == 1) {
			t.Errorf("record %d: offset %+v", i, o)
		}
	}
	if got := after(snap[0]).Get("registration_date"); got != int32(19144) {
		t.Errorf("registration_date = %v, want 19144", got)
	}
	seq := source(snap[0]).Get("sequence").(string)
	if !strings.HasPrefix(seq, `[null,"`) {
		t.Errorf("snapshot sequence = %s", seq)
	}

	f.exec(`INSERT INTO customers VALUES ('C0003','Carol','Denver','CO',750,'2024-03-15')`)
	c := f.poll(1)[0]
	if opOf(c) != "c" {
		t.Fatalf("op = %s", opOf(c))
	}
	key := jsonBytes(t, true, true, c.Topic, c.KeySchema, c.Key)
	if got, want := string(key), readGolden(t, "appendix_a_key.json"); got != want {
		t.Errorf("key bytes:\n got %s\nwant %s", got, want)
	}
	val := jsonBytes(t, true, false, c.Topic, c.ValueSchema, c.Value)
	if got, want := normalize(val), normalize([]byte(readGolden(t, "appendix_a_value.json"))); got != want {
		t.Errorf("value bytes:\n got %s\nwant %s", got, want)
	}
	if got := string(jsonBytes(t, false, true, c.Topic, c.KeySchema, c.Key)); got != `{"custkey":"C0003"}` {
		t.Errorf("schemaless key = %s", got)
	}
	wantPlain := `{"before":null,"after":{"custkey":"C0003","first_name":"Carol","city":"Denver","state":"CO","fico":750,"registration_date":19797},` +
		`"source":{"version":"3.1.3.Final","connector":"postgresql","name":"dbserver1","ts_ms":0,"snapshot":"false","db":0,"sequence":0,` +
		`"ts_us":0,"ts_ns":0,"schema":"public","table":"customers","txId":0,"lsn":0,"xmin":null},"transaction":null,"op":"c","ts_ms":0,"ts_us":0,"ts_ns":0}`
	if got := normalize(jsonBytes(t, false, false, c.Topic, c.ValueSchema, c.Value)); got != wantPlain {
		t.Errorf("schemaless value:\n got %s\nwant %s", got, wantPlain)
	}
	src := source(c)
	if src.Get("snapshot") != nil || !strings.HasPrefix(src.Get("sequence").(string), "[null,") {
		t.Errorf("first streamed source = %v", src)
	}
	off := c.SourceOffset.(*Offset)
	if off.MessageType != "INSERT" || off.Lsn != src.Get("lsn").(int64) || off.TxID == nil || *off.TxID != src.Get("txId").(int64) {
		t.Errorf("offset %+v does not match source %v", off, src)
	}

	// Update and delete under REPLICA IDENTITY DEFAULT.
	f.exec(`UPDATE customers SET fico=760 WHERE custkey='C0003'`)
	u := f.poll(1)[0]
	if opOf(u) != "u" || before(u) != nil || after(u).Get("fico") != int32(760) {
		t.Fatalf("update: op %s before %v after %v", opOf(u), before(u), after(u))
	}
	if seq := source(u).Get("sequence").(string); strings.HasPrefix(seq, "[null") {
		t.Errorf("update sequence %s has no last commit", seq)
	}
	if o := u.SourceOffset.(*Offset); o.LsnCommit == nil || o.MessageType != "UPDATE" {
		t.Errorf("update offset %+v", o)
	}
	f.exec(`DELETE FROM customers WHERE custkey='C0002'`)
	d := f.poll(2)
	if opOf(d[0]) != "d" || d[1].Value != nil || d[1].ValueSchema != nil {
		t.Fatalf("delete: %v", summary(d))
	}
	b := before(d[0])
	if b.Get("custkey") != "C0002" || b.Get("first_name") != nil || b.Get("fico") != nil {
		t.Errorf("delete before (DEFAULT) = %v", b)
	}
	if !d[1].Key.(*data.Struct).Equal(d[0].Key.(*data.Struct)) || d[1].Topic != d[0].Topic {
		t.Errorf("tombstone key/topic differ")
	}
}

func TestReplicaIdentityFull(t *testing.T) {
	f := newFixture(t, customersDDL, `ALTER TABLE customers REPLICA IDENTITY FULL`,
		`INSERT INTO customers VALUES ('C0002','Bob','Austin','TX',680,'2024-01-15')`)
	f.props[KeySnapshotMode] = "no_data"
	f.start()
	f.expectQuiet(300 * time.Millisecond)
	f.exec(`UPDATE customers SET fico=690 WHERE custkey='C0002'`, `DELETE FROM customers WHERE custkey='C0002'`)
	recs := f.poll(3)
	u, d := recs[0], recs[1]
	if opOf(u) != "u" || before(u).Get("fico") != int32(680) || before(u).Get("city") != "Austin" || after(u).Get("fico") != int32(690) {
		t.Errorf("update under FULL: before %v after %v", before(u), after(u))
	}
	if opOf(d) != "d" || before(d).Get("first_name") != "Bob" || before(d).Get("registration_date") != int32(19737) {
		t.Errorf("delete under FULL: before %v", before(d))
	}
	if recs[2].Value != nil {
		t.Errorf("no tombstone after delete")
	}
}

func TestPrimaryKeyChange(t *testing.T) {
	f := newFixture(t, customersDDL, `INSERT INTO customers VALUES ('C0001','Alice','Boston','MA',720,'2022-06-01')`)
	f.props[KeySnapshotMode] = "no_data"
	f.start()
	f.expectQuiet(300 * time.Millisecond)
	f.exec(`UPDATE customers SET custkey='C0009' WHERE custkey='C0001'`)
	recs := f.poll(3)
	del, tomb, cre := recs[0], recs[1], recs[2]
	if opOf(del) != "d" || tomb.Value != nil || opOf(cre) != "c" {
		t.Fatalf("got %v", summary(recs))
	}
	if del.Key.(*data.Struct).Get("custkey") != "C0001" || cre.Key.(*data.Struct).Get("custkey") != "C0009" {
		t.Errorf("keys: %v %v", del.Key, cre.Key)
	}
	nk, ok := del.Headers.Last("__debezium.newkey")
	if !ok || nk.Value.(*data.Struct).Get("custkey") != "C0009" || !nk.Schema.Equal(del.KeySchema) {
		t.Errorf("delete newkey header = %+v", del.Headers)
	}
	ok2 := false
	if h, ok := cre.Headers.Last("__debezium.oldkey"); ok && h.Value.(*data.Struct).Get("custkey") == "C0001" {
		ok2 = true
	}
	if !ok2 {
		t.Errorf("create oldkey header = %+v", cre.Headers)
	}
	if after(cre).Get("first_name") != "Alice" || before(del).Get("custkey") != "C0001" {
		t.Errorf("images: before %v after %v", before(del), after(cre))
	}
	// Debezium's tombstone is record.newRecord(..., record.headers()): it
	// carries the delete's headers.
	if h, ok := tomb.Headers.Last("__debezium.newkey"); !ok || len(tomb.Headers) != 1 || h.Value.(*data.Struct).Get("custkey") != "C0009" {
		t.Errorf("tombstone headers %v", tomb.Headers)
	}
	_ = connector.NoPartition
}
