package asm

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// softmaxTolULP is the tolerance of a probability (or a row sum) of an
// assembly level against generic, in ulps: 1 for exp, 2 for the scaling by
// a rounded reciprocal, and the float32 rounding of the row sum, which each
// of the vector lanes accumulates over cols/lanes terms before the lanes are
// added (at most cols/8+3 roundings of a sum of positive terms).
func softmaxTolULP(cols int) int64 { return 4 + int64(cols/8) }

var softmaxShapes = []struct{ rows, cols int }{
	{0, 1}, {0, 10}, {1, 1}, {3, 1}, {1, 2}, {2, 3}, {4, 7}, {3, 8}, {5, 9}, {32, 10}, {2, 15}, {2, 16},
	{3, 17}, {2, 31}, {2, 32}, {3, 33}, {7, 100}, {2, 255}, {3, 257}, {2, 1000}, {1, 4097},
}

// softmaxInput returns rows*cols logits in [-spread, spread] with, when
// specials is set, a few special values.
func softmaxInput(r *rand.Rand, rows, cols int, spread float32, specials bool) []float32 {
	x := randSlice(r, rows*cols, -spread, spread)
	if specials {
		for i := range x {
			if r.IntN(64) == 0 {
				x[i] = specialValues[r.IntN(len(specialValues))]
			}
		}
	}
	return x
}

// checkSoftmaxRows compares level l's rows kernel with generic on x, in
// every output mode (dst and stats, dst only, stats only, in place).
func checkSoftmaxRows(t *testing.T, l Level, x []float32, cols, off int, scale float32) {
	t.Helper()
	rows := len(x) / cols
	tol := softmaxTolULP(cols)
	want, wantSt := make([]float32, len(x)), make([]float32, 2*rows)
	softmaxGeneric.rows(want, x, cols, scale, wantSt)
	x0 := append([]float32(nil), x...)
	k := softmaxFor(l)

	g, st := newGuarded(len(x), off), newGuarded(2*rows, 15-off)
	k.rows(g.Data, x, cols, scale, st.Data)
	g.check(t, "softmax dst")
	st.check(t, "softmax stats")
	actCompareULP(t, "softmax", g.Data, want, x, tol)
	actCompareULP(t, "softmax input", x, x0, x0, 0)
	for r := 0; r < rows; r++ {
		m, s := st.Data[2*r], st.Data[2*r+1]
		if ulpDiff(m, wantSt[2*r]) != 0 && !(s != s && wantSt[2*r+1] != wantSt[2*r+1]) {
			t.Fatalf("row %d: max %g, want %g", r, m, wantSt[2*r])
		}
		if ulpDiff(s, wantSt[2*r+1]) > tol {
			t.Fatalf("row %d: sum %g, want %g", r, s, wantSt[2*r+1])
		}
	}

	g2 := newGuarded(len(x), off)
	k.rows(g2.Data, x, cols, scale, nil)
	g2.check(t, "softmax dst without stats")
	actCompareULP(t, "softmax without stats", g2.Data, g.Data, x, 0)

	st2 := newGuarded(2*rows, off)
	k.rows(nil, x, cols, scale, st2.Data)
	st2.check(t, "softmax stats without dst")
	actCompareULP(t, "softmax stats without dst", st2.Data, st.Data, st.Data, 0)

	in := append([]float32(nil), x...)
	k.rows(in, in, cols, scale, nil)
	actCompareULP(t, "softmax in place", in, g.Data, x, 0)
}

func TestSoftmaxRows(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		r := rand.New(rand.NewPCG(2, 3))
		for _, sh := range softmaxShapes {
			for off := 0; off < 16; off += 5 {
				for _, spread := range []float32{1, 30, 300} {
					checkSoftmaxRows(t, l, softmaxInput(r, sh.rows, sh.cols, spread, false), sh.cols, off, 1)
				}
				checkSoftmaxRows(t, l, softmaxInput(r, sh.rows, sh.cols, 10, true), sh.cols, off, 0.25)
			}
		}
		// Rows of one special value each.
		for _, v := range specialValues {
			x := []float32{v, 0, -1, v, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, v}
			for _, cols := range []int{1, 2, 3, 6, 9, 18} {
				checkSoftmaxRows(t, l, x, cols, 3, 1)
			}
		}
	})
}

// withSoftmaxLevel runs f with the softmax family of level l active, so
// that the exported functions can be tested on every level.
func withSoftmaxLevel(l Level, f func()) {
	saved := softmax
	softmax = softmaxFor(l)
	defer func() { softmax = saved }()
	f()
}

