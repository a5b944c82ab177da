package pgsource

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/jackc/pglogrepl"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/wharf-project/wharf/bench/harness"
	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/connectortest"
	"github.com/wharf-project/wharf/connector/postgres"
	"github.com/wharf-project/wharf/connector/testserver"
	"github.com/wharf-project/wharf/worker"
	"github.com/wharf-project/wharf/worker/heapfloor"
)

// Params configures one child measurement.
type Params struct {
	Host    string   `json:"host"`
	Port    int      `json:"port"`
	DB      string   `json:"db"`
	Slot    string   `json:"slot,omitempty"`
	Rows    int64    `json:"rows"`              // rows the measurement must see
	Records int64    `json:"records,omitempty"` // Kafka records Wharf must get acknowledged (default Rows)
	Brokers []string `json:"brokers,omitempty"`
	Prefix  string   `json:"prefix,omitempty"`  // topic.prefix
	Mode    string   `json:"mode,omitempty"`    // Wharf: "stream" or "snapshot"
	Threads int      `json:"threads,omitempty"` // snapshot.max.threads
	EndLSN  string   `json:"end_lsn,omitempty"` // pg_recvlogical: where the workload ended
	// Registry, when set, makes Wharf convert with the AvroConverter
	// against this Schema Registry instead of the JsonConverter.
	Registry string `json:"registry,omitempty"`
}

func (p Params) dsn() string {
	return fmt.Sprintf("postgres://postgres@%s:%d/%s?sslmode=disable", p.Host, p.Port, p.DB)
}

// Children are the child measurements of this package.
func Children() map[string]harness.ChildFunc {
	return map[string]harness.ChildFunc{
		"pg-ceiling":     Ceiling,
		"pg-recvlogical": RecvLogical,
		"pg-copy":        Copy,
		"pg-wharf":       Wharf,
		"pg-task":        Task,
	}
}

// Ceiling reads the slot with a bare pglogrepl reader (pgoutput protocol v1,
// as the connector asks for) and throws the data away; it counts row
// messages (Insert, Update, Delete) by their first byte until Rows arrived.
func Ceiling(ctx context.Context, raw json.RawMessage) (harness.Result, error) {
	var p Params
	if err := json.Unmarshal(raw, &p); err != nil {
		return harness.Result{}, err
	}
	start := time.Now()
	conn, err := pgconn.Connect(ctx, p.dsn()+"&replication=database")
	if err != nil {
		return harness.Result{}, err
	}
	defer conn.Close(context.Background())
	err = pglogrepl.StartReplication(ctx, conn, pgx.Identifier{p.Slot}.Sanitize(), 0, pglogrepl.StartReplicationOptions{
		Mode: pglogrepl.LogicalReplication, PluginArgs: []string{"proto_version '1'", "publication_names '" + Publication + "'"}})
	if err != nil {
		return harness.Result{}, fmt.Errorf("start replication: %w", err)
	}
	var rows, bytesIn int64
	var first, last time.Time
	var pos pglogrepl.LSN
	for rows < p.Rows {
		// Background: pgconn watches any other context on every call, which
		// costs more per message than the reader itself. The parent kills
		// a stuck child.
		msg, err := conn.ReceiveMessage(context.Background())
		if err != nil {
			return harness.Result{}, fmt.Errorf("receive after %d rows: %w", rows, err)
		}
		cd, ok := msg.(*pgproto3.CopyData)
		if !ok {
			if e, ok := msg.(*pgproto3.ErrorResponse); ok {
				return harness.Result{}, pgconn.ErrorResponseToPgError(e)
			}
			continue
		}
		switch cd.Data[0] {
		case pglogrepl.XLogDataByteID:
			x, err := pglogrepl.ParseXLogData(cd.Data[1:])
			if err != nil {
				return harness.Result{}, err
			}
			bytesIn += int64(len(x.WALData))
			pos = x.WALStart + pglogrepl.LSN(len(x.WALData))
			if len(x.WALData) > 0 {
				switch x.WALData[0] {
				case 'I', 'U', 'D':
					if rows == 0 {
						first = time.Now()
					}
					rows++
					last = time.Now()
				}
			}
		case pglogrepl.PrimaryKeepaliveMessageByteID:
			k, err := pglogrepl.ParsePrimaryKeepaliveMessage(cd.Data[1:])
			if err != nil {
				return harness.Result{}, err
			}
			if k.ReplyRequested {
				if err := pglogrepl.SendStandbyStatusUpdate(ctx, conn, pglogrepl.StandbyStatusUpdate{WALWritePosition: pos}); err != nil {
					return harness.Result{}, err
				}
			}
		}
	}
	return harness.Result{Rows: rows, Bytes: bytesIn, Seconds: last.Sub(first).Seconds(),
		Total: time.Since(start).Seconds()}, nil
}

