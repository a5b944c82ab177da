package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Config topic key prefixes (KafkaConfigBackingStore).
const (
	connectorPrefix   = "connector-"
	taskPrefix        = "task-"
	commitPrefix      = "commit-"
	targetStatePrefix = "target-state-"
)

// appendJSONString appends s as a JSON string the way Jackson writes it:
// only quotes, backslashes and control characters are escaped.
func appendJSONString(b []byte, s string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	out := bytes.TrimRight(buf.Bytes(), "\n")
	// encoding/json also escapes U+2028 and U+2029, Jackson does not.
	out = bytes.ReplaceAll(out, []byte(`\u2028`), []byte("\u2028"))
	out = bytes.ReplaceAll(out, []byte(`\u2029`), []byte("\u2029"))
	return append(b, out...)
}

// appendStringMap appends a JSON object of string values with sorted keys.
func appendStringMap(b []byte, m map[string]string) []byte {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		b = appendJSONString(b, m[k])
	}
	return append(b, '}')
}

// encodeProperties is the value of connector-* and task-* records:
// {"properties":{…}}.
func encodeProperties(props map[string]string) []byte {
	b := append([]byte(nil), `{"properties":`...)
	b = appendStringMap(b, props)
	return append(b, '}')
}

// encodeTargetState is the value of target-state-* records. Workers older
// than 3.5 only read "state", so STOPPED is written there as PAUSED.
func encodeTargetState(t TargetState) []byte {
	legacy := t
	if t == Stopped {
		legacy = Paused
	}
	return []byte(`{"state":"` + string(legacy) + `","state.v2":"` + string(t) + `"}`)
}

func encodeCommit(tasks int) []byte {
	return []byte(`{"tasks":` + strconv.Itoa(tasks) + `}`)
}

func decodeProperties(value []byte) (map[string]string, error) {
	var v struct {
		Properties map[string]any `json:"properties"`
	}
	dec := json.NewDecoder(bytes.NewReader(value))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if v.Properties == nil {
		return nil, fmt.Errorf("no properties field")
	}
	out := make(map[string]string, len(v.Properties))
	for k, val := range v.Properties {
		switch x := val.(type) {
		case nil:
			// A null config value: Connect treats it as unset.
		case string:
			out[k] = x
		case json.Number:
			out[k] = x.String()
		case bool:
			out[k] = strconv.FormatBool(x)
		default:
			raw, _ := json.Marshal(x)
			out[k] = string(raw)
		}
	}
	return out, nil
}

func decodeTargetState(value []byte) (TargetState, error) {
	var v struct {
		State   string `json:"state"`
		StateV2 string `json:"state.v2"`
	}
	if err := json.Unmarshal(value, &v); err != nil {
		return "", err
	}
	s := v.StateV2
	if s == "" {
		s = v.State
	}
	switch t := TargetState(s); t {
	case Started, Paused, Stopped:
		return t, nil
	}
	return "", fmt.Errorf("invalid target state %q", s)
}

func decodeCommit(value []byte) (int, error) {
	var v struct {
		Tasks *int `json:"tasks"`
	}
	if err := json.Unmarshal(value, &v); err != nil {
		return 0, err
	}
	if v.Tasks == nil || *v.Tasks < 0 {
		return 0, fmt.Errorf("missing or negative task count")
	}
	return *v.Tasks, nil
}

// parseTaskKey splits "task-<connector>-<n>".
func parseTaskKey(key string) (string, int, bool) {
	return splitTaskID(strings.TrimPrefix(key, taskPrefix))
}

// splitTaskID splits "<connector>-<n>"; connector names may contain '-'.
func splitTaskID(s string) (string, int, bool) {
	i := strings.LastIndexByte(s, '-')
	if i <= 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(s[i+1:])
	if err != nil || n < 0 {
		return "", 0, false
	}
	return s[:i], n, true
}
