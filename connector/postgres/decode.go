package postgres

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/wharf-project/wharf/connector/data"
)

// Text formats parsed here are what PostgreSQL prints with the session
// settings both connections use (sessionParams): DateStyle=ISO,
// IntervalStyle=postgres, TimeZone=UTC, bytea_output=hex.

// pgjdbc's stand-ins for ±infinity timestamps, which Debezium passes on.
const (
	infinityMicros    = 9223372036825200000
	negInfinityMicros = -9223372036832400000
)

// Debezium's ±infinity dates: LocalDate "-5877611-06-21" (infinity, with
// the sign slip Debezium 3.x ships; fixed upstream in dbz#2524 to
// "+5877611-06-21") and "-5877611-06-22" (-infinity), as epoch days.
const (
	infinityDays    = -2147472692
	negInfinityDays = -2147472691
)

func (c *Config) temporalType(name string, typmod int32) *colType {
	p := int(typmod) // time/timestamp typmod is the fractional precision
	if p < 0 || p > 6 {
		p = 6
	}
	connect := c.TimeMode == "connect"
	switch name {
	case "date":
		// ±infinity become the epoch days of Debezium's LocalDate sentinels
		// (PostgresValueConverter.POSITIVE/NEGATIVE_INFINITY_LOCAL_DATE).
		if connect {
			return &colType{schema: data.DateSchema(), decode: func(s string) (any, error) {
				d, err := parseDate(s)
				return data.DaysToDate(d), err
			}}
		}
		return &colType{schema: semantic(data.TypeInt32, nameDate), decode: func(s string) (any, error) { return parseDate(s) }}
	case "time":
		return c.timeType(p)
	case "timetz":
		return &colType{schema: semantic(data.TypeString, nameZonedTime), decode: decodeTimetz}
	case "timestamp":
		return c.timestampType(p)
	case "timestamptz":
		return &colType{schema: semantic(data.TypeString, nameZonedTimestamp), decode: func(s string) (any, error) {
			if s == "infinity" || s == "-infinity" {
				return s, nil
			}
			if z, ok := zonedFromText(s, p); ok {
				return z, nil
			}
			us, err := parseTimestamp(s)
			return formatZoned(us, p), err
		}}
	case "interval":
		if c.IntervalMode == "string" {
			return &colType{schema: semantic(data.TypeString, nameInterval), decode: func(s string) (any, error) {
				iv, err := parseInterval(s)
				return iv.iso(), err
			}}
		}
		return &colType{schema: semantic(data.TypeInt64, nameMicroDuration), decode: func(s string) (any, error) {
			iv, err := parseInterval(s)
			return iv.micros(), err
		}}
	}
	return nil
}

func (c *Config) timeType(p int) *colType {
	switch {
	case c.TimeMode == "connect":
		return &colType{schema: data.TimeSchema(), decode: func(s string) (any, error) {
			us, err := parseTimeOfDay(s)
			return data.MillisToTime(int32(us / 1000)), err
		}}
	case c.TimeMode == "adaptive" && p <= 3:
		return &colType{schema: semantic(data.TypeInt32, nameTime), decode: func(s string) (any, error) {
			us, err := parseTimeOfDay(s)
			return int32(us / 1000), err
		}}
	}
	return &colType{schema: semantic(data.TypeInt64, nameMicroTime), decode: func(s string) (any, error) { return parseTimeOfDay(s) }}
}

func (c *Config) timestampType(p int) *colType {
	switch {
	case c.TimeMode == "connect":
		return &colType{schema: data.TimestampSchema(), decode: func(s string) (any, error) {
			us, err := parseTimestamp(s)
			return time.UnixMilli(floorDiv(us, 1000)).UTC(), err
		}}
	case p <= 3:
		return &colType{schema: semantic(data.TypeInt64, nameTimestamp), decode: func(s string) (any, error) {
			us, err := parseTimestamp(s)
			return floorDiv(us, 1000), err
		}}
	}
	return &colType{schema: semantic(data.TypeInt64, nameMicroTimestamp), decode: func(s string) (any, error) { return parseTimestamp(s) }}
}

