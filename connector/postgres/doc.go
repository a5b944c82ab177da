// Package postgres is Wharf's Debezium-compatible PostgreSQL change data
// capture source, io.debezium.connector.postgresql.PostgresConnector, built
// on pgx v5 and pglogrepl with the pgoutput plug-in (protocol v1).
//
// Records match Debezium 3.1–3.4 (compat.version=3.1, the default); 2.7
// and 3.5+ layouts are selectable. The runner goroutine creates the
// publication, then the slot with an exported snapshot, reads the snapshot
// inside it (op "r"), then streams from the slot's consistent point, so the
// snapshot and the stream neither overlap nor leave a gap. Values from the
// snapshot and from the stream are both decoded from PostgreSQL's text
// output through one code path (types.go, decode.go).
//
// Offsets are Debezium's ({"lsn_proc","lsn_commit","lsn","txId","ts_usec",
// "messageType"} under {"server":"<topic.prefix>"}); the slot is confirmed
// only up to LSNs whose offsets the runtime reported durable through
// CommitOffsets. Delivery is at least once: after a restart the event at the
// last stored LSN may be emitted again.
//
// With snapshot.max.threads > 1, extra connections import the same exported
// snapshot and read tables in parallel, big tables with an integer primary
// key in key-range chunks; rows are still emitted table by table in chunk
// order, so snapshot markers are exact.
//
// Deviations from Debezium: a missing plugin.name means pgoutput (Debezium
// defaults to decoderbufs) with a warning; a snapshot on an existing slot
// drops and recreates the slot to get an exported snapshot (no gap, no
// overlap); heartbeats carry the last keepalive WAL position while no
// transaction is open, so an idle or filtered-only slot advances once the
// heartbeat's offset is committed.
package postgres
