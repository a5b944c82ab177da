package worker

import "github.com/wharf-project/wharf/worker/store"

// Connector and task states (Connect's AbstractStatus.State).
const (
	StateUnassigned = "UNASSIGNED"
	StateRunning    = "RUNNING"
	StatePaused     = "PAUSED"
	StateStopped    = "STOPPED"
	StateFailed     = "FAILED"
	StateRestarting = "RESTARTING"
)

// ConnectorInfo is what GET /connectors/{name} shows.
type ConnectorInfo struct {
	Name   string
	Config map[string]string
	Tasks  []int
	Type   string // source, sink or unknown
}

// TaskInfo is one entry of GET /connectors/{name}/tasks.
type TaskInfo struct {
	ID     int
	Config map[string]string
}

// InstanceStatus is the state of a connector or task instance.
type InstanceStatus struct {
	State    string
	Trace    string
	WorkerID string
}

// TaskStatus is a task's status with its id.
type TaskStatus struct {
	ID int
	InstanceStatus
}

// ConnectorStatus is GET /connectors/{name}/status.
type ConnectorStatus struct {
	Name      string
	Connector InstanceStatus
	Tasks     []TaskStatus // sorted by id
	Type      string
}

// Offset is one partition's offset as the offsets endpoints show it.
type Offset struct {
	Partition map[string]any
	Offset    map[string]any // nil: reset
}

// TargetState re-exports the stored target states for callers of the herder.
type TargetState = store.TargetState
