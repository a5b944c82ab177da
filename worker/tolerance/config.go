package tolerance

import (
	"fmt"
	"strings"
	"time"

	"github.com/wharf-project/wharf/connector/config"
)

// Connector configuration keys of Connect's "Error Handling" group
// (ConnectorConfig and SinkConnectorConfig).
const (
	// KeyRetryTimeout is errors.retry.timeout (LONG, ms, default 0: no
	// retries; -1: retry forever): how long a failed operation is retried.
	KeyRetryTimeout = "errors.retry.timeout"
	// KeyRetryDelayMax is errors.retry.delay.max.ms (LONG, default 60000):
	// the longest wait between two retries.
	KeyRetryDelayMax = "errors.retry.delay.max.ms"
	// KeyTolerance is errors.tolerance (none|all, default none): whether a
	// failing record fails the task or is skipped.
	KeyTolerance = "errors.tolerance"
	// KeyLogEnable is errors.log.enable (BOOLEAN, default false): log each
	// error with its operation and record.
	KeyLogEnable = "errors.log.enable"
	// KeyLogIncludeMessages is errors.log.include.messages (BOOLEAN, default
	// false): include the failing record in the log.
	KeyLogIncludeMessages = "errors.log.include.messages"
	// KeyDLQTopic is errors.deadletterqueue.topic.name (STRING, default ""):
	// sink connectors write failing records there; empty means no DLQ.
	KeyDLQTopic = "errors.deadletterqueue.topic.name"
	// KeyDLQReplicationFactor is errors.deadletterqueue.topic.replication.factor
	// (SHORT, default 3), used when the DLQ topic has to be created.
	KeyDLQReplicationFactor = "errors.deadletterqueue.topic.replication.factor"
	// KeyDLQContextHeaders is errors.deadletterqueue.context.headers.enable
	// (BOOLEAN, default false): add __connect.errors.* headers to DLQ records.
	KeyDLQContextHeaders = "errors.deadletterqueue.context.headers.enable"
)

// Group is the ConfigDef group of the keys.
const Group = "Error Handling"

// Tolerance is the value of errors.tolerance.
type Tolerance string

const (
	// None fails the task on the first error.
	None Tolerance = "none"
	// All skips records that fail.
	All Tolerance = "all"
)

// Config is the parsed error-handling configuration of a connector.
type Config struct {
	Tolerance          Tolerance
	RetryTimeout       time.Duration // 0: no retries; negative: forever
	RetryDelayMax      time.Duration
	LogEnable          bool
	LogIncludeMessages bool
	DLQTopic           string // sinks only; "" disables the DLQ
	DLQReplication     int16
	DLQContextHeaders  bool
}

// DefaultConfig is what an empty configuration parses to.
func DefaultConfig() Config {
	return Config{Tolerance: None, RetryDelayMax: 60 * time.Second, DLQReplication: 3}
}

