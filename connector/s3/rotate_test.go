package s3

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/data"
)

var tp0 = connector.TopicPartition{Topic: "orders", Partition: 0}

func TestRotateByCountAcrossEncodedPartitions(t *testing.T) {
	e := newEnv(t)
	task, _ := e.startTask(e.props(map[string]string{KeyPartitioner: FieldPartitioner, KeyPartitionFields: "region",
		KeyFlushSize: "3"}), tp0)
	for off := int64(0); off < 7; off++ {
		put(t, task, orderRec(0, off, 0))
	}
	// flush.size counts records of the Kafka partition over all its open
	// files: 0,2 (eu) and 1 (us) are committed together, then 4 and 3,5.
	want := []string{
		"topics/orders/region=eu/orders+0+0000000000.json",
		"topics/orders/region=eu/orders+0+0000000004.json",
		"topics/orders/region=us/orders+0+0000000001.json",
		"topics/orders/region=us/orders+0+0000000003.json",
	}
	if got := e.keys(""); !reflect.DeepEqual(got, want) {
		t.Fatalf("keys = %q", got)
	}
	if got := e.jsonIDs(""); !reflect.DeepEqual(got, seq(0, 5)) {
		t.Fatalf("ids = %v", got)
	}
	if got := preCommit(t, task); got[tp0] != 6 {
		t.Fatalf("precommit = %v", got)
	}
	if got := preCommit(t, task); len(got) != 0 {
		t.Fatalf("second precommit = %v, want nothing new", got)
	}
}

// rotate.interval.ms with record time: a record whose timestamp is at least
// the interval past the first record of the open files starts a new file;
// so does a change of encoded partition (rotate.file.on.partition.change).
func TestRotateByRecordTime(t *testing.T) {
	e := newEnv(t)
	task, _ := e.startTask(e.props(map[string]string{KeyPartitioner: HourlyPartitioner, KeyExtractor: "Record",
		KeyLocale: "en", KeyTimezone: "UTC", KeyRotateInterval: "60000", KeyFlushSize: "100"}), tp0)
	h := time.Date(2024, 5, 6, 7, 0, 0, 0, time.UTC).UnixMilli()
	put(t, task, orderRec(0, 0, h), orderRec(0, 1, h+30000), orderRec(0, 2, h+59999),
		orderRec(0, 3, h+60000), // 60 s after record 0: rotates before it
		orderRec(0, 4, h+3600000-1),
		orderRec(0, 5, h+3600000)) // next hour
	want := []string{
		"topics/orders/year=2024/month=05/day=06/hour=07/orders+0+0000000000.json",
		"topics/orders/year=2024/month=05/day=06/hour=07/orders+0+0000000003.json",
		"topics/orders/year=2024/month=05/day=06/hour=07/orders+0+0000000004.json",
	}
	if got := e.keys(""); !reflect.DeepEqual(got, want) {
		t.Fatalf("keys = %q", got)
	}
	if got := e.get(want[0]); strings.Count(got, "\n") != 3 {
		t.Fatalf("first file = %q", got)
	}
	if got := preCommit(t, task); got[tp0] != 5 {
		t.Fatalf("precommit = %v", got)
	}
}

// rotate.schedule.interval.ms closes files of idle partitions on the empty
// batches the runtime delivers.
func TestRotateBySchedule(t *testing.T) {
	e := newEnv(t)
	clock := time.Date(2024, 5, 6, 7, 0, 30, 0, time.UTC)
	props := e.props(map[string]string{KeyRotateSchedule: "60000", KeyTimezone: "UTC", KeyFlushSize: "100"})
	c := New()
	if err := c.Start(context.Background(), nil, props); err != nil {
		t.Fatal(err)
	}
	task := c.NewTask().(*sinkTask)
	task.now = func() time.Time { return clock }
	e.startExisting(task, props, tp0)
	put(t, task, orderRec(0, 0, 0), orderRec(0, 1, 0))
	clock = clock.Add(20 * time.Second)
	put(t, task)
	if got := e.keys(""); len(got) != 0 {
		t.Fatalf("rotated early: %v", got)
	}
	clock = clock.Add(10 * time.Second) // 07:01:00
	put(t, task)
	want := []string{"topics/orders/partition=0/orders+0+0000000000.json"}
	if got := e.keys(""); !reflect.DeepEqual(got, want) {
		t.Fatalf("keys = %q", got)
	}
	if got := preCommit(t, task); got[tp0] != 2 {
		t.Fatalf("precommit = %v", got)
	}
	// A record after the schedule expired on an idle partition does not
	// make a one-record file: the schedule moved on while nothing was open.
	clock = clock.Add(90 * time.Second) // 07:02:30
	put(t, task)
	put(t, task, orderRec(0, 2, 0))
	if got := e.keys(""); len(got) != 1 {
		t.Fatalf("keys = %q", got)
	}
	clock = clock.Add(30 * time.Second) // 07:03:00
	put(t, task, orderRec(0, 3, 0))
	if got := e.keys(""); len(got) != 2 || !strings.HasSuffix(got[1], "+0000000002.json") {
		t.Fatalf("keys = %q", got)
	}
}

