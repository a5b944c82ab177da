package schemaregistry

// Worker properties for the embedded registry (Wharf's own; Kafka Connect
// has no embedded registry). cmd/wharf reads them.
const (
	// KeyEnable is `wharf.schema.registry.enable`: run the embedded
	// registry; default false.
	KeyEnable = "wharf.schema.registry.enable"
	// KeyListener is `wharf.schema.registry.listener`: where the embedded
	// registry listens; default http://:8081 (Confluent's and
	// fast-data-dev's port).
	KeyListener = "wharf.schema.registry.listener"
	// KeyTopic is `wharf.schema.registry.topic`: the topic holding the
	// schemas; default _schemas (Confluent's kafkastore.topic default).
	KeyTopic = "wharf.schema.registry.topic"
	// DefaultListener is KeyListener's default.
	DefaultListener = "http://:8081"
)
