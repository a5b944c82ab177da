package worker

import (
	"fmt"
	"strings"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/config"
	"github.com/wharf-project/wharf/worker/tolerance"
)

// Framework keys every connector has (Kafka's ConnectorConfig and
// SinkConnectorConfig). Names are Connect's.
const (
	keyName           = "name"
	keyConnectorClass = "connector.class"
	keyTasksMax       = "tasks.max"
	keyKeyConverter   = "key.converter"
	keyValueConverter = "value.converter"
	keyHeaderConv     = "header.converter"
	keyTransforms     = "transforms"
	keyPredicates     = "predicates"
	keyTopics         = "topics"
	keyTopicsRegex    = "topics.regex"
	keyDLQTopic       = "errors.deadletterqueue.topic.name"
)

const (
	groupCommon     = "Common"
	groupTransforms = "Transforms"
	groupPredicates = "Predicates"
)

const converterDoc = "Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. " +
	"This controls the format of the %s in messages written to or read from Kafka, and since this is independent of connectors " +
	"it allows any connector to work with any serialization format. Examples of common formats include JSON and Avro."

func nonEmptyNoControl(_ string, v any) error {
	s, _ := v.(string)
	if s == "" {
		return fmt.Errorf("String may not be empty")
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("String may not contain control sequences but had the following ASCII chars: %d", r)
		}
	}
	return nil
}

func uniqueAliases(_ string, v any) error {
	seen := map[string]bool{}
	for _, a := range v.([]string) {
		if seen[a] {
			return fmt.Errorf("Duplicate alias provided.")
		}
		seen[a] = true
	}
	return nil
}

// frameworkDef returns the framework keys for a connector of type t.
func frameworkDef(t connector.PluginType) *config.Def {
	d := config.NewDef()
	order := 0
	next := func() int { order++; return order }
	d.Define(config.Key{Name: keyName, Type: config.String, Default: config.NoDefault, Validator: nonEmptyNoControl,
		Importance: config.High, Doc: "Globally unique name to use for this connector.", Group: groupCommon,
		OrderInGroup: next(), Width: config.WidthMedium, DisplayName: "Connector name"})
	d.Define(config.Key{Name: keyConnectorClass, Type: config.String, Default: config.NoDefault, Importance: config.High,
		Doc: "Name or alias of the class for this connector. Must be a subclass of org.apache.kafka.connect.connector.Connector. " +
			"If the connector is org.apache.kafka.connect.file.FileStreamSinkConnector, you can either specify this full name,  " +
			"or use \"FileStreamSink\" or \"FileStreamSinkConnector\" to make the configuration a bit shorter",
		Group: groupCommon, OrderInGroup: next(), Width: config.WidthLong, DisplayName: "Connector class"})
	d.Define(config.Key{Name: keyTasksMax, Type: config.Int, Default: 1, Validator: config.AtLeast(1), Importance: config.High,
		Doc: "Maximum number of tasks to use for this connector.", Group: groupCommon, OrderInGroup: next(),
		Width: config.WidthShort, DisplayName: "Tasks max"})
	if t == connector.TypeSink {
		d.Define(config.Key{Name: keyTopics, Type: config.List, Default: "", Importance: config.High,
			Doc: "List of topics to consume, separated by commas", Group: groupCommon, OrderInGroup: 4,
			Width: config.WidthLong, DisplayName: "Topics"})
		d.Define(config.Key{Name: keyTopicsRegex, Type: config.String, Default: "", Validator: config.ValidRegex,
			Importance: config.High,
			Doc: "Regular expression giving topics to consume. Under the hood, the regex is compiled to a <code>java.util.regex.Pattern</code>. " +
				"Only one of topics or topics.regex should be specified.",
			Group: groupCommon, OrderInGroup: 4, Width: config.WidthLong, DisplayName: "Topics regex"})
	}
	d.Define(config.Key{Name: keyKeyConverter, Type: config.Class, Default: nil, Importance: config.Low,
		Doc: fmt.Sprintf(converterDoc, "keys"), Group: groupCommon, OrderInGroup: next(), Width: config.WidthShort,
		DisplayName: "Key converter class"})
	d.Define(config.Key{Name: keyValueConverter, Type: config.Class, Default: nil, Importance: config.Low,
		Doc: fmt.Sprintf(converterDoc, "values"), Group: groupCommon, OrderInGroup: next(), Width: config.WidthShort,
		DisplayName: "Value converter class"})
	d.Define(config.Key{Name: keyHeaderConv, Type: config.Class, Default: "Inherited from Connect config", Importance: config.Low,
		Doc: "HeaderConverter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. " +
			"This controls the format of the header values in messages written to or read from Kafka, and since this is independent " +
			"of connectors it allows any connector to work with any serialization format. Examples of common formats include JSON and Avro. " +
			"By default, the value will be inherited from the Connect config.",
		Group: groupCommon, OrderInGroup: next(), Width: config.WidthShort, DisplayName: "Header converter class"})
	d.Define(config.Key{Name: keyTransforms, Type: config.List, Default: "", Validator: uniqueAliases, Importance: config.Low,
		Doc: "Aliases for the transformations to be applied to records.", Group: groupTransforms, OrderInGroup: next(),
		Width: config.WidthLong, DisplayName: "Transforms"})
	d.Define(config.Key{Name: keyPredicates, Type: config.List, Default: "", Validator: uniqueAliases, Importance: config.Low,
		Doc: "Aliases for the predicates used by transformations.", Group: groupPredicates, OrderInGroup: next(),
		Width: config.WidthLong, DisplayName: "Predicates"})
	d.Define(config.Key{Name: "config.action.reload", Type: config.String, Default: "restart",
		Validator: config.OneOf("none", "restart"), Importance: config.Low,
		Doc: "The action that Connect should take on the connector when changes in external configuration providers result in a change " +
			"in the connector's configuration properties. A value of 'none' indicates that Connect will do nothing. A value of 'restart' " +
			"indicates that Connect should restart/reload the connector with the updated configuration properties.",
		Group: groupCommon, OrderInGroup: next(), Width: config.WidthMedium, DisplayName: "Reload Action"})
	// The Error Handling group comes from the runtime that applies it.
	errs := tolerance.ConfigDef()
	if t == connector.TypeSink {
		return d.Merge(errs)
	}
	sinkOnly := tolerance.SinkConfigDef()
	for _, k := range errs.Keys() {
		if _, dlq := sinkOnly.Key(k.Name); !dlq {
			d.Define(k)
		}
	}
	return d
}

// sinkTopicsErrors applies SinkConnectorConfig.validate's cross-key rules.
func sinkTopicsErrors(props map[string]string) []string {
	topics := strings.TrimSpace(props[keyTopics])
	regex := strings.TrimSpace(props[keyTopicsRegex])
	switch {
	case topics != "" && regex != "":
		return []string{"topics and topics.regex are mutually exclusive options, but both are set."}
	case topics == "" && regex == "":
		return []string{"Must configure one of topics or topics.regex"}
	}
	if dlq := strings.TrimSpace(props[keyDLQTopic]); dlq != "" && topics != "" {
		for _, t := range strings.Split(topics, ",") {
			if strings.TrimSpace(t) == dlq {
				return []string{fmt.Sprintf("The DLQ topic '%s' may not be included in the list of topics ('%s=%s') consumed by the connector", dlq, keyTopics, topics)}
			}
		}
	}
	return nil
}
