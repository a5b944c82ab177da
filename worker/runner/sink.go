package runner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/IBM/sarama"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/worker/metrics"
	"github.com/wharf-project/wharf/worker/tolerance"
)

// DefaultMaxPollRecords is the consumer's max.poll.records: the largest
// batch given to Put.
const DefaultMaxPollRecords = 500

// idlePut is how often Put is called with an empty batch when no records
// arrive, so sinks can rotate files on schedule.
const idlePut = time.Second

// SinkConfig is what a sink runner needs. Converters and transforms are
// configured already; Sarama may be nil (sarama defaults).
type SinkConfig struct {
	Connector       string
	TaskID          int
	Task            connector.SinkTask
	Props           map[string]string
	Topics          []string
	TopicsRegex     string // used when Topics is empty; matched against whole names
	GroupID         string // "connect-<connector>" normally
	KeyConverter    connector.Converter
	ValueConverter  connector.Converter
	HeaderConverter connector.HeaderConverter
	Transforms      Transformer // may be nil
	Brokers         []string
	Sarama          *sarama.Config
	CommitInterval  time.Duration // offset.flush.interval.ms; 0: DefaultFlushInterval
	MaxPollRecords  int           // max.poll.records; 0: DefaultMaxPollRecords
	Errors          tolerance.Config
	Log             *slog.Logger
	Metrics         *metrics.Task
	OnState         func(State, error)
}

// Sink runs one sink task.
type Sink struct {
	cfg   SinkConfig
	log   *slog.Logger
	regex *regexp.Regexp
	op    *tolerance.Operator

	mu         sync.Mutex
	group      sarama.ConsumerGroup // nil outside Run
	client     sarama.Client
	paused     bool
	partPaused map[connector.TopicPartition]bool
	rewinds    map[connector.TopicPartition]int64
	commitReq  bool
	inflight   []*sarama.ConsumerMessage // records of the Put in progress, for ReportErrant
	errantErr  error                     // an errant record that was not tolerated
	fatalErr   error
	status     runStatus
	wake       chan struct{}
}

