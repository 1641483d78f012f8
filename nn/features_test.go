package nn

import (
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/nnrt/nnrt/asm"
	"github.com/nnrt/nnrt/reg"
)

// stepScalar runs steps updates of o on a single weight w = 1 with the
// constant gradient 0.5 and returns the weight and the optimizer.
func stepScalar(o *Optimizer, steps int) float64 {
	p := newParam("w", true, 1)
	p.Value[0] = 1
	o.bind([]*Param{p})
	for i := 0; i < steps; i++ {
		p.Grad[0] = 0.5
		o.step()
	}
	return float64(p.Value[0])
}

// TestRMSpropMomentumCentered checks two steps of Keras 3's rmsprop.py by
// hand: lr 0.01, rho 0.9, eps 1e-7, g = 0.5, w0 = 1.
func TestRMSpropMomentumCentered(t *testing.T) {
	const lr, eps = 0.01, 1e-7
	v1, v2 := 0.1*0.25, 0.9*0.1*0.25+0.1*0.25 // 0.025, 0.0475
	ag1, ag2 := 0.1*0.5, 0.9*0.1*0.5+0.1*0.5  // 0.05, 0.095
	plain1, plain2 := lr*0.5/math.Sqrt(v1+eps), lr*0.5/math.Sqrt(v2+eps)
	cent1, cent2 := lr*0.5/math.Sqrt(v1-ag1*ag1+eps), lr*0.5/math.Sqrt(v2-ag2*ag2+eps)
	for _, c := range []struct {
		name     string
		momentum float64
		centered bool
		want     float64
	}{
		{"plain", 0, false, 1 - plain1 - plain2},
		// m1 = inc1, m2 = 0.9*inc1 + inc2; w = 1 - m1 - m2
		{"momentum", 0.9, false, 1 - plain1 - (0.9*plain1 + plain2)},
		{"centered", 0, true, 1 - cent1 - cent2},
		{"centered momentum", 0.5, true, 1 - cent1 - (0.5*cent1 + cent2)},
	} {
		o := NewRMSprop(lr)
		o.Momentum, o.Centered = c.momentum, c.centered
		if err := o.validate(); err != nil {
			t.Fatal(err)
		}
		if got := stepScalar(o, 2); math.Abs(got-c.want) > 2e-6 {
			t.Errorf("%s: w = %.9g, want %.9g", c.name, got, c.want)
		}
	}
	// the general kernel on a vector whose length is not a multiple of any
	// vector width, with momentum 0 and not centered, matches asm.RMSprop
	const n = 37
	w1, w2, g, va, vb, m := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range w1 {
		w1[i], g[i] = float32(i)/7-2, float32(i%5)-1.5
		w2[i] = w1[i]
	}
	asm.RMSprop(w1, g, va, 0.01, 0.9, 1e-7, 0)
	rmspropGeneral(w2, g, vb, m, nil, 0.01, 0.9, 0, 1e-7)
	for i := range w1 {
		if math.Abs(float64(w1[i]-w2[i])) > 1e-6 || math.Abs(float64(va[i]-vb[i])) > 1e-6 {
			t.Fatalf("element %d: general %v/%v, asm %v/%v", i, w2[i], vb[i], w1[i], va[i])
		}
	}
	o := NewRMSprop(0.01)
	o.Momentum = 1
	if err := o.validate(); err == nil || !strings.Contains(err.Error(), "momentum") {
		t.Errorf("momentum 1 accepted (%v)", err)
	}
	// the optimizer state (average gradients included) is saved and restored
	o = NewRMSprop(0.01)
	o.Momentum, o.Centered = 0.9, true
	stepScalar(o, 1)
	s := o.saveState()
	o.params[0].Grad[0] = -3
	o.step()
	o.restoreState(s)
	if math.Abs(float64(o.ag[0][0])-ag1) > 1e-7 || math.Abs(float64(o.m[0][0])-cent1) > 1e-7 || o.iterations != 1 {
		t.Errorf("restored state ag %v m %v, want %v %v", o.ag[0][0], o.m[0][0], ag1, cent1)
	}
}

