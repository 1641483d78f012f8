package asm

import (
	"math"
	"sync"
)

// norm: L2 norms, Keras's max-norm constraint along either axis, global norm
// and clip-by-norm (TensorFlow's clip_by_global_norm / clip_by_norm),
// clip-by-value and the gradient of Keras's L1L2 penalty.
//
// Accuracy of the assembly levels against the generic reference:
//   - ClipByValue and L1L2Grad's update of g, MaxNormRows and MaxNormCols's
//     scaling (once the factor is known) do the float32 operations of their
//     loops in the same order without fusing: every level is bit-identical.
//   - SumSquares, RowNorms, GlobalNorm, ClipByNorm and the penalty returned by
//     L1L2Grad keep several partial sums on the SIMD levels and fuse the
//     multiply-adds, so the order of the additions differs from the loop: as
//     every term is non-negative the relative difference is below
//     n*2^-23 and, for the test data, below normSumTol.
//   - ColNorms and MaxNormCols add the rows in order on every level; the SIMD
//     levels fuse x*x into the sum, so a norm may differ by a few ulp.

type normKernels struct {
	// sumSquares returns the sum of x[i]*x[i] (any order of additions).
	sumSquares func(x []float32) float32
	// colSumSquares adds the squares of a strided block to acc, row by row:
	// acc[j] += x[r*ld+j]*x[r*ld+j] for r < rows, j < len(acc). The caller
	// guarantees rows == 0 or len(x) >= (rows-1)*ld+len(acc).
	colSumSquares func(acc, x []float32, ld, rows int)
	// scaleCols multiplies the columns of a strided block by f:
	// x[r*ld+j] *= f[j] for r < rows, j < len(f); same guarantee on len(x).
	scaleCols func(x []float32, ld, rows int, f []float32)
	// sqrts takes the square root of each element: x[i] = sqrt32(x[i]).
	sqrts func(x []float32)
	// maxNormFactors turns sums of squares into MaxNorm factors:
	// s[i] = maxNormFactor(sqrt32(s[i]), maxValue).
	maxNormFactors func(s []float32, maxValue float32)
	// clipByValue is ClipByValue without the argument checks.
	clipByValue func(x []float32, lo, hi float32)
	// l1l2Grad does g[i] += l1*sign(w[i]) + l2x2*w[i] (sign as in L1L2Grad,
	// the sum rounded before the add to g) and returns sum|w[i]| and
	// sum w[i]*w[i]. len(g) == len(w).
	l1l2Grad func(g, w []float32, l1, l2x2 float32) (sumAbs, sumSq float32)
}

var norm = normFor(active)

// Argument-check messages, fixed so that callers and tests can match them.
const (
	normErrLength   = "asm: length mismatch"
	normErrShape    = "asm: length not a multiple of the row length"
	normErrClipNorm = "asm: clip norm must be positive"
	normErrClipLoHi = "asm: clip bounds need lo <= hi"
)

// maxNormEpsilon is Keras's backend.epsilon(), the 1e-7 of MaxNorm.
const maxNormEpsilon float32 = 1e-7

// normColBlock is the widest block of columns MaxNormCols handles at once:
// its column norms live in a pooled array of this size (a stack array would
// move to the heap, as it is passed through the table's func values), so the
// constraint allocates nothing in steady state. 1024 columns cover every
// layer of the book's models in one block, so the matrix is streamed twice.
const normColBlock = 1024

var normColScratch = sync.Pool{New: func() any { return new([normColBlock]float32) }}

// SumSquares returns
//
//	var s float32
//	for _, v := range x {
//		s += v * v
//	}
//	return s
//
// up to the order of the additions (the SIMD levels keep several partial
// sums and fuse the multiply-adds).
func SumSquares(x []float32) float32 {
	return norm.sumSquares(x)
}

// RowNorms computes the L2 norm of each row of the row-major matrix x with
// cols columns and len(dst) rows:
//
//	for r := range dst {
//		dst[r] = float32(math.Sqrt(float64(SumSquares(x[r*cols : (r+1)*cols]))))
//	}
//
// It panics with "asm: length mismatch" unless cols >= 0 and
// len(x) == len(dst)*cols.
func RowNorms(dst, x []float32, cols int) {
	if cols < 0 || len(x) != len(dst)*cols {
		panic(normErrLength)
	}
	for r := range dst {
		dst[r] = sqrt32(norm.sumSquares(x[r*cols : (r+1)*cols]))
	}
}

