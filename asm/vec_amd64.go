//go:build !purego

package asm

var vecAVX2 = vecKernels{
	axpy:    axpyAVX2,
	scale:   scaleAVX2,
	scaleTo: scaleToAVX2,
	dot:     dotAVX2,
	sum:     sumAVX2,
	add:     addAVX2,
	mul:     mulAVX2,
	addBias: addBiasAVX2,
	colSums: colSumsAVX2,
	gemvN:   gemvNAVX2,
	gemvT:   gemvTAVX2,
	ger:     gerAVX2,
	gemmRows: [5]func(c []float32, ldc, n int, a []float32, lda int, x []float32, sxi, sxp, k int){
		2: gemmRows2AVX2, 3: gemmRows3AVX2, 4: gemmRows4AVX2},
	gemvNRows: [5]func(c []float32, ldc, n int, a []float32, lda int, x []float32, ldx, k int){
		2: gemvNRows2AVX2, 3: gemvNRows3AVX2, 4: gemvNRows4AVX2},
}

var vecAVX512 = vecKernels{
	axpy:    axpyAVX512,
	scale:   scaleAVX512,
	scaleTo: scaleToAVX512,
	dot:     dotAVX512,
	sum:     sumAVX512,
	add:     addAVX512,
	mul:     mulAVX512,
	addBias: addBiasAVX512,
	colSums: colSumsAVX512,
	gemvN:   gemvNAVX512,
	gemvT:   gemvTAVX512,
	ger:     gerAVX512,
	gemmRows: [5]func(c []float32, ldc, n int, a []float32, lda int, x []float32, sxi, sxp, k int){
		2: gemmRows2AVX512, 3: gemmRows3AVX512, 4: gemmRows4AVX512},
	gemvNRows: [5]func(c []float32, ldc, n int, a []float32, lda int, x []float32, ldx, k int){
		2: gemvNRows2AVX512, 3: gemvNRows3AVX512, 4: gemvNRows4AVX512},
}

// vecFor returns the table of level l (generic for a level this
// architecture does not have).
func vecFor(l Level) *vecKernels {
	switch l {
	case AVX2:
		return &vecAVX2
	case AVX512, AMX:
		return &vecAVX512
	}
	return &vecGeneric
}

//go:noescape
func axpyAVX2(alpha float32, x, y []float32)

//go:noescape
func axpyAVX512(alpha float32, x, y []float32)

//go:noescape
func scaleAVX2(alpha float32, x []float32)

//go:noescape
func scaleAVX512(alpha float32, x []float32)

//go:noescape
func scaleToAVX2(dst []float32, alpha float32, x []float32)

//go:noescape
func scaleToAVX512(dst []float32, alpha float32, x []float32)

//go:noescape
func dotAVX2(x, y []float32) float32

//go:noescape
func dotAVX512(x, y []float32) float32

//go:noescape
func sumAVX2(x []float32) float32

//go:noescape
func sumAVX512(x []float32) float32

//go:noescape
func addAVX2(dst, x, y []float32)

//go:noescape
func addAVX512(dst, x, y []float32)

//go:noescape
func mulAVX2(dst, x, y []float32)

//go:noescape
func mulAVX512(dst, x, y []float32)

//go:noescape
func addBiasAVX2(x, bias []float32)

//go:noescape
func addBiasAVX512(x, bias []float32)

//go:noescape
func colSumsAVX2(dst, x []float32)

//go:noescape
func colSumsAVX512(dst, x []float32)

//go:noescape
func gemvNAVX2(dst, a []float32, lda int, x []float32)

//go:noescape
func gemvNAVX512(dst, a []float32, lda int, x []float32)

//go:noescape
func gemvTAVX2(dst, a []float32, lda int, x []float32)

//go:noescape
func gemvTAVX512(dst, a []float32, lda int, x []float32)

//go:noescape
func gerAVX2(c []float32, ldc int, x, y []float32, alpha, beta float32)

//go:noescape
func gerAVX512(c []float32, ldc int, x, y []float32, alpha, beta float32)

//go:noescape
func gemmRows2AVX2(c []float32, ldc, n int, a []float32, lda int, x []float32, sxi, sxp, k int)

//go:noescape
func gemmRows3AVX2(c []float32, ldc, n int, a []float32, lda int, x []float32, sxi, sxp, k int)

//go:noescape
func gemmRows4AVX2(c []float32, ldc, n int, a []float32, lda int, x []float32, sxi, sxp, k int)

//go:noescape
func gemmRows2AVX512(c []float32, ldc, n int, a []float32, lda int, x []float32, sxi, sxp, k int)

//go:noescape
func gemmRows3AVX512(c []float32, ldc, n int, a []float32, lda int, x []float32, sxi, sxp, k int)

//go:noescape
func gemmRows4AVX512(c []float32, ldc, n int, a []float32, lda int, x []float32, sxi, sxp, k int)

//go:noescape
func gemvNRows2AVX2(c []float32, ldc, n int, a []float32, lda int, x []float32, ldx, k int)

//go:noescape
func gemvNRows3AVX2(c []float32, ldc, n int, a []float32, lda int, x []float32, ldx, k int)

//go:noescape
func gemvNRows4AVX2(c []float32, ldc, n int, a []float32, lda int, x []float32, ldx, k int)

//go:noescape
func gemvNRows2AVX512(c []float32, ldc, n int, a []float32, lda int, x []float32, ldx, k int)

//go:noescape
func gemvNRows3AVX512(c []float32, ldc, n int, a []float32, lda int, x []float32, ldx, k int)

//go:noescape
func gemvNRows4AVX512(c []float32, ldc, n int, a []float32, lda int, x []float32, ldx, k int)
