package sched

import (
	"math"
	"sort"
	"strconv"
	"strings"
)

// Schedule gives the learning rate of the update made after step earlier
// updates (step 0 is the first update).
type Schedule interface {
	LR(step int) float64
}

// MomentumSchedule is implemented by schedules that also set the optimizer's
// momentum (SGD momentum, or Adam's beta1) at each step, as PyTorch's
// OneCycleLR with cycle_momentum does.
type MomentumSchedule interface {
	Momentum(step int) float64
}

// EpochObserver is implemented by schedules that react to a metric measured
// at the end of each epoch (reduce-on-plateau). ObserveEpoch(e, v) is called
// once after epoch e (from 0) with the monitored value v; it may change the
// rate used from epoch e+1 on.
type EpochObserver interface {
	ObserveEpoch(epoch int, value float64)
}

// Context gives Parse what a SPEC may refer to but cannot know by itself.
type Context struct {
	// StepsPerEpoch is the number of optimizer steps in one epoch
	// (ceil(trainingExamples/batchSize)); needed by per=epoch and epochs=
	// keys, unused otherwise (0 = unknown).
	StepsPerEpoch int
}

// Constant is the rate lr at every step: Constant(0.01) is SGD's default.
type Constant float64

// LR returns c.
func (c Constant) LR(step int) float64 { return float64(c) }

// String returns the SPEC "constant:lr0=C".
func (c Constant) String() string {
	return "constant:" + kv("lr0", fmtFloat(float64(c)))
}

// Validate reports whether c is a usable rate (finite, > 0).
func (c Constant) Validate() error {
	return positive("constant", "lr0", float64(c))
}

// Power is the book's power scheduling: LR(t) = LR0 / (1 + t/S)^C.
//
// C = 1 is Keras's InverseTimeDecay(lr0, decay_steps, decay_rate) with
// S = decay_steps/decay_rate (staircase=False). The legacy Keras optimizer
// argument decay=d (lr/(1 + d*iterations), NB cells 114-117) is Power with
// S = 1/d, C = 1: the book's SGD(0.01, decay=1e-4) is
// power:lr0=0.01,s=10000,c=1 (equal up to the rounding of t/S vs d*t).
// Keras 3 ignores decay=, so that cell trains at a constant rate there.
type Power struct {
	LR0 float64 // rate at step 0, > 0
	S   float64 // steps over which the rate falls to LR0/2^C, > 0
	C   float64 // power, > 0 (1 in Keras)
}

// LR returns p.LR0 / math.Pow(1+float64(step)/p.S, p.C).
func (p Power) LR(step int) float64 {
	return p.LR0 / math.Pow(1+float64(step)/p.S, p.C)
}

// String returns the SPEC "power:lr0=..,s=..,c=..".
func (p Power) String() string {
	return "power:" + kv("lr0", fmtFloat(p.LR0), "s", fmtFloat(p.S), "c", fmtFloat(p.C))
}

// Validate checks LR0, S and C are finite and > 0.
func (p Power) Validate() error {
	return firstErr(positive("power", "lr0", p.LR0), positive("power", "s", p.S), positive("power", "c", p.C))
}

// Exponential is exponential scheduling, Keras's ExponentialDecay:
// LR(t) = LR0 * Rate^(t/S), with t/S floored when Staircase.
//
// The book's per-batch form lr *= 0.1^(1/s) (NB cell 129) and
// ExponentialDecay(0.01, s, 0.1) (cell 142) are Exponential{0.01, s, 0.1}
// per iteration; its per-epoch function 0.01*0.1^(epoch/20) (cell 124) is
// Exponential{0.01, 20, 0.1} wrapped in PerEpoch.
type Exponential struct {
	LR0       float64 // rate at step 0, > 0
	S         float64 // decay_steps, > 0
	Rate      float64 // decay_rate, > 0 (0.1 in the book)
	Staircase bool    // floor(t/S): the rate changes every S steps
}

// LR returns e.LR0 * math.Pow(e.Rate, p) with p = float64(step)/e.S, floored
// when e.Staircase.
func (e Exponential) LR(step int) float64 {
	p := float64(step) / e.S
	if e.Staircase {
		p = math.Floor(p)
	}
	return e.LR0 * math.Pow(e.Rate, p)
}

// String returns the SPEC "exponential:lr0=..,s=..,rate=..,staircase=..".
func (e Exponential) String() string {
	return "exponential:" + kv("lr0", fmtFloat(e.LR0), "s", fmtFloat(e.S),
		"rate", fmtFloat(e.Rate), "staircase", strconv.FormatBool(e.Staircase))
}

// Validate checks LR0, S and Rate are finite and > 0.
func (e Exponential) Validate() error {
	return firstErr(positive("exponential", "lr0", e.LR0), positive("exponential", "s", e.S),
		positive("exponential", "rate", e.Rate))
}

