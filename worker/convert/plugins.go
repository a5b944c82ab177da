package convert

import "github.com/wharf-project/wharf/connector"

// Version is the Kafka version these converters mirror and report.
const Version = "3.9.0"

// Class names users configure (key.converter, header.converter …).
const (
	JSONClass         = "org.apache.kafka.connect.json.JsonConverter"
	StringClass       = "org.apache.kafka.connect.storage.StringConverter"
	ByteArrayClass    = "org.apache.kafka.connect.converters.ByteArrayConverter"
	SimpleHeaderClass = "org.apache.kafka.connect.storage.SimpleHeaderConverter"
)

// Plugins lists the converters for the registry. Kafka also lists
// JsonConverter, StringConverter and ByteArrayConverter as header
// converters; a Registry holds a class once, so the runtime wraps those with
// HeaderAdapter when header.converter names one of them.
func Plugins() []connector.Plugin {
	return []connector.Plugin{
		{Class: JSONClass, Type: connector.TypeConverter, Version: Version,
			New: func() any { return NewJSON() }},
		{Class: StringClass, Type: connector.TypeConverter, Version: Version,
			New: func() any { return NewString() }},
		{Class: ByteArrayClass, Type: connector.TypeConverter, Version: Version,
			New: func() any { return NewByteArray() }},
		{Class: SimpleHeaderClass, Type: connector.TypeHeaderConverter, Version: Version,
			New: func() any { return NewSimpleHeader() }},
	}
}

// Interface checks.
var (
	_ connector.Converter       = (*JSON)(nil)
	_ connector.Converter       = (*String)(nil)
	_ connector.Converter       = (*ByteArray)(nil)
	_ connector.HeaderConverter = (*SimpleHeader)(nil)
)
