package asm

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// Tolerance of the optimizer updates (see optim.go): each output is checked
// against the exact (float64) update computed from the inputs, within
// optimTol times the sum of the magnitudes of the terms that were added; the
// weight update is computed from the m and v that the level itself
// produced, so that an error is charged to the step that made it. Where the
// exact value is not finite (special inputs), the level must give the same
// NaN or infinity as the generic reference, or the exact infinity.
const optimTol = 0x1p-20

// optimFloor is the absolute error of a few roundings in the denormal range.
const optimFloor = 0x1p-146

// optimHyper is one set of hyper-parameters; the kernels receive 2*l2.
type optimHyper struct {
	lr, mom, b1, b2, eps, cm, cg, cv, l2 float32
	nesterov                             bool
}

var optimHypers = []optimHyper{
	{lr: 0.01, mom: 0.9, b1: 0.9, b2: 0.999, eps: 1e-7, cm: 8.7, cg: 0.95, cv: 1000.5},
	{lr: 0.5, mom: 0.5, b1: 0.5, b2: 0.25, eps: 0.1, cm: 1.3, cg: 0.1, cv: 2, l2: 0.25, nesterov: true},
	{lr: 1e-4, mom: 0.99, b1: 0.95, b2: 0.9999, eps: 1e-3, cm: 19.5, cg: 0.05, cv: 1e4, l2: 0.01},
	{lr: 0.01, mom: 0.9, b1: 0.9, b2: 0.999, eps: 1e-7, cm: 8.7, cg: 0.95, cv: 1000.5, l2: 1.5},
}

// optimGrad returns the gradient the update of element i uses, as the
// generic loop forms it (g, or g + 2*l2*w), and gs, the magnitude of its
// terms (|g| + |2*l2*w|), which bounds its rounding: a level that fuses the
// L2 term may differ from it by an ulp or two of gs, so the checks scale
// the terms of the gradient by gs.
func optimGrad(in optimState, i int, h optimHyper) (g float32, gs float64) {
	g, gs = l2Grad(in.g[i], in.w[i], 2*h.l2), math.Abs(f64(in.g[i]))
	if h.l2 != 0 {
		gs += math.Abs(f64(2*h.l2) * f64(in.w[i]))
	}
	return g, gs
}

// optimState is the input of one update.
type optimState struct{ w, g, m, v []float32 }

func newOptimState(r *rand.Rand, n int) optimState {
	s := optimState{w: vecInput(r, n), g: vecInput(r, n), m: vecInput(r, n), v: vecInput(r, n)}
	for i, e := range s.v {
		if !math.IsNaN(float64(e)) && r.IntN(8) != 0 {
			s.v[i] = float32(math.Abs(float64(e))) // mostly a valid second moment
		}
	}
	return s
}

// optimKernel names one update and runs it with the table k.
type optimKernel struct {
	name string
	run  func(k *optimKernels, s optimState, h optimHyper)
	// check compares element i of the level's output got with the exact
	// update of the input in and with the generic output gen.
	check func(i int, in, got, gen optimState, h optimHyper) error
}

// optimCheck fails t unless got is close to the exact value want: within
// optimTol*scale (scale is the sum of the magnitudes of the terms) plus
// floor, the absolute error that underflow to denormals in the
// intermediates may cause. Where want is not finite, or where the float32
// intermediates overflow although the result would not (got is ±Inf), got
// must match the generic reference gen.
func optimCheck(what string, i int, got, gen float32, want, scale, floor float64) error {
	switch {
	case math.IsInf(float64(got), 0) && vecSameBits(got, gen):
	case math.IsNaN(want) || math.IsInf(want, 0) || math.IsNaN(scale) || math.IsInf(scale, 0):
		// The exact infinity is right too: the Go compiler fuses the
		// generic loop on arm64, and an intermediate infinity may turn
		// into NaN in one order and not in another.
		if !vecSameBits(got, gen) && !(math.IsInf(want, 0) && float64(got) == want) {
			return fmt.Errorf("%s[%d] = %v, generic %v (exact %v)", what, i, got, gen, want)
		}
	case math.Abs(want) >= 0x1.ffffffp127: // rounds to ±Inf (MaxFloat32 + half an ulp and up)
		if !math.IsInf(float64(got), int(math.Copysign(1, want))) {
			return fmt.Errorf("%s[%d] = %v, want overflow to %v", what, i, got, want)
		}
	default:
		if math.Abs(float64(got)-want) > optimTol*scale+floor {
			return fmt.Errorf("%s[%d] = %v, want %v (scale %v)", what, i, got, want, scale)
		}
	}
	return nil
}

