package blas

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/nnrt/nnrt/runtime"
)

// sparsify zeroes about the fraction zeros of p's A (±0 alike).
func sparsify(r *rand.Rand, p *problem, zeros float64) {
	for i := range p.a {
		if u := r.Float64(); u < zeros/2 {
			p.a[i] = 0
		} else if u < zeros {
			p.a[i] = float32(math.Copysign(0, -1))
		}
	}
}

func (p *problem) runSparse(s *Sparse) {
	s.Compress(p.tA, p.m, p.k, p.a, p.lda)
	SgemmSparse(s, p.n, p.alpha, p.b, p.ldb, p.beta, p.c(), p.ldc)
}

func TestSgemmSparseShapes(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	var s Sparse
	ms, ns, ks, zs := []int{1, 2, 5, 17, 64, 65, 130}, []int{1, 10, 16, 17, 100, 128, 129, 300}, []int{1, 15, 64, 65, 200}, []float64{0, 0.5, 0.95, 1}
	if testing.Short() {
		ms, ns, ks, zs = []int{1, 5, 65}, []int{1, 17, 129, 300}, []int{15, 65}, []float64{0.5, 1}
	}
	for _, tA := range []Transpose{NoTrans, Trans} {
		for _, m := range ms {
			for _, n := range ns {
				for _, k := range ks {
					for _, zeros := range zs {
						alpha, beta := float32(0.5+r.Float64()), []float32{0, 1, -0.25}[r.IntN(3)]
						p := newProblem(r, tA, NoTrans, m, n, k, alpha, beta, r.IntN(3)*7)
						sparsify(r, p, zeros)
						if beta == 0 {
							c := p.c()
							for i := range c {
								if i%p.ldc < n {
									c[i] = float32(math.NaN()) // must not be read
								}
							}
						}
						p.runSparse(&s)
						p.check(t)
					}
				}
			}
		}
	}
}

// TestSgemmSparseDensity checks the count on a matrix worked by hand.
func TestSgemmSparseDensity(t *testing.T) {
	a := []float32{
		0, 1, 0, 2,
		3, 0, 0, float32(math.NaN()),
	}
	var s Sparse
	// the pair of rows keeps positions 0, 1 and 3 (NaN counts)
	if d := s.Compress(NoTrans, 2, 4, a, 4); d != 0.75 {
		t.Errorf("density %v, want 0.75", d)
	}
	// columns (0, 1) keep rows 0 and 1, columns (2, 3) rows 0 and 1
	if d := s.Compress(Trans, 4, 2, a, 4); d != 1 {
		t.Errorf("transposed density %v, want 1", d)
	}
	// three rows: the last pair is row 2 and zeros
	b := []float32{1, 0, 0, 0, 0, 0, 0, 0, 0}
	if d := s.Compress(NoTrans, 3, 3, b, 3); d != 1.0/6 {
		t.Errorf("odd density %v, want 1/6", d)
	}
	if d := s.Compress(NoTrans, 0, 4, a, 4); d != 0 {
		t.Errorf("empty density %v", d)
	}
}

// TestSgemmSparseIEEE: an infinity or NaN of B meets A's zeros as in a
// dense product (NaN), and NaN in A propagates.
func TestSgemmSparseIEEE(t *testing.T) {
	// column 0 of A is zeros: no pair of rows keeps it
	a := []float32{
		0, 1,
		0, 2,
	}
	inf := float32(math.Inf(1))
	for _, bad := range []float32{inf, float32(math.NaN())} {
		b := []float32{
			bad, 1,
			1, 1,
		}
		c := make([]float32, 4)
		var s Sparse
		s.Compress(NoTrans, 2, 2, a, 2)
		SgemmSparse(&s, 2, 1, b, 2, 0, c, 2)
		// column 0 of C is 0*bad + a*1: NaN, as Sgemm gives
		want := make([]float32, 4)
		Sgemm(NoTrans, NoTrans, 2, 2, 2, 1, a, 2, b, 2, 0, want, 2)
		for i := range c {
			if math.Float32bits(c[i]) != math.Float32bits(want[i]) && !(c[i] != c[i] && want[i] != want[i]) {
				t.Errorf("B with %v: C %v, want %v", bad, c, want)
				break
			}
		}
		if c[0] == c[0] || c[2] == c[2] {
			t.Errorf("B with %v: 0*%v gave %v, want NaN", bad, bad, c)
		}
	}
	a[1] = float32(math.NaN())
	b := []float32{1, 1, 1, 1}
	c := make([]float32, 4)
	var s Sparse
	s.Compress(NoTrans, 2, 2, a, 2)
	SgemmSparse(&s, 2, 1, b, 2, 0, c, 2)
	if c[0] == c[0] || c[2] != 2 {
		t.Errorf("NaN in A: C %v", c)
	}
}

