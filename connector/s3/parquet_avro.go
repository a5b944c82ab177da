package s3

import (
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"time"

	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/schema"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/data"
)

// parquet.layout=avro: the layout Confluent's ParquetFormat gets from
// AvroData and parquet-avro's AvroSchemaConverter (s3-sink.md §4.2):
//   - the root message is named after the Avro record's full name;
//   - lists are 2-level (repeated <type> array) unless an array of the
//     schema has optional items, then every list is 3-level (list/element),
//     as parquet-avro's write-old-list-structure default;
//   - maps with string keys are MAP key_value groups, other maps lists of
//     MapEntry groups; decimals are BINARY DECIMAL(p,s) (p from
//     connect.decimal.precision, else 64); INT8/INT16 are plain INT32;
//   - only Connect's Date/Time/Timestamp become logical types: Debezium
//     semantic names stay plain INT32/INT64;
//   - the footer holds parquet.avro.schema and writer.model.name=avro.
//
// pqarrow always writes 3-level lists, so this layout is shredded into the
// column writers directly (Dremel levels computed here).

// pavroWriter writes one file in the avro layout.
type pavroWriter struct {
	root  *pnode
	b     *pavroBuilder
	fw    *file.Writer
	rgw   file.BufferedRowGroupWriter
	rows  int
	bytes int
}

func openParquetAvro(out io.Writer, s *data.Schema, codec parquet.WriterProperty) (recordWriter, error) {
	if s.Type != data.TypeStruct {
		return nil, dataErrorf("parquet.layout=avro needs a struct value schema (parquet-avro cannot write a %s root)", s.Type)
	}
	b := &pavroBuilder{level3: hasOptionalItems(s)}
	rootName := s.Name
	if rootName == "" {
		rootName = "io.confluent.connect.avro.ConnectDefault"
	}
	root, rn, err := b.node(rootName, s, parquet.Repetitions.Required)
	if err != nil {
		return nil, dataErrorf("parquet schema for %s: %v", s, err)
	}
	_, avroJS := (&avroBuilder{names: map[string]bool{}}).build(s)
	avroText, err := json.Marshal(avroJS)
	if err != nil {
		return nil, err
	}
	meta := metadata.KeyValueMetadata{}
	meta.Append("parquet.avro.schema", string(avroText))
	meta.Append("writer.model.name", "avro")
	props := parquet.NewWriterProperties(codec, parquet.WithDictionaryDefault(true),
		parquet.WithCreatedBy("wharf (parquet-go arrow v18, parquet-avro layout)"))
	fw, err := file.NewParquetWriterWithError(out, rn.(*schema.GroupNode), file.WithWriterProps(props), file.WithWriteMetadata(meta))
	if err != nil {
		return nil, fmt.Errorf("parquet: new writer: %w", err)
	}
	return &pavroWriter{root: root, b: b, fw: fw}, nil
}

func (w *pavroWriter) write(rec *connector.SinkRecord) error {
	if err := data.ValidateValue(w.root.schema, rec.Value); err != nil {
		return dataErrorf("value does not match its schema: %v", err)
	}
	if rec.Value == nil {
		return dataErrorf("ParquetFormat cannot write a null value")
	}
	// A value that fails half-way would leave columns misaligned: check
	// the decimals (the only conversion that can fail) first.
	if err := w.shred(w.root, rec.Value, 0, 0, true); err != nil {
		return err
	}
	if err := w.shred(w.root, rec.Value, 0, 0, false); err != nil {
		return err
	}
	w.rows++
	if w.rows >= parquetBatchRows || w.bytes >= parquetBatchBytes {
		return w.flush()
	}
	return nil
}

// shred appends v's leaves with their levels (def: definition level of the
// parent, rep: repetition level of the first value). With dry it only
// checks that every value converts.
func (w *pavroWriter) shred(n *pnode, v any, def, rep int16, dry bool) error {
	if v == nil {
		v = n.schema.Default
	}
	if n.optional {
		if v == nil {
			if !dry {
				w.nulls(n, def, rep)
			}
			return nil
		}
		def++
	}
	switch n.kind {
	case pLeaf:
		return w.leafValue(n.leaf, v, def, rep, dry)
	case pGroup:
		st := v.(*data.Struct)
		for i, c := range n.children {
			if err := w.shred(c, st.At(i), def, rep, dry); err != nil {
				return fmt.Errorf("field %s: %w", n.schema.Fields[i].Name, err)
			}
		}
		return nil
	}
	return w.shredRepeated(n, v, def, rep, dry)
}

func (w *pavroWriter) shredRepeated(n *pnode, v any, def, rep int16, dry bool) error {
	if n.elem {
		items := v.([]any)
		if len(items) == 0 && !dry {
			w.nulls(n, def, rep)
		}
		for i, e := range items {
			if i > 0 {
				rep = n.repLevel
			}
			if err := w.shred(n.children[0], e, def+1, rep, dry); err != nil {
				return err
			}
		}
		return nil
	}
	entries := v.([]data.MapEntry)
	if len(entries) == 0 && !dry {
		w.nulls(n, def, rep)
	}
	for i, e := range entries {
		if i > 0 {
			rep = n.repLevel
		}
		if err := w.shred(n.children[0], e.Key, def+1, rep, dry); err != nil {
			return err
		}
		if err := w.shred(n.children[1], e.Value, def+1, rep, dry); err != nil {
			return err
		}
	}
	return nil
}

// nulls records an absent value (null or empty) at every leaf under n.
func (w *pavroWriter) nulls(n *pnode, def, rep int16) {
	for _, l := range w.b.leaves[n.first:n.end] {
		l.def = append(l.def, def)
		l.rep = append(l.rep, rep)
	}
	w.bytes += 4 * (n.end - n.first)
}

