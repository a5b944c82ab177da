package convert

import (
	"bytes"
	"encoding/base64"
	"hash/maphash"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/wharf-project/wharf/connector/data"
)

// decoder is the per-call state of ToConnect, pooled per converter so that
// its buffers keep their capacity from one record to the next.
//
// Its fast path reads the common envelope, {"schema":…,"payload":…} with a
// schema seen before, straight into Connect values against the cached
// schema, without a node tree. It accepts only what the tree path accepts
// and gives the same values; anything else (an error, a null schema, a
// duplicate member, a value Jackson would read leniently) makes it give up,
// and ToConnect redoes the record on the tree path, which has Kafka's
// messages and corner cases.
type decoder struct {
	parser
	replaceNull bool
	seen        []bool // struct members read so far, a stack like parser.stack
	vals        []any  // array elements being read, copied out exactly sized
	ents        []data.MapEntry
	strs        []byte      // the text of the string fields of the record
	fix         []stringFix // where those strings go once strs is one string
	buf         []byte      // base64 scratch
}

// stringFix is a STRING struct field whose value is strs[start:end]: the
// strings of one record share one allocation.
type stringFix struct {
	st         *data.Struct
	field      int
	start, end int
}

// maxPooledBuffer bounds what a pooled decoder keeps between records, so
// one huge record does not pin its buffers for the converter's lifetime.
const maxPooledBuffer = 1 << 16

func (c *JSON) getDecoder() *decoder {
	if d, ok := c.decoders.Get().(*decoder); ok {
		return d
	}
	return &decoder{}
}

func (c *JSON) putDecoder(d *decoder) {
	d.parser.release()
	clear(d.vals[:cap(d.vals)])
	clear(d.ents[:cap(d.ents)])
	clear(d.fix[:cap(d.fix)])
	d.vals, d.ents, d.fix, d.seen = d.vals[:0], d.ents[:0], d.fix[:0], d.seen[:0]
	d.strs = d.strs[:0]
	if cap(d.strs) > maxPooledBuffer || cap(d.stack) > maxPooledBuffer/64 || cap(d.vals) > maxPooledBuffer/16 ||
		cap(d.ents) > maxPooledBuffer/32 || cap(d.fix) > maxPooledBuffer/32 || cap(d.buf) > maxPooledBuffer || cap(d.esc) > maxPooledBuffer || cap(d.seen) > maxPooledBuffer {
		return
	}
	c.decoders.Put(d)
}

// envelope is ToConnect's fast path for schemas.enable=true; ok is false
// when the record has to go the tree path.
func (d *decoder) envelope(c *JSON, b []byte) (s *data.Schema, v any, ok bool) {
	hint := c.lastSchema.Load()
	var hintRaw []byte
	if hint != nil {
		hintRaw = hint.raw
	}
	p := &d.parser
	p.reset(b, true, hintRaw)
	d.replaceNull = c.replaceNull
	if !d.member('{', "schema") {
		return nil, nil, false
	}
	var sn node
	start := p.i
	if p.skip(&sn) != nil || sn.kind != kindUnparsed {
		return nil, nil, false
	}
	var entry parsedSchema
	var h uint64
	if p.hit {
		s = hint.schema
	} else {
		// The cache is only read here; it is touched, as the tree path
		// would, once the record turned out valid.
		h = maphash.Bytes(c.seed, sn.raw)
		if entry, ok = c.toCache.peek(h); !ok || !bytes.Equal(entry.raw, sn.raw) || entry.schema == nil {
			return nil, nil, false
		}
		s = entry.schema
	}
	// The schema text is a cached one, and so valid UTF-8 (a whole value,
	// cut at ASCII delimiters); the input is valid if what surrounds it is.
	if !utf8.Valid(b[:start]) || !utf8.Valid(b[start+len(sn.raw):]) {
		return nil, nil, false
	}
	if p.skipSpace(); !d.member(',', "payload") {
		return nil, nil, false
	}
	if v, ok = d.value(s, 1); !ok {
		return nil, nil, false
	}
	if p.skipSpace(); p.i >= len(p.b) || p.b[p.i] != '}' {
		return nil, nil, false // more members: a duplicate or not an envelope
	}
	d.fixStrings()
	if !p.hit {
		c.touchSchema(h, entry)
	}
	return s, v, true
}

// touchSchema does what cachedConnectSchema does on a cache hit.
func (c *JSON) touchSchema(h uint64, e parsedSchema) {
	c.toCache.get(h)
	c.lastSchema.Store(&e)
}

// member reads the delimiter open, the member name want and its colon.
func (d *decoder) member(open byte, want string) bool {
	p := &d.parser
	if !p.expect(open) {
		return false
	}
	key, ok := p.memberKey()
	return ok && string(key) == want
}

// fixStrings makes the record's string fields substrings of one string.
func (d *decoder) fixStrings() {
	if len(d.fix) == 0 {
		return
	}
	all := string(d.strs)
	for _, f := range d.fix {
		f.st.Set(f.field, all[f.start:f.end])
	}
}

