package connector

import (
	"context"
	"log/slog"

	"github.com/wharf-project/wharf/connector/config"
)

// Connector configures a source or sink and splits its work into task
// configurations. Implement SourceConnector or SinkConnector.
type Connector interface {
	// Config returns the connector's own configuration keys. The runtime adds
	// the framework keys (name, tasks.max, transforms, errors.* …).
	Config() *config.Def
	// Start begins the connector with its validated configuration.
	Start(ctx context.Context, cc Context, props map[string]string) error
	// TaskConfigs returns at most maxTasks task configurations.
	TaskConfigs(maxTasks int) ([]map[string]string, error)
	// Stop releases what Start acquired. It is called once per successful Start.
	Stop() error
}

// SourceConnector is a Connector whose tasks read from an external system.
type SourceConnector interface {
	Connector
	NewTask() SourceTask
}

// SinkConnector is a Connector whose tasks write Kafka records elsewhere.
type SinkConnector interface {
	Connector
	NewTask() SinkTask
}

// Validator is implemented by connectors that check more than their
// config.Def can: connectivity, cross-key rules. Results come back per key;
// the runtime merges them into the ConfigDef results by name.
type Validator interface {
	Validate(ctx context.Context, props map[string]string) []config.Result
}

// Context is given to a running connector.
type Context interface {
	// RequestTaskReconfiguration asks the runtime to call TaskConfigs again
	// (for example after new tables appeared).
	RequestTaskReconfiguration()
	// RaiseError fails the connector with err (it becomes FAILED with a trace).
	RaiseError(err error)
	// Logger logs with the connector's context attributes.
	Logger() *slog.Logger
	// MemoryPool is the worker-wide buffer budget connectors that hold
	// data in memory share (nil: no worker-wide limit).
	MemoryPool() *MemoryPool
}

// TaskContext is what every task gets.
type TaskContext interface {
	// Logger logs with connector and task attributes.
	Logger() *slog.Logger
	// TaskID is the task number within its connector.
	TaskID() int
	// ConnectorName is the name the connector was created with.
	ConnectorName() string
}
