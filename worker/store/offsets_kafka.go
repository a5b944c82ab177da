package store

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"

	"github.com/IBM/sarama"
)

// KafkaOffsets is the source offset store of distributed mode: the offset
// topic (compacted, partitioned by key) in Kafka Connect's format, key
// ["<connector>",{partition}] and value the offset JSON.
type KafkaOffsets struct {
	log    *Log
	logger *slog.Logger

	mu    sync.Mutex
	state *offsetState
}

// NewKafkaOffsets returns an offset store on topic (offset.storage.topic).
func NewKafkaOffsets(client sarama.Client, topic string) *KafkaOffsets {
	s := &KafkaOffsets{logger: slog.New(slog.DiscardHandler), state: newOffsetState()}
	s.log = NewLog(client, topic, s.apply)
	return s
}

// SetLogger sets the logger; call before Start.
func (s *KafkaOffsets) SetLogger(l *slog.Logger) {
	if l != nil {
		s.logger = l
		s.log.SetLogger(l)
	}
}

func (s *KafkaOffsets) apply(key, value []byte) {
	s.mu.Lock()
	err := s.state.apply(key, value)
	s.mu.Unlock()
	if err != nil {
		s.logger.Warn("ignoring offset record with an invalid key", "error", err)
	}
}

// Start replays the offset topic and keeps following it.
func (s *KafkaOffsets) Start(ctx context.Context) error { return s.log.Start(ctx) }

// Stop stops following the topic.
func (s *KafkaOffsets) Stop() error { return s.log.Stop() }

// Get returns the offsets of the given partitions (JSON objects) of a
// connector, keyed by the partition strings as given; partitions without an
// offset are absent. It first reads the topic to its end.
func (s *KafkaOffsets) Get(ctx context.Context, connector string, partitions []string) (map[string][]byte, error) {
	if err := s.log.ReadToEnd(ctx); err != nil {
		return nil, fmt.Errorf("store: offsets: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string][]byte)
	for _, p := range partitions {
		if v, ok := s.state.get(connector, p); ok {
			out[p] = v
		}
	}
	return out, nil
}

// All returns every non-null offset of a connector keyed by partition JSON.
func (s *KafkaOffsets) All(ctx context.Context, connector string) (map[string][]byte, error) {
	if err := s.log.ReadToEnd(ctx); err != nil {
		return nil, fmt.Errorf("store: offsets: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state.all(connector), nil
}

// Set writes offsets (partition JSON → offset JSON; nil = tombstone) and
// returns once they are durable.
func (s *KafkaOffsets) Set(ctx context.Context, connector string, offsets map[string][]byte) error {
	if len(offsets) == 0 {
		return nil
	}
	recs := make([]Record, 0, len(offsets))
	s.mu.Lock()
	for p, v := range offsets {
		key, _, err := s.state.keyFor(connector, p)
		if err == nil && v != nil && !json.Valid(v) {
			err = fmt.Errorf("offset %q is not JSON", v)
		}
		if err != nil {
			s.mu.Unlock()
			return fmt.Errorf("store: offsets of %s: %w", connector, err)
		}
		recs = append(recs, Record{Key: key, Value: v})
	}
	s.mu.Unlock()
	if _, err := s.log.SendBatch(ctx, recs); err != nil {
		return fmt.Errorf("store: offsets of %s: %w", connector, err)
	}
	return nil
}
