//go:build !purego

package asm

//go:generate sh -c "cd _gen && go run ./softmax -out ../softmax_amd64.s"

// Kernels of softmax_amd64.s (semantics in softmax.go; arguments checked
// by the caller).
//
//go:noescape
func softmaxRowsAVX2(dst, x []float32, cols int, scale float32, stats []float32)

//go:noescape
func softmaxRowsAVX512(dst, x []float32, cols int, scale float32, stats []float32)

var (
	softmaxAVX2   = softmaxKernels{rows: softmaxRowsAVX2}
	softmaxAVX512 = softmaxKernels{rows: softmaxRowsAVX512}
)

// softmaxFor returns the table of level l (generic for a level this
// architecture does not have).
func softmaxFor(l Level) *softmaxKernels {
	switch l {
	case AVX2:
		return &softmaxAVX2
	case AVX512, AMX:
		return &softmaxAVX512
	}
	return &softmaxGeneric
}
