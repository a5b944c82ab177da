package runner

import (
	"context"
	"fmt"
	"sync"

	"github.com/wharf-project/wharf/connector"
)

// State is a task state as Connect's status API names it.
type State string

const (
	Running State = "RUNNING"
	Paused  State = "PAUSED"
	Failed  State = "FAILED"
)

// runStatus is the state a runner last reported. Failed is final: later
// reports are dropped. state is guarded by the runner's mutex.
type runStatus struct {
	state   State
	onState func(State, error)
}

// report records st and tells onState, unless the runner failed already.
func (r *runStatus) report(mu *sync.Mutex, st State, err error) {
	mu.Lock()
	if r.state == Failed {
		mu.Unlock()
		return
	}
	r.state = st
	mu.Unlock()
	if r.onState != nil {
		r.onState(st, err)
	}
}

// started reports whether the task runs (or is paused), so that a pause or
// resume is reported; the caller holds the runner's mutex.
func (r *runStatus) started() bool { return r.state == Running || r.state == Paused }

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
