package testserver

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// DuckDBVersion is the pinned npm package version of @duckdb/node-api.
const DuckDBVersion = "1.5.6-r.1"

// NodeDir is the npm prefix holding @duckdb/node-api: $WHARF_NODE, else
// "node" next to ToolsDir (/root/.cache/wharf/node by default).
func NodeDir() string {
	if d := os.Getenv("WHARF_NODE"); d != "" {
		return d
	}
	return filepath.Join(filepath.Dir(ToolsDir()), "node")
}

// DuckDBInstall is the command that installs the DuckDB Node API.
func DuckDBInstall() string {
	return "npm install --prefix " + NodeDir() + " @duckdb/node-api@" + DuckDBVersion
}

// DuckDB runs sql (with optional positional $1… args) in an in-memory DuckDB
// through node and @duckdb/node-api, and returns the rows as JSON objects
// (DuckDB's getRowObjectsJson form: big integers and decimals as strings,
// structs as objects). DuckDB cannot read s3:// here: query local files.
func DuckDB(tb testing.TB, sql string, args ...any) []map[string]any {
	tb.Helper()
	modules := filepath.Join(NodeDir(), "node_modules")
	if _, err := os.Stat(filepath.Join(modules, "@duckdb", "node-api")); err != nil {
		tb.Fatalf("testserver: @duckdb/node-api missing in %s; install it with: %s", modules, DuckDBInstall())
	}
	if _, err := exec.LookPath("node"); err != nil {
		tb.Fatalf("testserver: node not found (apt-get install nodejs): %v", err)
	}
	_, self, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(self), "testdata", "duckdb.cjs")
	if args == nil {
		args = []any{}
	}
	in, err := json.Marshal(map[string]any{"sql": sql, "args": args})
	if err != nil {
		tb.Fatalf("testserver: duckdb args: %v", err)
	}
	cmd := exec.Command("node", script)
	cmd.Env = append(os.Environ(), "WHARF_NODE_MODULES="+modules)
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		tb.Fatalf("testserver: duckdb %q: %v: %s", sql, err, stderr.String())
	}
	var rows []map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &rows); err != nil {
		tb.Fatalf("testserver: duckdb output %q: %v", stdout.String(), err)
	}
	return rows
}
