package asm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// normSumTol is the relative tolerance of the sums of squares (SumSquares,
// RowNorms's squares, the penalty of L1L2Grad) against the exact sum: the
// float32 sum of n non-negative terms is within n*2^-24 relative of it in
// the worst case; the test data (n <= 65537, uniform terms) stays below
// 2^-24*sqrt(n)*8 < 3e-4 for the sequential generic loop, and far below
// for the SIMD levels' partial sums. 4e-4 is the stated bound.
const normSumTol = 4e-4

// normColTol is the relative tolerance of ColNorms (rows added in order,
// fused multiply-adds on the SIMD levels) against the exact norm, for the
// test's up to 64 rows: 64 roundings of 2^-24 each, halved by the sqrt.
const normColTol = 64 * 0x1p-24

// useNormLevel makes the exported norm functions (and the vec kernels they
// use) run on level l until restore is called. Not for parallel tests.
func useNormLevel(l Level) (restore func()) {
	savedNorm, savedVec := norm, vec
	norm, vec = normFor(l), vecFor(l)
	return func() { norm, vec = savedNorm, savedVec }
}

// relErr is |got-want|/max(|want|, tiny), with NaN and infinities compared
// exactly.
func relClose(got float32, want float64, tol float64) bool {
	if math.IsNaN(want) || math.IsInf(want, 0) {
		return sameFloat(got, float32(want), 0)
	}
	return math.Abs(float64(got)-want) <= tol*math.Max(math.Abs(want), 1e-30)
}

func exactSumSquares(x []float32) float64 {
	var s float64
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return s
}

func TestSumSquaresLevels(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		defer useNormLevel(l)()
		r := rand.New(rand.NewPCG(11, 12))
		for _, n := range testLengths() {
			for off := range 16 {
				if n > 300 && off%5 != 0 {
					continue
				}
				g := newGuarded(n, off)
				x := g.fill(randSlice(r, n, -2, 2))
				got := SumSquares(x)
				g.check(t, "SumSquares")
				if want := exactSumSquares(x); !relClose(got, want, normSumTol) {
					t.Fatalf("n=%d off=%d: %v, want %v", n, off, got, want)
				}
			}
		}
		// Special values: one Inf makes +Inf, one NaN makes NaN, wherever
		// they sit (lane, tail).
		for _, n := range []int{1, 7, 16, 17, 63, 64, 100} {
			for _, pos := range []int{0, n / 2, n - 1} {
				for _, s := range []float32{float32(math.Inf(-1)), float32(math.NaN())} {
					x := make([]float32, n)
					x[pos] = s
					got := SumSquares(x)
					if want := s * s; !sameFloat(got, want, 0) {
						t.Fatalf("n=%d %v at %d: %v, want %v", n, s, pos, got, want)
					}
				}
			}
		}
		if got := SumSquares([]float32{3, 4}); got != 25 {
			t.Fatalf("SumSquares(3,4) = %v", got)
		}
	})
}

// shapes are the matrix shapes of the row and column kernels: odd widths
// that cross every vector width, and the normColBlock boundary.
var normShapes = [][2]int{{0, 3}, {1, 1}, {3, 1}, {2, 3}, {5, 7}, {4, 15}, {3, 16}, {6, 17}, {2, 31},
	{7, 33}, {3, 63}, {2, 64}, {5, 65}, {13, 100}, {1, 257}, {3, 300}, {64, 129}, {2, 1025}, {3, 2100}}

func TestRowNormsLevels(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		defer useNormLevel(l)()
		r := rand.New(rand.NewPCG(13, 14))
		for _, sh := range normShapes {
			rows, cols := sh[0], sh[1]
			x := randSlice(r, rows*cols, -2, 2)
			g := newGuarded(rows, (rows+cols)%16)
			RowNorms(g.Data, x, cols)
			g.check(t, "RowNorms")
			for i := range rows {
				want := math.Sqrt(exactSumSquares(x[i*cols : (i+1)*cols]))
				if !relClose(g.Data[i], want, normSumTol) {
					t.Fatalf("%dx%d: row %d norm %v, want %v", rows, cols, i, g.Data[i], want)
				}
			}
		}
	})
}

