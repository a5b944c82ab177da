// Package ui is Wharf's operator UI: hand-written HTML, CSS and JavaScript
// modules embedded in the binary, so building Wharf needs no Node toolchain
// and the UI works offline. The pages talk only to the worker's own REST API
// (Connect's endpoints and the /wharf/… ones), same-origin.
package ui

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed assets
var assets embed.FS

// Handler serves the assets; mount it under /ui/ with the prefix stripped.
// Responses are revalidated on every load (no-cache) so a worker upgrade is
// never hidden behind a stale module.
func Handler() http.Handler {
	sub, err := fs.Sub(assets, "assets")
	if err != nil {
		panic(err) // the embedded tree always has assets/
	}
	files := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") { // no directory listings
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; connect-src 'self'")
		files.ServeHTTP(w, r)
	})
}
