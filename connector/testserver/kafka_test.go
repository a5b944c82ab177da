package testserver

import (
	"testing"

	"github.com/IBM/sarama"
)

func TestKafkaRoundTrip(t *testing.T) {
	addrs := Kafka(t, 1)
	cfg := sarama.NewConfig()
	cfg.Producer.Return.Successes = true
	p, err := sarama.NewSyncProducer(addrs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	part, off, err := p.SendMessage(&sarama.ProducerMessage{Topic: "t", Value: sarama.StringEncoder("hello")})
	if err != nil {
		t.Fatal(err)
	}
	c, err := sarama.NewConsumer(addrs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	pc, err := c.ConsumePartition("t", part, off)
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	m := <-pc.Messages()
	if string(m.Value) != "hello" {
		t.Fatalf("got %q, want hello", m.Value)
	}
}
