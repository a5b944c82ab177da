package store

import (
	"context"
	"strings"
	"testing"

	"github.com/wharf-project/wharf/worker/kafka"
)

func TestEnsureInternalTopics(t *testing.T) {
	ctx := testCtx(t)
	addrs := cluster(t)
	admin := newAdmin(t, addrs)
	props := map[string]string{
		KeyConfigTopic: "connect-configs", KeyOffsetTopic: "connect-offsets", KeyStatusTopic: "connect-status",
		KeyConfigReplication: "1", KeyOffsetReplication: "-1", KeyStatusReplication: "1",
		"offset.storage.file.filename":       "/ignored",
		"status.storage.min.insync.replicas": "1",
	}
	got, err := EnsureInternalTopics(ctx, admin, props)
	if err != nil {
		t.Fatal(err)
	}
	if got != (InternalTopics{"connect-configs", "connect-offsets", "connect-status"}) {
		t.Errorf("names = %+v", got)
	}
	for topic, parts := range map[string]int32{"connect-configs": 1, "connect-offsets": 25, "connect-status": 5} {
		if n, err := kafka.PartitionCount(admin, topic); err != nil || n != parts {
			t.Errorf("%s: %d partitions (%v), want %d", topic, n, err, parts)
		}
		if err := kafka.CheckCompacted(admin, topic); err != nil {
			t.Error(err)
		}
	}
	// Existing topics are accepted as they are.
	if _, err := EnsureInternalTopics(ctx, admin, props); err != nil {
		t.Fatalf("second run: %v", err)
	}
}

func TestEnsureInternalTopicsRejects(t *testing.T) {
	ctx := testCtx(t)
	addrs := cluster(t)
	admin := newAdmin(t, addrs)
	base := func() map[string]string {
		return map[string]string{
			KeyConfigTopic: "cfg", KeyOffsetTopic: "off", KeyStatusTopic: "st",
			KeyConfigReplication: "1", KeyOffsetReplication: "1", KeyStatusReplication: "1",
			KeyOffsetPartitions: "2", KeyStatusPartitions: "1",
		}
	}
	if err := kafka.EnsureTopic(ctx, admin, "cfg", 2, 1, map[string]string{"cleanup.policy": "compact"}); err != nil {
		t.Fatal(err)
	}
	_, err := EnsureInternalTopics(ctx, admin, base())
	want := "Topic 'cfg' supplied via the 'config.storage.topic' property is required to have a single partition in order to guarantee consistency of connector configurations, but found 2 partitions."
	if err == nil || err.Error() != want {
		t.Errorf("two-partition config topic: %v", err)
	}

	if err := kafka.EnsureTopic(ctx, admin, "st-delete", 1, 1, nil); err != nil {
		t.Fatal(err)
	}
	p := base()
	p[KeyConfigTopic], p[KeyStatusTopic] = "cfg-ok", "st-delete"
	_, err = EnsureInternalTopics(ctx, admin, p)
	want = "Topic 'st-delete' supplied via the 'status.storage.topic' property is required to have 'cleanup.policy=compact' to guarantee consistency and durability of connector and task statuses, but found the topic currently has 'cleanup.policy=delete'. Continuing would likely result in eventually losing connector and task statuses and problems restarting this Connect cluster in the future. Change the 'status.storage.topic' property in the Connect worker configurations to use a topic with 'cleanup.policy=compact'."
	if err == nil || err.Error() != want {
		t.Errorf("delete-policy status topic: %v", err)
	}

	for _, tc := range []struct {
		key, value, want string
	}{
		{KeyOffsetTopic, "", "offset.storage.topic"},
		{KeyOffsetPartitions, "0", "offset.storage.partitions"},
		{KeyStatusReplication, "x", "status.storage.replication.factor"},
		{"config.storage.cleanup.policy", "delete", "config.storage.cleanup.policy"},
	} {
		p := base()
		p[KeyConfigTopic] = "cfg-ok"
		p[tc.key] = tc.value
		if _, err := EnsureInternalTopics(context.Background(), admin, p); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s=%q: %v", tc.key, tc.value, err)
		}
	}
}
