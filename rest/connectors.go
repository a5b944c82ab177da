package rest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/wharf-project/wharf/worker"
	"github.com/wharf-project/wharf/worker/store"
)

func pathName(r *http.Request) string { return mux.Vars(r)["name"] }

func (s *Server) listConnectors(w http.ResponseWriter, r *http.Request) {
	names := s.h.Connectors()
	var status, info bool
	for _, e := range r.URL.Query()["expand"] {
		for _, v := range strings.Split(e, ",") {
			switch strings.TrimSpace(v) {
			case "status":
				status = true
			case "info":
				info = true
			}
		}
	}
	if _, asked := r.URL.Query()["expand"]; !asked {
		writeJSON(w, http.StatusOK, names)
		return
	}
	type expanded struct {
		Status *connectorStatus `json:"status,omitempty"`
		Info   *connectorInfo   `json:"info,omitempty"`
	}
	out := make(map[string]expanded, len(names))
	for _, n := range names {
		var e expanded
		if status {
			st, err := s.h.Status(n)
			if err != nil {
				continue // just created or deleted: Connect omits it
			}
			ws := toStatus(st)
			e.Status = &ws
		}
		if info {
			ci, err := s.h.ConnectorInfo(n)
			if err != nil {
				continue
			}
			wi := toConnectorInfo(ci)
			e.Info = &wi
		}
		out[n] = e
	}
	writeJSON(w, http.StatusOK, out)
}

type createRequest struct {
	Name         *string                    `json:"name"`
	Config       map[string]json.RawMessage `json:"config"`
	InitialState string                     `json:"initial_state"`
}

func (s *Server) createConnector(w http.ResponseWriter, r *http.Request) {
	b, err := readBody(r)
	if err != nil {
		writeError(w, err)
		return
	}
	var req createRequest
	if err := json.Unmarshal(b, &req); err != nil {
		writeError(w, jsonError("connector creation request", b, err))
		return
	}
	if req.Config == nil {
		writeError(w, badRequest(`Connector creation request must have a "config" object, e.g. {"name":"my-connector","config":{"connector.class":"FileStreamSource",...}}`))
		return
	}
	props, err := configMap("config", req.Config)
	if err != nil {
		writeError(w, err)
		return
	}
	name := ""
	if req.Name != nil {
		name = strings.TrimSpace(*req.Name)
	} else if n, ok := props["name"]; ok {
		name = strings.TrimSpace(n)
	}
	var initial store.TargetState
	switch strings.ToUpper(strings.TrimSpace(req.InitialState)) {
	case "", "RUNNING":
	case "PAUSED":
		initial = store.Paused
	case "STOPPED":
		initial = store.Stopped
	default:
		writeError(w, badRequest("Invalid initial_state "+strconv.Quote(req.InitialState)+": expected RUNNING, PAUSED or STOPPED"))
		return
	}
	ctx, cancel := ctxOf(r)
	defer cancel()
	info, err := s.h.CreateConnector(ctx, name, props, initial)
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Location", location(r, info.Name))
	writeJSON(w, http.StatusCreated, toConnectorInfo(info))
}

func location(r *http.Request, name string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/connectors/" + url.PathEscape(name)
}

func (s *Server) getConnector(w http.ResponseWriter, r *http.Request) {
	info, err := s.h.ConnectorInfo(pathName(r))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, toConnectorInfo(info))
}

func (s *Server) deleteConnector(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := ctxOf(r)
	defer cancel()
	if err := s.h.DeleteConnector(ctx, pathName(r)); err != nil {
		writeError(w, err)
		return
	}
	if s.o.Logs != nil {
		s.o.Logs.Forget(pathName(r))
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) getConfig(w http.ResponseWriter, r *http.Request) {
	props, err := s.h.ConnectorConfig(pathName(r))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, props)
}

func (s *Server) putConfig(w http.ResponseWriter, r *http.Request) {
	props, err := readConfig(r)
	if err != nil {
		writeError(w, err)
		return
	}
	ctx, cancel := ctxOf(r)
	defer cancel()
	info, created, err := s.h.PutConnectorConfig(ctx, pathName(r), props)
	if err != nil {
		writeError(w, err)
		return
	}
	code := http.StatusOK
	if created {
		code = http.StatusCreated
		w.Header().Set("Location", location(r, info.Name))
	}
	writeJSON(w, code, toConnectorInfo(info))
}

