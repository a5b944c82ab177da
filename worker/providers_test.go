package worker

import (
	"os"
	"path/filepath"
	"testing"
)

func TestProvidersResolve(t *testing.T) {
	dir := t.TempDir()
	secrets := filepath.Join(dir, "secrets.properties")
	if err := os.WriteFile(secrets, []byte("db.password=s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("WHARF_TEST_USER", "alice")
	p, err := NewProviders(map[string]string{
		"config.providers":            "env,file",
		"config.providers.env.class":  envProviderClass,
		"config.providers.file.class": "FileConfigProvider",
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.Resolve(map[string]string{
		"user":     "${env:WHARF_TEST_USER}",
		"password": "${file:" + secrets + ":db.password}",
		"url":      "jdbc://${env:WHARF_TEST_USER}@host",
		"other":    "${vault:secret/x:y}",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"user": "alice", "password": "s3cret", "url": "jdbc://alice@host", "other": "${vault:secret/x:y}"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if _, err := p.Resolve(map[string]string{"x": "${env:WHARF_TEST_UNSET_VAR}"}); err == nil {
		t.Error("unset variable resolved without error")
	}
	if _, err := NewProviders(map[string]string{"config.providers": "x", "config.providers.x.class": "com.Foo"}); err == nil {
		t.Error("unknown provider class accepted")
	}
}
