package postgres

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/connectortest"
	"github.com/wharf-project/wharf/connector/data"
)

func TestParseTemporal(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
	}{
		{"1970-01-01 00:00:00", 0},
		{"2016-11-04 11:51:30.123456", 1478260290123456},
		{"2016-11-04 13:51:30.5+02", 1478260290500000},
		{"1969-12-31 23:59:59.999999", -1},
		{"0001-01-01 00:00:00 BC", -62167219200000000},
		{"2016-11-04 11:51:30-03:30", 1478272890000000},
		{"infinity", infinityMicros},
		{"-infinity", negInfinityMicros},
	} {
		got, err := parseTimestamp(c.in)
		if err != nil || got != c.want {
			t.Errorf("parseTimestamp(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	if d, err := parseDate("2024-03-15"); err != nil || d != 19797 {
		t.Errorf("parseDate = %d, %v", d, err)
	}
	if d, _ := parseDate("1969-12-31"); d != -1 {
		t.Errorf("parseDate(1969-12-31) = %d", d)
	}
	if us, _ := parseTimeOfDay("24:00:00"); us != 86400000000 {
		t.Errorf("24:00:00 = %d", us)
	}
	for in, want := range map[string]string{"11:51:02+00": "11:51:02Z", "01:00:00.5+02": "23:00:00.5Z", "11:51:30.123789-01:30": "13:21:30.123789Z"} {
		if got, err := decodeTimetz(in); err != nil || got != want {
			t.Errorf("timetz %q = %v, %v; want %s", in, got, err, want)
		}
	}
	for _, c := range []struct {
		us   int64
		p    int
		want string
	}{{0, 6, "1970-01-01T00:00:00.000000Z"}, {1585741862000000, 0, "2020-04-01T11:51:02Z"}, {1478260290123456, 3, "2016-11-04T11:51:30.123Z"}} {
		if got := formatZoned(c.us, c.p); got != c.want {
			t.Errorf("formatZoned(%d,%d) = %s, want %s", c.us, c.p, got, c.want)
		}
	}
}

func TestParseInterval(t *testing.T) {
	for in, want := range map[string]string{
		"1 year 2 mons 3 days 04:05:06.78": "P1Y2M3DT4H5M6.78S 37091106780000",
		"00:00:00":                         "P0Y0M0DT0H0M0S 0",
		"-1 days +02:03:00":                "P0Y0M-1DT2H3M0S -79020000000",
		"-00:00:01.5":                      "P0Y0M0DT0H0M-1.5S -1500000",
		"3 mons":                           "P0Y3M0DT0H0M0S 7889400000000",
	} {
		iv, err := parseInterval(in)
		if got := iv.iso() + " " + fmt.Sprint(iv.micros()); err != nil || got != want {
			t.Errorf("interval %q = %s, %v; want %s", in, got, err, want)
		}
	}
}

func TestParseArrayAndHstore(t *testing.T) {
	items, err := parseArray(`{"a b","c\"d",NULL,"NULL",plain,"x\\y"}`, ',')
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range items {
		if it == nil {
			got = append(got, "<nil>")
		} else {
			got = append(got, *it)
		}
	}
	if strings.Join(got, "|") != `a b|c"d|<nil>|NULL|plain|x\y` {
		t.Errorf("array = %q", got)
	}
	if items, _ := parseArray("{}", ','); len(items) != 0 {
		t.Errorf("empty array = %v", items)
	}
	if _, err := parseArray("{{1,2},{3,4}}", ','); err == nil {
		t.Errorf("multi-dimensional array accepted")
	}
	kv, err := parseHstore(`"a"=>"1", "b"=>NULL, "c\"q"=>"x"`)
	if err != nil || hstoreJSON(kv) != `{"a":"1","b":null,"c\"q":"x"}` {
		t.Errorf("hstore = %s, %v", hstoreJSON(kv), err)
	}
}

func TestDecimalDecoding(t *testing.T) {
	v, _ := decodeVariableScale("10.1000")
	if s := v.(interface{ Get(string) any }).Get("scale"); s != int32(1) {
		t.Errorf("variable scale of 10.1000 = %v, want 1", s)
	}
	v, _ = decodeVariableScale("100")
	if s := v.(interface{ Get(string) any }).Get("scale"); s != int32(0) {
		t.Errorf("variable scale of 100 = %v, want 0", s)
	}
	d, _ := decodeDecimal("-1.5", 3)
	if fmt.Sprint(d) != "-1.500" {
		t.Errorf("rescaled = %v", d)
	}
	if v, _ := decodeDecimal("NaN", 2); v != nil {
		t.Errorf("NaN = %v, want nil", v)
	}
}

func TestConfigParse(t *testing.T) {
	base := map[string]string{KeyHostname: "h", KeyUser: "u", KeyDBName: "d", KeyTopicPrefix: "p"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	log := connectortest.Logger(nil)
	c, err := parseConfig(with(), log)
	if err != nil {
		t.Fatal(err)
	}
	if c.Slot != "debezium" || c.Publication != "dbz_publication" || c.PubMode != "all_tables" || !c.Tombstones ||
		c.MaxBatch != 2048 || c.MaxQueue != 8192 || !c.Skip['t'] || c.Skip['c'] || c.HeartbeatTopic != "__debezium-heartbeat.p" ||
		c.Compat != "3.1" || c.SnapshotMode != "initial" || c.Placeholder != "__debezium_unavailable_value" {
		t.Errorf("defaults: %+v", c)
	}
	if c, err := parseConfig(with(KeyTopicPrefix, "", KeyServerName, "legacy"), log); err != nil || c.Prefix != "legacy" {
		t.Errorf("database.server.name fallback: %v %v", c, err)
	}
	for _, bad := range [][]string{{KeyPluginName, "decoderbufs"}, {KeyPluginName, "wal2json"}, {KeySlotName, "Bad-Name"},
		{KeySnapshotMode, "sometimes"}, {KeySkippedOperations, "x"}, {KeyTopicPrefix, "a b"}, {KeyMessageKeyColumns, "nocolon"}} {
		if _, err := parseConfig(with(bad...), log); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	if _, err := parseConfig(with("schema.history.internal.kafka.topic", "x", "topic.creation.default.partitions", "3"), log); err != nil {
		t.Errorf("ignored keys rejected: %v", err)
	}
}

func TestFilterSemantics(t *testing.T) {
	f, _ := newFilter(nil, nil, []string{`public\.cust.*`}, nil, nil, []string{`public\.customers\.ssn`})
	for in, want := range map[string]bool{"public.customers": true, "PUBLIC.Customers": true, "public.orders": false,
		"xpublic.customers": false, "pg_catalog.customers": false} {
		s, tb, _ := strings.Cut(in, ".")
		if got := f.Table(s, tb); got != want {
			t.Errorf("Table(%s) = %v", in, got)
		}
	}
	if f.Column("public", "customers", "ssn") || !f.Column("public", "customers", "ssn2") {
		t.Errorf("column exclude is not a full match")
	}
	g, _ := newFilter([]string{"inv"}, []string{"public"}, nil, []string{`inv\.secret`}, nil, nil)
	if !g.Table("inv", "a") || g.Table("public", "a") || g.Table("inv", "secret") {
		t.Errorf("schema include / table exclude")
	}
	if topicName("p.public.a b$ü") != "p.public.a_b__" {
		t.Errorf("topicName = %q", topicName("p.public.a b$ü"))
	}
}

func TestConnectionConfigQuoting(t *testing.T) {
	cfg := &Config{Host: "db.example", Port: 6543, User: `o'neil`, Password: "p w'\\", DBName: `we'ird db\x`, SSLMode: "disable"}
	pc, err := pgConfig(cfg, true)
	if err != nil {
		t.Fatal(err)
	}
	if pc.Host != cfg.Host || pc.Port != 6543 || pc.User != cfg.User || pc.Password != cfg.Password || pc.Database != cfg.DBName {
		t.Errorf("config %s:%d %q %q %q", pc.Host, pc.Port, pc.User, pc.Password, pc.Database)
	}
	if pc.RuntimeParams["replication"] != "database" || pc.RuntimeParams["DateStyle"] != "ISO" || pc.RuntimeParams["TimeZone"] != "UTC" {
		t.Errorf("runtime params %v", pc.RuntimeParams)
	}
}

func TestPluginAndTaskConfigs(t *testing.T) {
	p := Plugin()
	if p.Class != "io.debezium.connector.postgresql.PostgresConnector" || p.Type != "source" || p.Version != "3.1.3.Final" {
		t.Errorf("plugin %+v", p)
	}
	c := p.New().(*Connector)
	props := map[string]string{KeyHostname: "h", KeyUser: "u", KeyDBName: "d", KeyTopicPrefix: "p"}
	if err := c.Start(context.Background(), fakeConnCtx{}, props); err != nil {
		t.Fatal(err)
	}
	tc, err := c.TaskConfigs(4)
	if err != nil || len(tc) != 1 || tc[0][KeyDBName] != "d" {
		t.Errorf("task configs %v %v", tc, err)
	}
	if err := c.Start(context.Background(), fakeConnCtx{}, map[string]string{KeyHostname: "h"}); err == nil {
		t.Errorf("Start accepted a config without required keys")
	}
}

type fakeConnCtx struct{}

func (fakeConnCtx) RequestTaskReconfiguration()       {}
func (fakeConnCtx) MemoryPool() *connector.MemoryPool { return nil }
func (fakeConnCtx) RaiseError(error)                  {}
func (fakeConnCtx) Logger() *slog.Logger              { return connectortest.Logger(nil) }

func TestOffsetJSON(t *testing.T) {
	s := &session{cfg: &Config{Compat: "3.1"}}
	snap := s.snapshotOffset(&srcInfo{lsn: 23803720, txID: i64(747), tsUs: 1710496800123456}, false)
	b, _ := json.Marshal(snap)
	if string(b) != `{"lsn":23803720,"txId":747,"ts_usec":1710496800123456,"snapshot":"INITIAL","last_snapshot_record":false,"snapshot_completed":false}` {
		t.Errorf("snapshot offset %s", b)
	}
	// An offset stored by Debezium 3.1 (spec §4) resumes as it would there.
	var m map[string]any
	json.Unmarshal([]byte(`{"lsn_proc":23804880,"messageType":"DELETE","lsn_commit":23804832,"lsn":23804880,"txId":750,"ts_usec":1710497265774410}`), &m)
	o, err := offsetFromMap(m)
	if err != nil || o.inSnapshot() || o.confirmLSN() != 23804880 || *o.LsnCommit != 23804832 || *o.TxID != 750 || o.MessageType != "DELETE" {
		t.Fatalf("parsed %+v, %v", o, err)
	}
	b, _ = json.Marshal(o)
	var back map[string]any
	json.Unmarshal(b, &back)
	if fmt.Sprint(back) != fmt.Sprint(m) {
		t.Errorf("round trip %v != %v", back, m)
	}
	var z streamer
	(&Task{}).resumeState(&z, o)
	if z.st.skipXid == nil || *z.st.skipXid != 750 || z.st.skipLsn != 23804880 {
		t.Errorf("resume skip state %+v", z.st)
	}
	for _, c := range []struct {
		m    string
		want bool
	}{{`{"snapshot":true,"last_snapshot_record":false,"lsn":1}`, true}, {`{"snapshot":true,"last_snapshot_record":true,"lsn":1}`, false},
		{`{"snapshot":"INITIAL","last_snapshot_record":true,"snapshot_completed":true,"lsn":1}`, false},
		{`{"snapshot":"INITIAL","last_snapshot_record":false,"snapshot_completed":false,"lsn":1}`, true}} {
		var mm map[string]any
		json.Unmarshal([]byte(c.m), &mm)
		if o, _ := offsetFromMap(mm); o.inSnapshot() != c.want {
			t.Errorf("%s: inSnapshot = %v", c.m, !c.want)
		}
	}
}

func TestSplitRange(t *testing.T) {
	tb := &table{}
	for _, c := range []struct{ lo, hi, n int64 }{{1, 1000, 8}, {-5, 5, 3}, {math.MinInt64, math.MaxInt64, 12}, {7, 7, 4}} {
		chunks := splitRange(tb, `"id"`, c.lo, c.hi, c.n)
		if len(chunks) == 0 {
			t.Fatalf("%v: no chunks", c)
		}
		if len(chunks) > 1 && (!strings.HasPrefix(chunks[0].where, ` WHERE "id" < `) || !strings.Contains(chunks[len(chunks)-1].where, ">=")) {
			t.Errorf("%v: ranges not open at the ends: %q … %q", c, chunks[0].where, chunks[len(chunks)-1].where)
		}
	}
}

// formatZonedFmt is the fmt-based rendering formatZoned replaced; the two
// must agree byte for byte.
func formatZonedFmt(us int64, p int) string {
	t := time.UnixMicro(us).UTC()
	var b strings.Builder
	y := t.Year()
	switch {
	case y > 9999:
		b.WriteString("+" + strconv.Itoa(y))
	case y < 0:
		fmt.Fprintf(&b, "-%04d", -y)
	default:
		fmt.Fprintf(&b, "%04d", y)
	}
	fmt.Fprintf(&b, "-%02d-%02dT%02d:%02d:%02d", int(t.Month()), t.Day(), t.Hour(), t.Minute(), t.Second())
	if p > 0 {
		frac := fmt.Sprintf("%06d", t.Nanosecond()/1000)
		b.WriteString("." + frac[:p])
	}
	b.WriteByte('Z')
	return b.String()
}

func TestFormatZonedMatchesFmt(t *testing.T) {
	uss := []int64{0, 1, -1, 999999, -999999, 1478260290123456, 1585741862000000, 253402300799999999,
		253402300800000000, -62135596800000000, -62135596800000001, -62198755200000000, -100000000000000000,
		infinityMicros, negInfinityMicros}
	for x := int64(-7e17); x < 7e17; x += 12345678901234567 {
		uss = append(uss, x)
	}
	for _, us := range uss {
		for p := 0; p <= 6; p++ {
			if got, want := formatZoned(us, p), formatZonedFmt(us, p); got != want {
				t.Errorf("formatZoned(%d,%d) = %s, want %s", us, p, got, want)
			}
		}
	}
}

func TestSmallDecimalMatchesGeneral(t *testing.T) {
	ins := []string{"0", "-0", "0.00", "-0.00", "1", "-1", "1.5", "-1.5", "123.45", "-123.456", "1.", ".5", "+7.25",
		"999999999999999999", "9999999999999999.99", "99999999999999999.9", "1234567890123456789", "0.000000000000000001",
		"12345678901.23", "-99999999.995", "5e3", "abc", "", ".", "-", "1.2.3", "1-2"}
	for _, s := range ins {
		for scale := int32(0); scale <= 20; scale++ {
			d, err := data.ParseDecimal(s)
			fast, ok := parseSmallDecimal(s, scale)
			if err != nil {
				if ok {
					t.Errorf("parseSmallDecimal(%q) accepted what ParseDecimal refuses", s)
				}
				continue
			}
			want := rescale(d, scale)
			if !ok {
				continue
			}
			if fast.Scale != want.Scale || fast.Unscaled.Cmp(want.Unscaled) != 0 || !bytes.Equal(fast.Bytes(), want.Bytes()) {
				t.Errorf("parseSmallDecimal(%q, %d) = %v, want %v", s, scale, fast, want)
			}
		}
	}
}
