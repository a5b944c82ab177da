package store

import (
	"maps"
	"sync"
)

// TargetState is the state an operator asked a connector to be in.
type TargetState string

// Target states (Connect's TargetState).
const (
	Started TargetState = "STARTED"
	Paused  TargetState = "PAUSED"
	Stopped TargetState = "STOPPED"
)

// ConfigSnapshot is a consistent copy of all connector configurations.
type ConfigSnapshot struct {
	Connectors   map[string]map[string]string
	TargetStates map[string]TargetState
	// TaskConfigs holds committed task configuration sets only; a connector
	// whose task set is unknown or incomplete (e.g. after compaction) has no
	// entry and needs its tasks regenerated.
	TaskConfigs map[string][]map[string]string
	// Offset is the config topic position after the last record applied
	// (Connect's config offset, compared between workers when they join the
	// group); -1 before any record and always for the file store.
	Offset int64
}

// ChangeKind says what a ConfigChange changed.
type ChangeKind int

// Change kinds. The target-state kind cannot be called TargetState: that
// name is the type.
const (
	ConnectorConfig ChangeKind = iota + 1
	ConnectorRemoved
	TargetStateChanged
	TaskConfigs
)

func (k ChangeKind) String() string {
	switch k {
	case ConnectorConfig:
		return "connector-config"
	case ConnectorRemoved:
		return "connector-removed"
	case TargetStateChanged:
		return "target-state"
	case TaskConfigs:
		return "task-configs"
	}
	return "unknown"
}

// ConfigChange reports one applied configuration change.
type ConfigChange struct {
	Kind      ChangeKind
	Connector string
}

// configState is the configuration model shared by the file and Kafka
// stores; it mirrors KafkaConfigBackingStore's bookkeeping.
type configState struct {
	connectors   map[string]map[string]string
	targets      map[string]TargetState
	taskCounts   map[string]int
	tasks        map[string]map[int]map[string]string // applied (committed) task configs
	deferred     map[string]map[int]map[string]string // read but not yet committed
	inconsistent map[string]bool
	offset       int64
}

func newConfigState() *configState {
	return &configState{
		offset:       -1,
		connectors:   make(map[string]map[string]string),
		targets:      make(map[string]TargetState),
		taskCounts:   make(map[string]int),
		tasks:        make(map[string]map[int]map[string]string),
		deferred:     make(map[string]map[int]map[string]string),
		inconsistent: make(map[string]bool),
	}
}

func (s *configState) putConnector(name string, props map[string]string) {
	s.connectors[name] = props
	// Connectors created by Connect 0.9 have no target state record.
	if _, ok := s.targets[name]; !ok {
		s.targets[name] = Started
	}
}

func (s *configState) removeConnector(name string) {
	delete(s.connectors, name)
	delete(s.taskCounts, name)
	delete(s.tasks, name)
	delete(s.deferred, name)
	delete(s.inconsistent, name)
}

func (s *configState) putTarget(name string, t TargetState) {
	if t == "" {
		delete(s.targets, name)
		return
	}
	s.targets[name] = t
}

func (s *configState) deferTask(name string, task int, props map[string]string) {
	if s.deferred[name] == nil {
		s.deferred[name] = make(map[int]map[string]string)
	}
	s.deferred[name][task] = props
}

// commitTasks applies the deferred task configs of name if they form the
// complete set 0..count-1; otherwise the connector becomes inconsistent
// (task records lost to compaction) until a complete set is committed.
func (s *configState) commitTasks(name string, count int) {
	deferred := s.deferred[name]
	complete := len(deferred) >= count
	for i := 0; complete && i < count; i++ {
		_, complete = deferred[i]
	}
	if complete {
		if s.tasks[name] == nil {
			s.tasks[name] = make(map[int]map[string]string)
		}
		maps.Copy(s.tasks[name], deferred)
		delete(s.inconsistent, name)
	} else {
		s.inconsistent[name] = true
	}
	delete(s.deferred, name)
	s.taskCounts[name] = count
}

func (s *configState) snapshot() ConfigSnapshot {
	snap := ConfigSnapshot{
		Connectors:   make(map[string]map[string]string, len(s.connectors)),
		TargetStates: make(map[string]TargetState, len(s.connectors)),
		TaskConfigs:  make(map[string][]map[string]string),
		Offset:       s.offset,
	}
	for name, props := range s.connectors {
		snap.Connectors[name] = maps.Clone(props)
		if t, ok := s.targets[name]; ok {
			snap.TargetStates[name] = t
		} else {
			snap.TargetStates[name] = Started
		}
		if ts, ok := s.committedTasks(name); ok {
			snap.TaskConfigs[name] = ts
		}
	}
	return snap
}

func (s *configState) committedTasks(name string) ([]map[string]string, bool) {
	count, ok := s.taskCounts[name]
	if !ok || s.inconsistent[name] {
		return nil, false
	}
	out := make([]map[string]string, count)
	for i := range count {
		t, ok := s.tasks[name][i]
		if !ok {
			return nil, false
		}
		out[i] = maps.Clone(t)
	}
	return out, true
}

// listeners holds the OnChange callback.
type listeners struct {
	mu sync.Mutex
	fn func(ConfigChange)
}

func (l *listeners) set(fn func(ConfigChange)) {
	l.mu.Lock()
	l.fn = fn
	l.mu.Unlock()
}

func (l *listeners) notify(changes []ConfigChange) {
	l.mu.Lock()
	fn := l.fn
	l.mu.Unlock()
	if fn == nil {
		return
	}
	for _, c := range changes {
		fn(c)
	}
}
