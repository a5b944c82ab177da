package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/wharf-project/wharf/connector/testserver"
	"github.com/wharf-project/wharf/rest/resttest"
)

var binPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "wharf-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "wharf")
	if out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build wharf: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// proc is a running wharf binary.
type proc struct {
	cmd  *exec.Cmd
	base string
	mu   sync.Mutex
	log  strings.Builder
	done chan struct{}
}

func (p *proc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.String()
}

var restRe = regexp.MustCompile(`rest=(http://[0-9.:]+)`)

// startWharf runs the binary and waits for its REST listener.
func startWharf(t *testing.T, mode string, props map[string]string, dataDir string, args ...string) *proc {
	t.Helper()
	wp := filepath.Join(t.TempDir(), "worker.properties")
	var b strings.Builder
	for k, v := range props {
		fmt.Fprintf(&b, "%s=%s\n", k, v)
	}
	if err := os.WriteFile(wp, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cmdArgs := append([]string{mode, "--data-dir", dataDir, wp}, args...)
	p := &proc{cmd: exec.Command(binPath, cmdArgs...), done: make(chan struct{})}
	pr, pw := io.Pipe()
	p.cmd.Stdout, p.cmd.Stderr = pw, pw
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.log.WriteString(line + "\n")
			p.mu.Unlock()
			if m := restRe.FindStringSubmatch(line); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
	}()
	go func() { p.cmd.Wait(); pw.Close(); close(p.done) }()
	select {
	case p.base = <-found:
	case <-p.done:
		t.Fatalf("wharf exited early:\n%s", p.output())
	case <-time.After(30 * time.Second):
		p.cmd.Process.Kill()
		t.Fatalf("wharf did not start:\n%s", p.output())
	}
	t.Cleanup(func() { p.stop(t, syscall.SIGTERM) })
	return p
}

func (p *proc) stop(t *testing.T, sig syscall.Signal) {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
		t.Errorf("wharf did not stop on %v:\n%s", sig, p.output())
	}
}

func (p *proc) client() *resttest.Client { return &resttest.Client{Base: p.base} }

// roundTrip runs the FileStream pipeline through the API and checks the
// core of the Connect checklist on the way.
func roundTrip(t *testing.T, c *resttest.Client, dir string, lines int) (in, out string) {
	t.Helper()
	in, out = filepath.Join(dir, "in.txt"), filepath.Join(dir, "out.txt")
	resttest.AppendLines(t, in, 0, lines)
	c.Expect(t, 200, "GET", "/", nil)
	c.Expect(t, 200, "GET", "/health", nil)
	c.Expect(t, 201, "POST", "/connectors", map[string]any{"name": "src", "config": map[string]any{
		"connector.class": "FileStreamSource", "tasks.max": 1, "file": in, "topic": "lines"}})
	c.Expect(t, 201, "POST", "/connectors", map[string]any{"name": "sink", "config": map[string]any{
		"connector.class": "FileStreamSink", "tasks.max": 1, "file": out, "topics": "lines"}})
	c.ExpectError(t, 409, "already exists", "POST", "/connectors", map[string]any{"name": "src", "config": map[string]any{
		"connector.class": "FileStreamSource", "file": in, "topic": "lines"}})
	c.WaitState(t, "src", "RUNNING", 1)
	c.WaitState(t, "sink", "RUNNING", 1)
	resttest.WaitLines(t, out, lines)
	c.Expect(t, 202, "PUT", "/connectors/src/pause", nil)
	c.WaitState(t, "src", "PAUSED", 1)
	c.Expect(t, 202, "PUT", "/connectors/src/resume", nil)
	c.WaitState(t, "src", "RUNNING", 1)
	return in, out
}

func TestStandaloneEmbeddedBroker(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	props := map[string]string{"listeners": "http://127.0.0.1:0", "offset.flush.interval.ms": "500"}
	p := startWharf(t, "standalone", props, data)
	if !strings.Contains(p.output(), "embedded Kafka broker") {
		t.Fatalf("no embedded-broker notice in the log:\n%s", p.output())
	}
	resttest.Checklist(t, p.client())
	in, out := roundTrip(t, p.client(), dir, 300)
	r := p.client().Expect(t, 200, "GET", "/metrics", nil)
	for _, series := range []string{`wharf_source_records_written_total{connector="src",task="0"} 300`,
		`wharf_sink_records_put_total{connector="sink",task="0"} 300`} {
		if !strings.Contains(string(r.Body), series) {
			t.Fatalf("/metrics lacks %s", series)
		}
	}
	p.stop(t, syscall.SIGTERM)

	// A restarted standalone worker brings its connectors back by itself,
	// with its offsets and its embedded broker's topics.
	resttest.AppendLines(t, in, 300, 450)
	p2 := startWharf(t, "standalone", props, data)
	p2.client().WaitState(t, "src", "RUNNING", 1)
	resttest.WaitLines(t, out, 450)
}

