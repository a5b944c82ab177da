package schemaregistry

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/wharf-project/wharf/connector/testserver"
	"github.com/wharf-project/wharf/worker/kafka"
)

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func newKafkaClient(t *testing.T, addrs []string) sarama.Client {
	t.Helper()
	cfg, err := kafka.SaramaConfig(nil, kafka.RoleWorker)
	if err != nil {
		t.Fatal(err)
	}
	c, err := sarama.NewClient(addrs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// startRegistry starts a registry on topic of the cluster at addrs and
// serves it over HTTP on a loopback port.
func startRegistry(t *testing.T, addrs []string, topic string) (*Server, *httptest.Server) {
	t.Helper()
	srv, err := NewServer(ServerOptions{Client: newKafkaClient(t, addrs), Topic: topic})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Stop() })
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return srv, hs
}

func newRegistry(t *testing.T) (*Server, *httptest.Server) {
	return startRegistry(t, testserver.Kafka(t, 1), DefaultTopic)
}

// call sends a JSON request and returns the status and the body.
func call(t *testing.T, hs *httptest.Server, method, path string, body any) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, hs.URL+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", ContentType)
	}
	resp, err := hs.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

// expect checks a call's status and exact body.
func expect(t *testing.T, hs *httptest.Server, method, path string, body any, status int, want string) {
	t.Helper()
	code, got := call(t, hs, method, path, body)
	if code != status || got != want {
		t.Errorf("%s %s: got %d %s\nwant %d %s", method, path, code, got, status, want)
	}
}

func schemaBody(s string) map[string]string { return map[string]string{"schema": s} }

func httptestServer(t *testing.T, h http.Handler) string {
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s.URL
}

// produceFile writes key<TAB>value lines ("<null>" = tombstone, "#" comment)
// to topic, as another registry would have.
func produceFile(t *testing.T, addrs []string, topic, path string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := kafka.SaramaConfig(nil, kafka.RoleAdmin)
	admin, err := sarama.NewClusterAdmin(addrs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if err := kafka.EnsureTopic(context.Background(), admin, topic, 1, 1, map[string]string{"cleanup.policy": "compact"}); err != nil {
		t.Fatal(err)
	}
	pcfg, _ := kafka.SaramaConfig(nil, kafka.RoleProducer)
	p, err := sarama.NewSyncProducer(addrs, pcfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, line := range strings.Split(string(raw), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, _ := strings.Cut(line, "\t")
		m := &sarama.ProducerMessage{Topic: topic, Key: sarama.StringEncoder(k)}
		if v != "<null>" {
			m.Value = sarama.StringEncoder(v)
		}
		if _, _, err := p.SendMessage(m); err != nil {
			t.Fatal(err)
		}
	}
}
