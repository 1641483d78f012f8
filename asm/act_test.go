package asm

import (
	"flag"
	"math"
	"math/rand/v2"
	"testing"
)

// Error bounds of the assembly levels against the generic reference, in
// ulps of the reference (measured by TestActULP over a sweep of float32
// inputs on every level; the doc comment of act.go quotes them).
const (
	expMaxULP     = 1 // Exp
	expm1MaxULP   = 1 // Elu with alpha = 1, x <= 0
	eluMaxULP     = 2 // Elu and Selu: expm1, then a rounded product
	sigmoidMaxULP = 2
	tanhMaxULP    = 2
)

// actCase is one kernel of the family: the forward kernels read x, the
// backward ones dy and y, where y is the generic forward output of x.
type actCase struct {
	name   string
	ulps   int64   // tolerance against generic
	lo, hi float32 // range of the random inputs (x, or the x behind y)
	fwd    func(k *actKernels, dst, x []float32)
	grad   func(k *actKernels, dx, dy, y []float32) // nil for a forward kernel
	gradOf func(k *actKernels, dst, x []float32)    // forward whose output feeds grad
}

func actCases() []actCase {
	const alpha = 0.3
	fwd := func(name string, ulps int64, lo, hi float32, f func(k *actKernels, dst, x []float32)) actCase {
		return actCase{name: name, ulps: ulps, lo: lo, hi: hi, fwd: f}
	}
	grad := func(name string, ulps int64, lo, hi float32, of func(k *actKernels, dst, x []float32), g func(k *actKernels, dx, dy, y []float32)) actCase {
		return actCase{name: name, ulps: ulps, lo: lo, hi: hi, gradOf: of, grad: g}
	}
	relu := func(k *actKernels, d, x []float32) { k.relu(d, x) }
	leaky := func(k *actKernels, d, x []float32) { k.leakyRelu(d, x, alpha) }
	elu := func(k *actKernels, d, x []float32) { k.elu(d, x, 0.7) }
	selu := func(k *actKernels, d, x []float32) { k.selu(d, x) }
	sigm := func(k *actKernels, d, x []float32) { k.sigmoid(d, x) }
	tanh := func(k *actKernels, d, x []float32) { k.tanh(d, x) }
	return []actCase{
		fwd("Exp", expMaxULP, -110, 95, func(k *actKernels, d, x []float32) { k.exp(d, x) }),
		fwd("Relu", 0, -3, 3, relu),
		fwd("LeakyRelu", 0, -3, 3, leaky),
		fwd("Elu", eluMaxULP, -25, 5, elu),
		fwd("EluAlpha1", expm1MaxULP, -25, 5, func(k *actKernels, d, x []float32) { k.elu(d, x, 1) }),
		fwd("Selu", eluMaxULP, -25, 5, selu),
		fwd("Sigmoid", sigmoidMaxULP, -110, 110, sigm),
		fwd("Tanh", tanhMaxULP, -12, 12, tanh),
		grad("ReluGrad", 0, -3, 3, relu, func(k *actKernels, dx, dy, y []float32) { k.reluGrad(dx, dy, y) }),
		grad("LeakyReluGrad", 0, -3, 3, leaky, func(k *actKernels, dx, dy, y []float32) { k.leakyReluGrad(dx, dy, y, alpha) }),
		grad("EluGrad", 0, -5, 3, elu, func(k *actKernels, dx, dy, y []float32) { k.eluGrad(dx, dy, y, 0.7) }),
		grad("SeluGrad", 0, -5, 3, selu, func(k *actKernels, dx, dy, y []float32) { k.seluGrad(dx, dy, y) }),
		grad("SigmoidGrad", 0, -10, 10, sigm, func(k *actKernels, dx, dy, y []float32) { k.sigmoidGrad(dx, dy, y) }),
		grad("TanhGrad", 1, -4, 4, tanh, func(k *actKernels, dx, dy, y []float32) { k.tanhGrad(dx, dy, y) }),
	}
}