// NewSink returns a runner for cfg.Task; Run starts it.
func NewSink(cfg SinkConfig) *Sink {
	if cfg.CommitInterval <= 0 {
		cfg.CommitInterval = DefaultFlushInterval
	}
	if cfg.MaxPollRecords <= 0 {
		cfg.MaxPollRecords = DefaultMaxPollRecords
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.GroupID == "" {
		cfg.GroupID = "connect-" + cfg.Connector
	}
	return &Sink{
		cfg:        cfg,
		log:        cfg.Log.With("connector", cfg.Connector, "task", cfg.TaskID),
		partPaused: map[connector.TopicPartition]bool{},
		status:     runStatus{onState: cfg.OnState},
		rewinds:    map[connector.TopicPartition]int64{},
		wake:       make(chan struct{}, 1),
	}
}

// Run starts the task and consumes until ctx is done (it returns nil after
// the final commit and Close) or the task fails (it reports Failed and
// returns the error). Every goroutine it starts has ended when it returns.
func (s *Sink) Run(ctx context.Context) error {
	if len(s.cfg.Topics) == 0 && s.cfg.TopicsRegex != "" {
		re, err := regexp.Compile("^(?:" + s.cfg.TopicsRegex + ")$")
		if err != nil {
			return s.fail(fmt.Errorf("runner: topics.regex: %w", err))
		}
		s.regex = re
	}
	client, group, err := s.newGroup()
	if err != nil {
		return s.fail(err)
	}
	defer client.Close()
	defer group.Close()
	dlq, err := tolerance.NewDeadLetterQueue(s.cfg.Errors, s.cfg.Brokers, s.cfg.Sarama, s.cfg.Connector, s.cfg.TaskID)
	if err != nil {
		return s.fail(err)
	}
	defer dlq.Close()
	s.op = tolerance.NewOperator(s.cfg.Errors, tolerance.Options{Connector: s.cfg.Connector, Task: s.cfg.TaskID,
		Log: s.log, Metrics: s.cfg.Metrics, DLQ: dlq})
	if err := s.cfg.Task.Start(ctx, &sinkContext{s: s}, s.cfg.Props); err != nil {
		return s.fail(fmt.Errorf("runner: start task: %w", err))
	}
	s.report(s.current(), nil)
	s.consume(ctx, group)
	err = s.fatal()
	if err != nil {
		s.report(Failed, err)
	}
	if serr := s.cfg.Task.Stop(); serr != nil {
		s.log.Warn("sink task stop failed", "error", serr)
	}
	s.mu.Lock()
	s.group, s.client = nil, nil
	s.mu.Unlock()
	return err
}

// consume joins the group session after session until ctx is done or the
// task failed. Each session opens its partitions in Setup and commits and
// closes them in Cleanup (see handler).
func (s *Sink) consume(ctx context.Context, group sarama.ConsumerGroup) {
	h := &handler{s: s, ctx: ctx}
	for ctx.Err() == nil && s.fatal() == nil {
		topics, err := s.subscription()
		if err == nil && len(topics) > 0 {
			err = group.Consume(ctx, topics, h)
			if errors.Is(err, sarama.ErrClosedConsumerGroup) {
				return
			}
			if err == nil {
				continue
			}
		}
		if s.fatal() != nil || ctx.Err() != nil {
			return
		}
		if err != nil {
			s.log.Warn("consumer group session failed; rejoining", "error", err)
		}
		t := time.NewTimer(time.Second)
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
	}
}

func (s *Sink) newGroup() (sarama.Client, sarama.ConsumerGroup, error) {
	c := sarama.NewConfig()
	if s.cfg.Sarama != nil {
		cc := *s.cfg.Sarama
		c = &cc
	}
	// Connect's sink consumer: start from the earliest offset when the
	// group has none, and commit only what PreCommit allows.
	c.Consumer.Offsets.Initial = sarama.OffsetOldest
	c.Consumer.Offsets.AutoCommit.Enable = false
	// Eager rebalancing: every generation ends with Cleanup, where the
	// final PreCommit, commit and Close happen for all partitions.
	c.Consumer.Group.Rebalance.GroupStrategies = []sarama.BalanceStrategy{sarama.NewBalanceStrategyRange()}
	client, err := sarama.NewClient(s.cfg.Brokers, c)
	if err != nil {
		return nil, nil, fmt.Errorf("runner: create consumer client: %w", err)
	}
	group, err := sarama.NewConsumerGroupFromClient(s.cfg.GroupID, client)
	if err != nil {
		client.Close()
		return nil, nil, fmt.Errorf("runner: create consumer group %s: %w", s.cfg.GroupID, err)
	}
	s.mu.Lock()
	s.group, s.client = group, client
	paused := s.paused
	s.mu.Unlock()
	if paused {
		group.PauseAll()
	}
	return client, group, nil
}

// subscription is the topic list, or the topics matching topics.regex now.
func (s *Sink) subscription() ([]string, error) {
	if s.regex == nil {
		return s.cfg.Topics, nil
	}
	s.mu.Lock()
	client := s.client
	s.mu.Unlock()
	if err := client.RefreshMetadata(); err != nil {
		return nil, fmt.Errorf("runner: refresh metadata: %w", err)
	}
	all, err := client.Topics()
	if err != nil {
		return nil, fmt.Errorf("runner: list topics: %w", err)
	}
	var out []string
	for _, t := range all {
		if s.regex.MatchString(t) {
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return out, nil
}

func (s *Sink) fail(err error) error {
	s.report(Failed, err)
	return err
}

func (s *Sink) setFatal(err error) {
	s.mu.Lock()
	first := s.fatalErr == nil
	if first {
		s.fatalErr = err
	}
	s.mu.Unlock()
	if first {
		s.report(Failed, err)
	}
}

func (s *Sink) fatal() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fatalErr
}

// Pause stops fetching from every partition; commits and idle Puts go on.
func (s *Sink) Pause() { s.setPaused(true) }

// Resume fetches again, except partitions the task itself paused.
func (s *Sink) Resume() { s.setPaused(false) }

func (s *Sink) setPaused(p bool) {
	s.mu.Lock()
	changed := s.paused != p
	s.paused = p
	g := s.group
	taskPaused := pausedMap(s.partPaused)
	running := s.status.started()
	s.mu.Unlock()
	if !changed {
		return
	}
	if g != nil {
		if p {
			g.PauseAll()
		} else {
			g.ResumeAll()
			g.Pause(taskPaused)
		}
	}
	s.signal()
	if running {
		s.report(s.current(), nil)
	}
}

func (s *Sink) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// isPaused reports whether records of tp are held back.
func (s *Sink) isPaused(tp connector.TopicPartition) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.paused || s.partPaused[tp]
}

func (s *Sink) current() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.paused {
		return Paused
	}
	return Running
}

func (s *Sink) report(st State, err error) { s.status.report(&s.mu, st, err) }

