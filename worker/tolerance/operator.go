package tolerance

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/IBM/sarama"

	"github.com/wharf-project/wharf/connector"
)

// ErrToleranceExceeded is wrapped by the error that fails a task whose
// failure was not tolerated; its text is Connect's ConnectException message.
var ErrToleranceExceeded = errors.New("Tolerance exceeded in error handler")

// ErrUnhandled is wrapped when a stage that only tolerates retriable errors
// (put, poll, produce) failed otherwise; Connect's text again.
var ErrUnhandled = errors.New("Unhandled exception in error handler")

// retryDelayMin is Connect's RETRIES_DELAY_MIN_MS: the first backoff, doubled
// on each further attempt up to errors.retry.delay.max.ms.
const retryDelayMin = 300 * time.Millisecond

// Recorder receives error-handling metrics; *metrics.Task implements it.
type Recorder interface {
	Error(stage string)
	Skipped()
	DeadLettered()
}

// Failure describes a record that failed a stage.
type Failure struct {
	Stage Stage
	// Class names what was executing (a converter, transformation or task
	// type); it becomes __connect.errors.class.name.
	Class string
	Err   error
	// Consumed is the original Kafka record of a sink; only failures that
	// carry it can go to the dead letter queue.
	Consumed *sarama.ConsumerMessage
	// Source is the source record being processed, for the log.
	Source *connector.SourceRecord
}

// Options are an Operator's collaborators; all may be zero.
type Options struct {
	Connector string
	Task      int
	Log       *slog.Logger
	Metrics   Recorder
	DLQ       *DeadLetterQueue
}

// Operator applies a task's error-handling configuration.
type Operator struct {
	cfg  Config
	opts Options
	id   string
}

// NewOperator returns an Operator for one task.
func NewOperator(cfg Config, o Options) *Operator {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Metrics == nil {
		o.Metrics = nopRecorder{}
	}
	return &Operator{cfg: cfg, opts: o, id: o.Connector + "-" + strconv.Itoa(o.Task)}
}

// Config returns the configuration the Operator applies.
func (o *Operator) Config() Config { return o.cfg }

// Reporting reports whether errant records reported by a sink task go
// anywhere: Connect gives a task an errant record reporter only when a DLQ
// topic is set or errors are logged.
func (o *Operator) Reporting() bool { return o.opts.DLQ != nil || o.cfg.LogEnable }

// Retry re-runs op while its error is retriable, with Connect's exponential
// backoff, until errors.retry.timeout has passed since the first failure
// (err). It returns nil once op succeeds, else the last error.
func (o *Operator) Retry(ctx context.Context, err error, op func() error) error {
	if op == nil || o.cfg.RetryTimeout == 0 {
		return err
	}
	start := time.Now()
	deadline := start.Add(o.cfg.RetryTimeout)
	for attempt := 1; err != nil && connector.IsRetriable(err); attempt++ {
		if o.cfg.RetryTimeout > 0 && !time.Now().Before(deadline) {
			return err
		}
		if o.backoff(ctx, attempt, deadline) != nil {
			return err
		}
		err = op()
	}
	return err
}

func (o *Operator) backoff(ctx context.Context, attempt int, deadline time.Time) error {
	d := retryDelayMin << min(attempt-1, 30)
	if d > o.cfg.RetryDelayMax || d <= 0 {
		d = time.Duration(rand.Int64N(int64(max(o.cfg.RetryDelayMax, time.Millisecond))))
	}
	if o.cfg.RetryTimeout > 0 {
		d = max(0, min(d, time.Until(deadline)))
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Handle decides about a record whose stage failed with f.Err. op re-runs
// the stage for retriable errors (nil: no retry). It returns true when a
// retry succeeded and the record goes on, false with a nil error when the
// record is skipped (tolerated and reported), and an error that must fail
// the task otherwise.
func (o *Operator) Handle(ctx context.Context, f Failure, op func() error) (bool, error) {
	if err := o.Retry(ctx, f.Err, op); err == nil {
		return true, nil
	} else {
		f.Err = err
	}
	o.opts.Metrics.Error(f.Stage.String())
	if !f.Stage.tolerable() && !connector.IsRetriable(f.Err) {
		return false, fmt.Errorf("%w: %w", ErrUnhandled, f.Err)
	}
	if o.cfg.Tolerance != All {
		return false, fmt.Errorf("%w: %w", ErrToleranceExceeded, f.Err)
	}
	o.report(ctx, &f)
	o.opts.Metrics.Skipped()
	return false, nil
}

// Report is for failures the task itself reports (a sink's errant records,
// Connect's executeFailed): the record is logged and dead-lettered as
// configured, then the task fails unless errors.tolerance=all.
func (o *Operator) Report(ctx context.Context, f Failure) error {
	o.opts.Metrics.Error(f.Stage.String())
	o.report(ctx, &f)
	if o.cfg.Tolerance != All {
		return fmt.Errorf("%w: %w", ErrToleranceExceeded, f.Err)
	}
	o.opts.Metrics.Skipped()
	return nil
}

func (o *Operator) report(ctx context.Context, f *Failure) {
	if o.cfg.LogEnable {
		o.opts.Log.Error("Error encountered in task "+o.id+". "+f.describe(o.cfg.LogIncludeMessages),
			"error", f.Err)
	}
	if o.opts.DLQ == nil || f.Consumed == nil {
		return
	}
	if err := o.opts.DLQ.send(ctx, f); err != nil {
		o.opts.Log.Error("Could not produce message to dead letter queue. topic="+o.opts.DLQ.topic, "error", err)
		return
	}
	o.opts.Metrics.DeadLettered()
}

// describe is Connect's ProcessingContext.toString(includeMessage).
func (f *Failure) describe(includeMessage bool) string {
	var b strings.Builder
	b.WriteString("Executing stage '")
	b.WriteString(f.Stage.String())
	b.WriteString("' with class '")
	b.WriteString(f.Class)
	b.WriteByte('\'')
	switch {
	case includeMessage && f.Source != nil:
		r := f.Source
		fmt.Fprintf(&b, ", where source record is = SourceRecord{sourcePartition=%s, sourceOffset=%v} "+
			"ConnectRecord{topic='%s', kafkaPartition=%s, key=%v, keySchema=%v, value=%v, valueSchema=%v, "+
			"timestamp=%s, headers=%v}", partitionJSON(r.SourcePartition), r.SourceOffset, r.Topic,
			partitionNumber(r.Partition), r.Key, r.KeySchema, r.Value, r.ValueSchema, millis(r.Timestamp), r.Headers)
	case includeMessage && f.Consumed != nil:
		m := f.Consumed
		fmt.Fprintf(&b, ", where consumed record is {topic='%s', partition=%d, offset=%d", m.Topic, m.Partition, m.Offset)
		if !m.Timestamp.IsZero() {
			fmt.Fprintf(&b, ", timestamp=%d, timestampType=CreateTime", m.Timestamp.UnixMilli())
		}
		b.WriteByte('}')
	}
	b.WriteByte('.')
	return b.String()
}

func partitionJSON(p *connector.SourcePartition) string {
	if p == nil {
		return "null"
	}
	return p.JSON()
}

func partitionNumber(p int32) string {
	if p == connector.NoPartition {
		return "null"
	}
	return strconv.Itoa(int(p))
}

func millis(t time.Time) string {
	if t.IsZero() {
		return "null"
	}
	return strconv.FormatInt(t.UnixMilli(), 10)
}

type nopRecorder struct{}

func (nopRecorder) Error(string)  {}
func (nopRecorder) Skipped()      {}
func (nopRecorder) DeadLettered() {}
