package s3

import (
	"context"
	"sync/atomic"

	"github.com/wharf-project/wharf/connector"
)

// memBudget is s3.memory.limit.bytes: the bytes buffered by the open files
// of every task of one connector instance in this worker. The connector
// creates it at Start and hands it to the tasks it creates (NewTask), so
// it is shared without package-level state.
type memBudget struct {
	limit int64                 // 0: only the worker-wide pool applies
	pool  *connector.MemoryPool // wharf.buffer.memory.limit.bytes, shared by every connector; may be nil
	used  atomic.Int64
	peak  atomic.Int64 // high-water mark, for logs and tests
	tasks atomic.Int64 // tasks sharing the budget
	early atomic.Int64 // early rotations so far
}

func newMemBudget(limit int64, pool *connector.MemoryPool) *memBudget {
	if limit <= 0 && pool == nil {
		return nil
	}
	return &memBudget{limit: max(limit, 0), pool: pool}
}

func (b *memBudget) add(d int64) {
	b.pool.Add(d)
	n := b.used.Add(d)
	for {
		p := b.peak.Load()
		if n <= p || b.peak.CompareAndSwap(p, n) {
			return
		}
	}
}

func (b *memBudget) over() bool {
	return (b.limit > 0 && b.used.Load() > b.limit) || b.pool.Over()
}

// share is a task's fair part of the budget: a task over the budget sheds
// its own files down to it; tasks below it leave the excess to the others,
// which shed on their next Put (the runtime calls Put at least every
// second, with empty batches when idle).
func (b *memBudget) share() int64 {
	own := b.limit / max(1, b.tasks.Load())
	switch pool := b.pool.Share(); {
	case b.limit == 0:
		return pool
	case b.pool != nil && pool < own:
		return pool
	}
	return own
}

// taskMemory is one task's account in the budget.
type taskMemory struct {
	b    *memBudget
	used int64
}

// account updates the budget with f's current size. A nil taskMemory (no
// limit) costs nothing on the record path.
func (m *taskMemory) account(f *openFile) {
	if m == nil {
		return
	}
	n := f.size()
	d := n - f.acct
	f.acct = n
	m.used += d
	m.b.add(d)
}

// forget removes a completed or aborted file from the budget.
func (m *taskMemory) forget(f *openFile) {
	if m == nil {
		return
	}
	m.used -= f.acct
	m.b.add(-f.acct)
	f.acct = 0
}

// enforce brings the budget back under its limit, largest file first:
//  1. without changing file boundaries, the file's format moves pending
//     rows into its stream (Parquet row group closed) and a part buffer of
//     at least 5 MiB is uploaded as a part before it is full;
//  2. when that frees nothing, the partition owning the file rotates early
//     (all its files are committed). File boundaries then depend on memory
//     pressure, so a replay after a crash in the window between this commit
//     and the next offset commit may cut files elsewhere: those records are
//     delivered at least once. A commit is requested right away to keep
//     the window short.
func (t *sinkTask) enforce(ctx context.Context) error {
	m := t.env.mem
	if m == nil {
		return nil
	}
	for m.b.over() && m.used > m.b.share() {
		w, f := t.largestFile()
		if f == nil {
			return nil
		}
		before := f.acct
		if f.acct > 0 && !w.rotating {
			if err := w.shrinkFile(ctx, f); err != nil {
				return err
			}
			m.account(f)
			if f.acct < before {
				continue
			}
		}
		m.b.early.Add(1)
		t.log.Warn("s3: memory limit reached, rotating a partition early (at-least-once for its uncommitted files)",
			"topic", w.tp.Topic, "partition", w.tp.Partition, "file.bytes", before,
			"task.bytes", m.used, "limit", m.b.limit)
		if err := w.commitFiles(ctx); err != nil {
			return err
		}
		t.tc.RequestCommit()
	}
	return nil
}

func (t *sinkTask) largestFile() (*tpWriter, *openFile) {
	var bw *tpWriter
	var bf *openFile
	for _, tp := range t.order {
		w := t.writers[tp]
		for _, f := range w.files {
			if bf == nil || f.acct > bf.acct {
				bw, bf = w, f
			}
		}
	}
	return bw, bf
}

// shrinkFile applies step 1 of enforce to f.
func (w *tpWriter) shrinkFile(ctx context.Context, f *openFile) error {
	for _, p := range f.parts {
		if p.finished {
			continue
		}
		p.stream.ctx = ctx
		if err := p.w.shrink(); err != nil {
			return err
		}
		if err := p.stream.uploadEarly(); err != nil {
			return taskError(err, w.env.s.taskBackoff)
		}
	}
	return nil
}
