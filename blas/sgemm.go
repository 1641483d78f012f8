// Package blas is nnrt's SGEMM: BLIS's five loops with packing and cache
// blocking over the microkernels of package asm, multi-threaded through
// runtime's worker pool, with gonum's signature and semantics. Implementation
// satisfies gonum's blas.Float32, so a gonum user switches with
// blas32.Use(blas.Implementation{}).
package blas

import (
	"github.com/nnrt/nnrt/asm"
	gblas "gonum.org/v1/gonum/blas"
)

// Transpose re-exports gonum's type so that callers need not import gonum.
type Transpose = gblas.Transpose

const (
	NoTrans = gblas.NoTrans
	Trans   = gblas.Trans
)

// Panic messages: gonum's, word for word.
const (
	badTranspose = "blas: illegal transpose"
	mLT0         = "blas: m < 0"
	nLT0         = "blas: n < 0"
	kLT0         = "blas: k < 0"
	badLdA       = "blas: bad leading dimension of A"
	badLdB       = "blas: bad leading dimension of B"
	badLdC       = "blas: bad leading dimension of C"
	shortA       = "blas: insufficient length of a"
	shortB       = "blas: insufficient length of b"
	shortC       = "blas: insufficient length of c"
)

// Sgemm computes
//
//	C = alpha * op(A) * op(B) + beta * C
//
// where op(X) is X when tX is NoTrans and Xᵀ when it is Trans or ConjTrans,
// op(A) is m×k, op(B) is k×n and C is m×n, all row-major with leading
// dimensions lda, ldb and ldc. As a Go loop:
//
//	for i := 0; i < m; i++ {
//		for j := 0; j < n; j++ {
//			var s float32
//			for p := 0; p < k; p++ {
//				s += opA(i, p) * opB(p, j) // opA(i, p) = a[i*lda+p] or a[p*lda+i]
//			}
//			if beta == 0 {
//				c[i*ldc+j] = alpha * s // C is not read: NaN in C does not leak
//			} else {
//				c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
//			}
//		}
//	}
//
// except that the sum is accumulated in blocks of k (the block depth KC of
// the level, or for a C small next to A and B, a power of two of blocks
// whose results are added pairwise) with FMA on the assembly levels, and
// that a C of one row or one column is a matrix-vector product (asm.GemvT
// sums each element over all of k in order, asm.GemvN in partial sums) and
// a product of depth one a rank-one update (asm.Ger), and a product of 2 to
// 4 rows below the size that threads share GemvT's chains for each row
// (asm.Gemm.GemmRows), or with a transposed B and a depth of at least 32,
// GemvN's sums for each row (asm.Gemm.GemvNRows), and that on the amx
// level (NNRT_ISA=amx) a product large enough to pay for the packing
// (m*n >= 192*(m+n), k >= 64) runs on the AMX tiles as six bfloat16 part products per
// depth block, with the error bound of the float32 sum (asm/amx.go, and
// blas's amx.go for its loops); the bits of the result depend on the level,
// the shape and (on amx, whether a depth block falls back to FMA) the
// data, but not on the number of threads.
// On the avx512 level, a product with a row-major A whose micro-panels of
// 12 rows have steps of depth at which all their rows are zero (a batch
// of images on a blank background) runs those panels over their other
// steps only, when B is finite: a multiply-add of 0 changes no bit of a
// sum, so the result is the same (see gathers in call.go).
// A product that runs on one thread and cannot gather replays, from the
// second call of its shape on, the kernel calls the first one made (see
// recipe.go): the same bits, without the loops' Go; the first call of a
// shape allocates its record.
// When m or n is 0 it
// returns at once; when k is 0 or alpha is 0 it only scales C by beta (0
// writes zeros) and does not read A and B. Bad arguments panic with gonum's
// messages ("blas: bad leading dimension of A", "blas: insufficient length
// of c", ...), checked in gonum's order.
func Sgemm(tA, tB Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	sgemm(active, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// SgemmAt is Sgemm on the microkernels of level l instead of the active
// one (for benchmarks such as nnbench kernels --isa). It panics with
// "blas: level not available: <level>" when l is not in asm.Available().
func SgemmAt(l asm.Level, tA, tB Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if l < 0 || int(l) >= len(drivers) || drivers[l] == nil {
		panic("blas: level not available: " + l.String())
	}
	sgemm(drivers[l], tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// sgemm is Sgemm on the driver d (tests and benchmarks pick the level).
func sgemm(d *driver, tA, tB Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	aT := isTrans(tA)
	bT := isTrans(tB)
	switch {
	case m < 0:
		panic(mLT0)
	case n < 0:
		panic(nLT0)
	case k < 0:
		panic(kLT0)
	}
	checkLd(aT, m, k, lda, badLdA)
	checkLd(bT, k, n, ldb, badLdB)
	if ldc < max(1, n) {
		panic(badLdC)
	}
	if m == 0 || n == 0 {
		return
	}
	checkLen(aT, m, k, a, lda, shortA)
	checkLen(bT, k, n, b, ldb, shortB)
	if len(c) < (m-1)*ldc+n {
		panic(shortC)
	}
	if alpha == 0 || k == 0 {
		scaleC(m, n, beta, c, ldc)
		return
	}
	switch {
	case m == 1 || n == 1:
		d.gemv(aT, bT, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	case k == 1:
		d.ger(aT, bT, m, n, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	case m <= asm.MaxGemmRows && !bT && d.g.HasGemmRows(m) && m*n*k < parallelMin:
		d.gemmRows(aT, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	case m <= gemvRowsMax && bT && k >= gemvRowsMinK && m*n*k < parallelMin:
		d.gemvRows(aT, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	case d.amxUses(m, n, k):
		d.amxGemm(aT, bT, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	d.gemm(aT, bT, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// checkLd panics with msg when ld is too small for op(X), r×c: X is
// stored r×c, or c×r when transposed.
func checkLd(t bool, r, c, ld int, msg string) {
	if t {
		r, c = c, r
	}
	if ld < max(1, c) {
		panic(msg)
	}
}

// checkLen panics with msg when x is too short for op(X), r×c (r, c > 0).
func checkLen(t bool, r, c int, x []float32, ld int, msg string) {
	if t {
		r, c = c, r
	}
	if len(x) < (r-1)*ld+c {
		panic(msg)
	}
}

func isTrans(t Transpose) bool {
	switch t {
	case gblas.NoTrans:
		return false
	case gblas.Trans, gblas.ConjTrans:
		return true
	}
	panic(badTranspose)
}

// scaleC sets C = beta*C, writing zeros without reading C when beta is 0.
func scaleC(m, n int, beta float32, c []float32, ldc int) {
	if beta == 1 {
		return
	}
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}
