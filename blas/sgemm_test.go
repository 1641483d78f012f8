package blas

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	goruntime "runtime"

	"github.com/nnrt/nnrt/asm"
	"github.com/nnrt/nnrt/runtime"
)

// forEachLevel runs f once per level this machine supports.
func forEachLevel(t *testing.T, f func(t *testing.T, d *driver)) {
	for _, l := range asm.Available() {
		t.Run(l.String(), func(t *testing.T) { f(t, drivers[l]) })
	}
}

var transposes = []Transpose{NoTrans, Trans}

func tname(t Transpose) string { return string(rune(t)) }

// problem is one Sgemm call with operands stored with leading dimensions
// wider than the matrices and C inside guard bands.
type problem struct {
	tA, tB      Transpose
	m, n, k     int
	alpha, beta float32
	a, b        []float32
	lda, ldb    int
	cbuf        []float32 // guard + C rows (ldc wide) + guard
	ldc         int
	c0          []float32 // C before the call (m×ldc)
}

const guard = 37

var guardValue = math.Float32frombits(0x7fc0dead)

func newProblem(r *rand.Rand, tA, tB Transpose, m, n, k int, alpha, beta float32, pad int) *problem {
	p := &problem{tA: tA, tB: tB, m: m, n: n, k: k, alpha: alpha, beta: beta}
	ar, ac := m, k
	if tA == Trans {
		ar, ac = k, m
	}
	br, bc := k, n
	if tB == Trans {
		br, bc = n, k
	}
	p.lda, p.ldb, p.ldc = max(1, ac)+pad, max(1, bc)+pad, max(1, n)+pad
	p.a = randFloats(r, ar*p.lda)
	p.b = randFloats(r, br*p.ldb)
	p.cbuf = make([]float32, 2*guard+m*p.ldc)
	for i := range p.cbuf {
		p.cbuf[i] = guardValue
	}
	for i := 0; i < m; i++ {
		copy(p.cbuf[guard+i*p.ldc:guard+i*p.ldc+n], randFloats(r, n))
	}
	p.c0 = append([]float32(nil), p.c()...)
	return p
}

func randFloats(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = 2*r.Float32() - 1
	}
	return s
}

func (p *problem) c() []float32 { return p.cbuf[guard : guard+p.m*p.ldc] }

func (p *problem) run(d *driver) {
	sgemm(d, p.tA, p.tB, p.m, p.n, p.k, p.alpha, p.a, p.lda, p.b, p.ldb, p.beta, p.c(), p.ldc)
}

func (p *problem) String() string {
	return fmt.Sprintf("%s%s m=%d n=%d k=%d alpha=%g beta=%g lda=%d ldb=%d ldc=%d",
		tname(p.tA), tname(p.tB), p.m, p.n, p.k, p.alpha, p.beta, p.lda, p.ldb, p.ldc)
}

func (p *problem) opA(i, l int) float64 {
	if p.tA == Trans {
		return float64(p.a[l*p.lda+i])
	}
	return float64(p.a[i*p.lda+l])
}

func (p *problem) opB(l, j int) float64 {
	if p.tB == Trans {
		return float64(p.b[j*p.ldb+l])
	}
	return float64(p.b[l*p.ldb+j])
}

// check compares C with a float64 reference: the error of each element may
// be (k+2) float32 roundings of the sum of the magnitudes of its terms.
// Guard bands and the padding of each row must be untouched.
func (p *problem) check(t *testing.T) {
	t.Helper()
	c := p.c()
	for i, v := range p.cbuf {
		in := i >= guard && i < guard+p.m*p.ldc && (i-guard)%p.ldc < p.n
		if !in && math.Float32bits(v) != math.Float32bits(guardValue) {
			t.Fatalf("%v: write out of bounds at C offset %d", p, i-guard)
		}
	}
	eps := math.Ldexp(1, -24)
	for i := 0; i < p.m; i++ {
		for j := 0; j < p.n; j++ {
			var s, mag float64
			for l := 0; l < p.k; l++ {
				x := p.opA(i, l) * p.opB(l, j)
				s += x
				mag += math.Abs(x)
			}
			want := float64(p.alpha) * s
			mag = math.Abs(float64(p.alpha)) * mag
			if p.beta != 0 {
				cb := float64(p.beta) * float64(p.c0[i*p.ldc+j])
				want += cb
				mag += math.Abs(cb)
			}
			got := float64(c[i*p.ldc+j])
			if tol := float64(p.k+2) * eps * mag; math.Abs(got-want) > tol || math.IsNaN(got) {
				t.Fatalf("%v: C[%d,%d] = %g, want %g (tolerance %g)", p, i, j, got, want, tol)
			}
		}
	}
}

