package kafka

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"
)

func TestSaramaConfigRoles(t *testing.T) {
	props := map[string]string{
		"bootstrap.servers":                      "localhost:9092",
		"client.id":                              "worker-1",
		"acks":                                   "0", // unprefixed: not inherited by connector producers
		"producer.compression.type":              "zstd",
		"producer.linger.ms":                     "25",
		"producer.batch.size":                    "32768",
		"producer.max.request.size":              "2097152",
		"producer.unknown.key":                   "x",
		"consumer.max.poll.records":              "123",
		"consumer.session.timeout.ms":            "20000",
		"consumer.heartbeat.interval.ms":         "4000",
		"consumer.isolation.level":               "read_committed",
		"consumer.partition.assignment.strategy": "org.apache.kafka.clients.consumer.RoundRobinAssignor",
		"admin.request.timeout.ms":               "7000",
	}
	w, err := SaramaConfig(props, RoleWorker)
	if err != nil {
		t.Fatal(err)
	}
	if w.ClientID != "worker-1" || w.Producer.RequiredAcks != sarama.NoResponse || w.Version != sarama.V3_6_0_0 {
		t.Errorf("worker: client.id %q acks %v version %v", w.ClientID, w.Producer.RequiredAcks, w.Version)
	}
	p, err := SaramaConfig(props, RoleProducer)
	if err != nil {
		t.Fatal(err)
	}
	if p.ClientID == "worker-1" {
		t.Error("producer inherited the worker's client.id")
	}
	if p.Producer.RequiredAcks != sarama.WaitForAll || p.Net.MaxOpenRequests != 1 {
		t.Errorf("producer defaults: acks %v in-flight %d", p.Producer.RequiredAcks, p.Net.MaxOpenRequests)
	}
	if p.Producer.Compression != sarama.CompressionZSTD || p.Producer.Flush.Frequency != 25*time.Millisecond ||
		p.Producer.Flush.Bytes != 32768 || p.Producer.MaxMessageBytes != 2097152 {
		t.Errorf("producer overrides not applied: %+v", p.Producer)
	}
	d, err := SaramaConfig(nil, RoleProducer)
	if err != nil {
		t.Fatal(err)
	}
	if d.Producer.Compression != sarama.CompressionLZ4 || d.Producer.Flush.Frequency != 5*time.Millisecond ||
		d.Producer.Flush.Bytes != 0 || d.Producer.Retry.Max != 100 {
		t.Errorf("producer defaults (lz4, linger.ms 5, 100 retries): %+v", d.Producer)
	}
	if z, err := SaramaConfig(map[string]string{"producer.linger.ms": "0"}, RoleProducer); err != nil ||
		z.Producer.Flush.Frequency != 0 {
		t.Errorf("producer.linger.ms=0 did not restore sarama's send-at-once: %v", err)
	}
	// Kafka's per-codec level keys (KIP-390): the one of the codec in use.
	for _, lc := range []struct {
		codec string
		want  int
	}{{"zstd", 1}, {"gzip", 6}, {"lz4", sarama.CompressionLevelDefault}} {
		l, err := SaramaConfig(map[string]string{"producer.compression.zstd.level": "1",
			"producer.compression.gzip.level": "6", "producer.compression.type": lc.codec}, RoleProducer)
		if err != nil || l.Producer.CompressionLevel != lc.want {
			t.Errorf("%s level: %v, %v; want %d", lc.codec, l.Producer.CompressionLevel, err, lc.want)
		}
	}
	if _, err := SaramaConfig(map[string]string{"producer.compression.type": "zstd",
		"producer.compression.zstd.level": "fast"}, RoleProducer); err == nil ||
		!strings.Contains(err.Error(), "compression.zstd.level") {
		t.Errorf("bad zstd level: %v", err)
	}
	c, err := SaramaConfig(props, RoleConsumer)
	if err != nil {
		t.Fatal(err)
	}
	if c.Consumer.Offsets.Initial != sarama.OffsetOldest || c.Consumer.Offsets.AutoCommit.Enable {
		t.Errorf("consumer defaults: initial %d autocommit %v", c.Consumer.Offsets.Initial, c.Consumer.Offsets.AutoCommit.Enable)
	}
	if c.ChannelBufferSize != 123 || c.Consumer.Group.Session.Timeout != 20*time.Second ||
		c.Consumer.Group.Heartbeat.Interval != 4*time.Second || c.Consumer.IsolationLevel != sarama.ReadCommitted {
		t.Errorf("consumer overrides not applied")
	}
	if s := c.Consumer.Group.Rebalance.GroupStrategies; len(s) != 1 || s[0].Name() != "roundrobin" {
		t.Errorf("assignors: %v", s)
	}
	a, err := SaramaConfig(props, RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	if a.Admin.Timeout != 7*time.Second || a.Net.ReadTimeout != 7*time.Second {
		t.Errorf("admin request.timeout.ms: %v %v", a.Admin.Timeout, a.Net.ReadTimeout)
	}
	if got := IgnoredKeys(props, RoleProducer); len(got) != 1 || got[0] != "producer.unknown.key" {
		t.Errorf("IgnoredKeys = %v", got)
	}
}

func TestSaramaConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		props map[string]string
		role  string
		want  string
	}{
		{map[string]string{"producer.acks": "2"}, RoleProducer, "acks"},
		{map[string]string{"producer.compression.type": "brotli"}, RoleProducer, "compression.type"},
		{map[string]string{"consumer.auto.offset.reset": "none"}, RoleConsumer, "auto.offset.reset"},
		{map[string]string{"security.protocol": "KERBEROS"}, RoleWorker, "security.protocol"},
		{map[string]string{"security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "GSSAPI",
			"sasl.jaas.config": `x required username="a" password="b";`}, RoleWorker, "sasl.mechanism"},
		{map[string]string{"security.protocol": "SASL_PLAINTEXT"}, RoleWorker, "sasl.jaas.config"},
		{map[string]string{"security.protocol": "SSL", "ssl.truststore.location": "/nonexistent.pem"}, RoleWorker, "ssl.truststore.location"},
		{nil, "streams", "role"},
	} {
		_, err := SaramaConfig(tc.props, tc.role)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one mentioning %q", tc.props, err, tc.want)
		}
	}
}

