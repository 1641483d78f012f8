package asm

import "fmt"

// The sparse family: products whose left operand is mostly zeros (a batch
// of images, whose background pixels are 0: Fashion-MNIST's are half zeros)
// computed on its nonzeros only. A dense multiply-add chain over such a row
// spends half its time adding zeros; these kernels skip them. package blas
// builds its sparse product (blas.SgemmSparse) on them.
//
// # Compressed pairs of lines
//
// CompressRows and CompressCols turn the rows (or the columns) of a dense
// matrix into compressed pairs of lines: for lines 2i and 2i+1 together,
// the positions where either is nonzero, with both values. Pairs, because
// the product then loads each row of its dense operand once for two
// multiply-adds (one per line); the pair's union of nonzeros is what both
// lines pay for (0.66 of the positions for two Fashion-MNIST images, 0.55
// for two adjacent pixels over a batch, against 0.50 for one line). Each
// pair is cut into blocks of blk positions (blk a multiple of 16), so that
// a product can walk one block of every pair while the matching rows of
// its dense operand stay in L1. For n lines of length l (l >= 1), and a
// last line 2i+1 = n of zeros when n is odd:
//
//	stride := l + 16                        // entries per pair, with slack
//	nb := (l + blk - 1) / blk               // blocks per pair
//	for i := 0; i < (n+1)/2; i++ {
//		e := i * stride
//		for p := 0; p < l; p++ {
//			if p%blk == 0 {
//				ptr[i*(nb+1)+p/blk] = int32(e)
//			}
//			v0, v1 := line(2*i)[p], line(2*i+1)[p]
//			if v0 != 0 || v1 != 0 { // NaN is kept; ±0 is not
//				col[e], val[2*e], val[2*e+1] = int32(p), v0, v1
//				e++
//			}
//		}
//		ptr[i*(nb+1)+nb] = int32(e)
//	}
//
// where line(i) is row i of x (CompressRows: line(i)[p] = x[i*ldx+p]) or
// column i (CompressCols: line(i)[p] = x[p*ldx+i]). The entries past a
// pair's last (up to its stride) are scratch: the assembly stores eight at
// a time.
//
// # The product
//
// SparseMul computes, for r < rows and j < n (n <= SparseMulNR), with the
// entries of pair r/2 and the value of line r%2:
//
//	lo, hi := ptr[(r/2)*pstride], ptr[(r/2)*pstride+1]
//	var s float32
//	for e := lo; e < hi; e++ {
//		s += val[2*e+r%2] * b[col[e]*ldb+j]
//	}
//	if beta == 0 {
//		c[r*ldc+j] = alpha * s // c is not read
//	} else {
//		c[r*ldc+j] = alpha*s + beta*c[r*ldc+j]
//	}
//
// with the multiply-adds fused on the assembly levels (the generic level
// computes them as Go does on the architecture) and alpha*s + beta*c one
// rounding or two, as in the GEMM microkernels. The result differs from a
// dense product's only by the zeros it skips: a finite b times a zero of A
// adds ±0, which changes no sum; an infinite or NaN b would have made NaN,
// so callers that promise IEEE semantics check b first (blas.SgemmSparse
// does).

// SparseMulNR is the widest panel of columns a SparseMul call computes on
// any level (eight vectors of accumulators per chain on AVX-512); the
// active level's is SparseMulWidth.
const SparseMulNR = 128

// SparseBlock is the block length the blas driver compresses with: 64 rows
// of a 128-column panel of B are 32 KiB, which stay in L1 while every line
// walks its block (32 rows were 10-15% slower, 96 slower still).
const SparseBlock = 64

type sparseKernels struct {
	// mul is SparseMul without the checks.
	mul      func(rows, n int, ptr []int32, pstride int, col []int32, val []float32, b []float32, ldb int, alpha, beta float32, c []float32, ldc int)
	compress func(cols bool, n, l int, x []float32, ldx, blk int, ptr, col []int32, val []float32)
	// width: the widest n of mul (at most SparseMulNR); vec: the floats
	// of one of its vectors, the grain a caller splits n into panels by
	width, vec int
	// fast: the level has assembly for the family (worth its compression)
	fast bool
}

