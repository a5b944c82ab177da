package s3

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/data"
)

// schemaSlot is the current value schema of an encoded partition; a slot
// holding nil (schemaless or tombstones) differs from no slot (no record yet).
type schemaSlot struct {
	schema *data.Schema
}

// tpWriter is Confluent's TopicPartitionWriter without its record queue:
// records are handled as they come, and the decision order of §3.2 decides
// file boundaries, so a replay rebuilds the same files.
type tpWriter struct {
	tp  connector.TopicPartition
	env *writerEnv

	files       []*openFile
	byEncoded   map[string]*openFile
	schemas     map[string]schemaSlot
	recordCount int
	baseTs      int64
	hasBase     bool
	curTs       int64
	curEncoded  string
	nextRotate  int64 // scheduled rotation, epoch ms
	rotating    bool  // a rotation failed half-way and must finish first
	commitAfter int64 // offset to commit once the rotation in progress ends
	toCommit    int64 // offset for PreCommit, -1 when none
	lastCommit  int64 // last offset PreCommit returned, -1 when none
	nextOffset  int64 // records below were handled already (redelivery), -1: none
}

// writerEnv is what every tpWriter of a task shares.
type writerEnv struct {
	s             *settings
	part          partitioner
	format        format
	keysFormat    format      // store.kafka.keys
	headersFormat format      // store.kafka.headers
	mem           *taskMemory // nil without s3.memory.limit.bytes
	keys          keyer
	log           *slog.Logger
	tc            connector.SinkTaskContext
	upload        func(key string) *objectStream
	now           func() time.Time
}

func newTPWriter(tp connector.TopicPartition, env *writerEnv) *tpWriter {
	w := &tpWriter{tp: tp, env: env, byEncoded: map[string]*openFile{}, schemas: map[string]schemaSlot{},
		toCommit: -1, lastCommit: -1, nextOffset: -1}
	w.setNextRotation()
	return w
}

func (w *tpWriter) setNextRotation() {
	if s := w.env.s; s.rotateSchedule > 0 {
		w.nextRotate = nextScheduledRotation(w.env.now().UnixMilli(), s.rotateSchedule, s.zone)
	}
}

// bind makes uploads of open files use ctx (the current task call).
func (w *tpWriter) bind(ctx context.Context) {
	for _, f := range w.files {
		for _, p := range f.parts {
			p.stream.ctx = ctx
		}
	}
}

// write handles one record (§3.2). A returned error leaves the record
// unhandled, so the redelivered batch resumes exactly here.
func (w *tpWriter) write(ctx context.Context, rec *connector.SinkRecord, now int64) error {
	if w.nextOffset >= 0 && rec.Offset < w.nextOffset {
		return nil // already handled before a retriable failure
	}
	if err := w.retryPending(ctx); err != nil {
		return err
	}
	ts, encoded, err := w.locate(rec, now)
	if err != nil {
		return w.errant(ctx, rec, err)
	}
	created, err := w.rotateBefore(ctx, rec, encoded, ts, now)
	if err != nil {
		return err
	}
	projected, err := project(w.env.s.compat, rec, w.schemas[encoded].schema)
	if err == nil {
		w.curEncoded = encoded
		err = w.writeRecord(ctx, projected, encoded)
	}
	if err != nil {
		if !errors.Is(err, errData) {
			return err
		}
		if created {
			delete(w.schemas, encoded) // an errant record sets no schema
		}
		return w.errant(ctx, rec, err)
	}
	w.nextOffset = rec.Offset + 1
	if w.recordCount >= w.env.s.flushSize {
		return w.commitFiles(ctx)
	}
	return nil
}

// locate is step 1: the record's timestamp (time-based partitioners) and
// encoded partition.
func (w *tpWriter) locate(rec *connector.SinkRecord, now int64) (int64, string, error) {
	var ts int64
	if w.env.part.timeBased() {
		var err error
		if ts, err = w.env.part.extract(rec, now); err != nil {
			return 0, "", err
		}
		w.curTs = ts
		if !w.hasBase {
			w.baseTs, w.hasBase = ts, true
		}
	}
	encoded, err := w.encode(rec, ts)
	return ts, encoded, err
}

