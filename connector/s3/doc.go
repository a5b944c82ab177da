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
// ParquetFormat (arrow-go pqarrow, typed nested columns), AvroFormat
// (goavro container files) and ByteArrayFormat.
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
//     its commits, not its uploads).
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
// in place; and PreCommit also commits past trailing ignored tombstones and
// errant records when no file is open, so they do not show as lag.
//
// # Deviations from Confluent
//
//   - enable.conditional.writes is accepted but not applied (10.5.23
//     predates it): with deterministic settings an overwrite rewrites
//     identical content, and with scheduled rotation Confluent's conflict
//     scan also ends at-least-once.
//   - Parquet is written "modern": Debezium Date/Time/MicroTime/Timestamp/
//     MicroTimestamp become DATE/TIME/TIMESTAMP (not adjusted to UTC),
//     Connect Timestamp TIMESTAMP(MILLIS, UTC); decimals are DECIMAL(p,s)
//     stored as INT32/INT64/FIXED_LEN_BYTE_ARRAY with p from
//     connect.decimal.precision or 38 (p > 38 falls back to the decimal as a
//     string); lists are 3-level; INT8/INT16 keep their width; empty structs
//     are left out; a non-struct value becomes one column "value". There is
//     no parquet-avro compatibility layout and no parquet.avro.schema footer.
//   - behavior.on.null.values=write writes tombstones as "null" lines
//     (JsonFormat) or empty records (ByteArrayFormat) under
//     tombstone.encoded.partition; store.kafka.keys/headers files are not
//     written, so write is refused for Parquet and Avro.
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
// Arrow builders of at most 1024 rows and the row group being encoded,
// which is closed and streamed into the upload once its encoded pages
// reach 16 MiB (parquet-mr keeps 128 MiB, usually the whole file). A
// JSON/ByteArray file holds at most one part; an Avro file one part plus
// 256 records. Open files per task = assigned partitions × encoded
// partitions open in each (one for DefaultPartitioner). There is no
// task-wide budget yet.
package s3
