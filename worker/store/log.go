// Package store keeps the worker's connector configurations, source offsets
// and statuses, in memory or files (standalone mode) or in compacted Kafka
// topics written exactly as Apache Kafka Connect writes them (distributed
// mode), so a Wharf cluster can read and take over topics of a Connect cluster.
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/IBM/sarama"

	"github.com/wharf-project/wharf/worker/kafka"
)

// ErrStopped is returned by operations on a stopped (or never started) store.
var ErrStopped = errors.New("store: stopped")

// Log is a compacted topic read into memory, Kafka Connect's KafkaBasedLog:
// Start replays the topic from the beginning, a goroutine keeps applying new
// records, Send writes synchronously and ReadToEnd gives read-your-writes.
type Log struct {
	client sarama.Client
	topic  string
	apply  func(*kafka.Record)
	logger *slog.Logger

	mu       sync.Mutex
	pos      map[int32]int64 // next offset to apply, per partition
	progress chan struct{}   // closed and replaced whenever pos advances
	parts    []int32
	producer sarama.SyncProducer
	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once
}

// Record is one key/value pair to write; a nil Value is a tombstone.
type Record struct {
	Key, Value []byte
}

// pollWait is the long-poll time of the tail loop; it bounds Stop's latency.
const pollWait = 250 * time.Millisecond

// NewLog returns a log of topic; apply is called from one goroutine for
// every record in partition order (value nil = tombstone). Records of
// aborted transactions are skipped (read_committed), so topics written
// transactionally by Apache Connect with exactly-once support read right.
// The client is used for metadata and offset lookups; the log opens its own
// connections for fetching and producing. A Log is started once.
func NewLog(client sarama.Client, topic string, apply func(key, value []byte)) *Log {
	return newRecordLog(client, topic, func(r *kafka.Record) { apply(r.Key, r.Value) })
}

// newRecordLog is NewLog with the whole record (offset included) passed to apply.
func newRecordLog(client sarama.Client, topic string, apply func(*kafka.Record)) *Log {
	return &Log{
		client: client, topic: topic, apply: apply,
		logger:   slog.New(slog.DiscardHandler),
		progress: make(chan struct{}),
	}
}

// SetLogger sets the logger for read errors; call before Start.
func (l *Log) SetLogger(logger *slog.Logger) {
	if logger != nil {
		l.logger = logger
	}
}

// Topic returns the log's topic.
func (l *Log) Topic() string { return l.topic }

// Start reads the topic from its beginning to its current end, calling apply
// for each record, and keeps tailing it in a goroutine until Stop.
func (l *Log) Start(ctx context.Context) error {
	// A full refresh, unlike one naming the topic, never auto-creates it (it
	// would lack cleanup.policy=compact).
	if err := l.client.RefreshMetadata(); err != nil {
		return fmt.Errorf("store: topic %q: %w", l.topic, err)
	}
	topics, err := l.client.Topics()
	if err != nil {
		return fmt.Errorf("store: topic %q: %w", l.topic, err)
	}
	if !slices.Contains(topics, l.topic) {
		return fmt.Errorf("store: topic %q does not exist", l.topic)
	}
	parts, err := l.client.Partitions(l.topic)
	if err != nil {
		return fmt.Errorf("store: topic %q: %w", l.topic, err)
	}
	if len(parts) == 0 {
		return fmt.Errorf("store: topic %q has no partitions", l.topic)
	}
	starts, err := kafka.Offsets(l.client, l.topic, parts, sarama.OffsetOldest)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	producer, err := l.newProducer()
	if err != nil {
		return err
	}
	l.mu.Lock()
	l.parts = slices.Clone(parts)
	l.pos = make(map[int32]int64, len(parts))
	for p, off := range starts {
		l.pos[p] = off
	}
	l.producer = producer
	l.stop = make(chan struct{})
	l.done = make(chan struct{})
	l.mu.Unlock()
	go l.run(starts)
	if err := l.ReadToEnd(ctx); err != nil {
		_ = l.Stop()
		return fmt.Errorf("store: read topic %q: %w", l.topic, err)
	}
	return nil
}

