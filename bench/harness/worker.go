package harness

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/file"
	"github.com/wharf-project/wharf/connector/postgres"
	"github.com/wharf-project/wharf/connector/s3"
	"github.com/wharf-project/wharf/worker"
	"github.com/wharf-project/wharf/worker/avro"
	"github.com/wharf-project/wharf/worker/convert"
	"github.com/wharf-project/wharf/worker/heapfloor"
	"github.com/wharf-project/wharf/worker/metrics"
	"github.com/wharf-project/wharf/worker/store"
	"github.com/wharf-project/wharf/worker/transform"
)

// Registry is the plugin registry cmd/wharf builds (cmd/wharf/plugins.go).
func Registry() *connector.Registry {
	var ps []connector.Plugin
	ps = append(ps, file.Plugins()...)
	ps = append(ps, postgres.Plugin(), s3.Plugin())
	ps = append(ps, convert.Plugins()...)
	ps = append(ps, avro.Plugins()...)
	ps = append(ps, transform.Plugins()...)
	return connector.NewRegistry(ps...)
}

// WorkerPropsEnv holds extra worker properties, "k=v,k=v", for every Wharf
// measurement (wharfbench -worker-props).
const WorkerPropsEnv = "WHARF_BENCH_WORKER_PROPS"

// Task is one task built the way a standalone worker builds it: worker
// properties parsed by worker.ParseConfig, converters, SMTs, error handling
// and sarama clients from worker.Runners.NewTask, Prometheus metrics on,
// offsets in a standalone offsets file.
type Task struct {
	Runner worker.TaskRunner
	conn   connector.Connector
	dir    string
	failed atomic.Pointer[error]
}

