// Package avro is Confluent's io.confluent.connect.avro.AvroConverter: the
// Confluent wire format (magic byte 0, the schema id as 4 big-endian bytes,
// Avro binary) with schemas kept in a Schema Registry, and the Connect ⇄
// Avro schema and value mapping of Confluent's AvroData: record names from
// Connect schema names (io.confluent.connect.avro.ConnectDefault when
// unnamed), connect.name/.version/.doc/.parameters/.default/.type
// properties, Decimal/Date/Time/Timestamp logical types, optional schemas as
// unions with a null default, maps with non-string keys as arrays of
// MapEntry records, general Avro unions as io.confluent.connect.avro.Union
// structs and, with enhanced.avro.schema.support, Avro enums. The Avro
// schema text is the one Avro's Java Schema.toString writes, so schemas
// registered by Wharf and by Kafka Connect have the same ids.
//
// The hot path walks the Connect schema and the Avro schema together and
// writes (or reads) Avro binary directly, without reflection or
// intermediate maps: Append allocates nothing, and after the first record
// of a *data.Schema (per topic) it makes no registry call and no schema
// conversion; ToConnect converts each writer schema once per schema id.
// goavro (github.com/linkedin/goavro/v2) is the reference decoder in tests.
//
// Known differences from Confluent's converter, each deliberate:
//   - Schemaless values (a nil Connect schema with a non-nil value) are
//     refused; Confluent wraps them in its recursive Anything record.
//   - Recursive Avro schemas are refused when read.
//   - Distinct unnamed structs in one schema are named ConnectDefault,
//     ConnectDefault2, …; AvroData fails with "Can't redefine".
//   - Maps with STRING keys keep their entry order (Connect: HashMap order).
//   - A writer schema's registry version is looked up (and used as the
//     Connect version when connect.version is absent) only if the lookup
//     succeeds; Confluent fails the record otherwise.
//   - basic.auth.credentials.source=SASL_INHERIT and schema references are
//     not supported; use.latest.version requires the latest schema to have
//     the record's field layout.
package avro
