package postgres

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/wharf-project/wharf/connector/data"
)

// TestSnapshotModes runs each snapshot.mode twice (a first start, then a
// restart with the offsets committed) and checks Debezium's semantics:
// initial snapshots once then streams; initial_only snapshots once and
// never streams; no_data and never never snapshot; always snapshots at
// every start; when_needed snapshots when no usable offset exists. The
// stored offset is B's insert, which is emitted again (at least once).
func TestSnapshotModes(t *testing.T) {
	for _, c := range []struct {
		mode          string
		first, second string // ops seen: keys with op, sorted
	}{
		{"initial", "[A:r B:c]", "[B:c C:c]"},
		{"initial_only", "[A:r]", "[]"},
		{"no_data", "[B:c]", "[B:c C:c]"},
		{"never", "[B:c]", "[B:c C:c]"},
		// always keeps the slot: C, committed while stopped, is in the new
		// snapshot and is streamed too, and B (at the stored LSN) is emitted
		// again, as after any restart: at least once, never lost.
		{"always", "[A:r B:c]", "[A:r B:c B:r C:c C:r D:c]"},
		{"when_needed", "[A:r B:c]", "[B:c C:c]"},
	} {
		t.Run(c.mode, func(t *testing.T) {
			f := newFixture(t, customersDDL, `INSERT INTO customers (custkey) VALUES ('A')`)
			f.props[KeySnapshotMode] = c.mode
			f.start()
			got := f.collect(func() { f.exec(`INSERT INTO customers (custkey) VALUES ('B')`) }, c.first)
			if got != c.first {
				t.Fatalf("first start: %s, want %s", got, c.first)
			}
			f.commit()
			f.stop()
			f.exec(`INSERT INTO customers (custkey) VALUES ('C')`)
			f.start()
			more := func() {}
			if c.mode == "always" {
				more = func() { f.exec(`INSERT INTO customers (custkey) VALUES ('D')`) }
			}
			if got := f.collect(more, c.second); got != c.second {
				t.Fatalf("restart: %s, want %s", got, c.second)
			}
		})
	}
}

// collect polls until the records seen, as sorted "key:op" pairs, have as
// many entries as want (then waits a little for extras); during runs once
// after the first record or after a quiet start.
func (f *fixture) collect(during func(), want string) string {
	f.t.Helper()
	var got []string
	n := len(splitList(want))
	ran := false
	start := time.Now()
	deadline := start.Add(20 * time.Second)
	quietUntil := time.Time{}
	for time.Now().Before(deadline) {
		recs, err := f.task.Poll(context.Background())
		if err != nil {
			f.t.Fatalf("poll: %v", err)
		}
		for _, r := range recs {
			if r.Value == nil || r.Topic != "dbserver1.public.customers" {
				continue
			}
			got = append(got, fmt.Sprintf("%s:%s", r.Key.(*data.Struct).Get("custkey"), opOf(r)))
			f.last = r.SourceOffset
		}
		// After the snapshot's first row, or a second without any.
		if !ran && (len(got) > 0 || time.Since(start) > time.Second) {
			during()
			ran = true
		}
		if ran && len(got) >= n {
			if quietUntil.IsZero() {
				quietUntil = time.Now().Add(300 * time.Millisecond)
			}
			if time.Now().After(quietUntil) {
				break
			}
		}
	}
	sort.Strings(got)
	return fmt.Sprint(got)
}

func splitList(s string) []string {
	s = s[1 : len(s)-1]
	if s == "" {
		return nil
	}
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ' ' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return out
}