func isInfinity(s string) bool { return s == "infinity" || s == "-infinity" }

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// parseDateParts parses "YYYY-MM-DD" (any number of year digits) and returns
// the rest of the string.
func parseDateParts(s string) (y, m, d int, rest string, err error) {
	i := strings.IndexByte(s, '-')
	if i <= 0 || len(s) < i+6 {
		return 0, 0, 0, "", fmt.Errorf("invalid date %q", s)
	}
	if y, err = strconv.Atoi(s[:i]); err != nil {
		return
	}
	if m, err = strconv.Atoi(s[i+1 : i+3]); err != nil {
		return
	}
	if d, err = strconv.Atoi(s[i+4 : i+6]); err != nil {
		return
	}
	rest = s[i+6:]
	if strings.HasSuffix(rest, " BC") {
		y = 1 - y
		rest = rest[:len(rest)-3]
	}
	return
}

func parseDate(s string) (int32, error) {
	switch s {
	case "infinity":
		return infinityDays, nil
	case "-infinity":
		return negInfinityDays, nil
	}
	y, m, d, _, err := parseDateParts(s)
	if err != nil {
		return 0, err
	}
	return int32(civilDays(y, m, d)), nil
}

// civilDays is the number of days from 1970-01-01 to the proleptic
// Gregorian date y-m-d, as time.Date(y, m, d, …).Unix()/86400 (floored)
// computes it, without time.Date's normalization work (H. Hinnant's
// days_from_civil). It is linear in d, so a day past the month's end counts
// on into the next month exactly as time.Date normalizes it; a month outside
// 1..12 takes time.Date.
func civilDays(y, m, d int) int64 {
	if m < 1 || m > 12 {
		return floorDiv(time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Unix(), 86400)
	}
	yy := int64(y)
	if m <= 2 {
		yy--
	}
	era := floorDiv(yy, 400)
	yoe := yy - era*400                             // [0, 399]
	doy := (153*int64((m+9)%12)+2)/5 + int64(d) - 1 // day of the year starting March 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// parseClock parses "HH:MM:SS[.ffffff]" into microseconds and returns the rest.
func parseClock(s string) (int64, string, error) {
	if len(s) < 8 || s[2] != ':' || s[5] != ':' {
		return 0, "", fmt.Errorf("invalid time %q", s)
	}
	h, e1 := strconv.Atoi(s[0:2])
	mi, e2 := strconv.Atoi(s[3:5])
	sec, e3 := strconv.Atoi(s[6:8])
	if e1 != nil || e2 != nil || e3 != nil {
		return 0, "", fmt.Errorf("invalid time %q", s)
	}
	us := (int64(h)*3600+int64(mi)*60+int64(sec))*1e6 + 0
	rest := s[8:]
	if len(rest) > 0 && rest[0] == '.' {
		j := 1
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		frac := rest[1:j] + "000000"
		f, _ := strconv.ParseInt(frac[:6], 10, 64)
		us += f
		rest = rest[j:]
	}
	return us, rest, nil
}

func parseTimeOfDay(s string) (int64, error) {
	us, _, err := parseClock(s)
	return us, err
}

// parseOffset parses "+HH[:MM[:SS]]" into seconds east of UTC.
func parseOffset(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	sign := 1
	switch s[0] {
	case '-':
		sign = -1
	case '+':
	default:
		return 0, fmt.Errorf("invalid zone offset %q", s)
	}
	if len(s) == 3 { // "+HH", what PostgreSQL prints for whole hours
		if h := digits2(s, 1); h >= 0 {
			return sign * h * 3600, nil
		}
	}
	parts := strings.Split(s[1:], ":")
	secs := 0
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || i > 2 {
			return 0, fmt.Errorf("invalid zone offset %q", s)
		}
		secs += n * [...]int{3600, 60, 1}[i]
	}
	return sign * secs, nil
}

