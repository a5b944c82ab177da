// Package kafka builds sarama clients from Kafka Connect worker properties,
// administers topics and consumer groups, reads topics for the topic browser
// and runs the embedded single-broker cluster of standalone mode.
package kafka

import (
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/IBM/sarama"
)

// Client roles accepted by SaramaConfig.
const (
	// RoleWorker configures the worker's own clients (internal topics, admin):
	// unprefixed properties apply, as Connect passes its originals to them.
	RoleWorker = ""
	// RoleProducer configures source-task producers from `producer.*`.
	RoleProducer = "producer"
	// RoleConsumer configures sink-task consumers from `consumer.*`.
	RoleConsumer = "consumer"
	// RoleAdmin configures connector admin clients from `admin.*`.
	RoleAdmin = "admin"
)

// Client property keys understood by SaramaConfig (Apache Kafka client names).
const (
	// KeyClientID is `client.id`: logical client name sent with requests; default "sarama".
	KeyClientID = "client.id"
	// KeyAcks is `acks`: 0, 1 or all/-1; Connect forces all for source producers.
	KeyAcks = "acks"
	// KeyCompressionType is `compression.type`: none, gzip, snappy, lz4, zstd; default none
	// (Kafka's and Connect's), except lz4 for source-task producers (see SaramaConfig).
	KeyCompressionType = "compression.type"
	// KeyLingerMs is `linger.ms`: how long a producer batch may wait; Kafka ≥4.0's default 5
	// for source-task producers (Kafka 3.x and sarama: 0).
	KeyLingerMs = "linger.ms"
	// KeyBatchSize is `batch.size`: bytes that trigger a flush; default 16384.
	KeyBatchSize = "batch.size"
	// KeyMaxRequestSize is `max.request.size`: largest produced message; default 1048576.
	KeyMaxRequestSize = "max.request.size"
	// KeyEnableIdempotence is `enable.idempotence`: exactly-once per partition produce; default false here.
	KeyEnableIdempotence = "enable.idempotence"
	// KeyMaxInFlight is `max.in.flight.requests.per.connection`; Connect sets 1 for source producers.
	KeyMaxInFlight = "max.in.flight.requests.per.connection"
	// KeyRetries is `retries`: produce retries; default effectively unbounded in Connect.
	KeyRetries = "retries"
	// KeyRetryBackoffMs is `retry.backoff.ms`: wait between retries; default 100.
	KeyRetryBackoffMs = "retry.backoff.ms"
	// KeyMaxPollRecords is `max.poll.records`: records a poll returns; default 500. Mapped
	// to the consumer's channel buffer size.
	KeyMaxPollRecords = "max.poll.records"
	// KeyFetchMinBytes is `fetch.min.bytes`; default 1.
	KeyFetchMinBytes = "fetch.min.bytes"
	// KeyFetchMaxBytes is `fetch.max.bytes`: cap of one fetch response; default 52428800.
	KeyFetchMaxBytes = "fetch.max.bytes"
	// KeyMaxPartitionFetchBytes is `max.partition.fetch.bytes`; default 1048576.
	KeyMaxPartitionFetchBytes = "max.partition.fetch.bytes"
	// KeyFetchMaxWaitMs is `fetch.max.wait.ms`: long-poll time; default 500.
	KeyFetchMaxWaitMs = "fetch.max.wait.ms"
	// KeySessionTimeoutMs is `session.timeout.ms`: group session timeout; default 45000 (Connect group 10000).
	KeySessionTimeoutMs = "session.timeout.ms"
	// KeyHeartbeatIntervalMs is `heartbeat.interval.ms`; default 3000.
	KeyHeartbeatIntervalMs = "heartbeat.interval.ms"
	// KeyMaxPollIntervalMs is `max.poll.interval.ms`: rebalance timeout; default 300000.
	KeyMaxPollIntervalMs = "max.poll.interval.ms"
	// KeyAutoOffsetReset is `auto.offset.reset`: earliest or latest; Connect sinks use earliest.
	KeyAutoOffsetReset = "auto.offset.reset"
	// KeyEnableAutoCommit is `enable.auto.commit`; Connect sinks use false and commit themselves.
	KeyEnableAutoCommit = "enable.auto.commit"
	// KeyAutoCommitIntervalMs is `auto.commit.interval.ms`; default 5000.
	KeyAutoCommitIntervalMs = "auto.commit.interval.ms"
	// KeyIsolationLevel is `isolation.level`: read_uncommitted (default) or read_committed.
	KeyIsolationLevel = "isolation.level"
	// KeyGroupInstanceID is `group.instance.id`: static membership id; default none.
	KeyGroupInstanceID = "group.instance.id"
	// KeyPartitionAssignmentStrategy is `partition.assignment.strategy`: Range, RoundRobin or Sticky assignor.
	KeyPartitionAssignmentStrategy = "partition.assignment.strategy"
	// KeyRequestTimeoutMs is `request.timeout.ms`: wait for a broker response; default 30000.
	KeyRequestTimeoutMs = "request.timeout.ms"
	// KeyMetadataMaxAgeMs is `metadata.max.age.ms`: metadata refresh period; default 300000.
	KeyMetadataMaxAgeMs = "metadata.max.age.ms"
	// KeyConnectionSetupTimeoutMs is `socket.connection.setup.timeout.ms`; default 10000.
	KeyConnectionSetupTimeoutMs = "socket.connection.setup.timeout.ms"
	// KeySecurityProtocol is `security.protocol`: PLAINTEXT (default), SSL, SASL_PLAINTEXT, SASL_SSL.
	KeySecurityProtocol = "security.protocol"
	// KeySASLMechanism is `sasl.mechanism`: PLAIN (default), SCRAM-SHA-256, SCRAM-SHA-512.
	KeySASLMechanism = "sasl.mechanism"
	// KeySASLJAASConfig is `sasl.jaas.config`: login module line with username="…" password="…".
	KeySASLJAASConfig = "sasl.jaas.config"
)

