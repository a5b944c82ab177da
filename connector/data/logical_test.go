package data

import (
	"bytes"
	"math"
	"math/big"
	"testing"
	"time"
)

// Expected bytes are Java's BigInteger.valueOf(v).toByteArray().
func TestTwosComplement(t *testing.T) {
	cases := []struct {
		v    string
		want []byte
	}{
		{"0", []byte{0x00}},
		{"1", []byte{0x01}},
		{"-1", []byte{0xff}},
		{"127", []byte{0x7f}},
		{"128", []byte{0x00, 0x80}},
		{"-128", []byte{0x80}},
		{"-129", []byte{0xff, 0x7f}},
		{"255", []byte{0x00, 0xff}},
		{"256", []byte{0x01, 0x00}},
		{"-256", []byte{0xff, 0x00}},
		{"-257", []byte{0xfe, 0xff}},
		{"32767", []byte{0x7f, 0xff}},
		{"32768", []byte{0x00, 0x80, 0x00}},
		{"-32768", []byte{0x80, 0x00}},
		{"-32769", []byte{0xff, 0x7f, 0xff}},
		{"110", []byte{0x6e}},
		{"156", []byte{0x00, 0x9c}},
		{"12345", []byte{0x30, 0x39}},
		{"9223372036854775807", []byte{0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
		{"-9223372036854775808", []byte{0x80, 0, 0, 0, 0, 0, 0, 0}},
		{"18446744073709551616", []byte{0x01, 0, 0, 0, 0, 0, 0, 0, 0}},
		{"-18446744073709551616", []byte{0xff, 0, 0, 0, 0, 0, 0, 0, 0}},
	}
	for _, tc := range cases {
		n, _ := new(big.Int).SetString(tc.v, 10)
		got := TwosComplement(n)
		if !bytes.Equal(got, tc.want) {
			t.Errorf("TwosComplement(%s) = % x, want % x", tc.v, got, tc.want)
		}
		if back := FromTwosComplement(tc.want); back.Cmp(n) != 0 {
			t.Errorf("FromTwosComplement(% x) = %s, want %s", tc.want, back, tc.v)
		}
		if !bytes.Equal((Decimal{Unscaled: n, Scale: 2}).Bytes(), tc.want) {
			t.Errorf("Decimal.Bytes(%s) differs", tc.v)
		}
	}
	// Non-minimal encodings decode too (Java accepts them).
	for _, tc := range []struct {
		b    []byte
		want int64
	}{{[]byte{0xff, 0xff}, -1}, {[]byte{0x00, 0x00, 0x01}, 1}, {nil, 0}} {
		if got := FromTwosComplement(tc.b); got.Int64() != tc.want {
			t.Errorf("FromTwosComplement(% x) = %s, want %d", tc.b, got, tc.want)
		}
	}
	// Round trip over a range crossing every byte boundary up to 3 bytes.
	for v := int64(-70000); v <= 70000; v += 7 {
		n := big.NewInt(v)
		if back := FromTwosComplement(TwosComplement(n)); back.Int64() != v {
			t.Fatalf("round trip %d → %s", v, back)
		}
	}
}

// Expected unscaled/scale pairs are what Java's new BigDecimal(String) gives.
func TestParseDecimal(t *testing.T) {
	cases := []struct {
		in       string
		unscaled string
		scale    int32
	}{
		{"0", "0", 0},
		{"1.10", "110", 2},
		{"-12.340", "-12340", 3},
		{"12345", "12345", 0},
		{"+5", "5", 0},
		{"0.001", "1", 3},
		{"-0.00", "0", 2},
		{".5", "5", 1},
		{"5.", "5", 0},
		{"1E+3", "1", -3},
		{"1e3", "1", -3},
		{"1.5E-3", "15", 4},
		{"-1.23e2", "-123", 0},
		{"1.23456789123456789", "123456789123456789", 17},
		{"123456789012345678901234567890.5", "1234567890123456789012345678905", 1},
	}
	for _, tc := range cases {
		d, err := ParseDecimal(tc.in)
		if err != nil {
			t.Errorf("ParseDecimal(%q): %v", tc.in, err)
			continue
		}
		if d.Unscaled.String() != tc.unscaled || d.Scale != tc.scale {
			t.Errorf("ParseDecimal(%q) = %s scale %d, want %s scale %d", tc.in, d.Unscaled, d.Scale, tc.unscaled, tc.scale)
		}
	}
	for _, bad := range []string{"", "-", ".", "abc", "1/3", "1.2.3", "1e", "1e+", "e5", "1e5.0", "--1", "0x10", "1_000", "Infinity", "NaN"} {
		if d, err := ParseDecimal(bad); err == nil {
			t.Errorf("ParseDecimal(%q) = %v, want an error", bad, d)
		}
	}
}

// Expected strings are Java's BigDecimal.toPlainString.
func TestDecimalString(t *testing.T) {
	cases := []struct {
		unscaled int64
		scale    int32
		want     string
	}{
		{0, 0, "0"},
		{0, 2, "0.00"},
		{0, -2, "0"},
		{110, 2, "1.10"},
		{-1234, 2, "-12.34"},
		{5, 3, "0.005"},
		{-5, 3, "-0.005"},
		{12, -2, "1200"},
		{-12, -1, "-120"},
		{math.MaxInt64, 18, "9.223372036854775807"},
		{1, 0, "1"},
	}
	for _, tc := range cases {
		d := Decimal{Unscaled: big.NewInt(tc.unscaled), Scale: tc.scale}
		if got := d.String(); got != tc.want {
			t.Errorf("Decimal(%d, %d).String() = %s, want %s", tc.unscaled, tc.scale, got, tc.want)
		}
	}
	if got := (Decimal{}).String(); got != "0" {
		t.Errorf("zero Decimal = %s", got)
	}
	for _, s := range []string{"1.10", "-12.340", "0.005", "123456789012345678901234567890.5"} {
		d, err := ParseDecimal(s)
		if err != nil || d.String() != s {
			t.Errorf("ParseDecimal(%q).String() = %s, %v", s, d.String(), err)
		}
	}
}

func TestDecimalSchema(t *testing.T) {
	s := DecimalSchema(4)
	if s.Type != TypeBytes || s.Name != DecimalName || s.Version != 1 {
		t.Fatalf("DecimalSchema = %+v", s)
	}
	if sc, err := DecimalScale(s); err != nil || sc != 4 {
		t.Fatalf("DecimalScale = %d %v", sc, err)
	}
	if _, err := DecimalScale(BytesSchema); err == nil {
		t.Fatal("scale of a plain bytes schema")
	}
	bad := &Schema{Type: TypeBytes, Name: DecimalName, Parameters: []Param{{DecimalScaleParam, "x"}}}
	if _, err := DecimalScale(bad); err == nil {
		t.Fatal("scale \"x\" accepted")
	}
	if err := ValidateValue(s, Decimal{Unscaled: big.NewInt(1), Scale: 4}); err != nil {
		t.Fatal(err)
	}
	if err := ValidateValue(BytesSchema, Decimal{Unscaled: big.NewInt(1)}); err == nil {
		t.Fatal("Decimal accepted for plain bytes")
	}
}

func TestDateTimeHelpers(t *testing.T) {
	cases := []struct {
		days int32
		date time.Time
	}{
		{0, time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)},
		{10000, time.Date(1997, 5, 19, 0, 0, 0, 0, time.UTC)},
		{19797, time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC)},
		{-1, time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC)},
		{-719162, time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, tc := range cases {
		if got := DaysToDate(tc.days); !got.Equal(tc.date) || got.Location() != time.UTC {
			t.Errorf("DaysToDate(%d) = %v, want %v", tc.days, got, tc.date)
		}
		if got := DateToDays(tc.date); got != tc.days {
			t.Errorf("DateToDays(%v) = %d, want %d", tc.date, got, tc.days)
		}
	}
	// A date is the UTC calendar day, whatever the location of the value.
	est := time.FixedZone("EST", -5*3600)
	if got := DateToDays(time.Date(2024, 3, 14, 19, 0, 0, 0, est)); got != 19797 {
		t.Errorf("DateToDays in EST = %d", got)
	}
	for _, ms := range []int32{0, 1, 14400000, 86399999} {
		tm := MillisToTime(ms)
		if tm.Year() != 1970 || tm.YearDay() != 1 || tm.Location() != time.UTC {
			t.Errorf("MillisToTime(%d) = %v", ms, tm)
		}
		if got := TimeToMillis(tm); got != ms {
			t.Errorf("TimeToMillis(MillisToTime(%d)) = %d", ms, got)
		}
	}
	// Only the time of day counts; sub-millisecond digits are dropped.
	if got := TimeToMillis(time.Date(2024, 3, 15, 4, 0, 0, 999999, time.UTC)); got != 14400000 {
		t.Errorf("TimeToMillis = %d", got)
	}
	for _, s := range []*Schema{DateSchema(), TimeSchema()} {
		if s.Type != TypeInt32 || s.Version != 1 || ValidateValue(s, time.Now()) != nil {
			t.Errorf("schema %v", s)
		}
	}
	if ts := TimestampSchema(); ts.Type != TypeInt64 || ts.Name != TimestampName || ValidateValue(ts, time.Now()) != nil {
		t.Errorf("timestamp schema %v", ts)
	}
	if ValidateValue(Int32Schema, time.Now()) == nil {
		t.Error("time.Time accepted for a plain INT32")
	}
}

func TestTypeNames(t *testing.T) {
	for _, name := range []string{"int8", "int16", "int32", "int64", "float", "double", "boolean", "string", "bytes", "array", "map", "struct"} {
		typ, ok := ParseType(name)
		if !ok || typ.String() != name {
			t.Errorf("ParseType(%q) = %v %v", name, typ, ok)
		}
	}
	if _, ok := ParseType("float32"); ok {
		t.Error("float32 is not a JsonConverter type name")
	}
}