// NewTask starts connector inst with props and builds the runner of its
// task 0. workerProps are worker properties (bootstrap.servers is set from
// brokers).
func NewTask(ctx context.Context, brokers []string, workerProps, props map[string]string, inst connector.Connector) (*Task, error) {
	dir, err := os.MkdirTemp("", "wharf-bench-worker-")
	if err != nil {
		return nil, err
	}
	wp := maps.Clone(workerProps)
	if wp == nil {
		wp = map[string]string{}
	}
	// WorkerPropsEnv adds worker properties to every measurement (for
	// experiments such as producer.compression.type=lz4).
	for _, kv := range strings.Split(os.Getenv(WorkerPropsEnv), ",") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			wp[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	wp["bootstrap.servers"] = strings.Join(brokers, ",")
	wp["wharf.data.dir"] = dir
	cfg, _, err := worker.ParseConfig(wp, false)
	if err != nil {
		return nil, fmt.Errorf("worker config: %w", err)
	}
	go heapfloor.Run(ctx, cfg.HeapFloor) // as cmd/wharf does for the worker process
	offsets := store.NewFileOffsets(filepath.Join(dir, "connect.offsets"))
	if err := offsets.Start(ctx); err != nil {
		return nil, err
	}
	reg := Registry()
	plugin, ok := reg.LookupConnector(props["connector.class"])
	if !ok {
		return nil, fmt.Errorf("no connector %s", props["connector.class"])
	}
	log := slog.New(slog.DiscardHandler)
	if err := inst.Start(ctx, connContext{log}, props); err != nil {
		return nil, fmt.Errorf("connector start: %w", err)
	}
	tasks, err := inst.TaskConfigs(1)
	if err != nil || len(tasks) == 0 {
		return nil, fmt.Errorf("task configs: %v", err)
	}
	runners := worker.NewRunners(cfg, reg, brokers, offsets, store.NewMemoryStatus(),
		metrics.New(prometheus.NewRegistry()), nil, mustProviders(wp))
	t := &Task{conn: inst, dir: dir}
	r, err := runners.NewTask(ctx, worker.TaskSpec{
		Connector: props["name"], Plugin: plugin, Instance: inst, ConnectorProps: props,
		TaskID: 0, TaskProps: tasks[0], Logger: log,
		OnState: func(state string, err error) {
			if state == string("FAILED") && err != nil {
				t.failed.Store(&err)
			}
		},
	})
	if err != nil {
		return nil, err
	}
	t.Runner = r
	return t, nil
}

func mustProviders(props map[string]string) *worker.Providers {
	p, err := worker.NewProviders(props)
	if err != nil {
		panic(err)
	}
	return p
}

// Failed returns the error the task failed with, if it did.
func (t *Task) Failed() error {
	if e := t.failed.Load(); e != nil {
		return *e
	}
	return nil
}

// Close stops the connector and removes the worker's data directory.
func (t *Task) Close() {
	_ = t.conn.Stop()
	os.RemoveAll(t.dir)
}

type connContext struct{ log *slog.Logger }

func (c connContext) RequestTaskReconfiguration()       {}
func (c connContext) RaiseError(error)                  {}
func (c connContext) Logger() *slog.Logger              { return c.log }
func (c connContext) MemoryPool() *connector.MemoryPool { return nil }

// Stopwatch records the time of the first and the last event of a run and
// signals when a target count is reached. Safe for concurrent use.
type Stopwatch struct {
	target int64
	n      atomic.Int64
	first  atomic.Int64 // unix nanos
	last   atomic.Int64
	once   sync.Once
	done   chan struct{}
}

// NewStopwatch returns a stopwatch that is done after target events.
func NewStopwatch(target int64) *Stopwatch {
	return &Stopwatch{target: target, done: make(chan struct{})}
}

// Start marks the first event time (only the first call counts).
func (s *Stopwatch) Start() {
	s.first.CompareAndSwap(0, time.Now().UnixNano())
}

// Add counts n events.
func (s *Stopwatch) Add(n int64) {
	if s.n.Add(n) >= s.target {
		s.once.Do(func() {
			s.last.Store(time.Now().UnixNano())
			close(s.done)
		})
	}
}

// Done is closed once target events were counted.
func (s *Stopwatch) Done() <-chan struct{} { return s.done }

// Count is the number of events so far.
func (s *Stopwatch) Count() int64 { return s.n.Load() }

// Seconds is the time from Start to the target event.
func (s *Stopwatch) Seconds() float64 {
	return float64(s.last.Load()-s.first.Load()) / 1e9
}

// CountingSource wraps a source connector so that its task counts the
// records Kafka acknowledged (RecordAcker) and notes the first record
// polled; everything else is forwarded, so the runner treats the task as
// the connector's own (OffsetCommitter included).
type CountingSource struct {
	connector.SourceConnector
	Watch *Stopwatch
}

// NewTask wraps the connector's task.
func (c *CountingSource) NewTask() connector.SourceTask {
	return &countingSourceTask{SourceTask: c.SourceConnector.NewTask(), w: c.Watch}
}

type countingSourceTask struct {
	connector.SourceTask
	w *Stopwatch
}

func (t *countingSourceTask) Poll(ctx context.Context) ([]connector.SourceRecord, error) {
	recs, err := t.SourceTask.Poll(ctx)
	if len(recs) > 0 {
		t.w.Start()
	}
	return recs, err
}

func (t *countingSourceTask) AckRecord(rec *connector.SourceRecord, partition int32, offset int64) {
	if a, ok := t.SourceTask.(connector.RecordAcker); ok {
		a.AckRecord(rec, partition, offset)
	}
	t.w.Add(1)
}

func (t *countingSourceTask) CommitOffsets(ctx context.Context, c []connector.CommittedOffset) error {
	if oc, ok := t.SourceTask.(connector.OffsetCommitter); ok {
		return oc.CommitOffsets(ctx, c)
	}
	return nil
}

// CountingSink wraps a sink connector so that its task notes the first Put
// with records and counts the records Put; once target records were Put it
// asks the task's PreCommit and counts the run done only when every record
// is committable (the files holding them are complete in S3).
type CountingSink struct {
	connector.SinkConnector
	Watch *Stopwatch
	// Committed is the sum of PreCommit offsets when the run was done.
	Committed atomic.Int64
}

// NewTask wraps the connector's task.
func (c *CountingSink) NewTask() connector.SinkTask {
	return &countingSinkTask{SinkTask: c.SinkConnector.NewTask(), c: c}
}

type countingSinkTask struct {
	connector.SinkTask
	c   *CountingSink
	put int64
}

func (t *countingSinkTask) Put(ctx context.Context, recs []connector.SinkRecord) error {
	if len(recs) > 0 {
		t.c.Watch.Start()
	}
	if err := t.SinkTask.Put(ctx, recs); err != nil {
		return err
	}
	t.put += int64(len(recs))
	if t.put < t.c.Watch.target || len(recs) == 0 {
		return nil
	}
	offs, err := t.SinkTask.PreCommit(ctx, nil)
	if err != nil {
		return err
	}
	var sum int64
	for _, o := range offs {
		sum += o
	}
	if sum >= t.c.Watch.target {
		t.c.Committed.Store(sum)
		t.c.Watch.Add(t.c.Watch.target)
	}
	return nil
}
