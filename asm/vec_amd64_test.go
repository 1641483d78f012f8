//go:build !purego

package asm

// benchAxpyDirect calls the active level's axpy without the table, for
// BenchmarkDispatch.
func benchAxpyDirect(alpha float32, x, y []float32) {
	switch active {
	case AVX512:
		axpyAVX512(alpha, x, y)
	case AVX2:
		axpyAVX2(alpha, x, y)
	default:
		axpyGeneric(alpha, x, y)
	}
}
