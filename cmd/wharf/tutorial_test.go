package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/jackc/pgx/v5"

	"github.com/wharf-project/wharf/connector/testserver"
	"github.com/wharf-project/wharf/rest/resttest"
)

// The seed tutorial end to end with the example files: PostgreSQL →
// Debezium source → embedded Kafka → S3 sinks (the tutorial's JsonFormat
// one and the Parquet variant) → the tutorial's MERGE in DuckDB over the
// downloaded "changes" objects, which must reproduce the PostgreSQL tables.
//
// Tables: burst_bank.customer as examples/postgres/setup.sql creates it
// (REPLICA IDENTITY FULL) and burst_bank.customer_default, the same columns
// with REPLICA IDENTITY DEFAULT. WHARF_TUTORIAL_SEED fixes the workload.

const (
	tutorialBucket = "burst-bank"
	tutorialPrefix = "bank" // topic.prefix of examples/debezium.json
)

var tutorialTables = []string{"customer", "customer_default"}

func TestTutorial(t *testing.T) {
	dups := runTutorial(t, 0, nil)
	for k, n := range dups {
		if n != 0 {
			t.Errorf("%s: %d duplicate change rows without any crash", k, n)
		}
	}
}

// TestTutorialWorkerKilled kills the worker (SIGKILL) twice while the
// workload runs. Nothing may be lost and the MERGE must still reproduce the
// tables; the source delivers at least once, so the changes table may hold
// duplicate change rows, which are counted and logged.
func TestTutorialWorkerKilled(t *testing.T) {
	dups := runTutorial(t, 2, nil)
	keys := make([]string, 0, len(dups))
	for k := range dups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("duplicate change rows after 2 SIGKILLs: %s: %d", k, dups[k])
		fmt.Fprintf(os.Stderr, "tutorial: duplicate change rows after 2 SIGKILLs: %s: %d\n", k, dups[k])
	}
}

type tutorial struct {
	t       *testing.T
	pg      *testserver.PG
	s3      *testserver.S3
	dsn     string
	dataDir string
	props   map[string]string
	work    string // scratch: downloads, DuckDB files
	w       *workload
	p       *proc // the running worker
}

var (
	tutorialConnectors = []string{"postgresql-connector", "s3-sink-connector", "s3-sink-parquet"}
	tutorialFormats    = []string{"json", "parquet"}
)

