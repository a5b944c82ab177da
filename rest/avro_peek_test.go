package rest_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/wharf-project/wharf/connector/testserver"
	"github.com/wharf-project/wharf/rest/resttest"
	"github.com/wharf-project/wharf/worker/schemaregistry"
)

// TestTopicPeekDecodesAvro: with fast-data-dev's converter setup (Avro and
// a Schema Registry), records a connector wrote are shown decoded.
func TestTopicPeekDecodesAvro(t *testing.T) {
	brokers := testserver.Kafka(t, 1)
	client, err := sarama.NewClient(brokers, sarama.NewConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	reg, err := schemaregistry.NewServer(schemaregistry.ServerOptions{Client: client})
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer reg.Stop()
	hs := httptest.NewServer(reg.Handler())
	defer hs.Close()

	w := resttest.Start(t, resttest.Options{Brokers: brokers, Props: map[string]string{
		"key.converter":                       "io.confluent.connect.avro.AvroConverter",
		"value.converter":                     "io.confluent.connect.avro.AvroConverter",
		"key.converter.schema.registry.url":   hs.URL,
		"value.converter.schema.registry.url": hs.URL,
	}})
	in := filepath.Join(t.TempDir(), "in.txt")
	if err := os.WriteFile(in, []byte("hello avro\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	w.Expect(t, 201, "POST", "/connectors", map[string]any{"name": "src", "config": map[string]any{
		"connector.class": "FileStreamSource", "file": in, "topic": "avro-lines"}})
	resttest.Eventually(t, 30*time.Second, func() string {
		r := w.Do(t, "GET", "/wharf/topics/avro-lines/records?limit=5", nil)
		if r.Status != 200 {
			return string(r.Body)
		}
		var peek struct {
			ValueConverter string `json:"value_converter"`
			Records        []struct {
				Value      json.RawMessage
				ValueError string `json:"value_error"`
			}
		}
		r.JSON(t, &peek)
		if len(peek.Records) != 1 {
			return "no record yet"
		}
		if string(peek.Records[0].Value) != `"hello avro"` || peek.Records[0].ValueError != "" {
			return "record shown as " + string(peek.Records[0].Value) + " " + peek.Records[0].ValueError
		}
		if peek.ValueConverter != "io.confluent.connect.avro.AvroConverter" {
			return "value converter " + peek.ValueConverter
		}
		return ""
	})
}