// actInputs returns the operands of c for n elements: x (forward) or dy and
// y (backward), with special values sprinkled in.
func actInputs(c actCase, r *rand.Rand, n int) (a, b []float32) {
	x := randSlice(r, n, c.lo, c.hi)
	for i := range x {
		if r.IntN(8) == 0 {
			x[i] = specialValues[r.IntN(len(specialValues))]
		}
	}
	if c.grad == nil {
		return x, nil
	}
	y := make([]float32, n)
	c.gradOf(&actGeneric, y, x)
	dy := randSlice(r, n, -2, 2)
	for i := range dy {
		if r.IntN(16) == 0 {
			dy[i] = specialValues[r.IntN(len(specialValues))]
		}
	}
	return dy, y
}

func (c actCase) run(k *actKernels, dst, a, b []float32) {
	if c.grad == nil {
		c.fwd(k, dst, a)
	} else {
		c.grad(k, dst, a, b)
	}
}

// actCompareULP fails t at the first element of got farther than ulps from want.
func actCompareULP(t *testing.T, what string, got, want, in []float32, ulps int64) {
	t.Helper()
	for i := range want {
		if d := ulpDiff(got[i], want[i]); d > ulps {
			t.Fatalf("%s: element %d of %d: input %g (%#x): got %g (%#x), want %g (%#x): %d ulps > %d",
				what, i, len(want), in[i], math.Float32bits(in[i]), got[i], math.Float32bits(got[i]),
				want[i], math.Float32bits(want[i]), d, ulps)
		}
	}
}

func TestActKernels(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		k := actFor(l)
		for _, c := range actCases() {
			t.Run(c.name, func(t *testing.T) {
				r := rand.New(rand.NewPCG(1, uint64(len(c.name))))
				for _, n := range testLengths() {
					offs := []int{n % 16}
					if n <= 300 && n%7 == 0 {
						offs = []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
					}
					for _, off := range offs {
						a, b := actInputs(c, r, n)
						a0, b0 := append([]float32(nil), a...), append([]float32(nil), b...)
						want := make([]float32, n)
						c.run(&actGeneric, want, a, b)
						g := newGuarded(n, off)
						c.run(k, g.Data, a, b)
						g.check(t, c.name)
						actCompareULP(t, c.name, g.Data, want, a, c.ulps)
						actCompareULP(t, c.name+" input", a, a0, a0, 0)
						actCompareULP(t, c.name+" input", b, b0, b0, 0)
						// In place: dst is the first operand.
						c.run(k, a, a, b)
						actCompareULP(t, c.name+" in place", a, want, a0, c.ulps)
					}
				}
			})
		}
	})
}

