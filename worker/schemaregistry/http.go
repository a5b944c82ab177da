package schemaregistry

import (
	"encoding/json"
	"errors"
	"io"
	"math"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/wharf-project/wharf/worker/store"
)

// Handler returns the registry's REST API (Confluent's paths, bodies, error
// codes and media types).
func (s *Server) Handler() http.Handler {
	m := http.NewServeMux()
	m.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { reply(w, r, 200, struct{}{}) })
	m.HandleFunc("GET /subjects", s.listSubjects)
	m.HandleFunc("GET /subjects/{subject}/versions", s.listVersions)
	m.HandleFunc("POST /subjects/{subject}/versions", s.register)
	m.HandleFunc("GET /subjects/{subject}/versions/{version}", s.getVersion)
	m.HandleFunc("GET /subjects/{subject}/versions/{version}/schema", s.getVersion)
	m.HandleFunc("DELETE /subjects/{subject}/versions/{version}", s.deleteVersion)
	m.HandleFunc("POST /subjects/{subject}", s.lookup)
	m.HandleFunc("DELETE /subjects/{subject}", s.deleteSubject)
	m.HandleFunc("GET /schemas/types", func(w http.ResponseWriter, r *http.Request) { reply(w, r, 200, []string{"AVRO"}) })
	m.HandleFunc("GET /schemas/ids/{id}", s.schemaByID)
	m.HandleFunc("GET /schemas/ids/{id}/schema", s.schemaByID)
	m.HandleFunc("GET /schemas/ids/{id}/subjects", s.idSubjects)
	m.HandleFunc("GET /schemas/ids/{id}/versions", s.idSubjects)
	m.HandleFunc("GET /config", s.getConfig)
	m.HandleFunc("PUT /config", s.putConfig)
	m.HandleFunc("GET /config/{subject}", s.getConfig)
	m.HandleFunc("PUT /config/{subject}", s.putConfig)
	m.HandleFunc("DELETE /config/{subject}", s.deleteConfig)
	m.HandleFunc("POST /compatibility/subjects/{subject}/versions/{version}", s.compatibility)
	m.HandleFunc("POST /compatibility/subjects/{subject}/versions", s.compatibility)
	m.HandleFunc("GET /mode", mode)
	m.HandleFunc("GET /mode/{subject}", mode)
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fail(w, r, &Error{404, 404, "HTTP 404 Not Found"})
	})
	return m
}

func mode(w http.ResponseWriter, r *http.Request) {
	reply(w, r, 200, map[string]string{"mode": "READWRITE"})
}

// reply writes v as JSON in the media type the client accepts.
func reply(w http.ResponseWriter, r *http.Request, status int, v any) {
	ct := ContentType
	if acc := r.Header.Get("Accept"); acc != "" && !strings.Contains(acc, "vnd.schemaregistry") &&
		strings.Contains(acc, "application/json") {
		ct = "application/json"
	}
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func fail(w http.ResponseWriter, r *http.Request, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{500, CodeStoreError, err.Error()}
	}
	if e.Status == 0 {
		e.Status = 500
	}
	reply(w, r, e.Status, e)
}

// decode reads a JSON body of an accepted media type.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, _ := mime.ParseMediaType(ct)
		switch mt {
		case ContentType, "application/vnd.schemaregistry+json", "application/json", "application/octet-stream":
		default:
			fail(w, r, &Error{415, 415, "HTTP 415 Unsupported Media Type"})
			return false
		}
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, 32<<20))
	if err == nil {
		err = json.Unmarshal(b, v)
	}
	if err != nil {
		fail(w, r, &Error{400, 400, "Unrecognized or malformed JSON request body: " + err.Error()})
		return false
	}
	return true
}

func boolParam(r *http.Request, name string) bool {
	v, _ := strconv.ParseBool(r.URL.Query().Get(name))
	return v
}

// parseVersion accepts "latest", -1 and 1…2^31-1.
func parseVersion(v string) (int, error) {
	if v == "latest" {
		return -1, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n == 0 || n < -1 || n > math.MaxInt32 {
		return 0, invalidVersion(v)
	}
	return int(n), nil
}

func (s *Server) listSubjects(w http.ResponseWriter, r *http.Request) {
	deleted := boolParam(r, "deleted")
	prefix := r.URL.Query().Get("subjectPrefix")
	s.mu.RLock()
	out := []string{}
	for subj := range s.st.subjects {
		if strings.HasPrefix(subj, prefix) && len(s.st.versions(subj, deleted)) > 0 {
			out = append(out, subj)
		}
	}
	s.mu.RUnlock()
	slices.Sort(out)
	reply(w, r, 200, out)
}

func (s *Server) listVersions(w http.ResponseWriter, r *http.Request) {
	subject := r.PathValue("subject")
	s.mu.RLock()
	vs := s.st.versions(subject, boolParam(r, "deleted"))
	s.mu.RUnlock()
	if len(vs) == 0 {
		fail(w, r, subjectNotFound(subject))
		return
	}
	out := make([]int, len(vs))
	for i, v := range vs {
		out[i] = v.Version
	}
	reply(w, r, 200, out)
}

func (s *Server) register(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Schema     string            `json:"schema"`
		SchemaType string            `json:"schemaType"`
		References []json.RawMessage `json:"references"`
	}
	if !decode(w, r, &req) {
		return
	}
	if len(req.References) > 0 {
		fail(w, r, invalidSchema("Schema references are not supported by this registry"))
		return
	}
	id, err := s.Register(r.Context(), r.PathValue("subject"), req.Schema, req.SchemaType)
	if err != nil {
		fail(w, r, err)
		return
	}
	reply(w, r, 200, map[string]int{"id": id})
}

