package sched

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

var ctx = Context{StepsPerEpoch: 1719}

func TestParseValues(t *testing.T) {
	cases := []struct {
		spec string
		want Schedule
	}{
		{"constant:lr0=0.01", Constant(0.01)},
		{" power : lr0 = 0.01 , s = 10000 ", Power{LR0: 0.01, S: 10000, C: 1}},
		{"power:lr0=0.01,s=100,c=0.5", Power{LR0: 0.01, S: 100, C: 0.5}},
		{"exponential:lr0=0.01,s=20", Exponential{LR0: 0.01, S: 20, Rate: 0.1}},
		{"exponential:lr0=0.01,s=20,rate=0.5,staircase=true", Exponential{LR0: 0.01, S: 20, Rate: 0.5, Staircase: true}},
		{"exponential:lr0=0.01,s=20,per=epoch", PerEpoch{Exponential{LR0: 0.01, S: 20, Rate: 0.1}, 1719}},
		{"exponential:lr0=0.01,s=20,per=iteration", Exponential{LR0: 0.01, S: 20, Rate: 0.1}},
		{"onecycle:iterations=10750,max=0.05", OneCycle{Iterations: 10750, MaxRate: 0.05}},
		{"onecycle:epochs=25,max=0.05,start=0.01,last_iterations=100,last=1e-4",
			OneCycle{Iterations: 25 * 1719, MaxRate: 0.05, StartRate: 0.01, LastIterations: 100, LastRate: 1e-4}},
		{"onecycle-cos:max=0.1,total=1000", NewOneCycleTorch(0.1, 1000)},
		{"onecycle-cos:max=0.1,epochs=2,pct=0.25,anneal=linear,div=10,final_div=100,three_phase=true,base_momentum=0.8,max_momentum=0.9",
			OneCycleTorch{MaxLR: 0.1, Total: 3438, PctStart: 0.25, Anneal: "linear", DivFactor: 10, FinalDivFactor: 100,
				ThreePhase: true, CycleMomentum: true, BaseMomentum: 0.8, MaxMomentum: 0.9}},
	}
	for _, c := range cases {
		got, err := Parse(c.spec, ctx)
		if err != nil {
			t.Errorf("%q: %v", c.spec, err)
			continue
		}
		if Spec(got) != Spec(c.want) {
			t.Errorf("%q: got %v, want %v", c.spec, got, c.want)
		}
		for _, step := range []int{0, 1, 500, 1719, 5000, 40000} {
			if got.LR(step) != c.want.LR(step) {
				t.Errorf("%q: LR(%d) = %v, want %v", c.spec, step, got.LR(step), c.want.LR(step))
			}
		}
	}
	p, err := Parse("piecewise:boundaries=8595|25785,values=0.01|0.005|0.001", ctx)
	if err != nil || Spec(p) != "piecewise:boundaries=8595|25785,values=0.01|0.005|0.001" {
		t.Errorf("piecewise: %v %v", p, err)
	}
	pl, err := Parse("plateau:lr0=0.1,rules=torch,mode=max,monitor=val_accuracy,factor=0.2,patience=3,cooldown=1,min_lr=0.001,threshold=0.01,threshold_mode=abs,eps=0", ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := PlateauConfig{Monitor: "val_accuracy", Mode: "max", Rules: TorchRules, Factor: 0.2, Patience: 3, Cooldown: 1,
		MinLR: 0.001, Threshold: 0.01, ThresholdMode: "abs"}
	if got := pl.(*Plateau).Config(); got != want {
		t.Errorf("plateau config %+v, want %+v", got, want)
	}
	if _, ok := pl.(EpochObserver); !ok {
		t.Error("plateau is not an EpochObserver")
	}
	if m, err := Parse("onecycle-cos:max=1,total=100,cycle_momentum=false", ctx); err != nil {
		t.Error(err)
	} else if _, ok := m.(MomentumSchedule); ok {
		t.Error("cycle_momentum=false still sets the momentum")
	}
}

// TestParseErrors checks every invalid SPEC gives an *Error whose message
// quotes the SPEC and names the offending part.
func TestParseErrors(t *testing.T) {
	cases := []struct{ spec, names string }{
		{"", "empty schedule name"},
		{"cosine:lr0=1", `unknown schedule "cosine"`},
		{"Constant:lr0=1", `unknown schedule "Constant"`},
		{"constant", "missing required key lr0"},
		{"constant:", "want key=value"},
		{"constant:lr0", "lr0: want key=value"},
		{"constant:lr0=0.1,lr0=0.2", "lr0: key given twice"},
		{"constant:lr0=abc", "lr0=abc: not a finite number"},
		{"constant:lr0=NaN", "lr0=NaN: not a finite number"},
		{"constant:lr0=inf", "lr0=inf: not a finite number"},
		{"constant:lr0=-1", "lr0=-1: lr0 must be finite and > 0"},
		{"constant:lr0=0.1,momentum=0.9", "momentum=0.9: unknown key momentum for constant"},
		{"power:lr0=0.01", "missing required key s"},
		{"power:lr0=0.01,s=0", "s=0: s must be finite and > 0"},
		{"power:lr0=0.01,s=-5", "s=-5"},
		{"power:lr0=0.01,s=5,c=0", "c=0"},
		{"exponential:lr0=0.01,s=20,rate=0", "rate=0"},
		{"exponential:lr0=0.01,s=20,staircase=maybe", "staircase=maybe: not a boolean"},
		{"exponential:lr0=0.01,s=20,per=batch", "per=batch: per must be iteration or epoch"},
		{"piecewise:values=1|2", "missing required key boundaries"},
		{"piecewise:boundaries=5,values=", "values: empty list"},
		{"piecewise:boundaries=5|5,values=1|2|3", "boundaries=5: boundaries must be strictly increasing"},
		{"piecewise:boundaries=15|5,values=1|2|3", "boundaries=5: boundaries must be strictly increasing (15 then 5)"},
		{"piecewise:boundaries=-1|5,values=1|2|3", "boundaries=-1"},
		{"piecewise:boundaries=5|15,values=1|2", "values: needs len(boundaries)+1 = 3 values, got 2"},
		{"piecewise:boundaries=5|15,values=1|2|3|4", "got 4"},
		{"piecewise:boundaries=5|x,values=1|2|3", "boundaries=x: not an integer"},
		{"piecewise:boundaries=5|15,values=1|0|3", "values=0"},
		{"plateau:factor=0.5", "missing required key lr0"},
		{"plateau:lr0=0.1,factor=1", "factor=1: factor must be in (0, 1)"},
		{"plateau:lr0=0.1,factor=1.5", "factor=1.5"},
		{"plateau:lr0=0.1,factor=0", "factor=0"},
		{"plateau:lr0=0.1,patience=-1", "patience=-1"},
		{"plateau:lr0=0.1,patience=2.5", "patience=2.5: not an integer"},
		{"plateau:lr0=0.1,cooldown=-2", "cooldown=-2"},
		{"plateau:lr0=0.1,min_lr=-1", "min_lr=-1"},
		{"plateau:lr0=0.1,min_delta=-1", "min_delta=-1"},
		{"plateau:lr0=0.1,mode=up", "mode=up: mode must be min, max or auto"},
		{"plateau:lr0=0.1,rules=tf", "rules=tf: rules must be keras or torch"},
		{"plateau:lr0=0.1,threshold=0.1", "threshold=0.1: threshold applies to rules=torch"},
		{"plateau:lr0=0.1,rules=torch,min_delta=0.1", "min_delta=0.1: min_delta applies to rules=keras"},
		{"plateau:lr0=0.1,rules=torch,threshold_mode=pct", "threshold_mode=pct"},
		{"plateau:lr0=0.1,rules=torch,eps=-1", "eps=-1"},
		{"plateau:lr0=0.1,monitor=", "monitor: monitor must be a metric name"},
		{"plateau:lr0=0.1,scale=(constant:lr0=1)", "lr0=0.1: lr0 cannot be given with scale"},
		{"plateau:scale=exponential", "scale=exponential: scale takes a SPEC in parentheses"},
		{"plateau:scale=(exponential:lr0=1)", `schedule "plateau:scale=(exponential:lr0=1)": s: missing required key s`},
		{"plateau:scale=(plateau:lr0=1)", "scale=(plateau:lr0=1): cannot scale a schedule that observes epochs"},
		{"plateau:scale=(plateau:scale=(constant:lr0=1))", "scale=(constant:lr0=1): nested too deep"},
		{"plateau:scale=(exponential:lr0=1,s=2),min_lr=0.1", "min_lr=0.1: min_lr must be 0 when scaling"},
		{"plateau:scale=(exponential:lr0=1,s=2", "unbalanced '('"},
		{"plateau:lr0=0.1)", "unbalanced ')'"},
		{"onecycle:max=0.05", "missing required key iterations"},
		{"onecycle:iterations=100", "missing required key max"},
		{"onecycle:iterations=0,max=0.05", "iterations=0: iterations must be >= 1"},
		{"onecycle:iterations=100,max=-1", "max=-1"},
		{"onecycle:iterations=100,max=1,start=-1", "start=-1"},
		{"onecycle:iterations=100,max=1,last=-1", "last=-1"},
		{"onecycle:iterations=100,max=1,last_iterations=101", "last_iterations=101: last_iterations must be in [0, iterations=100]"},
		{"onecycle:iterations=100,max=1,last_iterations=-3", "last_iterations=-3"},
		{"onecycle:iterations=100,epochs=2,max=1", "epochs: give iterations or epochs, not both"},
		{"onecycle:iterations=100,max=1,per=epoch", "per=epoch: unknown key per for onecycle"},
		{"onecycle-cos:max=0.1", "missing required key total"},
		{"onecycle-cos:total=100", "missing required key max"},
		{"onecycle-cos:max=0.1,total=1", "total=1: total must be >= 2"},
		{"onecycle-cos:max=0.1,total=100,pct=1", "pct=1: pct must be in (0, 1)"},
		{"onecycle-cos:max=0.1,total=100,pct=0", "pct=0"},
		{"onecycle-cos:max=0.1,total=3,pct=0.3", "pct=0.3: phase 1 would be empty with total=3"},
		{"onecycle-cos:max=0.1,total=10,pct=0.6,three_phase=true", "pct=0.6: phase 3 would be empty with total=10 (needs pct*total > 1 and 2*pct*total < total+1)"},
		{"onecycle-cos:max=0.1,total=100,anneal=cosine", "anneal=cosine: anneal must be cos or linear"},
		{"onecycle-cos:max=0.1,total=100,div=0", "div=0"},
		{"onecycle-cos:max=0.1,total=100,final_div=-1", "final_div=-1"},
		{"onecycle-cos:max=0.1,total=100,base_momentum=-0.1", "base_momentum=-0.1"},
		{"onecycle-cos:max=0.1,total=100,three_phase=yes", "three_phase=yes: not a boolean"},
		{"onecycle-cos:max=0.1,total=100,gamma=2", "gamma=2: unknown key gamma for onecycle-cos"},
	}
	for _, c := range cases {
		s, err := Parse(c.spec, ctx)
		if err == nil {
			t.Errorf("%q: no error (got %v)", c.spec, s)
			continue
		}
		_, ok := err.(*Error)
		msg := err.Error()
		prefix := "sched: schedule " + strconv.Quote(c.spec) + ": "
		if c.spec == "" {
			prefix = "sched: "
		}
		if !ok || !strings.HasPrefix(msg, prefix) || !strings.Contains(msg, c.names) {
			t.Errorf("%q: error %q, want it to quote the SPEC and contain %q", c.spec, msg, c.names)
		}
	}
	// Keys that need StepsPerEpoch.
	for _, spec := range []string{"exponential:lr0=0.01,s=20,per=epoch", "onecycle:epochs=25,max=0.05", "onecycle-cos:max=1,epochs=3"} {
		if _, err := Parse(spec, Context{}); err == nil || !strings.Contains(err.Error(), "StepsPerEpoch") {
			t.Errorf("%q without StepsPerEpoch: %v", spec, err)
		}
	}
}

// roundTrip checks Parse(s.String()) gives the same SPEC and the same rates.
func roundTrip(t *testing.T, s Schedule, c Context) {
	t.Helper()
	spec := Spec(s)
	s2, err := Parse(spec, c)
	if err != nil {
		t.Fatalf("re-parsing %q: %v", spec, err)
	}
	if got := Spec(s2); got != spec {
		t.Fatalf("String not a fixed point: %q -> %q", spec, got)
	}
	for _, step := range []int{0, 1, 2, 7, 99, 1000, 12345, 1 << 20} {
		a, b := s.LR(step), s2.LR(step)
		if a != b && !(math.IsNaN(a) && math.IsNaN(b)) {
			t.Fatalf("%q: LR(%d) %v after round trip %v", spec, step, a, b)
		}
	}
	if m, ok := s.(MomentumSchedule); ok {
		m2, ok := s2.(MomentumSchedule)
		if !ok {
			t.Fatalf("%q lost its momentum", spec)
		}
		for _, step := range []int{0, 50, 1 << 20} {
			if m.Momentum(step) != m2.Momentum(step) {
				t.Fatalf("%q: Momentum(%d) differs after round trip", spec, step)
			}
		}
	}
}

var roundTripSpecs = []string{
	"constant:lr0=0.01", "power:lr0=0.01,s=10000", "power:lr0=0.3,s=7,c=2.5,per=epoch",
	"exponential:lr0=0.01,s=34375", "exponential:lr0=0.01,s=20,staircase=1,per=epoch",
	"piecewise:boundaries=0|10|11,values=3|2|1|0.1", "piecewise:boundaries=4|14,values=0.01|0.005|0.001,per=epoch",
	"plateau:lr0=0.02,factor=0.5,patience=5", "plateau:lr0=0.1,rules=torch,threshold_mode=abs,mode=max",
	"plateau:scale=(piecewise:boundaries=3,values=1|0.1,per=epoch),rules=torch",
	"onecycle:iterations=10750,max=0.05", "onecycle:iterations=7,max=0.1,last_iterations=7",
	"onecycle-cos:max=0.1,total=1000", "onecycle-cos:max=0.1,total=1000,three_phase=true,anneal=linear,cycle_momentum=false",
	"onecycle-cos:max=0.1,epochs=3",
}

func TestRoundTrip(t *testing.T) {
	for _, spec := range roundTripSpecs {
		s, err := Parse(spec, ctx)
		if err != nil {
			t.Errorf("%q: %v", spec, err)
			continue
		}
		roundTrip(t, s, ctx)
	}
}

func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"constant:lr0=0.01", "power:lr0=0.01,s=10000,c=1", "exponential:lr0=0.01,s=20,rate=0.1,staircase=true,per=epoch",
		"piecewise:boundaries=8595|25785,values=0.01|0.005|0.001", "plateau:lr0=0.02,factor=0.5,patience=5",
		"plateau:scale=(exponential:lr0=0.01,s=20),rules=torch", "onecycle:iterations=10750,max=0.05",
		"onecycle-cos:max=0.1,total=100,three_phase=true", "onecycle:epochs=1,max=1,last_iterations=9999999999999999999",
		"piecewise:boundaries=|,values=1", "plateau:scale=((())", ":,,=",
	} {
		f.Add(seed, 7)
	}
	for _, spec := range roundTripSpecs {
		f.Add(spec, 1719)
	}
	f.Fuzz(func(t *testing.T, spec string, spe int) {
		c := Context{StepsPerEpoch: spe % 5000}
		s, err := Parse(spec, c)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("%q: error of type %T", spec, err)
			}
			return
		}
		roundTrip(t, s, c)
	})
}
