package runner

import (
	"context"
	"fmt"

	"github.com/wharf-project/wharf/connector"
)

// State is a task state as Connect's status API names it.
type State string

const (
	Running State = "RUNNING"
	Paused  State = "PAUSED"
	Failed  State = "FAILED"
)

// Transformer is the transformation chain (worker/transform): it changes r
// in place and returns false to drop it.
type Transformer interface {
	Apply(r *connector.Record) (keep bool, err error)
}

// SinkTransformer is implemented by chains that can see the whole sink
// record (its Kafka offset), which some SMTs need; the sink runner prefers it.
type SinkTransformer interface {
	ApplySink(r *connector.SinkRecord) (keep bool, err error)
}

// OffsetStore reads and writes source offsets. Keys are partition JSON
// (connector.SourcePartition.JSON), values the JSON-encoded offsets.
type OffsetStore interface {
	Get(ctx context.Context, connector string, partitions []string) (map[string][]byte, error)
	Set(ctx context.Context, connector string, offsets map[string][]byte) error
}

// typeName names an implementation for error reports
// (__connect.errors.class.name); only called on error paths.
func typeName(v any) string {
	if v == nil {
		return "null"
	}
	return fmt.Sprintf("%T", v)
}