func f64(x float32) float64 { return float64(x) }

// optimMoments checks m and v of Adam and Nadam.
func optimMoments(i int, in, got, gen optimState, h optimHyper) error {
	b1, c1, b2, c2 := f64(h.b1), f64(1-h.b1), f64(h.b2), f64(1-h.b2)
	g32, gs := optimGrad(in, i, h)
	g, m, v := f64(g32), f64(in.m[i]), f64(in.v[i])
	c2g := f64(float32(1-h.b2) * g32) // c2*g rounded, as the Go loop may
	return errors.Join(
		optimCheck("m", i, got.m[i], gen.m[i], b1*m+c1*g, math.Abs(b1*m)+c1*gs, optimFloor),
		optimCheck("v", i, got.v[i], gen.v[i], b2*v+c2g*g, math.Abs(b2*v)+math.Abs(c2g)*gs+math.Abs(c2*g*g)*0x1p-23, optimFloor))
}

var optimKernelsUnderTest = []optimKernel{
	{
		name: "sgd",
		run: func(k *optimKernels, s optimState, h optimHyper) {
			if h.nesterov {
				k.sgdNesterov(s.w, s.g, s.m, h.lr, h.mom, 2*h.l2)
			} else {
				k.sgdMomentum(s.w, s.g, s.m, h.lr, h.mom, 2*h.l2)
			}
		},
		check: func(i int, in, got, gen optimState, h optimHyper) error {
			lr, mom := f64(h.lr), f64(h.mom)
			g32, gs := optimGrad(in, i, h)
			lg := f64(h.lr * g32) // rounded first by every level
			m := mom*f64(in.m[i]) - lg
			if err := optimCheck("m", i, got.m[i], gen.m[i], m, math.Abs(mom*f64(in.m[i]))+lr*gs*(1+0x1p-23), optimFloor); err != nil {
				return err
			}
			w, gm := f64(in.w[i]), f64(got.m[i])
			if h.nesterov {
				return optimCheck("w", i, got.w[i], gen.w[i], w+mom*gm-lg, math.Abs(w)+math.Abs(mom*gm)+lr*gs, optimFloor)
			}
			return optimCheck("w", i, got.w[i], gen.w[i], w+gm, math.Abs(w)+math.Abs(gm), optimFloor)
		},
	},
	{
		name: "adam",
		run: func(k *optimKernels, s optimState, h optimHyper) {
			k.adam(s.w, s.g, s.m, s.v, h.lr, h.b1, 1-h.b1, h.b2, 1-h.b2, h.eps, 2*h.l2)
		},
		check: func(i int, in, got, gen optimState, h optimHyper) error {
			if err := optimMoments(i, in, got, gen, h); err != nil {
				return err
			}
			den := math.Sqrt(f64(got.v[i])) + f64(h.eps)
			u := f64(h.lr) * f64(got.m[i]) / den
			w := f64(in.w[i])
			return optimCheck("w", i, got.w[i], gen.w[i], w-u, math.Abs(w)+math.Abs(u), optimFloor*(1+1/den))
		},
	},
	{
		name: "nadam",
		run: func(k *optimKernels, s optimState, h optimHyper) {
			k.nadam(s.w, s.g, s.m, s.v, h.lr, h.b1, 1-h.b1, h.b2, 1-h.b2, h.eps, h.cm, h.cg, h.cv, 2*h.l2)
		},
		check: func(i int, in, got, gen optimState, h optimHyper) error {
			if err := optimMoments(i, in, got, gen, h); err != nil {
				return err
			}
			g32, gs := optimGrad(in, i, h)
			cm, cg := f64(h.cm)*f64(got.m[i]), f64(h.cg)*f64(g32)
			den := math.Sqrt(f64(h.cv)*f64(got.v[i])) + f64(h.eps)
			u := f64(h.lr) * (cm + cg) / den
			w := f64(in.w[i])
			if f64(h.cv)*f64(got.v[i]) > math.MaxFloat32 {
				// cv*v overflows float32 on every level: the update is 0.
				return optimCheck("w", i, got.w[i], gen.w[i], w, math.Abs(w), optimFloor)
			}
			return optimCheck("w", i, got.w[i], gen.w[i], w-u, math.Abs(w)+math.Abs(u)+f64(h.lr)*(math.Abs(cm)+f64(h.cg)*gs)/den, optimFloor*(1+1/den))
		},
	},
	{
		name: "rmsprop",
		run: func(k *optimKernels, s optimState, h optimHyper) {
			k.rmsprop(s.w, s.g, s.v, h.lr, h.b2, 1-h.b2, h.eps, 2*h.l2)
		},
		check: func(i int, in, got, gen optimState, h optimHyper) error {
			g32, gs := optimGrad(in, i, h)
			b2, c2, g, v := f64(h.b2), f64(1-h.b2), f64(g32), f64(in.v[i])
			c2g := f64(float32(1-h.b2) * g32)
			if err := optimCheck("v", i, got.v[i], gen.v[i], b2*v+c2g*g, math.Abs(b2*v)+math.Abs(c2g)*gs+math.Abs(c2*g*g)*0x1p-23, optimFloor); err != nil {
				return err
			}
			den := math.Sqrt(f64(got.v[i]) + f64(h.eps))
			u := f64(h.lr) * g / den
			w := f64(in.w[i])
			return optimCheck("w", i, got.w[i], gen.w[i], w-u, math.Abs(w)+f64(h.lr)*gs/den, optimFloor*(1+1/den))
		},
	},
}

