// Package jsontext writes JSON text byte for byte as Kafka's JsonConverter
// (Jackson) does: Java's Float/Double.toString for numbers and Jackson's
// string escaping. Both the runtime's converters and connectors that write
// JSON themselves (the S3 sink's JsonFormat) use it, so their bytes agree.
package jsontext

import (
	"math"
	"math/bits"
	"strconv"
	"unicode/utf8"
)

const hexDigits = "0123456789ABCDEF"

// plainASCII marks the bytes a JSON string holds as they are.
var plainASCII = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// AppendString writes s as a JSON string the way Jackson's default
// generator does: '"' and '\\' escaped with a backslash, \b \t \n \f \r
// short forms, other control characters as \u00XX with upper-case hex, and
// everything else ('/', '<', '&', DEL, non-ASCII, U+2028) written as is.
// Bytes that are not UTF-8 become U+FFFD, as a Java String would hold them.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	i := 0
	if len(s) >= 8 {
		// Most strings need no escaping at all: find out a word at a time
		// and copy them whole.
		if i = plainLen(s); i == len(s) {
			dst = append(dst, s...)
			return append(dst, '"')
		}
	}
	// Text that needs escaping once tends to need it often (JSON held in a
	// column, non-Latin script), and short strings are not worth the words:
	// go byte by byte.
	start := 0
	for i < len(s) {
		c := s[i]
		if plainASCII[c] {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				dst = append(dst, s[start:i]...)
				dst = append(dst, "\uFFFD"...)
				i++
				start = i
				continue
			}
			i += size
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\r':
			dst = append(dst, '\\', 'r')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
		}
		i++
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// plainLen returns the length of the longest prefix of s, which must be
// at least eight bytes long, made of plainASCII bytes. The last word it
// reads may overlap bytes already seen; those are plain and so unmarked.
func plainLen(s string) int {
	i := 0
	for ; i+8 < len(s); i += 8 {
		if m := specialBytes(load64(s, i)); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	i = len(s) - 8
	if m := specialBytes(load64(s, i)); m != 0 {
		return i + bits.TrailingZeros64(m)/8
	}
	return len(s)
}

// load64 reads s[i:i+8] little-endian; the compiler merges it into one load.
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// specialBytes returns a mask with the high bit set in the lowest byte of
// w that is not plainASCII, or 0 when all eight bytes are. Control bytes
// borrow when 0x20 is subtracted, '"' and '\\' when 1 is subtracted after
// the XOR that zeroes them, and non-ASCII bytes carry their own high bit.
// A borrow can mark a plain byte above a special one, but none happens below
// the first special byte, so the lowest mark is exact.
func specialBytes(w uint64) uint64 {
	const ones = 0x0101010101010101
	const highs = 0x8080808080808080
	ctl := w - 0x20*ones
	quote := (w ^ '"'*ones) - ones
	bslash := (w ^ '\\'*ones) - ones
	return ((ctl|quote|bslash)&^w | w) & highs
}

// AppendFloat writes f as Jackson does: Java's Float/Double.toString
// for finite values, the strings "NaN", "Infinity", "-Infinity" otherwise
// (JsonGenerator.Feature.QUOTE_NON_NUMERIC_NUMBERS is on by default).
func AppendFloat(dst []byte, f float64, bits int) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		dst = append(dst, '"')
		dst = AppendJava(dst, f, bits)
		return append(dst, '"')
	}
	return AppendJava(dst, f, bits)
}

// AppendJava writes f as Java's Double.toString (bits 64) or
// Float.toString (bits 32) of JDK 19 and later: the shortest decimal that
// rounds back to f (among one- and two-digit decimals, the closest), in plain
// notation with at least one fraction digit when 1e-3 <= |f| < 1e7, else as
// d.dddE±n.
func AppendJava(dst []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(f, -1):
		return append(dst, "-Infinity"...)
	case f == 0:
		if math.Signbit(f) {
			return append(dst, "-0.0"...)
		}
		return append(dst, "0.0"...)
	}
	var buf [40]byte
	digits, exp, neg := shortestDigits(buf[:0], f, bits, -1)
	if len(digits) == 1 {
		// Java picks the closest decimal of length 1 or 2, so 4.9E-324
		// rather than Go's 5e-324.
		var buf2 [40]byte
		d2, e2, _ := shortestDigits(buf2[:0], f, bits, 1)
		if (e2 != exp || string(d2) != string(digits)) && roundTrips(d2, e2, neg, f, bits) {
			digits, exp = d2, e2
		}
	}
	if neg {
		dst = append(dst, '-')
	}
	if exp >= -3 && exp < 7 {
		if exp < 0 {
			dst = append(dst, '0', '.')
			for i := -1; i > exp; i-- {
				dst = append(dst, '0')
			}
			return append(dst, digits...)
		}
		intLen := exp + 1
		if len(digits) <= intLen {
			dst = append(dst, digits...)
			for i := len(digits); i < intLen; i++ {
				dst = append(dst, '0')
			}
			return append(dst, '.', '0')
		}
		dst = append(dst, digits[:intLen]...)
		dst = append(dst, '.')
		return append(dst, digits[intLen:]...)
	}
	dst = append(dst, digits[0], '.')
	if len(digits) > 1 {
		dst = append(dst, digits[1:]...)
	} else {
		dst = append(dst, '0')
	}
	dst = append(dst, 'E')
	return strconv.AppendInt(dst, int64(exp), 10)
}

// shortestDigits formats |f| in 'e' format with prec (-1: shortest) and
// returns the significant digits without trailing zeros (at least one), the
// decimal exponent of the first digit, and the sign.
func shortestDigits(buf []byte, f float64, bits, prec int) (digits []byte, exp int, neg bool) {
	s := strconv.AppendFloat(buf, f, 'e', prec, bits)
	if s[0] == '-' {
		neg, s = true, s[1:]
	}
	e := len(s) - 1
	for s[e] != 'e' {
		e--
	}
	x, sign := 0, 1
	for _, c := range s[e+1:] {
		switch c {
		case '-':
			sign = -1
		case '+':
		default:
			x = x*10 + int(c-'0')
		}
	}
	x *= sign
	m := s[:e]
	// m is "d" or "d.ddd": drop the point in place.
	if len(m) > 1 {
		copy(m[1:], m[2:])
		m = m[:len(m)-1]
	}
	for len(m) > 1 && m[len(m)-1] == '0' {
		m = m[:len(m)-1]
	}
	return m, x, neg
}

func roundTrips(digits []byte, exp int, neg bool, f float64, bits int) bool {
	var arr [40]byte
	buf := arr[:0]
	if neg {
		buf = append(buf, '-')
	}
	buf = append(buf, digits[0])
	if len(digits) > 1 {
		buf = append(buf, '.')
		buf = append(buf, digits[1:]...)
	}
	buf = append(buf, 'e')
	buf = strconv.AppendInt(buf, int64(exp), 10)
	g, err := strconv.ParseFloat(string(buf), bits)
	return err == nil && g == f
}
