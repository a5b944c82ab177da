package postgres

import (
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/wharf-project/wharf/connector/config"
)

// Configuration keys. Names, defaults and meanings are Debezium's
// (PostgresConnectorConfig, CommonConnectorConfig) unless marked Wharf.
const (
	// KeyHostname is the PostgreSQL host. Required.
	KeyHostname = "database.hostname"
	// KeyPort is the PostgreSQL port. Default 5432.
	KeyPort = "database.port"
	// KeyUser needs REPLICATION, CREATE on the database (publication) and SELECT on tables. Required.
	KeyUser = "database.user"
	// KeyPassword is the user's password. Default none.
	KeyPassword = "database.password"
	// KeyDBName is the database to capture; also source.db. Required.
	KeyDBName = "database.dbname"
	// KeySSLMode is libpq's sslmode: disable, allow, prefer, require, verify-ca, verify-full. Default prefer.
	KeySSLMode = "database.sslmode"
	// KeyTopicPrefix namespaces topics, schema names, source.name and the offset partition. Required.
	KeyTopicPrefix = "topic.prefix"
	// KeyServerName is the Debezium 1.x name of topic.prefix, used only when topic.prefix is absent.
	KeyServerName = "database.server.name"
	// KeyPluginName is the logical decoding plug-in. Debezium's default is decoderbufs;
	// Wharf supports pgoutput only and treats a missing key as pgoutput with a warning.
	KeyPluginName = "plugin.name"
	// KeySlotName is the logical replication slot. Default debezium.
	KeySlotName = "slot.name"
	// KeySlotDropOnStop drops the slot when the task stops gracefully. Default false.
	KeySlotDropOnStop = "slot.drop.on.stop"
	// KeyPublicationName is the pgoutput publication. Default dbz_publication.
	KeyPublicationName = "publication.name"
	// KeyPublicationAutocreate is all_tables, filtered or disabled. Default all_tables.
	KeyPublicationAutocreate = "publication.autocreate.mode"
	// KeySchemaInclude is a list of regexes full-matched (case-insensitive) against schema names.
	KeySchemaInclude = "schema.include.list"
	// KeySchemaExclude excludes schemas; ignored when schema.include.list is set.
	KeySchemaExclude = "schema.exclude.list"
	// KeyTableInclude is a list of regexes full-matched against "schema.table".
	KeyTableInclude = "table.include.list"
	// KeyTableExclude excludes tables; ignored when table.include.list is set.
	KeyTableExclude = "table.exclude.list"
	// KeyColumnInclude is a list of regexes full-matched against "schema.table.column".
	KeyColumnInclude = "column.include.list"
	// KeyColumnExclude excludes columns from values; key columns stay in keys.
	KeyColumnExclude = "column.exclude.list"
	// KeyMessageKeyColumns sets custom keys: "s.t:c1,c2;s2.t2:c".
	KeyMessageKeyColumns = "message.key.columns"
	// KeySnapshotMode is initial, initial_only, no_data, never, always or when_needed. Default initial.
	KeySnapshotMode = "snapshot.mode"
	// KeySnapshotMaxThreads is the number of connections that read snapshot
	// tables in parallel, all inside the slot's exported snapshot. Default 1.
	KeySnapshotMaxThreads = "snapshot.max.threads"
	// KeyTombstonesOnDelete emits a null-value record after each delete. Default true.
	KeyTombstonesOnDelete = "tombstones.on.delete"
	// KeyHeartbeatInterval emits heartbeat records every N ms; 0 disables. Default 0.
	KeyHeartbeatInterval = "heartbeat.interval.ms"
	// KeyHeartbeatActionQuery is SQL run on the source at each heartbeat.
	KeyHeartbeatActionQuery = "heartbeat.action.query"
	// KeyHeartbeatTopicPrefix names the heartbeat topic "<prefix>.<topic.prefix>". Default __debezium-heartbeat.
	KeyHeartbeatTopicPrefix = "topic.heartbeat.prefix"
	// KeyDecimalMode is precise, double or string. Default precise.
	KeyDecimalMode = "decimal.handling.mode"
	// KeyTimePrecisionMode is adaptive, adaptive_time_microseconds or connect. Default adaptive.
	KeyTimePrecisionMode = "time.precision.mode"
	// KeyBinaryMode is bytes, base64, base64-url-safe or hex. Default bytes.
	KeyBinaryMode = "binary.handling.mode"
	// KeyIntervalMode is numeric (MicroDuration) or string (ISO-8601). Default numeric.
	KeyIntervalMode = "interval.handling.mode"
	// KeyHstoreMode is json or map. Default json.
	KeyHstoreMode = "hstore.handling.mode"
	// KeyMoneyFractionDigits is the scale of money values in precise mode. Default 2.
	KeyMoneyFractionDigits = "money.fraction.digits"
	// KeyUnavailablePlaceholder replaces unchanged TOAST values. Default __debezium_unavailable_value.
	KeyUnavailablePlaceholder = "unavailable.value.placeholder"
	// KeyMaxBatchSize is the most records one poll returns. Default 2048.
	KeyMaxBatchSize = "max.batch.size"
	// KeyMaxQueueSize bounds records buffered between the replication reader and poll. Default 8192.
	KeyMaxQueueSize = "max.queue.size"
	// KeyMaxQueueSizeInBytes bounds the bytes of those records too (0: off). Default 0.
	KeyMaxQueueSizeInBytes = "max.queue.size.in.bytes"
	// KeyPollInterval is how long a poll waits for records. Default 500.
	KeyPollInterval = "poll.interval.ms"
	// KeyProvideTxMetadata emits BEGIN/END events and the transaction block. Default false.
	KeyProvideTxMetadata = "provide.transaction.metadata"
	// KeyTopicTransaction names the transaction topic "<topic.prefix>.<name>". Default transaction.
	KeyTopicTransaction = "topic.transaction"
	// KeySkippedOperations lists r, c, u, d, t (or none alone) not emitted while streaming; "r" is
	// accepted as Debezium does but snapshot reads are never skipped. Default t.
	KeySkippedOperations = "skipped.operations"
	// KeyStatusUpdateInterval is the period of standby status updates. Default 10000.
	KeyStatusUpdateInterval = "status.update.interval.ms"
	// KeyRetriableBackoff is the wait before reconnecting after a lost connection. Default 10000.
	KeyRetriableBackoff = "retriable.restart.connector.wait.ms"
	// KeyCompatVersion (Wharf) selects the event layout: 2.7, 3.1 (3.1–3.4) or 3.5 (3.5+). Default 3.1.
	KeyCompatVersion = "compat.version"
	// KeyExtendedHeaders adds the __debezium.context.* headers to data change
	// records (Debezium 3.3+ key; the headers exist since 3.2.0). Default:
	// false with compat.version 2.7 and 3.1 (3.1.3.Final has no such headers),
	// true with 3.5 (which also adds runId, as 3.4+ does).
	KeyExtendedHeaders = "extended.headers.enabled"
	// KeyMessagePrefixInclude lists regexes (full match, case-insensitive) of
	// logical decoding message prefixes to capture. Default all.
	KeyMessagePrefixInclude = "message.prefix.include.list"
	// KeyMessagePrefixExclude lists prefixes not to capture; not together
	// with message.prefix.include.list.
	KeyMessagePrefixExclude = "message.prefix.exclude.list"
)

