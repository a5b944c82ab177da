package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pglogrepl"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/data"
)

// sessionParams make PostgreSQL print values in the text forms decode.go
// parses, on the query connection and in the walsender (pgoutput formats
// values with the walsender session's settings).
var sessionParams = [...][2]string{{"DateStyle", "ISO"}, {"IntervalStyle", "postgres"},
	{"TimeZone", "UTC"}, {"bytea_output", "hex"}, {"extra_float_digits", "3"},
	{"client_encoding", "UTF8"}, {"lc_monetary", "C"}}

// session is one connected run of the task: a query connection, the
// replication connection and the relation cache. It is owned by the
// runner goroutine.
type session struct {
	cfg         *Config
	log         *slog.Logger
	partition   *connector.SourcePartition
	srcSchema   *data.Schema
	blockSchema *data.Schema
	types       *typeRegistry
	conn        *pgx.Conn
	repl        *pgconn.PgConn
	tables      map[uint32]*table
	ctxHeaders  connector.Headers // shared by all change records; nil when off
	msg         *messageSchemas
	serverNum   int // server_version_num
	// prefixV and dbV are cfg.Prefix and cfg.DBName boxed once (sourceStruct).
	prefixV, dbV any
}

func newSession(cfg *Config, log *slog.Logger, p *connector.SourcePartition, ctxHeaders connector.Headers) *session {
	s := &session{cfg: cfg, log: log, partition: p, srcSchema: sourceSchema(cfg.Compat),
		blockSchema: blockSchema(), tables: map[uint32]*table{}, ctxHeaders: ctxHeaders,
		prefixV: cfg.Prefix, dbV: cfg.DBName}
	s.msg = newMessageSchemas(cfg, s.srcSchema, s.blockSchema)
	return s
}

func pgConfig(cfg *Config, replication bool) (*pgconn.Config, error) {
	// Values are quoted libpq keyword values, so no user input is read as
	// connection-string syntax; the host must be in the string for TLS
	// server-name checks (verify-full). The password is set as a field.
	dsn := "host=" + quoteConnValue(cfg.Host) + " port=" + strconv.Itoa(cfg.Port) +
		" user=" + quoteConnValue(cfg.User) + " dbname=" + quoteConnValue(cfg.DBName) +
		" sslmode=" + quoteConnValue(cfg.SSLMode) + " connect_timeout=30"
	pc, err := pgconn.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: connection settings: %w", err)
	}
	pc.Password = cfg.Password
	if pc.RuntimeParams == nil {
		pc.RuntimeParams = map[string]string{}
	}
	for _, p := range sessionParams {
		pc.RuntimeParams[p[0]] = p[1]
	}
	pc.RuntimeParams["application_name"] = "wharf-debezium-postgres"
	if replication {
		pc.RuntimeParams["replication"] = "database"
	}
	return pc, nil
}

