//go:build !purego

package asm

// bnormFor returns the table of level l (generic for levels this
// architecture lacks).
func bnormFor(l Level) *bnormKernels {
	switch l {
	case AVX512, AMX:
		return &bnormAVX512
	case AVX2:
		return &bnormAVX2
	}
	return &bnormGeneric
}

var bnormAVX512 = bnormKernels{
	colSumsSqDev:  colSumsSqDevAVX512,
	colSumsDots:   colSumsDotsAVX512,
	normalize:     normalizeAVX512,
	normalizeGrad: normalizeGradAVX512,
}

var bnormAVX2 = bnormKernels{
	colSumsSqDev:  colSumsSqDevAVX2,
	colSumsDots:   colSumsDotsAVX2,
	normalize:     normalizeAVX2,
	normalizeGrad: normalizeGradAVX2,
}

//go:noescape
func colSumsSqDevAVX512(dst, x, c []float32)

//go:noescape
func colSumsDotsAVX512(sums, dots, x, y []float32)

//go:noescape
func normalizeAVX512(y, xhat, x, mean, scale, gamma, beta []float32)

//go:noescape
func normalizeGradAVX512(dx, dy, xhat, scale, meanDy, meanDyXhat []float32)

//go:noescape
func colSumsSqDevAVX2(dst, x, c []float32)

//go:noescape
func colSumsDotsAVX2(sums, dots, x, y []float32)

//go:noescape
func normalizeAVX2(y, xhat, x, mean, scale, gamma, beta []float32)

//go:noescape
func normalizeGradAVX2(dx, dy, xhat, scale, meanDy, meanDyXhat []float32)
