package store

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/IBM/sarama"
)

// KafkaStatus is the status store of distributed mode: the status topic
// (compacted) in Kafka Connect's format.
type KafkaStatus struct {
	log    *Log
	logger *slog.Logger

	mu    sync.Mutex
	state *statusState
}

// NewKafkaStatus returns a status store on topic (status.storage.topic).
func NewKafkaStatus(client sarama.Client, topic string) *KafkaStatus {
	s := &KafkaStatus{logger: slog.New(slog.DiscardHandler), state: newStatusState()}
	s.log = NewLog(client, topic, s.apply)
	return s
}

// SetLogger sets the logger; call before Start.
func (s *KafkaStatus) SetLogger(l *slog.Logger) {
	if l != nil {
		s.logger = l
		s.log.SetLogger(l)
	}
}

// Start replays the status topic and keeps following it.
func (s *KafkaStatus) Start(ctx context.Context) error { return s.log.Start(ctx) }

// Stop stops following the topic.
func (s *KafkaStatus) Stop() error { return s.log.Stop() }

func (s *KafkaStatus) apply(key, value []byte) {
	k := string(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case strings.HasPrefix(k, connectorStatusPrefix):
		name := k[len(connectorStatusPrefix):]
		if value == nil {
			delete(s.state.connectors, name)
			return
		}
		st, err := decodeStatus(value)
		if err != nil {
			s.logger.Warn("ignoring invalid connector status", "key", k, "error", err)
			return
		}
		s.state.connectors[name] = st
	case strings.HasPrefix(k, taskStatusPrefix):
		name, task, ok := parseTaskStatusKey(k)
		if !ok {
			s.logger.Warn("ignoring status record with an invalid task key", "key", k)
			return
		}
		if value == nil {
			s.state.deleteTask(name, task)
			return
		}
		st, err := decodeStatus(value)
		if err != nil {
			s.logger.Warn("ignoring invalid task status", "key", k, "error", err)
			return
		}
		s.state.putTask(name, task, st)
	case strings.HasPrefix(k, topicStatusPrefix):
		topic, connector, ok := parseTopicStatusKey(k)
		if !ok {
			s.logger.Warn("ignoring status record with an invalid topic key", "key", k)
			return
		}
		if value == nil {
			s.state.deleteTopic(connector, topic)
			return
		}
		v, err := decodeTopicStatus(value)
		if err != nil {
			s.logger.Warn("ignoring invalid topic status", "key", k, "error", err)
			return
		}
		s.state.putTopic(connector, topic, topicStatus{task: v.Topic.Task, discovered: v.Topic.DiscoverTimestamp})
	default:
		s.logger.Warn("ignoring status record with an unknown key", "key", k)
	}
}

func (s *KafkaStatus) write(ctx context.Context, recs []Record) error {
	if len(recs) == 0 {
		return nil
	}
	ends, err := s.log.SendBatch(ctx, recs)
	if err != nil {
		return fmt.Errorf("store: status: %w", err)
	}
	if err := s.log.WaitFor(ctx, ends); err != nil {
		return fmt.Errorf("store: status: read back: %w", err)
	}
	return nil
}

// PutConnector writes a connector's status. UNASSIGNED and FAILED are not
// written over a status another worker wrote in a newer generation
// (Connect's putSafe); other states always are (Connect's put).
func (s *KafkaStatus) PutConnector(ctx context.Context, name string, st Status) error {
	s.mu.Lock()
	ok := s.state.canPutConnector(name, st)
	s.mu.Unlock()
	if !ok {
		return nil
	}
	return s.write(ctx, []Record{{connectorStatusKey(name), encodeStatus(st)}})
}

// PutTask writes a task's status, with PutConnector's generation rule.
func (s *KafkaStatus) PutTask(ctx context.Context, connector string, task int, st Status) error {
	s.mu.Lock()
	ok := s.state.canPutTask(connector, task, st)
	s.mu.Unlock()
	if !ok {
		return nil
	}
	return s.write(ctx, []Record{{taskStatusKey(connector, task), encodeStatus(st)}})
}

// Connector returns a connector's status.
func (s *KafkaStatus) Connector(name string) (Status, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.state.connectors[name]
	return st, ok
}

// Tasks returns the statuses of a connector's tasks by task number.
func (s *KafkaStatus) Tasks(name string) map[int]Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state.taskMap(name)
}

// DeleteConnector writes tombstones for a connector's status and the
// statuses of all its known tasks.
func (s *KafkaStatus) DeleteConnector(ctx context.Context, name string) error {
	s.mu.Lock()
	recs := []Record{{Key: connectorStatusKey(name)}}
	for task := range s.state.tasks[name] {
		recs = append(recs, Record{Key: taskStatusKey(name, task)})
	}
	s.mu.Unlock()
	return s.write(ctx, recs)
}

// DeleteTask writes a tombstone for a task's status.
func (s *KafkaStatus) DeleteTask(ctx context.Context, connector string, task int) error {
	return s.write(ctx, []Record{{Key: taskStatusKey(connector, task)}})
}

// PutTopic records that a connector's task used topic (KIP-558); a topic
// already recorded for the same task is not written again.
func (s *KafkaStatus) PutTopic(ctx context.Context, connector, topic string, task int) error {
	s.mu.Lock()
	known := s.state.hasTopic(connector, topic, task)
	s.mu.Unlock()
	if known {
		return nil
	}
	t := topicStatus{task: task, discovered: time.Now().UnixMilli()}
	return s.write(ctx, []Record{{topicStatusKey(connector, topic), encodeTopicStatus(connector, topic, t)}})
}

// Topics returns the sorted names of the topics a connector has used.
func (s *KafkaStatus) Topics(connector string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state.topicNames(connector)
}

// ResetTopics writes tombstones for all topics recorded for a connector.
func (s *KafkaStatus) ResetTopics(ctx context.Context, connector string) error {
	s.mu.Lock()
	var recs []Record
	for _, topic := range s.state.topicNames(connector) {
		recs = append(recs, Record{Key: topicStatusKey(connector, topic)})
	}
	s.mu.Unlock()
	return s.write(ctx, recs)
}