// quoteConnValue quotes a libpq keyword value.
func quoteConnValue(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

func connectQuery(ctx context.Context, cfg *Config) (*pgx.Conn, error) {
	pc, err := pgConfig(cfg, false)
	if err != nil {
		return nil, err
	}
	cc, err := pgx.ParseConfig("")
	if err != nil {
		return nil, err
	}
	cc.Config = *pc
	return pgx.ConnectConfig(ctx, cc)
}

func connectReplication(ctx context.Context, cfg *Config) (*pgconn.PgConn, error) {
	pc, err := pgConfig(cfg, true)
	if err != nil {
		return nil, err
	}
	return pgconn.ConnectConfig(ctx, pc)
}

// quoteLiteral quotes s as an SQL string literal (for replication-protocol
// commands, which take no bind parameters).
func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// ensurePublication creates or updates the publication per
// publication.autocreate.mode before the slot exists, as pgoutput requires.
func (s *session) ensurePublication(ctx context.Context) error {
	c := s.cfg
	var allTables bool
	err := s.conn.QueryRow(ctx, `SELECT puballtables FROM pg_publication WHERE pubname = $1`, c.Publication).Scan(&allTables)
	exists := err == nil
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("postgres: read publication: %w", err)
	}
	pub := pgx.Identifier{c.Publication}.Sanitize()
	with := s.publishClause()
	switch c.PubMode {
	case "disabled":
		if !exists {
			return fmt.Errorf("postgres: publication %q does not exist and publication.autocreate.mode is disabled; create it (CREATE PUBLICATION %s FOR TABLE ...)", c.Publication, pub)
		}
		return nil
	case "all_tables":
		if exists {
			return nil
		}
		s.log.Info("postgres: creating publication for all tables", "publication", c.Publication)
		_, err = s.conn.Exec(ctx, "CREATE PUBLICATION "+pub+" FOR ALL TABLES"+with)
	case "filtered":
		refs, lerr := listTables(ctx, s.conn, c.Filter)
		if lerr != nil {
			return lerr
		}
		if len(refs) == 0 {
			return fmt.Errorf("postgres: no table matches the include/exclude lists; a filtered publication needs at least one table")
		}
		names := make([]string, len(refs))
		for i, r := range refs {
			names[i] = pgx.Identifier{r.schema, r.name}.Sanitize()
		}
		if exists {
			if allTables {
				return fmt.Errorf("postgres: publication %q is FOR ALL TABLES; it cannot be filtered", c.Publication)
			}
			_, err = s.conn.Exec(ctx, "ALTER PUBLICATION "+pub+" SET TABLE "+strings.Join(names, ", "))
		} else {
			s.log.Info("postgres: creating filtered publication", "publication", c.Publication, "tables", len(names))
			_, err = s.conn.Exec(ctx, "CREATE PUBLICATION "+pub+" FOR TABLE "+strings.Join(names, ", ")+with)
		}
	}
	if err != nil {
		return fmt.Errorf("postgres: create publication %q: %w", c.Publication, err)
	}
	return nil
}

// publishClause limits published operations to those not skipped.
func (s *session) publishClause() string {
	var ops []string
	for _, o := range []struct {
		op   byte
		name string
	}{{'c', "insert"}, {'u', "update"}, {'d', "delete"}, {'t', "truncate"}} {
		if !s.cfg.Skip[o.op] {
			ops = append(ops, o.name)
		}
	}
	return " WITH (publish = " + quoteLiteral(strings.Join(ops, ", ")) + ")"
}

type slotInfo struct {
	exists, active bool
	database       string
	plugin         string
	confirmed      pglogrepl.LSN
	restart        pglogrepl.LSN
	walStatus      string
}

func (s *session) readSlot(ctx context.Context) (slotInfo, error) {
	var si slotInfo
	var confirmed, restart, plugin, db, status *string
	err := s.conn.QueryRow(ctx, `SELECT plugin, database, active, confirmed_flush_lsn::text, restart_lsn::text, wal_status
		FROM pg_replication_slots WHERE slot_name = $1`, s.cfg.Slot).Scan(&plugin, &db, &si.active, &confirmed, &restart, &status)
	if errors.Is(err, pgx.ErrNoRows) {
		return si, nil
	}
	if err != nil {
		return si, fmt.Errorf("postgres: read slot %q: %w", s.cfg.Slot, err)
	}
	si.exists = true
	if plugin != nil {
		si.plugin = *plugin
	}
	if db != nil {
		si.database = *db
	}
	if status != nil {
		si.walStatus = *status
	}
	if confirmed != nil {
		si.confirmed, _ = pglogrepl.ParseLSN(*confirmed)
	}
	if restart != nil {
		si.restart, _ = pglogrepl.ParseLSN(*restart)
	}
	return si, nil
}

