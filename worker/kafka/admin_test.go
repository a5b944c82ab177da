package kafka

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/wharf-project/wharf/connector/testserver"
)

func newAdmin(t *testing.T, addrs []string) (sarama.Client, sarama.ClusterAdmin) {
	t.Helper()
	cfg, err := SaramaConfig(nil, RoleWorker)
	if err != nil {
		t.Fatal(err)
	}
	client, err := sarama.NewClient(addrs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := sarama.NewClusterAdminFromClient(client)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() }) // closes the client too
	return client, admin
}

func TestEnsureTopicAndCheckCompacted(t *testing.T) {
	ctx := context.Background()
	_, admin := newAdmin(t, testserver.Kafka(t, 1))
	if err := EnsureTopic(ctx, admin, "configs", 1, 1, map[string]string{"cleanup.policy": "compact"}); err != nil {
		t.Fatal(err)
	}
	if err := EnsureTopic(ctx, admin, "configs", 1, 1, nil); err != nil {
		t.Fatalf("existing topic: %v", err)
	}
	if err := CheckCompacted(admin, "configs"); err != nil {
		t.Errorf("compacted topic rejected: %v", err)
	}
	if err := EnsureTopic(ctx, admin, "plain", 3, -1, nil); err != nil {
		t.Fatal(err)
	}
	if n, err := PartitionCount(admin, "plain"); err != nil || n != 3 {
		t.Errorf("PartitionCount = %d, %v", n, err)
	}
	err := CheckCompacted(admin, "plain")
	if err == nil || !strings.Contains(err.Error(), "cleanup.policy=delete") {
		t.Errorf("CheckCompacted(delete topic) = %v", err)
	}
}

func TestClusterID(t *testing.T) {
	client, _ := newAdmin(t, testserver.Kafka(t, 1))
	id, err := ClusterID(context.Background(), client)
	if err != nil || id == "" {
		t.Fatalf("ClusterID = %q, %v", id, err)
	}
}

func TestGroupOffsets(t *testing.T) {
	ctx := context.Background()
	_, admin := newAdmin(t, testserver.Kafka(t, 1))
	if err := EnsureTopic(ctx, admin, "lines", 2, 1, nil); err != nil {
		t.Fatal(err)
	}
	group := "connect-file-sink"
	got, err := GroupOffsets(ctx, admin, group)
	if err != nil || len(got) != 0 {
		t.Fatalf("unknown group: %v, %v", got, err)
	}
	want := map[TopicPartition]int64{{"lines", 0}: 5, {"lines", 1}: 7}
	if err := AlterGroupOffsets(ctx, admin, group, want); err != nil {
		t.Fatal(err)
	}
	if got, err = GroupOffsets(ctx, admin, group); err != nil || !equalOffsets(got, want) {
		t.Fatalf("after alter: %v, %v", got, err)
	}
	if err := ResetGroupOffsets(ctx, admin, group, []TopicPartition{{"lines", 0}}); err != nil {
		t.Fatal(err)
	}
	if got, err = GroupOffsets(ctx, admin, group); err != nil || !equalOffsets(got, map[TopicPartition]int64{{"lines", 1}: 7}) {
		t.Fatalf("after partial reset: %v, %v", got, err)
	}
	if err := ResetGroupOffsets(ctx, admin, group, nil); err != nil {
		t.Fatal(err)
	}
	if got, err = GroupOffsets(ctx, admin, group); err != nil || len(got) != 0 {
		t.Fatalf("after reset: %v, %v", got, err)
	}
	if err := ResetGroupOffsets(ctx, admin, "no-such-group", nil); err != nil {
		t.Errorf("reset of a missing group: %v", err)
	}
}

func equalOffsets(a, b map[TopicPartition]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestTopicBrowser(t *testing.T) {
	ctx := context.Background()
	addrs := testserver.Kafka(t, 1)
	client, admin := newAdmin(t, addrs)
	if err := EnsureTopic(ctx, admin, "events", 3, 1, nil); err != nil {
		t.Fatal(err)
	}
	cfg, _ := SaramaConfig(nil, RoleProducer)
	cfg.Producer.Partitioner = sarama.NewManualPartitioner
	p, err := sarama.NewSyncProducer(addrs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	base := time.UnixMilli(1_700_000_000_000)
	// Ten records spread over the partitions; timestamps interleave them.
	for i := range 10 {
		msg := &sarama.ProducerMessage{
			Topic: "events", Partition: int32(i % 3),
			Key: sarama.StringEncoder("k" + string(rune('0'+i))), Value: sarama.StringEncoder("v" + string(rune('0'+i))),
			Headers:   []sarama.RecordHeader{{Key: []byte("h"), Value: []byte{byte(i)}}},
			Timestamp: base.Add(time.Duration(i) * time.Second),
		}
		if _, _, err := p.SendMessage(msg); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := p.SendMessage(&sarama.ProducerMessage{Topic: "other", Value: sarama.StringEncoder("x")}); err != nil {
		t.Fatal(err)
	}
	topics, err := ListTopics(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	var ev *TopicInfo
	for i := range topics {
		if topics[i].Name == "events" {
			ev = &topics[i]
		}
	}
	if ev == nil || len(ev.Partitions) != 3 || ev.Records() != 10 || ev.Partitions[0].EndOffset != 4 {
		t.Fatalf("ListTopics: %+v", topics)
	}
	if !slices.IsSortedFunc(topics, func(a, b TopicInfo) int { return strings.Compare(a.Name, b.Name) }) {
		t.Error("topics not sorted")
	}
	recs, err := LastRecords(ctx, client, "events", 4)
	if err != nil {
		t.Fatal(err)
	}
	var vals []string
	for _, r := range recs {
		vals = append(vals, string(r.Value))
	}
	if strings.Join(vals, ",") != "v6,v7,v8,v9" {
		t.Fatalf("LastRecords values = %v", vals)
	}
	last := recs[3]
	if string(last.Key) != "k9" || last.Partition != 0 || last.Offset != 3 ||
		!last.Timestamp.Equal(base.Add(9*time.Second)) || len(last.Headers) != 1 || last.Headers[0].Value[0] != 9 {
		t.Errorf("last record: %+v", last)
	}
	if recs, err := LastRecords(ctx, client, "events", 100); err != nil || len(recs) != 10 {
		t.Errorf("LastRecords(100) = %d records, %v", len(recs), err)
	}
}