func TestColNormsLevels(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		defer useNormLevel(l)()
		r := rand.New(rand.NewPCG(15, 16))
		for _, sh := range normShapes {
			rows, cols := sh[0], sh[1]
			x := randSlice(r, rows*cols, -2, 2)
			g := newGuarded(cols, cols%16)
			ColNorms(g.Data, x)
			g.check(t, "ColNorms")
			for j := range cols {
				var s float64
				for i := range rows {
					s += float64(x[i*cols+j]) * float64(x[i*cols+j])
				}
				if !relClose(g.Data[j], math.Sqrt(s), normColTol) {
					t.Fatalf("%dx%d: column %d norm %v, want %v", rows, cols, j, g.Data[j], math.Sqrt(s))
				}
			}
		}
	})
}

// kerasMaxNorm is Keras's formula in float64: w * clip(n, 0, max)/(1e-7+n)
// with n the exact norm.
func kerasMaxNorm(v []float64, maxValue float64) []float64 {
	var s float64
	for _, x := range v {
		s += x * x
	}
	n := math.Sqrt(s)
	f := math.Min(math.Max(n, 0), maxValue) / (1e-7 + n)
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = x * f
	}
	return out
}

func TestMaxNormLevels(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		defer useNormLevel(l)()
		r := rand.New(rand.NewPCG(17, 18))
		for _, sh := range normShapes {
			rows, cols := sh[0], sh[1]
			for _, maxValue := range []float32{1, 2, 1e6} {
				x := randSlice(r, rows*cols, -1, 1)
				// Rows scaled by 0.5 .. 1.5 so that some are under the limit.
				for i := range rows {
					for j := range cols {
						x[i*cols+j] *= 0.01 + 2*float32(i%3)/float32(cols)
					}
				}
				g := newGuarded(len(x), rows%16)
				MaxNormRows(g.fill(x), cols, maxValue)
				g.check(t, "MaxNormRows")
				for i := range rows {
					row := make([]float64, cols)
					for j := range cols {
						row[j] = float64(x[i*cols+j])
					}
					for j, want := range kerasMaxNorm(row, float64(maxValue)) {
						if !relClose(g.Data[i*cols+j], want, normSumTol+4e-7) {
							t.Fatalf("rows %dx%d max %v: [%d,%d] = %v, want %v", rows, cols, maxValue, i, j, g.Data[i*cols+j], want)
						}
					}
				}
				g = newGuarded(len(x), cols%16)
				MaxNormCols(g.fill(x), cols, maxValue)
				g.check(t, "MaxNormCols")
				for j := range cols {
					col := make([]float64, rows)
					for i := range rows {
						col[i] = float64(x[i*cols+j])
					}
					for i, want := range kerasMaxNorm(col, float64(maxValue)) {
						if !relClose(g.Data[i*cols+j], want, normColTol+4e-7) {
							t.Fatalf("cols %dx%d max %v: [%d,%d] = %v, want %v", rows, cols, maxValue, i, j, g.Data[i*cols+j], want)
						}
					}
				}
			}
		}
	})
}

