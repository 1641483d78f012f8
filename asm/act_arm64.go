//go:build !purego

package asm

//go:generate sh -c "cd _gen && env -u GOARCH go run ./act/arm64 -out ../act_arm64.s"

// Kernels of act_arm64.s (semantics in act.go; lengths checked by the caller).
//
//go:noescape
func expNEON(dst, x []float32)

//go:noescape
func reluNEON(dst, x []float32)

//go:noescape
func reluGradNEON(dx, dy, y []float32)

//go:noescape
func leakyReluNEON(dst, x []float32, alpha float32)

//go:noescape
func leakyReluGradNEON(dx, dy, y []float32, alpha float32)

//go:noescape
func eluNEON(dst, x []float32, alpha float32)

//go:noescape
func eluGradNEON(dx, dy, y []float32, alpha float32)

//go:noescape
func seluNEON(dst, x []float32)

//go:noescape
func seluGradNEON(dx, dy, y []float32)

//go:noescape
func sigmoidNEON(dst, x []float32)

//go:noescape
func sigmoidGradNEON(dx, dy, y []float32)

//go:noescape
func tanhNEON(dst, x []float32)

//go:noescape
func tanhGradNEON(dx, dy, y []float32)

var actNEON = actKernels{
	exp:           expNEON,
	relu:          reluNEON,
	reluGrad:      reluGradNEON,
	leakyRelu:     leakyReluNEON,
	leakyReluGrad: leakyReluGradNEON,
	elu:           eluNEON,
	eluGrad:       eluGradNEON,
	selu:          seluNEON,
	seluGrad:      seluGradNEON,
	sigmoid:       sigmoidNEON,
	sigmoidGrad:   sigmoidGradNEON,
	tanh:          tanhNEON,
	tanhGrad:      tanhGradNEON,
}

// actFor returns the table of level l (generic for a level this
// architecture does not have).
func actFor(l Level) *actKernels {
	if l == NEON {
		return &actNEON
	}
	return &actGeneric
}
