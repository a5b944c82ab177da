package convert

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// kind is a JSON node type; String gives Jackson's JsonNodeType name, which
// Kafka puts in its messages.
type kind uint8

const (
	kindMissing kind = iota
	kindNull
	kindBool
	kindNumber
	kindString
	kindArray
	kindObject
	kindUnparsed // a top-level "schema" member, kept as raw bytes
)

func (k kind) String() string {
	return [...]string{"MISSING", "NULL", "BOOLEAN", "NUMBER", "STRING", "ARRAY", "OBJECT", "OBJECT"}[k]
}

// node is a parsed JSON value (Jackson's JsonNode, reduced).
type node struct {
	kind  kind
	b     bool   // kindBool
	isInt bool   // kindNumber without fraction or exponent
	text  string // kindString: the value (a number's literal is raw)
	key   []byte // member name inside an object (may alias the input)
	kids  []node // array elements or object members (unique keys, first position)
	raw   []byte // the node's bytes in the input
}

// get returns an object member, or nil (Java's null from JsonNode.get).
func (n *node) get(key string) *node {
	if n == nil || n.kind != kindObject {
		return nil
	}
	for i := range n.kids {
		if string(n.kids[i].key) == key {
			return &n.kids[i]
		}
	}
	return nil
}

func (n *node) isNull() bool { return n == nil || n.kind == kindNull || n.kind == kindMissing }

// maxDepth is Jackson's default StreamReadConstraints nesting limit.
const maxDepth = 1000

// parseJSON reads the first JSON value of b as Kafka's JsonDeserializer
// (Jackson with ALLOW_LEADING_ZEROS_FOR_NUMBERS) does: content after the
// first value is ignored, empty input is a missing node.
//
// With envelope set, the value of a top-level "schema" member is only
// delimited, not parsed (kindUnparsed): its bytes are the schema cache key,
// and identical bytes were parsed and found valid before.
//
// hint is the schema text seen last; when the schema member starts with it
// and a delimiter follows, those bytes are the same value and hit is set.
func parseJSON(b []byte, envelope bool, hint []byte) (root *node, hit bool, err error) {
	var p parser
	return p.parse(b, envelope, hint)
}

// parse is parseJSON with p's stack, which keeps its capacity from earlier
// calls; the returned tree does not refer to it.
func (p *parser) parse(b []byte, envelope bool, hint []byte) (root *node, hit bool, err error) {
	if !utf8.Valid(b) {
		return nil, false, errors.New("Invalid UTF-8 input")
	}
	p.reset(b, envelope, hint)
	p.skipSpace()
	if p.i == len(b) {
		return &node{kind: kindMissing}, false, nil
	}
	n := &node{}
	if err := p.value(n, 0); err != nil {
		return nil, false, err
	}
	return n, p.hit, nil
}

func (p *parser) reset(b []byte, envelope bool, hint []byte) {
	p.b, p.i, p.envelope, p.hint, p.hit = b, 0, envelope, hint, false
	p.stack = p.stack[:0]
}

// release drops every reference to the last input, so that a pooled parser
// keeps no message alive.
func (p *parser) release() {
	clear(p.stack[:cap(p.stack)])
	p.stack = p.stack[:0]
	p.b, p.hint = nil, nil
}

type parser struct {
	b        []byte
	i        int
	envelope bool
	hint     []byte
	hit      bool
	// stack collects the members of the containers being parsed, so each
	// container gets one exactly sized kids slice.
	stack []node
	esc   []byte // tempStr's buffer
}

func (p *parser) skipSpace() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) errorf(format string, args ...any) error {
	return fmt.Errorf("json: "+format+" at offset %d", append(args, p.i)...)
}

func (p *parser) value(n *node, depth int) error {
	if depth > maxDepth {
		return p.errorf("nesting depth exceeds %d", maxDepth)
	}
	if p.i >= len(p.b) {
		return p.errorf("unexpected end of input")
	}
	start := p.i
	var err error
	switch c := p.b[p.i]; {
	case c == '{':
		err = p.object(n, depth)
	case c == '[':
		err = p.array(n, depth)
	case c == '"':
		n.kind = kindString
		var b []byte
		b, err = p.str()
		n.text = string(b)
	case c == '-' || (c >= '0' && c <= '9'):
		err = p.number(n)
		// Jackson wants a space after a root-level number ("7x" fails).
		if err == nil && depth == 0 && p.i < len(p.b) && !isSpace(p.b[p.i]) {
			err = p.errorf("expected space separating root-level values")
		}
	case p.lit("true"):
		n.kind, n.b = kindBool, true
	case p.lit("false"):
		n.kind = kindBool
	case p.lit("null"):
		n.kind = kindNull
	default:
		return p.errorf("unexpected character %q", c)
	}
	n.raw = p.b[start:p.i]
	return err
}

