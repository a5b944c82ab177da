// Command wharf runs a Kafka Connect–compatible worker.
//
//	wharf standalone [flags] WORKER.properties [CONNECTOR.json|CONNECTOR.properties …]
//	wharf distributed [flags] WORKER.properties
//	wharf version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// version is set with -ldflags "-X main.version=…"; otherwise it comes from
// the module build info.
var version = ""

func wharfVersion() (ver, commit string) {
	ver, commit = version, "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		if ver == "" {
			ver = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 16 {
				commit = s.Value[:16]
			}
		}
	}
	if ver == "" || ver == "(devel)" {
		ver = "0.1.0-dev"
	}
	return ver, commit
}

const usage = `Wharf: a Kafka Connect–compatible worker.

Usage:
  wharf standalone [flags] WORKER.properties [CONNECTOR.json|CONNECTOR.properties ...]
  wharf distributed [flags] WORKER.properties
  wharf version

standalone   runs one worker. Connector configs are kept in the data dir, so a
             restarted worker brings its connectors back; source offsets go to
             offset.storage.file.filename (default <data-dir>/connect.offsets).
             Connector files given on the command line are created or updated.
distributed  runs a worker whose configs, offsets and statuses live in Kafka
             topics (config.storage.topic, offset.storage.topic,
             status.storage.topic), as connect-distributed does.

When bootstrap.servers is absent, Wharf starts an embedded Kafka broker
(kfake) on 127.0.0.1:9092 (or a free port), persisted under
<data-dir>/kafka. It is meant for development, not production.

Worker properties use Kafka Connect's keys (bootstrap.servers, listeners,
rest.advertised.host.name/port, group.id, *.storage.topic,
*.storage.replication.factor, offset.storage.file.filename, key.converter,
value.converter, *.converter.schemas.enable, offset.flush.interval.ms,
task.shutdown.graceful.timeout.ms, access.control.allow.origin/methods,
config.providers, plugin.path (ignored)). Environment variables override
them as in Confluent's image: CONNECT_BOOTSTRAP_SERVERS → bootstrap.servers.
Unknown keys produce one warning.

Flags:
`

func main() {
	os.Exit(runMain(os.Args[1:], os.Stdout, os.Stderr))
}

func runMain(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		newFlags(stderr, &options{}).PrintDefaults()
		return 2
	}
	switch args[0] {
	case "version", "--version", "-version":
		v, c := wharfVersion()
		fmt.Fprintf(stdout, "wharf %s (commit %s, Kafka Connect REST API %s)\n", v, c, apiVersion)
		return 0
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, usage)
		newFlags(stdout, &options{}).PrintDefaults()
		return 0
	case "standalone", "distributed":
	default:
		fmt.Fprintf(stderr, "wharf: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	mode := args[0]
	opts := options{mode: mode}
	fs := newFlags(stderr, &opts)
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	rest := fs.Args()
	if len(rest) < 1 {
		fmt.Fprintf(stderr, "wharf %s: missing WORKER.properties\n\n%s", mode, usage)
		return 2
	}
	opts.workerFile = rest[0]
	opts.connectorFiles = rest[1:]
	if mode == "distributed" && len(opts.connectorFiles) > 0 {
		fmt.Fprintln(stderr, "wharf distributed: connector files are not accepted; POST them to the REST API")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, opts, stderr); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintf(stderr, "wharf: %v\n", err)
		return 1
	}
	return 0
}

func newFlags(out io.Writer, o *options) *flag.FlagSet {
	fs := flag.NewFlagSet("wharf", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&o.dataDir, "data-dir", "", "directory for the worker's state, logs and the embedded broker (default: wharf.data.dir or ./wharf-data)")
	fs.StringVar(&o.logLevel, "log-level", "INFO", "root log level (TRACE, DEBUG, INFO, WARN, ERROR)")
	return fs
}

type options struct {
	mode           string
	workerFile     string
	connectorFiles []string
	dataDir        string
	logLevel       string
}
