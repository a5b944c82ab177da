package harness

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestStopwatch(t *testing.T) {
	w := NewStopwatch(3)
	w.Start()
	time.Sleep(2 * time.Millisecond)
	w.Start() // only the first call counts
	w.Add(2)
	select {
	case <-w.Done():
		t.Fatal("done after 2 of 3")
	default:
	}
	w.Add(1)
	<-w.Done()
	w.Add(5) // later events change nothing
	if w.Seconds() < 0.002 || w.Count() != 8 {
		t.Fatalf("seconds %v count %d", w.Seconds(), w.Count())
	}
}

func TestVerdictAndPrint(t *testing.T) {
	ceil := Result{Rows: 1000, Seconds: 1}
	ok := Compare("b", "fast", Result{Rows: 950, Seconds: 1, MaxRSS: 100 << 20}, ceil, 0.9, 256<<20)
	slow := Compare("b", "slow", Result{Rows: 500, Seconds: 1, MaxRSS: 300 << 20}, ceil, 0.9, 256<<20)
	if ok.Verdict() != "ok" || slow.Verdict() != "BELOW TARGET (ratio, RSS)" {
		t.Fatalf("verdicts %q %q", ok.Verdict(), slow.Verdict())
	}
	var b bytes.Buffer
	Print(&b, []Row{{Bench: "b", What: "ceiling", Res: ceil}, ok, slow})
	out := b.String()
	for _, want := range []string{"0.95", "0.50", "≥ 0.90, ≤ 256 MB", "BELOW TARGET (ratio, RSS)", "1.0k"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestMedianRound(t *testing.T) {
	ratios := []float64{0.3, 0.9, 0.5}
	if i := MedianRound(3, func(i int) float64 { return ratios[i] }); i != 2 {
		t.Fatalf("median round %d, want 2", i)
	}
	r := PeakRSS(Result{MaxRSS: 1}, []Result{{MaxRSS: 9}, {MaxRSS: 3}})
	if r.MaxRSS != 9 {
		t.Fatalf("peak %d", r.MaxRSS)
	}
}

func TestLastLineAndVmHWM(t *testing.T) {
	if got := string(lastLine([]byte("log\n{\"rows\":1}\n\n"))); got != `{"rows":1}` {
		t.Fatalf("lastLine = %q", got)
	}
	if n, err := vmHWM(); err != nil || n < 1<<20 {
		t.Fatalf("vmHWM = %d, %v", n, err)
	}
}
