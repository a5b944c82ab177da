package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/IBM/sarama"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/worker/metrics"
	"github.com/wharf-project/wharf/worker/tolerance"
)

// Defaults of the worker keys the source runner uses.
const (
	// DefaultFlushInterval is offset.flush.interval.ms (60000).
	DefaultFlushInterval = 60 * time.Second
	// DefaultFlushTimeout is offset.flush.timeout.ms (5000).
	DefaultFlushTimeout = 5 * time.Second
)

// SourceConfig is what a source runner needs. Converters and transforms
// are configured already; Sarama may be nil (sarama defaults with acks=all).
type SourceConfig struct {
	Connector       string
	TaskID          int
	Task            connector.SourceTask
	Props           map[string]string
	KeyConverter    connector.Converter
	ValueConverter  connector.Converter
	HeaderConverter connector.HeaderConverter
	Transforms      Transformer // may be nil
	Brokers         []string
	Sarama          *sarama.Config
	Offsets         OffsetStore
	FlushInterval   time.Duration // offset.flush.interval.ms; 0: DefaultFlushInterval
	FlushTimeout    time.Duration // offset.flush.timeout.ms; 0: DefaultFlushTimeout
	Errors          tolerance.Config
	// EnsureTopic creates a topic before its first record is produced
	// (topic.creation.*); may be nil.
	EnsureTopic func(ctx context.Context, topic string) error
	// OnTopic is called once per topic the task writes to (topic tracking).
	OnTopic func(topic string)
	Log     *slog.Logger
	Metrics *metrics.Task
	// OnState reports Running, Paused, and Failed with the error.
	OnState func(State, error)
}

// Source runs one source task.
type Source struct {
	cfg       SourceConfig
	log       *slog.Logger
	op        *tolerance.Operator
	track     *submitted
	acker     connector.RecordAcker
	committer connector.OffsetCommitter

	// Runner goroutine only.
	topics    map[string]struct{}
	lastTopic string
	free      []byte // spare capacity of arena that converters append into
	arena     *arena
	largest   int      // largest append that did not fit an arena's rest
	filling   *pending // the record being converted (arena references)
	arenas    arenaPool
	batch     []*pending         // the batch being sent (reused)
	scratch   connector.Record   // the record being transformed
	headers   []connector.Header // backing array of scratch.Headers

	mu      sync.Mutex
	paused  bool
	wake    chan struct{}
	sendErr error // first producer failure that was not tolerated
	status  runStatus
}

// NewSource returns a runner for cfg.Task; Run starts it.
func NewSource(cfg SourceConfig) *Source {
	if cfg.FlushInterval <= 0 {
		cfg.FlushInterval = DefaultFlushInterval
	}
	if cfg.FlushTimeout <= 0 {
		cfg.FlushTimeout = DefaultFlushTimeout
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	log := cfg.Log.With("connector", cfg.Connector, "task", cfg.TaskID)
	s := &Source{
		cfg:    cfg,
		log:    log,
		track:  newSubmitted(),
		topics: map[string]struct{}{},
		status: runStatus{onState: cfg.OnState},
		wake:   make(chan struct{}, 1),
		op: tolerance.NewOperator(cfg.Errors, tolerance.Options{Connector: cfg.Connector, Task: cfg.TaskID,
			Log: log, Metrics: cfg.Metrics}),
	}
	s.acker, _ = cfg.Task.(connector.RecordAcker)
	s.committer, _ = cfg.Task.(connector.OffsetCommitter)
	return s
}

// Run starts the task and runs it until ctx is done (it then returns nil
// after a final offset flush) or the task fails (it returns the error, after
// reporting Failed). Every goroutine it starts has ended when it returns.
func (s *Source) Run(ctx context.Context) error {
	producer, err := s.newProducer()
	if err != nil {
		return s.fail(fmt.Errorf("runner: create producer: %w", err))
	}
	acks := make(chan struct{})
	go func() {
		defer close(acks)
		s.ackLoop(ctx, producer)
	}()
	started := false
	err = s.cfg.Task.Start(ctx, &sourceContext{s: s}, s.cfg.Props)
	if err == nil {
		started = true
		s.report(s.current(), nil)
		err = s.loop(ctx, producer)
	} else {
		err = fmt.Errorf("runner: start task: %w", err)
	}
	if err != nil {
		s.report(Failed, err)
	}
	s.shutdown(ctx, producer, acks, started)
	return err
}

func (s *Source) fail(err error) error {
	s.report(Failed, err)
	return err
}

func (s *Source) loop(ctx context.Context, producer sarama.AsyncProducer) error {
	flush := time.NewTicker(s.cfg.FlushInterval)
	defer flush.Stop()
	for {
		if err := s.producerError(); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-flush.C:
			s.flush(ctx)
		default:
		}
		if s.isPaused() {
			select {
			case <-ctx.Done():
				return nil
			case <-flush.C:
				s.flush(ctx)
			case <-s.wake:
			}
			continue
		}
		recs, err := s.cfg.Task.Poll(ctx)
		if err != nil {
			if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
				return nil
			}
			var re *connector.RetriableError
			if errors.As(err, &re) {
				s.log.Warn("retriable error from poll; polling again", "error", err, "backoff", re.Backoff)
				s.sleep(ctx, re.Backoff)
				continue
			}
			return fmt.Errorf("runner: poll: %w", err)
		}
		if len(recs) == 0 {
			continue
		}
		s.cfg.Metrics.Polled(len(recs))
		if err := s.send(ctx, producer, recs); err != nil {
			if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
				return nil
			}
			return err
		}
	}
}

