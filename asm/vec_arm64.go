//go:build !purego

package asm

//go:generate sh -c "cd _gen && env -u GOARCH go build -o /tmp/a64enc ./a64enc && cd .. && A64ENC=/tmp/a64enc python3 -B _gen/vec/neon.py"
//go:generate sh -c "cd _gen && env -u GOARCH go build -o /tmp/a64enc ./a64enc && cd .. && A64ENC=/tmp/a64enc python3 -B _gen/gemv/neon.py > gemv_arm64.s"

var vecNEON = vecKernels{
	axpy:    axpyNEON,
	scale:   scaleNEON,
	scaleTo: scaleToNEON,
	dot:     dotNEON,
	sum:     sumNEON,
	add:     addNEON,
	mul:     mulNEON,
	addBias: addBiasNEON,
	colSums: colSumsNEON,
	gemvN:   gemvNNEON,
	gemvT:   gemvTNEON,
	ger:     gerNEON,
	gemmRows: [5]func(c []float32, ldc, n int, a []float32, lda int, x []float32, sxi, sxp, k int){
		2: gemmRows2NEON, 3: gemmRows3NEON, 4: gemmRows4NEON},
}

// vecFor returns the table of level l (generic for a level this
// architecture does not have).
func vecFor(l Level) *vecKernels {
	if l == NEON {
		return &vecNEON
	}
	return &vecGeneric
}

//go:noescape
func axpyNEON(alpha float32, x, y []float32)

//go:noescape
func scaleNEON(alpha float32, x []float32)

//go:noescape
func scaleToNEON(dst []float32, alpha float32, x []float32)

//go:noescape
func dotNEON(x, y []float32) float32

//go:noescape
func sumNEON(x []float32) float32

//go:noescape
func addNEON(dst, x, y []float32)

//go:noescape
func mulNEON(dst, x, y []float32)

//go:noescape
func addBiasNEON(x, bias []float32)

//go:noescape
func colSumsNEON(dst, x []float32)

//go:noescape
func gemvNNEON(dst, a []float32, lda int, x []float32)

//go:noescape
func gemvTNEON(dst, a []float32, lda int, x []float32)

//go:noescape
func gerNEON(c []float32, ldc int, x, y []float32, alpha, beta float32)

//go:noescape
func gemmRows2NEON(c []float32, ldc, n int, a []float32, lda int, x []float32, sxi, sxp, k int)

//go:noescape
func gemmRows3NEON(c []float32, ldc, n int, a []float32, lda int, x []float32, sxi, sxp, k int)

//go:noescape
func gemmRows4NEON(c []float32, ldc, n int, a []float32, lda int, x []float32, sxi, sxp, k int)
