package asm

import (
	"math"
	"sync"
)

// Softmax family: row-wise softmax and the fused softmax + sparse
// categorical cross-entropy. Both subtract the row maximum before
// exponentiating (log-sum-exp), so no finite input overflows.
//
// The generic reference sums in float64 and divides; the assembly levels
// use the exp of the act family (1 ulp), sum in float32 lanes and multiply
// by the rounded scale/sum, so each probability is within 4 + cols/8 ulp of
// the reference (TestSoftmaxRows), rows sum to 1 within 1e-6*(1+cols/8),
// and the loss of a row is within 2**-22 + 2e-7*|logits| of its float64
// value (TestSoftmaxCrossEntropy).

// Softmax computes, for each row r of the row-major x with cols columns,
//
//	m := max_j x[r*cols+j]
//	s := sum_j e**(x[r*cols+j]-m)
//	dst[r*cols+j] = e**(x[r*cols+j]-m) / s
//
// with x[r*cols+j]-m rounded to float32. A row holding a NaN or +Inf, or
// only -Inf, gives NaN in every column. dst may be x. It panics with
// "asm: cols <= 0" if cols <= 0, "asm: length not a multiple of cols" if
// len(x)%cols != 0 and "asm: length mismatch" if len(dst) != len(x).
func Softmax(dst, x []float32, cols int) {
	softmaxCheck(len(x), cols)
	if len(dst) != len(x) {
		panic("asm: length mismatch")
	}
	softmax.rows(dst, x, cols, 1, nil)
}

// SoftmaxCrossEntropy returns the sum over the rows r of logits (row-major,
// cols columns) of the cross-entropy of softmax(logits_r) against the class
// labels[r], computed as log-sum-exp:
//
//	m := max_j logits[r*cols+j]
//	s := sum_j e**(logits[r*cols+j]-m)
//	loss += float64(m) + log(float64(s)) - float64(logits[r*cols+labels[r]])
//
// and, if grad is not nil, the gradient of gradScale times that sum with
// respect to the logits (gradScale = 1/rows gives Keras's mean loss):
//
//	grad[r*cols+j] = gradScale*e**(logits[r*cols+j]-m)/s - (gradScale if j == labels[r] else 0)
//
// grad may be logits. Besides the checks of Softmax (with len(grad) for
// len(dst) when grad is not nil) it panics with "asm: labels length
// mismatch" if len(labels) != len(logits)/cols and "asm: label out of range"
// if a label is outside [0, cols).
func SoftmaxCrossEntropy(grad, logits []float32, labels []int32, cols int, gradScale float32) float64 {
	softmaxCheck(len(logits), cols)
	if grad != nil && len(grad) != len(logits) {
		panic("asm: length mismatch")
	}
	rows := len(logits) / cols
	if len(labels) != rows {
		panic("asm: labels length mismatch")
	}
	for _, l := range labels {
		if l < 0 || int(l) >= cols {
			panic("asm: label out of range")
		}
	}
	st := softmaxStatsPool.Get().(*[2 * softmaxChunk]float32)
	defer softmaxStatsPool.Put(st)
	var loss float64
	for r0 := 0; r0 < rows; r0 += softmaxChunk {
		n := min(softmaxChunk, rows-r0)
		x := logits[r0*cols : (r0+n)*cols]
		var g []float32
		if grad != nil {
			g = grad[r0*cols : (r0+n)*cols]
		}
		// The label logits are read before the kernel, which may overwrite
		// them when grad is logits.
		for r := range n {
			loss -= float64(x[r*cols+int(labels[r0+r])])
		}
		softmax.rows(g, x, cols, gradScale, st[:2*n])
		for r := range n {
			loss += float64(st[2*r]) + math.Log(float64(st[2*r+1]))
			if g != nil {
				g[r*cols+int(labels[r0+r])] -= gradScale
			}
		}
	}
	return loss
}

// softmaxChunk is how many rows of row statistics SoftmaxCrossEntropy takes
// from one kernel call; it bounds the pooled scratch.
const softmaxChunk = 128

var softmaxStatsPool = sync.Pool{New: func() any { return new([2 * softmaxChunk]float32) }}

func softmaxCheck(n, cols int) {
	if cols <= 0 {
		panic("asm: cols <= 0")
	}
	if n%cols != 0 {
		panic("asm: length not a multiple of cols")
	}
}

// softmaxKernels is one level's table of the softmax family.
type softmaxKernels struct {
	// rows processes the len(x)/cols rows of x (cols > 0, len(x)%cols == 0):
	//
	//	m := max_j x[r*cols+j]
	//	s := sum_j e**(x[r*cols+j]-m)
	//	if len(dst) > 0 { dst[r*cols+j] = scale * e**(x[r*cols+j]-m) / s }
	//	if len(stats) > 0 { stats[2*r], stats[2*r+1] = m, s }
	//
	// len(dst) is 0 or len(x); len(stats) is 0 or 2*rows.
	rows func(dst, x []float32, cols int, scale float32, stats []float32)
}

var softmax = softmaxFor(active)

var softmaxGeneric = softmaxKernels{rows: softmaxRowsGeneric}

func softmaxRowsGeneric(dst, x []float32, cols int, scale float32, stats []float32) {
	for r := 0; r < len(x)/cols; r++ {
		row := x[r*cols : (r+1)*cols]
		m := row[0]
		for _, v := range row[1:] {
			if v > m || v != v { // a NaN sticks
				m = v
			}
		}
		var s float64
		for _, v := range row {
			s += float64(exp32(v - m))
		}
		if len(dst) > 0 {
			d := dst[r*cols : (r+1)*cols]
			for j, v := range row {
				d[j] = float32(float64(scale) * float64(exp32(v-m)) / s)
			}
		}
		if len(stats) > 0 {
			stats[2*r], stats[2*r+1] = m, float32(s)
		}
	}
}
