package postgres

import (
	"fmt"
	"strconv"
	"time"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/data"
)

// Version is the Debezium release whose output Wharf reproduces.
const Version = "3.1.3.Final"

// Tuple column kinds, as pgoutput marks them.
const (
	kindNull   = 'n'
	kindToast  = 'u'
	kindText   = 't'
	kindAbsent = 0 // column not in the tuple (key-only image)
)

// decodeTuple decodes every supported column of a tuple into dst (reused
// when it is large enough). unavailable[i] is set for unchanged TOAST columns.
func (t *table) decodeTuple(dst []any, tp *rawTuple) (vals []any, unavailable []bool, err error) {
	if cap(dst) >= len(t.cols) {
		vals = dst[:len(t.cols)]
		clear(vals)
	} else {
		vals = make([]any, len(t.cols))
	}
	n := tp.len()
	for i := 0; i < n && i < len(t.cols); i++ {
		c := &t.cols[i]
		if c.ct == nil {
			continue
		}
		switch tp.kinds[i] {
		case kindText:
			if vals[i], err = c.ct.decode(tp.texts[i]); err != nil {
				return nil, nil, fmt.Errorf("postgres: %s.%s column %s: %w", t.schema, t.name, c.name, err)
			}
		case kindToast:
			if unavailable == nil {
				unavailable = make([]bool, len(t.cols))
			}
			unavailable[i] = true
		}
	}
	return vals, unavailable, nil
}

// valueStruct builds the row struct. A required field without a value gets
// its default or its type's zero value, as Debezium's fallbacks do.
func (t *table) valueStruct(vals []any) *data.Struct {
	st := data.NewStruct(t.valSchema)
	for i := range t.cols {
		c := &t.cols[i]
		if c.field < 0 {
			continue
		}
		v := vals[i]
		if v == nil && !c.schema.Optional {
			if v = c.schema.Default; v == nil {
				v = zeroValue(c.schema)
			}
		}
		st.Set(c.field, conform(v, c.schema))
	}
	return st
}

// keyStruct builds the key, or returns nil for a keyless table.
func (t *table) keyStruct(vals []any) *data.Struct {
	if t.keySchema == nil {
		return nil
	}
	st := data.NewStruct(t.keySchema)
	for i := range t.cols {
		c := &t.cols[i]
		if c.key < 0 {
			continue
		}
		v := vals[i]
		if v == nil {
			v = zeroValue(c.schema)
		}
		st.Set(c.key, conform(v, t.keySchema.Fields[c.key].Schema))
	}
	return st
}

// conform gives a struct value (VariableScaleDecimal) the exact schema of
// its field, which differs from the decoder's in optionality.
func conform(v any, s *data.Schema) any {
	st, ok := v.(*data.Struct)
	if !ok || st.Schema() == s || s.Type != data.TypeStruct || st.Schema().Equal(s) {
		return v
	}
	out := data.NewStruct(s)
	for i := range s.Fields {
		out.Set(i, st.At(i))
	}
	return out
}

// srcInfo is what varies in the source block between events.
type srcInfo struct {
	tsUs       int64
	snapshot   string // "" while streaming
	lastCommit *int64
	lsn        int64
	txID       *int64
	tx         *txBoxes // boxed per-transaction values; nil: box per event
	seqV       any      // source.sequence when computed beforehand
}

// txBoxes holds the source fields that are the same for every event of a
// transaction, boxed once: boxing an int64 allocates.
type txBoxes struct {
	tsUs, txID          int64
	hasTx               bool
	tsMsV, tsUsV, tsNsV any
	txIDV               any
}

// boxesFor returns b updated for si's transaction.
func (b *txBoxes) boxesFor(si *srcInfo) *txBoxes {
	if b.tsUsV == nil || b.tsUs != si.tsUs {
		b.tsUs = si.tsUs
		b.tsMsV, b.tsUsV, b.tsNsV = floorDiv(si.tsUs, 1000), si.tsUs, si.tsUs*1000
	}
	if si.txID != nil && (!b.hasTx || b.txID != *si.txID) {
		b.txID, b.hasTx, b.txIDV = *si.txID, true, *si.txID
	}
	return b
}

func (s *session) sourceStruct(t *table, si *srcInfo) *data.Struct {
	st := data.NewStruct(s.srcSchema)
	st.Set(srcVersion, Version)
	st.Set(srcConnector, "postgresql")
	st.Set(srcName, boxed(s.prefixV, s.cfg.Prefix))
	if b := si.tx; b != nil {
		st.Set(srcTsMs, b.tsMsV)
		st.Set(srcTsUs, b.tsUsV)
		st.Set(srcTsNs, b.tsNsV)
	} else {
		st.Set(srcTsMs, floorDiv(si.tsUs, 1000))
		st.Set(srcTsUs, si.tsUs)
		st.Set(srcTsNs, si.tsUs*1000)
	}
	if si.snapshot != "" {
		st.Set(srcSnapshot, boxedMarker(si.snapshot))
	}
	st.Set(srcDB, boxed(s.dbV, s.cfg.DBName))
	if si.seqV != nil {
		st.Set(srcSequence, si.seqV)
	} else {
		st.Set(srcSequence, sequence(si.lastCommit, si.lsn))
	}
	st.Set(srcSchema, boxed(t.schemaV, t.schema))
	st.Set(srcTable, boxed(t.nameV, t.name))
	if si.txID != nil {
		if b := si.tx; b != nil {
			st.Set(srcTxID, b.txIDV)
		} else {
			st.Set(srcTxID, *si.txID)
		}
	}
	st.Set(srcLsn, si.lsn)
	return st
}

