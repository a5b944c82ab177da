package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
)

// FileOffsets is the source offset store of standalone mode
// (offset.storage.file.filename). Apache Connect writes a Java-serialized
// map there; Wharf writes JSON: {"version":1,"offsets":[{"key":…,"value":…}]}
// with the same key and value JSON as the offset topic.
type FileOffsets struct {
	path string

	mu    sync.Mutex
	state *offsetState
}

type offsetsFile struct {
	Version int               `json:"version"`
	Offsets []offsetFileEntry `json:"offsets"`
}

type offsetFileEntry struct {
	Key   json.RawMessage `json:"key"`
	Value json.RawMessage `json:"value"`
}

// NewFileOffsets returns an offset store kept in the file at path.
func NewFileOffsets(path string) *FileOffsets {
	return &FileOffsets{path: path, state: newOffsetState()}
}

// Start loads the file (a missing file holds no offsets).
func (s *FileOffsets) Start(ctx context.Context) error {
	b, err := readFileIfExists(s.path)
	if err != nil || b == nil {
		return err
	}
	var f offsetsFile
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("store: parse %s: %w", s.path, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range f.Offsets {
		if err := s.state.apply(e.Key, e.Value); err != nil {
			return fmt.Errorf("store: %s: %w", s.path, err)
		}
	}
	return nil
}

// Stop does nothing: every Set is already on disk.
func (s *FileOffsets) Stop() error { return nil }

// Get returns the offsets of the given partitions of a connector.
func (s *FileOffsets) Get(ctx context.Context, connector string, partitions []string) (map[string][]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string][]byte)
	for _, p := range partitions {
		if v, ok := s.state.get(connector, p); ok {
			out[p] = v
		}
	}
	return out, nil
}

// All returns every offset of a connector keyed by partition JSON.
func (s *FileOffsets) All(ctx context.Context, connector string) (map[string][]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state.all(connector), nil
}

// Set stores offsets (nil value = remove) and rewrites the file.
func (s *FileOffsets) Set(ctx context.Context, connector string, offsets map[string][]byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(offsets) == 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	next := &offsetState{entries: make(map[string]*offsetEntry, len(s.state.entries))}
	for k, e := range s.state.entries {
		next.entries[k] = e
	}
	for p, v := range offsets {
		key, _, err := next.keyFor(connector, p)
		if err == nil && v != nil && !json.Valid(v) {
			err = fmt.Errorf("offset %q is not JSON", v)
		}
		if err == nil {
			err = next.apply(key, v)
		}
		if err != nil {
			return fmt.Errorf("store: offsets of %s: %w", connector, err)
		}
	}
	if err := s.write(next); err != nil {
		return err
	}
	s.state = next
	return nil
}

func (s *FileOffsets) write(st *offsetState) error {
	f := offsetsFile{Version: 1, Offsets: make([]offsetFileEntry, 0, len(st.entries))}
	keys := make([]string, 0, len(st.entries))
	for k := range st.entries {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		e := st.entries[k]
		f.Offsets = append(f.Offsets, offsetFileEntry{Key: e.key, Value: e.value})
	}
	b, err := json.Marshal(f) // compact: keys must keep their exact bytes
	if err == nil {
		err = writeFileAtomic(s.path, b)
	}
	if err != nil {
		return fmt.Errorf("store: write %s: %w", s.path, err)
	}
	return nil
}