func (e *env) startExisting(task *sinkTask, props map[string]string, tps ...connector.TopicPartition) {
	e.t.Helper()
	if err := task.Start(context.Background(), newSinkContext(), props); err != nil {
		e.t.Fatal(err)
	}
	if err := task.Open(context.Background(), tps); err != nil {
		e.t.Fatal(err)
	}
}

// A schema change rotates with NONE; with BACKWARD an older record is
// projected into the open file (newer schema) and a newer one rotates.
func TestRotateBySchemaChange(t *testing.T) {
	v1 := data.StructSchema("s").Field("id", data.Int32Schema).Version(1).Build()
	v2 := data.StructSchema("s").Field("id", data.Int32Schema).
		Field("note", &data.Schema{Type: data.TypeString, Optional: true, Default: "n/a"}).Version(2).Build()
	r1 := func(off int64) connector.SinkRecord {
		return rec("orders", 0, off, 0, v1, data.NewStruct(v1).MustPut("id", int32(off)))
	}
	r2 := func(off int64) connector.SinkRecord {
		return rec("orders", 0, off, 0, v2, data.NewStruct(v2).MustPut("id", int32(off)).MustPut("note", "x"))
	}
	t.Run("NONE", func(t *testing.T) {
		e := newEnv(t)
		task, _ := e.startTask(e.props(map[string]string{KeyFlushSize: "100"}), tp0)
		put(t, task, r1(0), r1(1), r2(2), r1(3))
		if got := e.keys(""); len(got) != 2 || !strings.HasSuffix(got[1], "+0000000002.json") {
			t.Fatalf("keys = %q", got)
		}
		if got := preCommit(t, task); got[tp0] != 3 {
			t.Fatalf("precommit = %v", got)
		}
	})
	t.Run("BACKWARD", func(t *testing.T) {
		e := newEnv(t)
		task, _ := e.startTask(e.props(map[string]string{KeyFlushSize: "4", KeyCompatibility: "BACKWARD"}), tp0)
		put(t, task, r2(0), r1(1), r2(2), r1(3))
		want := []string{"topics/orders/partition=0/orders+0+0000000000.json"}
		if got := e.keys(""); !reflect.DeepEqual(got, want) {
			t.Fatalf("keys = %q", got)
		}
		if got := e.get(want[0]); got != `{"id":0,"note":"x"}`+"\n"+`{"id":1,"note":"n/a"}`+"\n"+`{"id":2,"note":"x"}`+"\n"+`{"id":3,"note":"n/a"}`+"\n" {
			t.Fatalf("file = %q", got)
		}
		put(t, task, r1(4), r2(5))
		if got := e.keys(""); len(got) != 2 || !strings.HasSuffix(got[1], "+0000000004.json") {
			t.Fatalf("keys = %q", got)
		}
	})
}

func TestTombstones(t *testing.T) {
	tomb := func(off int64) connector.SinkRecord { return rec("orders", 0, off, 0, nil, nil) }
	t.Run("fail", func(t *testing.T) {
		e := newEnv(t)
		task, _ := e.startTask(e.props(nil), tp0)
		err := task.Put(context.Background(), []connector.SinkRecord{orderRec(0, 0, 0), tomb(1)})
		if err == nil || !strings.Contains(err.Error(), "Null valued records are not writeable with current behavior.on.null.values 'settings'.") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("ignore", func(t *testing.T) {
		e := newEnv(t)
		task, _ := e.startTask(e.props(map[string]string{KeyNullValues: "ignore", KeyFlushSize: "2"}), tp0)
		put(t, task, orderRec(0, 0, 0), tomb(1), orderRec(0, 2, 0), tomb(3))
		if got := e.keys(""); len(got) != 1 || e.get(got[0]) != `{"id":0,"region":"eu","amount":0.0,"ts":0}`+"\n"+`{"id":2,"region":"eu","amount":3.0,"ts":0}`+"\n" {
			t.Fatalf("keys = %q", got)
		}
		// No file is open after the trailing tombstone: it is committed too
		// (Confluent would wait for the next file).
		if got := preCommit(t, task); got[tp0] != 4 {
			t.Fatalf("precommit = %v", got)
		}
	})
	t.Run("write", func(t *testing.T) {
		e := newEnv(t)
		task, _ := e.startTask(e.props(map[string]string{KeyNullValues: "write", KeyFlushSize: "2"}), tp0)
		put(t, task, orderRec(0, 0, 0), tomb(1), orderRec(0, 2, 0), tomb(3))
		want := []string{
			"topics/orders/partition=0/orders+0+0000000000.json",
			"topics/orders/partition=0/orders+0+0000000002.json",
			"topics/orders/tombstone/orders+0+0000000001.json",
			"topics/orders/tombstone/orders+0+0000000003.json",
		}
		if got := e.keys(""); !reflect.DeepEqual(got, want) {
			t.Fatalf("keys = %q", got)
		}
		if got := e.get(want[2]); got != "null\n" {
			t.Fatalf("tombstone file = %q", got)
		}
	})
}
