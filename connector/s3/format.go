package s3

import (
	"errors"
	"fmt"
	"io"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/data"
)

// errData marks record-level data errors (schema or value problems):
// they go to the errant-record reporter, as Confluent's DataException.
var errData = errors.New("data error")

func dataErrorf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errData}, args...)...)
}

// recordWriter encodes one output file into an io.Writer (the object stream).
type recordWriter interface {
	write(rec *connector.SinkRecord) error
	// finish writes what the format needs at the end (footer, gzip trailer).
	finish() error
	// release frees resources without finishing (abort).
	release()
	// buffered estimates the bytes the writer holds that are not yet in
	// the stream (rows in builders, row groups, Avro blocks, compressor
	// state); the memory budget adds the stream's part buffer.
	buffered() int
	// shrink moves what it can into the stream (encodes pending rows,
	// closes the row group) without changing the records of the file.
	shrink() error
}

// format opens record writers. schema is the value schema of the file's
// first record; every later record has an equal or projected schema.
type format interface {
	open(out io.Writer, schema *data.Schema) (recordWriter, error)
}

func newFormat(s *settings) format { return newFormatOf(s.format, s) }

// newFormatOf returns format class f configured from s.
func newFormatOf(f string, s *settings) format {
	switch f {
	case ParquetFormat:
		return &parquetFormat{codec: s.parquetCodec, avroLayout: s.avroLayout}
	case AvroFormat:
		return &avroFormat{codec: s.avroCodec}
	case ByteArrayFormat:
		return &byteArrayFormat{sep: s.byteArraySep, gzip: s.gzip, level: s.gzipLevel}
	default:
		return &jsonFormat{gzip: s.gzip, level: s.gzipLevel, decimalNumeric: s.decimalNumeric}
	}
}
