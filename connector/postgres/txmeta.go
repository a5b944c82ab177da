package postgres

import (
	"sort"
	"strconv"
)

// Transaction metadata (provide.transaction.metadata=true) as Debezium's
// TransactionMonitor and TransactionContext keep it: the open transaction's
// xid, its event count and per-collection counts. Every offset written
// while a transaction is open carries them ("transaction_id",
// "transaction_data_collection_order_<collection>"), so a task restarted in
// the middle of a transaction continues its counters.

// messageCollection is the data collection logical decoding messages count
// under (the identifier of Debezium's LogicalDecodingMessageId).
const messageCollection = "LOGICAL_DECODING_MESSAGE"

// Offset keys of the transaction context (TransactionContext.store).
const (
	offsetTxID       = "transaction_id"
	offsetTxOrderPfx = "transaction_data_collection_order_"
)

// txCollection counts a transaction's events of one data collection.
type txCollection struct {
	name  string
	count int64
}

// txContext is the open transaction; id is "" when none is open.
type txContext struct {
	id    string
	total int64
	colls []txCollection // first-seen order
	// capacity is the table size of Debezium's per-collection HashMap,
	// which clear() never shrinks; it fixes the END event's order.
	capacity int
	// rewind makes the next event of a collection at lsn reuse the numbers
	// it had before a restart (the event at the stored LSN is emitted again).
	rewind    bool
	rewindLsn int64
}

func (c *txContext) begin(id string) {
	c.id, c.total, c.colls, c.rewind = id, 0, c.colls[:0], false
}

func (c *txContext) end() { c.begin("") }

// event counts one event of collection name at lsn and returns its total
// and per-collection order.
func (c *txContext) event(name string, lsn int64) (total, order int64) {
	i := c.index(name)
	if c.rewind {
		c.rewind = false
		if lsn == c.rewindLsn && i >= 0 && c.colls[i].count > 0 {
			c.total--
			c.colls[i].count--
		}
	}
	if i < 0 {
		i = len(c.colls)
		c.colls = append(c.colls, txCollection{name: name})
		if n := javaMapCapacity(len(c.colls)); n > c.capacity {
			c.capacity = n
		}
	}
	c.total++
	c.colls[i].count++
	return c.total, c.colls[i].count
}

func (c *txContext) index(name string) int {
	for i := range c.colls {
		if c.colls[i].name == name {
			return i
		}
	}
	return -1
}

// state is an immutable copy for one offset, or nil when no transaction is
// open.
func (c *txContext) state() *txState {
	if c.id == "" {
		return nil
	}
	return &txState{id: c.id, colls: append([]txCollection(nil), c.colls...)}
}

// endCollections is the END event's data_collections, in the iteration
// order of Debezium's HashMap.
func (c *txContext) endCollections() []txCollection {
	out := append([]txCollection(nil), c.colls...)
	n := c.capacity
	if n == 0 {
		n = javaMapCapacity(len(out))
	}
	bucket := func(s string) int {
		h := javaStringHash(s)
		h ^= int32(uint32(h) >> 16)
		return int(h) & (n - 1)
	}
	sort.SliceStable(out, func(i, j int) bool { return bucket(out[i].name) < bucket(out[j].name) })
	return out
}

// restore loads the context a stored offset carries.
func (c *txContext) restore(s *txState) {
	c.begin("")
	if s == nil {
		return
	}
	c.id = s.id
	for _, e := range s.colls {
		c.colls = append(c.colls, e)
		c.total += e.count
	}
	c.capacity = javaMapCapacity(len(c.colls))
}

// javaMapCapacity is the table size a java.util.HashMap grows to for n
// entries (initial 16, doubled beyond a 0.75 load factor).
func javaMapCapacity(n int) int {
	c := 16
	for float64(n) > 0.75*float64(c) {
		c *= 2
	}
	return c
}

// txState is the transaction context stored in one offset.
type txState struct {
	id    string
	colls []txCollection
}

// appendJSON appends the offset keys, each preceded by a comma.
func (s *txState) appendJSON(b []byte) []byte {
	b = append(b, `,"`+offsetTxID+`":`...)
	b = strconv.AppendQuote(b, s.id)
	for _, e := range s.colls {
		b = append(b, ',')
		b = strconv.AppendQuote(b, offsetTxOrderPfx+e.name)
		b = append(b, ':')
		b = strconv.AppendInt(b, e.count, 10)
	}
	return b
}

// txStateFromMap reads the transaction context of a stored offset
// (TransactionContext.load).
func txStateFromMap(m map[string]any) (*txState, error) {
	id, _ := m[offsetTxID].(string)
	var colls []txCollection
	for _, k := range sortedKeys(m) {
		if len(k) <= len(offsetTxOrderPfx) || k[:len(offsetTxOrderPfx)] != offsetTxOrderPfx {
			continue
		}
		n, err := offsetNumber(m, k)
		if err != nil {
			return nil, err
		}
		if n != nil {
			colls = append(colls, txCollection{name: k[len(offsetTxOrderPfx):], count: *n})
		}
	}
	if id == "" && len(colls) == 0 {
		return nil, nil
	}
	return &txState{id: id, colls: colls}, nil
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
