// Package worker is Wharf's runtime core: the herder that owns every
// connector's and task's lifecycle (the Kafka Connect state machine), the
// framework configuration every connector shares, and the glue that turns a
// stored connector configuration into running task runners.
//
// Concurrency contract: one goroutine (the herder loop) owns connector and
// task state. Public Herder methods may be called from any goroutine; each is
// a request executed on the loop. Store change events and task
// reconfiguration requests enter the same loop. Task runners run in their own
// goroutines, started and awaited by the loop, and report state through the
// status store, which is safe for concurrent use.
//
// The herder writes intent to the config store and acts on the store's
// change events, as Kafka's herders do: standalone and single-worker
// distributed mode differ only in the stores.
package worker
