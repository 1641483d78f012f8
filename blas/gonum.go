package blas

import (
	"github.com/nnrt/nnrt/asm"
	gblas "gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Implementation satisfies gonum's blas.Float32 with nnrt's Sgemm and
// nnrt's level-1 kernels for unit-stride Saxpy, Sdot and Sscal; every other
// routine, and every call with non-unit increments, is gonum's. A gonum
// user switches with
//
//	blas32.Use(blas.Implementation{})
//
// Arguments gonum would reject go to gonum, which panics with its messages.
type Implementation struct{ gonum.Implementation }

var _ gblas.Float32 = Implementation{}

// Sgemm is Sgemm (the package function).
func (Implementation) Sgemm(tA, tB gblas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Saxpy computes y[i*incY] += alpha * x[i*incX] for i < n.
func (im Implementation) Saxpy(n int, alpha float32, x []float32, incX int, y []float32, incY int) {
	if n > 0 && incX == 1 && incY == 1 && len(x) >= n && len(y) >= n {
		asm.Axpy(alpha, x[:n], y[:n])
		return
	}
	im.Implementation.Saxpy(n, alpha, x, incX, y, incY)
}

// Sdot returns the sum of x[i*incX] * y[i*incY] for i < n.
func (im Implementation) Sdot(n int, x []float32, incX int, y []float32, incY int) float32 {
	if n > 0 && incX == 1 && incY == 1 && len(x) >= n && len(y) >= n {
		return asm.Dot(x[:n], y[:n])
	}
	return im.Implementation.Sdot(n, x, incX, y, incY)
}

// Sscal computes x[i*incX] *= alpha for i < n.
func (im Implementation) Sscal(n int, alpha float32, x []float32, incX int) {
	if n > 0 && incX == 1 && len(x) >= n {
		asm.Scale(alpha, x[:n])
		return
	}
	im.Implementation.Sscal(n, alpha, x, incX)
}