func TestSoftmaxSumsToOne(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		r := rand.New(rand.NewPCG(4, 5))
		for _, sh := range softmaxShapes {
			x := softmaxInput(r, sh.rows, sh.cols, 50, false)
			dst := make([]float32, len(x))
			withSoftmaxLevel(l, func() { Softmax(dst, x, sh.cols) })
			for row := 0; row < sh.rows; row++ {
				var s float64
				for _, p := range dst[row*sh.cols : (row+1)*sh.cols] {
					if p < 0 || p > 1 {
						t.Fatalf("%dx%d row %d: probability %g", sh.rows, sh.cols, row, p)
					}
					s += float64(p)
				}
				if math.Abs(s-1) > 1e-6*float64(1+sh.cols/8) {
					t.Fatalf("%dx%d row %d sums to 1%+g", sh.rows, sh.cols, row, s-1)
				}
			}
		}
	})
}

// ceReference computes the loss and gradient of SoftmaxCrossEntropy in
// float64 from the float32 logits.
func ceReference(logits []float32, labels []int32, cols int, gradScale float64) (loss float64, grad []float64) {
	grad = make([]float64, len(logits))
	for r := range labels {
		row := logits[r*cols : (r+1)*cols]
		m := math.Inf(-1)
		for _, v := range row {
			m = math.Max(m, float64(v))
		}
		var s float64
		for _, v := range row {
			s += math.Exp(float64(v) - m)
		}
		lse := m + math.Log(s)
		loss += lse - float64(row[labels[r]])
		for j, v := range row {
			grad[r*cols+j] = gradScale * math.Exp(float64(v)-lse)
		}
		grad[r*cols+int(labels[r])] -= gradScale
	}
	return loss, grad
}

func TestSoftmaxCrossEntropy(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		r := rand.New(rand.NewPCG(6, 7))
		for _, sh := range softmaxShapes {
			for _, spread := range []float32{1, 20, 1000} {
				x := softmaxInput(r, sh.rows, sh.cols, spread, false)
				labels := make([]int32, sh.rows)
				for i := range labels {
					labels[i] = int32(r.IntN(sh.cols))
				}
				scale := float32(1) / float32(max(sh.rows, 1))
				wantLoss, wantGrad := ceReference(x, labels, sh.cols, float64(scale))
				var loss, lossNoGrad, lossInPlace float64
				grad := newGuarded(len(x), 7)
				inPlace := append([]float32(nil), x...)
				withSoftmaxLevel(l, func() {
					loss = SoftmaxCrossEntropy(grad.Data, x, labels, sh.cols, scale)
					lossNoGrad = SoftmaxCrossEntropy(nil, x, labels, sh.cols, scale)
					lossInPlace = SoftmaxCrossEntropy(inPlace, inPlace, labels, sh.cols, scale)
				})
				grad.check(t, "SoftmaxCrossEntropy grad")
				// Each row's loss is within 2^-22 of its float64 value, plus
				// the relative float32 rounding of the logits' magnitude.
				tol := float64(sh.rows) * (4e-7 + 2e-7*float64(spread))
				if math.Abs(loss-wantLoss) > tol || math.IsNaN(loss) {
					t.Fatalf("%dx%d spread %g: loss %g, want %g", sh.rows, sh.cols, spread, loss, wantLoss)
				}
				if loss != lossNoGrad || loss != lossInPlace {
					t.Fatalf("%dx%d: loss %g, without grad %g, in place %g", sh.rows, sh.cols, loss, lossNoGrad, lossInPlace)
				}
				for i, g := range grad.Data {
					if math.Abs(float64(g)-wantGrad[i]) > 1e-6*float64(scale)*float64(1+sh.cols/8) {
						t.Fatalf("%dx%d spread %g: grad[%d] = %g, want %g", sh.rows, sh.cols, spread, i, g, wantGrad[i])
					}
					if inPlace[i] != g {
						t.Fatalf("grad in place [%d] = %g, want %g", i, inPlace[i], g)
					}
				}
			}
		}
	})
}