// rotateBefore is steps 2-4: rotations that put the record into the next
// file. It reports whether the record set its encoded partition's schema.
func (w *tpWriter) rotateBefore(ctx context.Context, rec *connector.SinkRecord, encoded string, ts, now int64) (bool, error) {
	for {
		cur, ok := w.schemas[encoded]
		if !ok {
			cur = schemaSlot{schema: rec.ValueSchema}
			w.schemas[encoded] = cur
		}
		rotate := false
		switch {
		case (cur.schema == nil) != (rec.ValueSchema == nil) && w.recordCount > 0:
			rotate = true // tombstone/schemaless <-> schema'd
		case w.rotateOnTime(encoded, ts, now):
			w.setNextRotation()
			rotate = true
		case w.recordCount > 0 && shouldChangeSchema(w.env.s.compat, cur.schema, rec.ValueSchema):
			rotate = true
		}
		if !rotate {
			return !ok, nil
		}
		if err := w.commitFiles(ctx); err != nil {
			return false, err
		}
		if w.env.part.timeBased() {
			w.baseTs, w.hasBase = ts, true
		}
	}
}

func (w *tpWriter) encode(rec *connector.SinkRecord, ts int64) (string, error) {
	if rec.Value == nil && w.env.s.nullBehavior == "write" {
		return w.env.s.tombstoneDir, nil
	}
	return w.env.part.encode(rec, ts)
}

// errant reports a record the task cannot write (DLQ or task failure) and
// moves past it.
func (w *tpWriter) errant(ctx context.Context, rec *connector.SinkRecord, err error) error {
	if rerr := w.env.tc.ReportErrant(ctx, rec, err); rerr != nil {
		return fmt.Errorf("s3: %s-%d offset %d: %w", rec.Topic, rec.Partition, rec.Offset, rerr)
	}
	w.nextOffset = rec.Offset + 1
	return nil
}

// rotateOnTime is step 3: periodic (record time, time-based partitioners
// only, also on a change of encoded partition) or scheduled (wall clock).
func (w *tpWriter) rotateOnTime(encoded string, ts, now int64) bool {
	if w.recordCount <= 0 {
		return false
	}
	s := w.env.s
	periodic := s.rotateInterval > 0 && w.env.part.timeBased() &&
		(ts-w.baseTs >= s.rotateInterval || encoded != w.curEncoded)
	scheduled := s.rotateSchedule > 0 && now >= w.nextRotate
	return periodic || scheduled
}

func (w *tpWriter) writeRecord(ctx context.Context, rec *connector.SinkRecord, encoded string) error {
	f := w.byEncoded[encoded]
	if f == nil {
		var err error
		if f, err = w.openFile(ctx, rec, encoded); err != nil {
			return err
		}
		w.files = append(w.files, f)
		w.byEncoded[encoded] = f
	}
	if err := f.writeParts(rec); err != nil {
		if len(w.files) > 0 && f.start == rec.Offset && w.files[len(w.files)-1] == f {
			// Nothing of this file was written: forget it.
			f.release(ctx)
			w.files = w.files[:len(w.files)-1]
			delete(w.byEncoded, encoded)
		}
		return err
	}
	f.last = rec.Offset
	f.records++
	w.recordCount++
	w.env.mem.account(f)
	for _, p := range f.parts {
		if err := p.stream.failed(); err != nil {
			// The record is in the file (buffered); the part upload is retried
			// on the next call. Mark it handled so redelivery does not repeat it.
			w.nextOffset = rec.Offset + 1
			return taskError(err, w.env.s.taskBackoff)
		}
	}
	return nil
}

