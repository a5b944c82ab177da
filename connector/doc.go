// Package connector is Wharf's plugin API: what a connector, task, converter
// or transformation implements, the records they exchange, and the registry
// that names them by Kafka Connect class name. It plays the role of
// database/sql/driver: many packages implement it, the runtime in worker/
// consumes it. A connector imports this package (and connector/data,
// connector/config, connector/jsontext) and nothing of worker/ or rest/.
//
// Concurrency contract: the runtime calls a Connector's methods from one
// goroutine at a time, and each task's methods from one goroutine at a time
// (its runner). Poll and Put must return promptly when their context is done.
// Tasks start no goroutine that outlives Stop.
package connector
