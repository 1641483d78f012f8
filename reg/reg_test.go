package reg

import (
	"math"
	"testing"

	"github.com/nnrt/nnrt/asm"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b)) }

func TestL1L2ByHand(t *testing.T) {
	w := []float32{1, -2, 0, 0.5}
	// sum|w| = 3.5, sum w² = 5.25
	for _, c := range []struct {
		r       L1L2
		penalty float64
		grad    []float32
	}{
		{L1(0.01), 0.035, []float32{0.01, -0.01, 0, 0.01}},
		{L2(0.01), 0.0525, []float32{0.02, -0.04, 0, 0.01}}, // 2*l2*w: no 1/2 factor
		{L1L2{0.1, 0.2}, 0.35 + 1.05, []float32{0.1 + 0.4, -0.1 - 0.8, 0, 0.1 + 0.2}},
		{L1L2{}, 0, []float32{0, 0, 0, 0}},
	} {
		if p := c.r.Penalty(w); !near(p, c.penalty, 1e-6) {
			t.Errorf("%+v: Penalty = %v, want %v", c.r, p, c.penalty)
		}
		g := make([]float32, len(w))
		if p := c.r.AddGrad(g, w); !near(p, c.penalty, 1e-6) {
			t.Errorf("%+v: AddGrad penalty = %v, want %v", c.r, p, c.penalty)
		}
		for i := range g {
			if !near(float64(g[i]), float64(c.grad[i]), 1e-6) {
				t.Errorf("%+v: grad[%d] = %v, want %v", c.r, i, g[i], c.grad[i])
			}
		}
	}
	if (L1L2{L1: -1}).Validate() == nil || (L1L2{L2: float32(math.NaN())}).Validate() == nil {
		t.Error("negative or NaN factors must be rejected")
	}
}

func TestMaxNormByHand(t *testing.T) {
	// 2 rows x 2 cols: column norms 5 and 0.1, row norms sqrt(9+0.01), sqrt(16)
	w := []float32{3, 0.1, 4, 0}
	c, err := NewMaxNorm(2, 0)
	if err != nil {
		t.Fatal(err)
	}
	c.Apply(w, 2)
	f0 := 2 / (1e-7 + 5.0)
	f1 := 0.1 / (1e-7 + 0.1) // under the limit: still shrinks by n/(n+eps)
	want := []float64{3 * f0, 0.1 * f1, 4 * f0, 0}
	for i := range w {
		if !near(float64(w[i]), want[i], 1e-6) {
			t.Errorf("axis 0: w[%d] = %v, want %v", i, w[i], want[i])
		}
	}
	if w[1] >= 0.1 {
		t.Errorf("a column under the limit must shrink slightly: %v", w[1])
	}
	w = []float32{3, 0.1, 4, 0}
	c, _ = NewMaxNorm(1, 1)
	c.Apply(w, 2)
	n0 := math.Sqrt(9.01)
	want = []float64{3 / (1e-7 + n0), 0.1 / (1e-7 + n0), 4 / (1e-7 + 4), 0}
	for i := range w {
		if !near(float64(w[i]), want[i], 1e-6) {
			t.Errorf("axis 1: w[%d] = %v, want %v", i, w[i], want[i])
		}
	}
	if _, err := NewMaxNorm(0, 0); err == nil {
		t.Error("max_value 0 accepted")
	}
	if _, err := NewMaxNorm(1, 2); err == nil {
		t.Error("axis 2 accepted")
	}
}

