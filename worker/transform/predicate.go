package transform

import (
	"regexp"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/config"
)

const (
	// keyPattern is TopicNameMatches' "pattern" (required): a Java regular
	// expression the whole topic must match.
	keyPattern = "pattern"
	// keyName is HasHeaderKey's "name" (default null): the header key.
	keyName = "name"
)

// TopicNameMatches is org.apache.kafka.connect.transforms.predicates.TopicNameMatches.
type TopicNameMatches struct {
	def   *config.Def
	re    *regexp.Regexp
	cache map[string]bool
}

func newTopicNameMatches() *TopicNameMatches {
	return &TopicNameMatches{def: config.NewDef().Define(config.Key{Name: keyPattern, Type: config.String,
		Default: config.NoDefault, Validator: config.All(config.NonEmptyString, validRegex),
		Importance: config.Medium, Doc: "A Java regular expression for matching against the name of a record's topic."})}
}

func (p *TopicNameMatches) Config() *config.Def { return p.def }

func (p *TopicNameMatches) Configure(props map[string]string) error {
	v, err := p.def.Parse(props)
	if err != nil {
		return err
	}
	re, err := compileFull(v.String(keyPattern))
	if err != nil {
		return config.InvalidValue(keyPattern, v.String(keyPattern),
			"entry must be a Java-compatible regular expression: "+err.Error())
	}
	p.re, p.cache = re, make(map[string]bool)
	return nil
}

func (p *TopicNameMatches) Test(r *connector.Record) bool {
	if m, ok := p.cache[r.Topic]; ok {
		return m
	}
	m := p.re.MatchString(r.Topic)
	if len(p.cache) >= topicCacheMax {
		clear(p.cache)
	}
	p.cache[r.Topic] = m
	return m
}

func (p *TopicNameMatches) Close() error { return nil }

// HasHeaderKey is org.apache.kafka.connect.transforms.predicates.HasHeaderKey.
type HasHeaderKey struct {
	def  *config.Def
	name string
	set  bool
}

func newHasHeaderKey() *HasHeaderKey {
	return &HasHeaderKey{def: config.NewDef().Define(config.Key{Name: keyName, Type: config.String,
		Validator: config.NonEmptyString, Importance: config.Medium, Doc: "The header name."})}
}

func (p *HasHeaderKey) Config() *config.Def { return p.def }

func (p *HasHeaderKey) Configure(props map[string]string) error {
	v, err := p.def.Parse(props)
	if err != nil {
		return err
	}
	p.name, p.set = v.Get(keyName).(string)
	return nil
}

func (p *HasHeaderKey) Test(r *connector.Record) bool {
	if !p.set {
		return false
	}
	_, ok := r.Headers.Last(p.name)
	return ok
}

func (p *HasHeaderKey) Close() error { return nil }

// RecordIsTombstone is org.apache.kafka.connect.transforms.predicates.RecordIsTombstone:
// true for records with a null value.
type RecordIsTombstone struct{ def *config.Def }

func (p *RecordIsTombstone) Config() *config.Def               { return p.def }
func (p *RecordIsTombstone) Configure(map[string]string) error { return nil }
func (p *RecordIsTombstone) Test(r *connector.Record) bool     { return r.Value == nil }
func (p *RecordIsTombstone) Close() error                      { return nil }
