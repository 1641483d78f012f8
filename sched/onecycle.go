package sched

import (
	"math"
	"strconv"
)

// OneCycle is Géron's 1cycle schedule, the OneCycleScheduler callback of the
// handson-ml2 chapter 11 notebook (cell 150), exactly: linear, three phases,
// no momentum cycling. With it = step:
//
//	start = StartRate or MaxRate/10
//	lastIt = LastIterations or Iterations/10 + 1   (integer division)
//	half = (Iterations - lastIt) / 2
//	last = LastRate or start/1000
//	it < half:    interpolate start -> MaxRate over [0, half]
//	it < 2*half:  interpolate MaxRate -> start over [half, 2*half]
//	else:         max(interpolate start -> last over [2*half, Iterations], last)
//
// where interpolate(i1, i2, r1, r2) = (r2-r1)*(it-i1)/(i2-i1) + r1 and "x or
// d" is Python's: a zero field means the default, so an explicit 0 cannot be
// asked for. The max in the last phase clamps the rate at last: past
// Iterations the rate stays at last instead of going on down and below zero
// (-0.0429 at step 20000 for the book's run). Copies of the notebook differ
// here: some end the third phase with rate = max(rate, self.last_rate), the
// cell 150 that SEMANTICS.md quotes does not. When start >= last (always with
// the defaults) both agree at every step up to Iterations, up to the last
// bit at step Iterations itself.
//
// The book's run (cell 151): OneCycle{Iterations: 430*25, MaxRate: 0.05}
// gives start 0.005, lastIt 1076, half 4837, last 5e-6.
type OneCycle struct {
	Iterations     int     // total iterations, >= 1
	MaxRate        float64 // peak rate, > 0
	StartRate      float64 // 0: MaxRate/10
	LastIterations int     // 0: Iterations/10 + 1; at most Iterations
	LastRate       float64 // 0: start/1000
}

// Resolved returns the start rate, last iterations, half iteration and last
// rate after Géron's defaults.
func (o OneCycle) Resolved() (start float64, lastIterations, half int, last float64) {
	start = o.StartRate
	if start == 0 {
		start = o.MaxRate / 10
	}
	lastIterations = o.LastIterations
	if lastIterations == 0 {
		lastIterations = o.Iterations/10 + 1
	}
	half = (o.Iterations - lastIterations) / 2
	last = o.LastRate
	if last == 0 {
		last = start / 1000
	}
	return start, lastIterations, half, last
}

// LR returns the rate of iteration step (see OneCycle).
func (o OneCycle) LR(step int) float64 {
	start, _, half, last := o.Resolved()
	interp := func(i1, i2 int, r1, r2 float64) float64 {
		return (r2-r1)*float64(step-i1)/float64(i2-i1) + r1
	}
	switch {
	case step < half:
		return interp(0, half, start, o.MaxRate)
	case step < 2*half:
		return interp(half, 2*half, o.MaxRate, start)
	}
	return math.Max(interp(2*half, o.Iterations, start, last), last)
}

// String returns the SPEC with the defaults resolved:
// "onecycle:iterations=..,max=..,start=..,last_iterations=..,last=..".
func (o OneCycle) String() string {
	start, lastIt, _, last := o.Resolved()
	return "onecycle:" + kv("iterations", strconv.Itoa(o.Iterations), "max", fmtFloat(o.MaxRate),
		"start", fmtFloat(start), "last_iterations", strconv.Itoa(lastIt), "last", fmtFloat(last))
}

// Validate checks Iterations >= 1, MaxRate > 0, the optional fields >= 0 and
// LastIterations <= Iterations (after the defaults).
func (o OneCycle) Validate() error {
	if o.Iterations < 1 {
		return &Error{Name: "onecycle", Key: "iterations", Value: strconv.Itoa(o.Iterations), Msg: "iterations must be >= 1"}
	}
	if err := firstErr(positive("onecycle", "max", o.MaxRate), nonNegative("onecycle", "start", o.StartRate),
		nonNegative("onecycle", "last", o.LastRate)); err != nil {
		return err
	}
	if _, lastIt, _, _ := o.Resolved(); o.LastIterations < 0 || lastIt > o.Iterations {
		return &Error{Name: "onecycle", Key: "last_iterations", Value: strconv.Itoa(o.LastIterations),
			Msg: "last_iterations must be in [0, iterations=" + strconv.Itoa(o.Iterations) + "]"}
	}
	return nil
}

