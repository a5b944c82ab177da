package harness

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
)

// Row is one line of the result table. A row with a Ratio compares its
// result with the ceiling row named by Of.
type Row struct {
	Bench string // e.g. "pg stream insert"
	What  string // e.g. "ceiling: pglogrepl reader"
	Res   Result
	// Ratio is Res rows/s over the ceiling's rows/s; MinRatio its target
	// (0: informative row). MaxRSS is the RSS target in bytes (0: none).
	Ratio    float64
	MinRatio float64
	MaxRSS   int64
}

// Fastest returns the result with the most rows/s.
func Fastest(rs ...Result) Result {
	var best Result
	for _, r := range rs {
		if r.RowsPerSec() > best.RowsPerSec() {
			best = r
		}
	}
	return best
}

// Compare returns a row for res measured against ceiling.
func Compare(bench, what string, res, ceiling Result, minRatio float64, maxRSS int64) Row {
	r := Row{Bench: bench, What: what, Res: res, MinRatio: minRatio, MaxRSS: maxRSS}
	if c := ceiling.RowsPerSec(); c > 0 {
		r.Ratio = res.RowsPerSec() / c
	}
	return r
}

// Verdict is "ok", "BELOW TARGET" or "" for informative rows.
func (r Row) Verdict() string {
	var bad []string
	if r.MinRatio > 0 && r.Ratio < r.MinRatio {
		bad = append(bad, "ratio")
	}
	if r.MaxRSS > 0 && r.Res.MaxRSS > r.MaxRSS {
		bad = append(bad, "RSS")
	}
	switch {
	case len(bad) > 0:
		return "BELOW TARGET (" + strings.Join(bad, ", ") + ")"
	case r.MinRatio > 0 || r.MaxRSS > 0:
		return "ok"
	}
	return ""
}

// Print writes rows as an aligned table.
func Print(w io.Writer, rows []Row) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "benchmark\tmeasurement\trows\tseconds\trows/s\tMB/s\tpeak RSS MB\tCPU µs/row\tkfake µs/row\tratio\ttarget\tverdict\t")
	for _, r := range rows {
		mbps, ratio, target := "", "", ""
		if v := r.Res.MBPerSec(); v > 0 {
			mbps = fmt.Sprintf("%.1f", v)
		}
		if r.MinRatio > 0 {
			ratio = fmt.Sprintf("%.2f", r.Ratio)
			target = fmt.Sprintf("≥ %.2f", r.MinRatio)
		}
		if r.MaxRSS > 0 {
			if target != "" {
				target += ", "
			}
			target += fmt.Sprintf("≤ %d MB", r.MaxRSS>>20)
		}
		cpu := ""
		if r.Res.Rows > 0 && r.Res.CPU > 0 {
			cpu = fmt.Sprintf("%.1f", r.Res.CPU/float64(r.Res.Rows)*1e6)
		}
		broker := ""
		if r.Res.Rows > 0 && r.Res.ParentCPU > 0.01 {
			broker = fmt.Sprintf("%.1f", r.Res.ParentCPU/float64(r.Res.Rows)*1e6)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.3f\t%s\t%s\t%.0f\t%s\t%s\t%s\t%s\t%s\t\n", r.Bench, r.What, r.Res.Rows, r.Res.Seconds,
			humanRate(r.Res.RowsPerSec()), mbps, float64(r.Res.MaxRSS)/(1<<20), cpu, broker, ratio, target, r.Verdict())
	}
	tw.Flush()
}

func humanRate(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.1fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}

// MedianRound returns the round whose ratio (ratio(i)) is the median of
// rounds rounds (the lower middle one for an even count). Each round runs a
// ceiling and Wharf one after the other, so the ratio within a round is
// steadier than the ratio of medians on a noisy machine.
func MedianRound(rounds int, ratio func(i int) float64) int {
	idx := make([]int, rounds)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return ratio(idx[a]) < ratio(idx[b]) })
	return idx[(rounds-1)/2]
}

// PeakRSS returns r with MaxRSS raised to the highest of all rs.
func PeakRSS(r Result, rs []Result) Result {
	for _, x := range rs {
		r.MaxRSS = max(r.MaxRSS, x.MaxRSS)
	}
	return r
}
