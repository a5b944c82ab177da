package connector

import (
	"context"
	"errors"
	"time"
)

// SinkTask writes Kafka records to an external system.
type SinkTask interface {
	Start(ctx context.Context, tc SinkTaskContext, props map[string]string) error
	// Open is called when partitions are assigned, before records of them arrive.
	Open(ctx context.Context, partitions []TopicPartition) error
	// Put delivers a batch (possibly empty: that lets a sink rotate files on a
	// schedule). Return a RetriableError to have the same batch redelivered.
	Put(ctx context.Context, records []SinkRecord) error
	// PreCommit is asked before the runtime commits consumer offsets. current
	// holds, per partition, the offset after the last record Put. It returns
	// the offsets that are safe to commit (Kafka semantics: next offset to
	// read); partitions left out are not committed.
	PreCommit(ctx context.Context, current map[TopicPartition]int64) (map[TopicPartition]int64, error)
	// Close is called when partitions are revoked (after a final PreCommit).
	Close(ctx context.Context, partitions []TopicPartition) error
	Stop() error
}

// SinkTaskContext is given to a sink task.
type SinkTaskContext interface {
	TaskContext
	// Rewind asks the runtime to redeliver a partition from offset.
	Rewind(tp TopicPartition, offset int64)
	// Pause stops fetching the given partitions until Resume.
	Pause(tps ...TopicPartition)
	Resume(tps ...TopicPartition)
	// RequestCommit asks for a PreCommit/commit soon.
	RequestCommit()
	// ReportErrant sends a record that the task cannot write to the
	// dead-letter queue (errors.tolerance=all) or fails the task.
	ReportErrant(ctx context.Context, rec *SinkRecord, err error) error
}

// RetriableError asks the runtime to retry the same operation after Backoff.
type RetriableError struct {
	Err     error
	Backoff time.Duration
}

func (e *RetriableError) Error() string { return "retriable: " + e.Err.Error() }
func (e *RetriableError) Unwrap() error { return e.Err }

// IsRetriable reports whether err asks for a retry.
func IsRetriable(err error) bool {
	var r *RetriableError
	return errors.As(err, &r)
}
