package nn

import (
	"fmt"
	"math"

	"github.com/nnrt/nnrt/asm"
)

// BatchNormConfig configures BatchNormalization over the last axis. Zero
// values take Keras's defaults: Momentum 0.99, Epsilon 1e-3, trainable.
type BatchNormConfig struct {
	Momentum float32 `json:"momentum,omitempty"`
	Epsilon  float32 `json:"epsilon,omitempty"`
	// Trainable false (Keras's layer.trainable = False) freezes the layer:
	// gamma and beta are not trained, and the layer runs in inference mode
	// (moving statistics, left unchanged) even during Fit, as Keras 3's
	// BatchNormalization does. nil means true.
	Trainable *bool `json:"trainable,omitempty"`
}

type batchNorm struct {
	layerBase
	cfg                      BatchNormConfig
	momentum, eps            float32
	gamma, beta, mmean, mvar *Param

	frozen   bool // Trainable false
	training bool // the last forward used the batch statistics
	xhat     []float32
	// per feature: the last batch's mean and 1/sqrt(var+eps) (or the
	// moving statistics' in inference), the sums of dy and dy*xhat and
	// then their means, and gamma*invStd
	mean, invStd     []float32
	sumDy, sumDyXhat []float32
	scale            []float32
	sums             colSums
	part, part2      []float32 // the sums' blocks (see colSums)
	par              elementwise
}

// BatchNormalization normalizes each feature (Keras's BatchNormalization,
// axis -1, center and scale): in training with the batch's biased mean and
// variance, updating moving = moving*momentum + batch*(1-momentum); in
// inference with the moving statistics.
func BatchNormalization(cfg BatchNormConfig) Layer { return &batchNorm{cfg: cfg} }

func (l *batchNorm) Spec() LayerSpec {
	c := l.cfg
	return LayerSpec{Kind: "batch_normalization", Name: l.name, BatchNorm: &c}
}

func (l *batchNorm) build(in []int, _ uint64, pb *paramBudget) ([]int, error) {
	l.momentum, l.eps = l.cfg.Momentum, l.cfg.Epsilon
	if l.momentum == 0 {
		l.momentum = 0.99
	}
	if l.eps == 0 {
		l.eps = 1e-3
	}
	if !(l.momentum > 0 && l.momentum < 1) || !(l.eps > 0) {
		return nil, fmt.Errorf("batch normalization needs 0 < momentum < 1 and epsilon > 0, got %v, %v", l.momentum, l.eps)
	}
	f := in[len(in)-1]
	l.setShapes(in, in)
	l.frozen = l.cfg.Trainable != nil && !*l.cfg.Trainable
	if err := pb.charge([]int{f}, []int{f}, []int{f}, []int{f}); err != nil {
		return nil, err
	}
	l.gamma = newParam(l.name+"/gamma", !l.frozen, f)
	l.beta = newParam(l.name+"/beta", !l.frozen, f)
	l.mmean = newParam(l.name+"/moving_mean", false, f)
	l.mvar = newParam(l.name+"/moving_variance", false, f)
	for i := 0; i < f; i++ {
		l.gamma.Value[i], l.mvar.Value[i] = 1, 1
	}
	l.params = []*Param{l.gamma, l.beta, l.mmean, l.mvar}
	l.mean, l.invStd = make([]float32, f), make([]float32, f)
	l.sumDy, l.sumDyXhat, l.scale = make([]float32, f), make([]float32, f), make([]float32, f)
	return l.out, nil
}

func (l *batchNorm) reserve(rows int) {
	l.reserveIO(rows)
	l.xhat = grow(l.xhat, rows*l.outSize)
	f := len(l.mean)
	l.part = grow(l.part, colSumsPartLen(rows, f, f))
	l.part2 = grow(l.part2, colSumsPartLen(rows, f, f))
}

