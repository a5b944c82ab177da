package schemaregistry

import (
	"encoding/json"
	"fmt"
	"github.com/wharf-project/wharf/connector/jsontext"
	"slices"
	"strconv"
)

// Record formats of Confluent's _schemas topic (SchemaRegistryKey types and
// their values, serialized by Jackson in @JsonPropertyOrder order).

type recordKey struct {
	KeyType string  `json:"keytype"`
	Subject *string `json:"subject"`
	Version int     `json:"version"`
	Magic   int     `json:"magic"`
}

type schemaValue struct {
	Subject    string `json:"subject"`
	Version    int    `json:"version"`
	ID         int    `json:"id"`
	SchemaType string `json:"schemaType,omitempty"`
	Schema     string `json:"schema"`
	Deleted    bool   `json:"deleted"`
}

type configValue struct {
	CompatibilityLevel string `json:"compatibilityLevel"`
}

type deleteSubjectValue struct {
	Subject string `json:"subject"`
	Version int    `json:"version"`
}

func schemaKey(subject string, version int) []byte {
	b := []byte(`{"keytype":"SCHEMA","subject":`)
	b = jsontext.AppendString(b, subject)
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, int64(version), 10)
	return append(b, `,"magic":1}`...)
}

func subjectKey(keyType, subject string) []byte {
	b := []byte(`{"keytype":"` + keyType + `","subject":`)
	if subject == "" {
		b = append(b, "null"...)
	} else {
		b = jsontext.AppendString(b, subject)
	}
	return append(b, `,"magic":0}`...)
}

func encodeSchemaValue(v schemaValue) []byte {
	b := []byte(`{"subject":`)
	b = jsontext.AppendString(b, v.Subject)
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, int64(v.Version), 10)
	b = append(b, `,"id":`...)
	b = strconv.AppendInt(b, int64(v.ID), 10)
	b = append(b, `,"schema":`...)
	b = jsontext.AppendString(b, v.Schema)
	b = append(b, `,"deleted":`...)
	b = strconv.AppendBool(b, v.Deleted)
	return append(b, '}')
}

// version is one registered version of a subject.
type version struct {
	Version int
	ID      int
	Schema  string // canonical text
	Deleted bool
}

// state is the registry's content, rebuilt from the topic.
type state struct {
	subjects map[string]map[int]*version
	ids      map[int]string // id → schema
	byText   map[string]int // schema → id
	maxID    int
	global   string
	configs  map[string]string
}

func newState() *state {
	return &state{subjects: map[string]map[int]*version{}, ids: map[int]string{},
		byText: map[string]int{}, configs: map[string]string{}}
}

// apply folds one record of the topic into the state; unknown key types
// (NOOP, MODE, …) are ignored, as are records it cannot parse.
func (st *state) apply(key, value []byte) error {
	var k recordKey
	if err := json.Unmarshal(key, &k); err != nil {
		return fmt.Errorf("bad key %q: %w", key, err)
	}
	subject := ""
	if k.Subject != nil {
		subject = *k.Subject
	}
	switch k.KeyType {
	case "SCHEMA":
		return st.applySchema(subject, k.Version, value)
	case "CONFIG":
		if value == nil {
			st.setConfig(subject, "")
			return nil
		}
		var v configValue
		if err := json.Unmarshal(value, &v); err != nil {
			return fmt.Errorf("bad config value %q: %w", value, err)
		}
		st.setConfig(subject, v.CompatibilityLevel)
	case "DELETE_SUBJECT":
		if value == nil {
			return nil
		}
		var v deleteSubjectValue
		if err := json.Unmarshal(value, &v); err != nil {
			return fmt.Errorf("bad delete-subject value %q: %w", value, err)
		}
		for n, ver := range st.subjects[subject] {
			if v.Version == 0 || n <= v.Version {
				ver.Deleted = true
			}
		}
	case "CLEAR_SUBJECT":
		if value == nil {
			return nil
		}
		for n, ver := range st.subjects[subject] {
			if ver.Deleted {
				delete(st.subjects[subject], n)
			}
		}
		st.dropEmpty(subject)
	}
	return nil
}

func (st *state) setConfig(subject, level string) {
	switch {
	case subject == "" && level == "":
		st.global = ""
	case subject == "":
		st.global = level
	case level == "":
		delete(st.configs, subject)
	default:
		st.configs[subject] = level
	}
}

func (st *state) applySchema(subject string, n int, value []byte) error {
	if value == nil {
		delete(st.subjects[subject], n)
		st.dropEmpty(subject)
		return nil
	}
	var v schemaValue
	if err := json.Unmarshal(value, &v); err != nil {
		return fmt.Errorf("bad schema value %q: %w", value, err)
	}
	if v.SchemaType != "" && v.SchemaType != "AVRO" {
		return nil // JSON Schema and Protobuf subjects are not served
	}
	vs := st.subjects[subject]
	if vs == nil {
		vs = map[int]*version{}
		st.subjects[subject] = vs
	}
	vs[n] = &version{Version: n, ID: v.ID, Schema: v.Schema, Deleted: v.Deleted}
	st.ids[v.ID] = v.Schema
	if _, ok := st.byText[v.Schema]; !ok {
		st.byText[v.Schema] = v.ID
	}
	st.maxID = max(st.maxID, v.ID)
	return nil
}

func (st *state) dropEmpty(subject string) {
	if len(st.subjects[subject]) == 0 {
		delete(st.subjects, subject)
	}
}

// versions returns a subject's versions in order, deleted ones only when
// asked.
func (st *state) versions(subject string, deleted bool) []*version {
	var out []*version
	for _, v := range st.subjects[subject] {
		if deleted || !v.Deleted {
			out = append(out, v)
		}
	}
	slices.SortFunc(out, func(a, b *version) int { return a.Version - b.Version })
	return out
}

// compatibility returns the level in force for subject.
func (st *state) compatibility(subject string) string {
	if l, ok := st.configs[subject]; ok {
		return l
	}
	if st.global != "" {
		return st.global
	}
	return "BACKWARD"
}
