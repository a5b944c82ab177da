package rest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/apache/arrow-go/v18/parquet/schema"
)

// openParquet reads a Parquet footer through r, after fetching the
// object's last tail bytes in one request.
func openParquet(r *objectReader, tail int64) (*file.Reader, error) {
	if err := r.fetch(max(0, r.size-tail), r.size); err != nil {
		return nil, err
	}
	props := parquet.NewReaderProperties(memory.DefaultAllocator)
	// Pages are read as the rows are decoded, not whole column chunks.
	props.BufferedStreamEnabled = true
	props.BufferSize = rangeReadAhead
	return file.NewParquetReader(r, file.WithReadProps(props))
}

// parquetRecords reads the row count from a Parquet object's footer.
func parquetRecords(ctx context.Context, t *s3Target, key string, size int64) (int64, error) {
	pf, err := openParquet(newObjectReader(ctx, t, key, size, countBudget), countTail)
	if err != nil {
		return -1, err
	}
	return pf.NumRows(), nil
}

// parquetPreview fills out with the Parquet schema and the first n rows of
// the object r reads, rendered as JSON objects.
func parquetPreview(ctx context.Context, r *objectReader, out *previewAnswer, n int) error {
	pf, err := openParquet(r, previewTail)
	if err != nil {
		return err
	}
	md := pf.MetaData()
	var sb strings.Builder
	printSchema(&sb, md.Schema.Root(), 0)
	out.Schema = sb.String()
	out.Records = ptr(md.NumRows)
	if pf.NumRowGroups() == 0 || md.NumRows == 0 {
		return nil
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: int64(n)}, memory.DefaultAllocator)
	if err != nil {
		return fmt.Errorf("%s: %w", out.Key, err)
	}
	rr, err := fr.GetRecordReader(ctx, nil, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", out.Key, err)
	}
	defer rr.Release()
	for len(out.Rows) < n && rr.Next() {
		rec := rr.RecordBatch()
		for i := 0; i < int(rec.NumRows()) && len(out.Rows) < n; i++ {
			out.Rows = append(out.Rows, appendRow(nil, rec, i))
		}
	}
	if err := rr.Err(); err != nil && len(out.Rows) < n {
		return fmt.Errorf("%s: read rows: %w", out.Key, err)
	}
	out.Truncated = md.NumRows > int64(len(out.Rows))
	return nil
}

// printSchema writes a Parquet schema as parquet-mr prints it (message
// name { required int32 id; optional binary name (STRING); … }).
func printSchema(sb *strings.Builder, n schema.Node, depth int) {
	indent := strings.Repeat("  ", depth)
	if g, ok := n.(*schema.GroupNode); ok {
		if depth == 0 {
			fmt.Fprintf(sb, "message %s", g.Name())
		} else {
			fmt.Fprintf(sb, "%s%s group %s", indent, g.RepetitionType(), g.Name())
		}
		if a := annotation(n); a != "" {
			sb.WriteString(" (" + a + ")")
		}
		sb.WriteString(" {\n")
		for i := 0; i < g.NumFields(); i++ {
			printSchema(sb, g.Field(i), depth+1)
		}
		sb.WriteString(indent + "}\n")
		return
	}
	p := n.(*schema.PrimitiveNode)
	typ := strings.ToLower(p.PhysicalType().String())
	switch p.PhysicalType() {
	case parquet.Types.ByteArray:
		typ = "binary"
	case parquet.Types.FixedLenByteArray:
		typ = fmt.Sprintf("fixed_len_byte_array(%d)", p.TypeLength())
	}
	fmt.Fprintf(sb, "%s%s %s %s", indent, p.RepetitionType(), typ, p.Name())
	if a := annotation(n); a != "" {
		sb.WriteString(" (" + a + ")")
	}
	sb.WriteString(";\n")
}

