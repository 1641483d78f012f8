package sched

import (
	"fmt"
	"math"
)

// RangeTest is the learning-rate range test (Smith, arXiv:1803.09820; Géron's
// find_learning_rate, NB cell 146) as a state machine: train one step at
// LR(step) for step = 0, 1, ..., report each batch's loss with Observe, stop
// when it says so, then restore the weights and optimizer state saved before
// the test (the caller's job: RangeTest knows nothing of the model).
//
// The rate grows exponentially from min to max over iterations steps:
// LR(step) = min * factor^step with factor = exp(ln(max/min)/iterations), as
// Géron multiplies the rate by factor after each batch (1.0326508 for 1e-5 to
// 10 over 430 steps). Observe takes the loss of the batch itself, not Keras's
// running epoch mean, which lags and skews the curve (TF >= 2.2).
//
// Smoothing: decisions use the bias-corrected exponential moving average of
// the batch losses with beta = 0.98 (fastai's lr_find), smoothed_n =
// avg_n/(1-beta^(n+1)), avg_n = beta*avg_{n-1} + (1-beta)*loss_n, so that one
// noisy batch neither stops the test nor picks the rate.
//
// Stop rule: Observe returns true when the loss is NaN or ±Inf, when the
// smoothed loss exceeds 4 times its minimum so far (only while that minimum
// is > 0), or after step iterations-1.
//
// Suggestion rule: the rate at the minimum smoothed loss divided by 10
// (Géron: "typically about 10 times lower than the turning point").
type RangeTest struct {
	min, max   float64
	iterations int
	factor     float64

	points   []RangePoint
	avg      float64
	beta     float64
	betaPow  float64 // beta^(number of points)
	best     int     // index of the minimum smoothed loss
	stopped  bool
	stopWhy  string
	lastStep int
}

// RangePoint is one observed step: the rate used, the batch loss and its
// smoothed value.
type RangePoint struct {
	Step     int
	LR       float64
	Loss     float64
	Smoothed float64
}

// Range test constants, stated in RangeTest's doc.
const (
	rangeBeta       = 0.98
	rangeDivergence = 4.0
	rangeSuggestDiv = 10.0
)

// NewRangeTest returns a range test from min to max over iterations steps
// (Géron's defaults: min 1e-5, max 10, one epoch of steps). It needs
// 0 < min < max, both finite, and iterations >= 1.
func NewRangeTest(min, max float64, iterations int) (*RangeTest, error) {
	if err := firstErr(positive("rangetest", "min", min), positive("rangetest", "max", max)); err != nil {
		return nil, err
	}
	if !(min < max) {
		return nil, &Error{Name: "rangetest", Key: "max", Value: fmtFloat(max), Msg: "max must be > min=" + fmtFloat(min)}
	}
	if iterations < 1 {
		return nil, &Error{Name: "rangetest", Key: "iterations", Value: fmt.Sprint(iterations), Msg: "iterations must be >= 1"}
	}
	return &RangeTest{min: min, max: max, iterations: iterations,
		factor: math.Exp(math.Log(max/min) / float64(iterations)), beta: rangeBeta, betaPow: 1, best: -1, lastStep: -1}, nil
}

// Factor returns the per-step growth factor exp(ln(max/min)/iterations).
func (r *RangeTest) Factor() float64 { return r.factor }

// Iterations returns the number of steps the test runs at most.
func (r *RangeTest) Iterations() int { return r.iterations }

// LR returns min * factor^step.
func (r *RangeTest) LR(step int) float64 { return r.min * math.Pow(r.factor, float64(step)) }

// Observe records the loss of the batch trained at LR(step) and reports
// whether to stop (see RangeTest). Steps must increase; once it has returned
// true it ignores further calls and keeps returning true. A non-finite loss
// is not recorded.
func (r *RangeTest) Observe(step int, batchLoss float64) (stop bool) {
	if r.stopped {
		return true
	}
	if step <= r.lastStep {
		panic(fmt.Sprintf("sched: RangeTest.Observe: step %d after step %d", step, r.lastStep))
	}
	r.lastStep = step
	lr := r.LR(step)
	if math.IsNaN(batchLoss) || math.IsInf(batchLoss, 0) {
		return r.stop(fmt.Sprintf("loss %v at step %d (lr %.4g): diverged", batchLoss, step, lr))
	}
	r.avg = r.beta*r.avg + (1-r.beta)*batchLoss
	r.betaPow *= r.beta
	smoothed := r.avg / (1 - r.betaPow)
	r.points = append(r.points, RangePoint{Step: step, LR: lr, Loss: batchLoss, Smoothed: smoothed})
	if r.best < 0 || smoothed < r.points[r.best].Smoothed {
		r.best = len(r.points) - 1
	}
	if min := r.points[r.best].Smoothed; min > 0 && smoothed > rangeDivergence*min {
		return r.stop(fmt.Sprintf("smoothed loss %.4g > %g x minimum %.4g at step %d (lr %.4g): diverged",
			smoothed, rangeDivergence, min, step, lr))
	}
	if step >= r.iterations-1 {
		return r.stop(fmt.Sprintf("reached step %d (lr %.4g)", step, lr))
	}
	return false
}

func (r *RangeTest) stop(why string) bool {
	r.stopped, r.stopWhy = true, why
	return true
}

// Stopped returns why the test stopped, or "" while it runs.
func (r *RangeTest) Stopped() string { return r.stopWhy }

// Points returns the recorded points in step order (for the loss-versus-rate
// plot, log x axis). The slice is the test's own; do not modify it.
func (r *RangeTest) Points() []RangePoint { return r.points }

// Suggest returns the suggested rate and the rule that gave it: the rate at
// the minimum smoothed loss divided by 10. With no points it returns 0.
func (r *RangeTest) Suggest() (lr float64, rule string) {
	if r.best < 0 {
		return 0, "no finite loss observed: no suggestion"
	}
	p := r.points[r.best]
	return p.LR / rangeSuggestDiv, fmt.Sprintf("rate at the minimum smoothed batch loss (%.4g at lr %.4g, step %d) / %g",
		p.Smoothed, p.LR, p.Step, rangeSuggestDiv)
}
