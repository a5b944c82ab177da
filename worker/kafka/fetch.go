package kafka

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/IBM/sarama"
)

// Record is one record read from a topic, as raw bytes.
type Record struct {
	Topic     string
	Partition int32
	Offset    int64
	Key       []byte // nil = null key
	Value     []byte // nil = tombstone
	Headers   []Header
	Timestamp time.Time
}

// Header is one record header.
type Header struct {
	Key   string
	Value []byte
}

const (
	fetchVersion       = 11 // Kafka 2.3+; flexible v12 adds nothing we use
	fetchMaxBytes      = 64 << 20
	partitionFetchSize = 8 << 20
)

// Fetcher reads topic partitions from explicit offsets over its own broker
// connections. Kafka answers the requests of one connection in order, so a
// long-polling fetch on a connection shared with a producer would delay the
// producer by up to the poll time; the Fetcher therefore never uses the
// client's connections for fetching, only its metadata. A Fetcher is used by
// one goroutine at a time.
type Fetcher struct {
	// ReadCommitted skips records of aborted transactions and reads only up
	// to the last stable offset (isolation.level=read_committed); pair it
	// with StableOffsets for end offsets.
	ReadCommitted bool

	client sarama.Client
	conns  map[int32]*sarama.Broker
}

// NewFetcher returns a Fetcher using client for metadata and configuration.
func NewFetcher(client sarama.Client) *Fetcher {
	return &Fetcher{client: client, conns: make(map[int32]*sarama.Broker)}
}

// Close closes the Fetcher's broker connections.
func (f *Fetcher) Close() error {
	var errs []error
	for id, b := range f.conns {
		if err := b.Close(); err != nil && !errors.Is(err, sarama.ErrNotConnected) {
			errs = append(errs, err)
		}
		delete(f.conns, id)
	}
	return errors.Join(errs...)
}

func (f *Fetcher) conn(leader *sarama.Broker) (*sarama.Broker, error) {
	if b, ok := f.conns[leader.ID()]; ok && b.Addr() == leader.Addr() {
		return b, nil
	} else if ok {
		_ = b.Close()
	}
	b := sarama.NewBroker(leader.Addr())
	if err := b.Open(f.client.Config()); err != nil {
		return nil, err
	}
	f.conns[leader.ID()] = b
	return b, nil
}

func (f *Fetcher) drop(id int32) {
	if b, ok := f.conns[id]; ok {
		_ = b.Close()
		delete(f.conns, id)
	}
}