// Key prefixes Debezium users may carry over. topic.creation.default.* is
// the runtime's business; the history keys do not apply to PostgreSQL.
var ignoredPrefixes = [...]string{"schema.history.internal.", "database.history."}

func configDef() *config.Def {
	d := config.NewDef()
	def := func(name string, t config.Type, dflt any, imp config.Importance, doc string, v config.Validator) {
		d.Define(config.Key{Name: name, Type: t, Default: dflt, Importance: imp, Doc: doc, Validator: v, Group: "Postgres"})
	}
	def(KeyHostname, config.String, config.NoDefault, config.High, "Resolvable hostname or IP address of the database server.", config.NonEmptyString)
	def(KeyPort, config.Int, "5432", config.High, "Port of the database server.", config.Between(1, 65535))
	def(KeyUser, config.String, config.NoDefault, config.High, "Name of the database user to be used when connecting to the database.", nil)
	def(KeyPassword, config.Password, nil, config.High, "Password of the database user to be used when connecting to the database.", nil)
	def(KeyDBName, config.String, config.NoDefault, config.High, "The name of the database from which the connector should capture changes.", config.NonEmptyString)
	def(KeySSLMode, config.String, "prefer", config.Medium, "Whether to use an encrypted connection to the server.",
		config.OneOfIgnoreCase("disable", "allow", "prefer", "require", "verify-ca", "verify-full"))
	def(KeyTopicPrefix, config.String, nil, config.High, "Topic prefix that identifies and provides a namespace for the database server.", validTopicPrefix)
	def(KeyServerName, config.String, nil, config.Low, "Deprecated name of topic.prefix.", validTopicPrefix)
	def(KeyPluginName, config.String, nil, config.Medium, "The name of the Postgres logical decoding plugin; Wharf supports pgoutput.", validPlugin)
	def(KeySlotName, config.String, "debezium", config.Medium, "The name of the Postgres logical decoding slot.", validSlotName)
	def(KeySlotDropOnStop, config.Boolean, "false", config.Medium, "Whether to drop the logical replication slot when the connector finishes orderly.", nil)
	def(KeyPublicationName, config.String, "dbz_publication", config.Medium, "The name of the Postgres publication used by pgoutput.", config.NonEmptyString)
	def(KeyPublicationAutocreate, config.String, "all_tables", config.Medium, "Applies only when streaming changes using pgoutput: all_tables, filtered or disabled.",
		config.OneOfIgnoreCase("all_tables", "filtered", "disabled"))
	for _, k := range []string{KeySchemaInclude, KeySchemaExclude, KeyTableInclude, KeyTableExclude, KeyColumnInclude, KeyColumnExclude} {
		def(k, config.List, nil, config.Medium, "Comma-separated regular expressions (full match, case-insensitive).", config.ValidRegex)
	}
	def(KeyMessageKeyColumns, config.String, nil, config.Low, "Custom key columns: <schema>.<table>:<col>,<col>;...", validKeyColumns)
	def(KeySnapshotMode, config.String, "initial", config.Low, "When to take a snapshot: initial, initial_only, no_data, never, always, when_needed.",
		config.OneOfIgnoreCase("initial", "initial_only", "no_data", "never", "always", "when_needed"))
	def(KeySnapshotMaxThreads, config.Int, "1", config.Low, "The maximum number of threads used to perform the snapshot; tables are read in parallel.", config.AtLeast(1))
	def(KeyTombstonesOnDelete, config.Boolean, "true", config.Medium, "Whether delete operations should be represented by a delete event and a subsequent tombstone event.", nil)
	def(KeyHeartbeatInterval, config.Int, "0", config.Medium, "Length of an interval in milli-seconds in which the connector periodically sends heartbeat messages.", config.AtLeast(0))
	def(KeyHeartbeatActionQuery, config.String, nil, config.Low, "The query executed with every heartbeat.", nil)
	def(KeyHeartbeatTopicPrefix, config.String, "__debezium-heartbeat", config.Low, "The prefix that is used to name heartbeat topics.", nil)
	def(KeyDecimalMode, config.String, "precise", config.Medium, "How decimal values are represented: precise, double or string.",
		config.OneOfIgnoreCase("precise", "double", "string"))
	def(KeyTimePrecisionMode, config.String, "adaptive", config.Medium, "Time, date and timestamp representation: adaptive, adaptive_time_microseconds or connect.",
		config.OneOfIgnoreCase("adaptive", "adaptive_time_microseconds", "connect"))
	def(KeyBinaryMode, config.String, "bytes", config.Low, "Binary representation: bytes, base64, base64-url-safe or hex.",
		config.OneOfIgnoreCase("bytes", "base64", "base64-url-safe", "hex"))
	def(KeyIntervalMode, config.String, "numeric", config.Low, "Interval representation: numeric or string.", config.OneOfIgnoreCase("numeric", "string"))
	def(KeyHstoreMode, config.String, "json", config.Low, "hstore representation: json or map.", config.OneOfIgnoreCase("json", "map"))
	def(KeyMoneyFractionDigits, config.Int, "2", config.Low, "Number of fractional digits for money in precise mode.", config.AtLeast(0))
	def(KeyUnavailablePlaceholder, config.String, "__debezium_unavailable_value", config.Low, "Placeholder for unchanged TOAST values.", nil)
	def(KeyMaxBatchSize, config.Int, "2048", config.Medium, "Maximum size of each batch of source records.", config.AtLeast(1))
	def(KeyMaxQueueSize, config.Int, "8192", config.Medium, "Maximum size of the queue for change events read from the database log; must be larger than max.batch.size.", config.AtLeast(1))
	def(KeyMaxQueueSizeInBytes, config.Long, "0", config.Medium, "Maximum size in bytes of the queue of change events read from the database log (an estimate of their memory, as Debezium makes it); 0 turns the bound off.", config.AtLeast(0))
	def(KeyPollInterval, config.Long, "500", config.Medium, "Time to wait for new change events to appear after receiving no events, in milliseconds.", config.AtLeast(1))
	def(KeyProvideTxMetadata, config.Boolean, "false", config.Low, "Enables transaction metadata extraction together with event counting.", nil)
	def(KeyTopicTransaction, config.String, "transaction", config.Low, "The name of the transaction metadata topic suffix.", nil)
	def(KeySkippedOperations, config.List, "t", config.Low, "Operations to skip while streaming: r, c, u, d, t or none.", validSkipped)
	def(KeyStatusUpdateInterval, config.Int, "10000", config.Low, "Frequency of standby status updates to the server, in milliseconds.", config.AtLeast(1))
	def(KeyRetriableBackoff, config.Long, "10000", config.Low, "Time to wait before reconnecting after a retriable error, in milliseconds.", config.AtLeast(0))
	def(KeyExtendedHeaders, config.Boolean, nil, config.Low, "Whether to add the __debezium.context.* headers to change events; default depends on compat.version.", nil)
	def(KeyMessagePrefixInclude, config.List, nil, config.Medium, "Regular expressions matching the logical decoding message prefixes to capture.", config.ValidRegex)
	def(KeyMessagePrefixExclude, config.List, nil, config.Medium, "Regular expressions matching the logical decoding message prefixes not to capture.", config.ValidRegex)
	def(KeyCompatVersion, config.String, "3.1", config.Low, "Wharf: Debezium event layout to produce: 2.7, 3.1 (3.1-3.4) or 3.5 (3.5+).", config.OneOf("2.7", "3.1", "3.5"))
	return d
}