func (s *Server) lookup(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Schema     string `json:"schema"`
		SchemaType string `json:"schemaType"`
	}
	if !decode(w, r, &req) {
		return
	}
	sv, err := s.Lookup(r.PathValue("subject"), req.Schema, req.SchemaType, boolParam(r, "deleted"))
	if err != nil {
		fail(w, r, err)
		return
	}
	reply(w, r, 200, sv)
}

// find resolves a version of a subject ("latest" = newest live one).
func (s *Server) find(subject, ver string, deleted bool) (*version, error) {
	n, err := parseVersion(ver)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	all := s.st.versions(subject, true)
	if len(all) == 0 {
		return nil, subjectNotFound(subject)
	}
	live := s.st.versions(subject, deleted)
	if n == -1 {
		if len(live) == 0 {
			return nil, subjectNotFound(subject)
		}
		return live[len(live)-1], nil
	}
	for _, v := range live {
		if v.Version == n {
			return v, nil
		}
	}
	return nil, versionNotFound(n)
}

func (s *Server) getVersion(w http.ResponseWriter, r *http.Request) {
	subject := r.PathValue("subject")
	v, err := s.find(subject, r.PathValue("version"), boolParam(r, "deleted"))
	if err != nil {
		fail(w, r, err)
		return
	}
	if strings.HasSuffix(r.URL.Path, "/schema") {
		w.Header().Set("Content-Type", ContentType)
		_, _ = io.WriteString(w, v.Schema)
		return
	}
	reply(w, r, 200, SubjectVersion{Subject: subject, Version: v.Version, ID: v.ID, Schema: v.Schema})
}

func (s *Server) deleteVersion(w http.ResponseWriter, r *http.Request) {
	subject := r.PathValue("subject")
	permanent := boolParam(r, "permanent")
	s.wmu.Lock()
	defer s.wmu.Unlock()
	v, err := s.find(subject, r.PathValue("version"), true)
	if err != nil {
		fail(w, r, err)
		return
	}
	if r.PathValue("version") == "latest" || r.PathValue("version") == "-1" {
		if v, err = s.find(subject, "latest", false); err != nil {
			fail(w, r, err)
			return
		}
	}
	var rec store.Record
	switch {
	case permanent && !v.Deleted:
		fail(w, r, versionNotSoftDeleted(subject, v.Version))
		return
	case permanent:
		rec = store.Record{Key: schemaKey(subject, v.Version)}
	case v.Deleted:
		fail(w, r, versionSoftDeleted(subject, v.Version))
		return
	default:
		rec = store.Record{Key: schemaKey(subject, v.Version), Value: encodeSchemaValue(schemaValue{
			Subject: subject, Version: v.Version, ID: v.ID, Schema: v.Schema, Deleted: true})}
	}
	if err := s.send(r.Context(), rec); err != nil {
		fail(w, r, err)
		return
	}
	reply(w, r, 200, v.Version)
}

func (s *Server) deleteSubject(w http.ResponseWriter, r *http.Request) {
	subject := r.PathValue("subject")
	permanent := boolParam(r, "permanent")
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.mu.RLock()
	all := s.st.versions(subject, true)
	live := s.st.versions(subject, false)
	_, hasConfig := s.st.configs[subject]
	s.mu.RUnlock()
	if len(all) == 0 {
		fail(w, r, subjectNotFound(subject))
		return
	}
	var recs []store.Record
	out := []int{}
	switch {
	case permanent && len(live) > 0:
		fail(w, r, subjectNotSoftDeleted(subject))
		return
	case permanent:
		for _, v := range all {
			recs = append(recs, store.Record{Key: schemaKey(subject, v.Version)})
			out = append(out, v.Version)
		}
		if hasConfig {
			recs = append(recs, store.Record{Key: subjectKey("CONFIG", subject)})
		}
	case len(live) == 0:
		fail(w, r, subjectSoftDeleted(subject))
		return
	default:
		for _, v := range live {
			out = append(out, v.Version)
		}
		val, _ := json.Marshal(deleteSubjectValue{Subject: subject, Version: all[len(all)-1].Version})
		recs = append(recs, store.Record{Key: subjectKey("DELETE_SUBJECT", subject), Value: val})
	}
	if err := s.send(r.Context(), recs...); err != nil {
		fail(w, r, err)
		return
	}
	reply(w, r, 200, out)
}

