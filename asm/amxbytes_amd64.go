//go:build !purego

package asm

import "unsafe"

//go:noescape
func amxBytePackAsm(dst, scale, src unsafe.Pointer, ld, k, cols, chunks int) (bad bool)

//go:noescape
func amxByteKernelAsm(a unsafe.Pointer, lda int, b unsafe.Pointer, chunks int, scale unsafe.Pointer, alpha, beta float64, c unsafe.Pointer, ldc, rows, cols int, scratch unsafe.Pointer)

// bytePackPanel and byteKernel take their arguments in values; the asm in
// bytes.
func bytePackPanel(dst []int8, scale []float64, src []float32, ld, k, cols int) bool {
	return !amxBytePackAsm(unsafe.Pointer(&dst[0]), unsafe.Pointer(&scale[0]), unsafe.Pointer(&src[0]), 4*ld, k, cols, ByteChunks(k))
}

func byteKernel(a []uint8, lda int, b []int8, chunks int, scale []float64, alpha, beta float64, c []float32, ldc, rows, cols int, scratch []int32) {
	amxByteKernelAsm(unsafe.Pointer(&a[0]), lda, unsafe.Pointer(&b[0]), chunks, unsafe.Pointer(&scale[0]), alpha, beta,
		unsafe.Pointer(&c[0]), 4*ldc, rows, cols, unsafe.Pointer(&scratch[0]))
}