// TestMaxNormByHand checks values worked out by hand from Keras's formula
// w * clip(n, 0, max) / (1e-7 + n).
func TestMaxNormByHand(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		defer useNormLevel(l)()
		// Row (3, 4): n = 5 > max 1, factor 1/(5+1e-7) = 0.19999999600...
		// (float32 0.19999999), so (0.6, 0.8) up to that shrink.
		x := []float32{3, 4, 0.3, 0.4}
		MaxNormRows(x, 2, 1)
		f1 := float32(1) / (float32(5) + 1e-7)
		if x[0] != 3*f1 || x[1] != 4*f1 || math.Abs(float64(x[0])-0.6) > 1e-7 {
			t.Errorf("row (3,4) max 1: %v %v, want %v %v", x[0], x[1], 3*f1, 4*f1)
		}
		// Row (0.3, 0.4): n = 0.5 < 1, still multiplied by 0.5/(0.5+1e-7),
		// the shrink Keras applies on every step: in float32, 0.5+1e-7
		// rounds to 0.5+2^-23 and the factor to 0.99999976.
		f2 := float32(0.5) / (float32(0.5) + 1e-7)
		if f2 != 0.99999976 || x[2] != 0.3*f2 || x[3] != 0.4*f2 || x[2] == 0.3 {
			t.Errorf("row (0.3,0.4) max 1: %v %v (factor %v), want 0.3*0.99999976, 0.4*0.99999976", x[2], x[3], f2)
		}
		// The same numbers as columns of a 2x2 Dense kernel: column 0 is
		// (3, 0.3), norm sqrt(9.09) = 3.01496; column 1 is (4, 0.4).
		w := []float32{3, 4, 0.3, 0.4}
		MaxNormCols(w, 2, 2)
		n0, n1 := float32(math.Sqrt(9.09)), float32(math.Sqrt(16.16))
		for i, want := range []float64{3 * 2 / (1e-7 + float64(n0)), 4 * 2 / (1e-7 + float64(n1)),
			0.3 * 2 / (1e-7 + float64(n0)), 0.4 * 2 / (1e-7 + float64(n1))} {
			if !relClose(w[i], want, 3e-7) {
				t.Errorf("cols: w[%d] = %v, want %v", i, w[i], want)
			}
		}
		// A zero vector stays zero (0/(1e-7+0)), a NaN makes its row NaN.
		z := []float32{0, 0, float32(math.NaN()), 1}
		MaxNormRows(z, 2, 1)
		if z[0] != 0 || z[1] != 0 || z[2] == z[2] || z[3] == z[3] {
			t.Errorf("zero and NaN rows: %v", z)
		}
	})
}

func TestGlobalNormAndClipByNorm(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		defer useNormLevel(l)()
		if got := GlobalNorm([]float32{3}, nil, []float32{4}); got != 5 {
			t.Errorf("GlobalNorm(3, 4) = %v, want 5", got)
		}
		if got := GlobalNorm(); got != 0 {
			t.Errorf("GlobalNorm() = %v", got)
		}
		x := []float32{3, 4}
		ClipByNorm(x, 1)
		if x[0] != 3*float32(1)/5 || x[1] != 4*float32(1)/5 {
			t.Errorf("ClipByNorm((3,4), 1) = %v, want (0.6, 0.8)", x)
		}
		y := []float32{0.3, 0.4}
		ClipByNorm(y, 1)
		if y[0] != 0.3 || y[1] != 0.4 {
			t.Errorf("ClipByNorm((0.3,0.4), 1) = %v, want unchanged", y)
		}
		z := []float32{float32(math.Inf(1)), 2}
		ClipByNorm(z, 1)
		if z[0] == z[0] || z[1] != 0 {
			t.Errorf("ClipByNorm((Inf, 2), 1) = %v, want (NaN, 0)", z)
		}
		r := rand.New(rand.NewPCG(19, 20))
		for _, n := range []int{1, 17, 300, 4097} {
			v := randSlice(r, n, -1, 1)
			w := append([]float32(nil), v...)
			ClipByNorm(w, 0.5)
			if got := math.Sqrt(exactSumSquares(w)); math.Abs(got-0.5) > 1e-5 {
				t.Errorf("n=%d: norm after ClipByNorm(0.5) = %v", n, got)
			}
			a, b := v[:n/2], v[n/2:]
			if got, want := GlobalNorm(a, b), math.Sqrt(exactSumSquares(v)); !relClose(got, want, normSumTol) {
				t.Errorf("n=%d: GlobalNorm = %v, want %v", n, got, want)
			}
		}
	})
}

