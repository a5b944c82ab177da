package worker

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/worker/store"
)

// TaskRunner is a running task as the herder drives it.
type TaskRunner interface {
	Run(ctx context.Context) error
	Pause()
	Resume()
}

// TaskSpec is everything needed to build one task runner.
type TaskSpec struct {
	Connector      string
	Plugin         connector.Plugin
	Instance       connector.Connector
	ConnectorProps map[string]string // resolved (config providers applied)
	TaskID         int
	TaskProps      map[string]string // resolved
	Logger         *slog.Logger
	// OnState reports RUNNING, PAUSED or FAILED (with the error).
	OnState func(state string, err error)
}

// RunnerFactory builds task runners (converters, transforms, Kafka clients).
type RunnerFactory interface {
	NewTask(ctx context.Context, spec TaskSpec) (TaskRunner, error)
	// Resolve applies config providers (${env:…}, ${file:…}) to props.
	Resolve(props map[string]string) (map[string]string, error)
}

type connState struct {
	name     string
	props    map[string]string // as stored
	plugin   connector.Plugin
	inst     connector.Connector // nil when not started
	resolved map[string]string
	failed   bool
	reconfig bool // TaskConfigs must be asked again
	tasks    map[int]*taskState
	running  []map[string]string // task configs the running tasks use
}

type taskState struct {
	id     int
	runner TaskRunner
	cancel context.CancelFunc
	done   chan struct{}
}

// connContext is the connector.Context given to a running connector.
type connContext struct {
	h    *Herder
	name string
	log  *slog.Logger
}

func (c *connContext) RequestTaskReconfiguration() {
	c.h.mu.Lock()
	c.h.reconfigRequests[c.name] = true
	c.h.mu.Unlock()
	c.h.markPending(c.name)
}

func (c *connContext) RaiseError(err error) {
	c.h.putConnectorStatus(context.Background(), c.name, StateFailed, err)
	c.log.Error("connector raised an error", "error", err)
}

func (c *connContext) Logger() *slog.Logger { return c.log }

func (c *connContext) MemoryPool() *connector.MemoryPool { return c.h.memory }

// reconcile makes the running state of one connector match the stores.
func (h *Herder) reconcile(ctx context.Context, name string) {
	snap := h.configs.Snapshot()
	props, exists := snap.Connectors[name]
	cs := h.conns[name]
	if !exists {
		if cs != nil {
			h.stopConnector(cs)
			delete(h.conns, name)
		}
		if err := h.statuses.DeleteConnector(ctx, name); err != nil {
			h.log.Error("delete statuses", "connector", name, "error", err)
		}
		// Connect forgets a deleted connector's active topics too.
		if err := h.statuses.ResetTopics(ctx, name); err != nil {
			h.log.Error("reset topics", "connector", name, "error", err)
		}
		return
	}
	if cs == nil {
		cs = &connState{name: name, tasks: map[int]*taskState{}}
		h.conns[name] = cs
	}
	if !maps.Equal(cs.props, props) {
		h.stopConnector(cs)
		cs.props = props
		cs.failed = false
	}
	target := snap.TargetStates[name]
	if target == "" {
		target = store.Started
	}
	if target == store.Stopped {
		h.stopConnector(cs)
		h.putConnectorStatus(ctx, name, StateStopped, nil)
		for id := range h.statuses.Tasks(name) {
			_ = h.statuses.DeleteTask(ctx, name, id)
		}
		return
	}
	if cs.inst == nil && !cs.failed {
		if err := h.startConnector(ctx, cs); err != nil {
			cs.failed = true
			h.putConnectorStatus(ctx, name, StateFailed, err)
			h.logger(name, -1).Error("connector failed to start", "error", err)
			return
		}
		cs.reconfig = true
	}
	if cs.inst == nil {
		return
	}
	h.mu.Lock()
	if h.reconfigRequests[name] {
		cs.reconfig = true
		delete(h.reconfigRequests, name)
	}
	h.mu.Unlock()
	if cs.reconfig {
		cs.reconfig = false
		if h.updateTaskConfigs(ctx, cs, snap.TaskConfigs[name]) {
			return // the store's change event brings us back with the new set
		}
	}
	h.syncTasks(ctx, cs, snap.TaskConfigs[name], target)
	state := StateRunning
	if target == store.Paused {
		state = StatePaused
	}
	if st, _ := h.statuses.Connector(name); st.State != state || st.WorkerID != h.cfg.WorkerID {
		h.putConnectorStatus(ctx, name, state, nil)
	}
}

func (h *Herder) startConnector(ctx context.Context, cs *connState) error {
	p, ok := h.reg.LookupConnector(cs.props[keyConnectorClass])
	if !ok {
		return fmt.Errorf("connector class %q is not installed in this worker", cs.props[keyConnectorClass])
	}
	resolved := cs.props
	if h.runners != nil {
		r, err := h.runners.Resolve(cs.props)
		if err != nil {
			return fmt.Errorf("resolve configuration: %w", err)
		}
		resolved = r
	}
	inst, ok := p.New().(connector.Connector)
	if !ok {
		return fmt.Errorf("plugin %s is not a connector", p.Class)
	}
	log := h.logger(cs.name, -1)
	if err := inst.Start(ctx, &connContext{h: h, name: cs.name, log: log}, resolved); err != nil {
		return fmt.Errorf("start connector %s: %w", cs.name, err)
	}
	cs.plugin, cs.inst, cs.resolved = p, inst, resolved
	log.Info("connector started", "class", p.Class)
	return nil
}

