package sched

import (
	"math"
	"strings"
	"testing"
)

func TestRangeTestRates(t *testing.T) {
	// Géron's defaults at batch size 128: 1e-5 to 10 over 430 steps.
	r, err := NewRangeTest(1e-5, 10, 430)
	if err != nil {
		t.Fatal(err)
	}
	if f := r.Factor(); !near(f, 1.0326508060552284, 1e-15) {
		t.Errorf("factor %v, want 1.0326508060552284", f)
	}
	if r.LR(0) != 1e-5 {
		t.Errorf("LR(0) = %v", r.LR(0))
	}
	if got := r.LR(215); !near(got, math.Sqrt(1e-5*10), 1e-12) { // halfway: geometric mean
		t.Errorf("LR(215) = %v, want %v", got, math.Sqrt(1e-4))
	}
	if got := r.LR(430); !near(got, 10, 1e-12) {
		t.Errorf("LR(430) = %v, want 10", got)
	}
	for _, bad := range [][3]float64{{0, 1, 10}, {1, 1, 10}, {2, 1, 10}, {1e-5, math.Inf(1), 10}, {1e-5, 10, 0}} {
		if _, err := NewRangeTest(bad[0], bad[1], int(bad[2])); err == nil {
			t.Errorf("NewRangeTest%v: no error", bad)
		}
	}
}

// lossAt is a synthetic loss-versus-rate curve: falling until lr = 0.1,
// then rising steeply.
func lossAt(lr float64) float64 {
	x := math.Log10(lr / 0.1)
	if x < 0 {
		return 1 - 0.1*x
	}
	return 1 + 10*x*x
}

func TestRangeTestDiverges(t *testing.T) {
	r, _ := NewRangeTest(1e-5, 10, 600)
	step := 0
	for ; step < 600; step++ {
		if r.Observe(step, lossAt(r.LR(step))) {
			break
		}
	}
	why := r.Stopped()
	if step >= 599 || !strings.Contains(why, "diverged") {
		t.Fatalf("stopped at step %d (%q), want an early stop on divergence", step, why)
	}
	pts := r.Points()
	if len(pts) != step+1 {
		t.Errorf("%d points for %d steps", len(pts), step+1)
	}
	last := pts[len(pts)-1]
	min := math.Inf(1)
	for _, p := range pts {
		min = math.Min(min, p.Smoothed)
		if p.Loss != lossAt(p.LR) {
			t.Fatalf("point %d: recorded loss %v, want the batch loss %v", p.Step, p.Loss, lossAt(p.LR))
		}
	}
	if !(last.Smoothed > 4*min) {
		t.Errorf("stopped with smoothed %v <= 4*min %v", last.Smoothed, min)
	}
	if prev := pts[len(pts)-2]; prev.Smoothed > 4*min {
		t.Errorf("did not stop at the first smoothed loss > 4*min")
	}
	lr, rule := r.Suggest()
	// The smoothed minimum lags the true one (lr 0.1) a little: the
	// suggestion is a tenth of a rate a bit above 0.1.
	if !(lr > 0.01 && lr < 0.03) || !strings.Contains(rule, "/ 10") {
		t.Errorf("Suggest() = %v, %q", lr, rule)
	}
	if !r.Observe(step+1, 1) {
		t.Error("Observe after stop returned false")
	}
}

func TestRangeTestNaNAndEnd(t *testing.T) {
	r, _ := NewRangeTest(1e-3, 1, 10)
	for s := 0; s < 3; s++ {
		if r.Observe(s, 2+0.1*float64(s)) {
			t.Fatal("stopped early on a slowly rising loss")
		}
	}
	if !r.Observe(3, math.NaN()) || len(r.Points()) != 3 || !strings.Contains(r.Stopped(), "NaN") {
		t.Errorf("NaN: points %d, stopped %q", len(r.Points()), r.Stopped())
	}
	if lr, _ := r.Suggest(); lr != r.LR(0)/10 {
		t.Errorf("rising loss: suggest %v, want LR(0)/10 = %v", lr, r.LR(0)/10)
	}

	r, _ = NewRangeTest(1e-3, 1, 10)
	for s := 0; s < 9; s++ {
		if r.Observe(s, 1/float64(s+1)) {
			t.Fatalf("stopped at step %d", s)
		}
	}
	if !r.Observe(9, 0.1) || !strings.Contains(r.Stopped(), "reached step 9") {
		t.Errorf("last step: %q", r.Stopped())
	}
	if lr, _ := r.Suggest(); lr != r.LR(9)/10 {
		t.Errorf("falling loss: suggest %v, want LR(9)/10", lr)
	}

	r, _ = NewRangeTest(1e-3, 1, 10)
	if lr, rule := r.Suggest(); lr != 0 || rule == "" {
		t.Errorf("no points: %v %q", lr, rule)
	}
	r.Observe(0, 1)
	defer func() {
		if recover() == nil {
			t.Error("repeated step did not panic")
		}
	}()
	r.Observe(0, 1)
}