// OneCycleTorch is PyTorch's OneCycleLR (torch/optim/lr_scheduler.py) for a
// single parameter group; NewOneCycleTorch gives PyTorch's defaults.
//
// With initial = MaxLR/DivFactor, min = initial/FinalDivFactor, T = Total and
// p = PctStart, the phases (end step, rate, momentum) are
//
//	two-phase:   p*T-1: initial -> MaxLR, MaxMomentum -> BaseMomentum
//	             T-1:   MaxLR -> min,     BaseMomentum -> MaxMomentum
//	three-phase: p*T-1:   initial -> MaxLR, MaxMomentum -> BaseMomentum
//	             2*p*T-2: MaxLR -> initial, BaseMomentum -> MaxMomentum
//	             T-1:     initial -> min,   MaxMomentum (held)
//
// Step t falls in the first phase whose end step is >= t (or the last); with
// s the previous phase's end (0 for the first), pct = (t-s)/(end-s) and the
// value is anneal(start, end, pct): cos: end + (start-end)/2*(1+cos(pi*pct)),
// linear: (end-start)*pct + start.
//
// Past the end: PyTorch computes step T (extrapolating the last phase) and
// raises ValueError for steps > T; here every step >= T-1 gets the value of
// step T-1 (the rate min, the momentum MaxMomentum), so training longer than
// Total holds the final rate instead of failing.
//
// Momentum is what PyTorch writes into SGD's momentum (or Adam's beta1) when
// CycleMomentum is set; without it PyTorch leaves the momentum alone, and
// Schedule() returns a value that is not a MomentumSchedule.
type OneCycleTorch struct {
	MaxLR          float64 // peak rate, > 0
	Total          int     // total_steps, >= 2
	PctStart       float64 // pct_start: share of steps spent increasing the rate
	Anneal         string  // "cos" or "linear"
	DivFactor      float64 // initial = MaxLR/DivFactor, > 0
	FinalDivFactor float64 // min = initial/FinalDivFactor, > 0
	ThreePhase     bool
	CycleMomentum  bool
	BaseMomentum   float64
	MaxMomentum    float64
}

// NewOneCycleTorch returns OneCycleLR(max_lr=maxLR, total_steps=total) with
// PyTorch's defaults: pct_start 0.3, cos annealing, div_factor 25,
// final_div_factor 1e4, two phases, momentum cycled 0.95 -> 0.85 -> 0.95.
func NewOneCycleTorch(maxLR float64, total int) OneCycleTorch {
	return OneCycleTorch{MaxLR: maxLR, Total: total, PctStart: 0.3, Anneal: "cos", DivFactor: 25,
		FinalDivFactor: 1e4, CycleMomentum: true, BaseMomentum: 0.85, MaxMomentum: 0.95}
}

// phase is one OneCycleLR phase: its last step and the values it anneals.
type phase struct {
	end              float64
	lr0, lr1, m0, m1 float64
}

func (o OneCycleTorch) phases() (ph [3]phase, n int) {
	initial := o.MaxLR / o.DivFactor
	minLR := initial / o.FinalDivFactor
	T := float64(o.Total)
	if o.ThreePhase {
		ph[0] = phase{o.PctStart*T - 1, initial, o.MaxLR, o.MaxMomentum, o.BaseMomentum}
		ph[1] = phase{2*o.PctStart*T - 2, o.MaxLR, initial, o.BaseMomentum, o.MaxMomentum}
		ph[2] = phase{T - 1, initial, minLR, o.MaxMomentum, o.MaxMomentum}
		return ph, 3
	}
	ph[0] = phase{o.PctStart*T - 1, initial, o.MaxLR, o.MaxMomentum, o.BaseMomentum}
	ph[1] = phase{T - 1, o.MaxLR, minLR, o.BaseMomentum, o.MaxMomentum}
	return ph, 2
}