func TestClipByValueLevels(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		defer useNormLevel(l)()
		r := rand.New(rand.NewPCG(21, 22))
		for _, n := range testLengths() {
			for off := range 16 {
				if n > 300 && off%5 != 0 {
					continue
				}
				x := randSlice(r, n, -3, 3)
				for i := 0; i < n && i < len(specialValues); i++ {
					x[(i*7)%n] = specialValues[i]
				}
				lo, hi := float32(-1), float32(2)
				if off%3 == 0 {
					lo, hi = 0, 0
				}
				g := newGuarded(n, off)
				ClipByValue(g.fill(x), lo, hi)
				g.check(t, "ClipByValue")
				want := append([]float32(nil), x...)
				clipByValueGeneric(want, lo, hi)
				for i := range x {
					if !sameBitsOrNaN(g.Data[i], want[i]) {
						t.Fatalf("n=%d off=%d: clip(%v) = %v, want %v", n, off, x[i], g.Data[i], want[i])
					}
				}
			}
		}
		// By hand, the cases where min/max instructions differ: NaN and
		// signed zeros are kept as the Go loop keeps them.
		neg0 := float32(math.Copysign(0, -1))
		x := []float32{neg0, 0, float32(math.NaN()), -5, 5, 1, float32(math.Inf(1))}
		ClipByValue(x, 0, 2)
		if math.Float32bits(x[0]) != math.Float32bits(neg0) || x[1] != 0 || x[2] == x[2] || x[3] != 0 || x[4] != 2 || x[5] != 1 || x[6] != 2 {
			t.Errorf("ClipByValue(..., 0, 2) = %v", x)
		}
	})
}

func TestL1L2GradLevels(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		defer useNormLevel(l)()
		// By hand: w = (1, -2, 0, 3), l1 = 0.1, l2 = 0.01: penalty
		// 0.1*6 + 0.01*14 = 0.74; gradient (0.12, -0.14, 0, 0.16).
		g := []float32{0, 0, 0, 0}
		p := L1L2Grad(g, []float32{1, -2, 0, 3}, 0.1, 0.01)
		if math.Abs(float64(p)-0.74) > 1e-6 {
			t.Errorf("penalty %v, want 0.74", p)
		}
		for i, want := range []float64{0.12, -0.14, 0, 0.16} {
			if math.Abs(float64(g[i])-want) > 1e-7 {
				t.Errorf("g[%d] = %v, want %v", i, g[i], want)
			}
		}
		// A zero factor skips its term of the penalty (Keras), even for an
		// infinite weight.
		if p := L1L2Grad(make([]float32, 2), []float32{float32(math.Inf(1)), 1}, 0.5, 0); !math.IsInf(float64(p), 1) {
			t.Errorf("l2=0 with Inf weight: penalty %v, want +Inf", p)
		}
		if p := L1L2Grad(make([]float32, 2), []float32{2, 1}, 0, 0.5); p != 2.5 {
			t.Errorf("l1=0: penalty %v, want 2.5", p)
		}
		r := rand.New(rand.NewPCG(23, 24))
		for _, n := range testLengths() {
			for off := range 16 {
				if n > 300 && off%5 != 0 {
					continue
				}
				w := randSlice(r, n, -2, 2)
				for i := 0; i < n && i < len(specialValues) && off == 1; i++ {
					w[(i*5)%n] = specialValues[i]
				}
				if n > 3 {
					w[3] = 0
				}
				g0 := randSlice(r, n, -1, 1)
				l1, l2 := float32(0.01), float32(0.003)
				gg := newGuarded(n, off)
				got := L1L2Grad(gg.fill(g0), w, l1, l2)
				gg.check(t, "L1L2Grad")
				want := append([]float32(nil), g0...)
				sa, ss := l1l2GradGeneric(want, w, l1, 2*l2)
				for i := range w {
					if !sameBitsOrNaN(gg.Data[i], want[i]) {
						t.Fatalf("n=%d off=%d: g[%d] (w=%v) = %v, want %v", n, off, i, w[i], gg.Data[i], want[i])
					}
				}
				var ea, es float64
				for _, v := range w {
					ea += math.Abs(float64(v))
					es += float64(v) * float64(v)
				}
				exact := float64(l1)*ea + float64(l2)*es
				if off == 1 && n > 0 {
					exact = float64(l1*sa + l2*ss) // specials: Inf/NaN, compared as values
				}
				if !relClose(got, exact, normSumTol) {
					t.Fatalf("n=%d off=%d: penalty %v, want %v", n, off, got, exact)
				}
			}
		}
	})
}