func (s *Server) patchConfig(w http.ResponseWriter, r *http.Request) {
	b, err := readBody(r)
	if err != nil {
		writeError(w, err)
		return
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil || raw == nil {
		if err == nil {
			err = badRequest("Connector configuration patch must be a JSON object")
		} else {
			err = jsonError("connector configuration patch", b, err)
		}
		writeError(w, err)
		return
	}
	patch := make(map[string]*string, len(raw))
	for k, v := range raw {
		sv, err := configValue(v)
		if err != nil {
			writeError(w, badRequest("Invalid value for "+strconv.Quote(k)+" in connector configuration patch: "+err.Error()))
			return
		}
		if sv == worker.NullValue {
			patch[k] = nil
		} else {
			patch[k] = &sv
		}
	}
	ctx, cancel := ctxOf(r)
	defer cancel()
	info, err := s.h.PatchConnectorConfig(ctx, pathName(r), patch)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, toConnectorInfo(info))
}

func (s *Server) getStatus(w http.ResponseWriter, r *http.Request) {
	st, err := s.h.Status(pathName(r))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, toStatus(st))
}

func (s *Server) restartConnector(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := ctxOf(r)
	defer cancel()
	st, err := s.h.RestartConnector(ctx, pathName(r), boolParam(r, "includeTasks"), boolParam(r, "onlyFailed"))
	if err != nil {
		writeError(w, err)
		return
	}
	if st == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusAccepted, toStatus(*st))
}

// setTarget runs a pause, resume or stop request.
func (s *Server) setTarget(w http.ResponseWriter, r *http.Request, code int, fn func(context.Context, string) error) {
	ctx, cancel := ctxOf(r)
	defer cancel()
	if err := fn(ctx, pathName(r)); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(code)
}

func (s *Server) pause(w http.ResponseWriter, r *http.Request) {
	s.setTarget(w, r, http.StatusAccepted, s.h.Pause)
}

func (s *Server) resume(w http.ResponseWriter, r *http.Request) {
	s.setTarget(w, r, http.StatusAccepted, s.h.Resume)
}

func (s *Server) stop(w http.ResponseWriter, r *http.Request) {
	s.setTarget(w, r, http.StatusNoContent, s.h.StopConnector)
}

func (s *Server) getTasks(w http.ResponseWriter, r *http.Request) {
	name := pathName(r)
	tasks, err := s.h.Tasks(name)
	if err != nil {
		writeError(w, err)
		return
	}
	out := make([]taskInfo, len(tasks))
	for i, t := range tasks {
		out[i] = taskInfo{ID: connectorTaskID{Connector: name, Task: t.ID}, Config: t.Config}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getTasksConfig(w http.ResponseWriter, r *http.Request) {
	name := pathName(r)
	tasks, err := s.h.Tasks(name)
	if err != nil {
		writeError(w, err)
		return
	}
	out := make(map[string]map[string]string, len(tasks))
	for _, t := range tasks {
		out[name+"-"+strconv.Itoa(t.ID)] = t.Config
	}
	writeJSON(w, http.StatusOK, out)
}

func taskID(r *http.Request) int {
	id, err := strconv.Atoi(mux.Vars(r)["id"])
	if err != nil {
		return -1
	}
	return id
}

func (s *Server) getTaskStatus(w http.ResponseWriter, r *http.Request) {
	st, err := s.h.TaskStatus(pathName(r), taskID(r))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, toTaskState(st))
}

func (s *Server) restartTask(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := ctxOf(r)
	defer cancel()
	if err := s.h.RestartTask(ctx, pathName(r), taskID(r)); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) getTopics(w http.ResponseWriter, r *http.Request) {
	name := pathName(r)
	topics, err := s.h.Topics(name)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]map[string][]string{name: {"topics": topics}})
}

func (s *Server) resetTopics(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := ctxOf(r)
	defer cancel()
	if err := s.h.ResetTopics(ctx, pathName(r)); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}
