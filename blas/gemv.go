package blas

import (
	"github.com/nnrt/nnrt/asm"
	"github.com/nnrt/nnrt/runtime"
)

// A product with one row of C (m = 1: a batch of one) or one column (n = 1)
// is a matrix-vector product, and the five loops are the wrong tool for it:
// a microkernel computes a whole tile for its one row, a packed panel is
// used once, and the call's fixed cost (plan, scratch, packing) exceeds the
// work of the book model's batch-1 products. gemv streams the matrix once
// in its own layout through asm.GemvN (rows of the matrix dotted with the
// vector) or asm.GemvT (the vector's weighted sum of the matrix's rows).
//
// A product of depth one (k = 1: the weight gradient of a batch of one) is
// a rank-one update, asm.Ger, for the same reasons.
//
// Bits: each element of C is its own sum (GemvT: the sequential fused chain
// over k, as a microkernel's within one depth block; GemvN: partial sums in
// a fixed order), so they do not depend on the thread count.

// gemvParallelMin is the number of multiply-adds (the matrix's elements)
// from which gemv and ger split their work between threads, as the blocked
// path's parallelMin. Below it the matrix fits in a core's L2, and a split
// pays only while nothing writes the matrix: two threads ran 1x300x784 1.45
// times as fast as one (1x256x256 1.11, 1x128x256 0.93), but a training
// step of a batch of one, which updates W (ger) and multiplies by it (gemv)
// in turn, took 2.3-3.5 times as long on two threads as on one, its lines
// of W moving between the cores at every step whatever the split.
const gemvParallelMin = 1 << 18

// gemv computes gemm's product when m == 1 or n == 1.
func (d *driver) gemv(aT, bT bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	// The vector v (k values, at stride incV) and the matrix: with m = 1,
	// v is op(A)'s row and the matrix is B, whose rows (NoTrans) or columns
	// (Trans) C's elements weigh; with n = 1, v is op(B)'s column and the
	// matrix is A, the other way round.
	var (
		v, mat     []float32
		incV, ldm  int
		weighsRows bool // C = vᵀ·mat (GemvT) rather than mat·v (GemvN)
		outs, incC int
	)
	switch {
	case m == 1 && n == 1:
		// a dot product: both vectors contiguous, in GemvN's vector
		// partial sums (GemvT would run one chain of k dependent steps)
		incA, incB := 1, ldb
		if aT {
			incA = lda
		}
		if bT {
			incB = 1
		}
		var scratch bool
		if mat, scratch = contiguous(a, incA, k); scratch {
			defer runtime.Free(mat)
		}
		v, incV, ldm, outs, incC = b, incB, k, 1, 1
	case m == 1:
		v, incV, mat, ldm, weighsRows, outs, incC = a, 1, b, ldb, !bT, n, 1
		if aT {
			incV = lda
		}
	default:
		v, incV, mat, ldm, weighsRows, outs, incC = b, 1, a, lda, aT, m, ldc
		if !bT {
			incV = ldb
		}
	}
	v, scratch := contiguous(v, incV, k)
	if scratch {
		defer runtime.Free(v)
	}
	// The sums go straight into C when it is contiguous and not read.
	direct := incC == 1 && beta == 0
	dst := c[:outs]
	if !direct {
		dst = runtime.Alloc(outs)
		defer runtime.Free(dst)
	}
	kind := gemvN
	if weighsRows {
		kind = gemvT
	}
	d.level2(level2Work{g: d.g, kind: kind, c: dst, mat: mat, ldm: ldm, x: v}, ceilDiv(outs, gemvUnit), outs*k)
	switch {
	case direct:
		if alpha != 1 {
			asm.Scale(alpha, dst)
		}
	case incC == 1:
		// C = alpha*t + beta*C
		crow := c[:outs]
		if beta != 1 {
			asm.Scale(beta, crow)
		}
		asm.Axpy(alpha, dst, crow)
	default:
		for i, t := range dst {
			if beta == 0 {
				c[i*incC] = alpha * t
			} else {
				c[i*incC] = alpha*t + beta*c[i*incC]
			}
		}
	}
}

