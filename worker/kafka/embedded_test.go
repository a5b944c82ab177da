package kafka

import (
	"context"
	"testing"

	"github.com/IBM/sarama"
)

// TestEmbeddedRestart checks that a restarted embedded broker with the same
// DataDir keeps topics, records and committed group offsets.
func TestEmbeddedRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	e, err := StartEmbedded(ctx, EmbeddedOptions{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	client, admin := newAdmin(t, []string{e.Addr()})
	id1, err := ClusterID(ctx, client)
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := SaramaConfig(nil, RoleProducer)
	cfg.Metadata.AllowAutoTopicCreation = true
	p, err := sarama.NewSyncProducer([]string{e.Addr()}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"a", "b", "c"} {
		if _, _, err := p.SendMessage(&sarama.ProducerMessage{Topic: "auto", Value: sarama.StringEncoder(v)}); err != nil {
			t.Fatal(err)
		}
	}
	p.Close()
	if err := AlterGroupOffsets(ctx, admin, "connect-sink", map[TopicPartition]int64{{"auto", 0}: 2}); err != nil {
		t.Fatal(err)
	}
	admin.Close()
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}

	e2, err := StartEmbedded(ctx, EmbeddedOptions{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer e2.Close()
	client2, admin2 := newAdmin(t, []string{e2.Addr()})
	recs, err := LastRecords(ctx, client2, "auto", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || string(recs[0].Value) != "a" || string(recs[2].Value) != "c" {
		t.Fatalf("records after restart: %+v", recs)
	}
	offs, err := GroupOffsets(ctx, admin2, "connect-sink")
	if err != nil || offs[TopicPartition{"auto", 0}] != 2 {
		t.Fatalf("group offsets after restart: %v, %v", offs, err)
	}
	if id2, err := ClusterID(ctx, client2); err != nil || id2 != id1 {
		t.Errorf("cluster id %q after restart, was %q (%v)", id2, id1, err)
	}
}