var (
	topicPrefixRe = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
	slotNameRe    = regexp.MustCompile(`^[a-z0-9_]{1,63}$`)
)

func validTopicPrefix(_ string, v any) error {
	if s, _ := v.(string); s != "" && !topicPrefixRe.MatchString(s) {
		return fmt.Errorf("Topic prefix may only contain alphanumeric characters, '.', '_' and '-'")
	}
	return nil
}

func validSlotName(_ string, v any) error {
	if s, _ := v.(string); !slotNameRe.MatchString(s) {
		return fmt.Errorf("Valid replication slot name must contain only digits, lowercase characters and underscores with length <= 63")
	}
	return nil
}

func validPlugin(_ string, v any) error {
	switch s, _ := v.(string); strings.ToLower(s) {
	case "pgoutput":
		return nil
	case "decoderbufs", "wal2json", "wal2json_streaming", "wal2json_rds", "wal2json_rds_streaming":
		return fmt.Errorf("Wharf supports only the pgoutput plug-in (built into PostgreSQL 10+); set plugin.name=pgoutput")
	default:
		return fmt.Errorf("String must be one of: pgoutput")
	}
}

// validSkipped accepts what Debezium's validateSkippedOperation does: r, c,
// u, d, t, or none alone. Logical decoding messages ("m") cannot be skipped
// this way; message.prefix.*.list filters them.
func validSkipped(_ string, v any) error {
	l, _ := v.([]string)
	none, ops := false, false
	for _, s := range l {
		switch strings.TrimSpace(s) {
		case "none":
			none = true
		case "r", "c", "u", "d", "t":
			ops = true
		default:
			return fmt.Errorf("Invalid operation: '%s'; allowed: r, c, u, d, t, none", s)
		}
	}
	if none && ops {
		return fmt.Errorf("'none' cannot be specified with other skipped operation types")
	}
	return nil
}

