package postgres

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/data"
)

func messageOf(r connector.SourceRecord) *data.Struct {
	return r.Value.(*data.Struct).Get("message").(*data.Struct)
}

// TestLogicalDecodingMessages streams pg_logical_emit_message output
// (PostgreSQL 14+, pgoutput "messages") as Debezium's
// LogicalDecodingMessageMonitor emits it.
func TestLogicalDecodingMessages(t *testing.T) {
	f := newFixture(t, customersDDL)
	f.props[KeySnapshotMode] = "no_data"
	f.props[KeyMessagePrefixExclude] = "skip.*"
	f.props[KeyExtendedHeaders] = "true"
	f.start()
	f.expectQuiet(200 * time.Millisecond)
	f.exec(`SELECT pg_logical_emit_message(false, 'skipme', 'x')`,
		`SELECT pg_logical_emit_message(false, 'foo', 'hello')`,
		`BEGIN; INSERT INTO customers (custkey) VALUES ('A'); SELECT pg_logical_emit_message(true, 'skip', 'y');
		 SELECT pg_logical_emit_message(true, 'bar', convert_to('wörld', 'UTF8')); COMMIT`)
	recs := f.poll(3)
	nt, ins, tx := recs[0], recs[1], recs[2]
	if nt.Topic != "dbserver1.message" || opOf(nt) != "m" || opOf(ins) != "c" || tx.Topic != "dbserver1.message" {
		t.Fatalf("got %v", summary(recs))
	}
	if nt.KeySchema.Name != "io.debezium.connector.postgresql.MessageKey" || nt.Key.(*data.Struct).Get("prefix") != "foo" {
		t.Errorf("key %v", nt.Key)
	}
	if m := messageOf(nt); m.Get("prefix") != "foo" || string(m.Get("content").([]byte)) != "hello" {
		t.Errorf("message %v", m)
	}
	if string(messageOf(tx).Get("content").([]byte)) != "wörld" || len(nt.Headers) != 0 || len(ins.Headers) != 3 {
		t.Errorf("transactional content %v, headers %v / %v", messageOf(tx), nt.Headers, ins.Headers)
	}
	// Non-transactional: no txId, empty schema and table, its own commit.
	src := source(nt)
	lsn := src.Get("lsn").(int64)
	o := nt.SourceOffset.(*Offset)
	if src.Get("txId") != nil || src.Get("schema") != "" || src.Get("table") != "" ||
		src.Get("sequence") != fmt.Sprintf(`["%d","%d"]`, lsn, lsn) || o.MessageType != "MESSAGE" || *o.LsnCommit != lsn || o.TxID != nil {
		t.Errorf("non-transactional source %v offset %+v", src, o)
	}
	// Transactional: the transaction's xid and commit time.
	ts := source(tx)
	if ts.Get("txId") != source(ins).Get("txId") || ts.Get("ts_us") != source(ins).Get("ts_us") || ts.Get("lsn").(int64) <= source(ins).Get("lsn").(int64) {
		t.Errorf("transactional source %v, insert source %v", ts, source(ins))
	}
	// Exact bytes, JsonConverter with schemas (volatile fields zeroed).
	checkGolden(t, "message_value.json", normalize(jsonBytes(t, true, false, tx.Topic, tx.ValueSchema, tx.Value)))
	checkGolden(t, "message_key.json", string(jsonBytes(t, true, true, tx.Topic, tx.KeySchema, tx.Key)))
}

// TestLogicalDecodingMessageOptions covers the include list, binary
// handling, the 2.7 layout (no transaction field) and transaction metadata.
func TestLogicalDecodingMessageOptions(t *testing.T) {
	f := newFixture(t, customersDDL)
	f.props[KeySnapshotMode] = "no_data"
	f.props[KeyMessagePrefixInclude] = "keep"
	f.props[KeyBinaryMode] = "base64"
	f.props[KeyProvideTxMetadata] = "true"
	f.start()
	f.expectQuiet(200 * time.Millisecond)
	f.exec(`SELECT pg_logical_emit_message(false, 'other', 'x')`,
		`BEGIN; SELECT pg_logical_emit_message(true, 'keep', 'abc'); SELECT pg_logical_emit_message(true, 'keep', 'def'); COMMIT`)
	recs := f.poll(4)
	var topics []string
	for _, r := range recs {
		topics = append(topics, r.Topic)
	}
	if fmt.Sprint(topics) != "[dbserver1.transaction dbserver1.message dbserver1.message dbserver1.transaction]" ||
		recs[1].Key.(*data.Struct).Get("prefix") != "keep" {
		t.Fatalf("got %v", topics)
	}
	if c := messageOf(recs[2]).Get("content"); c != "ZGVm" {
		t.Errorf("base64 content %v", c)
	}
	blk := txBlockOf(recs[2])
	if blk.Get("total_order") != int64(2) || blk.Get("data_collection_order") != int64(2) {
		t.Errorf("message transaction block %v", blk)
	}
	end := txValue(recs[3])
	colls := end.Get("data_collections").([]any)
	if end.Get("event_count") != int64(2) || len(colls) != 1 || colls[0].(*data.Struct).Get("data_collection") != messageCollection {
		t.Errorf("END %v", end)
	}
	if m := offsetJSON(t, recs[2]); m["transaction_data_collection_order_LOGICAL_DECODING_MESSAGE"] != float64(2) {
		t.Errorf("offset %v", m)
	}

	// Both lists at once are rejected, as Debezium does.
	props := map[string]string{}
	for k, v := range f.props {
		props[k] = v
	}
	props[KeyMessagePrefixExclude] = "x"
	if _, err := parseConfig(props, discardLogger()); err == nil || !strings.Contains(err.Error(), KeyMessagePrefixExclude) {
		t.Errorf("include and exclude lists: %v", err)
	}
	for _, r := range (&Connector{}).Validate(context.Background(), props) {
		if (r.Name == KeyMessagePrefixExclude) != (len(r.Errors) > 0) {
			t.Errorf("validate %s: %v", r.Name, r.Errors)
		}
	}
	s := newMessageSchemas(&Config{Compat: "2.7", BinaryMode: "hex", Prefix: "p"}, sourceSchema("2.7"), blockSchema())
	var names []string
	for _, fl := range s.value.Fields {
		names = append(names, fl.Name)
	}
	if fmt.Sprint(names) != "[op ts_ms source message]" || s.block.Fields[1].Schema.Type != data.TypeString || s.topic != "p.message" {
		t.Errorf("2.7 message schema %v", names)
	}
}

// TestSkippedOperationsValidation follows Debezium's validateSkippedOperation.
func TestSkippedOperationsValidation(t *testing.T) {
	for _, c := range []struct {
		v  string
		ok bool
	}{{"t", true}, {"r,c,u,d,t", true}, {"none", true}, {"m", false}, {"none,c", false}, {"x", false}} {
		err := validSkipped(KeySkippedOperations, strings.Split(c.v, ","))
		if (err == nil) != c.ok {
			t.Errorf("%q: %v", c.v, err)
		}
	}
}
