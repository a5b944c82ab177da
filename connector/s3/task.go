package s3

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/config"
)

// unsupportedKeys are Confluent keys whose effect Wharf does not provide;
// they are accepted (Connect ignores unknown keys) but a set value is
// logged, since a user relying on them (encryption, ACLs) must know.
var unsupportedKeys = []string{"s3.ssea.name", "s3.sse.kms.key.id", "s3.sse.customer.key", "s3.acl.canned",
	"s3.proxy.url", "s3.object.tagging", "s3.credentials.provider.class", "s3.wan.mode",
	"partitioner.max.open.files", "s3.schema.partition.affix.type", "s3.send.digest"}

// sinkTask is S3SinkTask: one tpWriter per assigned partition.
type sinkTask struct {
	def       *config.Def
	s         *settings
	cl        *s3.Client
	env       *writerEnv
	log       *slog.Logger
	tc        connector.SinkTaskContext
	budget    *memBudget // shared with the connector's other tasks
	leavePool func()     // leaves the worker-wide pool's membership
	cond      *condProbe
	writers   map[connector.TopicPartition]*tpWriter
	order     []connector.TopicPartition
	// now is the clock (tests replace it to drive scheduled rotation).
	now func() time.Time
}

func newTask(def *config.Def) *sinkTask {
	return &sinkTask{def: def, writers: map[connector.TopicPartition]*tpWriter{}, now: time.Now}
}

// Start parses the configuration, builds the client and checks the bucket
// exists (Confluent fails the task with "Non-existent S3 bucket").
func (t *sinkTask) Start(ctx context.Context, tc connector.SinkTaskContext, props map[string]string) error {
	s, err := parseSettings(t.def, props)
	if err != nil {
		return err
	}
	part, err := newPartitioner(s.part)
	if err != nil {
		return err
	}
	cl, err := newClient(ctx, s)
	if err != nil {
		return err
	}
	if _, err := cl.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &s.bucket}); err != nil {
		return fmt.Errorf("s3: Non-existent S3 bucket: %s: %w", s.bucket, err)
	}
	t.s, t.cl, t.log, t.tc = s, cl, tc.Logger(), tc
	for _, k := range unsupportedKeys {
		if v, ok := props[k]; ok && v != "" {
			t.log.Warn("s3: configuration key is not supported by Wharf and is ignored", "key", k)
		}
	}
	if s.rotateInterval > 0 && !part.timeBased() {
		t.log.Warn("s3: rotate.interval.ms is ignored: the partitioner is not time-based",
			"rotate.interval.ms", s.rotateInterval)
	}
	conditional := t.conditionalWrites(ctx, s, cl)
	var mem *taskMemory
	if t.budget == nil {
		t.budget = newMemBudget(s.memoryLimit, nil)
	}
	if t.budget != nil {
		t.budget.tasks.Add(1)
		t.leavePool = t.budget.pool.Join()
		mem = &taskMemory{b: t.budget}
	}
	t.env = &writerEnv{s: s, part: part, format: newFormat(s), log: t.log, tc: tc, mem: mem,
		keysFormat: newFormatOf(s.keysFormat, s), headersFormat: newFormatOf(s.headersFormat, s),
		keys: keyer{topicsDir: s.topicsDir, dirDelim: s.dirDelim, fileDelim: s.fileDelim,
			padWidth: s.padWidth, ext: extension(s)},
		upload: func(key string) *objectStream {
			o := newObjectStream(cl, s.bucket, key, s.partSize)
			o.ifNoneMatch = conditional
			return o
		},
		now: func() time.Time { return t.now() },
	}
	return nil
}

// conditionalWrites decides whether files complete with If-None-Match: *:
// enable.conditional.writes is set, file boundaries may differ on replay
// (rotate.schedule.interval.ms, or early rotation under
// s3.memory.limit.bytes; deterministic boundaries rewrite identical
// objects anyway) and the store honours the header (probed once per
// connector instance).
func (t *sinkTask) conditionalWrites(ctx context.Context, s *settings, cl *s3.Client) bool {
	if !s.conditional || (s.rotateSchedule <= 0 && s.memoryLimit <= 0) {
		return false
	}
	if t.cond == nil {
		t.cond = &condProbe{}
	}
	ok, err := t.cond.supported(ctx, cl, s.bucket)
	if err != nil {
		t.log.Warn("s3: cannot probe conditional writes; writing unconditionally", "error", err)
	} else if !ok {
		t.log.Warn("s3: the store ignores If-None-Match; enable.conditional.writes has no effect")
	}
	return ok
}