// ProtocolVersion is the Kafka protocol version every Wharf client speaks.
func ProtocolVersion() sarama.KafkaVersion { return sarama.V3_6_0_0 }

// SaramaConfig builds a sarama configuration for one client role from worker
// properties. As in Connect, RoleWorker reads unprefixed keys and the other
// roles read only their prefixed keys (`producer.acks`, …): the worker's own
// security settings are not inherited by connector clients. The role's
// Connect defaults apply first (producers: acks=all, one request in flight;
// consumers: auto.offset.reset=earliest, no auto commit). bootstrap.servers
// is the caller's business; unsupported keys are ignored (see IgnoredKeys).
func SaramaConfig(props map[string]string, role string) (*sarama.Config, error) {
	cfg := sarama.NewConfig()
	cfg.Version = ProtocolVersion()
	cfg.Producer.Return.Successes = true
	cfg.Producer.Partitioner = sarama.NewMurmur2Partitioner
	switch role {
	case RoleWorker, RoleAdmin:
	case RoleProducer:
		cfg.Producer.RequiredAcks = sarama.WaitForAll
		cfg.Net.MaxOpenRequests = 1
		// lz4 unlike Connect's none: change events are ~4 KB of repetitive
		// JSON (schemas included) that lz4 shrinks several times over, and
		// sarama copies every record twice into a produce request, so
		// compressing costs the producer about what the second copy and the
		// socket writes it saves (bench/: same CPU per row, a fraction of the
		// bytes and of the broker's CPU). Records and delivery semantics are
		// unchanged; producer.compression.type=none restores Connect's.
		cfg.Producer.Compression = sarama.CompressionLZ4
		// linger.ms=5, Kafka 4.0's producer default (KIP-1030): sarama's
		// default of sending whatever is buffered as soon as it can makes
		// many small requests, each encoded, compressed and acknowledged on
		// its own. Waiting up to 5 ms costs ~15 % less CPU per record
		// (bench: runner BenchmarkSource) for at most 5 ms of latency.
		cfg.Producer.Flush.Frequency = 5 * time.Millisecond
		// Connect retries sends "forever" (retries=MAX_INT); sarama sizes a
		// per-partition buffer by Retry.Max, so a huge value costs 32 MiB
		// per topic-partition (measured by bench/harness). 100 retries with
		// a backoff growing to 2 s ride out several minutes of broker
		// trouble before the task fails; producer.retries overrides it.
		cfg.Producer.Retry.Max = 100
		cfg.Producer.Retry.BackoffFunc = func(retries, _ int) time.Duration {
			d := 100 * time.Millisecond << min(retries, 5)
			return min(d, 2*time.Second)
		}
	case RoleConsumer:
		cfg.Consumer.Offsets.Initial = sarama.OffsetOldest
		cfg.Consumer.Offsets.AutoCommit.Enable = false
		cfg.Consumer.Return.Errors = true
	default:
		return nil, fmt.Errorf("kafka: unknown client role %q", role)
	}
	if err := ApplyClientProps(cfg, roleProps(props, role)); err != nil {
		if role != RoleWorker {
			return nil, fmt.Errorf("kafka: %s client: %w", role, err)
		}
		return nil, fmt.Errorf("kafka: %w", err)
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("kafka: %s client config: %w", roleName(role), err)
	}
	return cfg, nil
}

