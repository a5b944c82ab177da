package worker

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/worker/store"
)

// Options configures a Herder.
type Options struct {
	Config   *Config
	Registry *connector.Registry
	Configs  ConfigStore
	Offsets  OffsetStore
	Statuses StatusStore
	// Runners builds task runners and connector contexts; nil means tasks
	// cannot run (tests of pure REST behaviour use that).
	Runners RunnerFactory
	// Logger returns the logger for a connector (task -1) or a task.
	Logger func(connector string, task int) *slog.Logger
	// Kafka gives the herder what it needs from the cluster for sink
	// offsets and the cluster id; nil in tests without a broker.
	Kafka KafkaAdmin
}

// Herder owns connector and task lifecycles. Create it with New, then Start.
type Herder struct {
	cfg      *Config
	reg      *connector.Registry
	configs  ConfigStore
	offsets  OffsetStore
	statuses StatusStore
	runners  RunnerFactory
	kafka    KafkaAdmin
	logger   func(string, int) *slog.Logger
	log      *slog.Logger
	memory   *connector.MemoryPool // worker-wide buffer budget, nil when unlimited

	reqs             chan request
	kick             chan struct{}
	mu               sync.Mutex      // guards pending and reconfigRequests, set from any goroutine
	pending          map[string]bool // connectors to reconcile
	reconfigRequests map[string]bool // connectors whose TaskConfigs must be asked again
	started          chan struct{}
	stopped          chan struct{}
	done             chan struct{}
	cancel           context.CancelFunc

	// Owned by the loop goroutine.
	conns map[string]*connState
}

type request struct {
	fn   func() error
	done chan error
}

// New returns a herder; it does nothing until Start.
func New(o Options) *Herder {
	logger := o.Logger
	if logger == nil {
		logger = func(string, int) *slog.Logger { return slog.New(slog.DiscardHandler) }
	}
	return &Herder{
		cfg: o.Config, reg: o.Registry, configs: o.Configs, offsets: o.Offsets, statuses: o.Statuses,
		runners: o.Runners, kafka: o.Kafka, logger: logger, log: logger("", -1),
		memory: connector.NewMemoryPool(o.Config.BufferMemoryLimit),
		reqs:   make(chan request), kick: make(chan struct{}, 1), pending: map[string]bool{},
		started: make(chan struct{}), stopped: make(chan struct{}), done: make(chan struct{}),
		conns: map[string]*connState{},
	}
}

// WorkerID is the advertised host:port that statuses carry.
func (h *Herder) WorkerID() string { return h.cfg.WorkerID }

// Start opens the stores, brings back every stored connector and runs the
// loop until Stop.
func (h *Herder) Start(ctx context.Context) error {
	h.configs.OnChange(func(c store.ConfigChange) { h.markPending(c.Connector) })
	for _, s := range []interface{ Start(context.Context) error }{h.configs, h.offsets, h.statuses} {
		if err := s.Start(ctx); err != nil {
			return err
		}
	}
	for name := range h.configs.Snapshot().Connectors {
		h.markPending(name)
	}
	loopCtx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go h.loop(loopCtx)
	close(h.started)
	return nil
}

// Stop stops every task and connector, then the stores.
func (h *Herder) Stop() error {
	select {
	case <-h.started:
	default:
		return nil
	}
	select {
	case <-h.stopped:
	default:
		close(h.stopped)
		h.cancel()
	}
	<-h.done
	return errors.Join(h.configs.Stop(), h.offsets.Stop(), h.statuses.Stop())
}

func (h *Herder) markPending(name string) {
	if name == "" {
		return
	}
	h.mu.Lock()
	h.pending[name] = true
	h.mu.Unlock()
	select {
	case h.kick <- struct{}{}:
	default:
	}
}

func (h *Herder) takePending() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]string, 0, len(h.pending))
	for n := range h.pending {
		out = append(out, n)
	}
	clear(h.pending)
	return out
}

func (h *Herder) loop(ctx context.Context) {
	defer close(h.done)
	h.reconcilePending(ctx)
	for {
		select {
		case <-ctx.Done():
			h.shutdownAll()
			return
		case r := <-h.reqs:
			r.done <- r.fn()
		case <-h.kick:
			h.reconcilePending(ctx)
		}
	}
}

func (h *Herder) reconcilePending(ctx context.Context) {
	for _, name := range h.takePending() {
		h.reconcile(ctx, name)
	}
}

// do runs fn on the loop and waits for it. A request that cannot finish in
// time answers as Connect does ("Request timed out").
func (h *Herder) do(ctx context.Context, fn func() error) error {
	r := request{fn: fn, done: make(chan error, 1)}
	select {
	case h.reqs <- r:
	case <-h.stopped:
		return errorf(KindInternal, "Worker is shutting down")
	case <-ctx.Done():
		return errorf(KindInternal, "Request timed out")
	}
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		return errorf(KindInternal, "Request timed out")
	}
}

// Healthy answers GET /health: the loop must complete a no-op in time.
func (h *Herder) Healthy(ctx context.Context) (starting bool, err error) {
	select {
	case <-h.started:
	default:
		return true, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return false, h.do(ctx, func() error { return nil })
}
