package resttest

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Checklist runs every item of the Connect REST acceptance checklist
// (connect-rest.md §9) that a worker with the FileStream plugins can show,
// against the worker at c. It is used both in-process and against the
// built binary, with an external and with the embedded broker.
func Checklist(t *testing.T, c *Client) {
	t.Helper()
	for _, step := range []struct {
		name string
		fn   func(*testing.T, *Client)
	}{
		{"lifecycle", Lifecycle}, {"initial state", InitialState}, {"offsets", Offsets},
		{"validation", Validation}, {"create errors", CreateErrors}, {"bad input", BadInput},
		{"plugins", Plugins}, {"loggers", Loggers},
	} {
		before := names(t, c)
		t.Run(step.name, func(t *testing.T) { step.fn(t, c) })
		// Leave the worker as the step found it, so the checklist can run
		// on a worker that has connectors of its own.
		for _, n := range names(t, c) {
			if !contains(before, n) {
				c.Do(t, "DELETE", "/connectors/"+n, nil)
			}
		}
	}
}

func names(t *testing.T, c *Client) []string {
	t.Helper()
	var out []string
	c.Expect(t, 200, "GET", "/connectors", nil).JSON(t, &out)
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func fileSource(t *testing.T, name, topic string) (map[string]any, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name+".txt")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return map[string]any{"name": name, "config": map[string]any{
		"connector.class": "FileStreamSource", "tasks.max": 1, "file": path, "topic": topic}}, path
}