func (s *Source) sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// shutdown waits for outstanding acknowledgements (offset.flush.timeout.ms),
// closes the producer, writes the final offsets and stops the task, in that
// order, so the task hears of no record after Stop.
func (s *Source) shutdown(ctx context.Context, producer sarama.AsyncProducer, acks <-chan struct{}, started bool) {
	t := time.NewTimer(s.cfg.FlushTimeout)
	select {
	case <-s.track.idle():
	case <-t.C:
		s.log.Warn("timed out waiting for the producer to acknowledge outstanding records")
	}
	t.Stop()
	producer.AsyncClose()
	<-acks
	if started {
		s.flush(context.WithoutCancel(ctx))
		if err := s.cfg.Task.Stop(); err != nil {
			s.log.Warn("source task stop failed", "error", err)
		}
	}
}

// flush writes the offsets of each partition's acknowledged prefix, then
// tells the task (OffsetCommitter) exactly what was written.
func (s *Source) flush(ctx context.Context) {
	offsets := s.track.committable()
	if len(offsets) == 0 {
		return
	}
	start := time.Now()
	enc := make(map[string][]byte, len(offsets))
	for _, o := range offsets {
		if o.Offset == nil {
			enc[o.Partition.JSON()] = nil
			continue
		}
		b, err := json.Marshal(o.Offset)
		if err != nil {
			s.track.restore(offsets)
			s.cfg.Metrics.CommitFailed()
			s.log.Error("cannot encode source offset", "partition", o.Partition.JSON(), "error", err)
			return
		}
		enc[o.Partition.JSON()] = b
	}
	fctx, cancel := context.WithTimeout(ctx, s.cfg.FlushTimeout)
	err := s.cfg.Offsets.Set(fctx, s.cfg.Connector, enc)
	cancel()
	if err != nil {
		s.track.restore(offsets)
		s.cfg.Metrics.CommitFailed()
		s.log.Error("failed to flush offsets to storage", "error", err)
		return
	}
	s.cfg.Metrics.Committed(time.Since(start))
	if s.committer != nil {
		if err := s.committer.CommitOffsets(ctx, offsets); err != nil {
			s.log.Error("source task failed to commit offsets", "error", err)
		}
	}
}

// Pause stops polling; the producer and offset flushes keep going.
func (s *Source) Pause() { s.setPaused(true) }

// Resume polls again after Pause.
func (s *Source) Resume() { s.setPaused(false) }

func (s *Source) setPaused(p bool) {
	s.mu.Lock()
	changed := s.paused != p
	s.paused = p
	running := s.status.started()
	s.mu.Unlock()
	if !changed {
		return
	}
	select {
	case s.wake <- struct{}{}:
	default:
	}
	if running {
		s.report(s.current(), nil)
	}
}

func (s *Source) isPaused() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.paused
}

func (s *Source) current() State {
	if s.isPaused() {
		return Paused
	}
	return Running
}

func (s *Source) report(st State, err error) { s.status.report(&s.mu, st, err) }

func (s *Source) producerError() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sendErr
}

// sourceContext is the task's SourceTaskContext.
type sourceContext struct{ s *Source }

func (c *sourceContext) Logger() *slog.Logger  { return c.s.log }
func (c *sourceContext) TaskID() int           { return c.s.cfg.TaskID }
func (c *sourceContext) ConnectorName() string { return c.s.cfg.Connector }

// Offset reads the committed offset of p from the offset store.
func (c *sourceContext) Offset(ctx context.Context, p *connector.SourcePartition) (map[string]any, error) {
	if c.s.cfg.Offsets == nil || p == nil {
		return nil, nil
	}
	got, err := c.s.cfg.Offsets.Get(ctx, c.s.cfg.Connector, []string{p.JSON()})
	if err != nil {
		return nil, fmt.Errorf("runner: read offset of %s: %w", p.JSON(), err)
	}
	b := got[p.JSON()]
	if b == nil {
		return nil, nil
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("runner: decode offset of %s: %w", p.JSON(), err)
	}
	return m, nil
}
