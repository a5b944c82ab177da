package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/config"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite docs/config/*.md from the plugins' ConfigDefs")

// TestConfigDocs keeps docs/config/<plugin>.md equal to what the plugins
// define, so the reference tables cannot drift from the code. Regenerate
// with: go test ./cmd/wharf -run TestConfigDocs -update-docs
func TestConfigDocs(t *testing.T) {
	reg := newRegistry()
	for _, p := range reg.List(true) {
		conn, ok := p.New().(connector.Connector)
		if !ok {
			t.Fatalf("%s is not a connector", p.Class)
		}
		want := renderConfigDoc(p, conn.Config())
		path := filepath.Join("..", "..", "docs", "config", shortName(p.Class)+".md")
		if *updateDocs {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != want {
			t.Errorf("%s is out of date with %s's ConfigDef; run: go test ./cmd/wharf -run TestConfigDocs -update-docs", path, p.Class)
		}
	}
}

func shortName(class string) string {
	return class[strings.LastIndexByte(class, '.')+1:]
}

func renderConfigDoc(p connector.Plugin, def *config.Def) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", shortName(p.Class))
	fmt.Fprintf(&b, "`%s` (version %s, %s). Generated from the plugin's ConfigDef by `TestConfigDocs`; "+
		"the framework keys every connector shares (`name`, `tasks.max`, converters, `transforms`, `errors.*`) "+
		"are in the README.\n\n", p.Class, p.Version, p.Type)
	groups := append([]string{""}, def.Groups()...)
	for _, g := range groups {
		var rows []string
		for _, k := range def.Keys() {
			if k.Group != g {
				continue
			}
			def := "*required*"
			if !k.Required() {
				def = "`" + config.FormatValue(k.Default) + "`"
				if k.Default == nil {
					def = "null"
				} else if k.Type == config.Password {
					def = "`" + config.Hidden + "`"
				}
			}
			doc := strings.ReplaceAll(strings.TrimSpace(k.Doc), "\n", " ")
			doc = strings.ReplaceAll(doc, "|", "\\|")
			rows = append(rows, fmt.Sprintf("| `%s` | %s | %s | %s | %s |", k.Name, k.Type, def,
				strings.ToLower(k.Importance.String()), doc))
		}
		if len(rows) == 0 {
			continue
		}
		if g != "" {
			fmt.Fprintf(&b, "## %s\n\n", g)
		} else if len(groups) > 1 {
			b.WriteString("## General\n\n")
		}
		b.WriteString("| key | type | default | importance | description |\n|---|---|---|---|---|\n")
		b.WriteString(strings.Join(rows, "\n"))
		b.WriteString("\n\n")
	}
	return b.String()
}