func TestNonNegUnitNorm(t *testing.T) {
	w := []float32{-1, 2, 0, -0.5}
	NonNeg{}.Apply(w, 2)
	for i, want := range []float32{0, 2, 0, 0} {
		if w[i] != want {
			t.Errorf("NonNeg: w[%d] = %v, want %v", i, w[i], want)
		}
	}
	w = []float32{3, 1, 4, 0}
	u, _ := NewUnitNorm(0)
	u.Apply(w, 2)
	want := []float64{3 / (5 + 1e-7), 1 / (1 + 1e-7), 4 / (5 + 1e-7), 0}
	for i := range w {
		if !near(float64(w[i]), want[i], 1e-6) {
			t.Errorf("UnitNorm axis 0: w[%d] = %v, want %v", i, w[i], want[i])
		}
	}
	w = []float32{3, 4, 0, 2}
	u, _ = NewUnitNorm(1)
	u.Apply(w, 2)
	want = []float64{0.6, 0.8, 0, 1}
	for i := range w {
		if !near(float64(w[i]), want[i], 1e-6) {
			t.Errorf("UnitNorm axis 1: w[%d] = %v, want %v", i, w[i], want[i])
		}
	}
	for _, s := range []ConstraintSpec{{Kind: "max_norm", MaxValue: 3, Axis: 1}, {Kind: "non_neg"}, {Kind: "unit_norm", Axis: 1}} {
		c, err := NewConstraint(s)
		if err != nil {
			t.Fatal(err)
		}
		if c.Spec() != s {
			t.Errorf("spec round trip: %+v -> %+v", s, c.Spec())
		}
	}
	if _, err := NewConstraint(ConstraintSpec{Kind: "max"}); err == nil {
		t.Error("unknown constraint accepted")
	}
}

func TestDropoutScaling(t *testing.T) {
	const n = 100000
	x := make([]float32, n)
	for i := range x {
		x[i] = 1 + float32(i%7)
	}
	y := make([]float32, n)
	mask := make([]uint64, MaskWords(n))
	d := Dropout{Rate: 0.2, Seed: 7}
	d.Forward(y, x, mask, 0)
	kept := 0
	for i := range y {
		bit := mask[i/64]>>(i%64)&1 == 1
		switch {
		case bit && y[i] != x[i]/0.8:
			t.Fatalf("kept y[%d] = %v, want x/(1-rate) = %v", i, y[i], x[i]/0.8)
		case !bit && y[i] != 0:
			t.Fatalf("dropped y[%d] = %v, want 0", i, y[i])
		}
		if bit {
			kept++
		}
	}
	// keep fraction 0.8 within 5 sigma (sigma = sqrt(n p (1-p)) = 126)
	if math.Abs(float64(kept)-0.8*n) > 5*126 {
		t.Errorf("kept %d of %d, want about %d", kept, n, int(0.8*n))
	}
	dy := make([]float32, n)
	for i := range dy {
		dy[i] = 1
	}
	dx := make([]float32, n)
	d.Backward(dx, dy, mask)
	for i := range dx {
		bit := mask[i/64]>>(i%64)&1 == 1
		if (bit && dx[i] != 1/float32(0.8)) || (!bit && dx[i] != 0) {
			t.Fatalf("dx[%d] = %v with keep=%v", i, dx[i], bit)
		}
	}
	// same seed and offset, same mask; another offset, another mask
	y2 := make([]float32, n)
	mask2 := make([]uint64, len(mask))
	d.Forward(y2, x, mask2, 0)
	for i := range mask {
		if mask[i] != mask2[i] {
			t.Fatal("mask not reproducible")
		}
	}
	d.Forward(y2, x, mask2, n)
	if mask[0] == mask2[0] && mask[1] == mask2[1] {
		t.Error("masks at different offsets coincide")
	}
	// rate 0: identity; rate 1: zeros (Keras), gradient 0
	Dropout{Rate: 0}.Forward(y[:70], x[:70], mask, 0)
	for i := 0; i < 70; i++ {
		if y[i] != x[i] {
			t.Fatal("rate 0 must copy")
		}
	}
	Dropout{Rate: 0}.Backward(dx[:70], dy[:70], mask)
	for i := 0; i < 70; i++ {
		if dx[i] != 1 {
			t.Fatalf("rate 0 backward dx[%d] = %v", i, dx[i])
		}
	}
	Dropout{Rate: 1}.Forward(y[:70], x[:70], mask, 0)
	Dropout{Rate: 1}.Backward(dx[:70], dy[:70], mask)
	for i := 0; i < 70; i++ {
		if y[i] != 0 || dx[i] != 0 {
			t.Fatal("rate 1 must zero output and gradient")
		}
	}
	if (Dropout{Rate: 1.5}).Validate() == nil || (Dropout{Rate: -0.1}).Validate() == nil {
		t.Error("bad rates accepted")
	}
}