// ColNorms computes the L2 norm of each column of the row-major matrix x
// with len(dst) columns, adding the rows in order:
//
//	for j := range dst {
//		var s float32
//		for r := 0; r < len(x)/len(dst); r++ {
//			s += x[r*len(dst)+j] * x[r*len(dst)+j]
//		}
//		dst[j] = float32(math.Sqrt(float64(s)))
//	}
//
// It panics with "asm: length not a multiple of the row length" unless
// len(x) is a multiple of len(dst) (an empty dst needs an empty x). dst
// must not overlap x.
func ColNorms(dst, x []float32) {
	if !normWholeRows(len(x), len(dst)) {
		panic(normErrShape)
	}
	clear(dst)
	if len(dst) == 0 {
		return
	}
	norm.colSumSquares(dst, x, len(dst), len(x)/len(dst))
	norm.sqrts(dst)
}

// MaxNormRows applies Keras's MaxNorm constraint to each row of the
// row-major matrix x with cols columns:
//
//	for r := 0; r < len(x)/cols; r++ {
//		row := x[r*cols : (r+1)*cols]
//		Scale(maxNormFactor(float32(math.Sqrt(float64(SumSquares(row)))), maxValue), row)
//	}
//
// where maxNormFactor(n, max) is clip(n, 0, max)/(1e-7+n) in float32 (see
// its comment). Rows under the limit are still multiplied by n/(n+1e-7), as
// in Keras. It panics with "asm: length not a multiple of the row length"
// unless len(x) is a multiple of cols (cols == 0 needs an empty x).
func MaxNormRows(x []float32, cols int, maxValue float32) {
	if cols < 0 || !normWholeRows(len(x), cols) {
		panic(normErrShape)
	}
	for r := 0; r+cols <= len(x) && cols > 0; r += cols {
		row := x[r : r+cols]
		vec.scale(maxNormFactor(sqrt32(norm.sumSquares(row)), maxValue), row)
	}
}

// MaxNormCols applies Keras's MaxNorm constraint to each column of the
// row-major matrix x with cols columns: MaxNorm(axis=0) of a Dense kernel of
// shape (in, out), which limits the incoming weights of each unit:
//
//	n := make([]float32, cols)
//	ColNorms(n, x)
//	for r := 0; r < len(x)/cols; r++ {
//		for j := 0; j < cols; j++ {
//			x[r*cols+j] *= maxNormFactor(n[j], maxValue)
//		}
//	}
//
// (without allocating). It panics as MaxNormRows.
func MaxNormCols(x []float32, cols int, maxValue float32) {
	if cols < 0 || !normWholeRows(len(x), cols) {
		panic(normErrShape)
	}
	if cols == 0 || len(x) == 0 {
		return
	}
	rows := len(x) / cols
	f := normColScratch.Get().(*[normColBlock]float32)
	defer normColScratch.Put(f)
	for j0 := 0; j0 < cols; j0 += normColBlock {
		fb := f[:min(normColBlock, cols-j0)]
		clear(fb)
		norm.colSumSquares(fb, x[j0:], cols, rows)
		norm.maxNormFactors(fb, maxValue)
		norm.scaleCols(x[j0:], cols, rows, fb)
	}
}

// maxNormFactor is the factor Keras's MaxNorm multiplies a vector of norm n
// by: clip(n, 0, maxValue) / (epsilon + n), in float32. n is a norm, so
// n >= 0 or NaN; a NaN norm gives a NaN factor, as in Keras. The SIMD
// levels compute it with correctly rounded sqrt, add and divide
// instructions, so their factors are those of this function bit for bit.
func maxNormFactor(n, maxValue float32) float32 {
	c := n
	if c > maxValue {
		c = maxValue
	}
	return c / (maxNormEpsilon + n)
}

// GlobalNorm returns the L2 norm of all the slices together, as
// TensorFlow's global_norm:
//
//	var s float64
//	for _, x := range xs {
//		s += float64(SumSquares(x))
//	}
//	return float32(math.Sqrt(s))
func GlobalNorm(xs ...[]float32) float32 {
	var s float64
	for _, x := range xs {
		s += float64(norm.sumSquares(x))
	}
	return float32(math.Sqrt(s))
}

// ClipByNorm rescales x so that its L2 norm is at most clip, as
// TensorFlow's clip_by_norm (x * clip / max(norm(x), clip)):
//
//	n := float32(math.Sqrt(float64(SumSquares(x))))
//	if !(n <= clip) {
//		Scale(clip/n, x)
//	}
//
// x is left unchanged when its norm is at most clip; a NaN norm makes every
// element NaN, and an infinite one maps the finite elements to 0. It panics
// with "asm: clip norm must be positive" unless clip > 0.
func ClipByNorm(x []float32, clip float32) {
	if !(clip > 0) {
		panic(normErrClipNorm)
	}
	if n := sqrt32(norm.sumSquares(x)); !(n <= clip) {
		vec.scale(clip/n, x)
	}
}

