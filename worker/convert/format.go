package convert

import (
	"encoding/base64"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wharf-project/wharf/connector/data"
)

const hexDigits = "0123456789ABCDEF"

// plainASCII marks the bytes a JSON string holds as they are.
var plainASCII = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendJSONString writes s as a JSON string the way Jackson's default
// generator does: '"' and '\\' escaped with a backslash, \b \t \n \f \r
// short forms, other control characters as \u00XX with upper-case hex, and
// everything else ('/', '<', '&', DEL, non-ASCII, U+2028) written as is.
// Bytes that are not UTF-8 become U+FFFD, as a Java String would hold them.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
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

// appendJSONFloat writes f as Jackson does: Java's Float/Double.toString
// for finite values, the strings "NaN", "Infinity", "-Infinity" otherwise
// (JsonGenerator.Feature.QUOTE_NON_NUMERIC_NUMBERS is on by default).
func appendJSONFloat(dst []byte, f float64, bits int) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		dst = append(dst, '"')
		dst = appendJavaFloat(dst, f, bits)
		return append(dst, '"')
	}
	return appendJavaFloat(dst, f, bits)
}

// appendJavaFloat writes f as Java's Double.toString (bits 64) or
// Float.toString (bits 32) of JDK 19 and later: the shortest decimal that
// rounds back to f (among one- and two-digit decimals, the closest), in plain
// notation with at least one fraction digit when 1e-3 <= |f| < 1e7, else as
// d.dddE±n.
func appendJavaFloat(dst []byte, f float64, bits int) []byte {
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

// appendBigDecimal writes d as Java's BigDecimal.toString: plain notation
// when the scale is not negative and the adjusted exponent is at least -6,
// otherwise scientific notation (1.23E+5, 1E-7).
func appendBigDecimal(dst []byte, d data.Decimal) []byte {
	var buf [24]byte
	var coeff []byte
	switch {
	case d.Unscaled == nil:
		coeff = append(buf[:0], '0')
	case d.Unscaled.IsInt64():
		coeff = strconv.AppendInt(buf[:0], d.Unscaled.Int64(), 10)
	default:
		coeff = d.Unscaled.Append(buf[:0], 10)
	}
	if coeff[0] == '-' {
		dst = append(dst, '-')
		coeff = coeff[1:]
	}
	scale := int64(d.Scale)
	adjusted := -scale + int64(len(coeff)-1)
	if scale >= 0 && adjusted >= -6 {
		if scale == 0 {
			return append(dst, coeff...)
		}
		if int64(len(coeff)) > scale {
			point := int64(len(coeff)) - scale
			dst = append(dst, coeff[:point]...)
			dst = append(dst, '.')
			return append(dst, coeff[point:]...)
		}
		dst = append(dst, '0', '.')
		for i := int64(len(coeff)); i < scale; i++ {
			dst = append(dst, '0')
		}
		return append(dst, coeff...)
	}
	dst = append(dst, coeff[0])
	if len(coeff) > 1 {
		dst = append(dst, '.')
		dst = append(dst, coeff[1:]...)
	}
	dst = append(dst, 'E')
	if adjusted > 0 {
		dst = append(dst, '+')
	}
	return strconv.AppendInt(dst, adjusted, 10)
}

// appendTwosComplement appends the minimal big-endian two's-complement
// bytes of n (Java's BigInteger.toByteArray) without allocating when n fits
// in an int64.
func appendTwosComplement(dst []byte, n *big.Int) []byte {
	if n == nil {
		return append(dst, 0)
	}
	if !n.IsInt64() {
		return append(dst, data.TwosComplement(n)...)
	}
	v := n.Int64()
	size := 1
	for size < 8 {
		// v fits in size bytes when sign-extending its low size*8 bits
		// gives v back.
		shift := uint(64 - size*8)
		if (v<<shift)>>shift == v {
			break
		}
		size++
	}
	for i := size - 1; i >= 0; i-- {
		dst = append(dst, byte(v>>(uint(i)*8)))
	}
	return dst
}

// appendBase64 writes b as a quoted standard, padded base64 string
// (Jackson's default Base64Variant, MIME_NO_LINEFEEDS).
func appendBase64(dst, b []byte) []byte {
	dst = append(dst, '"')
	dst = base64.StdEncoding.AppendEncode(dst, b)
	return append(dst, '"')
}

// javaClass names the Java class Kafka would report for a Go value in its
// error messages ("class java.lang.String").
func javaClass(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "class java.lang.String"
	case bool:
		return "class java.lang.Boolean"
	case int8:
		return "class java.lang.Byte"
	case int16:
		return "class java.lang.Short"
	case int32:
		return "class java.lang.Integer"
	case int64:
		return "class java.lang.Long"
	case float32:
		return "class java.lang.Float"
	case float64:
		return "class java.lang.Double"
	case []byte:
		return "class [B"
	case []any:
		return "class java.util.ArrayList"
	case []data.MapEntry:
		return "class java.util.LinkedHashMap"
	case *data.Struct:
		return "class org.apache.kafka.connect.data.Struct"
	case data.Decimal:
		return "class java.math.BigDecimal"
	case time.Time:
		return "class java.util.Date"
	}
	return fmt.Sprintf("Go type %T", v)
}

// typeEnum is the Java enum name of a Connect type (Schema.Type.toString),
// which Kafka's messages use: FLOAT32, not the JSON name "float".
func typeEnum(t data.Type) string {
	switch t {
	case data.TypeFloat32:
		return "FLOAT32"
	case data.TypeFloat64:
		return "FLOAT64"
	}
	return strings.ToUpper(t.String())
}
