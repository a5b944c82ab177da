package worker

import (
	"context"

	"github.com/wharf-project/wharf/worker/store"
)

// ConfigStore holds connector configs, target states and committed task
// configs. Writes return once durable and visible in Snapshot; OnChange
// reports every applied change, including other workers' writes.
type ConfigStore interface {
	Start(ctx context.Context) error
	Stop() error
	Snapshot() store.ConfigSnapshot
	PutConnectorConfig(ctx context.Context, name string, props map[string]string, initial store.TargetState) error
	RemoveConnectorConfig(ctx context.Context, name string) error
	PutTargetState(ctx context.Context, name string, s store.TargetState) error
	PutTaskConfigs(ctx context.Context, name string, tasks []map[string]string) error
	OnChange(fn func(store.ConfigChange))
}

// OffsetStore holds source offsets keyed by connector and partition JSON.
type OffsetStore interface {
	Start(ctx context.Context) error
	Stop() error
	Get(ctx context.Context, connector string, partitions []string) (map[string][]byte, error)
	Set(ctx context.Context, connector string, offsets map[string][]byte) error
	All(ctx context.Context, connector string) (map[string][]byte, error)
}

// StatusStore holds connector and task states and the topics each
// connector used.
type StatusStore interface {
	Start(ctx context.Context) error
	Stop() error
	PutConnector(ctx context.Context, name string, s store.Status) error
	PutTask(ctx context.Context, connector string, task int, s store.Status) error
	Connector(name string) (store.Status, bool)
	Tasks(name string) map[int]store.Status
	DeleteConnector(ctx context.Context, name string) error
	DeleteTask(ctx context.Context, connector string, task int) error
	PutTopic(ctx context.Context, connector, topic string, task int) error
	Topics(connector string) []string
	ResetTopics(ctx context.Context, connector string) error
}
