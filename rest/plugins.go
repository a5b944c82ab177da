package rest

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/wharf-project/wharf/worker"
)

func (s *Server) listPlugins(w http.ResponseWriter, r *http.Request) {
	only := true
	if v := r.URL.Query().Get("connectorsOnly"); v != "" {
		only = !strings.EqualFold(v, "false")
	}
	ps := s.h.Plugins(only)
	out := make([]pluginInfo, len(ps))
	for i, p := range ps {
		out[i] = toPluginInfo(p)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) pluginConfig(w http.ResponseWriter, r *http.Request) {
	keys, err := s.h.PluginConfig(mux.Vars(r)["plugin"])
	if err != nil {
		writeError(w, err)
		return
	}
	out := make([]configKeyInfo, len(keys))
	for i := range keys {
		out[i] = toKeyInfo(&keys[i])
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) validate(w http.ResponseWriter, r *http.Request) {
	props, err := readConfig(r)
	if err != nil {
		writeError(w, err)
		return
	}
	ctx, cancel := ctxOf(r)
	defer cancel()
	infos, err := s.h.Validate(ctx, mux.Vars(r)["plugin"], props)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, toConfigInfos(infos))
}

func (s *Server) getOffsets(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := ctxOf(r)
	defer cancel()
	offs, err := s.h.Offsets(ctx, pathName(r))
	if err != nil {
		writeError(w, err)
		return
	}
	out := connectorOffsets{Offsets: make([]offsetEntry, len(offs))}
	for i, o := range offs {
		out.Offsets[i] = offsetEntry{Partition: o.Partition, Offset: o.Offset}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) alterOffsets(w http.ResponseWriter, r *http.Request) {
	b, err := readBody(r)
	if err != nil {
		writeError(w, err)
		return
	}
	var req struct {
		Offsets []offsetEntry `json:"offsets"`
	}
	if err := json.Unmarshal(b, &req); err != nil {
		writeError(w, jsonError("offsets request", b, err))
		return
	}
	offs := make([]worker.Offset, len(req.Offsets))
	for i, o := range req.Offsets {
		offs[i] = worker.Offset{Partition: o.Partition, Offset: o.Offset}
	}
	ctx, cancel := ctxOf(r)
	defer cancel()
	msg, err := s.h.AlterOffsets(ctx, pathName(r), offs)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, message{Message: msg})
}

func (s *Server) resetOffsets(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := ctxOf(r)
	defer cancel()
	msg, err := s.h.ResetOffsets(ctx, pathName(r))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, message{Message: msg})
}