// testDims are the sizes of m, n and k around every boundary of the level:
// 1, the tile MR±1 and NR±1, the narrow kernel's width NarrowNR and one
// more (the widest last panel it takes, and the narrowest it does not), the
// block depth KC±1, and primes.
func testDims(d *driver) (ms, ns, ks []int) {
	b := d.blk
	nn := d.g.NarrowNR
	ms = []int{1, 2, b.MR - 1, b.MR, b.MR + 1, 2*b.MR + 1, 13, 37}
	ns = []int{1, 3, nn, nn + 1, b.NR - 1, b.NR, b.NR + 1, b.NR + nn, 2*b.NR + 3, 97}
	slices.Sort(ns)
	ns = slices.Compact(ns)
	ks = []int{1, 2, 7, b.KC - 1, b.KC, b.KC + 1, 2*b.KC + 3}
	return
}

func TestSgemmShapes(t *testing.T) {
	forEachLevel(t, func(t *testing.T, d *driver) {
		r := rand.New(rand.NewPCG(1, uint64(d.g.Level)))
		ms, ns, ks := testDims(d)
		flips, runs := 0, 0
		for _, m := range ms {
			for _, n := range ns {
				for _, k := range ks {
					for _, tA := range transposes {
						for _, tB := range transposes {
							// -short (the race and qemu runs) samples a quarter.
							if testing.Short() && r.IntN(4) != 0 {
								continue
							}
							if d.flip(tA == Trans, tB == Trans, m, n, k) {
								flips++
							}
							runs++
							ab := [][2]float32{{1, 0}, {-0.75, 1}, {1.5, -0.5}}[r.IntN(3)]
							p := newProblem(r, tA, tB, m, n, k, ab[0], ab[1], r.IntN(3))
							p.run(d)
							p.check(t)
						}
					}
				}
			}
		}
		if flips == 0 || flips == runs {
			t.Errorf("%d of %d products flipped: one of gemm's two paths went untested", flips, runs)
		}
	})
}

// TestSgemmBlocks crosses MC and NC blocks and the in-place (unpacked)
// operand paths on larger products.
func TestSgemmBlocks(t *testing.T) {
	forEachLevel(t, func(t *testing.T, d *driver) {
		r := rand.New(rand.NewPCG(2, uint64(d.g.Level)))
		b := d.blk
		shapes := [][3]int{
			{b.MC + 1, 3*b.NR + 1, 40},
			{2*b.MC + 5, b.NR + 3, b.KC + 9},
			{5, b.NC + b.NR + 1, 19},
			{32, 300, 784}, {784, 300, 32}, {32, 784, 300}, {32, 10, 100}, {100, 10, 32},
			{4 * b.MR, 5*b.NR + 1, 33}, {4*b.MR + 1, 4 * b.NR, 33},
		}
		if testing.Short() { // the race and qemu runs: one product per kind
			shapes = [][3]int{{b.MC + 1, b.NR + 3, 40}, {5, b.NC + b.NR + 1, 19}, {32, 10, 100}, {100, 10, 32},
				{4 * b.MR, 5*b.NR + 1, 33}, {4*b.MR + 1, 4 * b.NR, 33}}
		}
		for _, s := range shapes {
			for _, tA := range transposes {
				for _, tB := range transposes {
					p := newProblem(r, tA, tB, s[0], s[1], s[2], 0.5, 2, 1)
					p.run(d)
					p.check(t)
				}
			}
		}
	})
}

func TestSgemmBetaZeroIgnoresC(t *testing.T) {
	forEachLevel(t, func(t *testing.T, d *driver) {
		r := rand.New(rand.NewPCG(3, 0))
		// the blocked path, and the matrix-vector (1x300x100, 300x1x100),
		// rank-one (100x10x1) and few-rows (2x300x100, 3x100x300) ones
		for _, s := range [][3]int{{1, 1, 1}, {d.g.MR + 1, d.g.NR + 1, 5}, {50, 70, 300}, {3, 4, 0},
			{1, 300, 100}, {300, 1, 100}, {100, 10, 1}, {2, 300, 100}, {3, 100, 300}} {
			for _, alpha := range []float32{1, 0, -1.5} {
				for _, tA := range transposes {
					for _, tB := range transposes {
						p := newProblem(r, tA, tB, s[0], s[1], s[2], alpha, 0, 2)
						c := p.c()
						for i := 0; i < p.m; i++ {
							for j := 0; j < p.n; j++ {
								c[i*p.ldc+j] = float32(math.NaN())
							}
						}
						p.run(d)
						p.check(t)
					}
				}
			}
		}
	})
}

