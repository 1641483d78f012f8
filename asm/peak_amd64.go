//go:build !purego

package asm

// The FMA peak loops are generated into gemm_amd64.s by asm/_gen/gemm.

//go:noescape
func fmaLoopAVX512(n int)

//go:noescape
func fmaLoopAVX2(n int)

func fmaLoopFor(l Level) (loop func(n int), flopsPerIter int) {
	switch l {
	case AVX512, AMX:
		return fmaLoopAVX512, 384
	case AVX2:
		return fmaLoopAVX2, 192
	}
	return nil, 0
}