func validKeyColumns(_ string, v any) error {
	s, _ := v.(string)
	_, err := parseKeyColumns(s)
	return err
}

// Config is the parsed connector configuration.
type Config struct {
	Host, User, Password, DBName, SSLMode string
	Port                                  int
	Prefix                                string
	Slot, Publication, PubMode            string
	SlotDropOnStop                        bool
	Filter                                *Filter
	KeyColumns                            []keyColumns
	SnapshotMode                          string
	SnapshotThreads                       int
	Tombstones                            bool
	Heartbeat                             time.Duration
	HeartbeatQuery, HeartbeatTopic        string
	DecimalMode, TimeMode, BinaryMode     string
	IntervalMode, HstoreMode              string
	MoneyDigits                           int
	Placeholder                           string
	MaxBatch, MaxQueue                    int
	MaxQueueBytes                         int64 // 0: no bound in bytes
	PollInterval, StatusInterval, Backoff time.Duration
	TxMetadata                            bool
	TxTopic                               string
	Skip                                  [256]bool // by op byte
	Compat                                string    // 2.7, 3.1, 3.5
	ExtendedHeaders                       bool
	MessagePrefixes                       *prefixFilter
}

// errQueueNotLarger is Debezium's problem text for max.queue.size ≤
// max.batch.size (CommonConnectorConfig.validateMaxQueueSize): a poll could
// never fill a batch.
const errQueueNotLarger = "Must be larger than the maximum batch size"

