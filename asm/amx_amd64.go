//go:build !purego

package asm

import "unsafe"

//go:noescape
func amxPackAsm(dst unsafe.Pointer, seg int, src unsafe.Pointer, ld, ntiles, srcStep, dstStep int, alpha float32, kMajor, transpose bool) (bad bool)

//go:noescape
func amxKernelAsm(a, b unsafe.Pointer, seg, np, aStride int, c unsafe.Pointer, ldc, rows, cols int, alpha, beta float32, mode int, scratch unsafe.Pointer)

// amxPack and amxKernel take their arguments in values; the asm in bytes.
func amxPack(dst []uint16, seg int, src []float32, ld, ntiles, srcStep, dstStep int, alpha float32, kMajor, transpose bool) bool {
	return !amxPackAsm(unsafe.Pointer(&dst[0]), 2*seg, unsafe.Pointer(&src[0]), 4*ld, ntiles, 4*srcStep, 2*dstStep, alpha, kMajor, transpose)
}

func amxKernel(a, b []uint16, seg, np, aStride int, c []float32, ldc, rows, cols int, alpha, beta float32, mode int, scratch []float32) {
	amxKernelAsm(unsafe.Pointer(&a[0]), unsafe.Pointer(&b[0]), 2*seg, np, 2*aStride, unsafe.Pointer(&c[0]), 4*ldc, rows, cols, alpha, beta, mode, unsafe.Pointer(&scratch[0]))
}