// TestSoftmaxCrossEntropyFiniteDiff checks the gradient against central
// differences of the returned loss, in float64 steps of the float32 logits.
func TestSoftmaxCrossEntropyFiniteDiff(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 9))
	const rows, cols = 3, 10
	x := softmaxInput(r, rows, cols, 3, false)
	labels := []int32{0, 9, 4}
	grad := make([]float32, len(x))
	SoftmaxCrossEntropy(grad, x, labels, cols, 0.5)
	for i := range x {
		const h = 1.0 / 256 // exact in float32 next to logits of magnitude < 4
		xp, xm := append([]float32(nil), x...), append([]float32(nil), x...)
		xp[i] += h
		xm[i] -= h
		fd := 0.5 * (SoftmaxCrossEntropy(nil, xp, labels, cols, 1) - SoftmaxCrossEntropy(nil, xm, labels, cols, 1)) / (2 * h)
		if math.Abs(fd-float64(grad[i])) > 2e-4 {
			t.Errorf("grad[%d] = %g, central difference %g", i, grad[i], fd)
		}
	}
}

func TestSoftmaxPanics(t *testing.T) {
	x := make([]float32, 6)
	for _, c := range []struct {
		want string
		f    func()
	}{
		{"asm: cols <= 0", func() { Softmax(x, x, 0) }},
		{"asm: length not a multiple of cols", func() { Softmax(x, x, 4) }},
		{"asm: length mismatch", func() { Softmax(x[:3], x, 3) }},
		{"asm: cols <= 0", func() { SoftmaxCrossEntropy(nil, x, []int32{0}, -1, 1) }},
		{"asm: length not a multiple of cols", func() { SoftmaxCrossEntropy(nil, x, []int32{0}, 4, 1) }},
		{"asm: length mismatch", func() { SoftmaxCrossEntropy(x[:5], x, []int32{0, 1}, 3, 1) }},
		{"asm: labels length mismatch", func() { SoftmaxCrossEntropy(nil, x, []int32{0}, 3, 1) }},
		{"asm: label out of range", func() { SoftmaxCrossEntropy(nil, x, []int32{0, 3}, 3, 1) }},
		{"asm: label out of range", func() { SoftmaxCrossEntropy(nil, x, []int32{-1, 0}, 3, 1) }},
	} {
		func() {
			defer func() {
				if got := recover(); got != c.want {
					t.Errorf("panic %v, want %q", got, c.want)
				}
			}()
			c.f()
		}()
	}
}

// softmaxFuzzInput turns fuzz bytes into logits (4 bytes each) and a
// column count in [1, 40].
func softmaxFuzzInput(data []byte, c uint8) ([]float32, int) {
	cols := 1 + int(c)%40
	x := make([]float32, len(data)/4)
	for i := range x {
		x[i] = math.Float32frombits(uint32(data[4*i]) | uint32(data[4*i+1])<<8 | uint32(data[4*i+2])<<16 | uint32(data[4*i+3])<<24)
	}
	return x[:len(x)/cols*cols], cols
}

func FuzzSoftmax(f *testing.F) {
	f.Add([]byte(strings.Repeat("\x00\x00\x80\x3f\x00\x00\x00\xc0", 9)), uint8(2))
	f.Add([]byte(strings.Repeat("\x01\x00\x80\x7f\x00\x00\x80\xff\xcd\xcc\xcc\x3d", 7)), uint8(6))
	f.Add([]byte(strings.Repeat("\x00\x00\x20\x41\x00\x00\x20\xc1\x00\x00\x7a\x44", 13)), uint8(16))
	f.Fuzz(func(t *testing.T, data []byte, c uint8) {
		x, cols := softmaxFuzzInput(data, c)
		for _, l := range Available() {
			checkSoftmaxRows(t, l, x, cols, int(c)%16, 1)
		}
	})
}

// TestActSoftmaxAllocs checks that the exported kernels allocate nothing
// (a training step must not).
func TestActSoftmaxAllocs(t *testing.T) {
	x := randSlice(rand.New(rand.NewPCG(12, 13)), 320, -3, 3)
	dst := make([]float32, len(x))
	labels := make([]int32, 32)
	for name, f := range map[string]func(){
		"Exp":                 func() { Exp(dst, x) },
		"Elu":                 func() { Elu(dst, x, 1) },
		"EluGrad":             func() { EluGrad(dst, x, x, 1) },
		"Tanh":                func() { Tanh(dst, x) },
		"Softmax":             func() { Softmax(dst, x, 10) },
		"SoftmaxCrossEntropy": func() { SoftmaxCrossEntropy(dst, x, labels, 10, 1.0/32) },
	} {
		if a := testing.AllocsPerRun(100, f); a != 0 {
			t.Errorf("%s: %v allocations per call", name, a)
		}
	}
}