func pausedMap(m map[connector.TopicPartition]bool) map[string][]int32 {
	out := map[string][]int32{}
	for tp, p := range m {
		if p {
			out[tp.Topic] = append(out[tp.Topic], tp.Partition)
		}
	}
	return out
}

// sinkContext is the task's SinkTaskContext.
type sinkContext struct{ s *Sink }

func (c *sinkContext) Logger() *slog.Logger  { return c.s.log }
func (c *sinkContext) TaskID() int           { return c.s.cfg.TaskID }
func (c *sinkContext) ConnectorName() string { return c.s.cfg.Connector }

// Rewind takes effect before the next records are fetched: during Open it
// sets where the partition starts; later it ends the group session so the
// partition is read again from offset (the task sees Close and Open).
func (c *sinkContext) Rewind(tp connector.TopicPartition, offset int64) {
	c.s.mu.Lock()
	c.s.rewinds[tp] = offset
	c.s.mu.Unlock()
	c.s.signal()
}

func (c *sinkContext) Pause(tps ...connector.TopicPartition) {
	s := c.s
	s.mu.Lock()
	m := map[string][]int32{}
	for _, tp := range tps {
		s.partPaused[tp] = true
		m[tp.Topic] = append(m[tp.Topic], tp.Partition)
	}
	g := s.group
	s.mu.Unlock()
	if g != nil {
		g.Pause(m)
	}
}

func (c *sinkContext) Resume(tps ...connector.TopicPartition) {
	s := c.s
	s.mu.Lock()
	m := map[string][]int32{}
	for _, tp := range tps {
		delete(s.partPaused, tp)
		m[tp.Topic] = append(m[tp.Topic], tp.Partition)
	}
	g, all := s.group, s.paused
	s.mu.Unlock()
	if g != nil && !all {
		g.Resume(m)
	}
	s.signal()
}

func (c *sinkContext) RequestCommit() {
	c.s.mu.Lock()
	c.s.commitReq = true
	c.s.mu.Unlock()
	c.s.signal()
}

// ReportErrant sends rec to the errant record reporter (log and dead letter
// queue) through the error handler, as Connect's WorkerErrantRecordReporter
// does. With errors.tolerance=none the returned error fails the task, even
// if the task does not return it from Put. Without a DLQ topic or error log
// there is no reporter (Connect gives the task null) and err comes back.
func (c *sinkContext) ReportErrant(ctx context.Context, rec *connector.SinkRecord, err error) error {
	s := c.s
	if s.op == nil || !s.op.Reporting() {
		return err
	}
	raw := s.findRaw(rec)
	if raw == nil {
		raw = s.serialize(rec)
	}
	rerr := s.op.Report(ctx, tolerance.Failure{Stage: tolerance.TaskPut, Class: typeName(s.cfg.Task),
		Err: err, Consumed: raw})
	if rerr != nil {
		s.mu.Lock()
		if s.errantErr == nil {
			s.errantErr = rerr
		}
		s.mu.Unlock()
	}
	return rerr
}

func (s *Sink) findRaw(rec *connector.SinkRecord) *sarama.ConsumerMessage {
	topic, part := rec.OriginalTopic, rec.OriginalPartition
	if topic == "" {
		topic, part = rec.Topic, rec.Partition
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.inflight, func(m *sarama.ConsumerMessage) bool {
		return m.Offset == rec.Offset && m.Partition == part && m.Topic == topic
	})
	if i < 0 {
		return nil
	}
	return s.inflight[i]
}

// serialize rebuilds Kafka bytes for a record the runner did not deliver,
// as Connect does for records that are not its own InternalSinkRecord.
func (s *Sink) serialize(rec *connector.SinkRecord) *sarama.ConsumerMessage {
	m := &sarama.ConsumerMessage{Topic: rec.Topic, Partition: rec.Partition, Offset: rec.Offset, Timestamp: rec.Timestamp}
	if rec.OriginalTopic != "" {
		m.Topic, m.Partition = rec.OriginalTopic, rec.OriginalPartition
	}
	m.Key, _ = s.cfg.KeyConverter.Append(nil, rec.Topic, rec.KeySchema, rec.Key)
	m.Value, _ = s.cfg.ValueConverter.Append(nil, rec.Topic, rec.ValueSchema, rec.Value)
	for _, h := range rec.Headers {
		v, err := s.cfg.HeaderConverter.AppendHeader(nil, rec.Topic, h.Key, h.Schema, h.Value)
		if err == nil {
			m.Headers = append(m.Headers, &sarama.RecordHeader{Key: []byte(h.Key), Value: v})
		}
	}
	return m
}
