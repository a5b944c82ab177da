package rest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/wharf-project/wharf/connector/testserver"
)

func putObject(t *testing.T, m *testserver.S3, bucket, key string, body []byte) {
	t.Helper()
	if _, err := m.Client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: &bucket, Key: &key,
		Body: bytes.NewReader(body)}); err != nil {
		t.Fatal(err)
	}
}

// TestObjectReader reads a MinIO object through ranged GETs: bytes match
// at any offset, cached ranges are not fetched again, and the budget holds.
func TestObjectReader(t *testing.T) {
	m := testserver.MinIO(t)
	m.CreateBucket(t, "bits")
	body := make([]byte, 3<<20+123)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range body {
		body[i] = byte(rng.Uint32())
	}
	putObject(t, m, "bits", "k", body)
	tg := &s3Target{client: m.Client, bucket: "bits"}
	r := newObjectReader(context.Background(), tg, "k", int64(len(body)), 2<<20)
	if err := r.fetch(int64(len(body))-1000, int64(len(body))); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ off, n int64 }{{0, 10}, {5, 100}, {int64(len(body)) - 1500, 1500},
		{rangeReadAhead - 10, 30}, {1 << 20, 3000}, {0, rangeReadAhead + 20}} {
		p := make([]byte, c.n)
		if n, err := r.ReadAt(p, c.off); err != nil || n != len(p) || !bytes.Equal(p, body[c.off:c.off+c.n]) {
			t.Fatalf("ReadAt(%d, %d): %d bytes, %v, equal %t", c.n, c.off, n, err, bytes.Equal(p, body[c.off:c.off+c.n]))
		}
	}
	// 1000 tail bytes, 500 more before them, [0, 2×256 KiB) and [1 MiB, +256 KiB).
	if want := int64(1500 + 2*rangeReadAhead + rangeReadAhead); r.fetched != want {
		t.Fatalf("fetched %d bytes, want %d", r.fetched, want)
	}
	for i := 1; i < len(r.segs); i++ {
		if a := r.segs[i-1]; a.off+int64(len(a.b)) > r.segs[i].off {
			t.Fatalf("segments overlap: %d+%d > %d", a.off, len(a.b), r.segs[i].off)
		}
	}
	p := make([]byte, 10)
	if n, err := r.ReadAt(p, int64(len(body))-4); n != 4 || err == nil || !bytes.Equal(p[:4], body[len(body)-4:]) {
		t.Fatalf("read past the end: %d, %v", n, err)
	}
	if _, err := r.ReadAt(make([]byte, 3<<19), 3<<19); !errors.Is(err, errBudget) {
		t.Fatalf("over budget: %v", err)
	}
}

// TestParquetPreviewRanged previews a Parquet object larger than the first
// read (three row groups, bigger than previewTail): the first rows come
// from ranged reads of the first pages, not the whole object.
func TestParquetPreviewRanged(t *testing.T) {
	m := testserver.MinIO(t)
	m.CreateBucket(t, "bits")
	sc := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "noise", Type: arrow.BinaryTypes.String, Nullable: true}}, nil)
	var buf bytes.Buffer
	fw, err := pqarrow.NewFileWriter(sc, &buf, parquet.NewWriterProperties(parquet.WithDictionaryDefault(false),
		parquet.WithMaxRowGroupLength(20000), parquet.WithDataPageSize(32<<10)), pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	rb := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 60000 {
		rb.Field(0).(*array.Int64Builder).Append(int64(i))
		rb.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("%016x%016x%016x%016x", rng.Uint64(), rng.Uint64(), rng.Uint64(), rng.Uint64()))
	}
	rec := rb.NewRecordBatch()
	if err := fw.Write(rec); err != nil {
		t.Fatal(err)
	}
	rec.Release()
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	size := int64(buf.Len())
	if size < 3*previewTail {
		t.Fatalf("the file is only %d bytes", size)
	}
	putObject(t, m, "bits", "big.parquet", buf.Bytes())
	tg := &s3Target{client: m.Client, bucket: "bits"}

	r := newObjectReader(context.Background(), tg, "big.parquet", size, previewBudget)
	out := previewAnswer{Key: "big.parquet", Size: size}
	if err := parquetPreview(context.Background(), r, &out, 3); err != nil {
		t.Fatal(err)
	}
	if len(out.Rows) != 3 || !out.Truncated || out.Records == nil || *out.Records != 60000 {
		t.Fatalf("preview %+v", out)
	}
	if string(out.Rows[2][:9]) != `{"id":2,"` || out.Schema != "message schema {\n  required int64 id;\n  optional binary noise (STRING);\n}\n" {
		t.Fatalf("row %s schema %q", out.Rows[2], out.Schema)
	}
	t.Logf("fetched %d of %d bytes", r.fetched, size)
	if r.fetched >= size/2 {
		t.Fatalf("fetched %d of %d bytes for 3 rows", r.fetched, size)
	}
	if n, err := parquetRecords(context.Background(), tg, "big.parquet", size); err != nil || n != 60000 {
		t.Fatalf("footer count %d, %v", n, err)
	}
	// A budget below what the first rows need is an error, not a download.
	r = newObjectReader(context.Background(), tg, "big.parquet", size, previewTail+1000)
	if err := parquetPreview(context.Background(), r, &previewAnswer{Key: "big.parquet", Size: size}, 3); !errors.Is(err, errBudget) {
		t.Fatalf("small budget: %v", err)
	}
}
