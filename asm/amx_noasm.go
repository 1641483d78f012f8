//go:build purego || !amd64

package asm

// Without the asm (purego, other architectures) the amx level does not
// exist; these keep AMXPack and AMXKernel defined, on the Go oracles.
func amxPack(dst []uint16, seg int, src []float32, ld, ntiles, srcStep, dstStep int, alpha float32, kMajor, transpose bool) bool {
	return amxPackGeneric(dst, seg, src, ld, ntiles, srcStep, dstStep, alpha, kMajor, transpose)
}

func amxKernel(a, b []uint16, seg, np, aStride int, c []float32, ldc, rows, cols int, alpha, beta float32, mode int, scratch []float32) {
	amxKernelGeneric(a, b, seg, np, aStride, c, ldc, rows, cols, alpha, beta, mode, scratch)
}