func roleName(role string) string {
	if role == RoleWorker {
		return "worker"
	}
	return role
}

// roleProps returns the properties that apply to role with the prefix removed.
func roleProps(props map[string]string, role string) map[string]string {
	if role == RoleWorker {
		return props
	}
	prefix := role + "."
	out := make(map[string]string)
	for k, v := range props {
		if name, ok := strings.CutPrefix(k, prefix); ok {
			out[name] = v
		}
	}
	return out
}

// IgnoredKeys lists the role's prefixed properties (full names, sorted) that
// SaramaConfig does not support, so the caller can warn about them. For
// RoleWorker it returns nil: worker properties mix many non-client keys.
func IgnoredKeys(props map[string]string, role string) []string {
	if role == RoleWorker {
		return nil
	}
	var out []string
	for k := range roleProps(props, role) {
		if !clientKey(k) {
			out = append(out, role+"."+k)
		}
	}
	sortStrings(out)
	return out
}

func clientKey(k string) bool {
	if _, ok := clientSetters()[k]; ok {
		return true
	}
	switch k {
	case KeySecurityProtocol, KeySASLMechanism, KeySASLJAASConfig,
		// Handled by the caller, or fixed by Connect for its clients.
		"bootstrap.servers", "key.serializer", "value.serializer", "key.deserializer", "value.deserializer":
		return true
	}
	return strings.HasPrefix(k, "ssl.")
}

type setter func(cfg *sarama.Config, v string) error

