package nn

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/nnrt/nnrt/reg"
	"github.com/nnrt/nnrt/runtime"
	"github.com/nnrt/nnrt/sched"
)

// blobs returns n samples of d features in k Gaussian clusters (labels = cluster).
func blobs(n, d, k int, seed uint64) ([]float32, []int32) {
	rng := rand.New(rand.NewPCG(seed, 9))
	centers := make([]float64, k*d)
	for i := range centers {
		centers[i] = 3 * rng.NormFloat64()
	}
	x := make([]float32, n*d)
	y := make([]int32, n)
	for i := 0; i < n; i++ {
		c := rng.IntN(k)
		y[i] = int32(c)
		for j := 0; j < d; j++ {
			x[i*d+j] = float32(centers[c*d+j] + rng.NormFloat64())
		}
	}
	return x, y
}

func smallModel(extra ...Layer) *Sequential {
	layers := append([]Layer{Dense(DenseConfig{Units: 16, Activation: "elu", KernelInitializer: "he_normal"})}, extra...)
	layers = append(layers, Dense(DenseConfig{Units: 3, Activation: "softmax"}))
	return NewSequential([]int{8}, layers...)
}

func compiled(t testing.TB, m *Sequential, opt *Optimizer) *Sequential {
	t.Helper()
	return compiledWith(t, m, CompileConfig{Optimizer: opt, Metrics: []string{"accuracy"}, Seed: 5})
}

