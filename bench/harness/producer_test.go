package harness

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/IBM/sarama"

	"github.com/wharf-project/wharf/worker/kafka"
)

// BenchmarkProducerHeapPerTopic reports the live heap a source runner's
// producer (worker/kafka.SaramaConfig, role producer, as the worker builds
// it) holds per topic-partition it has written to: a Debezium source writes
// one topic per captured table. "retries=10" shows the same producer with
// producer.retries=10.
func BenchmarkProducerHeapPerTopic(b *testing.B) {
	for _, retries := range []string{"", "10"} {
		name := "default"
		if retries != "" {
			name = "retries=" + retries
		}
		b.Run(name, func(b *testing.B) {
			k, err := StartKafka()
			if err != nil {
				b.Fatal(err)
			}
			defer k.Close()
			props := map[string]string{}
			if retries != "" {
				props["producer.retries"] = retries
			}
			cfg, err := kafka.SaramaConfig(props, kafka.RoleProducer)
			if err != nil {
				b.Fatal(err)
			}
			const topics = 10
			var perTopic float64
			for b.Loop() {
				before := liveHeap()
				p, err := sarama.NewAsyncProducer(k.Addrs, cfg)
				if err != nil {
					b.Fatal(err)
				}
				for i := 0; i < topics; i++ {
					p.Input() <- &sarama.ProducerMessage{Topic: fmt.Sprintf("t%d", i), Value: sarama.StringEncoder("x")}
					select {
					case <-p.Successes():
					case err := <-p.Errors():
						b.Fatal(err)
					}
				}
				perTopic = float64(liveHeap()-before) / topics / (1 << 20)
				p.Close()
			}
			b.ReportMetric(perTopic, "heap-MB/topic")
		})
	}
}

func liveHeap() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
