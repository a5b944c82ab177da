package tolerance

// Stage is where in a record's processing an error happened; String gives
// Connect's Stage name, which the DLQ header __connect.errors.stage carries.
type Stage int

const (
	// TaskPoll is the source task's poll.
	TaskPoll Stage = iota + 1
	// TaskPut is the sink task's put (and errant records it reports).
	TaskPut
	// Transformation is an SMT of the chain.
	Transformation
	// KeyConverter converts the record key.
	KeyConverter
	// ValueConverter converts the record value.
	ValueConverter
	// HeaderConverter converts a header value.
	HeaderConverter
	// KafkaProduce is the producer send of a source record.
	KafkaProduce
	// KafkaConsume is the consumer fetch of a sink record.
	KafkaConsume
)

func (s Stage) String() string {
	switch s {
	case TaskPoll:
		return "TASK_POLL"
	case TaskPut:
		return "TASK_PUT"
	case Transformation:
		return "TRANSFORMATION"
	case KeyConverter:
		return "KEY_CONVERTER"
	case ValueConverter:
		return "VALUE_CONVERTER"
	case HeaderConverter:
		return "HEADER_CONVERTER"
	case KafkaProduce:
		return "KAFKA_PRODUCE"
	case KafkaConsume:
		return "KAFKA_CONSUME"
	}
	return "UNKNOWN"
}

// tolerable reports whether any error at s may be tolerated. Connect's
// TOLERABLE_EXCEPTIONS: converters and transformations tolerate every
// exception; other stages only retriable ones whose retries ran out.
func (s Stage) tolerable() bool {
	switch s {
	case Transformation, KeyConverter, ValueConverter, HeaderConverter:
		return true
	}
	return false
}
