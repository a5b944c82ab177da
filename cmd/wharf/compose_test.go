package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// Docker cannot run on the CI machines, so docker-compose.yml and the
// Dockerfile are checked by reading them: the services the tutorial needs,
// official images, published ports, healthchecks, start order, and that the
// connectors it POSTs are the files in examples/.

const repoRoot = "../.."

type composeFile struct {
	Services map[string]composeService `yaml:"services"`
}

type composeService struct {
	Image       string            `yaml:"image"`
	Build       *composeBuild     `yaml:"build"`
	Command     any               `yaml:"command"`
	Entrypoint  any               `yaml:"entrypoint"`
	Environment map[string]string `yaml:"environment"`
	Ports       []string          `yaml:"ports"`
	Volumes     []string          `yaml:"volumes"`
	DependsOn   map[string]struct {
		Condition string `yaml:"condition"`
	} `yaml:"depends_on"`
	Healthcheck *struct {
		Test []string `yaml:"test"`
	} `yaml:"healthcheck"`
}

type composeBuild struct {
	Context    string `yaml:"context"`
	Dockerfile string `yaml:"dockerfile"`
}

// text joins a command or entrypoint given as a string or a list.
func text(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []any:
		var parts []string
		for _, p := range v {
			if s, ok := p.(string); ok {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, " ")
	}
	return ""
}

func loadCompose(t *testing.T) composeFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var cf composeFile
	if err := yaml.Unmarshal(b, &cf); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	return cf
}

// exampleConnector reads examples/<name> as {"name","config"}.
func exampleConnector(t *testing.T, name string) (string, map[string]any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "examples", name))
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Name   string         `json:"name"`
		Config map[string]any `json:"config"`
	}
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatalf("examples/%s: %v", name, err)
	}
	if c.Name == "" || c.Config["connector.class"] == nil {
		t.Fatalf("examples/%s has no name or connector.class", name)
	}
	return c.Name, c.Config
}

