package s3

import (
	"context"
	"strings"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/config"
)

// Version is the Confluent kafka-connect-s3 version whose behaviour this
// connector mirrors (configuration, key layout, rotation order).
const Version = "10.5.23"

// Plugin describes the connector for the registry.
func Plugin() connector.Plugin {
	return connector.Plugin{Class: ConnectorClass, Type: connector.TypeSink, Version: Version,
		New: func() any { return New() }}
}

// Connector is S3SinkConnector.
type Connector struct {
	def   *config.Def
	props map[string]string
	// budget is s3.memory.limit.bytes, shared by the tasks NewTask creates;
	// cond is the once-per-instance probe for conditional writes.
	budget *memBudget
	cond   *condProbe
}

// New returns a connector.
func New() *Connector { return &Connector{def: configDef()} }

func (c *Connector) Config() *config.Def { return c.def }

// Start checks the configuration (tasks re-parse it) and creates the
// memory budget its tasks share, which also counts against the worker-wide
// pool (wharf.buffer.memory.limit.bytes) when the worker has one.
func (c *Connector) Start(_ context.Context, cc connector.Context, props map[string]string) error {
	s, err := parseSettings(c.def, props)
	if err != nil {
		return err
	}
	c.props = props
	var pool *connector.MemoryPool // the worker-wide budget, when the worker sets one
	if cc != nil {
		pool = cc.MemoryPool()
	}
	c.budget, c.cond = newMemBudget(s.memoryLimit, pool), &condProbe{}
	return nil
}

// TaskConfigs gives every task the connector's configuration: Connect
// spreads the topic partitions over the tasks.
func (c *Connector) TaskConfigs(maxTasks int) ([]map[string]string, error) {
	out := make([]map[string]string, maxTasks)
	for i := range out {
		m := make(map[string]string, len(c.props))
		for k, v := range c.props {
			m[k] = v
		}
		out[i] = m
	}
	return out, nil
}

func (c *Connector) Stop() error { return nil }

// NewTask returns a task sharing the connector's memory budget (a task
// created before Start gets its own budget from its configuration).
func (c *Connector) NewTask() connector.SinkTask {
	t := newTask(c.def)
	t.budget, t.cond = c.budget, c.cond
	return t
}

// Validate reports the cross-key rules ConfigDef cannot express (time-based
// partitioner settings, scheduled rotation's timezone, codec/format pairs)
// against the key they concern.
func (c *Connector) Validate(_ context.Context, props map[string]string) []config.Result {
	if config.ErrorCount(c.def.Validate(props)) > 0 {
		return nil // the per-key results already explain it
	}
	_, err := parseSettings(c.def, props)
	if err == nil {
		return nil
	}
	msg := err.Error()
	for _, k := range c.def.Keys() {
		if strings.Contains(msg, "for configuration "+k.Name+":") || strings.HasSuffix(msg, "for configuration "+k.Name) {
			return []config.Result{{Name: k.Name, Value: props[k.Name], Errors: []string{msg}, Visible: true}}
		}
	}
	return []config.Result{{Name: KeyFormat, Value: props[KeyFormat], Errors: []string{msg}, Visible: true}}
}

var (
	_ connector.SinkConnector = (*Connector)(nil)
	_ connector.Validator     = (*Connector)(nil)
	_ connector.SinkTask      = (*sinkTask)(nil)
)
