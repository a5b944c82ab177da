package rest

import (
	"net/http"
	"strings"
)

// home answers GET /: browsers asking for HTML are sent to the UI, API
// clients (Accept: application/json, */*, none) get Connect's server info.
func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	if wantsHTML(r) {
		http.Redirect(w, r, "/ui/", http.StatusFound)
		return
	}
	s.serverInfo(w, r)
}

// wantsHTML reports whether the client names text/html explicitly: browsers
// do on navigation, curl and Connect clients never do.
func wantsHTML(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(mt), "text/html") {
			continue
		}
		q := strings.ReplaceAll(params, " ", "")
		return !strings.Contains(q, "q=0") || strings.Contains(q, "q=0.")
	}
	return false
}

func (s *Server) uiRedirect(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/ui/", http.StatusMovedPermanently)
}