func TestComposeServices(t *testing.T) {
	cf := loadCompose(t)
	want := map[string]struct {
		image string   // required image prefix ("" = built)
		ports []string // published host:container ports
		probe bool     // needs a healthcheck
	}{
		"postgres":   {"postgres:15", []string{"5432:5432"}, true},
		"kafka":      {"apache/kafka:", []string{"9092:9092"}, true},
		"minio":      {"minio/minio:", []string{"9000:9000", "9001:9001"}, true},
		"minio-init": {"minio/mc:", nil, false},
		"wharf":      {"", []string{"8083:8083"}, true},
		"connectors": {"curlimages/curl:", nil, false},
	}
	for name, w := range want {
		s, ok := cf.Services[name]
		if !ok {
			t.Errorf("service %s missing", name)
			continue
		}
		if w.image != "" && !strings.HasPrefix(s.Image, w.image) {
			t.Errorf("%s: image %q, want %s…", name, s.Image, w.image)
		}
		if strings.HasSuffix(s.Image, ":latest") || (s.Image != "" && !strings.Contains(s.Image, ":")) {
			t.Errorf("%s: image %q is not pinned", name, s.Image)
		}
		for _, p := range w.ports {
			if !slices.Contains(s.Ports, p) {
				t.Errorf("%s: port %s not published (ports %v)", name, p, s.Ports)
			}
		}
		if w.probe && (s.Healthcheck == nil || len(s.Healthcheck.Test) < 2) {
			t.Errorf("%s: no healthcheck", name)
		}
	}
	for name := range cf.Services {
		if _, ok := want[name]; !ok {
			t.Errorf("unexpected service %s", name)
		}
	}

	pg := cf.Services["postgres"]
	if !strings.Contains(text(pg.Command), "wal_level=logical") {
		t.Errorf("postgres command %q lacks wal_level=logical", text(pg.Command))
	}
	if !slices.ContainsFunc(pg.Volumes, func(v string) bool {
		return strings.HasPrefix(v, "./examples/postgres/setup.sql:/docker-entrypoint-initdb.d/")
	}) {
		t.Errorf("postgres does not run examples/postgres/setup.sql at init: %v", pg.Volumes)
	}

	w := cf.Services["wharf"]
	if w.Build == nil || w.Build.Context != "." || w.Build.Dockerfile != "Dockerfile" {
		t.Errorf("wharf is not built from ./Dockerfile: %+v", w.Build)
	}
	for dep, cond := range map[string]string{"kafka": "service_healthy", "postgres": "service_healthy",
		"minio-init": "service_completed_successfully"} {
		if w.DependsOn[dep].Condition != cond {
			t.Errorf("wharf depends_on %s: %q, want %s", dep, w.DependsOn[dep].Condition, cond)
		}
	}
	if c := cf.Services["connectors"].DependsOn["wharf"].Condition; c != "service_healthy" {
		t.Errorf("connectors depends_on wharf: %q, want service_healthy", c)
	}
	if c := cf.Services["minio-init"].DependsOn["minio"].Condition; c != "service_healthy" {
		t.Errorf("minio-init depends_on minio: %q, want service_healthy", c)
	}
	if hc := strings.Join(w.Healthcheck.Test, " "); !strings.Contains(hc, "localhost:8083/health") {
		t.Errorf("wharf healthcheck %q does not probe /health", hc)
	}

	// The worker reaches Kafka on a listener the broker advertises under its
	// service name, and authenticates to MinIO with its root credentials.
	kafkaEnv := cf.Services["kafka"].Environment
	if bs := w.Environment["CONNECT_BOOTSTRAP_SERVERS"]; bs == "" || !strings.Contains(kafkaEnv["KAFKA_ADVERTISED_LISTENERS"], "//"+bs) {
		t.Errorf("wharf bootstrap %q is not advertised by kafka (%q)", bs, kafkaEnv["KAFKA_ADVERTISED_LISTENERS"])
	}
	minioEnv := cf.Services["minio"].Environment
	if w.Environment["AWS_ACCESS_KEY_ID"] != minioEnv["MINIO_ROOT_USER"] ||
		w.Environment["AWS_SECRET_ACCESS_KEY"] != minioEnv["MINIO_ROOT_PASSWORD"] {
		t.Error("wharf's AWS credentials are not MinIO's root credentials")
	}
	if !strings.Contains(text(w.Command), "/etc/wharf/") {
		t.Errorf("wharf command %q does not use a worker file from configs/", text(w.Command))
	}
}

