package connector

import "github.com/wharf-project/wharf/connector/data"

// Converter turns Connect values into bytes and back
// (org.apache.kafka.connect.storage.Converter).
type Converter interface {
	// Configure is called once with the converter's properties (prefix
	// already stripped, e.g. "schemas.enable").
	Configure(props map[string]string, isKey bool) error
	// Append appends the serialized form of value to dst. A nil value yields
	// a nil slice (a Kafka null), never the text "null".
	Append(dst []byte, topic string, schema *data.Schema, value any) ([]byte, error)
	// ToConnect parses b (nil: Kafka null).
	ToConnect(topic string, b []byte) (*data.Schema, any, error)
}

// HeaderConverter converts one header value.
type HeaderConverter interface {
	Configure(props map[string]string) error
	AppendHeader(dst []byte, topic, key string, schema *data.Schema, value any) ([]byte, error)
	ToConnectHeader(topic, key string, b []byte) (*data.Schema, any, error)
}