func TestAlphaDropoutConstants(t *testing.T) {
	a, b := asm.AlphaDropoutCoefficients(0.2)
	// SEMANTICS.md: for rate 0.2, a = 0.878904, b = 0.309040
	if !near(float64(a), 0.878904, 1e-5) || !near(float64(b), 0.309040, 1e-5) {
		t.Errorf("a, b = %v, %v; want 0.878904, 0.309040", a, b)
	}
	x := []float32{1, -1, 2, 0.5, -0.3, 3, 0, 1}
	y := make([]float32, len(x))
	mask := make([]uint64, 1)
	ad := AlphaDropout{Rate: 0.2, Seed: 3}
	ad.Forward(y, x, mask, 0)
	for i := range x {
		want := a*float32(AlphaPrime) + b
		if mask[0]>>i&1 == 1 {
			want = a*x[i] + b
		}
		if !near(float64(y[i]), float64(want), 1e-6) {
			t.Errorf("y[%d] = %v, want %v", i, y[i], want)
		}
	}
	dy := []float32{1, 1, 1, 1, 1, 1, 1, 1}
	dx := make([]float32, len(x))
	ad.Backward(dx, dy, mask)
	for i := range dx {
		want := float32(0)
		if mask[0]>>i&1 == 1 {
			want = a
		}
		if dx[i] != want {
			t.Errorf("dx[%d] = %v, want %v", i, dx[i], want)
		}
	}
	// rate 0 passes through (Keras applies it only for 0 < rate < 1)
	AlphaDropout{Rate: 0}.Forward(y, x, mask, 0)
	for i := range x {
		if y[i] != x[i] {
			t.Fatal("rate 0 must pass through")
		}
	}
}

func TestClip(t *testing.T) {
	g1 := []float32{3, 4} // norm 5
	g2 := []float32{0, 0.5}
	Clip{Norm: 1}.Apply([][]float32{g1, g2})
	if !near(float64(g1[0]), 0.6, 1e-6) || !near(float64(g1[1]), 0.8, 1e-6) || g2[1] != 0.5 {
		t.Errorf("clipnorm: %v %v", g1, g2)
	}
	g1 = []float32{3, -4}
	Clip{Value: 3.5}.Apply([][]float32{g1})
	if g1[0] != 3 || g1[1] != -3.5 {
		t.Errorf("clipvalue: %v", g1)
	}
	g1, g2 = []float32{3, 4}, []float32{0, 12} // global norm 13
	Clip{GlobalNorm: 6.5}.Apply([][]float32{g1, g2})
	if !near(float64(g1[0]), 1.5, 1e-6) || !near(float64(g1[1]), 2, 1e-6) || !near(float64(g2[1]), 6, 1e-6) {
		t.Errorf("global_clipnorm: %v %v", g1, g2)
	}
	g1 = []float32{0.3, 0.4}
	Clip{GlobalNorm: 1}.Apply([][]float32{g1})
	if g1[0] != 0.3 || g1[1] != 0.4 {
		t.Errorf("global_clipnorm under the limit changed %v", g1)
	}
	if (Clip{Norm: 1, Value: 1}).Validate() == nil {
		t.Error("two clipping modes accepted")
	}
	if (Clip{Norm: -1}).Validate() == nil {
		t.Error("negative clipnorm accepted")
	}
}

func TestImprovesAndMode(t *testing.T) {
	if !Improves(Min, 0.5, 0.6, 0.05) || Improves(Min, 0.56, 0.6, 0.05) || Improves(Min, 0.55, 0.6, -0.05) {
		t.Error("min mode: improvement iff current < best - |min_delta|")
	}
	if !Improves(Max, 0.7, 0.6, 0.05) || Improves(Max, 0.65, 0.6, 0.05) {
		t.Error("max mode: improvement iff current > best + |min_delta|")
	}
	if Improves(Min, math.NaN(), 1, 0) {
		t.Error("NaN must not improve")
	}
	for name, want := range map[string]Mode{"val_loss": Min, "loss": Min, "val_accuracy": Max, "accuracy": Max} {
		if m, err := Auto.Resolve(name); err != nil || m != want {
			t.Errorf("auto for %s: %v %v", name, m, err)
		}
	}
	if _, err := Auto.Resolve("lr"); err == nil {
		t.Error("auto for a metric without direction must fail")
	}
}