// annotation is a node's logical type in parquet-mr's notation; plain
// 32/64-bit signed integers have none.
func annotation(n schema.Node) string {
	unit := func(u schema.TimeUnitType) string {
		return [...]string{"MILLIS", "MICROS", "NANOS", "UNKNOWN"}[min(int(u), 3)]
	}
	switch l := n.LogicalType().(type) {
	case nil, schema.NoLogicalType:
		if c := n.ConvertedType(); c != schema.ConvertedTypes.None && c != schema.ConvertedTypes.NA {
			return c.String()
		}
		return ""
	case schema.StringLogicalType:
		return "STRING"
	case schema.DateLogicalType:
		return "DATE"
	case schema.DecimalLogicalType:
		return fmt.Sprintf("DECIMAL(%d,%d)", l.Precision(), l.Scale())
	case schema.TimestampLogicalType:
		return fmt.Sprintf("TIMESTAMP(%s,%t)", unit(l.TimeUnit()), l.IsAdjustedToUTC())
	case schema.TimeLogicalType:
		return fmt.Sprintf("TIME(%s,%t)", unit(l.TimeUnit()), l.IsAdjustedToUTC())
	case schema.IntLogicalType:
		p, ok := n.(*schema.PrimitiveNode)
		if ok && l.IsSigned() && (l.BitWidth() == 32 && p.PhysicalType() == parquet.Types.Int32 ||
			l.BitWidth() == 64 && p.PhysicalType() == parquet.Types.Int64) {
			return ""
		}
		return fmt.Sprintf("INTEGER(%d,%t)", l.BitWidth(), l.IsSigned())
	case schema.ListLogicalType:
		return "LIST"
	case schema.MapLogicalType:
		return "MAP"
	case schema.EnumLogicalType:
		return "ENUM"
	case schema.JSONLogicalType:
		return "JSON"
	case schema.UUIDLogicalType:
		return "UUID"
	default:
		return strings.ToUpper(l.String())
	}
}

func ptr[T any](v T) *T { return &v }

// appendRow renders row i of rec as a JSON object, columns in file order.
func appendRow(b []byte, rec arrow.RecordBatch, i int) json.RawMessage {
	b = append(b, '{')
	for c := 0; c < int(rec.NumCols()); c++ {
		if c > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, rec.ColumnName(c))
		b = append(b, ':')
		b = appendArrow(b, rec.Column(c), i)
	}
	return append(b, '}')
}

// appendArrow renders value i of a as JSON, readably: dates YYYY-MM-DD,
// times HH:MM:SS.fff, timestamps RFC 3339 (without an offset when the
// column is not adjusted to UTC: a local date-time), decimals as strings
// with their scale, binary as base64, structs as objects, maps with string
// keys as objects (else arrays of {key, value}).
func appendArrow(b []byte, a arrow.Array, i int) []byte {
	if a.IsNull(i) {
		return append(b, "null"...)
	}
	switch a := a.(type) {
	case *array.Struct:
		st := a.DataType().(*arrow.StructType)
		b = append(b, '{')
		for f := 0; f < a.NumField(); f++ {
			if f > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, st.Field(f).Name)
			b = append(b, ':')
			b = appendArrow(b, a.Field(f), i)
		}
		return append(b, '}')
	case *array.Map:
		return appendMap(b, a, i)
	case array.ListLike:
		start, end := a.ValueOffsets(i)
		vals := a.ListValues()
		b = append(b, '[')
		for j := start; j < end; j++ {
			if j > start {
				b = append(b, ',')
			}
			b = appendArrow(b, vals, int(j))
		}
		return append(b, ']')
	case *array.Dictionary:
		return appendArrow(b, a.Dictionary(), a.GetValueIndex(i))
	case array.ExtensionArray:
		return appendArrow(b, a.Storage(), i)
	}
	return appendScalar(b, a, i)
}

