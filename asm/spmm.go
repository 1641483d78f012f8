package asm

import "fmt"

// The sparse family: products whose left operand is mostly zeros (a batch
// of images, whose background pixels are 0: Fashion-MNIST's are half zeros)
// computed on its nonzeros only. A dense multiply-add chain over such a row
// spends half its time adding zeros; these kernels skip them. package blas
// builds its sparse product (blas.SgemmSparse) on them.
//
// # Compressed lines
//
// CompressRows and CompressCols turn the rows (or the columns) of a dense
// matrix into compressed lines: line i's nonzero values, in order, with
// their positions along the line. Each line is cut into blocks of blk
// positions (blk a multiple of 16), so that a product can walk one block of
// every line while the matching rows of its dense operand stay in L1. For
// n lines of length l (l >= 1):
//
//	stride := l + 16                        // entries per line, with slack
//	nb := (l + blk - 1) / blk               // blocks per line
//	for i := 0; i < n; i++ {
//		e := i * stride
//		for p := 0; p < l; p++ {
//			if p%blk == 0 {
//				ptr[i*(nb+1)+p/blk] = int32(e)
//			}
//			if v := line(i)[p]; v != 0 { // NaN is kept; ±0 is not
//				col[e], val[e] = int32(p), v
//				e++
//			}
//		}
//		ptr[i*(nb+1)+nb] = int32(e)
//	}
//
// where line(i) is row i of x (CompressRows: line(i)[p] = x[i*ldx+p]) or
// column i (CompressCols: line(i)[p] = x[p*ldx+i]). The entries past a
// line's last (up to its stride) are scratch: the assembly stores sixteen
// at a time.
//
// # The product
//
// SparseMul computes, for r < rows and j < n (n <= SparseMulNR):
//
//	lo, hi := ptr[r*pstride], ptr[r*pstride+1]
//	var s0, s1 float32
//	e := lo
//	for ; e+1 < hi; e += 2 {
//		s0 += val[e] * b[col[e]*ldb+j]
//		s1 += val[e+1] * b[col[e+1]*ldb+j]
//	}
//	if e < hi {
//		s0 += val[e] * b[col[e]*ldb+j]
//	}
//	s := s0 + s1
//	if beta == 0 {
//		c[r*ldc+j] = alpha * s // c is not read
//	} else {
//		c[r*ldc+j] = alpha*s + beta*c[r*ldc+j]
//	}
//
// with the multiply-adds fused on the assembly levels (the generic level
// computes them as Go does on the architecture) and alpha*s + beta*c one
// rounding or two, as in the GEMM microkernels. Two chains rather than one
// keep two entries in flight. The result differs from a dense product's
// only by the zeros it skips: a finite b times a zero of A adds ±0, which
// changes no sum; an infinite or NaN b would have made NaN, so callers that
// promise IEEE semantics check b first (blas.SgemmSparse does).

// SparseMulNR is the widest panel of columns one SparseMul call computes:
// eight vectors of accumulators per chain on AVX-512.
const SparseMulNR = 128

// SparseBlock is the block length the blas driver compresses with: 64 rows
// of a 128-column panel of B are 32 KiB, which stay in L1 while every line
// walks its block (32 rows were 10-15% slower, 96 slower still).
const SparseBlock = 64

type sparseKernels struct {
	// mul is SparseMul without the checks.
	mul      func(rows, n int, ptr []int32, pstride int, col []int32, val []float32, b []float32, ldb int, alpha, beta float32, c []float32, ldc int)
	compress func(cols bool, n, l int, x []float32, ldx, blk int, ptr, col []int32, val []float32)
	// fast: the level has assembly for the family (worth its compression)
	fast bool
}

var sparse = sparseFor(active)

// SparseFast reports whether the active level computes sparse products in
// assembly; on the others a dense product is faster than SparseMul's Go.
func SparseFast() bool { return sparse.fast }

// CompressedLen returns the lengths of ptr and of col and val that
// CompressRows and CompressCols need for n lines of length l in blocks of
// blk.
func CompressedLen(n, l, blk int) (ptrLen, entries int) {
	return n * (CompressedBlocks(l, blk) + 1), n * (l + 16)
}

// CompressedBlocks returns the blocks per line of length l (at least one).
func CompressedBlocks(l, blk int) int { return max(1, (l+blk-1)/blk) }

// CompressRows compresses the rows x[i*ldx : i*ldx+l], i < n, as the family
// comment says, and returns the number of entries. It panics when blk is
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
	if l == 0 {
		for i := 0; i < 2*n; i++ {
			ptr[i] = int32(i / 2 * 16)
		}
		return 0
	}
	k := sparse
	if cols && len(x) > 1<<31-1 {
		k = &sparseGeneric // the gather's offsets are int32
	}
	k.compress(cols, n, l, x, ldx, blk, ptr, col, val)
	nb := CompressedBlocks(l, blk)
	total := 0
	for i := 0; i < n; i++ {
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
	if len(ptr) < pl || len(col) < el || len(val) < el {
		panic("asm: compress: ptr, col or val too short")
	}
	if el > 1<<31-1 {
		panic("asm: compress: more entries than int32 positions")
	}
}

// SparseMul computes the product of the family comment for rows lines and
// n <= SparseMulNR columns. It panics when n is out of range or a slice is
// short; the entries must come from CompressRows or CompressCols with
// columns below the rows of b (it does not check them).
func SparseMul(rows, n int, ptr []int32, pstride int, col []int32, val []float32, b []float32, ldb int, alpha, beta float32, c []float32, ldc int) {
	if rows == 0 || n == 0 {
		return
	}
	if rows < 0 || n < 0 || n > SparseMulNR {
		panic(fmt.Sprintf("asm: SparseMul of %d rows and %d columns (at most %d)", rows, n, SparseMulNR))
	}
	if pstride < 1 || len(ptr) < (rows-1)*pstride+2 {
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
}

func sparseMulGeneric(rows, n int, ptr []int32, pstride int, col []int32, val []float32, b []float32, ldb int, alpha, beta float32, c []float32, ldc int) {
	for r := 0; r < rows; r++ {
		lo, hi := int(ptr[r*pstride]), int(ptr[r*pstride+1])
		cr := c[r*ldc : r*ldc+n]
		for j := range cr {
			var s0, s1 float32
			e := lo
			for ; e+1 < hi; e += 2 {
				s0 += val[e] * b[int(col[e])*ldb+j]
				s1 += val[e+1] * b[int(col[e+1])*ldb+j]
			}
			if e < hi {
				s0 += val[e] * b[int(col[e])*ldb+j]
			}
			s := s0 + s1
			if beta == 0 {
				cr[j] = alpha * s
			} else {
				cr[j] = alpha*s + beta*cr[j]
			}
		}
	}
}

func compressGeneric(cols bool, n, l int, x []float32, ldx, blk int, ptr, col []int32, val []float32) {
	nb := CompressedBlocks(l, blk)
	for i := 0; i < n; i++ {
		e := i * (l + 16)
		for p := 0; p < l; p++ {
			if p%blk == 0 {
				ptr[i*(nb+1)+p/blk] = int32(e)
			}
			var v float32
			if cols {
				v = x[p*ldx+i]
			} else {
				v = x[i*ldx+p]
			}
			if v != 0 {
				col[e], val[e] = int32(p), v
				e++
			}
		}
		ptr[i*(nb+1)+nb] = int32(e)
	}
}
