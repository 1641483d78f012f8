package asm

import "math"

// optim: fused optimizer updates in Keras's forms (keras/src/optimizers/*.py),
// one pass over the weights, gradients and slot variables.
//
// Accuracy of the assembly levels against the generic reference: the SIMD
// levels fuse multiply-adds and use the hardware's correctly rounded sqrt
// and division, so each updated value is within a few ulps of the generic
// one, measured against the magnitude of the terms that were added (tests
// use 2^-20 of that scale); NaN and ±Inf propagate as in the Go loop.
//
// Every update takes an L2 factor l2: with l2 != 0 the gradient it uses is
// g[i] + 2*l2*w[i], the gradient of the loss plus that of Keras's penalty
// l2*sum(w²), formed in the pass (so that the caller need not add the
// penalty's gradient to g in a pass of its own; g itself is not written).
// With l2 == 0 the term is absent, not multiplied by 0, so an infinite
// weight stays infinite.

type optimKernels struct {
	// sgdMomentum and sgdNesterov are SGD with momentum != 0; SGD without
	// momentum is vec's axpy with -lr.
	sgdMomentum func(w, g, m []float32, lr, momentum, l2x2 float32)
	sgdNesterov func(w, g, m []float32, lr, momentum, l2x2 float32)
	// adam and nadam receive c1 = 1-beta1 and c2 = 1-beta2, computed once
	// per call by the exported function. Every kernel receives l2x2 =
	// 2*l2 and uses the gradient l2Grad(g[i], w[i], l2x2).
	adam    func(w, g, m, v []float32, alphaT, beta1, c1, beta2, c2, eps, l2x2 float32)
	nadam   func(w, g, m, v []float32, lr, beta1, c1, beta2, c2, eps, cm, cg, cv, l2x2 float32)
	rmsprop func(w, g, v []float32, lr, rho, c, eps, l2x2 float32)
}

var optim = optimFor(active)

// SGD applies one step of Keras's SGD, with the L2 term of the gradient
// (see the top of this file; gi is g[i], or g[i] + 2*l2*w[i]). With
// momentum == 0 it computes
//
//	for i := range w {
//		w[i] -= lr * g[i]
//	}
//
// and m is not used (it may be nil); with an L2 term it first scales w by
// 1 - lr*(2*l2) (in float32) and then subtracts lr*g, the same update up to
// rounding. Otherwise m is the velocity, which carries the learning rate
// (Keras's form, not PyTorch's):
//
//	for i := range w {
//		m[i] = momentum*m[i] - lr*gi
//		if nesterov {
//			w[i] += momentum*m[i] - lr*gi
//		} else {
//			w[i] += m[i]
//		}
//	}
//
// It panics unless len(g) == len(w) and, with momentum != 0, len(m) == len(w).
func SGD(w, g, m []float32, lr, momentum, l2 float32, nesterov bool) {
	if len(g) != len(w) {
		panic(vecErrLength)
	}
	if momentum == 0 {
		if l2 != 0 {
			vec.scale(1-lr*(2*l2), w)
		}
		vec.axpy(-lr, g, w)
		return
	}
	if len(m) != len(w) {
		panic(vecErrLength)
	}
	if nesterov {
		optim.sgdNesterov(w, g, m, lr, momentum, 2*l2)
	} else {
		optim.sgdMomentum(w, g, m, lr, momentum, 2*l2)
	}
}

// Adam applies one step of Keras's Adam (epsilon-hat form), with the bias
// corrections folded into alphaT = lr*sqrt(1-beta2^t)/(1-beta1^t) by the
// caller, and the L2 term of the gradient (gi is g[i], or g[i] + 2*l2*w[i]):
//
//	for i := range w {
//		m[i] = beta1*m[i] + (1-beta1)*gi
//		v[i] = beta2*v[i] + (1-beta2)*gi*gi
//		w[i] -= alphaT * m[i] / (sqrt(v[i]) + eps)
//	}
//
// It panics unless w, g, m and v have the same length.
func Adam(w, g, m, v []float32, alphaT, beta1, beta2, eps, l2 float32) {
	if len(g) != len(w) || len(m) != len(w) || len(v) != len(w) {
		panic(vecErrLength)
	}
	optim.adam(w, g, m, v, alphaT, beta1, 1-beta1, beta2, 1-beta2, eps, 2*l2)
}

