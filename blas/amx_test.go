package blas

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/nnrt/nnrt/asm"
	"github.com/nnrt/nnrt/runtime"
)

func amxDriver(t *testing.T) *driver {
	t.Helper()
	if !asm.AMXAvailable() || drivers[asm.AMX] == nil {
		t.Skip("the amx level is not available here (it needs NNRT_ISA=amx and a CPU with AMX-BF16; make test-amx)")
	}
	return drivers[asm.AMX]
}

// runAMX runs p on the tiles whatever its size (Sgemm sends only the
// larger products there, see amxUses).
func (p *problem) runAMX(d *driver) {
	d.amxGemm(p.tA == Trans, p.tB == Trans, p.m, p.n, p.k, p.alpha, p.a, p.lda, p.b, p.ldb, p.beta, p.c(), p.ldc)
}

// TestAMXShapes: the tiles' products around their boundaries (micro-panels
// of 32 lines, tiles of 16, chunks of 32 in depth, depth blocks), every
// transpose, against the float64 reference within float32 tolerance.
func TestAMXShapes(t *testing.T) {
	d := amxDriver(t)
	r := rand.New(rand.NewPCG(11, 0))
	dims := []int{1, 15, 16, 17, 33, 47, 65}
	depths := []int{1, 16, 31, 257, 600}
	if testing.Short() {
		dims, depths = []int{1, 17, 47}, []int{31, 600}
	}
	for _, m := range dims {
		for _, n := range dims {
			for _, k := range depths {
				for _, tA := range transposes {
					for _, tB := range transposes {
						for _, beta := range []float32{0, 1, -0.5} {
							p := newProblem(r, tA, tB, m, n, k, 0.75, beta, 5)
							p.runAMX(d)
							p.check(t)
						}
					}
				}
			}
		}
	}
}

// TestAMXOutOfRange: a depth block holding a value the tiles cannot take
// (NaN, ±Inf, one whose parts would be subnormal) is computed on the FMA
// kernels: NaN and Inf propagate as in IEEE arithmetic (the parts of Inf
// would turn Inf·x into NaN), and tiny values keep float32's accuracy (the
// tiles would flush their low parts to zero). Depth 600 is three blocks.
func TestAMXOutOfRange(t *testing.T) {
	d := amxDriver(t)
	const m, n, k = 48, 40, 600
	r := rand.New(rand.NewPCG(12, 0))

	p := newProblem(r, NoTrans, NoTrans, m, n, k, 1, 0, 0)
	p.b[300*p.ldb+7] = float32(math.Inf(1)) // block 2
	p.a[5*p.lda+450] = float32(math.NaN())  // block 3, row 5
	p.runAMX(d)
	c := p.c()
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			v := float64(c[i*p.ldc+j])
			switch {
			case i == 5:
				if !math.IsNaN(v) {
					t.Fatalf("C[5,%d] = %g, want NaN", j, v)
				}
			case j == 7:
				if want := math.Inf(int(math.Copysign(1, float64(p.a[i*p.lda+300])))); v != want {
					t.Fatalf("C[%d,7] = %g, want %g", i, v, want)
				}
			case math.IsNaN(v) || math.IsInf(v, 0):
				t.Fatalf("C[%d,%d] = %g", i, j, v)
			}
		}
	}

	// Rows of A at 1e-36 (their third parts subnormal) and a column of B
	// at 1e-33 in block 1; the rest of A and B ordinary.
	p = newProblem(r, Trans, NoTrans, m, n, k, 1, 0.5, 0)
	for l := 0; l < k; l++ {
		p.a[l*p.lda+3] *= 1e-36
		p.a[l*p.lda+30] *= 1e-36
	}
	for l := 0; l < 200; l++ {
		p.b[l*p.ldb+11] *= 1e-33
	}
	p.runAMX(d)
	p.check(t)
}

// TestAMXThreads: 1, 2, 3 and 7 threads give the same bits (the items
// split C along m and n only), with and without a depth block on the FMA
// kernels.
func TestAMXThreads(t *testing.T) {
	d := amxDriver(t)
	defer runtime.SetThreads(runtime.SetThreads(1))
	for _, s := range [][3]int{{300, 200, 300}, {100, 70, 600}, {40, 700, 100}} {
		for _, tiny := range []bool{false, true} {
			var ref []float32
			for _, th := range []int{1, 2, 3, 7} {
				runtime.SetThreads(th)
				r := rand.New(rand.NewPCG(14, 0))
				p := newProblem(r, NoTrans, Trans, s[0], s[1], s[2], 1.25, -0.5, 3)
				if tiny {
					p.a[7*p.lda+s[2]-1] = 1e-40
				}
				p.runAMX(d)
				ref = p.checkThreads(t, ref, th)
			}
		}
	}
}

// TestAMXUses: Sgemm sends exactly the products that reuse their packed
// parts enough to the tiles, on the amx level only.
func TestAMXUses(t *testing.T) {
	d := amxDriver(t)
	for _, c := range []struct {
		m, n, k int
		want    bool
	}{{1024, 1024, 1024, true}, {784, 300, 256, true}, {512, 512, 64, true}, {512, 512, 63, false},
		{256, 300, 784, false}, {32, 300, 784, false}, {4096, 100, 4096, false}} {
		if got := d.amxUses(c.m, c.n, c.k); got != c.want {
			t.Errorf("amxUses(%d, %d, %d) = %v, want %v", c.m, c.n, c.k, got, c.want)
		}
		if drivers[asm.AVX512].amxUses(c.m, c.n, c.k) {
			t.Errorf("avx512 sends %dx%dx%d to the tiles", c.m, c.n, c.k)
		}
	}
}

// TestAMXAllocs: a product on the tiles allocates nothing once warm.
func TestAMXAllocs(t *testing.T) {
	d := amxDriver(t)
	checkNoAllocs(t, Trans, NoTrans, [][3]int{{256, 300, 784}, {784, 300, 256}}, func(p *problem) { p.runAMX(d) })
}

// TestAMXAccuracy: the tiles' result is as accurate as the FMA kernels'
// (measured against float64 as the worst error over Σ|a·b|; on random data
// the tiles' is about a quarter of the FMA kernels' at these depths, since
// the small part products go first and each tile adds pairs).
func TestAMXAccuracy(t *testing.T) {
	d := amxDriver(t)
	for _, k := range []int{64, 1000} {
		r := rand.New(rand.NewPCG(15, uint64(k)))
		p := newProblem(r, NoTrans, NoTrans, 48, 48, k, 1, 0, 0)
		worst := func(run func()) float64 {
			run()
			var w float64
			for i := 0; i < p.m; i++ {
				for j := 0; j < p.n; j++ {
					var s, mag float64
					for q := 0; q < k; q++ {
						x := p.opA(i, q) * p.opB(q, j)
						s += x
						mag += math.Abs(x)
					}
					w = math.Max(w, math.Abs(float64(p.c()[i*p.ldc+j])-s)/mag)
				}
			}
			return w / 0x1p-24
		}
		fma := worst(func() { p.run(drivers[asm.AVX512]) })
		tiles := worst(func() { p.runAMX(d) })
		if tiles > fma+0.5 {
			t.Errorf("k=%d: worst error %.2f units of 2^-24 on the tiles, %.2f on FMA", k, tiles, fma)
		}
	}
}
