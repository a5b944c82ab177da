package store

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"

	"github.com/IBM/sarama"

	"github.com/wharf-project/wharf/worker/kafka"
)

// KafkaConfig is the config store of distributed mode: the config topic
// (one partition, compacted) in Kafka Connect's record format.
type KafkaConfig struct {
	log       *Log
	logger    *slog.Logger
	listeners listeners

	mu      sync.Mutex
	state   *configState
	started bool
}

// NewKafkaConfig returns a config store on topic (config.storage.topic).
func NewKafkaConfig(client sarama.Client, topic string) *KafkaConfig {
	s := &KafkaConfig{logger: slog.New(slog.DiscardHandler), state: newConfigState()}
	s.log = newRecordLog(client, topic, s.apply)
	return s
}

// SetLogger sets the logger; call before Start.
func (s *KafkaConfig) SetLogger(l *slog.Logger) {
	if l != nil {
		s.logger = l
		s.log.SetLogger(l)
	}
}

// OnChange sets the callback for applied changes; set it before Start. It is
// called from the store's goroutine for every change read after Start's
// initial replay (whoever wrote it) and must not block.
func (s *KafkaConfig) OnChange(fn func(ConfigChange)) { s.listeners.set(fn) }

// Start replays the config topic and keeps following it.
func (s *KafkaConfig) Start(ctx context.Context) error {
	if err := s.log.Start(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	s.started = true
	s.mu.Unlock()
	return nil
}

// Stop stops following the topic.
func (s *KafkaConfig) Stop() error { return s.log.Stop() }

// ReadToEnd returns once everything written to the config topic so far has
// been applied (Connect's refresh, used before acting as group leader).
func (s *KafkaConfig) ReadToEnd(ctx context.Context) error {
	if err := s.log.ReadToEnd(ctx); err != nil {
		return fmt.Errorf("store: config: %w", err)
	}
	return nil
}

// Snapshot returns a deep copy of the current configuration.
func (s *KafkaConfig) Snapshot() ConfigSnapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state.snapshot()
}

// PutConnectorConfig writes a connector's configuration, preceded by its
// target state when initial is not empty (as Connect does on create).
func (s *KafkaConfig) PutConnectorConfig(ctx context.Context, name string, props map[string]string, initial TargetState) error {
	var recs []Record
	if initial != "" {
		recs = append(recs, Record{[]byte(targetStatePrefix + name), encodeTargetState(initial)})
	}
	recs = append(recs, Record{[]byte(connectorPrefix + name), encodeProperties(props)})
	return s.write(ctx, recs)
}

// RemoveConnectorConfig writes tombstones for the connector and its target state.
func (s *KafkaConfig) RemoveConnectorConfig(ctx context.Context, name string) error {
	return s.write(ctx, []Record{{Key: []byte(connectorPrefix + name)}, {Key: []byte(targetStatePrefix + name)}})
}

// PutTargetState writes a connector's target state.
func (s *KafkaConfig) PutTargetState(ctx context.Context, name string, t TargetState) error {
	return s.write(ctx, []Record{{[]byte(targetStatePrefix + name), encodeTargetState(t)}})
}

// PutTaskConfigs writes the task configs followed by the commit record that
// makes them visible.
func (s *KafkaConfig) PutTaskConfigs(ctx context.Context, name string, tasks []map[string]string) error {
	recs := make([]Record, 0, len(tasks)+1)
	for i, t := range tasks {
		recs = append(recs, Record{[]byte(taskPrefix + name + "-" + strconv.Itoa(i)), encodeProperties(t)})
	}
	recs = append(recs, Record{[]byte(commitPrefix + name), encodeCommit(len(tasks))})
	return s.write(ctx, recs)
}

func (s *KafkaConfig) write(ctx context.Context, recs []Record) error {
	ends, err := s.log.SendBatch(ctx, recs)
	if err != nil {
		return fmt.Errorf("store: config: %w", err)
	}
	if err := s.log.WaitFor(ctx, ends); err != nil {
		return fmt.Errorf("store: config: read back: %w", err)
	}
	return nil
}

// apply handles one config topic record (KafkaConfigBackingStore's
// ConsumeCallback).
func (s *KafkaConfig) apply(r *kafka.Record) {
	s.mu.Lock()
	change, ok := s.applyLocked(string(r.Key), r.Value)
	s.state.offset = r.Offset + 1
	started := s.started
	s.mu.Unlock()
	if ok && started {
		s.listeners.notify([]ConfigChange{change})
	}
}

func (s *KafkaConfig) applyLocked(k string, value []byte) (ConfigChange, bool) {
	switch {
	case strings.HasPrefix(k, targetStatePrefix):
		name := k[len(targetStatePrefix):]
		if value == nil {
			s.state.putTarget(name, "")
			return ConfigChange{TargetStateChanged, name}, true
		}
		t, err := decodeTargetState(value)
		if err != nil {
			s.logger.Error("ignoring invalid target state record", "key", k, "error", err)
			return ConfigChange{}, false
		}
		s.state.putTarget(name, t)
		return ConfigChange{TargetStateChanged, name}, true
	case strings.HasPrefix(k, connectorPrefix):
		name := k[len(connectorPrefix):]
		if value == nil {
			s.state.removeConnector(name)
			return ConfigChange{ConnectorRemoved, name}, true
		}
		props, err := decodeProperties(value)
		if err != nil {
			s.logger.Error("ignoring invalid connector config record", "key", k, "error", err)
			return ConfigChange{}, false
		}
		s.state.putConnector(name, props)
		return ConfigChange{ConnectorConfig, name}, true
	case strings.HasPrefix(k, taskPrefix):
		name, n, ok := parseTaskKey(k)
		if !ok || value == nil {
			s.logger.Error("ignoring invalid task config record", "key", k)
			return ConfigChange{}, false
		}
		props, err := decodeProperties(value)
		if err != nil {
			s.logger.Error("ignoring invalid task config record", "key", k, "error", err)
			return ConfigChange{}, false
		}
		s.state.deferTask(name, n, props)
		return ConfigChange{}, false
	case strings.HasPrefix(k, commitPrefix):
		name := k[len(commitPrefix):]
		if value == nil {
			return ConfigChange{}, false
		}
		n, err := decodeCommit(value)
		if err != nil {
			s.logger.Error("ignoring invalid task commit record", "key", k, "error", err)
			return ConfigChange{}, false
		}
		s.state.commitTasks(name, n)
		return ConfigChange{TaskConfigs, name}, true
	default:
		// session-key, restart-connector-*, tasks-fencing-*, logger-cluster-*:
		// features of Apache Connect that Wharf does not take part in.
		s.logger.Debug("ignoring config topic record", "key", k)
		return ConfigChange{}, false
	}
}
