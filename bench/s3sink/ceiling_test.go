package s3sink

import (
	"bytes"
	"io"
	"os"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/wharf-project/wharf/worker/convert"
)

// sample returns n events: the captured insert event (bench/testdata, refreshed by
// wharfbench -capture) with distinct ids and custkeys.
func sample(t testing.TB, n int) [][]byte {
	t.Helper()
	b, err := os.ReadFile("../testdata/insert_value.json")
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.TrimSpace(b)
	out := make([][]byte, n)
	for i := range out {
		id := strconv.Itoa(i + 1)
		v := bytes.Replace(b, []byte(`"id":1,`), []byte(`"id":`+id+`,`), 1)
		v = bytes.Replace(v, []byte(`"C0000000001"`), []byte(`"C`+id+`"`), 1)
		out[i] = v
	}
	return out
}

// TestEncodeMatchesEvent checks the ceiling decodes the captured event and
// writes one Parquet file per fileRows rows.
func TestEncodeMatchesEvent(t *testing.T) {
	s := sample(t, 10)
	if err := Check(s[0]); err != nil {
		t.Fatal(err)
	}
	var env Envelope
	if err := StdDecoder(s[3], &env); err != nil {
		t.Fatal(err)
	}
	a := env.Payload.After
	if a == nil || a.ID != 4 || a.Custkey != "C4" || a.Balance == nil || unscaled(a.Balance) != 1 || env.Payload.Op != "c" {
		t.Fatalf("decoded %+v", env.Payload)
	}
	var out bytes.Buffer
	res, err := Encode(s, 25, 10, &out, StdDecoder)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 25 || out.Len() == 0 || !bytes.HasPrefix(out.Bytes(), []byte("PAR1")) {
		t.Fatalf("result %+v, %d bytes", res, out.Len())
	}
	if n := bytes.Count(out.Bytes(), []byte("PAR1")); n < 6 { // 3 files, magic at both ends
		t.Fatalf("%d PAR1 markers, want 3 files", n)
	}
}

// TestSchemaReadBack checks the comparison the benchmark makes against the
// sink's files: the ceiling's own Parquet reads back as Schema(), and a
// change of nullability is seen.
func TestSchemaReadBack(t *testing.T) {
	var out bytes.Buffer
	if _, err := Encode(sample(t, 3), 3, 3, &out, FastDecoder); err != nil {
		t.Fatal(err)
	}
	rdr, err := file.NewParquetReader(bytes.NewReader(out.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer rdr.Close()
	got, err := pqarrow.FromParquet(rdr.MetaData().Schema, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Schema()
	if !arrow.TypeEqual(arrow.StructOf(got.Fields()...), arrow.StructOf(want.Fields()...)) {
		t.Fatalf("read back\n%s\nwant\n%s", got, want)
	}
	f := want.Fields()
	f[4].Nullable = true
	if arrow.TypeEqual(arrow.StructOf(got.Fields()...), arrow.StructOf(f...)) {
		t.Fatal("nullability change not detected")
	}
}

func TestUnscaled(t *testing.T) {
	for _, c := range []struct {
		b    []byte
		want int64
	}{{[]byte{0x01}, 1}, {[]byte{0xff}, -1}, {[]byte{0x00, 0x80}, 128}, {[]byte{0xff, 0x7f}, -129}} {
		if got := unscaled(c.b); got != c.want {
			t.Errorf("unscaled(%x) = %d, want %d", c.b, got, c.want)
		}
	}
}

func benchEncode(b *testing.B, dec Decoder) {
	s := sample(b, 4096)
	b.SetBytes(int64(len(s[0])))
	b.ReportAllocs()
	b.ResetTimer()
	if _, err := Encode(s, b.N, 25_000, io.Discard, dec); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkCeiling is the S3 ceiling's inner loop: JSON → Arrow → Parquet.
func BenchmarkCeiling(b *testing.B) { benchEncode(b, FastDecoder) }

// BenchmarkCeilingStdJSON is the same with encoding/json.
func BenchmarkCeilingStdJSON(b *testing.B) { benchEncode(b, StdDecoder) }

// BenchmarkJSONToConnect is the sink runner's conversion of one value with
// Kafka's JsonConverter (schemas on): what Wharf does per record before the
// S3 task sees it.
func BenchmarkJSONToConnect(b *testing.B) {
	s := sample(b, 4096)
	c := convert.NewJSON()
	if err := c.Configure(map[string]string{"schemas.enable": "true"}, false); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(s[0])))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := c.ToConnect("t", s[i%len(s)]); err != nil {
			b.Fatal(err)
		}
	}
}
