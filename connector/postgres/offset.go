package postgres

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/jackc/pglogrepl"
)

// Offset is Debezium's PostgreSQL source offset (PostgresOffsetContext),
// stored under the partition {"server":"<topic.prefix>"}. Field names are
// Debezium's, so offsets can be handed over in either direction.
type Offset struct {
	// LsnProc is the last completely processed LSN.
	LsnProc *int64 `json:"lsn_proc,omitempty"`
	// MessageType is INSERT, UPDATE, DELETE, TRUNCATE, BEGIN or COMMIT.
	MessageType string `json:"messageType,omitempty"`
	// LsnCommit is the end LSN of the last processed COMMIT.
	LsnCommit *int64 `json:"lsn_commit,omitempty"`
	// Lsn is the LSN of the last emitted event (the slot's consistent
	// point while snapshotting).
	Lsn    int64  `json:"lsn"`
	TxID   *int64 `json:"txId,omitempty"`
	TsUsec int64  `json:"ts_usec"`
	// Snapshot is "INITIAL" (Debezium 3.0.2+) or true (2.7) while a snapshot
	// record is emitted; absent once streaming.
	Snapshot           any   `json:"snapshot,omitempty"`
	LastSnapshotRecord *bool `json:"last_snapshot_record,omitempty"`
	SnapshotCompleted  *bool `json:"snapshot_completed,omitempty"`
	// Tx is the open transaction's context with provide.transaction.metadata
	// ("transaction_id", "transaction_data_collection_order_<collection>").
	Tx *txState `json:"-"`
}

// MarshalJSON writes the offset with Debezium's keys; the transaction keys
// have names that depend on the data collections.
func (o *Offset) MarshalJSON() ([]byte, error) {
	type plain Offset
	b, err := json.Marshal((*plain)(o))
	if err != nil || o.Tx == nil || len(b) < 2 {
		return b, err
	}
	out := make([]byte, 0, len(b)+64)
	out = o.Tx.appendJSON(append(out, b[:len(b)-1]...))
	return append(out, '}'), nil
}

func i64(v int64) *int64 { return &v }
func boolp(v bool) *bool { return &v }

// inSnapshot reports whether the offset was written by a snapshot that did
// not finish: a restart must take the snapshot again.
func (o *Offset) inSnapshot() bool {
	if o.Snapshot == nil {
		return false
	}
	if o.SnapshotCompleted != nil {
		return !*o.SnapshotCompleted
	}
	return o.LastSnapshotRecord == nil || !*o.LastSnapshotRecord
}

// confirmLSN is the LSN that may be confirmed to the slot once o is durable:
// every transaction committing before it has been fully emitted. A
// mid-transaction LSN is safe too: the server replays a transaction whose
// commit lies after the confirmed position from its BEGIN.
func (o *Offset) confirmLSN() pglogrepl.LSN {
	v := o.Lsn
	if o.LsnProc != nil && *o.LsnProc > v {
		v = *o.LsnProc
	}
	if o.LsnCommit != nil && *o.LsnCommit > v {
		v = *o.LsnCommit
	}
	if v < 0 {
		return 0
	}
	return pglogrepl.LSN(v)
}

// offsetFromMap reads an offset back from the runtime (JSON numbers arrive
// as float64).
func offsetFromMap(m map[string]any) (*Offset, error) {
	if m == nil {
		return nil, nil
	}
	o := &Offset{}
	var lsn, ts *int64
	for _, f := range []struct {
		key string
		dst **int64
	}{{"lsn_proc", &o.LsnProc}, {"lsn_commit", &o.LsnCommit}, {"txId", &o.TxID}, {"lsn", &lsn}, {"ts_usec", &ts}} {
		v, err := offsetNumber(m, f.key)
		if err != nil {
			return nil, err
		}
		*f.dst = v
	}
	if lsn != nil {
		o.Lsn = *lsn
	}
	if ts != nil {
		o.TsUsec = *ts
	}
	o.MessageType, _ = m["messageType"].(string)
	switch s := m["snapshot"].(type) {
	case bool:
		if s {
			o.Snapshot = true
		}
	case string:
		if s != "" && s != "false" {
			o.Snapshot = s
		}
	}
	if b, ok := m["last_snapshot_record"].(bool); ok {
		o.LastSnapshotRecord = boolp(b)
	}
	if b, ok := m["snapshot_completed"].(bool); ok {
		o.SnapshotCompleted = boolp(b)
	}
	if o.Snapshot == nil {
		var err error
		if o.Tx, err = txStateFromMap(m); err != nil {
			return nil, err
		}
	}
	return o, nil
}

func offsetNumber(m map[string]any, k string) (*int64, error) {
	v, ok := m[k]
	if !ok || v == nil {
		return nil, nil
	}
	switch x := v.(type) {
	case float64:
		if x != math.Trunc(x) {
			return nil, fmt.Errorf("postgres: offset %s=%v is not an integer", k, x)
		}
		return i64(int64(x)), nil
	case int64:
		return i64(x), nil
	case int:
		return i64(int64(x)), nil
	case json.Number:
		n, err := x.Int64()
		return i64(n), err
	case string:
		n, err := strconv.ParseInt(x, 10, 64)
		return i64(n), err
	}
	return nil, fmt.Errorf("postgres: offset %s has type %T", k, v)
}

// toOffset accepts what CommitOffsets receives: the value the task set on
// the record, or its decoded JSON form.
func toOffset(v any) (*Offset, error) {
	switch x := v.(type) {
	case *Offset:
		return x, nil
	case Offset:
		return &x, nil
	case map[string]any:
		return offsetFromMap(x)
	case nil:
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return offsetFromMap(m)
}