// parseTimestamp parses timestamp and timestamptz text into microseconds
// since the epoch (UTC; a timestamp without zone is taken as UTC wall time).
func parseTimestamp(s string) (int64, error) {
	switch s {
	case "infinity":
		return infinityMicros, nil
	case "-infinity":
		return negInfinityMicros, nil
	}
	bc := strings.HasSuffix(s, " BC")
	if bc {
		s = s[:len(s)-3]
	}
	y, m, d, rest, err := parseDateParts(s)
	if err != nil {
		return 0, err
	}
	if bc {
		y = 1 - y
	}
	if len(rest) < 9 || rest[0] != ' ' {
		return 0, fmt.Errorf("invalid timestamp %q", s)
	}
	us, zone, err := parseClock(rest[1:])
	if err != nil {
		return 0, err
	}
	off, err := parseOffset(zone)
	if err != nil {
		return 0, err
	}
	secs := civilDays(y, m, d)*86400 - int64(off)
	return secs*1e6 + us, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// digits2 is the value of the two decimal digits at s[i:i+2], or -1.
func digits2(s string, i int) int {
	if !isDigit(s[i]) || !isDigit(s[i+1]) {
		return -1
	}
	return int(s[i]-'0')*10 + int(s[i+1]-'0')
}

// zonedFromText is the ZonedTimestamp of timestamptz text in UTC as
// PostgreSQL prints it with TimeZone=UTC ("2024-01-01 03:25:45.5+00"), built
// from the text itself: what formatZoned(parseTimestamp(s), p) returns.
// ok is false for any other form (BC, a 5-digit year, an offset, an
// out-of-range field), which then takes that general path.
func zonedFromText(s string, p int) (string, bool) {
	const base = len("2006-01-02 15:04:05+00")
	n := len(s)
	if n < base || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':' ||
		s[n-3] != '+' || s[n-2] != '0' || s[n-1] != '0' {
		return "", false
	}
	y1, y2 := digits2(s, 0), digits2(s, 2)
	mo, d := digits2(s, 5), digits2(s, 8)
	h, mi, sec := digits2(s, 11), digits2(s, 14), digits2(s, 17)
	if y1 < 0 || y2 < 0 || y1+y2 == 0 || mo < 1 || mo > 12 || d < 1 || d > daysIn(mo, y1*100+y2) ||
		h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59 {
		return "", false
	}
	frac := s[19 : n-3]
	if frac != "" {
		if frac[0] != '.' || len(frac) == 1 {
			return "", false
		}
		frac = frac[1:]
		for i := 0; i < len(frac); i++ {
			if !isDigit(frac[i]) {
				return "", false
			}
		}
	}
	var buf [48]byte
	b := append(buf[:0], s[:19]...)
	b[10] = 'T'
	if p > 0 {
		b = append(b, '.')
		for i := 0; i < p; i++ { // parseClock reads 6 digits, formatZoned prints the first p
			if i < len(frac) && i < 6 {
				b = append(b, frac[i])
			} else {
				b = append(b, '0')
			}
		}
	}
	return string(append(b, 'Z')), true
}

// daysIn is the number of days of month m (1..12) of year y.
func daysIn(m, y int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// formatZoned renders UTC microseconds as Debezium's ZonedTimestamp: ISO
// 8601 with exactly p fraction digits and a Z. It runs once per timestamptz
// value, so it appends digits itself rather than going through fmt.
func formatZoned(us int64, p int) string {
	var buf [48]byte
	return string(appendZoned(buf[:0], us, p))
}

func appendZoned(b []byte, us int64, p int) []byte {
	t := time.UnixMicro(us).UTC()
	y, mo, d := t.Date()
	h, mi, sec := t.Clock()
	switch {
	case y > 9999:
		b = append(b, '+')
		b = strconv.AppendInt(b, int64(y), 10)
	case y < 0:
		b = append(b, '-')
		b = appendPadded(b, -y, 4)
	default:
		b = appendPadded(b, y, 4)
	}
	b = append(b, '-')
	b = appendPadded(b, int(mo), 2)
	b = append(b, '-')
	b = appendPadded(b, d, 2)
	b = append(b, 'T')
	b = appendPadded(b, h, 2)
	b = append(b, ':')
	b = appendPadded(b, mi, 2)
	b = append(b, ':')
	b = appendPadded(b, sec, 2)
	if p > 0 {
		b = append(b, '.')
		frac := t.Nanosecond() / 1000
		for div := 100000; p > 0; p, div = p-1, div/10 {
			b = append(b, byte('0'+frac/div%10))
		}
	}
	return append(b, 'Z')
}

// appendPadded appends the non-negative v with at least width digits, as
// fmt's %0*d does.
func appendPadded(b []byte, v, width int) []byte {
	var tmp [20]byte
	i := len(tmp)
	for v >= 10 {
		i--
		tmp[i] = byte('0' + v%10)
		v /= 10
	}
	i--
	tmp[i] = byte('0' + v)
	for n := len(tmp) - i; n < width; n++ {
		b = append(b, '0')
	}
	return append(b, tmp[i:]...)
}

// decodeTimetz converts "HH:MM:SS[.f]+TZ" to UTC in ISO_OFFSET_TIME form
// with trailing fraction zeros trimmed: "11:51:30.123789Z", "11:51:02Z".
func decodeTimetz(s string) (any, error) {
	us, zone, err := parseClock(s)
	if err != nil {
		return nil, err
	}
	off, err := parseOffset(zone)
	if err != nil {
		return nil, err
	}
	const day = 86400 * 1e6
	us = ((us-int64(off)*1e6)%day + day) % day
	sec := us / 1e6
	out := fmt.Sprintf("%02d:%02d:%02d", sec/3600, sec/60%60, sec%60)
	if f := us % 1e6; f != 0 {
		out += strings.TrimRight(fmt.Sprintf(".%06d", f), "0")
	}
	return out + "Z", nil
}

// interval holds the fields of a postgres-style interval as pgjdbc's
// PGInterval splits them.
type interval struct {
	years, months, days, hours, minutes int
	seconds                             float64
}

func parseInterval(s string) (interval, error) {
	var iv interval
	f := strings.Fields(s)
	for i := 0; i < len(f); i++ {
		tok := f[i]
		if strings.Contains(tok, ":") {
			neg := strings.HasPrefix(tok, "-")
			tok = strings.TrimLeft(tok, "+-")
			parts := strings.Split(tok, ":")
			if len(parts) < 2 {
				return iv, fmt.Errorf("invalid interval %q", s)
			}
			h, e1 := strconv.Atoi(parts[0])
			m, e2 := strconv.Atoi(parts[1])
			var sec float64
			var e3 error
			if len(parts) > 2 {
				sec, e3 = strconv.ParseFloat(parts[2], 64)
			}
			if e1 != nil || e2 != nil || e3 != nil {
				return iv, fmt.Errorf("invalid interval %q", s)
			}
			if neg {
				h, m, sec = -h, -m, -sec
			}
			iv.hours, iv.minutes, iv.seconds = h, m, sec
			continue
		}
		if i+1 >= len(f) {
			return iv, fmt.Errorf("invalid interval %q", s)
		}
		n, err := strconv.Atoi(tok)
		if err != nil {
			return iv, fmt.Errorf("invalid interval %q", s)
		}
		i++
		switch strings.TrimSuffix(f[i], "s") {
		case "year":
			iv.years = n
		case "mon":
			iv.months = n
		case "day":
			iv.days = n
		default:
			return iv, fmt.Errorf("invalid interval unit in %q", s)
		}
	}
	return iv, nil
}

// micros is Debezium's MicroDuration: months count 365.25/12 days.
func (iv interval) micros() int64 {
	const daysPerMonth = 365.25 / 12
	days := float64(iv.years*12+iv.months)*daysPerMonth + float64(iv.days)
	secs := ((days*24+float64(iv.hours))*60+float64(iv.minutes))*60 + iv.seconds
	return int64(secs * 1e6)
}

// iso is Debezium's Interval string: every component, "P1Y2M3DT4H5M6.78S".
func (iv interval) iso() string {
	sec := strconv.FormatFloat(iv.seconds, 'f', -1, 64)
	return fmt.Sprintf("P%dY%dM%dDT%dH%dM%sS", iv.years, iv.months, iv.days, iv.hours, iv.minutes, sec)
}

// parseArray splits a one-dimensional array literal ("{1,NULL,"a b"}") into
// its elements; nil is NULL.
func parseArray(s string, delim byte) ([]*string, error) {
	if i := strings.Index(s, "={"); i >= 0 && strings.HasPrefix(s, "[") {
		s = s[i+1:]
	}
	if len(s) < 2 || s[0] != '{' || s[len(s)-1] != '}' {
		return nil, fmt.Errorf("invalid array %.40q", s)
	}
	body := s[1 : len(s)-1]
	if body == "" {
		return []*string{}, nil
	}
	if body[0] == '{' {
		return nil, fmt.Errorf("multi-dimensional arrays are not supported")
	}
	var out []*string
	for i := 0; i <= len(body); {
		var b strings.Builder
		quoted := i < len(body) && body[i] == '"'
		if quoted {
			i++
			for i < len(body) && body[i] != '"' {
				if body[i] == '\\' && i+1 < len(body) {
					i++
				}
				b.WriteByte(body[i])
				i++
			}
			i++ // closing quote
		} else {
			for i < len(body) && body[i] != delim {
				b.WriteByte(body[i])
				i++
			}
		}
		v := b.String()
		if !quoted && v == "NULL" {
			out = append(out, nil)
		} else {
			out = append(out, &v)
		}
		i++ // delimiter
	}
	return out, nil
}
