package convert

import (
	"errors"
	"strings"

	"github.com/wharf-project/wharf/connector/data"
)

// valuesParser is the tokenizer of Kafka's Values.Parser: tokens are split
// at unescaped : , { } [ ] and ", each of which is a token of its own.
// Backslashes stay in the tokens (Kafka does not unescape).
type valuesParser struct {
	orig    string
	pos     int
	next    string
	hasNext bool // a token was read ahead into next
	prev    string
}

func (p *valuesParser) mark() int {
	if p.hasNext {
		return p.pos - len(p.next)
	}
	return p.pos
}

func (p *valuesParser) rewindTo(pos int) {
	p.pos, p.hasNext, p.prev = pos, false, ""
}

func (p *valuesParser) more() bool { return p.hasNext || p.pos < len(p.orig) }

func (p *valuesParser) nextToken() string {
	if p.hasNext {
		p.prev, p.hasNext = p.next, false
	} else {
		p.prev = p.consume()
	}
	return p.prev
}

// nextN returns the text of the next n tokens, or false (and no move) when
// there are fewer.
func (p *valuesParser) nextN(n int) (string, bool) {
	start := p.mark()
	for i := 0; i < n; i++ {
		if !p.more() {
			p.rewindTo(start)
			return "", false
		}
		p.nextToken()
	}
	return p.orig[start:p.pos], true
}

func (p *valuesParser) consume() string {
	escaped := false
	start := p.pos
	for p.pos < len(p.orig) {
		switch c := p.orig[p.pos]; c {
		case '\\':
			escaped = !escaped
		case ':', ',', '{', '}', '[', ']', '"':
			if !escaped {
				if start < p.pos {
					return p.orig[start:p.pos]
				}
				p.pos++
				return p.orig[start : start+1]
			}
			escaped = false
		default:
			escaped = false
		}
		p.pos++
	}
	return p.orig[start:p.pos]
}

// canConsume consumes the next non-blank token when it is expected.
func (p *valuesParser) canConsume(expected string) bool {
	if !p.hasNext {
		if !p.more() {
			return false
		}
		p.next, p.hasNext = p.consume(), true
	}
	for javaTrim(p.next) == "" && p.pos < len(p.orig) {
		p.next = p.consume()
	}
	if javaTrim(p.next) == expected {
		p.hasNext = false
		return true
	}
	return false
}

// javaTrim is String.trim: it strips characters up to ' '.
func javaTrim(s string) string {
	i, j := 0, len(s)
	for i < j && s[i] <= ' ' {
		i++
	}
	for j > i && s[j-1] <= ' ' {
		j--
	}
	return s[i:j]
}

// schemaAndValue is a parse result; a nil *schemaAndValue is Java's null.
type schemaAndValue struct {
	schema *data.Schema
	value  any
}

var errValuesParse = errors.New("values: not parseable")

// valuesParseString is Values.parseString: it also reads arrays and maps
// ("[1,2]", "{\"k\":true}") with an inferred common element schema. Unlike
// Kafka 3.x, a top-level number or date must be the whole text ("12,13" is
// a STRING, not INT8 12).
func valuesParseString(s string) (*data.Schema, any) {
	if s == "" {
		return data.StringSchema, s
	}
	p := &valuesParser{orig: s}
	r, err := p.parse(false)
	if err != nil || r == nil {
		if err != nil {
			return data.StringSchema, s
		}
		return nil, nil
	}
	return r.schema, r.value
}

func (p *valuesParser) parse(embedded bool) (*schemaAndValue, error) {
	if !p.more() {
		return nil, nil
	}
	if embedded && p.canConsume(`"`) {
		return p.parseQuoted()
	}
	for _, lit := range []string{"null", "true", "false"} {
		start := p.mark()
		if p.canConsume(lit) && (embedded || !p.more()) {
			switch lit {
			case "true":
				return &schemaAndValue{data.BooleanSchema, true}, nil
			case "false":
				return &schemaAndValue{data.BooleanSchema, false}, nil
			}
			return nil, nil
		}
		p.rewindTo(start)
	}
	start := p.mark()
	if p.canConsume("[") {
		if r, err := p.parseArray(); err == nil {
			return r, nil
		}
		p.rewindTo(start)
	} else if p.canConsume("{") {
		if r, err := p.parseMap(); err == nil {
			return r, nil
		}
		p.rewindTo(start)
	}
	return p.parseScalar(embedded)
}

