package rest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/wharf-project/wharf/rest/resttest"
)

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
