package worker

import (
	"context"
	"maps"
	"sort"
	"strconv"
	"strings"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/worker/store"
)

// Connectors lists connector names, sorted.
func (h *Herder) Connectors() []string {
	snap := h.configs.Snapshot()
	names := make([]string, 0, len(snap.Connectors))
	for n := range snap.Connectors {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// connectorType is source, sink or unknown, from connector.class.
func (h *Herder) connectorType(props map[string]string) string {
	if p, ok := h.reg.LookupConnector(props[keyConnectorClass]); ok {
		return string(p.Type)
	}
	return "unknown"
}

// ConnectorInfo answers GET /connectors/{name}.
func (h *Herder) ConnectorInfo(name string) (ConnectorInfo, error) {
	snap := h.configs.Snapshot()
	props, ok := snap.Connectors[name]
	if !ok {
		return ConnectorInfo{}, errConnectorNotFound(name)
	}
	return h.info(name, props, snap), nil
}

func (h *Herder) info(name string, props map[string]string, snap store.ConfigSnapshot) ConnectorInfo {
	tasks := make([]int, len(snap.TaskConfigs[name]))
	for i := range tasks {
		tasks[i] = i
	}
	return ConnectorInfo{Name: name, Config: props, Tasks: tasks, Type: h.connectorType(props)}
}

// ConnectorConfig answers GET /connectors/{name}/config.
func (h *Herder) ConnectorConfig(name string) (map[string]string, error) {
	props, ok := h.configs.Snapshot().Connectors[name]
	if !ok {
		return nil, errConnectorNotFound(name)
	}
	return props, nil
}

// Tasks answers GET /connectors/{name}/tasks.
func (h *Herder) Tasks(name string) ([]TaskInfo, error) {
	snap := h.configs.Snapshot()
	if _, ok := snap.Connectors[name]; !ok {
		return nil, errConnectorNotFound(name)
	}
	out := make([]TaskInfo, 0, len(snap.TaskConfigs[name]))
	for i, c := range snap.TaskConfigs[name] {
		out = append(out, TaskInfo{ID: i, Config: c})
	}
	return out, nil
}

// checkName applies the name rules: the body's name must match the URL's,
// and names must be usable in a URL path.
func checkName(urlName string, props map[string]string) error {
	if n, ok := props[keyName]; ok && n != urlName {
		return errorf(KindBadRequest, "Connector name configuration (%s) doesn't match connector name in the URL (%s)", n, urlName)
	}
	if strings.TrimSpace(urlName) == "" {
		return errorf(KindBadRequest, "Connector name is empty: set \"name\" in the request body")
	}
	if strings.ContainsAny(urlName, "/\\") {
		return errorf(KindBadRequest, "Invalid value %s for configuration name: connector names may not contain '/' or '\\' (they are used in REST paths)", urlName)
	}
	return nil
}

// CreateConnector answers POST /connectors. initial is "" (RUNNING) or a
// target state from initial_state.
func (h *Herder) CreateConnector(ctx context.Context, name string, props map[string]string, initial TargetState) (ConnectorInfo, error) {
	name = strings.TrimSpace(name)
	props = maps.Clone(props)
	if err := checkName(name, props); err != nil {
		return ConnectorInfo{}, err
	}
	props[keyName] = name
	infos, _, err := h.validate(ctx, props)
	if err != nil {
		return ConnectorInfo{}, err
	}
	if infos.ErrorCount > 0 {
		return ConnectorInfo{}, invalidConfigError(infos)
	}
	var info ConnectorInfo
	err = h.do(ctx, func() error {
		snap := h.configs.Snapshot()
		if _, exists := snap.Connectors[name]; exists {
			return errorf(KindConflict, "Connector %s already exists", name)
		}
		if err := h.configs.PutConnectorConfig(ctx, name, props, initial); err != nil {
			return err
		}
		// The status exists as soon as the connector does: clients that read
		// it right after POST get UNASSIGNED, not a 404.
		h.putConnectorStatus(ctx, name, StateUnassigned, nil)
		info = ConnectorInfo{Name: name, Config: props, Tasks: []int{}, Type: h.connectorType(props)}
		return nil
	})
	return info, err
}

// PutConnectorConfig answers PUT /connectors/{name}/config (create or replace).
func (h *Herder) PutConnectorConfig(ctx context.Context, name string, props map[string]string) (ConnectorInfo, bool, error) {
	props = maps.Clone(props)
	if err := checkName(name, props); err != nil {
		return ConnectorInfo{}, false, err
	}
	props[keyName] = name
	infos, _, err := h.validate(ctx, props)
	if err != nil {
		return ConnectorInfo{}, false, err
	}
	if infos.ErrorCount > 0 {
		return ConnectorInfo{}, false, invalidConfigError(infos)
	}
	var (
		info    ConnectorInfo
		created bool
	)
	err = h.do(ctx, func() error {
		snap := h.configs.Snapshot()
		_, exists := snap.Connectors[name]
		created = !exists
		if err := h.configs.PutConnectorConfig(ctx, name, props, ""); err != nil {
			return err
		}
		if created {
			h.putConnectorStatus(ctx, name, StateUnassigned, nil)
		}
		info = h.info(name, props, h.configs.Snapshot())
		return nil
	})
	return info, created, err
}

// PatchConnectorConfig answers PATCH /connectors/{name}/config: nil values
// remove keys, others are set; the result is validated like a PUT.
func (h *Herder) PatchConnectorConfig(ctx context.Context, name string, patch map[string]*string) (ConnectorInfo, error) {
	current, ok := h.configs.Snapshot().Connectors[name]
	if !ok {
		return ConnectorInfo{}, errConnectorNotFound(name)
	}
	merged := maps.Clone(current)
	for k, v := range patch {
		if v == nil {
			delete(merged, k)
		} else {
			merged[k] = *v
		}
	}
	info, _, err := h.PutConnectorConfig(ctx, name, merged)
	return info, err
}

// DeleteConnector answers DELETE /connectors/{name}. Offsets are kept, as
// in Connect: a connector created again with the same name resumes.
func (h *Herder) DeleteConnector(ctx context.Context, name string) error {
	return h.do(ctx, func() error {
		if _, ok := h.configs.Snapshot().Connectors[name]; !ok {
			return errConnectorNotFound(name)
		}
		return h.configs.RemoveConnectorConfig(ctx, name)
	})
}

// setTarget writes a target state for pause, resume and stop.
func (h *Herder) setTarget(ctx context.Context, name string, s TargetState) error {
	return h.do(ctx, func() error {
		if _, ok := h.configs.Snapshot().Connectors[name]; !ok {
			return errUnknownConnector(name)
		}
		if s == store.Stopped {
			// Connect writes an empty task set before the STOPPED target,
			// so a stopped connector has no tasks anywhere.
			if err := h.configs.PutTaskConfigs(ctx, name, nil); err != nil {
				return err
			}
		}
		return h.configs.PutTargetState(ctx, name, s)
	})
}

// Pause answers PUT /connectors/{name}/pause.
func (h *Herder) Pause(ctx context.Context, name string) error {
	return h.setTarget(ctx, name, store.Paused)
}

// Resume answers PUT /connectors/{name}/resume (also for a STOPPED connector).
func (h *Herder) Resume(ctx context.Context, name string) error {
	return h.setTarget(ctx, name, store.Started)
}

// StopConnector answers PUT /connectors/{name}/stop.
func (h *Herder) StopConnector(ctx context.Context, name string) error {
	return h.setTarget(ctx, name, store.Stopped)
}

// Status answers GET /connectors/{name}/status.
func (h *Herder) Status(name string) (ConnectorStatus, error) {
	cs, ok := h.statuses.Connector(name)
	if !ok {
		return ConnectorStatus{}, errorf(KindNotFound, "No status found for connector %s", name)
	}
	props := h.configs.Snapshot().Connectors[name]
	st := ConnectorStatus{Name: name, Type: h.connectorType(props),
		Connector: InstanceStatus{State: cs.State, Trace: cs.Trace, WorkerID: cs.WorkerID}}
	for id, t := range h.statuses.Tasks(name) {
		st.Tasks = append(st.Tasks, TaskStatus{ID: id, InstanceStatus: InstanceStatus{State: t.State, Trace: t.Trace, WorkerID: t.WorkerID}})
	}
	sort.Slice(st.Tasks, func(i, j int) bool { return st.Tasks[i].ID < st.Tasks[j].ID })
	if st.Tasks == nil {
		st.Tasks = []TaskStatus{}
	}
	return st, nil
}

// TaskStatus answers GET /connectors/{name}/tasks/{id}/status.
func (h *Herder) TaskStatus(name string, id int) (TaskStatus, error) {
	t, ok := h.statuses.Tasks(name)[id]
	if !ok {
		return TaskStatus{}, errorf(KindNotFound, "No status found for task %s-%d", name, id)
	}
	return TaskStatus{ID: id, InstanceStatus: InstanceStatus{State: t.State, Trace: t.Trace, WorkerID: t.WorkerID}}, nil
}

// Topics answers GET /connectors/{name}/topics.
func (h *Herder) Topics(name string) ([]string, error) {
	if !h.cfg.TopicTracking {
		return nil, errorf(KindForbidden, "Topic tracking is disabled.")
	}
	t := h.statuses.Topics(name)
	if t == nil {
		t = []string{}
	}
	return t, nil
}

// ResetTopics answers PUT /connectors/{name}/topics/reset.
func (h *Herder) ResetTopics(ctx context.Context, name string) error {
	if !h.cfg.TopicTracking {
		return errorf(KindForbidden, "Topic tracking is disabled.")
	}
	if !h.cfg.TopicTrackingReset {
		return errorf(KindForbidden, "Topic tracking reset is disabled.")
	}
	if _, ok := h.configs.Snapshot().Connectors[name]; !ok {
		return errConnectorNotFound(name)
	}
	return h.statuses.ResetTopics(ctx, name)
}

func (h *Herder) putConnectorStatus(ctx context.Context, name, state string, err error) {
	s := store.Status{State: state, WorkerID: h.cfg.WorkerID}
	if err != nil {
		s.Trace = Trace(err)
	}
	if perr := h.statuses.PutConnector(ctx, name, s); perr != nil {
		h.log.Error("write connector status", "connector", name, "state", state, "error", perr)
	}
}

func (h *Herder) putTaskStatus(ctx context.Context, name string, id int, state string, err error) {
	s := store.Status{State: state, WorkerID: h.cfg.WorkerID}
	if err != nil {
		s.Trace = Trace(err)
	}
	if perr := h.statuses.PutTask(ctx, name, id, s); perr != nil {
		h.log.Error("write task status", "connector", name, "task", id, "state", state, "error", perr)
	}
}

// tasksMax parses tasks.max (validated earlier; 1 if unparsable).
func tasksMax(props map[string]string) int {
	n, err := strconv.Atoi(strings.TrimSpace(props[keyTasksMax]))
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// taskClass is the task.class Connect adds to every task config.
func taskClass(p connector.Plugin) string {
	return strings.TrimSuffix(p.Class, "Connector") + "Task"
}