// ger computes gemm's product when k == 1 (and m, n > 1): the rank-one
// update C = alpha*x*yᵀ + beta*C of op(A)'s column x and op(B)'s row y,
// through asm.Ger, its rows split between threads.
func (d *driver) ger(aT, bT bool, m, n int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	incX, incY := lda, 1
	if aT {
		incX = 1
	}
	if bT {
		incY = ldb
	}
	x, sx := contiguous(a, incX, m)
	if sx {
		defer runtime.Free(x)
	}
	y, sy := contiguous(b, incY, n)
	if sy {
		defer runtime.Free(y)
	}
	// Split by rows: split by columns, the threads wrote the line that holds
	// a row's boundary at the same time, row after row (784x300x1 ran at
	// 0.4 times the speed of one thread).
	d.level2(level2Work{g: d.g, kind: rankOne, c: c, ldm: ldc, x: x, y: y, alpha: alpha, beta: beta}, m, m*n)
}

// gemmRows computes gemm's product for 2 <= m <= asm.MaxGemmRows, a
// row-major B and fewer than parallelMin multiply-adds (a batch of a few):
// through the level's GemmRows, which reads B once, row by row, for all of
// op(A)'s rows, where the five loops read B in place panel by panel and
// computed tiles of 12 rows for 2 to 4 (one thread, NN 4x100x300 1.5 times
// as fast, 4x10x100 2.5; each element is the sequential fused chain of
// GemvT). Larger products stay on the five loops, whose bits do not depend
// on the thread count either: GemmRows on one thread, or split by columns,
// after a weight update that the five loops split between two threads by
// rows, made a batch-4 training step 2.5 times as long (the lines of W
// that both cores had just written moved between them), and it is only
// on one thread that GemmRows is faster (NN 4x300x784: 1.8 times).
func (d *driver) gemmRows(aT bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	sxi, sxp := lda, 1
	if aT {
		sxi, sxp = 1, lda
	}
	dst, ldd := c, ldc
	if beta != 0 {
		dst, ldd = runtime.Alloc(m*n), n
		defer runtime.Free(dst)
	}
	d.g.GemmRows(dst, ldd, n, b, ldb, a, sxi, sxp, m, k)
	for i := 0; i < m; i++ {
		crow := c[i*ldc : i*ldc+n]
		switch {
		case beta == 0:
			if alpha != 1 {
				asm.Scale(alpha, crow)
			}
		default:
			if beta != 1 {
				asm.Scale(beta, crow)
			}
			asm.Axpy(alpha, dst[i*ldd:i*ldd+n], crow)
		}
	}
}

// gemvRows computes gemm's product for 2 <= m <= gemvRowsMax, a transposed
// B, a depth of at least gemvRowsMinK and fewer than parallelMin
// multiply-adds (the input gradient dY·Wᵀ of a batch of two to four) as
// one GemvN for each row of C, with the bits of GemvN: the five loops
// transposed all of B first (n×k values for m rows: NT 2x300x100 ran at
// 0.22 of OpenBLAS's speed, 3.5 times as long as two GemvN's). On the
// levels with GemvNRows in assembly the m rows read B once, one of its
// rows at a time, instead of m times: paired on one thread against the m
// GemvN's, NT 4x300x100 took 0.82 of the time, 4x32x784 0.68, 4x16x2000
// 0.74, TT 4x784x64 0.96, 3x300x100 0.89, 2x300x100 1.01.
func (d *driver) gemvRows(aT bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	// op(A)'s rows, k values each: A's own rows, or Aᵀ's made whole
	x, ldx := a, lda
	if aT {
		x, ldx = runtime.Alloc(m*k), k
		defer runtime.Free(x)
		d.g.PackT(x, k, a, lda, k, m) // x[i*k+p] = a[p*lda+i]
	}
	if beta == 0 {
		d.g.GemvNRows(c, ldc, n, b, ldb, x, ldx, m, k)
		if alpha != 1 {
			for i := 0; i < m; i++ {
				asm.Scale(alpha, c[i*ldc:i*ldc+n])
			}
		}
		return
	}
	t := runtime.Alloc(m * n) // the sums, C being read
	defer runtime.Free(t)
	d.g.GemvNRows(t, n, n, b, ldb, x, ldx, m, k)
	for i := 0; i < m; i++ {
		crow := c[i*ldc : i*ldc+n]
		if beta != 1 {
			asm.Scale(beta, crow)
		}
		asm.Axpy(alpha, t[i*n:(i+1)*n], crow)
	}
}

