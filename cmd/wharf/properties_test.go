package main

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestEnvOverrides(t *testing.T) {
	props, err := loadWorkerProperties("", []string{"CONNECT_BOOTSTRAP_SERVERS=kafka:9092",
		"CONNECT_REST_ADVERTISED_HOST_NAME=connect", "CONNECT_CONFIG_STORAGE_TOPIC=cfg",
		"CONNECT_SOME___DASHED__UNDERSCORE=x", "OTHER=y"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"bootstrap.servers": "kafka:9092", "rest.advertised.host.name": "connect",
		"config.storage.topic": "cfg", "some-dashed_underscore": "x"}
	if !reflect.DeepEqual(props, want) {
		t.Fatalf("got %v want %v", props, want)
	}
}

func TestLoadConnectorFile(t *testing.T) {
	dir := t.TempDir()
	wrapped := filepath.Join(dir, "a.json")
	os.WriteFile(wrapped, []byte(`{"name":"src","config":{"connector.class":"FileStreamSource","tasks.max":1,"topic":"t"}}`), 0o644)
	flat := filepath.Join(dir, "b.json")
	os.WriteFile(flat, []byte(`{"name":"sink","connector.class":"FileStreamSink","topics":"t"}`), 0o644)
	props := filepath.Join(dir, "c.properties")
	os.WriteFile(props, []byte("name=p\nconnector.class=FileStreamSource\n"), 0o644)
	for _, tc := range []struct {
		path, name, key, val string
	}{{wrapped, "src", "tasks.max", "1"}, {flat, "sink", "topics", "t"}, {props, "p", "connector.class", "FileStreamSource"}} {
		cf, err := loadConnectorFile(tc.path)
		if err != nil {
			t.Fatal(err)
		}
		if cf.Name != tc.name || cf.Config[tc.key] != tc.val {
			t.Fatalf("%s: got %+v", tc.path, cf)
		}
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"config":{"a":{"nested":1}}}`), 0o644)
	if _, err := loadConnectorFile(bad); err == nil {
		t.Fatal("nested object accepted")
	}
}