// Fetch performs one fetch round for topic starting at pos (next offset per
// partition). It calls fn for every data record in offset order within each
// partition and advances pos past every batch it returns, control batches
// and compaction gaps included, so pos always reaches the end offset. maxWait
// bounds the round's long polls. A partition whose position is out of range
// restarts at its log start offset. The record's slices are never reused, so
// fn may keep them.
func (f *Fetcher) Fetch(topic string, pos map[int32]int64, maxWait time.Duration, fn func(*Record)) error {
	byLeader := make(map[int32][]int32)
	leaders := make(map[int32]*sarama.Broker)
	for p := range pos {
		b, err := f.client.Leader(topic, p)
		if err != nil {
			_ = f.client.RefreshMetadata(topic)
			return fmt.Errorf("kafka: leader of %s-%d: %w", topic, p, err)
		}
		byLeader[b.ID()] = append(byLeader[b.ID()], p)
		leaders[b.ID()] = b
	}
	ids := make([]int32, 0, len(byLeader))
	for id := range byLeader {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	wait := maxWait
	if len(ids) > 1 {
		wait /= time.Duration(len(ids))
	}
	var errs []error
	for _, id := range ids {
		if err := f.fetchFrom(leaders[id], topic, byLeader[id], pos, wait, fn); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (f *Fetcher) fetchFrom(leader *sarama.Broker, topic string, parts []int32, pos map[int32]int64, wait time.Duration, fn func(*Record)) error {
	conn, err := f.conn(leader)
	if err != nil {
		return fmt.Errorf("kafka: connect to %s: %w", leader.Addr(), err)
	}
	req := &sarama.FetchRequest{
		Version:      fetchVersion,
		MaxWaitTime:  int32(wait / time.Millisecond),
		MinBytes:     1,
		MaxBytes:     fetchMaxBytes,
		Isolation:    sarama.ReadUncommitted,
		SessionID:    0,
		SessionEpoch: -1,
	}
	if f.ReadCommitted {
		req.Isolation = sarama.ReadCommitted
	}
	slices.Sort(parts)
	for _, p := range parts {
		req.AddBlock(topic, p, pos[p], partitionFetchSize, -1)
	}
	resp, err := conn.Fetch(req)
	if err != nil {
		f.drop(leader.ID())
		_ = f.client.RefreshMetadata(topic)
		return fmt.Errorf("kafka: fetch %s from %s: %w", topic, leader.Addr(), err)
	}
	var errs []error
	refresh := false
	for _, p := range parts {
		block := resp.GetBlock(topic, p)
		if block == nil {
			continue
		}
		switch {
		case errors.Is(block.Err, sarama.ErrNoError):
			pos[p] = consumeBlock(topic, p, pos[p], block, f.ReadCommitted, fn)
		case errors.Is(block.Err, sarama.ErrOffsetOutOfRange):
			start, err := Offsets(f.client, topic, []int32{p}, sarama.OffsetOldest)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			pos[p] = start[p]
		case isLeadershipError(block.Err):
			refresh = true
			errs = append(errs, fmt.Errorf("kafka: fetch %s-%d: %w", topic, p, block.Err))
		default:
			errs = append(errs, fmt.Errorf("kafka: fetch %s-%d: %w", topic, p, block.Err))
		}
	}
	if refresh {
		_ = f.client.RefreshMetadata(topic)
	}
	return errors.Join(errs...)
}

func isLeadershipError(err error) bool {
	return errors.Is(err, sarama.ErrNotLeaderForPartition) || errors.Is(err, sarama.ErrLeaderNotAvailable) ||
		errors.Is(err, sarama.ErrUnknownTopicOrPartition) || errors.Is(err, sarama.ErrFencedLeaderEpoch) ||
		errors.Is(err, sarama.ErrUnknownLeaderEpoch) || errors.Is(err, sarama.ErrReplicaNotAvailable) ||
		errors.Is(err, sarama.ErrOffsetNotAvailable)
}

// consumeBlock calls fn for the records at or after next and returns the new
// next offset. With readCommitted, data batches of aborted transactions are
// skipped as the Java consumer does: a producer's batches are dropped from
// the first offset of an aborted transaction to its abort marker.
func consumeBlock(topic string, p int32, next int64, block *sarama.FetchResponseBlock, readCommitted bool, fn func(*Record)) int64 {
	var aborted []*sarama.AbortedTransaction
	var abortedPIDs map[int64]bool
	if readCommitted && len(block.AbortedTransactions) > 0 {
		aborted = slices.Clone(block.AbortedTransactions)
		slices.SortFunc(aborted, func(a, b *sarama.AbortedTransaction) int { return cmp.Compare(a.FirstOffset, b.FirstOffset) })
		abortedPIDs = make(map[int64]bool)
	}
	for _, rs := range block.RecordsSet {
		if b := rs.RecordBatch; b != nil {
			if b.PartialTrailingRecord {
				break
			}
			end := b.FirstOffset + int64(b.LastOffsetDelta) + 1
			for len(aborted) > 0 && aborted[0].FirstOffset < end {
				abortedPIDs[aborted[0].ProducerID] = true
				aborted = aborted[1:]
			}
			switch {
			case b.Control:
				delete(abortedPIDs, b.ProducerID) // the transaction's end marker
			case b.IsTransactional && abortedPIDs[b.ProducerID]:
			default:
				emitBatch(topic, p, next, b, fn)
			}
			next = max(next, end)
			continue
		}
		if ms := rs.MsgSet; ms != nil {
			next = consumeMessageSet(topic, p, next, ms, fn)
		}
	}
	return next
}

func emitBatch(topic string, p int32, next int64, b *sarama.RecordBatch, fn func(*Record)) {
	for _, r := range b.Records {
		off := b.FirstOffset + r.OffsetDelta
		if off < next {
			continue
		}
		ts := b.FirstTimestamp.Add(r.TimestampDelta)
		if b.LogAppendTime {
			ts = b.MaxTimestamp
		}
		fn(&Record{Topic: topic, Partition: p, Offset: off, Key: r.Key, Value: r.Value,
			Headers: headers(r.Headers), Timestamp: ts})
	}
}

// consumeMessageSet handles the pre-0.11 message format (magic 0 and 1).
func consumeMessageSet(topic string, p int32, next int64, ms *sarama.MessageSet, fn func(*Record)) int64 {
	for _, block := range ms.Messages {
		inner := block.Messages()
		for _, m := range inner {
			off, ts := m.Offset, m.Msg.Timestamp
			if m.Msg.Version >= 1 && len(inner) > 0 {
				off += block.Offset - inner[len(inner)-1].Offset
				if m.Msg.LogAppendTime {
					ts = block.Msg.Timestamp
				}
			}
			if off < next {
				continue
			}
			fn(&Record{Topic: topic, Partition: p, Offset: off, Key: m.Msg.Key, Value: m.Msg.Value, Timestamp: ts})
			next = off + 1
		}
	}
	return next
}

func headers(hs []*sarama.RecordHeader) []Header {
	if len(hs) == 0 {
		return nil
	}
	out := make([]Header, len(hs))
	for i, h := range hs {
		out[i] = Header{Key: string(h.Key), Value: h.Value}
	}
	return out
}

// Offsets returns the log start (which = sarama.OffsetOldest) or end
// (sarama.OffsetNewest) offsets of the given partitions of topic, one
// ListOffsets request per leader over the client's connections.
func Offsets(client sarama.Client, topic string, partitions []int32, which int64) (map[int32]int64, error) {
	return listPartitionOffsets(client, topic, partitions, which, sarama.ReadUncommitted)
}

// StableOffsets returns the last stable offsets of the given partitions: the
// end offsets a read_committed reader reaches (they trail the high
// watermark while a transaction is open).
func StableOffsets(client sarama.Client, topic string, partitions []int32) (map[int32]int64, error) {
	return listPartitionOffsets(client, topic, partitions, sarama.OffsetNewest, sarama.ReadCommitted)
}

func listPartitionOffsets(client sarama.Client, topic string, partitions []int32, which int64, iso sarama.IsolationLevel) (map[int32]int64, error) {
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		if attempt > 0 {
			_ = client.RefreshMetadata(topic)
			time.Sleep(time.Duration(attempt) * 100 * time.Millisecond)
		}
		out, err := offsetsOnce(client, topic, partitions, which, iso)
		if err == nil {
			return out, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

func offsetsOnce(client sarama.Client, topic string, partitions []int32, which int64, iso sarama.IsolationLevel) (map[int32]int64, error) {
	reqs := make(map[*sarama.Broker]*sarama.OffsetRequest)
	for _, p := range partitions {
		b, err := client.Leader(topic, p)
		if err != nil {
			return nil, fmt.Errorf("kafka: leader of %s-%d: %w", topic, p, err)
		}
		req, ok := reqs[b]
		if !ok {
			req = sarama.NewOffsetRequest(client.Config().Version)
			req.IsolationLevel = iso
			reqs[b] = req
		}
		req.AddBlock(topic, p, which, 1)
	}
	out := make(map[int32]int64, len(partitions))
	for b, req := range reqs {
		resp, err := b.GetAvailableOffsets(req)
		if err != nil {
			return nil, fmt.Errorf("kafka: list offsets of %s: %w", topic, err)
		}
		for _, p := range partitions {
			blk := resp.GetBlock(topic, p)
			if blk == nil {
				continue
			}
			if !errors.Is(blk.Err, sarama.ErrNoError) {
				return nil, fmt.Errorf("kafka: list offsets of %s-%d: %w", topic, p, blk.Err)
			}
			off := blk.Offset
			if req.Version == 0 && len(blk.Offsets) > 0 {
				off = blk.Offsets[0]
			}
			out[p] = off
		}
	}
	for _, p := range partitions {
		if _, ok := out[p]; !ok {
			return nil, fmt.Errorf("kafka: list offsets of %s-%d: no answer", topic, p)
		}
	}
	return out, nil
}
