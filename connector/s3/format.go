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
}

// format opens record writers. schema is the value schema of the file's
// first record; every later record has an equal or projected schema.
type format interface {
	open(out io.Writer, schema *data.Schema) (recordWriter, error)
}

func newFormat(s *settings) format {
	switch s.format {
	case ParquetFormat:
		return &parquetFormat{codec: s.parquetCodec}
	case AvroFormat:
		return &avroFormat{codec: s.avroCodec}
	case ByteArrayFormat:
		return &byteArrayFormat{sep: s.byteArraySep, gzip: s.gzip, level: s.gzipLevel}
	default:
		return &jsonFormat{gzip: s.gzip, level: s.gzipLevel, decimalNumeric: s.decimalNumeric}
	}
}
