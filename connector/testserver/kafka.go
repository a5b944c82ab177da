package testserver

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"
)

// Kafka starts an in-process Kafka cluster (kfake) with the given number of
// brokers (at least 1) on loopback ports and returns its bootstrap addresses.
// Compaction runs every second so compacted-topic behaviour is observable.
// Auto topic creation is on, as on a default Kafka broker.
func Kafka(tb testing.TB, brokers int) []string {
	tb.Helper()
	if brokers < 1 {
		brokers = 1
	}
	c, err := kfake.NewCluster(
		kfake.NumBrokers(brokers),
		kfake.AllowAutoTopicCreation(),
		kfake.DefaultNumPartitions(1),
		kfake.BrokerConfigs(map[string]string{"log.cleaner.backoff.ms": "1000"}),
	)
	if err != nil {
		tb.Fatalf("testserver: start kfake: %v", err)
	}
	tb.Cleanup(c.Close)
	return c.ListenAddrs()
}
