package worker

import (
	"strings"
	"testing"
)

func TestParseConfigHeapFloor(t *testing.T) {
	for _, c := range []struct {
		value   string // "" leaves the key out
		want    uint64
		wantErr string
	}{
		{value: "", want: DefaultHeapFloor},
		{value: "0", want: 0},
		{value: "67108864", want: 64 << 20},
		{value: "lots", wantErr: "Invalid value lots for configuration wharf.heap.floor.bytes: Not a number of type LONG"},
		{value: "-1", wantErr: "Invalid value -1 for configuration wharf.heap.floor.bytes"},
	} {
		props := map[string]string{"bootstrap.servers": "localhost:9092"}
		if c.value != "" {
			props["wharf.heap.floor.bytes"] = c.value
		}
		cfg, unknown, err := ParseConfig(props, false)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%q: error %v, want %q", c.value, err, c.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%q: %v", c.value, err)
		}
		if len(unknown) > 0 {
			t.Errorf("%q: unknown keys %v", c.value, unknown)
		}
		if cfg.HeapFloor != c.want {
			t.Errorf("%q: HeapFloor %d, want %d", c.value, cfg.HeapFloor, c.want)
		}
	}
}
