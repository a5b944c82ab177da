package rest

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/wharf-project/wharf/worker/logs"
)

type serverInfo struct {
	Version        string  `json:"version"`
	Commit         string  `json:"commit"`
	KafkaClusterID *string `json:"kafka_cluster_id"`
	WharfVersion   string  `json:"wharf_version,omitempty"`
}

func (s *Server) serverInfo(w http.ResponseWriter, r *http.Request) {
	info := serverInfo{Version: Version, Commit: s.o.Commit, WharfVersion: s.o.WharfVersion}
	if id := s.h.ClusterID(); id != "" {
		info.KafkaClusterID = &id
	}
	writeJSON(w, http.StatusOK, info)
}

type workerStatus struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	starting, err := s.h.Healthy(r.Context())
	switch {
	case starting:
		writeJSON(w, http.StatusServiceUnavailable, workerStatus{"starting", "Worker is still starting up."})
	case err != nil:
		writeJSON(w, http.StatusInternalServerError, workerStatus{"unhealthy",
			"Worker was unable to handle this request and may be unable to handle other requests."})
	default:
		writeJSON(w, http.StatusOK, workerStatus{"healthy", "Worker has completed startup and is ready to handle requests."})
	}
}

func (s *Server) listLoggers(w http.ResponseWriter, r *http.Request) {
	out := map[string]loggerLevel{}
	for name, e := range s.o.Logs.Levels.All() {
		out[name] = toLoggerLevel(e)
	}
	writeJSON(w, http.StatusOK, out)
}

func toLoggerLevel(e logs.LevelEntry) loggerLevel {
	l := loggerLevel{Level: e.Level}
	if e.LastModified != 0 {
		lm := e.LastModified
		l.LastModified = &lm
	}
	return l
}

func (s *Server) getLogger(w http.ResponseWriter, r *http.Request) {
	name := mux.Vars(r)["logger"]
	e, ok := s.o.Logs.Levels.Get(name)
	if !ok {
		writeError(w, &httpError{http.StatusNotFound, fmt.Sprintf("Logger %s not found.", name)})
		return
	}
	writeJSON(w, http.StatusOK, toLoggerLevel(e))
}

func (s *Server) setLogger(w http.ResponseWriter, r *http.Request) {
	props, err := readConfig(r)
	if err != nil {
		writeError(w, err)
		return
	}
	level, ok := props["level"]
	if !ok || strings.TrimSpace(level) == "" {
		writeError(w, badRequest("Desired 'level' parameter was not specified in request."))
		return
	}
	affected, err := s.o.Logs.Levels.Set(mux.Vars(r)["logger"], level)
	if err != nil {
		writeError(w, badRequest(err.Error()+"."))
		return
	}
	s.o.Log.Info("logger level changed", "logger", mux.Vars(r)["logger"], "level", strings.ToUpper(level))
	if strings.EqualFold(r.URL.Query().Get("scope"), "cluster") {
		// A single worker is the whole cluster in standalone mode.
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusOK, affected)
}

// logFiles lists the worker's log files as plain text, like fast-data-dev's
// /logs/ directory listing.
func (s *Server) logFiles(w http.ResponseWriter, r *http.Request) {
	entries, err := os.ReadDir(s.o.LogDir)
	if err != nil {
		writeError(w, fmt.Errorf("list log directory: %w", err))
		return
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	for _, n := range names {
		fmt.Fprintln(w, n)
	}
}

func (s *Server) logFile(w http.ResponseWriter, r *http.Request) {
	name := mux.Vars(r)["file"]
	if name != filepath.Base(name) || strings.HasPrefix(name, ".") {
		writeError(w, &httpError{http.StatusNotFound, "HTTP 404 Not Found"})
		return
	}
	path := filepath.Join(s.o.LogDir, name)
	if _, err := os.Stat(path); err != nil {
		writeError(w, &httpError{http.StatusNotFound, "HTTP 404 Not Found"})
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	http.ServeFile(w, r, path)
}

// connectorLogs returns recent log lines of a connector (?task=N for one
// task, ?lines=N to limit, ?level=WARN to filter) as JSON.
func (s *Server) connectorLogs(w http.ResponseWriter, r *http.Request) {
	name := pathName(r)
	if _, err := s.h.ConnectorInfo(name); err != nil {
		writeError(w, err)
		return
	}
	task := -1
	if v := r.URL.Query().Get("task"); v != "" {
		t, err := strconv.Atoi(v)
		if err != nil {
			writeError(w, badRequest("task must be a number"))
			return
		}
		task = t
	}
	n, _ := strconv.Atoi(r.URL.Query().Get("lines"))
	lines := s.o.Logs.Tail(name, task, 0)
	if lvl := r.URL.Query().Get("level"); lvl != "" {
		min, err := logs.ParseLevel(lvl)
		if err != nil {
			writeError(w, badRequest(err.Error()))
			return
		}
		kept := lines[:0:0]
		for _, l := range lines {
			if lv, _ := logs.ParseLevel(l.Level); lv >= min {
				kept = append(kept, l)
			}
		}
		lines = kept
	}
	if n > 0 && len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	if lines == nil {
		lines = []logs.Line{}
	}
	writeJSON(w, http.StatusOK, lines)
}
