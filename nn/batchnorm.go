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

	frozen           bool // Trainable false
	training         bool // the last forward used the batch statistics
	xhat             []float32
	mean, invStd     []float32 // per feature, of the last training batch
	sumDy, sumDyXhat []float32
	scale            []float32 // gamma*invStd, for the inference-mode gradient
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
}

func (l *batchNorm) forward(x []float32, rows int, m mode) []float32 {
	f := len(l.mean)
	n := rows * l.inSize
	x, y := x[:n], l.y[:n]
	l.training = m == training && !l.frozen
	if !l.training {
		for j := 0; j < f; j++ {
			l.invStd[j] = float32(1 / math.Sqrt(float64(l.mvar.Value[j]+l.eps)))
		}
		for r := 0; r < n/f; r++ {
			for j := 0; j < f; j++ {
				i := r*f + j
				y[i] = l.gamma.Value[j]*(x[i]-l.mmean.Value[j])*l.invStd[j] + l.beta.Value[j]
			}
		}
		return y
	}
	// Batch moments in float64: sums over up to thousands of rows.
	groups := n / f
	for j := 0; j < f; j++ {
		var s float64
		for r := 0; r < groups; r++ {
			s += float64(x[r*f+j])
		}
		mean := s / float64(groups)
		var v float64
		for r := 0; r < groups; r++ {
			d := float64(x[r*f+j]) - mean
			v += d * d
		}
		v /= float64(groups)
		l.mean[j] = float32(mean)
		l.invStd[j] = float32(1 / math.Sqrt(v+float64(l.eps)))
		mom := l.momentum
		l.mmean.Value[j] = l.mmean.Value[j]*mom + float32(mean)*(1-mom)
		l.mvar.Value[j] = l.mvar.Value[j]*mom + float32(v)*(1-mom)
	}
	xhat := l.xhat[:n]
	for r := 0; r < groups; r++ {
		for j := 0; j < f; j++ {
			i := r*f + j
			xhat[i] = (x[i] - l.mean[j]) * l.invStd[j]
			y[i] = l.gamma.Value[j]*xhat[i] + l.beta.Value[j]
		}
	}
	return y
}

// backward follows a training-mode forward: with g = dy*gamma,
// dx = invStd*(g - mean(g) - xhat*mean(g*xhat)) per feature;
// dgamma = sum dy*xhat, dbeta = sum dy. A frozen layer's forward is the
// inference-mode affine map, whose gradient is dx = dy*gamma*invStd.
func (l *batchNorm) backward(dy []float32, rows int, needDX bool) []float32 {
	f := len(l.mean)
	n := rows * l.inSize
	groups := n / f
	if !l.training {
		if !needDX {
			return nil
		}
		// invStd holds the moving statistics' 1/sqrt(var+eps) of this forward
		dx := l.dx[:n]
		asm.Mul(l.scale, l.gamma.Value, l.invStd)
		for r := 0; r < groups; r++ {
			asm.Mul(dx[r*f:(r+1)*f], dy[r*f:(r+1)*f], l.scale)
		}
		return dx
	}
	dy, xhat := dy[:n], l.xhat[:n]
	clear(l.sumDy)
	clear(l.sumDyXhat)
	for r := 0; r < groups; r++ {
		for j := 0; j < f; j++ {
			i := r*f + j
			l.sumDy[j] += dy[i]
			l.sumDyXhat[j] += dy[i] * xhat[i]
		}
	}
	copy(l.beta.Grad, l.sumDy)
	copy(l.gamma.Grad, l.sumDyXhat)
	if !needDX {
		return nil
	}
	dx := l.dx[:n]
	inv := 1 / float32(groups)
	for r := 0; r < groups; r++ {
		for j := 0; j < f; j++ {
			i := r*f + j
			g := l.gamma.Value[j]
			dx[i] = g * l.invStd[j] * (dy[i] - l.sumDy[j]*inv - xhat[i]*l.sumDyXhat[j]*inv)
		}
	}
	return dx
}
