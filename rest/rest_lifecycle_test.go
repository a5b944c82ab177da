package rest_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wharf-project/wharf/rest/resttest"
)

// fileSource returns a create request for a FileStreamSource on a new file.
func fileSource(t *testing.T, name, topic string) (map[string]any, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name+".txt")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return map[string]any{"name": name, "config": map[string]any{
		"connector.class": "FileStreamSource", "tasks.max": 1, "file": path, "topic": topic}}, path
}

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

func TestConnectorLifecycle(t *testing.T) {
	w := resttest.Start(t, resttest.Options{})
	req, _ := fileSource(t, "src", "lines")

	r := w.Expect(t, 201, "POST", "/connectors", req)
	if loc := r.Header.Get("Location"); !strings.HasSuffix(loc, "/connectors/src") {
		t.Fatalf("Location %q", loc)
	}
	info := r.Map(t)
	cfg := info["config"].(map[string]any)
	if info["name"] != "src" || cfg["name"] != "src" || info["type"] != "source" || cfg["tasks.max"] != "1" {
		t.Fatalf("create answer %v", info)
	}
	if _, ok := info["tasks"].([]any); !ok {
		t.Fatalf("tasks not an array: %v", info)
	}
	// Status exists at once: no 404 window after create.
	if st := w.Status(t, "src"); st == nil {
		t.Fatal("status 404 right after create")
	}
	w.ExpectError(t, 409, "already exists", "POST", "/connectors", req)

	var names []string
	w.Expect(t, 200, "GET", "/connectors", nil).JSON(t, &names)
	if len(names) != 1 || names[0] != "src" {
		t.Fatalf("list %v", names)
	}
	st := w.WaitState(t, "src", "RUNNING", 1)
	task := st["tasks"].([]any)[0].(map[string]any)
	if _, hasTrace := task["trace"]; hasTrace {
		t.Fatalf("healthy task has a trace: %v", task)
	}
	if wid, _ := task["worker_id"].(string); !strings.Contains(wid, ":") {
		t.Fatalf("worker_id %q is not host:port", wid)
	}
	exp := w.Expect(t, 200, "GET", "/connectors?expand=status&expand=info", nil).Map(t)
	e := exp["src"].(map[string]any)
	if e["status"] == nil || e["info"] == nil {
		t.Fatalf("expand: %v", exp)
	}
	w.Expect(t, 200, "GET", "/connectors/src", nil)
	w.Expect(t, 200, "GET", "/connectors/src/config", nil)
	w.ExpectError(t, 404, "Connector nope not found", "GET", "/connectors/nope", nil)
	w.ExpectError(t, 404, "Connector nope not found", "GET", "/connectors/nope/config", nil)
	w.ExpectError(t, 404, "No status found for connector nope", "GET", "/connectors/nope/status", nil)

	// PUT config: existing → 200, new → 201, name mismatch → 400.
	newCfg := req["config"].(map[string]any)
	w.Expect(t, 200, "PUT", "/connectors/src/config", newCfg)
	other, _ := fileSource(t, "src2", "lines2")
	w.Expect(t, 201, "PUT", "/connectors/src2/config", other["config"])
	bad := map[string]any{"name": "x", "connector.class": "FileStreamSource", "topic": "t"}
	w.ExpectError(t, 400, "Connector name configuration (x) doesn't match connector name in the URL (src2)",
		"PUT", "/connectors/src2/config", bad)
	// PATCH removes a key with null.
	p := w.Expect(t, 200, "PATCH", "/connectors/src2/config", map[string]any{"batch.size": "10"}).Map(t)
	if p["config"].(map[string]any)["batch.size"] != "10" {
		t.Fatalf("patch did not set: %v", p)
	}
	p = w.Expect(t, 200, "PATCH", "/connectors/src2/config", map[string]any{"batch.size": nil}).Map(t)
	if _, still := p["config"].(map[string]any)["batch.size"]; still {
		t.Fatalf("patch did not remove: %v", p)
	}
	w.ExpectError(t, 404, "not found", "PATCH", "/connectors/nope/config", map[string]any{"a": "b"})

	// Pause, resume.
	w.Expect(t, 202, "PUT", "/connectors/src/pause", nil)
	w.WaitState(t, "src", "PAUSED", 1)
	w.Expect(t, 202, "PUT", "/connectors/src/resume", nil)
	w.WaitState(t, "src", "RUNNING", 1)
	w.ExpectError(t, 404, "Unknown connector nope", "PUT", "/connectors/nope/pause", nil)

	// Restarts.
	w.Expect(t, 204, "POST", "/connectors/src/restart", nil)
	rs := w.Expect(t, 202, "POST", "/connectors/src/restart?includeTasks=true", nil).Map(t)
	if rs["connector"].(map[string]any)["state"] != "RESTARTING" ||
		rs["tasks"].([]any)[0].(map[string]any)["state"] != "RESTARTING" {
		t.Fatalf("includeTasks answer %v", rs)
	}
	w.WaitState(t, "src", "RUNNING", 1)
	rs = w.Expect(t, 202, "POST", "/connectors/src/restart?includeTasks=true&onlyFailed=true", nil).Map(t)
	if rs["connector"].(map[string]any)["state"] == "RESTARTING" || rs["tasks"].([]any)[0].(map[string]any)["state"] == "RESTARTING" {
		t.Fatalf("onlyFailed on a healthy connector restarted something: %v", rs)
	}
	w.Expect(t, 204, "POST", "/connectors/src/tasks/0/restart", nil)
	w.ExpectError(t, 404, "src-99", "POST", "/connectors/src/tasks/99/restart", nil)
	ts := w.Expect(t, 200, "GET", "/connectors/src/tasks/0/status", nil).Map(t)
	if ts["id"] != float64(0) {
		t.Fatalf("task status %v", ts)
	}
	w.ExpectError(t, 404, "No status found for task src-99", "GET", "/connectors/src/tasks/99/status", nil)
	w.Expect(t, 404, "GET", "/connectors/src/tasks/abc/status", nil)
	var tasks []map[string]any
	w.Expect(t, 200, "GET", "/connectors/src/tasks", nil).JSON(t, &tasks)
	if len(tasks) != 1 || tasks[0]["id"].(map[string]any)["task"] != float64(0) {
		t.Fatalf("tasks %v", tasks)
	}

	// Stop: STOPPED with no tasks; resume brings it back.
	w.Expect(t, 204, "PUT", "/connectors/src/stop", nil)
	w.WaitState(t, "src", "STOPPED", 0)
	w.Expect(t, 200, "GET", "/connectors/src/tasks", nil).JSON(t, &tasks)
	if len(tasks) != 0 {
		t.Fatalf("stopped connector has tasks %v", tasks)
	}
	w.Expect(t, 202, "PUT", "/connectors/src/resume", nil)
	w.WaitState(t, "src", "RUNNING", 1)

	// Topics.
	tp := w.Expect(t, 200, "GET", "/connectors/src/topics", nil).Map(t)
	if _, ok := tp["src"].(map[string]any)["topics"].([]any); !ok {
		t.Fatalf("topics %v", tp)
	}
	w.Expect(t, 202, "PUT", "/connectors/src/topics/reset", nil)

	// Delete.
	w.Expect(t, 204, "DELETE", "/connectors/src", nil)
	w.ExpectError(t, 404, "Connector src not found", "GET", "/connectors/src", nil)
	w.ExpectError(t, 404, "Connector src not found", "DELETE", "/connectors/src", nil)
	resttest.Eventually(t, 10*time.Second, func() string {
		if w.Status(t, "src") != nil {
			return "status still there after delete"
		}
		return ""
	})
}

