package postgres

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf16"
)

type hstoreEntry struct {
	key string
	val *string
}

// parseHstore parses hstore output: "a"=>"1", "b"=>NULL.
func parseHstore(s string) ([]hstoreEntry, error) {
	var out []hstoreEntry
	i := 0
	readQuoted := func() (string, error) {
		if i >= len(s) || s[i] != '"' {
			return "", fmt.Errorf("invalid hstore %.40q", s)
		}
		i++
		var b strings.Builder
		for i < len(s) && s[i] != '"' {
			if s[i] == '\\' && i+1 < len(s) {
				i++
			}
			b.WriteByte(s[i])
			i++
		}
		i++
		return b.String(), nil
	}
	for {
		for i < len(s) && (s[i] == ' ' || s[i] == ',') {
			i++
		}
		if i >= len(s) {
			return out, nil
		}
		k, err := readQuoted()
		if err != nil {
			return nil, err
		}
		if !strings.HasPrefix(s[i:], "=>") {
			return nil, fmt.Errorf("invalid hstore %.40q", s)
		}
		i += 2
		e := hstoreEntry{key: k}
		if strings.HasPrefix(s[i:], "NULL") {
			i += 4
		} else {
			v, err := readQuoted()
			if err != nil {
				return nil, err
			}
			e.val = &v
		}
		out = append(out, e)
	}
}

// javaHashOrder reorders entries as iteration over a java.util.HashMap
// built by inserting them in order: pgjdbc parses hstore into a HashMap and
// Debezium serialises that map, so this is the order Debezium's JSON and
// MAP values have. Entries sort by bucket (hash spread, masked by the
// table size the map grew to); within a bucket, insertion order holds.
func javaHashOrder(kv []hstoreEntry) []hstoreEntry {
	n := 16
	for float64(len(kv)) > 0.75*float64(n) {
		n *= 2
	}
	type ent struct {
		e      hstoreEntry
		bucket int
	}
	es := make([]ent, len(kv))
	for i, e := range kv {
		h := javaStringHash(e.key)
		h ^= int32(uint32(h) >> 16)
		es[i] = ent{e, int(h) & (n - 1)}
	}
	sort.SliceStable(es, func(i, j int) bool { return es[i].bucket < es[j].bucket })
	out := make([]hstoreEntry, len(es))
	for i := range es {
		out[i] = es[i].e
	}
	return out
}

// javaStringHash is String.hashCode over UTF-16 code units.
func javaStringHash(s string) int32 {
	var h int32
	for _, u := range utf16.Encode([]rune(s)) {
		h = 31*h + int32(u)
	}
	return h
}

// hstoreJSON renders entries as Jackson writes a Map<String,String>.
func hstoreJSON(kv []hstoreEntry) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, e := range kv {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJacksonString(&b, e.key)
		b.WriteByte(':')
		if e.val == nil {
			b.WriteString("null")
		} else {
			writeJacksonString(&b, *e.val)
		}
	}
	b.WriteByte('}')
	return b.String()
}

// writeJacksonString quotes s as Jackson does: only '"', '\\' and control
// characters are escaped; everything else is written as is.
func writeJacksonString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r < 0x20:
			b.WriteString(`\u00`)
			b.WriteString(fmt.Sprintf("%02X", r))
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}
