// Package runner drives source and sink tasks as Kafka Connect's
// WorkerSourceTask and WorkerSinkTask do.
//
// A Source polls its task, applies transformations and converters and hands
// records to an asynchronous sarama producer; acknowledgements are tracked
// per source partition so that only offsets of an acknowledged prefix are
// ever written to the offset store (Connect's SubmittedRecords). A Sink reads
// through a sarama consumer group, converts and transforms batches, calls
// Put, and commits exactly the offsets PreCommit returns.
//
// Concurrency: Run is called once, from a goroutine the caller owns, and
// returns only after every goroutine it started has ended. Pause and Resume
// may be called from any goroutine at any time. A task's methods are called
// one at a time, with two exceptions as in Connect: a source task's
// RecordAcker.AckRecord comes from the producer's acknowledgement goroutine,
// and a sink task may call its SinkTaskContext from any goroutine.
//
// Sink offsets are committed with OffsetCommit requests for the session's
// generation rather than through sarama's offset manager, so nothing but
// PreCommit's answer is ever committed; a Rewind after Open ends the group
// session, because a running sarama claim cannot seek.
package runner
