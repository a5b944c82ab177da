package worker

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/worker/store"
)

// KafkaAdmin is what the herder needs from the Kafka cluster.
type KafkaAdmin interface {
	ClusterID() string
	GroupOffsets(ctx context.Context, group string) (map[connector.TopicPartition]int64, error)
	AlterGroupOffsets(ctx context.Context, group string, offsets map[connector.TopicPartition]int64) error
	ResetGroupOffsets(ctx context.Context, group string, partitions []connector.TopicPartition) error
}

// ClusterID is the Kafka cluster id for GET / (empty when unknown).
func (h *Herder) ClusterID() string {
	if h.kafka == nil {
		return ""
	}
	return h.kafka.ClusterID()
}

// Messages of the offsets endpoints (Connect's texts).
const (
	msgOffsetsAltered = "The offsets for this connector have been altered successfully"
	msgOffsetsReset   = "The offsets for this connector have been reset successfully"
)

// sinkGroup is the consumer group of a sink connector.
func sinkGroup(name string, props map[string]string) string {
	if g := strings.TrimSpace(props["consumer.override.group.id"]); g != "" {
		return g
	}
	return "connect-" + name
}

// Offsets answers GET /connectors/{name}/offsets.
func (h *Herder) Offsets(ctx context.Context, name string) ([]Offset, error) {
	props, ok := h.configs.Snapshot().Connectors[name]
	if !ok {
		return nil, errConnectorNotFound(name)
	}
	if h.connectorType(props) == string(connector.TypeSink) {
		if h.kafka == nil {
			return []Offset{}, nil
		}
		offs, err := h.kafka.GroupOffsets(ctx, sinkGroup(name, props))
		if err != nil {
			return nil, fmt.Errorf("read consumer group offsets: %w", err)
		}
		out := make([]Offset, 0, len(offs))
		for tp, o := range offs {
			out = append(out, Offset{
				Partition: map[string]any{"kafka_topic": tp.Topic, "kafka_partition": float64(tp.Partition)},
				Offset:    map[string]any{"kafka_offset": float64(o)}})
		}
		sort.Slice(out, func(i, j int) bool {
			a, b := out[i].Partition, out[j].Partition
			if a["kafka_topic"] != b["kafka_topic"] {
				return a["kafka_topic"].(string) < b["kafka_topic"].(string)
			}
			return a["kafka_partition"].(float64) < b["kafka_partition"].(float64)
		})
		return out, nil
	}
	raw, err := h.offsets.All(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("read source offsets: %w", err)
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]Offset, 0, len(raw))
	for _, k := range keys {
		var o Offset
		if err := json.Unmarshal([]byte(k), &o.Partition); err != nil {
			continue
		}
		if err := json.Unmarshal(raw[k], &o.Offset); err != nil {
			continue
		}
		out = append(out, o)
	}
	return out, nil
}

func (h *Herder) requireStopped(name string) (map[string]string, error) {
	snap := h.configs.Snapshot()
	props, ok := snap.Connectors[name]
	if !ok {
		return nil, errConnectorNotFound(name)
	}
	if snap.TargetStates[name] != store.Stopped {
		return nil, errorf(KindBadRequest, "Connectors must be in the STOPPED state before their offsets can be modified. "+
			"This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/%s/stop' endpoint", name)
	}
	return props, nil
}

// AlterOffsets answers PATCH /connectors/{name}/offsets.
func (h *Herder) AlterOffsets(ctx context.Context, name string, offsets []Offset) (string, error) {
	var msg string
	err := h.do(ctx, func() error {
		props, err := h.requireStopped(name)
		if err != nil {
			return err
		}
		if len(offsets) == 0 {
			return errorf(KindBadRequest, "Partitions / offsets need to be provided for an alter offsets request")
		}
		if h.connectorType(props) == string(connector.TypeSink) {
			return h.alterSinkOffsets(ctx, name, props, offsets)
		}
		batch := make(map[string][]byte, len(offsets))
		for _, o := range offsets {
			if o.Partition == nil {
				return errorf(KindBadRequest, "Source partitions may not be null")
			}
			p := connector.NewSourcePartition(o.Partition).JSON()
			if o.Offset == nil {
				batch[p] = nil
				continue
			}
			b, err := json.Marshal(o.Offset)
			if err != nil {
				return errorf(KindBadRequest, "Invalid offset for partition %s: %v", p, err)
			}
			batch[p] = b
		}
		return h.offsets.Set(ctx, name, batch)
	})
	if err == nil {
		msg = msgOffsetsAltered
	}
	return msg, err
}

func (h *Herder) alterSinkOffsets(ctx context.Context, name string, props map[string]string, offsets []Offset) error {
	set := map[connector.TopicPartition]int64{}
	var reset []connector.TopicPartition
	for _, o := range offsets {
		if o.Partition == nil {
			return errorf(KindBadRequest, "The partition for a sink connector offset cannot be null or missing")
		}
		topic, ok := o.Partition["kafka_topic"].(string)
		if !ok || topic == "" {
			return errorf(KindBadRequest, "Kafka topic names must be valid strings and may not be null")
		}
		part, err := jsonInt(o.Partition["kafka_partition"])
		if err != nil {
			return errorf(KindBadRequest, "Kafka partitions must be valid numbers and may not be null")
		}
		tp := connector.TopicPartition{Topic: topic, Partition: int32(part)}
		if o.Offset == nil {
			reset = append(reset, tp)
			continue
		}
		off, err := jsonInt(o.Offset["kafka_offset"])
		if err != nil {
			return errorf(KindBadRequest, "Kafka offsets must be valid numbers and may not be null")
		}
		set[tp] = off
	}
	if h.kafka == nil {
		return errorf(KindInternal, "no Kafka cluster to alter consumer group offsets in")
	}
	group := sinkGroup(name, props)
	if len(set) > 0 {
		if err := h.kafka.AlterGroupOffsets(ctx, group, set); err != nil {
			return fmt.Errorf("alter consumer group offsets: %w", err)
		}
	}
	if len(reset) > 0 {
		if err := h.kafka.ResetGroupOffsets(ctx, group, reset); err != nil {
			return fmt.Errorf("reset consumer group offsets: %w", err)
		}
	}
	return nil
}

func jsonInt(v any) (int64, error) {
	switch n := v.(type) {
	case float64:
		if n != float64(int64(n)) {
			return 0, fmt.Errorf("not an integer")
		}
		return int64(n), nil
	case json.Number:
		return n.Int64()
	case string:
		var i int64
		_, err := fmt.Sscan(n, &i)
		return i, err
	}
	return 0, fmt.Errorf("not a number")
}

// ResetOffsets answers DELETE /connectors/{name}/offsets.
func (h *Herder) ResetOffsets(ctx context.Context, name string) (string, error) {
	err := h.do(ctx, func() error {
		props, err := h.requireStopped(name)
		if err != nil {
			return err
		}
		if h.connectorType(props) == string(connector.TypeSink) {
			if h.kafka == nil {
				return nil
			}
			return h.kafka.ResetGroupOffsets(ctx, sinkGroup(name, props), nil)
		}
		all, err := h.offsets.All(ctx, name)
		if err != nil {
			return err
		}
		batch := make(map[string][]byte, len(all))
		for k := range all {
			batch[k] = nil
		}
		if len(batch) == 0 {
			return nil
		}
		return h.offsets.Set(ctx, name, batch)
	})
	if err != nil {
		return "", err
	}
	return msgOffsetsReset, nil
}