// TestSgemmSparseThreads: 1, 2, 3 and 7 threads give the same bits, for
// both orientations and a B that is copied and one that is not.
func TestSgemmSparseThreads(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	shapes := [][3]int{{256, 300, 784}, {784, 300, 256}, {300, 128, 200}}
	if testing.Short() {
		shapes = [][3]int{{130, 300, 200}, {300, 128, 130}}
	}
	for _, tA := range []Transpose{NoTrans, Trans} {
		for _, sh := range shapes {
			p := newProblem(r, tA, NoTrans, sh[0], sh[1], sh[2], 1, 0.5, 0)
			sparsify(r, p, 0.5)
			var ref []float32
			for _, th := range []int{1, 2, 3, 7} {
				func() {
					defer runtime.SetThreads(runtime.SetThreads(th))
					copy(p.c(), p.c0)
					var s Sparse
					p.runSparse(&s)
				}()
				if ref == nil {
					ref = append([]float32(nil), p.c()...)
					p.check(t)
					continue
				}
				for i, v := range p.c() {
					if math.Float32bits(v) != math.Float32bits(ref[i]) {
						t.Fatalf("%v: %d threads: C[%d] = %v, 1 thread %v", p, th, i, v, ref[i])
					}
				}
			}
		}
	}
}

// rowsCollector is a RowsFunc that copies each group into c (n columns)
// and counts the times each row was given.
type rowsCollector struct {
	n     int
	c     []float32
	times []int
}

func newRowsCollector(m, n int) *rowsCollector {
	return &rowsCollector{n: n, c: make([]float32, m*n), times: make([]int, m)}
}

func (rc *rowsCollector) Rows(r0, r1 int, c []float32) {
	if len(c) != (r1-r0)*rc.n {
		panic("rowsCollector: group of the wrong length")
	}
	copy(rc.c[r0*rc.n:r1*rc.n], c)
	for r := r0; r < r1; r++ {
		rc.times[r]++ // groups are disjoint: no two goroutines share a row
	}
}

// TestSgemmSparseRows: the row groups of SgemmSparseRows are SgemmSparse's
// C with beta 0, bit for bit, every row once, on 1, 2 and 3 threads, for
// both orientations, with alpha 0, k 0, and with an infinity in B (the
// dense fallback).
func TestSgemmSparseRows(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	shapes := [][3]int{{1, 1, 1}, {3, 17, 5}, {65, 129, 64}, {130, 300, 33}, {784, 300, 32}, {256, 300, 784}, {9, 4, 0}}
	for _, tA := range []Transpose{NoTrans, Trans} {
		for _, sh := range shapes {
			for _, th := range []int{1, 2, 3} {
				for _, c := range []struct {
					alpha float32
					inf   bool
				}{{0.75, false}, {0, false}, {1, true}} {
					func() {
						defer runtime.SetThreads(runtime.SetThreads(th))
						m, n, k := sh[0], sh[1], sh[2]
						p := newProblem(r, tA, NoTrans, m, n, k, c.alpha, 0, 3)
						sparsify(r, p, 0.6)
						if c.inf && k > 0 {
							p.b[(k/2)*p.ldb+n/2] = float32(math.Inf(1))
						}
						var s Sparse
						p.runSparse(&s)
						rc := newRowsCollector(m, n)
						s.Compress(tA, m, k, p.a, p.lda)
						SgemmSparseRows(&s, n, c.alpha, p.b, p.ldb, rc)
						want := p.c()
						for i := 0; i < m; i++ {
							if rc.times[i] != 1 {
								t.Fatalf("%v, %d threads: row %d given %d times", p, th, i, rc.times[i])
							}
							for j := 0; j < n; j++ {
								g, w := rc.c[i*n+j], want[i*p.ldc+j]
								if math.Float32bits(g) != math.Float32bits(w) && !(g != g && w != w) {
									t.Fatalf("%v, %d threads: C[%d,%d] = %v, SgemmSparse %v", p, th, i, j, g, w)
								}
							}
						}
					}()
				}
			}
		}
	}
}

