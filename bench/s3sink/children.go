package s3sink

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/IBM/sarama"

	"github.com/wharf-project/wharf/bench/harness"
	"github.com/wharf-project/wharf/bench/pgsource"
	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/s3"
	"github.com/wharf-project/wharf/worker/kafka"
)

// Params configures one child measurement.
type Params struct {
	Brokers   []string `json:"brokers"`
	Topic     string   `json:"topic"`
	Rows      int64    `json:"rows"`
	FlushSize int      `json:"flush_size"`
	// Sink only.
	Endpoint  string `json:"endpoint,omitempty"`
	AccessKey string `json:"access_key,omitempty"`
	SecretKey string `json:"secret_key,omitempty"`
	Region    string `json:"region,omitempty"`
	Bucket    string `json:"bucket,omitempty"`
	TopicsDir string `json:"topics_dir,omitempty"`
	// Ceiling only: distinct events kept in memory and cycled through.
	Sample int `json:"sample,omitempty"`
}

// Children are the child measurements of this package.
func Children() map[string]harness.ChildFunc {
	return map[string]harness.ChildFunc{
		"s3-wharf":   Wharf,
		"s3-ceiling": Ceiling,
	}
}

// Wharf runs the S3 sink task in the worker's sink runner (sarama consumer
// group, JsonConverter with schemas, ParquetFormat into MinIO) until every
// one of Rows records is in a completed object.
func Wharf(ctx context.Context, raw json.RawMessage) (harness.Result, error) {
	var p Params
	if err := json.Unmarshal(raw, &p); err != nil {
		return harness.Result{}, err
	}
	props := map[string]string{
		"name":                 "bench-s3-" + p.TopicsDir,
		"connector.class":      "io.confluent.connect.s3.S3SinkConnector",
		"tasks.max":            "1",
		"topics":               p.Topic,
		s3.KeyBucket:           p.Bucket,
		s3.KeyRegion:           p.Region,
		s3.KeyStoreURL:         p.Endpoint,
		s3.KeyAccessKey:        p.AccessKey,
		s3.KeySecretKey:        p.SecretKey,
		s3.KeyStorageClass:     "io.confluent.connect.s3.storage.S3Storage",
		s3.KeyFormat:           "io.confluent.connect.s3.format.parquet.ParquetFormat",
		s3.KeyFlushSize:        strconv.Itoa(p.FlushSize),
		s3.KeyPartitioner:      "io.confluent.connect.storage.partitioner.DefaultPartitioner",
		s3.KeyPartSize:         "5242880",
		s3.KeyTopicsDir:        p.TopicsDir,
		s3.KeyNullValues:       "ignore",
		"schema.compatibility": "NONE",
	}
	watch := harness.NewStopwatch(p.Rows)
	inst := &harness.CountingSink{SinkConnector: s3.Plugin().New().(connector.SinkConnector), Watch: watch}
	start := time.Now()
	task, err := harness.NewTask(ctx, p.Brokers, pgsource.WorkerProps, props, inst)
	if err != nil {
		return harness.Result{}, err
	}
	defer task.Close()
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- task.Runner.Run(rctx) }()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(10 * time.Minute)
	for waiting := true; waiting; {
		select {
		case <-watch.Done():
			waiting = false
		case err := <-done:
			return harness.Result{}, fmt.Errorf("sink runner ended early: %v", err)
		case <-tick.C:
			if err := task.Failed(); err != nil {
				cancel()
				<-done
				return harness.Result{}, fmt.Errorf("sink task failed: %w", err)
			}
		case <-deadline:
			cancel()
			<-done
			return harness.Result{}, fmt.Errorf("sink timed out (committable %d of %d)", inst.Committed.Load(), p.Rows)
		}
	}
	total := time.Since(start).Seconds()
	harness.WriteHeapProfile()
	cancel()
	if err := <-done; err != nil {
		return harness.Result{}, fmt.Errorf("sink runner: %w", err)
	}
	return harness.Result{Rows: p.Rows, Seconds: watch.Seconds(), Total: total}, nil
}

// Ceiling reads the topic (outside the measurement) keeping the first
// Sample values, then decodes and encodes Rows of them, cycling through the
// sample, into Parquet files of FlushSize rows written to io.Discard.
func Ceiling(ctx context.Context, raw json.RawMessage) (harness.Result, error) {
	var p Params
	if err := json.Unmarshal(raw, &p); err != nil {
		return harness.Result{}, err
	}
	sample, topicBytes, err := readTopic(p.Brokers, p.Topic, p.Rows, p.Sample)
	if err != nil {
		return harness.Result{}, err
	}
	if err := Check(sample[0]); err != nil {
		return harness.Result{}, err
	}
	out := &countWriter{}
	res, err := Encode(sample, int(p.Rows), p.FlushSize, out, FastDecoder)
	if err != nil {
		return harness.Result{}, err
	}
	res.OutB, res.InputB = out.n, topicBytes
	return res, nil
}

// Encode decodes and encodes rows events cycling through sample.
func Encode(sample [][]byte, rows, fileRows int, out interface{ Write([]byte) (int, error) }, dec Decoder) (harness.Result, error) {
	enc := NewEncoder(out, fileRows)
	var env Envelope
	var in int64
	start := time.Now()
	for i := 0; i < rows; i++ {
		b := sample[i%len(sample)]
		env = Envelope{}
		if err := dec(b, &env); err != nil {
			return harness.Result{}, fmt.Errorf("decode event %d: %w", i, err)
		}
		if err := enc.Append(&env); err != nil {
			return harness.Result{}, fmt.Errorf("encode event %d: %w", i, err)
		}
		in += int64(len(b))
	}
	if err := enc.Close(); err != nil {
		return harness.Result{}, err
	}
	secs := time.Since(start).Seconds()
	return harness.Result{Rows: int64(rows), Bytes: in, Seconds: secs, Total: secs}, nil
}

type countWriter struct{ n int64 }

func (w *countWriter) Write(b []byte) (int, error) { w.n += int64(len(b)); return len(b), nil }

// readTopic consumes partition 0 of topic from the start until n records
// were read; it keeps copies of the first keep non-null values and returns
// the total size of all values.
func readTopic(brokers []string, topic string, n int64, keep int) ([][]byte, int64, error) {
	cfg := sarama.NewConfig()
	cfg.Version = kafka.ProtocolVersion()
	cfg.Consumer.Fetch.Default = 16 << 20
	c, err := sarama.NewConsumer(brokers, cfg)
	if err != nil {
		return nil, 0, err
	}
	defer c.Close()
	pc, err := c.ConsumePartition(topic, 0, sarama.OffsetOldest)
	if err != nil {
		return nil, 0, err
	}
	defer pc.Close()
	var sample [][]byte
	var size int64
	timeout := time.NewTimer(2 * time.Minute)
	defer timeout.Stop()
	for read := int64(0); read < n; read++ {
		select {
		case m := <-pc.Messages():
			size += int64(len(m.Value))
			if len(sample) < keep && m.Value != nil {
				sample = append(sample, append([]byte(nil), m.Value...))
			}
		case err := <-pc.Errors():
			return nil, 0, err
		case <-timeout.C:
			return nil, 0, fmt.Errorf("read %d of %d records of %s", read, n, topic)
		}
	}
	if len(sample) == 0 {
		return nil, 0, fmt.Errorf("topic %s has no values", topic)
	}
	return sample, size, nil
}