// Nadam applies one step of Keras's Nadam with the step's coefficients
// computed by the caller (cm = u_{t+1}/(1-u_prod_{t+1}),
// cg = (1-u_t)/(1-u_prod_t), cv = 1/(1-beta2^t)), and the L2 term of the
// gradient (gi is g[i], or g[i] + 2*l2*w[i]):
//
//	for i := range w {
//		m[i] = beta1*m[i] + (1-beta1)*gi
//		v[i] = beta2*v[i] + (1-beta2)*gi*gi
//		w[i] -= lr * (cm*m[i] + cg*gi) / (sqrt(cv*v[i]) + eps)
//	}
//
// It panics unless w, g, m and v have the same length.
func Nadam(w, g, m, v []float32, lr, beta1, beta2, eps, cm, cg, cv, l2 float32) {
	if len(g) != len(w) || len(m) != len(w) || len(v) != len(w) {
		panic(vecErrLength)
	}
	optim.nadam(w, g, m, v, lr, beta1, 1-beta1, beta2, 1-beta2, eps, cm, cg, cv, 2*l2)
}

// RMSprop applies one step of Keras 3's RMSprop without momentum, epsilon
// inside the square root, with the L2 term of the gradient (gi is g[i], or
// g[i] + 2*l2*w[i]):
//
//	for i := range w {
//		v[i] = rho*v[i] + (1-rho)*gi*gi
//		w[i] -= lr * gi / sqrt(v[i]+eps)
//	}
//
// It panics unless w, g and v have the same length.
func RMSprop(w, g, v []float32, lr, rho, eps, l2 float32) {
	if len(g) != len(w) || len(v) != len(w) {
		panic(vecErrLength)
	}
	optim.rmsprop(w, g, v, lr, rho, 1-rho, eps, 2*l2)
}

var optimGeneric = optimKernels{
	sgdMomentum: sgdMomentumGeneric,
	sgdNesterov: sgdNesterovGeneric,
	adam:        adamGeneric,
	nadam:       nadamGeneric,
	rmsprop:     rmspropGeneric,
}

func optimSqrt(x float32) float32 { return float32(math.Sqrt(float64(x))) }

// l2Grad is the gradient an update uses: g, plus l2x2*w when l2x2 != 0,
// formed as the SIMD levels' fused multiply-add does: the product exact
// (in float64), the sum rounded to float32 (through float64, so a result
// exactly halfway between two float32s may round the other way), so that a
// product beyond float32's range does not overflow by itself.
func l2Grad(g, w, l2x2 float32) float32 {
	if l2x2 == 0 {
		return g
	}
	return float32(float64(g) + float64(l2x2)*float64(w))
}

func sgdMomentumGeneric(w, g, m []float32, lr, momentum, l2x2 float32) {
	g, m = g[:len(w)], m[:len(w)]
	for i := range w {
		mi := momentum*m[i] - lr*l2Grad(g[i], w[i], l2x2)
		m[i] = mi
		w[i] += mi
	}
}

func sgdNesterovGeneric(w, g, m []float32, lr, momentum, l2x2 float32) {
	g, m = g[:len(w)], m[:len(w)]
	for i := range w {
		lg := lr * l2Grad(g[i], w[i], l2x2)
		mi := momentum*m[i] - lg
		m[i] = mi
		w[i] += momentum*mi - lg
	}
}

func adamGeneric(w, g, m, v []float32, alphaT, beta1, c1, beta2, c2, eps, l2x2 float32) {
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	for i := range w {
		gi := l2Grad(g[i], w[i], l2x2)
		mi := beta1*m[i] + c1*gi
		vi := beta2*v[i] + c2*gi*gi
		m[i], v[i] = mi, vi
		w[i] -= alphaT * mi / (optimSqrt(vi) + eps)
	}
}

func nadamGeneric(w, g, m, v []float32, lr, beta1, c1, beta2, c2, eps, cm, cg, cv, l2x2 float32) {
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	for i := range w {
		gi := l2Grad(g[i], w[i], l2x2)
		mi := beta1*m[i] + c1*gi
		vi := beta2*v[i] + c2*gi*gi
		m[i], v[i] = mi, vi
		w[i] -= lr * (cm*mi + cg*gi) / (optimSqrt(cv*vi) + eps)
	}
}

func rmspropGeneric(w, g, v []float32, lr, rho, c, eps, l2x2 float32) {
	g, v = g[:len(w)], v[:len(w)]
	for i := range w {
		gi := l2Grad(g[i], w[i], l2x2)
		vi := rho*v[i] + c*gi*gi
		v[i] = vi
		w[i] -= lr * gi / optimSqrt(vi+eps)
	}
}
