package store

import (
	"context"
	"sync"
	"time"
)

// MemoryStatus is the status store of standalone mode (Connect's
// MemoryStatusBackingStore): statuses live only as long as the process.
type MemoryStatus struct {
	mu    sync.Mutex
	state *statusState
}

// NewMemoryStatus returns an empty in-memory status store.
func NewMemoryStatus() *MemoryStatus { return &MemoryStatus{state: newStatusState()} }

// Start does nothing.
func (s *MemoryStatus) Start(context.Context) error { return nil }

// Stop does nothing.
func (s *MemoryStatus) Stop() error { return nil }

// PutConnector records a connector's status (see safeToWrite for the
// generation rule of UNASSIGNED and FAILED).
func (s *MemoryStatus) PutConnector(_ context.Context, name string, st Status) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state.canPutConnector(name, st) {
		s.state.connectors[name] = st
	}
	return nil
}

// PutTask records a task's status.
func (s *MemoryStatus) PutTask(_ context.Context, connector string, task int, st Status) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state.canPutTask(connector, task, st) {
		s.state.putTask(connector, task, st)
	}
	return nil
}

// Connector returns a connector's status.
func (s *MemoryStatus) Connector(name string) (Status, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.state.connectors[name]
	return st, ok
}

// Tasks returns the statuses of a connector's tasks by task number.
func (s *MemoryStatus) Tasks(name string) map[int]Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state.taskMap(name)
}

// DeleteConnector removes the statuses of a connector and its tasks.
func (s *MemoryStatus) DeleteConnector(_ context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.state.connectors, name)
	delete(s.state.tasks, name)
	return nil
}

// DeleteTask removes a task's status.
func (s *MemoryStatus) DeleteTask(_ context.Context, connector string, task int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state.deleteTask(connector, task)
	return nil
}

// PutTopic records that a connector's task used topic (KIP-558).
func (s *MemoryStatus) PutTopic(_ context.Context, connector, topic string, task int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.state.hasTopic(connector, topic, task) {
		s.state.putTopic(connector, topic, topicStatus{task: task, discovered: time.Now().UnixMilli()})
	}
	return nil
}

// Topics returns the sorted names of the topics a connector has used.
func (s *MemoryStatus) Topics(connector string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state.topicNames(connector)
}

// ResetTopics forgets the topics a connector has used.
func (s *MemoryStatus) ResetTopics(_ context.Context, connector string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.state.topics, connector)
	return nil
}
