//go:build !purego

package asm

// normFor returns the table of level l (generic for levels this
// architecture lacks).
func normFor(l Level) *normKernels {
	switch l {
	case AVX512, AMX:
		return &normAVX512
	case AVX2:
		return &normAVX2
	}
	return &normGeneric
}

var normAVX512 = normKernels{
	sumSquares:     sumSquaresAVX512,
	colSumSquares:  colSumSquaresAVX512,
	scaleCols:      scaleColsAVX512,
	sqrts:          sqrtsAVX512,
	maxNormFactors: maxNormFactorsAVX512,
	clipByValue:    clipByValueAVX512,
	l1l2Grad:       l1l2GradAVX512,
}

var normAVX2 = normKernels{
	sumSquares:     sumSquaresAVX2,
	colSumSquares:  colSumSquaresAVX2,
	scaleCols:      scaleColsAVX2,
	sqrts:          sqrtsAVX2,
	maxNormFactors: maxNormFactorsAVX2,
	clipByValue:    clipByValueAVX2,
	l1l2Grad:       l1l2GradAVX2,
}

//go:noescape
func sumSquaresAVX512(x []float32) float32

//go:noescape
func colSumSquaresAVX512(acc []float32, x []float32, ld int, rows int)

//go:noescape
func scaleColsAVX512(x []float32, ld int, rows int, f []float32)

//go:noescape
func sqrtsAVX512(x []float32)

//go:noescape
func maxNormFactorsAVX512(s []float32, maxValue float32)

//go:noescape
func clipByValueAVX512(x []float32, lo float32, hi float32)

//go:noescape
func l1l2GradAVX512(g []float32, w []float32, l1 float32, l2x2 float32) (sumAbs float32, sumSq float32)

//go:noescape
func sumSquaresAVX2(x []float32) float32

//go:noescape
func colSumSquaresAVX2(acc []float32, x []float32, ld int, rows int)

//go:noescape
func scaleColsAVX2(x []float32, ld int, rows int, f []float32)

//go:noescape
func sqrtsAVX2(x []float32)

//go:noescape
func maxNormFactorsAVX2(s []float32, maxValue float32)

//go:noescape
func clipByValueAVX2(x []float32, lo float32, hi float32)

//go:noescape
func l1l2GradAVX2(g []float32, w []float32, l1 float32, l2x2 float32) (sumAbs float32, sumSq float32)
