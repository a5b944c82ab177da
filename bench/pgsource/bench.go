package pgsource

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/wharf-project/wharf/bench/harness"
)

// Targets of issue 3.
const (
	StreamTarget   = 0.9
	SnapshotTarget = 0.6
	RSSTarget      = 256 << 20
)

// childTimeout bounds one child measurement.
const childTimeout = 10 * time.Minute

// Env is what the benchmarks run against.
type Env struct {
	Host    string
	Port    int
	DB      string
	Brokers []string
	Kafka   *harness.Kafka // with the Schema Registry for the Avro rows
	Rows    int            // rows per operation
	// SnapshotRows is the size of the table the snapshot reads (at least
	// Rows): rows Rows+1.. are added for it and removed after it.
	SnapshotRows int
	Rounds       int  // rounds of ceiling-then-Wharf; the round with the median ratio is reported
	KeepIns      bool // keep the insert topic (the S3 benchmark reads it)
	// RowBytes is set after the inserts: the average row size in text form.
	RowBytes float64
	Log      *slog.Logger
}

// InsertTopic is the topic Wharf's source wrote the insert events to.
const InsertTopic = "ins.public.customers"

func (e *Env) params() Params {
	return Params{Host: e.Host, Port: e.Port, DB: e.DB, Rows: int64(e.Rows), Brokers: e.Brokers}
}

func (e *Env) dsn() string { return e.params().dsn() }

// Bench runs the streaming benchmark for each of Ops (the snapshot one after
// the inserts) and returns the table rows.
func Bench(ctx context.Context, e *Env, only map[string]bool) ([]harness.Row, error) {
	if err := Setup(ctx, e.dsn()); err != nil {
		return nil, err
	}
	var rows []harness.Row
	for _, op := range Ops {
		measure := only[op] || len(only) == 0
		if !measure && op != "insert" {
			continue // the inserts are the data of every later step
		}
		if !measure && !e.KeepIns {
			if _, err := Run(ctx, e.dsn(), op, e.Rows); err != nil {
				return nil, err
			}
		} else {
			r, err := e.stream(ctx, op, measure)
			if err != nil {
				return nil, err
			}
			rows = append(rows, r...)
		}
		if op == "insert" && (only["snapshot"] || len(only) == 0) {
			r, err := e.snapshot(ctx)
			if err != nil {
				return nil, err
			}
			rows = append(rows, r...)
		}
	}
	return rows, nil
}

// Fill writes the insert workload into InsertTopic with Wharf's source only
// (no measurement), for the S3 benchmark.
func Fill(ctx context.Context, e *Env) error {
	if err := Setup(ctx, e.dsn()); err != nil {
		return err
	}
	_, err := e.stream(ctx, "insert", false)
	return err
}

