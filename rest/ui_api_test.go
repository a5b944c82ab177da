package rest_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/wharf-project/wharf/connector/testserver"
	"github.com/wharf-project/wharf/rest/resttest"
)

// rawGet sends a GET with an Accept header and does not follow redirects.
func rawGet(t *testing.T, url, accept string) *http.Response {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	c := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestUIRootRedirectAndAssets(t *testing.T) {
	w := resttest.Start(t, resttest.Options{})
	browser := "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
	if r := rawGet(t, w.Base+"/", browser); r.StatusCode != http.StatusFound || r.Header.Get("Location") != "/ui/" {
		t.Fatalf("browser GET /: %d Location %q, want 302 to /ui/", r.StatusCode, r.Header.Get("Location"))
	}
	for _, accept := range []string{"application/json", "*/*", "", "text/html;q=0"} {
		r := rawGet(t, w.Base+"/", accept)
		var info map[string]any
		if r.StatusCode != http.StatusOK || json.NewDecoder(r.Body).Decode(&info) != nil || info["version"] != "3.9.0" {
			t.Fatalf("GET / with Accept %q: %d %v, want the server info JSON", accept, r.StatusCode, info)
		}
	}
	if r := rawGet(t, w.Base+"/ui", ""); r.StatusCode != http.StatusMovedPermanently || r.Header.Get("Location") != "/ui/" {
		t.Fatalf("GET /ui: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	r := rawGet(t, w.Base+"/ui/", browser)
	var page strings.Builder
	bufio.NewReader(r.Body).WriteTo(&page)
	if r.StatusCode != 200 || !strings.Contains(page.String(), `<script type="module" src="js/app.js">`) {
		t.Fatalf("GET /ui/: %d %s", r.StatusCode, page.String())
	}
	for _, asset := range []string{"js/app.js", "js/connector.js", "js/create.js", "js/topics.js", "js/logs.js", "app.css"} {
		r := rawGet(t, w.Base+"/ui/"+asset, "")
		ct := r.Header.Get("Content-Type")
		if r.StatusCode != 200 || !(strings.HasPrefix(ct, "text/javascript") || strings.HasPrefix(ct, "text/css")) {
			t.Fatalf("GET /ui/%s: %d %s", asset, r.StatusCode, ct)
		}
	}
	for _, missing := range []string{"/ui/js/missing.js", "/ui/js/"} {
		if r := rawGet(t, w.Base+missing, ""); r.StatusCode != 404 {
			t.Fatalf("GET %s: %d, want 404", missing, r.StatusCode)
		}
	}
}

func produce(t *testing.T, brokers []string, msgs ...*sarama.ProducerMessage) {
	t.Helper()
	cfg := sarama.NewConfig()
	cfg.Producer.Return.Successes = true
	p, err := sarama.NewSyncProducer(brokers, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, m := range msgs {
		if _, _, err := p.SendMessage(m); err != nil {
			t.Fatal(err)
		}
	}
}

func TestTopicsListAndPeek(t *testing.T) {
	brokers := testserver.Kafka(t, 1)
	w := resttest.Start(t, resttest.Options{Brokers: brokers})
	produce(t, brokers,
		&sarama.ProducerMessage{Topic: "orders",
			Key:     sarama.StringEncoder(`{"schema":{"type":"string","optional":false},"payload":"k1"}`),
			Value:   sarama.StringEncoder(`{"schema":{"type":"struct","optional":false,"fields":[{"field":"id","type":"int32","optional":false},{"field":"city","type":"string","optional":true}]},"payload":{"id":7,"city":"Lyon"}}`),
			Headers: []sarama.RecordHeader{{Key: []byte("trace-id"), Value: []byte("abc")}}},
		&sarama.ProducerMessage{Topic: "orders", Value: sarama.StringEncoder("not json")})

	var topics []struct {
		Name       string
		Records    int64
		Partitions []struct {
			Partition int32
			EndOffset int64 `json:"end_offset"`
		}
	}
	w.Expect(t, 200, "GET", "/wharf/topics", nil).JSON(t, &topics)
	found := false
	for _, tp := range topics {
		if tp.Name == "orders" {
			found = true
			if tp.Records != 2 || len(tp.Partitions) != 1 || tp.Partitions[0].EndOffset != 2 {
				t.Fatalf("orders topic: %+v", tp)
			}
		}
	}
	if !found {
		t.Fatalf("orders missing from %+v", topics)
	}

	var peek struct {
		ValueConverter string `json:"value_converter"`
		Records        []struct {
			Offset     int64
			Timestamp  int64
			Key        json.RawMessage
			Value      json.RawMessage
			ValueError string  `json:"value_error"`
			ValueRaw   *string `json:"value_raw"`
			Headers    []struct {
				Key   string
				Value json.RawMessage
			}
		}
	}
	w.Expect(t, 200, "GET", "/wharf/topics/orders/records?limit=10", nil).JSON(t, &peek)
	if peek.ValueConverter != "org.apache.kafka.connect.json.JsonConverter" || len(peek.Records) != 2 {
		t.Fatalf("peek: %+v", peek)
	}
	r0, r1 := peek.Records[0], peek.Records[1]
	if string(r0.Key) != `"k1"` || string(r0.Value) != `{"id":7,"city":"Lyon"}` || r0.Timestamp == 0 {
		t.Fatalf("decoded record: key %s value %s ts %d", r0.Key, r0.Value, r0.Timestamp)
	}
	if len(r0.Headers) != 1 || r0.Headers[0].Key != "trace-id" || string(r0.Headers[0].Value) != `"abc"` {
		t.Fatalf("headers: %+v", r0.Headers)
	}
	if r1.Offset != 1 || string(r1.Value) != "null" || r1.ValueError == "" || r1.ValueRaw == nil || *r1.ValueRaw != "not json" {
		t.Fatalf("undecodable record: %+v", r1)
	}
	w.Expect(t, 200, "GET", "/wharf/topics/orders/records?limit=1", nil).JSON(t, &peek)
	if len(peek.Records) != 1 || peek.Records[0].Offset != 1 {
		t.Fatalf("limit=1 gave %+v", peek.Records)
	}

	w.ExpectError(t, 404, "Topic no-such-topic not found", "GET", "/wharf/topics/no-such-topic/records", nil)
	w.Expect(t, 200, "GET", "/wharf/topics", nil).JSON(t, &topics)
	for _, tp := range topics {
		if tp.Name == "no-such-topic" {
			t.Fatal("peeking an unknown topic created it")
		}
	}
	w.ExpectError(t, 400, "limit must be a number from 1 to 500", "GET", "/wharf/topics/orders/records?limit=0", nil)
	w.ExpectError(t, 404, "not found", "GET", "/wharf/topics/orders/records?connector=ghost", nil)
}

// TestTopicPeekWithConnectorConverters decodes with the converters a
// connector overrides (?connector=).
func TestTopicPeekWithConnectorConverters(t *testing.T) {
	brokers := testserver.Kafka(t, 1)
	w := resttest.Start(t, resttest.Options{Brokers: brokers})
	produce(t, brokers, &sarama.ProducerMessage{Topic: "plain", Value: sarama.StringEncoder(`{"a":[1,2]}`)})
	w.Expect(t, 201, "POST", "/connectors", map[string]any{"name": "sink", "config": map[string]any{
		"connector.class": "FileStreamSink", "file": filepath.Join(t.TempDir(), "out.txt"), "topics": "plain",
		"value.converter": "org.apache.kafka.connect.storage.StringConverter"}})
	var peek struct {
		ValueConverter string `json:"value_converter"`
		Records        []struct{ Value json.RawMessage }
	}
	w.Expect(t, 200, "GET", "/wharf/topics/plain/records?connector=sink", nil).JSON(t, &peek)
	if peek.ValueConverter != "org.apache.kafka.connect.storage.StringConverter" || len(peek.Records) != 1 ||
		string(peek.Records[0].Value) != `"{\"a\":[1,2]}"` {
		t.Fatalf("peek with the connector's converter: %+v (value %s)", peek, peek.Records)
	}
}

// sse reads server-sent events of a stream.
type sse struct {
	resp  *http.Response
	lines chan string
}

func openStream(t *testing.T, url string) *sse {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	s := &sse{resp: resp, lines: make(chan string, 1000)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(s.lines)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			s.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() { cancel(); resp.Body.Close(); <-done })
	return s
}

// next returns the next data payload or comment, failing after timeout.
func (s *sse) next(t *testing.T, timeout time.Duration) string {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case l, ok := <-s.lines:
			if !ok {
				t.Fatal("stream ended")
			}
			if l != "" {
				return l
			}
		case <-deadline:
			t.Fatalf("no event within %v", timeout)
		}
	}
}

// waitFor reads events until one's data contains want.
func (s *sse) waitFor(t *testing.T, want string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		l := s.next(t, time.Until(deadline))
		if data, ok := strings.CutPrefix(l, "data: "); ok && strings.Contains(data, want) {
			var m map[string]any
			if err := json.Unmarshal([]byte(data), &m); err != nil {
				t.Fatalf("event %q: %v", data, err)
			}
			return m
		}
	}
	t.Fatalf("no event containing %q", want)
	return nil
}

func TestConnectorLogStream(t *testing.T) {
	w := resttest.Start(t, resttest.Options{})
	in := filepath.Join(t.TempDir(), "in.txt")
	if err := os.WriteFile(in, []byte("a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	w.Expect(t, 201, "POST", "/connectors", map[string]any{"name": "src", "config": map[string]any{
		"connector.class": "FileStreamSource", "file": in, "topic": "t"}})
	w.WaitState(t, "src", "RUNNING", 1)

	s := openStream(t, w.Base+"/connectors/src/logs/stream")
	if ct := s.resp.Header.Get("Content-Type"); s.resp.StatusCode != 200 || ct != "text/event-stream" {
		t.Fatalf("stream: %d %s", s.resp.StatusCode, ct)
	}
	first := s.waitFor(t, "Starting file source connector") // backlog
	if first["connector"] != "src" || first["level"] != "INFO" || !strings.HasSuffix(first["text"].(string), "\n") {
		t.Fatalf("backlog line %v", first)
	}
	if l := s.next(t, 10*time.Second); l != ": streaming" {
		// more backlog lines may come first
		for l != ": streaming" {
			l = s.next(t, 10*time.Second)
		}
	}
	// A live line: restarting the connector logs its start again.
	w.Expect(t, 204, "POST", "/connectors/src/restart", nil)
	s.waitFor(t, "Starting file source connector")

	// Filters: nothing at ERROR in the backlog; a search that matches.
	errs := openStream(t, w.Base+"/connectors/src/logs/stream?level=ERROR")
	if l := errs.next(t, 10*time.Second); l != ": streaming" {
		t.Fatalf("ERROR-level stream began with %q, want no backlog", l)
	}
	q := openStream(t, w.Base+"/connectors/src/logs/stream?q=STARTING+FILE")
	q.waitFor(t, "Starting file source connector")

	// The worker stream sees every connector's lines.
	all := openStream(t, w.Base+"/wharf/logs/stream")
	if l := all.next(t, 10*time.Second); l != ": streaming" {
		t.Fatalf("worker stream began with %q", l)
	}
	w.Expect(t, 204, "POST", "/connectors/src/restart", nil)
	all.waitFor(t, `"connector":"src"`)

	w.ExpectError(t, 404, "ghost", "GET", "/connectors/ghost/logs/stream", nil)
	w.ExpectError(t, 400, "invalid log level", "GET", "/connectors/src/logs/stream?level=LOUD", nil)
	w.ExpectError(t, 400, "task must be", "GET", "/connectors/src/logs/stream?task=x", nil)
}

