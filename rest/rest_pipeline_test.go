package rest_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/wharf-project/wharf/connector/testserver"
	"github.com/wharf-project/wharf/rest/resttest"
)

func startPipeline(t *testing.T, w *resttest.Worker, in, out string) {
	t.Helper()
	w.Expect(t, 201, "POST", "/connectors", map[string]any{"name": "src", "config": map[string]any{
		"connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector", "file": in, "topic": "lines",
		"tasks.max": "1"}})
	w.Expect(t, 201, "POST", "/connectors", map[string]any{"name": "sink", "config": map[string]any{
		"connector.class": "FileStreamSink", "file": out, "topics": "lines", "tasks.max": "1"}})
}

// TestFileStreamRoundTripAndRestart runs file → Kafka → file, restarts the
// worker on the same state and broker, and checks every line arrives once.
func TestFileStreamRoundTripAndRestart(t *testing.T) {
	dir := t.TempDir()
	brokers := testserver.Kafka(t, 1)
	in, out := filepath.Join(dir, "in.txt"), filepath.Join(dir, "out.txt")
	resttest.AppendLines(t, in, 0, 500)
	w := resttest.Start(t, resttest.Options{Dir: filepath.Join(dir, "state"), Brokers: brokers})
	startPipeline(t, w, in, out)
	resttest.WaitLines(t, out, 500)
	w.Stop()

	resttest.AppendLines(t, in, 500, 800)
	w2 := resttest.Start(t, resttest.Options{Dir: filepath.Join(dir, "state"), Brokers: brokers})
	var names []string
	w2.Expect(t, 200, "GET", "/connectors", nil).JSON(t, &names)
	if len(names) != 2 {
		t.Fatalf("restarted worker has connectors %v, want src and sink", names)
	}
	w2.WaitState(t, "src", "RUNNING", 1)
	resttest.WaitLines(t, out, 800)
}

// TestDeadLetterQueue: a record the converter rejects goes to the DLQ with
// Connect's context headers while the other records flow.
func TestDeadLetterQueue(t *testing.T) {
	brokers := testserver.Kafka(t, 1)
	w := resttest.Start(t, resttest.Options{Brokers: brokers})
	cfg := sarama.NewConfig()
	cfg.Producer.Return.Successes = true
	p, err := sarama.NewSyncProducer(brokers, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, v := range []string{`"good-1"`, `{not json`, `"good-2"`} {
		if _, _, err := p.SendMessage(&sarama.ProducerMessage{Topic: "in", Value: sarama.StringEncoder(v)}); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "out.txt")
	w.Expect(t, 201, "POST", "/connectors", map[string]any{"name": "sink", "config": map[string]any{
		"connector.class": "FileStreamSink", "file": out, "topics": "in",
		"value.converter": "org.apache.kafka.connect.json.JsonConverter", "value.converter.schemas.enable": "false",
		"errors.tolerance": "all", "errors.deadletterqueue.topic.name": "dlq",
		"errors.deadletterqueue.topic.replication.factor": "1", "errors.deadletterqueue.context.headers.enable": "true"}})
	resttest.Eventually(t, 60*time.Second, func() string {
		b, _ := os.ReadFile(out)
		if string(b) != "good-1\ngood-2\n" {
			return fmt.Sprintf("sink file %q", b)
		}
		return ""
	})
	c, err := sarama.NewConsumer(brokers, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	pc, err := c.ConsumePartition("dlq", 0, sarama.OffsetOldest)
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	select {
	case m := <-pc.Messages():
		if string(m.Value) != "{not json" {
			t.Fatalf("DLQ value %q", m.Value)
		}
		h := map[string]string{}
		for _, rh := range m.Headers {
			h[string(rh.Key)] = string(rh.Value)
		}
		if h["__connect.errors.topic"] != "in" || h["__connect.errors.offset"] != "1" ||
			h["__connect.errors.connector.name"] != "sink" || h["__connect.errors.stage"] != "VALUE_CONVERTER" {
			t.Fatalf("DLQ headers %v", h)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("nothing in the DLQ")
	}
	w.WaitState(t, "sink", "RUNNING", 1)
}

func TestFailedTaskShowsTrace(t *testing.T) {
	plugins := append(resttest.DefaultPlugins(), resttest.FailingSource())
	w := resttest.Start(t, resttest.Options{Plugins: plugins})
	w.Expect(t, 201, "POST", "/connectors", map[string]any{"name": "f", "config": map[string]any{
		"connector.class": "FailingSource"}})
	var trace string
	resttest.Eventually(t, 30*time.Second, func() string {
		st := w.Status(t, "f")
		if st == nil || len(st["tasks"].([]any)) == 0 {
			return "no task status"
		}
		task := st["tasks"].([]any)[0].(map[string]any)
		if task["state"] != "FAILED" {
			return fmt.Sprintf("task state %v", task["state"])
		}
		trace, _ = task["trace"].(string)
		return ""
	})
	first := strings.SplitN(trace, "\n", 2)[0]
	if !strings.Contains(first, ": ") || !strings.Contains(first, "database is on fire") {
		t.Fatalf("trace first line %q does not name the error (trace %q)", first, trace)
	}
	// Restarting only failed tasks shows RESTARTING for that task.
	rs := w.Expect(t, 202, "POST", "/connectors/f/restart?includeTasks=true&onlyFailed=true", nil).Map(t)
	if rs["tasks"].([]any)[0].(map[string]any)["state"] != "RESTARTING" {
		t.Fatalf("onlyFailed restart: %v", rs)
	}
}