func TestSgemmSparsePanics(t *testing.T) {
	a := make([]float32, 12)
	mustPanic := func(msg string, f func()) {
		t.Helper()
		defer func() {
			if r := recover(); r != msg {
				t.Errorf("panic %v, want %q", r, msg)
			}
		}()
		f()
	}
	var s Sparse
	mustPanic(mLT0, func() { s.Compress(NoTrans, -1, 2, a, 2) })
	mustPanic(badLdA, func() { s.Compress(NoTrans, 2, 4, a, 3) })
	mustPanic(shortA, func() { s.Compress(Trans, 4, 4, a, 4) })
	mustPanic(badTranspose, func() { s.Compress('x', 2, 2, a, 2) })
	s.Compress(NoTrans, 3, 4, a, 4)
	mustPanic(nLT0, func() { SgemmSparse(&s, -1, 1, a, 1, 0, a, 1) })
	mustPanic(badLdB, func() { SgemmSparse(&s, 3, 1, a, 2, 0, a, 3) })
	mustPanic(shortB, func() { SgemmSparse(&s, 3, 1, a[:5], 3, 0, a, 3) })
	mustPanic(shortC, func() { SgemmSparse(&s, 3, 1, a, 3, 0, a[:7], 3) })
	mustPanic(shortB, func() { SgemmSparseRows(&s, 3, 1, a[:5], 3, newRowsCollector(3, 3)) })
	mustPanic("blas: SgemmSparseRows needs a RowsFunc", func() { SgemmSparseRows(&s, 3, 1, a, 3, nil) })
}

func TestSgemmSparseAllocs(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	var s Sparse
	for _, tA := range []Transpose{NoTrans, Trans} {
		checkNoAllocs(t, tA, NoTrans, [][3]int{{256, 300, 784}, {32, 100, 300}}, func(p *problem) {
			if p.a[0] != 0 {
				sparsify(r, p, 0.5)
			}
			p.runSparse(&s)
		})
	}
	rc := newRowsCollector(784, 300)
	checkNoAllocs(t, Trans, NoTrans, [][3]int{{784, 300, 32}}, func(p *problem) {
		if p.a[0] != 0 {
			sparsify(r, p, 0.5)
		}
		s.Compress(p.tA, p.m, p.k, p.a, p.lda)
		SgemmSparseRows(&s, p.n, p.alpha, p.b, p.ldb, rc)
	})
}

func FuzzSgemmSparse(f *testing.F) {
	f.Add(uint8(5), uint8(7), uint16(9), false, float32(1), float32(0), uint8(128), uint8(0), uint64(1))
	f.Add(uint8(65), uint8(200), uint16(300), true, float32(-2), float32(0.5), uint8(230), uint8(3), uint64(2))
	f.Fuzz(func(t *testing.T, m, n uint8, k uint16, ta bool, alpha, beta float32, zeros, pad uint8, seed uint64) {
		if math.IsNaN(float64(alpha)) || math.IsInf(float64(alpha), 0) || math.Abs(float64(alpha)) > 1e3 ||
			math.IsNaN(float64(beta)) || math.IsInf(float64(beta), 0) || math.Abs(float64(beta)) > 1e3 {
			t.Skip()
		}
		tA := NoTrans
		if ta {
			tA = Trans
		}
		r := rand.New(rand.NewPCG(seed, 0))
		p := newProblem(r, tA, NoTrans, int(m), int(n), int(k%700), alpha, beta, int(pad%5))
		sparsify(r, p, float64(zeros)/255)
		var s Sparse
		p.runSparse(&s)
		p.check(t)
	})
}

// TestSparseSharesFollowDepthBlocks: the threads' shares of a weight
// gradient's rows (op(A) = xᵀ) end where splitK's tasks of the forward
// product x·W end, however the nonzeros lie, so that each thread updates
// the rows of W its share of the forward reads; the shares of a forward's
// rows (op(A) = x, samples) balance the entries instead.
func TestSparseSharesFollowDepthBlocks(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	for _, sh := range [][3]int{{32, 300, 784}, {64, 300, 784}, {32, 100, 300}} {
		batch, units, features := sh[0], sh[1], sh[2]
		// the later features (x's columns) three times as dense as the first
		x := make([]float32, batch*features)
		for i := range x {
			if f := i % features; r.Float64() < 0.2+0.4*float64(2*f/features) {
				x[i] = r.Float32()
			}
		}
		kb := active.depthBlocks(batch, units, features)
		if kb%2 != 0 || !smallC(batch, units, features) {
			t.Fatalf("%v: the forward is not split in two tasks (%d depth blocks)", sh, kb)
		}
		split := kb / 2 * ceilDiv(features, kb) // the second task's first row of W
		var s Sparse
		s.Compress(Trans, features, batch, x, features)
		pairs := (features + 1) / 2
		s.shares(pairs, 2)
		if got := 2 * s.bounds[1]; got != split || s.bounds[2] != pairs {
			t.Errorf("%v: xᵀ's shares end at rows %d, %d; the forward's tasks at %d, %d", sh, got, 2*s.bounds[2], split, features)
		}
		// x's rows are samples: shares of equal entries, which these
		// uniform samples put near the middle
		s.Compress(NoTrans, batch, features, x, features)
		s.shares((batch+1)/2, 2)
		if b := s.bounds[1]; b < batch/4-2 || b > batch/4+2 {
			t.Errorf("%v: x's shares end at pair %d of %d", sh, b, (batch+1)/2)
		}
	}
}
