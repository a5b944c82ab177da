package resttest

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/file"
	"github.com/wharf-project/wharf/connector/testserver"
	"github.com/wharf-project/wharf/rest"
	"github.com/wharf-project/wharf/worker"
	"github.com/wharf-project/wharf/worker/avro"
	"github.com/wharf-project/wharf/worker/convert"
	"github.com/wharf-project/wharf/worker/kafka"
	"github.com/wharf-project/wharf/worker/logs"
	"github.com/wharf-project/wharf/worker/metrics"
	"github.com/wharf-project/wharf/worker/store"
	"github.com/wharf-project/wharf/worker/transform"
)

// Options configures a test worker.
type Options struct {
	// Dir holds the worker's state; a restart with the same Dir and Brokers
	// brings the connectors back. Default: a new t.TempDir().
	Dir string
	// Brokers of an existing cluster; default: a new kfake cluster.
	Brokers []string
	// Props are extra worker properties.
	Props map[string]string
	// Plugins replace the default plugin list (FileStream, converters, SMTs).
	Plugins []connector.Plugin
	// Log receives the worker log; nil discards it.
	Log io.Writer
}

// Worker is a running standalone worker.
type Worker struct {
	*Client
	Dir     string
	Brokers []string
	Herder  *worker.Herder
	Logs    *logs.Hub
	stop    func()
}

// DefaultPlugins are the plugins of a test worker.
func DefaultPlugins() []connector.Plugin {
	var ps []connector.Plugin
	ps = append(ps, file.Plugins()...)
	ps = append(ps, convert.Plugins()...)
	ps = append(ps, avro.Plugins()...)
	ps = append(ps, transform.Plugins()...)
	return ps
}

// Start runs a standalone worker with file stores and the REST API on a
// free loopback port. It is stopped at the end of the test, or by Stop.
func Start(tb testing.TB, o Options) *Worker {
	tb.Helper()
	if o.Dir == "" {
		o.Dir = tb.TempDir()
	}
	if o.Brokers == nil {
		o.Brokers = testserver.Kafka(tb, 1)
	}
	if o.Plugins == nil {
		o.Plugins = DefaultPlugins()
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	props := map[string]string{
		"listeners":                 "http://127.0.0.1:0",
		"offset.flush.interval.ms":  "500",
		"key.converter":             "org.apache.kafka.connect.json.JsonConverter",
		"value.converter":           "org.apache.kafka.connect.json.JsonConverter",
		"consumer.max.poll.records": "500",
	}
	for k, v := range o.Props {
		props[k] = v
	}
	cfg, _, err := worker.ParseConfig(props, false)
	if err != nil {
		tb.Fatal(err)
	}
	cfg.DataDir = o.Dir
	hub := logs.NewHub(o.Log, logs.NewLevels(slog.LevelInfo))
	ln, err := net.Listen("tcp", cfg.Listeners[0])
	if err != nil {
		tb.Fatal(err)
	}
	cfg.SetListenPort(ln.Addr().(*net.TCPAddr).Port)
	client, err := sarama.NewClient(o.Brokers, mustSarama(tb, props))
	if err != nil {
		tb.Fatal(err)
	}
	admin, err := sarama.NewClusterAdminFromClient(client)
	if err != nil {
		tb.Fatal(err)
	}
	reg := connector.NewRegistry(o.Plugins...)
	configs := store.NewFileConfig(filepath.Join(o.Dir, "connectors.json"))
	offsets := store.NewFileOffsets(filepath.Join(o.Dir, "connect.offsets"))
	statuses := store.NewMemoryStatus()
	providers, err := worker.NewProviders(props)
	if err != nil {
		tb.Fatal(err)
	}
	clusterID, _ := kafka.ClusterID(context.Background(), client)
	promReg := prometheus.NewRegistry()
	h := worker.New(worker.Options{Config: cfg, Registry: reg, Configs: configs, Offsets: offsets, Statuses: statuses,
		Runners: worker.NewRunners(cfg, reg, o.Brokers, offsets, statuses, metrics.New(promReg), admin, providers),
		Kafka:   worker.NewClusterAdmin(admin, clusterID),
		Logger: func(conn string, task int) *slog.Logger {
			l := hub.Logger("org.apache.kafka.connect.runtime.Worker")
			if conn != "" {
				l = l.With("connector", conn)
				if task >= 0 {
					l = l.With("task", task)
				}
			}
			return l
		}})
	if err := h.Start(context.Background()); err != nil {
		tb.Fatal(err)
	}
	streams, endStreams := context.WithCancel(context.Background())
	api := rest.New(rest.Options{Herder: h, Logs: hub, LogDir: o.Dir, WharfVersion: "test", Commit: "0000000000000000",
		CORSOrigin: cfg.CORSOrigin, CORSMethods: cfg.CORSMethods,
		Kafka: client, KafkaAdmin: admin, Registry: reg, WorkerProps: cfg.Props, Metrics: promReg, Resolve: providers.Resolve,
		Done: streams.Done()})
	srv := &http.Server{Handler: api, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	w := &Worker{Client: &Client{Base: "http://" + ln.Addr().String()}, Dir: o.Dir, Brokers: o.Brokers, Herder: h, Logs: hub}
	stopped := false
	w.stop = func() {
		if stopped {
			return
		}
		stopped = true
		endStreams()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		h.Stop()
		admin.Close()
	}
	tb.Cleanup(w.stop)
	return w
}

// Stop stops the worker (idempotent).
func (w *Worker) Stop() { w.stop() }

func mustSarama(tb testing.TB, props map[string]string) *sarama.Config {
	c, err := kafka.SaramaConfig(props, kafka.RoleWorker)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}