// ClipByValue computes, as TensorFlow's clip_by_value,
//
//	for i, v := range x {
//		if v < lo {
//			v = lo
//		}
//		if v > hi {
//			v = hi
//		}
//		x[i] = v
//	}
//
// so a NaN stays NaN and -0 stays -0 when lo == 0. It panics with
// "asm: clip bounds need lo <= hi" unless lo <= hi.
func ClipByValue(x []float32, lo, hi float32) {
	if !(lo <= hi) {
		panic(normErrClipLoHi)
	}
	norm.clipByValue(x, lo, hi)
}

// L1L2Grad adds the gradient of Keras's L1L2(l1, l2) penalty of the weights
// w to g and returns the penalty:
//
//	var sumAbs, sumSq float32
//	for i, v := range w {
//		var s float32 // sign(v) * l1
//		if v > 0 {
//			s = l1
//		} else if v < 0 {
//			s = -l1
//		}
//		g[i] += s + 2*l2*v
//		sumAbs += abs(v)
//		sumSq += v * v
//	}
//	var penalty float32
//	if l1 != 0 {
//		penalty += l1 * sumAbs
//	}
//	if l2 != 0 {
//		penalty += l2 * sumSq
//	}
//	return penalty
//
// 2*l2*v is rounded once (2*l2 is exact), then added to s, then to g[i],
// on every level. The penalty skips a term whose factor is 0, as Keras does
// (so an infinite weight does not make an unused term NaN); the sums are
// accurate as SumSquares's. There is no 1/2 in the L2 term (Keras). It panics
// with "asm: length mismatch" unless len(g) == len(w).
func L1L2Grad(g, w []float32, l1, l2 float32) float32 {
	if len(g) != len(w) {
		panic(normErrLength)
	}
	sumAbs, sumSq := norm.l1l2Grad(g, w, l1, 2*l2)
	var penalty float32
	if l1 != 0 {
		penalty += l1 * sumAbs
	}
	if l2 != 0 {
		penalty += l2 * sumSq
	}
	return penalty
}

// normWholeRows reports whether n elements form whole rows of cols elements.
func normWholeRows(n, cols int) bool {
	if cols == 0 {
		return n == 0
	}
	return n%cols == 0
}

// sqrt32 is the correctly rounded float32 square root (math.Sqrt of the
// widened value rounds to the same float32 as a float32 sqrt instruction).
func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }

var normGeneric = normKernels{
	sumSquares:     sumSquaresGeneric,
	colSumSquares:  colSumSquaresGeneric,
	scaleCols:      scaleColsGeneric,
	sqrts:          sqrtsGeneric,
	maxNormFactors: maxNormFactorsGeneric,
	clipByValue:    clipByValueGeneric,
	l1l2Grad:       l1l2GradGeneric,
}

func sumSquaresGeneric(x []float32) float32 {
	var s float32
	for _, v := range x {
		s += float32(v * v) // float32(): no fused multiply-add where Go would fuse
	}
	return s
}

func colSumSquaresGeneric(acc, x []float32, ld, rows int) {
	for r := range rows {
		row := x[r*ld : r*ld+len(acc)]
		for j, v := range row {
			acc[j] += float32(v * v)
		}
	}
}

func scaleColsGeneric(x []float32, ld, rows int, f []float32) {
	for r := range rows {
		row := x[r*ld : r*ld+len(f)]
		for j, s := range f {
			row[j] *= s
		}
	}
}

func sqrtsGeneric(x []float32) {
	for i, v := range x {
		x[i] = sqrt32(v)
	}
}

func maxNormFactorsGeneric(s []float32, maxValue float32) {
	for i, v := range s {
		s[i] = maxNormFactor(sqrt32(v), maxValue)
	}
}

func clipByValueGeneric(x []float32, lo, hi float32) {
	for i, v := range x {
		if v < lo {
			v = lo
		}
		if v > hi {
			v = hi
		}
		x[i] = v
	}
}

func l1l2GradGeneric(g, w []float32, l1, l2x2 float32) (sumAbs, sumSq float32) {
	g = g[:len(w)]
	for i, v := range w {
		var s float32
		if v > 0 {
			s = l1
		} else if v < 0 {
			s = -l1
		}
		g[i] += s + float32(l2x2*v)
		sumAbs += math.Float32frombits(math.Float32bits(v) &^ (1 << 31))
		sumSq += float32(v * v)
	}
	return sumAbs, sumSq
}