func compiledWith(t testing.TB, m *Sequential, cfg CompileConfig) *Sequential {
	t.Helper()
	if err := m.Compile(cfg); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestFitLearnsBlobs(t *testing.T) {
	x, y := blobs(600, 8, 3, 1)
	m := compiled(t, smallModel(), NewSGD(0.05))
	h, err := m.Fit(x, y, FitConfig{Epochs: 5, BatchSize: 32, ValidationSplit: 0.2, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Epochs) != 5 {
		t.Fatalf("%d epochs", len(h.Epochs))
	}
	last := h.Epochs[4]
	if last.ValAccuracy < 0.95 || last.Loss >= h.Epochs[0].Loss || last.LearningRate != 0.05 || !(last.Seconds > 0) {
		t.Errorf("history %+v", h.Epochs)
	}
	if m.opt.Iterations() != 5*((480+31)/32) {
		t.Errorf("iterations %d, want %d (validation split keeps 480 samples)", m.opt.Iterations(), 5*15)
	}
}

func TestInitializerStatistics(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	const fi, fo = 784, 300
	w := make([]float32, fi*fo)
	stats := func() (mean, std, maxAbs float64) {
		for _, v := range w {
			mean += float64(v)
			maxAbs = math.Max(maxAbs, math.Abs(float64(v)))
		}
		mean /= float64(len(w))
		for _, v := range w {
			std += (float64(v) - mean) * (float64(v) - mean)
		}
		return mean, math.Sqrt(std / float64(len(w))), maxAbs
	}
	for _, c := range []struct {
		name    string
		std     float64 // post-truncation (or uniform) std
		bound   float64 // |w| <= bound
		uniform bool
	}{
		// he_normal: sqrt(2/784) = 0.0505076 after truncation at 2 sigma of 0.0574195
		{"he_normal", math.Sqrt(2.0 / fi), 2 * 0.0574195, false},
		{"lecun_normal", math.Sqrt(1.0 / fi), 2 * math.Sqrt(1.0/fi) / truncatedNormalStd, false},
		{"glorot_normal", math.Sqrt(2.0 / (fi + fo)), 2 * math.Sqrt(2.0/(fi+fo)) / truncatedNormalStd, false},
		// uniform(-l, l) has std l/sqrt(3)
		{"glorot_uniform", math.Sqrt(6.0/(fi+fo)) / math.Sqrt(3), math.Sqrt(6.0 / (fi + fo)), true},
		{"he_uniform", math.Sqrt(6.0/fi) / math.Sqrt(3), math.Sqrt(6.0 / fi), true},
		{"lecun_uniform", math.Sqrt(3.0/fi) / math.Sqrt(3), math.Sqrt(3.0 / fi), true},
	} {
		in, err := lookupInitializer(c.name)
		if err != nil {
			t.Fatal(err)
		}
		in.fill(w, fi, fo, rng)
		mean, std, maxAbs := stats()
		if math.Abs(mean) > 4*c.std/math.Sqrt(float64(len(w))) || math.Abs(std-c.std) > 0.01*c.std || maxAbs > c.bound*(1+1e-6) {
			t.Errorf("%s: mean %.3g std %.6g (want %.6g) max %.6g (bound %.6g)", c.name, mean, std, c.std, maxAbs, c.bound)
		}
		if c.uniform && maxAbs < 0.99*c.bound {
			t.Errorf("%s: max %.6g never reaches the limit %.6g", c.name, maxAbs, c.bound)
		}
	}
	if got := initializers["he_normal"].scaleParam(784, 300); math.Abs(got-0.0574195) > 1e-6 {
		t.Errorf("he_normal pre-truncation stddev %.7f, want 0.0574195", got)
	}
	for name, want := range map[string]float32{"zeros": 0, "ones": 1} {
		in, _ := lookupInitializer(name)
		in.fill(w[:10], 10, 1, rng)
		for _, v := range w[:10] {
			if v != want {
				t.Errorf("%s gave %v", name, v)
			}
		}
	}
}

func TestBatchNormMovingAverages(t *testing.T) {
	bn := BatchNormalization(BatchNormConfig{}).(*batchNorm)
	bn.name = "bn"
	if _, err := bn.build([]int{2}, 0, &paramBudget{}); err != nil {
		t.Fatal(err)
	}
	bn.reserve(4)
	x := []float32{1, 10, 2, 20, 3, 30, 6, 40}
	// feature 0: mean 3, biased var (4+1+0+9)/4 = 3.5; feature 1: mean 25, var (225+25+25+225)/4 = 125
	y := bn.forward(x, 4, training)
	mm, mv := bn.mmean.Value, bn.mvar.Value
	want := []float64{0.01 * 3, 0.01 * 25, 0.99 + 0.01*3.5, 0.99 + 0.01*125}
	got := []float32{mm[0], mm[1], mv[0], mv[1]}
	for i := range want {
		if math.Abs(float64(got[i])-want[i]) > 1e-5 {
			t.Errorf("moving stat %d = %v, want %v", i, got[i], want[i])
		}
	}
	if v := float64(y[0]); math.Abs(v-(1-3)/math.Sqrt(3.5+1e-3)) > 1e-5 {
		t.Errorf("training output %v", v)
	}
	// inference uses the moving statistics
	y = bn.forward(x, 4, evaluate)
	if v := float64(y[0]); math.Abs(v-(1-0.03)/math.Sqrt(float64(mv[0])+1e-3)) > 1e-5 {
		t.Errorf("inference output %v", v)
	}
	if mm[0] != got[0] || mv[0] != got[2] {
		t.Error("inference changed the moving statistics")
	}
}

func TestNormalizationAdapt(t *testing.T) {
	norm := Normalization()
	m := NewSequential([]int{2, 2}, Flatten(), norm, Dense(DenseConfig{Units: 2, Activation: "softmax"}))
	compiled(t, m, NewSGD(0.1))
	if m.firstParam != 2 {
		t.Errorf("backward stops at layer %d, want 2 (the first trainable one)", m.firstParam)
	}
	// feature 0: 1, 3 -> mean 2, var 1; feature 1: 5, 5 -> var 0 (divided by 1e-7)
	x := []float32{1, 5, 0, 2, 3, 5, 2, 2}
	if err := norm.Adapt(x); err != nil {
		t.Fatal(err)
	}
	m.reserve(1)
	y := norm.forward([]float32{4, 5, 1, 2}, 1, evaluate)
	if y[0] != 2 || y[1] != 0 || y[2] != 0 || y[3] != 0 {
		t.Errorf("normalized %v, want [2 0 0 0]", y)
	}
	y = norm.forward([]float32{2, 5.5, 1, 2}, 1, evaluate)
	if math.Abs(float64(y[1])-0.5/1e-7) > 1 {
		t.Errorf("zero-variance feature gave %v, want 0.5/1e-7", y[1])
	}
	if err := norm.Adapt(x[:3]); err == nil {
		t.Error("ragged data accepted")
	}
}

func TestOptimizerStepsByHand(t *testing.T) {
	w0, g := float32(1), float32(0.5)
	run := func(o *Optimizer, steps int) float64 {
		p := newParam("w", true, 1)
		p.Value[0] = w0
		o.bind([]*Param{p})
		for i := 0; i < steps; i++ {
			p.Grad[0] = g
			o.step()
		}
		return float64(p.Value[0])
	}
	check := func(name string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-6 {
			t.Errorf("%s: w = %.9g, want %.9g", name, got, want)
		}
	}
	check("sgd", run(NewSGD(0.1), 2), 1-2*0.1*0.5)
	// momentum 0.9: m1 = -0.05, w1 = 0.95; m2 = 0.9*-0.05 - 0.05 = -0.095, w2 = 0.855
	o := NewSGD(0.1)
	o.Momentum = 0.9
	check("sgd momentum", run(o, 2), 0.855)
	// nesterov: w1 = 1 + 0.9*(-0.05) - 0.05 = 0.905; m2 = -0.095, w2 = 0.905 + 0.9*(-0.095) - 0.05 = 0.7695
	o = NewSGD(0.1)
	o.Momentum, o.Nesterov = 0.9, true
	check("sgd nesterov", run(o, 2), 0.7695)
	// Adam t=1: m = 0.05, v = 0.00025, alpha = 0.01*sqrt(0.001)/0.1; w -= alpha*m/(sqrt(v)+1e-7)
	m, v := 0.05, 0.00025
	alpha := 0.01 * math.Sqrt(1-0.999) / (1 - 0.9)
	w1 := 1 - alpha*m/(math.Sqrt(v)+1e-7)
	check("adam 1", run(NewAdam(0.01), 1), w1)
	// t=2
	m, v = 0.9*m+0.1*0.5, 0.999*v+0.001*0.25
	alpha = 0.01 * math.Sqrt(1-0.999*0.999) / (1 - 0.81)
	check("adam 2", run(NewAdam(0.01), 2), w1-alpha*m/(math.Sqrt(v)+1e-7))
	// Nadam t=1 (keras nadam.py)
	u1 := 0.9 * (1 - 0.5*math.Pow(0.96, 1))
	u2 := 0.9 * (1 - 0.5*math.Pow(0.96, 2))
	m, v = 0.05, 0.00025
	mhat := u2*m/(1-u1*u2) + (1-u1)*0.5/(1-u1)
	vhat := v / (1 - 0.999)
	check("nadam 1", run(NewNadam(0.01), 1), 1-0.01*mhat/(math.Sqrt(vhat)+1e-7))
	// RMSprop: v = 0.1*0.25, w -= lr*g/sqrt(v+eps)
	check("rmsprop", run(NewRMSprop(0.01), 1), 1-0.01*0.5/math.Sqrt(0.025+1e-7))
	// schedule: LR(step) with step = iterations before the update
	o = NewSGD(1)
	o.Schedule = sched.Piecewise{Boundaries: []int{0}, Values: []float64{0.1, 0.01}}
	check("schedule", run(o, 2), 1-0.1*0.5-0.01*0.5)
	// clipvalue before the update
	o = NewSGD(0.1)
	o.Clip.Value = 0.2
	check("clipvalue", run(o, 1), 1-0.1*0.2)
}

func TestMaxNormAfterUpdate(t *testing.T) {
	x, y := blobs(64, 8, 3, 2)
	m := NewSequential([]int{8},
		Dense(DenseConfig{Units: 16, Activation: "relu", KernelConstraint: &reg.ConstraintSpec{Kind: "max_norm", MaxValue: 0.5}}),
		Dense(DenseConfig{Units: 3, Activation: "softmax"}))
	compiled(t, m, NewSGD(0.5))
	if _, err := m.Fit(x, y, FitConfig{Epochs: 2}); err != nil {
		t.Fatal(err)
	}
	k := m.params[0]
	for j := 0; j < 16; j++ {
		var s float64
		for i := 0; i < 8; i++ {
			s += float64(k.Value[i*16+j]) * float64(k.Value[i*16+j])
		}
		if math.Sqrt(s) > 0.5+1e-5 {
			t.Errorf("unit %d has norm %v > 0.5", j, math.Sqrt(s))
		}
	}
}

func TestPenaltyInReportedLoss(t *testing.T) {
	x, y := blobs(64, 8, 3, 2)
	mk := func(l2 float32) *Sequential {
		m := NewSequential([]int{8}, Dense(DenseConfig{Units: 3, Activation: "softmax", KernelRegularizer: reg.L2(l2)}))
		return compiled(t, m, NewSGD(0.01))
	}
	a, b := mk(0), mk(0.5)
	ea, _ := a.Evaluate(x, y, 0)
	eb, _ := b.Evaluate(x, y, 0)
	var ss float64
	for _, v := range b.params[0].Value {
		ss += float64(v) * float64(v)
	}
	if d := eb.Loss - ea.Loss; math.Abs(d-0.5*ss) > 1e-5 {
		t.Errorf("evaluate loss difference %v, want l2*sum w² = %v", d, 0.5*ss)
	}
	la, _ := a.TrainOnBatch(x[:8*8], y[:8])
	lb, _ := b.TrainOnBatch(x[:8*8], y[:8])
	if d := lb - la; math.Abs(d-0.5*ss) > 1e-4 {
		t.Errorf("batch loss difference %v, want %v", d, 0.5*ss)
	}
}

func TestBadInputs(t *testing.T) {
	x, y := blobs(40, 8, 3, 2)
	notFlat := NewSequential([]int{2, 4}, Dense(DenseConfig{Units: 3}))
	for name, c := range map[string]struct {
		m    *Sequential
		want string
	}{
		"not flat":       {notFlat, "Flatten"},
		"units":          {NewSequential([]int{8}, Dense(DenseConfig{Units: 0})), "units"},
		"activation":     {NewSequential([]int{8}, Dense(DenseConfig{Units: 3, Activation: "swish2"})), "activation"},
		"initializer":    {NewSequential([]int{8}, Dense(DenseConfig{Units: 3, KernelInitializer: "orthogonal"})), "initializer"},
		"dropout rate":   {NewSequential([]int{8}, Dropout(1.5), Dense(DenseConfig{Units: 3})), "rate"},
		"no layers":      {NewSequential([]int{8}), "no layers"},
		"bad input":      {NewSequential([]int{0}, Dense(DenseConfig{Units: 3})), "input shape"},
		"2-D output":     {NewSequential([]int{2, 4}, Dropout(0.1)), "not flat"},
		"duplicate name": {NewSequential([]int{8}, Dense(DenseConfig{Units: 3}), Dense(DenseConfig{Units: 3})), ""},
	} {
		if name == "duplicate name" {
			c.m.layers[1].base().name = "dense"
			c.want = "two layers"
		}
		err := c.m.Compile(CompileConfig{Optimizer: NewSGD(0.1)})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Compile error %v, want one mentioning %q", name, err, c.want)
		}
	}
	if err := smallModel().Compile(CompileConfig{Optimizer: NewSGD(0.1), Loss: "hinge"}); err == nil {
		t.Error("unknown loss accepted")
	}
	if err := smallModel().Compile(CompileConfig{Optimizer: &Optimizer{Kind: "sgd"}}); err == nil {
		t.Error("learning rate 0 accepted")
	}
	o := NewSGD(0.1)
	o.Clip = reg.Clip{Norm: 1, GlobalNorm: 1}
	if err := smallModel().Compile(CompileConfig{Optimizer: o}); err == nil {
		t.Error("two clipping modes accepted")
	}
	if _, err := smallModel().Fit(x, y, FitConfig{}); err == nil {
		t.Error("Fit before Compile accepted")
	}

	m := compiled(t, smallModel(), NewSGD(0.1))
	bad := append([]int32(nil), y...)
	bad[7] = 3
	nan := append([]float32(nil), x...)
	nan[13] = float32(math.NaN())
	for name, c := range map[string]struct {
		x    []float32
		y    []int32
		cfg  FitConfig
		want string
	}{
		"label out of range": {x, bad, FitConfig{}, "label 7 is 3"},
		"negative label":     {x, []int32{-1}, FitConfig{}, ""},
		"length mismatch":    {x, y[:30], FitConfig{}, "40 samples but y has 30"},
		"ragged x":           {x[:len(x)-1], y, FitConfig{}, "not 40 samples"},
		"empty":              {nil, nil, FitConfig{}, "empty"},
		"nan":                {nan, y, FitConfig{}, "sample 1"},
		"bad split":          {x, y, FitConfig{ValidationSplit: 1.5}, "split"},
		"validation labels":  {x, y, FitConfig{ValidationX: x, ValidationY: bad}, "label 7"},
		"negative epochs":    {x, y, FitConfig{Epochs: -1}, "epochs"},
	} {
		_, err := m.Fit(c.x, c.y, c.cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Fit error %v, want one mentioning %q", name, err, c.want)
		}
	}
	if _, err := m.Evaluate(x, bad, 0); err == nil {
		t.Error("Evaluate with a bad label accepted")
	}
	if _, err := m.Predict(x[:5], 0); err == nil {
		t.Error("Predict of a partial sample accepted")
	}
	for name, c := range map[string]struct {
		m    *Sequential
		x    []float32
		y    []int32
		want string
	}{
		"bad label":    {m, x[:16], []int32{0, 5}, "label 1 of the batch is 5"},
		"empty":        {m, nil, nil, "empty batch"},
		"ragged x":     {m, x[:15], []int32{0, 1}, "x has 15 values, want 2 samples x 8"},
		"not compiled": {smallModel(), x[:16], []int32{0, 1}, "not compiled"},
		"dense loss": {compiledWith(t, smallModel(), CompileConfig{Optimizer: NewSGD(0.1), Loss: MeanSquaredError}),
			x[:16], []int32{0, 1}, "takes class labels"},
	} {
		if _, err := c.m.TrainOnBatch(c.x, c.y); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: TrainOnBatch error %v, want one mentioning %q", name, err, c.want)
		}
	}
	if _, err := m.FitTargets(x, make([]float32, 40*3), FitConfig{}); err == nil {
		t.Error("FitTargets with a sparse loss accepted")
	}
}