func TestStandaloneExternalBrokerAndConnectorFiles(t *testing.T) {
	dir := t.TempDir()
	brokers := testserver.Kafka(t, 1)
	in := filepath.Join(dir, "in.txt")
	resttest.AppendLines(t, in, 0, 100)
	src := filepath.Join(dir, "src.properties")
	os.WriteFile(src, []byte("name=src\nconnector.class=FileStreamSource\ntasks.max=1\nfile="+in+"\ntopic=lines\n"), 0o644)
	out := filepath.Join(dir, "out.txt")
	sink := filepath.Join(dir, "sink.json")
	os.WriteFile(sink, []byte(`{"name":"sink","config":{"connector.class":"FileStreamSink","tasks.max":1,"file":"`+out+`","topics":"lines"}}`), 0o644)
	props := map[string]string{"listeners": "http://127.0.0.1:0", "bootstrap.servers": brokers[0],
		"offset.flush.interval.ms": "500"}
	p := startWharf(t, "standalone", props, filepath.Join(dir, "data"), src, sink)
	if strings.Contains(p.output(), "embedded Kafka broker") {
		t.Fatal("started an embedded broker although bootstrap.servers is set")
	}
	resttest.WaitLines(t, out, 100)
	c := p.client()
	resttest.Checklist(t, c)
	var names []string
	c.Expect(t, 200, "GET", "/connectors", nil).JSON(t, &names)
	if len(names) != 2 {
		t.Fatalf("connectors %v", names)
	}
	// SIGKILL: nothing is flushed on the way out, and the worker still
	// comes back with every line delivered (at least once, in order).
	p.stop(t, syscall.SIGKILL)
	resttest.AppendLines(t, in, 100, 150)
	p2 := startWharf(t, "standalone", props, filepath.Join(dir, "data"), src, sink)
	p2.client().WaitState(t, "sink", "RUNNING", 1)
	resttest.Eventually(t, 60*time.Second, func() string {
		b, _ := os.ReadFile(out)
		seen := map[string]bool{}
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			seen[l] = true
		}
		for i := 0; i < 150; i++ {
			if !seen[fmt.Sprintf("line-%05d", i)] {
				return fmt.Sprintf("line %d missing after SIGKILL restart", i)
			}
		}
		return ""
	})
}

func TestDistributedRestartsFromTopics(t *testing.T) {
	dir := t.TempDir()
	brokers := testserver.Kafka(t, 1)
	props := map[string]string{"listeners": "http://127.0.0.1:0", "bootstrap.servers": brokers[0],
		"group.id": "connect-cluster", "config.storage.topic": "connect-configs",
		"offset.storage.topic": "connect-offsets", "status.storage.topic": "connect-status",
		"config.storage.replication.factor": "1", "offset.storage.replication.factor": "1",
		"status.storage.replication.factor": "1", "offset.flush.interval.ms": "500"}
	p := startWharf(t, "distributed", props, filepath.Join(dir, "data1"))
	in, out := roundTrip(t, p.client(), dir, 200)
	p.stop(t, syscall.SIGTERM)

	resttest.AppendLines(t, in, 200, 260)
	// A new worker with an empty data dir: everything comes from Kafka.
	p2 := startWharf(t, "distributed", props, filepath.Join(dir, "data2"))
	c := p2.client()
	c.WaitState(t, "src", "RUNNING", 1)
	resttest.WaitLines(t, out, 260)
	c.Expect(t, 204, "DELETE", "/connectors/src", nil)
	c.ExpectError(t, 404, "not found", "GET", "/connectors/src", nil)
}

func TestCLIUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"version"}, 0, "wharf "},
		{[]string{"--help"}, 0, "wharf standalone"},
		{[]string{}, 2, "Usage:"},
		{[]string{"bogus"}, 2, "unknown command"},
		{[]string{"standalone"}, 2, "missing WORKER.properties"},
		{[]string{"distributed", "w.properties", "c.json"}, 2, "not accepted"},
	} {
		var out, errOut strings.Builder
		code := runMain(tc.args, &out, &errOut)
		if code != tc.code || !strings.Contains(out.String()+errOut.String(), tc.want) {
			t.Errorf("wharf %v: code %d, output %q", tc.args, code, out.String()+errOut.String())
		}
	}
}
