package s3

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/data"
)

// errPartition marks record-level partitioning failures (Confluent's
// PartitionException): they go to the errant-record reporter.
var errPartition = errors.New("Error encoding partition.")

// partitioner maps a record to its encoded partition, as storage-common's
// Partitioner. ts is the extracted timestamp (time-based partitioners only).
type partitioner interface {
	encode(rec *connector.SinkRecord, ts int64) (string, error)
	// timeBased reports whether ts must be extracted before encode.
	timeBased() bool
	extract(rec *connector.SinkRecord, now int64) (int64, error)
}

func newPartitioner(p partitionerSpec) (partitioner, error) {
	switch p.class {
	case FieldPartitioner:
		return &fieldPartitioner{fields: p.fields, delim: p.delim}, nil
	case TimeBasedPartitioner, DailyPartitioner, HourlyPartitioner:
		f, err := compileJoda(p.pathFormat)
		if err != nil {
			return nil, err
		}
		return &timePartitioner{durationMs: p.durationMs, format: f, zone: p.zone,
			extractor: p.extractor, field: p.tsField}, nil
	default:
		return defaultPartitioner{}, nil
	}
}

type defaultPartitioner struct{}

func (defaultPartitioner) timeBased() bool { return false }
func (defaultPartitioner) extract(*connector.SinkRecord, int64) (int64, error) {
	return 0, nil
}

// smallPartitions caches the encoded partitions most topics use, so the
// per-record path does not allocate.
var smallPartitions = func() (out [64]string) {
	for i := range out {
		out[i] = "partition=" + strconv.Itoa(i)
	}
	return out
}()

func (defaultPartitioner) encode(rec *connector.SinkRecord, _ int64) (string, error) {
	if p := rec.Partition; p >= 0 && int(p) < len(smallPartitions) {
		return smallPartitions[p], nil
	}
	return "partition=" + strconv.Itoa(int(rec.Partition)), nil
}

type fieldPartitioner struct {
	fields []string
	delim  string
}

func (*fieldPartitioner) timeBased() bool { return false }
func (*fieldPartitioner) extract(*connector.SinkRecord, int64) (int64, error) {
	return 0, nil
}

// encode writes field=value per field joined by directory.delim. Only
// integer, string and boolean fields qualify; the value must be a Struct.
func (p *fieldPartitioner) encode(rec *connector.SinkRecord, _ int64) (string, error) {
	st, ok := rec.Value.(*data.Struct)
	if !ok {
		return "", fmt.Errorf("%w Value is not Struct type.", errPartition)
	}
	var b strings.Builder
	for i, name := range p.fields {
		sch, v, ok := structPath(st, name)
		if !ok {
			return "", fmt.Errorf("%w Field %s not found.", errPartition, name)
		}
		if i > 0 {
			b.WriteString(p.delim)
		}
		b.WriteString(name)
		b.WriteByte('=')
		if !appendFieldValue(&b, sch.Type, v) {
			return "", fmt.Errorf("%w Type %s is not supported as a partition key.", errPartition, sch.Type)
		}
	}
	return b.String(), nil
}

// appendFieldValue writes an integer, string or boolean partition value
// ("null" when absent) as Java's toString.
func appendFieldValue(b *strings.Builder, t data.Type, v any) bool {
	var buf [24]byte
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case int8:
		b.Write(strconv.AppendInt(buf[:0], int64(x), 10))
	case int16:
		b.Write(strconv.AppendInt(buf[:0], int64(x), 10))
	case int32:
		b.Write(strconv.AppendInt(buf[:0], int64(x), 10))
	case int64:
		b.Write(strconv.AppendInt(buf[:0], x, 10))
	case string:
		b.WriteString(x)
	case bool:
		b.WriteString(strconv.FormatBool(x))
	default:
		return false
	}
	switch t {
	case data.TypeInt8, data.TypeInt16, data.TypeInt32, data.TypeInt64, data.TypeString, data.TypeBoolean:
		return true
	}
	return false
}

// structPath follows a dotted path through nested structs (storage-common 12).
func structPath(st *data.Struct, path string) (*data.Schema, any, bool) {
	for {
		name, rest, nested := strings.Cut(path, ".")
		f := st.Schema().Field(name)
		if f == nil {
			return nil, nil, false
		}
		v := st.At(f.Index)
		if !nested {
			return f.Schema, v, true
		}
		next, ok := v.(*data.Struct)
		if !ok {
			return nil, nil, false
		}
		st, path = next, rest
	}
}

// mapPath follows a dotted path through schemaless maps.
func mapPath(v any, path string) (any, bool) {
	for _, name := range strings.Split(path, ".") {
		switch m := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = m[name]; !ok {
				return nil, false
			}
		case []data.MapEntry:
			found := false
			for _, e := range m {
				if k, _ := e.Key.(string); k == name {
					v, found = e.Value, true
					break
				}
			}
			if !found {
				return nil, false
			}
		default:
			return nil, false
		}
	}
	return v, true
}

type timePartitioner struct {
	durationMs int64
	format     jodaFormat
	zone       *time.Location
	extractor  string
	field      string
	// The last bucket and its encoding: consecutive records mostly share
	// a bucket, so formatting happens once per bucket.
	lastBucket  int64
	lastEncoded string
}

func (*timePartitioner) timeBased() bool { return true }

func (p *timePartitioner) encode(_ *connector.SinkRecord, ts int64) (string, error) {
	bucket := bucketStart(p.durationMs, ts, p.zone)
	if bucket != p.lastBucket || p.lastEncoded == "" {
		p.lastBucket, p.lastEncoded = bucket, string(p.format.format(nil, time.UnixMilli(bucket).In(p.zone)))
	}
	return p.lastEncoded, nil
}

// extract is the configured TimestampExtractor.
func (p *timePartitioner) extract(rec *connector.SinkRecord, now int64) (int64, error) {
	switch p.extractor {
	case "Record":
		if rec.Timestamp.IsZero() {
			return 0, fmt.Errorf("Unable to determine timestamp using timestamp.extractor Record for record at %s-%d offset %d",
				rec.Topic, rec.Partition, rec.Offset)
		}
		return rec.Timestamp.UnixMilli(), nil
	case "RecordField":
		return p.fieldTimestamp(rec)
	default:
		return now, nil
	}
}

// fieldTimestamp reads timestamp.field: Timestamp logical values, INT32 and
// INT64 as epoch milliseconds, strings as millis digits or ISO-8601.
func (p *timePartitioner) fieldTimestamp(rec *connector.SinkRecord) (int64, error) {
	fail := fmt.Errorf("%w Error extracting timestamp from record field: %s", errPartition, p.field)
	var v any
	switch val := rec.Value.(type) {
	case *data.Struct:
		_, fv, ok := structPath(val, p.field)
		if !ok {
			return 0, fail
		}
		v = fv
	default:
		fv, ok := mapPath(val, p.field)
		if !ok {
			return 0, fail
		}
		v = fv
	}
	switch x := v.(type) {
	case time.Time:
		return x.UnixMilli(), nil
	case int32:
		return int64(x), nil
	case int64:
		return x, nil
	case int:
		return int64(x), nil
	case float64:
		return int64(x), nil
	case string:
		if n, err := strconv.ParseInt(x, 10, 64); err == nil {
			return n, nil
		}
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02"} {
			if t, err := time.Parse(layout, x); err == nil {
				return t.UnixMilli(), nil
			}
		}
	}
	return 0, fail
}
