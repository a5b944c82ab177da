package kafka

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/twmb/franz-go/pkg/kfake"
)

// EmbeddedOptions configures the in-process broker of standalone mode.
type EmbeddedOptions struct {
	// DataDir persists topics, records and group offsets across restarts;
	// empty keeps everything in memory.
	DataDir string
	// Port is the loopback port to listen on; 0 picks a free one.
	Port int
	// Logger receives the broker's warnings and errors; nil discards them.
	Logger *slog.Logger
	// ClusterID is reported in metadata; default "wharf-embedded". A persisted
	// cluster keeps the ID it was first created with.
	ClusterID string
}

// Embedded is a single-broker Kafka-compatible cluster (kfake) listening on
// 127.0.0.1, with auto topic creation (1 partition per new topic) and a
// log cleaner that runs every second so compacted topics are compacted.
type Embedded struct {
	cluster *kfake.Cluster
	addr    string
}

// StartEmbedded starts the embedded broker.
func StartEmbedded(ctx context.Context, opts EmbeddedOptions) (*Embedded, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	id := opts.ClusterID
	if id == "" {
		id = "wharf-embedded"
	}
	kopts := []kfake.Opt{
		kfake.Ports(opts.Port),
		kfake.ClusterID(id),
		kfake.AllowAutoTopicCreation(),
		kfake.DefaultNumPartitions(1),
		kfake.BrokerConfigs(map[string]string{"log.cleaner.backoff.ms": "1000"}),
		kfake.WithLogger(slogAdapter{opts.Logger}),
	}
	if opts.DataDir != "" {
		kopts = append(kopts, kfake.DataDir(opts.DataDir))
	}
	c, err := kfake.NewCluster(kopts...)
	if err != nil {
		return nil, fmt.Errorf("kafka: start embedded broker: %w", err)
	}
	addrs := c.ListenAddrs()
	if len(addrs) == 0 {
		c.Close()
		return nil, fmt.Errorf("kafka: start embedded broker: no listener")
	}
	return &Embedded{cluster: c, addr: addrs[0]}, nil
}

// Addr returns the bootstrap address (host:port).
func (e *Embedded) Addr() string { return e.addr }

// Close stops the broker and, with a DataDir, writes its state to disk.
func (e *Embedded) Close() error {
	e.cluster.Close()
	return nil
}

type slogAdapter struct{ l *slog.Logger }

func (a slogAdapter) Logf(level kfake.LogLevel, format string, args ...any) {
	if a.l == nil {
		return
	}
	var sl slog.Level
	switch level {
	case kfake.LogLevelError:
		sl = slog.LevelError
	case kfake.LogLevelWarn:
		sl = slog.LevelWarn
	default:
		return // kfake logs every request at info level
	}
	a.l.Log(context.Background(), sl, "kafka broker: "+fmt.Sprintf(format, args...), "component", "embedded-kafka")
}
