// Package metrics holds Wharf's Prometheus collectors for task runners.
//
// Collectors are registered on a registry the caller owns (never the global
// one), so several workers can live in one process and tests see only their
// own series. Names follow wharf_<subsystem>_<name>_<unit>; every series
// carries the connector and task labels.
//
// A *Task is safe for concurrent use, and all its methods accept a nil
// receiver (they do nothing), so runners need no checks when metrics are off.
package metrics

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

const (
	labelConnector = "connector"
	labelTask      = "task"
)

// Metrics is the set of collectors of one worker.
type Metrics struct {
	polled         *prometheus.CounterVec
	written        *prometheus.CounterVec
	put            *prometheus.CounterVec
	batch          *prometheus.HistogramVec
	commitSeconds  *prometheus.HistogramVec
	commitFailures *prometheus.CounterVec
	errors         *prometheus.CounterVec
	skipped        *prometheus.CounterVec
	deadLettered   *prometheus.CounterVec
	lag            *prometheus.GaugeVec
}

// New creates the collectors and registers them on reg. It panics if reg
// already holds collectors of the same names, as prometheus.MustRegister does:
// one Metrics per registry.
func New(reg prometheus.Registerer) *Metrics {
	task := []string{labelConnector, labelTask}
	m := &Metrics{
		polled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "wharf", Subsystem: "source", Name: "records_polled_total",
			Help: "Records returned by source task polls (Connect's source-record-poll-total).",
		}, task),
		written: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "wharf", Subsystem: "source", Name: "records_written_total",
			Help: "Source records acknowledged by Kafka (Connect's source-record-write-total).",
		}, task),
		put: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "wharf", Subsystem: "sink", Name: "records_put_total",
			Help: "Records delivered to sink task Put calls that succeeded (Connect's sink-record-send-total).",
		}, task),
		batch: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "wharf", Subsystem: "task", Name: "batch_size_records",
			Help:    "Records per source poll or sink put batch.",
			Buckets: []float64{0, 1, 10, 50, 100, 250, 500, 1000, 2000, 5000},
		}, task),
		commitSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "wharf", Subsystem: "task", Name: "offset_commit_duration_seconds",
			Help:    "Time taken by successful offset commits (Connect's offset-commit-avg-time-ms).",
			Buckets: prometheus.ExponentialBuckets(0.001, 4, 8),
		}, task),
		commitFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "wharf", Subsystem: "task", Name: "offset_commit_failures_total",
			Help: "Offset commits that failed (Connect's offset-commit-failure-percentage numerator).",
		}, task),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "wharf", Subsystem: "errors", Name: "records_total",
			Help: "Record processing errors by stage (Connect's total-record-errors).",
		}, []string{labelConnector, labelTask, "stage"}),
		skipped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "wharf", Subsystem: "errors", Name: "records_skipped_total",
			Help: "Records skipped because errors.tolerance=all (Connect's total-records-skipped).",
		}, task),
		deadLettered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "wharf", Subsystem: "errors", Name: "dead_letter_records_total",
			Help: "Records written to the dead letter queue topic (Connect's deadletterqueue-produce-requests).",
		}, task),
		lag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "wharf", Subsystem: "sink", Name: "consumer_lag_records",
			Help: "High-water mark minus the next offset the sink consumer will fetch, per partition.",
		}, []string{labelConnector, labelTask, "topic", "partition"}),
	}
	reg.MustRegister(m.polled, m.written, m.put, m.batch, m.commitSeconds, m.commitFailures,
		m.errors, m.skipped, m.deadLettered, m.lag)
	return m
}

// Task returns the series of one task. Call Remove when the task stops.
func (m *Metrics) Task(connector string, task int) *Task {
	if m == nil {
		return nil
	}
	id := strconv.Itoa(task)
	l := prometheus.Labels{labelConnector: connector, labelTask: id}
	return &Task{
		m:              m,
		labels:         l,
		polled:         m.polled.With(l),
		written:        m.written.With(l),
		put:            m.put.With(l),
		batch:          m.batch.With(l),
		commitSeconds:  m.commitSeconds.With(l),
		commitFailures: m.commitFailures.With(l),
		skipped:        m.skipped.With(l),
		deadLettered:   m.deadLettered.With(l),
	}
}

// Task records one task's metrics. Series are created when the task is, so
// counters read 0 rather than being absent.
type Task struct {
	m              *Metrics
	labels         prometheus.Labels
	polled         prometheus.Counter
	written        prometheus.Counter
	put            prometheus.Counter
	batch          prometheus.Observer
	commitSeconds  prometheus.Observer
	commitFailures prometheus.Counter
	skipped        prometheus.Counter
	deadLettered   prometheus.Counter
}

// Polled counts n records returned by a source poll and observes the batch.
func (t *Task) Polled(n int) {
	if t == nil {
		return
	}
	t.polled.Add(float64(n))
	t.batch.Observe(float64(n))
}

// Written counts n source records acknowledged by Kafka.
func (t *Task) Written(n int) {
	if t != nil {
		t.written.Add(float64(n))
	}
}

// Put counts a successful sink Put of n records and observes the batch;
// the empty Puts of an idle sink are not observed.
func (t *Task) Put(n int) {
	if t == nil || n == 0 {
		return
	}
	t.put.Add(float64(n))
	t.batch.Observe(float64(n))
}

// Committed observes a successful offset commit that took d.
func (t *Task) Committed(d time.Duration) {
	if t != nil {
		t.commitSeconds.Observe(d.Seconds())
	}
}

// CommitFailed counts a failed offset commit.
func (t *Task) CommitFailed() {
	if t != nil {
		t.commitFailures.Inc()
	}
}

// Error counts a record error at stage (KEY_CONVERTER, TASK_PUT …).
func (t *Task) Error(stage string) {
	if t != nil {
		t.m.errors.With(prometheus.Labels{labelConnector: t.labels[labelConnector],
			labelTask: t.labels[labelTask], "stage": stage}).Inc()
	}
}

// Skipped counts a record skipped under errors.tolerance=all.
func (t *Task) Skipped() {
	if t != nil {
		t.skipped.Inc()
	}
}

// DeadLettered counts a record written to the dead letter queue.
func (t *Task) DeadLettered() {
	if t != nil {
		t.deadLettered.Inc()
	}
}

// Lag sets the consumer lag of a sink partition.
func (t *Task) Lag(topic string, partition int32, lag int64) {
	if t == nil {
		return
	}
	t.m.lag.With(t.partitionLabels(topic, partition)).Set(float64(lag))
}

// RemoveLag drops the lag series of a partition the task no longer owns.
func (t *Task) RemoveLag(topic string, partition int32) {
	if t != nil {
		t.m.lag.Delete(t.partitionLabels(topic, partition))
	}
}

func (t *Task) partitionLabels(topic string, partition int32) prometheus.Labels {
	return prometheus.Labels{labelConnector: t.labels[labelConnector], labelTask: t.labels[labelTask],
		"topic": topic, "partition": strconv.Itoa(int(partition))}
}

// Remove deletes every series of the task, so a stopped task does not keep
// reporting its last values.
func (t *Task) Remove() {
	if t == nil {
		return
	}
	m := t.m
	for _, v := range []interface{ DeletePartialMatch(prometheus.Labels) int }{
		m.polled, m.written, m.put, m.batch, m.commitSeconds, m.commitFailures,
		m.errors, m.skipped, m.deadLettered, m.lag,
	} {
		v.DeletePartialMatch(t.labels)
	}
}
