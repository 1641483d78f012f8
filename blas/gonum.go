package blas

import (
	"github.com/nnrt/nnrt/asm"
	gblas "gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Implementation satisfies gonum's blas.Float32 with nnrt's Sgemm, its
// Sgemv and Sger for positive increments (the matrix-vector and rank-one
// kernels Sgemm takes for one row or column and for depth one) and its
// level-1 kernels for unit-stride Saxpy, Sdot
// and Sscal; every other routine, and every other call, is gonum's. A gonum
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

// Sgemv computes y = alpha * op(A) * x + beta * y for the m×n row-major
// A (op(A) = A when tA is NoTrans, Aᵀ otherwise), as Sgemm with one
// column. Empty shapes, non-positive increments and bad arguments go to
// gonum (which returns at once for an empty shape, and panics with its
// messages).
func (im Implementation) Sgemv(tA gblas.Transpose, m, n int, alpha float32, a []float32, lda int, x []float32, incX int, beta float32, y []float32, incY int) {
	lenX, lenY := n, m
	if tA == gblas.Trans || tA == gblas.ConjTrans {
		lenX, lenY = m, n
	} else if tA != gblas.NoTrans {
		lenX = 0 // gonum's panic
	}
	if m > 0 && n > 0 && lenX > 0 && incX > 0 && incY > 0 && lda >= n && len(a) >= (m-1)*lda+n &&
		len(x) >= (lenX-1)*incX+1 && len(y) >= (lenY-1)*incY+1 {
		Sgemm(tA, gblas.NoTrans, lenY, 1, lenX, alpha, a, lda, x, incX, beta, y, incY)
		return
	}
	im.Implementation.Sgemv(tA, m, n, alpha, a, lda, x, incX, beta, y, incY)
}

// Sger computes A += alpha * x * yᵀ for the m×n row-major A, as Sgemm of
// depth one. Empty shapes, non-positive increments and bad arguments go to
// gonum.
func (im Implementation) Sger(m, n int, alpha float32, x []float32, incX int, y []float32, incY int, a []float32, lda int) {
	if m > 0 && n > 0 && incX > 0 && incY > 0 && lda >= n && len(a) >= (m-1)*lda+n &&
		len(x) >= (m-1)*incX+1 && len(y) >= (n-1)*incY+1 {
		Sgemm(gblas.NoTrans, gblas.Trans, m, n, 1, alpha, x, incX, y, incY, 1, a, lda)
		return
	}
	im.Implementation.Sger(m, n, alpha, x, incX, y, incY, a, lda)
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
