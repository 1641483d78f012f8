package sched

import (
	"math"
	"testing"
)

// near reports |got-want| <= tol*|want| (tol 0: bit-exact).
func near(got, want, tol float64) bool {
	if tol == 0 {
		return got == want
	}
	return math.Abs(got-want) <= tol*math.Abs(want)
}

type stepCase struct {
	step int
	want float64
}

// checkSteps compares s.LR at each step with the expected value. Expected
// values were computed by hand from the formulas (Python, IEEE doubles);
// tol covers math.Pow/math.Cos differing from C's libm in the last bit.
func checkSteps(t *testing.T, name string, s Schedule, tol float64, cases []stepCase) {
	t.Helper()
	for _, c := range cases {
		if got := s.LR(c.step); !near(got, c.want, tol) {
			t.Errorf("%s: LR(%d) = %v, want %v", name, c.step, got, c.want)
		}
	}
}

const pyTol = 1e-14

func TestConstant(t *testing.T) {
	checkSteps(t, "constant", Constant(0.01), 0, []stepCase{{0, 0.01}, {1, 0.01}, {1 << 40, 0.01}})
}

func TestPower(t *testing.T) {
	// The book's SGD(0.01, decay=1e-4): s = 1/decay = 10000, c = 1.
	p := Power{LR0: 0.01, S: 10000, C: 1}
	checkSteps(t, "power", p, 0, []stepCase{
		{0, 0.01},
		{5000, 0.006666666666666667}, // 0.01/1.5
		{10000, 0.005},               // halved after s steps
		{30000, 0.0025},
	})
	// Keras's legacy decay lr/(1+d*t) agrees up to rounding of t/s vs d*t.
	for _, step := range []int{0, 1, 1719, 8595, 42975} {
		if got, want := p.LR(step), 0.01/(1+1e-4*float64(step)); !near(got, want, 1e-15) {
			t.Errorf("power vs legacy decay at %d: %v vs %v", step, got, want)
		}
	}
	// c = 2: the rate falls to lr0/4 after s steps.
	checkSteps(t, "power c=2", Power{LR0: 1, S: 10, C: 2}, pyTol, []stepCase{{0, 1}, {10, 0.25}, {30, 0.0625}})
}

func TestExponential(t *testing.T) {
	e := Exponential{LR0: 0.01, S: 20, Rate: 0.1}
	checkSteps(t, "exponential", e, pyTol, []stepCase{
		{0, 0.01},
		{10, 0.0031622776601683794}, // 0.01*0.1^0.5
		{20, 0.001},
		{40, 0.0001},
	})
	st := Exponential{LR0: 0.01, S: 20, Rate: 0.1, Staircase: true}
	checkSteps(t, "staircase", st, pyTol, []stepCase{{0, 0.01}, {19, 0.01}, {20, 0.001}, {39, 0.001}, {40, 0.0001}})
	// The book's per-epoch function 0.01*0.1^(epoch/20) at 1719 steps/epoch.
	pe := PerEpoch{Schedule: e, StepsPerEpoch: 1719}
	checkSteps(t, "per-epoch", pe, pyTol, []stepCase{
		{0, 0.01},
		{1718, 0.01},                 // last step of epoch 0
		{1719, 0.008912509381337455}, // 0.01*0.1^(1/20)
		{20 * 1719, 0.001},
	})
	// Per iteration with s = 20 epochs of steps: continuous inside epoch 0.
	pi := Exponential{LR0: 0.01, S: 20 * 1719, Rate: 0.1}
	checkSteps(t, "per-iteration", pi, pyTol, []stepCase{{1718, 0.00891310631264861}, {20 * 1719, 0.001}})
}

func TestPiecewise(t *testing.T) {
	// NB cell 144: boundaries [5*1719, 15*1719], inclusive on the right.
	p := Piecewise{Boundaries: []int{8595, 25785}, Values: []float64{0.01, 0.005, 0.001}}
	checkSteps(t, "piecewise", p, 0, []stepCase{
		{0, 0.01}, {8594, 0.01}, {8595, 0.01}, {8596, 0.005}, {17000, 0.005},
		{25785, 0.005}, {25786, 0.001}, {1 << 40, 0.001},
	})
	// NB cell 135 per epoch: epoch < 5 -> 0.01 is epoch <= 4.
	pe := PerEpoch{Schedule: Piecewise{Boundaries: []int{4, 14}, Values: []float64{0.01, 0.005, 0.001}}, StepsPerEpoch: 1719}
	checkSteps(t, "piecewise per epoch", pe, 0, []stepCase{
		{0, 0.01}, {5*1719 - 1, 0.01}, {5 * 1719, 0.005}, {15*1719 - 1, 0.005}, {15 * 1719, 0.001},
	})
}

