package s3

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/connectortest"
	"github.com/wharf-project/wharf/connector/testserver"
)

// Many open partitions under a small s3.memory.limit.bytes: the buffered
// bytes stay within the limit (part buffers cannot reach the 5 MiB minimum
// part, so the largest partitions rotate early), and every partition's
// objects hold exactly the records below its committed offset.
func TestMemoryLimitManyPartitions(t *testing.T) {
	e := newEnv(t)
	const limit = 1 << 20
	const parts, rounds = 40, 30
	props := e.props(map[string]string{KeyFlushSize: "1000", KeyMemoryLimit: fmt.Sprint(limit)})
	var tps []connector.TopicPartition
	for p := int32(0); p < parts; p++ {
		tps = append(tps, connector.TopicPartition{Topic: "orders", Partition: p})
	}
	task, _ := e.startTask(props, tps...)
	sc := &countingSink{Sink: newSinkContext()}
	task.tc = sc
	pad := strings.Repeat("x", 8<<10)
	b := task.budget
	for off := int64(0); off < rounds; off++ {
		var batch []connector.SinkRecord
		for p := int32(0); p < parts; p++ {
			batch = append(batch, rec("orders", p, off, 0, bigSchema, bigValue(p*1000+int32(off), pad)))
		}
		put(t, task, batch...)
		if used := b.used.Load(); used > limit || task.env.mem.used != used {
			t.Fatalf("round %d: buffered %d (task %d), limit %d", off, used, task.env.mem.used, limit)
		}
	}
	// Unbounded, the open files would hold about parts*rounds*8 KiB.
	if peak := b.peak.Load(); peak > limit+256<<10 || b.early.Load() == 0 {
		t.Fatalf("peak %d, early rotations %d", peak, b.early.Load())
	}
	if sc.commits.Load() == 0 {
		t.Fatalf("no commit requested after early rotations")
	}
	committed := preCommit(t, task)
	byPart := map[int32][]int{}
	for _, id := range e.jsonIDs("") {
		byPart[int32(id/1000)] = append(byPart[int32(id/1000)], id%1000)
	}
	rotated := 0
	for _, tp := range tps {
		c, ok := committed[tp]
		ids := byPart[tp.Partition]
		sort.Ints(ids)
		if !ok {
			c = 0
		} else {
			rotated++
		}
		if fmt.Sprint(ids) != fmt.Sprint(seqOrNil(0, int(c)-1)) {
			t.Fatalf("partition %d committed %d, objects hold %v", tp.Partition, c, ids)
		}
	}
	if rotated == 0 {
		t.Fatal("no partition committed")
	}
	if err := task.Close(context.Background(), tps); err != nil {
		t.Fatal(err)
	}
	if b.used.Load() != 0 {
		t.Fatalf("buffered after close: %d", b.used.Load())
	}
}

func seqOrNil(from, to int) []int {
	if to < from {
		return nil
	}
	return seq(from, to)
}

// Two tasks of one connector share its budget. Parquet files bigger than
// the minimum part stay within it without early rotation: row groups are
// closed and part buffers uploaded as parts before they fill s3.part.size,
// so file boundaries (and exactly-once) are unchanged.
func TestMemoryLimitSharedByTasks(t *testing.T) {
	e := newEnv(t)
	const limit = 14 << 20
	props := e.props(map[string]string{KeyFormat: ParquetFormat, KeyParquetCodec: "none", KeyFlushSize: "80",
		KeyMemoryLimit: fmt.Sprint(limit), KeyPartSize: fmt.Sprint(25 << 20)})
	c := New()
	if err := c.Start(context.Background(), nil, props); err != nil {
		t.Fatal(err)
	}
	var tasks []*sinkTask
	for i := int32(0); i < 2; i++ {
		task := c.NewTask().(*sinkTask)
		if err := task.Start(context.Background(), newSinkContext(), props); err != nil {
			t.Fatal(err)
		}
		if err := task.Open(context.Background(), []connector.TopicPartition{{Topic: "orders", Partition: i}}); err != nil {
			t.Fatal(err)
		}
		tasks = append(tasks, task)
	}
	if tasks[0].budget != tasks[1].budget || tasks[0].budget.tasks.Load() != 2 {
		t.Fatal("tasks do not share the connector's budget")
	}
	b := tasks[0].budget
	rnd := make([]byte, 150<<10)
	seed := uint32(7)
	for off := int64(0); off < 80; off++ {
		for i, task := range tasks {
			for j := range rnd {
				seed = seed*1664525 + 1013904223
				rnd[j] = 'a' + byte(seed>>24)%26
			}
			put(t, task, rec("orders", int32(i), off, 0, bigSchema, bigValue(int32(i)*1000+int32(off), string(rnd))))
		}
		if used := b.used.Load(); used > limit {
			t.Fatalf("offset %d: buffered %d > %d", off, used, limit)
		}
		if off == 78 {
			// Parts went out early: s3.part.size (25 MiB) was never reached.
			for _, task := range tasks {
				for _, w := range task.writers {
					if st := w.files[0].parts[0].stream; len(st.parts) == 0 {
						t.Fatalf("no part uploaded early (buffer %d)", len(st.buf))
					}
				}
			}
		}
	}
	t.Logf("peak %d of %d", b.peak.Load(), limit)
	if b.early.Load() != 0 || b.peak.Load() > limit+2<<20 || b.peak.Load() < limit/2 {
		t.Fatalf("early rotations %d, peak %d", b.early.Load(), b.peak.Load())
	}
	keys := e.keys("")
	if len(keys) != 2 {
		t.Fatalf("keys = %q", keys)
	}
	dir, _ := e.download("")
	rows := testserver.DuckDB(t, `SELECT count(*)::INTEGER AS n, count(DISTINCT id)::INTEGER AS d, sum(id)::INTEGER AS s,
		(SELECT count(*)::INTEGER FROM parquet_metadata($1) WHERE column_id = 0) AS rg FROM read_parquet($1)`, dir+"/**/*.parquet")
	if rows[0]["n"] != float64(160) || rows[0]["d"] != float64(160) || rows[0]["s"] != float64(2*3160+80000) || rows[0]["rg"].(float64) < 4 {
		t.Fatalf("rows = %v", rows)
	}
	for _, task := range tasks {
		_ = task.Stop()
	}
	if b.tasks.Load() != 0 || b.used.Load() != 0 {
		t.Fatalf("after stop: tasks %d, buffered %d", b.tasks.Load(), b.used.Load())
	}
}

