package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/IBM/sarama"
	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/rest"
	"github.com/wharf-project/wharf/worker"
	"github.com/wharf-project/wharf/worker/heapfloor"
	"github.com/wharf-project/wharf/worker/kafka"
	"github.com/wharf-project/wharf/worker/logs"
	"github.com/wharf-project/wharf/worker/metrics"
	"github.com/wharf-project/wharf/worker/store"
)

const apiVersion = rest.Version

// workerLogger is the logger name of the worker itself; /admin/loggers
// addresses it (and its descendants) as Connect users expect.
const workerLogger = "org.apache.kafka.connect.runtime"

// run starts a worker and blocks until ctx is cancelled.
func run(ctx context.Context, o options, stderr io.Writer) error {
	props, err := loadWorkerProperties(o.workerFile, os.Environ())
	if err != nil {
		return err
	}
	distributed := o.mode == "distributed"
	cfg, unknown, err := worker.ParseConfig(props, distributed)
	if err != nil {
		return err
	}
	if o.dataDir != "" {
		cfg.DataDir = o.dataDir
	}
	logDir := filepath.Join(cfg.DataDir, "logs")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	logFile, err := os.OpenFile(filepath.Join(logDir, "connect-"+o.mode+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("worker log: %w", err)
	}
	defer logFile.Close()
	root, err := logs.ParseLevel(o.logLevel)
	if err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	hub := logs.NewHub(io.MultiWriter(stderr, logFile), logs.NewLevels(root))
	log := hub.Logger(workerLogger + ".Worker")
	if len(unknown) > 0 {
		log.Warn("ignoring unknown worker configuration keys", "keys", strings.Join(unknown, ","))
	}
	go heapfloor.Run(ctx, cfg.HeapFloor)

	brokers := cfg.Brokers
	if len(brokers) == 0 {
		emb, err := startEmbedded(ctx, cfg.DataDir, hub.Logger(workerLogger+".EmbeddedKafka"))
		if err != nil {
			return err
		}
		defer emb.Close()
		brokers = []string{emb.Addr()}
		log.Warn("bootstrap.servers is not set: started an embedded Kafka broker, meant for development only",
			"bootstrap.servers", emb.Addr(), "data", filepath.Join(cfg.DataDir, "kafka"))
	}

	workerSarama, err := kafka.SaramaConfig(props, kafka.RoleWorker)
	if err != nil {
		return err
	}
	client, err := sarama.NewClient(brokers, workerSarama)
	if err != nil {
		return fmt.Errorf("connect to Kafka at %s: %w", strings.Join(brokers, ","), err)
	}
	defer client.Close()
	admin, err := sarama.NewClusterAdminFromClient(client)
	if err != nil {
		return fmt.Errorf("kafka admin client: %w", err)
	}
	clusterID, _ := kafka.ClusterID(ctx, client)
	stopRegistry, err := startSchemaRegistry(ctx, props, client, hub.Logger("io.confluent.kafka.schemaregistry"))
	if err != nil {
		return err
	}
	defer stopRegistry()

	ln, err := net.Listen("tcp", cfg.Listeners[0])
	if err != nil {
		return fmt.Errorf("REST listener: %w", err)
	}
	cfg.SetListenPort(ln.Addr().(*net.TCPAddr).Port)

	configs, offsets, statuses, err := openStores(ctx, cfg, client, admin)
	if err != nil {
		ln.Close()
		return err
	}
	reg := newRegistry()
	promReg := prometheus.NewRegistry()
	promReg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	providers, err := worker.NewProviders(props)
	if err != nil {
		ln.Close()
		return err
	}
	runners := worker.NewRunners(cfg, reg, brokers, offsets, statuses, metrics.New(promReg), admin, providers)
	herder := worker.New(worker.Options{
		Config: cfg, Registry: reg, Configs: configs, Offsets: offsets, Statuses: statuses, Runners: runners,
		Kafka: worker.NewClusterAdmin(admin, clusterID),
		Logger: func(conn string, task int) *slog.Logger {
			l := hub.Logger(connectorLoggerName(reg, configs, conn))
			if conn == "" {
				return l
			}
			l = l.With("connector", conn)
			if task >= 0 {
				l = l.With("task", task)
			}
			return l
		},
	})
	if err := herder.Start(ctx); err != nil {
		ln.Close()
		return fmt.Errorf("start herder: %w", err)
	}
	defer herder.Stop()

	ver, commit := wharfVersion()
	api := rest.New(rest.Options{Herder: herder, Logs: hub, LogDir: logDir, WharfVersion: ver, Commit: commit,
		CORSOrigin: cfg.CORSOrigin, CORSMethods: cfg.CORSMethods, Log: hub.Logger(workerLogger + ".rest.RestServer"),
		Kafka: client, KafkaAdmin: admin, Registry: reg, WorkerProps: cfg.Props, Metrics: promReg, Resolve: providers.Resolve,
		Done: ctx.Done(),
		Extra: func(r *mux.Router) {
			r.Handle("/metrics", promhttp.HandlerFor(promReg, promhttp.HandlerOpts{})).Methods("GET")
		}})
	srv := &http.Server{Handler: api, ReadHeaderTimeout: 10 * time.Second}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	log.Info("Wharf worker started", "mode", o.mode, "version", ver, "rest", "http://"+ln.Addr().String(),
		"worker_id", cfg.WorkerID, "bootstrap.servers", strings.Join(brokers, ","))

	for _, path := range o.connectorFiles {
		if err := submitConnectorFile(ctx, herder, path); err != nil {
			log.Error("connector file not applied", "file", path, "error", err)
		}
	}

	select {
	case <-ctx.Done():
	case err := <-serveErr:
		if !errors.Is(err, http.ErrServerClosed) {
			log.Error("REST server failed", "error", err)
		}
	}
	log.Info("Wharf worker stopping")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdownCtx)
	return nil
}

