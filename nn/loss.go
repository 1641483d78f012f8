package nn

import (
	"fmt"
	"math"

	"github.com/nnrt/nnrt/asm"
	"github.com/nnrt/nnrt/runtime"
)

// Loss names accepted by CompileConfig.Loss.
const (
	SparseCategoricalCrossentropy = "sparse_categorical_crossentropy"
	CategoricalCrossentropy       = "categorical_crossentropy"
	MeanSquaredError              = "mse"
)

// probEpsilon is Keras's backend.epsilon(): probabilities are clipped to
// [eps, 1-eps] before the log when the loss is not computed from logits.
const probEpsilon = 1e-7

// lossFn computes the loss of a batch. out holds rows x cols model outputs
// (logits when fromLogits), labels or targets the truth. It returns the
// sum over rows of the per-sample loss and, when grad != nil, writes
// scale * d(sum)/d(out) to grad.
type lossFn struct {
	name       string
	fromLogits bool // out holds logits (from_logits=True, or a softmax fused into the loss)
	sparse     bool // truth is class indices
	// scratch for one row of probabilities (categorical from logits)
	row []float64
}

func (l *lossFn) compute(grad, out []float32, labels []int32, targets []float32, rows, cols int, scale float32) float64 {
	switch {
	case l.name == MeanSquaredError:
		return mse(grad, out, targets, rows, cols, scale)
	case l.sparse && l.fromLogits:
		return asm.SoftmaxCrossEntropy(grad, out[:rows*cols], labels[:rows], cols, scale)
	case l.fromLogits:
		return l.categoricalLogits(grad, out, targets, rows, cols, scale)
	default:
		return crossEntropyProbs(grad, out, labels, targets, rows, cols, scale)
	}
}

// mse is Keras's MeanSquaredError: per sample mean over the last axis of
// (out-t)², summed here over rows (Fit divides by the batch size).
func mse(grad, out, t []float32, rows, cols int, scale float32) float64 {
	var total float64
	inv := 1 / float64(cols)
	for i := 0; i < rows*cols; i++ {
		d := float64(out[i]) - float64(t[i])
		total += d * d * inv
		if grad != nil {
			grad[i] = scale * float32(2*d*inv)
		}
	}
	return total
}

// categoricalLogits is softmax cross-entropy with probability targets,
// computed stably: loss = sum_j t_j (lse - z_j), grad = sum(t)·softmax - t.
func (l *lossFn) categoricalLogits(grad, z, t []float32, rows, cols int, scale float32) float64 {
	if cap(l.row) < cols {
		l.row = make([]float64, cols)
	}
	var total float64
	for r := 0; r < rows; r++ {
		zr, tr := z[r*cols:(r+1)*cols], t[r*cols:(r+1)*cols]
		m := zr[0]
		for _, v := range zr {
			m = max(m, v)
		}
		var s float64
		for _, v := range zr {
			s += math.Exp(float64(v - m))
		}
		lse := float64(m) + math.Log(s)
		var ts float64
		for j, v := range zr {
			total += float64(tr[j]) * (lse - float64(v))
			ts += float64(tr[j])
		}
		if grad != nil {
			for j, v := range zr {
				p := math.Exp(float64(v) - lse)
				grad[r*cols+j] = scale * float32(ts*p-float64(tr[j]))
			}
		}
	}
	return total
}

// crossEntropyProbs is Keras's cross-entropy on probabilities: each row is
// renormalized to sum 1, clipped to [1e-7, 1-1e-7], and the loss is
// -sum_j t_j log p_j (t one-hot of the label when sparse). The clip has
// zero gradient where it binds.
func crossEntropyProbs(grad, out []float32, labels []int32, t []float32, rows, cols int, scale float32) float64 {
	var total float64
	for r := 0; r < rows; r++ {
		o := out[r*cols : (r+1)*cols]
		var s float64
		for _, v := range o {
			s += float64(v)
		}
		var g []float32
		if grad != nil {
			g = grad[r*cols : (r+1)*cols]
			clear(g)
		}
		for j := range o {
			var tj float64
			if labels != nil {
				if int(labels[r]) == j {
					tj = 1
				}
			} else {
				tj = float64(t[r*cols+j])
			}
			if tj == 0 {
				continue
			}
			p := float64(o[j]) / s
			clipped := p < probEpsilon || p > 1-probEpsilon
			p = math.Min(math.Max(p, probEpsilon), 1-probEpsilon)
			total -= tj * math.Log(p)
			if g == nil || clipped {
				continue
			}
			// d(-tj log(o_j/s))/d(o_k) = -tj/o_j [k==j] + tj/s
			for k := range g {
				g[k] += scale * float32(tj/s)
			}
			g[j] -= scale * float32(tj/float64(o[j]))
		}
	}
	return total
}