// clientSetters maps each supported client key to the code applying it.
func clientSetters() map[string]setter {
	m := consumerSetters()
	maps.Copy(m, map[string]setter{
		KeyClientID: func(c *sarama.Config, v string) error { c.ClientID = v; return nil },
		KeyAcks:     setAcks,
		KeyCompressionType: func(c *sarama.Config, v string) error {
			var codec sarama.CompressionCodec
			if err := codec.UnmarshalText([]byte(strings.ToLower(v))); err != nil {
				return err
			}
			c.Producer.Compression = codec
			return nil
		},
		// Applied by applyCompressionLevel for the codec in use.
		"compression.gzip.level": func(*sarama.Config, string) error { return nil },
		"compression.zstd.level": func(*sarama.Config, string) error { return nil },
		KeyLingerMs:              msSetter(func(c *sarama.Config, d time.Duration) { c.Producer.Flush.Frequency = d }),
		KeyBatchSize:             intSetter(func(c *sarama.Config, n int) { c.Producer.Flush.Bytes = n }),
		KeyMaxRequestSize:        intSetter(func(c *sarama.Config, n int) { c.Producer.MaxMessageBytes = n }),
		KeyEnableIdempotence: func(c *sarama.Config, v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return err
			}
			c.Producer.Idempotent = b
			if b {
				c.Producer.RequiredAcks = sarama.WaitForAll
				c.Net.MaxOpenRequests = 1
			}
			return nil
		},
		KeyMaxInFlight: intSetter(func(c *sarama.Config, n int) { c.Net.MaxOpenRequests = n }),
		KeyRetries:     intSetter(func(c *sarama.Config, n int) { c.Producer.Retry.Max = n }),
		KeyRetryBackoffMs: msSetter(func(c *sarama.Config, d time.Duration) {
			c.Producer.Retry.Backoff, c.Consumer.Retry.Backoff, c.Metadata.Retry.Backoff = d, d, d
			c.Producer.Retry.BackoffFunc = nil // an explicit backoff is constant, as in Kafka
		}),
		KeyRequestTimeoutMs: msSetter(func(c *sarama.Config, d time.Duration) {
			c.Net.ReadTimeout, c.Net.WriteTimeout, c.Producer.Timeout, c.Admin.Timeout = d, d, d, d
		}),
		KeyMetadataMaxAgeMs:         msSetter(func(c *sarama.Config, d time.Duration) { c.Metadata.RefreshFrequency = d }),
		KeyConnectionSetupTimeoutMs: msSetter(func(c *sarama.Config, d time.Duration) { c.Net.DialTimeout = d }),
	})
	return m
}

// consumerSetters covers the consumer-group and fetch keys.
func consumerSetters() map[string]setter {
	return map[string]setter{
		KeyMaxPollRecords:         intSetter(func(c *sarama.Config, n int) { c.ChannelBufferSize = n }),
		KeyFetchMinBytes:          int32Setter(func(c *sarama.Config, n int32) { c.Consumer.Fetch.Min = n }),
		KeyFetchMaxBytes:          int32Setter(func(c *sarama.Config, n int32) { c.Consumer.Fetch.MaxBytes = n }),
		KeyMaxPartitionFetchBytes: int32Setter(func(c *sarama.Config, n int32) { c.Consumer.Fetch.Default = n }),
		KeyFetchMaxWaitMs:         msSetter(func(c *sarama.Config, d time.Duration) { c.Consumer.MaxWaitTime = d }),
		KeySessionTimeoutMs:       msSetter(func(c *sarama.Config, d time.Duration) { c.Consumer.Group.Session.Timeout = d }),
		KeyHeartbeatIntervalMs:    msSetter(func(c *sarama.Config, d time.Duration) { c.Consumer.Group.Heartbeat.Interval = d }),
		KeyMaxPollIntervalMs:      msSetter(func(c *sarama.Config, d time.Duration) { c.Consumer.Group.Rebalance.Timeout = d }),
		KeyAutoOffsetReset: func(c *sarama.Config, v string) error {
			switch strings.ToLower(v) {
			case "earliest":
				c.Consumer.Offsets.Initial = sarama.OffsetOldest
			case "latest":
				c.Consumer.Offsets.Initial = sarama.OffsetNewest
			default:
				return fmt.Errorf("unsupported value %q (earliest or latest)", v)
			}
			return nil
		},
		KeyEnableAutoCommit: func(c *sarama.Config, v string) error {
			b, err := strconv.ParseBool(v)
			c.Consumer.Offsets.AutoCommit.Enable = b
			return err
		},
		KeyAutoCommitIntervalMs: msSetter(func(c *sarama.Config, d time.Duration) { c.Consumer.Offsets.AutoCommit.Interval = d }),
		KeyIsolationLevel: func(c *sarama.Config, v string) error {
			switch strings.ToLower(v) {
			case "read_uncommitted":
				c.Consumer.IsolationLevel = sarama.ReadUncommitted
			case "read_committed":
				c.Consumer.IsolationLevel = sarama.ReadCommitted
			default:
				return fmt.Errorf("unsupported value %q", v)
			}
			return nil
		},
		KeyGroupInstanceID:             func(c *sarama.Config, v string) error { c.Consumer.Group.InstanceId = v; return nil },
		KeyPartitionAssignmentStrategy: setAssignors,
	}
}