func TestDeterminism(t *testing.T) {
	x, y := blobs(300, 8, 3, 4)
	// two threads and layers wide enough for Sgemm and the updates to split
	defer runtime.SetThreads(runtime.SetThreads(2))
	epochs := 3
	if testing.Short() {
		epochs = 2 // the second epoch still depends on the first's shuffle, masks and updates
	}
	run := func() (*History, [][]float32) {
		m := compiled(t, smallModel(Dropout(0.2), Dense(DenseConfig{Units: 512, Activation: "relu"}), Dense(DenseConfig{Units: 40, Activation: "tanh"})), NewAdam(0.01))
		h, err := m.Fit(x, y, FitConfig{Epochs: epochs, BatchSize: 16, Seed: 8, ValidationSplit: 0.1})
		if err != nil {
			t.Fatal(err)
		}
		return h, m.Weights()
	}
	h1, w1 := run()
	h2, w2 := run()
	for i := range h1.Epochs {
		a, b := h1.Epochs[i], h2.Epochs[i]
		if math.Float64bits(a.Loss) != math.Float64bits(b.Loss) || math.Float64bits(a.ValLoss) != math.Float64bits(b.ValLoss) ||
			a.Accuracy != b.Accuracy || a.ValAccuracy != b.ValAccuracy {
			t.Errorf("epoch %d differs: %+v vs %+v", i, a, b)
		}
	}
	for i := range w1 {
		for j := range w1[i] {
			if math.Float32bits(w1[i][j]) != math.Float32bits(w2[i][j]) {
				t.Fatalf("weights %d[%d] differ", i, j)
			}
		}
	}
}