func TestInitialState(t *testing.T) {
	w := resttest.Start(t, resttest.Options{})
	for _, state := range []string{"PAUSED", "STOPPED"} {
		name := strings.ToLower(state)
		req, _ := fileSource(t, name, "t-"+name)
		req["initial_state"] = state
		w.Expect(t, 201, "POST", "/connectors", req)
		tasks := 1
		if state == "STOPPED" {
			tasks = 0
		}
		w.WaitState(t, name, state, tasks)
	}
	req, _ := fileSource(t, "weird", "t")
	req["initial_state"] = "SLEEPING"
	w.ExpectError(t, 400, "initial_state", "POST", "/connectors", req)
}

func TestOffsetsEndpoints(t *testing.T) {
	w := resttest.Start(t, resttest.Options{})
	req, path := fileSource(t, "src", "offs")
	if err := os.WriteFile(path, []byte("a\nb\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	w.Expect(t, 201, "POST", "/connectors", req)
	w.WaitState(t, "src", "RUNNING", 1)
	resttest.Eventually(t, 30*time.Second, func() string {
		var o struct {
			Offsets []map[string]any `json:"offsets"`
		}
		w.Expect(t, 200, "GET", "/connectors/src/offsets", nil).JSON(t, &o)
		if len(o.Offsets) != 1 {
			return fmt.Sprintf("offsets %v", o.Offsets)
		}
		if pos := o.Offsets[0]["offset"].(map[string]any)["position"]; pos != float64(4) {
			return fmt.Sprintf("position %v, want 4", pos)
		}
		return ""
	})
	stopped := "Connectors must be in the STOPPED state before their offsets can be modified"
	w.ExpectError(t, 400, stopped, "DELETE", "/connectors/src/offsets", nil)
	w.ExpectError(t, 400, stopped, "PATCH", "/connectors/src/offsets",
		map[string]any{"offsets": []any{map[string]any{"partition": map[string]any{"filename": path}, "offset": map[string]any{"position": 0}}}})
	w.Expect(t, 204, "PUT", "/connectors/src/stop", nil)
	w.WaitState(t, "src", "STOPPED", 0)
	w.ExpectError(t, 400, "Partitions / offsets need to be provided", "PATCH", "/connectors/src/offsets", map[string]any{"offsets": []any{}})
	m := w.Expect(t, 200, "PATCH", "/connectors/src/offsets",
		map[string]any{"offsets": []any{map[string]any{"partition": map[string]any{"filename": path}, "offset": map[string]any{"position": 2}}}}).Map(t)
	if !strings.Contains(m["message"].(string), "altered successfully") {
		t.Fatalf("alter message %v", m)
	}
	var o struct {
		Offsets []map[string]any `json:"offsets"`
	}
	w.Expect(t, 200, "GET", "/connectors/src/offsets", nil).JSON(t, &o)
	if len(o.Offsets) != 1 || o.Offsets[0]["offset"].(map[string]any)["position"] != float64(2) {
		t.Fatalf("after alter %v", o.Offsets)
	}
	m = w.Expect(t, 200, "DELETE", "/connectors/src/offsets", nil).Map(t)
	if !strings.Contains(m["message"].(string), "reset successfully") {
		t.Fatalf("reset message %v", m)
	}
	w.Expect(t, 200, "GET", "/connectors/src/offsets", nil).JSON(t, &o)
	if len(o.Offsets) != 0 {
		t.Fatalf("after reset %v", o.Offsets)
	}
	w.ExpectError(t, 404, "Connector nope not found", "GET", "/connectors/nope/offsets", nil)
	_ = http.StatusOK
}
