// Package resttest starts a whole Wharf worker on loopback (registry,
// stores in a temporary directory, a real Kafka broker, REST on
// 127.0.0.1:0) and gives tests a small client for the Connect REST API with
// deadline-bound "eventually" helpers. REST behaviour is tested through it,
// never through handler fakes.
package resttest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Client calls a worker's REST API.
type Client struct {
	Base string
	HTTP *http.Client
}

// Response is a decoded answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v and fails the test on error.
func (r Response) JSON(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		tb.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Map decodes a JSON object body.
func (r Response) Map(tb testing.TB) map[string]any {
	tb.Helper()
	var m map[string]any
	r.JSON(tb, &m)
	return m
}

// Do sends a request; body may be nil, a string (sent as is) or any value
// (JSON-encoded). JSON bodies carry Content-Type: application/json.
func (c *Client) Do(tb testing.TB, method, path string, body any) Response {
	tb.Helper()
	return c.DoType(tb, method, path, body, "application/json")
}

// DoType is Do with an explicit Content-Type ("" sends none).
func (c *Client) DoType(tb testing.TB, method, path string, body any, contentType string) Response {
	tb.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		enc, err := json.Marshal(b)
		if err != nil {
			tb.Fatal(err)
		}
		rd = bytes.NewReader(enc)
	}
	req, err := http.NewRequest(method, c.Base+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if rd != nil && contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 2 * time.Minute}
	}
	resp, err := hc.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// Expect checks the status and returns the response.
func (c *Client) Expect(tb testing.TB, status int, method, path string, body any) Response {
	tb.Helper()
	r := c.Do(tb, method, path, body)
	if r.Status != status {
		tb.Fatalf("%s %s: status %d, want %d; body %s", method, path, r.Status, status, r.Body)
	}
	return r
}

// ExpectError checks a Connect error answer: status, error_code equal to it
// and a message containing want.
func (c *Client) ExpectError(tb testing.TB, status int, want, method, path string, body any) Response {
	tb.Helper()
	r := c.Expect(tb, status, method, path, body)
	CheckError(tb, r, status, want)
	return r
}

// CheckError verifies the {"error_code","message"} shape of r.
func CheckError(tb testing.TB, r Response, status int, want string) {
	tb.Helper()
	var e map[string]any
	if err := json.Unmarshal(r.Body, &e); err != nil {
		tb.Fatalf("error body is not JSON: %s", r.Body)
	}
	if len(e) != 2 {
		tb.Fatalf("error body must have exactly error_code and message: %s", r.Body)
	}
	if code, _ := e["error_code"].(float64); int(code) != status {
		tb.Fatalf("error_code %v, want %d: %s", e["error_code"], status, r.Body)
	}
	msg, _ := e["message"].(string)
	if !strings.Contains(msg, want) {
		tb.Fatalf("message %q does not contain %q", msg, want)
	}
}

// Eventually polls cond until it returns "" or the deadline passes, then
// fails with the last reason.
func Eventually(tb testing.TB, timeout time.Duration, cond func() string) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	var last string
	for time.Now().Before(deadline) {
		if last = cond(); last == "" {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	tb.Fatalf("condition not met within %v: %s", timeout, last)
}

// Status returns the decoded status of a connector (nil when 404).
func (c *Client) Status(tb testing.TB, name string) map[string]any {
	tb.Helper()
	r := c.Do(tb, "GET", "/connectors/"+name+"/status", nil)
	if r.Status == http.StatusNotFound {
		return nil
	}
	if r.Status != http.StatusOK {
		tb.Fatalf("status of %s: %d %s", name, r.Status, r.Body)
	}
	return r.Map(tb)
}

// WaitState waits until the connector and each of wantTasks tasks have state
// (wantTasks < 0: any number of tasks, all in state).
func (c *Client) WaitState(tb testing.TB, name, state string, wantTasks int) map[string]any {
	tb.Helper()
	var st map[string]any
	Eventually(tb, 60*time.Second, func() string {
		st = c.Status(tb, name)
		if st == nil {
			return "no status yet"
		}
		conn := st["connector"].(map[string]any)
		if conn["state"] != state {
			return fmt.Sprintf("connector state %v (trace %v)", conn["state"], conn["trace"])
		}
		tasks := st["tasks"].([]any)
		if wantTasks >= 0 && len(tasks) != wantTasks {
			return fmt.Sprintf("%d tasks, want %d", len(tasks), wantTasks)
		}
		for _, t := range tasks {
			if s := t.(map[string]any)["state"]; s != state {
				return fmt.Sprintf("task state %v (trace %v)", s, t.(map[string]any)["trace"])
			}
		}
		return ""
	})
	return st
}
