//go:build !purego

package asm

// benchAxpyDirect calls the active level's axpy without the table, for
// BenchmarkDispatch.
func benchAxpyDirect(alpha float32, x, y []float32) {
	if active == NEON {
		axpyNEON(alpha, x, y)
	} else {
		axpyGeneric(alpha, x, y)
	}
}
