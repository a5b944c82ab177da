package kafka

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/IBM/sarama"
)

// TopicInfo describes one topic for the topic browser.
type TopicInfo struct {
	Name              string
	Internal          bool // name starts with "__" (__consumer_offsets, …)
	ReplicationFactor int16
	Partitions        []PartitionInfo
}

// PartitionInfo holds the offset range of one partition.
type PartitionInfo struct {
	Partition   int32
	StartOffset int64 // log start offset
	EndOffset   int64 // high watermark: offset of the next record
}

// Records returns the number of offsets in the topic's logs (an upper bound
// of the record count on compacted topics).
func (t TopicInfo) Records() int64 {
	var n int64
	for _, p := range t.Partitions {
		n += p.EndOffset - p.StartOffset
	}
	return n
}

// ListTopics returns every topic, sorted by name, with its partitions' offset
// ranges.
func ListTopics(ctx context.Context, admin sarama.ClusterAdmin) ([]TopicInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	details, err := admin.ListTopics()
	if err != nil {
		return nil, fmt.Errorf("kafka: list topics: %w", err)
	}
	req := make(map[string]map[int32]int64)
	for name, d := range details {
		req[name] = make(map[int32]int64, d.NumPartitions)
		for p := int32(0); p < d.NumPartitions; p++ {
			req[name][p] = 0
		}
	}
	var starts, ends map[string]map[int32]*sarama.OffsetResult
	if len(req) > 0 {
		if starts, err = listOffsets(admin, req, sarama.OffsetOldest); err != nil {
			return nil, err
		}
		if ends, err = listOffsets(admin, req, sarama.OffsetNewest); err != nil {
			return nil, err
		}
	}
	out := make([]TopicInfo, 0, len(details))
	for name, d := range details {
		t := TopicInfo{Name: name, Internal: strings.HasPrefix(name, "__"), ReplicationFactor: d.ReplicationFactor}
		for p := int32(0); p < d.NumPartitions; p++ {
			pi := PartitionInfo{Partition: p}
			if r := starts[name][p]; okResult(r) {
				pi.StartOffset = r.Offset
			}
			if r := ends[name][p]; okResult(r) {
				pi.EndOffset = r.Offset
			}
			t.Partitions = append(t.Partitions, pi)
		}
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func okResult(r *sarama.OffsetResult) bool {
	return r != nil && (r.Err == nil || errors.Is(r.Err, sarama.ErrNoError))
}

func listOffsets(admin sarama.ClusterAdmin, parts map[string]map[int32]int64, which int64) (map[string]map[int32]*sarama.OffsetResult, error) {
	req := make(map[string]map[int32]int64, len(parts))
	for t, ps := range parts {
		req[t] = make(map[int32]int64, len(ps))
		for p := range ps {
			req[t][p] = which
		}
	}
	res, err := admin.ListOffsets(req, nil)
	if err != nil {
		return nil, fmt.Errorf("kafka: list offsets: %w", err)
	}
	return res, nil
}

// MaxLastRecords caps the n of LastRecords.
const MaxLastRecords = 10000

// LastRecords returns up to n of the newest records of topic across all
// partitions (the last n offsets of each partition, merged and ordered by
// timestamp, then partition and offset), oldest first.
func LastRecords(ctx context.Context, client sarama.Client, topic string, n int) ([]Record, error) {
	if n <= 0 {
		return nil, nil
	}
	n = min(n, MaxLastRecords)
	if err := client.RefreshMetadata(topic); err != nil {
		return nil, fmt.Errorf("kafka: topic %q: %w", topic, err)
	}
	parts, err := client.Partitions(topic)
	if err != nil {
		return nil, fmt.Errorf("kafka: topic %q: %w", topic, err)
	}
	starts, err := Offsets(client, topic, parts, sarama.OffsetOldest)
	if err != nil {
		return nil, err
	}
	ends, err := Offsets(client, topic, parts, sarama.OffsetNewest)
	if err != nil {
		return nil, err
	}
	pos := make(map[int32]int64)
	for _, p := range parts {
		if from := max(starts[p], ends[p]-int64(n)); from < ends[p] {
			pos[p] = from
		}
	}
	f := NewFetcher(client)
	defer f.Close()
	var out []Record
	for len(pos) > 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		err := f.Fetch(topic, pos, 100*time.Millisecond, func(r *Record) {
			if r.Offset < ends[r.Partition] {
				out = append(out, *r)
			}
		})
		if err != nil && !errors.Is(err, context.Canceled) {
			time.Sleep(50 * time.Millisecond) // transient (leader move); bounded by ctx
		}
		for p, next := range pos {
			if next >= ends[p] {
				delete(pos, p)
			}
		}
	}
	sortByTime(out)
	if len(out) > n {
		out = out[len(out)-n:]
	}
	return out, nil
}

// sortByTime orders records by timestamp, then partition and offset.
func sortByTime(recs []Record) {
	sort.Slice(recs, func(i, j int) bool {
		a, b := &recs[i], &recs[j]
		if !a.Timestamp.Equal(b.Timestamp) {
			return a.Timestamp.Before(b.Timestamp)
		}
		if a.Partition != b.Partition {
			return a.Partition < b.Partition
		}
		return a.Offset < b.Offset
	})
}