// TestComposeConnectorsAreExamples checks that the connectors service POSTs
// every examples/*.json connector, changed only in the two addresses that
// differ inside the compose network, and that those point at the services.
func TestComposeConnectorsAreExamples(t *testing.T) {
	cf := loadCompose(t)
	c := cf.Services["connectors"]
	if !slices.Contains(c.Volumes, "./examples:/examples:ro") {
		t.Fatalf("connectors does not mount ./examples: %v", c.Volumes)
	}
	raw := text(c.Command)
	// Compose interpolates $VAR; the shell's own $ are written $$.
	if strings.Contains(strings.ReplaceAll(raw, "$$", ""), "$") {
		t.Errorf("connectors script has a $ that compose would interpolate:\n%s", raw)
	}
	script := strings.ReplaceAll(raw, "$$", "$")
	files, _ := filepath.Glob(filepath.Join(repoRoot, "examples", "*.json"))
	if len(files) < 3 {
		t.Fatalf("examples/*.json: %v", files)
	}
	loop := regexp.MustCompile(`for f in ([^;]+);`).FindStringSubmatch(script)
	if loop == nil {
		t.Fatalf("no `for f in …;` loop over the example files in:\n%s", script)
	}
	posted := strings.Fields(loop[1])
	for _, f := range files {
		if !slices.Contains(posted, filepath.Base(f)) {
			t.Errorf("connectors does not POST examples/%s (posts %v)", filepath.Base(f), posted)
		}
	}
	for _, want := range []string{`"/examples/$f"`, `Content-Type: application/json`, `--data @"/tmp/$f"`,
		"http://wharf:8083/connectors", "-X POST"} {
		if !strings.Contains(script, want) {
			t.Errorf("connectors script lacks %q:\n%s", want, script)
		}
	}
	// Apply the script's sed expressions to each example and compare.
	type sub struct{ from, to string }
	var subs []sub
	for _, m := range regexp.MustCompile(`-e '([^']*)'`).FindAllStringSubmatch(script, -1) {
		// s<d>from<d>to<d>, with no escaped delimiters
		e := m[1]
		if len(e) < 4 || e[0] != 's' {
			t.Fatalf("cannot read sed expression %q", e)
		}
		parts := strings.Split(e[2:], e[1:2])
		if len(parts) != 3 || parts[2] != "" {
			t.Fatalf("cannot read sed expression %q", e)
		}
		subs = append(subs, sub{parts[0], parts[1]})
	}
	if len(subs) != 2 {
		t.Fatalf("want the two sed substitutions (hostname, store.url), got %v", subs)
	}
	for _, name := range posted {
		b, err := os.ReadFile(filepath.Join(repoRoot, "examples", name))
		if err != nil {
			t.Fatal(err)
		}
		_, orig := exampleConnector(t, name)
		s := string(b)
		for _, sb := range subs {
			s = strings.ReplaceAll(s, sb.from, sb.to)
		}
		var got struct{ Config map[string]any }
		if err := json.Unmarshal([]byte(s), &got); err != nil {
			t.Fatalf("%s after sed: %v", name, err)
		}
		for k, v := range orig {
			gv := got.Config[k]
			switch k {
			case "database.hostname":
				if gv != "postgres" {
					t.Errorf("%s: %s = %v inside compose, want postgres", name, k, gv)
				}
			case "store.url":
				if gv != "http://minio:9000" {
					t.Errorf("%s: %s = %v inside compose, want http://minio:9000", name, k, gv)
				}
			default:
				if gv != v {
					t.Errorf("%s: %s changed from %v to %v", name, k, v, gv)
				}
			}
		}
		if len(got.Config) != len(orig) {
			t.Errorf("%s: %d keys after sed, %d in the example", name, len(got.Config), len(orig))
		}
	}
	// The bucket the init job creates is the sinks' bucket.
	initCmd := text(cf.Services["minio-init"].Command)
	for _, name := range []string{"s3_sink.json", "s3_sink_parquet.json"} {
		_, cfg := exampleConnector(t, name)
		if b, _ := cfg["s3.bucket.name"].(string); b == "" || !strings.Contains(initCmd, "mb --ignore-existing local/"+b) {
			t.Errorf("minio-init (%q) does not create bucket %q of %s", initCmd, b, name)
		}
	}
}

