// Package rest is the Kafka Connect REST API on gorilla/mux: the route table,
// the JSON wire types and the single mapping from herder errors to HTTP
// statuses and Connect's {"error_code","message"} bodies. Handlers are thin:
// decode, call the herder, encode.
package rest

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/IBM/sarama"
	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/rest/ui"
	"github.com/wharf-project/wharf/worker"
	"github.com/wharf-project/wharf/worker/logs"
)

// Version is the Kafka Connect version Wharf's API mirrors; tools gate
// features (stop, offsets, PATCH) on it.
const Version = "3.9.0"

// requestTimeout is Connect's DEFAULT_REST_REQUEST_TIMEOUT_MS.
const requestTimeout = 90 * time.Second

// Options configures the API.
type Options struct {
	Herder       *worker.Herder
	Logs         *logs.Hub
	LogDir       string // served under /logs/
	WharfVersion string
	Commit       string
	CORSOrigin   string
	CORSMethods  string
	Log          *slog.Logger
	Extra        func(r *mux.Router) // more routes (metrics, UI) from the caller

	// Kafka and KafkaAdmin let the UI endpoints list topics and peek at
	// records; nil answers 503 on those endpoints.
	Kafka      sarama.Client
	KafkaAdmin sarama.ClusterAdmin
	// Registry and WorkerProps build the worker's key/value/header
	// converters to decode peeked records.
	Registry    *connector.Registry
	WorkerProps map[string]string
	// Metrics is gathered for the per-task counters of the UI charts; nil
	// answers empty counters.
	Metrics prometheus.Gatherer
	// Resolve applies config providers to a connector config (for reading
	// an S3 sink's bucket with its own credentials); nil uses it as is.
	Resolve func(map[string]string) (map[string]string, error)
	// Done is closed when the worker shuts down; it ends live log streams,
	// which http.Server.Shutdown would otherwise wait for.
	Done <-chan struct{}
}

// Server is the REST API handler.
type Server struct {
	h    *worker.Herder
	o    Options
	root *mux.Router
}

// New builds the handler.
func New(o Options) *Server {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	s := &Server{h: o.Herder, o: o}
	s.root = s.routes()
	return s
}

func (s *Server) routes() *mux.Router {
	r := mux.NewRouter()
	r.NotFoundHandler = plainError(http.StatusNotFound)
	r.MethodNotAllowedHandler = plainError(http.StatusMethodNotAllowed)
	name := "/connectors/{name}"
	task := name + "/tasks/{id:[0-9]+}"
	for _, rt := range []struct {
		method, path string
		fn           http.HandlerFunc
	}{
		{"GET", "/", s.home},
		{"GET", "/health", s.health},
		{"GET", "/connectors", s.listConnectors},
		{"POST", "/connectors", s.createConnector},
		{"GET", name, s.getConnector},
		{"DELETE", name, s.deleteConnector},
		{"GET", name + "/config", s.getConfig},
		{"PUT", name + "/config", s.putConfig},
		{"PATCH", name + "/config", s.patchConfig},
		{"GET", name + "/status", s.getStatus},
		{"POST", name + "/restart", s.restartConnector},
		{"PUT", name + "/pause", s.pause},
		{"PUT", name + "/resume", s.resume},
		{"PUT", name + "/stop", s.stop},
		{"GET", name + "/tasks", s.getTasks},
		{"GET", name + "/tasks-config", s.getTasksConfig},
		{"GET", task + "/status", s.getTaskStatus},
		{"POST", task + "/restart", s.restartTask},
		{"GET", name + "/topics", s.getTopics},
		{"PUT", name + "/topics/reset", s.resetTopics},
		{"GET", name + "/offsets", s.getOffsets},
		{"PATCH", name + "/offsets", s.alterOffsets},
		{"DELETE", name + "/offsets", s.resetOffsets},
		{"GET", "/connector-plugins", s.listPlugins},
		{"GET", "/connector-plugins/{plugin}/config", s.pluginConfig},
		{"PUT", "/connector-plugins/{plugin}/config/validate", s.validate},
		{"GET", "/admin/loggers", s.listLoggers},
		{"GET", "/admin/loggers/{logger}", s.getLogger},
		{"PUT", "/admin/loggers/{logger}", s.setLogger},
		{"GET", "/logs", s.logFiles},
		{"GET", "/logs/{file}", s.logFile},
		{"GET", name + "/logs", s.connectorLogs},
		{"GET", name + "/logs/stream", s.connectorLogStream},
		{"GET", "/wharf/logs/stream", s.workerLogStream},
		{"GET", "/wharf/topics", s.listTopics},
		{"GET", "/wharf/topics/{topic}/records", s.topicRecords},
		{"GET", "/wharf/connectors/{name}/metrics", s.connectorMetrics},
		{"GET", "/wharf/connectors/{name}/landed", s.landedObjects},
		{"GET", "/wharf/connectors/{name}/landed/preview", s.landedPreview},
		{"GET", "/ui", s.uiRedirect},
	} {
		r.Handle(rt.path, rt.fn).Methods(rt.method)
	}
	r.PathPrefix("/ui/").Handler(http.StripPrefix("/ui/", ui.Handler())).Methods("GET", "HEAD")
	if s.o.Extra != nil {
		s.o.Extra(r)
	}
	return r
}

// ServeHTTP applies CORS, tolerates trailing slashes as Jersey does, and
// routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.cors(w, r) {
		return
	}
	if p := r.URL.Path; len(p) > 1 && strings.HasSuffix(p, "/") && !strings.HasPrefix(p, "/ui/") {
		r.URL.Path = strings.TrimRight(p, "/")
		if r.URL.Path == "" {
			r.URL.Path = "/"
		}
		r.URL.RawPath = ""
	}
	s.root.ServeHTTP(w, r)
}

// cors answers preflight requests and marks responses when
// access.control.allow.origin is set. It reports whether it answered.
func (s *Server) cors(w http.ResponseWriter, r *http.Request) bool {
	if s.o.CORSOrigin == "" {
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false
	}
	allowed := s.o.CORSOrigin == "*"
	for _, o := range strings.Split(s.o.CORSOrigin, ",") {
		if strings.TrimSpace(o) == origin {
			allowed = true
		}
	}
	if !allowed {
		return false
	}
	methods := s.o.CORSMethods
	if methods == "" {
		methods = "GET,POST,HEAD"
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Allow-Methods", methods)
	h.Set("Access-Control-Allow-Headers", "X-Requested-With,Content-Type,Accept,Origin")
	h.Add("Vary", "Origin")
	if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
		w.WriteHeader(http.StatusOK)
		return true
	}
	return false
}

func ctxOf(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), requestTimeout)
}

func boolParam(r *http.Request, key string) bool {
	return strings.EqualFold(r.URL.Query().Get(key), "true")
}
