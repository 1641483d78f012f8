package asm

// bnorm: the passes of batch normalization over a row-major batch (rows of
// n features): the column sums that give the batch's variance and the
// gradients of gamma and beta, and the two per-element passes, normalize
// and its gradient, with one value per feature broadcast down the rows.
//
// Accuracy of the assembly levels against the generic reference: every
// kernel does the float32 operations of its loop, in the same order and
// without fusing (the column sums add the rows in order, in one chain per
// column), so every level is bit-identical to the generic one and a
// model with batch normalization trains to the same bits on every level.
// The passes move a few bytes of memory per operation: fusing the
// multiply-adds would buy no speed.

type bnormKernels struct {
	// colSumsSqDev is ColSumsSqDev without the argument checks.
	colSumsSqDev func(dst, x, c []float32)
	// colSumsDots is ColSumsDots without the argument checks.
	colSumsDots func(sums, dots, x, y []float32)
	// normalize is BatchNorm without the checks; xhat is nil or as long as x.
	normalize func(y, xhat, x, mean, scale, gamma, beta []float32)
	// normalizeGrad is BatchNormGrad without the checks.
	normalizeGrad func(dx, dy, xhat, scale, meanDy, meanDyXhat []float32)
}

var bnorm = bnormFor(active)

// ColSumsSqDev overwrites dst with the column sums of the squared
// deviations of x (rows of len(dst) values) from c, adding the rows in
// order:
//
//	for j := range dst {
//		dst[j] = 0
//	}
//	for r := 0; r < len(x)/len(dst); r++ {
//		for j := range dst {
//			d := x[r*len(dst)+j] - c[j]
//			dst[j] += float32(d * d) // rounded, then added
//		}
//	}
//
// It panics unless len(c) == len(dst) and len(x) is a multiple of len(dst)
// (an empty dst needs an empty x). dst must not overlap x or c.
func ColSumsSqDev(dst, x, c []float32) {
	if len(c) != len(dst) {
		panic(vecErrLength)
	}
	if !vecWholeRows(len(x), len(dst)) {
		panic(vecErrShape)
	}
	bnorm.colSumsSqDev(dst, x, c)
}

// ColSumsDots overwrites sums with the column sums of x and dots with those
// of x*y (x and y rows of len(sums) values), adding the rows in order:
//
//	for j := range sums {
//		sums[j], dots[j] = 0, 0
//	}
//	for r := 0; r < len(x)/len(sums); r++ {
//		for j := range sums {
//			i := r*len(sums) + j
//			sums[j] += x[i]
//			dots[j] += float32(x[i] * y[i]) // rounded, then added
//		}
//	}
//
// It panics unless len(dots) == len(sums), len(y) == len(x) and len(x) is a
// multiple of len(sums). sums and dots must not overlap each other, x or y.
func ColSumsDots(sums, dots, x, y []float32) {
	if len(dots) != len(sums) || len(y) != len(x) {
		panic(vecErrLength)
	}
	if !vecWholeRows(len(x), len(sums)) {
		panic(vecErrShape)
	}
	bnorm.colSumsDots(sums, dots, x, y)
}

// BatchNorm normalizes the rows of x (len(mean) values each) with one
// mean, scale, gamma and beta per column:
//
//	for r := 0; r < len(x)/len(mean); r++ {
//		for j := range mean {
//			i := r*len(mean) + j
//			h := float32((x[i] - mean[j]) * scale[j])
//			if xhat != nil {
//				xhat[i] = h
//			}
//			y[i] = float32(h*gamma[j]) + beta[j]
//		}
//	}
//
// (scale is 1/sqrt(variance+epsilon): h is the normalized input, y the
// layer's output). It panics unless scale, gamma and beta are as long as
// mean, y is as long as x, xhat is empty or as long as x, and len(x) is a
// multiple of len(mean). y and xhat may be x; they must not overlap it
// otherwise, nor each other, nor the per-column slices.
func BatchNorm(y, xhat, x, mean, scale, gamma, beta []float32) {
	n := len(mean)
	if len(scale) != n || len(gamma) != n || len(beta) != n || len(y) != len(x) ||
		len(xhat) != 0 && len(xhat) != len(x) {
		panic(vecErrLength)
	}
	if !vecWholeRows(len(x), n) {
		panic(vecErrShape)
	}
	if len(xhat) == 0 {
		xhat = nil
	}
	bnorm.normalize(y, xhat, x, mean, scale, gamma, beta)
}

