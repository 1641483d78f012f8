package kernels

import (
	"github.com/nnrt/nnrt/blas"
	gblas "gonum.org/v1/gonum/blas"
)

// gemmOperands returns the sizes of a product of shape MxNxK and random
// operands A (m*k values), B (k*n) and C (m*n).
func gemmOperands(c Config) (m, n, k int, a, b, dst []float32) {
	m, n, k = c.Shape[0], c.Shape[1], c.Shape[2]
	r := rng()
	return m, n, k, randSlice(r, m*k, -1, 1), randSlice(r, k*n, -1, 1), randSlice(r, m*n, -1, 1)
}

func init() {
	register(Op{Name: "sgemm", Unit: GFLOPS, Dims: 3, DefaultShape: []int{1024, 1024, 1024},
		Parallel: true, AllThreads: true, Transposes: true,
		Summary: "blas.Sgemm C = op(A)·op(B), shape MxNxK, alpha 1, beta 0; 2*M*N*K flops",
		setup: func(c Config) (func(), float64) {
			m, n, k, a, b, dst := gemmOperands(c)
			// Stored A is m×k, or k×m when transposed; B likewise k×n or n×k.
			lda, ldb := k, n
			if c.TransA == gblas.Trans {
				lda = m
			}
			if c.TransB == gblas.Trans {
				ldb = k
			}
			return func() { blas.Sgemm(c.TransA, c.TransB, m, n, k, 1, a, lda, b, ldb, 0, dst, n) },
				2 * float64(m) * float64(n) * float64(k)
		}})
}

// sparseZeros is the fraction of zeros in sgemmsparse's A: at 0.8 a pair
// of random rows keeps 0.36 of the positions, about a one-hot or
// bag-of-words input's density or MNIST's (Fashion-MNIST's pixels are half
// zeros: 0.66, which nn leaves to the dense products).
const sparseZeros = 0.8

func init() {
	register(Op{Name: "sgemmsparse", Unit: GFLOPS, Dims: 3, DefaultShape: []int{256, 300, 784},
		Parallel: true, AllThreads: true, Equivalent: true,
		Summary: "blas.SgemmSparse C = A·B, A compressed in the call, 80% of A zeros; shape MxNxK, 2*M*N*K dense-equivalent flops (compare with sgemm)",
		setup: func(c Config) (func(), float64) {
			m, n, k, a, b, dst := gemmOperands(c)
			r := rng()
			for i := range a {
				if r.Float64() < sparseZeros {
					a[i] = 0
				}
			}
			var s blas.Sparse
			return func() {
					s.Compress(gblas.NoTrans, m, k, a, k)
					blas.SgemmSparse(&s, n, 1, b, n, 0, dst, n)
				},
				2 * float64(m) * float64(n) * float64(k)
		}})
}
