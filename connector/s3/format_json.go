package s3

import (
	"compress/gzip"
	"io"
	"sort"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/data"
)

// jsonFormat is Confluent's JsonFormat: one JSON value per line (\n after
// each, tombstones written as null), optionally gzip-compressed.
type jsonFormat struct {
	gzip           bool
	level          int
	decimalNumeric bool
}

type lineWriter struct {
	out  io.Writer
	gz   *gzip.Writer
	enc  jsonEncoder
	line []byte
}

func (f *jsonFormat) open(out io.Writer, _ *data.Schema) (recordWriter, error) {
	w := &lineWriter{out: out, enc: jsonEncoder{decimalNumeric: f.decimalNumeric}}
	if f.gzip {
		gz, err := gzip.NewWriterLevel(out, f.level)
		if err != nil {
			return nil, err
		}
		w.gz, w.out = gz, gz
	}
	return w, nil
}

func (w *lineWriter) write(rec *connector.SinkRecord) error {
	line, err := w.enc.append(w.line[:0], rec.ValueSchema, rec.Value)
	if err != nil {
		return err
	}
	w.line = append(line, '\n')
	_, err = w.out.Write(w.line)
	return err
}

func (w *lineWriter) finish() error {
	if w.gz != nil {
		return w.gz.Close()
	}
	return nil
}

func (w *lineWriter) release() {}

// gzipState approximates compress/flate's compressor (hash tables and
// window) that a gzip writer holds.
const gzipState = 800 << 10

func (w *lineWriter) buffered() int { return gzState(w.gz) }
func (w *lineWriter) shrink() error { return nil }

func gzState(gz *gzip.Writer) int {
	if gz == nil {
		return 0
	}
	return gzipState
}

// byteArrayFormat is Confluent's ByteArrayFormat: raw value bytes followed
// by format.bytearray.separator.
type byteArrayFormat struct {
	sep   []byte
	gzip  bool
	level int
}

type bytesWriter struct {
	out io.Writer
	gz  *gzip.Writer
	sep []byte
}

func (f *byteArrayFormat) open(out io.Writer, _ *data.Schema) (recordWriter, error) {
	w := &bytesWriter{out: out, sep: f.sep}
	if f.gzip {
		gz, err := gzip.NewWriterLevel(out, f.level)
		if err != nil {
			return nil, err
		}
		w.gz, w.out = gz, gz
	}
	return w, nil
}

func (w *bytesWriter) write(rec *connector.SinkRecord) error {
	var b []byte
	switch v := rec.Value.(type) {
	case nil:
	case []byte:
		b = v
	case string:
		b = []byte(v)
	default:
		return dataErrorf("ByteArrayFormat needs byte[] values (ByteArrayConverter), got %T", rec.Value)
	}
	if _, err := w.out.Write(b); err != nil {
		return err
	}
	_, err := w.out.Write(w.sep)
	return err
}

func (w *bytesWriter) finish() error {
	if w.gz != nil {
		return w.gz.Close()
	}
	return nil
}

func (w *bytesWriter) release() {}

func (w *bytesWriter) buffered() int { return gzState(w.gz) }
func (w *bytesWriter) shrink() error { return nil }

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
