// Package s3sink measures Wharf's S3 sink (worker sink runner + S3 task
// writing Parquet into MinIO) against the raw Arrow encode ceiling of the
// same Debezium JSON events: decode the JSON into typed Go structs (goccy/go-json), append
// to Arrow builders, write Parquet with pqarrow into io.Discard — the same
// Arrow layout, writer properties, batch size, row-group bound and file
// size as the sink, with no Connect data model, no Kafka and no S3.
package s3sink

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	gojson "github.com/goccy/go-json"
)

// Row is the after/before image of bench/pgsource's customers table as
// Debezium's JsonConverter payload carries it.
type Row struct {
	ID               int64   `json:"id"`
	Custkey          string  `json:"custkey"`
	FirstName        *string `json:"first_name"`
	LastName         *string `json:"last_name"`
	Email            *string `json:"email"`
	City             *string `json:"city"`
	State            *string `json:"state"`
	Fico             *int32  `json:"fico"`
	Balance          []byte  `json:"balance"` // Connect Decimal: base64 of the unscaled big-endian bytes
	RegistrationDate *int32  `json:"registration_date"`
	UpdatedAt        *string `json:"updated_at"` // io.debezium.time.ZonedTimestamp
	Notes            *string `json:"notes"`
}

// Source is Debezium's PostgreSQL source block (3.1 layout).
type Source struct {
	Version   string  `json:"version"`
	Connector string  `json:"connector"`
	Name      string  `json:"name"`
	TsMs      int64   `json:"ts_ms"`
	Snapshot  *string `json:"snapshot"`
	DB        string  `json:"db"`
	Sequence  *string `json:"sequence"`
	TsUs      *int64  `json:"ts_us"`
	TsNs      *int64  `json:"ts_ns"`
	Schema    string  `json:"schema"`
	Table     string  `json:"table"`
	TxID      *int64  `json:"txId"`
	Lsn       *int64  `json:"lsn"`
	Xmin      *int64  `json:"xmin"`
}

// Transaction is the transaction block (null unless provide.transaction.metadata).
type Transaction struct {
	ID                  string `json:"id"`
	TotalOrder          int64  `json:"total_order"`
	DataCollectionOrder int64  `json:"data_collection_order"`
}

// Envelope is one JsonConverter message with schemas on; the schema part is
// skipped (the ceiling knows the layout).
type Envelope struct {
	Payload struct {
		Before      *Row         `json:"before"`
		After       *Row         `json:"after"`
		Source      Source       `json:"source"`
		Transaction *Transaction `json:"transaction"`
		Op          string       `json:"op"`
		TsMs        *int64       `json:"ts_ms"`
		TsUs        *int64       `json:"ts_us"`
		TsNs        *int64       `json:"ts_ns"`
	} `json:"payload"`
}

// Decoder decodes one message into e (reset by the caller).
type Decoder func(b []byte, e *Envelope) error

// StdDecoder is encoding/json.
func StdDecoder(b []byte, e *Envelope) error { return json.Unmarshal(b, e) }

