package main

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/wharf-project/wharf/rest/resttest"
)

var registryRe = regexp.MustCompile(`embedded Schema Registry started url=(http://[0-9.:]+)`)

// TestAvroWithEmbeddedSchemaRegistry runs fast-data-dev's default setup:
// AvroConverter for keys and values against the worker's own registry.
func TestAvroWithEmbeddedSchemaRegistry(t *testing.T) {
	dir := t.TempDir()
	props := map[string]string{"listeners": "http://127.0.0.1:0", "offset.flush.interval.ms": "500",
		"wharf.schema.registry.enable": "true", "wharf.schema.registry.listener": "http://127.0.0.1:0",
		"key.converter":   "io.confluent.connect.avro.AvroConverter",
		"value.converter": "io.confluent.connect.avro.AvroConverter"}
	p := startWharf(t, "standalone", props, filepath.Join(dir, "data"))
	m := registryRe.FindStringSubmatch(p.output())
	if m == nil {
		t.Fatalf("no registry URL in the log:\n%s", p.output())
	}
	registry := m[1]
	_, out := roundTrip(t, p.client(), dir, 50)
	resttest.WaitLines(t, out, 50)

	resp, err := http.Get(registry + "/subjects")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var subjects []string
	if err := json.NewDecoder(resp.Body).Decode(&subjects); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range subjects {
		found = found || s == "lines-value"
	}
	if !found {
		t.Fatalf("subjects %v lack lines-value", subjects)
	}
	// The registry outlives a restart: its schemas are in the _schemas topic.
	p.stop(t, syscall.SIGTERM)
	p2 := startWharf(t, "standalone", props, filepath.Join(dir, "data"))
	reg2 := registryRe.FindStringSubmatch(p2.output())[1]
	resttest.Eventually(t, 10*time.Second, func() string {
		r, err := http.Get(reg2 + "/subjects/lines-value/versions/latest")
		if err != nil {
			return err.Error()
		}
		r.Body.Close()
		if r.StatusCode != 200 {
			return r.Status
		}
		return ""
	})
}