// createSlot creates the slot on the replication connection. With export,
// the returned snapshot stays valid until the next command on that
// connection, so the snapshot must import it first.
func (s *session) createSlot(ctx context.Context, export bool) (pglogrepl.LSN, string, error) {
	action := "NOEXPORT_SNAPSHOT"
	if export {
		action = "EXPORT_SNAPSHOT"
	}
	res, err := pglogrepl.CreateReplicationSlot(ctx, s.repl, pgx.Identifier{s.cfg.Slot}.Sanitize(), "pgoutput",
		pglogrepl.CreateReplicationSlotOptions{Mode: pglogrepl.LogicalReplication, SnapshotAction: action})
	if err != nil {
		return 0, "", fmt.Errorf("postgres: create replication slot %q: %w", s.cfg.Slot, err)
	}
	lsn, err := pglogrepl.ParseLSN(res.ConsistentPoint)
	if err != nil {
		return 0, "", fmt.Errorf("postgres: slot consistent point %q: %w", res.ConsistentPoint, err)
	}
	s.log.Info("postgres: created replication slot", "slot", s.cfg.Slot, "consistent_point", lsn.String())
	return lsn, res.SnapshotName, nil
}

// dropSlot drops the slot, waiting briefly for a walsender of a connection
// that was just closed to release it.
func (s *session) dropSlot(ctx context.Context) error {
	var err error
	for attempt := 0; attempt < 50; attempt++ {
		_, err = s.conn.Exec(ctx, `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1`, s.cfg.Slot)
		var pgErr *pgconn.PgError
		if err == nil || !errors.As(err, &pgErr) || pgErr.Code != "55006" {
			break
		}
		select {
		case <-time.After(100 * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if err != nil {
		return fmt.Errorf("postgres: drop replication slot %q: %w", s.cfg.Slot, err)
	}
	return nil
}

func (s *session) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if s.repl != nil {
		_ = s.repl.Close(ctx)
	}
	if s.conn != nil {
		_ = s.conn.Close(ctx)
	}
}

// permanentError is a failure retrying cannot fix; its message says what to do.
type permanentError struct{ msg string }

func (e *permanentError) Error() string { return e.msg }

// classify turns err into a RetriableError when a reconnect may succeed
// (server down, restarting, connection lost, slot briefly still active).
func classify(err error, backoff time.Duration) error {
	if err == nil {
		return nil
	}
	var perm *permanentError
	if errors.As(err, &perm) {
		return err
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		msg := pgErr.Message
		switch {
		case strings.Contains(msg, "has already been removed"), strings.Contains(msg, "can no longer get changes from replication slot"),
			strings.Contains(msg, "This slot has been invalidated"):
			return &permanentError{msg: fmt.Sprintf("postgres: the WAL the replication slot needs is gone (%s); "+
				"the stored offsets can no longer be resumed: delete the connector's offsets and restart with snapshot.mode=initial, or set snapshot.mode=when_needed", msg)}
		case pgErr.Code == "42704" && strings.Contains(msg, "replication slot"):
			return &permanentError{msg: fmt.Sprintf("postgres: %s; the slot was dropped while offsets exist, so changes since the last offset may be lost: "+
				"set snapshot.mode=when_needed (or always) to re-snapshot, or delete the connector's offsets", msg)}
		case strings.HasPrefix(pgErr.Code, "08"), strings.HasPrefix(pgErr.Code, "57P"), pgErr.Code == "55006", pgErr.Code == "53300":
			return &connector.RetriableError{Err: err, Backoff: backoff}
		}
		return err
	}
	var netErr net.Error
	if errors.As(err, &netErr) || pgconn.SafeToRetry(err) || isConnClosed(err) {
		return &connector.RetriableError{Err: err, Backoff: backoff}
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return &connector.RetriableError{Err: err, Backoff: backoff}
	}
	return err
}

func isConnClosed(err error) bool {
	s := err.Error()
	return strings.Contains(s, "conn closed") || strings.Contains(s, "unexpected EOF") ||
		strings.Contains(s, "connection reset") || strings.Contains(s, "broken pipe") ||
		strings.Contains(s, "failed to connect") || strings.Contains(s, "EOF")
}
