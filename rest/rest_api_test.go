package rest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/wharf-project/wharf/rest/resttest"
)

func TestValidateEndpoint(t *testing.T) {
	w := resttest.Start(t, resttest.Options{})
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

func TestCreateValidationErrors(t *testing.T) {
	w := resttest.Start(t, resttest.Options{})
	w.ExpectError(t, 400, "Connector configuration is invalid and contains the following 2 error(s):\nMust configure one of topics or topics.regex\nMust configure one of topics or topics.regex\nYou can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`",
		"POST", "/connectors", map[string]any{"name": "s", "config": map[string]any{"connector.class": "FileStreamSink"}})
	w.ExpectError(t, 400, "contains no connector type", "POST", "/connectors",
		map[string]any{"name": "s", "config": map[string]any{"tasks.max": "1"}})
	r := w.Expect(t, 400, "POST", "/connectors",
		map[string]any{"name": "s", "config": map[string]any{"connector.class": "com.example.NoSuchConnector"}})
	resttest.CheckError(t, r, 400, "available connectors are:")
	if !strings.Contains(string(r.Body), "FileStreamSinkConnector") {
		t.Fatalf("unknown class message does not list classes: %s", r.Body)
	}
	// tasks.max as a JSON number is stored as "1".
	info := w.Expect(t, 201, "POST", "/connectors", map[string]any{"name": "n", "config": map[string]any{
		"connector.class": "FileStreamSink", "tasks.max": 1, "topics": "x", "file": t.TempDir() + "/out"}}).Map(t)
	if info["config"].(map[string]any)["tasks.max"] != "1" {
		t.Fatalf("tasks.max %v", info["config"])
	}
}

func TestBadInput(t *testing.T) {
	w := resttest.Start(t, resttest.Options{})
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
			resttest.CheckError(t, r, tc.status, tc.want)
		})
	}
	// The worker is still up and has lost nothing.
	var names []string
	w.Expect(t, 200, "GET", "/connectors", nil).JSON(t, &names)
	if len(names) != 0 {
		t.Fatalf("bad input created connectors: %v", names)
	}
}

func TestPluginsEndpoints(t *testing.T) {
	w := resttest.Start(t, resttest.Options{})
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

func TestHTTPBehaviour(t *testing.T) {
	w := resttest.Start(t, resttest.Options{Props: map[string]string{
		"access.control.allow.origin": "*", "access.control.allow.methods": "GET,POST,PUT,DELETE,OPTIONS"}})
	resttest.CheckError(t, w.Expect(t, 404, "GET", "/nowhere", nil), 404, "HTTP 404 Not Found")
	resttest.CheckError(t, w.Expect(t, 405, "DELETE", "/connectors", nil), 405, "HTTP 405 Method Not Allowed")
	// Trailing slash is tolerated.
	w.Expect(t, 200, "GET", "/connectors/", nil)
	// CORS preflight.
	req, _ := http.NewRequest("OPTIONS", w.Base+"/connectors", nil)
	req.Header.Set("Origin", "http://ui.example")
	req.Header.Set("Access-Control-Request-Method", "PUT")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") == "" ||
		!strings.Contains(resp.Header.Get("Access-Control-Allow-Methods"), "PUT") {
		t.Fatalf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
}

func TestLoggers(t *testing.T) {
	w := resttest.Start(t, resttest.Options{})
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
