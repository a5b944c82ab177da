// Package postgres is Wharf's Debezium-compatible PostgreSQL change data
// capture source, io.debezium.connector.postgresql.PostgresConnector, built
// on pgx v5 and pglogrepl with the pgoutput plug-in (protocol v1).
//
// Records match Debezium 3.1.3.Final (compat.version=3.1, the default, named
// for the 3.1–3.4 envelope layout); 2.7 and 3.5+ layouts are selectable. The
// runner goroutine creates the publication, then the slot with an exported
// snapshot, reads the snapshot inside it (op "r"), then streams from the
// slot's consistent point, so the snapshot and the stream neither overlap
// nor leave a gap. Values from the snapshot and from the stream are both
// decoded from PostgreSQL's text output through one code path (types.go,
// decode.go). snapshot.mode initial, initial_only (snapshot, never stream),
// no_data/never, always (at every task start) and when_needed (also when
// the slot or its WAL is gone) behave as Debezium's. The snapshot is read by
// snapshot.max.threads readers (the runner's connection and threads-1 more
// that import its snapshot), big tables with an integer key in ~2k-row key
// ranges; the readers build the records, which leave in table and range
// order with Debezium's first/last markers (snapshot.go, snapshot_parallel.go).
//
// Records wait for Poll in a queue of max.queue.size records and, when
// max.queue.size.in.bytes is set, of that many bytes as data.SizeOf
// estimates them (values, not schemas, as Debezium's estimate): a record
// waits while the queue holds the limit, so one larger than it still
// passes alone (queue.go). The snapshot readers' read-ahead stays within
// the same two bounds.
//
// Offsets are Debezium's ({"lsn_proc","lsn_commit","lsn","txId","ts_usec",
// "messageType"} under {"server":"<topic.prefix>"}, plus "transaction_id"
// and "transaction_data_collection_order_<schema.table>" while a transaction
// is open with provide.transaction.metadata); the slot is confirmed only up
// to LSNs whose offsets the runtime reported durable through CommitOffsets.
// Delivery is at least once: after a restart the event at the last stored
// LSN is emitted again. After a restart source.sequence starts with the
// stored lsn_commit (lsn_proc when absent), as Debezium's offset loader does.
//
// Transaction metadata follows PostgresTransactionMonitor: BEGIN and END for
// every transaction the slot sends (also those without captured changes),
// ids "<xid>:<lsn>" with the LSN of each record, END data_collections in
// java.util.HashMap order.
//
// Logical decoding messages (pg_logical_emit_message, PostgreSQL 14+) become
// op "m" records on "<topic.prefix>.message" (key MessageKey{prefix}, value
// MessageValue{op, ts_ms, source, transaction (3.0+), message{prefix,
// content}}), filtered by message.prefix.include.list/exclude.list (not
// both); a non-transactional message counts as its own commit and has no
// txId. skipped.operations accepts r, c, u, d, t or none, as Debezium's
// validator does, so messages ("m") cannot be skipped through it.
//
// The __debezium.context.* headers (connectorLogicalName, taskId,
// connectorName; runId in the 3.5 layout) appear on change records and
// their tombstones when extended.headers.enabled is true, its default in the
// 3.5 layout only: Debezium added them in 3.2.0 (3.2.0.Beta2, OpenLineage),
// so 3.1.3 has none; set extended.headers.enabled=true for 3.2–3.3 output.
//
// Column defaults become schema defaults as PostgresDefaultValueConverter
// computes them (defaults.go). bit(n>1)/varbit are io.debezium.data.Bits;
// tsvector is left out in the 2.7 and 3.1 layouts and io.debezium.data.
// Tsvector in 3.5; ±infinity dates map to Debezium's LocalDate sentinels.
//
// Deviations from Debezium: a missing plugin.name means pgoutput (Debezium
// defaults to decoderbufs) with a warning; a snapshot on an existing slot
// (no offsets yet after a crash, or snapshot.mode=always) keeps the slot,
// reads the snapshot in its own transaction and then streams from the
// slot's confirmed position, so changes committed before the snapshot are
// delivered again rather than lost (Debezium skips WAL before the new
// snapshot, which drops deletes in between); heartbeats carry the last keepalive WAL position while no
// transaction is open, so an idle or filtered-only slot advances once the
// heartbeat's offset is committed; after a restart in the middle of a
// transaction Wharf emits no second BEGIN and continues the transaction's
// counters from the offset (Debezium's PostgreSQL connector replays BEGIN
// and restarts them at 1, per its PostgresStreamingChangeEventSource and
// PgOutputMessageDecoder), and re-emits the event at the stored LSN with
// its original numbers; logical decoding messages count under the data
// collection "LOGICAL_DECODING_MESSAGE" (Debezium uses a Java object
// identity string per message); infinite dates inside arrays stay null;
// +infinity dates keep 3.x's sentinel in every layout (Debezium's main
// branch fixes its sign, dbz#2524); the order of context headers after the primary-key
// change headers is Wharf's choice.
package postgres
