package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/config"
)

// Class is the Kafka Connect class name users configure.
const Class = "io.debezium.connector.postgresql.PostgresConnector"

// Plugin describes the connector for the registry.
func Plugin() connector.Plugin {
	return connector.Plugin{Class: Class, Type: connector.TypeSource, Version: Version,
		New: func() any { return &Connector{} }}
}

// Connector is the PostgreSQL source connector. It always runs one task:
// one replication slot serves one reader.
type Connector struct {
	props map[string]string
}

var (
	_ connector.SourceConnector = (*Connector)(nil)
	_ connector.Validator       = (*Connector)(nil)
	_ connector.SourceTask      = (*Task)(nil)
	_ connector.OffsetCommitter = (*Task)(nil)
)

// Config returns the connector's keys.
func (c *Connector) Config() *config.Def { return configDef() }

// Start checks the configuration.
func (c *Connector) Start(_ context.Context, cc connector.Context, props map[string]string) error {
	if _, err := parseConfig(props, cc.Logger()); err != nil {
		return err
	}
	c.props = maps.Clone(props)
	return nil
}

// TaskConfigs returns one task configuration.
func (c *Connector) TaskConfigs(int) ([]map[string]string, error) {
	return []map[string]string{maps.Clone(c.props)}, nil
}

// Stop does nothing: the task owns all resources.
func (c *Connector) Stop() error { return nil }

// NewTask returns a task.
func (c *Connector) NewTask() connector.SourceTask { return &Task{} }

// Validate checks what the ConfigDef cannot: connectivity, wal_level, the
// user's privileges, the slot, and the replica identity of captured tables.
// Errors are attached to the key a user would change.
func (c *Connector) Validate(ctx context.Context, props map[string]string) []config.Result {
	results := configDef().Validate(props)
	add := func(key, msg string) {
		for i := range results {
			if results[i].Name == key {
				results[i].Errors = append(results[i].Errors, msg)
				return
			}
		}
	}
	if props[KeyTopicPrefix] == "" && props[KeyServerName] == "" {
		add(KeyTopicPrefix, config.MissingRequired(KeyTopicPrefix).Msg)
	}
	if strings.TrimSpace(props[KeyMessagePrefixInclude]) != "" && strings.TrimSpace(props[KeyMessagePrefixExclude]) != "" {
		add(KeyMessagePrefixExclude, `"message.prefix.include.list" is already specified; use only one of the two lists`)
	}
	if config.ErrorCount(results) > 0 {
		return results
	}
	cfg, err := parseConfig(props, discardLogger())
	if err != nil {
		if iv := (*invalidValueError)(nil); errors.As(err, &iv) {
			add(iv.key, iv.problem)
		} else {
			add(KeyHostname, err.Error())
		}
		return results
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := connectQuery(ctx, cfg)
	if err != nil {
		add(KeyHostname, "Error while validating connector config: "+err.Error())
		return results
	}
	defer conn.Close(context.Background())
	for _, e := range checkServer(ctx, conn, cfg) {
		add(e.key, e.msg)
	}
	return results
}

type keyError struct{ key, msg string }

func checkServer(ctx context.Context, conn *pgx.Conn, cfg *Config) []keyError {
	var out []keyError
	var walLevel string
	if err := conn.QueryRow(ctx, "SHOW wal_level").Scan(&walLevel); err != nil {
		return append(out, keyError{KeyHostname, "Error while validating connector config: " + err.Error()})
	}
	if walLevel != "logical" {
		out = append(out, keyError{KeyHostname, fmt.Sprintf("Postgres server wal_level property must be 'logical' but is: '%s'", walLevel)})
	}
	var super, repl bool
	err := conn.QueryRow(ctx, `SELECT r.rolsuper, r.rolreplication OR pg_has_role(current_user, 'rds_replication', 'member')
		FROM pg_roles r WHERE r.rolname = current_user`).Scan(&super, &repl)
	if err != nil {
		// rds_replication does not exist outside RDS.
		err = conn.QueryRow(ctx, `SELECT rolsuper, rolreplication FROM pg_roles WHERE rolname = current_user`).Scan(&super, &repl)
	}
	if err == nil && !super && !repl {
		out = append(out, keyError{KeyUser, fmt.Sprintf("Postgres roles LOGIN and REPLICATION are not assigned to user: %s", cfg.User)})
	}
	var active bool
	var pid *int32
	err = conn.QueryRow(ctx, `SELECT active, active_pid FROM pg_replication_slots WHERE slot_name = $1`, cfg.Slot).Scan(&active, &pid)
	if err == nil && active {
		p := int32(0)
		if pid != nil {
			p = *pid
		}
		out = append(out, keyError{KeySlotName, fmt.Sprintf("Slot name \"%s\" already exists and is active (PID %d); choose a unique slot.name", cfg.Slot, p)})
	} else if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		out = append(out, keyError{KeySlotName, err.Error()})
	}
	return append(out, checkReplicaIdentity(ctx, conn, cfg)...)
}

// checkReplicaIdentity reports captured tables whose UPDATE/DELETE would
// fail on the source or carry no key: REPLICA IDENTITY NOTHING, or DEFAULT
// without a primary key, when the publication publishes updates or deletes.
func checkReplicaIdentity(ctx context.Context, conn *pgx.Conn, cfg *Config) []keyError {
	if cfg.Skip['u'] && cfg.Skip['d'] {
		return nil
	}
	refs, err := listTables(ctx, conn, cfg.Filter)
	if err != nil {
		return []keyError{{KeyTableInclude, err.Error()}}
	}
	var out []keyError
	for _, r := range refs {
		var ident string
		var hasPK bool
		err := conn.QueryRow(ctx, `SELECT c.relreplident::text, EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary)
			FROM pg_class c WHERE c.oid = $1`, r.oid).Scan(&ident, &hasPK)
		if err != nil {
			continue
		}
		if ident == "n" || (ident == "d" && !hasPK) {
			out = append(out, keyError{KeyTableInclude, fmt.Sprintf(
				"Table %s.%s has REPLICA IDENTITY %s without a primary key: UPDATE and DELETE on it fail once it is published; "+
					"add a primary key or run ALTER TABLE %s REPLICA IDENTITY FULL, or exclude it",
				r.schema, r.name, map[string]string{"n": "NOTHING", "d": "DEFAULT"}[ident], pgx.Identifier{r.schema, r.name}.Sanitize())})
		}
	}
	return out
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
