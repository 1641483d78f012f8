//go:build !purego

package asm

//go:generate sh -c "cd _gen && env -u GOARCH go build -o /tmp/a64enc ./a64enc && cd .. && A64ENC=/tmp/a64enc python3 -B _gen/norm/neon.py"

// normFor returns the table of level l (generic for levels this
// architecture lacks).
func normFor(l Level) *normKernels {
	if l == NEON {
		return &normNEON
	}
	return &normGeneric
}

var normNEON = normKernels{
	sumSquares:     sumSquaresNEON,
	colSumSquares:  colSumSquaresNEON,
	scaleCols:      scaleColsNEON,
	sqrts:          sqrtsNEON,
	maxNormFactors: maxNormFactorsNEON,
	clipByValue:    clipByValueNEON,
	l1l2Grad:       l1l2GradNEON,
}

//go:noescape
func sumSquaresNEON(x []float32) float32

//go:noescape
func colSumSquaresNEON(acc []float32, x []float32, ld int, rows int)

//go:noescape
func scaleColsNEON(x []float32, ld int, rows int, f []float32)

//go:noescape
func sqrtsNEON(x []float32)

//go:noescape
func maxNormFactorsNEON(s []float32, maxValue float32)

//go:noescape
func clipByValueNEON(x []float32, lo float32, hi float32)

//go:noescape
func l1l2GradNEON(g []float32, w []float32, l1 float32, l2x2 float32) (sumAbs float32, sumSq float32)
