package resttest

import (
	"context"
	"errors"
	"fmt"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/config"
)

// FailingSource is a test plugin, com.example.FailingSourceConnector (alias
// FailingSource), whose one task fails on its first poll with
// "poll orders: database is on fire": tests use it to see FAILED states and
// traces.
func FailingSource() connector.Plugin {
	return connector.Plugin{Class: "com.example.FailingSourceConnector", Type: connector.TypeSource, Version: "1",
		New: func() any { return failing{} }}
}

type failing struct{}

func (failing) Config() *config.Def { return config.NewDef() }
func (failing) Start(context.Context, connector.Context, map[string]string) error {
	return nil
}
func (failing) TaskConfigs(int) ([]map[string]string, error) { return []map[string]string{{}}, nil }
func (failing) Stop() error                                  { return nil }
func (failing) NewTask() connector.SourceTask                { return failingTask{} }

type failingTask struct{}

func (failingTask) Start(context.Context, connector.SourceTaskContext, map[string]string) error {
	return nil
}
func (failingTask) Poll(context.Context) ([]connector.SourceRecord, error) {
	return nil, fmt.Errorf("poll orders: %w", errors.New("database is on fire"))
}
func (failingTask) Stop() error { return nil }
