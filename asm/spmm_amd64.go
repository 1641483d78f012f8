//go:build !purego

package asm

// sparseFor returns the table of level l (generic for levels this
// architecture lacks).
func sparseFor(l Level) *sparseKernels {
	switch l {
	case AVX512, AMX:
		return &sparseAVX512
	case AVX2:
		return &sparseAVX2
	}
	return &sparseGeneric
}

var (
	sparseAVX512 = sparseKernels{mul: sparseMulAVX512, compress: compressAVX512, width: 128, vec: 16, fast: true}
	sparseAVX2   = sparseKernels{mul: sparseMulAVX2, compress: compressAVX2, width: 48, vec: 8, fast: true}
)

// sparseMulAVX512s[v] is the loop of v vectors (spmm_amd64.s).
var sparseMulAVX512s = [...]func(rows int, ptr []int32, pstride int, col []int32, val []float32, b []float32, ldb int, mask uint32, alpha float32, beta float32, c []float32, ldc int){
	nil, sparseMulAVX512_1, sparseMulAVX512_2, sparseMulAVX512_3, sparseMulAVX512_4,
	sparseMulAVX512_5, sparseMulAVX512_6, sparseMulAVX512_7, sparseMulAVX512_8,
}

func sparseMulAVX512(rows, n int, ptr []int32, pstride int, col []int32, val []float32, b []float32, ldb int, alpha, beta float32, c []float32, ldc int) {
	v := (n + 15) / 16
	mask := uint32(1)<<(n-16*(v-1)) - 1
	sparseMulAVX512s[v](rows, ptr, pstride, col, val, b, ldb, mask, alpha, beta, c, ldc)
}

func compressAVX512(cols bool, n, l int, x []float32, ldx, blk int, ptr, col []int32, val []float32) {
	if cols {
		compressColsAVX512(n, l, x, ldx, blk, ptr, col, val)
	} else {
		compressRowsAVX512(n, l, x, ldx, blk, ptr, col, val)
	}
}

//go:noescape
func compressRowsAVX512(n int, l int, x []float32, ldx int, blk int, ptr []int32, col []int32, val []float32)

//go:noescape
func compressColsAVX512(n int, l int, x []float32, ldx int, blk int, ptr []int32, col []int32, val []float32)

//go:noescape
func sparseMulAVX512_1(rows int, ptr []int32, pstride int, col []int32, val []float32, b []float32, ldb int, mask uint32, alpha float32, beta float32, c []float32, ldc int)

//go:noescape
func sparseMulAVX512_2(rows int, ptr []int32, pstride int, col []int32, val []float32, b []float32, ldb int, mask uint32, alpha float32, beta float32, c []float32, ldc int)

//go:noescape
func sparseMulAVX512_3(rows int, ptr []int32, pstride int, col []int32, val []float32, b []float32, ldb int, mask uint32, alpha float32, beta float32, c []float32, ldc int)

//go:noescape
func sparseMulAVX512_4(rows int, ptr []int32, pstride int, col []int32, val []float32, b []float32, ldb int, mask uint32, alpha float32, beta float32, c []float32, ldc int)

//go:noescape
func sparseMulAVX512_5(rows int, ptr []int32, pstride int, col []int32, val []float32, b []float32, ldb int, mask uint32, alpha float32, beta float32, c []float32, ldc int)

//go:noescape
func sparseMulAVX512_6(rows int, ptr []int32, pstride int, col []int32, val []float32, b []float32, ldb int, mask uint32, alpha float32, beta float32, c []float32, ldc int)

//go:noescape
func sparseMulAVX512_7(rows int, ptr []int32, pstride int, col []int32, val []float32, b []float32, ldb int, mask uint32, alpha float32, beta float32, c []float32, ldc int)

//go:noescape
func sparseMulAVX512_8(rows int, ptr []int32, pstride int, col []int32, val []float32, b []float32, ldb int, mask uint32, alpha float32, beta float32, c []float32, ldc int)

// sparseMulAVX2s[v] is the loop of v vectors (spmm_amd64.s).
var sparseMulAVX2s = [...]func(rows int, ptr []int32, pstride int, col []int32, val []float32, b []float32, ldb int, mask uint32, alpha float32, beta float32, c []float32, ldc int){
	nil, sparseMulAVX2_1, sparseMulAVX2_2, sparseMulAVX2_3, sparseMulAVX2_4, sparseMulAVX2_5, sparseMulAVX2_6,
}

func sparseMulAVX2(rows, n int, ptr []int32, pstride int, col []int32, val []float32, b []float32, ldb int, alpha, beta float32, c []float32, ldc int) {
	v := (n + 7) / 8
	mask := uint32(1)<<(n-8*(v-1)) - 1
	sparseMulAVX2s[v](rows, ptr, pstride, col, val, b, ldb, mask, alpha, beta, c, ldc)
}

func compressAVX2(cols bool, n, l int, x []float32, ldx, blk int, ptr, col []int32, val []float32) {
	if cols {
		compressColsAVX2(n, l, x, ldx, blk, ptr, col, val)
	} else {
		compressRowsAVX2(n, l, x, ldx, blk, ptr, col, val)
	}
}

//go:noescape
func compressRowsAVX2(n int, l int, x []float32, ldx int, blk int, ptr []int32, col []int32, val []float32)

//go:noescape
func compressColsAVX2(n int, l int, x []float32, ldx int, blk int, ptr []int32, col []int32, val []float32)

//go:noescape
func sparseMulAVX2_1(rows int, ptr []int32, pstride int, col []int32, val []float32, b []float32, ldb int, mask uint32, alpha float32, beta float32, c []float32, ldc int)

//go:noescape
func sparseMulAVX2_2(rows int, ptr []int32, pstride int, col []int32, val []float32, b []float32, ldb int, mask uint32, alpha float32, beta float32, c []float32, ldc int)

//go:noescape
func sparseMulAVX2_3(rows int, ptr []int32, pstride int, col []int32, val []float32, b []float32, ldb int, mask uint32, alpha float32, beta float32, c []float32, ldc int)

//go:noescape
func sparseMulAVX2_4(rows int, ptr []int32, pstride int, col []int32, val []float32, b []float32, ldb int, mask uint32, alpha float32, beta float32, c []float32, ldc int)

//go:noescape
func sparseMulAVX2_5(rows int, ptr []int32, pstride int, col []int32, val []float32, b []float32, ldb int, mask uint32, alpha float32, beta float32, c []float32, ldc int)

//go:noescape
func sparseMulAVX2_6(rows int, ptr []int32, pstride int, col []int32, val []float32, b []float32, ldb int, mask uint32, alpha float32, beta float32, c []float32, ldc int)
