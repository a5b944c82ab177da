package convert

import (
	"math"
	"math/big"
	"strconv"
	"testing"

	"github.com/wharf-project/wharf/connector/data"
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
		if got := string(appendJavaFloat(nil, tc.f, 64)); got != tc.want {
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
		if got := string(appendJavaFloat(nil, float64(tc.f), 32)); got != tc.want {
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
		s := string(appendJavaFloat(nil, f, 64))
		if g, err := strconv.ParseFloat(s, 64); err != nil || g != f {
			t.Fatalf("%v → %s → %v %v", f, s, g, err)
		}
		f32 := float32(f)
		if math.IsInf(float64(f32), 0) {
			continue
		}
		s = string(appendJavaFloat(nil, float64(f32), 32))
		if g, err := strconv.ParseFloat(s, 32); err != nil || float32(g) != f32 {
			t.Fatalf("float %v → %s → %v %v", f32, s, g, err)
		}
	}
}

func TestBigDecimalToString(t *testing.T) {
	huge, _ := new(big.Int).SetString("-123456789012345678901234567890", 10)
	cases := []struct {
		d    data.Decimal
		want string
	}{
		{dec(0, 0), "0"},
		{dec(0, 2), "0.00"},
		{dec(0, -2), "0E+2"},
		{dec(156, 2), "1.56"},
		{dec(-156, 5), "-0.00156"},
		{dec(1, 6), "0.000001"},
		{dec(1, 7), "1E-7"},
		{dec(123, 10), "1.23E-8"},
		{dec(12, -2), "1.2E+3"},
		{dec(-1, -1), "-1E+1"},
		{data.Decimal{Unscaled: huge, Scale: 10}, "-12345678901234567890.1234567890"},
		{data.Decimal{Scale: 3}, "0.000"},
	}
	for _, tc := range cases {
		if got := string(appendBigDecimal(nil, tc.d)); got != tc.want {
			t.Errorf("BigDecimal(%v, %d).toString() = %s, want %s", tc.d.Unscaled, tc.d.Scale, got, tc.want)
		}
	}
}

func TestTwosComplementMatchesData(t *testing.T) {
	for _, v := range []int64{0, 1, -1, 127, 128, -128, -129, 255, 256, -256, 32767, 32768, -32768, -32769,
		1 << 40, -(1 << 40), math.MaxInt64, math.MinInt64} {
		n := big.NewInt(v)
		got := appendTwosComplement(nil, n)
		want := data.TwosComplement(n)
		if string(got) != string(want) {
			t.Errorf("%d: got % x want % x", v, got, want)
		}
	}
}