// stream measures op: both slots are created before the workload, so the
// ceiling reader and Wharf decode the same WAL. With measure false only
// Wharf runs (to fill the insert topic).
func (e *Env) stream(ctx context.Context, op string, measure bool) ([]harness.Row, error) {
	prefix := map[string]string{"insert": "ins", "update": "upd", "delete": "del", "insert10": "i10"}[op]
	var slots []string
	for r := 0; r < e.Rounds; r++ {
		slots = append(slots, fmt.Sprintf("ceil_%s_%d", prefix, r), fmt.Sprintf("wharf_%s_%d", prefix, r),
			fmt.Sprintf("recv_%s_%d", prefix, r), fmt.Sprintf("task_%s_%d", prefix, r), fmt.Sprintf("avro_%s_%d", prefix, r))
	}
	if !measure {
		slots = slots[1:2]
	}
	if err := CreateSlots(ctx, e.dsn(), slots...); err != nil {
		return nil, err
	}
	defer DropSlots(context.Background(), e.dsn(), slots...)
	t0 := time.Now()
	endLSN, err := Run(ctx, e.dsn(), op, e.Rows)
	if err != nil {
		return nil, err
	}
	e.Log.Info("workload written", "op", op, "rows", e.Rows, "seconds", time.Since(t0).Seconds())
	if op == "insert" {
		if e.RowBytes, err = RowBytes(ctx, e.dsn()); err != nil {
			return nil, err
		}
	}
	records := int64(e.Rows)
	if op == "delete" {
		records *= 2 // delete event + tombstone (tombstones.on.delete=true)
	}
	var ceil, recv, wharf, alone, avro []harness.Result
	for r := 0; r < e.Rounds; r++ {
		if measure {
			p := e.params()
			p.Slot = fmt.Sprintf("ceil_%s_%d", prefix, r)
			res, err := harness.Run(ctx, childTimeout, "pg-"+op+"-ceiling", "pg-ceiling", p)
			if err != nil {
				return nil, err
			}
			ceil = append(ceil, res)
			e.Log.Info("measured", "what", "ceiling", "op", op, "rows/s", int(res.RowsPerSec()))
			p.Slot, p.EndLSN = fmt.Sprintf("recv_%s_%d", prefix, r), endLSN
			if res, err = harness.Run(ctx, childTimeout, "pg-"+op+"-recvlogical", "pg-recvlogical", p); err != nil {
				return nil, err
			}
			recv = append(recv, res)
			e.Log.Info("measured", "what", "pg_recvlogical", "op", op, "rows/s", int(res.RowsPerSec()))
		}
		p := e.params()
		p.Slot, p.Records, p.Prefix, p.Mode = fmt.Sprintf("wharf_%s_%d", prefix, r), records, prefix, "stream"
		if r > 0 {
			p.Prefix = fmt.Sprintf("%s%d", prefix, r)
		}
		res, err := harness.Run(ctx, childTimeout, "pg-"+op+"-wharf", "pg-wharf", p)
		if err != nil {
			return nil, err
		}
		wharf = append(wharf, res)
		e.Log.Info("measured", "what", "wharf", "op", op, "rows/s", int(res.RowsPerSec()), "rss MB", res.MaxRSS>>20)
		if !(op == "insert" && e.KeepIns && r == 0) {
			_ = e.Kafka.DeleteTopics(topics(p.Prefix, op)...)
		}
		if !measure {
			return nil, nil
		}
		p.Slot = fmt.Sprintf("task_%s_%d", prefix, r)
		if res, err = harness.Run(ctx, childTimeout, "pg-"+op+"-task", "pg-task", p); err != nil {
			return nil, err
		}
		alone = append(alone, res)
		e.Log.Info("measured", "what", "connector alone", "op", op, "rows/s", int(res.RowsPerSec()))
		if op == "insert" {
			p.Slot, p.Prefix, p.Registry = fmt.Sprintf("avro_%s_%d", prefix, r), fmt.Sprintf("avro%s%d", prefix, r), e.Kafka.RegistryURL
			if res, err = harness.Run(ctx, childTimeout, "pg-"+op+"-wharf-avro", "pg-wharf", p); err != nil {
				return nil, err
			}
			avro = append(avro, res)
			e.Log.Info("measured", "what", "wharf avro", "op", op, "rows/s", int(res.RowsPerSec()))
			_ = e.Kafka.DeleteTopics(topics(p.Prefix, op)...)
		}
	}
	bench := "pg stream " + op
	if op == "insert10" {
		bench = fmt.Sprintf("pg stream insert, %d tables", MultiTables)
	}
	i := harness.MedianRound(len(wharf), func(i int) float64 {
		return wharf[i].RowsPerSec() / harness.Fastest(ceil[i], recv[i]).RowsPerSec()
	})
	c, rl, w := ceil[i], recv[i], harness.PeakRSS(wharf[i], wharf)
	rows := []harness.Row{
		{Bench: bench, What: "ceiling A: pglogrepl reader → /dev/null", Res: c},
		{Bench: bench, What: "ceiling B: pg_recvlogical → /dev/null", Res: rl},
		harness.Compare(bench, "connector alone: task → records", harness.PeakRSS(alone[i], alone), harness.Fastest(c, rl),
			StreamTarget, RSSTarget),
		harness.Compare(bench, "wharf: task+runner → JSON → kafka", w, harness.Fastest(c, rl), StreamTarget, RSSTarget),
	}
	if len(avro) > 0 {
		rows = append(rows, harness.Compare(bench, "wharf: task+runner → Avro → kafka", harness.PeakRSS(avro[i], avro),
			harness.Fastest(c, rl), StreamTarget, RSSTarget))
	}
	return rows, nil
}

