package jsontext

import (
	"math"
	"strconv"
	"testing"
	"unicode/utf8"
)

// Expected strings are what Java (JDK 19+) prints for Double.toString and
// Float.toString.
func TestJavaDoubleToString(t *testing.T) {
	cases := []struct {
		f    float64
		want string
	}{
		{0, "0.0"},
		{math.Copysign(0, -1), "-0.0"},
		{1, "1.0"},
		{4, "4.0"},
		{-1.5, "-1.5"},
		{0.1, "0.1"},
		{12.34, "12.34"},
		{100, "100.0"},
		{0.001, "0.001"},
		{0.002, "0.002"},
		{0.00099, "9.9E-4"},
		{1e-4, "1.0E-4"},
		{1.2345e-7, "1.2345E-7"},
		{9999999, "9999999.0"},
		{1234567.125, "1234567.125"},
		{1e7, "1.0E7"},
		{123456789, "1.23456789E8"},
		{1e21, "1.0E21"},
		{1e23, "1.0E23"},
		{2e23, "2.0E23"},
		{1.7976931348623157e308, "1.7976931348623157E308"},
		{4.9e-324, "4.9E-324"},                               // Double.MIN_VALUE: 2 digits, not Go's 5e-324
		{2.2250738585072014e-308, "2.2250738585072014E-308"}, // Double.MIN_NORMAL
		{1710497100250117000, "1.710497100250117E18"},
		{0.30000000000000004, "0.30000000000000004"},
		{math.NaN(), "NaN"},
		{math.Inf(1), "Infinity"},
		{math.Inf(-1), "-Infinity"},
	}
	for _, tc := range cases {
		if got := string(AppendJava(nil, tc.f, 64)); got != tc.want {
			t.Errorf("Double.toString(%v) = %s, want %s", tc.f, got, tc.want)
		}
	}
}

func TestJavaFloatToString(t *testing.T) {
	cases := []struct {
		f    float32
		want string
	}{
		{0.1, "0.1"},
		{1.1, "1.1"},
		{12.34, "12.34"},
		{3.14159, "3.14159"},
		{16777216, "1.6777216E7"},
		{1e10, "1.0E10"},
		{1e-5, "1.0E-5"},
		{3.4028235e38, "3.4028235E38"}, // Float.MAX_VALUE
		{1.4e-45, "1.4E-45"},           // Float.MIN_VALUE: 2 digits
		{1.17549435e-38, "1.1754944E-38"},
		{-2.5, "-2.5"},
		{float32(math.Inf(1)), "Infinity"},
	}
	for _, tc := range cases {
		if got := string(AppendJava(nil, float64(tc.f), 32)); got != tc.want {
			t.Errorf("Float.toString(%v) = %s, want %s", tc.f, got, tc.want)
		}
	}
}

// Every double and float written must read back as the same number.
func TestJavaFloatRoundTrip(t *testing.T) {
	vals := []float64{math.Pi, math.E, 1 / 3.0, 5e-324, 1e-310, 123.456e200, math.MaxFloat64, 0.5, 2.5e-3}
	for i := 0; i < 2000; i++ {
		vals = append(vals, math.Float64frombits(uint64(i)*0x9E3779B97F4A7C15))
	}
	for _, f := range vals {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		s := string(AppendJava(nil, f, 64))
		if g, err := strconv.ParseFloat(s, 64); err != nil || g != f {
			t.Fatalf("%v → %s → %v %v", f, s, g, err)
		}
		f32 := float32(f)
		if math.IsInf(float64(f32), 0) {
			continue
		}
		s = string(AppendJava(nil, float64(f32), 32))
		if g, err := strconv.ParseFloat(s, 32); err != nil || float32(g) != f32 {
			t.Fatalf("float %v → %s → %v %v", f32, s, g, err)
		}
	}
}

// Jackson escapes control characters with upper-case hex and leaves
// '/', '<', '&' and non-ASCII as they are (unlike encoding/json).
func TestAppendString(t *testing.T) {
	for in, want := range map[string]string{
		"plain":         `"plain"`,
		"q\"b\\":        `"q\"b\\"`,
		"\n\t\r\b\f":    `"\n\t\r\b\f"`,
		"\x01\x1f":      `"\u0001\u001F"`,
		"</a&b>é\u2028": "\"</a&b>é\u2028\"",
		"bad\xffutf8":   "\"bad\uFFFDutf8\"",
	} {
		if got := string(AppendString(nil, in)); got != want {
			t.Errorf("AppendString(%q) = %s, want %s", in, got, want)
		}
	}
	if got := string(AppendFloat(nil, math.NaN(), 64)); got != `"NaN"` {
		t.Errorf("NaN = %s", got)
	}
}

// appendStringBytewise is AppendString as it was before the word-at-a-time
// scan: the reference the fast path must match byte for byte.
func appendStringBytewise(dst []byte, s string) []byte {
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

// Every byte value at every offset of a word, alone and next to the
// others, so that each lane of the word scan and each carry between lanes
// is exercised.
func TestAppendStringEveryByte(t *testing.T) {
	pad := "abcdefghijklmnopq"
	for b := 0; b < 256; b++ {
		for pos := 0; pos <= 16; pos++ {
			for _, tail := range []string{"", "\x00", "\"", "\\", "\x7f", "\x80", "\xc3\xa9", "zz"} {
				checkAppendString(t, pad[:pos]+string([]byte{byte(b)})+tail+pad[:16-pos])
			}
		}
	}
	// Multi-byte and invalid sequences straddling a word boundary.
	for _, r := range []string{"é", "€", "𝄞", "\u2028", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82", "\xc0\xaf"} {
		for pos := 0; pos <= 16; pos++ {
			checkAppendString(t, pad[:pos]+r+pad[pos:])
		}
	}
}

func checkAppendString(t *testing.T, in string) {
	t.Helper()
	want := string(appendStringBytewise([]byte("x"), in))
	if got := string(AppendString([]byte("x"), in)); got != want {
		t.Fatalf("AppendString(%q) = %s, want %s", in, got, want)
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain ascii text", "q\"b\\", "\x01\x1f\n", "é\u2028𝄞", "bad\xffutf8", "\xed\xa0\x80abcdefgh"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkAppendString(t, s)
	})
}

func BenchmarkAppendString(b *testing.B) {
	for _, bc := range []struct{ name, s string }{
		{"key", "first_name"},
		{"short", "Austin"},
		{"ascii", "note c4ca4238a0b923820dcc509a6f75849b 8f14e45fceea167a5a36dedd4bea2543"},
		{"escapes", `{"a":"b\n","c":[1,2]}`},
		{"utf8", "Grüße aus Köln, 東京から"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			buf := make([]byte, 0, 256)
			b.SetBytes(int64(len(bc.s)))
			for b.Loop() {
				buf = AppendString(buf[:0], bc.s)
			}
		})
	}
}
