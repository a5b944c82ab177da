// Package e2e drives Wharf's operator UI in real headless Chromium
// (Debian's /usr/bin/chromium through npm playwright-core) against a whole
// worker started by rest/resttest. Missing tools fail the test with the
// command that installs them; they are never a skip.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/wharf-project/wharf/connector/s3"
	"github.com/wharf-project/wharf/connector/testserver"
	"github.com/wharf-project/wharf/rest/resttest"
)

const (
	chromium          = "/usr/bin/chromium"
	playwrightVersion = "1.65.1"
)

func playwrightInstall() string {
	return "npm install --prefix " + testserver.NodeDir() + " playwright-core@" + playwrightVersion +
		" (or scripts/install-tools.sh)"
}

// TestOperatorUI: list, create through the form and through JSON, pause,
// a failing connector's trace, live logs, topic peek and landed S3 objects,
// each checked in the browser. WHARF_UI_SCREENSHOTS=dir keeps the
// screenshots (docs/screenshots is made that way).
func TestOperatorUI(t *testing.T) {
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("%s missing: install it with: apt-get install -y chromium (or scripts/install-tools.sh)", chromium)
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatalf("node missing: install it with: apt-get install -y nodejs npm")
	}
	modules := filepath.Join(testserver.NodeDir(), "node_modules")
	if _, err := os.Stat(filepath.Join(modules, "playwright-core", "package.json")); err != nil {
		t.Fatalf("playwright-core missing in %s: install it with: %s", modules, playwrightInstall())
	}

	dir := t.TempDir()
	minio := testserver.MinIO(t)
	minio.CreateBucket(t, "landing")
	brokers := testserver.Kafka(t, 1)
	logFile, err := os.Create(filepath.Join(dir, "connect-standalone.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	plugins := append(resttest.DefaultPlugins(), s3.Plugin(), resttest.FailingSource())
	w := resttest.Start(t, resttest.Options{Dir: dir, Brokers: brokers, Plugins: plugins, Log: logFile})

	in := filepath.Join(t.TempDir(), "in.txt")
	var lines strings.Builder
	for i := range 300 {
		fmt.Fprintf(&lines, "line-%05d\n", i)
	}
	if err := os.WriteFile(in, []byte(lines.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	w.Expect(t, 201, "POST", "/connectors", map[string]any{"name": "lines-src", "config": map[string]any{
		"connector.class": "FileStreamSource", "file": in, "topic": "lines"}})
	w.Expect(t, 201, "POST", "/connectors", map[string]any{"name": "broken", "config": map[string]any{
		"connector.class": "FailingSource"}})
	w.Expect(t, 201, "POST", "/connectors", map[string]any{"name": "s3-landing", "config": map[string]any{
		"connector.class": "io.confluent.connect.s3.S3SinkConnector", "topics": "lines", "s3.bucket.name": "landing",
		"s3.region": minio.Region, "store.url": minio.Endpoint, "aws.access.key.id": minio.AccessKey,
		"aws.secret.access.key": minio.SecretKey, "format.class": "io.confluent.connect.s3.format.json.JsonFormat",
		"flush.size": "100"}})
	w.WaitState(t, "lines-src", "RUNNING", 1)
	resttest.Eventually(t, 60*time.Second, func() string {
		if n := len(minio.Keys(t, "landing", "topics/")); n < 3 {
			return fmt.Sprintf("%d objects landed", n)
		}
		return ""
	})

	produceOrders(t, brokers)

	_, self, _, _ := runtime.Caller(0)
	shots := os.Getenv("WHARF_UI_SCREENSHOTS")
	switch {
	case shots == "":
		shots = t.TempDir()
	case !filepath.IsAbs(shots): // relative to the repository root
		shots = filepath.Join(filepath.Dir(self), "..", "..", "..", shots)
	}
	script := filepath.Join(filepath.Dir(self), "ui.cjs")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", script)
	// The browser script creates (and deletes) a Parquet sink of the orders
	// topic in its landed-data step, so the connector list checks before it
	// see the three connectors above.
	parquetSink, err := json.Marshal(map[string]any{"name": "s3-parquet", "config": map[string]any{
		"connector.class": "io.confluent.connect.s3.S3SinkConnector", "topics": "orders", "s3.bucket.name": "landing",
		"topics.dir": "parquet", "s3.region": minio.Region, "store.url": minio.Endpoint, "aws.access.key.id": minio.AccessKey,
		"aws.secret.access.key": minio.SecretKey, "format.class": "io.confluent.connect.s3.format.parquet.ParquetFormat",
		"flush.size": "5", "key.converter": "org.apache.kafka.connect.storage.StringConverter",
		"value.converter": "org.apache.kafka.connect.json.JsonConverter"}})
	if err != nil {
		t.Fatal(err)
	}
	cmd.Env = append(os.Environ(), "WHARF_URL="+w.Base, "WHARF_S3_PARQUET="+string(parquetSink), "WHARF_NODE_MODULES="+modules, "WHARF_CHROMIUM="+chromium,
		"WHARF_SCREENSHOTS="+shots, "WHARF_TMP="+t.TempDir(), "WHARF_SINK_FILE="+filepath.Join(t.TempDir(), "form-sink.txt"),
		"WHARF_JSON_FILE="+in)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	t.Logf("browser script output:\n%s", out.String())
	if err != nil {
		t.Fatalf("UI end-to-end script failed: %v", err)
	}

	// What the browser did is visible through the API too.
	w.WaitState(t, "form-sink", "RUNNING", 1)
	cfg := w.Expect(t, 200, "GET", "/connectors/json-src/config", nil).Map(t)
	if cfg["topic"] != "json-lines-2" || cfg["db.password"] != "hunter2" {
		t.Fatalf("json-src config %v", cfg)
	}
	w.WaitState(t, "json-src", "PAUSED", 1)
	for _, png := range []string{"connectors", "create-form", "create-json", "connector", "failed", "config", "logs", "topics", "topic-peek", "landed", "worker-logs"} {
		if st, err := os.Stat(filepath.Join(shots, "ui-"+png+".png")); err != nil || st.Size() < 5000 {
			t.Fatalf("screenshot %s: %v", png, err)
		}
	}
}

// produceOrders writes records with keys, headers and struct values in the
// JsonConverter envelope, as a Debezium-style source would.
func produceOrders(t *testing.T, brokers []string) {
	t.Helper()
	cfg := sarama.NewConfig()
	cfg.Producer.Return.Successes = true
	p, err := sarama.NewSyncProducer(brokers, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	const schema = `{"type":"struct","optional":false,"name":"shop.orders.Value","fields":[` +
		`{"field":"id","type":"int32","optional":false},{"field":"city","type":"string","optional":true},` +
		`{"field":"total","type":"double","optional":true},{"field":"paid","type":"boolean","optional":false}]}`
	cities := []string{"Lyon", "Porto", "Gdańsk", "Turku", "Bari"}
	for i, c := range cities {
		key := fmt.Sprintf(`{"schema":{"type":"string","optional":false},"payload":"order-%d"}`, i)
		val := fmt.Sprintf(`{"schema":%s,"payload":{"id":%d,"city":%q,"total":%d.5,"paid":%t}}`, schema, i, c, 10*(i+1), i%2 == 0)
		_, _, err := p.SendMessage(&sarama.ProducerMessage{Topic: "orders", Key: sarama.StringEncoder(key),
			Value: sarama.StringEncoder(val), Headers: []sarama.RecordHeader{
				{Key: []byte("trace-id"), Value: []byte(fmt.Sprintf("t-%04d", i))},
				{Key: []byte("source"), Value: []byte("checkout")}}})
		if err != nil {
			t.Fatal(err)
		}
	}
}
