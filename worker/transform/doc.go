// Package transform implements Kafka Connect's single message transforms
// (SMTs) and predicates, and the chain a connector's "transforms" and
// "predicates" properties configure.
//
// The transforms behave as their Java namesakes (RegexRouter, InsertField,
// ReplaceField from Apache Kafka 3.9; ExtractNewRecordState from Debezium),
// including their error texts, so a configuration moved from a Java worker
// produces the same records.
//
// A Chain and the transformations in it are owned by one task and are not
// safe for concurrent use: derived schemas are cached without locks.
package transform