// RecvLogical runs PostgreSQL's own pg_recvlogical on the slot (pgoutput
// protocol v1) into /dev/null until EndLSN: a cross-check that the Go
// reader is not what limits the ceiling. Its time includes connecting.
func RecvLogical(ctx context.Context, raw json.RawMessage) (harness.Result, error) {
	var p Params
	if err := json.Unmarshal(raw, &p); err != nil {
		return harness.Result{}, err
	}
	cmd := exec.CommandContext(ctx, filepath.Join(testserver.PostgresBin, "pg_recvlogical"),
		"-d", fmt.Sprintf("host=%s port=%d user=postgres dbname=%s", p.Host, p.Port, p.DB),
		"--slot", p.Slot, "--start", "--no-loop", "-o", "proto_version=1", "-o", "publication_names="+Publication,
		"-E", p.EndLSN, "-F", "0", "-f", "/dev/null")
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		return harness.Result{}, fmt.Errorf("pg_recvlogical: %v: %s", err, out)
	}
	secs := time.Since(start).Seconds()
	return harness.Result{Rows: p.Rows, Seconds: secs, Total: secs}, nil
}

// Copy runs COPY public.customers TO STDOUT and discards the rows.
func Copy(ctx context.Context, raw json.RawMessage) (harness.Result, error) {
	var p Params
	if err := json.Unmarshal(raw, &p); err != nil {
		return harness.Result{}, err
	}
	start := time.Now()
	conn, err := pgx.Connect(ctx, p.dsn())
	if err != nil {
		return harness.Result{}, err
	}
	defer conn.Close(context.Background())
	w := &lineCounter{}
	if _, err := conn.PgConn().CopyTo(ctx, w, "COPY public.customers TO STDOUT"); err != nil {
		return harness.Result{}, err
	}
	end := time.Now()
	if w.rows != p.Rows {
		return harness.Result{}, fmt.Errorf("COPY returned %d rows, want %d", w.rows, p.Rows)
	}
	return harness.Result{Rows: w.rows, Bytes: w.bytes, Seconds: end.Sub(w.first).Seconds(),
		Total: end.Sub(start).Seconds()}, nil
}

type lineCounter struct {
	first       time.Time
	rows, bytes int64
}

func (w *lineCounter) Write(b []byte) (int, error) {
	if w.first.IsZero() {
		w.first = time.Now()
	}
	w.rows += int64(bytes.Count(b, []byte{'\n'}))
	w.bytes += int64(len(b))
	return len(b), nil
}

// WorkerProps are the worker properties of every Wharf measurement: a
// standalone worker's defaults, JsonConverter with schemas for keys and
// values (Kafka Connect's default).
var WorkerProps = map[string]string{
	"key.converter":                  "org.apache.kafka.connect.json.JsonConverter",
	"value.converter":                "org.apache.kafka.connect.json.JsonConverter",
	"key.converter.schemas.enable":   "true",
	"value.converter.schemas.enable": "true",
}

// AvroWorkerProps are WorkerProps with Confluent's AvroConverter for keys
// and values (fast-data-dev's default), against the registry at url.
func AvroWorkerProps(url string) map[string]string {
	return map[string]string{
		"key.converter":                       "io.confluent.connect.avro.AvroConverter",
		"value.converter":                     "io.confluent.connect.avro.AvroConverter",
		"key.converter.schema.registry.url":   url,
		"value.converter.schema.registry.url": url,
	}
}

// connectorProps decodes a child's Params and returns the connector's
// configuration for them: streaming from an existing slot
// (snapshot.mode=no_data) or an initial_only snapshot.
func connectorProps(raw json.RawMessage, namePrefix string) (Params, map[string]string, error) {
	var p Params
	if err := json.Unmarshal(raw, &p); err != nil {
		return p, nil, err
	}
	if p.Records == 0 {
		p.Records = p.Rows
	}
	mode := "no_data"
	if p.Mode == "snapshot" {
		mode = "initial_only"
	}
	return p, map[string]string{
		"name":                 namePrefix + p.Prefix,
		"connector.class":      postgres.Class,
		"tasks.max":            "1",
		"plugin.name":          "pgoutput",
		"database.hostname":    p.Host,
		"database.port":        strconv.Itoa(p.Port),
		"database.user":        "postgres",
		"database.dbname":      p.DB,
		"database.sslmode":     "disable",
		"topic.prefix":         p.Prefix,
		"slot.name":            p.Slot,
		"publication.name":     Publication,
		"snapshot.mode":        mode,
		"snapshot.max.threads": strconv.Itoa(max(p.Threads, 1)),
	}, nil
}

