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
	sparseAVX512 = sparseKernels{
		mul: sparseMulBy(16, nil, sparseMulAVX512_1, sparseMulAVX512_2, sparseMulAVX512_3, sparseMulAVX512_4,
			sparseMulAVX512_5, sparseMulAVX512_6, sparseMulAVX512_7, sparseMulAVX512_8),
		compress: compressBy(compressRowsAVX512, compressColsAVX512),
		width:    128, vec: 16, fast: true,
	}
	sparseAVX2 = sparseKernels{
		mul:      sparseMulBy(8, nil, sparseMulAVX2_1, sparseMulAVX2_2, sparseMulAVX2_3, sparseMulAVX2_4, sparseMulAVX2_5, sparseMulAVX2_6),
		compress: compressBy(compressRowsAVX2, compressColsAVX2),
		width:    48, vec: 8, fast: true,
	}
)

// sparseMulLoop is the assembly loop of one vector count; mask has a bit
// for each column of its last vector.
type sparseMulLoop func(rows int, ptr []int32, pstride int, col []int32, val []float32, b []float32, ldb int, mask uint32, alpha float32, beta float32, c []float32, ldc int)

// sparseMulBy returns mul on the loops of a level whose vectors hold vec
// floats (loops[v] for v vectors).
func sparseMulBy(vec int, loops ...sparseMulLoop) func(rows, n int, ptr []int32, pstride int, col []int32, val []float32, b []float32, ldb int, alpha, beta float32, c []float32, ldc int) {
	return func(rows, n int, ptr []int32, pstride int, col []int32, val []float32, b []float32, ldb int, alpha, beta float32, c []float32, ldc int) {
		v := (n + vec - 1) / vec
		mask := uint32(1)<<(n-vec*(v-1)) - 1
		loops[v](rows, ptr, pstride, col, val, b, ldb, mask, alpha, beta, c, ldc)
	}
}

type compressLoop func(n int, l int, x []float32, ldx int, blk int, ptr []int32, col []int32, val []float32)

// compressBy returns compress on a level's two compressors.
func compressBy(rows, cols compressLoop) func(cols bool, n, l int, x []float32, ldx, blk int, ptr, col []int32, val []float32) {
	return func(byCols bool, n, l int, x []float32, ldx, blk int, ptr, col []int32, val []float32) {
		if byCols {
			cols(n, l, x, ldx, blk, ptr, col, val)
		} else {
			rows(n, l, x, ldx, blk, ptr, col, val)
		}
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