// lit consumes the keyword s unless more identifier characters follow
// ("truex" is an unrecognized token for Jackson).
func (p *parser) lit(s string) bool {
	end := p.i + len(s)
	if end <= len(p.b) && string(p.b[p.i:end]) == s && (end == len(p.b) || !isIdentChar(p.b[end])) {
		p.i = end
		return true
	}
	return false
}

func (p *parser) object(n *node, depth int) error {
	n.kind = kindObject
	p.i++ // {
	p.skipSpace()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return nil
	}
	base := len(p.stack)
	defer func() { p.stack = p.stack[:base] }()
	for {
		p.skipSpace()
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return p.errorf("expected a field name")
		}
		key, err := p.str()
		if err != nil {
			return err
		}
		p.skipSpace()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return p.errorf("expected ':'")
		}
		p.i++
		p.skipSpace()
		var v node
		if depth == 0 && p.envelope && string(key) == "schema" {
			if err := p.skip(&v); err != nil {
				return err
			}
		} else if err := p.value(&v, depth+1); err != nil {
			return err
		}
		v.key = key
		p.addMember(base, v)
		p.skipSpace()
		if p.i >= len(p.b) {
			return p.errorf("unexpected end of input in object")
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			n.kids = append([]node(nil), p.stack[base:]...)
			return nil
		default:
			return p.errorf("expected ',' or '}'")
		}
	}
}

// addMember appends v, or replaces an earlier member of the same name in
// its place, as Jackson's ObjectNode does.
func (p *parser) addMember(base int, v node) {
	for i := base; i < len(p.stack); i++ {
		if string(p.stack[i].key) == string(v.key) {
			p.stack[i] = v
			return
		}
	}
	p.stack = append(p.stack, v)
}

func (p *parser) array(n *node, depth int) error {
	n.kind = kindArray
	p.i++ // [
	p.skipSpace()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		n.kids = []node{}
		return nil
	}
	base := len(p.stack)
	defer func() { p.stack = p.stack[:base] }()
	for {
		p.skipSpace()
		var v node
		if err := p.value(&v, depth+1); err != nil {
			return err
		}
		p.stack = append(p.stack, v)
		p.skipSpace()
		if p.i >= len(p.b) {
			return p.errorf("unexpected end of input in array")
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			n.kids = append([]node(nil), p.stack[base:]...)
			return nil
		default:
			return p.errorf("expected ',' or ']'")
		}
	}
}

// number scans -?digits(.digits)?([eE][+-]?digits)?; leading zeros are
// allowed, as Kafka enables that Jackson feature.
func (p *parser) number(n *node) error {
	isInt, err := p.scanNumber()
	n.kind, n.isInt = kindNumber, isInt
	return err
}

// scanNumber moves past the number at p.i and reports whether it has
// neither fraction nor exponent.
func (p *parser) scanNumber() (isInt bool, err error) {
	if p.b[p.i] == '-' {
		p.i++
	}
	digits := func() int {
		s := p.i
		for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
			p.i++
		}
		return p.i - s
	}
	if digits() == 0 {
		return false, p.errorf("invalid number")
	}
	isInt = true
	if p.i < len(p.b) && p.b[p.i] == '.' {
		p.i++
		isInt = false
		if digits() == 0 {
			return false, p.errorf("invalid number: no digit after '.'")
		}
	}
	if p.i < len(p.b) && (p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		p.i++
		isInt = false
		if p.i < len(p.b) && (p.b[p.i] == '+' || p.b[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			return false, p.errorf("invalid number: no digit in exponent")
		}
	}
	return isInt, nil
}

// str reads a string literal at p.i, which is '"'. Without escapes the
// result aliases the input.
func (p *parser) str() ([]byte, error) { return p.strInto(false) }

// tempStr is str for a caller done with the bytes before the next string:
// an escaped string is decoded into a buffer reused from call to call.
func (p *parser) tempStr() ([]byte, error) { return p.strInto(true) }

// expect skips space and consumes c, reporting whether it was there.
func (p *parser) expect(c byte) bool {
	if p.skipSpace(); p.i >= len(p.b) || p.b[p.i] != c {
		return false
	}
	p.i++
	return true
}

