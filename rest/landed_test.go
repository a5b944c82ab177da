package rest_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/wharf-project/wharf/connector/s3"
	"github.com/wharf-project/wharf/connector/testserver"
	"github.com/wharf-project/wharf/rest/resttest"
)

// TestLandedObjects runs a real S3 sink into MinIO and lists and previews
// what it wrote through the connector's own configuration, with the secret
// key given as a config provider placeholder.
func TestLandedObjects(t *testing.T) {
	minio := testserver.MinIO(t)
	minio.CreateBucket(t, "landing")
	brokers := testserver.Kafka(t, 1)
	t.Setenv("WHARF_TEST_S3_SECRET", minio.SecretKey)
	w := resttest.Start(t, resttest.Options{Brokers: brokers,
		Plugins: append(resttest.DefaultPlugins(), s3.Plugin()),
		Props: map[string]string{"config.providers": "env",
			"config.providers.env.class": "org.apache.kafka.common.config.provider.EnvVarConfigProvider"}})
	var msgs []*sarama.ProducerMessage
	for i := range 4 {
		msgs = append(msgs, &sarama.ProducerMessage{Topic: "orders", Value: sarama.StringEncoder(fmt.Sprintf(`{"id":%d,"city":"Lyon"}`, i))})
	}
	produce(t, brokers, msgs...)
	w.Expect(t, 201, "POST", "/connectors", map[string]any{"name": "s3", "config": map[string]any{
		"connector.class": "S3SinkConnector", "topics": "orders", "s3.bucket.name": "landing",
		"s3.region": minio.Region, "store.url": minio.Endpoint, "aws.access.key.id": minio.AccessKey,
		"aws.secret.access.key": "${env:WHARF_TEST_S3_SECRET}", "format.class": "io.confluent.connect.s3.format.json.JsonFormat",
		"flush.size": "2", "value.converter": "org.apache.kafka.connect.json.JsonConverter",
		"value.converter.schemas.enable": "false"}})

	type object struct {
		Key          string
		Size         int64
		LastModified int64 `json:"last_modified"`
		Records      *int64
	}
	var landed struct {
		Bucket, Prefix string
		Objects        []object
	}
	resttest.Eventually(t, 60*time.Second, func() string {
		w.Expect(t, 200, "GET", "/wharf/connectors/s3/landed", nil).JSON(t, &landed)
		if len(landed.Objects) != 2 {
			st := w.Status(t, "s3")
			return fmt.Sprintf("%d objects (status %v)", len(landed.Objects), st)
		}
		return ""
	})
	if landed.Bucket != "landing" || landed.Prefix != "topics/" {
		t.Fatalf("bucket %q prefix %q", landed.Bucket, landed.Prefix)
	}
	keys := map[string]bool{}
	for _, o := range landed.Objects {
		keys[o.Key] = true
		if o.Size == 0 || o.LastModified == 0 || o.Records == nil || *o.Records != 2 {
			t.Fatalf("object %+v (records %v, want 2)", o, o.Records)
		}
	}
	first := "topics/orders/partition=0/orders+0+0000000000.json"
	if !keys[first] || !keys["topics/orders/partition=0/orders+0+0000000002.json"] {
		t.Fatalf("keys %v", keys)
	}

	var prev struct {
		Format    string
		Lines     []string
		Records   *int64
		Truncated bool
	}
	w.Expect(t, 200, "GET", "/wharf/connectors/s3/landed/preview?key="+url.QueryEscape(first), nil).JSON(t, &prev)
	if prev.Format != "json" || len(prev.Lines) != 2 || prev.Lines[0] != `{"id":0,"city":"Lyon"}` || prev.Truncated ||
		prev.Records == nil || *prev.Records != 2 {
		t.Fatalf("preview %+v", prev)
	}
	w.Expect(t, 200, "GET", "/wharf/connectors/s3/landed/preview?lines=1&key="+url.QueryEscape(first), nil).JSON(t, &prev)
	if len(prev.Lines) != 1 || !prev.Truncated {
		t.Fatalf("preview of 1 line %+v", prev)
	}
	w.Expect(t, 200, "GET", "/wharf/connectors/s3/landed/preview?rows=1&key="+url.QueryEscape(first), nil).JSON(t, &prev)
	if len(prev.Lines) != 1 || !prev.Truncated {
		t.Fatalf("preview of rows=1 %+v", prev)
	}
	w.ExpectError(t, 400, "rows must be", "GET", "/wharf/connectors/s3/landed/preview?rows=0&key="+url.QueryEscape(first), nil)
	w.ExpectError(t, 404, "not found", "GET", "/wharf/connectors/s3/landed/preview?key=topics/orders/nope.json", nil)
	w.ExpectError(t, 400, `under "topics/"`, "GET", "/wharf/connectors/s3/landed/preview?key=elsewhere.json", nil)
	w.ExpectError(t, 400, "limit must be", "GET", "/wharf/connectors/s3/landed?limit=0", nil)
	w.Expect(t, 200, "GET", "/wharf/connectors/s3/landed?limit=1", nil).JSON(t, &landed)
	if len(landed.Objects) != 1 {
		t.Fatalf("limit=1: %+v", landed.Objects)
	}

	// Not an S3 sink, and a missing connector.
	w.Expect(t, 201, "POST", "/connectors", map[string]any{"name": "file", "config": map[string]any{
		"connector.class": "FileStreamSink", "topics": "orders", "file": t.TempDir() + "/out.txt"}})
	r := w.ExpectError(t, 400, "is not an S3 sink connector", "GET", "/wharf/connectors/file/landed", nil)
	if !strings.Contains(string(r.Body), "io.confluent.connect.s3.S3SinkConnector") {
		t.Fatalf("message does not name the class: %s", r.Body)
	}
	w.ExpectError(t, 404, "ghost", "GET", "/wharf/connectors/ghost/landed", nil)

	// A bucket the credentials cannot reach is a 502 with S3's reason.
	w.Expect(t, 200, "PUT", "/connectors/s3/config", map[string]any{
		"connector.class": "S3SinkConnector", "topics": "orders", "s3.bucket.name": "no-such-bucket",
		"s3.region": minio.Region, "store.url": minio.Endpoint, "aws.access.key.id": minio.AccessKey,
		"aws.secret.access.key": minio.SecretKey, "format.class": "io.confluent.connect.s3.format.json.JsonFormat",
		"flush.size": "2"})
	w.ExpectError(t, 502, "S3 request failed", "GET", "/wharf/connectors/s3/landed", nil)
}
