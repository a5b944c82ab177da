package rest

import (
	"net/http"
	"sort"
	"strconv"
	"time"

	dto "github.com/prometheus/client_model/go"
)

// taskCounters are one task's cumulative counters; the UI derives rates
// from two samples.
type taskCounters struct {
	Task    int     `json:"task"`
	Polled  float64 `json:"records_polled"`
	Written float64 `json:"records_written"`
	Put     float64 `json:"records_put"`
	Errors  float64 `json:"record_errors"`
	Lag     float64 `json:"lag"`
}

type connectorCounters struct {
	Connector string         `json:"connector"`
	Time      int64          `json:"time"`
	Tasks     []taskCounters `json:"tasks"`
}

// connectorMetrics exposes the wharf_* series of one connector's tasks from
// the worker's Prometheus registry as JSON.
func (s *Server) connectorMetrics(w http.ResponseWriter, r *http.Request) {
	name := pathName(r)
	if _, err := s.h.ConnectorInfo(name); err != nil {
		writeError(w, err)
		return
	}
	out := connectorCounters{Connector: name, Time: time.Now().UnixMilli(), Tasks: []taskCounters{}}
	if s.o.Metrics == nil {
		writeJSON(w, http.StatusOK, out)
		return
	}
	families, err := s.o.Metrics.Gather()
	if err != nil {
		writeError(w, err)
		return
	}
	tasks := map[int]*taskCounters{}
	for _, mf := range families {
		field := counterField(mf.GetName())
		if field == nil {
			continue
		}
		for _, m := range mf.GetMetric() {
			id, ok := taskOf(m, name)
			if !ok {
				continue
			}
			t := tasks[id]
			if t == nil {
				t = &taskCounters{Task: id}
				tasks[id] = t
			}
			v := m.GetCounter().GetValue() + m.GetGauge().GetValue()
			*field(t) += v
		}
	}
	for _, t := range tasks {
		out.Tasks = append(out.Tasks, *t)
	}
	sort.Slice(out.Tasks, func(i, j int) bool { return out.Tasks[i].Task < out.Tasks[j].Task })
	writeJSON(w, http.StatusOK, out)
}

func counterField(family string) func(*taskCounters) *float64 {
	switch family {
	case "wharf_source_records_polled_total":
		return func(t *taskCounters) *float64 { return &t.Polled }
	case "wharf_source_records_written_total":
		return func(t *taskCounters) *float64 { return &t.Written }
	case "wharf_sink_records_put_total":
		return func(t *taskCounters) *float64 { return &t.Put }
	case "wharf_errors_records_total":
		return func(t *taskCounters) *float64 { return &t.Errors }
	case "wharf_sink_consumer_lag_records":
		return func(t *taskCounters) *float64 { return &t.Lag }
	}
	return nil
}

func taskOf(m *dto.Metric, connector string) (int, bool) {
	var conn, task string
	for _, l := range m.GetLabel() {
		switch l.GetName() {
		case "connector":
			conn = l.GetValue()
		case "task":
			task = l.GetValue()
		}
	}
	if conn != connector {
		return 0, false
	}
	id, err := strconv.Atoi(task)
	return id, err == nil
}
