package transform

import (
	"testing"
	"time"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/data"
)

func registry() *connector.Registry { return connector.NewRegistry(Plugins()...) }

// chain builds a chain from props or fails the test.
func chain(t *testing.T, props map[string]string) *Chain {
	t.Helper()
	c, err := NewChain(registry(), props)
	if err != nil {
		t.Fatalf("NewChain: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// single builds a one-transform chain of class with the given SMT props.
func single(t *testing.T, class string, smt map[string]string) *Chain {
	t.Helper()
	props := map[string]string{"transforms": "x", "transforms.x.type": class}
	for k, v := range smt {
		props["transforms.x."+k] = v
	}
	return chain(t, props)
}

func chainErr(t *testing.T, props map[string]string) string {
	t.Helper()
	c, err := NewChain(registry(), props)
	if err == nil {
		c.Close()
		t.Fatalf("NewChain(%v): no error", props)
	}
	return err.Error()
}

var ts = time.UnixMilli(1700000000123).UTC()

func structOf(s *data.Schema, vals ...any) *data.Struct {
	st := data.NewStruct(s)
	for i, v := range vals {
		st.Set(i, v)
	}
	return st
}

func fieldNames(s *data.Schema) []string {
	var out []string
	for _, f := range s.Fields {
		out = append(out, f.Name)
	}
	return out
}

func mapOf(kv ...any) []data.MapEntry {
	var m []data.MapEntry
	for i := 0; i < len(kv); i += 2 {
		m = append(m, data.MapEntry{Key: kv[i], Value: kv[i+1]})
	}
	return m
}