// forward normalizes with the batch's moments in training (the mean, then
// the mean of the squared deviations from it: two passes, as Keras's
// moments), else with the moving ones. The sums over the batch are
// float32 in fixed blocks of rows (colSums), so their bits do not depend
// on the thread count.
func (l *batchNorm) forward(x []float32, rows int, m mode) []float32 {
	f := len(l.mean)
	n := rows * l.inSize
	x, y := x[:n], l.y[:n]
	l.training = m == training && !l.frozen
	mean, xhat := l.mmean.Value, []float32(nil)
	if l.training {
		groups := float32(n / f)
		l.sums.run(l.mean, x, f, l.part)
		for j := range l.mean {
			l.mean[j] /= groups
		}
		l.sums.runSqDev(l.invStd, x, l.mean, l.part)
		mom := l.momentum
		for j, v := range l.invStd {
			v /= groups
			l.mmean.Value[j] = l.mmean.Value[j]*mom + l.mean[j]*(1-mom)
			l.mvar.Value[j] = l.mvar.Value[j]*mom + v*(1-mom)
			l.invStd[j] = invSqrt(v, l.eps)
		}
		mean, xhat = l.mean, l.xhat[:n]
	} else {
		for j, v := range l.mvar.Value {
			l.invStd[j] = invSqrt(v, l.eps)
		}
	}
	e := &l.par
	e.dst, e.x, e.xhat, e.cols = y, x, xhat, f
	e.perCol = [4][]float32{mean, l.invStd, l.gamma.Value, l.beta.Value}
	e.runFrom(batchNormForward, n, bnSplitElems)
	return y
}

// bnSplitElems is the size from which batch normalization's passes are
// split across threads, higher than parallelElems (probably because the
// sums after them, one block under 64 rows, run on one thread and read
// what the other core wrote). BenchmarkBatchNorm on two threads, split
// from 2^14 against 2^16 (six alternated runs): 32x784 (then serial) 0.69
// of the time, 256x784 and 256x300 the same.
const bnSplitElems = 1 << 16

// invSqrt is 1/sqrt(v+eps), rounded once from float64.
func invSqrt(v, eps float32) float32 { return float32(1 / math.Sqrt(float64(v)+float64(eps))) }

// batchNormForward is asm.BatchNorm on the elements [lo, hi).
func batchNormForward(e *elementwise, lo, hi int) {
	c := e.perCol
	forRowParts(lo, hi, e.cols, func(i, n, j, w int) {
		var xhat []float32
		if e.xhat != nil {
			xhat = e.xhat[i : i+n]
		}
		asm.BatchNorm(e.dst[i:i+n], xhat, e.x[i:i+n], c[0][j:j+w], c[1][j:j+w], c[2][j:j+w], c[3][j:j+w])
	})
}

// batchNormBackward is asm.BatchNormGrad on the elements [lo, hi).
func batchNormBackward(e *elementwise, lo, hi int) {
	c := e.perCol
	forRowParts(lo, hi, e.cols, func(i, n, j, w int) {
		asm.BatchNormGrad(e.dst[i:i+n], e.x[i:i+n], e.xhat[i:i+n], c[0][j:j+w], c[1][j:j+w], c[2][j:j+w])
	})
}

// backward follows a training-mode forward: with g = dy*gamma,
// dx = invStd*(g - mean(g) - xhat*mean(g*xhat)) per feature, computed as
// gamma*invStd*((dy - mean(dy)) - xhat*mean(dy*xhat));
// dgamma = sum dy*xhat, dbeta = sum dy. A frozen layer's forward is the
// inference-mode affine map, whose gradient is dx = dy*gamma*invStd.
func (l *batchNorm) backward(dy []float32, rows int, needDX bool) []float32 {
	f := len(l.mean)
	n := rows * l.inSize
	groups := n / f
	asm.Mul(l.scale, l.gamma.Value, l.invStd)
	if !l.training {
		if !needDX {
			return nil
		}
		// invStd holds the moving statistics' 1/sqrt(var+eps) of this forward
		dx := l.dx[:n]
		for r := 0; r < groups; r++ {
			asm.Mul(dx[r*f:(r+1)*f], dy[r*f:(r+1)*f], l.scale)
		}
		return dx
	}
	dy, xhat := dy[:n], l.xhat[:n]
	l.sums.runDots(l.sumDy, l.sumDyXhat, dy, xhat, l.part, l.part2)
	copy(l.beta.Grad, l.sumDy)
	copy(l.gamma.Grad, l.sumDyXhat)
	if !needDX {
		return nil
	}
	for j := range l.sumDy {
		l.sumDy[j] /= float32(groups)
		l.sumDyXhat[j] /= float32(groups)
	}
	dx := l.dx[:n]
	e := &l.par
	e.dst, e.x, e.xhat, e.cols = dx, dy, xhat, f
	e.perCol = [4][]float32{l.scale, l.sumDy, l.sumDyXhat}
	e.runFrom(batchNormBackward, n, bnSplitElems)
	return dx
}