// invalidValueError is a value that Debezium's validation rejects: Validate
// reports problem on key, a task start fails with Debezium's sentence.
type invalidValueError struct{ key, problem string }

func (e *invalidValueError) Error() string {
	return fmt.Sprintf("The '%s' value is invalid: %s", e.key, e.problem)
}

// parseConfig parses props once at start; log receives the one-line
// warnings about keys Wharf accepts but does not act on.
func parseConfig(props map[string]string, log *slog.Logger) (*Config, error) {
	v, err := configDef().Parse(props)
	if err != nil {
		return nil, err
	}
	c := &Config{
		Host: v.String(KeyHostname), Port: v.Int(KeyPort), User: v.String(KeyUser),
		Password: v.Password(KeyPassword), DBName: v.String(KeyDBName), SSLMode: strings.ToLower(v.String(KeySSLMode)),
		Prefix: v.String(KeyTopicPrefix), Slot: v.String(KeySlotName), Publication: v.String(KeyPublicationName),
		PubMode: strings.ToLower(v.String(KeyPublicationAutocreate)), SlotDropOnStop: v.Bool(KeySlotDropOnStop),
		SnapshotMode: strings.ToLower(v.String(KeySnapshotMode)), SnapshotThreads: v.Int(KeySnapshotMaxThreads), Tombstones: v.Bool(KeyTombstonesOnDelete),
		Heartbeat:      time.Duration(v.Int(KeyHeartbeatInterval)) * time.Millisecond,
		HeartbeatQuery: v.String(KeyHeartbeatActionQuery),
		DecimalMode:    strings.ToLower(v.String(KeyDecimalMode)), TimeMode: strings.ToLower(v.String(KeyTimePrecisionMode)),
		BinaryMode: strings.ToLower(v.String(KeyBinaryMode)), IntervalMode: strings.ToLower(v.String(KeyIntervalMode)),
		HstoreMode: strings.ToLower(v.String(KeyHstoreMode)), MoneyDigits: v.Int(KeyMoneyFractionDigits),
		Placeholder: v.String(KeyUnavailablePlaceholder), MaxBatch: v.Int(KeyMaxBatchSize), MaxQueue: v.Int(KeyMaxQueueSize),
		MaxQueueBytes:  v.Long(KeyMaxQueueSizeInBytes),
		PollInterval:   time.Duration(v.Long(KeyPollInterval)) * time.Millisecond,
		StatusInterval: time.Duration(v.Int(KeyStatusUpdateInterval)) * time.Millisecond,
		Backoff:        time.Duration(v.Long(KeyRetriableBackoff)) * time.Millisecond,
		TxMetadata:     v.Bool(KeyProvideTxMetadata), Compat: v.String(KeyCompatVersion),
	}
	if c.MaxQueue <= c.MaxBatch {
		return nil, &invalidValueError{KeyMaxQueueSize, errQueueNotLarger}
	}
	if c.Prefix == "" {
		c.Prefix = v.String(KeyServerName)
		if c.Prefix == "" {
			return nil, config.MissingRequired(KeyTopicPrefix)
		}
		log.Warn("postgres: topic.prefix is not set; using the deprecated database.server.name", "prefix", c.Prefix)
	}
	if v.String(KeyPluginName) == "" {
		log.Warn("postgres: plugin.name is not set; Debezium's default is decoderbufs, Wharf supports only pgoutput and uses it")
	}
	c.HeartbeatTopic = v.String(KeyHeartbeatTopicPrefix) + "." + c.Prefix
	c.TxTopic = c.Prefix + "." + v.String(KeyTopicTransaction)
	for _, op := range v.List(KeySkippedOperations) {
		if op = strings.TrimSpace(op); len(op) == 1 {
			c.Skip[op[0]] = true
		}
	}
	c.ExtendedHeaders = c.Compat == "3.5"
	if _, set := props[KeyExtendedHeaders]; set {
		c.ExtendedHeaders = v.Bool(KeyExtendedHeaders)
	}
	in, ex := v.List(KeyMessagePrefixInclude), v.List(KeyMessagePrefixExclude)
	if len(in) > 0 && len(ex) > 0 {
		return nil, config.InvalidValue(KeyMessagePrefixExclude, strings.Join(ex, ","),
			"\"message.prefix.include.list\" is already specified; use only one of the two lists")
	}
	if c.MessagePrefixes, err = newPrefixFilter(in, ex); err != nil {
		return nil, err
	}
	if c.Filter, err = newFilter(v.List(KeySchemaInclude), v.List(KeySchemaExclude), v.List(KeyTableInclude),
		v.List(KeyTableExclude), v.List(KeyColumnInclude), v.List(KeyColumnExclude)); err != nil {
		return nil, err
	}
	if c.KeyColumns, err = parseKeyColumns(v.String(KeyMessageKeyColumns)); err != nil {
		return nil, config.InvalidValue(KeyMessageKeyColumns, v.String(KeyMessageKeyColumns), err.Error())
	}
	logged := false
	for _, k := range config.SortedKeys(props) {
		for _, p := range ignoredPrefixes {
			if strings.HasPrefix(k, p) && !logged {
				log.Info("postgres: ignoring schema history settings; PostgreSQL needs no schema history", "key", k)
				logged = true
			}
		}
	}
	return c, nil
}

