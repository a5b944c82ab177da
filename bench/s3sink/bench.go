package s3sink

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/wharf-project/wharf/bench/harness"
)

// Targets of issue 4.
const (
	Target    = 0.5
	RSSTarget = 256 << 20
)

// Env is what the benchmark runs against: a topic of Debezium JSON events
// (schemas on) that Wharf's PostgreSQL source wrote.
type Env struct {
	Kafka     *harness.Kafka
	Topic     string
	Rows      int
	FlushSize int
	Rounds    int
	Sample    int // distinct events the ceiling cycles through (default 20000)
	Log       *slog.Logger
}

// Bench starts MinIO and measures the sink against the encode ceiling.
func Bench(ctx context.Context, e *Env) ([]harness.Row, error) {
	if e.Rows%e.FlushSize != 0 {
		return nil, fmt.Errorf("s3 rows %d must be a multiple of flush.size %d (the last file must complete)", e.Rows, e.FlushSize)
	}
	if e.Sample == 0 {
		e.Sample = 20_000
	}
	m, err := harness.StartMinIO()
	if err != nil {
		return nil, err
	}
	defer m.Close()
	const bucket = "bench"
	if err := m.CreateBucket(ctx, bucket); err != nil {
		return nil, err
	}
	base := Params{Brokers: e.Kafka.Addrs, Topic: e.Topic, Rows: int64(e.Rows), FlushSize: e.FlushSize}
	var ceil, wharf []harness.Result
	for r := 0; r < e.Rounds; r++ {
		p := base
		p.Sample = e.Sample
		c, err := harness.Run(ctx, 10*time.Minute, "s3-ceiling", "s3-ceiling", p)
		if err != nil {
			return nil, err
		}
		ceil = append(ceil, c)
		e.Log.Info("measured", "what", "arrow ceiling", "rows/s", int(c.RowsPerSec()))
		p = base
		p.Endpoint, p.AccessKey, p.SecretKey, p.Region, p.Bucket = m.Endpoint, m.AccessKey, m.SecretKey, m.Region, bucket
		p.TopicsDir = fmt.Sprintf("r%d", r)
		w, err := harness.Run(ctx, 10*time.Minute, "s3-wharf", "s3-wharf", p)
		if err != nil {
			return nil, err
		}
		files, size, err := m.ObjectBytes(ctx, bucket, p.TopicsDir+"/")
		if err != nil {
			return nil, err
		}
		if want := e.Rows / e.FlushSize; files != want {
			return nil, fmt.Errorf("sink wrote %d objects, want %d", files, want)
		}
		if err := sameLayout(ctx, m, bucket, p.TopicsDir+"/"); err != nil {
			return nil, err
		}
		w.OutB, w.Bytes = size, c.InputB
		wharf = append(wharf, w)
		e.Log.Info("measured", "what", "s3 sink", "rows/s", int(w.RowsPerSec()), "rss MB", w.MaxRSS>>20)
	}
	i := harness.MedianRound(len(wharf), func(i int) float64 { return wharf[i].RowsPerSec() / ceil[i].RowsPerSec() })
	c, w := ceil[i], harness.PeakRSS(wharf[i], wharf)
	bench := "s3 sink parquet"
	return []harness.Row{
		{Bench: bench, What: "ceiling: JSON → Arrow → pqarrow → io.Discard", Res: c},
		harness.Compare(bench, "wharf: kafka → runner → S3 task → MinIO", w, c, Target, RSSTarget),
	}, nil
}

// sameLayout checks that the sink's first object has the ceiling's Arrow
// schema, so both sides encode the same columns.
func sameLayout(ctx context.Context, m *harness.MinIO, bucket, prefix string) error {
	out, err := m.Client.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: &bucket, Prefix: &prefix, MaxKeys: aws.Int32(1)})
	if err != nil || len(out.Contents) == 0 {
		return fmt.Errorf("list %s: %v", prefix, err)
	}
	obj, err := m.Client.GetObject(ctx, &awss3.GetObjectInput{Bucket: &bucket, Key: out.Contents[0].Key})
	if err != nil {
		return err
	}
	defer obj.Body.Close()
	b, err := io.ReadAll(obj.Body)
	if err != nil {
		return err
	}
	rdr, err := file.NewParquetReader(bytes.NewReader(b))
	if err != nil {
		return err
	}
	defer rdr.Close()
	got, err := pqarrow.FromParquet(rdr.MetaData().Schema, nil, nil)
	if err != nil {
		return err
	}
	want := Schema()
	if !arrow.TypeEqual(arrow.StructOf(got.Fields()...), arrow.StructOf(want.Fields()...)) {
		return fmt.Errorf("the sink wrote schema\n%s\nbut the ceiling encodes\n%s", got, want)
	}
	return nil
}
