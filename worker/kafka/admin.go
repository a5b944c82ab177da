package kafka

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/IBM/sarama"
)

// TopicPartition names one partition of a topic.
type TopicPartition struct {
	Topic     string
	Partition int32
}

func (tp TopicPartition) String() string { return fmt.Sprintf("%s-%d", tp.Topic, tp.Partition) }

// EnsureTopic creates topic name unless it exists. partitions and rf -1 use
// the broker defaults (num.partitions, default.replication.factor).
func EnsureTopic(ctx context.Context, admin sarama.ClusterAdmin, name string, partitions int32, rf int16, configs map[string]string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	detail := &sarama.TopicDetail{NumPartitions: partitions, ReplicationFactor: rf}
	if len(configs) > 0 {
		detail.ConfigEntries = make(map[string]*string, len(configs))
		for k, v := range configs {
			detail.ConfigEntries[k] = &v
		}
	}
	err := admin.CreateTopic(name, detail, false)
	if err == nil || errors.Is(err, sarama.ErrTopicAlreadyExists) {
		return nil
	}
	if errors.Is(err, sarama.ErrInvalidReplicationFactor) {
		return fmt.Errorf("kafka: create topic %q with replication factor %d: %w (use -1 for the broker default or a value no larger than the number of brokers)", name, rf, err)
	}
	return fmt.Errorf("kafka: create topic %q: %w", name, err)
}

// TopicCleanupPolicy returns the topic's cleanup.policy ("delete" when unset).
func TopicCleanupPolicy(admin sarama.ClusterAdmin, topic string) (string, error) {
	entries, err := admin.DescribeConfig(sarama.ConfigResource{
		Type: sarama.TopicResource, Name: topic, ConfigNames: []string{"cleanup.policy"},
	})
	if err != nil {
		return "", fmt.Errorf("kafka: describe topic %q config: %w", topic, err)
	}
	for _, e := range entries {
		if e.Name == "cleanup.policy" {
			return e.Value, nil
		}
	}
	return "delete", nil
}

// CheckCompacted returns an error unless topic's cleanup.policy is exactly
// compact: with "delete" (alone or with compact) old configurations and
// offsets would eventually be lost.
func CheckCompacted(admin sarama.ClusterAdmin, topic string) error {
	policy, err := TopicCleanupPolicy(admin, topic)
	if err != nil {
		return err
	}
	if strings.ReplaceAll(strings.ToLower(policy), " ", "") != "compact" {
		return fmt.Errorf("kafka: topic %q must have cleanup.policy=compact but has cleanup.policy=%s", topic, policy)
	}
	return nil
}

// PartitionCount returns the number of partitions of topic.
func PartitionCount(admin sarama.ClusterAdmin, topic string) (int32, error) {
	md, err := admin.DescribeTopics([]string{topic})
	if err != nil {
		return 0, fmt.Errorf("kafka: describe topic %q: %w", topic, err)
	}
	if len(md) != 1 {
		return 0, fmt.Errorf("kafka: describe topic %q: no metadata", topic)
	}
	if !errors.Is(md[0].Err, sarama.ErrNoError) {
		return 0, fmt.Errorf("kafka: describe topic %q: %w", topic, md[0].Err)
	}
	return int32(len(md[0].Partitions)), nil
}

// ClusterID returns the Kafka cluster ID (the `kafka_cluster_id` of GET /).
func ClusterID(ctx context.Context, client sarama.Client) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	b := client.LeastLoadedBroker()
	if b == nil {
		return "", errors.New("kafka: cluster id: no broker available")
	}
	if ok, _ := b.Connected(); !ok {
		if err := b.Open(client.Config()); err != nil && !errors.Is(err, sarama.ErrAlreadyConnected) {
			return "", fmt.Errorf("kafka: cluster id: %w", err)
		}
	}
	resp, err := b.GetMetadata(sarama.NewMetadataRequest(client.Config().Version, []string{}))
	if err != nil {
		return "", fmt.Errorf("kafka: cluster id: %w", err)
	}
	if resp.ClusterID == nil {
		return "", errors.New("kafka: cluster id: broker did not report one")
	}
	return *resp.ClusterID, nil
}

