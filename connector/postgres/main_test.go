package postgres

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/connectortest"
	"github.com/wharf-project/wharf/connector/data"
	"github.com/wharf-project/wharf/connector/testserver"
)

// testPG is the one cluster all tests of this package share; each test
// gets its own database.
var testPG *testserver.PG

func TestMain(m *testing.M) {
	pg, stop, err := testserver.StartPostgres()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	testPG = pg
	code := m.Run()
	stop()
	os.Exit(code)
}

// fixture is one test's database plus a task driven like the runtime does.
type fixture struct {
	t     *testing.T
	db    string
	dsn   string
	props map[string]string
	ctx   *connectortest.Source
	task  *Task
	// last holds, per partition, the newest offset returned by Poll.
	last any
}

func newFixture(t *testing.T, ddl ...string) *fixture {
	t.Helper()
	db := testPG.CreateDB(t, t.Name())
	f := &fixture{t: t, db: db, dsn: testPG.DSN(db), ctx: connectortest.NewSource("pg-" + db)}
	if len(ddl) > 0 {
		testPG.Exec(t, f.dsn, ddl...)
	}
	f.props = map[string]string{
		"connector.class": Class, KeyHostname: testPG.Host, KeyPort: strconv.Itoa(testPG.Port),
		KeyUser: "postgres", KeyDBName: db, KeyTopicPrefix: "dbserver1", KeyPluginName: "pgoutput",
		KeySSLMode: "disable", KeyPollInterval: "50", KeyStatusUpdateInterval: "200", KeyRetriableBackoff: "200",
		KeySlotName: "slot_" + strconv.FormatInt(time.Now().UnixNano()%1e9, 10),
	}
	t.Cleanup(f.stop)
	return f
}

func (f *fixture) exec(sql ...string) { f.t.Helper(); testPG.Exec(f.t, f.dsn, sql...) }

func (f *fixture) start() {
	f.t.Helper()
	f.task = &Task{}
	if err := f.task.Start(context.Background(), f.ctx, f.props); err != nil {
		f.t.Fatalf("start: %v", err)
	}
}

func (f *fixture) stop() {
	if f.task != nil {
		if err := f.task.Stop(); err != nil {
			f.t.Errorf("stop: %v", err)
		}
		f.task = nil
	}
}

// poll polls until n records arrived (or fails after a timeout).
func (f *fixture) poll(n int) []connector.SourceRecord {
	f.t.Helper()
	var out []connector.SourceRecord
	deadline := time.Now().Add(30 * time.Second)
	for len(out) < n {
		if time.Now().After(deadline) {
			f.t.Fatalf("got %d records, want %d: %v", len(out), n, summary(out))
		}
		recs, err := f.task.Poll(context.Background())
		if err != nil && !connector.IsRetriable(err) {
			f.t.Fatalf("poll: %v", err)
		}
		for _, r := range recs {
			validate(f.t, r)
			if r.Topic == "__debezium-heartbeat.dbserver1" && f.props[KeyHeartbeatInterval] == "" {
				continue
			}
			out = append(out, r)
			f.last = r.SourceOffset
		}
	}
	return out
}

// pollData polls until n records that are not heartbeats arrived.
func (f *fixture) pollData(n int) []connector.SourceRecord {
	f.t.Helper()
	var out []connector.SourceRecord
	deadline := time.Now().Add(30 * time.Second)
	for len(out) < n {
		if time.Now().After(deadline) {
			f.t.Fatalf("got %d data records, want %d: %v", len(out), n, summary(out))
		}
		for _, r := range f.poll(1) {
			if r.Topic != "__debezium-heartbeat.dbserver1" {
				out = append(out, r)
			}
		}
	}
	return out
}

// expectQuiet polls for d and fails if a data record arrives.
func (f *fixture) expectQuiet(d time.Duration) {
	f.t.Helper()
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		recs, _ := f.task.Poll(context.Background())
		for _, r := range recs {
			if r.Topic != "__debezium-heartbeat.dbserver1" {
				f.t.Fatalf("unexpected record %v", summary([]connector.SourceRecord{r}))
			}
		}
	}
}

// commit stores the newest polled offset as the runtime would and tells the task.
func (f *fixture) commit() {
	f.t.Helper()
	if f.last == nil {
		return
	}
	p := connector.NewSourcePartition(map[string]any{"server": "dbserver1"})
	if err := f.ctx.Commit(p, f.last); err != nil {
		f.t.Fatal(err)
	}
	if err := f.task.CommitOffsets(context.Background(), []connector.CommittedOffset{{Partition: p, Offset: f.last}}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) query(sql string, args ...any) any {
	f.t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, f.dsn)
	if err != nil {
		f.t.Fatal(err)
	}
	defer conn.Close(ctx)
	var v any
	if err := conn.QueryRow(ctx, sql, args...).Scan(&v); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
	return v
}

// validate checks a record's key and value against their schemas, as
// Connect's converters do before serialising.
func validate(t *testing.T, r connector.SourceRecord) {
	t.Helper()
	if r.KeySchema != nil {
		if err := data.ValidateValue(r.KeySchema, r.Key); err != nil {
			t.Fatalf("%s: invalid key: %v", r.Topic, err)
		}
	}
	if r.ValueSchema != nil {
		if err := data.ValidateValue(r.ValueSchema, r.Value); err != nil {
			t.Fatalf("%s: invalid value: %v", r.Topic, err)
		}
	}
	for _, h := range r.Headers {
		if err := data.ValidateValue(h.Schema, h.Value); err != nil {
			t.Fatalf("%s: invalid header %s: %v", r.Topic, h.Key, err)
		}
	}
	if r.SourcePartition == nil || r.SourcePartition.JSON() != `{"server":"dbserver1"}` || r.SourceOffset == nil {
		t.Fatalf("%s: partition %v offset %v", r.Topic, r.SourcePartition, r.SourceOffset)
	}
}

func summary(recs []connector.SourceRecord) []string {
	var out []string
	for _, r := range recs {
		out = append(out, fmt.Sprintf("%s key=%v op=%v", r.Topic, r.Key, opOf(r)))
	}
	return out
}

func opOf(r connector.SourceRecord) string {
	st, ok := r.Value.(*data.Struct)
	if !ok || st == nil {
		return "<tombstone>"
	}
	op, _ := st.Get("op").(string)
	return op
}

func after(r connector.SourceRecord) *data.Struct {
	st, _ := r.Value.(*data.Struct).Get("after").(*data.Struct)
	return st
}

func before(r connector.SourceRecord) *data.Struct {
	st, _ := r.Value.(*data.Struct).Get("before").(*data.Struct)
	return st
}

func source(r connector.SourceRecord) *data.Struct {
	return r.Value.(*data.Struct).Get("source").(*data.Struct)
}
