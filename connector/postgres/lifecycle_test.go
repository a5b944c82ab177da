package postgres

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pglogrepl"
	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/config"
	"github.com/wharf-project/wharf/connector/data"
	"github.com/wharf-project/wharf/connector/testserver"
)

type change struct {
	key string
	op  string
	val any
}

func changes(recs []connector.SourceRecord) []change {
	var out []change
	for _, r := range recs {
		if r.Value == nil || r.Topic != "dbserver1.public.customers" {
			continue
		}
		c := change{key: r.Key.(*data.Struct).Get("custkey").(string), op: opOf(r)}
		if a := after(r); a != nil {
			c.val = a.Get("fico")
		}
		out = append(out, c)
	}
	return out
}

// TestRestartResume stops the task with offsets committed in the middle of
// a transaction and checks that a new task emits every later change, in
// order per key.
func TestRestartResume(t *testing.T) {
	f := newFixture(t, customersDDL)
	f.props[KeySnapshotMode] = "no_data"
	f.start()
	f.expectQuiet(200 * time.Millisecond)
	f.exec(`INSERT INTO customers (custkey, fico) SELECT 'K' || i, 0 FROM generate_series(1, 5) i`,
		`UPDATE customers SET fico = 1`)
	recs := f.poll(10)
	// Commit in the middle of the UPDATE transaction (after its 2nd event).
	f.last = recs[6].SourceOffset
	f.commit()
	f.stop()
	f.exec(`UPDATE customers SET fico = 2`)

	f.start()
	var got []change
	for len(got) == 0 || got[len(got)-1] != (change{"K5", "u", int32(2)}) {
		got = append(got, changes(f.poll(1))...)
	}
	want := []change{}
	for i := 3; i <= 5; i++ {
		want = append(want, change{fmt.Sprintf("K%d", i), "u", int32(1)})
	}
	for i := 1; i <= 5; i++ {
		want = append(want, change{fmt.Sprintf("K%d", i), "u", int32(2)})
	}
	// At least once: the event at the committed LSN may repeat first.
	if len(got) > 0 && got[0] == (change{"K2", "u", int32(1)}) {
		got = got[1:]
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after restart got %v\nwant %v", got, want)
	}
}

func slotLSN(f *fixture) pglogrepl.LSN {
	v := f.query(`SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = $1`, f.props[KeySlotName])
	l, _ := pglogrepl.ParseLSN(v.(string))
	return l
}

func waitSlotPast(f *fixture, min pglogrepl.LSN) pglogrepl.LSN {
	f.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		f.poll(1) // heartbeats
		f.commit()
		if l := slotLSN(f); l > min {
			return l
		}
	}
	f.t.Fatalf("confirmed_flush_lsn did not advance past %s", min)
	return 0
}

func TestHeartbeatAdvancesSlot(t *testing.T) {
	f := newFixture(t, customersDDL, `CREATE TABLE noise (id int PRIMARY KEY)`)
	f.props[KeySnapshotMode] = "no_data"
	f.props[KeyTableInclude] = "public.customers"
	f.props[KeyHeartbeatInterval] = "100"
	f.start()
	hb := f.poll(1)[0]
	if hb.Topic != "__debezium-heartbeat.dbserver1" || hb.Partition != 0 || hb.Key.(*data.Struct).Get("serverName") != "dbserver1" {
		t.Fatalf("heartbeat %+v", hb)
	}
	l0 := slotLSN(f)
	// Nothing is confirmed before the runtime commits.
	f.exec(`INSERT INTO noise VALUES (1)`)
	time.Sleep(500 * time.Millisecond)
	if l := slotLSN(f); l != l0 {
		t.Fatalf("slot advanced to %s before any offset commit (was %s)", l, l0)
	}
	l1 := waitSlotPast(f, l0)
	// Idle database: WAL written elsewhere in the cluster moves the slot too.
	other := testPG.CreateDB(t, "other")
	testPG.Exec(t, testPG.DSN(other), `CREATE TABLE x (id int)`, `INSERT INTO x VALUES (1)`)
	waitSlotPast(f, l1)
}

func TestPostgresRestartRetries(t *testing.T) {
	f := newFixture(t, customersDDL)
	f.props[KeySnapshotMode] = "no_data"
	f.start()
	f.expectQuiet(200 * time.Millisecond)
	f.exec(`INSERT INTO customers (custkey, fico) VALUES ('A', 1)`)
	f.poll(1)
	testPG.Kill(t)
	retriable := false
	deadline := time.Now().Add(20 * time.Second)
	for !retriable && time.Now().Before(deadline) {
		_, err := f.task.Poll(context.Background())
		if err != nil {
			if !connector.IsRetriable(err) {
				testPG.Start(t)
				t.Fatalf("non-retriable error while the server is down: %v", err)
			}
			retriable = true
		}
	}
	testPG.Start(t)
	if !retriable {
		t.Fatal("no retriable error while the server was down")
	}
	f.exec(`INSERT INTO customers (custkey, fico) VALUES ('B', 2)`)
	for {
		got := changes(f.poll(1))
		if len(got) == 1 && got[0].key == "B" {
			break
		}
	}
}

