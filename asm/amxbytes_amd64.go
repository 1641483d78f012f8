//go:build !purego

package asm

import "unsafe"

//go:noescape
func amxBytePackAsm(dst, scale, src unsafe.Pointer, ld, k, cols, chunks int) (bad bool)

//go:noescape
func amxByteKernelAsm(a unsafe.Pointer, lda int, b unsafe.Pointer, chunks, kblock int, scale unsafe.Pointer, alpha, beta float64, c unsafe.Pointer, ldc, rows, cols int, scratch unsafe.Pointer)

// bytePackPanel and byteKernel take their arguments in values; the asm in
// bytes.
func bytePackPanel(dst []int8, scale []float64, src []float32, ld, k, cols int) bool {
	return !amxBytePackAsm(unsafe.Pointer(&dst[0]), unsafe.Pointer(&scale[0]), unsafe.Pointer(&src[0]), 4*ld, k, cols, ByteChunks(k))
}

func byteKernel(a []uint8, lda int, b []int8, chunks int, scale []float64, alpha, beta float64, c []float32, ldc, rows, cols int, scratch []int32) {
	amxByteKernelAsm(unsafe.Pointer(&a[0]), lda, unsafe.Pointer(&b[0]), chunks, byteKBlock(chunks), unsafe.Pointer(&scale[0]), alpha, beta,
		unsafe.Pointer(&c[0]), 4*ldc, rows, cols, unsafe.Pointer(&scratch[0]))
}

// byteKBlockMax is the most chunks of depth a kernel block takes: its A
// (32 rows) and one part's B, 2 KiB a chunk each, stay in L1 (48 KiB on the
// Xeon measured) with room for the scratch rows.
const byteKBlockMax = 7

// byteKBlock returns the chunks of the kernel's depth blocks: as even as
// the fewest blocks of at most byteKBlockMax allow (784: 7 and 6).
func byteKBlock(chunks int) int {
	n := (chunks + byteKBlockMax - 1) / byteKBlockMax
	return (chunks + n - 1) / n
}

//go:noescape
func byteTransposeAVX512Asm(dst unsafe.Pointer, ldd int, src unsafe.Pointer, lds, rowBlocks, colBlocks int)

func byteTransposeFast() bool { return features.AVX512BW && features.AVX512F }

func byteTranspose(dst []uint8, ldd int, src []uint8, lds, rowBlocks, colBlocks int) {
	byteTransposeAVX512Asm(unsafe.Pointer(&dst[0]), ldd, unsafe.Pointer(&src[0]), lds, rowBlocks, colBlocks)
}
