package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// offsetEntry is one source partition's offset.
type offsetEntry struct {
	connector string
	key       []byte // record key as read or written: ["<connector>",<partition>]
	partition []byte // the partition object's JSON as it appears in key
	value     []byte
}

// offsetState maps the canonical form of each key to its entry. Keys are
// matched semantically because Java Connect serializes a partition map in
// HashMap order, which need not equal ours.
type offsetState struct {
	entries map[string]*offsetEntry
}

func newOffsetState() *offsetState { return &offsetState{entries: make(map[string]*offsetEntry)} }

// apply records one offset record; it reports keys that are not
// ["<connector>", {partition}] arrays.
func (s *offsetState) apply(key, value []byte) error {
	connector, partition, err := parseOffsetKey(key)
	if err != nil {
		return err
	}
	canon, err := canonicalKey(connector, partition)
	if err != nil {
		return err
	}
	if value == nil {
		delete(s.entries, canon)
		return nil
	}
	s.entries[canon] = &offsetEntry{connector: connector, key: bytes.Clone(key), partition: partition, value: bytes.Clone(value)}
	return nil
}

// keyFor returns the record key to write for a partition: the key already in
// use for the same partition (so compaction and partitioning treat it as
// the same key), or a new compact one.
func (s *offsetState) keyFor(connector, partition string) (key []byte, canon string, err error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(partition)); err != nil {
		return nil, "", fmt.Errorf("partition %s: %w", partition, err)
	}
	if t := bytes.TrimSpace(buf.Bytes()); len(t) == 0 || t[0] != '{' {
		return nil, "", fmt.Errorf("partition %s: not a JSON object", partition)
	}
	canon, err = canonicalKey(connector, buf.Bytes())
	if err != nil {
		return nil, "", err
	}
	if e, ok := s.entries[canon]; ok {
		return e.key, canon, nil
	}
	key = append([]byte{'['}, appendJSONString(nil, connector)...)
	key = append(key, ',')
	key = append(key, buf.Bytes()...)
	return append(key, ']'), canon, nil
}

func (s *offsetState) get(connector, partition string) ([]byte, bool) {
	canon, err := canonicalKey(connector, []byte(partition))
	if err != nil {
		return nil, false
	}
	e, ok := s.entries[canon]
	if !ok {
		return nil, false
	}
	return bytes.Clone(e.value), true
}

func (s *offsetState) all(connector string) map[string][]byte {
	out := make(map[string][]byte)
	for _, e := range s.entries {
		if e.connector == connector {
			out[string(e.partition)] = bytes.Clone(e.value)
		}
	}
	return out
}

// parseOffsetKey splits a key into the connector name and the raw partition
// object.
func parseOffsetKey(key []byte) (string, []byte, error) {
	var parts []json.RawMessage
	if err := json.Unmarshal(key, &parts); err != nil {
		return "", nil, fmt.Errorf("offset key %q is not a JSON array: %w", key, err)
	}
	if len(parts) != 2 {
		return "", nil, fmt.Errorf("offset key %q does not have two elements", key)
	}
	var connector string
	if err := json.Unmarshal(parts[0], &connector); err != nil {
		return "", nil, fmt.Errorf("offset key %q: connector name is not a string", key)
	}
	p := bytes.TrimSpace(parts[1])
	if len(p) == 0 || p[0] != '{' {
		return "", nil, fmt.Errorf("offset key %q: partition is not an object", key)
	}
	return connector, p, nil
}

// canonicalKey identifies a (connector, partition) independently of object
// key order and whitespace.
func canonicalKey(connector string, partition []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(partition))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		return "", fmt.Errorf("partition %s: %w", partition, err)
	}
	if v == nil {
		return "", errors.New("partition is null")
	}
	b, err := json.Marshal(v) // sorts object keys at every level
	if err != nil {
		return "", err
	}
	return connector + "\x00" + string(b), nil
}