// boxed is v, the pre-boxed form of s, or s when there is none.
func boxed(v any, s string) any {
	if v != nil {
		return v
	}
	return s
}

// boxedOp returns the op code as a constant interface value, which costs
// no allocation, for the codes change events use.
func boxedOp(op string) any {
	switch op {
	case "c":
		return "c"
	case "u":
		return "u"
	case "d":
		return "d"
	case "r":
		return "r"
	case "t":
		return "t"
	}
	return op
}

// boxedMarker is boxedOp for source.snapshot values.
func boxedMarker(m string) any {
	switch m {
	case "true":
		return "true"
	case "first":
		return "first"
	case "first_in_data_collection":
		return "first_in_data_collection"
	case "last_in_data_collection":
		return "last_in_data_collection"
	case "last":
		return "last"
	}
	return m
}

// sequence is source.sequence: the JSON array ["<lastCommit>","<lsn>"].
func sequence(lastCommit *int64, lsn int64) string {
	b := make([]byte, 0, 48)
	b = append(b, '[')
	if lastCommit == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '"')
		b = strconv.AppendInt(b, *lastCommit, 10)
		b = append(b, '"')
	}
	b = append(b, ',', '"')
	b = strconv.AppendInt(b, lsn, 10)
	b = append(b, '"', ']')
	return string(b)
}

// changeRecord builds one data change record.
func (s *session) changeRecord(t *table, op string, key, before, after *data.Struct, si *srcInfo,
	block *data.Struct, off *Offset) connector.SourceRecord {
	return s.recordWithSource(t, op, key, before, after, s.sourceStruct(t, si), block, off, newStamp(s.now()))
}

// stamp is a processing time boxed for the envelope's ts_ms, ts_us and
// ts_ns. The snapshot's records share one per run of rows (snapBuilder);
// a streamed change gets its own. It travels by value: a pointer would
// cost streamed changes an allocation.
type stamp struct{ ms, us, ns any }

func newStamp(now time.Time) stamp {
	return stamp{ms: now.UnixMilli(), us: now.UnixMicro(), ns: now.UnixNano()}
}

// recordWithSource is changeRecord with the source block built beforehand.
func (s *session) recordWithSource(t *table, op string, key, before, after, src *data.Struct,
	block *data.Struct, off *Offset, ts stamp) connector.SourceRecord {
	env := data.NewStruct(t.envSchema)
	if before != nil {
		env.Set(envBefore, before)
	}
	if after != nil {
		env.Set(envAfter, after)
	}
	env.Set(envSource, src)
	if block != nil {
		env.Set(envTransaction, block)
	}
	env.Set(envOp, boxedOp(op))
	env.Set(envTsMs, ts.ms)
	env.Set(envTsUs, ts.us)
	env.Set(envTsNs, ts.ns)
	rec := connector.SourceRecord{SourcePartition: s.partition, SourceOffset: off}
	rec.Topic = t.topic
	rec.Partition = connector.NoPartition
	if key != nil {
		rec.KeySchema, rec.Key = t.keySchema, key
	}
	rec.ValueSchema, rec.Value = t.envSchema, env
	rec.Headers = s.ctxHeaders
	return rec
}

// tombstone is the null-value record that follows a delete. It keeps the
// delete's headers, as Debezium's record.newRecord(..., record.headers()).
func tombstone(r *connector.SourceRecord) connector.SourceRecord {
	ts := *r
	ts.ValueSchema, ts.Value = nil, nil
	return ts
}

func (s *session) heartbeatRecord(off *Offset) connector.SourceRecord {
	k := data.NewStruct(heartbeatKeySchema)
	k.Set(0, s.cfg.Prefix)
	v := data.NewStruct(heartbeatValueSchema)
	v.Set(0, s.now().UnixMilli())
	rec := connector.SourceRecord{SourcePartition: s.partition, SourceOffset: off}
	rec.Topic, rec.Partition = topicName(s.cfg.HeartbeatTopic), 0
	rec.KeySchema, rec.Key, rec.ValueSchema, rec.Value = heartbeatKeySchema, k, heartbeatValueSchema, v
	return rec
}

func (s *session) txRecord(status, id string, tsMs int64, tx *txContext, off *Offset) connector.SourceRecord {
	k := data.NewStruct(txKeySchema)
	k.Set(0, id)
	v := data.NewStruct(txValueSchema)
	v.Set(0, status)
	v.Set(1, id)
	if status == "END" {
		v.Set(2, tx.total)
		colls := tx.endCollections()
		l := make([]any, len(colls))
		for i, c := range colls {
			e := data.NewStruct(txCollectionSchema)
			e.Set(0, c.name)
			e.Set(1, c.count)
			l[i] = e
		}
		v.Set(3, l)
	}
	v.Set(4, tsMs)
	rec := connector.SourceRecord{SourcePartition: s.partition, SourceOffset: off}
	rec.Topic, rec.Partition = topicName(s.cfg.TxTopic), connector.NoPartition
	rec.KeySchema, rec.Key, rec.ValueSchema, rec.Value = txKeySchema, k, txValueSchema, v
	return rec
}

func (s *session) now() time.Time { return time.Now() }
