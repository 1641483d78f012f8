//go:build !purego

package asm

// dropoutFor returns the table of level l (generic for levels this
// architecture lacks).
func dropoutFor(l Level) *dropoutKernels {
	switch l {
	case AVX512, AMX:
		return &dropoutAVX512
	case AVX2:
		return &dropoutAVX2
	}
	return &dropoutGeneric
}

var dropoutAVX512 = dropoutKernels{forward: dropoutForwardAVX512, backward: dropoutBackwardAVX512, bytes: dropoutBytesAVX512}

// The byte form serves the byte products (asm/amxbytes.go), which need
// AVX-512 machines: avx2 keeps the Go loop.
var dropoutAVX2 = dropoutKernels{forward: dropoutForwardAVX2, backward: dropoutBackwardAVX2, bytes: dropoutBytesGeneric}

//go:noescape
func dropoutForwardAVX512(dst []float32, x []float32, mask []uint64, k0 uint32, k1 uint32, lo0 uint32, thr uint32, a float32, b float32, c float32, flags uint32)

//go:noescape
func dropoutBackwardAVX512(dx []float32, dy []float32, mask []uint64, scale float32, nt uint32)

//go:noescape
func dropoutBytesAVX512(dst []uint8, src []uint8, k0 uint32, k1 uint32, lo0 uint32, thr uint32)

//go:noescape
func dropoutForwardAVX2(dst []float32, x []float32, mask []uint64, k0 uint32, k1 uint32, lo0 uint32, thr uint32, a float32, b float32, c float32, flags uint32)

//go:noescape
func dropoutBackwardAVX2(dx []float32, dy []float32, mask []uint64, scale float32, nt uint32)
