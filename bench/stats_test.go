package bench

import (
	"math"
	"testing"
)

func TestTrimmedMeanAndMedian(t *testing.T) {
	inf := math.Inf(1)
	cases := []struct {
		x    []float64
		want float64
	}{
		{[]float64{1, 2, 3, 4, 100}, 3},     // drop 1 and 100
		{[]float64{3, 5, inf, 4, 6}, 5},     // one never-reached run counts as the slowest
		{[]float64{3, inf, inf, 4, 5}, inf}, // two never-reached runs: not reached
		{[]float64{7, 9}, 8},                // under three values nothing is dropped
		{[]float64{2, 2, 2}, 2},
	}
	for _, c := range cases {
		if got := TrimmedMean(c.x); got != c.want {
			t.Errorf("TrimmedMean(%v) = %v, want %v", c.x, got, c.want)
		}
	}
	if !math.IsNaN(TrimmedMean(nil)) {
		t.Error("TrimmedMean(nil) not NaN")
	}
	if got := Median([]float64{1, 3, 2, 4}); got != 2.5 {
		t.Errorf("Median = %v", got)
	}
	if got := Median([]float64{5, inf, 1}); got != 5 {
		t.Errorf("Median with a never = %v", got)
	}
	if got := Median([]float64{5, inf, inf, 1}); got != inf {
		t.Errorf("Median with two nevers of four = %v", got)
	}
}

