package runner

import (
	"testing"

	"github.com/IBM/sarama"

	"github.com/wharf-project/wharf/connector"
)

// Java's Utils.murmur2 results (UtilsTest.testMurmur2); the default
// partitioner takes (murmur2(key) & 0x7fffffff) % partitions.
func TestPartitionerMatchesJava(t *testing.T) {
	cases := map[string]int32{
		"21":                         -973932308,
		"foobar":                     -790332482,
		"a-little-bit-long-string":   -985981536,
		"a-little-bit-longer-string": -1486304829,
		"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8": -58897971,
		"abc": 479470107,
	}
	p := newPartitioner("t")
	for key, h := range cases {
		for _, n := range []int32{1, 3, 7, 1 << 30} {
			o := &pending{}
			o.partition = connector.NoPartition
			o.msg.Key = sarama.StringEncoder(key)
			o.msg.Metadata = o
			got, err := p.Partition(&o.msg, n)
			if err != nil {
				t.Fatal(err)
			}
			if want := (h & 0x7fffffff) % n; got != want {
				t.Errorf("key %q, %d partitions: got %d, want %d", key, n, got, want)
			}
		}
	}
	o := &pending{}
	o.partition = 2
	o.msg.Metadata = o
	o.msg.Key = sarama.StringEncoder("21")
	if got, err := p.Partition(&o.msg, 3); err != nil || got != 2 {
		t.Fatalf("explicit partition: %d, %v", got, err)
	}
	if _, err := p.Partition(&o.msg, 2); err == nil {
		t.Fatal("partition 2 of 2 accepted")
	}
}

func TestSubmittedAckedPrefix(t *testing.T) {
	s := newSubmitted()
	part := connector.NewSourcePartition(map[string]any{"p": 1})
	polled := make([]connector.SourceRecord, 4)
	for i := range polled {
		polled[i] = connector.SourceRecord{SourcePartition: part, SourceOffset: i + 1}
	}
	recs := s.submit(polled, nil)
	s.ack(recs[1])
	s.ack(recs[2])
	if got := s.committable(); len(got) != 0 {
		t.Fatalf("committable before the first ack: %v", got)
	}
	s.ack(recs[0])
	got := s.committable()
	if len(got) != 1 || got[0].Offset != 3 {
		t.Fatalf("committable = %v, want offset 3", got)
	}
	if again := s.committable(); len(again) != 0 {
		t.Fatalf("unchanged partition committed again: %v", again)
	}
	s.restore(got)
	if again := s.committable(); len(again) != 1 {
		t.Fatalf("restore lost the offset: %v", again)
	}
	select {
	case <-s.idle():
		t.Fatal("idle with a record in flight")
	default:
	}
	s.fail(recs[3])
	<-s.idle()
	if got := s.committable(); len(got) != 0 {
		t.Fatalf("failed record committed: %v", got)
	}
}

// A pending is reused only once its owner acked it and its partition's
// acknowledged prefix moved past it; unsubmitted ones are reused at once.
func TestSubmittedRecycles(t *testing.T) {
	s := newSubmitted()
	a := connector.NewSourcePartition(map[string]any{"p": "a"})
	b := connector.NewSourcePartition(map[string]any{"p": "b"})
	polled := []connector.SourceRecord{
		{SourcePartition: a, SourceOffset: 1},
		{SourcePartition: b, SourceOffset: 1},
		{SourcePartition: a, SourceOffset: 2},
		{SourceOffset: 0}, // no source partition
		{SourcePartition: a, SourceOffset: 3},
		{SourcePartition: b, SourceOffset: 2},
	}
	ps := s.submit(polled, nil)
	if len(ps) != len(polled) || ps[0].queue != ps[2].queue || ps[0].queue == ps[1].queue || ps[3].queue != nil {
		t.Fatalf("queues: %v", ps)
	}
	p0, p2, p3 := ps[0], ps[2], ps[3]
	s.unsubmit(ps[4:]) // a:3 and b:2 never sent
	if len(s.free) != 2 {
		t.Fatalf("free = %d after unsubmit, want 2", len(s.free))
	}
	s.ack(p2) // out of order: still in a's queue
	s.ack(p3) // no queue: free at once
	if len(s.free) != 3 || p2.rec == nil || p3.rec != nil {
		t.Fatalf("free = %d; acked record behind the prefix recycled", len(s.free))
	}
	s.ack(p0)
	if len(s.free) != 5 || p2.rec != nil {
		t.Fatalf("free = %d after the prefix moved, want 5", len(s.free))
	}
	got := s.committable()
	if len(got) != 1 || got[0].Partition != a || got[0].Offset != 2 {
		t.Fatalf("committable = %v, want a at 2", got)
	}
	// b:1 is still in flight; new records reuse the free pendings.
	again := s.submit(polled[:2], nil)
	for _, p := range again {
		if p == ps[1] {
			t.Fatal("in-flight pending reused")
		}
	}
	if len(s.free) != 3 || again[0].rec != &polled[0] || again[0].acked || again[0].refs != 2 {
		t.Fatalf("reused pending not reset: %+v", again[0])
	}
	s.ackAll([]*pending{ps[1], again[0], again[1]})
	<-s.idle()
	if len(s.queues["{\"p\":\"a\"}"].records) != 0 || len(s.queues["{\"p\":\"b\"}"].records) != 0 {
		t.Fatal("queues not empty")
	}
}
