package nn

import (
	"fmt"
	"math"

	"github.com/nnrt/nnrt/asm"
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
