//go:build !purego

package asm

// decodeFor returns the table of level l (generic for levels this
// architecture lacks).
func decodeFor(l Level) *decodeKernels {
	switch l {
	case AVX512, AMX:
		return &decodeAVX512
	case AVX2:
		return &decodeAVX2
	}
	return &decodeGeneric
}

var (
	decodeAVX512 = decodeKernels{over255: over255By(16, over255AVX512), codes: codesBy(16, over255CodesAVX512),
		prefetch: prefetchLines, fast: true}
	decodeAVX2 = decodeKernels{over255: over255By(8, over255AVX2), codes: codesBy(8, over255CodesAVX2),
		prefetch: prefetchLines, fast: true}
)

// over255By returns over255 on an assembly loop that decodes whole
// vectors of vec values (len(src) a multiple of vec), the rest in Go.
func over255By(vec int, loop func(dst []float32, src []uint8)) func(dst []float32, src []uint8) {
	return func(dst []float32, src []uint8) {
		n := len(src) / vec * vec
		if n > 0 {
			loop(dst[:n], src[:n])
		}
		over255Generic(dst[n:], src[n:])
	}
}

// codesBy returns codes on an assembly loop that encodes whole vectors of
// vec values (len(src) a multiple of vec), the rest in Go.
func codesBy(vec int, loop func(dst []uint8, src []float32) bool) func(dst []uint8, src []float32) bool {
	return func(dst []uint8, src []float32) bool {
		n := len(src) / vec * vec
		if n > 0 && !loop(dst[:n], src[:n]) {
			return false
		}
		return over255CodesGeneric(dst[n:], src[n:])
	}
}

//go:noescape
func over255CodesAVX512(dst []uint8, src []float32) bool

//go:noescape
func over255CodesAVX2(dst []uint8, src []float32) bool

//go:noescape
func over255AVX512(dst []float32, src []uint8)

//go:noescape
func over255AVX2(dst []float32, src []uint8)

//go:noescape
func prefetchLines(p []uint8)
