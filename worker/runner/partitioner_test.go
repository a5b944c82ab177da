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
			o := &outgoing{}
			o.partition = connector.NoPartition
			o.msg.Key = sarama.StringEncoder(key)
			o.msg.Metadata = &o.pending
			got, err := p.Partition(&o.msg, n)
			if err != nil {
				t.Fatal(err)
			}
			if want := (h & 0x7fffffff) % n; got != want {
				t.Errorf("key %q, %d partitions: got %d, want %d", key, n, got, want)
			}
		}
	}
	o := &outgoing{}
	o.partition = 2
	o.msg.Metadata = &o.pending
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
	recs := make([]*pending, 4)
	for i := range recs {
		recs[i] = &pending{rec: &connector.SourceRecord{SourcePartition: part, SourceOffset: i + 1}}
		s.submit(recs[i])
	}
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
