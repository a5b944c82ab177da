package kafka

import (
	"slices"

	"github.com/IBM/sarama"
)

// JavaPartition is the partition the Java client's default partitioner picks
// for a non-null key: toPositive(murmur2(key)) % numPartitions. Records that
// Wharf and Apache Kafka clients write with the same key then share a
// partition, which compacted topics shared with Apache Connect rely on.
func JavaPartition(key []byte, numPartitions int32) int32 {
	p, _ := sarama.NewMurmur2Partitioner("").Partition(&sarama.ProducerMessage{Key: sarama.ByteEncoder(key)}, numPartitions)
	return p
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func sortStrings(s []string) { slices.Sort(s) }