// at returns the rate and momentum of step (see OneCycleTorch).
func (o OneCycleTorch) at(step int) (lr, momentum float64) {
	if step > o.Total-1 {
		step = o.Total - 1
	}
	ph, n := o.phases()
	t, start := float64(step), 0.0
	for i := 0; i < n; i++ {
		p := ph[i]
		if t <= p.end || i == n-1 {
			pct := (t - start) / (p.end - start)
			return o.anneal(p.lr0, p.lr1, pct), o.anneal(p.m0, p.m1, pct)
		}
		start = p.end
	}
	panic("unreachable")
}

func (o OneCycleTorch) anneal(start, end, pct float64) float64 {
	if o.Anneal == "linear" {
		return (end-start)*pct + start
	}
	return end + (start-end)/2*(math.Cos(math.Pi*pct)+1)
}

// LR returns the rate of step.
func (o OneCycleTorch) LR(step int) float64 { lr, _ := o.at(step); return lr }

// Momentum returns the momentum of step (meaningful when CycleMomentum).
func (o OneCycleTorch) Momentum(step int) float64 { _, m := o.at(step); return m }

// Schedule returns o when it cycles the momentum, else o as a plain Schedule
// (no Momentum method), so nn leaves the optimizer's momentum alone.
func (o OneCycleTorch) Schedule() Schedule {
	if o.CycleMomentum {
		return o
	}
	return lrOnly{o}
}

// lrOnly hides OneCycleTorch's Momentum method.
type lrOnly struct{ o OneCycleTorch }

func (l lrOnly) LR(step int) float64 { return l.o.LR(step) }
func (l lrOnly) String() string      { return l.o.String() }

// String returns the SPEC "onecycle-cos:max=..,total=..,pct=..,anneal=..,
// div=..,final_div=..,three_phase=..,cycle_momentum=..,base_momentum=..,
// max_momentum=..".
func (o OneCycleTorch) String() string {
	return "onecycle-cos:" + kv("max", fmtFloat(o.MaxLR), "total", strconv.Itoa(o.Total),
		"pct", fmtFloat(o.PctStart), "anneal", o.Anneal, "div", fmtFloat(o.DivFactor),
		"final_div", fmtFloat(o.FinalDivFactor), "three_phase", strconv.FormatBool(o.ThreePhase),
		"cycle_momentum", strconv.FormatBool(o.CycleMomentum),
		"base_momentum", fmtFloat(o.BaseMomentum), "max_momentum", fmtFloat(o.MaxMomentum))
}

// Validate checks the parameters and that every phase has a positive length
// (PyTorch divides by it): pct*T-1 > 0 and the phase ends increase.
func (o OneCycleTorch) Validate() error {
	const n = "onecycle-cos"
	if o.Total < 2 {
		return &Error{Name: n, Key: "total", Value: strconv.Itoa(o.Total), Msg: "total must be >= 2"}
	}
	if o.Anneal != "cos" && o.Anneal != "linear" {
		return &Error{Name: n, Key: "anneal", Value: o.Anneal, Msg: "anneal must be cos or linear"}
	}
	if err := firstErr(positive(n, "max", o.MaxLR), positive(n, "div", o.DivFactor),
		positive(n, "final_div", o.FinalDivFactor), nonNegative(n, "base_momentum", o.BaseMomentum),
		nonNegative(n, "max_momentum", o.MaxMomentum)); err != nil {
		return err
	}
	if !(o.PctStart > 0 && o.PctStart < 1) {
		return &Error{Name: n, Key: "pct", Value: fmtFloat(o.PctStart), Msg: "pct must be in (0, 1)"}
	}
	need := "pct*total > 1"
	if o.ThreePhase {
		need += " and 2*pct*total < total+1"
	}
	ph, k := o.phases()
	prev := 0.0
	for i := 0; i < k; i++ {
		if !(ph[i].end > prev) {
			return &Error{Name: n, Key: "pct", Value: fmtFloat(o.PctStart),
				Msg: "phase " + strconv.Itoa(i+1) + " would be empty with total=" + strconv.Itoa(o.Total) + " (needs " + need + ")"}
		}
		prev = ph[i].end
	}
	return nil
}
