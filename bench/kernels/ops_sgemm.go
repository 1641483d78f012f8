package kernels

import (
	"github.com/nnrt/nnrt/blas"
	gblas "gonum.org/v1/gonum/blas"
)

func init() {
	register(Op{Name: "sgemm", Unit: GFLOPS, Dims: 3, DefaultShape: []int{1024, 1024, 1024},
		Parallel: true, AllThreads: true, Transposes: true,
		Summary: "blas.Sgemm C = op(A)·op(B), shape MxNxK, alpha 1, beta 0; 2*M*N*K flops",
		setup: func(c Config) (func(), float64) {
			m, n, k := c.Shape[0], c.Shape[1], c.Shape[2]
			// Stored A is m×k, or k×m when transposed; B likewise k×n or n×k.
			lda, ldb := k, n
			if c.TransA == gblas.Trans {
				lda = m
			}
			if c.TransB == gblas.Trans {
				ldb = k
			}
			r := rng()
			a, b, dst := randSlice(r, m*k, -1, 1), randSlice(r, k*n, -1, 1), randSlice(r, m*n, -1, 1)
			return func() { blas.Sgemm(c.TransA, c.TransB, m, n, k, 1, a, lda, b, ldb, 0, dst, n) },
				2 * float64(m) * float64(n) * float64(k)
		}})
}