// TestBatchNormFrozen: Trainable false runs the inference form in
// training, leaves the moving statistics alone and trains neither gamma
// nor beta.
func TestBatchNormFrozen(t *testing.T) {
	f := false
	m := NewSequential([]int{2}, BatchNormalization(BatchNormConfig{Trainable: &f}), Dense(DenseConfig{Units: 2, Activation: "softmax"}))
	compiled(t, m, NewSGD(0.5))
	bn := m.layers[0].(*batchNorm)
	if bn.gamma.Trainable() || bn.beta.Trainable() || len(m.opt.params) != 2 {
		t.Fatalf("frozen batch norm has trainable variables (%d trained)", len(m.opt.params))
	}
	bn.mmean.Value[0], bn.mvar.Value[0], bn.gamma.Value[0], bn.beta.Value[0] = 2, 4, 3, 1
	m.reserve(4)
	x := []float32{1, 10, 2, 20, 3, 30, 6, 40}
	y := bn.forward(x, 4, training)
	// (1-2)/sqrt(4+1e-3)*3 + 1; feature 1: moving mean 0, variance 1
	if want := 3*(1-2)/math.Sqrt(4.001) + 1; math.Abs(float64(y[0])-want) > 1e-5 {
		t.Errorf("frozen training output %v, want %v (inference form)", y[0], want)
	}
	if want := 10 / math.Sqrt(1.001); math.Abs(float64(y[1])-want) > 1e-4 {
		t.Errorf("frozen training output %v, want %v", y[1], want)
	}
	dy := []float32{1, 1, 2, 2, 0, 0, 0, 0}
	dx := bn.backward(dy, 4, true)
	if want := 3 / math.Sqrt(4.001); math.Abs(float64(dx[0])-want) > 1e-6 || math.Abs(float64(dx[2])-2*want) > 1e-6 {
		t.Errorf("frozen gradient %v, want dy*gamma/sqrt(var+eps) = %v", dx[:4], want)
	}
	before := append([]float32(nil), bn.mmean.Value[0], bn.mvar.Value[0], bn.gamma.Value[0], bn.beta.Value[0])
	xb, yb := blobs(64, 2, 2, 3)
	if _, err := m.Fit(xb, yb, FitConfig{Epochs: 1, BatchSize: 16}); err != nil {
		t.Fatal(err)
	}
	after := []float32{bn.mmean.Value[0], bn.mvar.Value[0], bn.gamma.Value[0], bn.beta.Value[0]}
	if !reflect.DeepEqual(before, after) {
		t.Errorf("Fit changed a frozen batch norm: %v -> %v", before, after)
	}
}

// TestDropoutNoiseShape checks masks broadcast as Keras's noise_shape:
// whole samples, whole features, an inner axis of a 3-D input, and that
// the draws are the kernels' keep decisions over the noise shape.
func TestDropoutNoiseShape(t *testing.T) {
	const rows, rate = 8, 0.5
	x := make([]float32, rows*6)
	for i := range x {
		x[i] = float32(i + 1)
	}
	run := func(l Layer, in []int) (*dropoutLayer, []float32) {
		t.Helper()
		d := l.(*dropoutLayer)
		d.name = "d"
		if _, err := d.build(in, 11, &paramBudget{}); err != nil {
			t.Fatal(err)
		}
		d.reserve(rows)
		return d, d.forward(x, rows, training)
	}
	// keep[k] = the kernel's decision for position k of the noise shape
	keeps := func(n int) []bool {
		mask := make([]uint64, reg.MaskWords(n))
		reg.Dropout{Rate: rate, Seed: 11}.Forward(make([]float32, n), make([]float32, n), mask, 0)
		k := make([]bool, n)
		for i := range k {
			k[i] = mask[i/64]>>(i%64)&1 == 1
		}
		return k
	}
	check := func(name string, y []float32, keepOf func(i int) bool) {
		t.Helper()
		for i := range y {
			want := float32(0)
			if keepOf(i) {
				want = x[i] * 2
			}
			if y[i] != want {
				t.Fatalf("%s: y[%d] = %v, want %v", name, i, y[i], want)
			}
		}
	}
	_, y := run(Dropout(rate, 0, 1), []int{6})
	k := keeps(rows)
	check("per sample", y, func(i int) bool { return k[i/6] })
	_, y = run(Dropout(rate, 1, 0), []int{6})
	k = keeps(6)
	check("per feature", y, func(i int) bool { return k[i%6] })
	// (batch, 2, 3) with noise (None, 1, None): one draw per sample and column
	_, y = run(Dropout(rate, 0, 1, 0), []int{2, 3})
	k = keeps(rows * 3)
	check("3-D", y, func(i int) bool { return k[(i/6)*3+i%3] })
	// a noise shape equal to the input's draws as without one
	d, y := run(Dropout(rate, 0, 6), []int{6})
	if d.noise != nil {
		t.Error("a full noise shape takes the broadcast path")
	}
	k = keeps(rows * 6)
	check("full", y, func(i int) bool { return k[i] })
	// the second batch draws fresh values: the offset advances by the noise size
	d, _ = run(Dropout(rate, 0, 1), []int{6})
	y = d.forward(x, rows, training)
	k = keeps(2 * rows)
	check("second batch", y, func(i int) bool { return k[rows+i/6] })
	// backward applies the broadcast mask
	dy := make([]float32, rows*6)
	for i := range dy {
		dy[i] = 1
	}
	dx := d.backward(dy, rows, true)
	for i := range dx {
		if want := map[bool]float32{true: 2, false: 0}[k[rows+i/6]]; dx[i] != want {
			t.Fatalf("backward dx[%d] = %v, want %v", i, dx[i], want)
		}
	}
	// alpha dropout: kept values a*x+b, dropped a*α'+b, per sample
	_, y = run(AlphaDropout(0.2, 0, 1), []int{6})
	a, b := asm.AlphaDropoutCoefficients(0.2)
	mask := make([]uint64, 1)
	reg.Dropout{Rate: 0.2, Seed: 11}.Forward(make([]float32, rows), make([]float32, rows), mask, 0)
	for i := range y {
		want := a*float32(reg.AlphaPrime) + b
		if mask[0]>>(i/6)&1 == 1 {
			want = a*x[i] + b
		}
		if math.Abs(float64(y[i]-want)) > 1e-6 {
			t.Fatalf("alpha dropout y[%d] = %v, want %v", i, y[i], want)
		}
	}
	for _, c := range []struct {
		l    Layer
		want string
	}{
		{Dropout(0.5, 0), "needs 2 entries"},
		{Dropout(0.5, 4, 0), "batch entry"},
		{Dropout(0.5, 0, 3), "does not broadcast"},
		{AlphaDropout(0.5, 0, -1), "does not broadcast"},
	} {
		m := NewSequential([]int{6}, c.l, Dense(DenseConfig{Units: 2}))
		if err := m.Compile(CompileConfig{Optimizer: NewSGD(0.1)}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("noise shape %v: Compile error %v, want one mentioning %q", c.l.Spec().NoiseShape, err, c.want)
		}
	}
}