// TestActSpecial checks every special value against its exact expected
// result (from the math package) on every level.
func TestActSpecial(t *testing.T) {
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	type want struct {
		name string
		f    func(k *actKernels, d, x []float32)
		x    []float32
		y    []float32
	}
	negZero := float32(math.Copysign(0, -1))
	cases := []want{
		{"Exp", func(k *actKernels, d, x []float32) { k.exp(d, x) },
			[]float32{0, negZero, inf, -inf, nan, 88.72284, 89, 1e30, -103.97208, -104, -1e30, math.SmallestNonzeroFloat32},
			[]float32{1, 1, inf, 0, nan, inf, inf, inf, math.SmallestNonzeroFloat32, 0, 0, 1}},
		{"Relu", func(k *actKernels, d, x []float32) { k.relu(d, x) },
			[]float32{negZero, -inf, inf, nan, -1e-45, 1e-45}, []float32{0, 0, inf, nan, 0, 1e-45}},
		{"Elu", func(k *actKernels, d, x []float32) { k.elu(d, x, 2) },
			[]float32{negZero, 0, -inf, inf, nan, -1e-45, -1e30}, []float32{negZero, 0, -2, inf, nan, -2.8e-45, -2}},
		{"Sigmoid", func(k *actKernels, d, x []float32) { k.sigmoid(d, x) },
			[]float32{0, -inf, inf, nan, -100, 100, -1e30}, []float32{0.5, 0, 1, nan, 3.7200760e-44, 1, 0}},
		{"Tanh", func(k *actKernels, d, x []float32) { k.tanh(d, x) },
			[]float32{0, negZero, -inf, inf, nan, 1e-45, -1e-45, 20, -20, 1e30}, []float32{0, negZero, -1, 1, nan, 1e-45, -1e-45, 1, -1, 1}},
	}
	forEachLevel(t, func(t *testing.T, l Level) {
		for _, c := range cases {
			got := make([]float32, len(c.x))
			c.f(actFor(l), got, c.x)
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(c.y[i]) && !(got[i] != got[i] && c.y[i] != c.y[i]) {
					t.Errorf("%s(%g) = %g (%#x), want %g (%#x)", c.name, c.x[i], got[i], math.Float32bits(got[i]), c.y[i], math.Float32bits(c.y[i]))
				}
			}
		}
	})
}

// actSweep calls f on every stride-th float32 bit pattern (in blocks) and
// returns the largest ulp distance between level l and generic, and where.
func actSweep(l Level, stride uint64, keep func(x float32) bool, f func(k *actKernels, d, x []float32)) (maxULP int64, at float32) {
	const block = 1 << 14
	x := make([]float32, 0, block)
	got, want := make([]float32, block), make([]float32, block)
	flush := func() {
		f(actFor(l), got[:len(x)], x)
		f(&actGeneric, want[:len(x)], x)
		for i := range x {
			if d := ulpDiff(got[i], want[i]); d > maxULP {
				maxULP, at = d, x[i]
			}
		}
		x = x[:0]
	}
	for b := uint64(0); b < 1<<32; b += stride {
		v := math.Float32frombits(uint32(b))
		if !keep(v) {
			continue
		}
		if x = append(x, v); len(x) == block {
			flush()
		}
	}
	flush()
	return maxULP, at
}

var ulpStride = flag.Uint64("act.ulpstride", 997, "TestActULP checks every `n`th float32 bit pattern (1: all of them)")

// TestActULP measures the ulp error of the transcendental kernels of each
// assembly level against generic over every -act.ulpstride'th float32 bit
// pattern and checks it against the stated bounds.
func TestActULP(t *testing.T) {
	stride := *ulpStride
	all := func(float32) bool { return true }
	cases := []struct {
		name  string
		bound int64
		keep  func(float32) bool
		f     func(k *actKernels, d, x []float32)
	}{
		{"Exp", expMaxULP, all, func(k *actKernels, d, x []float32) { k.exp(d, x) }},
		{"Expm1", expm1MaxULP, func(x float32) bool { return !(x > 0) }, func(k *actKernels, d, x []float32) { k.elu(d, x, 1) }},
		{"Selu", eluMaxULP, all, func(k *actKernels, d, x []float32) { k.selu(d, x) }},
		{"Sigmoid", sigmoidMaxULP, all, func(k *actKernels, d, x []float32) { k.sigmoid(d, x) }},
		{"Tanh", tanhMaxULP, all, func(k *actKernels, d, x []float32) { k.tanh(d, x) }},
	}
	forEachLevel(t, func(t *testing.T, l Level) {
		if l == Generic {
			t.Skip("generic is the reference")
		}
		for _, c := range cases {
			m, at := actSweep(l, stride, c.keep, c.f)
			t.Logf("%s: max %d ulp (at x=%g) over every %dth float32", c.name, m, at, stride)
			if m > c.bound {
				t.Errorf("%s: %d ulp at x=%g (%#x) > bound %d", c.name, m, at, math.Float32bits(at), c.bound)
			}
		}
	})
}

