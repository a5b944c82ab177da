package convert

import (
	"encoding/base64"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/wharf-project/wharf/connector/data"
)

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
