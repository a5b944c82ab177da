// Package connectortest gives connector tests in-memory task contexts, so a
// task can be driven through the plugin API without the worker runtime.
// The contexts are safe for concurrent use.
package connectortest

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"sync"

	"github.com/wharf-project/wharf/connector"
)

// Logger returns a logger for tests: t.Log-free, discards unless verbose is wanted.
func Logger(w io.Writer) *slog.Logger {
	if w == nil {
		w = io.Discard
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// Source is an in-memory SourceTaskContext. Offsets holds committed offsets
// by partition JSON, in the form the runtime would read back.
type Source struct {
	Name string
	ID   int
	Log  *slog.Logger

	mu      sync.Mutex
	offsets map[string]map[string]any
}

// NewSource returns a context for connector name, task 0.
func NewSource(name string) *Source {
	return &Source{Name: name, Log: Logger(nil), offsets: map[string]map[string]any{}}
}

func (s *Source) Logger() *slog.Logger  { return s.Log }
func (s *Source) TaskID() int           { return s.ID }
func (s *Source) ConnectorName() string { return s.Name }

// Offset implements connector.SourceTaskContext.
func (s *Source) Offset(_ context.Context, p *connector.SourcePartition) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.offsets[p.JSON()], nil
}

// Commit stores offset for p as the runtime would after a flush: encoded to
// JSON and decoded back, so the task sees what it would see after a restart.
func (s *Source) Commit(p *connector.SourcePartition, offset any) error {
	b, err := json.Marshal(offset)
	if err != nil {
		return err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	s.mu.Lock()
	s.offsets[p.JSON()] = m
	s.mu.Unlock()
	return nil
}

// Sink is an in-memory SinkTaskContext that records what the task asked for.
type Sink struct {
	Name string
	ID   int
	Log  *slog.Logger

	mu        sync.Mutex
	rewinds   map[connector.TopicPartition]int64
	paused    map[connector.TopicPartition]bool
	commitReq int
	errant    []connector.SinkRecord
	// FailErrant makes ReportErrant return the error instead of recording
	// it, as errors.tolerance=none does.
	FailErrant bool
}

// NewSink returns a sink context for connector name, task 0.
func NewSink(name string) *Sink {
	return &Sink{Name: name, Log: Logger(nil), rewinds: map[connector.TopicPartition]int64{},
		paused: map[connector.TopicPartition]bool{}}
}

func (s *Sink) Logger() *slog.Logger  { return s.Log }
func (s *Sink) TaskID() int           { return s.ID }
func (s *Sink) ConnectorName() string { return s.Name }

func (s *Sink) Rewind(tp connector.TopicPartition, offset int64) {
	s.mu.Lock()
	s.rewinds[tp] = offset
	s.mu.Unlock()
}

func (s *Sink) Pause(tps ...connector.TopicPartition) {
	s.mu.Lock()
	for _, tp := range tps {
		s.paused[tp] = true
	}
	s.mu.Unlock()
}

func (s *Sink) Resume(tps ...connector.TopicPartition) {
	s.mu.Lock()
	for _, tp := range tps {
		delete(s.paused, tp)
	}
	s.mu.Unlock()
}

func (s *Sink) RequestCommit() { s.mu.Lock(); s.commitReq++; s.mu.Unlock() }

func (s *Sink) ReportErrant(_ context.Context, rec *connector.SinkRecord, err error) error {
	if s.FailErrant {
		return err
	}
	s.mu.Lock()
	s.errant = append(s.errant, *rec)
	s.mu.Unlock()
	return nil
}

// Rewinds returns the rewind requests so far.
func (s *Sink) Rewinds() map[connector.TopicPartition]int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[connector.TopicPartition]int64, len(s.rewinds))
	for k, v := range s.rewinds {
		out[k] = v
	}
	return out
}

// Paused reports whether tp is paused.
func (s *Sink) Paused(tp connector.TopicPartition) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.paused[tp]
}

// Errant returns the records reported as errant.
func (s *Sink) Errant() []connector.SinkRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]connector.SinkRecord(nil), s.errant...)
}
