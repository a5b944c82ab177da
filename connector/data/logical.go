package data

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// Names of Connect's built-in logical types.
const (
	DecimalName   = "org.apache.kafka.connect.data.Decimal"
	DateName      = "org.apache.kafka.connect.data.Date"
	TimeName      = "org.apache.kafka.connect.data.Time"
	TimestampName = "org.apache.kafka.connect.data.Timestamp"

	// DecimalScaleParam is the schema parameter holding a Decimal's scale.
	DecimalScaleParam = "scale"
)

// Decimal is the value of a Connect Decimal: Unscaled × 10^-Scale. On the
// wire (JsonConverter, Avro) it is the big-endian two's-complement bytes of
// Unscaled.
type Decimal struct {
	Unscaled *big.Int
	Scale    int32
}

// DecimalSchema returns a Decimal schema of the given scale.
func DecimalSchema(scale int32) *Schema {
	return &Schema{Type: TypeBytes, Name: DecimalName, Version: 1,
		Parameters: []Param{{DecimalScaleParam, strconv.Itoa(int(scale))}}}
}

// DecimalScale returns the scale of a Decimal schema.
func DecimalScale(s *Schema) (int32, error) {
	v, ok := s.Param(DecimalScaleParam)
	if !ok {
		return 0, fmt.Errorf("data: Decimal schema has no %q parameter", DecimalScaleParam)
	}
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("data: Decimal scale %q: %w", v, err)
	}
	return int32(n), nil
}

// ParseDecimal parses a decimal string such as "-12.340" or "1.5E-3" as
// Java's new BigDecimal(String) does: the scale is the number of fraction
// digits minus the exponent ("-12.340" → -12340 scale 3, "1.5E-3" → 15
// scale 4, "1E+3" → 1 scale -3).
func ParseDecimal(s string) (Decimal, error) {
	mant, exp := s, int64(0)
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.ParseInt(strings.TrimPrefix(s[i+1:], "+"), 10, 32)
		if err != nil || strings.HasPrefix(s[i+1:], "+-") || strings.HasPrefix(s[i+1:], "++") {
			return Decimal{}, fmt.Errorf("data: invalid decimal %q", s)
		}
		mant, exp = s[:i], e
	}
	digits := mant
	if digits != "" && (digits[0] == '+' || digits[0] == '-') {
		digits = digits[1:]
	}
	frac := 0
	if i := strings.IndexByte(digits, '.'); i >= 0 {
		frac = len(digits) - i - 1
		digits = digits[:i] + digits[i+1:]
	}
	if digits == "" || strings.TrimLeft(digits, "0123456789") != "" {
		return Decimal{}, fmt.Errorf("data: invalid decimal %q", s)
	}
	n, _ := new(big.Int).SetString(digits, 10)
	if mant[0] == '-' {
		n.Neg(n)
	}
	scale := int64(frac) - exp
	if scale != int64(int32(scale)) {
		return Decimal{}, fmt.Errorf("data: decimal %q: scale out of range", s)
	}
	return Decimal{Unscaled: n, Scale: int32(scale)}, nil
}

// Bytes returns the minimal big-endian two's-complement encoding of the
// unscaled value, as Java's BigInteger.toByteArray.
func (d Decimal) Bytes() []byte { return TwosComplement(d.Unscaled) }

// String renders the decimal in plain notation ("12.30").
func (d Decimal) String() string {
	if d.Unscaled == nil {
		return "0"
	}
	s := d.Unscaled.String()
	if d.Scale <= 0 {
		if d.Scale < 0 && d.Unscaled.Sign() != 0 {
			return s + string(make0(int(-d.Scale)))
		}
		return s
	}
	neg := false
	if s[0] == '-' {
		neg, s = true, s[1:]
	}
	for len(s) <= int(d.Scale) {
		s = "0" + s
	}
	out := s[:len(s)-int(d.Scale)] + "." + s[len(s)-int(d.Scale):]
	if neg {
		out = "-" + out
	}
	return out
}

func make0(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = '0'
	}
	return b
}

// TwosComplement encodes n as Java's BigInteger.toByteArray does.
func TwosComplement(n *big.Int) []byte {
	if n.Sign() >= 0 {
		b := n.Bytes()
		if len(b) == 0 || b[0]&0x80 != 0 {
			b = append([]byte{0}, b...)
		}
		return b
	}
	// For negative n: two's complement over the smallest byte length that
	// keeps the sign bit set.
	nbytes := (n.BitLen() + 8) / 8
	mod := new(big.Int).Lsh(big.NewInt(1), uint(nbytes*8))
	v := new(big.Int).Add(mod, n)
	b := v.Bytes()
	for len(b) < nbytes {
		b = append([]byte{0xff}, b...)
	}
	// Drop redundant leading 0xff bytes.
	for len(b) > 1 && b[0] == 0xff && b[1]&0x80 != 0 {
		b = b[1:]
	}
	return b
}

// FromTwosComplement decodes big-endian two's-complement bytes.
func FromTwosComplement(b []byte) *big.Int {
	n := new(big.Int).SetBytes(b)
	if len(b) > 0 && b[0]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(len(b)*8)))
	}
	return n
}

// DateSchema is Connect's Date: INT32 days since the epoch; value time.Time (UTC midnight).
func DateSchema() *Schema { return &Schema{Type: TypeInt32, Name: DateName, Version: 1} }

// TimeSchema is Connect's Time: INT32 milliseconds since midnight; value time.Time on 1970-01-01 UTC.
func TimeSchema() *Schema { return &Schema{Type: TypeInt32, Name: TimeName, Version: 1} }

// TimestampSchema is Connect's Timestamp: INT64 milliseconds since the epoch; value time.Time.
func TimestampSchema() *Schema { return &Schema{Type: TypeInt64, Name: TimestampName, Version: 1} }

const msPerDay = 24 * 60 * 60 * 1000

// DateToDays converts a Date value to its wire form.
func DateToDays(t time.Time) int32 { return int32(t.UTC().UnixMilli() / msPerDay) }

// DaysToDate converts the wire form of a Date to its value.
func DaysToDate(d int32) time.Time { return time.UnixMilli(int64(d) * msPerDay).UTC() }

// TimeToMillis converts a Time value to milliseconds since midnight.
func TimeToMillis(t time.Time) int32 {
	t = t.UTC()
	return int32((t.Hour()*3600+t.Minute()*60+t.Second())*1000 + t.Nanosecond()/1e6)
}

// MillisToTime converts milliseconds since midnight to a Time value.
func MillisToTime(ms int32) time.Time { return time.UnixMilli(int64(ms)).UTC() }
