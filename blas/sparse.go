package blas

import (
	"sync/atomic"

	"github.com/nnrt/nnrt/asm"
	"github.com/nnrt/nnrt/runtime"
)

// Sparse holds the left operand op(A) of a product compressed to its
// nonzeros (asm's compressed lines: each row of op(A) with its nonzero
// values and their columns, in blocks of asm.SparseBlock), for
// SgemmSparse. Compress fills it; its arrays grow to the largest operand
// it has held and are reused, so a training step that compresses its
// batch allocates nothing. A Sparse is not safe for concurrent use.
type Sparse struct {
	tA       Transpose
	m, k     int
	a        []float32 // the dense operand (kept for the IEEE fallback)
	lda      int
	nnz      int
	ptr, col []int32
	val      []float32
	bounds   []int // the threads' shares of pairs (SgemmSparse)
	// claims[t]: share t's groups of rows not yet claimed (see claimBlock)
	claims []atomic.Uint64
	work   sparseWork
}

// Density returns the fraction of a dense product's multiply-adds that
// SgemmSparse does with s: rows go by pairs, and a pair pays for the
// positions where either row is nonzero (or NaN), so this is those
// positions over all of the pairs' (0.66 for Fashion-MNIST images, whose
// pixels are half zeros). 0 for an empty operand.
func (s *Sparse) Density() float64 {
	if s.m == 0 || s.k == 0 {
		return 0
	}
	return float64(s.nnz) / (float64((s.m+1)/2) * float64(s.k))
}

// Compress stores op(A), the m×k matrix A (tA NoTrans, row-major with
// leading dimension lda) or Aᵀ (tA Trans: A is k×m), in s and returns its
// density. SgemmSparse reads A itself again when B holds a NaN or an
// infinity, so A must not change between Compress and the products that
// use s. Bad arguments panic with Sgemm's messages. Rows are compressed in
// parallel on runtime's threads when op(A) has 2^14 values or more (the xᵀ
// of 32 images): each thread then compresses about the pairs it goes on to
// multiply (SgemmSparse's shares, in the same order), instead of reading
// them from the core that compressed them. Two threads, the dW of 32
// Fashion-MNIST images: the sparse product went from 0.72 to 1.17 of the
// dense one's speed.
func (s *Sparse) Compress(tA Transpose, m, k int, a []float32, lda int) float64 {
	aT := isTrans(tA)
	switch {
	case m < 0:
		panic(mLT0)
	case k < 0:
		panic(kLT0)
	}
	checkLd(aT, m, k, lda, badLdA)
	if m > 0 && k > 0 {
		checkLen(aT, m, k, a, lda, shortA)
	}
	s.tA, s.m, s.k, s.a, s.lda, s.nnz = tA, m, k, a, lda, 0
	pl, el := asm.CompressedLen(m, k, asm.SparseBlock)
	if cap(s.ptr) < pl {
		s.ptr = make([]int32, pl)
	}
	if cap(s.col) < el {
		s.col, s.val = make([]int32, el), make([]float32, 2*el)
	}
	s.ptr, s.col, s.val = s.ptr[:pl], s.col[:el], s.val[:2*el]
	if m == 0 {
		return 0
	}
	w := &s.work
	*w = sparseWork{s: s, op: compressLines, aT: aT}
	if pairs := (m + 1) / 2; m*k < parallelMin/16 || runtime.Threads() < 2 {
		w.Range(0, pairs)
	} else {
		runtime.ParallelFor(pairs, 4, w)
	}
	s.nnz = int(w.nnz.Load())
	*w = sparseWork{}
	return s.Density()
}

// SgemmSparse computes
//
//	C = alpha * op(A) * B + beta * C
//
// for the op(A) (m×k) that s holds, B k×n and C m×n row-major with leading
// dimensions ldb and ldc: Sgemm(tA, NoTrans, m, n, k, ...) on the A given
// to Compress, with the multiply-adds by A's zeros left out. As a finite
// b times ±0 adds ±0, which changes no sum, the result is Sgemm's up to
// the grouping of the additions (each element is one fused multiply-add
// chain per block of asm.SparseBlock of k, over the positions its pair of
// rows keeps, the blocks added into C in order);
// when B holds a NaN or an infinity (which times a zero of A makes NaN)
// the product is Sgemm's on the dense A, so IEEE's propagation holds. The
// bits do not depend on the number of threads.
//
// Speed: the time is that of the pairs' positions (Density), at about 0.8
// of the dense kernels' rate per multiply-add, so it pays below a density
// of about 0.6; B's rows are copied to 64-byte aligned rows first unless they
// are aligned already (ldb a multiple of 16 and b aligned), as the loop
// does one load of B per multiply-add; on several threads each makes its
// own copy (of all of B: its pairs' entries point anywhere in it). m, n or
// k of 0, alpha 0 and bad arguments behave as in Sgemm.
func SgemmSparse(s *Sparse, n int, alpha float32, b []float32, ldb int, beta float32, c []float32, ldc int) {
	sgemmSparse(s, n, alpha, b, ldb, beta, c, ldc, nil)
}