func TestLeakyReLU(t *testing.T) {
	x := []float32{-2, 0, 3, -0.5}
	for _, c := range []struct {
		l    Layer
		want []float32
	}{
		{LeakyReLU(LeakyReLUSlope), []float32{-0.6, 0, 3, -0.15}},
		{LeakyReLU(0), []float32{0, 0, 3, 0}},
		{Activation("leaky_relu"), []float32{-0.4, 0, 3, -0.1}},
	} {
		l := c.l.(*activationLayer)
		l.name = "a"
		if _, err := l.build([]int{4}, 0, &paramBudget{}); err != nil {
			t.Fatal(err)
		}
		l.reserve(1)
		y := l.forward(x, 1, training)
		for i := range y {
			if math.Abs(float64(y[i]-c.want[i])) > 1e-7 {
				t.Errorf("%+v: y = %v, want %v", l.Spec(), y, c.want)
				break
			}
		}
		dx := l.backward([]float32{1, 1, 1, 1}, 1, true)
		slope := c.want[0] / -2
		if want := []float32{slope, 1, 1, slope}; dx[0] != want[0] || dx[2] != 1 || dx[3] != want[3] {
			t.Errorf("%+v: dx = %v, want %v (dx at 0 is the slope's side as asm decides)", l.Spec(), dx, want)
		}
	}
	m := NewSequential([]int{4}, LeakyReLU(-0.1), Dense(DenseConfig{Units: 2}))
	if err := m.Compile(CompileConfig{Optimizer: NewSGD(0.1)}); err == nil || !strings.Contains(err.Error(), "negative_slope") {
		t.Errorf("negative slope: Compile error %v", err)
	}
}

// TestSaveLoadNewConfig round-trips the configuration fields of frozen
// batch norm, noise shapes, LeakyReLU slopes and RMSprop's momentum and
// centering.
func TestSaveLoadNewConfig(t *testing.T) {
	x, y := blobs(60, 6, 3, 4)
	f := false
	m := NewSequential([]int{6},
		Dense(DenseConfig{Units: 8, Activation: "leaky_relu"}),
		BatchNormalization(BatchNormConfig{Trainable: &f}), LeakyReLU(0.1),
		Dropout(0.3, 0, 1), AlphaDropout(0.1, 1, 0),
		Dense(DenseConfig{Units: 3, Activation: "softmax"}))
	o := NewRMSprop(0.01)
	o.Momentum, o.Centered = 0.5, true
	compiled(t, m, o)
	if _, err := m.Fit(x, y, FitConfig{Epochs: 1, BatchSize: 20}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "m.safetensors")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	m2, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range m.layers {
		if a, b := l.Spec(), m2.layers[i].Spec(); !reflect.DeepEqual(a, b) {
			t.Errorf("layer %d: spec %+v after load, want %+v", i, b, a)
		}
	}
	if !m2.layers[1].(*batchNorm).frozen || m2.layers[2].(*activationLayer).slope == nil || *m2.layers[2].(*activationLayer).slope != 0.1 {
		t.Error("frozen batch norm or LeakyReLU slope not restored")
	}
	if m2.opt.Kind != "rmsprop" || m2.opt.Momentum != 0.5 || !m2.opt.Centered || len(m2.opt.ag) == 0 {
		t.Errorf("optimizer %+v not restored", m2.opt)
	}
	p1, _ := m.Predict(x, 0)
	p2, _ := m2.Predict(x, 0)
	if !reflect.DeepEqual(p1, p2) {
		t.Error("predictions differ after load")
	}
}
