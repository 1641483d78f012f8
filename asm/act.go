package asm

import "math"

// Activation family: a vectorized exp and the elementwise activations with
// their gradients. Forward kernels take (dst, x); backward kernels take the
// upstream gradient dy and the forward OUTPUT y (not the input), which is all
// each of these derivatives needs, and write dx. dst (dx) may be the same
// slice as x (dy) for in-place use, but must not otherwise overlap it.
//
// Accuracy of the assembly levels against the generic reference, which
// rounds the float64 result of the math package once (so it is within
// 0.5 ulp of the exact value but for rare double-rounding ties). Every level
// uses the same algorithm: x = k*ln2 + r with ln2 split in two (Cody-Waite),
// |r| <= ln2/2, e**r - 1 = r + r*r*P(r) with P the degree-5 minimax
// polynomial of Cephes expf, and 2**k built in the exponent bits and applied
// in two halves (AVX-512: VSCALEFPS), so that results near the overflow
// threshold and subnormal results are rounded once. The bounds below are
// the largest errors TestActULP finds over a sweep of float32 bit patterns
// (every 7th on amd64, every 97th on arm64 under qemu), and what the
// tests enforce:
//   - Exp: 1 ulp over the whole float32 range, subnormal results included;
//     overflow gives +Inf, underflow 0, Exp(±0) = 1, Exp(+Inf) = +Inf,
//     Exp(-Inf) = 0, Exp(NaN) = NaN, as math.Exp.
//   - expm1 (the negative branch of Elu and Selu, and Tanh) is computed as
//     2**k*(e**r-1) + (2**k-1), without cancellation near 0: 1 ulp, a
//     relative bound, so for |x| <= 1 the absolute error of Elu is below
//     2**-23*alpha*|x| (1.2e-7*alpha*|x|); Elu and Selu then round a
//     product: at most 2 ulp.
//   - Sigmoid and Tanh: 2 ulp, subnormal outputs of Sigmoid included.
//   - Relu, ReluGrad, LeakyRelu, LeakyReluGrad, EluGrad, SeluGrad and
//     SigmoidGrad compute the same float32 operations in the same order as
//     their loops and match the reference bit for bit; TanhGrad evaluates
//     1-y*y with one rounding (a fused multiply-add) and is within 1 ulp.

// SELU constants of Keras (keras/src/activations/activations.py).
const (
	seluAlpha = 1.6732632423543772848170429916717
	seluScale = 1.0507009873554804934193349852946
)

// Exp computes dst[i] = e**x[i] for all i, correctly rounded in the generic
// reference and within the stated ulp bound on the other levels; special
// cases as math.Exp. It panics with "asm: length mismatch" if
// len(dst) != len(x).
func Exp(dst, x []float32) {
	actCheck2(len(dst), len(x))
	act.exp(dst, x)
}

// Relu computes, for all i,
//
//	dst[i] = x[i] if x[i] > 0 or x[i] is NaN, else +0
func Relu(dst, x []float32) {
	actCheck2(len(dst), len(x))
	act.relu(dst, x)
}

// ReluGrad computes, for all i,
//
//	if y[i] > 0 { dx[i] = dy[i] } else { dx[i] = 0 }
//
// where y is the output of Relu.
func ReluGrad(dx, dy, y []float32) {
	actCheck3(len(dx), len(dy), len(y))
	act.reluGrad(dx, dy, y)
}

// LeakyRelu computes, for all i,
//
//	if x[i] > 0 { dst[i] = x[i] } else { dst[i] = alpha * x[i] }
func LeakyRelu(dst, x []float32, alpha float32) {
	actCheck2(len(dst), len(x))
	act.leakyRelu(dst, x, alpha)
}

// LeakyReluGrad computes, for all i,
//
//	if y[i] > 0 { dx[i] = dy[i] } else { dx[i] = alpha * dy[i] }
//
// where y is the output of LeakyRelu with the same alpha > 0.
func LeakyReluGrad(dx, dy, y []float32, alpha float32) {
	actCheck3(len(dx), len(dy), len(y))
	act.leakyReluGrad(dx, dy, y, alpha)
}

