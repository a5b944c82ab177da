package store

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"sync"
)

// FileConfig is the config store of standalone mode. Apache Connect keeps
// standalone configs in memory only; Wharf also writes them to a JSON file
// in the data directory so a restarted worker brings its connectors back.
type FileConfig struct {
	path      string
	listeners listeners

	mu    sync.Mutex
	conns map[string]fileConnector
}

type fileConnector struct {
	Config      map[string]string   `json:"config,omitempty"` // nil: only a target state was written
	TargetState TargetState         `json:"target_state,omitempty"`
	Tasks       []map[string]string `json:"tasks"` // nil: no committed task set
}

type configFile struct {
	Version    int                      `json:"version"`
	Connectors map[string]fileConnector `json:"connectors"`
}

// NewFileConfig returns a config store kept in the JSON file at path.
func NewFileConfig(path string) *FileConfig {
	return &FileConfig{path: path, conns: make(map[string]fileConnector)}
}

// OnChange sets the callback for changes; it is called after each Put or
// Remove has been written, from the writer's goroutine, and must not block.
func (s *FileConfig) OnChange(fn func(ConfigChange)) { s.listeners.set(fn) }

// Start loads the file (a missing file is an empty configuration).
func (s *FileConfig) Start(ctx context.Context) error {
	b, err := readFileIfExists(s.path)
	if err != nil || b == nil {
		return err
	}
	var f configFile
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("store: parse %s: %w", s.path, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Connectors != nil {
		s.conns = f.Connectors
	}
	return nil
}

// Stop does nothing: every change is already on disk.
func (s *FileConfig) Stop() error { return nil }

// ReadToEnd does nothing: the file store has no other writers.
func (s *FileConfig) ReadToEnd(context.Context) error { return nil }

// Snapshot returns a deep copy of the configuration.
func (s *FileConfig) Snapshot() ConfigSnapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	snap := ConfigSnapshot{
		Connectors:   make(map[string]map[string]string),
		TargetStates: make(map[string]TargetState),
		TaskConfigs:  make(map[string][]map[string]string),
		Offset:       -1,
	}
	for name, c := range s.conns {
		if c.Config == nil {
			continue
		}
		snap.Connectors[name] = maps.Clone(c.Config)
		snap.TargetStates[name] = Started
		if c.TargetState != "" {
			snap.TargetStates[name] = c.TargetState
		}
		if c.Tasks != nil {
			ts := make([]map[string]string, len(c.Tasks))
			for i, t := range c.Tasks {
				ts[i] = maps.Clone(t)
			}
			snap.TaskConfigs[name] = ts
		}
	}
	return snap
}

// PutConnectorConfig stores a connector's configuration (and initial target
// state when not empty).
func (s *FileConfig) PutConnectorConfig(ctx context.Context, name string, props map[string]string, initial TargetState) error {
	changes := []ConfigChange{{ConnectorConfig, name}}
	if initial != "" {
		changes = []ConfigChange{{TargetStateChanged, name}, changes[0]}
	}
	return s.update(ctx, name, changes, func(c *fileConnector) bool {
		c.Config = maps.Clone(props)
		if c.Config == nil {
			c.Config = map[string]string{}
		}
		if initial != "" {
			c.TargetState = initial
		}
		return true
	})
}

// RemoveConnectorConfig deletes a connector with its target state and tasks.
func (s *FileConfig) RemoveConnectorConfig(ctx context.Context, name string) error {
	return s.update(ctx, name, []ConfigChange{{ConnectorRemoved, name}}, func(*fileConnector) bool { return false })
}

// PutTargetState stores a connector's target state.
func (s *FileConfig) PutTargetState(ctx context.Context, name string, t TargetState) error {
	return s.update(ctx, name, []ConfigChange{{TargetStateChanged, name}}, func(c *fileConnector) bool {
		c.TargetState = t
		return true
	})
}

// PutTaskConfigs stores a connector's committed task configurations.
func (s *FileConfig) PutTaskConfigs(ctx context.Context, name string, tasks []map[string]string) error {
	return s.update(ctx, name, []ConfigChange{{TaskConfigs, name}}, func(c *fileConnector) bool {
		c.Tasks = make([]map[string]string, len(tasks))
		for i, t := range tasks {
			c.Tasks[i] = maps.Clone(t)
			if c.Tasks[i] == nil {
				c.Tasks[i] = map[string]string{}
			}
		}
		return true
	})
}

// update applies fn to a copy of the connector's entry, writes the file and
// only then makes the change visible.
func (s *FileConfig) update(ctx context.Context, name string, changes []ConfigChange, fn func(*fileConnector) bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	next := maps.Clone(s.conns)
	c := next[name]
	if fn(&c) {
		next[name] = c
	} else {
		delete(next, name)
	}
	b, err := json.MarshalIndent(configFile{Version: 1, Connectors: next}, "", "  ")
	if err == nil {
		err = writeFileAtomic(s.path, b)
	}
	if err != nil {
		s.mu.Unlock()
		return fmt.Errorf("store: write %s: %w", s.path, err)
	}
	s.conns = next
	s.mu.Unlock()
	s.listeners.notify(changes)
	return nil
}