func TestDroppedSlotIsPermanent(t *testing.T) {
	f := newFixture(t, customersDDL)
	f.props[KeySnapshotMode] = "no_data"
	f.start()
	f.expectQuiet(200 * time.Millisecond)
	f.exec(`INSERT INTO customers (custkey, fico) VALUES ('A', 1)`)
	f.poll(1)
	f.commit()
	f.stop()
	// The walsender of the closed connection may linger for a moment.
	for i := 0; ; i++ {
		err := testserver.ExecSQL(f.dsn, `SELECT pg_drop_replication_slot('`+f.props[KeySlotName]+`')`)
		if err == nil {
			break
		}
		if i > 50 {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	f.start()
	var err error
	for deadline := time.Now().Add(10 * time.Second); err == nil && time.Now().Before(deadline); {
		_, err = f.task.Poll(context.Background())
	}
	if err == nil || connector.IsRetriable(err) || !strings.Contains(err.Error(), "snapshot.mode=when_needed") {
		t.Fatalf("err = %v, want a permanent error that says what to do", err)
	}
	f.stop()
	f.props[KeySnapshotMode] = "when_needed"
	f.start()
	if r := f.poll(1)[0]; opOf(r) != "r" {
		t.Fatalf("when_needed did not re-snapshot: %v", summary([]connector.SourceRecord{r}))
	}
}

func TestValidate(t *testing.T) {
	f := newFixture(t, `CREATE TABLE nokey (v int)`, `CREATE TABLE ok (id int PRIMARY KEY)`)
	c := &Connector{}
	errs := func(props map[string]string) map[string][]string {
		out := map[string][]string{}
		for _, r := range c.Validate(context.Background(), props) {
			if len(r.Errors) > 0 {
				out[r.Name] = r.Errors
			}
		}
		return out
	}
	props := func(kv ...string) map[string]string {
		p := map[string]string{}
		for k, v := range f.props {
			p[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			p[kv[i]] = kv[i+1]
		}
		return p
	}
	got := errs(props())
	if len(got) != 1 || !strings.Contains(strings.Join(got[KeyTableInclude], ""), "public.nokey") {
		t.Errorf("replica identity check: %v", got)
	}
	if got := errs(props(KeyTableInclude, "public.ok")); len(got) != 0 {
		t.Errorf("valid config has errors: %v", got)
	}
	if got := errs(props(KeyPluginName, "decoderbufs")); !strings.Contains(strings.Join(got[KeyPluginName], ""), "pgoutput") {
		t.Errorf("decoderbufs: %v", got)
	}
	if got := errs(props(KeyPort, "1")); len(got[KeyHostname]) == 0 {
		t.Errorf("unreachable server: %v", got)
	}
	if got := errs(props(KeyTopicPrefix, "")); len(got[KeyTopicPrefix]) == 0 {
		t.Errorf("missing topic.prefix: %v", got)
	}
	// Debezium's rule: the queue must hold more than a batch.
	if got := errs(props(KeyTableInclude, "public.ok", KeyMaxQueueSize, "2048")); len(got) != 1 ||
		strings.Join(got[KeyMaxQueueSize], "") != "Must be larger than the maximum batch size" {
		t.Errorf("max.queue.size = max.batch.size: %v", got)
	}
	if _, err := parseConfig(props(KeyMaxBatchSize, "100", KeyMaxQueueSize, "50"), discardLogger()); err == nil ||
		err.Error() != "The 'max.queue.size' value is invalid: Must be larger than the maximum batch size" {
		t.Errorf("task start with max.queue.size < max.batch.size: %v", err)
	}
	if got := errs(props(KeyTableInclude, "public.ok", KeyMaxQueueSizeInBytes, "-1")); len(got) != 1 || len(got[KeyMaxQueueSizeInBytes]) != 1 {
		t.Errorf("negative max.queue.size.in.bytes: %v", got)
	}
	// An active slot is reported on slot.name.
	f.props[KeyTableInclude] = "public.ok"
	f.props[KeySnapshotMode] = "no_data"
	f.start()
	f.expectQuiet(300 * time.Millisecond)
	if got := errs(props()); !strings.Contains(strings.Join(got[KeySlotName], ""), "active") {
		t.Errorf("active slot: %v", got)
	}
	_ = config.ErrorCount
}

func TestSlotDropOnStopAndHeartbeatQuery(t *testing.T) {
	f := newFixture(t, customersDDL, `CREATE TABLE hb (id int PRIMARY KEY, ts timestamptz)`, `INSERT INTO hb VALUES (1, now())`)
	f.props[KeySnapshotMode] = "no_data"
	f.props[KeySlotDropOnStop] = "true"
	f.props[KeyHeartbeatInterval] = "100"
	f.props[KeyHeartbeatActionQuery] = `UPDATE hb SET ts = now() WHERE id = 1`
	f.start()
	// The action query writes to a captured table, so its changes stream.
	deadline := time.Now().Add(20 * time.Second)
	for {
		if time.Now().After(deadline) {
			t.Fatal("no change from heartbeat.action.query")
		}
		r := f.poll(1)[0]
		if r.Topic == "dbserver1.public.hb" && opOf(r) == "u" {
			break
		}
	}
	f.stop()
	if n := f.query(`SELECT count(*) FROM pg_replication_slots WHERE slot_name = $1`, f.props[KeySlotName]); n != int64(0) {
		t.Fatalf("slot still exists after stop with slot.drop.on.stop=true")
	}
}

func TestPollReturnsWhenContextDone(t *testing.T) {
	f := newFixture(t, customersDDL)
	f.props[KeyPollInterval] = "60000"
	f.start()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := f.task.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Poll took %v after its context ended", d)
	}
}
