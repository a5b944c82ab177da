package rest_test

import (
	"testing"

	"github.com/wharf-project/wharf/rest/resttest"
)

// fileSource returns a create request for a FileStreamSource on a new file.

func TestRootAndHealth(t *testing.T) {
	w := resttest.Start(t, resttest.Options{})
	root := w.Expect(t, 200, "GET", "/", nil).Map(t)
	if v, _ := root["version"].(string); v == "" {
		t.Fatalf("version missing: %v", root)
	}
	if _, ok := root["commit"].(string); !ok {
		t.Fatalf("commit missing: %v", root)
	}
	if _, ok := root["kafka_cluster_id"]; !ok {
		t.Fatalf("kafka_cluster_id missing: %v", root)
	}
	h := w.Expect(t, 200, "GET", "/health", nil).Map(t)
	if h["status"] != "healthy" {
		t.Fatalf("health %v", h)
	}
}

// TestChecklist runs the whole Connect checklist against an in-process
// worker; cmd/wharf runs it against the binary.
func TestChecklist(t *testing.T) {
	w := resttest.Start(t, resttest.Options{})
	resttest.Checklist(t, w.Client)
}