// Lifecycle checks the Connect checklist items of its name against a worker.
func Lifecycle(t *testing.T, w *Client) {
	t.Helper()
	req, _ := fileSource(t, "chk-src", "lines")

	r := w.Expect(t, 201, "POST", "/connectors", req)
	if loc := r.Header.Get("Location"); !strings.HasSuffix(loc, "/connectors/chk-src") {
		t.Fatalf("Location %q", loc)
	}
	info := r.Map(t)
	cfg := info["config"].(map[string]any)
	if info["name"] != "chk-src" || cfg["name"] != "chk-src" || info["type"] != "source" || cfg["tasks.max"] != "1" {
		t.Fatalf("create answer %v", info)
	}
	if _, ok := info["tasks"].([]any); !ok {
		t.Fatalf("tasks not an array: %v", info)
	}
	// Status exists at once: no 404 window after create.
	if st := w.Status(t, "chk-src"); st == nil {
		t.Fatal("status 404 right after create")
	}
	w.ExpectError(t, 409, "already exists", "POST", "/connectors", req)

	var names []string
	w.Expect(t, 200, "GET", "/connectors", nil).JSON(t, &names)
	if !contains(names, "chk-src") {
		t.Fatalf("list %v", names)
	}
	st := w.WaitState(t, "chk-src", "RUNNING", 1)
	task := st["tasks"].([]any)[0].(map[string]any)
	if _, hasTrace := task["trace"]; hasTrace {
		t.Fatalf("healthy task has a trace: %v", task)
	}
	if wid, _ := task["worker_id"].(string); !strings.Contains(wid, ":") {
		t.Fatalf("worker_id %q is not host:port", wid)
	}
	exp := w.Expect(t, 200, "GET", "/connectors?expand=status&expand=info", nil).Map(t)
	e := exp["chk-src"].(map[string]any)
	if e["status"] == nil || e["info"] == nil {
		t.Fatalf("expand: %v", exp)
	}
	w.Expect(t, 200, "GET", "/connectors/chk-src", nil)
	w.Expect(t, 200, "GET", "/connectors/chk-src/config", nil)
	w.ExpectError(t, 404, "Connector nope not found", "GET", "/connectors/nope", nil)
	w.ExpectError(t, 404, "Connector nope not found", "GET", "/connectors/nope/config", nil)
	w.ExpectError(t, 404, "No status found for connector nope", "GET", "/connectors/nope/status", nil)

	// PUT config: existing → 200, new → 201, name mismatch → 400.
	newCfg := req["config"].(map[string]any)
	w.Expect(t, 200, "PUT", "/connectors/chk-src/config", newCfg)
	other, _ := fileSource(t, "chk-src2", "lines2")
	w.Expect(t, 201, "PUT", "/connectors/chk-src2/config", other["config"])
	bad := map[string]any{"name": "x", "connector.class": "FileStreamSource", "topic": "t"}
	w.ExpectError(t, 400, "Connector name configuration (x) doesn't match connector name in the URL (chk-src2)",
		"PUT", "/connectors/chk-src2/config", bad)
	// PATCH removes a key with null.
	p := w.Expect(t, 200, "PATCH", "/connectors/chk-src2/config", map[string]any{"batch.size": "10"}).Map(t)
	if p["config"].(map[string]any)["batch.size"] != "10" {
		t.Fatalf("patch did not set: %v", p)
	}
	p = w.Expect(t, 200, "PATCH", "/connectors/chk-src2/config", map[string]any{"batch.size": nil}).Map(t)
	if _, still := p["config"].(map[string]any)["batch.size"]; still {
		t.Fatalf("patch did not remove: %v", p)
	}
	w.ExpectError(t, 404, "not found", "PATCH", "/connectors/nope/config", map[string]any{"a": "b"})

	// Pause, resume.
	w.Expect(t, 202, "PUT", "/connectors/chk-src/pause", nil)
	w.WaitState(t, "chk-src", "PAUSED", 1)
	w.Expect(t, 202, "PUT", "/connectors/chk-src/resume", nil)
	w.WaitState(t, "chk-src", "RUNNING", 1)
	w.ExpectError(t, 404, "Unknown connector nope", "PUT", "/connectors/nope/pause", nil)

	// Restarts.
	w.Expect(t, 204, "POST", "/connectors/chk-src/restart", nil)
	rs := w.Expect(t, 202, "POST", "/connectors/chk-src/restart?includeTasks=true", nil).Map(t)
	if rs["connector"].(map[string]any)["state"] != "RESTARTING" ||
		rs["tasks"].([]any)[0].(map[string]any)["state"] != "RESTARTING" {
		t.Fatalf("includeTasks answer %v", rs)
	}
	w.WaitState(t, "chk-src", "RUNNING", 1)
	rs = w.Expect(t, 202, "POST", "/connectors/chk-src/restart?includeTasks=true&onlyFailed=true", nil).Map(t)
	if rs["connector"].(map[string]any)["state"] == "RESTARTING" || rs["tasks"].([]any)[0].(map[string]any)["state"] == "RESTARTING" {
		t.Fatalf("onlyFailed on a healthy connector restarted something: %v", rs)
	}
	w.Expect(t, 204, "POST", "/connectors/chk-src/tasks/0/restart", nil)
	w.ExpectError(t, 404, "chk-src-99", "POST", "/connectors/chk-src/tasks/99/restart", nil)
	ts := w.Expect(t, 200, "GET", "/connectors/chk-src/tasks/0/status", nil).Map(t)
	if ts["id"] != float64(0) {
		t.Fatalf("task status %v", ts)
	}
	w.ExpectError(t, 404, "No status found for task chk-src-99", "GET", "/connectors/chk-src/tasks/99/status", nil)
	w.Expect(t, 404, "GET", "/connectors/chk-src/tasks/abc/status", nil)
	var tasks []map[string]any
	w.Expect(t, 200, "GET", "/connectors/chk-src/tasks", nil).JSON(t, &tasks)
	if len(tasks) != 1 || tasks[0]["id"].(map[string]any)["task"] != float64(0) {
		t.Fatalf("tasks %v", tasks)
	}

	// Stop: STOPPED with no tasks; resume brings it back.
	w.Expect(t, 204, "PUT", "/connectors/chk-src/stop", nil)
	w.WaitState(t, "chk-src", "STOPPED", 0)
	w.Expect(t, 200, "GET", "/connectors/chk-src/tasks", nil).JSON(t, &tasks)
	if len(tasks) != 0 {
		t.Fatalf("stopped connector has tasks %v", tasks)
	}
	w.Expect(t, 202, "PUT", "/connectors/chk-src/resume", nil)
	w.WaitState(t, "chk-src", "RUNNING", 1)

	// Topics.
	tp := w.Expect(t, 200, "GET", "/connectors/chk-src/topics", nil).Map(t)
	if _, ok := tp["chk-src"].(map[string]any)["topics"].([]any); !ok {
		t.Fatalf("topics %v", tp)
	}
	w.Expect(t, 202, "PUT", "/connectors/chk-src/topics/reset", nil)

	// Delete.
	w.Expect(t, 204, "DELETE", "/connectors/chk-src", nil)
	w.ExpectError(t, 404, "Connector chk-src not found", "GET", "/connectors/chk-src", nil)
	w.ExpectError(t, 404, "Connector chk-src not found", "DELETE", "/connectors/chk-src", nil)
	Eventually(t, 10*time.Second, func() string {
		if w.Status(t, "chk-src") != nil {
			return "status still there after delete"
		}
		return ""
	})
}