// snapshot measures COPY … TO STDOUT against Wharf's snapshot with one and
// two threads, on the table the insert workload filled, grown to
// SnapshotRows rows for the snapshot.
func (e *Env) snapshot(ctx context.Context) ([]harness.Row, error) {
	n := max(e.SnapshotRows, e.Rows)
	if n > e.Rows {
		if err := Grow(ctx, e.dsn(), e.Rows, n); err != nil {
			return nil, err
		}
		defer func() {
			if err := Shrink(context.Background(), e.dsn(), e.Rows); err != nil {
				e.Log.Warn("restoring the table after the snapshot", "err", err)
			}
		}()
	}
	params := func() Params { p := e.params(); p.Rows = int64(n); return p }
	var copies []harness.Result
	wharf := map[int][]harness.Result{}
	alone := map[int][]harness.Result{}
	var avro []harness.Result
	var slots []string
	defer func() { _ = DropSlots(context.Background(), e.dsn(), slots...) }()
	for r := 0; r < e.Rounds; r++ {
		res, err := harness.Run(ctx, childTimeout, "pg-snapshot-copy", "pg-copy", params())
		if err != nil {
			return nil, err
		}
		copies = append(copies, res)
		e.Log.Info("measured", "what", "copy", "rows/s", int(res.RowsPerSec()))
		for _, threads := range []int{1, 2} {
			p := params()
			p.Slot, p.Prefix, p.Mode, p.Threads = fmt.Sprintf("snap_t%d_%d", threads, r), fmt.Sprintf("snap%d_%d", threads, r), "snapshot", threads
			slots = append(slots, p.Slot)
			res, err := harness.Run(ctx, childTimeout, fmt.Sprintf("pg-snapshot-wharf-t%d", threads), "pg-wharf", p)
			if err != nil {
				return nil, err
			}
			wharf[threads] = append(wharf[threads], res)
			e.Log.Info("measured", "what", "wharf snapshot", "threads", threads, "rows/s", int(res.RowsPerSec()), "rss MB", res.MaxRSS>>20)
			_ = e.Kafka.DeleteTopics(p.Prefix + ".public." + Table)
			p.Slot = fmt.Sprintf("snap_task_t%d_%d", threads, r)
			slots = append(slots, p.Slot)
			if res, err = harness.Run(ctx, childTimeout, fmt.Sprintf("pg-snapshot-task-t%d", threads), "pg-task", p); err != nil {
				return nil, err
			}
			alone[threads] = append(alone[threads], res)
			e.Log.Info("measured", "what", "connector alone snapshot", "threads", threads, "rows/s", int(res.RowsPerSec()))
			if threads == 2 {
				p.Slot, p.Prefix, p.Registry = fmt.Sprintf("snap_avro_%d", r), fmt.Sprintf("snapavro%d", r), e.Kafka.RegistryURL
				slots = append(slots, p.Slot)
				if res, err = harness.Run(ctx, childTimeout, "pg-snapshot-wharf-avro", "pg-wharf", p); err != nil {
					return nil, err
				}
				avro = append(avro, res)
				e.Log.Info("measured", "what", "wharf avro snapshot", "threads", threads, "rows/s", int(res.RowsPerSec()))
				_ = e.Kafka.DeleteTopics(p.Prefix + ".public." + Table)
			}
		}
	}
	// The median round by the one-thread ratio gives all three rows.
	i := harness.MedianRound(len(copies), func(i int) float64 { return wharf[1][i].RowsPerSec() / copies[i].RowsPerSec() })
	c := copies[i]
	rows := []harness.Row{{Bench: "pg snapshot", What: "ceiling: COPY TO STDOUT → /dev/null", Res: c}}
	for _, threads := range []int{1, 2} {
		rows = append(rows, harness.Compare("pg snapshot", fmt.Sprintf("connector alone: threads=%d → records", threads),
			harness.PeakRSS(alone[threads][i], alone[threads]), c, SnapshotTarget, RSSTarget))
	}
	for _, threads := range []int{1, 2} {
		rows = append(rows, harness.Compare("pg snapshot", fmt.Sprintf("wharf: snapshot.max.threads=%d → JSON → kafka", threads),
			harness.PeakRSS(wharf[threads][i], wharf[threads]), c, SnapshotTarget, RSSTarget))
	}
	rows = append(rows, harness.Compare("pg snapshot", "wharf: snapshot.max.threads=2 → Avro → kafka",
		harness.PeakRSS(avro[i], avro), c, SnapshotTarget, RSSTarget))
	return rows, nil
}

// topics are the topics Wharf's source wrote for op under prefix.
func topics(prefix, op string) []string {
	if op != "insert10" {
		return []string{prefix + ".public." + Table}
	}
	var ts []string
	for i := 0; i < MultiTables; i++ {
		ts = append(ts, prefix+".public."+multiTable(i))
	}
	return ts
}
