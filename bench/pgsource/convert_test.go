package pgsource

import (
	"bytes"
	"os"
	"testing"

	"github.com/wharf-project/wharf/connector/data"
	"github.com/wharf-project/wharf/worker/convert"
)

// envelope returns the captured insert event (bench/testdata, refreshed by
// wharfbench -capture) as the Connect schema and value the source task
// hands the runner.
func envelope(tb testing.TB) (*convert.JSON, []byte, *data.Schema, any) {
	tb.Helper()
	b, err := os.ReadFile("../testdata/insert_value.json")
	if err != nil {
		tb.Fatal(err)
	}
	b = bytes.TrimSpace(b)
	c := convert.NewJSON()
	if err := c.Configure(map[string]string{"schemas.enable": "true"}, false); err != nil {
		tb.Fatal(err)
	}
	s, v, err := c.ToConnect("ins.public.customers", b)
	if err != nil {
		tb.Fatal(err)
	}
	return c, b, s, v
}

// TestEnvelopeRoundTrip checks that the benchmark's input is a faithful
// Debezium envelope: JsonConverter reproduces the captured bytes.
func TestEnvelopeRoundTrip(t *testing.T) {
	c, b, s, v := envelope(t)
	out, err := c.Append(nil, "ins.public.customers", s, v)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, b) {
		t.Fatalf("round trip differs:\n%s\n%s", out, b)
	}
}

// BenchmarkJSONAppendEnvelope is the source runner's per-record value
// conversion (JsonConverter, schemas on) of a customers change event.
func BenchmarkJSONAppendEnvelope(b *testing.B) {
	c, raw, s, v := envelope(b)
	buf := make([]byte, 0, 8192)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = c.Append(buf[:0], "ins.public.customers", s, v); err != nil {
			b.Fatal(err)
		}
	}
}
