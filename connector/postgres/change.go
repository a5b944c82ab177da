package postgres

import (
	"context"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/data"
)

// Row changes from pgoutput Insert/Update/Delete/Truncate messages become
// Debezium change events here.

// skip reports whether an event at lsn was emitted before a restart.
func (z *streamer) skip(lsn int64) bool {
	return z.st.skipXid != nil && z.st.xid != nil && *z.st.xid == *z.st.skipXid && lsn < z.st.skipLsn
}

func (z *streamer) change(ctx context.Context, op byte, lsn int64, rc rowChange) error {
	rel, oldKind, oldT, newT := rc.rel, rc.oldKind, rc.old, rc.new
	t, ok := z.s.tables[rel]
	z.st.lsnProc = lsn // Debezium: the last completely processed event
	if !ok || t == nil || z.skip(lsn) {
		return nil
	}
	if z.s.cfg.Skip[op] {
		return nil
	}
	var before, after []any
	var err error
	if oldT != nil {
		if before, _, err = t.decodeTuple(z.beforeVals, oldT); err != nil {
			return err
		}
	}
	if newT != nil {
		if after, err = t.afterImage(z.afterVals, newT, oldKind, before); err != nil {
			return err
		}
	}
	// The decoded values only pass into the structs built below, so their
	// slices serve the next row.
	if before != nil {
		z.beforeVals = before
	}
	if after != nil {
		z.afterVals = after
	}
	msgType := "UPDATE"
	switch op {
	case 'c':
		msgType = "INSERT"
	case 'd':
		msgType = "DELETE"
	}
	si := &srcInfo{tsUs: z.st.commitUs, lastCommit: z.st.lastCommit, lsn: lsn, txID: z.st.xid}
	si.tx = z.box.boxesFor(si)
	off := z.offset(lsn, msgType)
	switch op {
	case 'c':
		return z.emitChange(t, "c", t.keyStruct(after), nil, t.valueStruct(after), si, off, nil)
	case 'd':
		key := t.keyStruct(before)
		rec, err := z.record(t, "d", key, t.valueStruct(before), nil, si, off, nil)
		if err != nil {
			return err
		}
		if err := z.emit(rec); err != nil {
			return err
		}
		if z.s.cfg.Tombstones {
			return z.emit(tombstone(&rec))
		}
		return nil
	}
	newKey := t.keyStruct(after)
	var beforeSt *data.Struct
	if before != nil {
		beforeSt = t.valueStruct(before)
		if oldKey := t.keyStruct(before); oldKey != nil && !oldKey.Equal(newKey) {
			return z.keyChange(t, oldKey, newKey, beforeSt, t.valueStruct(after), si, off)
		}
	}
	return z.emitChange(t, "u", newKey, beforeSt, t.valueStruct(after), si, off, nil)
}

// afterImage decodes the new tuple; an unchanged TOAST value is taken from
// a full old tuple (REPLICA IDENTITY FULL) or becomes the placeholder.
func (t *table) afterImage(dst []any, newT *rawTuple, oldKind uint8, before []any) ([]any, error) {
	after, unavailable, err := t.decodeTuple(dst, newT)
	if err != nil {
		return nil, err
	}
	for i, u := range unavailable {
		if !u {
			continue
		}
		if oldKind == 'O' && before != nil && before[i] != nil {
			after[i] = before[i]
		} else {
			after[i] = t.cols[i].ct.unavailable
		}
	}
	return after, nil
}

// keyChange emits a primary-key update as Debezium does: delete of the old
// key (header __debezium.newkey), its tombstone, create of the new key
// (header __debezium.oldkey).
func (z *streamer) keyChange(t *table, oldKey, newKey, before, after *data.Struct, si *srcInfo, off *Offset) error {
	del, err := z.record(t, "d", oldKey, before, nil, si, off,
		connector.Headers{{Key: "__debezium.newkey", Schema: t.keySchema, Value: newKey}})
	if err != nil {
		return err
	}
	if err := z.emit(del); err != nil {
		return err
	}
	if z.s.cfg.Tombstones {
		if err := z.emit(tombstone(&del)); err != nil {
			return err
		}
	}
	return z.emitChange(t, "c", newKey, nil, after, si, off,
		connector.Headers{{Key: "__debezium.oldkey", Schema: t.keySchema, Value: oldKey}})
}

func (z *streamer) emitChange(t *table, op string, key, before, after *data.Struct, si *srcInfo, off *Offset, h connector.Headers) error {
	rec, err := z.record(t, op, key, before, after, si, off, h)
	if err != nil {
		return err
	}
	return z.emit(rec)
}

// record builds a change record; with transaction metadata it carries the
// transaction block and its offset the transaction context.
func (z *streamer) record(t *table, op string, key, before, after *data.Struct, si *srcInfo, off *Offset, h connector.Headers) (connector.SourceRecord, error) {
	var block *data.Struct
	if z.s.cfg.TxMetadata && z.st.tx.id != "" {
		block, off = z.txBlock(t.collection, si.lsn, off)
	}
	rec := z.s.changeRecord(t, op, key, before, after, si, block, off)
	if h != nil {
		rec.Headers = withContext(h, rec.Headers)
	}
	return rec, nil
}

func (z *streamer) truncate(rel uint32, lsn int64) error {
	t, ok := z.s.tables[rel]
	z.st.lsnProc = lsn
	if !ok || t == nil || z.s.cfg.Skip['t'] || z.skip(lsn) {
		return nil
	}
	si := &srcInfo{tsUs: z.st.commitUs, lastCommit: z.st.lastCommit, lsn: lsn, txID: z.st.xid}
	si.tx = z.box.boxesFor(si)
	rec, err := z.record(t, "t", nil, nil, nil, si, z.offset(lsn, "TRUNCATE"), nil)
	if err != nil {
		return err
	}
	rec.KeySchema, rec.Key = nil, nil
	return z.emit(rec)
}
