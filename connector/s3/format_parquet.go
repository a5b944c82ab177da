package s3

import (
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/data"
)

const (
	// parquetBatchRows and parquetBatchBytes bound the rows built in Arrow
	// before they are encoded into the current row group.
	parquetBatchRows  = 1024
	parquetBatchBytes = 1 << 20
	// parquetRowGroupBytes closes a row group once its encoded pages reach
	// this size, so the row group streams into the multipart upload instead
	// of the whole file waiting in memory (parquet-mr's 128 MiB default
	// holds most files entirely).
	parquetRowGroupBytes = 16 << 20
)

var parquetCodecs = map[string]compress.Compression{
	"none": compress.Codecs.Uncompressed, "snappy": compress.Codecs.Snappy, "gzip": compress.Codecs.Gzip,
	"zstd": compress.Codecs.Zstd, "lz4_raw": compress.Codecs.Lz4Raw, "brotli": compress.Codecs.Brotli,
}

// parquetFormat writes typed, nested Parquet with arrow-go's pqarrow: the
// columns follow the Connect schema of the file's first record.
type parquetFormat struct {
	codec      string
	avroLayout bool // parquet.layout=avro (parquet_avro.go)
}

type parquetWriter struct {
	root  *column
	fw    *pqarrow.FileWriter
	rb    *array.RecordBuilder
	wrap  bool // a non-struct value is stored in a single column "value"
	rows  int
	bytes int // estimated size of the rows in the builders
}

func (f *parquetFormat) open(out io.Writer, s *data.Schema) (recordWriter, error) {
	if s == nil {
		return nil, dataErrorf("ParquetFormat needs records with a value schema (schemaless values, e.g. JsonConverter with schemas.enable=false, cannot be written as Parquet)")
	}
	if f.avroLayout {
		codec, ok := parquetCodecs[f.codec]
		if !ok {
			return nil, fmt.Errorf("parquet codec %s is not supported", f.codec)
		}
		return openParquetAvro(out, s, parquet.WithCompression(codec))
	}
	root, err := newColumn(s)
	if err != nil {
		return nil, dataErrorf("parquet schema for %s: %v", s, err)
	}
	w := &parquetWriter{root: root}
	var fields []arrow.Field
	if root.kind == kStruct {
		for i, c := range root.children {
			fields = append(fields, arrow.Field{Name: s.Fields[root.fields[i]].Name, Type: c.typ,
				Nullable: c.schema.Optional})
		}
	} else {
		w.wrap = true
		fields = []arrow.Field{{Name: "value", Type: root.typ, Nullable: s.Optional}}
	}
	if len(fields) == 0 {
		return nil, dataErrorf("parquet: schema %s has no fields", s)
	}
	schema := arrow.NewSchema(fields, nil)
	codec, ok := parquetCodecs[f.codec]
	if !ok {
		return nil, fmt.Errorf("parquet codec %s is not supported", f.codec)
	}
	opts := []parquet.WriterProperty{parquet.WithCompression(codec), parquet.WithDictionaryDefault(true),
		parquet.WithStoreDecimalAsInteger(true), parquet.WithCreatedBy("wharf (parquet-go arrow v18)")}
	if s.Name != "" {
		// parquet-avro names the root after the record, as Confluent's files.
		opts = append(opts, parquet.WithRootName(s.Name))
	}
	props := parquet.NewWriterProperties(opts...)
	w.fw, err = pqarrow.NewFileWriter(schema, out, props, pqarrow.NewArrowWriterProperties())
	if err != nil {
		return nil, fmt.Errorf("parquet: new writer: %w", err)
	}
	if s.Name != "" {
		_ = w.fw.AppendKeyValueMetadata("connect.schema.name", s.Name)
	}
	w.rb = array.NewRecordBuilder(memory.DefaultAllocator, schema)
	return w, nil
}

func (w *parquetWriter) write(rec *connector.SinkRecord) error {
	if err := data.ValidateValue(w.root.schema, rec.Value); err != nil {
		return dataErrorf("value does not match its schema: %v", err)
	}
	if rec.Value == nil && !w.wrap {
		return dataErrorf("ParquetFormat cannot write a null value")
	}
	var err error
	if w.wrap {
		err = w.root.appendValue(w.rb.Field(0), rec.Value, &w.bytes)
	} else {
		err = w.root.appendFields(w.rb.Field, rec.Value.(*data.Struct), &w.bytes)
	}
	if err != nil {
		return err
	}
	w.rows++
	if w.rows >= parquetBatchRows || w.bytes >= parquetBatchBytes {
		return w.flush()
	}
	return nil
}

// flush encodes the built rows into the buffered row group, and closes the
// row group (streaming it out) once it is big enough.
func (w *parquetWriter) flush() error {
	if w.rows == 0 {
		return nil
	}
	rec := w.rb.NewRecordBatch()
	defer rec.Release()
	w.rows, w.bytes = 0, 0
	if err := w.fw.WriteBuffered(rec); err != nil {
		return fmt.Errorf("parquet: write rows: %w", err)
	}
	if w.fw.RowGroupTotalBytesWritten() >= parquetRowGroupBytes {
		if err := w.fw.NewBufferedRowGroupChecked(); err != nil {
			return fmt.Errorf("parquet: new row group: %w", err)
		}
	}
	return nil
}

func (w *parquetWriter) finish() error {
	if err := w.flush(); err != nil {
		return err
	}
	w.rb.Release()
	if err := w.fw.Close(); err != nil {
		return fmt.Errorf("parquet: close: %w", err)
	}
	return nil
}

func (w *parquetWriter) release() { w.rb.Release() }

func (w *parquetWriter) buffered() int { return w.bytes + int(w.fw.RowGroupTotalBytesWritten()) }

// shrink encodes the built rows and closes the row group, streaming it out.
func (w *parquetWriter) shrink() error {
	if err := w.flush(); err != nil {
		return err
	}
	if n, err := w.fw.RowGroupNumRows(); err != nil || n == 0 {
		return err
	}
	if err := w.fw.NewBufferedRowGroupChecked(); err != nil {
		return fmt.Errorf("parquet: new row group: %w", err)
	}
	return nil
}
