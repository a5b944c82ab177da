package worker

import (
	"fmt"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Config is the parsed worker configuration (Kafka Connect's WorkerConfig,
// StandaloneConfig and DistributedConfig keys).
type Config struct {
	Props       map[string]string // every worker property, for converter and client defaults
	Distributed bool

	Brokers             []string // empty: start the embedded broker
	Listeners           []string // host:port to listen on
	WorkerID            string   // advertised host:port
	GroupID             string
	ConfigTopic         string
	OffsetTopic         string
	StatusTopic         string
	OffsetFile          string
	DataDir             string
	OffsetFlushInterval time.Duration
	OffsetFlushTimeout  time.Duration
	ShutdownTimeout     time.Duration
	CORSOrigin          string
	CORSMethods         string
	TopicTracking       bool
	TopicTrackingReset  bool
	// BufferMemoryLimit is wharf.buffer.memory.limit.bytes: the bytes all
	// connectors of this worker may buffer together (0: no worker-wide
	// limit). The S3 sink sheds buffered data when it is reached.
	BufferMemoryLimit int64
	// HeapFloor is wharf.heap.floor.bytes: the Go heap goal the worker
	// keeps at least (package heapfloor); 0 leaves GOGC alone.
	HeapFloor uint64
}

// DefaultHeapFloor is wharf.heap.floor.bytes' default (128 MiB).
const DefaultHeapFloor = 128 << 20

// knownWorkerKeys are accepted without a warning. Prefixed families
// (producer., consumer., admin., *.converter.*, config.providers.*) are
// matched separately.
var knownWorkerKeys = map[string]bool{
	"bootstrap.servers": true, "listeners": true, "rest.advertised.host.name": true, "rest.advertised.port": true,
	"rest.advertised.listener": true, "rest.host.name": true, "rest.port": true, "admin.listeners": true,
	"group.id": true, "config.storage.topic": true, "offset.storage.topic": true, "status.storage.topic": true,
	"config.storage.replication.factor": true, "offset.storage.replication.factor": true,
	"status.storage.replication.factor": true, "offset.storage.partitions": true, "status.storage.partitions": true,
	"offset.storage.file.filename": true, "key.converter": true, "value.converter": true, "header.converter": true,
	"offset.flush.interval.ms": true, "offset.flush.timeout.ms": true, "task.shutdown.graceful.timeout.ms": true,
	"access.control.allow.origin": true, "access.control.allow.methods": true, "config.providers": true,
	"plugin.path": true, "client.id": true, "topic.creation.enable": true, "topic.tracking.enable": true,
	"topic.tracking.allow.reset": true, "connector.client.config.override.policy": true,
	"session.timeout.ms": true, "heartbeat.interval.ms": true, "rebalance.timeout.ms": true,
	"worker.sync.timeout.ms": true, "worker.unsync.backoff.ms": true, "connect.protocol": true,
	"scheduled.rebalance.max.delay.ms": true, "exactly.once.source.support": true,
	"internal.key.converter": true, "internal.value.converter": true, "response.http.headers.config": true,
	"rest.extension.classes": true, "metrics.recording.level": true, "metric.reporters": true,
	"security.protocol": true, "sasl.mechanism": true, "sasl.jaas.config": true, "wharf.data.dir": true,
	"plugin.discovery": true, "auto.include.jmx.reporter": true, "wharf.buffer.memory.limit.bytes": true,
	"wharf.heap.floor.bytes": true,
}

var knownWorkerPrefixes = []string{"producer.", "consumer.", "admin.", "key.converter.", "value.converter.",
	"header.converter.", "config.providers.", "internal.key.converter.", "internal.value.converter.", "ssl.",
	"sasl.", "listeners.https.", "metrics.", "inter.worker.", "wharf.schema.registry.",
	// Topic settings of the internal topics (e.g. offset.storage.min.insync.replicas).
	"config.storage.", "offset.storage.", "status.storage."}

// ParseConfig turns worker properties into a Config. It returns the unknown
// keys so the caller can warn once; they are never fatal.
func ParseConfig(props map[string]string, distributed bool) (*Config, []string, error) {
	c := &Config{Props: props, Distributed: distributed, TopicTracking: true, TopicTrackingReset: true}
	var unknown []string
	for k := range props {
		if !knownWorker(k) {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	get := func(k, def string) string {
		if v, ok := props[k]; ok && strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
		return def
	}
	for _, b := range strings.Split(get("bootstrap.servers", ""), ",") {
		if b = strings.TrimSpace(b); b != "" {
			c.Brokers = append(c.Brokers, b)
		}
	}
	listeners, err := parseListeners(get("listeners", "http://:8083"))
	if err != nil {
		return nil, nil, err
	}
	c.Listeners = listeners
	c.WorkerID = advertised(props, listeners[0])
	var errs []string
	ms := func(k string, def int64) time.Duration {
		v := get(k, strconv.FormatInt(def, 10))
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			errs = append(errs, fmt.Sprintf("Invalid value %s for configuration %s: Not a number of type LONG", v, k))
			return time.Duration(def) * time.Millisecond
		}
		return time.Duration(n) * time.Millisecond
	}
	c.OffsetFlushInterval = ms("offset.flush.interval.ms", 60000)
	c.OffsetFlushTimeout = ms("offset.flush.timeout.ms", 5000)
	c.ShutdownTimeout = ms("task.shutdown.graceful.timeout.ms", 5000)
	c.CORSOrigin = get("access.control.allow.origin", "")
	c.CORSMethods = get("access.control.allow.methods", "")
	c.TopicTracking = get("topic.tracking.enable", "true") == "true"
	c.TopicTrackingReset = get("topic.tracking.allow.reset", "true") == "true"
	c.DataDir = get("wharf.data.dir", "wharf-data")
	if v := get("wharf.buffer.memory.limit.bytes", ""); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			errs = append(errs, fmt.Sprintf("Invalid value %s for configuration wharf.buffer.memory.limit.bytes: Not a number of type LONG", v))
		}
		c.BufferMemoryLimit = n
	}
	c.HeapFloor = DefaultHeapFloor
	if v := get("wharf.heap.floor.bytes", ""); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			errs = append(errs, fmt.Sprintf("Invalid value %s for configuration wharf.heap.floor.bytes: Not a number of type LONG", v))
		}
		c.HeapFloor = n
	}
	c.GroupID = get("group.id", "")
	c.ConfigTopic = get("config.storage.topic", "")
	c.OffsetTopic = get("offset.storage.topic", "")
	c.StatusTopic = get("status.storage.topic", "")
	c.OffsetFile = get("offset.storage.file.filename", "")
	if distributed {
		for _, k := range []string{"group.id", "config.storage.topic", "offset.storage.topic", "status.storage.topic"} {
			if get(k, "") == "" {
				errs = append(errs, fmt.Sprintf("Missing required configuration %q which has no default value.", k))
			}
		}
	}
	if get("key.converter", "") == "" || get("value.converter", "") == "" {
		// Apache requires both; Wharf defaults to JsonConverter so a minimal
		// file works (documented in the README's worker-properties table).
		if props["key.converter"] == "" {
			props["key.converter"] = "org.apache.kafka.connect.json.JsonConverter"
		}
		if props["value.converter"] == "" {
			props["value.converter"] = "org.apache.kafka.connect.json.JsonConverter"
		}
	}
	if len(errs) > 0 {
		return nil, unknown, fmt.Errorf("worker configuration: %s", strings.Join(errs, "; "))
	}
	return c, unknown, nil
}