// TestSgemmConcurrent: products called from several goroutines at once,
// each on two threads, give the bits they give alone. They share the
// driver's workspace slots and free lists (see lazyWorkspace), and the
// race detector watches them in the race build.
func TestSgemmConcurrent(t *testing.T) {
	defer runtime.SetThreads(runtime.SetThreads(2))
	d := active
	shapes := [][3]int{{32, 300, 784}, {32, 100, 300}, {256, 200, 300}, {300, 100, 32}, {32, 300, 100}, {9, 10, 11}}
	if testing.Short() {
		shapes = shapes[1:]
	}
	r := rand.New(rand.NewPCG(6, 0))
	var probs []*problem
	var want [][]float32
	for _, s := range shapes {
		for _, tr := range [][2]Transpose{{NoTrans, NoTrans}, {Trans, NoTrans}, {NoTrans, Trans}} {
			p := newProblem(r, tr[0], tr[1], s[0], s[1], s[2], 1.5, 0, 1)
			p.run(d)
			probs = append(probs, p)
			want = append(want, append([]float32(nil), p.c()...))
		}
	}
	const goroutines = 4
	errs := make(chan string, goroutines)
	var wg sync.WaitGroup
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			c := make([][]float32, len(probs))
			for rep := 0; rep < 3; rep++ {
				for i := range probs {
					j := (i + g) % len(probs) // each goroutine in its own order
					p := probs[j]
					if c[j] == nil {
						c[j] = make([]float32, len(p.c()))
					}
					sgemm(d, p.tA, p.tB, p.m, p.n, p.k, p.alpha, p.a, p.lda, p.b, p.ldb, 0, c[j], p.ldc)
					for e, v := range c[j] {
						if e%p.ldc < p.n && math.Float32bits(v) != math.Float32bits(want[j][e]) {
							errs <- fmt.Sprintf("goroutine %d, %v: C offset %d is %g, alone %g", g, p, e, v, want[j][e])
							return
						}
					}
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestSgemmThreads: 1, 2, 3 and 7 threads give identical bits.
func TestSgemmThreads(t *testing.T) {
	defer runtime.SetThreads(runtime.SetThreads(1))
	forEachLevel(t, func(t *testing.T, d *driver) {
		b := d.blk
		// {256, 200, 300} (and {300, 100, 256}, short) have their row
		// blocks claimed by the threads. {32, 784, 300}, {32, 300, 784},
		// {20, 60, 3*KC+1} and {12, 40, 5*KC+3} take splitK: two, four,
		// four (the last block shorter) and eight depth blocks, summed in
		// a tree whose subtrees the 1, 2, 3, 7, 8 and 16 threads divide
		// differently (on 7 threads two blocks are two tasks of three
		// threads each, on 8 four blocks four tasks of two); {300, NC+70,
		// KC+50} keeps its packed A panels across two column blocks and
		// two depth blocks. {1, 1000, 301} and
		// {999, 1, 300} are gemv's, split by outputs, {1000, 300, 1} ger's,
		// split by rows. {256, 300, 784} takes splitK from operands five
		// times C (smallC); {256, 10, 100} and {256, 100, 10}, under
		// parallelMin, are split from splitMin with a row-major A (on one
		// thread the first is computed on Aᵀ by the tall kernel).
		// {256, 100, 300}'s rows make fewer blocks than 16 threads, which
		// it then leaves partly idle (see setup).
		shapes := [][3]int{{256, 200, 300}, {2*b.MC + 7, 3*b.NR + 5, 70}, {32, 784, 300}, {784, 300, 32}, {9, b.NC + 50, 40},
			{32, 300, 784}, {20, 60, 3*b.KC + 1}, {12, 40, 5*b.KC + 3}, {300, b.NC + 70, b.KC + 50}, {1, 1000, 301}, {999, 1, 300}, {1000, 300, 1},
			{256, 300, 784}, {256, 10, 100}, {256, 100, 10}, {256, 100, 300}}
		if testing.Short() {
			shapes = [][3]int{{150, 130, 120}, {b.MC + 5, 40, 30}, {32, 300, 100}, {32, 300, 784}, {300, 100, 256}, {1, 1000, 301}, {999, 1, 300}, {1000, 300, 1},
				{256, 10, 100}, {256, 100, 300}}
		}
		for si, s := range shapes {
			for _, tA := range transposes {
				for _, tB := range transposes {
					// beta = 0 on every other shape: the last partial row
					// of tiles is then computed shifted (see shiftsLastTile)
					beta := []float32{-0.5, 0}[si%2]
					r := rand.New(rand.NewPCG(4, 0))
					var ref []float32
					for _, th := range []int{1, 2, 3, 7, 8, 16} {
						runtime.SetThreads(th)
						p := newProblem(r, tA, tB, s[0], s[1], s[2], 1.25, beta, 3)
						r = rand.New(rand.NewPCG(4, 0))
						p.run(d)
						ref = p.checkThreads(t, ref, th)
					}
				}
			}
		}
	})
}

// checkThreads checks p's result against the reference (and returns it as
// the reference when there is none yet, after checking it against float64):
// a run on th threads must give the first run's bits.
func (p *problem) checkThreads(t *testing.T, ref []float32, th int) []float32 {
	t.Helper()
	if ref == nil {
		p.check(t)
		return append([]float32(nil), p.c()...)
	}
	for i, v := range p.c() {
		if math.Float32bits(v) != math.Float32bits(ref[i]) {
			t.Fatalf("%v: threads=%d differs from the first run at C offset %d: %g vs %g", p, th, i, v, ref[i])
		}
	}
	return ref
}

// TestDepthBlocks: the depth blocks depend on the shape only, and a
// product whose C is small next to its operands gets at least two.
func TestDepthBlocks(t *testing.T) {
	forEachLevel(t, func(t *testing.T, d *driver) {
		kc := d.blk.KC
		cases := []struct{ m, n, k, want int }{
			{1024, 1024, 1024, ceilDiv(1024, kc)},
			{32, 300, 784, pow2(max(2, ceilDiv(784, kc)))}, // the book's first layer, forward
			{32, 100, 2 * minSplitK, 2},                    // C small: split
			{32, 100, 2*minSplitK - 1, 1},                  // too shallow to split
			{300, 300, 2 * minSplitK, 1},                   // C large
			{20, 60, 3*kc + 1, 4},                          // blocks of at most KC
		}
		for _, c := range cases {
			if got := d.depthBlocks(c.m, c.n, c.k); got != c.want {
				t.Errorf("depthBlocks(%d, %d, %d) = %d, want %d (KC %d)", c.m, c.n, c.k, got, c.want, kc)
			}
		}
	})
}

// pow2 is the least power of two >= x.
func pow2(x int) int {
	p := 1
	for p < x {
		p *= 2
	}
	return p
}

// TestSgemmPanics: bad arguments panic with gonum's messages.
func TestSgemmPanics(t *testing.T) {
	a := make([]float32, 100)
	cases := []struct {
		want string
		f    func()
	}{
		{badTranspose, func() { Sgemm('X', NoTrans, 2, 2, 2, 1, a, 2, a, 2, 0, a, 2) }},
		{badTranspose, func() { Sgemm(NoTrans, 'X', 2, 2, 2, 1, a, 2, a, 2, 0, a, 2) }},
		{mLT0, func() { Sgemm(NoTrans, NoTrans, -1, 2, 2, 1, a, 2, a, 2, 0, a, 2) }},
		{nLT0, func() { Sgemm(NoTrans, NoTrans, 2, -1, 2, 1, a, 2, a, 2, 0, a, 2) }},
		{kLT0, func() { Sgemm(NoTrans, NoTrans, 2, 2, -1, 1, a, 2, a, 2, 0, a, 2) }},
		{badLdA, func() { Sgemm(NoTrans, NoTrans, 2, 2, 3, 1, a, 2, a, 2, 0, a, 2) }},
		{badLdA, func() { Sgemm(Trans, NoTrans, 3, 2, 2, 1, a, 2, a, 2, 0, a, 2) }},
		{badLdB, func() { Sgemm(NoTrans, NoTrans, 2, 3, 2, 1, a, 2, a, 2, 0, a, 3) }},
		{badLdB, func() { Sgemm(NoTrans, Trans, 2, 2, 3, 1, a, 3, a, 2, 0, a, 2) }},
		{badLdC, func() { Sgemm(NoTrans, NoTrans, 2, 3, 2, 1, a, 2, a, 3, 0, a, 2) }},
		{shortA, func() { Sgemm(NoTrans, NoTrans, 20, 2, 20, 1, a, 20, a, 2, 0, a, 2) }},
		{shortB, func() { Sgemm(NoTrans, NoTrans, 2, 20, 20, 1, a, 20, a, 20, 0, a, 20) }},
		{shortC, func() { Sgemm(NoTrans, NoTrans, 20, 20, 2, 1, a, 2, a, 20, 0, a, 20) }},
	}
	for _, c := range cases {
		func() {
			defer func() {
				if got := recover(); got != c.want {
					t.Errorf("panic %v, want %q", got, c.want)
				}
			}()
			c.f()
		}()
	}
	// Empty products return before the length checks, as gonum's do.
	Sgemm(NoTrans, NoTrans, 0, 5, 5, 1, nil, 5, nil, 5, 0, nil, 5)
}

// TestSgemmAt: SgemmAt runs the level asked for, and refuses others.
func TestSgemmAt(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 0))
	for _, l := range asm.Available() {
		p := newProblem(r, NoTrans, Trans, 29, 41, 53, 1, 0.5, 1)
		want := newProblem(rand.New(rand.NewPCG(9, 0)), NoTrans, Trans, 29, 41, 53, 1, 0.5, 1)
		p.a, p.b, p.cbuf, p.c0 = want.a, want.b, append([]float32(nil), want.cbuf...), want.c0
		SgemmAt(l, p.tA, p.tB, p.m, p.n, p.k, p.alpha, p.a, p.lda, p.b, p.ldb, p.beta, p.c(), p.ldc)
		want.run(drivers[l])
		for i, v := range p.cbuf {
			if math.Float32bits(v) != math.Float32bits(want.cbuf[i]) {
				t.Fatalf("%v: SgemmAt differs from its driver at %d", l, i)
			}
		}
	}
	defer func() {
		if got := recover(); got != "blas: level not available: Level(99)" {
			t.Errorf("panic %v", got)
		}
	}()
	SgemmAt(asm.Level(99), NoTrans, NoTrans, 1, 1, 1, 1, []float32{1}, 1, []float32{1}, 1, 0, []float32{0}, 1)
}

// TestSgemmAllocs: the steady state allocates nothing.
func TestSgemmAllocs(t *testing.T) {
	checkNoAllocs(t, NoTrans, Trans, [][3]int{{32, 300, 784}, {300, 400, 200}}, func(p *problem) { p.run(active) })
}

// checkNoAllocs runs each shape once to warm up and then checks, on two
// threads, that further runs allocate nothing.
func checkNoAllocs(t *testing.T, tA, tB Transpose, shapes [][3]int, run func(*problem)) {
	t.Helper()
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	defer runtime.SetThreads(runtime.SetThreads(2))
	r := rand.New(rand.NewPCG(5, 0))
	for _, s := range shapes {
		p := newProblem(r, tA, tB, s[0], s[1], s[2], 1, 0, 0)
		run(p)
		if n := testing.AllocsPerRun(20, func() { run(p) }); n > 0 {
			t.Errorf("%v: %v allocations per call", p, n)
		}
	}
}

// TestSgemmAllocsAfterGC: products of different shapes, direct and
// flipped, small and large (so that a call record recycled from a small
// product serves a large one), still allocate nothing after a garbage
// collection, which empties any sync.Pool.
func TestSgemmAllocsAfterGC(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	defer runtime.SetThreads(runtime.SetThreads(2))
	r := rand.New(rand.NewPCG(6, 0))
	var ps []*problem
	for _, s := range []struct {
		tA, tB  Transpose
		m, n, k int
	}{
		{NoTrans, NoTrans, 7, 5, 3},
		{NoTrans, Trans, 32, 300, 784},
		{Trans, NoTrans, 784, 300, 32},
		{NoTrans, NoTrans, 300, 1000, 600},
		{NoTrans, Trans, 1, 10, 100},
		{NoTrans, NoTrans, 1, 1000, 301},
		{Trans, NoTrans, 999, 1, 300},
		{Trans, NoTrans, 784, 300, 1},
		{NoTrans, Trans, 100, 10, 1},
	} {
		ps = append(ps, newProblem(r, s.tA, s.tB, s.m, s.n, s.k, 1, 0.5, 0))
	}
	// AllocsPerRun's own warm-up would refill what a GC before it emptied,
	// so the GC runs inside each measured round, before every product.
	all := func() {
		for _, p := range ps {
			goruntime.GC()
			p.run(active)
		}
	}
	all()
	if n := testing.AllocsPerRun(3, all); n > 0 {
		t.Errorf("%v allocations per round of %d products with a GC before each", n, len(ps))
	}
}

func FuzzSgemm(f *testing.F) {
	f.Add(uint8(5), uint8(7), uint16(9), false, true, float32(1), float32(0), uint8(0), uint64(1))
	f.Add(uint8(33), uint8(65), uint16(300), true, false, float32(-2), float32(0.5), uint8(3), uint64(2))
	// a narrow product on Aᵀ (transposesA) with a partial row panel
	f.Add(uint8(45), uint8(10), uint16(100), false, true, float32(1), float32(0), uint8(1), uint64(3))
	f.Fuzz(func(t *testing.T, m, n uint8, k uint16, ta, tb bool, alpha, beta float32, pad uint8, seed uint64) {
		if math.IsNaN(float64(alpha)) || math.IsInf(float64(alpha), 0) || math.Abs(float64(alpha)) > 1e3 ||
			math.IsNaN(float64(beta)) || math.IsInf(float64(beta), 0) || math.Abs(float64(beta)) > 1e3 {
			t.Skip()
		}
		tA, tB := NoTrans, NoTrans
		if ta {
			tA = Trans
		}
		if tb {
			tB = Trans
		}
		r := rand.New(rand.NewPCG(seed, 0))
		for _, l := range asm.Available() {
			p := newProblem(r, tA, tB, int(m), int(n), int(k%1000), alpha, beta, int(pad%5))
			p.run(drivers[l])
			p.check(t)
			if l == asm.AMX && p.m > 0 && p.n > 0 && p.k > 0 && alpha != 0 {
				// the tiles' path at every size, not only those Sgemm sends there
				p = newProblem(r, tA, tB, int(m), int(n), int(k%1000), alpha, beta, int(pad%5))
				p.runAMX(drivers[l])
				p.check(t)
			}
		}
	})
}

// loopsInto computes p's product into c through the one-thread loops
// (depth blocks as gemm's, without the plan's flip or transposed A).
func (p *problem) loopsInto(d *driver, c []float32) {
	d.loops(nil, p.tA == Trans, p.tB == Trans, p.m, p.n, p.k, d.depthBlocks(p.m, p.n, p.k), 1, p.alpha, p.a, p.lda, p.b, p.ldb, p.beta, c, p.ldc, false, 0)
}

// sameC checks p's C against float64 and, bit for bit, against want: C
// computed one way (got) and want another.
func (p *problem) sameC(t *testing.T, want []float32, got, other string) {
	t.Helper()
	p.check(t)
	for i, v := range p.c() {
		if math.Float32bits(v) != math.Float32bits(want[i]) {
			t.Fatalf("%v: C offset %d is %g %s, %g %s", p, i, v, got, want[i], other)
		}
	}
}

// TestSgemmTransposesA: a row-major A times a few columns takes KernelTall
// on Aᵀ (see transposesA) where the level has a tall kernel, for the
// book's 32x10x100 among others; where gemm plans it, it gives the bits of
// the five loops on A itself (the narrow kernel), with B either way and
// both beta paths.
func TestSgemmTransposesA(t *testing.T) {
	forEachLevel(t, func(t *testing.T, d *driver) {
		g := d.g
		if g.TallMR == 0 {
			t.Skip("no tall kernel")
		}
		if !d.transposesA(false, 32, 10, 100) || d.transposesA(true, 32, 10, 100) || d.transposesA(false, g.TallMR-1, 10, 100) {
			t.Fatalf("transposesA: want NN 32x10x100 and no transposed A or fewer than TallMR rows")
		}
		// An A larger than half of L2 stays as it is, and a product of a
		// few columns is not flipped either (both ran 1.3-1.7 times as
		// long at 1024x10x784 and 4096x1x100).
		big := d.blk.Caches.L2/(4*100) + g.TallMR
		if d.transposesA(false, big, 10, 100) || d.plan(false, false, big, 1, 100) != 0 {
			t.Fatalf("NN %dx10x100 and %dx1x100: want the direct product on A", big, big)
		}
		r := rand.New(rand.NewPCG(6, 0))
		taken := 0
		for _, m := range []int{g.TallMR, g.TallMR + 5, 3*g.TallMR + 1} {
			for _, n := range []int{2, 4, 10, g.TallNR} { // n = 1 is gemv's
				for _, k := range []int{2, 33, d.blk.KC + 7} { // k = 1 is ger's
					for _, tB := range transposes {
						if d.plan(false, tB == Trans, m, n, k) != planTransposeA {
							continue
						}
						taken++
						for _, beta := range []float32{0, 1.5} {
							p := newProblem(r, NoTrans, tB, m, n, k, 0.75, beta, r.IntN(3))
							want := append([]float32(nil), p.c()...)
							p.loopsInto(d, want)
							p.run(d)
							p.sameC(t, want, "through Aᵀ", "through A")
						}
					}
				}
			}
		}
		if taken < 20 {
			t.Errorf("only %d products took the transposed A", taken)
		}
	})
}

// TestSgemmTallOfRowMajorA: on one thread, a row-major A whose product's
// last column panel is narrow (n%NR <= TallNR) may be transposed for
// KernelTall (see tallColsOfAT); it gives the bits of the edge tiles, with
// either B and both beta paths.
func TestSgemmTallOfRowMajorA(t *testing.T) {
	forEachLevel(t, func(t *testing.T, d *driver) {
		g := d.g
		if g.TallMR == 0 {
			t.Skip("no tall kernel")
		}
		if d.tallColsOfAT(32, 100, 10) != 100%g.NR || d.tallColsOfAT(g.TallMR-1, 100, 10) != 0 || d.tallColsOfAT(32, 10, 100) != 0 {
			t.Fatalf("tallColsOfAT: want NT 32x100x10, and no product of fewer than TallMR rows or narrower than NR")
		}
		r := rand.New(rand.NewPCG(7, 0))
		taken := 0
		for _, m := range []int{g.TallMR, g.TallMR + 5, 3*g.TallMR + 1} {
			for _, n := range []int{g.NR + 1, g.NR + 4, 3*g.NR + 10, 2*g.NR + g.TallNR} {
				for _, k := range []int{2, 10, 33} {
					if d.tallColsOfAT(m, n, k) == 0 {
						continue
					}
					taken++
					for _, tB := range transposes {
						for _, beta := range []float32{0, 1.5} {
							p := newProblem(r, NoTrans, tB, m, n, k, 0.75, beta, r.IntN(3))
							want := append([]float32(nil), p.c()...)
							tallOfATOff = true
							p.loopsInto(d, want)
							tallOfATOff = false
							p.loopsInto(d, p.c())
							p.sameC(t, want, "through Aᵀ", "by the edge tiles")
						}
					}
				}
			}
		}
		if taken < 10 {
			t.Errorf("only %d products took the transposed A", taken)
		}
	})
}

// TestSgemmFewRows: products of 2 to 4 rows take the level's GemmRows (a
// row-major B, where the level has one) or a GemvN a row (a transposed B,
// up to gemvRowsMax rows), with alpha, beta, padded leading dimensions and both
// transposes of A; larger ones the five loops.
func TestSgemmFewRows(t *testing.T) {
	forEachLevel(t, func(t *testing.T, d *driver) {
		r := rand.New(rand.NewPCG(14, uint64(d.g.Level)))
		for m := 2; m <= max(asm.MaxGemmRows, gemvRowsMax); m++ {
			for _, nk := range [][2]int{{1, 1}, {10, 100}, {100, 300}, {300, 200}, {17, 3}, {449, 7}} {
				for _, tA := range transposes {
					for _, ab := range [][2]float32{{1, 0}, {-0.75, 1}, {1.5, -0.5}} {
						for _, tB := range transposes {
							p := newProblem(r, tA, tB, m, nk[0], nk[1], ab[0], ab[1], r.IntN(3))
							p.run(d)
							p.check(t)
						}
					}
				}
			}
		}
	})
}

// TestSetupRowBlocksBelowThreads: a product whose rows alone are split,
// into fewer blocks than threads, runs in private mode on one thread a
// block (256 rows on 16 threads: 11 blocks of 24 with avx512's 12-row
// tiles, 15 of 18 with avx2's 6).
func TestSetupRowBlocksBelowThreads(t *testing.T) {
	forEachLevel(t, func(t *testing.T, d *driver) {
		m, n, k := 256, 100, 300
		cl := &call{d: d, m: m, n: n, k: k, lda: k, ldb: n, ldc: n}
		splitN := cl.setup(d.depthBlocks(m, n, k), 16)
		defer runtime.Free(cl.ablock)
		if splitN {
			t.Skipf("the columns are split too on %s", d.blk.Level)
		}
		// blocks of whole tiles, at least 256/16 rows each
		want := ceilDiv(m, roundUp(ceilDiv(m, 16), d.g.MR))
		if !cl.private || cl.shares != want {
			t.Errorf("private %v, %d shares (16 threads), want private, %d", cl.private, cl.shares, want)
		}
	})
}

// TestSgemmPrefetchNext: products whose A micro-panels are packed from a
// row-major A prefetch the next panel's rows while a panel's tiles run,
// on 1 and 2 threads, with A packed once per depth block (more than one
// column block) or per panel, and give the bits they give without it.
func TestSgemmPrefetchNext(t *testing.T) {
	forEachLevel(t, func(t *testing.T, d *driver) {
		var taken atomic.Int64
		testPrefetched = func() { taken.Add(1) }
		defer func() { testPrefetched = nil }()
		r := rand.New(rand.NewPCG(23, uint64(d.g.Level)))
		for _, sh := range [][3]int{{5*d.g.MR + 7, 6 * d.g.NR, 37}, {3 * d.g.MR, d.blk.NC + 2*d.g.NR, d.blk.KC + 5}} {
			m, n, k := sh[0], sh[1], sh[2]
			for _, tB := range transposes {
				p := newProblem(r, NoTrans, tB, m, n, k, 0.75, 1.5, r.IntN(3))
				want := append([]float32(nil), p.c()...)
				prefetchOff = true
				p.loopsInto(d, want)
				prefetchOff = false
				for _, th := range []int{1, 2} {
					copy(p.c(), p.c0)
					before := taken.Load()
					d.loops(nil, false, p.tB == Trans, p.m, p.n, p.k, d.depthBlocks(p.m, p.n, p.k), th,
						p.alpha, p.a, p.lda, p.b, p.ldb, p.beta, p.c(), p.ldc, false, 0)
					if taken.Load() == before {
						t.Fatalf("%v, %d threads: no prefetch", p, th)
					}
					p.sameC(t, want, "prefetching", "not prefetching")
				}
			}
		}
	})
}

// TestSgemmTallEdge: on a level with a tall kernel, a product with A
// packed in column panels computes its last column panel, when it is at
// most tallEdge wide, by KernelTall over the packed panels (the hook sees
// it, for a row-major A), with the bits of the edge kernel; both transposes of A and B, both
// beta paths, rows past the last whole tile, two depth blocks, 1 and 2
// threads.
func TestSgemmTallEdge(t *testing.T) {
	forEachLevel(t, func(t *testing.T, d *driver) {
		if d.tallEdge == 0 {
			t.Skip("no tall edge")
		}
		var taken atomic.Int64
		testTallEdge = func() { taken.Add(1) }
		defer func() { testTallEdge = nil }()
		r := rand.New(rand.NewPCG(21, uint64(d.g.Level)))
		for _, m := range []int{d.g.MR, 5*d.g.MR + 7, 100} {
			for _, e := range []int{1, d.tallEdge} {
				n := 5*d.g.NR + e // A packed: more than reuseToPack column panels
				for _, k := range []int{1, 7, d.blk.KC + 33} {
					for _, tA := range transposes {
						for _, tB := range transposes {
							beta := []float32{0, 1.5}[r.IntN(2)]
							p := newProblem(r, tA, tB, m, n, k, 0.75, beta, r.IntN(3))
							want := append([]float32(nil), p.c()...)
							te := d.tallEdge
							d.tallEdge = 0
							p.loopsInto(d, want)
							d.tallEdge = te
							for _, th := range []int{1, 2} {
								copy(p.c(), p.c0)
								before := taken.Load()
								d.loops(nil, p.tA == Trans, p.tB == Trans, p.m, p.n, p.k, d.depthBlocks(p.m, p.n, p.k), th,
									p.alpha, p.a, p.lda, p.b, p.ldb, p.beta, p.c(), p.ldc, false, 0)
								// (a transposed A is packed only past some
								// depth, and may take KernelTall in place; on
								// one thread a small row-major A is
								// transposed for it: see tallColsOfAT)
								if tA == NoTrans && (th > 1 || d.tallColsOfAT(m, n, k) == 0) && taken.Load() == before {
									t.Fatalf("%v, %d threads: no tall edge", p, th)
								}
								p.sameC(t, want, "by the tall edge", "by the edge tiles")
							}
						}
					}
				}
			}
		}
	})
}
