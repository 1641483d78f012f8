//go:build !purego

package asm

//go:generate sh -c "cd _gen && env -u GOARCH go run ./bnorm/arm64 -out ../bnorm_arm64.s"

// bnormFor returns the table of level l (generic for levels this
// architecture lacks).
func bnormFor(l Level) *bnormKernels {
	if l == NEON {
		return &bnormNEON
	}
	return &bnormGeneric
}

var bnormNEON = bnormKernels{
	colSumsSqDev:  colSumsSqDevNEON,
	colSumsDots:   colSumsDotsNEON,
	normalize:     normalizeNEON,
	normalizeGrad: normalizeGradNEON,
}

//go:noescape
func colSumsSqDevNEON(dst, x, c []float32)

//go:noescape
func colSumsDotsNEON(sums, dots, x, y []float32)

//go:noescape
func normalizeNEON(y, xhat, x, mean, scale, gamma, beta []float32)

//go:noescape
func normalizeGradNEON(dx, dy, xhat, scale, meanDy, meanDyXhat []float32)
