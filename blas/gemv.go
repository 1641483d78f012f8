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
// Bits: each element of C is its own sum (GemvT: the sequential fused chain
// over k, as a microkernel's within one depth block; GemvN: partial sums in
// a fixed order), so they do not depend on the thread count.

// gemvParallelMin is the number of multiply-adds (the matrix's elements)
// from which gemv splits its outputs between threads: the matrix streams
// from L2 at some 30-50 GFLOPS on a core, and the hand-off to a worker
// costs a microsecond or two. Two threads against one, NN with one row:
// 1x128x256 0.93 of the speed, 1x256x256 1.11, 1x300x300 1.34, 1x300x784
// 1.45.
const gemvParallelMin = 1 << 16

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
	if m == 1 {
		v, incV, mat, ldm, weighsRows, outs, incC = a, 1, b, ldb, !bT, n, 1
		if aT {
			incV = lda
		}
	} else {
		v, incV, mat, ldm, weighsRows, outs, incC = b, 1, a, lda, aT, m, ldc
		if !bT {
			incV = ldb
		}
	}
	if incV != 1 {
		s := runtime.Alloc(k)
		for p := range s {
			s[p] = v[p*incV]
		}
		defer runtime.Free(s)
		v = s
	}
	v = v[:k]
	// The sums go straight into C when it is contiguous and not read.
	direct := incC == 1 && beta == 0
	dst := c[:outs]
	if !direct {
		dst = runtime.Alloc(outs)
		defer runtime.Free(dst)
	}
	w := gemvWork{dst: dst, mat: mat, ldm: ldm, v: v, weighsRows: weighsRows}
	units := ceilDiv(outs, gemvUnit)
	if outs*k < gemvParallelMin || runtime.Threads() == 1 || units == 1 {
		w.Range(0, units)
	} else {
		// a record from the free list: w, passed to the pool as a Body,
		// would move to the heap at every call
		p := d.gemvs.Get()
		*p = w
		runtime.ParallelFor(units, 1, p)
		*p = gemvWork{}
		d.gemvs.Put(p)
	}
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

// gemvWork is one gemv's kernel calls, the runtime.Body of its split over
// outputs: units of gemvUnit outputs (a vector of columns, or a group of
// rows), so that no thread's share cuts one.
type gemvWork struct {
	dst, mat   []float32
	ldm        int
	v          []float32
	weighsRows bool
}

// gemvUnit is the grain of a split: 16 columns (an AVX-512 vector) or 16
// rows (four of GemvN's groups).
const gemvUnit = 16

// Range computes the outputs of units [lo, hi).
func (w *gemvWork) Range(lo, hi int) {
	i0, i1 := lo*gemvUnit, min(hi*gemvUnit, len(w.dst))
	if w.weighsRows {
		asm.GemvT(w.dst[i0:i1], w.mat[i0:], w.ldm, w.v)
	} else {
		asm.GemvN(w.dst[i0:i1], w.mat[i0*w.ldm:], w.ldm, w.v)
	}
}