func TestNormArgumentChecks(t *testing.T) {
	x := make([]float32, 6)
	for _, c := range []struct {
		name, msg string
		f         func()
	}{
		{"RowNorms", normErrLength, func() { RowNorms(x[:2], x, 4) }},
		{"RowNorms negative", normErrLength, func() { RowNorms(nil, nil, -1) }},
		{"ColNorms", normErrShape, func() { ColNorms(x[:4], x) }},
		{"ColNorms empty", normErrShape, func() { ColNorms(nil, x) }},
		{"MaxNormRows", normErrShape, func() { MaxNormRows(x, 4, 1) }},
		{"MaxNormRows zero", normErrShape, func() { MaxNormRows(x, 0, 1) }},
		{"MaxNormCols", normErrShape, func() { MaxNormCols(x, 5, 1) }},
		{"ClipByNorm 0", normErrClipNorm, func() { ClipByNorm(x, 0) }},
		{"ClipByNorm NaN", normErrClipNorm, func() { ClipByNorm(x, float32(math.NaN())) }},
		{"ClipByValue", normErrClipLoHi, func() { ClipByValue(x, 1, 0) }},
		{"L1L2Grad", normErrLength, func() { L1L2Grad(x[:5], x, 1, 1) }},
	} {
		func() {
			defer func() {
				if r, _ := recover().(string); r != c.msg {
					t.Errorf("%s: panic %q, want %q", c.name, r, c.msg)
				}
			}()
			c.f()
		}()
	}
}

// FuzzMaxNorm compares every level's MaxNormRows and MaxNormCols with the
// generic level on arbitrary shapes and values.
func FuzzMaxNorm(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8}, uint8(2), float32(1))
	f.Add(make([]byte, 4*33*3), uint8(33), float32(0.5))
	f.Add([]byte{0, 0, 0x80, 0x7f, 1, 0, 0, 0}, uint8(1), float32(2))
	f.Fuzz(func(t *testing.T, data []byte, cols8 uint8, maxValue float32) {
		cols := int(cols8) + 1
		n := len(data) / 4 / cols * cols
		x := make([]float32, n)
		for i := range x {
			x[i] = math.Float32frombits(uint32(data[4*i]) | uint32(data[4*i+1])<<8 | uint32(data[4*i+2])<<16 | uint32(data[4*i+3])<<24)
		}
		ref := map[bool][]float32{}
		for _, l := range Available() {
			restore := useNormLevel(l)
			for _, rows := range []bool{true, false} {
				g := newGuarded(n, cols%16)
				if rows {
					MaxNormRows(g.fill(x), cols, maxValue)
				} else {
					MaxNormCols(g.fill(x), cols, maxValue)
				}
				g.check(t, "MaxNorm")
				if l == Generic {
					ref[rows] = append([]float32(nil), g.Data...)
					continue
				}
				for i, v := range g.Data {
					if !sameFloat(v, ref[rows][i], 1e-5) && !(math.IsInf(float64(v), 0) || math.IsInf(float64(ref[rows][i]), 0)) {
						t.Fatalf("%v rows=%v: [%d] = %v, generic %v", l, rows, i, v, ref[rows][i])
					}
				}
			}
			restore()
		}
	})
}

// TestNormFinishLevels checks the kernels that turn column sums of squares
// into norms (ColNorms) and into MaxNorm factors (MaxNormCols): correctly
// rounded sqrt, add and divide on every level, so bit-identical to the
// generic loops, special values and every tail length included.
func TestNormFinishLevels(t *testing.T) {
	specials := []float32{0, 1, 4, 0.25, 1e-14, 1e-45, 3e38, float32(math.Inf(1)), float32(math.NaN()), 1e12, 0.999, 1.0001}
	forEachLevel(t, func(t *testing.T, l Level) {
		k := normFor(l)
		r := rand.New(rand.NewPCG(25, 26))
		for _, n := range testLengths() {
			if n > 300 {
				continue
			}
			s := randSlice(r, n, 0, 9)
			for i := 0; i < n && i < len(specials); i++ {
				s[(i*11)%n] = specials[i]
			}
			for _, maxValue := range []float32{1, 2, 0.5} {
				g := newGuarded(n, n%16)
				k.maxNormFactors(g.fill(s), maxValue)
				g.check(t, "maxNormFactors")
				for i, v := range s {
					if want := maxNormFactor(sqrt32(v), maxValue); !sameBitsOrNaN(g.Data[i], want) {
						t.Fatalf("n=%d: factor(%v, max %v) = %v, want %v", n, v, maxValue, g.Data[i], want)
					}
				}
			}
			g := newGuarded(n, (n+3)%16)
			k.sqrts(g.fill(s))
			g.check(t, "sqrts")
			for i, v := range s {
				if want := sqrt32(v); !sameBitsOrNaN(g.Data[i], want) {
					t.Fatalf("n=%d: sqrt(%v) = %v, want %v", n, v, g.Data[i], want)
				}
			}
		}
	})
}

