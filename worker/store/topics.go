package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/IBM/sarama"

	"github.com/wharf-project/wharf/worker/kafka"
)

// Distributed-mode worker properties naming the internal topics.
const (
	// KeyConfigTopic is `config.storage.topic`: required; the config topic (1 partition, compacted).
	KeyConfigTopic = "config.storage.topic"
	// KeyConfigReplication is `config.storage.replication.factor`: default 3, -1 = broker default.
	KeyConfigReplication = "config.storage.replication.factor"
	// KeyOffsetTopic is `offset.storage.topic`: required; source offsets (compacted).
	KeyOffsetTopic = "offset.storage.topic"
	// KeyOffsetPartitions is `offset.storage.partitions`: default 25, -1 = broker default.
	KeyOffsetPartitions = "offset.storage.partitions"
	// KeyOffsetReplication is `offset.storage.replication.factor`: default 3, -1 = broker default.
	KeyOffsetReplication = "offset.storage.replication.factor"
	// KeyStatusTopic is `status.storage.topic`: required; connector and task statuses (compacted).
	KeyStatusTopic = "status.storage.topic"
	// KeyStatusPartitions is `status.storage.partitions`: default 5, -1 = broker default.
	KeyStatusPartitions = "status.storage.partitions"
	// KeyStatusReplication is `status.storage.replication.factor`: default 3, -1 = broker default.
	KeyStatusReplication = "status.storage.replication.factor"
)

// InternalTopics names the three internal topics of a distributed worker.
type InternalTopics struct {
	Config, Offset, Status string
}

type internalTopic struct {
	prefix     string // "config.storage."
	topicKey   string
	partitions int32
	partKey    string // "" = fixed partition count
	rf         int16
	purpose    string // Connect's wording in its error messages
}

// EnsureInternalTopics creates the missing internal topics of a distributed
// worker from its properties, all with cleanup.policy=compact plus any other
// `<prefix>.storage.<topic config>` settings, as Connect does, and verifies
// them: the config topic must have exactly one partition and every internal
// topic must be compact-only. Errors use Connect's wording.
func EnsureInternalTopics(ctx context.Context, admin sarama.ClusterAdmin, props map[string]string) (InternalTopics, error) {
	defs := []internalTopic{
		{"config.storage.", KeyConfigTopic, 1, "", 3, "connector configurations"},
		{"offset.storage.", KeyOffsetTopic, 25, KeyOffsetPartitions, 3, "source connector offsets"},
		{"status.storage.", KeyStatusTopic, 5, KeyStatusPartitions, 3, "connector and task statuses"},
	}
	var names [3]string
	for i, d := range defs {
		name, err := d.ensure(ctx, admin, props)
		if err != nil {
			return InternalTopics{}, err
		}
		names[i] = name
	}
	return InternalTopics{Config: names[0], Offset: names[1], Status: names[2]}, nil
}

func (d internalTopic) ensure(ctx context.Context, admin sarama.ClusterAdmin, props map[string]string) (string, error) {
	name := strings.TrimSpace(props[d.topicKey])
	if name == "" {
		return "", fmt.Errorf("store: missing required configuration %q which has no default value", d.topicKey)
	}
	parts := d.partitions
	if d.partKey != "" {
		n, err := intProp(props, d.partKey, int64(d.partitions), 32)
		if err != nil {
			return "", err
		}
		if n == 0 || n < -1 {
			return "", fmt.Errorf("store: %s must be -1 or at least 1, got %d", d.partKey, n)
		}
		parts = int32(n)
	}
	rfKey := d.prefix + "replication.factor"
	rf, err := intProp(props, rfKey, int64(d.rf), 16)
	if err != nil {
		return "", err
	}
	if rf == 0 || rf < -1 {
		return "", fmt.Errorf("store: %s must be -1 or at least 1, got %d", rfKey, rf)
	}
	configs, err := d.topicSettings(props)
	if err != nil {
		return "", err
	}
	if err := kafka.EnsureTopic(ctx, admin, name, parts, int16(rf), configs); err != nil {
		return "", fmt.Errorf("store: %w", err)
	}
	if d.partKey == "" {
		n, err := kafka.PartitionCount(admin, name)
		if err != nil {
			return "", fmt.Errorf("store: %w", err)
		}
		if n != 1 {
			return "", fmt.Errorf("Topic '%s' supplied via the '%s' property is required to have a single partition in order to guarantee consistency of %s, but found %d partitions.",
				name, d.topicKey, d.purpose, n)
		}
	}
	policy, err := kafka.TopicCleanupPolicy(admin, name)
	if err != nil {
		// Connect also carries on when it may not describe topic configs.
		return name, nil
	}
	if strings.ReplaceAll(policy, " ", "") != "compact" {
		return "", fmt.Errorf("Topic '%s' supplied via the '%s' property is required to have 'cleanup.policy=compact' to guarantee consistency and durability of %s, but found the topic currently has 'cleanup.policy=%s'. Continuing would likely result in eventually losing %s and problems restarting this Connect cluster in the future. Change the '%s' property in the Connect worker configurations to use a topic with 'cleanup.policy=compact'.",
			name, d.topicKey, d.purpose, policy, d.purpose, d.topicKey)
	}
	return name, nil
}

// topicSettings returns the `<prefix><topic config>` properties as topic
// configs, with cleanup.policy=compact enforced.
func (d internalTopic) topicSettings(props map[string]string) (map[string]string, error) {
	out := map[string]string{"cleanup.policy": "compact"}
	for k, v := range props {
		name, ok := strings.CutPrefix(k, d.prefix)
		if !ok {
			continue
		}
		switch name {
		case "topic", "replication.factor", "partitions", "file.filename":
			continue
		case "cleanup.policy":
			if strings.TrimSpace(v) != "compact" {
				return nil, fmt.Errorf("store: %s must be compact, got %q", k, v)
			}
			continue
		}
		out[name] = v
	}
	return out, nil
}

func intProp(props map[string]string, key string, def int64, bits int) (int64, error) {
	v, ok := props[key]
	if !ok || strings.TrimSpace(v) == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, bits)
	if err != nil {
		return 0, fmt.Errorf("store: %s: %w", key, errors.Unwrap(err))
	}
	return n, nil
}
