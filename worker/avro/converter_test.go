package avro

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/linkedin/goavro/v2"

	"github.com/wharf-project/wharf/connector/data"
	"github.com/wharf-project/wharf/connector/testserver"
	"github.com/wharf-project/wharf/worker/kafka"
	"github.com/wharf-project/wharf/worker/schemaregistry"
)

// registry is an embedded registry on a real broker, served over HTTP,
// counting the requests it gets.
type registry struct {
	url      string
	requests atomic.Int64
}

func startRegistry(t *testing.T, wrap func(http.Handler) http.Handler) *registry {
	t.Helper()
	addrs := testserver.Kafka(t, 1)
	cfg, err := kafka.SaramaConfig(nil, kafka.RoleWorker)
	if err != nil {
		t.Fatal(err)
	}
	client, err := sarama.NewClient(addrs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	srv, err := schemaregistry.NewServer(schemaregistry.ServerOptions{Client: client})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Stop() })
	r := &registry{}
	h := srv.Handler()
	if wrap != nil {
		h = wrap(h)
	}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.requests.Add(1)
		h.ServeHTTP(w, req)
	}))
	t.Cleanup(hs.Close)
	r.url = hs.URL
	return r
}

func (r *registry) get(t *testing.T, path string, out any) {
	t.Helper()
	resp, err := http.Get(r.url + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatal(err)
	}
}

