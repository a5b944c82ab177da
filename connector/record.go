package connector

import (
	"time"

	"github.com/wharf-project/wharf/connector/data"
)

// Header is one record header with its Connect schema (nil schema: raw bytes
// or a string whose type the header converter infers).
type Header struct {
	Key    string
	Schema *data.Schema
	Value  any
}

// Headers is an ordered list of headers; keys may repeat, as in Kafka.
type Headers []Header

// Last returns the last header with key, as Connect's lastWithName.
func (h Headers) Last(key string) (Header, bool) {
	for i := len(h) - 1; i >= 0; i-- {
		if h[i].Key == key {
			return h[i], true
		}
	}
	return Header{}, false
}

// NoPartition means "let the producer's partitioner choose".
const NoPartition int32 = -1

// Record is the core every record shares and every transformation sees.
type Record struct {
	Topic       string
	Partition   int32 // NoPartition for source records that leave it to the producer
	KeySchema   *data.Schema
	Key         any
	ValueSchema *data.Schema
	Value       any
	Timestamp   time.Time // zero: none (the producer sets CreateTime)
	Headers     Headers
}

// SourcePartition names a stream of a source (a file, a replication slot).
// Connectors create one per stream and reuse it across records, so the
// runtime can group records by pointer and encode the key only at commit.
type SourcePartition struct {
	m    map[string]any
	json string
}

// NewSourcePartition returns a partition for m. m must be JSON-encodable and
// must not be modified afterwards.
func NewSourcePartition(m map[string]any) *SourcePartition {
	return &SourcePartition{m: m, json: canonicalJSON(m)}
}

// Map returns the partition's fields.
func (p *SourcePartition) Map() map[string]any { return p.m }

// JSON returns the partition's compact JSON form with sorted keys; it is what
// the offset store keys by (["<connector>",<JSON>]).
func (p *SourcePartition) JSON() string { return p.json }

// SourceRecord is produced by a SourceTask.
type SourceRecord struct {
	Record
	SourcePartition *SourcePartition
	// SourceOffset is the position after this record. Any JSON-encodable
	// value (a struct with json tags avoids a map per record); the runtime
	// encodes only the newest acknowledged offset per partition, at commit.
	// Offsets read back arrive as map[string]any.
	SourceOffset any
}

// TopicPartition names a Kafka partition.
type TopicPartition struct {
	Topic     string
	Partition int32
}

// TimestampType says where a Kafka record timestamp came from.
type TimestampType int8

const (
	NoTimestampType TimestampType = iota
	CreateTime
	LogAppendTime
)

// SinkRecord is delivered to a SinkTask.
type SinkRecord struct {
	Record
	Offset        int64 // Kafka offset
	TimestampType TimestampType
	// Original position before transformations renamed the topic; sinks
	// report offsets against it.
	OriginalTopic     string
	OriginalPartition int32
}