func TestConnectorMetricsEndpoint(t *testing.T) {
	w := resttest.Start(t, resttest.Options{})
	in := filepath.Join(t.TempDir(), "in.txt")
	resttest.AppendLines(t, in, 0, 50)
	w.Expect(t, 201, "POST", "/connectors", map[string]any{"name": "src", "config": map[string]any{
		"connector.class": "FileStreamSource", "file": in, "topic": "m"}})
	resttest.Eventually(t, 60*time.Second, func() string {
		var m struct {
			Connector string
			Time      int64
			Tasks     []struct {
				Task    int
				Polled  float64 `json:"records_polled"`
				Written float64 `json:"records_written"`
			}
		}
		w.Expect(t, 200, "GET", "/wharf/connectors/src/metrics", nil).JSON(t, &m)
		if m.Connector != "src" || m.Time == 0 || len(m.Tasks) != 1 || m.Tasks[0].Task != 0 {
			return fmt.Sprintf("metrics %+v", m)
		}
		if m.Tasks[0].Polled != 50 || m.Tasks[0].Written != 50 {
			return fmt.Sprintf("task counters %+v", m.Tasks[0])
		}
		return ""
	})
	w.ExpectError(t, 404, "ghost", "GET", "/wharf/connectors/ghost/metrics", nil)
}