// appendScalar renders a non-null primitive value.
func appendScalar(b []byte, a arrow.Array, i int) []byte {
	switch a := a.(type) {
	case *array.Boolean:
		return strconv.AppendBool(b, a.Value(i))
	case *array.Int8:
		return strconv.AppendInt(b, int64(a.Value(i)), 10)
	case *array.Int16:
		return strconv.AppendInt(b, int64(a.Value(i)), 10)
	case *array.Int32:
		return strconv.AppendInt(b, int64(a.Value(i)), 10)
	case *array.Int64:
		return strconv.AppendInt(b, a.Value(i), 10)
	case *array.Uint8:
		return strconv.AppendUint(b, uint64(a.Value(i)), 10)
	case *array.Uint16:
		return strconv.AppendUint(b, uint64(a.Value(i)), 10)
	case *array.Uint32:
		return strconv.AppendUint(b, uint64(a.Value(i)), 10)
	case *array.Uint64:
		return strconv.AppendUint(b, a.Value(i), 10)
	case *array.Float32:
		return appendFloat(b, float64(a.Value(i)), 32)
	case *array.Float64:
		return appendFloat(b, a.Value(i), 64)
	case *array.String:
		return appendJSONString(b, a.Value(i))
	case *array.LargeString:
		return appendJSONString(b, a.Value(i))
	case *array.Binary:
		return appendJSONString(b, base64.StdEncoding.EncodeToString(a.Value(i)))
	case *array.LargeBinary:
		return appendJSONString(b, base64.StdEncoding.EncodeToString(a.Value(i)))
	case *array.FixedSizeBinary:
		return appendJSONString(b, base64.StdEncoding.EncodeToString(a.Value(i)))
	case *array.Date32:
		return appendJSONString(b, a.Value(i).FormattedString())
	case *array.Date64:
		return appendJSONString(b, a.Value(i).FormattedString())
	case *array.Time32:
		return appendJSONString(b, a.Value(i).ToTime(a.DataType().(*arrow.Time32Type).Unit).Format("15:04:05.999999999"))
	case *array.Time64:
		return appendJSONString(b, a.Value(i).ToTime(a.DataType().(*arrow.Time64Type).Unit).Format("15:04:05.999999999"))
	case *array.Timestamp:
		dt := a.DataType().(*arrow.TimestampType)
		t := a.Value(i).ToTime(dt.Unit).UTC()
		if dt.TimeZone == "" {
			return appendJSONString(b, t.Format("2006-01-02T15:04:05.999999999"))
		}
		return appendJSONString(b, t.Format(time.RFC3339Nano))
	case *array.Decimal128:
		return appendJSONString(b, a.Value(i).ToString(a.DataType().(*arrow.Decimal128Type).Scale))
	case *array.Decimal256:
		return appendJSONString(b, a.Value(i).ToString(a.DataType().(*arrow.Decimal256Type).Scale))
	}
	v, err := json.Marshal(a.GetOneForMarshal(i))
	if err != nil {
		return appendJSONString(b, a.ValueStr(i))
	}
	return append(b, v...)
}

func appendMap(b []byte, a *array.Map, i int) []byte {
	start, end := a.ValueOffsets(i)
	keys, items := a.Keys(), a.Items()
	strKeys := keys.DataType().ID() == arrow.STRING || keys.DataType().ID() == arrow.LARGE_STRING
	if strKeys {
		b = append(b, '{')
	} else {
		b = append(b, '[')
	}
	for j := int(start); j < int(end); j++ {
		if j > int(start) {
			b = append(b, ',')
		}
		if strKeys {
			b = append(appendArrow(b, keys, j), ':')
			b = appendArrow(b, items, j)
			continue
		}
		b = append(b, `{"key":`...)
		b = appendArrow(b, keys, j)
		b = append(b, `,"value":`...)
		b = append(appendArrow(b, items, j), '}')
	}
	if strKeys {
		return append(b, '}')
	}
	return append(b, ']')
}

// appendFloat writes a JSON number; NaN and infinities, which JSON cannot
// hold, become strings.
func appendFloat(b []byte, f float64, bits int) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return appendJSONString(b, strconv.FormatFloat(f, 'g', -1, bits))
	}
	return strconv.AppendFloat(b, f, 'g', -1, bits)
}

func appendJSONString(b []byte, s string) []byte {
	q, _ := json.Marshal(s)
	return append(b, q...)
}