// run feeds values (NaN = missing) and returns the epochs at which a stop,
// an improvement and a snapshot were reported.
func runES(t *testing.T, cfg EarlyStoppingConfig, values []float64) (stop int, improved, snaps []int, es *EarlyStopping) {
	t.Helper()
	es, err := NewEarlyStopping(cfg)
	if err != nil {
		t.Fatal(err)
	}
	stop = -1
	for e, v := range values {
		d := es.Observe(e, v, !math.IsNaN(v))
		if d.Improved {
			improved = append(improved, e)
		}
		if d.Snapshot {
			snaps = append(snaps, e)
		}
		if d.Stop {
			return e, improved, snaps, es
		}
	}
	return stop, improved, snaps, es
}

func TestEarlyStoppingScripted(t *testing.T) {
	seq := []float64{1.0, 0.8, 0.9, 0.85, 0.7, 0.75, 0.76, 0.77, 0.78}
	// patience 0: stops at the first epoch that does not improve
	if stop, _, _, _ := runES(t, EarlyStoppingConfig{}, seq); stop != 2 {
		t.Errorf("patience 0: stopped at %d, want 2", stop)
	}
	// patience 2: wait counts 2 at epoch 3 -> stop there
	if stop, _, _, _ := runES(t, EarlyStoppingConfig{Patience: 2}, seq); stop != 3 {
		t.Errorf("patience 2: stopped at %d, want 3", stop)
	}
	// patience 3: epochs 2,3 do not improve, 4 improves (reset), 5,6,7 don't -> stop at 7
	stop, imp, _, es := runES(t, EarlyStoppingConfig{Patience: 3}, seq)
	if stop != 7 || len(imp) != 3 || imp[2] != 4 {
		t.Errorf("patience 3: stop %d, improvements %v", stop, imp)
	}
	if b, e, ok := es.Best(); !ok || b != 0.7 || e != 4 {
		t.Errorf("best %v at %d", b, e)
	}
	// min_delta 0.15: 0.8 is an improvement over 1.0 (by 0.2), 0.7 is not over 0.8 (by 0.1)
	if stop, imp, _, _ := runES(t, EarlyStoppingConfig{MinDelta: -0.15, Patience: 3}, seq); stop != 4 || len(imp) != 2 {
		t.Errorf("min_delta: stop %d improvements %v", stop, imp)
	}
	// baseline 0.75: improvements that do not beat it do not reset wait, so
	// wait reaches 3 at epoch 2 (stop) instead of 2 at epoch 3 without it
	base := 0.75
	if stop, imp, _, _ := runES(t, EarlyStoppingConfig{Patience: 2, Baseline: &base}, seq); stop != 2 || len(imp) != 2 {
		t.Errorf("baseline: stop %d improvements %v, want stop at 2 after improvements at 0 and 1", stop, imp)
	}
	// a baseline the values beat behaves as none
	base = 2
	if stop, _, _, _ := runES(t, EarlyStoppingConfig{Patience: 2, Baseline: &base}, seq); stop != 3 {
		t.Errorf("beaten baseline: stop %d, want 3", stop)
	}
	// start_from_epoch 3: epochs 0-2 ignored, first counted 0.85 improves
	stop, imp, _, _ = runES(t, EarlyStoppingConfig{StartFromEpoch: 3}, seq)
	if len(imp) < 1 || imp[0] != 3 || stop != 5 {
		t.Errorf("start_from_epoch: improvements %v stop %d", imp, stop)
	}
	// max mode on accuracy
	acc := []float64{0.5, 0.6, 0.6, 0.59}
	if stop, _, _, _ := runES(t, EarlyStoppingConfig{Monitor: "val_accuracy", Patience: 1}, acc); stop != 2 {
		t.Errorf("max mode: stop at %d, want 2", stop)
	}
	// missing values are ignored
	if stop, _, _, _ := runES(t, EarlyStoppingConfig{}, []float64{math.NaN(), 1, math.NaN(), 2}); stop != 3 {
		t.Errorf("missing values: stop %d, want 3", stop)
	}
	// restore: snapshots at the first counted epoch and at every improvement;
	// Restore is true even when training was not stopped (Keras 3)
	_, _, snaps, es := runES(t, EarlyStoppingConfig{Patience: 100, RestoreBest: true}, seq)
	if len(snaps) != 3 || snaps[0] != 0 || snaps[1] != 1 || snaps[2] != 4 || !es.Restore() || es.StoppedEpoch() != -1 {
		t.Errorf("restore: snapshots %v restore %v stopped %d", snaps, es.Restore(), es.StoppedEpoch())
	}
	_, _, snaps, es = runES(t, EarlyStoppingConfig{Patience: 100}, seq)
	if len(snaps) != 0 || es.Restore() {
		t.Error("no restore flag: no snapshots")
	}
	if _, err := NewEarlyStopping(EarlyStoppingConfig{Monitor: "lr"}); err == nil {
		t.Error("auto mode for lr accepted")
	}
}

