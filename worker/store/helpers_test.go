package store

import (
	"bufio"
	"context"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/wharf-project/wharf/connector/testserver"
	"github.com/wharf-project/wharf/worker/kafka"
)

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// cluster starts a broker and returns its addresses.
func cluster(t *testing.T) []string { return testserver.Kafka(t, 1) }

func newClient(t *testing.T, addrs []string) sarama.Client {
	t.Helper()
	cfg, err := kafka.SaramaConfig(nil, kafka.RoleWorker)
	if err != nil {
		t.Fatal(err)
	}
	c, err := sarama.NewClient(addrs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func newAdmin(t *testing.T, addrs []string) sarama.ClusterAdmin {
	t.Helper()
	cfg, _ := kafka.SaramaConfig(nil, kafka.RoleWorker)
	a, err := sarama.NewClusterAdmin(addrs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func createTopic(t *testing.T, addrs []string, name string, partitions int32) {
	t.Helper()
	err := kafka.EnsureTopic(context.Background(), newAdmin(t, addrs), name, partitions, 1,
		map[string]string{"cleanup.policy": "compact"})
	if err != nil {
		t.Fatal(err)
	}
}

// produceRaw writes records as another worker (or Apache Connect) would.
func produceRaw(t *testing.T, addrs []string, topic string, recs []Record) {
	t.Helper()
	cfg, _ := kafka.SaramaConfig(nil, kafka.RoleProducer)
	p, err := sarama.NewSyncProducer(addrs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, r := range recs {
		m := &sarama.ProducerMessage{Topic: topic, Key: sarama.ByteEncoder(r.Key)}
		if r.Value != nil {
			m.Value = sarama.ByteEncoder(r.Value)
		}
		if _, _, err := p.SendMessage(m); err != nil {
			t.Fatal(err)
		}
	}
}

// readRaw returns every record of topic ordered by partition and offset.
func readRaw(t *testing.T, client sarama.Client, topic string) []kafka.Record {
	t.Helper()
	recs, err := kafka.LastRecords(context.Background(), client, topic, kafka.MaxLastRecords)
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(recs, func(i, j int) bool {
		if recs[i].Partition != recs[j].Partition {
			return recs[i].Partition < recs[j].Partition
		}
		return recs[i].Offset < recs[j].Offset
	})
	return recs
}

// loadRecords reads key<TAB>value lines; "<null>" is a tombstone, "#" starts a comment.
func loadRecords(t *testing.T, path string) []Record {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []Record
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("%s: bad line %q", path, line)
		}
		r := Record{Key: []byte(k)}
		if v != "<null>" {
			r.Value = []byte(v)
		}
		out = append(out, r)
	}
	return out
}

func formatRecords(recs []kafka.Record) []string {
	var out []string
	for _, r := range recs {
		v := "<null>"
		if r.Value != nil {
			v = string(r.Value)
		}
		out = append(out, string(r.Key)+"\t"+v)
	}
	return out
}

func formatWant(recs []Record) []string {
	var out []string
	for _, r := range recs {
		v := "<null>"
		if r.Value != nil {
			v = string(r.Value)
		}
		out = append(out, string(r.Key)+"\t"+v)
	}
	return out
}

func diffLines(t *testing.T, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") == strings.Join(want, "\n") {
		return
	}
	t.Errorf("records differ\n got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
}
