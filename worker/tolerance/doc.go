// Package tolerance is Kafka Connect's error handling for task runners
// (RetryWithToleranceOperator, LogReporter, DeadLetterQueueReporter).
//
// A runner performs each record stage (converters, transformations, put,
// produce) itself and calls the Operator only when a stage failed: the
// Operator retries retriable errors with Connect's exponential backoff within
// errors.retry.timeout, then either tolerates the failure (errors.tolerance=
// all: the record is logged when errors.log.enable is set, written to the
// dead letter queue for sinks, and skipped) or returns the error that fails
// the task ("Tolerance exceeded in error handler").
//
// An Operator belongs to one task. Its methods may be called from the task's
// goroutines concurrently (a sink task may report errant records from its own
// goroutines); the dead letter queue producer is safe for concurrent use.
package tolerance