func (w *pavroWriter) leafValue(l *pleaf, v any, def, rep int16, dry bool) error {
	if l.decimal {
		b, err := decimalBytes(v, l.scale)
		if err != nil || dry {
			return err
		}
		l.bin = append(l.bin, b...)
		l.ends = append(l.ends, len(l.bin))
		w.bytes += len(b)
	} else if dry {
		return nil
	} else {
		w.bytes += l.add(v)
	}
	l.def = append(l.def, def)
	l.rep = append(l.rep, rep)
	w.bytes += 4
	return nil
}

// add appends a non-null value and returns its size.
func (l *pleaf) add(v any) int {
	switch x := v.(type) {
	case int8:
		l.i32 = append(l.i32, int32(x))
	case int16:
		l.i32 = append(l.i32, int32(x))
	case int32:
		l.i32 = append(l.i32, x)
	case int64:
		l.i64 = append(l.i64, x)
	case float32:
		l.f32 = append(l.f32, x)
	case float64:
		l.f64 = append(l.f64, x)
	case bool:
		l.bools = append(l.bools, x)
	case string:
		l.bin = append(l.bin, x...)
		l.ends = append(l.ends, len(l.bin))
		return len(x)
	case []byte:
		l.bin = append(l.bin, x...)
		l.ends = append(l.ends, len(l.bin))
		return len(x)
	case time.Time:
		switch l.schema.Name {
		case data.DateName:
			l.i32 = append(l.i32, data.DateToDays(x))
		case data.TimeName:
			l.i32 = append(l.i32, data.TimeToMillis(x))
		default:
			l.i64 = append(l.i64, x.UnixMilli())
		}
	}
	return 8
}

// decimalBytes is the BINARY decimal parquet-avro writes: the unscaled
// value at the schema's scale in big-endian two's complement.
func decimalBytes(v any, scale int32) ([]byte, error) {
	var unscaled *big.Int
	from := scale
	switch d := v.(type) {
	case data.Decimal:
		unscaled, from = d.Unscaled, d.Scale
	case []byte:
		return d, nil
	default:
		return nil, dataErrorf("decimal value of type %T", v)
	}
	if from != scale {
		var err error
		if unscaled, err = rescale(unscaled, from, scale); err != nil {
			return nil, err
		}
	}
	return data.TwosComplement(unscaled), nil
}

// flush writes the buffered rows into the row group, which is closed (and
// streamed out) once big enough.
func (w *pavroWriter) flush() error {
	if w.rows == 0 {
		return nil
	}
	if w.rgw == nil {
		rgw, err := w.fw.AppendBufferedRowGroupChecked()
		if err != nil {
			return fmt.Errorf("parquet: new row group: %w", err)
		}
		w.rgw = rgw
	}
	for i, l := range w.b.leaves {
		cw, err := w.rgw.Column(i)
		if err != nil {
			return fmt.Errorf("parquet: column %d: %w", i, err)
		}
		if err := l.writeTo(cw); err != nil {
			return fmt.Errorf("parquet: column %d: %w", i, err)
		}
	}
	w.rows, w.bytes = 0, 0
	if w.rgw.TotalBytesWritten() >= parquetRowGroupBytes {
		return w.closeRowGroup()
	}
	return nil
}

func (w *pavroWriter) closeRowGroup() error {
	if w.rgw == nil {
		return nil
	}
	err := w.rgw.Close()
	w.rgw = nil
	if err != nil {
		return fmt.Errorf("parquet: close row group: %w", err)
	}
	return nil
}

func (l *pleaf) writeTo(cw file.ColumnChunkWriter) error {
	var err error
	switch c := cw.(type) {
	case *file.Int32ColumnChunkWriter:
		_, err = c.WriteBatch(l.i32, l.def, l.rep)
	case *file.Int64ColumnChunkWriter:
		_, err = c.WriteBatch(l.i64, l.def, l.rep)
	case *file.Float32ColumnChunkWriter:
		_, err = c.WriteBatch(l.f32, l.def, l.rep)
	case *file.Float64ColumnChunkWriter:
		_, err = c.WriteBatch(l.f64, l.def, l.rep)
	case *file.BooleanColumnChunkWriter:
		_, err = c.WriteBatch(l.bools, l.def, l.rep)
	case *file.ByteArrayColumnChunkWriter:
		l.binVals = l.binVals[:0]
		start := 0
		for _, e := range l.ends {
			l.binVals = append(l.binVals, l.bin[start:e:e])
			start = e
		}
		_, err = c.WriteBatch(l.binVals, l.def, l.rep)
	default:
		err = fmt.Errorf("unexpected column writer %T", cw)
	}
	l.def, l.rep, l.i32, l.i64 = l.def[:0], l.rep[:0], l.i32[:0], l.i64[:0]
	l.f32, l.f64, l.bools, l.bin, l.ends = l.f32[:0], l.f64[:0], l.bools[:0], l.bin[:0], l.ends[:0]
	return err
}

func (w *pavroWriter) finish() error {
	if err := w.flush(); err != nil {
		return err
	}
	if err := w.closeRowGroup(); err != nil {
		return err
	}
	if err := w.fw.Close(); err != nil {
		return fmt.Errorf("parquet: close: %w", err)
	}
	return nil
}

func (w *pavroWriter) release() {}

func (w *pavroWriter) buffered() int {
	n := w.bytes
	if w.rgw != nil {
		n += int(w.rgw.TotalBytesWritten())
	}
	return n
}

// shrink moves the buffered rows and the row group into the stream.
func (w *pavroWriter) shrink() error {
	if err := w.flush(); err != nil {
		return err
	}
	return w.closeRowGroup()
}
