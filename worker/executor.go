package worker

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"strings"

	"github.com/IBM/sarama"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/worker/kafka"
	"github.com/wharf-project/wharf/worker/metrics"
	"github.com/wharf-project/wharf/worker/runner"
	"github.com/wharf-project/wharf/worker/tolerance"
	"github.com/wharf-project/wharf/worker/transform"
)

// Runners builds task runners on a Kafka cluster: it is the RunnerFactory
// the herder uses outside tests.
type Runners struct {
	cfg       *Config
	reg       *connector.Registry
	brokers   []string
	offsets   OffsetStore
	statuses  StatusStore
	metrics   *metrics.Metrics
	admin     sarama.ClusterAdmin // for topic creation; may be nil
	providers *Providers
}

// NewRunners returns a factory that runs tasks against brokers.
func NewRunners(cfg *Config, reg *connector.Registry, brokers []string, offsets OffsetStore, statuses StatusStore,
	m *metrics.Metrics, admin sarama.ClusterAdmin, providers *Providers) *Runners {
	return &Runners{cfg: cfg, reg: reg, brokers: brokers, offsets: offsets, statuses: statuses, metrics: m,
		admin: admin, providers: providers}
}

// Resolve applies config providers.
func (r *Runners) Resolve(props map[string]string) (map[string]string, error) {
	return r.providers.Resolve(props)
}

// clientProps merges the worker's client settings with a connector's
// <role>.override.* keys (connector.client.config.override.policy=All).
func (r *Runners) clientProps(role string, conn map[string]string) map[string]string {
	props := maps.Clone(r.cfg.Props)
	prefix := role + ".override."
	for k, v := range conn {
		if strings.HasPrefix(k, prefix) {
			props[role+"."+strings.TrimPrefix(k, prefix)] = v
		}
	}
	return props
}

func subProps(props map[string]string, prefix string) map[string]string {
	out := map[string]string{}
	for k, v := range props {
		if strings.HasPrefix(k, prefix) {
			out[strings.TrimPrefix(k, prefix)] = v
		}
	}
	return out
}

// NewTask builds the runner of one task.
func (r *Runners) NewTask(ctx context.Context, spec TaskSpec) (TaskRunner, error) {
	conn := spec.ConnectorProps
	keyConv, _, err := NewConverter(r.reg, r.cfg.Props, conn, keyKeyConverter, true)
	if err != nil {
		return nil, err
	}
	valConv, _, err := NewConverter(r.reg, r.cfg.Props, conn, keyValueConverter, false)
	if err != nil {
		return nil, err
	}
	hdrConv, err := NewHeaderConverter(r.reg, r.cfg.Props, conn)
	if err != nil {
		return nil, err
	}
	chain, err := transform.NewChain(r.reg, conn)
	if err != nil {
		return nil, err
	}
	errs, err := tolerance.Parse(conn)
	if err != nil {
		return nil, err
	}
	var tm *metrics.Task
	if r.metrics != nil {
		tm = r.metrics.Task(spec.Connector, spec.TaskID)
	}
	onState := func(s runner.State, err error) { spec.OnState(string(s), err) }
	onTopic := func(topic string) {
		if r.cfg.TopicTracking {
			_ = r.statuses.PutTopic(context.Background(), spec.Connector, topic, spec.TaskID)
		}
	}
	switch inst := spec.Instance.(type) {
	case connector.SourceConnector:
		sc, err := kafka.SaramaConfig(r.clientProps("producer", conn), "producer")
		if err != nil {
			return nil, err
		}
		return withMetrics(runner.NewSource(runner.SourceConfig{
			Connector: spec.Connector, TaskID: spec.TaskID, Task: inst.NewTask(), Props: spec.TaskProps,
			KeyConverter: keyConv, ValueConverter: valConv, HeaderConverter: hdrConv, Transforms: chain,
			Brokers: r.brokers, Sarama: sc, Offsets: r.offsets,
			FlushInterval: r.cfg.OffsetFlushInterval, FlushTimeout: r.cfg.OffsetFlushTimeout,
			Errors: errs, EnsureTopic: r.topicCreator(conn), OnTopic: onTopic,
			Log: spec.Logger, Metrics: tm, OnState: onState,
		}), tm), nil
	case connector.SinkConnector:
		sc, err := kafka.SaramaConfig(r.clientProps("consumer", conn), "consumer")
		if err != nil {
			return nil, err
		}
		var topics []string
		for _, t := range strings.Split(conn[keyTopics], ",") {
			if t = strings.TrimSpace(t); t != "" {
				topics = append(topics, t)
			}
		}
		maxPoll, _ := strconv.Atoi(r.clientProps("consumer", conn)["consumer.max.poll.records"])
		return withMetrics(runner.NewSink(runner.SinkConfig{
			Connector: spec.Connector, TaskID: spec.TaskID, Task: inst.NewTask(), Props: spec.TaskProps,
			Topics: topics, TopicsRegex: strings.TrimSpace(conn[keyTopicsRegex]),
			GroupID:      sinkGroup(spec.Connector, conn),
			KeyConverter: keyConv, ValueConverter: valConv, HeaderConverter: hdrConv, Transforms: chain,
			Brokers: r.brokers, Sarama: sc, CommitInterval: r.cfg.OffsetFlushInterval,
			MaxPollRecords: maxPoll, Errors: errs, Log: spec.Logger, Metrics: tm, OnState: onState,
		}), tm), nil
	}
	return nil, fmt.Errorf("connector %s is neither a source nor a sink", spec.Plugin.Class)
}

// taskWithMetrics drops a task's metric series when its runner ends, so a
// deleted connector leaves no stale series behind.
type taskWithMetrics struct {
	TaskRunner
	m *metrics.Task
}

func withMetrics(r TaskRunner, m *metrics.Task) TaskRunner {
	if m == nil {
		return r
	}
	return taskWithMetrics{r, m}
}

func (t taskWithMetrics) Run(ctx context.Context) error {
	defer t.m.Remove()
	return t.TaskRunner.Run(ctx)
}

// topicCreator creates topics for source records as Connect's
// topic.creation.default.* settings ask (KIP-158), when the worker allows it.
func (r *Runners) topicCreator(conn map[string]string) func(context.Context, string) error {
	if r.admin == nil || r.cfg.Props["topic.creation.enable"] == "false" {
		return nil
	}
	rfStr, partStr := conn["topic.creation.default.replication.factor"], conn["topic.creation.default.partitions"]
	if rfStr == "" && partStr == "" {
		return nil
	}
	rf, parts := int16(-1), int32(-1)
	fmt.Sscan(rfStr, &rf)
	fmt.Sscan(partStr, &parts)
	configs := map[string]string{}
	for k, v := range conn {
		if rest, ok := strings.CutPrefix(k, "topic.creation.default."); ok && rest != "replication.factor" && rest != "partitions" {
			configs[rest] = v
		}
	}
	return func(ctx context.Context, topic string) error {
		return kafka.EnsureTopic(ctx, r.admin, topic, parts, rf, configs)
	}
}