// sgemmSparse is SgemmSparse, or with rows != nil SgemmSparseRows (c is
// then nil, beta 0 and ldc n).
func sgemmSparse(s *Sparse, n int, alpha float32, b []float32, ldb int, beta float32, c []float32, ldc int, rows RowsFunc) {
	m, k := s.m, s.k
	switch {
	case n < 0:
		panic(nLT0)
	case ldb < max(1, n):
		panic(badLdB)
	case ldc < max(1, n):
		panic(badLdC)
	}
	if m == 0 || n == 0 {
		return
	}
	if k > 0 && len(b) < (k-1)*ldb+n {
		panic(shortB)
	}
	if rows != nil && (alpha == 0 || k == 0) {
		// C = 0, without the product
		z := runtime.Alloc(min(m, sparseRows) * n)
		clear(z)
		for r0 := 0; r0 < m; r0 += sparseRows {
			r1 := min(m, r0+sparseRows)
			rows.Rows(r0, r1, z[:(r1-r0)*n])
		}
		runtime.Free(z)
		return
	}
	if rows == nil && len(c) < (m-1)*ldc+n {
		panic(shortC)
	}
	if alpha == 0 || k == 0 {
		scaleC(m, n, beta, c, ldc)
		return
	}
	w := &s.work
	*w = sparseWork{s: s, b: b, ldb: ldb, n: n, alpha: alpha, beta: beta, c: c, ldc: ldc, rows: rows}
	defer func() { *w = sparseWork{} }()
	// B's rows are read 64-byte aligned: in place when they are, else
	// from a copy (see multiplyPart)
	w.copied, w.ldp = ldb%16 != 0 || !runtime.IsAligned(b), ldb
	if w.copied {
		w.ldp = (n + 15) &^ 15
	}
	// Shared between the threads when the product is large enough, and
	// each thread's multiply-adds (about m*density*k*n/threads) are at
	// least four times its copy of B (k*n): for a few rows of A against a
	// large B the copies would cost more than the split saves.
	pairs := (m + 1) / 2
	parts := 1
	if th := runtime.Threads(); th >= 2 && float64(m)*float64(n)*float64(k)*max(s.Density(), 0.05) >= parallelMin &&
		float64(m)*s.Density() >= float64(4*th) {
		parts = min(th, pairs)
	}
	s.shares(pairs, parts)
	s.claims = grown(s.claims, parts)
	for t := range parts {
		s.claims[t].Store(uint64(s.groups(t)))
	}
	w.lend = parts > 1 && k >= sparseLendMinDepth
	w.op = multiplyPart
	if parts > 1 {
		runtime.ParallelFor(parts, 1, w)
	} else {
		w.Range(0, 1)
	}
	if w.nonFinite.Load() {
		if rows == nil {
			sgemm(active, s.tA, NoTrans, m, n, k, alpha, s.a, s.lda, b, ldb, beta, c, ldc)
			return
		}
		// the whole product, then its groups: a rare path (the loss is
		// about to turn NaN), where clarity beats the memory
		full := runtime.Alloc(m * n)
		sgemm(active, s.tA, NoTrans, m, n, k, alpha, s.a, s.lda, b, ldb, 0, full, n)
		for r0 := 0; r0 < m; r0 += sparseRows {
			r1 := min(m, r0+sparseRows)
			rows.Rows(r0, r1, full[r0*n:r1*n])
		}
		runtime.Free(full)
	}
}

// RowsFunc receives a product's rows a group at a time (SgemmSparseRows).
type RowsFunc interface {
	// Rows gets rows [r0, r1) of C in c, row-major with n columns
	// (len(c) == (r1-r0)*n), in a buffer that is reused once Rows returns.
	Rows(r0, r1 int, c []float32)
}

