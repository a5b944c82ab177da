package postgres

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/jackc/pglogrepl"
	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/data"
)

// Logical decoding messages (pg_logical_emit_message; pgoutput sends them
// from PostgreSQL 14 on with the "messages" option) become op "m" records on
// "<topic.prefix>.message", as Debezium's LogicalDecodingMessageMonitor
// emits them. They carry no context headers and skipped.operations does not
// apply; message.prefix.include.list / exclude.list select them.

// messageSchemas are the key and value schemas of message records.
type messageSchemas struct {
	key, block, value *data.Schema
	topic             string
	hasTx             bool // the value has a transaction field (3.0+)
}

// Value field indexes.
const (
	msgOp = iota
	msgTsMs
	msgSource
)

func newMessageSchemas(cfg *Config, src, txBlock *data.Schema) *messageSchemas {
	content := data.OptionalBytesSchema
	if cfg.BinaryMode != "bytes" {
		content = data.OptionalStringSchema
	}
	m := &messageSchemas{topic: topicName(cfg.Prefix + ".message"), hasTx: cfg.Compat != "2.7"}
	m.key = data.StructSchema("io.debezium.connector.postgresql.MessageKey").Version(1).
		Field("prefix", data.OptionalStringSchema).Build()
	m.block = data.StructSchema("io.debezium.connector.postgresql.Message").Version(1).
		Field("prefix", data.OptionalStringSchema).Field("content", content).Build()
	b := data.StructSchema("io.debezium.connector.postgresql.MessageValue").Version(1).
		Field("op", data.StringSchema).Field("ts_ms", data.OptionalInt64Schema).Field("source", src)
	if m.hasTx { // DBZ-8185 (3.0): the transaction block, between source and message
		b.Field("transaction", txBlock)
	}
	m.value = b.Field("message", m.block).Build()
	return m
}

func (m *messageSchemas) messageIndex() int { return len(m.value.Fields) - 1 }

// content renders message bytes per binary.handling.mode.
func messageContent(mode string, b []byte) any {
	switch mode {
	case "base64":
		return base64.StdEncoding.EncodeToString(b)
	case "base64-url-safe":
		return base64.URLEncoding.EncodeToString(b)
	case "hex":
		return hex.EncodeToString(b)
	}
	return append([]byte{}, b...)
}

// message handles a pgoutput Message. A non-transactional one stands alone:
// Debezium treats it as a commit of its own (lsn_commit and lsn_proc move to
// it, a heartbeat may follow) and it has no txId; its source timestamp stays
// the last transaction's commit time.
func (z *streamer) message(ctx context.Context, m *pglogrepl.LogicalDecodingMessage, lsn int64) error {
	s := z.s
	si := &srcInfo{tsUs: z.st.commitUs, lastCommit: z.st.lastCommit, lsn: lsn}
	if m.Transactional {
		si.txID = z.st.xid
	} else {
		z.st.xid = nil // Debezium's source info loses the txId, so later heartbeats have none
		z.st.lastCommit = i64(lsn)
		z.st.lsnProc = lsn
		si.lastCommit = z.st.lastCommit
		if si.tsUs == 0 {
			si.tsUs = time.Now().UnixMicro()
		}
		if err := z.maybeHeartbeat(ctx); err != nil {
			return err
		}
	}
	if (m.Transactional && z.skip(lsn)) || !s.cfg.MessagePrefixes.included(m.Prefix) {
		return nil
	}
	off := &Offset{LsnProc: i64(z.st.lsnProc), MessageType: "MESSAGE", LsnCommit: z.st.lastCommit,
		Lsn: lsn, TxID: si.txID, TsUsec: si.tsUs}
	key := data.NewStruct(s.msg.key)
	key.Set(0, m.Prefix)
	blk := data.NewStruct(s.msg.block)
	blk.Set(0, m.Prefix)
	blk.Set(1, messageContent(s.cfg.BinaryMode, m.Content))
	val := data.NewStruct(s.msg.value)
	val.Set(msgOp, "m")
	val.Set(msgTsMs, s.now().UnixMilli())
	val.Set(msgSource, s.messageSource(si))
	val.Set(s.msg.messageIndex(), blk)
	if m.Transactional && s.cfg.TxMetadata && z.st.tx.id != "" {
		var tx *data.Struct
		tx, off = z.txBlock(messageCollection, lsn, off)
		if s.msg.hasTx {
			val.Set(3, tx)
		}
	}
	rec := connector.SourceRecord{SourcePartition: s.partition, SourceOffset: off}
	rec.Topic, rec.Partition = s.msg.topic, connector.NoPartition
	rec.KeySchema, rec.Key, rec.ValueSchema, rec.Value = s.msg.key, key, s.msg.value, val
	return z.emit(rec)
}

// messageSource is the source block of a message: no schema or table.
func (s *session) messageSource(si *srcInfo) *data.Struct {
	return s.sourceStruct(&table{}, si)
}

// txBlock counts one event of the open transaction and returns its
// transaction block ("<xid>:<lsn>", total and per-collection order) and a
// copy of off carrying the transaction context.
func (z *streamer) txBlock(collection string, lsn int64, off *Offset) (*data.Struct, *Offset) {
	total, order := z.st.tx.event(collection, lsn)
	block := data.NewStruct(z.s.blockSchema)
	block.Set(0, z.st.tx.id+":"+strconv.FormatInt(lsn, 10))
	block.Set(1, total)
	block.Set(2, order)
	o := *off
	o.Tx = z.st.tx.state()
	return block, &o
}