// TestThreadCountInvariance: 1, 2 and 3 threads train to the same bits,
// with batches large enough that the products, the activations, batch
// normalization (its passes and its sums), dropout, alpha dropout and the
// updates are all split across threads.
func TestThreadCountInvariance(t *testing.T) {
	x, y := blobs(512, 8, 3, 4)
	defer runtime.SetThreads(runtime.SetThreads(1))
	var ref [][]float32
	for _, threads := range []int{1, 2, 3} {
		runtime.SetThreads(threads)
		m := compiled(t, NewSequential([]int{8},
			Dense(DenseConfig{Units: 512, Activation: "elu"}), BatchNormalization(BatchNormConfig{}), Dropout(0.3),
			Dense(DenseConfig{Units: 256, Activation: "selu"}), AlphaDropout(0.2),
			Dense(DenseConfig{Units: 3, Activation: "softmax"})), NewAdam(0.01))
		if parallelElems > 128*256 {
			t.Fatalf("batches of 128 by 256 units no longer split (parallelElems %d)", parallelElems)
		}
		if _, err := m.Fit(x, y, FitConfig{Epochs: 2, BatchSize: 128, Seed: 3}); err != nil {
			t.Fatal(err)
		}
		w := m.Weights()
		if ref == nil {
			ref = w
			continue
		}
		for i := range w {
			for j := range w[i] {
				if math.Float32bits(w[i][j]) != math.Float32bits(ref[i][j]) {
					t.Fatalf("threads=%d: weights %d[%d] = %g, with one thread %g", threads, i, j, w[i][j], ref[i][j])
				}
			}
		}
	}
}

func TestTrainOnBatchAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	x, y := blobs(32, 8, 3, 4)
	o := NewNadam(0.001)
	o.Clip.GlobalNorm = 1
	m := NewSequential([]int{8},
		Dense(DenseConfig{Units: 16, Activation: "elu", KernelRegularizer: reg.L2(1e-3), KernelConstraint: &reg.ConstraintSpec{Kind: "max_norm", MaxValue: 1}}),
		BatchNormalization(BatchNormConfig{}), Dropout(0.2), AlphaDropout(0.1),
		Dense(DenseConfig{Units: 3, Activation: "softmax"}))
	compiled(t, m, o)
	if _, err := m.TrainOnBatch(x, y); err != nil {
		t.Fatal(err)
	}
	runs := 50
	if testing.Short() {
		runs = 10
	}
	if n := testing.AllocsPerRun(runs, func() { _, _ = m.TrainOnBatch(x, y) }); n != 0 {
		t.Errorf("TrainOnBatch allocates %v times per step", n)
	}
	// the general RMSprop kernel (momentum, centered) allocates nothing either
	o2 := NewRMSprop(1e-3)
	o2.Momentum, o2.Centered = 0.9, true
	m2 := compiled(t, smallModel(LeakyReLU(0.1), Dropout(0.3, 0, 1), BatchNormalization(BatchNormConfig{Trainable: new(bool)})), o2)
	if _, err := m2.TrainOnBatch(x, y); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(runs, func() { _, _ = m2.TrainOnBatch(x, y) }); n != 0 {
		t.Errorf("TrainOnBatch with RMSprop momentum, noise shape, frozen batch norm allocates %v times per step", n)
	}
	// a kernel of two update chunks: the update runs in parallel
	defer runtime.SetThreads(runtime.SetThreads(2))
	big := NewSequential([]int{8}, Dense(DenseConfig{Units: 2 * updateGrain / 8, Activation: "relu"}), Dense(DenseConfig{Units: 3, Activation: "softmax"}))
	compiled(t, big, NewAdam(1e-3))
	if _, err := big.TrainOnBatch(x, y); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(runs, func() { _, _ = big.TrainOnBatch(x, y) }); n != 0 {
		t.Errorf("TrainOnBatch with parallel updates allocates %v times per step", n)
	}
}

func TestPredictMC(t *testing.T) {
	x, y := blobs(50, 8, 3, 4)
	m := compiled(t, smallModel(Dropout(0.5)), NewSGD(0.1))
	if _, err := m.Fit(x, y, FitConfig{Epochs: 2}); err != nil {
		t.Fatal(err)
	}
	mean, std, err := m.PredictMC(x, 30, 0)
	if err != nil {
		t.Fatal(err)
	}
	var sumStd float64
	for r := 0; r < 50; r++ {
		var s float64
		for j := 0; j < 3; j++ {
			s += float64(mean[r*3+j])
			sumStd += float64(std[r*3+j])
		}
		if math.Abs(s-1) > 1e-5 {
			t.Fatalf("row %d of the MC mean sums to %v", r, s)
		}
	}
	if sumStd == 0 {
		t.Error("MC dropout gave no spread")
	}
	// without dropout every pass is the same: std 0, mean = Predict
	m2 := compiled(t, smallModel(), NewSGD(0.1))
	p2, _ := m2.Predict(x, 0)
	mean, std, _ = m2.PredictMC(x, 3, 7)
	for i := range p2 {
		if std[i] > 1e-6 || math.Abs(float64(mean[i]-p2[i])) > 1e-6 {
			t.Fatalf("no dropout: mean %v std %v predict %v", mean[i], std[i], p2[i])
		}
	}
}

func TestSaveLoad(t *testing.T) {
	x, y := blobs(100, 8, 3, 4)
	m := NewSequential([]int{8},
		Dense(DenseConfig{Units: 16, Activation: "selu", KernelInitializer: "lecun_normal", KernelRegularizer: reg.L1L2{L1: 1e-4, L2: 1e-3},
			KernelConstraint: &reg.ConstraintSpec{Kind: "max_norm", MaxValue: 2}}),
		BatchNormalization(BatchNormConfig{Momentum: 0.9}), AlphaDropout(0.1), Activation("tanh"), Normalization(),
		Dense(DenseConfig{Units: 3, Activation: "softmax"}))
	o := NewNadam(0.002)
	o.Clip.Norm = 1
	compiled(t, m, o)
	if _, err := m.Fit(x, y, FitConfig{Epochs: 2}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "model.safetensors")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("save left %d files (temporary files?)", len(entries))
	}
	m2, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	p1, _ := m.Predict(x, 0)
	p2, _ := m2.Predict(x, 0)
	for i := range p1 {
		if math.Float32bits(p1[i]) != math.Float32bits(p2[i]) {
			t.Fatalf("prediction %d differs after load: %v vs %v", i, p1[i], p2[i])
		}
	}
	if m2.opt.Kind != "nadam" || m2.opt.LearningRate != 0.002 || m2.opt.Clip.Norm != 1 {
		t.Errorf("optimizer config not restored: %+v", m2.opt)
	}
	// a model of another shape refuses the weights
	other := compiled(t, smallModel(), NewSGD(0.1))
	if err := other.LoadWeights(path); err == nil {
		t.Error("weights of another architecture loaded")
	}
	// corrupt and truncated files fail cleanly
	b, _ := os.ReadFile(path)
	for name, data := range map[string][]byte{
		"truncated": b[:len(b)-3], "short": b[:5], "empty": nil,
		"garbage": []byte("this is not a safetensors file at all"),
	} {
		p := filepath.Join(dir, name+".safetensors")
		os.WriteFile(p, data, 0o644)
		if err := m2.LoadWeights(p); err == nil {
			t.Errorf("%s file loaded", name)
		}
	}
}

