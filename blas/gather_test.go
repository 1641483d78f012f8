package blas

import (
	"math"
	"math/rand/v2"
	"sync/atomic"
	"testing"

	"github.com/nnrt/nnrt/runtime"
)

// zeroSteps zeroes the columns of op(A) outside a random subset of about
// keep of them (a blank background common to the rows) and half of the
// values inside it, so that A's micro-panels have steps that are zero in
// all their rows.
func (p *problem) zeroSteps(r *rand.Rand, keep float64) {
	for l := 0; l < p.k; l++ {
		used := r.Float64() < keep
		for i := 0; i < p.m; i++ {
			if !used || r.IntN(2) == 0 {
				if p.tA == Trans {
					p.a[l*p.lda+i] = 0
				} else {
					p.a[i*p.lda+l] = 0
				}
			}
		}
	}
}

// TestSgemmGatheredSteps: on the levels with asm.Gemm.Gather, a product
// whose A micro-panels have steps of zeros runs its whole tiles over the
// other steps (the hook sees it) and gives the bits of the full panels
// (gatherOff), on 1, 2 and 3 threads, both transposes of B, beta 0 (NaN in
// C ignored) and not, A's zeros of either sign; with a NaN or an infinity
// in B the full panels run, so the NaN the zeros make is there (the bits
// compared include it); a dense A keeps the full panels.
func TestSgemmGatheredSteps(t *testing.T) {
	defer runtime.SetThreads(runtime.SetThreads(1))
	forEachLevel(t, func(t *testing.T, d *driver) {
		shapes := [][3]int{{96, 300, 300}, {256, 45, 784}, {256, 300, 784}, {301, 97, 500}}
		if testing.Short() {
			shapes = shapes[:2]
		}
		var gathered atomic.Int64 // the threads' panels
		testGathered = func(kept, kc int) { gathered.Add(1) }
		defer func() { testGathered, gatherOff = nil, false }()
		for si, s := range shapes {
			for _, tB := range transposes {
				for _, poison := range []float32{0, float32(math.NaN()), float32(math.Inf(-1))} {
					beta := []float32{0, 1.5}[si%2]
					r := rand.New(rand.NewPCG(uint64(si), 7))
					p := newProblem(r, NoTrans, tB, s[0], s[1], s[2], -0.75, beta, 3)
					p.zeroSteps(r, 0.6)
					p.a[1] = float32(math.Copysign(0, -1))
					if beta == 0 {
						for i := 0; i < p.m; i++ {
							p.c()[i*p.ldc] = float32(math.NaN())
						}
					}
					if poison != 0 {
						l, j := p.k/2, p.n/2 // op(B)'s middle
						if tB == Trans {
							p.b[j*p.ldb+l] = poison
						} else {
							p.b[l*p.ldb+j] = poison
						}
					}
					gatherOff = true
					runtime.SetThreads(1)
					copy(p.c(), p.c0)
					p.run(d)
					want := append([]float32(nil), p.c()...)
					gatherOff = false
					for _, th := range []int{1, 2, 3} {
						runtime.SetThreads(th)
						copy(p.c(), p.c0)
						before := gathered.Load()
						p.run(d)
						// (a poisoned B keeps the full panels of its depth
						// block; a product split by depth gathers in the others)
						if d.g.Gather && poison == 0 && gathered.Load() == before {
							t.Fatalf("%v, threads %d: no panel gathered", p, th)
						}
						for i, v := range p.c() {
							if math.Float32bits(v) != math.Float32bits(want[i]) {
								t.Fatalf("%v, B poisoned with %g, threads %d: C offset %d = %g, full panels %g", p, poison, th, i, v, want[i])
							}
						}
					}
					if poison == 0 {
						p.check(t)
					}
				}
			}
		}
		// A sparse in its first rows and dense in the others: the first
		// panels gather, the others (A packed, lazily) run the full
		// kernel; the full panels' bits either way
		r := rand.New(rand.NewPCG(5, 5))
		p := newProblem(r, NoTrans, NoTrans, 120, 300, 500, 1, 0, 0)
		p.zeroSteps(r, 0.5)
		for i := 48; i < p.m; i++ {
			for l := 0; l < p.k; l++ {
				p.a[i*p.lda+l] = r.Float32() + 0.5
			}
		}
		gatherOff = true
		p.run(d)
		want := append([]float32(nil), p.c()...)
		gatherOff = false
		before := gathered.Load()
		p.run(d)
		if d.g.Gather && gathered.Load() == before {
			t.Fatalf("%v: no panel gathered", p)
		}
		for i, v := range p.c() {
			if math.Float32bits(v) != math.Float32bits(want[i]) {
				t.Fatalf("%v, sparse and dense panels: C offset %d = %g, full panels %g", p, i, v, want[i])
			}
		}
		// a dense A keeps the full panels
		before = gathered.Load()
		p = newProblem(rand.New(rand.NewPCG(1, 1)), NoTrans, NoTrans, 256, 300, 784, 1, 0, 0)
		p.run(d)
		if n := gathered.Load() - before; n != 0 {
			t.Fatalf("%v: dense A gathered %d panels", p, n)
		}
	})
}
