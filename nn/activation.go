package nn

import (
	"fmt"

	"github.com/nnrt/nnrt/asm"
)

// activation is an element-wise activation with its derivative expressed
// from the output y (the asm convention), or softmax, which is row-wise.
type activation struct {
	name     string
	forward  func(dst, x []float32)
	backward func(dx, dy, y []float32) // nil for linear
	softmax  bool
}

// Keras 3's keras.activations.leaky_relu default negative slope, which the
// "leaky_relu" activation string uses (the LeakyReLU layer's default is
// LeakyReLUSlope, 0.3).
const leakyReluSlope = 0.2

// leakyRelu is the leaky ReLU activation with the given negative slope
// (>= 0, so that the gradient can be read from the output's sign).
func leakyRelu(slope float32) activation {
	return activation{name: "leaky_relu",
		forward:  func(d, x []float32) { asm.LeakyRelu(d, x, slope) },
		backward: func(dx, dy, y []float32) { asm.LeakyReluGrad(dx, dy, y, slope) }}
}

// eluAlpha is keras.activations.elu's default alpha.
const eluAlpha = 1.0

var activations = map[string]activation{
	"linear":     {name: "linear"},
	"relu":       {name: "relu", forward: asm.Relu, backward: asm.ReluGrad},
	"leaky_relu": leakyRelu(leakyReluSlope),
	"elu": {name: "elu",
		forward:  func(d, x []float32) { asm.Elu(d, x, eluAlpha) },
		backward: func(dx, dy, y []float32) { asm.EluGrad(dx, dy, y, eluAlpha) }},
	"selu":    {name: "selu", forward: asm.Selu, backward: asm.SeluGrad},
	"tanh":    {name: "tanh", forward: asm.Tanh, backward: asm.TanhGrad},
	"sigmoid": {name: "sigmoid", forward: asm.Sigmoid, backward: asm.SigmoidGrad},
	"softmax": {name: "softmax", softmax: true},
}

func lookupActivation(name string) (activation, error) {
	if name == "" {
		name = "linear"
	}
	a, ok := activations[name]
	if !ok {
		return activation{}, fmt.Errorf("unknown activation %q (want linear, relu, leaky_relu, elu, selu, tanh, sigmoid or softmax)", name)
	}
	return a, nil
}

func (a activation) linear() bool { return a.forward == nil && !a.softmax }

// apply writes act(x) to dst for rows of cols values.
func (a activation) apply(e *elementwise, dst, x []float32, cols int) {
	switch {
	case a.softmax:
		asm.Softmax(dst, x, cols)
	case a.forward == nil:
		copy(dst, x)
	default:
		e.dst, e.x, e.act = dst, x, a
		e.run(actForward, len(dst))
	}
}

// applyBias adds bias to the rows of x (of len(bias) values) in place and
// writes act(x) to dst (dst is not written when the activation is linear;
// skipAct: the caller wants x + bias only, as a Dense layer whose softmax
// the loss fuses). Bias and element-wise activation run as one pass, split
// across threads; softmax, which needs whole rows, runs after.
func (a activation) applyBias(e *elementwise, dst, x, bias []float32, skipAct bool) {
	e.dst, e.x, e.bias, e.act = dst, x, bias, a
	if skipAct || a.softmax {
		e.act = activation{}
	}
	e.run(biasActForward, len(x))
	if a.softmax && !skipAct {
		asm.Softmax(dst, x, len(bias))
	}
}

// grad writes dL/dx to dx from dL/dy and the output y, rows of cols
// values (dx's rows ldx >= cols apart; its padding is not written). For
// softmax, the Jacobian-vector product per row: dx_j = y_j (dy_j - sum_k
// dy_k y_k).
func (a activation) grad(e *elementwise, dx []float32, ldx int, dy, y []float32, cols int) {
	switch {
	case a.softmax:
		for r := 0; r < len(y)/cols; r++ {
			yr, dyr, dxr := y[r*cols:(r+1)*cols], dy[r*cols:(r+1)*cols], dx[r*ldx:r*ldx+cols]
			s := asm.Dot(dyr, yr)
			for j := range yr {
				dxr[j] = yr[j] * (dyr[j] - s)
			}
		}
	case a.backward == nil && ldx == cols:
		copy(dx, dy)
	case a.backward == nil:
		for r := 0; r < len(dy)/cols; r++ {
			copy(dx[r*ldx:r*ldx+cols], dy[r*cols:(r+1)*cols])
		}
	case ldx == cols:
		e.dst, e.x, e.y, e.act = dx, dy, y, a
		e.run(actBackward, len(dy))
	default:
		e.dst, e.x, e.y, e.act, e.cols, e.ld = dx, dy, y, a, cols, ldx
		e.run(actBackwardRows, len(dy))
	}
}