func (p *valuesParser) parseQuoted() (*schemaAndValue, error) {
	var sb strings.Builder
	for p.more() {
		if p.canConsume(`"`) {
			break
		}
		sb.WriteString(p.nextToken())
	}
	content := sb.String()
	// Quoted dates, times and timestamps keep their temporal type.
	if sch, v := valuesParseString(content); sch != nil {
		switch sch.Name {
		case data.DateName, data.TimeName, data.TimestampName:
			return &schemaAndValue{sch, v}, nil
		}
	}
	return &schemaAndValue{data.StringSchema, content}, nil
}

func (p *valuesParser) parseScalar(embedded bool) (*schemaAndValue, error) {
	token := p.nextToken()
	if javaTrim(token) == "" {
		return &schemaAndValue{data.StringSchema, token}, nil
	}
	token = javaTrim(token)
	first := token[0]
	digit := first >= '0' && first <= '9'
	if digit {
		pos := p.mark()
		if rest, ok := p.nextN(4); ok {
			if sch, v, ok := parseTemporal(strings.ReplaceAll(token+rest, `\:`, ":")); ok && (embedded || !p.more()) {
				return &schemaAndValue{sch, v}, nil
			}
		}
		p.rewindTo(pos)
		if sch, v, ok := parseTemporal(token); ok && (embedded || !p.more()) {
			return &schemaAndValue{sch, v}, nil
		}
	}
	if digit || first == '+' || first == '-' {
		if sch, v, ok := parseNumber(token); ok && (embedded || !p.more()) {
			return &schemaAndValue{sch, v}, nil
		}
	}
	if embedded {
		return nil, errors.New("Failed to parse embedded value")
	}
	return &schemaAndValue{data.StringSchema, p.orig}, nil
}

func (p *valuesParser) parseArray() (*schemaAndValue, error) {
	var result []any
	var elem *data.Schema
	for p.more() {
		if p.canConsume("]") {
			if elem == nil {
				return &schemaAndValue{&data.Schema{Type: data.TypeArray}, append([]any{}, result...)}, nil
			}
			for i, v := range result {
				a, err := alignTo(elem, v)
				if err != nil {
					return nil, err
				}
				result[i] = a
			}
			return &schemaAndValue{data.ArrayOf(elem), append([]any{}, result...)}, nil
		}
		if p.canConsume(",") {
			return nil, errValuesParse
		}
		e, err := p.parse(true)
		if err != nil {
			return nil, err
		}
		elem = commonSchemaFor(elem, e)
		if e != nil {
			result = append(result, e.value)
		} else {
			result = append(result, nil)
		}
		pos := p.mark()
		if p.canConsume("]") {
			p.rewindTo(pos)
		} else if !p.canConsume(",") {
			return nil, errValuesParse
		}
	}
	return nil, errValuesParse
}

func (p *valuesParser) parseMap() (*schemaAndValue, error) {
	var result []data.MapEntry
	var ks, vs *data.Schema
	for p.more() {
		if p.canConsume("}") {
			return alignMap(ks, vs, result)
		}
		if p.canConsume(",") {
			return nil, errValuesParse
		}
		k, err := p.parse(true)
		if err != nil || k == nil || k.value == nil {
			return nil, errValuesParse
		}
		if !p.canConsume(":") {
			return nil, errValuesParse
		}
		v, err := p.parse(true)
		if err != nil {
			return nil, err
		}
		var val any
		if v != nil {
			val = v.value
		}
		result = putEntry(result, k.value, val)
		p.canConsume(",")
		ks, vs = commonSchemaFor(ks, k), commonSchemaFor(vs, v)
	}
	return nil, errValuesParse
}

// putEntry replaces the value of an equal key in place, as LinkedHashMap.put.
func putEntry(m []data.MapEntry, k, v any) []data.MapEntry {
	for i := range m {
		if data.ValuesEqual(m[i].Key, k) {
			m[i].Value = v
			return m
		}
	}
	return append(m, data.MapEntry{Key: k, Value: v})
}

func alignMap(ks, vs *data.Schema, m []data.MapEntry) (*schemaAndValue, error) {
	out := make([]data.MapEntry, 0, len(m))
	for _, e := range m {
		k, v := e.Key, e.Value
		var err error
		if ks != nil {
			if k, err = alignTo(ks, k); err != nil {
				return nil, err
			}
		}
		if ks != nil && vs != nil {
			if v, err = alignTo(vs, v); err != nil {
				return nil, err
			}
		}
		out = append(out, data.MapEntry{Key: k, Value: v})
	}
	if ks == nil {
		vs = nil // Kafka's mapOfNull
	}
	return &schemaAndValue{&data.Schema{Type: data.TypeMap, Key: ks, Value: vs}, out}, nil
}