// lossBlockRows is the block of rows whose loss lossWork computes as one
// sum: a batch's loss is its blocks' sums added in order, so its bits
// depend on the batch size only, whatever threads computed the blocks.
const lossBlockRows = 128

// lossWork computes the loss of a batch (lossFn.compute, with its
// gradient) and, when count is set, its correct predictions, by blocks of
// lossBlockRows rows. On several threads the blocks are shared when the
// batch has lossParallelElems outputs or more: each thread then reads the
// outputs of the rows the last layer's product computed on its core (two
// threads, a batch of 256 on the book's ten classes: the serial loss and
// accuracy took 21-32 µs of a step, 13 µs of it in cache).
type lossWork struct {
	l          *lossFn
	grad, out  []float32
	labels     []int32
	targets    []float32
	rows, cols int
	scale      float32
	count      bool
	sums       []float64
	corrects   []int
}

// lossParallelElems is the number of outputs (rows*cols) from which
// lossWork shares its blocks between the threads.
const lossParallelElems = 1 << 11

// run returns the sum of the rows' losses and, if count, the number of
// correct predictions.
func (w *lossWork) run(l *lossFn, grad, out []float32, labels []int32, targets []float32, rows, cols int, scale float32, count bool) (float64, int) {
	blocks := ceilDiv(rows, lossBlockRows)
	if blocks <= 1 {
		n := 0
		if count {
			n = correct(out, labels, targets, rows, cols)
		}
		return l.compute(grad, out, labels, targets, rows, cols, scale), n
	}
	if cap(w.sums) < blocks {
		w.sums, w.corrects = make([]float64, blocks), make([]int, blocks)
	}
	*w = lossWork{l: l, grad: grad, out: out, labels: labels, targets: targets, rows: rows, cols: cols,
		scale: scale, count: count, sums: w.sums[:blocks], corrects: w.corrects[:blocks]}
	// categorical cross-entropy from logits uses l's scratch row
	shared := l.name == MeanSquaredError || l.sparse || !l.fromLogits
	if shared && rows*cols >= lossParallelElems && runtime.Threads() > 1 {
		runtime.ParallelFor(blocks, 1, w)
	} else {
		w.Range(0, blocks)
	}
	var sum float64
	n := 0
	for b := range blocks {
		sum += w.sums[b]
		n += w.corrects[b]
	}
	*w = lossWork{sums: w.sums, corrects: w.corrects}
	return sum, n
}

// Range computes blocks [lo, hi).
func (w *lossWork) Range(lo, hi int) {
	cols := w.cols
	for b := lo; b < hi; b++ {
		r0, r1 := b*lossBlockRows, min((b+1)*lossBlockRows, w.rows)
		var grad []float32
		if w.grad != nil {
			grad = w.grad[r0*cols : r1*cols]
		}
		var labels []int32
		var targets []float32
		if w.labels != nil {
			labels = w.labels[r0:r1]
		} else {
			targets = w.targets[r0*cols : r1*cols]
		}
		out := w.out[r0*cols : r1*cols]
		w.sums[b] = w.l.compute(grad, out, labels, targets, r1-r0, cols, w.scale)
		w.corrects[b] = 0
		if w.count {
			w.corrects[b] = correct(out, labels, targets, r1-r0, cols)
		}
	}
}

// correct counts rows whose argmax matches the truth: the label (sparse),
// the argmax of the target row (categorical), or for a single output the
// 0.5-thresholded prediction against the target (binary accuracy).
func correct(out []float32, labels []int32, targets []float32, rows, cols int) int {
	n := 0
	for r := 0; r < rows; r++ {
		o := out[r*cols : (r+1)*cols]
		if cols == 1 && labels == nil {
			if (o[0] > 0.5) == (targets[r] > 0.5) {
				n++
			}
			continue
		}
		want := 0
		if labels != nil {
			want = int(labels[r])
		} else {
			want = argmax(targets[r*cols : (r+1)*cols])
		}
		if argmax(o) == want {
			n++
		}
	}
	return n
}

// argmax returns the first index of the largest value (NaN never wins).
func argmax(x []float32) int {
	best := 0
	for j := 1; j < len(x); j++ {
		if x[j] > x[best] {
			best = j
		}
	}
	return best
}

func checkLoss(name string) error {
	switch name {
	case SparseCategoricalCrossentropy, CategoricalCrossentropy, MeanSquaredError:
		return nil
	}
	return fmt.Errorf("unknown loss %q (want %s, %s or %s)", name, SparseCategoricalCrossentropy, CategoricalCrossentropy, MeanSquaredError)
}
