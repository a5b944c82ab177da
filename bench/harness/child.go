// Package harness runs benchmark measurements in child processes, so each
// measurement's peak RSS (its own VmHWM) and CPU time (rusage) are its own, and
// starts the servers the benchmarks share: an in-process Kafka (kfake, real
// protocol over TCP), a private PostgreSQL (connector/testserver) and MinIO.
//
// The orchestrator re-executes its own binary as
// "<exe> child <kind> <params JSON>"; the child prints one Result as JSON on
// its last stdout line and exits. Servers live in the orchestrator (kfake) or
// in their own processes (PostgreSQL, MinIO), never in a measured child.
package harness

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Result is what one measurement reports.
type Result struct {
	Rows    int64   `json:"rows"`    // rows (events) processed in the measured interval
	Records int64   `json:"records"` // Kafka records, when they differ from rows (delete + tombstone)
	Bytes   int64   `json:"bytes"`   // input bytes processed, for MB/s (0: not reported)
	OutB    int64   `json:"out"`     // output bytes written (Parquet), informative
	InputB  int64   `json:"input"`   // size of the whole input (e.g. a topic's values), informative
	Seconds float64 `json:"seconds"` // first row to last row
	Total   float64 `json:"total"`   // whole measurement including connects and start-up
	Note    string  `json:"note,omitempty"`

	// Filled by ChildMain and Run.
	MaxRSS int64   `json:"max_rss"` // peak RSS in bytes (VmHWM of the child's own address space)
	CPU    float64 `json:"-"`       // user+system seconds, from the child's rusage
	// ParentCPU is the orchestrator's CPU time while the child ran: the
	// in-process kfake broker's work (the orchestrator does nothing else).
	ParentCPU float64 `json:"-"`
}

// RowsPerSec is Rows over Seconds.
func (r Result) RowsPerSec() float64 {
	if r.Seconds <= 0 {
		return 0
	}
	return float64(r.Rows) / r.Seconds
}

// MBPerSec is input MB (10^6 bytes) per second, 0 when bytes are unknown.
func (r Result) MBPerSec() float64 {
	if r.Seconds <= 0 || r.Bytes == 0 {
		return 0
	}
	return float64(r.Bytes) / 1e6 / r.Seconds
}

// ChildFunc runs one measurement in a child process. params is the JSON the
// parent passed.
type ChildFunc func(ctx context.Context, params json.RawMessage) (Result, error)

// ProfileDirEnv names a directory; when set, every child writes a CPU
// profile <label>.pprof there.
const ProfileDirEnv = "WHARF_BENCH_PROFILE_DIR"

// Run starts a child measurement (kind, params) labelled label (profile file
// name) and waits for it, with a deadline of timeout.
func Run(ctx context.Context, timeout time.Duration, label, kind string, params any) (Result, error) {
	exe, err := os.Executable()
	if err != nil {
		return Result{}, err
	}
	p, err := json.Marshal(params)
	if err != nil {
		return Result{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, "child", kind, string(p))
	cmd.Env = append(os.Environ(), "WHARF_BENCH_LABEL="+label)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = os.Stderr
	before := selfCPU()
	if err := cmd.Run(); err != nil {
		return Result{}, fmt.Errorf("%s: child %s: %w", label, kind, err)
	}
	parent := selfCPU() - before
	var res Result
	line := lastLine(out.Bytes())
	if err := json.Unmarshal(line, &res); err != nil {
		return Result{}, fmt.Errorf("%s: child %s printed %q: %w", label, kind, line, err)
	}
	// ru_maxrss is not used for the peak: exec keeps the larger of the
	// old and new address space's high-water mark, and Go forks with the
	// parent's address space (CLONE_VM), so a child would inherit the
	// orchestrator's peak (kfake holds every topic). The child reports its
	// own VmHWM instead.
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		res.CPU = tvSeconds(ru.Utime) + tvSeconds(ru.Stime)
	}
	res.ParentCPU = parent
	return res, nil
}

func selfCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return tvSeconds(ru.Utime) + tvSeconds(ru.Stime)
}

func tvSeconds(tv syscall.Timeval) float64 {
	return float64(tv.Sec) + float64(tv.Usec)/1e6
}

func lastLine(b []byte) []byte {
	var last []byte
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		if l := bytes.TrimSpace(sc.Bytes()); len(l) > 0 {
			last = append(last[:0], l...)
		}
	}
	return last
}

// WriteHeapProfile writes the live heap (inuse_space) of this child as
// <label>.heap.pprof into the profile directory, when profiling is on.
// Measurements call it at their steady state, just before they stop.
func WriteHeapProfile() {
	dir := os.Getenv(ProfileDirEnv)
	if dir == "" {
		return
	}
	f, err := os.Create(filepath.Join(dir, os.Getenv("WHARF_BENCH_LABEL")+".heap.pprof"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	defer f.Close()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
}

// ChildMain runs the child named by args (kind, params JSON) from kinds and
// prints its Result; it returns the process exit code.
func ChildMain(args []string, kinds map[string]ChildFunc) int {
	if len(args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: child <kind> <params JSON>")
		return 2
	}
	fn, ok := kinds[args[0]]
	if !ok {
		fmt.Fprintf(os.Stderr, "unknown child kind %q\n", args[0])
		return 2
	}
	if dir := os.Getenv(ProfileDirEnv); dir != "" {
		label := os.Getenv("WHARF_BENCH_LABEL")
		if label == "" {
			label = args[0]
		}
		f, err := os.Create(filepath.Join(dir, label+".pprof"))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	res, err := fn(context.Background(), json.RawMessage(args[1]))
	if err != nil {
		fmt.Fprintf(os.Stderr, "child %s: %v\n", args[0], err)
		return 1
	}
	res.MaxRSS, err = vmHWM()
	if err != nil {
		fmt.Fprintf(os.Stderr, "child %s: %v\n", args[0], err)
		return 1
	}
	b, _ := json.Marshal(res)
	fmt.Println(string(b))
	return 0
}

// vmHWM reads this process's peak resident set size from /proc/self/status.
func vmHWM() (int64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/self/status")
}