func (s *Server) schemaID(w http.ResponseWriter, r *http.Request) (int, string, bool) {
	id, err := strconv.Atoi(r.PathValue("id"))
	s.mu.RLock()
	text, ok := s.st.ids[id]
	s.mu.RUnlock()
	if err != nil || !ok {
		fail(w, r, schemaNotFound(id))
		return 0, "", false
	}
	return id, text, true
}

func (s *Server) schemaByID(w http.ResponseWriter, r *http.Request) {
	_, text, ok := s.schemaID(w, r)
	if !ok {
		return
	}
	if strings.HasSuffix(r.URL.Path, "/schema") {
		w.Header().Set("Content-Type", ContentType)
		_, _ = io.WriteString(w, text)
		return
	}
	reply(w, r, 200, map[string]string{"schema": text})
}

func (s *Server) idSubjects(w http.ResponseWriter, r *http.Request) {
	id, _, ok := s.schemaID(w, r)
	if !ok {
		return
	}
	deleted := boolParam(r, "deleted")
	type subjectVersion struct {
		Subject string `json:"subject"`
		Version int    `json:"version"`
	}
	var pairs []subjectVersion
	s.mu.RLock()
	for subj := range s.st.subjects {
		for _, v := range s.st.versions(subj, deleted) {
			if v.ID == id {
				pairs = append(pairs, subjectVersion{subj, v.Version})
			}
		}
	}
	s.mu.RUnlock()
	slices.SortFunc(pairs, func(a, b subjectVersion) int {
		if c := strings.Compare(a.Subject, b.Subject); c != 0 {
			return c
		}
		return a.Version - b.Version
	})
	if strings.HasSuffix(r.URL.Path, "/versions") {
		reply(w, r, 200, append([]subjectVersion{}, pairs...))
		return
	}
	subjects := []string{}
	for _, p := range pairs {
		if len(subjects) == 0 || subjects[len(subjects)-1] != p.Subject {
			subjects = append(subjects, p.Subject)
		}
	}
	reply(w, r, 200, subjects)
}

func (s *Server) getConfig(w http.ResponseWriter, r *http.Request) {
	subject := r.PathValue("subject")
	s.mu.RLock()
	level, ok := s.st.configs[subject]
	if subject == "" || (!ok && boolParam(r, "defaultToGlobal")) {
		level, ok = s.st.compatibility(""), true
	}
	s.mu.RUnlock()
	if !ok {
		fail(w, r, compatNotConfigured(subject))
		return
	}
	reply(w, r, 200, map[string]string{"compatibilityLevel": level})
}

func (s *Server) putConfig(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Compatibility string `json:"compatibility"`
	}
	if !decode(w, r, &req) {
		return
	}
	level, ok := parseLevel(req.Compatibility)
	if !ok {
		fail(w, r, invalidCompatibility())
		return
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	val, _ := json.Marshal(configValue{CompatibilityLevel: level})
	if err := s.send(r.Context(), store.Record{Key: subjectKey("CONFIG", r.PathValue("subject")), Value: val}); err != nil {
		fail(w, r, err)
		return
	}
	reply(w, r, 200, map[string]string{"compatibility": level})
}

func (s *Server) deleteConfig(w http.ResponseWriter, r *http.Request) {
	subject := r.PathValue("subject")
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.mu.RLock()
	level, ok := s.st.configs[subject]
	s.mu.RUnlock()
	if !ok {
		fail(w, r, compatNotConfigured(subject))
		return
	}
	if err := s.send(r.Context(), store.Record{Key: subjectKey("CONFIG", subject)}); err != nil {
		fail(w, r, err)
		return
	}
	reply(w, r, 200, map[string]string{"compatibilityLevel": level})
}

func (s *Server) compatibility(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Schema     string `json:"schema"`
		SchemaType string `json:"schemaType"`
	}
	if !decode(w, r, &req) {
		return
	}
	subject, ver := r.PathValue("subject"), r.PathValue("version")
	a, _, err := parseSchema(req.Schema, req.SchemaType)
	if err != nil {
		fail(w, r, err)
		return
	}
	s.mu.RLock()
	level := s.st.compatibility(subject)
	live := s.st.versions(subject, false)
	s.mu.RUnlock()
	against := live
	if ver != "" {
		if ver == "latest" && len(live) == 0 {
			against = nil // nothing to be incompatible with
		} else {
			v, err := s.find(subject, ver, false)
			if err != nil {
				fail(w, r, err)
				return
			}
			against = []*version{v}
			level = strings.TrimSuffix(level, "_TRANSITIVE")
		}
	}
	err = checkAgainst(subject, level, a, against)
	out := map[string]any{"is_compatible": err == nil}
	if boolParam(r, "verbose") {
		msgs := []string{}
		if err != nil {
			msgs = append(msgs, err.(*Error).Message)
		}
		out["messages"] = msgs
	}
	reply(w, r, 200, out)
}