// value reads the value at p.i as toConnect reads its node for schema s,
// depth counted as parser.value counts it.
func (d *decoder) value(s *data.Schema, depth int) (any, bool) {
	p := &d.parser
	if s == nil || depth > maxDepth || p.i >= len(p.b) {
		return nil, false
	}
	c := p.b[p.i]
	if c == 'n' {
		if !p.lit("null") {
			return nil, false
		}
		return d.null(s)
	}
	if s.Name != "" {
		if done, v, ok := d.logical(s, c); done {
			return v, ok
		}
	}
	switch s.Type {
	case data.TypeBoolean:
		if p.lit("true") {
			return true, true
		}
		if p.lit("false") {
			return false, true
		}
	case data.TypeInt8, data.TypeInt16, data.TypeInt32, data.TypeInt64:
		n, ok := d.integer(c)
		if !ok {
			return nil, false
		}
		switch s.Type {
		case data.TypeInt8:
			return int8(n), true
		case data.TypeInt16:
			return int16(n), true
		case data.TypeInt32:
			return int32(n), true
		}
		return n, true
	case data.TypeFloat32, data.TypeFloat64:
		return d.float(s.Type, c)
	case data.TypeString:
		if c == '"' {
			b, err := p.tempStr()
			if err != nil {
				return nil, false
			}
			return string(b), true
		}
	case data.TypeBytes:
		if c == '"' {
			return d.bytes()
		}
	case data.TypeArray:
		if c == '[' {
			return d.array(s.Elem, depth)
		}
	case data.TypeMap:
		if s.Key != nil && s.Key.Type == data.TypeString && c == '{' {
			return d.stringMap(s.Value, depth)
		}
		if s.Key != nil && s.Key.Type != data.TypeString && c == '[' {
			return d.tupleMap(s.Key, s.Value, depth)
		}
	case data.TypeStruct:
		if c == '{' {
			return d.structValue(s, depth)
		}
	}
	return nil, false
}

// null is toConnect's null (or missing member) for schema s.
func (d *decoder) null(s *data.Schema) (any, bool) {
	switch {
	case s.Default != nil && d.replaceNull:
		return s.Default, true
	case s.Optional:
		return nil, true
	}
	return nil, false
}

// integer reads an integer literal that fits int64 (intValue's exact case).
func (d *decoder) integer(c byte) (int64, bool) {
	p := &d.parser
	if c != '-' && (c < '0' || c > '9') {
		return 0, false
	}
	start := p.i
	isInt, err := p.scanNumber()
	if err != nil || !isInt {
		return 0, false
	}
	return parseInt(p.b[start:p.i])
}

// parseInt is strconv.ParseInt(string(b), 10, 64) for the digits, with an
// optional minus, that scanNumber accepted.
func parseInt(b []byte) (int64, bool) {
	if len(b) > 18 {
		n, err := strconv.ParseInt(string(b), 10, 64)
		return n, err == nil
	}
	neg := b[0] == '-'
	if neg {
		b = b[1:]
	}
	var n int64
	for _, c := range b {
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

func (d *decoder) float(t data.Type, c byte) (any, bool) {
	p := &d.parser
	if c != '-' && (c < '0' || c > '9') {
		return nil, false
	}
	start := p.i
	if _, err := p.scanNumber(); err != nil {
		return nil, false
	}
	if t == data.TypeFloat32 {
		f, _ := strconv.ParseFloat(string(p.b[start:p.i]), 32)
		return float32(f), true
	}
	f, _ := strconv.ParseFloat(string(p.b[start:p.i]), 64)
	return f, true
}

// base64 decodes the string at p.i into d.buf.
func (d *decoder) base64() ([]byte, bool) {
	b, err := d.parser.tempStr()
	if err != nil {
		return nil, false
	}
	n := base64.StdEncoding.DecodedLen(len(b))
	if cap(d.buf) < n {
		d.buf = make([]byte, n)
	}
	n, err = base64.StdEncoding.Decode(d.buf[:n], b)
	if err != nil {
		return nil, false
	}
	return d.buf[:n], true
}

func (d *decoder) bytes() (any, bool) {
	b, ok := d.base64()
	if !ok {
		return nil, false
	}
	return append(make([]byte, 0, len(b)), b...), true
}

// logical is logicalToConnect; done is false for other schema names.
func (d *decoder) logical(s *data.Schema, c byte) (done bool, v any, ok bool) {
	p := &d.parser
	switch s.Name {
	case data.DecimalName:
		if c == '"' {
			b, ok := d.base64()
			if !ok || len(b) == 0 {
				return true, nil, false
			}
			scale, err := decimalScale(s)
			if err != nil {
				return true, nil, false
			}
			return true, data.Decimal{Unscaled: data.FromTwosComplement(b), Scale: scale}, true
		}
		if c != '-' && (c < '0' || c > '9') {
			return true, nil, false
		}
		start := p.i
		if _, err := p.scanNumber(); err != nil {
			return true, nil, false
		}
		dec, err := data.ParseDecimal(string(p.b[start:p.i]))
		return true, dec, err == nil
	case data.DateName:
		n, ok := d.integer(c)
		if !ok || n != int64(int32(n)) {
			return true, nil, false
		}
		return true, data.DaysToDate(int32(n)), true
	case data.TimeName:
		n, ok := d.integer(c)
		if !ok || n != int64(int32(n)) || n < 0 || n > msPerDay {
			return true, nil, false
		}
		return true, data.MillisToTime(int32(n)), true
	case data.TimestampName:
		n, ok := d.integer(c)
		if !ok {
			return true, nil, false
		}
		return true, time.UnixMilli(n).UTC(), true
	}
	return false, nil, false
}
