package blas

import (
	"math/rand/v2"
	"testing"

	"github.com/nnrt/nnrt/asm"
	"github.com/nnrt/nnrt/runtime"
)

func BenchmarkFlipChoice(b *testing.B) {
	d := drivers[asm.ISA()]
	shapes := append(bookProducts(32), bookProducts(256)...)
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
						d.flipped(aT, bT, s.m, s.n, s.k, 1, p.a, p.lda, p.b, p.ldb, 0, c, p.ldc)
					} else {
						d.run(aT, bT, s.m, s.n, s.k, 1, p.a, p.lda, p.b, p.ldb, 0, c, p.ldc, false)
					}
				}
				if d.flip(aT, bT, s.m, s.n, s.k) == fl {
					b.ReportMetric(1, "chosen")
				}
			})
		}
	}
}
