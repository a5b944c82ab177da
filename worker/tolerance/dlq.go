package tolerance

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/IBM/sarama"
)

// Context header names of DeadLetterQueueReporter.
const (
	HeaderPrefix           = "__connect.errors."
	HeaderTopic            = HeaderPrefix + "topic"
	HeaderPartition        = HeaderPrefix + "partition"
	HeaderOffset           = HeaderPrefix + "offset"
	HeaderConnectorName    = HeaderPrefix + "connector.name"
	HeaderTaskID           = HeaderPrefix + "task.id"
	HeaderStage            = HeaderPrefix + "stage"
	HeaderClassName        = HeaderPrefix + "class.name"
	HeaderExceptionClass   = HeaderPrefix + "exception.class.name"
	HeaderExceptionMessage = HeaderPrefix + "exception.message"
	HeaderExceptionTrace   = HeaderPrefix + "exception.stacktrace"
)

// dlqPartitions is Connect's DLQ_NUM_DESIRED_PARTITIONS.
const dlqPartitions = 1

// DeadLetterQueue writes the original bytes of failed sink records to the
// errors.deadletterqueue.topic.name topic. It is safe for concurrent use.
type DeadLetterQueue struct {
	topic     string
	headers   bool
	connector string
	task      string
	producer  sarama.SyncProducer
}

// NewDeadLetterQueue creates the DLQ topic when it is missing (one partition,
// errors.deadletterqueue.topic.replication.factor replicas) and a producer.
// It returns nil, nil when cfg names no DLQ topic. Close releases it.
func NewDeadLetterQueue(cfg Config, brokers []string, sc *sarama.Config, connector string, task int) (*DeadLetterQueue, error) {
	if cfg.DLQTopic == "" {
		return nil, nil
	}
	pc := sarama.NewConfig()
	if sc != nil {
		c := *sc
		pc = &c
	}
	pc.Producer.Return.Successes = true
	pc.Producer.Return.Errors = true
	if err := ensureTopic(brokers, pc, cfg.DLQTopic, cfg.DLQReplication); err != nil {
		return nil, err
	}
	p, err := sarama.NewSyncProducer(brokers, pc)
	if err != nil {
		return nil, fmt.Errorf("tolerance: dead letter queue producer: %w", err)
	}
	return &DeadLetterQueue{topic: cfg.DLQTopic, headers: cfg.DLQContextHeaders, connector: connector,
		task: strconv.Itoa(task), producer: p}, nil
}

func ensureTopic(brokers []string, sc *sarama.Config, topic string, replication int16) error {
	admin, err := sarama.NewClusterAdmin(brokers, sc)
	if err != nil {
		return fmt.Errorf("tolerance: dead letter queue admin: %w", err)
	}
	defer admin.Close()
	topics, err := admin.ListTopics()
	if err != nil {
		return fmt.Errorf("tolerance: list topics: %w", err)
	}
	if _, ok := topics[topic]; ok {
		return nil
	}
	err = admin.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: dlqPartitions, ReplicationFactor: replication}, false)
	if err != nil && !errors.Is(err, sarama.ErrTopicAlreadyExists) {
		return fmt.Errorf("tolerance: create dead letter queue topic %s: %w", topic, err)
	}
	return nil
}

// Topic returns the DLQ topic name.
func (d *DeadLetterQueue) Topic() string { return d.topic }

// Close closes the producer.
func (d *DeadLetterQueue) Close() error {
	if d == nil {
		return nil
	}
	return d.producer.Close()
}

// send writes the consumed record as it was read, with its headers, plus the
// context headers when enabled. It waits for the acknowledgement so the
// record is durable before the sink commits past it.
func (d *DeadLetterQueue) send(_ context.Context, f *Failure) error {
	m := f.Consumed
	msg := &sarama.ProducerMessage{Topic: d.topic, Timestamp: m.Timestamp}
	if m.Key != nil {
		msg.Key = sarama.ByteEncoder(m.Key)
	}
	if m.Value != nil {
		msg.Value = sarama.ByteEncoder(m.Value)
	}
	msg.Headers = make([]sarama.RecordHeader, 0, len(m.Headers)+10)
	for _, h := range m.Headers {
		msg.Headers = append(msg.Headers, *h)
	}
	if d.headers {
		add := func(k, v string) {
			msg.Headers = append(msg.Headers, sarama.RecordHeader{Key: []byte(k), Value: []byte(v)})
		}
		add(HeaderTopic, m.Topic)
		add(HeaderPartition, strconv.Itoa(int(m.Partition)))
		add(HeaderOffset, strconv.FormatInt(m.Offset, 10))
		add(HeaderConnectorName, d.connector)
		add(HeaderTaskID, d.task)
		add(HeaderStage, f.Stage.String())
		add(HeaderClassName, f.Class)
		if f.Err != nil {
			add(HeaderExceptionClass, fmt.Sprintf("%T", f.Err))
			add(HeaderExceptionMessage, f.Err.Error())
			add(HeaderExceptionTrace, trace(f.Err))
		}
	}
	_, _, err := d.producer.SendMessage(msg)
	return err
}

// trace renders the error chain the way Java prints a cause chain; Go errors
// carry no stack, so the chain is what explains the failure.
func trace(err error) string {
	var b strings.Builder
	for i := 0; err != nil; i++ {
		if i > 0 {
			b.WriteString("\nCaused by: ")
		}
		fmt.Fprintf(&b, "%T: %s", err, err.Error())
		err = errors.Unwrap(err)
	}
	return b.String()
}