// newProducer creates the log's own producer client: acks=all and, where the
// broker allows it, idempotent, partitioning keys as the Java client does.
func (l *Log) newProducer() (sarama.SyncProducer, error) {
	cfg := *l.client.Config()
	cfg.Producer.RequiredAcks = sarama.WaitForAll
	cfg.Producer.Return.Successes = true
	cfg.Producer.Return.Errors = true
	cfg.Producer.Retry.Max = 10
	cfg.Producer.Partitioner = sarama.NewMurmur2Partitioner
	cfg.Producer.Transaction.ID = ""
	cfg.Producer.Flush.Frequency = 0
	cfg.Producer.Idempotent = true
	cfg.Net.MaxOpenRequests = 1
	var addrs []string
	for _, b := range l.client.Brokers() {
		addrs = append(addrs, b.Addr())
	}
	p, err := sarama.NewSyncProducer(addrs, &cfg)
	if err == nil {
		return p, nil
	}
	l.logger.Warn("idempotent producer unavailable, using acks=all without idempotence",
		"topic", l.topic, "error", err)
	cfg.Producer.Idempotent = false
	p, err = sarama.NewSyncProducer(addrs, &cfg)
	if err != nil {
		return nil, fmt.Errorf("store: producer for %q: %w", l.topic, err)
	}
	return p, nil
}

func (l *Log) run(pos map[int32]int64) {
	defer close(l.done)
	f := kafka.NewFetcher(l.client)
	f.ReadCommitted = true
	defer f.Close()
	backoff := 100 * time.Millisecond
	for {
		select {
		case <-l.stop:
			return
		default:
		}
		err := f.Fetch(l.topic, pos, pollWait, l.apply)
		l.publish(pos)
		if err == nil {
			backoff = 100 * time.Millisecond
			continue
		}
		l.logger.Warn("reading internal topic failed; retrying", "topic", l.topic, "error", err)
		select {
		case <-l.stop:
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

func (l *Log) publish(pos map[int32]int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	changed := false
	for p, off := range pos {
		if l.pos[p] != off {
			l.pos[p] = off
			changed = true
		}
	}
	if changed {
		close(l.progress)
		l.progress = make(chan struct{})
	}
}

// Send writes one record and returns once the broker has acknowledged it
// (acks=all). value nil writes a tombstone.
func (l *Log) Send(ctx context.Context, key, value []byte) error {
	_, err := l.SendBatch(ctx, []Record{{key, value}})
	return err
}

// SendBatch writes records in order (per partition) and returns, per
// partition written, the offset following the last record, for WaitFor.
func (l *Log) SendBatch(ctx context.Context, recs []Record) (map[int32]int64, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	l.mu.Lock()
	producer := l.producer
	l.mu.Unlock()
	if producer == nil {
		return nil, ErrStopped
	}
	msgs := make([]*sarama.ProducerMessage, len(recs))
	for i, r := range recs {
		m := &sarama.ProducerMessage{Topic: l.topic, Key: sarama.ByteEncoder(r.Key)}
		if r.Value != nil {
			m.Value = sarama.ByteEncoder(r.Value)
		}
		msgs[i] = m
	}
	if err := producer.SendMessages(msgs); err != nil {
		return nil, fmt.Errorf("store: write to %q: %w", l.topic, err)
	}
	ends := make(map[int32]int64)
	for _, m := range msgs {
		ends[m.Partition] = max(ends[m.Partition], m.Offset+1)
	}
	return ends, nil
}

// ReadToEnd returns once every record up to the topic's current end offsets
// (last stable offsets) has been applied.
func (l *Log) ReadToEnd(ctx context.Context) error {
	l.mu.Lock()
	parts := l.parts
	l.mu.Unlock()
	if parts == nil {
		return ErrStopped
	}
	ends, err := kafka.StableOffsets(l.client, l.topic, parts)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return l.WaitFor(ctx, ends)
}

// WaitFor returns once every partition in ends has been applied up to (not
// including) the given offset.
func (l *Log) WaitFor(ctx context.Context, ends map[int32]int64) error {
	for {
		l.mu.Lock()
		caughtUp := true
		for p, end := range ends {
			if l.pos[p] < end {
				caughtUp = false
				break
			}
		}
		progress, done := l.progress, l.done
		l.mu.Unlock()
		if caughtUp {
			return nil
		}
		if done == nil {
			return ErrStopped
		}
		select {
		case <-progress:
		case <-ctx.Done():
			return ctx.Err()
		case <-done:
			return ErrStopped
		}
	}
}

// Stop ends the tail goroutine, waits for it and closes the producer.
func (l *Log) Stop() error {
	var err error
	l.stopOnce.Do(func() {
		l.mu.Lock()
		stop, done, producer := l.stop, l.done, l.producer
		l.producer = nil
		l.mu.Unlock()
		if stop == nil {
			return
		}
		close(stop)
		<-done
		if producer != nil {
			err = producer.Close()
		}
	})
	return err
}
