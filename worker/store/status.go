package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Status is the state of a connector or task as last reported by a worker.
type Status struct {
	State      string // UNASSIGNED, RUNNING, PAUSED, STOPPED, FAILED, RESTARTING
	Trace      string // stack trace / error text of FAILED; "" = none
	WorkerID   string
	Generation int32 // group generation of the writing worker
}

// Status topic key prefixes (KafkaStatusBackingStore).
const (
	connectorStatusPrefix = "status-connector-"
	taskStatusPrefix      = "status-task-"
	topicStatusPrefix     = "status-topic-"
	topicStatusSeparator  = ":connector-"
)

type topicStatus struct {
	task       int
	discovered int64 // ms since the epoch
}

// statusState is the status cache shared by the memory and Kafka stores.
type statusState struct {
	connectors map[string]Status
	tasks      map[string]map[int]Status
	topics     map[string]map[string]topicStatus // connector → topic
}

func newStatusState() *statusState {
	return &statusState{
		connectors: make(map[string]Status),
		tasks:      make(map[string]map[int]Status),
		topics:     make(map[string]map[string]topicStatus),
	}
}

// safeToWrite is Connect's rule for "safe" status writes (putSafe), used for
// UNASSIGNED and FAILED: they must not overwrite a status that another
// worker wrote in a newer generation, since the task may have moved there.
func safeToWrite(stored Status, exists bool, s Status) bool {
	if s.State != "UNASSIGNED" && s.State != "FAILED" {
		return true
	}
	return !exists || stored.WorkerID == s.WorkerID || stored.Generation <= s.Generation
}

func (st *statusState) canPutConnector(name string, s Status) bool {
	old, ok := st.connectors[name]
	return safeToWrite(old, ok, s)
}

func (st *statusState) canPutTask(name string, task int, s Status) bool {
	old, ok := st.tasks[name][task]
	return safeToWrite(old, ok, s)
}

func (st *statusState) putTask(name string, task int, s Status) {
	if st.tasks[name] == nil {
		st.tasks[name] = make(map[int]Status)
	}
	st.tasks[name][task] = s
}

func (st *statusState) deleteTask(name string, task int) {
	delete(st.tasks[name], task)
	if len(st.tasks[name]) == 0 {
		delete(st.tasks, name)
	}
}

func (st *statusState) putTopic(connector, topic string, t topicStatus) {
	if st.topics[connector] == nil {
		st.topics[connector] = make(map[string]topicStatus)
	}
	st.topics[connector][topic] = t
}

func (st *statusState) deleteTopic(connector, topic string) {
	delete(st.topics[connector], topic)
	if len(st.topics[connector]) == 0 {
		delete(st.topics, connector)
	}
}

func (st *statusState) hasTopic(connector, topic string, task int) bool {
	t, ok := st.topics[connector][topic]
	return ok && t.task == task
}

func (st *statusState) topicNames(connector string) []string {
	return slices.Sorted(maps.Keys(st.topics[connector]))
}

func (st *statusState) taskMap(name string) map[int]Status {
	return maps.Clone(st.tasks[name])
}

// statusValue is the status record value; field order is Connect's schema
// order (state, trace, worker_id, generation).
type statusValue struct {
	State      string  `json:"state"`
	Trace      *string `json:"trace"`
	WorkerID   string  `json:"worker_id"`
	Generation int32   `json:"generation"`
}

func encodeStatus(s Status) []byte {
	v := statusValue{State: s.State, WorkerID: s.WorkerID, Generation: s.Generation}
	if s.Trace != "" {
		v.Trace = &s.Trace
	}
	return marshalNoEscape(v)
}

func decodeStatus(b []byte) (Status, error) {
	var v statusValue
	if err := json.Unmarshal(b, &v); err != nil {
		return Status{}, err
	}
	if v.State == "" {
		return Status{}, fmt.Errorf("no state")
	}
	s := Status{State: v.State, WorkerID: v.WorkerID, Generation: v.Generation}
	if v.Trace != nil {
		s.Trace = *v.Trace
	}
	return s, nil
}

type topicValue struct {
	Topic struct {
		Name              string `json:"name"`
		Connector         string `json:"connector"`
		Task              int    `json:"task"`
		DiscoverTimestamp int64  `json:"discoverTimestamp"`
	} `json:"topic"`
}

func encodeTopicStatus(connector, topic string, t topicStatus) []byte {
	var v topicValue
	v.Topic.Name, v.Topic.Connector, v.Topic.Task, v.Topic.DiscoverTimestamp = topic, connector, t.task, t.discovered
	return marshalNoEscape(v)
}

func decodeTopicStatus(b []byte) (topicValue, error) {
	var v topicValue
	if err := json.Unmarshal(b, &v); err != nil {
		return v, err
	}
	if v.Topic.Name == "" || v.Topic.Connector == "" {
		return v, fmt.Errorf("missing topic name or connector")
	}
	return v, nil
}

func marshalNoEscape(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return bytes.TrimRight(buf.Bytes(), "\n")
}

func connectorStatusKey(name string) []byte { return []byte(connectorStatusPrefix + name) }

func taskStatusKey(name string, task int) []byte {
	return []byte(taskStatusPrefix + name + "-" + strconv.Itoa(task))
}

func topicStatusKey(connector, topic string) []byte {
	return []byte(topicStatusPrefix + topic + topicStatusSeparator + connector)
}

// parseTopicStatusKey splits "status-topic-<topic>:connector-<name>"; topic
// names cannot contain ':'.
func parseTopicStatusKey(key string) (topic, connector string, ok bool) {
	rest := strings.TrimPrefix(key, topicStatusPrefix)
	i := strings.Index(rest, topicStatusSeparator)
	if i <= 0 || i+len(topicStatusSeparator) == len(rest) {
		return "", "", false
	}
	return rest[:i], rest[i+len(topicStatusSeparator):], true
}

func parseTaskStatusKey(key string) (string, int, bool) {
	return splitTaskID(strings.TrimPrefix(key, taskStatusPrefix))
}