// SgemmSparseRows computes C = alpha * op(A) * B as SgemmSparse(s, n,
// alpha, b, ldb, 0, C, n) does, with the same bits, but hands C to f a
// group of rows at a time instead of storing it: each group is computed
// into a buffer of the thread that computes it (64 rows, which that
// thread's next group reuses) and given to f at once, while it is in
// cache. A consumer that would read C right after the product (an
// optimizer updating the weights whose gradient C is) thereby saves
// writing C to memory and reading it back. f is called for every row of
// C exactly once, possibly from several of runtime's workers at a time
// (for disjoint groups), and must not keep c. When B holds a NaN or an
// infinity the groups come from SgemmSparse's dense fallback product.
// Bad arguments panic as in SgemmSparse.
func SgemmSparseRows(s *Sparse, n int, alpha float32, b []float32, ldb int, f RowsFunc) {
	if f == nil {
		panic("blas: SgemmSparseRows needs a RowsFunc")
	}
	sgemmSparse(s, n, alpha, b, ldb, 0, nil, n, f)
}

// multiplyPart computes the pairs of the parts [lo, hi) of C. It reads all
// of B first, into its own aligned copy when B's rows are not aligned:
// each thread then multiplies from rows in its own core's cache (a copy
// shared between the threads had each read the other's half from the
// other core). B is checked on the way: a row whose sum is not finite (a
// NaN or an infinity, which times a zero of A makes NaN; a finite row
// whose sum overflows also goes this way, merely slower) stops the part
// before it writes C, and as every part reads all of B, none writes C and
// SgemmSparse takes the dense product instead.
func multiplyPart(w *sparseWork, lo, hi int) {
	k, n := w.s.k, w.n
	bp := w.b
	if w.copied {
		bp = runtime.Alloc(k * w.ldp)
		defer runtime.Free(bp)
	}
	for p := 0; p < k; p++ {
		row := w.b[p*w.ldb : p*w.ldb+n]
		if t := asm.Sum(row); t-t != 0 {
			w.nonFinite.Store(true)
			return
		}
		if w.copied {
			dst := bp[p*w.ldp : p*w.ldp+w.ldp]
			copy(dst, row)
			clear(dst[n:])
		}
	}
	var group []float32 // SgemmSparseRows's buffer
	if w.rows != nil {
		group = runtime.Alloc(sparseRows * n)
		defer runtime.Free(group)
	}
	// Its shares' groups, then (when w.lend) the other shares' last ones:
	// this host's cores run at unequal speeds for seconds at a time. The
	// book's model at batch 256 on two threads (its dW, 784x300x256),
	// five steps with and five without alternated over ten epochs, six
	// runs: the median pair 0.985-1.001 of the time, the total
	// 0.971-0.989 (leaving the last two groups to their thread; taking
	// them too, 1.5% faster again).
	workShares(w.s.claims, lo, hi, w.lend, func(t, g int) { multiply(w, bp, group, t, g) })
}

// shares sets s.bounds to the threads' shares of pairs of op(A)'s rows:
//
//   - of op(A) = A (a batch's samples in a forward pass), equal entries
//     rather than equal counts: an image's pixels may be 27% nonzero or
//     71%;
//   - of op(A) = Aᵀ (xᵀ in the weight gradient xᵀ·dZ), equal counts: its
//     rows are the depth of the forward product x·W, whose depth blocks
//     splitK shares out in equal runs of W's rows, so that each thread
//     updates the rows its share of the next forward reads. Balanced by
//     entries, the split fell some 20 rows past the middle on
//     Fashion-MNIST's batches (the images' lower half holds more
//     nonzeros), and each forward read those rows' lines from the other
//     core: the book's step at batch 32 on two threads took 0.96-0.99 of
//     its time with equal counts (medians of four runs of 513 alternated
//     pairs of five steps), though the shares' multiply-adds differ by
//     some 6%.
func (s *Sparse) shares(pairs, parts int) {
	s.bounds = append(s.bounds[:0], 0)
	if s.tA == Trans {
		for t := 1; t <= parts; t++ {
			s.bounds = append(s.bounds, t*pairs/parts)
		}
		return
	}
	nb := asm.CompressedBlocks(s.k, asm.SparseBlock)
	total := float64(s.nnz)
	var sum float64
	for i := 0; i < pairs && len(s.bounds) < parts; i++ {
		sum += float64(s.ptr[i*(nb+1)+nb] - s.ptr[i*(nb+1)])
		if sum >= total*float64(len(s.bounds))/float64(parts) {
			s.bounds = append(s.bounds, i+1)
		}
	}
	for len(s.bounds) <= parts {
		s.bounds = append(s.bounds, pairs)
	}
}