// next steps past the ',' or the close that follows a member or element:
// more is true after a ',' and false after close; ok is false for anything
// else, the end of the input included.
func (p *parser) next(close byte) (more, ok bool) {
	if p.skipSpace(); p.i >= len(p.b) {
		return false, false
	}
	switch p.b[p.i] {
	case ',':
		p.i++
		return true, true
	case close:
		p.i++
		return false, true
	}
	return false, false
}

// memberKey reads an object member's `"key":` and the space after it. The
// key is in tempStr's scratch buffer, valid until the next read.
func (p *parser) memberKey() ([]byte, bool) {
	if p.skipSpace(); p.i >= len(p.b) || p.b[p.i] != '"' {
		return nil, false
	}
	key, err := p.tempStr()
	if err != nil {
		return nil, false
	}
	if !p.expect(':') {
		return nil, false
	}
	p.skipSpace()
	return key, true
}

func (p *parser) strInto(reuse bool) ([]byte, error) {
	p.i++
	start := p.i
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			s := p.b[start:p.i:p.i]
			p.i++
			return s, nil
		case c == '\\':
			if !reuse {
				return p.strEscaped(start, nil)
			}
			out, err := p.strEscaped(start, p.esc[:0])
			if err == nil {
				p.esc = out[:0]
			}
			return out, err
		case c < 0x20:
			return nil, p.errorf("illegal unquoted character in string")
		}
		p.i++
	}
	return nil, p.errorf("unexpected end of input in string")
}

func (p *parser) strEscaped(start int, out []byte) ([]byte, error) {
	out = append(out, p.b[start:p.i]...)
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			return out, nil
		case c < 0x20:
			return nil, p.errorf("illegal unquoted character in string")
		case c != '\\':
			out = append(out, c)
			p.i++
			continue
		}
		p.i++
		if p.i >= len(p.b) {
			break
		}
		e := p.b[p.i]
		p.i++
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, err := p.hex4()
			if err != nil {
				return nil, err
			}
			if utf16.IsSurrogate(r) && p.i+6 <= len(p.b) && p.b[p.i] == '\\' && p.b[p.i+1] == 'u' {
				save := p.i
				p.i += 2
				r2, err := p.hex4()
				if err == nil && utf16.DecodeRune(r, r2) != utf8.RuneError {
					r = utf16.DecodeRune(r, r2)
				} else {
					p.i = save
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			return nil, p.errorf("unrecognized character escape %q", e)
		}
	}
	return nil, p.errorf("unexpected end of input in string")
}

func (p *parser) hex4() (rune, error) {
	if p.i+4 > len(p.b) {
		return 0, p.errorf("unexpected end of input in \\u escape")
	}
	v, err := strconv.ParseUint(string(p.b[p.i:p.i+4]), 16, 32)
	if err != nil {
		return 0, p.errorf("invalid \\u escape")
	}
	p.i += 4
	return rune(v), nil
}

// skip delimits one value without building it: strings are stepped over
// with their escapes and brackets counted. Malformed content is caught when
// the bytes are parsed for real.
func (p *parser) skip(n *node) error {
	start, depth := p.i, 0
	if h := p.hint; len(h) > 0 && bytes.HasPrefix(p.b[p.i:], h) {
		end := p.i + len(h)
		if end == len(p.b) || isDelim(p.b[end]) {
			p.i, p.hit = end, true
			n.kind, n.raw = kindUnparsed, p.b[start:end]
			return nil
		}
	}
loop:
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case '"':
			if !p.skipString() {
				return p.errorf("unexpected end of input in string")
			}
			if depth == 0 {
				break loop
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				break loop
			}
			depth--
			if depth == 0 {
				p.i++
				break loop
			}
		case ',':
			if depth == 0 {
				break loop
			}
		}
		p.i++
	}
	n.raw = bytesTrimSpace(p.b[start:p.i])
	if depth != 0 || len(n.raw) == 0 {
		return p.errorf("unexpected end of input")
	}
	n.kind = kindUnparsed
	if string(n.raw) == "null" {
		n.kind = kindNull
	}
	return nil
}

// skipString moves past the string literal at p.i.
func (p *parser) skipString() bool {
	p.i++
	for {
		q := bytes.IndexByte(p.b[p.i:], '"')
		if q < 0 {
			return false
		}
		p.i += q + 1
		// The quote ends the string unless an odd run of backslashes
		// precedes it.
		bs := 0
		for j := p.i - 2; j >= 0 && p.b[j] == '\\'; j-- {
			bs++
		}
		if bs%2 == 0 {
			return true
		}
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isIdentChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '$' || c >= 0x80
}

func isDelim(c byte) bool {
	return c == ',' || c == '}' || c == ' ' || c == '\t' || c == '\n' || c == '\r'
}

func bytesTrimSpace(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}
