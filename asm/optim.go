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

type optimKernels struct {
	// sgdMomentum and sgdNesterov are SGD with momentum != 0; SGD without
	// momentum is vec's axpy with -lr.
	sgdMomentum func(w, g, m []float32, lr, momentum float32)
	sgdNesterov func(w, g, m []float32, lr, momentum float32)
	// adam and nadam receive c1 = 1-beta1 and c2 = 1-beta2, computed once
	// per call by the exported function.
	adam    func(w, g, m, v []float32, alphaT, beta1, c1, beta2, c2, eps float32)
	nadam   func(w, g, m, v []float32, lr, beta1, c1, beta2, c2, eps, cm, cg, cv float32)
	rmsprop func(w, g, v []float32, lr, rho, c, eps float32)
}

var optim = optimFor(active)

// SGD applies one step of Keras's SGD. With momentum == 0 it computes
//
//	for i := range w {
//		w[i] -= lr * g[i]
//	}
//
// and m is not used (it may be nil). Otherwise m is the velocity, which
// carries the learning rate (Keras's form, not PyTorch's):
//
//	for i := range w {
//		m[i] = momentum*m[i] - lr*g[i]
//		if nesterov {
//			w[i] += momentum*m[i] - lr*g[i]
//		} else {
//			w[i] += m[i]
//		}
//	}
//
// It panics unless len(g) == len(w) and, with momentum != 0, len(m) == len(w).
func SGD(w, g, m []float32, lr, momentum float32, nesterov bool) {
	if len(g) != len(w) {
		panic(vecErrLength)
	}
	if momentum == 0 {
		vec.axpy(-lr, g, w)
		return
	}
	if len(m) != len(w) {
		panic(vecErrLength)
	}
	if nesterov {
		optim.sgdNesterov(w, g, m, lr, momentum)
	} else {
		optim.sgdMomentum(w, g, m, lr, momentum)
	}
}

// Adam applies one step of Keras's Adam (epsilon-hat form), with the bias
// corrections folded into alphaT = lr*sqrt(1-beta2^t)/(1-beta1^t) by the
// caller:
//
//	for i := range w {
//		m[i] = beta1*m[i] + (1-beta1)*g[i]
//		v[i] = beta2*v[i] + (1-beta2)*g[i]*g[i]
//		w[i] -= alphaT * m[i] / (sqrt(v[i]) + eps)
//	}
//
// It panics unless w, g, m and v have the same length.
func Adam(w, g, m, v []float32, alphaT, beta1, beta2, eps float32) {
	if len(g) != len(w) || len(m) != len(w) || len(v) != len(w) {
		panic(vecErrLength)
	}
	optim.adam(w, g, m, v, alphaT, beta1, 1-beta1, beta2, 1-beta2, eps)
}

// Nadam applies one step of Keras's Nadam with the step's coefficients
// computed by the caller (cm = u_{t+1}/(1-u_prod_{t+1}),
// cg = (1-u_t)/(1-u_prod_t), cv = 1/(1-beta2^t)):
//
//	for i := range w {
//		m[i] = beta1*m[i] + (1-beta1)*g[i]
//		v[i] = beta2*v[i] + (1-beta2)*g[i]*g[i]
//		w[i] -= lr * (cm*m[i] + cg*g[i]) / (sqrt(cv*v[i]) + eps)
//	}
//
// It panics unless w, g, m and v have the same length.
func Nadam(w, g, m, v []float32, lr, beta1, beta2, eps, cm, cg, cv float32) {
	if len(g) != len(w) || len(m) != len(w) || len(v) != len(w) {
		panic(vecErrLength)
	}
	optim.nadam(w, g, m, v, lr, beta1, 1-beta1, beta2, 1-beta2, eps, cm, cg, cv)
}

// RMSprop applies one step of Keras 3's RMSprop without momentum, epsilon
// inside the square root:
//
//	for i := range w {
//		v[i] = rho*v[i] + (1-rho)*g[i]*g[i]
//		w[i] -= lr * g[i] / sqrt(v[i]+eps)
//	}
//
// It panics unless w, g and v have the same length.
func RMSprop(w, g, v []float32, lr, rho, eps float32) {
	if len(g) != len(w) || len(v) != len(w) {
		panic(vecErrLength)
	}
	optim.rmsprop(w, g, v, lr, rho, 1-rho, eps)
}

var optimGeneric = optimKernels{
	sgdMomentum: sgdMomentumGeneric,
	sgdNesterov: sgdNesterovGeneric,
	adam:        adamGeneric,
	nadam:       nadamGeneric,
	rmsprop:     rmspropGeneric,
}

func optimSqrt(x float32) float32 { return float32(math.Sqrt(float64(x))) }

func sgdMomentumGeneric(w, g, m []float32, lr, momentum float32) {
	g, m = g[:len(w)], m[:len(w)]
	for i := range w {
		mi := momentum*m[i] - lr*g[i]
		m[i] = mi
		w[i] += mi
	}
}

func sgdNesterovGeneric(w, g, m []float32, lr, momentum float32) {
	g, m = g[:len(w)], m[:len(w)]
	for i := range w {
		lg := lr * g[i]
		mi := momentum*m[i] - lg
		m[i] = mi
		w[i] += momentum*mi - lg
	}
}

func adamGeneric(w, g, m, v []float32, alphaT, beta1, c1, beta2, c2, eps float32) {
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	for i := range w {
		gi := g[i]
		mi := beta1*m[i] + c1*gi
		vi := beta2*v[i] + c2*gi*gi
		m[i], v[i] = mi, vi
		w[i] -= alphaT * mi / (optimSqrt(vi) + eps)
	}
}

func nadamGeneric(w, g, m, v []float32, lr, beta1, c1, beta2, c2, eps, cm, cg, cv float32) {
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	for i := range w {
		gi := g[i]
		mi := beta1*m[i] + c1*gi
		vi := beta2*v[i] + c2*gi*gi
		m[i], v[i] = mi, vi
		w[i] -= lr * (cm*mi + cg*gi) / (optimSqrt(cv*vi) + eps)
	}
}

func rmspropGeneric(w, g, v []float32, lr, rho, c, eps float32) {
	g, v = g[:len(w)], v[:len(w)]
	for i := range w {
		gi := g[i]
		vi := rho*v[i] + c*gi*gi
		v[i] = vi
		w[i] -= lr * gi / optimSqrt(vi+eps)
	}
}