// optimRunGuarded runs kernel c with table k on copies of in placed in
// guarded buffers at offsets derived from off, checks the guards and
// returns the outputs.
func optimRunGuarded(t *testing.T, c optimKernel, k *optimKernels, in optimState, h optimHyper, off int) optimState {
	t.Helper()
	n := len(in.w)
	gs := []*guarded{newGuarded(n, off), newGuarded(n, (off+3)%16), newGuarded(n, (off+7)%16), newGuarded(n, (off+11)%16)}
	s := optimState{gs[0].fill(in.w), gs[1].fill(in.g), gs[2].fill(in.m), gs[3].fill(in.v)}
	c.run(k, s, h)
	for j, name := range []string{"w", "g", "m", "v"} {
		gs[j].check(t, c.name+" "+name)
	}
	return s
}

func optimCompare(t *testing.T, c optimKernel, l Level, in optimState, h optimHyper, off int) {
	t.Helper()
	gen := optimRunGuarded(t, c, optimFor(Generic), in, h, off)
	got := gen
	if l != Generic {
		got = optimRunGuarded(t, c, optimFor(l), in, h, off)
	}
	for i := range in.w {
		if err := c.check(i, in, got, gen, h); err != nil {
			t.Fatalf("%s on %v, n=%d, offset %d, %+v: %v", c.name, l, len(in.w), off, h, err)
		}
	}
	// g is an input only.
	vecCheckExact(t, c.name+" g", got.g, in.g)
}

func TestOptim(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		r := rand.New(rand.NewPCG(7, uint64(l)))
		for _, c := range optimKernelsUnderTest {
			t.Run(c.name, func(t *testing.T) {
				// Two offsets per length (one for the longest), rotating,
				// so that every length mod 16 meets every offset.
				for _, n := range testLengths() {
					offs := []int{n % 16, (n/16 + 8) % 16}
					if n > 4096 {
						offs = offs[:1]
					}
					for _, off := range offs {
						h := optimHypers[(n+off)%len(optimHypers)]
						optimCompare(t, c, l, newOptimState(r, n), h, off)
					}
				}
			})
		}
	})
}

