// Package testserver starts real servers for tests on free loopback ports:
// Kafka (kfake, in-process, real protocol over TCP), PostgreSQL (Debian
// package, wal_level=logical, private data dir) and MinIO (binary from the
// tools cache that .ci/run fills). Each function takes a testing.TB, returns
// what a client needs, and registers a Cleanup that stops the server. A
// missing binary fails the test with the command that installs it; nothing
// is ever skipped.
package testserver