// gemvRowsMax is the most rows gemvRows takes: against the five loops
// (one thread, paired), four rows took 0.22-0.74 of the time (NT 4x300x100
// 0.74, 4x32x784 0.28, 4x16x2000 0.22, TT 4x784x64 0.54), five 0.77-0.87
// but 1.07 for a narrow C (5x32x300), six as long. gemvRowsMinK is the
// least depth: GemvN's rows of a few values are mostly its reduction of
// partial sums (NT 2x100x10 took 1.25 times as long as the five loops).
const (
	gemvRowsMax  = 4
	gemvRowsMinK = 32
)

// contiguous returns the n values v[p*inc], in v itself when inc is 1, else
// in a buffer from runtime.Alloc (scratch), which the caller frees.
func contiguous(v []float32, inc, n int) (s []float32, scratch bool) {
	if inc == 1 {
		return v[:n], false
	}
	s = runtime.Alloc(n)
	for p := range s {
		s[p] = v[p*inc]
	}
	return s, true
}

// level2 runs w over its units, split between threads for a product of at
// least gemvParallelMin multiply-adds (madds).
func (d *driver) level2(w level2Work, units, madds int) {
	if madds < gemvParallelMin || runtime.Threads() == 1 || units == 1 {
		w.Range(0, units)
		return
	}
	// a record from the free list: w, passed to the pool as a Body, would
	// move to the heap at every call
	p := d.level2s.Get()
	*p = w
	runtime.ParallelFor(units, 1, p)
	*p = level2Work{}
	d.level2s.Put(p)
}

// level2Work is one matrix-vector product's or rank-one update's kernel
// calls, the runtime.Body of its split: gemv's units are gemvUnit outputs
// (a vector of columns, or a group of rows), so that no thread's share
// cuts one; ger's are rows of C.
type level2Work struct {
	g           asm.Gemm // the level's kernels
	kind        level2Kind
	c           []float32 // the outputs (gemv) or C (ger)
	mat         []float32 // gemv's matrix
	ldm         int       // mat's leading dimension (gemv), C's (ger)
	x, y        []float32 // gemv's vector is x
	alpha, beta float32   // ger's
}

type level2Kind uint8

const (
	gemvN   level2Kind = iota // c = mat·x
	gemvT                     // c = xᵀ·mat
	rankOne                   // C = alpha*x*yᵀ + beta*C
)

// gemvUnit is the grain of a gemv's split: 16 columns (an AVX-512 vector)
// or 16 rows (four of GemvN's groups).
const gemvUnit = 16

// Range computes units [lo, hi).
func (w *level2Work) Range(lo, hi int) {
	switch w.kind {
	case rankOne:
		w.g.Ger(w.c[lo*w.ldm:], w.ldm, w.alpha, w.x[lo:hi], w.y, w.beta)
	case gemvT:
		i0, i1 := lo*gemvUnit, min(hi*gemvUnit, len(w.c))
		w.g.GemvT(w.c[i0:i1], w.mat[i0:], w.ldm, w.x)
	default:
		i0, i1 := lo*gemvUnit, min(hi*gemvUnit, len(w.c))
		w.g.GemvN(w.c[i0:i1], w.mat[i0*w.ldm:], w.ldm, w.x)
	}
}