// TestOptimExported checks the argument checks and the dispatch of the
// exported functions, and SGD without momentum, which is Axpy.
func TestOptimExported(t *testing.T) {
	a, b := make([]float32, 3), make([]float32, 4)
	for _, c := range []struct {
		name string
		f    func()
	}{
		{"SGD g", func() { SGD(a, b, a, 0.1, 0, 0, false) }},
		{"SGD m", func() { SGD(a, a, b, 0.1, 0.9, 0, false) }},
		{"SGD nil m", func() { SGD(a, a, nil, 0.1, 0.9, 0.01, true) }},
		{"Adam", func() { Adam(a, a, a, b, 0.1, 0.9, 0.999, 1e-7, 0) }},
		{"Nadam", func() { Nadam(a, a, b, a, 0.1, 0.9, 0.999, 1e-7, 1, 1, 1, 0) }},
		{"RMSprop", func() { RMSprop(a, b, a, 0.1, 0.9, 1e-7, 0) }},
	} {
		if got := vecPanicMessage(c.f); got != vecErrLength {
			t.Errorf("%s: panic %q, want %q", c.name, got, vecErrLength)
		}
	}

	w, g := []float32{1, 2, 3}, []float32{8, 16, 24} // exact in every order
	SGD(w, g, nil, 0.125, 0, 0, false)
	if w[0] != 0 || w[1] != 0 || w[2] != 0 {
		t.Fatalf("SGD without momentum: %v", w)
	}
	m := []float32{1, 1, 1}
	SGD(w, g, m, 0.125, 0.5, 0, false) // m = 0.5 - g/8; w = m
	if m[0] != -0.5 || w[0] != -0.5 {
		t.Fatalf("SGD momentum: w=%v m=%v", w, m)
	}
	SGD(w, g, m, 0.125, 0.5, 0, true) // m = -0.25-1 = -1.25; w += 0.5*m - 1
	if m[0] != -1.25 || w[0] != -0.5-0.625-1 {
		t.Fatalf("SGD nesterov: w=%v m=%v", w, m)
	}
	// Adam from zero moments with alphaT = lr*sqrt(1-b2)/(1-b1): the first
	// step moves each weight by about lr in the direction of -g.
	w, m, v := []float32{0, 0, 0}, make([]float32, 3), make([]float32, 3)
	g = []float32{4, -0.5, 0}
	Adam(w, g, m, v, 0.001*float32(math.Sqrt(0.001))/0.1, 0.9, 0.999, 1e-7, 0)
	if math.Abs(float64(w[0])+0.001) > 1e-8 || math.Abs(float64(w[1])-0.001) > 1e-8 || w[2] != 0 {
		t.Fatalf("Adam first step: %v", w)
	}
	w, m, v = []float32{0, 0, 0}, make([]float32, 3), make([]float32, 3)
	Nadam(w, g, m, v, 0.001, 0.9, 0.999, 1e-7, 0, 1, 1/(1-0.999), 0)
	if math.Abs(float64(w[0])+0.001) > 1e-8 || math.Abs(float64(w[1])-0.001) > 1e-8 || w[2] != 0 {
		t.Fatalf("Nadam first step without the momentum term: %v", w)
	}
	w, v = []float32{0, 0, 0}, make([]float32, 3)
	RMSprop(w, g, v, 0.001, 0.9, 0, 0) // v = 0.1 g^2: w = -0.001 g/|g|/sqrt(0.1)
	if math.Abs(float64(w[0])+0.001/math.Sqrt(0.1)) > 1e-8 || w[2] == w[2] {
		t.Fatalf("RMSprop first step: %v (0/0 must be NaN with eps 0)", w)
	}
	// The L2 term: without momentum, w = (1 - lr*2*l2)*w - lr*g, here
	// 0.875*w - g/8, exact; Adam's first step from a zero gradient moves
	// each weight by about lr against 2*l2*w, that is against its sign.
	w, g = []float32{1, 2, 3}, []float32{8, 16, 24}
	SGD(w, g, nil, 0.125, 0, 0.5, false)
	if w[0] != -0.125 || w[1] != -0.25 || w[2] != -0.375 {
		t.Fatalf("SGD with L2, without momentum: %v", w)
	}
	w, m, v = []float32{1, -1, 0}, make([]float32, 3), make([]float32, 3)
	Adam(w, make([]float32, 3), m, v, 0.001*float32(math.Sqrt(0.001))/0.1, 0.9, 0.999, 1e-7, 0.5)
	if math.Abs(float64(w[0])-0.999) > 1e-7 || math.Abs(float64(w[1])+0.999) > 1e-7 || w[2] != 0 {
		t.Fatalf("Adam with L2, first step from g = 0: %v", w)
	}
}

// FuzzAdam checks every optimizer on arbitrary bit patterns, lengths and
// offsets, on every level.
func FuzzAdam(f *testing.F) {
	vecFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte, lr float32, off uint8) {
		v := vecFloatsFromBytes(data)
		n := len(v) / 4
		in := optimState{w: v[:n], g: v[n : 2*n], m: v[2*n : 3*n], v: v[3*n : 4*n]}
		h := optimHypers[int(off)%len(optimHypers)]
		if lr == lr && lr > 0 && lr < 1 {
			h.lr = lr
		}
		for _, c := range optimKernelsUnderTest {
			for _, l := range Available() {
				optimCompare(t, c, l, in, h, int(off%16))
			}
		}
	})
}
