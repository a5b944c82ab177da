package worker

import (
	"context"

	"github.com/IBM/sarama"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/worker/kafka"
)

type clusterAdmin struct {
	admin     sarama.ClusterAdmin
	clusterID string
}

// NewClusterAdmin adapts a sarama admin client to what the herder needs.
func NewClusterAdmin(admin sarama.ClusterAdmin, clusterID string) KafkaAdmin {
	return &clusterAdmin{admin: admin, clusterID: clusterID}
}

func (c *clusterAdmin) ClusterID() string { return c.clusterID }

func (c *clusterAdmin) GroupOffsets(ctx context.Context, group string) (map[connector.TopicPartition]int64, error) {
	offs, err := kafka.GroupOffsets(ctx, c.admin, group)
	if err != nil {
		return nil, err
	}
	out := make(map[connector.TopicPartition]int64, len(offs))
	for tp, o := range offs {
		out[connector.TopicPartition{Topic: tp.Topic, Partition: tp.Partition}] = o
	}
	return out, nil
}

func (c *clusterAdmin) AlterGroupOffsets(ctx context.Context, group string, offsets map[connector.TopicPartition]int64) error {
	in := make(map[kafka.TopicPartition]int64, len(offsets))
	for tp, o := range offsets {
		in[kafka.TopicPartition{Topic: tp.Topic, Partition: tp.Partition}] = o
	}
	return kafka.AlterGroupOffsets(ctx, c.admin, group, in)
}

func (c *clusterAdmin) ResetGroupOffsets(ctx context.Context, group string, partitions []connector.TopicPartition) error {
	var tps []kafka.TopicPartition
	for _, tp := range partitions {
		tps = append(tps, kafka.TopicPartition{Topic: tp.Topic, Partition: tp.Partition})
	}
	return kafka.ResetGroupOffsets(ctx, c.admin, group, tps)
}
