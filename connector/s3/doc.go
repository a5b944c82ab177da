// Package s3 is a Confluent-compatible S3 sink: the class
// io.confluent.connect.s3.S3SinkConnector (alias S3SinkConnector), mirroring
// kafka-connect-s3 10.5.23 (storage-common 11.x/12.x partitioners). The same
// configuration keys are accepted with the same defaults, objects get the
// same keys, and files are cut at the same records, so a running Confluent
// connector can be switched to Wharf on the same consumer group.
//
// # Layout
//
// Keys are [<topics.dir><dd>]<topic><dd><encodedPartition><dd><topic><fd><partition><fd><startOffset %0Nd><ext>
// with Default (partition=N), Field (name=value…, dotted paths), TimeBased,
// Daily and Hourly partitioners (Joda path.format, Joda zone IDs, local-time
// bucket flooring as Joda across DST). Formats: JsonFormat (one value per
// line as JsonConverter with schemas.enable=false, optional gzip),
// ParquetFormat (typed nested columns with arrow-go pqarrow, or
// parquet-avro's layout with parquet.layout=avro), AvroFormat (goavro
// container files) and ByteArrayFormat. With store.kafka.keys and
// store.kafka.headers each file gets <name>.keys<ext> / <name>.headers<ext>
// companions (keys.format.class and headers.format.class: AvroFormat, the
// default, or JsonFormat; ByteArrayFormat for keys) holding the key, and
// the headers as an array of {key, value} strings, of every record of the
// value file, with the same boundaries. With behavior.on.null.values=write
// and store.kafka.keys, a tombstone file has only its companions, under
// tombstone.encoded.partition, so tombstones keep their key, as
// Confluent. A record without a key (or headers) is a data error (DLQ).
//
// parquet.layout=avro (Wharf key; default typed) writes what Confluent's
// ParquetFormat writes through AvroData and parquet-avro: the root message
// named after the Avro record full name (io.confluent.connect.avro.
// ConnectDefault when unnamed), 2-level lists (repeated <type> array)
// unless an array of the schema has optional items (then 3-level
// list/element for the whole file), MAP key_value groups for string keys
// and lists of MapEntry groups otherwise, BINARY DECIMAL(p,s) with p from
// connect.decimal.precision else 64, INT8/INT16 as plain INT32, Debezium
// semantic names as plain INT32/INT64 (only Connect's Date, Time and
// Timestamp are annotated), and the footer keys parquet.avro.schema (the
// AvroData schema: connect.name, connect.version, connect.parameters,
// optional fields as ["null", T] unions with default null) and
// writer.model.name=avro.
//
// # Rotation and commits
//
// Each assigned partition has a tpWriter, Confluent's TopicPartitionWriter.
// For each record, in this order: extract the timestamp and the encoded
// partition; rotate if the record switches between schema'd and
// null-schema; rotate on record time (rotate.interval.ms, time-based
// partitioners, also when the encoded partition changes) or on the
// wall-clock schedule (rotate.schedule.interval.ms); rotate if the value
// schema changes per schema.compatibility; then write the record (files are
// named after their first record) and rotate once flush.size records of the
// partition are written. A rotation completes every open file of the
// partition; only then does PreCommit return the offset after the last
// record written. Open files are never committed, so the consumer group's
// offset always sits on a file boundary. Empty batches (the runtime calls
// Put about every second) drive scheduled rotation of idle partitions.
//
// # Exactly-once conditions
//
// Every open file is a streaming multipart upload: nothing is visible until
// CompleteMultipartUpload (or a single PutObject for files under one part),
// which is atomic. After a crash at any point — records buffered, parts
// uploaded, files completed but offsets not yet committed — the next owner
// resumes from the committed offset (a file boundary), aborts the multipart
// uploads its predecessors left for the partition (Open), and, because
// boundaries and keys depend only on the records, rewrites identical
// objects under identical keys. Readers of the latest object versions thus
// see every record exactly once when:
//   - the partitioner is deterministic: Default, Field, or time-based with
//     timestamp.extractor=Record or RecordField (Wallclock is not);
//   - rotation uses flush.size, rotate.interval.ms (record time) and schema
//     changes only; rotate.schedule.interval.ms is wall-clock and gives
//     at-least-once (a replay may cut files elsewhere, leaving duplicates);
//   - flush.size, partitioner, path.format, topics.dir, delimiters, format
//     and codec do not change between runs, records are not removed from the
//     topic between the first write and the replay, and transformations are
//     deterministic;
//   - a zombie task that lost its partitions stops writing (Kafka fences
//     its commits, not its uploads);
//   - s3.memory.limit.bytes, when set, is large enough that no partition
//     rotates early (see Memory bound): an early rotation makes boundaries
//     depend on memory pressure.
//
// Conditional writes: with enable.conditional.writes (default true) and
// boundaries that may move on replay (rotate.schedule.interval.ms, or
// s3.memory.limit.bytes), files complete with If-None-Match: * once a
// probe (two puts of a scratch key under .wharf/, deleted after; once per
// connector instance) shows the store honours it. A 412 whose existing
// object has the ETag of the new content (MD5, or MD5 of part MD5s) is a
// replay of an identical file: success, no new object version, the
// multipart upload aborted. A 412 with other content means the replay cut
// the file elsewhere: the object is overwritten (logged). That loses
// nothing (the replay rewrites every record from the committed offset) but
// records in the earlier run's later files may be duplicated: at-least-once,
// as Confluent's rewind-and-scan, which instead keeps the existing object.
//
// Within a task, an S3 failure that the SDK's retries (s3.part.retries,
// s3.retry.backoff.ms) did not cure is returned as a RetriableError after
// retry.backoff.ms when it is transient (5xx, throttling, network): the
// buffered data and the half-done rotation stay in memory and are retried
// when the runtime redelivers the batch; records of the batch already
// handled are skipped by offset. Other failures (403, missing bucket) fail
// the task, whose restart recovers through the committed offsets as above.
//
// Beyond Confluent: part buffers grow lazily (no eager s3.part.size per
// file); files under one part are a single PutObject; stale multipart
// uploads of a partition are aborted on Open (MinIO lists uploads only
// bucket-wide, so Open lists the bucket once); S3 failures are resumable
// in place; PreCommit also commits past trailing ignored tombstones and
// errant records when no file is open, so they do not show as lag; and
// memory is bounded per connector (s3.memory.limit.bytes) and per worker
// (wharf.buffer.memory.limit.bytes). An object completed by PutObject
// carries its record count as user metadata x-amz-meta-wharf-records
// (RecordsMetadata) for the operator UI; a multipart object does not (S3
// fixes metadata at CreateMultipartUpload, before the count is known), and
// the UI reads its count from the Parquet footer or counts its lines.
//
// # Deviations from Confluent
//
//   - enable.conditional.writes (10.6+) is applied as above: a conflict
//     with other content overwrites instead of Confluent's scan-and-rewind
//     (both at-least-once); it is also applied with store.kafka.keys/headers.
//   - Parquet defaults to parquet.layout=typed ("modern"): Debezium Date/
//     Time/MicroTime/Timestamp/MicroTimestamp become DATE/TIME/TIMESTAMP
//     (not adjusted to UTC), Connect Timestamp TIMESTAMP(MILLIS, UTC);
//     decimals are DECIMAL(p,s) stored as INT32/INT64/FIXED_LEN_BYTE_ARRAY
//     with p from connect.decimal.precision or 38 (p > 38 falls back to the
//     decimal as a string); lists are 3-level; INT8/INT16 keep their width;
//     empty structs are left out; a non-struct value becomes one column
//     "value"; the footer has connect.schema.name. parquet.layout=avro
//     gives Confluent's schema and footer; its bytes still differ:
//     created_by names Wharf, row groups close at 16 MiB (parquet-mr: 128
//     MiB), parquet.avro.schema is compact JSON with sorted keys and full
//     record names (Avro Java splits name/namespace; same schema), optional
//     fields with a default keep the ["null", T] order, and Avro enums
//     (enhanced.avro.schema.support) are plain strings. A non-struct value
//     or an empty struct is a data error there, as in parquet-avro.
//   - behavior.on.null.values=write without store.kafka.keys writes
//     tombstones as "null" lines (JsonFormat) or empty records
//     (ByteArrayFormat) under tombstone.encoded.partition (Confluent
//     requires the keys); Parquet and Avro require store.kafka.keys.
//   - keys.format.class/headers.format.class ParquetFormat is refused.
//     Header values that are structs, maps or arrays are rendered as JSON
//     (Connect's Values.convertToString differs slightly for those).
//   - With ignore, tombstones are not reported to the DLQ
//     (report.null.values.to.dlq): the plugin API cannot tell whether a DLQ
//     exists, and reporting without one would fail the task.
//   - Custom partitioner and timestamp extractor classes, SSE, ACLs,
//     tagging, proxies, credentials provider classes and
//     partitioner.max.open.files are not supported (set values are logged).
//   - Textual Joda fields (MMM, EEE) are English whatever the locale.
//
// # Memory bound
//
// Per open file: the part buffer, grown lazily up to s3.part.size (5 MiB ..
// 25 MiB default; Confluent allocates it eagerly), plus for Parquet the
// rows being built (at most 1024 rows or 1 MiB) and the row group being
// encoded, which is closed and streamed into the upload once its encoded
// pages reach 16 MiB (parquet-mr keeps 128 MiB, usually the whole file).
// A JSON/ByteArray file holds at most one part (plus ~800 KiB of gzip
// state); an Avro file one part plus 256 records. Companion .keys/.headers
// files add their own. Open files per task = assigned partitions ×
// encoded partitions open in each (one for DefaultPartitioner).
//
// Per connector: s3.memory.limit.bytes (Wharf key, default 0 = off) bounds
// the bytes buffered by the open files of every task of the connector in
// this worker process. The connector instance creates the budget at Start
// and its tasks (NewTask) share it. Worker-wide: the worker property
// wharf.buffer.memory.limit.bytes gives every connector the same
// connector.MemoryPool through its Context; the budget counts against it
// too, and a task's share is the smaller of its connector's share and the
// pool's (limit / tasks in the worker). Counted: part
// buffer capacity, Parquet rows in builders and row-group pages, Avro
// blocks, gzip state (estimates, not RSS; per-writer fixed overhead such
// as dictionaries is not counted). After each record, a task whose files
// hold more than its share (limit / tasks) while the total is over the
// limit sheds its largest files: first by moving pending rows into the
// stream and uploading a part buffer of at least 5 MiB as a part before it
// is full (file boundaries unchanged: exactly-once kept); if that frees
// nothing (the buffer is under the 5 MiB minimum part), by rotating the
// file's partition early and requesting an offset commit. Early rotation
// moves boundaries with memory pressure, so files completed but not yet
// covered by a committed offset at a crash may be cut elsewhere on replay:
// at-least-once for those records. Tasks under their share leave the
// excess to the others, which shed on their next Put (at least every
// second), so the total can exceed the limit briefly by what one task
// buffers in between; a limit below open files × 5 MiB rotates often.
package s3
