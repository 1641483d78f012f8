//go:build purego || !amd64

package asm

// Without the asm (purego, other architectures) there are no tiles; these
// keep BytePackPanel and ByteKernel defined, on the Go oracles.
func bytePackPanel(dst []int8, scale []float64, src []float32, ld, k, cols int) bool {
	return bytePackPanelGeneric(dst, scale, src, ld, k, cols)
}

func byteKernel(a []uint8, lda int, b []int8, chunks int, scale []float64, alpha, beta float64, c []float32, ldc, rows, cols int, scratch []int32) {
	byteKernelGeneric(a, lda, b, chunks, scale, alpha, beta, c, ldc, rows, cols, scratch)
}

func byteTransposeFast() bool { return false }

func byteTranspose(dst []uint8, ldd int, src []uint8, lds, rowBlocks, colBlocks int) {
	panic("unreachable")
}