// ApplyClientProps applies unprefixed Kafka client properties (for example a
// connector's stripped `producer.override.*`) to cfg. Unknown keys are ignored.
func ApplyClientProps(cfg *sarama.Config, props map[string]string) error {
	setters := clientSetters()
	for _, k := range sortedKeys(props) {
		set, ok := setters[k]
		if !ok {
			continue
		}
		if err := set(cfg, strings.TrimSpace(props[k])); err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
	}
	if err := applyCompressionLevel(cfg, props); err != nil {
		return err
	}
	return applySecurity(cfg, props)
}

// compressionLevelKeys are Kafka's per-codec level keys (KIP-390) that
// sarama can apply: it has one level, used by gzip and zstd.
var compressionLevelKeys = map[sarama.CompressionCodec]string{
	sarama.CompressionGZIP: "compression.gzip.level",
	sarama.CompressionZSTD: "compression.zstd.level",
}

// applyCompressionLevel sets the level of the codec in use, once every key
// is applied, so the order of compression.type and the level keys does not
// matter.
func applyCompressionLevel(cfg *sarama.Config, props map[string]string) error {
	key, ok := compressionLevelKeys[cfg.Producer.Compression]
	if !ok {
		return nil
	}
	v := strings.TrimSpace(props[key])
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	cfg.Producer.CompressionLevel = n
	return nil
}

func setAcks(c *sarama.Config, v string) error {
	switch strings.ToLower(v) {
	case "all", "-1":
		c.Producer.RequiredAcks = sarama.WaitForAll
	case "1":
		c.Producer.RequiredAcks = sarama.WaitForLocal
	case "0":
		c.Producer.RequiredAcks = sarama.NoResponse
	default:
		return fmt.Errorf("unsupported value %q (all, -1, 0 or 1)", v)
	}
	return nil
}

func setAssignors(c *sarama.Config, v string) error {
	var out []sarama.BalanceStrategy
	for _, name := range strings.Split(v, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		short := strings.ToLower(name[strings.LastIndex(name, ".")+1:])
		switch strings.TrimSuffix(short, "assignor") {
		case "range":
			out = append(out, sarama.NewBalanceStrategyRange())
		case "roundrobin":
			out = append(out, sarama.NewBalanceStrategyRoundRobin())
		case "sticky":
			out = append(out, sarama.NewBalanceStrategySticky())
		case "cooperativesticky":
			// Not supported by sarama; the remaining strategies still apply.
		default:
			return fmt.Errorf("unsupported assignor %q", name)
		}
	}
	if len(out) > 0 {
		c.Consumer.Group.Rebalance.GroupStrategies = out
	}
	return nil
}

func intSetter(f func(*sarama.Config, int)) setter {
	return func(c *sarama.Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return err
		}
		if n > 1<<30 {
			n = 1 << 30 // Integer.MAX_VALUE-style "unbounded" values
		}
		f(c, n)
		return nil
	}
}

func int32Setter(f func(*sarama.Config, int32)) setter {
	return func(c *sarama.Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil {
			return err
		}
		f(c, int32(n))
		return nil
	}
}

func msSetter(f func(*sarama.Config, time.Duration)) setter {
	return func(c *sarama.Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return err
		}
		if n < 0 {
			return fmt.Errorf("negative duration %d ms", n)
		}
		f(c, time.Duration(n)*time.Millisecond)
		return nil
	}
}