// updateTaskConfigs asks the connector for task configs and writes them when
// they differ from the committed set. It reports whether it wrote.
func (h *Herder) updateTaskConfigs(ctx context.Context, cs *connState, committed []map[string]string) bool {
	cfgs, err := cs.inst.TaskConfigs(tasksMax(cs.props))
	if err != nil {
		h.putConnectorStatus(ctx, cs.name, StateFailed, fmt.Errorf("generate task configs: %w", err))
		return false
	}
	for i := range cfgs {
		cfgs[i] = maps.Clone(cfgs[i])
		if cfgs[i] == nil {
			cfgs[i] = map[string]string{}
		}
		cfgs[i]["task.class"] = taskClass(cs.plugin)
	}
	if slices.EqualFunc(cfgs, committed, maps.Equal) {
		return false
	}
	if err := h.configs.PutTaskConfigs(ctx, cs.name, cfgs); err != nil {
		h.log.Error("write task configs", "connector", cs.name, "error", err)
		return false
	}
	return true
}

// syncTasks restarts tasks when the committed configs changed, and applies
// the target state to each.
func (h *Herder) syncTasks(ctx context.Context, cs *connState, committed []map[string]string, target store.TargetState) {
	if !slices.EqualFunc(cs.running, committed, maps.Equal) {
		h.stopTasks(cs)
		for id := range h.statuses.Tasks(cs.name) {
			if id >= len(committed) {
				_ = h.statuses.DeleteTask(ctx, cs.name, id)
			}
		}
		cs.running = committed
		for id := range committed {
			h.startTask(ctx, cs, id)
		}
	}
	for id, t := range cs.tasks {
		if target == store.Paused {
			t.runner.Pause()
			if st := h.statuses.Tasks(cs.name)[id]; st.State != StateFailed {
				h.putTaskStatus(ctx, cs.name, id, StatePaused, nil)
			}
		} else {
			t.runner.Resume()
		}
	}
}

func (h *Herder) startTask(ctx context.Context, cs *connState, id int) {
	name := cs.name
	if h.runners == nil {
		h.putTaskStatus(ctx, name, id, StateUnassigned, nil)
		return
	}
	taskProps, err := h.runners.Resolve(cs.running[id])
	if err != nil {
		h.putTaskStatus(ctx, name, id, StateFailed, fmt.Errorf("resolve task configuration: %w", err))
		return
	}
	log := h.logger(name, id)
	spec := TaskSpec{Connector: name, Plugin: cs.plugin, Instance: cs.inst, ConnectorProps: cs.resolved,
		TaskID: id, TaskProps: taskProps, Logger: log,
		OnState: func(state string, err error) { h.putTaskStatus(context.Background(), name, id, state, err) }}
	r, err := h.runners.NewTask(ctx, spec)
	if err != nil {
		h.putTaskStatus(ctx, name, id, StateFailed, err)
		log.Error("task failed to build", "error", err)
		return
	}
	h.putTaskStatus(ctx, name, id, StateUnassigned, nil)
	runCtx, cancel := context.WithCancel(context.Background())
	t := &taskState{id: id, runner: r, cancel: cancel, done: make(chan struct{})}
	cs.tasks[id] = t
	go func() {
		defer close(t.done)
		if err := r.Run(runCtx); err != nil && runCtx.Err() == nil {
			log.Error("task failed", "error", err)
		}
	}()
}

func (h *Herder) stopTask(cs *connState, id int) {
	t := cs.tasks[id]
	if t == nil {
		return
	}
	delete(cs.tasks, id)
	t.cancel()
	select {
	case <-t.done:
	case <-time.After(h.cfg.ShutdownTimeout):
		h.logger(cs.name, id).Error("graceful stop of task failed: it did not stop within task.shutdown.graceful.timeout.ms",
			"timeout", h.cfg.ShutdownTimeout)
	}
}

func (h *Herder) stopTasks(cs *connState) {
	ids := slices.Sorted(maps.Keys(cs.tasks))
	for _, id := range ids {
		h.stopTask(cs, id)
	}
	cs.running = nil
}

func (h *Herder) stopConnector(cs *connState) {
	h.stopTasks(cs)
	if cs.inst != nil {
		if err := cs.inst.Stop(); err != nil {
			h.logger(cs.name, -1).Error("connector stop failed", "error", err)
		}
		cs.inst = nil
	}
}

// shutdownAll stops everything this worker runs. As Connect's workers do on
// a graceful shutdown, it leaves the instances UNASSIGNED in the status
// store, so a shared status topic does not claim they still run here.
func (h *Herder) shutdownAll() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for name, cs := range h.conns {
		running := cs.inst != nil
		ids := slices.Sorted(maps.Keys(cs.tasks))
		h.stopConnector(cs)
		delete(h.conns, name)
		if !h.cfg.Distributed {
			continue // statuses live in memory and end with the worker
		}
		for _, id := range ids {
			if st := h.statuses.Tasks(name)[id]; st.State != StateFailed {
				h.putTaskStatus(ctx, name, id, StateUnassigned, nil)
			}
		}
		if running {
			h.putConnectorStatus(ctx, name, StateUnassigned, nil)
		}
	}
}