// FuzzNormKernels compares every level's SumSquares, ColNorms, ClipByValue
// and L1L2Grad with the generic level on arbitrary values and lengths (the
// tails and masks of every kernel): bit for bit where the kernel is
// elementwise, within normSumTol (relative to the sum of |terms|) for sums.
func FuzzNormKernels(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8}, uint8(1), float32(-1), float32(1))
	f.Add(make([]byte, 4*37), uint8(5), float32(0), float32(0))
	f.Add([]byte{0, 0, 0x80, 0x7f, 0, 0, 0xc0, 0x7f, 0, 0, 0, 0x80, 1, 0, 0, 0}, uint8(2), float32(-0.5), float32(2))
	f.Fuzz(func(t *testing.T, data []byte, cols8 uint8, lo, hi float32) {
		n := len(data) / 4
		x := make([]float32, n)
		for i := range x {
			x[i] = math.Float32frombits(uint32(data[4*i]) | uint32(data[4*i+1])<<8 | uint32(data[4*i+2])<<16 | uint32(data[4*i+3])<<24)
		}
		if !(lo <= hi) {
			lo, hi = -1, 1
		}
		cols := int(cols8)%17 + 1
		rows := n / cols
		ref := normFor(Generic)
		var absSq float64
		for _, v := range x {
			absSq += float64(v) * float64(v)
		}
		wantSS := ref.sumSquares(x)
		clipWant := append([]float32(nil), x...)
		ref.clipByValue(clipWant, lo, hi)
		gWant := make([]float32, n)
		wantAbs, wantSq := ref.l1l2Grad(gWant, x, 0.01, 0.002)
		for _, l := range Available()[1:] {
			k := normFor(l)
			if got := k.sumSquares(x); !closeSum(got, wantSS, absSq) {
				t.Fatalf("%v: SumSquares = %v, generic %v", l, got, wantSS)
			}
			g := newGuarded(n, n%16)
			k.clipByValue(g.fill(x), lo, hi)
			g.check(t, "clipByValue")
			for i := range x {
				if !sameBitsOrNaN(g.Data[i], clipWant[i]) {
					t.Fatalf("%v: clip(%v, %v, %v) = %v, generic %v", l, x[i], lo, hi, g.Data[i], clipWant[i])
				}
			}
			gg := newGuarded(n, (n+5)%16)
			clear(gg.Data)
			gotAbs, gotSq := k.l1l2Grad(gg.Data, x, 0.01, 0.002)
			gg.check(t, "l1l2Grad")
			for i := range x {
				if !sameBitsOrNaN(gg.Data[i], gWant[i]) {
					t.Fatalf("%v: grad(%v) = %v, generic %v", l, x[i], gg.Data[i], gWant[i])
				}
			}
			if !closeSum(gotSq, wantSq, absSq) || !closeSum(gotAbs, wantAbs, math.Sqrt(absSq)*math.Sqrt(float64(n))) {
				t.Fatalf("%v: l1l2 sums %v %v, generic %v %v", l, gotAbs, gotSq, wantAbs, wantSq)
			}
			acc, accWant := newGuarded(cols, 3), make([]float32, cols)
			clear(acc.Data)
			k.colSumSquares(acc.Data, x, cols, rows)
			acc.check(t, "colSumSquares")
			ref.colSumSquares(accWant, x, cols, rows)
			for j := range accWant {
				var colSq float64
				for r := range rows {
					colSq += float64(x[r*cols+j]) * float64(x[r*cols+j])
				}
				if !closeSum(acc.Data[j], accWant[j], colSq) {
					t.Fatalf("%v: column %d sum %v, generic %v", l, j, acc.Data[j], accWant[j])
				}
			}
		}
	})
}

