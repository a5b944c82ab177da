package transform

import (
	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/config"
)

const (
	kafkaVersion    = "3.9.0"
	debeziumVersion = "3.1.3.Final"
)

// Plugins lists the transformations and predicates of this package for the
// registry.
func Plugins() []connector.Plugin {
	smt := func(class, version string, f func() connector.Transformation) connector.Plugin {
		return connector.Plugin{Class: class, Type: connector.TypeTransformation, Version: version,
			New: func() any { return f() }}
	}
	pred := func(class string, f func() connector.Predicate) connector.Plugin {
		return connector.Plugin{Class: class, Type: connector.TypePredicate, Version: kafkaVersion,
			New: func() any { return f() }}
	}
	return []connector.Plugin{
		smt(ClassRegexRouter, kafkaVersion, func() connector.Transformation { return newRegexRouter() }),
		smt(ClassInsertFieldKey, kafkaVersion, func() connector.Transformation { return newInsertField(true) }),
		smt(ClassInsertFieldValue, kafkaVersion, func() connector.Transformation { return newInsertField(false) }),
		smt(ClassReplaceFieldKey, kafkaVersion, func() connector.Transformation { return newReplaceField(true) }),
		smt(ClassReplaceFieldValue, kafkaVersion, func() connector.Transformation { return newReplaceField(false) }),
		smt(ClassExtractNewRecState, debeziumVersion, func() connector.Transformation { return newExtractNewRecordState() }),
		pred(ClassTopicNameMatches, func() connector.Predicate { return newTopicNameMatches() }),
		pred(ClassHasHeaderKey, func() connector.Predicate { return newHasHeaderKey() }),
		pred(ClassRecordIsTombstone, func() connector.Predicate { return &RecordIsTombstone{def: config.NewDef()} }),
	}
}
