package testserver

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestPostgresLogical(t *testing.T) {
	pg := Postgres(t)
	db := pg.CreateDB(t, t.Name())
	dsn := pg.DSN(db)
	pg.Exec(t, dsn, "CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t VALUES (1, 'a')")
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var walLevel string
	if err := conn.QueryRow(ctx, "SHOW wal_level").Scan(&walLevel); err != nil || walLevel != "logical" {
		t.Fatalf("wal_level = %q, %v; want logical", walLevel, err)
	}
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM t").Scan(&n); err != nil || n != 1 {
		t.Fatalf("count = %d, %v", n, err)
	}
	if _, err := conn.Exec(ctx, "SELECT pg_create_logical_replication_slot('s1', 'pgoutput')"); err != nil {
		t.Fatalf("create slot: %v", err)
	}
	if db2 := pg.CreateDB(t, t.Name()); db2 == db {
		t.Fatalf("CreateDB returned the same name twice: %s", db)
	}
}

func TestPostgresStopStart(t *testing.T) {
	pg := Postgres(t)
	db := pg.CreateDB(t, "restart")
	pg.Exec(t, pg.DSN(db), "CREATE TABLE t (id int)")
	pg.Stop(t)
	if err := ExecSQL(pg.DSN(db), "SELECT 1"); err == nil {
		t.Fatal("query succeeded while the server is stopped")
	}
	pg.Start(t)
	pg.Exec(t, pg.DSN(db), "INSERT INTO t VALUES (1)")
}
