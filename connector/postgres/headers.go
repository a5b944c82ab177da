package postgres

import (
	"crypto/rand"
	"fmt"
	"strconv"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/data"
)

// Debezium's context headers (DebeziumHeaders), added to data change records
// and their tombstones since 3.2.0 (switchable by extended.headers.enabled
// from 3.3), not to heartbeat, transaction or logical decoding message
// records. runId exists from 3.4.
const (
	headerLogicalName   = "__debezium.context.connectorLogicalName"
	headerTaskID        = "__debezium.context.taskId"
	headerConnectorName = "__debezium.context.connectorName"
	headerRunID         = "__debezium.context.runId"
)

// contextHeaders returns the headers every change record of this task run
// carries, or nil when they are off. Records share the slice; its capacity
// equals its length, so a transformation that appends copies it.
func contextHeaders(cfg *Config, taskID int, runID string) connector.Headers {
	if !cfg.ExtendedHeaders {
		return nil
	}
	h := connector.Headers{
		{Key: headerLogicalName, Schema: data.StringSchema, Value: cfg.Prefix},
		{Key: headerTaskID, Schema: data.StringSchema, Value: strconv.Itoa(taskID)},
		// CommonConnectorConfig.getConnectorName(): the module name, as source.connector.
		{Key: headerConnectorName, Schema: data.StringSchema, Value: "postgresql"},
	}
	if cfg.Compat == "3.5" && runID != "" {
		h = append(h, connector.Header{Key: headerRunID, Schema: data.StringSchema, Value: runID})
	}
	return h[:len(h):len(h)]
}

// withContext appends the context headers to a record's own headers (the
// primary-key change headers come first).
func withContext(own, ctx connector.Headers) connector.Headers {
	if len(ctx) == 0 {
		return own
	}
	out := make(connector.Headers, 0, len(own)+len(ctx))
	return append(append(out, own...), ctx...)
}

// newRunID returns a random (version 4) UUID in its text form.
func newRunID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return ""
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