// ConfigDef returns the keys with Kafka's docs, defaults, order and display
// names (the first five from ConnectorConfig, the DLQ ones from
// SinkConnectorConfig, which numbers them 6 to 8).
func ConfigDef() *config.Def {
	d := config.NewDef()
	d.Define(config.Key{Name: KeyRetryTimeout, Type: config.Long, Default: int64(0), Importance: config.Medium,
		Doc: "The maximum duration in milliseconds that a failed operation will be reattempted. " +
			"The default is 0, which means no retries will be attempted. Use -1 for infinite retries.",
		Group: Group, OrderInGroup: 1, Width: config.WidthMedium, DisplayName: "Retry Timeout for Errors"})
	d.Define(config.Key{Name: KeyRetryDelayMax, Type: config.Long, Default: int64(60000), Importance: config.Medium,
		Doc: "The maximum duration in milliseconds between consecutive retry attempts. " +
			"Jitter will be added to the delay once this limit is reached to prevent thundering herd issues.",
		Group: Group, OrderInGroup: 2, Width: config.WidthMedium, DisplayName: "Maximum Delay Between Retries for Errors"})
	d.Define(config.Key{Name: KeyTolerance, Type: config.String, Default: string(None),
		Validator: config.OneOf(string(None), string(All)), Importance: config.Medium,
		Doc: "Behavior for tolerating errors during connector operation. 'none' is the default value " +
			"and signals that any error will result in an immediate connector task failure; " +
			"'all' changes the behavior to skip over problematic records.",
		Group: Group, OrderInGroup: 3, Width: config.WidthShort, DisplayName: "Error Tolerance"})
	d.Define(config.Key{Name: KeyLogEnable, Type: config.Boolean, Default: false, Importance: config.Medium,
		Doc: "If true, write each error and the details of the failed operation and problematic record " +
			"to the Connect application log. This is 'false' by default, so that only errors that are not tolerated are reported.",
		Group: Group, OrderInGroup: 4, Width: config.WidthShort, DisplayName: "Log Errors"})
	d.Define(config.Key{Name: KeyLogIncludeMessages, Type: config.Boolean, Default: false, Importance: config.Medium,
		Doc: "Whether to the include in the log the Connect record that resulted in a failure. " +
			"This is 'false' by default, which will prevent record keys, values, and headers from being written to log files, " +
			"although some information such as topic and partition number will still be logged.",
		Group: Group, OrderInGroup: 5, Width: config.WidthShort, DisplayName: "Log Error Details"})
	return d.Merge(SinkConfigDef())
}

// SinkConfigDef returns only the dead letter queue keys, which Connect
// defines for sink connectors alone.
func SinkConfigDef() *config.Def {
	d := config.NewDef()
	d.Define(config.Key{Name: KeyDLQTopic, Type: config.String, Default: "", Importance: config.Medium,
		Doc: "The name of the topic to be used as the dead letter queue (DLQ) for messages that " +
			"result in an error when processed by this sink connector, or its transformations or converters. " +
			"The topic name is blank by default, which means that no messages are to be recorded in the DLQ.",
		Group: Group, OrderInGroup: 6, Width: config.WidthMedium, DisplayName: "Dead Letter Queue Topic Name"})
	d.Define(config.Key{Name: KeyDLQReplicationFactor, Type: config.Short, Default: int16(3), Importance: config.Medium,
		Doc:   "Replication factor used to create the dead letter queue topic when it doesn't already exist.",
		Group: Group, OrderInGroup: 7, Width: config.WidthMedium, DisplayName: "Dead Letter Queue Topic Replication Factor"})
	d.Define(config.Key{Name: KeyDLQContextHeaders, Type: config.Boolean, Default: false, Importance: config.Medium,
		Doc: "If true, add headers containing error context to the messages written to the dead letter queue. " +
			"To avoid clashing with headers from the original record, all error context header keys, " +
			"all error context header keys will start with <code>__connect.errors.</code>",
		Group: Group, OrderInGroup: 8, Width: config.WidthMedium, DisplayName: "Enable Error Context Headers"})
	return d
}

// Parse reads the error-handling keys of a connector configuration.
func Parse(props map[string]string) (Config, error) {
	v, err := ConfigDef().Parse(props)
	if err != nil {
		return Config{}, fmt.Errorf("tolerance: %w", err)
	}
	c := Config{
		Tolerance:          Tolerance(v.String(KeyTolerance)),
		RetryTimeout:       time.Duration(v.Long(KeyRetryTimeout)) * time.Millisecond,
		RetryDelayMax:      time.Duration(v.Long(KeyRetryDelayMax)) * time.Millisecond,
		LogEnable:          v.Bool(KeyLogEnable),
		LogIncludeMessages: v.Bool(KeyLogIncludeMessages),
		DLQTopic:           strings.TrimSpace(v.String(KeyDLQTopic)),
		DLQContextHeaders:  v.Bool(KeyDLQContextHeaders),
	}
	if n, ok := v.Get(KeyDLQReplicationFactor).(int16); ok {
		c.DLQReplication = n
	}
	return c, nil
}