// Open creates a writer per partition and aborts multipart uploads a
// crashed earlier owner left behind for it.
func (t *sinkTask) Open(ctx context.Context, partitions []connector.TopicPartition) error {
	var fresh []staleMatcher
	for _, tp := range partitions {
		if _, ok := t.writers[tp]; ok {
			continue
		}
		k := t.env.keys
		fresh = append(fresh, staleMatcher{prefix: k.topicPrefix(tp.Topic),
			filePrefix: k.filePrefix(tp.Topic, tp.Partition), dirDelim: t.s.dirDelim})
		t.writers[tp] = newTPWriter(tp, t.env)
		t.order = append(t.order, tp)
	}
	if len(fresh) == 0 {
		return nil
	}
	n, err := abortStale(ctx, t.cl, t.s.bucket, fresh)
	if err != nil {
		// Only a cost: stale parts are invisible and never completed.
		t.log.Warn("s3: cannot clean up stale multipart uploads", "error", err)
	} else if n > 0 {
		t.log.Info("s3: aborted stale multipart uploads", "count", n)
	}
	return nil
}

// Put handles tombstones per behavior.on.null.values, then hands every
// record to its partition's writer, then lets idle writers rotate on
// schedule. An empty batch only does the latter.
func (t *sinkTask) Put(ctx context.Context, records []connector.SinkRecord) error {
	now := t.now().UnixMilli()
	for _, w := range t.writers {
		w.bind(ctx)
	}
	if err := t.enforce(ctx); err != nil {
		return err
	}
	for i := range records {
		rec := &records[i]
		if rec.Value == nil && t.s.nullBehavior == "fail" {
			return fmt.Errorf("s3: Null valued records are not writeable with current %s 'settings'.", KeyNullValues)
		}
		tp := connector.TopicPartition{Topic: rec.Topic, Partition: rec.Partition}
		w := t.writers[tp]
		if w == nil {
			// The runtime delivered a partition it did not Open: adopt it.
			if err := t.Open(ctx, []connector.TopicPartition{tp}); err != nil {
				return err
			}
			w = t.writers[tp]
		}
		if rec.Value == nil && t.s.nullBehavior == "ignore" {
			w.skip(rec)
			continue
		}
		if err := w.write(ctx, rec, now); err != nil {
			return err
		}
		if t.env.mem != nil {
			if err := t.enforce(ctx); err != nil {
				return err
			}
		}
	}
	for _, tp := range t.order {
		if err := t.writers[tp].idle(ctx, now); err != nil {
			return err
		}
	}
	return nil
}

// PreCommit returns, per partition, the offset after the last record of
// the files completed since the previous call, or after the last record
// handled when no file is open (trailing ignored tombstones or errant
// records then do not hold back the consumer group); partitions with open
// files and no completed ones are left out, so nothing inside an open file
// is ever committed.
func (t *sinkTask) PreCommit(ctx context.Context, _ map[connector.TopicPartition]int64) (map[connector.TopicPartition]int64, error) {
	out := map[connector.TopicPartition]int64{}
	for tp, w := range t.writers {
		if w.rotating {
			w.bind(ctx)
			if err := w.commitFiles(ctx); err != nil {
				t.log.Warn("s3: rotation still pending", "topic", tp.Topic, "partition", tp.Partition, "error", err)
			}
		}
		if off, ok := w.takeCommit(); ok {
			out[tp] = off
		}
	}
	return out, nil
}

// Close aborts the open files of revoked partitions.
func (t *sinkTask) Close(ctx context.Context, partitions []connector.TopicPartition) error {
	for _, tp := range partitions {
		if w, ok := t.writers[tp]; ok {
			w.close(ctx)
			delete(t.writers, tp)
		}
	}
	kept := t.order[:0]
	for _, tp := range t.order {
		if _, ok := t.writers[tp]; ok {
			kept = append(kept, tp)
		}
	}
	t.order = kept
	return nil
}

// Stop aborts whatever is still open.
func (t *sinkTask) Stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, w := range t.writers {
		w.close(ctx)
	}
	t.writers = map[connector.TopicPartition]*tpWriter{}
	t.order = nil
	if t.env != nil && t.env.mem != nil {
		t.budget.tasks.Add(-1)
		t.leavePool()
		t.env.mem = nil
	}
	return nil
}
