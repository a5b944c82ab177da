// Package pgsource measures Wharf's PostgreSQL source against what
// PostgreSQL itself can deliver on the same database: the walsender's
// pgoutput stream read by a bare pglogrepl reader (the ceiling) versus the
// real connector task driven by the worker's source runner into Kafka, over
// the same WAL (two slots created at the same LSN before the workload); and
// Wharf's snapshot versus COPY … TO STDOUT of the same table.
package pgsource

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Table is the benchmark table: ~200-byte rows (text form) of the types a
// customers table has, with a bigint key so parallel snapshots can chunk.
const Table = "customers"

// Publication is the publication every reader uses (Debezium's default name).
const Publication = "dbz_publication"

const ddl = `CREATE TABLE public.customers (
  id bigint PRIMARY KEY,
  custkey varchar(16) NOT NULL,
  first_name varchar(40),
  last_name varchar(40),
  email varchar(80),
  city varchar(40),
  state char(2),
  fico int,
  balance numeric(12,2),
  registration_date date,
  updated_at timestamptz,
  notes text)`

// insertSQL fills ids $1..$2 with deterministic values.
const insertSQL = `INSERT INTO public.customers
SELECT g, 'C' || lpad(g::text, 10, '0'),
  (ARRAY['Alice','Bob','Carla','Dmitri','Élodie','Farid','Grace','Hiro'])[1 + g % 8] || ' ' || (g % 997),
  'Lastname-' || (g % 5003),
  'user' || g || '@example.com',
  (ARRAY['Boston','Austin','Seattle','Denver','Chicago','Portland','Miami','Phoenix'])[1 + g % 8],
  (ARRAY['MA','TX','WA','CO','IL','OR','FL','AZ'])[1 + g % 8],
  550 + g % 300,
  (g % 1000000) / 100.0,
  date '2020-01-01' + (g % 1500)::int,
  timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second',
  'note ' || md5(g::text) || ' ' || md5((g * 7)::text)
FROM generate_series($1::bigint, $2::bigint) g`

const updateSQL = `UPDATE public.customers SET fico = fico + 1, balance = balance + 1.25,
  updated_at = updated_at + interval '1 day', notes = 'upd ' || md5(id::text) || ' ' || md5((id * 3)::text)
WHERE id BETWEEN $1 AND $2`

const deleteSQL = `DELETE FROM public.customers WHERE id BETWEEN $1 AND $2`

// Ops are the streamed operations, in the order they run. "insert10"
// inserts the same rows spread over MultiTables tables (a connector
// capturing several tables writes one topic per table).
var Ops = []string{"insert", "update", "delete", "insert10"}

// MultiTables is the number of tables of the insert10 operation.
const MultiTables = 10

// multiTable names table i of the insert10 operation.
func multiTable(i int) string { return fmt.Sprintf("customers_%d", i) }

// TxRows is the number of rows each workload transaction changes.
const TxRows = 1000

// Setup creates the table (empty) and the publication.
func Setup(ctx context.Context, dsn string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	for _, s := range []string{
		"DROP PUBLICATION IF EXISTS " + Publication,
		"DROP TABLE IF EXISTS public.customers",
		ddl,
		"CREATE PUBLICATION " + Publication + " FOR ALL TABLES",
	} {
		if _, err := conn.Exec(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	for i := 0; i < MultiTables; i++ {
		t := "public." + multiTable(i)
		for _, s := range []string{"DROP TABLE IF EXISTS " + t, "CREATE TABLE " + t + " (LIKE public.customers INCLUDING ALL)"} {
			if _, err := conn.Exec(ctx, s); err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
		}
	}
	return nil
}

// CreateSlots creates pgoutput slots at the current WAL position.
func CreateSlots(ctx context.Context, dsn string, names ...string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	for _, n := range names {
		if _, err := conn.Exec(ctx, "SELECT pg_create_logical_replication_slot($1, 'pgoutput')", n); err != nil {
			return fmt.Errorf("create slot %s: %w", n, err)
		}
	}
	return nil
}

// DropSlots drops slots that exist and are inactive (waiting briefly for a
// walsender that is still exiting).
func DropSlots(ctx context.Context, dsn string, names ...string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	for _, n := range names {
		for i := 0; ; i++ {
			_, err := conn.Exec(ctx, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1", n)
			if err == nil {
				break
			}
			if i == 50 {
				return fmt.Errorf("drop slot %s: %w", n, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	return nil
}

// Run applies op to rows 1..n in transactions of TxRows rows and returns the
// WAL position after the last commit.
func Run(ctx context.Context, dsn, op string, n int) (string, error) {
	sql := map[string]string{"insert": insertSQL, "update": updateSQL, "delete": deleteSQL, "insert10": insertSQL}[op]
	if sql == "" {
		return "", fmt.Errorf("unknown op %q", op)
	}
	table := func(lo int) string { return sql }
	if op == "insert10" {
		// Consecutive transactions go to consecutive tables.
		table = func(lo int) string {
			return strings.Replace(sql, "public.customers", "public."+multiTable((lo/TxRows)%MultiTables), 1)
		}
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	for lo := 1; lo <= n; lo += TxRows {
		hi := min(lo+TxRows-1, n)
		tag, err := conn.Exec(ctx, table(lo), lo, hi)
		if err != nil {
			return "", fmt.Errorf("%s %d..%d: %w", op, lo, hi, err)
		}
		if tag.RowsAffected() != int64(hi-lo+1) {
			return "", fmt.Errorf("%s %d..%d: %d rows affected", op, lo, hi, tag.RowsAffected())
		}
	}
	if op == "insert" {
		if _, err := conn.Exec(ctx, "ANALYZE public.customers"); err != nil {
			return "", err
		}
	}
	var lsn string
	err = conn.QueryRow(ctx, "SELECT pg_current_wal_lsn()::text").Scan(&lsn)
	return lsn, err
}

// Grow adds rows from+1..to to the table the insert workload filled (the
// same generated values), for a larger snapshot.
func Grow(ctx context.Context, dsn string, from, to int) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, insertSQL, from+1, to); err != nil {
		return fmt.Errorf("grow the table to %d rows: %w", to, err)
	}
	_, err = conn.Exec(ctx, "ANALYZE public.customers")
	return err
}

// Shrink removes the rows Grow added, so later workloads see the table the
// inserts made.
func Shrink(ctx context.Context, dsn string, rows int) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DELETE FROM public.customers WHERE id > $1", rows); err != nil {
		return err
	}
	_, err = conn.Exec(ctx, "VACUUM ANALYZE public.customers")
	return err
}

// RowBytes is the average size of a row in text form (what COPY sends).
func RowBytes(ctx context.Context, dsn string) (float64, error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return 0, err
	}
	defer conn.Close(ctx)
	var avg float64
	err = conn.QueryRow(ctx, "SELECT coalesce(avg(octet_length(c::text)), 0)::float8 FROM public.customers c").Scan(&avg)
	return avg, err
}
