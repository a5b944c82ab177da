package metrics_test

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wharf-project/wharf/worker/metrics"
)

func series(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.Metric {
			var labels []string
			for _, l := range m.Label {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			key := mf.GetName() + "{" + strings.Join(labels, ",") + "}"
			switch {
			case m.Counter != nil:
				out[key] = m.Counter.GetValue()
			case m.Gauge != nil:
				out[key] = m.Gauge.GetValue()
			case m.Histogram != nil:
				out[key] = float64(m.Histogram.GetSampleCount())
			}
		}
	}
	return out
}

func TestTaskSeries(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	a, b := m.Task("c", 0), m.Task("c", 1)
	a.Polled(5)
	a.Written(5)
	a.Committed(3 * time.Millisecond)
	a.CommitFailed()
	a.Error("VALUE_CONVERTER")
	a.Skipped()
	a.DeadLettered()
	b.Put(7)
	b.Lag("in", 3, 42)
	got := series(t, reg)
	for k, v := range map[string]float64{
		"wharf_source_records_polled_total{connector=c,task=0}":                    5,
		"wharf_source_records_written_total{connector=c,task=0}":                   5,
		"wharf_task_batch_size_records{connector=c,task=0}":                        1,
		"wharf_task_offset_commit_duration_seconds{connector=c,task=0}":            1,
		"wharf_task_offset_commit_failures_total{connector=c,task=0}":              1,
		"wharf_errors_records_total{connector=c,stage=VALUE_CONVERTER,task=0}":     1,
		"wharf_errors_records_skipped_total{connector=c,task=0}":                   1,
		"wharf_errors_dead_letter_records_total{connector=c,task=0}":               1,
		"wharf_sink_records_put_total{connector=c,task=1}":                         7,
		"wharf_sink_consumer_lag_records{connector=c,partition=3,task=1,topic=in}": 42,
		"wharf_sink_records_put_total{connector=c,task=0}":                         0,
	} {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	b.RemoveLag("in", 3)
	a.Remove()
	for k := range series(t, reg) {
		if strings.Contains(k, "task=0") || strings.Contains(k, "topic=in") {
			t.Errorf("series left: %s", k)
		}
	}
	if len(series(t, reg)) == 0 {
		t.Fatal("task 1 series removed too")
	}
	var nilTask *metrics.Task
	nilTask.Polled(1) // a nil task records nothing and does not panic
	nilTask.Remove()
}
