package worker

import (
	"context"

	"github.com/wharf-project/wharf/worker/store"
)

// RestartConnector answers POST /connectors/{name}/restart. Without
// includeTasks and onlyFailed it restarts only the Connector instance and
// returns nil status (HTTP 204, Connect's legacy behaviour). Otherwise it
// returns the status with every instance it will restart as RESTARTING and
// restarts them asynchronously (HTTP 202).
func (h *Herder) RestartConnector(ctx context.Context, name string, includeTasks, onlyFailed bool) (*ConnectorStatus, error) {
	if !includeTasks && !onlyFailed {
		return nil, h.do(ctx, func() error {
			cs := h.conns[name]
			if _, ok := h.configs.Snapshot().Connectors[name]; !ok || cs == nil {
				return h.unknownForRestart(name)
			}
			h.restartConnectorInstance(ctx, cs)
			return nil
		})
	}
	var status ConnectorStatus
	var restartConn bool
	var tasks []int
	err := h.do(ctx, func() error {
		if _, ok := h.configs.Snapshot().Connectors[name]; !ok {
			return h.unknownForRestart(name)
		}
		st, err := h.Status(name)
		if err != nil {
			return errorf(KindNotFound, "Status for connector %s not found", name)
		}
		restartConn = !onlyFailed || st.Connector.State == StateFailed
		if restartConn {
			st.Connector.State = StateRestarting
			h.putConnectorStatus(ctx, name, StateRestarting, nil)
		}
		if includeTasks {
			for i, t := range st.Tasks {
				if !onlyFailed || t.State == StateFailed {
					st.Tasks[i].State = StateRestarting
					st.Tasks[i].Trace = ""
					tasks = append(tasks, t.ID)
					h.putTaskStatus(ctx, name, t.ID, StateRestarting, nil)
				}
			}
		}
		if restartConn {
			st.Connector.Trace = ""
		}
		status = st
		return nil
	})
	if err != nil {
		return nil, err
	}
	if restartConn || len(tasks) > 0 {
		go func() {
			_ = h.do(context.Background(), func() error {
				cs := h.conns[name]
				if cs == nil {
					return nil
				}
				if restartConn {
					h.restartConnectorInstance(context.Background(), cs)
				}
				for _, id := range tasks {
					h.restartTaskLocked(context.Background(), cs, id)
				}
				h.reconcile(context.Background(), name)
				return nil
			})
		}()
	}
	return &status, nil
}

func (h *Herder) unknownForRestart(name string) error {
	if h.cfg.Distributed {
		return errorf(KindNotFound, "Unknown connector: %s", name)
	}
	return errConnectorNotFound(name)
}

// restartConnectorInstance stops and starts the Connector instance only;
// tasks keep running unless the connector produces different task configs.
func (h *Herder) restartConnectorInstance(ctx context.Context, cs *connState) {
	if cs.inst != nil {
		if err := cs.inst.Stop(); err != nil {
			h.logger(cs.name, -1).Error("connector stop failed", "error", err)
		}
		cs.inst = nil
	}
	cs.failed = false
	h.reconcile(ctx, cs.name)
}

// RestartTask answers POST /connectors/{name}/tasks/{id}/restart.
func (h *Herder) RestartTask(ctx context.Context, name string, id int) error {
	return h.do(ctx, func() error {
		cs := h.conns[name]
		if _, ok := h.configs.Snapshot().Connectors[name]; !ok || cs == nil {
			return h.unknownForRestart(name)
		}
		if id < 0 || id >= len(cs.running) {
			if h.cfg.Distributed {
				return errorf(KindNotFound, "Unknown task: %s-%d", name, id)
			}
			return errorf(KindNotFound, "Task %s-%d not found", name, id)
		}
		h.restartTaskLocked(ctx, cs, id)
		return nil
	})
}

func (h *Herder) restartTaskLocked(ctx context.Context, cs *connState, id int) {
	if id >= len(cs.running) {
		return
	}
	h.stopTask(cs, id)
	if cs.inst == nil {
		return // the connector is failed or stopped; its reconcile restarts tasks
	}
	h.startTask(ctx, cs, id)
	if t := cs.tasks[id]; t != nil && h.configs.Snapshot().TargetStates[cs.name] == store.Paused {
		t.runner.Pause()
	}
}
