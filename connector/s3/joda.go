package s3

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// jodaPart is one piece of a compiled Joda-Time pattern: a literal, or a
// field letter repeated n times.
type jodaPart struct {
	lit    string
	letter byte
	n      int
}

// jodaFormat renders times as Joda's DateTimeFormat.forPattern does, for the
// letters storage partitioners use. Textual fields are English whatever the
// locale.
type jodaFormat []jodaPart

// compileJoda translates a Joda pattern: letters are fields, '…' quotes
// literal text, ” is a quote, anything else is literal.
func compileJoda(pattern string) (jodaFormat, error) {
	var out jodaFormat
	for i := 0; i < len(pattern); {
		c := pattern[i]
		switch {
		case c == '\'':
			j := i + 1
			var lit strings.Builder
			if j < len(pattern) && pattern[j] == '\'' { // '' outside quotes
				out = append(out, jodaPart{lit: "'"})
				i = j + 1
				continue
			}
			for ; j < len(pattern); j++ {
				if pattern[j] == '\'' {
					if j+1 < len(pattern) && pattern[j+1] == '\'' {
						lit.WriteByte('\'')
						j++
						continue
					}
					break
				}
				lit.WriteByte(pattern[j])
			}
			out = append(out, jodaPart{lit: lit.String()})
			i = j + 1
		case (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'):
			j := i
			for j < len(pattern) && pattern[j] == c {
				j++
			}
			if !strings.ContainsRune("GCYxwedDMyHhKkmsSEaZz", rune(c)) {
				return nil, fmt.Errorf("Illegal pattern component: %s", pattern[i:j])
			}
			out = append(out, jodaPart{letter: c, n: j - i})
			i = j
		default:
			j := i
			for j < len(pattern) && pattern[j] != '\'' && !isLetter(pattern[j]) {
				j++
			}
			out = append(out, jodaPart{lit: pattern[i:j]})
			i = j
		}
	}
	return out, nil
}

func isLetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

// format renders t (already in the partitioner's zone).
func (f jodaFormat) format(dst []byte, t time.Time) []byte {
	for _, p := range f {
		if p.letter == 0 {
			dst = append(dst, p.lit...)
			continue
		}
		dst = appendJodaField(dst, p.letter, p.n, t)
	}
	return dst
}

func appendJodaField(dst []byte, letter byte, n int, t time.Time) []byte {
	switch letter {
	case 'H', 'k', 'K', 'h', 'a', 'm', 's', 'S', 'Z', 'z':
		return appendJodaTime(dst, letter, n, t)
	}
	switch letter {
	case 'y', 'Y', 'x':
		y := t.Year()
		if letter == 'x' {
			y, _ = t.ISOWeek()
		}
		if n == 2 {
			return pad(dst, int64((y%100+100)%100), 2)
		}
		return pad(dst, int64(y), n)
	case 'C':
		return pad(dst, int64(t.Year()/100), n)
	case 'G':
		return append(dst, "AD"...)
	case 'M':
		if n >= 4 {
			return append(dst, t.Month().String()...)
		}
		if n == 3 {
			return append(dst, t.Month().String()[:3]...)
		}
		return pad(dst, int64(t.Month()), n)
	case 'w':
		_, w := t.ISOWeek()
		return pad(dst, int64(w), n)
	case 'e':
		wd := int64(t.Weekday())
		if wd == 0 {
			wd = 7
		}
		return pad(dst, wd, n)
	case 'E':
		if n >= 4 {
			return append(dst, t.Weekday().String()...)
		}
		return append(dst, t.Weekday().String()[:3]...)
	case 'd':
		return pad(dst, int64(t.Day()), n)
	case 'D':
		return pad(dst, int64(t.YearDay()), n)
	}
	return dst
}

// appendJodaTime renders the time-of-day and zone letters.
func appendJodaTime(dst []byte, letter byte, n int, t time.Time) []byte {
	switch letter {
	case 'H':
		return pad(dst, int64(t.Hour()), n)
	case 'k':
		h := t.Hour()
		if h == 0 {
			h = 24
		}
		return pad(dst, int64(h), n)
	case 'K':
		return pad(dst, int64(t.Hour()%12), n)
	case 'h':
		h := t.Hour() % 12
		if h == 0 {
			h = 12
		}
		return pad(dst, int64(h), n)
	case 'a':
		if t.Hour() < 12 {
			return append(dst, "AM"...)
		}
		return append(dst, "PM"...)
	case 'm':
		return pad(dst, int64(t.Minute()), n)
	case 's':
		return pad(dst, int64(t.Second()), n)
	case 'S':
		ms := fmt.Sprintf("%03d", t.Nanosecond()/1e6)
		for len(ms) < n {
			ms += "0"
		}
		return append(dst, ms[:n]...)
	case 'Z':
		_, off := t.Zone()
		sign := byte('+')
		if off < 0 {
			sign, off = '-', -off
		}
		dst = append(dst, sign)
		dst = pad(dst, int64(off/3600), 2)
		if n >= 2 {
			dst = append(dst, ':')
		}
		return pad(dst, int64(off%3600/60), 2)
	case 'z':
		name, _ := t.Zone()
		return append(dst, name...)
	}
	return dst
}

func pad(dst []byte, v int64, width int) []byte {
	if v < 0 {
		dst = append(dst, '-')
		v = -v
	}
	s := strconv.FormatInt(v, 10)
	for i := len(s); i < width; i++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

// parseZone accepts Joda zone IDs: UTC, region IDs, and fixed offsets
// (+hh, +hh:mm, +hhmm).
func parseZone(id string) (*time.Location, error) {
	switch id {
	case "UTC", "Z", "GMT", "UT":
		return time.UTC, nil
	}
	if id[0] == '+' || id[0] == '-' {
		s := strings.ReplaceAll(id[1:], ":", "")
		var h, m int
		var err error
		switch len(s) {
		case 1, 2:
			h, err = strconv.Atoi(s)
		case 4:
			h, err = strconv.Atoi(s[:2])
			if err == nil {
				m, err = strconv.Atoi(s[2:])
			}
		default:
			err = fmt.Errorf("bad offset")
		}
		if err != nil || h > 23 || m > 59 {
			return nil, fmt.Errorf("The datetime zone id '%s' is not recognised", id)
		}
		off := h*3600 + m*60
		if id[0] == '-' {
			off = -off
		}
		return time.FixedZone(id, off), nil
	}
	loc, err := time.LoadLocation(id)
	if err != nil || id == "Local" {
		return nil, fmt.Errorf("The datetime zone id '%s' is not recognised", id)
	}
	return loc, nil
}

// localMillis converts UTC epoch milliseconds to "local epoch"
// milliseconds in loc (Joda's convertUTCToLocal).
func localMillis(ms int64, loc *time.Location) int64 {
	_, off := time.UnixMilli(ms).In(loc).Zone()
	return ms + int64(off)*1000
}

// utcFromLocal converts local epoch milliseconds back to UTC; in a DST gap
// the later offset applies, like Joda's non-strict convertLocalToUTC.
func utcFromLocal(local int64, loc *time.Location) int64 {
	t := time.UnixMilli(local).UTC()
	lt := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc)
	return lt.UnixMilli()
}

// floorDiv is Java's long division for the non-negative times that matter,
// and floors for negative ones.
func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// bucketStart is TimeBasedPartitioner.getPartition: floor the local time to
// a multiple of durationMs and convert back to UTC.
func bucketStart(durationMs, ts int64, loc *time.Location) int64 {
	local := localMillis(ts, loc)
	return utcFromLocal(floorDiv(local, durationMs)*durationMs, loc)
}

const dayMs = 24 * 3600 * 1000

// nextScheduledRotation is DateTimeUtils.getNextTimeAdjustedByDay: the next
// multiple of interval after local midnight, capped at the next midnight.
func nextScheduledRotation(now, interval int64, loc *time.Location) int64 {
	startOfDay := utcFromLocal(floorDiv(localMillis(now, loc), dayMs)*dayMs, loc)
	next := startOfDay + (floorDiv(now-startOfDay, interval)+1)*interval
	t := time.UnixMilli(now).In(loc)
	nextDay := time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, loc).UnixMilli()
	if next > nextDay {
		return nextDay
	}
	return next
}
