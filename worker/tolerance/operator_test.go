package tolerance_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/worker/tolerance"
)

type counts struct{ errors, skipped, dlq int }

func (c *counts) Error(string)  { c.errors++ }
func (c *counts) Skipped()      { c.skipped++ }
func (c *counts) DeadLettered() { c.dlq++ }

func TestConfigDef(t *testing.T) {
	d := tolerance.ConfigDef()
	want := []string{tolerance.KeyRetryTimeout, tolerance.KeyRetryDelayMax, tolerance.KeyTolerance,
		tolerance.KeyLogEnable, tolerance.KeyLogIncludeMessages, tolerance.KeyDLQTopic,
		tolerance.KeyDLQReplicationFactor, tolerance.KeyDLQContextHeaders}
	keys := d.Keys()
	if len(keys) != len(want) {
		t.Fatalf("%d keys", len(keys))
	}
	for i, k := range keys {
		if k.Name != want[i] || k.Group != "Error Handling" || k.OrderInGroup != i+1 || k.Doc == "" || k.DisplayName == "" {
			t.Errorf("key %d: %+v", i, k)
		}
	}
	c, err := tolerance.Parse(map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	if c != tolerance.DefaultConfig() {
		t.Fatalf("defaults %+v, want %+v", c, tolerance.DefaultConfig())
	}
	c, err = tolerance.Parse(map[string]string{tolerance.KeyTolerance: "all", tolerance.KeyRetryTimeout: "-1",
		tolerance.KeyDLQTopic: " dlq ", tolerance.KeyDLQReplicationFactor: "1", tolerance.KeyDLQContextHeaders: "true"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Tolerance != tolerance.All || c.RetryTimeout != -time.Millisecond || c.DLQTopic != "dlq" ||
		c.DLQReplication != 1 || !c.DLQContextHeaders {
		t.Fatalf("parsed %+v", c)
	}
	if _, err := tolerance.Parse(map[string]string{tolerance.KeyTolerance: "some"}); err == nil ||
		!strings.Contains(err.Error(), "Invalid value some for configuration errors.tolerance") {
		t.Fatalf("Parse(some) = %v", err)
	}
}

func TestHandleRetriesRetriableErrors(t *testing.T) {
	cfg := tolerance.DefaultConfig()
	cfg.RetryTimeout = 5 * time.Second
	cfg.RetryDelayMax = 10 * time.Millisecond
	var c counts
	op := tolerance.NewOperator(cfg, tolerance.Options{Metrics: &c})
	calls := 0
	retriable := &connector.RetriableError{Err: errors.New("later")}
	ok, err := op.Handle(context.Background(), tolerance.Failure{Stage: tolerance.TaskPut, Err: retriable}, func() error {
		calls++
		if calls < 3 {
			return retriable
		}
		return nil
	})
	if !ok || err != nil || calls != 3 || c.errors != 0 {
		t.Fatalf("ok=%v err=%v calls=%d errors=%d", ok, err, calls, c.errors)
	}

	// Without a retry timeout nothing is retried.
	op = tolerance.NewOperator(tolerance.DefaultConfig(), tolerance.Options{Metrics: &c})
	calls = 0
	ok, err = op.Handle(context.Background(), tolerance.Failure{Stage: tolerance.KeyConverter, Err: retriable},
		func() error { calls++; return nil })
	if ok || calls != 0 || !errors.Is(err, tolerance.ErrToleranceExceeded) {
		t.Fatalf("ok=%v err=%v calls=%d", ok, err, calls)
	}

	// A retry timeout bounds the retries.
	cfg.RetryTimeout = 50 * time.Millisecond
	op = tolerance.NewOperator(cfg, tolerance.Options{})
	start := time.Now()
	_, err = op.Handle(context.Background(), tolerance.Failure{Stage: tolerance.KeyConverter, Err: retriable},
		func() error { return retriable })
	if !errors.Is(err, tolerance.ErrToleranceExceeded) || time.Since(start) > 2*time.Second {
		t.Fatalf("err=%v after %v", err, time.Since(start))
	}
}

func TestHandleTolerance(t *testing.T) {
	boom := errors.New("boom")
	msg := &sarama.ConsumerMessage{Topic: "t", Partition: 1, Offset: 5}

	var c counts
	op := tolerance.NewOperator(tolerance.DefaultConfig(), tolerance.Options{Metrics: &c})
	_, err := op.Handle(context.Background(), tolerance.Failure{Stage: tolerance.ValueConverter, Err: boom, Consumed: msg}, nil)
	if !errors.Is(err, tolerance.ErrToleranceExceeded) || !errors.Is(err, boom) ||
		err.Error() != "Tolerance exceeded in error handler: boom" {
		t.Fatalf("none: %v", err)
	}
	_, err = op.Handle(context.Background(), tolerance.Failure{Stage: tolerance.TaskPut, Err: boom}, nil)
	if !errors.Is(err, tolerance.ErrUnhandled) {
		t.Fatalf("put: %v", err)
	}

	var logs bytes.Buffer
	cfg := tolerance.DefaultConfig()
	cfg.Tolerance, cfg.LogEnable, cfg.LogIncludeMessages = tolerance.All, true, true
	c = counts{}
	op = tolerance.NewOperator(cfg, tolerance.Options{Connector: "c", Task: 2, Metrics: &c,
		Log: slog.New(slog.NewTextHandler(&logs, nil))})
	ok, err := op.Handle(context.Background(), tolerance.Failure{Stage: tolerance.ValueConverter, Class: "conv.JSON",
		Err: boom, Consumed: msg}, nil)
	if ok || err != nil || c.errors != 1 || c.skipped != 1 {
		t.Fatalf("all: ok=%v err=%v %+v", ok, err, c)
	}
	want := "Error encountered in task c-2. Executing stage 'VALUE_CONVERTER' with class 'conv.JSON', " +
		"where consumed record is {topic='t', partition=1, offset=5}."
	if !strings.Contains(logs.String(), want) {
		t.Fatalf("log %q lacks %q", logs.String(), want)
	}
	if err := op.Report(context.Background(), tolerance.Failure{Stage: tolerance.TaskPut, Err: boom}); err != nil {
		t.Fatalf("Report with tolerance all: %v", err)
	}
	op = tolerance.NewOperator(tolerance.DefaultConfig(), tolerance.Options{})
	if err := op.Report(context.Background(), tolerance.Failure{Stage: tolerance.TaskPut, Err: boom}); !errors.Is(err, tolerance.ErrToleranceExceeded) {
		t.Fatalf("Report with tolerance none: %v", err)
	}
}

func TestStageNames(t *testing.T) {
	for s, want := range map[tolerance.Stage]string{tolerance.KeyConverter: "KEY_CONVERTER", tolerance.ValueConverter: "VALUE_CONVERTER",
		tolerance.HeaderConverter: "HEADER_CONVERTER", tolerance.Transformation: "TRANSFORMATION", tolerance.TaskPut: "TASK_PUT",
		tolerance.TaskPoll: "TASK_POLL", tolerance.KafkaProduce: "KAFKA_PRODUCE", tolerance.KafkaConsume: "KAFKA_CONSUME"} {
		if s.String() != want {
			t.Errorf("%d: %s", s, s)
		}
	}
}
