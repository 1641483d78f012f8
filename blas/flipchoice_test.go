package blas

import (
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/nnrt/nnrt/asm"
	"github.com/nnrt/nnrt/runtime"
)

// BenchmarkFlipChoice times each of the book model's products direct and
// flipped, and marks the one flip chooses (metric "chosen"): the data the
// cost model's weights were fitted to (batches 32 and 256), and batches 4
// and 8, which they were not fitted to.
func BenchmarkFlipChoice(b *testing.B) {
	d := drivers[asm.ISA()]
	var shapes []benchShape
	for _, batch := range []int{4, 8, 32, 256} {
		shapes = append(shapes, bookProducts(batch)...)
	}
	for _, s := range shapes {
		for _, fl := range []bool{false, true} {
			name := s.String() + "/direct"
			if fl {
				name = s.String() + "/flipped"
			}
			b.Run(name, func(b *testing.B) {
				defer runtime.SetThreads(runtime.SetThreads(1))
				r := rand.New(rand.NewPCG(1, 2))
				p := newProblem(r, s.tA, s.tB, s.m, s.n, s.k, 1, 0, 0)
				c := p.c()
				aT, bT := s.tA == Trans, s.tB == Trans
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if fl {
						d.flipped(nil, aT, bT, s.m, s.n, s.k, 1, p.a, p.lda, p.b, p.ldb, 0, c, p.ldc)
					} else {
						d.run(nil, aT, bT, s.m, s.n, s.k, 1, p.a, p.lda, p.b, p.ldb, 0, c, p.ldc, false, d.transposesA(aT, s.m, s.n, s.k))
					}
				}
				if d.flip(aT, bT, s.m, s.n, s.k) == fl {
					b.ReportMetric(1, "chosen")
				}
			})
		}
	}
}

// TestPlansMemo: plans answers as plan does, for many more shapes than
// its cache holds (so entries are replaced), narrow ones among them (the
// transposed-A plan), asked twice (from the cache), by concurrent callers
// (run with -race), and for shapes too large to cache.
func TestPlansMemo(t *testing.T) {
	for _, d := range drivers {
		if d == nil {
			continue
		}
		var wg sync.WaitGroup
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func(seed uint64) {
				defer wg.Done()
				r := rand.New(rand.NewPCG(seed, 7))
				for i := 0; i < 3000; i++ {
					m, n, k := 1+r.IntN(1000), 1+r.IntN(1000), 1+r.IntN(1000)
					if i%5 == 0 {
						n = 1 + r.IntN(16)
					}
					if i%100 == 0 {
						m = 1<<19 + r.IntN(10)
					}
					aT, bT := r.IntN(2) == 0, r.IntN(2) == 0
					want := d.plan(aT, bT, m, n, k)
					for rep := 0; rep < 2; rep++ {
						if got := d.plans(aT, bT, m, n, k); got != want {
							t.Errorf("plans(%v, %v, %d, %d, %d) = %v, plan says %v", aT, bT, m, n, k, got, want)
							return
						}
					}
				}
			}(uint64(g))
		}
		wg.Wait()
	}
}
