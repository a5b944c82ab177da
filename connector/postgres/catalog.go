package postgres

import (
	"context"
	"fmt"
	"sort"

	"github.com/jackc/pgx/v5"
)

// typeRegistry is pg_type of the captured database, loaded at start and
// reloaded when a column has a type created later (a new enum).
type typeRegistry struct{ m map[uint32]*pgType }

func (r *typeRegistry) get(oid uint32) *pgType { return r.m[oid] }

func loadTypes(ctx context.Context, conn *pgx.Conn) (*typeRegistry, error) {
	rows, err := conn.Query(ctx, `SELECT t.oid, t.typname, t.typtype, t.typelem, t.typbasetype, t.typcategory,
		COALESCE((SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid), '{}')
		FROM pg_type t`)
	if err != nil {
		return nil, fmt.Errorf("postgres: load types: %w", err)
	}
	defer rows.Close()
	r := &typeRegistry{m: map[uint32]*pgType{}}
	for rows.Next() {
		var t pgType
		var typtype, category string
		if err := rows.Scan(&t.oid, &t.name, &typtype, &t.elem, &t.base, &category, &t.labels); err != nil {
			return nil, fmt.Errorf("postgres: load types: %w", err)
		}
		t.typtype, t.category = typtype[0], category[0]
		r.m[t.oid] = &t
	}
	return r, rows.Err()
}

// catColumn is a column as the catalog describes it.
type catColumn struct {
	name    string
	typ     uint32
	typmod  int32
	notNull bool
	def     *string
	comment *string
}

// tableMeta is a table's catalog description.
type tableMeta struct {
	oid       uint32
	schema    string
	name      string
	replIdent byte
	cols      []catColumn // attnum order, without dropped and generated columns
	pk        []string    // primary key columns in key order
	identity  []string    // replica identity index columns (REPLICA IDENTITY USING INDEX)
}

func (m *tableMeta) col(name string) *catColumn {
	for i := range m.cols {
		if m.cols[i].name == name {
			return &m.cols[i]
		}
	}
	return nil
}

type tableRef struct {
	oid          uint32
	schema, name string
}

// listTables returns the captured ordinary and partitioned tables sorted by
// schema and name.
func listTables(ctx context.Context, conn *pgx.Conn, f *Filter) ([]tableRef, error) {
	rows, err := conn.Query(ctx, `SELECT c.oid, n.nspname, c.relname FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
		ORDER BY n.nspname, c.relname`)
	if err != nil {
		return nil, fmt.Errorf("postgres: list tables: %w", err)
	}
	defer rows.Close()
	var out []tableRef
	for rows.Next() {
		var t tableRef
		if err := rows.Scan(&t.oid, &t.schema, &t.name); err != nil {
			return nil, err
		}
		if f.Table(t.schema, t.name) {
			out = append(out, t)
		}
	}
	return out, rows.Err()
}

// loadTable reads one table's columns, defaults, comments, key and replica
// identity. It returns nil when the table no longer exists.
func loadTable(ctx context.Context, conn *pgx.Conn, oid uint32) (*tableMeta, error) {
	m := &tableMeta{oid: oid}
	var ri string
	err := conn.QueryRow(ctx, `SELECT n.nspname, c.relname, c.relreplident FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1`, oid).Scan(&m.schema, &m.name, &ri)
	if err == pgx.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: read table %d: %w", oid, err)
	}
	m.replIdent = ri[0]
	rows, err := conn.Query(ctx, `SELECT a.attname, a.atttypid, a.atttypmod, a.attnotnull,
		pg_get_expr(d.adbin, d.adrelid), col_description(a.attrelid, a.attnum)
		FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
		WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
		ORDER BY a.attnum`, oid)
	if err != nil {
		return nil, fmt.Errorf("postgres: read columns of %s.%s: %w", m.schema, m.name, err)
	}
	for rows.Next() {
		var c catColumn
		if err := rows.Scan(&c.name, &c.typ, &c.typmod, &c.notNull, &c.def, &c.comment); err != nil {
			rows.Close()
			return nil, err
		}
		m.cols = append(m.cols, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if m.pk, err = indexColumns(ctx, conn, oid, "i.indisprimary"); err != nil {
		return nil, err
	}
	if m.identity, err = indexColumns(ctx, conn, oid, "i.indisreplident"); err != nil {
		return nil, err
	}
	return m, nil
}

// indexColumns returns the columns of the table's index selected by which
// (a fixed SQL predicate, never user input), in index order.
func indexColumns(ctx context.Context, conn *pgx.Conn, oid uint32, which string) ([]string, error) {
	rows, err := conn.Query(ctx, `SELECT a.attname, k.ord FROM pg_index i
		CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
		JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
		WHERE i.indrelid = $1 AND `+which+` ORDER BY k.ord`, oid)
	if err != nil {
		return nil, fmt.Errorf("postgres: read index of table %d: %w", oid, err)
	}
	defer rows.Close()
	type kc struct {
		name string
		ord  int64
	}
	var cols []kc
	for rows.Next() {
		var c kc
		if err := rows.Scan(&c.name, &c.ord); err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	sort.Slice(cols, func(i, j int) bool { return cols[i].ord < cols[j].ord })
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.name
	}
	return out, rows.Err()
}
