// Package convert holds Wharf's converters: Kafka Connect's JsonConverter,
// StringConverter, ByteArrayConverter and SimpleHeaderConverter, writing the
// same bytes the Java classes write so that topics, keys (and so partitions)
// and downstream consumers cannot tell Wharf from Kafka Connect.
//
// JsonConverter is the hot path: Append writes JSON straight into the
// caller's buffer, without reflection, encoding/json or intermediate maps,
// and copies a schema's JSON from a cache keyed by the *data.Schema pointer.
// Number and string formatting follow Jackson and the JDK (Double.toString,
// Float.toString, BigDecimal.toString), not Go's conventions.
// ToConnect reads the usual record, an envelope whose schema text was seen
// before, straight into Connect values against the cached *data.Schema
// (json_decode.go), with per-converter pooled buffers; the STRING struct
// fields of one record share one allocation. Anything else goes through a node
// tree (json_parse.go, json_toconnect.go), which gives the same results and
// Kafka's error messages.
//
// Known differences from Kafka 3.9, each deliberate:
//   - A nil value is always a Kafka null (connector.Converter's contract);
//     Kafka writes an envelope with "payload":null, or the text null, when a
//     schema accompanies the null.
//   - A *data.Struct without a schema is written with its own schema; Kafka
//     fails with "Mismatching schema.".
//   - Floats are formatted as JDK 19+ does (shortest round-trip digits);
//     older JDKs print a few values with more digits.
//   - ToConnect returns maps in document order (Kafka: HashMap order) and
//     reads the strings "NaN", "Infinity" and "-Infinity" back as floats
//     (Kafka: 0.0).
//   - StringConverter writes a top-level []byte as its raw bytes (Java would
//     print an array identity such as "[B@1b6d3586").
//   - SimpleHeaderConverter reads a number or date only when it is the whole
//     header text ("12,13" is a STRING; Kafka 3.x returns INT8 12).
//
// A Registry holds each class once, so JsonConverter, StringConverter and
// ByteArrayConverter are listed as converters only; HeaderAdapter lets the
// runtime use them for header.converter as Kafka allows.
//
// A converter instance may be shared by goroutines: its configuration is
// read-only after Configure, its schema caches are locked and ToConnect's
// buffers come from a sync.Pool.
package convert
