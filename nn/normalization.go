package nn

import (
	"errors"
	"fmt"
	"math"

	"github.com/nnrt/nnrt/asm"
	"github.com/nnrt/nnrt/reg"
)

// NormalizationLayer is Keras's Normalization layer (axis -1): it outputs
// (x - mean) / max(sqrt(variance), 1e-7) per feature of the last axis, with
// mean and variance set by Adapt. Before Adapt it is the identity (mean
// 0, variance 1). Put it after Flatten to standardize each pixel as the
// book does (NB cell 47).
type NormalizationLayer struct {
	layerBase
	mean, variance *Param
	invStd         []float32
	ones, zeros    []float32 // gamma and beta for asm.BatchNorm
	par            elementwise
}

// Normalization returns a Normalization layer; call Adapt after Compile.
func Normalization() *NormalizationLayer { return &NormalizationLayer{} }

func (l *NormalizationLayer) Spec() LayerSpec { return LayerSpec{Kind: "normalization", Name: l.name} }

func (l *NormalizationLayer) build(in []int, _ uint64, pb *paramBudget) ([]int, error) {
	f := in[len(in)-1]
	l.setShapes(in, in)
	if err := pb.charge([]int{f}, []int{f}); err != nil {
		return nil, err
	}
	l.mean = newParam(l.name+"/mean", false, f)
	l.variance = newParam(l.name+"/variance", false, f)
	for i := range l.variance.Value {
		l.variance.Value[i] = 1
	}
	l.params = []*Param{l.mean, l.variance}
	l.invStd, l.ones, l.zeros = make([]float32, f), make([]float32, f), make([]float32, f)
	for j := range l.ones {
		l.ones[j] = 1
	}
	return l.out, nil
}

// Adapt sets the mean and the (population) variance of each feature from
// the samples x of the layer's input (n x input size, row-major), as
// Keras's adapt does. Features of variance 0 then pass through centred
// and divided by 1e-7, as in Keras.
func (l *NormalizationLayer) Adapt(x []float32) error {
	if l.mean == nil {
		return errors.New("nn: Normalization.Adapt before Compile")
	}
	if len(x) == 0 || len(x)%l.inSize != 0 {
		return fmt.Errorf("nn: Normalization.Adapt: %d values is not a positive number of samples of %d", len(x), l.inSize)
	}
	f := len(l.mean.Value)
	groups := len(x) / f
	sum := make([]float64, f)
	for r := 0; r < groups; r++ {
		for j, v := range x[r*f : (r+1)*f] {
			sum[j] += float64(v)
		}
	}
	for j := range sum {
		sum[j] /= float64(groups)
	}
	ss := make([]float64, f)
	for r := 0; r < groups; r++ {
		for j, v := range x[r*f : (r+1)*f] {
			d := float64(v) - sum[j]
			ss[j] += d * d
		}
	}
	for j := range sum {
		if math.IsNaN(sum[j]) || math.IsInf(sum[j], 0) || math.IsNaN(ss[j]) || math.IsInf(ss[j], 0) {
			return fmt.Errorf("nn: Normalization.Adapt: feature %d has a non-finite mean or variance", j)
		}
		l.mean.Value[j] = float32(sum[j])
		l.variance.Value[j] = float32(ss[j] / float64(groups))
	}
	return nil
}

func (l *NormalizationLayer) reserve(rows int) {
	l.reserveIO(rows)
}

func (l *NormalizationLayer) forward(x []float32, rows int, _ mode) []float32 {
	f := len(l.mean.Value)
	for j := range l.invStd {
		l.invStd[j] = 1 / max(float32(math.Sqrt(float64(l.variance.Value[j]))), reg.Epsilon)
	}
	n := rows * l.inSize
	y := l.y[:n]
	// batch normalization's pass with gamma 1 and beta 0: (x-mean)*invStd
	// (a -0 comes out as +0)
	e := &l.par
	e.dst, e.x, e.cols = y, x[:n], f
	e.perCol = [4][]float32{l.mean.Value, l.invStd, l.ones, l.zeros}
	e.runFrom(batchNormForward, n, bnSplitElems)
	return y
}

func (l *NormalizationLayer) backward(dy []float32, rows int, _ bool) []float32 {
	f := len(l.mean.Value)
	n := rows * l.inSize
	dx := l.dx[:n]
	for r := 0; r < n/f; r++ {
		asm.Mul(dx[r*f:(r+1)*f], dy[r*f:(r+1)*f], l.invStd)
	}
	return dx
}