// Elu computes, for all i,
//
//	if x[i] > 0 { dst[i] = x[i] } else { dst[i] = alpha * expm1(x[i]) }
//
// (Keras elu; expm1(x) = e**x - 1 computed without cancellation near 0).
func Elu(dst, x []float32, alpha float32) {
	actCheck2(len(dst), len(x))
	act.elu(dst, x, alpha)
}

// EluGrad computes, for all i,
//
//	if y[i] > 0 { dx[i] = dy[i] } else { dx[i] = dy[i] * (y[i] + alpha) }
//
// where y is the output of Elu with the same alpha (alpha*e**x = y+alpha).
func EluGrad(dx, dy, y []float32, alpha float32) {
	actCheck3(len(dx), len(dy), len(y))
	act.eluGrad(dx, dy, y, alpha)
}

// Selu computes, for all i, with Keras's constants
// scale = 1.0507009873554804934193349852946 and
// alpha = 1.6732632423543772848170429916717,
//
//	if x[i] > 0 { dst[i] = scale * x[i] } else { dst[i] = scale * alpha * expm1(x[i]) }
//
// with scale and scale*alpha rounded to float32.
func Selu(dst, x []float32) {
	actCheck2(len(dst), len(x))
	act.selu(dst, x)
}

// SeluGrad computes, for all i, with the float32 constants of Selu,
//
//	if y[i] > 0 { dx[i] = scale * dy[i] } else { dx[i] = dy[i] * (y[i] + scale*alpha) }
//
// where y is the output of Selu.
func SeluGrad(dx, dy, y []float32) {
	actCheck3(len(dx), len(dy), len(y))
	act.seluGrad(dx, dy, y)
}

// Sigmoid computes dst[i] = 1 / (1 + e**-x[i]) for all i, without overflow
// for any x (e**-|x| is used on both sides) and with subnormal results for
// x below about -87.3.
func Sigmoid(dst, x []float32) {
	actCheck2(len(dst), len(x))
	act.sigmoid(dst, x)
}

// SigmoidGrad computes dx[i] = dy[i] * y[i] * (1 - y[i]) for all i (left to
// right), where y is the output of Sigmoid.
func SigmoidGrad(dx, dy, y []float32) {
	actCheck3(len(dx), len(dy), len(y))
	act.sigmoidGrad(dx, dy, y)
}

// Tanh computes dst[i] = tanh(x[i]) for all i; tanh(±0) = ±0,
// tanh(±Inf) = ±1, tanh(NaN) = NaN.
func Tanh(dst, x []float32) {
	actCheck2(len(dst), len(x))
	act.tanh(dst, x)
}

// TanhGrad computes dx[i] = dy[i] * (1 - y[i]*y[i]) for all i, where y is
// the output of Tanh (1 - y*y is rounded once).
func TanhGrad(dx, dy, y []float32) {
	actCheck3(len(dx), len(dy), len(y))
	act.tanhGrad(dx, dy, y)
}

func actCheck2(a, b int) {
	if a != b {
		panic("asm: length mismatch")
	}
}

func actCheck3(a, b, c int) {
	if a != b || a != c {
		panic("asm: length mismatch")
	}
}

// actKernels is one level's table of the activation family. Lengths are
// checked by the exported functions.
type actKernels struct {
	exp           func(dst, x []float32)
	relu          func(dst, x []float32)
	reluGrad      func(dx, dy, y []float32)
	leakyRelu     func(dst, x []float32, alpha float32)
	leakyReluGrad func(dx, dy, y []float32, alpha float32)
	elu           func(dst, x []float32, alpha float32)
	eluGrad       func(dx, dy, y []float32, alpha float32)
	selu          func(dst, x []float32)
	seluGrad      func(dx, dy, y []float32)
	sigmoid       func(dst, x []float32)
	sigmoidGrad   func(dx, dy, y []float32)
	tanh          func(dst, x []float32)
	tanhGrad      func(dx, dy, y []float32)
}

