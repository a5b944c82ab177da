// Command wharfbench measures Wharf against the ceilings issues 3 and 4 set,
// side by side in one run, and prints one table (bench/run.sh runs it).
//
//	wharfbench [-rows N] [-snapshot-rows N] [-s3-rows N] [-rounds R] [-only insert,update,delete,insert10,snapshot,s3] [-profile DIR]
//
// Each measurement runs in its own child process (this binary, "child"
// subcommand), so the peak RSS in the table is that measurement's own.
// PostgreSQL and MinIO run as their own processes; the Kafka broker (kfake)
// runs in this process and is reached over TCP.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/wharf-project/wharf/bench/harness"
	"github.com/wharf-project/wharf/bench/pgsource"
	"github.com/wharf-project/wharf/bench/s3sink"
	"github.com/wharf-project/wharf/connector/testserver"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "child" {
		kinds := pgsource.Children()
		maps.Copy(kinds, s3sink.Children())
		os.Exit(harness.ChildMain(os.Args[2:], kinds))
	}
	rows := flag.Int("rows", 100_000, "rows per PostgreSQL operation")
	snapRows := flag.Int("snapshot-rows", 0, "rows in the table the snapshot reads (default 5 × -rows: COPY of 100,000 rows takes 0.1 s, too short to see parallel readers past their start)")
	s3rows := flag.Int("s3-rows", 0, "events the S3 sink writes (default -rows); a multiple of -flush-size")
	flushSize := flag.Int("flush-size", 25_000, "S3 sink flush.size")
	rounds := flag.Int("rounds", 3, "rounds of ceiling-then-Wharf pairs; the table shows the round with the median ratio (peak RSS: the highest)")
	only := flag.String("only", "", "comma-separated subset: insert,update,delete,insert10,snapshot,s3")
	profile := flag.String("profile", "", "directory for a CPU profile of every measurement")
	workerProps := flag.String("worker-props", "", "extra worker properties for every Wharf measurement, k=v,k=v (e.g. producer.linger.ms=5)")
	verbose := flag.Bool("v", false, "log progress to stderr")
	capture := flag.String("capture", "", "write the first insert event's key and value (JsonConverter bytes) into this directory and exit (refreshes bench/testdata)")
	flag.Parse()
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelInfo
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	if *profile != "" {
		if err := os.MkdirAll(*profile, 0o755); err != nil {
			fatal(err)
		}
		os.Setenv(harness.ProfileDirEnv, *profile)
	}
	if *workerProps != "" {
		os.Setenv(harness.WorkerPropsEnv, *workerProps)
	}
	if *s3rows == 0 {
		*s3rows = *rows
	}
	if *snapRows == 0 {
		*snapRows = 5 * *rows
	}
	sel := map[string]bool{}
	for _, s := range strings.Split(*only, ",") {
		if s = strings.TrimSpace(s); s != "" {
			sel[s] = true
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	if *capture != "" {
		if err := captureEvent(ctx, log, *capture); err != nil {
			fatal(err)
		}
		return
	}
	tbl, rowBytes, err := run(ctx, log, sel, *rows, *snapRows, *s3rows, *flushSize, max(*rounds, 1))
	if err != nil {
		fatal(err)
	}
	fmt.Printf("wharfbench: %d rows per PostgreSQL operation (%.0f bytes per row as text), %d in the snapshot, %d S3 events (flush.size %d), %d round(s); %s; took %s\n\n",
		*rows, rowBytes, max(*snapRows, *rows), *s3rows, *flushSize, max(*rounds, 1), hostInfo(), time.Since(start).Round(time.Second))
	harness.Print(os.Stdout, tbl)
}

func run(ctx context.Context, log *slog.Logger, sel map[string]bool, rows, snapRows, s3rows, flushSize, rounds int) ([]harness.Row, float64, error) {
	wantPG := len(sel) == 0 || sel["insert"] || sel["update"] || sel["delete"] || sel["insert10"] || sel["snapshot"]
	wantS3 := len(sel) == 0 || sel["s3"]
	pg, stopPG, err := testserver.StartPostgres()
	if err != nil {
		return nil, 0, err
	}
	defer stopPG()
	dsn := pg.DSN("postgres")
	if err := testserver.ExecSQL(dsn, "CREATE DATABASE bench"); err != nil {
		return nil, 0, err
	}
	k, err := harness.StartKafka()
	if err != nil {
		return nil, 0, err
	}
	defer k.Close()
	if err := k.StartRegistry(ctx); err != nil {
		return nil, 0, err
	}
	env := &pgsource.Env{Host: pg.Host, Port: pg.Port, DB: "bench", Brokers: k.Addrs, Kafka: k,
		Rows: rows, SnapshotRows: snapRows, Rounds: rounds, KeepIns: wantS3, Log: log}
	var tbl []harness.Row
	if wantPG {
		r, err := pgsource.Bench(ctx, env, sel)
		if err != nil {
			return nil, 0, err
		}
		tbl = append(tbl, r...) // the insert topic is written, measured or not (KeepIns)
	}
	if wantS3 {
		if !wantPG || s3rows != rows {
			env.Rows = s3rows
			if err := k.DeleteTopics(pgsource.InsertTopic); err != nil {
				return nil, 0, err
			}
			if err := pgsource.Fill(ctx, env); err != nil {
				return nil, 0, err
			}
		}
		r, err := s3sink.Bench(ctx, &s3sink.Env{Kafka: k, Topic: pgsource.InsertTopic, Rows: s3rows,
			FlushSize: flushSize, Rounds: rounds, Log: log})
		if err != nil {
			return nil, 0, err
		}
		tbl = append(tbl, r...)
	}
	return tbl, env.RowBytes, nil
}

func hostInfo() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	load := ""
	if len(f) > 0 {
		load = "load " + f[0]
	}
	return fmt.Sprintf("%d CPUs, %s", runtime.NumCPU(), load)
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "wharfbench:", err)
	os.Exit(1)
}

// captureEvent fills the insert topic with a few rows and saves the first
// record's key and value.
func captureEvent(ctx context.Context, log *slog.Logger, dir string) error {
	pg, stopPG, err := testserver.StartPostgres()
	if err != nil {
		return err
	}
	defer stopPG()
	if err := testserver.ExecSQL(pg.DSN("postgres"), "CREATE DATABASE bench"); err != nil {
		return err
	}
	k, err := harness.StartKafka()
	if err != nil {
		return err
	}
	defer k.Close()
	env := &pgsource.Env{Host: pg.Host, Port: pg.Port, DB: "bench", Brokers: k.Addrs, Kafka: k,
		Rows: 10, Rounds: 1, KeepIns: true, Log: log}
	if err := pgsource.Fill(ctx, env); err != nil {
		return err
	}
	key, value, err := k.First(pgsource.InsertTopic)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "insert_key.json"), append(key, '\n'), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "insert_value.json"), append(value, '\n'), 0o644)
}
