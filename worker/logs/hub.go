package logs

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Line is one formatted log line with its context.
type Line struct {
	Time      time.Time `json:"time"`
	Level     string    `json:"level"`
	Logger    string    `json:"logger"`
	Connector string    `json:"connector,omitempty"`
	Task      int       `json:"task"` // -1: connector-level or worker line
	Message   string    `json:"message"`
	Text      string    `json:"text"` // the whole line as written to the log file
}

// ringSize is how many lines are kept per connector and per task.
const ringSize = 2000

type ring struct {
	lines []Line
	next  int
	full  bool
}

func (r *ring) add(l Line) {
	if r.lines == nil {
		r.lines = make([]Line, ringSize)
	}
	r.lines[r.next] = l
	r.next = (r.next + 1) % ringSize
	if r.next == 0 {
		r.full = true
	}
}

func (r *ring) last(n int) []Line {
	var all []Line
	if r.full {
		all = append(append(all, r.lines[r.next:]...), r.lines[:r.next]...)
	} else {
		all = append(all, r.lines[:r.next]...)
	}
	if n > 0 && len(all) > n {
		all = all[len(all)-n:]
	}
	return all
}

type ringKey struct {
	connector string
	task      int
}

// Hub receives every log record, writes it to the outputs and keeps recent
// lines per connector and task.
type Hub struct {
	Levels *Levels

	mu    sync.Mutex
	out   io.Writer
	rings map[ringKey]*ring
	subs  map[*Subscription]struct{}
}

// NewHub writes log lines to out (for example stderr and the worker log file).
func NewHub(out io.Writer, levels *Levels) *Hub {
	return &Hub{Levels: levels, out: out, rings: map[ringKey]*ring{}, subs: map[*Subscription]struct{}{}}
}

// Logger returns a logger with a log4j-style name, e.g.
// "org.apache.kafka.connect.runtime.Worker" or a connector class.
func (h *Hub) Logger(name string) *slog.Logger {
	h.Levels.register(name)
	return slog.New(&handler{hub: h, name: name, task: -1})
}

// Tail returns the last n lines of a connector (task -1: connector-level
// and all its tasks' lines; task ≥ 0: that task's).
func (h *Hub) Tail(connector string, task, n int) []Line {
	h.mu.Lock()
	defer h.mu.Unlock()
	if r := h.rings[ringKey{connector, task}]; r != nil {
		return r.last(n)
	}
	return nil
}

// Subscription delivers new lines matching its filter. Slow readers lose
// lines rather than slowing the worker down.
type Subscription struct {
	C         chan Line
	connector string
	task      int
	hub       *Hub
}

// Subscribe starts a live tail (connector "" = every line; task -1 = every
// task of the connector). Close it when done.
func (h *Hub) Subscribe(connector string, task int) *Subscription {
	s := &Subscription{C: make(chan Line, 256), connector: connector, task: task, hub: h}
	h.mu.Lock()
	h.subs[s] = struct{}{}
	h.mu.Unlock()
	return s
}

// Close ends the subscription.
func (s *Subscription) Close() {
	s.hub.mu.Lock()
	if _, ok := s.hub.subs[s]; ok {
		delete(s.hub.subs, s)
		close(s.C)
	}
	s.hub.mu.Unlock()
}

func (s *Subscription) match(l Line) bool {
	if s.connector == "" {
		return true
	}
	return s.connector == l.Connector && (s.task < 0 || s.task == l.Task)
}

func (h *Hub) publish(l Line) {
	h.mu.Lock()
	defer h.mu.Unlock()
	io.WriteString(h.out, l.Text)
	if l.Connector != "" {
		for _, k := range []ringKey{{l.Connector, -1}, {l.Connector, l.Task}} {
			r := h.rings[k]
			if r == nil {
				r = &ring{}
				h.rings[k] = r
			}
			r.add(l)
			if l.Task < 0 {
				break
			}
		}
	}
	for s := range h.subs {
		if s.match(l) {
			select {
			case s.C <- l:
			default:
			}
		}
	}
}

// Forget drops the buffered lines of a deleted connector.
func (h *Hub) Forget(connector string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for k := range h.rings {
		if k.connector == connector {
			delete(h.rings, k)
		}
	}
}

type handler struct {
	hub       *Hub
	name      string
	connector string
	task      int
	attrs     string // preformatted " k=v" pairs
	group     string
}

func (h *handler) Enabled(_ context.Context, l slog.Level) bool {
	return l >= h.hub.Levels.Effective(h.name)
}

func (h *handler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Time.UTC().Format("[2006-01-02 15:04:05,000] "))
	lvl := LevelName(r.Level)
	b.WriteString(lvl)
	b.WriteByte(' ')
	if h.connector != "" {
		b.WriteByte('[')
		b.WriteString(h.connector)
		if h.task >= 0 {
			b.WriteString("|task-")
			b.WriteString(strconv.Itoa(h.task))
		}
		b.WriteString("] ")
	}
	b.WriteString(r.Message)
	b.WriteString(h.attrs)
	r.Attrs(func(a slog.Attr) bool {
		writeAttr(&b, h.group, a)
		return true
	})
	b.WriteString(" (")
	b.WriteString(h.name)
	b.WriteString(")\n")
	h.hub.publish(Line{Time: r.Time, Level: lvl, Logger: h.name, Connector: h.connector, Task: h.task,
		Message: r.Message, Text: b.String()})
	return nil
}

func writeAttr(b *strings.Builder, group string, a slog.Attr) {
	if a.Equal(slog.Attr{}) {
		return
	}
	b.WriteByte(' ')
	if group != "" {
		b.WriteString(group)
		b.WriteByte('.')
	}
	b.WriteString(a.Key)
	b.WriteByte('=')
	v := a.Value.Resolve().String()
	if strings.ContainsAny(v, " \t\n\"=") {
		v = strconv.Quote(v)
	}
	b.WriteString(v)
}

func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	n := *h
	var b strings.Builder
	b.WriteString(h.attrs)
	for _, a := range attrs {
		switch a.Key {
		case "connector":
			n.connector = a.Value.String()
			continue
		case "task":
			if t, err := strconv.Atoi(a.Value.String()); err == nil {
				n.task = t
				continue
			}
		}
		writeAttr(&b, h.group, a)
	}
	n.attrs = b.String()
	return &n
}

func (h *handler) WithGroup(name string) slog.Handler {
	n := *h
	if n.group != "" {
		n.group += "." + name
	} else {
		n.group = name
	}
	return &n
}

// String helps debugging.
func (h *handler) String() string { return fmt.Sprintf("logs.handler(%s)", h.name) }
