// Package file is Kafka's FileStream connectors: a source that publishes the
// lines of a file (following it as it grows) and a sink that appends record
// values to a file, one per line. They exist for smoke tests and demos, as
// in Kafka (connect-file-source.properties) and fast-data-dev.
package file

import (
	"context"
	"errors"
	"maps"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/config"
)

// Class names, as Kafka registers them.
const (
	SourceClass = "org.apache.kafka.connect.file.FileStreamSourceConnector"
	SinkClass   = "org.apache.kafka.connect.file.FileStreamSinkConnector"
	version     = "3.9.0"
)

const (
	// KeyFile is "file" (default null): the source file to read or the sink
	// file to append to. Kafka falls back to standard input/output when unset.
	KeyFile = "file"
	// KeyTopic is the source's "topic" (required, non-empty): where lines go.
	KeyTopic = "topic"
	// KeyBatchSize is the source's "batch.size" (default 2000): the most
	// records one poll returns.
	KeyBatchSize = "batch.size"
	// KeyTopics is the sink's framework key "topics"; the sink reads it only
	// to log what it consumes.
	KeyTopics = "topics"
)

// DefaultBatchSize is batch.size's default.
const DefaultBatchSize = 2000

func sourceDef() *config.Def {
	return config.NewDef().
		Define(config.Key{Name: KeyFile, Type: config.String, Importance: config.High,
			Doc: "Source filename. If not specified, the standard input will be used"}).
		Define(config.Key{Name: KeyTopic, Type: config.String, Default: config.NoDefault,
			Validator: config.NonEmptyString, Importance: config.High, Doc: "The topic to publish data to"}).
		Define(config.Key{Name: KeyBatchSize, Type: config.Int, Default: DefaultBatchSize, Importance: config.Low,
			Doc: "The maximum number of records the source task can read from the file each time it is polled"})
}

func sinkDef() *config.Def {
	return config.NewDef().
		Define(config.Key{Name: KeyFile, Type: config.String, Importance: config.High,
			Doc: "Destination filename. If not specified, the standard output will be used"})
}

// errStdin: reading standard input would need a goroutine blocked in a read
// that Stop cannot interrupt.
var errStdin = errors.New("FileStreamSource: reading from standard input is not supported; set \"file\"")

// Plugins lists the two connectors for the registry.
func Plugins() []connector.Plugin {
	return []connector.Plugin{
		{Class: SinkClass, Type: connector.TypeSink, Version: version, New: func() any { return NewSinkConnector() }},
		{Class: SourceClass, Type: connector.TypeSource, Version: version, New: func() any { return NewSourceConnector() }},
	}
}

// SourceConnector is org.apache.kafka.connect.file.FileStreamSourceConnector.
type SourceConnector struct {
	def   *config.Def
	props map[string]string
}

// NewSourceConnector returns a source connector.
func NewSourceConnector() *SourceConnector { return &SourceConnector{def: sourceDef()} }

func (c *SourceConnector) Config() *config.Def { return c.def }

func (c *SourceConnector) Start(_ context.Context, cc connector.Context, props map[string]string) error {
	v, err := c.def.Parse(props)
	if err != nil {
		return err
	}
	if v.String(KeyFile) == "" {
		return errStdin
	}
	c.props = maps.Clone(props)
	cc.Logger().Info("Starting file source connector", "file", v.String(KeyFile))
	return nil
}

// TaskConfigs returns one task: only one reader of a stream makes sense.
func (c *SourceConnector) TaskConfigs(int) ([]map[string]string, error) {
	return []map[string]string{maps.Clone(c.props)}, nil
}

func (c *SourceConnector) Stop() error { return nil }

func (c *SourceConnector) NewTask() connector.SourceTask { return newSourceTask() }

// SinkConnector is org.apache.kafka.connect.file.FileStreamSinkConnector.
type SinkConnector struct {
	def   *config.Def
	props map[string]string
}

// NewSinkConnector returns a sink connector.
func NewSinkConnector() *SinkConnector { return &SinkConnector{def: sinkDef()} }

func (c *SinkConnector) Config() *config.Def { return c.def }

func (c *SinkConnector) Start(_ context.Context, cc connector.Context, props map[string]string) error {
	v, err := c.def.Parse(props)
	if err != nil {
		return err
	}
	c.props = maps.Clone(props)
	dest := v.String(KeyFile)
	if dest == "" {
		dest = "standard output"
	}
	cc.Logger().Info("Starting file sink connector", "file", dest, "topics", props[KeyTopics])
	return nil
}

// TaskConfigs returns one task: several tasks appending to one file would
// interleave partial lines.
func (c *SinkConnector) TaskConfigs(int) ([]map[string]string, error) {
	return []map[string]string{maps.Clone(c.props)}, nil
}

func (c *SinkConnector) Stop() error { return nil }

func (c *SinkConnector) NewTask() connector.SinkTask { return &sinkTask{} }
