package postgres

import (
	"math/big"
	"testing"
	"time"
)

func TestCivilDaysMatchesTimeDate(t *testing.T) {
	years := []int{-294276, -4713, -401, -400, -399, -101, -100, -1, 0, 1, 4, 99, 100, 1582, 1600, 1700, 1899,
		1900, 1969, 1970, 1971, 1999, 2000, 2001, 2023, 2024, 2100, 2400, 9999, 10000, 294276, 5874897}
	for y := 1890; y <= 2110; y++ {
		years = append(years, y)
	}
	for _, y := range years {
		for m := -1; m <= 14; m++ {
			for _, d := range []int{-1, 0, 1, 2, 15, 28, 29, 30, 31, 32, 60} {
				want := floorDiv(time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Unix(), 86400)
				if got := civilDays(y, m, d); got != want {
					t.Fatalf("civilDays(%d, %d, %d) = %d, want %d", y, m, d, got, want)
				}
			}
		}
	}
}

func TestZonedFromTextMatchesGeneral(t *testing.T) {
	ins := []string{"2024-01-01 03:25:45+00", "2024-01-01 03:25:45.5+00", "2024-02-29 23:59:59.999999+00",
		"2023-02-29 00:00:00+00", "2024-04-31 00:00:00+00", "0001-01-01 00:00:00+00", "0099-12-31 12:00:00.1+00",
		"9999-12-31 23:59:59.123456789+00", "2024-01-01 24:00:00+00", "2024-01-01 23:60:00+00", "2024-01-01 23:00:60+00",
		"2024-13-01 00:00:00+00", "2024-00-01 00:00:00+00", "2024-01-00 00:00:00+00", "0000-01-01 00:00:00+00",
		"2024-01-01 00:00:00.+00", "2024-01-01 00:00:00.12a+00", "2024-01-01 00:00:00+01", "2024-01-01 00:00:00-00",
		"2024-01-01 00:00:00+00:30", "0044-03-15 12:00:00+00 BC", "12024-01-01 00:00:00+00", "2024-1-01 00:00:00+00",
		"1970-01-01 00:00:00.000001+00", "1969-12-31 23:59:59.999999+00", "2024-01-01T00:00:00+00", "x024-01-01 00:00:00+00"}
	for ts := time.Date(1899, 1, 1, 0, 0, 0, 0, time.UTC); ts.Year() < 2101; ts = ts.Add(97*24*time.Hour + 3723*time.Second + 123457*time.Microsecond) {
		ins = append(ins, ts.Format("2006-01-02 15:04:05.999999")+"+00")
	}
	fast := 0
	for _, s := range ins {
		for p := 0; p <= 6; p++ {
			got, ok := zonedFromText(s, p)
			if !ok {
				continue
			}
			fast++
			us, err := parseTimestamp(s)
			if err != nil {
				t.Errorf("zonedFromText(%q) accepted what parseTimestamp refuses: %v", s, err)
				continue
			}
			if want := formatZoned(us, p); got != want {
				t.Errorf("zonedFromText(%q, %d) = %s, want %s", s, p, got, want)
			}
		}
	}
	if fast < len(ins) {
		t.Errorf("fast path taken only %d times", fast)
	}
}

func TestParseOffsetHours(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
	}{{"+00", 0}, {"-00", 0}, {"+05", 18000}, {"-08", -28800}, {"+05:30", 19800}, {"-03:30:15", -12615}} {
		if got, err := parseOffset(c.in); err != nil || got != c.want {
			t.Errorf("parseOffset(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"+0a", "05", "+", "+1:2:3:4"} {
		if _, err := parseOffset(bad); err == nil {
			t.Errorf("parseOffset(%q): no error", bad)
		}
	}
}

func TestSmallBigInt(t *testing.T) {
	for _, n := range []int64{0, 1, -1, 255, -256, 1 << 40, -(1 << 40), 999999999999999999, -999999999999999999} {
		got := smallBigInt(n)
		if want := big.NewInt(n); got.Cmp(want) != 0 || got.String() != want.String() || got.Sign() != want.Sign() {
			t.Errorf("smallBigInt(%d) = %v", n, got)
		}
		if n != 0 && len(got.Bits()) != 1 {
			t.Errorf("smallBigInt(%d) has %d words", n, len(got.Bits()))
		}
	}
}