func TestCallbacks(t *testing.T) {
	x, y := blobs(200, 8, 3, 5)
	// LearningRateScheduler sets the rate of each epoch; history logs it
	m := compiled(t, smallModel(), NewSGD(0.1))
	h, err := m.Fit(x, y, FitConfig{Epochs: 3, Callbacks: []Callback{LearningRateScheduler{Fn: func(e int, lr float64) float64 { return 0.1 / float64(e+1) }}}})
	if err != nil {
		t.Fatal(err)
	}
	for e, want := range []float64{0.1, 0.05, 0.1 / 3} {
		if h.Epochs[e].LearningRate != want {
			t.Errorf("epoch %d lr %v, want %v", e, h.Epochs[e].LearningRate, want)
		}
	}
	// ... and refuses a scheduled optimizer
	o := NewSGD(0)
	o.Schedule = sched.Constant(0.1)
	m = compiled(t, smallModel(), o)
	_, err = m.Fit(x, y, FitConfig{Callbacks: []Callback{LearningRateScheduler{Fn: func(int, float64) float64 { return 1 }}}})
	if !errors.Is(err, ErrScheduledLR) {
		t.Errorf("LearningRateScheduler on a schedule: %v", err)
	}

	// TerminateOnNaN names the epoch and batch
	m = compiled(t, smallModel(), NewSGD(1e30))
	h, err = m.Fit(x, y, FitConfig{Epochs: 3, Callbacks: []Callback{TerminateOnNaN{}}})
	if !errors.Is(err, ErrNaNLoss) || !strings.Contains(err.Error(), "epoch 1, batch") {
		t.Errorf("TerminateOnNaN: %v", err)
	}

	// CSVLogger: header and one row per epoch, no temporary files left
	dir := t.TempDir()
	csv := filepath.Join(dir, "log.csv")
	m = compiled(t, smallModel(), NewSGD(0.05))
	if _, err := m.Fit(x, y, FitConfig{Epochs: 2, ValidationSplit: 0.25, Callbacks: []Callback{CSVLogger{Path: csv}}}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(csv)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 3 || lines[0] != "epoch,accuracy,learning_rate,loss,val_accuracy,val_loss" || !strings.HasPrefix(lines[2], "1,") {
		t.Errorf("csv:\n%s", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d files in the log folder", len(entries))
	}

	// Progress writes Keras-style lines
	var sb strings.Builder
	m = compiled(t, smallModel(), NewSGD(0.05))
	if _, err := m.Fit(x, y, FitConfig{Epochs: 2, Callbacks: []Callback{&Progress{W: &sb}}}); err != nil {
		t.Fatal(err)
	}
	if out := sb.String(); !strings.Contains(out, "Epoch 2/2") || !strings.Contains(out, "7/7 [==============================]") || !strings.Contains(out, "accuracy:") {
		t.Errorf("progress output:\n%q", out)
	}
}

func TestReduceLROnPlateau(t *testing.T) {
	m := compiled(t, smallModel(), NewSGD(0.1))
	cfg := sched.KerasPlateau()
	cfg.Patience, cfg.Factor = 2, 0.5
	cb, err := NewReduceLROnPlateau(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := &TrainContext{Model: m}
	if err := cb.OnTrainBegin(ctx); err != nil {
		t.Fatal(err)
	}
	obs := m.opt.Schedule.(sched.EpochObserver)
	// scripted val_loss: improves, then 2 bad epochs -> halve, 2 more -> halve
	var lrs []float64
	for e, v := range []float64{1, 0.9, 0.95, 0.92, 0.91, 0.93} {
		obs.ObserveEpoch(e, v)
		lrs = append(lrs, m.opt.CurrentLR())
	}
	want := []float64{0.1, 0.1, 0.1, 0.05, 0.05, 0.025}
	for i := range want {
		if math.Abs(lrs[i]-want[i]) > 1e-12 {
			t.Fatalf("rates %v, want %v", lrs, want)
		}
	}
	if err := cb.OnTrainEnd(ctx); err != nil || m.opt.Schedule != nil || m.opt.LearningRate != 0.025 {
		t.Errorf("after training: schedule %v lr %v", m.opt.Schedule, m.opt.LearningRate)
	}
	// Fit wires it: needs validation data for val_loss
	x, y := blobs(100, 8, 3, 6)
	if _, err := m.Fit(x, y, FitConfig{Epochs: 1, Callbacks: []Callback{cb}}); err == nil {
		t.Error("plateau on val_loss without validation data accepted")
	}
	h, err := m.Fit(x, y, FitConfig{Epochs: 4, ValidationSplit: 0.2, Callbacks: []Callback{cb}})
	if err != nil || len(h.Epochs) != 4 {
		t.Fatalf("fit with plateau: %v", err)
	}
}

func TestEarlyStoppingRestoresBest(t *testing.T) {
	m := compiled(t, smallModel(), NewSGD(0.1))
	cb, err := EarlyStopping(reg.EarlyStoppingConfig{Patience: 1, RestoreBest: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := &TrainContext{Model: m}
	cb.OnTrainBegin(ctx)
	k := m.params[0].Value
	for e, v := range []float64{1, 0.5, 0.7, 0.8} {
		k[0] = float32(e) // weights "after" epoch e
		cb.OnEpochEnd(ctx, EpochLog{Epoch: e, ValLoss: v, Loss: v})
		if ctx.StopTraining {
			break
		}
	}
	if !ctx.StopTraining {
		t.Fatal("did not stop")
	}
	cb.OnTrainEnd(ctx)
	if k[0] != 1 {
		t.Errorf("restored weights from epoch %v, want 1 (best val_loss)", k[0])
	}
}

func TestFindLR(t *testing.T) {
	x, y := blobs(256, 8, 3, 7)
	m := compiled(t, smallModel(), NewSGD(0.01))
	before := m.Weights()
	rt, err := sched.NewRangeTest(1e-4, 10, 40)
	if err != nil {
		t.Fatal(err)
	}
	if err := FindLR(m, x, y, rt, 16); err != nil {
		t.Fatal(err)
	}
	if len(rt.Points()) < 5 {
		t.Errorf("%d points", len(rt.Points()))
	}
	after := m.Weights()
	for i := range before {
		for j := range before[i] {
			if before[i][j] != after[i][j] {
				t.Fatal("weights not restored")
			}
		}
	}
	if m.opt.Iterations() != 0 || m.opt.Schedule != nil {
		t.Error("optimizer state not restored")
	}
	if lr, _ := rt.Suggest(); !(lr > 0) {
		t.Errorf("suggestion %v", lr)
	}
}

func TestCategoricalAndMSE(t *testing.T) {
	x, y := blobs(300, 8, 3, 8)
	onehot := make([]float32, 300*3)
	for i, c := range y {
		onehot[i*3+int(c)] = 1
	}
	for _, loss := range []string{CategoricalCrossentropy, MeanSquaredError} {
		m := smallModel()
		if err := m.Compile(CompileConfig{Optimizer: NewAdam(0.01), Loss: loss, Metrics: []string{"accuracy"}, Seed: 1}); err != nil {
			t.Fatal(err)
		}
		h, err := m.FitTargets(x, onehot, FitConfig{Epochs: 5, ValidationSplit: 0.2})
		if err != nil {
			t.Fatal(err)
		}
		if acc := h.Epochs[4].ValAccuracy; acc < 0.9 {
			t.Errorf("%s: val accuracy %v", loss, acc)
		}
		ev, err := m.EvaluateTargets(x, onehot, 0)
		if err != nil || ev.Accuracy < 0.9 {
			t.Errorf("%s: evaluate %+v %v", loss, ev, err)
		}
	}
}

// fusedVsSeparate trains the same model twice from the same start, with the
// optimizer's fused and folded updates (as Fit plans them) and with every
// update separate (forced by a clipping bound that never binds), and fails
// t unless the weights and the reported losses (penalties included) agree
// to 1e-5.
func fusedVsSeparate(t *testing.T, what string, opt func() *Optimizer, cfg DenseConfig) {
	t.Helper()
	x, y := blobs(200, 8, 3, 9)
	run := func(clip float32) ([][]float32, *History) {
		o := opt()
		o.Clip.Value = clip
		m := compiled(t, smallModel(Dense(cfg)), o)
		h, err := m.Fit(x, y, FitConfig{Epochs: 2, BatchSize: 16})
		if err != nil {
			t.Fatal(err)
		}
		return m.Weights(), h
	}
	fused, hf := run(0)
	separate, hs := run(1e30)
	sameTraining(t, what, fused, separate, hf, hs)
}

// sameTraining fails t unless two trainings, fused and separate updates,
// ended with the same weights and reported the same losses, to 1e-5.
func sameTraining(t *testing.T, what string, fused, separate [][]float32, hf, hs *History) {
	t.Helper()
	for i := range fused {
		for j := range fused[i] {
			if d := math.Abs(float64(fused[i][j] - separate[i][j])); d > 1e-5*math.Max(1, math.Abs(float64(separate[i][j]))) {
				t.Fatalf("%s: variable %d[%d]: fused %v, separate %v", what, i, j, fused[i][j], separate[i][j])
			}
		}
	}
	for e := range hf.Epochs {
		if a, b := hf.Epochs[e].Loss, hs.Epochs[e].Loss; math.Abs(a-b) > 1e-5*b {
			t.Fatalf("%s: epoch %d: loss %v fused, %v separate", what, e, a, b)
		}
	}
}

// TestFusedSGD: a plain SGD step is fused into the Dense kernel's gradient
// product, with an L2 penalty folded into its beta; it must give the same
// weights and the same reported loss as the separate update.
func TestFusedSGD(t *testing.T) {
	for _, l2 := range []float32{0, 0.01} {
		fusedVsSeparate(t, fmt.Sprintf("sgd, l2 %g", l2), func() *Optimizer { return NewSGD(0.05) },
			DenseConfig{Units: 7, Activation: "tanh", KernelRegularizer: reg.L2(l2)})
	}
}

// TestFoldedL2: every other update kernel adds an L2 penalty's gradient
// itself (Param.foldL2); each must train as the separate pass that adds
// it to the gradient first. The biases are penalized too, so that plain
// SGD folds it for a variable outside the fused product.
func TestFoldedL2(t *testing.T) {
	for _, c := range []struct {
		name string
		opt  func() *Optimizer
	}{
		{"sgd", func() *Optimizer { return NewSGD(0.05) }},
		{"momentum", func() *Optimizer { o := NewSGD(0.02); o.Momentum = 0.9; return o }},
		{"nesterov", func() *Optimizer { o := NewSGD(0.02); o.Momentum = 0.9; o.Nesterov = true; return o }},
		{"adam", func() *Optimizer { return NewAdam(0.01) }},
		{"nadam", func() *Optimizer { return NewNadam(0.01) }},
		{"rmsprop", func() *Optimizer { return NewRMSprop(0.005) }},
	} {
		fusedVsSeparate(t, c.name, c.opt, DenseConfig{Units: 7, Activation: "elu",
			KernelRegularizer: reg.L2(0.01), BiasRegularizer: reg.L2(0.05)})
	}
}

// cyclic is a test schedule with a rate and a momentum per step.
type cyclic struct{ lr, mom []float64 }

func (c cyclic) LR(step int) float64       { return c.lr[step] }
func (c cyclic) Momentum(step int) float64 { return c.mom[step] }

func TestMomentumSchedule(t *testing.T) {
	p := newParam("w", true, 1)
	p.Value[0] = 1
	o := NewSGD(0)
	o.Schedule = cyclic{lr: []float64{0.1, 0.2}, mom: []float64{0.5, 0.9}}
	o.bind([]*Param{p})
	for i := 0; i < 2; i++ {
		p.Grad[0] = 1
		o.step()
	}
	// m1 = -0.1, w1 = 0.9; m2 = 0.9*(-0.1) - 0.2 = -0.29, w2 = 0.61
	if math.Abs(float64(p.Value[0])-0.61) > 1e-6 {
		t.Errorf("w = %v, want 0.61 (momentum taken from the schedule)", p.Value[0])
	}
}

func TestEpochLogJSON(t *testing.T) {
	e := EpochLog{Epoch: 2, Loss: 0.5, Accuracy: 0.75, ValLoss: math.NaN(), ValAccuracy: math.NaN(), LearningRate: 0.01, Seconds: 1.5}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"val_loss":null`) {
		t.Errorf("NaN not written as null: %s", b)
	}
	var back EpochLog
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Loss != 0.5 || back.Epoch != 2 || !math.IsNaN(back.ValLoss) || back.Seconds != 1.5 {
		t.Errorf("round trip: %+v", back)
	}
	if _, ok := back.Get("val_loss"); ok {
		t.Error("Get reports a NaN metric as present")
	}
	h := &History{Epochs: []EpochLog{e, back}}
	if s := h.Series("loss"); len(s) != 2 || s[1] != 0.5 {
		t.Errorf("series %v", s)
	}
}

// savedModel saves a small model with every kind of variable into a
// temporary folder and returns its weights and configuration files' bytes.
func savedModel(t testing.TB) (weights, config []byte) {
	m := NewSequential([]int{2, 4},
		Flatten(),
		Dense(DenseConfig{Units: 16, Activation: "selu", KernelInitializer: "lecun_normal",
			KernelConstraint: &reg.ConstraintSpec{Kind: "max_norm", MaxValue: 2}}),
		BatchNormalization(BatchNormConfig{}), Dropout(0.2), Normalization(),
		Dense(DenseConfig{Units: 3, Activation: "softmax"}))
	compiled(t, m, NewAdam(0.001))
	path := filepath.Join(t.TempDir(), "model.safetensors")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	weights, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	config, err = os.ReadFile(ConfigPath(path))
	if err != nil {
		t.Fatal(err)
	}
	return weights, config
}

// loadFiles writes weights and config into a temporary folder and Loads them.
func loadFiles(t testing.TB, weights, config []byte) (*Sequential, error) {
	path := filepath.Join(t.TempDir(), "model.safetensors")
	if os.WriteFile(path, weights, 0o644) != nil || os.WriteFile(ConfigPath(path), config, 0o644) != nil {
		t.Fatal("cannot write the files")
	}
	return Load(path)
}

// corruptConfigs are configurations that Load must refuse, each with a
// word of its error: edits of savedModel's.
var corruptConfigs = []struct{ old, new, want string }{
	{`"units": 16`, `"units": 40000000000`, "need 360000000000 values"},
	{`"units": 16`, `"units": 4611686018427387904`, "too large"},
	{`"units": 16`, `"units": -16`, "units must be > 0"},
	{`"units": 16`, `"units": 17`, "layer 5 (dense_1) with input shape [17]: its variables need 54 values, more than the weights file holds"},
	{"\"input_shape\": [\n    2,\n    4\n  ]", `"input_shape": [4294967296, 4294967296]`, "bad input shape"},
	{"\"input_shape\": [\n    2,\n    4\n  ]", `"input_shape": [2, 8]`, "more than the weights file holds"},
	{`"kind": "normalization"`, `"kind": "batch_normalization"`, "more than the weights file holds"},
	{`"kind": "flatten"`, `"kind": "conv2d"`, "unknown layer kind"},
	{`"format": "nnrt.sequential/1"`, `"format": "keras"`, "format"},
}

func TestLoadCorruptConfig(t *testing.T) {
	weights, config := savedModel(t)
	if _, err := loadFiles(t, weights, config); err != nil {
		t.Fatal(err)
	}
	for _, c := range corruptConfigs {
		bad := strings.Replace(string(config), c.old, c.new, 1)
		if bad == string(config) {
			t.Fatalf("%q is not in the saved configuration", c.old)
		}
		_, err := loadFiles(t, weights, []byte(bad))
		if err != nil && strconv.IntSize == 32 && strings.Contains(err.Error(), "cannot unmarshal number") {
			continue // a size past 32-bit int stops at the JSON
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s -> %s: error %v, want one mentioning %q", c.old, c.new, err, c.want)
		}
	}
}

// FuzzLoad feeds Load corrupt model configurations beside a good weights
// file: each returns an error or a model that predicts, never a panic nor
// an allocation beyond what the weights file holds (a layer of 10^11 units
// used to end the process for want of memory).
func FuzzLoad(f *testing.F) {
	weights, config := savedModel(f)
	f.Add(config)
	for _, c := range corruptConfigs {
		f.Add([]byte(strings.Replace(string(config), c.old, c.new, 1)))
	}
	f.Fuzz(func(t *testing.T, config []byte) {
		m, err := loadFiles(t, weights, config)
		if err != nil || prod(m.InputShape()) > 1<<16 {
			return // (a model without variables may take any input size)
		}
		x := make([]float32, 2*prod(m.InputShape()))
		if _, err := m.Predict(x, 0); err != nil {
			t.Fatalf("a loaded model does not predict: %v", err)
		}
	})
}
