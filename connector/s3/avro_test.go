package s3

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/linkedin/goavro/v2"

	"github.com/wharf-project/wharf/connector"
)

func TestAvroDebeziumEnvelope(t *testing.T) {
	e := newEnv(t)
	props := e.props(map[string]string{KeyFormat: AvroFormat, KeyFlushSize: "2", KeyAvroCodec: "snappy"})
	tp := connector.TopicPartition{Topic: "dbserver1.public.customers", Partition: 0}
	task, _ := e.startTask(props, tp)
	put(t, task,
		cdcRec(0, change("c", nil, customer("C1", "Paris", 1), 100)),
		cdcRec(1, change("u", customer("C1", "Paris", 1), customer("C1", "Nice", 2), 101)))
	want := []string{"topics/dbserver1.public.customers/partition=0/dbserver1.public.customers+0+0000000000.avro"}
	if got := e.keys(""); !reflect.DeepEqual(got, want) {
		t.Fatalf("keys = %q", got)
	}
	r, err := goavro.NewOCFReader(bytes.NewReader([]byte(e.get(want[0]))))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Codec().Schema(), `"connect.name":"io.debezium.time.Date"`) {
		t.Fatalf("schema = %s", r.Codec().Schema())
	}
	var ops, cities []string
	var balances []string
	for r.Scan() {
		v, err := r.Read()
		if err != nil {
			t.Fatal(err)
		}
		m := v.(map[string]any)
		ops = append(ops, m["op"].(string))
		after := m["after"].(map[string]any)["dbserver1.public.customers.Value"].(map[string]any)
		cities = append(cities, after["city"].(map[string]any)["string"].(string))
		balances = append(balances, after["balance"].(map[string]any)["bytes.decimal"].(interface{ FloatString(int) string }).FloatString(2))
	}
	if strings.Join(ops, ",") != "c,u" || strings.Join(cities, ",") != "Paris,Nice" || strings.Join(balances, ",") != "-123.44,-123.43" {
		t.Fatalf("ops %v cities %v balances %v", ops, cities, balances)
	}
}
