//go:build !purego

package asm

var optimNEON = optimKernels{
	sgdMomentum: sgdMomentumNEON,
	sgdNesterov: sgdNesterovNEON,
	adam:        adamNEON,
	nadam:       nadamNEON,
	rmsprop:     rmspropNEON,
}

// optimFor returns the table of level l (generic for a level this
// architecture does not have).
func optimFor(l Level) *optimKernels {
	if l == NEON {
		return &optimNEON
	}
	return &optimGeneric
}

//go:noescape
func sgdMomentumNEON(w, g, m []float32, lr, momentum, l2x2 float32)

//go:noescape
func sgdNesterovNEON(w, g, m []float32, lr, momentum, l2x2 float32)

//go:noescape
func adamNEON(w, g, m, v []float32, alphaT, beta1, c1, beta2, c2, eps, l2x2 float32)

//go:noescape
func nadamNEON(w, g, m, v []float32, lr, beta1, c1, beta2, c2, eps, cm, cg, cv, l2x2 float32)

//go:noescape
func rmspropNEON(w, g, v []float32, lr, rho, c, eps, l2x2 float32)