var sparse = sparseFor(active)

// SparseFast reports whether the active level computes sparse products in
// assembly; on the others a dense product is faster than SparseMul's Go.
func SparseFast() bool { return sparse.fast }

// SparseMulWidth returns the widest panel of columns a SparseMul call takes
// on the active level (128 on AVX-512, 48 on AVX2) and the width of its
// vectors (16, 8), by which a wider product is best split into panels.
func SparseMulWidth() (width, vec int) { return sparse.width, sparse.vec }

// CompressedLen returns the lengths of ptr and col that CompressRows and
// CompressCols need for n lines of length l in blocks of blk; val needs
// twice entries.
func CompressedLen(n, l, blk int) (ptrLen, entries int) {
	pairs := (n + 1) / 2
	return pairs * (CompressedBlocks(l, blk) + 1), pairs * (l + 16)
}

// CompressedBlocks returns the blocks per pair of lines of length l (at
// least one).
func CompressedBlocks(l, blk int) int { return max(1, (l+blk-1)/blk) }

// CompressRows compresses the rows x[i*ldx : i*ldx+l], i < n, as the family
// comment says, and returns the number of entries (positions kept, per
// pair). It panics when blk is
// not a positive multiple of 16, ldx < l or a slice is short.
func CompressRows(n, l int, x []float32, ldx, blk int, ptr, col []int32, val []float32) int {
	compressCheck(n, l, x, ldx, blk, ptr, col, val, false)
	return compressLines(false, n, l, x, ldx, blk, ptr, col, val)
}

// CompressCols compresses the columns x[p*ldx+i], p < l, i < n (the rows
// of xᵀ) as the family comment says, and returns the number of entries.
// It panics when blk is not a positive multiple of 16, ldx < n or a slice
// is short.
func CompressCols(n, l int, x []float32, ldx, blk int, ptr, col []int32, val []float32) int {
	compressCheck(n, l, x, ldx, blk, ptr, col, val, true)
	return compressLines(true, n, l, x, ldx, blk, ptr, col, val)
}

func compressLines(cols bool, n, l int, x []float32, ldx, blk int, ptr, col []int32, val []float32) int {
	if n == 0 {
		return 0
	}
	nb := CompressedBlocks(l, blk)
	pairs := (n + 1) / 2
	if l == 0 {
		for i := 0; i < pairs; i++ {
			ptr[i*(nb+1)], ptr[i*(nb+1)+1] = int32(i*16), int32(i*16)
		}
		return 0
	}
	k := sparse
	if cols && n%2 == 1 {
		// the last column alone: the assembly reads both columns of a pair
		// at once, and the one past the last may be past x
		if n > 1 {
			k.compress(cols, n-1, l, x, ldx, blk, ptr, col, val)
		}
		i := n / 2
		stride := l + 16
		p := ptr[i*(nb+1) : (i+1)*(nb+1)]
		compressGeneric(cols, 1, l, x[n-1:], ldx, blk, p, col[i*stride:], val[2*i*stride:])
		for q := range p {
			p[q] += int32(i * stride)
		}
	} else {
		k.compress(cols, n, l, x, ldx, blk, ptr, col, val)
	}
	total := 0
	for i := 0; i < pairs; i++ {
		total += int(ptr[i*(nb+1)+nb]) - i*(l+16)
	}
	return total
}

func compressCheck(n, l int, x []float32, ldx, blk int, ptr, col []int32, val []float32, cols bool) {
	if n < 0 || l < 0 {
		panic(fmt.Sprintf("asm: compress of %d lines of %d", n, l))
	}
	if blk <= 0 || blk%16 != 0 {
		panic(fmt.Sprintf("asm: compress block %d is not a positive multiple of 16", blk))
	}
	rows, width := n, l
	if cols {
		rows, width = l, n
	}
	if ldx < max(1, width) {
		panic(fmt.Sprintf("asm: compress ldx %d < %d", ldx, width))
	}
	if rows > 0 && width > 0 && len(x) < (rows-1)*ldx+width {
		panic("asm: compress: x too short")
	}
	pl, el := CompressedLen(n, l, blk)
	if len(ptr) < pl || len(col) < el || len(val) < 2*el {
		panic("asm: compress: ptr, col or val too short")
	}
	if 2*el > 1<<31-1 {
		panic("asm: compress: more entries than int32 positions")
	}
}

