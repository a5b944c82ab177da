package transform

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/config"
)

// Class names of the Kafka SMTs and predicates implemented here.
const (
	ClassRegexRouter        = "org.apache.kafka.connect.transforms.RegexRouter"
	ClassInsertFieldValue   = "org.apache.kafka.connect.transforms.InsertField$Value"
	ClassInsertFieldKey     = "org.apache.kafka.connect.transforms.InsertField$Key"
	ClassReplaceFieldValue  = "org.apache.kafka.connect.transforms.ReplaceField$Value"
	ClassReplaceFieldKey    = "org.apache.kafka.connect.transforms.ReplaceField$Key"
	ClassExtractNewRecState = "io.debezium.transforms.ExtractNewRecordState"
	ClassTopicNameMatches   = "org.apache.kafka.connect.transforms.predicates.TopicNameMatches"
	ClassHasHeaderKey       = "org.apache.kafka.connect.transforms.predicates.HasHeaderKey"
	ClassRecordIsTombstone  = "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone"
)

const (
	// keyRegex is RegexRouter's "regex" (required): the Java regular
	// expression the whole topic name must match.
	keyRegex = "regex"
	// keyReplacement is RegexRouter's "replacement" (required), with Java's
	// $n / ${name} group references.
	keyReplacement = "replacement"
)

// topicCacheMax bounds the per-topic result caches of the router and the
// topic predicate; topics are few, records many.
const topicCacheMax = 1024

// validRegex is Kafka's RegexValidator.
func validRegex(_ string, v any) error {
	s, _ := v.(string)
	if _, err := regexp.Compile(s); err != nil {
		return fmt.Errorf("Invalid regex: %v", err)
	}
	return nil
}

// compileFull compiles re for Java's Matcher.matches (the whole input).
func compileFull(re string) (*regexp.Regexp, error) {
	return regexp.Compile(`^(?:` + re + `)$`)
}

// RegexRouter is org.apache.kafka.connect.transforms.RegexRouter: when the
// whole topic matches regex, the topic becomes Matcher.replaceFirst(replacement).
type RegexRouter struct {
	def     *config.Def
	full    *regexp.Regexp // matches(): anchored at both ends
	find    *regexp.Regexp // replaceFirst(): the first match, as Java finds it
	repl    []replPart
	replErr error // Java fails at apply time, only when a topic matches
	cache   map[string]string
}

func newRegexRouter() *RegexRouter {
	return &RegexRouter{def: config.NewDef().
		Define(config.Key{Name: keyRegex, Type: config.String, Default: config.NoDefault,
			Validator: validRegex, Importance: config.High, Doc: "Regular expression to use for matching."}).
		Define(config.Key{Name: keyReplacement, Type: config.String, Default: config.NoDefault,
			Importance: config.High, Doc: "Replacement string."})}
}

func (t *RegexRouter) Config() *config.Def { return t.def }

func (t *RegexRouter) Configure(props map[string]string) error {
	v, err := t.def.Parse(props)
	if err != nil {
		return err
	}
	if t.find, err = regexp.Compile(v.String(keyRegex)); err != nil {
		return err
	}
	if t.full, err = compileFull(v.String(keyRegex)); err != nil {
		return err
	}
	t.repl, t.replErr = parseJavaReplacement(v.String(keyReplacement), t.find)
	t.cache = make(map[string]string)
	return nil
}

func (t *RegexRouter) Apply(r *connector.Record) (bool, error) {
	if topic, ok := t.cache[r.Topic]; ok {
		r.Topic = topic
		return true, nil
	}
	topic := r.Topic
	if t.full.MatchString(topic) {
		if t.replErr != nil {
			return false, t.replErr
		}
		loc := t.find.FindStringSubmatchIndex(topic)
		var b strings.Builder
		b.WriteString(topic[:loc[0]])
		for _, p := range t.repl {
			if p.group < 0 {
				b.WriteString(p.lit)
			} else if s, e := loc[2*p.group], loc[2*p.group+1]; s >= 0 && e >= 0 {
				b.WriteString(topic[s:e])
			}
		}
		b.WriteString(topic[loc[1]:])
		topic = b.String()
	}
	if len(t.cache) >= topicCacheMax {
		clear(t.cache)
	}
	t.cache[r.Topic] = topic
	r.Topic = topic
	return true, nil
}

func (t *RegexRouter) Close() error { return nil }

// replPart is a literal (group < 0) or a group reference of a replacement.
type replPart struct {
	lit   string
	group int
}

// parseJavaReplacement parses a replacement string as
// java.util.regex.Matcher.appendReplacement does: backslash escapes the
// next character, $n takes the longest group number that exists, ${name}
// names a group.
func parseJavaReplacement(s string, re *regexp.Regexp) ([]replPart, error) {
	var parts []replPart
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			parts = append(parts, replPart{lit: lit.String(), group: -1})
			lit.Reset()
		}
	}
	groups := re.NumSubexp()
	for i := 0; i < len(s); {
		c := s[i]
		switch c {
		case '\\':
			i++
			if i == len(s) {
				return nil, errors.New("character to be escaped is missing")
			}
			lit.WriteByte(s[i])
			i++
		case '$':
			i++
			if i == len(s) {
				return nil, errors.New("Illegal group reference: group index is missing")
			}
			ref, next, err := parseGroupRef(s, i, re, groups)
			if err != nil {
				return nil, err
			}
			i = next
			flush()
			parts = append(parts, replPart{group: ref})
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	return parts, nil
}

func parseGroupRef(s string, i int, re *regexp.Regexp, groups int) (ref, next int, err error) {
	if s[i] == '{' {
		i++
		start := i
		for i < len(s) && isASCIIAlnum(s[i]) {
			i++
		}
		name := s[start:i]
		if name == "" {
			return 0, 0, errors.New("named capturing group has 0 length name")
		}
		if i == len(s) || s[i] != '}' {
			return 0, 0, errors.New("named capturing group is missing trailing '}'")
		}
		if name[0] >= '0' && name[0] <= '9' {
			return 0, 0, fmt.Errorf("capturing group name {%s} starts with digit character", name)
		}
		idx := re.SubexpIndex(name)
		if idx < 0 {
			return 0, 0, fmt.Errorf("No group with name {%s}", name)
		}
		return idx, i + 1, nil
	}
	if s[i] < '0' || s[i] > '9' {
		return 0, 0, errors.New("Illegal group reference")
	}
	ref = int(s[i] - '0')
	i++
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		n := ref*10 + int(s[i]-'0')
		if n > groups {
			break
		}
		ref = n
		i++
	}
	if ref > groups {
		return 0, 0, fmt.Errorf("No group %d", ref)
	}
	return ref, i, nil
}

func isASCIIAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
