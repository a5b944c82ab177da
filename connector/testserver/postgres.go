package testserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// PostgresBin is where the Debian postgresql-15 package installs the server.
const PostgresBin = "/usr/lib/postgresql/15/bin"

const postgresInstall = "apt-get install -y postgresql-15"

// PG is a private PostgreSQL 15 cluster with wal_level=logical listening on a
// loopback port. Its superuser is "postgres" with trust authentication.
type PG struct {
	Host string
	Port int
	Dir  string // temp dir holding data/, server.log and the unix socket

	opts string // server options, reused by Start

	dbSeq atomic.Int64
}

// Postgres starts a private cluster for one test (or benchmark) and stops it
// in tb.Cleanup. Tests of a package that need many databases should share
// one cluster through TestMain and StartPostgres, and use CreateDB per test.
func Postgres(tb testing.TB) *PG {
	tb.Helper()
	pg, stop, err := StartPostgres()
	if err != nil {
		tb.Fatalf("testserver: %v", err)
	}
	tb.Cleanup(stop)
	return pg
}

// StartPostgres starts a private cluster and returns it with the function
// that stops it and removes its directory. initdb refuses to run as root, so
// the server runs as the "postgres" system user through runuser when the
// current user is root.
func StartPostgres() (*PG, func(), error) {
	initdb := filepath.Join(PostgresBin, "initdb")
	if _, err := os.Stat(initdb); err != nil {
		return nil, nil, fmt.Errorf("postgres: %s not found; install it with: %s", initdb, postgresInstall)
	}
	dir, err := os.MkdirTemp("", "wharf-pg-")
	if err != nil {
		return nil, nil, err
	}
	asRoot := os.Geteuid() == 0
	if asRoot {
		if err := chownPostgres(dir); err != nil {
			os.RemoveAll(dir)
			return nil, nil, err
		}
	}
	data := filepath.Join(dir, "data")
	if out, err := runPG(asRoot, initdb, "-D", data, "-U", "postgres", "--auth=trust",
		"--encoding=UTF8", "--locale=C.UTF-8", "--no-sync").CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, nil, fmt.Errorf("postgres: initdb: %v\n%s", err, out)
	}
	pg := &PG{Host: "127.0.0.1", Dir: dir}
	var lastErr error
	// The free port is found by binding and closing; another process can take
	// it in between, so retry a few times.
	for attempt := 0; attempt < 5; attempt++ {
		port, err := freePort()
		if err != nil {
			os.RemoveAll(dir)
			return nil, nil, err
		}
		opts := strings.Join([]string{
			"-p " + strconv.Itoa(port),
			"-c listen_addresses=127.0.0.1",
			"-c unix_socket_directories=" + dir,
			"-c wal_level=logical",
			"-c max_replication_slots=64",
			"-c max_wal_senders=64",
			"-c max_connections=100",
			"-c fsync=off",
			"-c synchronous_commit=off",
			"-c full_page_writes=off",
			"-c wal_sender_timeout=60s",
		}, " ")
		out, err := runPG(asRoot, filepath.Join(PostgresBin, "pg_ctl"), "-D", data,
			"-l", filepath.Join(dir, "server.log"), "-w", "-t", "60", "-o", opts, "start").CombinedOutput()
		if err == nil {
			pg.Port, pg.opts = port, opts
			lastErr = nil
			break
		}
		log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
		lastErr = fmt.Errorf("postgres: pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	if lastErr != nil {
		os.RemoveAll(dir)
		return nil, nil, lastErr
	}
	stop := func() {
		_ = runPG(asRoot, filepath.Join(PostgresBin, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop").Run()
		os.RemoveAll(dir)
	}
	return pg, stop, nil
}

// Stop stops the server with a fast shutdown, keeping its data (to test
// reconnects). A fast shutdown waits for logical walsenders until their
// client confirmed all WAL sent; Kill does not wait.
func (pg *PG) Stop(tb testing.TB) { tb.Helper(); pg.stop(tb, "fast") }

// Kill stops the server with an immediate shutdown (a crash; recovery runs
// at the next Start).
func (pg *PG) Kill(tb testing.TB) { tb.Helper(); pg.stop(tb, "immediate") }

func (pg *PG) stop(tb testing.TB, mode string) {
	tb.Helper()
	out, err := runPG(os.Geteuid() == 0, filepath.Join(PostgresBin, "pg_ctl"), "-D",
		filepath.Join(pg.Dir, "data"), "-m", mode, "-w", "-t", "30", "stop").CombinedOutput()
	if err != nil {
		tb.Fatalf("testserver: pg_ctl stop: %v\n%s", err, out)
	}
}

// Start starts a server stopped by Stop again on the same port.
func (pg *PG) Start(tb testing.TB) {
	tb.Helper()
	out, err := runPG(os.Geteuid() == 0, filepath.Join(PostgresBin, "pg_ctl"), "-D",
		filepath.Join(pg.Dir, "data"), "-l", filepath.Join(pg.Dir, "server.log"), "-w", "-o", pg.opts, "start").CombinedOutput()
	if err != nil {
		tb.Fatalf("testserver: pg_ctl start: %v\n%s", err, out)
	}
}

func runPG(asRoot bool, bin string, args ...string) *exec.Cmd {
	if asRoot {
		return exec.Command("runuser", append([]string{"-u", "postgres", "--", bin}, args...)...)
	}
	return exec.Command(bin, args...)
}

func chownPostgres(dir string) error {
	u, err := user.Lookup("postgres")
	if err != nil {
		return fmt.Errorf("postgres: no postgres system user (%v); install the server with: %s", err, postgresInstall)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return os.Chown(dir, uid, gid)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// DSN returns a URL for database db as the superuser.
func (pg *PG) DSN(db string) string {
	u := url.URL{Scheme: "postgres", User: url.User("postgres"),
		Host: net.JoinHostPort(pg.Host, strconv.Itoa(pg.Port)), Path: "/" + db,
		RawQuery: "sslmode=disable"}
	return u.String()
}

// CreateDB creates a fresh database with a unique name derived from name and
// returns its name. It is dropped (with its replication slots) in Cleanup.
func (pg *PG) CreateDB(tb testing.TB, name string) string {
	tb.Helper()
	db := fmt.Sprintf("%s_%d", sanitizeDBName(name), pg.dbSeq.Add(1))
	pg.Exec(tb, pg.DSN("postgres"), "CREATE DATABASE "+pgx.Identifier{db}.Sanitize())
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, pg.DSN("postgres"))
		if err != nil {
			return
		}
		defer conn.Close(ctx)
		// Slots pin the database; drop them first (inactive ones only, a
		// still-running walsender is terminated).
		_, _ = conn.Exec(ctx, `SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE database = $1 AND active_pid IS NOT NULL`, db)
		time.Sleep(100 * time.Millisecond)
		_, _ = conn.Exec(ctx, `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = $1 AND NOT active`, db)
		_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{db}.Sanitize()+" WITH (FORCE)")
	})
	return db
}

func sanitizeDBName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
		if b.Len() >= 40 {
			break
		}
	}
	if b.Len() == 0 {
		return "db"
	}
	return b.String()
}

// Exec runs each statement in order on one connection to dsn and fails the
// test on the first error.
func (pg *PG) Exec(tb testing.TB, dsn string, sql ...string) {
	tb.Helper()
	if err := ExecSQL(dsn, sql...); err != nil {
		tb.Fatalf("testserver: %v", err)
	}
}

// ExecSQL is Exec for code without a testing.TB (TestMain).
func ExecSQL(dsn string, sql ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("postgres: connect: %w", err)
	}
	defer conn.Close(ctx)
	for _, s := range sql {
		if _, err := conn.Exec(ctx, s); err != nil {
			var e interface{ SQLState() string }
			if errors.As(err, &e) {
				return fmt.Errorf("postgres: %s: %w (SQLSTATE %s)", s, err, e.SQLState())
			}
			return fmt.Errorf("postgres: %s: %w", s, err)
		}
	}
	return nil
}
