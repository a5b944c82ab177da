package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/wharf-project/wharf/worker/properties"
)

// loadWorkerProperties reads the worker file and applies CONNECT_* environment
// overrides the way Confluent's image does (CONNECT_BOOTSTRAP_SERVERS →
// bootstrap.servers; ___ → -, __ → _, _ → .).
func loadWorkerProperties(path string, environ []string) (map[string]string, error) {
	props := map[string]string{}
	if path != "" {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("worker properties: %w", err)
		}
		defer f.Close()
		if props, err = properties.Parse(f); err != nil {
			return nil, fmt.Errorf("worker properties %s: %w", path, err)
		}
	}
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(k, "CONNECT_") || k == "CONNECT_" {
			continue
		}
		props[envToKey(strings.TrimPrefix(k, "CONNECT_"))] = v
	}
	return props, nil
}

func envToKey(s string) string {
	s = strings.ToLower(s)
	s = strings.ReplaceAll(s, "___", "\x00")
	s = strings.ReplaceAll(s, "__", "\x01")
	s = strings.ReplaceAll(s, "_", ".")
	s = strings.ReplaceAll(s, "\x00", "-")
	return strings.ReplaceAll(s, "\x01", "_")
}

// connectorFile is one connector given on the command line.
type connectorFile struct {
	Name         string
	Config       map[string]string
	InitialState string
}

// loadConnectorFile accepts what connect-standalone accepts: a .properties
// file, a flat JSON config, or {"name","config","initial_state"}.
func loadConnectorFile(path string) (connectorFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return connectorFile{}, fmt.Errorf("connector file: %w", err)
	}
	if strings.EqualFold(filepath.Ext(path), ".json") || strings.HasPrefix(strings.TrimSpace(string(b)), "{") {
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(b, &raw); err != nil {
			return connectorFile{}, fmt.Errorf("connector file %s: %w", path, err)
		}
		var cf connectorFile
		if c, ok := raw["config"]; ok {
			var inner map[string]json.RawMessage
			if err := json.Unmarshal(c, &inner); err != nil {
				return connectorFile{}, fmt.Errorf("connector file %s: \"config\" must be an object: %w", path, err)
			}
			if n, ok := raw["name"]; ok {
				_ = json.Unmarshal(n, &cf.Name)
			}
			if s, ok := raw["initial_state"]; ok {
				_ = json.Unmarshal(s, &cf.InitialState)
			}
			raw = inner
		}
		cf.Config = map[string]string{}
		for k, v := range raw {
			var s any
			if err := json.Unmarshal(v, &s); err != nil {
				return connectorFile{}, fmt.Errorf("connector file %s: key %s: %w", path, k, err)
			}
			switch x := s.(type) {
			case string:
				cf.Config[k] = x
			case float64, bool:
				cf.Config[k] = strings.TrimSpace(string(v))
			default:
				return connectorFile{}, fmt.Errorf("connector file %s: key %s must be a string, number or boolean", path, k)
			}
		}
		if cf.Name == "" {
			cf.Name = cf.Config["name"]
		}
		if cf.Name == "" {
			return connectorFile{}, fmt.Errorf("connector file %s: no connector name (set \"name\")", path)
		}
		return cf, nil
	}
	props, err := properties.Parse(strings.NewReader(string(b)))
	if err != nil {
		return connectorFile{}, fmt.Errorf("connector file %s: %w", path, err)
	}
	if props["name"] == "" {
		return connectorFile{}, fmt.Errorf("connector file %s: no connector name (set name=...)", path)
	}
	return connectorFile{Name: props["name"], Config: props}, nil
}
