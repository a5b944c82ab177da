// Package logs is the worker's logging: a log/slog handler whose levels can
// be changed at run time per logger namespace (Connect's /admin/loggers), a
// ring buffer of recent lines per connector and per task with live
// subscriptions (for the REST log endpoints and the UI), and the worker log
// file. It is safe for concurrent use.
package logs

import (
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"
)

// RootLogger is the name of the root logger.
const RootLogger = "root"

// LevelEntry is a logger's level as /admin/loggers shows it.
type LevelEntry struct {
	Level        string
	LastModified int64 // epoch ms of the last REST change; 0 = never
}

// Levels holds explicitly set levels per logger namespace. A logger's
// effective level is that of its closest set ancestor (dot-separated), else
// the root level.
type Levels struct {
	mu    sync.RWMutex
	set   map[string]LevelEntry
	known map[string]bool
}

// NewLevels returns levels with the root at root.
func NewLevels(root slog.Level) *Levels {
	return &Levels{set: map[string]LevelEntry{RootLogger: {Level: LevelName(root)}}, known: map[string]bool{}}
}

// LevelName renders a slog level with log4j's names.
func LevelName(l slog.Level) string {
	switch {
	case l < slog.LevelDebug:
		return "TRACE"
	case l < slog.LevelInfo:
		return "DEBUG"
	case l < slog.LevelWarn:
		return "INFO"
	case l < slog.LevelError:
		return "WARN"
	default:
		return "ERROR"
	}
}

// ParseLevel accepts log4j level names, case-insensitively.
func ParseLevel(s string) (slog.Level, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "TRACE", "ALL":
		return slog.LevelDebug - 4, nil
	case "DEBUG":
		return slog.LevelDebug, nil
	case "INFO":
		return slog.LevelInfo, nil
	case "WARN":
		return slog.LevelWarn, nil
	case "ERROR", "FATAL":
		return slog.LevelError, nil
	case "OFF":
		return slog.LevelError + 100, nil
	}
	return 0, fmt.Errorf("invalid log level '%s'", s)
}

func (l *Levels) register(name string) {
	l.mu.RLock()
	ok := l.known[name]
	l.mu.RUnlock()
	if !ok {
		l.mu.Lock()
		l.known[name] = true
		l.mu.Unlock()
	}
}

// Effective returns the level in force for logger name.
func (l *Levels) Effective(name string) slog.Level {
	l.mu.RLock()
	defer l.mu.RUnlock()
	lv, _ := ParseLevel(l.entryLocked(name).Level)
	return lv
}

func (l *Levels) entryLocked(name string) LevelEntry {
	for n := name; n != ""; {
		if e, ok := l.set[n]; ok {
			return e
		}
		i := strings.LastIndexByte(n, '.')
		if i < 0 {
			break
		}
		n = n[:i]
	}
	return l.set[RootLogger]
}

// Get returns the entry of a logger: its own if set, else the effective
// level with no modification time. ok is false for an unknown logger.
func (l *Levels) Get(name string) (LevelEntry, bool) {
	if strings.EqualFold(name, RootLogger) {
		name = RootLogger
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	if e, ok := l.set[name]; ok {
		return e, true
	}
	if !l.known[name] {
		return LevelEntry{}, false
	}
	return LevelEntry{Level: l.entryLocked(name).Level}, true
}

// All returns the explicitly set loggers (root included).
func (l *Levels) All() map[string]LevelEntry {
	l.mu.RLock()
	defer l.mu.RUnlock()
	out := make(map[string]LevelEntry, len(l.set))
	for k, v := range l.set {
		out[k] = v
	}
	return out
}

// Set sets the level of a namespace and returns the affected loggers: the
// namespace and every known descendant, sorted (Connect's answer).
func (l *Levels) Set(namespace, level string) ([]string, error) {
	lv, err := ParseLevel(level)
	if err != nil {
		return nil, err
	}
	if strings.EqualFold(namespace, RootLogger) {
		namespace = RootLogger
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now().UnixMilli()
	affected := []string{namespace}
	for n := range l.known {
		if n != namespace && (namespace == RootLogger || strings.HasPrefix(n, namespace+".")) {
			affected = append(affected, n)
		}
	}
	for _, n := range affected {
		l.set[n] = LevelEntry{Level: LevelName(lv), LastModified: now}
	}
	// Descendants that were set explicitly but are not known loggers follow too.
	for n := range l.set {
		if n != namespace && strings.HasPrefix(n, namespace+".") {
			l.set[n] = LevelEntry{Level: LevelName(lv), LastModified: now}
		}
	}
	sort.Strings(affected)
	return affected, nil
}