var act = actFor(active)

// actGeneric is the pure-Go reference: each transcendental is evaluated in
// float64 by the math package and rounded once to float32.
var actGeneric = actKernels{
	exp:           expGeneric,
	relu:          reluGeneric,
	reluGrad:      reluGradGeneric,
	leakyRelu:     leakyReluGeneric,
	leakyReluGrad: leakyReluGradGeneric,
	elu:           eluGeneric,
	eluGrad:       eluGradGeneric,
	selu:          seluGeneric,
	seluGrad:      seluGradGeneric,
	sigmoid:       sigmoidGeneric,
	sigmoidGrad:   sigmoidGradGeneric,
	tanh:          tanhGeneric,
	tanhGrad:      tanhGradGeneric,
}

// The float32 SELU constants every level uses.
var (
	seluScale32      = float32(seluScale)
	seluScaleAlpha32 = float32(seluScale * seluAlpha)
)

func exp32(x float32) float32 { return float32(math.Exp(float64(x))) }

func expGeneric(dst, x []float32) {
	for i, v := range x {
		dst[i] = exp32(v)
	}
}

func reluGeneric(dst, x []float32) {
	for i, v := range x {
		if v > 0 || v != v {
			dst[i] = v
		} else {
			dst[i] = 0
		}
	}
}

func reluGradGeneric(dx, dy, y []float32) {
	for i, v := range y {
		if v > 0 {
			dx[i] = dy[i]
		} else {
			dx[i] = 0
		}
	}
}

func leakyReluGeneric(dst, x []float32, alpha float32) {
	for i, v := range x {
		if v > 0 {
			dst[i] = v
		} else {
			dst[i] = alpha * v
		}
	}
}

func leakyReluGradGeneric(dx, dy, y []float32, alpha float32) {
	for i, v := range y {
		if v > 0 {
			dx[i] = dy[i]
		} else {
			dx[i] = alpha * dy[i]
		}
	}
}

func eluGeneric(dst, x []float32, alpha float32) {
	for i, v := range x {
		if v > 0 {
			dst[i] = v
		} else {
			dst[i] = float32(float64(alpha) * math.Expm1(float64(v)))
		}
	}
}

func eluGradGeneric(dx, dy, y []float32, alpha float32) {
	for i, v := range y {
		if v > 0 {
			dx[i] = dy[i]
		} else {
			dx[i] = dy[i] * (v + alpha)
		}
	}
}

func seluGeneric(dst, x []float32) {
	for i, v := range x {
		if v > 0 {
			dst[i] = seluScale32 * v
		} else {
			dst[i] = float32(float64(seluScaleAlpha32) * math.Expm1(float64(v)))
		}
	}
}

func seluGradGeneric(dx, dy, y []float32) {
	for i, v := range y {
		if v > 0 {
			dx[i] = seluScale32 * dy[i]
		} else {
			dx[i] = dy[i] * (v + seluScaleAlpha32)
		}
	}
}

func sigmoidGeneric(dst, x []float32) {
	for i, v := range x {
		dst[i] = float32(1 / (1 + math.Exp(-float64(v))))
	}
}

func sigmoidGradGeneric(dx, dy, y []float32) {
	for i, v := range y {
		dx[i] = dy[i] * v * (1 - v)
	}
}

func tanhGeneric(dst, x []float32) {
	for i, v := range x {
		dst[i] = float32(math.Tanh(float64(v)))
	}
}

func tanhGradGeneric(dx, dy, y []float32) {
	for i, v := range y {
		// 1 - v*v with one rounding: v*v is exact in float64.
		dx[i] = dy[i] * float32(1-float64(v)*float64(v))
	}
}
