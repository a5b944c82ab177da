package rest

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/wharf-project/wharf/worker/logs"
)

// Live log tails as server-sent events: each event's data is one logs.Line
// as JSON. The stream starts with up to ?backlog=N (default 200) recent lines
// of the connector, then follows new lines until the client goes away.
// ?level= keeps lines at or above a level, ?q= those containing a text
// (case-insensitive), ?task=N one task.

const (
	defaultBacklog = 200
	// heartbeat keeps proxies and the browser's EventSource from timing an
	// idle stream out.
	heartbeat = 15 * time.Second
)

type lineFilter struct {
	min   slog.Level
	query string
}

func (f lineFilter) keep(l logs.Line) bool {
	if lv, err := logs.ParseLevel(l.Level); err == nil && lv < f.min {
		return false
	}
	return f.query == "" || strings.Contains(strings.ToLower(l.Text), f.query)
}

func parseLineFilter(r *http.Request) (lineFilter, int, error) {
	q := r.URL.Query()
	f := lineFilter{min: slog.LevelDebug - 8, query: strings.ToLower(strings.TrimSpace(q.Get("q")))}
	if v := q.Get("level"); v != "" {
		min, err := logs.ParseLevel(v)
		if err != nil {
			return f, 0, badRequest(err.Error())
		}
		f.min = min
	}
	backlog := defaultBacklog
	if v := q.Get("backlog"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return f, 0, badRequest("backlog must be a non-negative number")
		}
		backlog = min(n, 2000)
	}
	return f, backlog, nil
}

func (s *Server) connectorLogStream(w http.ResponseWriter, r *http.Request) {
	name := pathName(r)
	if _, err := s.h.ConnectorInfo(name); err != nil {
		writeError(w, err)
		return
	}
	task := -1
	if v := r.URL.Query().Get("task"); v != "" {
		t, err := strconv.Atoi(v)
		if err != nil || t < 0 {
			writeError(w, badRequest("task must be a task number"))
			return
		}
		task = t
	}
	s.streamLogs(w, r, name, task)
}

// workerLogStream follows every line the worker logs.
func (s *Server) workerLogStream(w http.ResponseWriter, r *http.Request) {
	s.streamLogs(w, r, "", -1)
}

func (s *Server) streamLogs(w http.ResponseWriter, r *http.Request, conn string, task int) {
	f, backlog, err := parseLineFilter(r)
	if err != nil {
		writeError(w, err)
		return
	}
	flusher, ok := w.(http.Flusher)
	if !ok || s.o.Logs == nil {
		writeError(w, &httpError{http.StatusInternalServerError, "Log streaming is not available"})
		return
	}
	// Subscribe before reading the backlog so no line falls in between; a
	// line in both is dropped by its time.
	sub := s.o.Logs.Subscribe(conn, task)
	defer sub.Close()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	var last time.Time
	if conn == "" && backlog > 0 {
		for _, l := range s.fileTail(backlog, f) {
			writeEvent(w, l)
		}
	}
	if conn != "" && backlog > 0 {
		var kept []logs.Line
		for _, l := range s.o.Logs.Tail(conn, task, 0) {
			last = l.Time
			if f.keep(l) {
				kept = append(kept, l)
			}
		}
		if len(kept) > backlog {
			kept = kept[len(kept)-backlog:]
		}
		for _, l := range kept {
			writeEvent(w, l)
		}
	}
	_, _ = w.Write([]byte(": streaming\n\n"))
	flusher.Flush()
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.o.Done:
			return
		case <-tick.C:
			if _, err := w.Write([]byte(": keep-alive\n\n")); err != nil {
				return
			}
			flusher.Flush()
		case l, ok := <-sub.C:
			if !ok {
				return
			}
			if !l.Time.After(last) && !last.IsZero() {
				continue
			}
			if f.keep(l) {
				writeEvent(w, l)
				flusher.Flush()
			}
		}
	}
}

func writeEvent(w http.ResponseWriter, l logs.Line) {
	b, _ := json.Marshal(l)
	_, _ = w.Write([]byte("data: "))
	_, _ = w.Write(b)
	_, _ = w.Write([]byte("\n\n"))
}

// lineLevel finds the level of a worker log line ("[time] LEVEL …").
var lineLevel = regexp.MustCompile(`^\[[^\]]*\] (TRACE|DEBUG|INFO|WARN|ERROR) `)

// fileTail returns up to n matching lines from the end of the most recently
// written .log file in the log directory: the hub keeps recent lines per
// connector only, and the worker's own lines are in its log file.
func (s *Server) fileTail(n int, f lineFilter) []logs.Line {
	if s.o.LogDir == "" {
		return nil
	}
	paths, _ := filepath.Glob(filepath.Join(s.o.LogDir, "*.log"))
	var newest string
	var newestTime time.Time
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.ModTime().After(newestTime) {
			newest, newestTime = p, st.ModTime()
		}
	}
	if newest == "" {
		return nil
	}
	file, err := os.Open(newest)
	if err != nil {
		return nil
	}
	defer file.Close()
	const window = 512 << 10
	if st, err := file.Stat(); err == nil && st.Size() > window {
		_, _ = file.Seek(st.Size()-window, io.SeekStart)
	}
	b, err := io.ReadAll(file)
	if err != nil {
		return nil
	}
	if i := bytes.IndexByte(b, '\n'); i >= 0 && len(b) == window {
		b = b[i+1:] // drop the partial first line
	}
	var out []logs.Line
	level := ""
	for _, text := range strings.SplitAfter(string(b), "\n") {
		if text == "" {
			continue
		}
		if m := lineLevel.FindStringSubmatch(text); m != nil {
			level = m[1] // continuation lines (traces) keep the level of their line
		}
		l := logs.Line{Level: level, Task: -1, Text: text}
		if f.keep(l) {
			out = append(out, l)
		}
	}
	if len(out) > n {
		out = out[len(out)-n:]
	}
	return out
}
