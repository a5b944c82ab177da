package file

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/data"
)

type sinkTask struct {
	filename string
	f        *os.File // nil when writing to standard output
	w        *bufio.Writer
}

func (t *sinkTask) Start(_ context.Context, _ connector.SinkTaskContext, props map[string]string) error {
	v, err := sinkDef().Parse(props)
	if err != nil {
		return err
	}
	t.filename = v.String(KeyFile)
	var out io.Writer = os.Stdout
	if t.filename != "" {
		f, err := os.OpenFile(t.filename, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return fmt.Errorf("Couldn't find or create file '%s' for FileStreamSinkTask: %w", t.filename, err)
		}
		t.f, out = f, f
	}
	t.w = bufio.NewWriter(out)
	return nil
}

func (t *sinkTask) Open(context.Context, []connector.TopicPartition) error { return nil }

// Put writes each value as PrintStream.println does: its string form, then
// a newline. Lines reach the file at the latest in PreCommit.
func (t *sinkTask) Put(_ context.Context, records []connector.SinkRecord) error {
	for i := range records {
		t.w.WriteString(javaString(records[i].Value))
		if err := t.w.WriteByte('\n'); err != nil {
			return fmt.Errorf("file sink: write %s: %w", t.filename, err)
		}
	}
	return nil
}

// PreCommit flushes and returns the offsets it was given: everything Put
// is then in the file (SinkTask.preCommit's default, flush then commit).
func (t *sinkTask) PreCommit(_ context.Context, current map[connector.TopicPartition]int64) (map[connector.TopicPartition]int64, error) {
	if err := t.w.Flush(); err != nil {
		return nil, fmt.Errorf("file sink: flush %s: %w", t.filename, err)
	}
	return current, nil
}

func (t *sinkTask) Close(context.Context, []connector.TopicPartition) error { return nil }

func (t *sinkTask) Stop() error {
	if t.w == nil {
		return nil
	}
	err := t.w.Flush()
	if t.f != nil {
		if cerr := t.f.Close(); err == nil {
			err = cerr
		}
		t.f = nil
	}
	return err
}

// javaString renders a Connect value as Java's String.valueOf does, so the
// file reads as Kafka's sink writes it.
func javaString(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int8:
		return strconv.FormatInt(int64(x), 10)
	case int16:
		return strconv.FormatInt(int64(x), 10)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case int64:
		return strconv.FormatInt(x, 10)
	case float32:
		return javaDouble(float64(x), 32)
	case float64:
		return javaDouble(x, 64)
	case []byte:
		return string(x)
	case data.Decimal:
		return x.String()
	case time.Time:
		return x.UTC().Format("Mon Jan 02 15:04:05 MST 2006") // java.util.Date in UTC
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = javaString(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case []data.MapEntry:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = javaString(e.Key) + "=" + javaString(e.Value)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case *data.Struct:
		if x == nil {
			return "null"
		}
		return x.String()
	}
	return fmt.Sprint(v)
}

// javaDouble is Double.toString / Float.toString: plain notation between
// 10^-3 and 10^7, computerized scientific notation outside, always with a
// fractional part.
func javaDouble(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	abs := math.Abs(f)
	if abs == 0 || (abs >= 1e-3 && abs < 1e7) {
		s := strconv.FormatFloat(f, 'f', -1, bits)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'e', -1, bits) // 1.5e+10
	mant, exp, _ := strings.Cut(s, "e")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	n, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(n)
}
