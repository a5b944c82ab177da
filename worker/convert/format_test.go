package convert

import (
	"math"
	"math/big"
	"testing"

	"github.com/wharf-project/wharf/connector/data"
)

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