// BatchNormGrad is the input gradient of batch normalization in training
// mode, from the output gradient dy and the normalized input xhat (rows of
// len(scale) values):
//
//	for r := 0; r < len(dy)/len(scale); r++ {
//		for j := range scale {
//			i := r*len(scale) + j
//			dx[i] = scale[j] * ((dy[i] - meanDy[j]) - float32(xhat[i]*meanDyXhat[j]))
//		}
//	}
//
// with scale = gamma/sqrt(variance+epsilon), meanDy and meanDyXhat the
// column means of dy and dy*xhat. It panics unless meanDy and meanDyXhat
// are as long as scale, dx and xhat as long as dy, and len(dy) is a
// multiple of len(scale). dx may be dy or xhat; it must not overlap them
// otherwise, nor the per-column slices.
func BatchNormGrad(dx, dy, xhat, scale, meanDy, meanDyXhat []float32) {
	n := len(scale)
	if len(meanDy) != n || len(meanDyXhat) != n || len(dx) != len(dy) || len(xhat) != len(dy) {
		panic(vecErrLength)
	}
	if !vecWholeRows(len(dy), n) {
		panic(vecErrShape)
	}
	bnorm.normalizeGrad(dx, dy, xhat, scale, meanDy, meanDyXhat)
}

var bnormGeneric = bnormKernels{
	colSumsSqDev:  colSumsSqDevGeneric,
	colSumsDots:   colSumsDotsGeneric,
	normalize:     normalizeGeneric,
	normalizeGrad: normalizeGradGeneric,
}

func colSumsSqDevGeneric(dst, x, c []float32) {
	clear(dst)
	n := len(dst)
	for r := 0; n > 0 && r < len(x)/n; r++ {
		row := x[r*n : (r+1)*n]
		for j, v := range row {
			d := v - c[j]
			dst[j] += float32(d * d)
		}
	}
}

func colSumsDotsGeneric(sums, dots, x, y []float32) {
	clear(sums)
	clear(dots)
	n := len(sums)
	for r := 0; n > 0 && r < len(x)/n; r++ {
		xr, yr := x[r*n:(r+1)*n], y[r*n:(r+1)*n]
		for j, v := range xr {
			sums[j] += v
			dots[j] += float32(v * yr[j])
		}
	}
}

func normalizeGeneric(y, xhat, x, mean, scale, gamma, beta []float32) {
	n := len(mean)
	for r := 0; n > 0 && r < len(x)/n; r++ {
		xr, yr := x[r*n:(r+1)*n], y[r*n:(r+1)*n]
		for j, v := range xr {
			h := float32((v - mean[j]) * scale[j])
			if xhat != nil {
				xhat[r*n+j] = h
			}
			yr[j] = float32(h*gamma[j]) + beta[j]
		}
	}
}

func normalizeGradGeneric(dx, dy, xhat, scale, meanDy, meanDyXhat []float32) {
	n := len(scale)
	for r := 0; n > 0 && r < len(dy)/n; r++ {
		dxr, dyr, hr := dx[r*n:(r+1)*n], dy[r*n:(r+1)*n], xhat[r*n:(r+1)*n]
		for j, g := range dyr {
			dxr[j] = scale[j] * ((g - meanDy[j]) - float32(hr[j]*meanDyXhat[j]))
		}
	}
}
