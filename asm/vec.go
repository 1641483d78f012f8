package asm

// vec: BLAS-1 and elementwise kernels over []float32.
//
// Accuracy of the assembly levels against the generic reference:
//   - Scale, ScaleTo, Add, Mul, AddBias and ColSums do one IEEE operation per
//     element in the order of the Go loop: every level is bit-identical.
//   - Axpy uses a fused multiply-add on the SIMD levels: each element is
//     within 1 ulp of the exactly rounded alpha*x[i]+y[i] (the generic loop
//     rounds the product first, unless the Go compiler fuses it too).
//   - Dot and Sum keep several partial sums and add them at the end, so the
//     order of the additions differs from the Go loop, and Dot fuses the
//     products into the sums: the difference is bounded by about
//     n*2^-24*sum|terms| (plus 2^-149 per product that underflows; in
//     practice far less), not by the magnitude of the result.

type vecKernels struct {
	axpy    func(alpha float32, x, y []float32)
	scale   func(alpha float32, x []float32)
	scaleTo func(dst []float32, alpha float32, x []float32)
	dot     func(x, y []float32) float32
	sum     func(x []float32) float32
	add     func(dst, x, y []float32)
	mul     func(dst, x, y []float32)
	addBias func(x, bias []float32)
	colSums func(dst, x []float32)
	gemvN   func(dst, a []float32, lda int, x []float32) // see gemv.go
	gemvT   func(dst, a []float32, lda int, x []float32)
	ger     func(c []float32, ldc int, x, y []float32, alpha, beta float32)
	// gemmRows[m] and gemvNRows[m] (m = 2..4), where the level has them
	gemmRows  [5]func(c []float32, ldc, n int, a []float32, lda int, x []float32, sxi, sxp, k int)
	gemvNRows [5]func(c []float32, ldc, n int, a []float32, lda int, x []float32, ldx, k int)
}

var vec = vecFor(active)

// Argument-check messages, fixed so that callers and tests can match them.
const (
	vecErrLength = "asm: length mismatch"
	vecErrShape  = "asm: length not a multiple of the row length"
)

// Axpy computes
//
//	for i := range x {
//		y[i] += alpha * x[i]
//	}
//
// It panics unless len(x) == len(y). x may be y. The SIMD levels fuse the
// multiply-add.
func Axpy(alpha float32, x, y []float32) {
	if len(x) != len(y) {
		panic(vecErrLength)
	}
	vec.axpy(alpha, x, y)
}

// Scale computes
//
//	for i := range x {
//		x[i] *= alpha
//	}
func Scale(alpha float32, x []float32) {
	vec.scale(alpha, x)
}

// ScaleTo computes
//
//	for i := range x {
//		dst[i] = alpha * x[i]
//	}
//
// It panics unless len(dst) == len(x). dst may be x.
func ScaleTo(dst []float32, alpha float32, x []float32) {
	if len(dst) != len(x) {
		panic(vecErrLength)
	}
	vec.scaleTo(dst, alpha, x)
}

// Dot returns
//
//	var s float32
//	for i := range x {
//		s += x[i] * y[i]
//	}
//	return s
//
// up to the order of the additions (the SIMD levels keep several partial
// sums). It panics unless len(x) == len(y).
func Dot(x, y []float32) float32 {
	if len(x) != len(y) {
		panic(vecErrLength)
	}
	return vec.dot(x, y)
}

// Sum returns
//
//	var s float32
//	for i := range x {
//		s += x[i]
//	}
//	return s
//
// up to the order of the additions (the SIMD levels keep several partial
// sums).
func Sum(x []float32) float32 {
	return vec.sum(x)
}

// Add computes
//
//	for i := range x {
//		dst[i] = x[i] + y[i]
//	}
//
// It panics unless dst, x and y have the same length. dst may be x or y.
func Add(dst, x, y []float32) {
	if len(x) != len(y) || len(dst) != len(x) {
		panic(vecErrLength)
	}
	vec.add(dst, x, y)
}

// Mul computes
//
//	for i := range x {
//		dst[i] = x[i] * y[i]
//	}
//
// It panics unless dst, x and y have the same length. dst may be x or y.
func Mul(dst, x, y []float32) {
	if len(x) != len(y) || len(dst) != len(x) {
		panic(vecErrLength)
	}
	vec.mul(dst, x, y)
}

// AddBias adds bias to every row of the row-major matrix x with len(bias)
// columns:
//
//	for r := 0; r < len(x)/len(bias); r++ {
//		for j := range bias {
//			x[r*len(bias)+j] += bias[j]
//		}
//	}
//
// It panics unless len(x) is a multiple of len(bias) (an empty bias needs
// an empty x). bias must not overlap x.
func AddBias(x, bias []float32) {
	if !vecWholeRows(len(x), len(bias)) {
		panic(vecErrShape)
	}
	vec.addBias(x, bias)
}

// ColSums overwrites dst with the column sums of the row-major matrix x with
// len(dst) columns, adding the rows in order:
//
//	for j := range dst {
//		dst[j] = 0
//	}
//	for r := 0; r < len(x)/len(dst); r++ {
//		for j := range dst {
//			dst[j] += x[r*len(dst)+j]
//		}
//	}
//
// It panics unless len(x) is a multiple of len(dst) (an empty dst needs an
// empty x). dst must not overlap x.
func ColSums(dst, x []float32) {
	if !vecWholeRows(len(x), len(dst)) {
		panic(vecErrShape)
	}
	vec.colSums(dst, x)
}

// isMatrix reports whether n elements form whole rows of cols elements.
func vecWholeRows(n, cols int) bool {
	if cols == 0 {
		return n == 0
	}
	return n%cols == 0
}

var vecGeneric = vecKernels{
	axpy:    axpyGeneric,
	scale:   scaleGeneric,
	scaleTo: scaleToGeneric,
	dot:     dotGeneric,
	sum:     sumGeneric,
	add:     addGeneric,
	mul:     mulGeneric,
	addBias: addBiasGeneric,
	colSums: colSumsGeneric,
	gemvN:   gemvNGeneric,
	gemvT:   gemvTGeneric,
	ger:     gerGeneric,
}

func axpyGeneric(alpha float32, x, y []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += alpha * v
	}
}

func scaleGeneric(alpha float32, x []float32) {
	for i := range x {
		x[i] *= alpha
	}
}

func scaleToGeneric(dst []float32, alpha float32, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = alpha * v
	}
}

func dotGeneric(x, y []float32) float32 {
	y = y[:len(x)]
	var s float32
	for i, v := range x {
		s += v * y[i]
	}
	return s
}

func sumGeneric(x []float32) float32 {
	var s float32
	for _, v := range x {
		s += v
	}
	return s
}

func addGeneric(dst, x, y []float32) {
	dst, y = dst[:len(x)], y[:len(x)]
	for i, v := range x {
		dst[i] = v + y[i]
	}
}

func mulGeneric(dst, x, y []float32) {
	dst, y = dst[:len(x)], y[:len(x)]
	for i, v := range x {
		dst[i] = v * y[i]
	}
}

func addBiasGeneric(x, bias []float32) {
	for r := 0; r+len(bias) <= len(x) && len(bias) > 0; r += len(bias) {
		row := x[r : r+len(bias)]
		for j, b := range bias {
			row[j] += b
		}
	}
}

func colSumsGeneric(dst, x []float32) {
	clear(dst)
	for r := 0; r+len(dst) <= len(x) && len(dst) > 0; r += len(dst) {
		row := x[r : r+len(dst)]
		for j, v := range row {
			dst[j] += v
		}
	}
}