// Piecewise is piecewise constant scheduling with Keras's
// PiecewiseConstantDecay rule, inclusive on the right:
//
//	Values[0]   if step <= Boundaries[0]
//	Values[i]   if Boundaries[i-1] < step <= Boundaries[i]
//	Values[n]   if step > Boundaries[n-1]      (n = len(Boundaries))
//
// The book's PiecewiseConstantDecay([5*1719, 15*1719], [0.01, 0.005, 0.001])
// (NB cell 144) uses 0.01 up to and including step 8595, the first step of
// epoch 5. Its per-epoch function (cell 135: 0.01 if epoch < 5, 0.005 if
// epoch < 15, else 0.001) is Piecewise{[4, 14], ...} wrapped in PerEpoch.
type Piecewise struct {
	Boundaries []int     // strictly increasing, >= 0
	Values     []float64 // len(Boundaries)+1 rates, each > 0
}

// LR returns Values[i], i the number of boundaries strictly below step.
func (p Piecewise) LR(step int) float64 {
	i := sort.Search(len(p.Boundaries), func(i int) bool { return p.Boundaries[i] >= step })
	return p.Values[i]
}

// String returns the SPEC "piecewise:boundaries=b0|b1|..,values=v0|v1|..".
func (p Piecewise) String() string {
	b := make([]string, len(p.Boundaries))
	for i, x := range p.Boundaries {
		b[i] = strconv.Itoa(x)
	}
	v := make([]string, len(p.Values))
	for i, x := range p.Values {
		v[i] = fmtFloat(x)
	}
	return "piecewise:" + kv("boundaries", strings.Join(b, "|"), "values", strings.Join(v, "|"))
}

// Validate checks the boundaries increase strictly from >= 0 and that there
// is one more value than boundaries, each finite and > 0.
func (p Piecewise) Validate() error {
	if len(p.Boundaries) == 0 {
		return &Error{Name: "piecewise", Key: "boundaries", Msg: "needs at least one boundary"}
	}
	for i, b := range p.Boundaries {
		if b < 0 {
			return &Error{Name: "piecewise", Key: "boundaries", Value: strconv.Itoa(b), Msg: "boundaries must be >= 0"}
		}
		if i > 0 && b <= p.Boundaries[i-1] {
			return &Error{Name: "piecewise", Key: "boundaries", Value: strconv.Itoa(b),
				Msg: "boundaries must be strictly increasing (" + strconv.Itoa(p.Boundaries[i-1]) + " then " + strconv.Itoa(b) + ")"}
		}
	}
	if len(p.Values) != len(p.Boundaries)+1 {
		return &Error{Name: "piecewise", Key: "values",
			Msg: "needs len(boundaries)+1 = " + strconv.Itoa(len(p.Boundaries)+1) + " values, got " + strconv.Itoa(len(p.Values))}
	}
	for _, v := range p.Values {
		if err := positive("piecewise", "values", v); err != nil {
			return err
		}
	}
	return nil
}

// PerEpoch evaluates a schedule once per epoch: LR(step) =
// Schedule.LR(step / StepsPerEpoch), so the schedule's t counts epochs and the
// rate changes only at the first step of an epoch, as with Keras's
// LearningRateScheduler(fn) where fn gets the epoch index.
type PerEpoch struct {
	Schedule      Schedule // a stateless schedule whose steps are epochs
	StepsPerEpoch int      // > 0
}

// LR returns p.Schedule.LR(step / p.StepsPerEpoch).
func (p PerEpoch) LR(step int) float64 { return p.Schedule.LR(step / p.StepsPerEpoch) }

// String returns the inner schedule's SPEC followed by ",per=epoch"; Parse
// reads it back given Context{StepsPerEpoch: p.StepsPerEpoch}.
func (p PerEpoch) String() string { return Spec(p.Schedule) + ",per=epoch" }

// Validate checks StepsPerEpoch > 0 and the inner schedule.
func (p PerEpoch) Validate() error {
	if p.StepsPerEpoch <= 0 {
		return &Error{Key: "per", Value: "epoch", Msg: "per=epoch needs Context.StepsPerEpoch > 0 (--steps-per-epoch)"}
	}
	if v, ok := p.Schedule.(interface{ Validate() error }); ok {
		return v.Validate()
	}
	return nil
}

// Spec returns the SPEC of s, its String method: Parse(Spec(s), ctx) gives
// the same schedule (with fresh state for a plateau) for every schedule of
// this package. It returns "" for a schedule without a String method.
func Spec(s Schedule) string {
	if st, ok := s.(interface{ String() string }); ok {
		return st.String()
	}
	return ""
}

// positive reports a key whose value is not finite and > 0.
func positive(name, key string, v float64) error {
	if !(v > 0) || math.IsInf(v, 0) {
		return &Error{Name: name, Key: key, Value: fmtFloat(v), Msg: key + " must be finite and > 0"}
	}
	return nil
}

// nonNegative reports a key whose value is not finite and >= 0.
func nonNegative(name, key string, v float64) error {
	if !(v >= 0) || math.IsInf(v, 0) {
		return &Error{Name: name, Key: key, Value: fmtFloat(v), Msg: key + " must be finite and >= 0"}
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