// TestActGradFiniteDiff checks each backward kernel (with dy = 1) against
// central differences of its forward kernel, on every level, away from the
// kinks at 0.
func TestActGradFiniteDiff(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		k := actFor(l)
		r := rand.New(rand.NewPCG(10, 11))
		for _, c := range actCases() {
			if c.grad == nil {
				continue
			}
			const n, h = 200, 1.0 / 1024
			x := randSlice(r, n, -3, 3)
			for i, v := range x {
				if v > -0.05 && v < 0.05 {
					x[i] = 0.5
				}
			}
			xp, xm := make([]float32, n), make([]float32, n)
			for i, v := range x {
				xp[i], xm[i] = v+h, v-h
			}
			y, fp, fm, dx := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
			c.gradOf(k, y, x)
			c.gradOf(k, fp, xp)
			c.gradOf(k, fm, xm)
			ones := make([]float32, n)
			for i := range ones {
				ones[i] = 1
			}
			c.grad(k, dx, ones, y)
			for i := range x {
				fd := (float64(fp[i]) - float64(fm[i])) / (float64(xp[i]) - float64(xm[i]))
				if math.Abs(fd-float64(dx[i])) > 1e-4*(1+math.Abs(float64(y[i]))) {
					t.Fatalf("%s at x=%g: %g, central difference %g", c.name, x[i], dx[i], fd)
				}
			}
		}
	})
}

// actFuzzFloats turns fuzz bytes into float32s, 4 bytes each.
func actFuzzFloats(data []byte) []float32 {
	x := make([]float32, len(data)/4)
	for i := range x {
		x[i] = math.Float32frombits(uint32(data[4*i]) | uint32(data[4*i+1])<<8 | uint32(data[4*i+2])<<16 | uint32(data[4*i+3])<<24)
	}
	return x
}

// actFuzzSeeds are byte strings of special values and of tails of every
// length modulo 16.
func actFuzzSeeds(f *testing.F) {
	var specials []byte
	for _, v := range specialValues {
		b := math.Float32bits(v)
		specials = append(specials, byte(b), byte(b>>8), byte(b>>16), byte(b>>24))
	}
	f.Add(specials)
	for n := 1; n < 40; n += 3 {
		f.Add(specials[:4*n%len(specials)])
	}
	f.Add([]byte("\x00\x00\xb1\x42\x00\x00\xd0\xc2\x3b\xaa\xb8\x3f\xff\xff\x7f\x7f\x01\x00\x00\x00"))
}

func FuzzExp(f *testing.F) {
	actFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		x := actFuzzFloats(data)
		want := make([]float32, len(x))
		expGeneric(want, x)
		for _, l := range Available() {
			g := newGuarded(len(x), len(data)%16)
			actFor(l).exp(g.Data, x)
			g.check(t, "Exp "+l.String())
			actCompareULP(t, "Exp "+l.String(), g.Data, want, x, expMaxULP)
		}
	})
}

// FuzzAct runs every kernel of the family on fuzz inputs (as x, or as the
// x behind y with dy = x reversed) on every level.
func FuzzAct(f *testing.F) {
	actFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		x := actFuzzFloats(data)
		for _, c := range actCases() {
			a, b := x, []float32(nil)
			if c.grad != nil {
				b = make([]float32, len(x))
				c.gradOf(&actGeneric, b, x)
				a = make([]float32, len(x))
				for i := range a {
					a[i] = x[len(x)-1-i]
				}
			}
			want := make([]float32, len(x))
			c.run(&actGeneric, want, a, b)
			for _, l := range Available() {
				g := newGuarded(len(x), len(data)%16)
				c.run(actFor(l), g.Data, a, b)
				g.check(t, c.name+" "+l.String())
				actCompareULP(t, c.name+" "+l.String(), g.Data, want, a, c.ulps)
			}
		}
	})
}