// commitFiles completes every open file in order, then moves the offset to
// commit past the last written record. A failure leaves the rest for the
// next call (w.rotating); finished and completed parts stay so.
func (w *tpWriter) commitFiles(ctx context.Context) error {
	if !w.rotating {
		var last int64 = -1
		for _, f := range w.files {
			last = max(last, f.last)
		}
		w.commitAfter = last + 1
		w.rotating = true
	}
	for len(w.files) > 0 {
		f := w.files[0]
		if err := w.completeFile(ctx, f); err != nil {
			return err
		}
		w.env.log.Debug("s3: committed file", "key", f.parts[0].key, "start", f.start, "end", f.last)
		w.env.mem.forget(f)
		delete(w.byEncoded, f.encoded)
		w.files = w.files[1:]
	}
	w.rotating = false
	if w.commitAfter > 0 {
		w.toCommit = w.commitAfter
	}
	w.schemas = map[string]schemaSlot{}
	w.recordCount = 0
	w.hasBase = false
	w.curEncoded = ""
	return nil
}

// completeFile finishes and uploads the parts of f in order (value, keys,
// headers).
func (w *tpWriter) completeFile(ctx context.Context, f *openFile) error {
	for _, p := range f.parts {
		if p.done {
			continue
		}
		p.stream.ctx = ctx
		p.stream.records = f.records
		if !p.finished {
			if err := p.w.finish(); err != nil {
				return fmt.Errorf("s3: finish %s: %w", p.key, err)
			}
			p.finished = true
		}
		if err := p.stream.complete(); err != nil {
			return taskError(err, w.env.s.taskBackoff)
		}
		if p.stream.overwrote {
			w.env.log.Warn("s3: the key existed with other content (file boundaries moved since an earlier run); overwritten, records of that run's later files may be duplicated",
				"key", p.key)
		}
		p.done = true
	}
	return nil
}

// retryPending finishes what a failure interrupted: part uploads that failed
// and a half-done rotation.
func (w *tpWriter) retryPending(ctx context.Context) error {
	for _, f := range w.files {
		for _, p := range f.parts {
			if p.stream.failed() != nil {
				p.stream.ctx = ctx
				if err := p.stream.flush(); err != nil {
					return taskError(err, w.env.s.taskBackoff)
				}
			}
		}
	}
	// A failure right after the record that filled flush.size skipped the
	// size rotation; do it now so boundaries stay deterministic.
	if w.rotating || (len(w.files) > 0 && w.recordCount >= w.env.s.flushSize) {
		return w.commitFiles(ctx)
	}
	return nil
}

// idle runs after every batch (Confluent's commitOnTimeIfNoData): files are
// rotated on schedule even without new records, and a schedule that expired
// with nothing open is moved on.
func (w *tpWriter) idle(ctx context.Context, now int64) error {
	if err := w.retryPending(ctx); err != nil {
		return err
	}
	if w.recordCount > 0 && w.rotateOnTime(w.curEncoded, w.curTs, now) {
		w.setNextRotation()
		return w.commitFiles(ctx)
	}
	if w.recordCount == 0 && w.env.s.rotateSchedule > 0 && now >= w.nextRotate {
		w.setNextRotation()
	}
	return nil
}

// skip marks a record handled without writing it (an ignored tombstone).
func (w *tpWriter) skip(rec *connector.SinkRecord) {
	if rec.Offset >= w.nextOffset {
		w.nextOffset = rec.Offset + 1
	}
}

// takeCommit returns the offset to commit since the last call, if any: the
// end of the last rotation, or everything handled when no file is open.
func (w *tpWriter) takeCommit() (int64, bool) {
	off := w.toCommit
	w.toCommit = -1
	if len(w.files) == 0 && !w.rotating && w.nextOffset > off {
		off = w.nextOffset
	}
	if off < 0 || off <= w.lastCommit {
		return 0, false
	}
	w.lastCommit = off
	return off, true
}

// close aborts every open upload: uncommitted records are re-read by the
// partition's next owner.
func (w *tpWriter) close(ctx context.Context) {
	for _, f := range w.files {
		f.release(ctx)
		w.env.mem.forget(f)
	}
	w.files = nil
	w.byEncoded = map[string]*openFile{}
}