func rowType() arrow.DataType {
	return arrow.StructOf(
		arrow.Field{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		arrow.Field{Name: "custkey", Type: arrow.BinaryTypes.String},
		arrow.Field{Name: "first_name", Type: arrow.BinaryTypes.String, Nullable: true},
		arrow.Field{Name: "last_name", Type: arrow.BinaryTypes.String, Nullable: true},
		arrow.Field{Name: "email", Type: arrow.BinaryTypes.String, Nullable: true},
		arrow.Field{Name: "city", Type: arrow.BinaryTypes.String, Nullable: true},
		arrow.Field{Name: "state", Type: arrow.BinaryTypes.String, Nullable: true},
		arrow.Field{Name: "fico", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		arrow.Field{Name: "balance", Type: &arrow.Decimal128Type{Precision: 12, Scale: 2}, Nullable: true},
		arrow.Field{Name: "registration_date", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		arrow.Field{Name: "updated_at", Type: arrow.BinaryTypes.String, Nullable: true},
		arrow.Field{Name: "notes", Type: arrow.BinaryTypes.String, Nullable: true},
	)
}

// Schema is the Arrow schema the S3 sink derives from the envelope's
// Connect schema (connector/s3 parquet_schema.go rules).
func Schema() *arrow.Schema {
	str, i64 := arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64
	source := arrow.StructOf(
		arrow.Field{Name: "version", Type: str}, arrow.Field{Name: "connector", Type: str},
		arrow.Field{Name: "name", Type: str}, arrow.Field{Name: "ts_ms", Type: i64},
		arrow.Field{Name: "snapshot", Type: str, Nullable: true}, arrow.Field{Name: "db", Type: str},
		arrow.Field{Name: "sequence", Type: str, Nullable: true}, arrow.Field{Name: "ts_us", Type: i64, Nullable: true},
		arrow.Field{Name: "ts_ns", Type: i64, Nullable: true}, arrow.Field{Name: "schema", Type: str},
		arrow.Field{Name: "table", Type: str}, arrow.Field{Name: "txId", Type: i64, Nullable: true},
		arrow.Field{Name: "lsn", Type: i64, Nullable: true}, arrow.Field{Name: "xmin", Type: i64, Nullable: true},
	)
	tx := arrow.StructOf(arrow.Field{Name: "id", Type: str}, arrow.Field{Name: "total_order", Type: i64},
		arrow.Field{Name: "data_collection_order", Type: i64})
	return arrow.NewSchema([]arrow.Field{
		{Name: "before", Type: rowType(), Nullable: true},
		{Name: "after", Type: rowType(), Nullable: true},
		{Name: "source", Type: source},
		{Name: "transaction", Type: tx, Nullable: true},
		{Name: "op", Type: str},
		{Name: "ts_ms", Type: i64, Nullable: true},
		{Name: "ts_us", Type: i64, Nullable: true},
		{Name: "ts_ns", Type: i64, Nullable: true},
	}, nil)
}

// Same bounds as connector/s3 format_parquet.go.
const (
	batchRows     = 1024
	rowGroupBytes = 16 << 20
)

// Encoder writes envelopes as Parquet files of fileRows rows each.
type Encoder struct {
	out      io.Writer
	fileRows int
	schema   *arrow.Schema
	props    *parquet.WriterProperties
	fw       *pqarrow.FileWriter
	rb       *array.RecordBuilder
	inFile   int
	inBatch  int
	Files    int
}

// NewEncoder returns an encoder writing to out.
func NewEncoder(out io.Writer, fileRows int) *Encoder {
	return &Encoder{out: out, fileRows: fileRows, schema: Schema(),
		props: parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Snappy),
			parquet.WithDictionaryDefault(true), parquet.WithStoreDecimalAsInteger(true),
			parquet.WithCreatedBy("wharf-bench ceiling"))}
}

// Append adds one envelope.
func (e *Encoder) Append(env *Envelope) error {
	if e.fw == nil {
		fw, err := pqarrow.NewFileWriter(e.schema, e.out, e.props, pqarrow.NewArrowWriterProperties())
		if err != nil {
			return err
		}
		e.fw, e.rb = fw, array.NewRecordBuilder(memory.DefaultAllocator, e.schema)
	}
	p := &env.Payload
	appendRow(e.rb.Field(0).(*array.StructBuilder), p.Before)
	appendRow(e.rb.Field(1).(*array.StructBuilder), p.After)
	appendSource(e.rb.Field(2).(*array.StructBuilder), &p.Source)
	tx := e.rb.Field(3).(*array.StructBuilder)
	if p.Transaction == nil {
		tx.AppendNull()
	} else {
		tx.Append(true)
		tx.FieldBuilder(0).(*array.StringBuilder).Append(p.Transaction.ID)
		tx.FieldBuilder(1).(*array.Int64Builder).Append(p.Transaction.TotalOrder)
		tx.FieldBuilder(2).(*array.Int64Builder).Append(p.Transaction.DataCollectionOrder)
	}
	e.rb.Field(4).(*array.StringBuilder).Append(p.Op)
	appendI64(e.rb.Field(5).(*array.Int64Builder), p.TsMs)
	appendI64(e.rb.Field(6).(*array.Int64Builder), p.TsUs)
	appendI64(e.rb.Field(7).(*array.Int64Builder), p.TsNs)
	e.inBatch++
	e.inFile++
	if e.inBatch >= batchRows {
		if err := e.flush(); err != nil {
			return err
		}
	}
	if e.inFile >= e.fileRows {
		return e.Close()
	}
	return nil
}

func (e *Encoder) flush() error {
	if e.inBatch == 0 {
		return nil
	}
	rec := e.rb.NewRecordBatch()
	defer rec.Release()
	e.inBatch = 0
	if err := e.fw.WriteBuffered(rec); err != nil {
		return err
	}
	if e.fw.RowGroupTotalBytesWritten() >= rowGroupBytes {
		return e.fw.NewBufferedRowGroupChecked()
	}
	return nil
}

// Close finishes the open file, if any.
func (e *Encoder) Close() error {
	if e.fw == nil {
		return nil
	}
	if err := e.flush(); err != nil {
		return err
	}
	e.rb.Release()
	err := e.fw.Close()
	e.fw, e.rb, e.inFile = nil, nil, 0
	e.Files++
	return err
}

func appendRow(b *array.StructBuilder, r *Row) {
	if r == nil {
		b.AppendNull()
		return
	}
	b.Append(true)
	b.FieldBuilder(0).(*array.Int64Builder).Append(r.ID)
	b.FieldBuilder(1).(*array.StringBuilder).Append(r.Custkey)
	appendStr(b.FieldBuilder(2).(*array.StringBuilder), r.FirstName)
	appendStr(b.FieldBuilder(3).(*array.StringBuilder), r.LastName)
	appendStr(b.FieldBuilder(4).(*array.StringBuilder), r.Email)
	appendStr(b.FieldBuilder(5).(*array.StringBuilder), r.City)
	appendStr(b.FieldBuilder(6).(*array.StringBuilder), r.State)
	if fb := b.FieldBuilder(7).(*array.Int32Builder); r.Fico == nil {
		fb.AppendNull()
	} else {
		fb.Append(*r.Fico)
	}
	if db := b.FieldBuilder(8).(*array.Decimal128Builder); r.Balance == nil {
		db.AppendNull()
	} else {
		db.Append(decimal128.FromI64(unscaled(r.Balance)))
	}
	if d := b.FieldBuilder(9).(*array.Date32Builder); r.RegistrationDate == nil {
		d.AppendNull()
	} else {
		d.Append(arrow.Date32(*r.RegistrationDate))
	}
	appendStr(b.FieldBuilder(10).(*array.StringBuilder), r.UpdatedAt)
	appendStr(b.FieldBuilder(11).(*array.StringBuilder), r.Notes)
}

// unscaled reads a big-endian two's-complement integer of up to 8 bytes.
func unscaled(b []byte) int64 {
	if len(b) == 0 || len(b) > 8 {
		return 0
	}
	var buf [8]byte
	if b[0]&0x80 != 0 {
		for i := range buf {
			buf[i] = 0xff
		}
	}
	copy(buf[8-len(b):], b)
	return int64(binary.BigEndian.Uint64(buf[:]))
}

func appendSource(b *array.StructBuilder, s *Source) {
	b.Append(true)
	b.FieldBuilder(0).(*array.StringBuilder).Append(s.Version)
	b.FieldBuilder(1).(*array.StringBuilder).Append(s.Connector)
	b.FieldBuilder(2).(*array.StringBuilder).Append(s.Name)
	b.FieldBuilder(3).(*array.Int64Builder).Append(s.TsMs)
	appendStr(b.FieldBuilder(4).(*array.StringBuilder), s.Snapshot)
	b.FieldBuilder(5).(*array.StringBuilder).Append(s.DB)
	appendStr(b.FieldBuilder(6).(*array.StringBuilder), s.Sequence)
	appendI64(b.FieldBuilder(7).(*array.Int64Builder), s.TsUs)
	appendI64(b.FieldBuilder(8).(*array.Int64Builder), s.TsNs)
	b.FieldBuilder(9).(*array.StringBuilder).Append(s.Schema)
	b.FieldBuilder(10).(*array.StringBuilder).Append(s.Table)
	appendI64(b.FieldBuilder(11).(*array.Int64Builder), s.TxID)
	appendI64(b.FieldBuilder(12).(*array.Int64Builder), s.Lsn)
	appendI64(b.FieldBuilder(13).(*array.Int64Builder), s.Xmin)
}

func appendStr(b *array.StringBuilder, s *string) {
	if s == nil {
		b.AppendNull()
		return
	}
	b.Append(*s)
}

func appendI64(b *array.Int64Builder, v *int64) {
	if v == nil {
		b.AppendNull()
		return
	}
	b.Append(*v)
}

// Check decodes b and reports an error when it is not an event of the
// customers table (guards the ceiling against measuring the wrong input).
func Check(b []byte) error {
	var e Envelope
	if err := json.Unmarshal(b, &e); err != nil {
		return err
	}
	if e.Payload.Source.Table != "customers" || (e.Payload.After == nil && e.Payload.Before == nil) {
		return fmt.Errorf("not a customers change event: %.200s", b)
	}
	return nil
}

// FastDecoder is github.com/goccy/go-json (already in the module graph
// through arrow-go), the faster of the two decoders, so the ceiling is not
// held back by encoding/json.
func FastDecoder(b []byte, e *Envelope) error { return gojson.Unmarshal(b, e) }