func TestOneCycleBook(t *testing.T) {
	// NB cell 151: OneCycleScheduler(430*25, max_rate=0.05).
	o := OneCycle{Iterations: 10750, MaxRate: 0.05}
	start, lastIt, half, last := o.Resolved()
	if start != 0.005 || lastIt != 1076 || half != 4837 || last != 5e-6 {
		t.Fatalf("Resolved = %v %v %v %v, want 0.005 1076 4837 5e-06", start, lastIt, half, last)
	}
	// Values of Géron's callback code run in Python.
	checkSteps(t, "onecycle", o, 0, []stepCase{
		{0, 0.005},
		{1, 0.0050093032871614636},
		{2418, 0.027495348356419272}, // middle of phase 1
		{4836, 0.04999069671283854},
		{4837, 0.05}, // half: the peak
		{4838, 0.04999069671283854},
		{7255, 0.027504651643580732},
		{9673, 0.005009303287161461},
		{9674, 0.005}, // 2*half: back at start
		{10212, 0.0025025},
		{10749, 9.6421933085504e-06}, // last step of training
		{10750, 5e-06},               // iterations: last rate
		{20000, 5e-06},               // past the end: clamped (unclamped: -0.0429)
	})
	// Python's `or`: explicit zeros are the defaults.
	o2 := OneCycle{Iterations: 10750, MaxRate: 0.05, StartRate: 0.005, LastIterations: 1076, LastRate: 5e-6}
	for _, s := range []int{0, 100, 4837, 9999, 10750} {
		if o.LR(s) != o2.LR(s) {
			t.Errorf("explicit defaults differ at %d", s)
		}
	}
}

func TestOneCycleSmall(t *testing.T) {
	// iterations 1: lastIt 1, half 0: only the last phase, start -> last.
	o := OneCycle{Iterations: 1, MaxRate: 1}
	checkSteps(t, "onecycle 1", o, 1e-12, []stepCase{{0, 0.1}, {1, 0.0001}, {5, 0.0001}})
	// Explicit start, last_iterations, last: iterations 20, lastIt 4, half 8.
	o = OneCycle{Iterations: 20, MaxRate: 1, StartRate: 0.2, LastIterations: 4, LastRate: 0.1}
	checkSteps(t, "onecycle 20", o, 1e-15, []stepCase{
		{0, 0.2}, {4, 0.6}, {8, 1}, {12, 0.6}, {16, 0.2}, {18, 0.15}, {20, 0.1}, {21, 0.1},
	})
}

func TestOneCycleTorch(t *testing.T) {
	// PyTorch defaults, max_lr 1, 100 steps: initial 0.04, min 4e-6, phase
	// ends 29 and 99. Values of OneCycleLR.get_lr's loop run in Python.
	o := NewOneCycleTorch(1, 100)
	cases := []struct {
		step  int
		lr, m float64
	}{
		{0, 0.040000000000000036, 0.95},
		{14, 0.49401332387899954, 0.9027069454292709},
		{29, 1.0, 0.85},
		{30, 0.9994965352845243, 0.8500503466729342},
		{64, 0.500002, 0.8999999999999999},
		{98, 0.0005074647154757879, 0.9499496533270657},
		{99, 4e-06, 0.95},
		{100, 4e-06, 0.95}, // past the end: held (PyTorch: 0.000507 at 100, error after)
		{100000, 4e-06, 0.95},
	}
	for _, c := range cases {
		if lr, m := o.LR(c.step), o.Momentum(c.step); !near(lr, c.lr, 1e-12) || !near(m, c.m, 1e-12) {
			t.Errorf("cos: step %d: lr %v m %v, want %v %v", c.step, lr, m, c.lr, c.m)
		}
	}
	o.ThreePhase = true // ends 29, 58, 99
	for _, c := range []struct {
		step  int
		lr, m float64
	}{
		{0, 0.040000000000000036, 0.95},
		{29, 1.0, 0.85},
		{43, 0.5459866761210005, 0.897293054570729},
		{58, 0.04, 0.95},
		{59, 0.03994132189207244, 0.95},
		{80, 0.017708560858882793, 0.95},
		{99, 4e-06, 0.95},
		{150, 4e-06, 0.95},
	} {
		if lr, m := o.LR(c.step), o.Momentum(c.step); !near(lr, c.lr, 1e-12) || !near(m, c.m, 1e-12) {
			t.Errorf("three-phase: step %d: lr %v m %v, want %v %v", c.step, lr, m, c.lr, c.m)
		}
	}
	o = NewOneCycleTorch(1, 100)
	o.Anneal = "linear"
	for _, c := range []struct {
		step  int
		lr, m float64
	}{
		{0, 0.04, 0.95},
		{14, 0.503448275862069, 0.9017241379310345},
		{29, 1.0, 0.85},
		{64, 0.5000020000000001, 0.8999999999999999},
		{99, 4.000000000004e-06, 0.95},
	} {
		if lr, m := o.LR(c.step), o.Momentum(c.step); lr != c.lr || m != c.m {
			t.Errorf("linear: step %d: lr %v m %v, want %v %v", c.step, lr, m, c.lr, c.m)
		}
	}
	if _, ok := o.Schedule().(MomentumSchedule); !ok {
		t.Error("cycling OneCycleTorch is not a MomentumSchedule")
	}
	o.CycleMomentum = false
	if _, ok := o.Schedule().(MomentumSchedule); ok {
		t.Error("OneCycleTorch without cycle_momentum is a MomentumSchedule")
	}
}

