//go:build !purego

package asm

//go:generate sh -c "cd _gen && env -u GOARCH go run ./softmax/arm64 -out ../softmax_arm64.s"

// softmaxRowsNEON is the kernel of softmax_arm64.s (semantics in
// softmax.go; arguments checked by the caller).
//
//go:noescape
func softmaxRowsNEON(dst, x []float32, cols int, scale float32, stats []float32)

var softmaxNEON = softmaxKernels{rows: softmaxRowsNEON}

// softmaxFor returns the table of level l (generic for a level this
// architecture does not have).
func softmaxFor(l Level) *softmaxKernels {
	if l == NEON {
		return &softmaxNEON
	}
	return &softmaxGeneric
}