func TestDockerfileMultiStageNonRoot(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	var froms, users []string
	var exposes, copyFrom, entry bool
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		switch strings.ToUpper(f[0]) {
		case "FROM":
			froms = append(froms, line)
			users = nil // USER applies per stage
		case "USER":
			users = append(users, f[1])
		case "EXPOSE":
			exposes = exposes || slices.Contains(f[1:], "8083")
		case "COPY":
			copyFrom = copyFrom || strings.HasPrefix(f[1], "--from=")
		case "ENTRYPOINT":
			entry = strings.Contains(line, "wharf")
		}
	}
	if len(froms) < 2 || !strings.Contains(froms[0], "golang:") || !strings.Contains(strings.ToLower(froms[0]), " as ") {
		t.Errorf("not a multi-stage build from a named golang stage: %q", froms)
	}
	if !copyFrom {
		t.Error("the runtime stage does not COPY --from the build stage")
	}
	if len(users) == 0 {
		t.Error("the runtime stage has no USER: it would run as root")
	} else if u := strings.Split(users[len(users)-1], ":")[0]; u == "root" || u == "0" {
		t.Errorf("the runtime stage runs as %s", u)
	}
	if !exposes {
		t.Error("no EXPOSE 8083")
	}
	if !entry {
		t.Error("ENTRYPOINT is not the wharf binary")
	}
	di, err := os.ReadFile(filepath.Join(repoRoot, ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{".git", "bin"} {
		if !slices.Contains(strings.Fields(string(di)), p) {
			t.Errorf(".dockerignore does not exclude %s", p)
		}
	}
}

// TestExampleConnectorsMatchTutorial checks that the example connector files
// keep every key of the tutorial's files (placeholders filled, store.url
// added for MinIO) and agree with each other and with the SQL.
func TestExampleConnectorsMatchTutorial(t *testing.T) {
	_, dbz := exampleConnector(t, "debezium.json")
	// The tutorial's keys (seeds/cdc_streaming_ingest/debezium.json).
	for _, k := range []string{"connector.class", "plugin.name", "slot.name", "database.hostname", "database.port",
		"database.history.kafka.bootstrap.servers", "database.user", "database.password", "database.dbname",
		"database.server.name", "schema.include.list", "schema.history.internal.kafka.bootstrap.servers",
		"schema.history.internal.kafka.topic", "topic.creation.default.replication.factor",
		"topic.creation.default.partitions", "errors.log.enable", "errors.log.include.messages", "topic.prefix"} {
		v, ok := dbz[k].(string)
		if !ok || v == "" || strings.Contains(v, "<") {
			t.Errorf("debezium.json: %s = %v (missing or a placeholder)", k, dbz[k])
		}
	}
	topic := dbz["topic.prefix"].(string) + "." + dbz["schema.include.list"].(string) + ".customer"
	_, sink := exampleConnector(t, "s3_sink.json")
	for _, k := range []string{"connector.class", "input.data.format", "tasks.max", "topics", "s3.bucket.name",
		"s3.region", "storage.class", "format.class", "schema.compatibility", "partitioner.class", "s3.part.size",
		"flush.size", "key.converter.schemas.enable", "key.converter.schema.registry.url",
		"value.converter.schemas.enable", "value.converter.schema.registry.url", "behavior.on.null.values",
		"confluent.topic.log.level", "store.url"} {
		if v, ok := sink[k]; !ok || strings.Contains(toString(v), "<") {
			t.Errorf("s3_sink.json: %s = %v (missing or a placeholder)", k, v)
		}
	}
	if sink["format.class"] != "io.confluent.connect.s3.format.json.JsonFormat" {
		t.Errorf("s3_sink.json is the tutorial's JsonFormat sink, has %v", sink["format.class"])
	}
	_, pq := exampleConnector(t, "s3_sink_parquet.json")
	if pq["format.class"] != "io.confluent.connect.s3.format.parquet.ParquetFormat" {
		t.Errorf("s3_sink_parquet.json format.class %v", pq["format.class"])
	}
	for _, c := range []map[string]any{sink, pq} {
		if c["topics"] != topic {
			t.Errorf("sink topics %v, want the source's topic %s", c["topics"], topic)
		}
		if c["behavior.on.null.values"] != "ignore" {
			t.Error("sinks must ignore Debezium's tombstones")
		}
	}
	setup, err := os.ReadFile(filepath.Join(repoRoot, "examples", "postgres", "setup.sql"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"CREATE SCHEMA IF NOT EXISTS " + dbz["schema.include.list"].(string),
		"CREATE USER " + dbz["database.user"].(string) + " PASSWORD '" + dbz["database.password"].(string) + "'",
		"ALTER USER " + dbz["database.user"].(string) + " REPLICATION"} {
		if !strings.Contains(string(setup), want) {
			t.Errorf("examples/postgres/setup.sql lacks %q", want)
		}
	}
}

func toString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
