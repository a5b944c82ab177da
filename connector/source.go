package connector

import (
	"context"
)

// SourceTask reads from an external system.
type SourceTask interface {
	// Start begins the task. Offsets committed earlier are read through tc.
	Start(ctx context.Context, tc SourceTaskContext, props map[string]string) error
	// Poll returns the next batch. An empty batch means "nothing now"; Poll
	// should wait a little (poll.interval.ms) rather than spin, and must
	// return promptly when ctx is done.
	Poll(ctx context.Context) ([]SourceRecord, error)
	// Stop releases resources. Poll is never running when Stop is called.
	Stop() error
}

// SourceTaskContext is given to a source task.
type SourceTaskContext interface {
	TaskContext
	// Offset returns the last committed offset of a partition, or nil.
	Offset(ctx context.Context, p *SourcePartition) (map[string]any, error)
}

// CommittedOffset is one partition's offset that is now durable.
type CommittedOffset struct {
	Partition *SourcePartition
	Offset    any
}

// OffsetCommitter is implemented by source tasks that release upstream
// resources only once offsets are durable (Debezium confirms an LSN to
// PostgreSQL here). The runtime calls it after each successful offset flush
// with the offsets it wrote, from the task's runner goroutine.
type OffsetCommitter interface {
	CommitOffsets(ctx context.Context, committed []CommittedOffset) error
}

// RecordAcker is implemented by source tasks that want to know when Kafka
// acknowledged each record (Kafka's commitRecord).
type RecordAcker interface {
	AckRecord(rec *SourceRecord, partition int32, offset int64)
}