func newConverter(t *testing.T, r *registry, isKey bool, props map[string]string) *Converter {
	t.Helper()
	p := map[string]string{SchemaRegistryURLConfig: r.url}
	for k, v := range props {
		p[k] = v
	}
	c := NewConverter()
	if err := c.Configure(p, isKey); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestWireFormat: magic byte 0, the registered id big-endian, then Avro
// binary that goavro decodes with the registered schema.
func TestWireFormat(t *testing.T) {
	r := startRegistry(t, nil)
	c := newConverter(t, r, false, nil)
	s := envelopeSchema()
	b, err := c.Append(nil, "dbserver1.inventory.customers", s, envelopeValue(s, "c"))
	if err != nil {
		t.Fatal(err)
	}
	var latest schemaregistry.SubjectVersion
	r.get(t, "/subjects/dbserver1.inventory.customers-value/versions/latest", &latest)
	if b[0] != 0 || binary.BigEndian.Uint32(b[1:5]) != uint32(latest.ID) || latest.ID != 1 {
		t.Fatalf("prefix %x, registered id %d", b[:5], latest.ID)
	}
	codec, err := goavro.NewCodec(latest.Schema)
	if err != nil {
		t.Fatal(err)
	}
	native, rest, err := codec.NativeFromBinary(b[5:])
	if err != nil || len(rest) != 0 {
		t.Fatalf("goavro: %v, %d bytes left", err, len(rest))
	}
	rec := native.(map[string]any)
	if rec["before"] != nil || rec["op"] != "c" {
		t.Fatalf("decoded %v", rec)
	}
	after := rec["after"].(map[string]any)["dbserver1.inventory.customers.Value"].(map[string]any)
	if after["id"] != int32(1001) || after["email"].(map[string]any)["string"] != "sally@example.com" ||
		after["tiny"] != int32(-7) {
		t.Fatalf("after = %v", after)
	}

	// A small key, byte for byte.
	k := newConverter(t, r, true, nil)
	ks := keySchema()
	kb, err := k.Append(nil, "dbserver1.inventory.customers", ks, data.NewStruct(ks).MustPut("id", int32(1001)))
	if err != nil {
		t.Fatal(err)
	}
	if want := []byte{0, 0, 0, 0, 2, 0xd2, 0x0f}; string(kb) != string(want) {
		t.Fatalf("key bytes %x, want %x", kb, want)
	}
	// Nil is a Kafka null.
	if b, err := c.Append(nil, "t", s, nil); b != nil || err != nil {
		t.Fatalf("nil value: %x %v", b, err)
	}
}

// TestConverterRoundTrip: every Connect type and the Debezium envelope come
// back from ToConnect with the same schema and value.
func TestConverterRoundTrip(t *testing.T) {
	r := startRegistry(t, nil)
	w := newConverter(t, r, false, nil)
	rd := newConverter(t, r, false, nil) // a fresh instance: nothing cached
	for name, s := range allSchemas() {
		topic := "t-" + strings.ReplaceAll(name, " ", "-")
		v := valueFor(s)
		b, err := w.Append(nil, topic, s, v)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		gs, gv, err := rd.ToConnect(topic, b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := s
		if s.Version == 0 && !s.Optional {
			// As Confluent's converter: the registry version stands in for
			// a missing connect.version of a top-level (non-union) schema.
			want = s.Clone()
			want.Version = 1
		}
		if !gs.Equal(want) {
			t.Errorf("%s: schema\n got %s\nwant %s", name, dump(gs), dump(want))
			continue
		}
		if st, ok := v.(*data.Struct); ok && want != s {
			rebuilt := data.NewStruct(want)
			for i := range s.Fields {
				rebuilt.Set(i, st.At(i))
			}
			v = rebuilt
		}
		if !data.ValuesEqual(gv, v) {
			t.Errorf("%s: value\n got %v\nwant %v", name, gv, v)
		}
	}
	if s, v, err := rd.ToConnect("x", nil); s != nil || v != nil || err != nil {
		t.Fatal("nil bytes must be a null")
	}
	if _, _, err := rd.ToConnect("x", []byte{1, 0, 0, 0, 1, 2}); err == nil ||
		err.Error() != "Failed to deserialize data for topic x to Avro: Unknown magic byte!" {
		t.Fatalf("bad magic: %v", err)
	}
	if _, _, err := rd.ToConnect("x", []byte{0, 0, 0, 0, 99, 2}); err == nil || !strings.Contains(err.Error(), "Schema 99 not found") {
		t.Fatalf("unknown id: %v", err)
	}
}

// TestNoHTTPOnHotPath: after the first record of a schema, Append and
// ToConnect make no registry calls.
func TestNoHTTPOnHotPath(t *testing.T) {
	r := startRegistry(t, nil)
	w := newConverter(t, r, false, nil)
	rd := newConverter(t, r, false, nil)
	s := envelopeSchema()
	b, err := w.Append(nil, "orders", s, envelopeValue(s, "u"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := rd.ToConnect("orders", b); err != nil {
		t.Fatal(err)
	}
	before := r.requests.Load()
	var buf []byte
	for i := 0; i < 100; i++ {
		if buf, err = w.Append(buf[:0], "orders", s, envelopeValue(s, "u")); err != nil {
			t.Fatal(err)
		}
		if _, _, err := rd.ToConnect("orders", buf); err != nil {
			t.Fatal(err)
		}
	}
	if n := r.requests.Load() - before; n != 0 {
		t.Fatalf("%d registry requests on the hot path", n)
	}
	allocs := testing.AllocsPerRun(100, func() {
		buf, _ = w.Append(buf[:0], "orders", s, envelopeValue(s, "u"))
	})
	base := testing.AllocsPerRun(100, func() { envelopeValue(s, "u") })
	if allocs-base > 0 {
		t.Fatalf("Append allocates %.0f times per record beyond building it", allocs-base)
	}
}

// TestSubjectNameStrategies: where each strategy registers keys and values.
func TestSubjectNameStrategies(t *testing.T) {
	r := startRegistry(t, nil)
	s := envelopeSchema()
	ks := keySchema()
	cases := []struct {
		strategy, topic, key, value string
	}{
		{"", "t1", "t1-key", "t1-value"},
		{"io.confluent.kafka.serializers.subject.TopicNameStrategy", "t2", "t2-key", "t2-value"},
		{"io.confluent.kafka.serializers.subject.RecordNameStrategy", "t3",
			"dbserver1.inventory.customers.Key", "dbserver1.inventory.customers.Envelope"},
		{"TopicRecordNameStrategy", "t4",
			"t4-dbserver1.inventory.customers.Key", "t4-dbserver1.inventory.customers.Envelope"},
	}
	for _, c := range cases {
		props := map[string]string{}
		if c.strategy != "" {
			props[KeySubjectStrategyConfig] = c.strategy
			props[ValueSubjectStrategyConfig] = c.strategy
		}
		kc := newConverter(t, r, true, props)
		vc := newConverter(t, r, false, props)
		if _, err := kc.Append(nil, c.topic, ks, data.NewStruct(ks).MustPut("id", int32(1))); err != nil {
			t.Fatal(err)
		}
		vb, err := vc.Append(nil, c.topic, s, envelopeValue(s, "c"))
		if err != nil {
			t.Fatal(err)
		}
		for _, subject := range []string{c.key, c.value} {
			var versions []int
			r.get(t, "/subjects/"+subject+"/versions", &versions)
			if len(versions) != 1 {
				t.Errorf("%s: subject %s versions %v", c.strategy, subject, versions)
			}
		}
		if _, _, err := vc.ToConnect(c.topic, vb); err != nil {
			t.Errorf("%s: read back: %v", c.strategy, err)
		}
	}
	if err := NewConverter().Configure(map[string]string{SchemaRegistryURLConfig: r.url,
		ValueSubjectStrategyConfig: "com.example.Mine"}, false); err == nil {
		t.Fatal("unknown strategy accepted")
	}
}

// TestRegistrationModes: auto.register.schemas=false looks the schema up;
// use.latest.version writes with the subject's latest schema id.
func TestRegistrationModes(t *testing.T) {
	r := startRegistry(t, nil)
	ks := keySchema()
	v := data.NewStruct(ks).MustPut("id", int32(5))
	lookup := newConverter(t, r, true, map[string]string{AutoRegisterConfig: "false"})
	if _, err := lookup.Append(nil, "m", ks, v); err == nil || !strings.Contains(err.Error(), "40401") {
		t.Fatalf("unregistered lookup: %v", err)
	}
	reg := newConverter(t, r, true, nil)
	if _, err := reg.Append(nil, "m", ks, v); err != nil {
		t.Fatal(err)
	}
	b, err := newConverter(t, r, true, map[string]string{AutoRegisterConfig: "false"}).Append(nil, "m", ks, v)
	if err != nil || binary.BigEndian.Uint32(b[1:5]) != 1 {
		t.Fatalf("lookup after registration: %x %v", b, err)
	}
	// Register a second, compatible version with a doc; use.latest.version
	// writes with its id.
	ks2 := data.StructSchema("dbserver1.inventory.customers.Key").Field("id", data.Int32Schema).Doc("v2").Build()
	if _, err := reg.Append(nil, "m", ks2, data.NewStruct(ks2).MustPut("id", int32(1))); err != nil {
		t.Fatal(err)
	}
	latest := newConverter(t, r, true, map[string]string{AutoRegisterConfig: "false", UseLatestVersionConfig: "true"})
	b, err = latest.Append(nil, "m", ks, v)
	if err != nil || binary.BigEndian.Uint32(b[1:5]) != 2 {
		t.Fatalf("use.latest.version: %x %v", b, err)
	}
}

// TestBasicAuth: USER_INFO credentials reach the registry; wrong ones fail.
func TestBasicAuth(t *testing.T) {
	r := startRegistry(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if u, p, ok := req.BasicAuth(); !ok || u != "connect" || p != "pw:with:colons" {
				w.WriteHeader(401)
				_, _ = w.Write([]byte(`{"error_code":401,"message":"Unauthorized"}`))
				return
			}
			h.ServeHTTP(w, req)
		})
	})
	ks := keySchema()
	v := data.NewStruct(ks).MustPut("id", int32(5))
	ok := newConverter(t, r, true, map[string]string{BasicAuthSourceConfig: "USER_INFO",
		BasicAuthUserInfoConfig: "connect:pw:with:colons"})
	if _, err := ok.Append(nil, "a", ks, v); err != nil {
		t.Fatal(err)
	}
	bad := newConverter(t, r, true, map[string]string{BasicAuthSourceConfig: "USER_INFO",
		BasicAuthUserInfoConfig: "connect:nope"})
	if _, err := bad.Append(nil, "a", ks, v); err == nil || !strings.Contains(err.Error(), "Unauthorized") {
		t.Fatalf("wrong password: %v", err)
	}
	inURL := newConverter(t, r, true, map[string]string{SchemaRegistryURLConfig: strings.Replace(r.url, "http://", "http://connect:pw%3Awith%3Acolons@", 1)})
	if _, err := inURL.Append(nil, "a", ks, v); err != nil {
		t.Fatalf("URL credentials: %v", err)
	}
}

// TestConfigErrors: a missing URL and bad values fail Configure.
func TestConfigErrors(t *testing.T) {
	for props, want := range map[string]string{
		"":                            `Missing required configuration "schema.registry.url" which has no default value.`,
		"schemas.cache.config=0":      "schemas.cache.config",
		"auto.register.schemas=maybe": "auto.register.schemas",
	} {
		p := map[string]string{}
		if props != "" {
			k, v, _ := strings.Cut(props, "=")
			p[k] = v
			p[SchemaRegistryURLConfig] = "http://127.0.0.1:1"
		}
		err := NewConverter().Configure(p, false)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v", props, err)
		}
	}
	if len(Plugins()) != 1 || Plugins()[0].Class != "io.confluent.connect.avro.AvroConverter" {
		t.Fatal("plugin list")
	}
	_ = strconv.Itoa
}

// TestConcurrentUse: one converter shared by goroutines (run with -race).
func TestConcurrentUse(t *testing.T) {
	r := startRegistry(t, nil)
	c := newConverter(t, r, false, nil)
	s := envelopeSchema()
	ks := keySchema()
	done := make(chan error, 4)
	for g := 0; g < 4; g++ {
		go func(g int) {
			var buf []byte
			var err error
			for i := 0; i < 50 && err == nil; i++ {
				topic := "c" + strconv.Itoa((g+i)%3)
				if buf, err = c.Append(buf[:0], topic, s, envelopeValue(s, "u")); err != nil {
					break
				}
				if _, _, err = c.ToConnect(topic, buf); err != nil {
					break
				}
				_, err = c.Append(nil, "keys-"+topic, ks, data.NewStruct(ks).MustPut("id", int32(i)))
			}
			done <- err
		}(g)
	}
	for g := 0; g < 4; g++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