// TestBroadcastMask expands masks drawn over noise shapes by hand.
func TestBroadcastMask(t *testing.T) {
	for _, c := range []struct {
		shape, noise []int
		reduced      uint64
		want         uint64
	}{
		// (2, 3) per sample: row 0 dropped, row 1 kept
		{[]int{2, 3}, []int{2, 1}, 0b10, 0b111_000},
		// (2, 3) per feature: features 0 and 2 kept in both rows
		{[]int{2, 3}, []int{1, 3}, 0b101, 0b101_101},
		// (2, 2, 3) with noise (2, 1, 3): each sample's 3-bit pattern twice
		{[]int{2, 2, 3}, []int{2, 1, 3}, 0b011_110, 0b011_011_110_110},
		// nothing broadcast: a copy
		{[]int{2, 3}, []int{2, 3}, 0b100_110, 0b100_110},
		// everything broadcast: one bit for all
		{[]int{3, 2}, []int{1, 1}, 1, 0b111_111},
	} {
		const past = ^uint64(0) &^ (1<<12 - 1)
		full := []uint64{past} // bits past the tensor stay as they were
		BroadcastMask(full, []uint64{c.reduced}, c.shape, c.noise)
		if want := c.want | past; full[0] != want {
			t.Errorf("shape %v noise %v reduced %b: full %b, want %b", c.shape, c.noise, c.reduced, full[0], want)
		}
	}
	// masks longer than a word: 70 rows of 2 features, per sample
	reduced := []uint64{0xAAAA_AAAA_AAAA_AAAA, 0b10_1010}
	full := make([]uint64, MaskWords(140))
	BroadcastMask(full, reduced, []int{70, 2}, []int{70, 1})
	for i := 0; i < 140; i++ {
		if got, want := full[i/64]>>(i%64)&1, uint64((i/2)%2); got != want {
			t.Fatalf("bit %d = %d, want %d", i, got, want)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("a noise shape that does not broadcast was accepted")
		}
	}()
	BroadcastMask(full, reduced, []int{4, 3}, []int{4, 2})
}

// TestDropoutApply: Apply with Forward's own mask reproduces Forward, and
// AlphaDropout's Apply gives a*x+b or a*α'+b.
func TestDropoutApply(t *testing.T) {
	x := make([]float32, 100)
	for i := range x {
		x[i] = float32(i) - 40.5
	}
	y1, y2 := make([]float32, 100), make([]float32, 100)
	mask := make([]uint64, MaskWords(100))
	d := Dropout{Rate: 0.3, Seed: 4}
	d.Forward(y1, x, mask, 17)
	d.Apply(y2, x, mask)
	for i := range y1 {
		if math.Float32bits(y1[i]) != math.Float32bits(y2[i]) {
			t.Fatalf("Apply[%d] = %v, Forward gave %v", i, y2[i], y1[i])
		}
	}
	ad := AlphaDropout{Rate: 0.2, Seed: 4}
	ad.Forward(y1, x, mask, 17)
	ad.Apply(y2, x, mask)
	for i := range y1 {
		if math.Abs(float64(y1[i]-y2[i])) > 1e-5 {
			t.Fatalf("alpha Apply[%d] = %v, Forward gave %v", i, y2[i], y1[i])
		}
	}
	// dropped values are a*α'+b = 0.878904*-1.7581 + 0.309040
	mask[0] = 0
	ad.Apply(y2, x, mask)
	if want := 0.878904*AlphaPrime + 0.309040; math.Abs(float64(y2[0])-want) > 1e-5 {
		t.Errorf("dropped alpha value %v, want %v", y2[0], want)
	}
}