func knownWorker(k string) bool {
	if knownWorkerKeys[k] {
		return true
	}
	for _, p := range knownWorkerPrefixes {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

// parseListeners accepts Connect's listeners list (http://host:port,…).
func parseListeners(s string) ([]string, error) {
	var out []string
	for _, l := range strings.Split(s, ",") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		proto, hostport, ok := strings.Cut(l, "://")
		if !ok {
			return nil, fmt.Errorf("worker configuration: invalid listener %q: expected http://host:port", l)
		}
		if proto != "http" {
			return nil, fmt.Errorf("worker configuration: listener %q: only http is supported", l)
		}
		if _, _, err := net.SplitHostPort(hostport); err != nil {
			return nil, fmt.Errorf("worker configuration: invalid listener %q: %v", l, err)
		}
		out = append(out, hostport)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("worker configuration: listeners is empty")
	}
	return out, nil
}

// advertised computes the worker id (host:port) other workers and statuses use.
func advertised(props map[string]string, listener string) string {
	host, port, _ := net.SplitHostPort(listener)
	if h := strings.TrimSpace(props["rest.advertised.host.name"]); h != "" {
		host = h
	}
	if p := strings.TrimSpace(props["rest.advertised.port"]); p != "" {
		port = p
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		if h, err := os.Hostname(); err == nil {
			host = h
		} else {
			host = "localhost"
		}
	}
	return net.JoinHostPort(host, port)
}

// SetListenPort updates the worker id after listening on port 0.
func (c *Config) SetListenPort(port int) {
	if strings.TrimSpace(c.Props["rest.advertised.port"]) != "" {
		return
	}
	host, _, _ := net.SplitHostPort(c.WorkerID)
	c.WorkerID = net.JoinHostPort(host, strconv.Itoa(port))
}