func TestCompareHandValues(t *testing.T) {
	// Four seeds one epoch faster, one seed one epoch slower. The bootstrap
	// mean is (5-2k)/5 for k of 5 draws being the slower seed, k ~ B(5, 0.2):
	// P(mean = -1) = 0.8^5 = 0.328 > 0.025, so the 2.5% point is -1; the
	// cumulative probability reaches 0.942 at -0.2 and 0.993 at +0.2, so the
	// 97.5% point is +0.2. The share of wins is 1 - k/5: P(k >= 3) = 0.058
	// puts the 2.5% point at 0.4; P(k = 0) = 0.328 puts the 97.5% point at 1.
	c := Compare([]float64{-1, -1, -1, -1, 1}, true)
	check := func(name string, got F, want float64) {
		t.Helper()
		if math.Abs(float64(got)-want) > 1e-12 {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	check("mean", c.MeanDiff, -0.6)
	check("ci low", c.CILow, -1)
	check("ci high", c.CIHigh, 0.2)
	check("p", c.PBetter, 0.8)
	check("p low", c.PLow, 0.4)
	check("p high", c.PHigh, 1)
	if c.Verdict != VerdictNone || c.Pairs != 5 {
		t.Errorf("verdict %q pairs %d", c.Verdict, c.Pairs)
	}
	// The same input gives the same interval (fixed bootstrap seed).
	d := []float64{-3, -1, -2, 0.5, -4, -1.5}
	a, b := Compare(d, true), Compare(d, true)
	if a.CILow != b.CILow || a.CIHigh != b.CIHigh || a.PLow != b.PLow {
		t.Error("bootstrap not reproducible")
	}
	if !(a.CILow < a.MeanDiff && a.MeanDiff < a.CIHigh) || a.CIHigh >= 0 || a.Verdict != VerdictFaster {
		t.Errorf("%+v", a)
	}
	check("p with a loss", a.PBetter, 5.0/6)

	for _, tc := range []struct {
		diffs       []float64
		lowerBetter bool
		verdict     string
		p           float64
	}{
		{[]float64{-2, -2, -2, -2, -2}, true, VerdictFaster, 1},
		{[]float64{1, 1, 1, 1, 1}, true, VerdictSlower, 0},
		{[]float64{-2, -2, -2, -2}, true, VerdictTooFew, 1}, // fewer than MinSeeds pairs
		{[]float64{0.01, 0.02, 0.01, 0.03, 0.01}, false, VerdictHigher, 1},
		{[]float64{-0.01, -0.02, -0.01, -0.03, -0.01}, false, VerdictLower, 0},
		{[]float64{0, 0, 0, 0, 0}, true, VerdictNone, 0.5}, // ties count one half
		{nil, true, VerdictTooFew, math.NaN()},
	} {
		c := Compare(tc.diffs, tc.lowerBetter)
		if c.Verdict != tc.verdict || !(float64(c.PBetter) == tc.p || math.IsNaN(tc.p) && math.IsNaN(float64(c.PBetter))) {
			t.Errorf("Compare(%v, %v) = %q P=%v, want %q P=%v", tc.diffs, tc.lowerBetter, c.Verdict, c.PBetter, tc.verdict, tc.p)
		}
	}
	c = Compare([]float64{-2, -2, -2, -2, -2}, true)
	check("constant ci low", c.CILow, -2)
	check("constant ci high", c.CIHigh, -2)
}

func runOf(acc ...float64) *Run {
	r := &Run{Status: StatusOK}
	for i, a := range acc {
		r.Epochs = append(r.Epochs, Epoch{Epoch: i + 1, ValAccuracy: F(a), Seconds: F(2), LR: 0.01, Loss: 1, ValLoss: 1})
	}
	return r
}

func TestToTarget(t *testing.T) {
	r := runOf(0.5, 0.86, 0.88, 0.87, 0.9)
	if got := EpochsToTarget(r, 0.88); got != 3 {
		t.Errorf("epochs to 0.88 = %v", got)
	}
	if got := SecondsToTarget(r, 0.88); got != 6 {
		t.Errorf("seconds to 0.88 = %v", got)
	}
	if got := EpochsToTarget(r, 0.95); !math.IsInf(got, 1) {
		t.Errorf("never reached = %v", got)
	}
	if got := SecondsToTarget(r, 0.95); !math.IsInf(got, 1) {
		t.Errorf("never reached seconds = %v", got)
	}
}

// TestSummarizeHand checks a three-epoch study with hand-computed values:
// the baseline never reaches 0.9 on seed 2, which counts as epoch 4 in the
// paired difference and as not reached in the median.
func TestSummarizeHand(t *testing.T) {
	st := &Study{Version: FormatVersion, Model: "m", Optimizer: "sgd", Batch: 1, Epochs: 3,
		Schedules: []string{"constant", "fast"}, Seeds: []int64{1, 2, 3}, Targets: []float64{0.9, 0.8}}
	acc := map[RunKey][]float64{
		{0, 1}: {0.7, 0.85, 0.9}, {1, 1}: {0.9, 0.91, 0.92},
		{0, 2}: {0.7, 0.8, 0.85}, {1, 2}: {0.85, 0.9, 0.9},
		{0, 3}: {0.8, 0.9, 0.91}, {1, 3}: {0.8, 0.95, 0.93},
	}
	var runs []*Run
	for i, k := range st.Runs() {
		r := runOf(acc[k]...)
		r.Index, r.Schedule, r.Seed, r.Study = i, st.Schedules[k.Schedule], k.Seed, st.ID()
		r.TestAccuracy = F(acc[k][2] - 0.01)
		runs = append(runs, r)
	}
	s := Summarize(st, runs)
	if !s.Complete || s.Runs != 6 || s.Baseline != "constant" {
		t.Fatalf("%+v", s)
	}
	base, fast := s.Schedules[0], s.Schedules[1]
	e := base.Metric("epochs_to_target", 0.9)
	if e.Reached != 2 || e.Median != 3 || !math.IsInf(float64(e.Values[1]), 1) || e.VsBaseline != nil {
		t.Errorf("baseline epochs to 0.9: %+v", e)
	}
	f := fast.Metric("epochs_to_target", 0.9)
	// fast: 1, 2, 2 vs baseline 3, (never->4), 2: diffs -2, -2, 0.
	if f.Median != 2 || f.TrimmedMean != 2 || f.Reached != 3 {
		t.Errorf("fast epochs: %+v", f)
	}
	c := f.VsBaseline
	if c.Pairs != 3 || c.Diffs[0] != -2 || c.Diffs[1] != -2 || c.Diffs[2] != 0 || math.Abs(float64(c.MeanDiff)+4.0/3) > 1e-12 {
		t.Errorf("diffs: %+v", c)
	}
	if math.Abs(float64(c.PBetter)-(2+0.5)/3) > 1e-12 || c.Verdict != VerdictTooFew || fast.Verdict != VerdictTooFew {
		t.Errorf("P %v verdict %q / %q", c.PBetter, c.Verdict, fast.Verdict)
	}
	// Seconds: 2 per epoch; baseline seed 2 censored at 2*4 = 8.
	sc := fast.Metric("seconds_to_target", 0.9).VsBaseline
	if sc.Diffs[0] != -4 || sc.Diffs[1] != -4 || sc.Diffs[2] != 0 {
		t.Errorf("seconds diffs %v", sc.Diffs)
	}
	bv := fast.Metric("best_val_accuracy", 0)
	if bv.Median != 0.92 || bv.Max != 0.95 || bv.Min != 0.9 || bv.TrimmedMean != 0.92 {
		t.Errorf("best val: %+v", bv)
	}
	fv := base.Metric("final_val_accuracy", 0)
	if fv.Median != 0.9 {
		t.Errorf("final val: %+v", fv)
	}
	if len(fast.Curve) != 3 || fast.Curve[1].ValAccuracy != 0.91 || fast.Curve[1].ValAccuracyMin != 0.9 || fast.Curve[1].ValAccuracyMax != 0.95 {
		t.Errorf("curve %+v", fast.Curve[1])
	}
	// An incomplete study says which runs are missing.
	s = Summarize(st, runs[:4])
	if s.Complete || len(s.Missing) != 2 || s.Missing[0] != "constant seed 3" {
		t.Errorf("missing %v", s.Missing)
	}
}