// GroupOffsets returns the committed offsets of a consumer group (partitions
// without a committed offset are left out). A group that does not exist has
// no offsets.
func GroupOffsets(ctx context.Context, admin sarama.ClusterAdmin, group string) (map[TopicPartition]int64, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	resp, err := admin.ListConsumerGroupOffsets(group, nil)
	if errors.Is(err, sarama.ErrGroupIDNotFound) {
		return map[TopicPartition]int64{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("kafka: list offsets of group %q: %w", group, err)
	}
	blocks := resp.Blocks
	if g := resp.GetGroup(group); g != nil {
		blocks = g.Blocks
	}
	out := make(map[TopicPartition]int64)
	for topic, parts := range blocks {
		for p, b := range parts {
			if !errors.Is(b.Err, sarama.ErrNoError) {
				return nil, fmt.Errorf("kafka: list offsets of group %q, %s-%d: %w", group, topic, p, b.Err)
			}
			if b.Offset >= 0 {
				out[TopicPartition{topic, p}] = b.Offset
			}
		}
	}
	return out, nil
}

// AlterGroupOffsets commits the given offsets for group. Kafka accepts this
// only while the group has no active members (for a sink connector: stopped).
func AlterGroupOffsets(ctx context.Context, admin sarama.ClusterAdmin, group string, offsets map[TopicPartition]int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(offsets) == 0 {
		return nil
	}
	req := make(map[string]map[int32]sarama.OffsetAndMetadata)
	for tp, off := range offsets {
		if req[tp.Topic] == nil {
			req[tp.Topic] = make(map[int32]sarama.OffsetAndMetadata)
		}
		req[tp.Topic][tp.Partition] = sarama.OffsetAndMetadata{Offset: off, LeaderEpoch: -1}
	}
	resp, err := admin.AlterConsumerGroupOffsets(group, req, nil)
	if err != nil {
		return fmt.Errorf("kafka: alter offsets of group %q: %w", group, err)
	}
	var errs []error
	for topic, parts := range resp.Errors {
		for p, kerr := range parts {
			if !errors.Is(kerr, sarama.ErrNoError) {
				errs = append(errs, fmt.Errorf("%s-%d: %w", topic, p, kerr))
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("kafka: alter offsets of group %q: %w", group, errors.Join(errs...))
	}
	return nil
}

// ResetGroupOffsets deletes the committed offsets of the given partitions, or
// the whole group when partitions is empty (a missing group is not an error),
// as Connect does for DELETE /connectors/{name}/offsets of a sink.
func ResetGroupOffsets(ctx context.Context, admin sarama.ClusterAdmin, group string, partitions []TopicPartition) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(partitions) == 0 {
		err := admin.DeleteConsumerGroup(group)
		if err != nil && !errors.Is(err, sarama.ErrGroupIDNotFound) {
			return fmt.Errorf("kafka: delete group %q: %w", group, err)
		}
		return nil
	}
	for _, tp := range partitions {
		err := admin.DeleteConsumerGroupOffset(group, tp.Topic, tp.Partition)
		if err != nil && !errors.Is(err, sarama.ErrGroupIDNotFound) && !errors.Is(err, sarama.ErrUnknownTopicOrPartition) {
			return fmt.Errorf("kafka: delete offset of group %q for %s: %w", group, tp, err)
		}
	}
	return nil
}

// SortPartitions orders partitions by topic, then partition number.
func SortPartitions(tps []TopicPartition) {
	sort.Slice(tps, func(i, j int) bool {
		if tps[i].Topic != tps[j].Topic {
			return tps[i].Topic < tps[j].Topic
		}
		return tps[i].Partition < tps[j].Partition
	})
}