// keyColumns is one message.key.columns entry: a table regex (full match,
// case-insensitive, against "schema.table") and its key columns.
type keyColumns struct {
	table *regexp.Regexp
	cols  []string
}

// parseKeyColumns parses message.key.columns ("s.t:c1,c2;s2.t2:c").
func parseKeyColumns(s string) ([]keyColumns, error) {
	var out []keyColumns
	for _, part := range strings.Split(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		tbl, cols, ok := strings.Cut(part, ":")
		if !ok || strings.TrimSpace(tbl) == "" || strings.TrimSpace(cols) == "" {
			return nil, fmt.Errorf("must be <schema>.<table>:<column>[,<column>...] entries separated by ';', got %q", part)
		}
		re, err := compileAll([]string{tbl})
		if err != nil {
			return nil, err
		}
		kc := keyColumns{table: re[0]}
		for _, c := range strings.Split(cols, ",") {
			if c = strings.TrimSpace(c); c != "" {
				kc.cols = append(kc.cols, c)
			}
		}
		out = append(out, kc)
	}
	return out, nil
}

// keyColumnsFor returns the configured key columns of schema.table, if any.
func (c *Config) keyColumnsFor(schema, table string) ([]string, bool) {
	id := schema + "." + table
	for _, kc := range c.KeyColumns {
		if kc.table.MatchString(id) {
			return kc.cols, true
		}
	}
	return nil, false
}