func TestParseJAAS(t *testing.T) {
	for _, tc := range []struct{ in, user, pass string }{
		{`org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="s3cr=t;";`, "alice", "s3cr=t;"},
		{`org.apache.kafka.common.security.scram.ScramLoginModule required
		    username="bob"
		    password="with \"quote\"";`, "bob", `with "quote"`},
		{`x required username=carol password=pw;`, "carol", "pw"},
	} {
		u, p, err := parseJAAS(tc.in)
		if err != nil || u != tc.user || p != tc.pass {
			t.Errorf("parseJAAS(%q) = %q, %q, %v", tc.in, u, p, err)
		}
	}
	if _, _, err := parseJAAS(`x required password="p";`); err == nil {
		t.Error("missing username accepted")
	}
}

func TestJavaPartition(t *testing.T) {
	// Apache Kafka's UtilsTest.testMurmur2 vectors; modulo MaxInt32 keeps
	// the hash's low 31 bits.
	for in, hash := range map[string]int32{
		"21": -973932308, "foobar": -790332482, "a-little-bit-long-string": -985981536,
		"a-little-bit-longer-string": -1486304829, "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8": -58897971,
		"abc": 479470107,
	} {
		if got, want := JavaPartition([]byte(in), math.MaxInt32), (hash&0x7fffffff)%math.MaxInt32; got != want {
			t.Errorf("JavaPartition(%q) = %d, want %d", in, got, want)
		}
	}
	cfg, _ := SaramaConfig(nil, RoleProducer)
	p := cfg.Producer.Partitioner("t")
	got, err := p.Partition(&sarama.ProducerMessage{Key: sarama.StringEncoder("foobar")}, 25)
	if want := JavaPartition([]byte("foobar"), 25); err != nil || got != want {
		t.Errorf("producer partitioner = %d, %v; want %d", got, err, want)
	}
}

// TestSASL authenticates against a broker that requires SASL, for each
// supported mechanism, and checks that a wrong password is refused.
func TestSASL(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.EnableSASL(),
		kfake.Superuser("PLAIN", "plainuser", "plainpw"),
		kfake.Superuser("SCRAM-SHA-256", "scram256", "pw256"),
		kfake.Superuser("SCRAM-SHA-512", "scram512", "pw512"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	addrs := c.ListenAddrs()
	for _, tc := range []struct {
		mech, user, pass string
		ok               bool
	}{
		{"PLAIN", "plainuser", "plainpw", true},
		{"SCRAM-SHA-256", "scram256", "pw256", true},
		{"SCRAM-SHA-512", "scram512", "pw512", true},
		{"SCRAM-SHA-256", "scram256", "wrong", false},
	} {
		cfg, err := SaramaConfig(map[string]string{
			"security.protocol": "SASL_PLAINTEXT",
			"sasl.mechanism":    tc.mech,
			"sasl.jaas.config":  `org.apache.kafka.common.security.scram.ScramLoginModule required username="` + tc.user + `" password="` + tc.pass + `";`,
		}, RoleWorker)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Metadata.Retry.Max = 0
		cl, err := sarama.NewClient(addrs, cfg)
		if err == nil {
			_, err = cl.Topics()
			cl.Close()
		}
		if (err == nil) != tc.ok {
			t.Errorf("%s %s/%s: err = %v, want ok=%v", tc.mech, tc.user, tc.pass, err, tc.ok)
		}
	}
}
