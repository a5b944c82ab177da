package avro

import "github.com/wharf-project/wharf/connector"

// Plugins lists the Avro converter for the plugin registry.
func Plugins() []connector.Plugin {
	return []connector.Plugin{{Class: Class, Type: connector.TypeConverter, Version: Version,
		New: func() any { return NewConverter() }}}
}

var _ connector.Converter = (*Converter)(nil)