// TestTopicsBrokerDown: with the broker gone, the topic endpoints answer a
// Connect-style 503 that names the cause, in bounded time.
func TestTopicsBrokerDown(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation(), kfake.DefaultNumPartitions(1))
	if err != nil {
		t.Fatal(err)
	}
	brokers := c.ListenAddrs()
	w := resttest.Start(t, resttest.Options{Brokers: brokers})
	produce(t, brokers, &sarama.ProducerMessage{Topic: "t", Value: sarama.StringEncoder(`"x"`)})
	w.Expect(t, 200, "GET", "/wharf/topics/t/records", nil)
	c.Close()
	start := time.Now()
	w.ExpectError(t, 503, "Kafka is not reachable", "GET", "/wharf/topics", nil)
	w.ExpectError(t, 503, "Kafka is not reachable", "GET", "/wharf/topics/t/records", nil)
	if d := time.Since(start); d > 40*time.Second {
		t.Fatalf("broker-down answers took %v", d)
	}
}

// TestWorkerLogStreamBacklog: the worker stream starts with the end of the
// newest log file, filtered like live lines.
func TestWorkerLogStreamBacklog(t *testing.T) {
	dir := t.TempDir()
	log := "[2026-01-01 00:00:00,000] INFO first (x)\n[2026-01-01 00:00:01,000] ERROR broke (x)\n" +
		"\tat some.Frame\n[2026-01-01 00:00:02,000] INFO last (x)\n"
	if err := os.WriteFile(filepath.Join(dir, "connect-standalone.log"), []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	w := resttest.Start(t, resttest.Options{Dir: dir})
	all := openStream(t, w.Base+"/wharf/logs/stream?backlog=2")
	if l := all.next(t, 10*time.Second); !strings.Contains(l, "some.Frame") {
		t.Fatalf("first backlog event %q, want the trace line", l)
	}
	if l := all.next(t, 10*time.Second); !strings.Contains(l, "last") {
		t.Fatalf("second backlog event %q", l)
	}
	errs := openStream(t, w.Base+"/wharf/logs/stream?level=ERROR")
	for _, want := range []string{"broke", "some.Frame", ": streaming"} {
		if l := errs.next(t, 10*time.Second); !strings.Contains(l, want) {
			t.Fatalf("ERROR backlog: %q, want %q", l, want)
		}
	}
}

// TestTaskLogStream follows one task: a failing task's ERROR line arrives
// with its task number.
func TestTaskLogStream(t *testing.T) {
	plugins := append(resttest.DefaultPlugins(), resttest.FailingSource())
	w := resttest.Start(t, resttest.Options{Plugins: plugins})
	w.Expect(t, 201, "POST", "/connectors", map[string]any{"name": "f", "config": map[string]any{
		"connector.class": "FailingSource"}})
	s := openStream(t, w.Base+"/connectors/f/logs/stream?task=0&level=ERROR")
	line := s.waitFor(t, "database is on fire")
	if line["task"] != float64(0) || line["level"] != "ERROR" || line["connector"] != "f" {
		t.Fatalf("task line %v", line)
	}
	other := openStream(t, w.Base+"/connectors/f/logs/stream?task=1")
	if l := other.next(t, 10*time.Second); l != ": streaming" {
		t.Fatalf("task 1 stream began with %q, want nothing", l)
	}
}