// closeSum reports whether two float32 sums of terms whose magnitudes add
// up to scale agree within normSumTol*scale. NaN must match NaN; an
// overflow to Inf in one order of additions may be a finite sum above 1e38
// in another.
func closeSum(got, want float32, scale float64) bool {
	g, w := float64(got), float64(want)
	switch {
	case math.IsNaN(g) || math.IsNaN(w):
		return math.IsNaN(g) && math.IsNaN(w)
	case math.IsInf(g, 0) || math.IsInf(w, 0):
		return g == w || math.Abs(g) > 1e38 && math.Abs(w) > 1e38
	}
	return math.Abs(g-w) <= normSumTol*scale
}

// TestL1L2GradFactors checks every level's l1l2Grad kernel bit for bit
// against the generic one for unusual factors: negative and signed-zero
// l1 (whose sign makes sign(w)*l1 a signed zero), infinite and NaN l1, and
// subnormal l1 whose half is or is not exact (the AVX2 kernel multiplies
// +-2 by |l1|/2 and leaves an inexact half to its scalar loop), with l2x2
// zero, negative or small enough that l2x2*w underflows to a signed zero,
// and g holding signed zeros, so that every zero's sign shows.
func TestL1L2GradFactors(t *testing.T) {
	neg0 := float32(math.Copysign(0, -1))
	f := math.Float32frombits
	l1s := []float32{
		0.01, -0.01, 0, neg0, 1, -3,
		float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()),
		f(1), f(0x80000001), f(2), f(0x007fffff), f(0x00800000),
		f(0x00800001), f(0x80800001), f(0x01000001), math.MaxFloat32,
	}
	l2x2s := []float32{0.006, 0, neg0, -0.5, 1e-30, -1e-30, float32(math.Inf(1))}
	r := rand.New(rand.NewPCG(25, 26))
	const n = 77 // the AVX2 kernel's loops of 32 and 8 and its scalar tail
	w := randSlice(r, n, -2, 2)
	copy(w, specialValues)
	for i := len(specialValues); i < n; i += 3 {
		w[i] = []float32{0, neg0, 1e-20, -1e-20}[i%4]
	}
	g0 := randSlice(r, n, -1, 1)
	for i := range g0 {
		if i%2 == 0 {
			g0[i] = []float32{0, neg0}[i/2%2]
		}
	}
	ref := normFor(Generic)
	forEachLevel(t, func(t *testing.T, l Level) {
		k := normFor(l)
		for _, l1 := range l1s {
			for _, l2x2 := range l2x2s {
				for _, m := range []int{n, n - 5, 9} {
					want := append([]float32(nil), g0[:m]...)
					wantAbs, wantSq := ref.l1l2Grad(want, w[:m], l1, l2x2)
					gg := newGuarded(m, m%16)
					gotAbs, gotSq := k.l1l2Grad(gg.fill(g0[:m]), w[:m], l1, l2x2)
					gg.check(t, "l1l2Grad")
					for i := range want {
						if !sameBitsOrNaN(gg.Data[i], want[i]) {
							t.Fatalf("l1=%v l2x2=%v n=%d: g[%d] (g=%v, w=%v) = %v (%#x), generic %v (%#x)",
								l1, l2x2, m, i, g0[i], w[i], gg.Data[i], math.Float32bits(gg.Data[i]), want[i], math.Float32bits(want[i]))
						}
					}
					if !closeSum(gotAbs, wantAbs, float64(wantAbs)) || !closeSum(gotSq, wantSq, float64(wantSq)) {
						t.Fatalf("l1=%v l2x2=%v n=%d: sums %v %v, generic %v %v", l1, l2x2, m, gotAbs, gotSq, wantAbs, wantSq)
					}
				}
			}
		}
	})
}