// TestTutorialAvro runs the tutorial the way fast-data-dev's worker is set
// up: AvroConverter for keys and values against a Schema Registry (the
// worker's embedded one), so Kafka holds Avro and the S3 sinks write the
// same JSON and Parquet changes tables from it.
func TestTutorialAvro(t *testing.T) {
	tu, dups := runTutorialWith(t, 0, map[string]string{
		"key.converter":                  "io.confluent.connect.avro.AvroConverter",
		"value.converter":                "io.confluent.connect.avro.AvroConverter",
		"wharf.schema.registry.enable":   "true",
		"wharf.schema.registry.listener": "http://127.0.0.1:0",
	})
	// Kafka holds Confluent-framed Avro: magic byte 0, then a schema id.
	m := regexp.MustCompile(`bootstrap.servers=([0-9.:]+)`).FindStringSubmatch(tu.p.output())
	if m == nil {
		t.Fatal("no broker address in the worker log")
	}
	c, err := sarama.NewConsumer([]string{m[1]}, sarama.NewConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	pc, err := c.ConsumePartition(tutorialTopic("customer"), 0, sarama.OffsetOldest)
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	select {
	case msg := <-pc.Messages():
		if len(msg.Value) < 6 || msg.Value[0] != 0 || len(msg.Key) < 6 || msg.Key[0] != 0 {
			t.Fatalf("record is not Confluent Avro: key % x, value % x…", msg.Key, msg.Value[:min(len(msg.Value), 16)])
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no record in the topic")
	}
	for k, n := range dups {
		if n != 0 {
			t.Errorf("%s: %d duplicate change rows without any crash", k, n)
		}
	}
}

// runTutorial runs the whole pipeline with extra worker properties, killing
// the worker kills times during the workload, and returns the duplicate
// change rows per sink format and table ("json/customer" …).
func runTutorial(t *testing.T, kills int, props map[string]string) map[string]int {
	_, dups := runTutorialWith(t, kills, props)
	return dups
}

func runTutorialWith(t *testing.T, kills int, props map[string]string) (*tutorial, map[string]int) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("WHARF_TUTORIAL_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("workload seed %d (WHARF_TUTORIAL_SEED)", seed)
	tu := newTutorial(t, seed)
	for k, v := range props {
		tu.props[k] = v
	}
	tu.startPipeline()
	tu.runWorkload(240, kills)
	want := map[string][]string{}
	for _, tbl := range tutorialTables {
		want[tbl] = pgRows(t, tu.dsn, tbl)
	}
	tu.waitMerged(want)
	return tu, tu.verify(want)
}

// newTutorial starts PostgreSQL and MinIO and runs the tutorial's SQL, plus
// a second table with the default replica identity.
func newTutorial(t *testing.T, seed uint64) *tutorial {
	tu := &tutorial{t: t, pg: testserver.Postgres(t), s3: testserver.MinIO(t), work: t.TempDir(), w: newWorkload(seed)}
	tu.dsn = tu.pg.DSN("postgres")
	tu.s3.CreateBucket(t, tutorialBucket)
	// The S3 sink takes its credentials from the worker's environment, as
	// in the tutorial's docker-compose file.
	t.Setenv("AWS_ACCESS_KEY_ID", tu.s3.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", tu.s3.SecretKey)
	t.Setenv("AWS_REGION", tu.s3.Region)
	tu.pg.Exec(t, tu.dsn, readExample(t, "postgres/setup.sql"),
		`CREATE TABLE burst_bank.customer_default (LIKE burst_bank.customer INCLUDING ALL)`,
		`INSERT INTO burst_bank.customer_default SELECT * FROM burst_bank.customer`)
	tu.w.loadInitial(t, tu.dsn)
	tu.props = readProperties(t, filepath.Join(repoRoot, "configs", "standalone.properties"))
	tu.props["listeners"] = "http://127.0.0.1:0"
	tu.dataDir = filepath.Join(tu.work, "wharf")
	return tu
}

// startPipeline starts the worker with its embedded broker, POSTs the
// example connectors (port, endpoint and the second table's topic
// substituted) and waits for the snapshot to land.
func (tu *tutorial) startPipeline() {
	t := tu.t
	tu.p = startWharf(t, "standalone", tu.props, tu.dataDir)
	c := tu.p.client()
	for _, f := range []string{"debezium.json", "s3_sink.json", "s3_sink_parquet.json"} {
		orig := readExample(t, f)
		body := strings.NewReplacer(
			`"database.port": "5432"`, `"database.port": "`+strconv.Itoa(tu.pg.Port)+`"`,
			`"http://127.0.0.1:9000"`, `"`+tu.s3.Endpoint+`"`,
			`"topics": "`+tutorialTopic("customer")+`"`,
			`"topics": "`+tutorialTopic("customer")+","+tutorialTopic("customer_default")+`"`,
		).Replace(orig)
		if body == orig {
			t.Fatalf("examples/%s: nothing substituted; the test no longer matches the file", f)
		}
		c.Expect(t, 201, "POST", "/connectors", body)
	}
	for _, name := range tutorialConnectors {
		c.WaitState(t, name, "RUNNING", 1)
	}
	// The snapshot first (op r), so no streamed change races it.
	resttest.Eventually(t, 60*time.Second, func() string {
		if n := len(tu.s3.Keys(t, tutorialBucket, "topics/")); n < tu.w.expected {
			return fmt.Sprintf("%d snapshot objects, want %d", n, tu.w.expected)
		}
		return ""
	})
}

// runWorkload applies txns transactions in the background. At kills evenly
// spaced points it pauses until the worker has stored a source offset since
// its last start; 20 transactions later the worker is killed (SIGKILL) and
// restarted on the same data directory while the workload goes on. Every 60
// transactions the MERGE runs over what has landed, as a scheduled job would.
func (tu *tutorial) runWorkload(txns, kills int) {
	t := tu.t
	arm := map[int]bool{}
	for i := 1; i <= kills; i++ {
		arm[i*txns/(kills+1)] = true
	}
	progress, resume := make(chan int, txns), make(chan struct{})
	t.Cleanup(func() { close(resume) }) // a failed test must not leave the workload waiting
	var wg sync.WaitGroup
	var werr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(progress)
		werr = tu.w.run(tu.dsn, txns, progress, arm, resume)
	}()
	// Kills come at any point, also before the first source offset flush:
	// the source then snapshots again on its slot and loses nothing.
	killAt := -1
	for n := range progress {
		if arm[n] {
			resume <- struct{}{}
			killAt = n + 20
		}
		if n == killAt {
			t.Logf("SIGKILL the worker after %d transactions", n)
			tu.p.stop(t, syscall.SIGKILL)
			time.Sleep(500 * time.Millisecond) // changes pile up while it is down
			tu.p = startWharf(t, "standalone", tu.props, tu.dataDir)
			for _, name := range tutorialConnectors {
				tu.p.client().WaitState(t, name, "RUNNING", 1)
			}
		}
		if n%60 == 30 {
			tu.mergeAll(filepath.Join(tu.work, "live"), true)
		}
	}
	wg.Wait()
	if werr != nil {
		t.Fatalf("workload: %v", werr)
	}
	t.Logf("workload done: %d transactions, %d change events expected", txns, tu.w.expected)
}

// mergeAll downloads what has landed into dir and runs the MERGE for every
// format and table; results are keyed "format/table".
func (tu *tutorial) mergeAll(dir string, persistent bool) map[string]mergeResult {
	tu.download(dir)
	res := map[string]mergeResult{}
	for _, f := range tutorialFormats {
		for _, tbl := range tutorialTables {
			res[f+"/"+tbl] = tu.merge(dir, f, tbl, persistent)
		}
	}
	return res
}

// waitMerged waits until the scheduled (incremental) MERGE of every format
// and table equals PostgreSQL.
func (tu *tutorial) waitMerged(want map[string][]string) {
	deadline := time.Now().Add(90 * time.Second)
	for {
		var diff string
		for k, res := range tu.mergeAll(filepath.Join(tu.work, "live"), true) {
			if d := compareMerge(k, res, want[strings.SplitN(k, "/", 2)[1]], 0); d != "" {
				diff = d
			}
		}
		if diff == "" {
			return
		}
		if time.Now().After(deadline) {
			tu.t.Fatalf("the incremental MERGE did not reproduce PostgreSQL within 90 s: %s\nworker log:\n%s",
				diff, tail(tu.p.output(), 40))
		}
		time.Sleep(2 * time.Second)
	}
}

// verify downloads everything afresh and runs one MERGE into an empty
// consume table per format and table: it must equal PostgreSQL, and the
// changes table must hold every change event. It returns the duplicates.
func (tu *tutorial) verify(want map[string][]string) map[string]int {
	t := tu.t
	dups := map[string]int{}
	all := tu.mergeAll(filepath.Join(tu.work, "final"), false)
	keys := make([]string, 0, len(all))
	for k := range all {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		res, tbl := all[k], strings.SplitN(k, "/", 2)[1]
		if d := compareMerge(k, res, want[tbl], tu.w.expectedPer[tbl]); d != "" {
			t.Errorf("one-shot MERGE: %s", d)
		}
		dups[k] = res.rows - res.distinct
		t.Logf("%s: %d change rows, %d distinct changes (%d expected), %d consume rows",
			k, res.rows, res.distinct, tu.w.expectedPer[tbl], len(res.consume))
	}
	if up := tu.s3.MultipartUploads(t, tutorialBucket); len(up) > 0 {
		t.Logf("multipart uploads left open: %v", up)
	}
	return dups
}

// sourceOffsets is the source connector's stored offsets (GET …/offsets).
func sourceOffsets(t *testing.T, c *resttest.Client) string {
	t.Helper()
	return string(c.Expect(t, 200, "GET", "/connectors/postgresql-connector/offsets", nil).Body)
}

func tutorialTopic(table string) string { return tutorialPrefix + ".burst_bank." + table }

func readExample(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "examples", filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// readProperties reads a .properties file of plain key=value lines.
func readProperties(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	props := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == '!' {
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok {
			props[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return props
}

// download copies the bucket into dir. JsonFormat objects already there
// are kept: with flush.size=1 a replay rewrites the same content under the
// same key. Parquet objects are cut on a wall-clock schedule, so a replay
// may rewrite a key with other records: they are fetched every time.
func (tu *tutorial) download(dir string) {
	for _, k := range tu.s3.Keys(tu.t, tutorialBucket, "") {
		p := filepath.Join(dir, filepath.FromSlash(k))
		if _, err := os.Stat(p); err == nil && strings.HasSuffix(k, ".json") {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tu.t.Fatal(err)
		}
		tmp := p + ".part"
		if err := os.WriteFile(tmp, tu.s3.Get(tu.t, tutorialBucket, k), 0o644); err != nil {
			tu.t.Fatal(err)
		}
		if err := os.Rename(tmp, p); err != nil {
			tu.t.Fatal(err)
		}
	}
}

type mergeResult struct {
	consume  []string // rows of the consume table, ordered by custkey
	rows     int      // change rows in the changes table
	distinct int      // distinct changes (source.lsn, op, key)
}

// merge runs examples/duckdb/changes_<format>.sql, consume.sql and
// merge.sql over the downloaded objects of one table. persistent keeps the
// consume table in a DuckDB file between calls, as the tutorial's scheduled
// MERGE does; otherwise the consume table starts empty.
func (tu *tutorial) merge(dir, format, table string, persistent bool) mergeResult {
	glob := filepath.Join(dir, "topics", tutorialTopic(table), "partition=*", "*.json")
	if format == "parquet" {
		glob = filepath.Join(dir, "parquet", tutorialTopic(table), "partition=*", "*.parquet")
	}
	if m, _ := filepath.Glob(glob); len(m) == 0 {
		return mergeResult{}
	}
	var sql strings.Builder
	if persistent {
		fmt.Fprintf(&sql, "ATTACH '%s' AS consume_db; USE consume_db;\n",
			filepath.Join(tu.work, "consume-"+format+"-"+table+".duckdb"))
	}
	fmt.Fprintf(&sql, "SET VARIABLE changes = '%s';\n", glob)
	sql.WriteString(readExample(tu.t, "duckdb/changes_"+format+".sql"))
	sql.WriteString(readExample(tu.t, "duckdb/consume.sql"))
	sql.WriteString(readExample(tu.t, "duckdb/merge.sql"))
	sql.WriteString(`
SELECT 'count' AS kind, NULL AS custkey, NULL AS first_name, NULL AS city, NULL AS state, NULL AS fico,
       NULL AS registration_date,
       (SELECT count(*) FROM customer_changes) AS n_rows,
       -- Distinct change events: streamed ones, plus the rows of the first
       -- snapshot; a later re-snapshot's rows count as duplicates.
       (SELECT count(DISTINCT (source.lsn, op, coalesce(before.custkey, after.custkey))) FROM customer_changes WHERE op <> 'r')
       + (SELECT count(DISTINCT after.custkey) FROM customer_changes
          WHERE op = 'r' AND source.lsn = (SELECT min(source.lsn) FROM customer_changes WHERE op = 'r')) AS n_distinct
UNION ALL
SELECT 'row', custkey, first_name, city, state, CAST(fico AS VARCHAR), CAST(registration_date AS VARCHAR), NULL, NULL
FROM customer_consume
ORDER BY kind, custkey`)
	var res mergeResult
	for _, r := range testserver.DuckDB(tu.t, sql.String()) {
		if r["kind"] == "count" {
			res.rows, res.distinct = jsonInt(r["n_rows"]), jsonInt(r["n_distinct"])
			continue
		}
		res.consume = append(res.consume, rowString(r["custkey"], r["first_name"], r["city"], r["state"],
			r["fico"], r["registration_date"]))
	}
	return res
}

// compareMerge returns "" when the consume table equals want and, when
// expected > 0, the changes table holds exactly that many distinct changes.
func compareMerge(what string, got mergeResult, want []string, expected int) string {
	if expected > 0 && got.distinct != expected {
		return fmt.Sprintf("%s: %d distinct changes, want %d (lost or spurious change events)",
			what, got.distinct, expected)
	}
	if strings.Join(got.consume, "\n") == strings.Join(want, "\n") {
		return ""
	}
	return fmt.Sprintf("%s: consume table (%d rows) differs from PostgreSQL (%d rows):\n%s",
		what, len(got.consume), len(want), firstDiff(got.consume, want))
}

func firstDiff(got, want []string) string {
	for i := 0; i < len(got) || i < len(want); i++ {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			return fmt.Sprintf("  row %d: got  %q\n  row %d: want %q", i, g, i, w)
		}
	}
	return ""
}

func jsonInt(v any) int {
	switch v := v.(type) {
	case float64:
		return int(v)
	case string:
		n, _ := strconv.Atoi(v)
		return n
	}
	return 0
}

// rowString renders a row for comparison; NULL is ∅.
func rowString(vals ...any) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		switch v := v.(type) {
		case nil:
			parts[i] = "∅"
		case *string:
			if v == nil {
				parts[i] = "∅"
			} else {
				parts[i] = *v
			}
		default:
			parts[i] = fmt.Sprint(v)
		}
	}
	return strings.Join(parts, "|")
}

func pgRows(t *testing.T, dsn, table string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT custkey, first_name, city, state, fico::text, registration_date::text
		FROM burst_bank.`+table+` ORDER BY custkey COLLATE "C"`)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		var k, f, c, s, fico, reg *string
		if err := rows.Scan(&k, &f, &c, &s, &fico, &reg); err != nil {
			t.Fatal(err)
		}
		out = append(out, rowString(k, f, c, s, fico, reg))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