func startEmbedded(ctx context.Context, dataDir string, log *slog.Logger) (*kafka.Embedded, error) {
	port := 9092
	if l, err := net.Listen("tcp", "127.0.0.1:9092"); err == nil {
		l.Close()
	} else {
		port = 0
	}
	return kafka.StartEmbedded(ctx, kafka.EmbeddedOptions{DataDir: filepath.Join(dataDir, "kafka"), Port: port, Logger: log})
}

// openStores picks the stores of the mode: files and memory in standalone
// mode, Kafka topics in distributed mode.
func openStores(ctx context.Context, cfg *worker.Config, client sarama.Client, admin sarama.ClusterAdmin) (worker.ConfigStore, worker.OffsetStore, worker.StatusStore, error) {
	if !cfg.Distributed {
		offsetFile := cfg.OffsetFile
		if offsetFile == "" {
			offsetFile = filepath.Join(cfg.DataDir, "connect.offsets")
		}
		return store.NewFileConfig(filepath.Join(cfg.DataDir, "connectors.json")), store.NewFileOffsets(offsetFile),
			store.NewMemoryStatus(), nil
	}
	if _, err := store.EnsureInternalTopics(ctx, admin, cfg.Props); err != nil {
		return nil, nil, nil, err
	}
	return store.NewKafkaConfig(client, cfg.ConfigTopic), store.NewKafkaOffsets(client, cfg.OffsetTopic),
		store.NewKafkaStatus(client, cfg.StatusTopic), nil
}

func submitConnectorFile(ctx context.Context, h *worker.Herder, path string) error {
	cf, err := loadConnectorFile(path)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	_, _, err = h.PutConnectorConfig(ctx, cf.Name, cf.Config)
	return err
}

// connectorLoggerName names a connector's logger after its class, so
// PUT /admin/loggers/io.debezium changes the level of Debezium connectors.
func connectorLoggerName(reg *connector.Registry, configs worker.ConfigStore, conn string) string {
	if conn == "" {
		return workerLogger + ".Worker"
	}
	if p, ok := reg.LookupConnector(configs.Snapshot().Connectors[conn]["connector.class"]); ok {
		return p.Class
	}
	return workerLogger + ".WorkerConnector"
}