// countingSink counts RequestCommit calls.
type countingSink struct {
	*connectortest.Sink
	commits atomic.Int64
}

func (s *countingSink) RequestCommit() { s.commits.Add(1) }

// poolContext is a connector.Context offering a worker-wide memory pool,
// as the runtime does with wharf.buffer.memory.limit.bytes.
type poolContext struct{ pool *connector.MemoryPool }

func (poolContext) RequestTaskReconfiguration()         {}
func (poolContext) RaiseError(error)                    {}
func (poolContext) Logger() *slog.Logger                { return slog.New(slog.DiscardHandler) }
func (c poolContext) MemoryPool() *connector.MemoryPool { return c.pool }

// Two connectors without limits of their own share the worker's pool: once
// each has had a Put after a round, what they buffer together is within it.
func TestWorkerMemoryPoolAcrossConnectors(t *testing.T) {
	e := newEnv(t)
	const limit = 1 << 20
	const parts, rounds = 20, 30
	pool := connector.NewMemoryPool(limit)
	var tasks []*sinkTask
	var tps [2][]connector.TopicPartition
	for i, topic := range []string{"orders", "payments"} {
		props := e.props(map[string]string{KeyFlushSize: "1000", KeyTopicsDir: "c" + fmt.Sprint(i)})
		c := New()
		if err := c.Start(context.Background(), poolContext{pool}, props); err != nil {
			t.Fatal(err)
		}
		task := c.NewTask().(*sinkTask)
		if err := task.Start(context.Background(), newSinkContext(), props); err != nil {
			t.Fatal(err)
		}
		for p := int32(0); p < parts; p++ {
			tps[i] = append(tps[i], connector.TopicPartition{Topic: topic, Partition: p})
		}
		if err := task.Open(context.Background(), tps[i]); err != nil {
			t.Fatal(err)
		}
		tasks = append(tasks, task)
	}
	pad := strings.Repeat("x", 8<<10)
	for off := int64(0); off < rounds; off++ {
		for i, task := range tasks {
			var batch []connector.SinkRecord
			for _, tp := range tps[i] {
				batch = append(batch, rec(tp.Topic, tp.Partition, off, 0, bigSchema, bigValue(tp.Partition*1000+int32(off), pad)))
			}
			put(t, task, batch...)
		}
		// The runtime calls Put at least every second, with an empty batch
		// when idle: that is when a task that is over its share sheds.
		for _, task := range tasks {
			put(t, task)
		}
		if used := pool.Used(); used > limit {
			t.Fatalf("round %d: the connectors buffer %d bytes together, worker limit %d", off, used, limit)
		}
	}
	// Unbounded they would hold about 2*parts*rounds*8 KiB = 9.4 MiB.
	for i, task := range tasks {
		if task.budget.early.Load() == 0 && task.budget.peak.Load() > limit {
			t.Fatalf("connector %d never shed its buffers (peak %d)", i, task.budget.peak.Load())
		}
		if err := task.Close(context.Background(), tps[i]); err != nil {
			t.Fatal(err)
		}
	}
	if pool.Used() != 0 {
		t.Fatalf("pool holds %d bytes after close", pool.Used())
	}
}