// sparseLendMinDepth is the least depth of a product whose threads take
// over each other's last groups of rows: a group of rows then takes
// longer to compute than its operands' trip from the other core.
const sparseLendMinDepth = 128

// groups returns the number of groups of sparseRows rows of share t.
func (s *Sparse) groups(t int) int {
	return ceilDiv(min(2*s.bounds[t+1], s.m)-2*s.bounds[t], sparseRows)
}

// sparseWork is the runtime.Body of Compress and SgemmSparse: op over
// [lo, hi) of pairs of rows of op(A) (and of C), or of rows of B.
type sparseWork struct {
	s         *Sparse
	op        func(w *sparseWork, lo, hi int)
	aT        bool
	nnz       atomic.Int64
	b, c      []float32
	ldb, ldp  int
	ldc, n    int
	copied    bool
	alpha     float32
	beta      float32
	nonFinite atomic.Bool
	rows      RowsFunc // SgemmSparseRows's consumer (c is then nil)
	lend      bool     // threads done with their shares take the others' last groups
}

func (w *sparseWork) Range(lo, hi int) { w.op(w, lo, hi) }

// compressLines compresses pairs [lo, hi) of rows of op(A). asm writes
// positions relative to the first pair it is given; they are moved to the
// whole operand's.
func compressLines(w *sparseWork, lo, hi int) {
	s := w.s
	nb := asm.CompressedBlocks(s.k, asm.SparseBlock)
	stride := s.k + 16
	ptr := s.ptr[lo*(nb+1) : hi*(nb+1)]
	col, val := s.col[lo*stride:hi*stride], s.val[2*lo*stride:2*hi*stride]
	lines := min(2*hi, s.m) - 2*lo
	var n int
	if w.aT {
		n = asm.CompressCols(lines, s.k, s.a[2*lo:], s.lda, asm.SparseBlock, ptr, col, val)
	} else {
		n = asm.CompressRows(lines, s.k, s.a[2*lo*s.lda:], s.lda, asm.SparseBlock, ptr, col, val)
	}
	if shift := int32(lo * stride); shift != 0 {
		for i := range ptr {
			ptr[i] += shift
		}
	}
	w.nnz.Add(int64(n))
}

// multiply computes group g of share t of C, its sparseRows rows from
// the share's first (the last group may be shorter): balanced panels of at
// most asm.SparseMulWidth columns, and for each panel the blocks of k in
// order, so that a block of B's panel (64 rows, at most 32 KiB) serves
// the group from L1. With w.rows, the group goes to group (n columns
// apart) and then to w.rows.
func multiply(w *sparseWork, bp, group []float32, t, g int) {
	s := w.s
	nb := asm.CompressedBlocks(s.k, asm.SparseBlock)
	maxw, vec := asm.SparseMulWidth()
	vecs := (w.n + vec - 1) / vec
	panels := (vecs + maxw/vec - 1) / (maxw / vec)
	r0 := 2*s.bounds[t] + g*sparseRows
	r1 := min(2*s.bounds[t+1], s.m, r0+sparseRows)
	c, ldc := group, w.n
	if w.rows == nil {
		c, ldc = w.c[r0*w.ldc:], w.ldc
	}
	for q, j0 := 0, 0; q < panels; q++ {
		width := min(w.n-j0, (vecs*(q+1)/panels-vecs*q/panels)*vec)
		for blk := 0; blk < nb; blk++ {
			beta := float32(1)
			if blk == 0 {
				beta = w.beta
			}
			asm.SparseMul(r1-r0, width, s.ptr[r0/2*(nb+1)+blk:], nb+1, s.col, s.val,
				bp[j0:], w.ldp, w.alpha, beta, c[j0:], ldc)
		}
		j0 += width
	}
	if w.rows != nil {
		w.rows.Rows(r0, r1, group[:(r1-r0)*w.n])
	}
}

// sparseRows is the group of rows multiply walks each block with (even).
const sparseRows = 64