// InitialState checks the Connect checklist items of its name against a worker.
func InitialState(t *testing.T, w *Client) {
	t.Helper()
	for _, state := range []string{"PAUSED", "STOPPED"} {
		name := "chk-" + strings.ToLower(state)
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

// Offsets checks the Connect checklist items of its name against a worker.
func Offsets(t *testing.T, w *Client) {
	t.Helper()
	req, path := fileSource(t, "chk-src", "offs")
	if err := os.WriteFile(path, []byte("a\nb\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	w.Expect(t, 201, "POST", "/connectors", req)
	w.WaitState(t, "chk-src", "RUNNING", 1)
	Eventually(t, 30*time.Second, func() string {
		var o struct {
			Offsets []map[string]any `json:"offsets"`
		}
		w.Expect(t, 200, "GET", "/connectors/chk-src/offsets", nil).JSON(t, &o)
		if len(o.Offsets) != 1 {
			return fmt.Sprintf("offsets %v", o.Offsets)
		}
		if pos := o.Offsets[0]["offset"].(map[string]any)["position"]; pos != float64(4) {
			return fmt.Sprintf("position %v, want 4", pos)
		}
		return ""
	})
	stopped := "Connectors must be in the STOPPED state before their offsets can be modified"
	w.ExpectError(t, 400, stopped, "DELETE", "/connectors/chk-src/offsets", nil)
	w.ExpectError(t, 400, stopped, "PATCH", "/connectors/chk-src/offsets",
		map[string]any{"offsets": []any{map[string]any{"partition": map[string]any{"filename": path}, "offset": map[string]any{"position": 0}}}})
	w.Expect(t, 204, "PUT", "/connectors/chk-src/stop", nil)
	w.WaitState(t, "chk-src", "STOPPED", 0)
	w.ExpectError(t, 400, "Partitions / offsets need to be provided", "PATCH", "/connectors/chk-src/offsets", map[string]any{"offsets": []any{}})
	m := w.Expect(t, 200, "PATCH", "/connectors/chk-src/offsets",
		map[string]any{"offsets": []any{map[string]any{"partition": map[string]any{"filename": path}, "offset": map[string]any{"position": 2}}}}).Map(t)
	if !strings.Contains(m["message"].(string), "altered successfully") {
		t.Fatalf("alter message %v", m)
	}
	var o struct {
		Offsets []map[string]any `json:"offsets"`
	}
	w.Expect(t, 200, "GET", "/connectors/chk-src/offsets", nil).JSON(t, &o)
	if len(o.Offsets) != 1 || o.Offsets[0]["offset"].(map[string]any)["position"] != float64(2) {
		t.Fatalf("after alter %v", o.Offsets)
	}
	m = w.Expect(t, 200, "DELETE", "/connectors/chk-src/offsets", nil).Map(t)
	if !strings.Contains(m["message"].(string), "reset successfully") {
		t.Fatalf("reset message %v", m)
	}
	w.Expect(t, 200, "GET", "/connectors/chk-src/offsets", nil).JSON(t, &o)
	if len(o.Offsets) != 0 {
		t.Fatalf("after reset %v", o.Offsets)
	}
	w.ExpectError(t, 404, "Connector nope not found", "GET", "/connectors/nope/offsets", nil)
	_ = http.StatusOK
}

// Validation checks the Connect checklist items of its name against a worker.
func Validation(t *testing.T, w *Client) {
	t.Helper()
	cls := "org.apache.kafka.connect.file.FileStreamSinkConnector"
	body := map[string]any{"connector.class": cls, "tasks.max": "1"}
	ci := w.Expect(t, 200, "PUT", "/connector-plugins/"+cls+"/config/validate", body).Map(t)
	if ci["name"] != cls {
		t.Fatalf("name %v", ci["name"])
	}
	// name missing, and "Must configure one of topics or topics.regex" on both keys.
	if ci["error_count"] != float64(3) {
		t.Fatalf("error_count %v, want 3: %v", ci["error_count"], ci)
	}
	groups := ci["groups"].([]any)
	for _, g := range []string{"Common", "Transforms", "Predicates", "Error Handling"} {
		found := false
		for _, x := range groups {
			found = found || x == g
		}
		if !found {
			t.Fatalf("group %s missing from %v", g, groups)
		}
	}
	for _, c := range ci["configs"].([]any) {
		cfg := c.(map[string]any)
		v := cfg["value"].(map[string]any)
		if _, ok := v["errors"].([]any); !ok {
			t.Fatalf("errors is not an array: %v", v)
		}
		if def, ok := cfg["definition"].(map[string]any); ok {
			if _, ok := def["order"]; !ok {
				t.Fatalf("definition without order: %v", def)
			}
		}
	}
	// Alias in the path; tasks.max as a JSON number.
	ci = w.Expect(t, 200, "PUT", "/connector-plugins/FileStreamSink/config/validate",
		map[string]any{"connector.class": "FileStreamSink", "name": "x", "topics": "a", "tasks.max": 2}).Map(t)
	if ci["error_count"] != float64(0) {
		t.Fatalf("valid config has errors: %v", ci)
	}
	w.ExpectError(t, 400, "contains no connector type", "PUT", "/connector-plugins/FileStreamSink/config/validate",
		map[string]any{"tasks.max": "1"})
	w.ExpectError(t, 400, "does not match request type", "PUT", "/connector-plugins/FileStreamSource/config/validate",
		map[string]any{"connector.class": "FileStreamSink"})
	r := w.Expect(t, 200, "PUT", "/connector-plugins/FileStreamSink/config/validate",
		map[string]any{"connector.class": "FileStreamSink", "name": "x", "topics": "a", "tasks.max": "zero"}).Map(t)
	if r["error_count"] != float64(1) {
		t.Fatalf("tasks.max=zero: %v", r)
	}
}

// CreateErrors checks the Connect checklist items of its name against a worker.
func CreateErrors(t *testing.T, w *Client) {
	t.Helper()
	w.ExpectError(t, 400, "Connector configuration is invalid and contains the following 2 error(s):\nMust configure one of topics or topics.regex\nMust configure one of topics or topics.regex\nYou can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`",
		"POST", "/connectors", map[string]any{"name": "s", "config": map[string]any{"connector.class": "FileStreamSink"}})
	w.ExpectError(t, 400, "contains no connector type", "POST", "/connectors",
		map[string]any{"name": "s", "config": map[string]any{"tasks.max": "1"}})
	r := w.Expect(t, 400, "POST", "/connectors",
		map[string]any{"name": "s", "config": map[string]any{"connector.class": "com.example.NoSuchConnector"}})
	CheckError(t, r, 400, "available connectors are:")
	if !strings.Contains(string(r.Body), "FileStreamSinkConnector") {
		t.Fatalf("unknown class message does not list classes: %s", r.Body)
	}
	// tasks.max as a JSON number is stored as "1".
	info := w.Expect(t, 201, "POST", "/connectors", map[string]any{"name": "chk-n", "config": map[string]any{
		"connector.class": "FileStreamSink", "tasks.max": 1, "topics": "x", "file": t.TempDir() + "/out"}}).Map(t)
	if info["config"].(map[string]any)["tasks.max"] != "1" {
		t.Fatalf("tasks.max %v", info["config"])
	}
}

// BadInput checks the Connect checklist items of its name against a worker.
func BadInput(t *testing.T, w *Client) {
	t.Helper()
	before := names(t, w)
	cases := []struct {
		name, method, path, contentType, want string
		body                                  any
		status                                int
	}{
		{"malformed", "POST", "/connectors", "application/json", "Malformed JSON", `{"name": "x", "config": {`, 400},
		{"not an object", "POST", "/connectors", "application/json", "", `[1,2]`, 400},
		{"config wrong type", "POST", "/connectors", "application/json", "config", `{"name":"x","config":"abc"}`, 400},
		{"nested value", "POST", "/connectors", "application/json", "file", `{"name":"x","config":{"connector.class":"FileStreamSource","file":{"a":1}}}`, 400},
		{"no config", "POST", "/connectors", "application/json", "config", `{"name":"x"}`, 400},
		{"empty body", "POST", "/connectors", "application/json", "empty", ``, 400},
		{"empty name", "POST", "/connectors", "application/json", "name", `{"name":"","config":{"connector.class":"FileStreamSource","topic":"t"}}`, 400},
		{"slash in name", "POST", "/connectors", "application/json", "'/'", `{"name":"a/b","config":{"connector.class":"FileStreamSource","topic":"t"}}`, 400},
		{"form content type", "POST", "/connectors", "application/x-www-form-urlencoded", "HTTP 415 Unsupported Media Type", `{"name":"x","config":{}}`, 415},
		{"huge body", "POST", "/connectors", "application/json", "larger than the limit", `{"name":"x","config":{"a":"` + strings.Repeat("x", 2<<20) + `"}}`, 413},
		{"put config array", "PUT", "/connectors/x/config", "application/json", "", `["a"]`, 400},
		{"validate malformed", "PUT", "/connector-plugins/FileStreamSink/config/validate", "application/json", "Malformed JSON", `{`, 400},
		{"null value", "POST", "/connectors", "application/json", "Null value can not be supplied", `{"name":"x","config":{"connector.class":"FileStreamSource","topic":null}}`, 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := w.DoType(t, tc.method, tc.path, tc.body, tc.contentType)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
			CheckError(t, r, tc.status, tc.want)
		})
	}
	// The worker is still up and has lost nothing.
	if after := names(t, w); len(after) != len(before) {
		t.Fatalf("bad input changed the connectors: %v, before %v", after, before)
	}
}

// Plugins checks the Connect checklist items of its name against a worker.
func Plugins(t *testing.T, w *Client) {
	t.Helper()
	var a, b, all []map[string]any
	w.Expect(t, 200, "GET", "/connector-plugins", nil).JSON(t, &a)
	w.Expect(t, 200, "GET", "/connector-plugins/", nil).JSON(t, &b)
	if len(a) == 0 || len(a) != len(b) {
		t.Fatalf("plugins %v vs %v", a, b)
	}
	if a[0]["type"] != "sink" {
		t.Fatalf("sinks must come first: %v", a)
	}
	w.Expect(t, 200, "GET", "/connector-plugins?connectorsOnly=false", nil).JSON(t, &all)
	if len(all) <= len(a) {
		t.Fatalf("connectorsOnly=false is not a superset: %d vs %d", len(all), len(a))
	}
	types := map[string]bool{}
	for _, p := range all {
		types[p["type"].(string)] = true
	}
	for _, ty := range []string{"sink", "source", "transformation", "predicate", "converter"} {
		if !types[ty] {
			t.Fatalf("type %s missing: %v", ty, types)
		}
	}
	var keys []map[string]any
	w.Expect(t, 200, "GET", "/connector-plugins/FileStreamSource/config", nil).JSON(t, &keys)
	if len(keys) == 0 || keys[0]["name"] != "file" {
		t.Fatalf("plugin config should start with the plugin's own keys: %v", keys)
	}
	w.ExpectError(t, 404, "Unknown plugin com.nope.X.", "GET", "/connector-plugins/com.nope.X/config", nil)
}

// Loggers checks the Connect checklist items of its name against a worker.
func Loggers(t *testing.T, w *Client) {
	t.Helper()
	all := w.Expect(t, 200, "GET", "/admin/loggers", nil).Map(t)
	if _, ok := all["root"]; !ok {
		t.Fatalf("root logger missing: %v", all)
	}
	var affected []string
	w.Expect(t, 200, "PUT", "/admin/loggers/org.apache.kafka.connect", map[string]any{"level": "DEBUG"}).JSON(t, &affected)
	if len(affected) == 0 || affected[0] != "org.apache.kafka.connect" {
		t.Fatalf("affected %v", affected)
	}
	l := w.Expect(t, 200, "GET", "/admin/loggers/org.apache.kafka.connect", nil).Map(t)
	if l["level"] != "DEBUG" || l["last_modified"] == nil {
		t.Fatalf("logger %v", l)
	}
	w.ExpectError(t, 400, "Desired 'level' parameter was not specified in request.", "PUT", "/admin/loggers/root", map[string]any{})
	w.ExpectError(t, 404, "Logger com.nope not found.", "GET", "/admin/loggers/com.nope", nil)
	w.Expect(t, 204, "PUT", "/admin/loggers/root?scope=cluster", map[string]any{"level": "INFO"})
}
