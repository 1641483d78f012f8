//go:build !purego

package asm

var optimAVX2 = optimKernels{
	sgdMomentum: sgdMomentumAVX2,
	sgdNesterov: sgdNesterovAVX2,
	adam:        adamAVX2,
	nadam:       nadamAVX2,
	rmsprop:     rmspropAVX2,
}

var optimAVX512 = optimKernels{
	sgdMomentum: sgdMomentumAVX512,
	sgdNesterov: sgdNesterovAVX512,
	adam:        adamAVX512,
	nadam:       nadamAVX512,
	rmsprop:     rmspropAVX512,
}

// optimFor returns the table of level l (generic for a level this
// architecture does not have).
func optimFor(l Level) *optimKernels {
	switch l {
	case AVX2:
		return &optimAVX2
	case AVX512, AMX:
		return &optimAVX512
	}
	return &optimGeneric
}

//go:noescape
func sgdMomentumAVX2(w, g, m []float32, lr, momentum, l2x2 float32)

//go:noescape
func sgdMomentumAVX512(w, g, m []float32, lr, momentum, l2x2 float32)

//go:noescape
func sgdNesterovAVX2(w, g, m []float32, lr, momentum, l2x2 float32)

//go:noescape
func sgdNesterovAVX512(w, g, m []float32, lr, momentum, l2x2 float32)

//go:noescape
func adamAVX2(w, g, m, v []float32, alphaT, beta1, c1, beta2, c2, eps, l2x2 float32)

//go:noescape
func adamAVX512(w, g, m, v []float32, alphaT, beta1, c1, beta2, c2, eps, l2x2 float32)

//go:noescape
func nadamAVX2(w, g, m, v []float32, lr, beta1, c1, beta2, c2, eps, cm, cg, cv, l2x2 float32)

//go:noescape
func nadamAVX512(w, g, m, v []float32, lr, beta1, c1, beta2, c2, eps, cm, cg, cv, l2x2 float32)

//go:noescape
func rmspropAVX2(w, g, v []float32, lr, rho, c, eps, l2x2 float32)

//go:noescape
func rmspropAVX512(w, g, v []float32, lr, rho, c, eps, l2x2 float32)