// Wharf runs the Debezium-compatible connector's task in the worker's source
// runner (JsonConverter, sarama producer with Connect's defaults, kfake over
// TCP) until Kafka acknowledged Records records: streaming from an existing
// slot (snapshot.mode=no_data) or an initial_only snapshot.
func Wharf(ctx context.Context, raw json.RawMessage) (harness.Result, error) {
	p, props, err := connectorProps(raw, "bench-")
	if err != nil {
		return harness.Result{}, err
	}
	watch := harness.NewStopwatch(p.Records)
	inst := &harness.CountingSource{SourceConnector: postgres.Plugin().New().(connector.SourceConnector), Watch: watch}
	start := time.Now()
	wp := WorkerProps
	if p.Registry != "" {
		wp = AvroWorkerProps(p.Registry)
	}
	task, err := harness.NewTask(ctx, p.Brokers, wp, props, inst)
	if err != nil {
		return harness.Result{}, err
	}
	defer task.Close()
	return runUntil(ctx, task, watch, p.Rows, start)
}

// runUntil runs task until watch is done, the task fails or 10 minutes pass.
func runUntil(ctx context.Context, task *harness.Task, watch *harness.Stopwatch, rows int64, start time.Time) (harness.Result, error) {
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- task.Runner.Run(rctx) }()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(10 * time.Minute)
	for waiting := true; waiting; {
		select {
		case <-watch.Done():
			waiting = false
		case err := <-done:
			return harness.Result{}, fmt.Errorf("runner ended after %d records: %v", watch.Count(), err)
		case <-tick.C:
			if err := task.Failed(); err != nil {
				cancel()
				<-done
				return harness.Result{}, fmt.Errorf("task failed after %d records: %w", watch.Count(), err)
			}
		case <-deadline:
			cancel()
			<-done
			return harness.Result{}, fmt.Errorf("timed out after %d records", watch.Count())
		}
	}
	total := time.Since(start).Seconds()
	harness.WriteHeapProfile()
	cancel()
	if err := <-done; err != nil {
		return harness.Result{}, fmt.Errorf("runner: %w", err)
	}
	return harness.Result{Rows: rows, Records: watch.Count(), Seconds: watch.Seconds(), Total: total}, nil
}

// Task runs the connector's task alone — no runner, converter or Kafka —
// and throws its records away after acknowledging them, as Kafka would, so
// the connector's own ceiling is measured: what it can deliver when nothing
// downstream is slower. Modes as for Wharf.
func Task(ctx context.Context, raw json.RawMessage) (harness.Result, error) {
	p, props, err := connectorProps(raw, "bench-task-")
	if err != nil {
		return harness.Result{}, err
	}
	// The connector runs in a worker process, whose heap floor it gets.
	go heapfloor.Run(ctx, worker.DefaultHeapFloor)
	start := time.Now()
	task := postgres.Plugin().New().(connector.SourceConnector).NewTask()
	tc := connectortest.NewSource(props["name"])
	tc.Log = slog.New(slog.DiscardHandler)
	if err := task.Start(ctx, tc, props); err != nil {
		return harness.Result{}, err
	}
	defer task.Stop()
	acker, _ := task.(connector.RecordAcker)
	watch := harness.NewStopwatch(p.Records)
	deadline := time.Now().Add(10 * time.Minute)
	for watch.Count() < p.Records {
		if time.Now().After(deadline) {
			return harness.Result{}, fmt.Errorf("timed out after %d records", watch.Count())
		}
		recs, err := task.Poll(ctx)
		if err != nil {
			return harness.Result{}, fmt.Errorf("poll after %d records: %w", watch.Count(), err)
		}
		if len(recs) == 0 {
			continue
		}
		watch.Start()
		for i := range recs {
			if acker != nil {
				acker.AckRecord(&recs[i], 0, 0)
			}
		}
		watch.Add(int64(len(recs)))
	}
	total := time.Since(start).Seconds()
	harness.WriteHeapProfile()
	return harness.Result{Rows: p.Rows, Records: watch.Count(), Seconds: watch.Seconds(), Total: total}, nil
}