func TestValidate(t *testing.T) {
	bad := map[string]interface{ Validate() error }{
		"lr0":             Constant(0),
		"s":               Power{LR0: 1, S: -1, C: 1},
		"c":               Power{LR0: 1, S: 1},
		"rate":            Exponential{LR0: 1, S: 1},
		"boundaries":      Piecewise{Boundaries: []int{3, 3}, Values: []float64{1, 2, 3}},
		"values":          Piecewise{Boundaries: []int{3}, Values: []float64{1}},
		"iterations":      OneCycle{MaxRate: 1},
		"last_iterations": OneCycle{Iterations: 10, MaxRate: 1, LastIterations: 11},
		"pct":             OneCycleTorch{MaxLR: 1, Total: 3, PctStart: 0.3, Anneal: "cos", DivFactor: 25, FinalDivFactor: 1e4},
		"anneal":          OneCycleTorch{MaxLR: 1, Total: 100, PctStart: 0.3, Anneal: "cosine", DivFactor: 25, FinalDivFactor: 1e4},
		"per":             PerEpoch{Schedule: Constant(1)},
	}
	for key, v := range bad {
		err := v.Validate()
		e, ok := err.(*Error)
		if !ok || e.Key != key {
			t.Errorf("%#v: Validate() = %v, want an error on key %s", v, err, key)
		}
	}
	if got := (Power{LR0: 1, S: 0, C: 1}).Validate().Error(); got != "sched: power: s=0: s must be finite and > 0" {
		t.Errorf("Validate message %q", got)
	}
}

func TestBookPresets(t *testing.T) {
	c := Context{StepsPerEpoch: 430}
	got := map[string]Schedule{}
	for _, p := range BookPresets(430) {
		s, err := Parse(p.Spec, c)
		if err != nil {
			t.Fatalf("preset %s: %v", p.Name, err)
		}
		got[p.Name] = s
	}
	if o, ok := got["onecycle"].(OneCycle); !ok || o.Iterations != 10750 || o.MaxRate != 0.05 {
		t.Errorf("onecycle preset %v, want the book's 10750 iterations, max 0.05", got["onecycle"])
	}
	checkSteps(t, "piecewise-epoch", got["piecewise-epoch"], 0, []stepCase{{5*430 - 1, 0.01}, {5 * 430, 0.005}, {15 * 430, 0.001}})
	checkSteps(t, "piecewise", got["piecewise"], 0, []stepCase{{5 * 430, 0.01}, {5*430 + 1, 0.005}, {15*430 + 1, 0.001}})
	checkSteps(t, "exponential", got["exponential"], pyTol, []stepCase{{20 * 430, 0.001}})
	checkSteps(t, "exponential-epoch", got["exponential-epoch"], pyTol, []stepCase{{429, 0.01}, {20 * 430, 0.001}})
	checkSteps(t, "power", got["power"], 0, []stepCase{{10000, 0.005}})
	if p, ok := got["plateau"].(*Plateau); !ok || p.LR(0) != 0.02 || p.Config().Factor != 0.5 || p.Config().Patience != 5 {
		t.Errorf("plateau preset %v", got["plateau"])
	}
}