// SparseMul computes the product of the family comment for rows rows of C
// (from (rows+1)/2 pairs) and n columns, at most SparseMulWidth(). It
// panics when n is out of range or a slice is short; the entries must come
// from CompressRows or CompressCols with columns below the rows of b (it
// does not check them).
func SparseMul(rows, n int, ptr []int32, pstride int, col []int32, val []float32, b []float32, ldb int, alpha, beta float32, c []float32, ldc int) {
	if rows == 0 || n == 0 {
		return
	}
	if rows < 0 || n < 0 || n > sparse.width {
		panic(fmt.Sprintf("asm: SparseMul of %d rows and %d columns (at most %d)", rows, n, sparse.width))
	}
	if pstride < 1 || len(ptr) < (rows-1)/2*pstride+2 {
		panic("asm: SparseMul: ptr too short")
	}
	if ldb < n || ldc < n || len(c) < (rows-1)*ldc+n {
		panic("asm: SparseMul: bad ldb or ldc, or c too short")
	}
	sparse.mul(rows, n, ptr, pstride, col, val, b, ldb, alpha, beta, c, ldc)
}

// The generic level: the family's loops in Go, the oracle of the tests.
var sparseGeneric = sparseKernels{
	mul:      sparseMulGeneric,
	compress: compressGeneric,
	width:    SparseMulNR,
	vec:      16,
}

func sparseMulGeneric(rows, n int, ptr []int32, pstride int, col []int32, val []float32, b []float32, ldb int, alpha, beta float32, c []float32, ldc int) {
	// Row by row of B (an axpy into the pair's two rows of sums), which
	// adds each element's products in the loop's order of e.
	var acc [2][SparseMulNR]float32
	for r := 0; r < rows; r += 2 {
		lo, hi := int(ptr[r/2*pstride]), int(ptr[r/2*pstride+1])
		s0, s1 := acc[0][:n], acc[1][:n]
		clear(s0)
		clear(s1)
		for e := lo; e < hi; e++ {
			v0, v1 := val[2*e], val[2*e+1]
			brow := b[int(col[e])*ldb : int(col[e])*ldb+n]
			for j, bv := range brow {
				s0[j] += v0 * bv
				s1[j] += v1 * bv
			}
		}
		for q, s := range [][]float32{s0, s1}[:min(2, rows-r)] {
			cr := c[(r+q)*ldc : (r+q)*ldc+n]
			for j := range cr {
				if beta == 0 {
					cr[j] = alpha * s[j]
				} else {
					cr[j] = alpha*s[j] + beta*cr[j]
				}
			}
		}
	}
}

// compressGeneric compresses n lines starting at x (line i at x[i*ldx:] or
// x[i:]) into positions relative to the start of col.
func compressGeneric(cols bool, n, l int, x []float32, ldx, blk int, ptr, col []int32, val []float32) {
	nb := CompressedBlocks(l, blk)
	at := func(i, p int) float32 {
		if i >= n {
			return 0
		}
		if cols {
			return x[p*ldx+i]
		}
		return x[i*ldx+p]
	}
	for i := 0; i < (n+1)/2; i++ {
		e := i * (l + 16)
		for p := 0; p < l; p++ {
			if p%blk == 0 {
				ptr[i*(nb+1)+p/blk] = int32(e)
			}
			v0, v1 := at(2*i, p), at(2*i+1, p)
			if v0 != 0 || v1 != 0 {
				col[e], val[2*e], val[2*e+1] = int32(p), v0, v1
				e++
			}
		}
		ptr[i*(nb+1)+nb] = int32(e)
	}
}
