package resttest

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// AppendLines appends "line-00000"… lines numbered from to to-1 to path,
// the input FileStream pipeline tests read.
func AppendLines(t testing.TB, path string, from, to int) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for i := from; i < to; i++ {
		fmt.Fprintf(f, "line-%05d\n", i)
	}
}

// WaitLines waits until path holds exactly n lines line-00000… in order: no
// loss and no duplicates.
func WaitLines(t testing.TB, path string, n int) {
	t.Helper()
	Eventually(t, 60*time.Second, func() string {
		b, _ := os.ReadFile(path)
		lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		if len(b) == 0 {
			lines = nil
		}
		if len(lines) < n {
			return fmt.Sprintf("%d lines, want %d", len(lines), n)
		}
		if len(lines) > n {
			return fmt.Sprintf("%d lines, want exactly %d (duplicates?)", len(lines), n)
		}
		for i, l := range lines {
			if l != fmt.Sprintf("line-%05d", i) {
				return fmt.Sprintf("line %d is %q", i, l)
			}
		}
		return ""
	})
}
