//go:build !purego

package asm

//go:generate sh -c "cd _gen && go run ./act -out ../act_amd64.s"

// Kernels of act_amd64.s (semantics in act.go; lengths checked by the
// caller), first the AVX2+FMA ones.
//
//go:noescape
func expAVX2(dst, x []float32)

//go:noescape
func reluAVX2(dst, x []float32)

//go:noescape
func reluGradAVX2(dx, dy, y []float32)

//go:noescape
func leakyReluAVX2(dst, x []float32, alpha float32)

//go:noescape
func leakyReluGradAVX2(dx, dy, y []float32, alpha float32)

//go:noescape
func eluAVX2(dst, x []float32, alpha float32)

//go:noescape
func eluGradAVX2(dx, dy, y []float32, alpha float32)

//go:noescape
func seluAVX2(dst, x []float32)

//go:noescape
func seluGradAVX2(dx, dy, y []float32)

//go:noescape
func sigmoidAVX2(dst, x []float32)

//go:noescape
func sigmoidGradAVX2(dx, dy, y []float32)

//go:noescape
func tanhAVX2(dst, x []float32)

//go:noescape
func tanhGradAVX2(dx, dy, y []float32)

var actAVX2 = actKernels{
	exp:           expAVX2,
	relu:          reluAVX2,
	reluGrad:      reluGradAVX2,
	leakyRelu:     leakyReluAVX2,
	leakyReluGrad: leakyReluGradAVX2,
	elu:           eluAVX2,
	eluGrad:       eluGradAVX2,
	selu:          seluAVX2,
	seluGrad:      seluGradAVX2,
	sigmoid:       sigmoidAVX2,
	sigmoidGrad:   sigmoidGradAVX2,
	tanh:          tanhAVX2,
	tanhGrad:      tanhGradAVX2,
}

// The AVX-512 kernels.
//
//go:noescape
func expAVX512(dst, x []float32)

//go:noescape
func reluAVX512(dst, x []float32)

//go:noescape
func reluGradAVX512(dx, dy, y []float32)

//go:noescape
func leakyReluAVX512(dst, x []float32, alpha float32)

//go:noescape
func leakyReluGradAVX512(dx, dy, y []float32, alpha float32)

//go:noescape
func eluAVX512(dst, x []float32, alpha float32)

//go:noescape
func eluGradAVX512(dx, dy, y []float32, alpha float32)

//go:noescape
func seluAVX512(dst, x []float32)

//go:noescape
func seluGradAVX512(dx, dy, y []float32)

//go:noescape
func sigmoidAVX512(dst, x []float32)

//go:noescape
func sigmoidGradAVX512(dx, dy, y []float32)

//go:noescape
func tanhAVX512(dst, x []float32)

//go:noescape
func tanhGradAVX512(dx, dy, y []float32)

var actAVX512 = actKernels{
	exp:           expAVX512,
	relu:          reluAVX512,
	reluGrad:      reluGradAVX512,
	leakyRelu:     leakyReluAVX512,
	leakyReluGrad: leakyReluGradAVX512,
	elu:           eluAVX512,
	eluGrad:       eluGradAVX512,
	selu:          seluAVX512,
	seluGrad:      seluGradAVX512,
	sigmoid:       sigmoidAVX512,
	sigmoidGrad:   sigmoidGradAVX512,
	tanh:          tanhAVX512,
	tanhGrad:      tanhGradAVX512,
}

// actFor returns the table of level l (generic for a level this
// architecture does not have).
func actFor(l Level) *actKernels {
	switch l {
	case AVX2:
		return &actAVX2
	case AVX512, AMX:
		return &actAVX512
	}
	return &actGeneric
}
