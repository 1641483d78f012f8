package nn

import (
	"fmt"
	"math"
)

// activationLayer applies an activation function on its own (Activation,
// LeakyReLU).
type activationLayer struct {
	layerBase
	actName string
	slope   *float32 // a LeakyReLU layer's negative slope; nil for Activation
	act     activation
	par     elementwise
}

// Activation applies an activation function by name (Keras's Activation layer).
func Activation(name string) Layer { return &activationLayer{actName: name} }

// LeakyReLUSlope is the default negative slope of Keras's LeakyReLU layer
// (the "leaky_relu" activation string uses 0.2).
const LeakyReLUSlope = 0.3

// LeakyReLU is Keras's LeakyReLU(negative_slope) layer: y = x for x >= 0,
// negativeSlope*x otherwise. Keras's default slope is LeakyReLUSlope;
// negative slopes are rejected by Compile, as Keras rejects them.
func LeakyReLU(negativeSlope float32) Layer {
	return &activationLayer{actName: "leaky_relu", slope: &negativeSlope}
}

func (l *activationLayer) Spec() LayerSpec {
	if l.slope != nil {
		s := *l.slope
		return LayerSpec{Kind: "leaky_relu", Name: l.name, NegativeSlope: &s}
	}
	return LayerSpec{Kind: "activation", Name: l.name, Activation: l.actName}
}

func (l *activationLayer) build(in []int, _ uint64, _ *paramBudget) ([]int, error) {
	a, err := lookupActivation(l.actName)
	if err != nil {
		return nil, err
	}
	if l.slope != nil {
		if s := *l.slope; !(s >= 0) || math.IsInf(float64(s), 0) {
			return nil, fmt.Errorf("leaky relu negative_slope must be finite and >= 0, got %v", s)
		}
		a = leakyRelu(*l.slope)
	}
	if a.softmax && len(in) != 1 {
		return nil, fmt.Errorf("softmax activation needs flat input, got shape %v", in)
	}
	l.act = a
	l.setShapes(in, in)
	return l.out, nil
}

func (l *activationLayer) reserve(rows int) {
	l.reserveIO(rows)
}

func (l *activationLayer) forward(x []float32, rows int, m mode) []float32 {
	if l.act.linear() || (l.fuseSoft && !m.probs()) {
		return x
	}
	y := l.y[:rows*l.outSize]
	l.act.apply(&l.par, y, x[:rows*l.inSize], l.outSize)
	return y
}

func (l *activationLayer) backward(dy []float32, rows int, _ bool) []float32 {
	if l.act.linear() || l.fuseSoft {
		return dy
	}
	dx := l.dx[:rows*l.inSize]
	l.act.grad(&l.par, dx, l.outSize, dy[:rows*l.inSize], l.y[:rows*l.outSize], l.outSize)
	return dx
}
