//go:build purego || !(amd64 || arm64)

package asm

// benchAxpyDirect calls the generic axpy without the table, for
// BenchmarkDispatch.
func benchAxpyDirect(alpha float32, x, y []float32) { axpyGeneric(alpha, x, y) }
