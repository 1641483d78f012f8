package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/nnrt/nnrt/reg"
)

// gradCase is one model and loss whose analytic gradients are checked
// against central finite differences.
type gradCase struct {
	name       string
	input      []int
	layers     func() []Layer
	loss       string
	fromLogits bool
	targets    bool    // dense targets instead of labels
	zeros      float64 // the fraction of the inputs set to 0, multiplied on their nonzeros (sparseInput)
}

func denseL(units int, act string) Layer {
	return Dense(DenseConfig{Units: units, Activation: act, KernelInitializer: "glorot_normal", BiasInitializer: "ones"})
}

func gradCases() []gradCase {
	var cases []gradCase
	for _, act := range []string{"linear", "relu", "leaky_relu", "elu", "selu", "tanh", "sigmoid", "softmax"} {
		cases = append(cases, gradCase{name: "activation=" + act, input: []int{5},
			layers: func() []Layer { return []Layer{denseL(6, act), denseL(4, "softmax")} }})
		cases = append(cases, gradCase{name: "layer_activation=" + act, input: []int{5},
			layers: func() []Layer { return []Layer{denseL(6, "linear"), Activation(act), denseL(4, "softmax")} }})
	}
	book := func() []Layer {
		return []Layer{Flatten(), denseL(7, "elu"), denseL(5, "elu"), denseL(3, "softmax")}
	}
	cases = append(cases,
		gradCase{name: "book_sparse_fused", input: []int{2, 3}, layers: book},
		gradCase{name: "sparse_from_logits", input: []int{4}, fromLogits: true,
			layers: func() []Layer { return []Layer{denseL(5, "tanh"), denseL(3, "linear")} }},
		gradCase{name: "sparse_probabilities_sigmoid", input: []int{4},
			layers: func() []Layer { return []Layer{denseL(5, "tanh"), denseL(3, "sigmoid")} }},
		gradCase{name: "categorical_fused", input: []int{4}, loss: CategoricalCrossentropy, targets: true,
			layers: func() []Layer { return []Layer{denseL(5, "elu"), denseL(3, "softmax")} }},
		gradCase{name: "categorical_from_logits", input: []int{4}, loss: CategoricalCrossentropy, targets: true, fromLogits: true,
			layers: func() []Layer { return []Layer{denseL(5, "elu"), denseL(3, "linear")} }},
		gradCase{name: "categorical_probabilities", input: []int{4}, loss: CategoricalCrossentropy, targets: true,
			layers: func() []Layer { return []Layer{denseL(5, "elu"), denseL(3, "sigmoid")} }},
		gradCase{name: "mse", input: []int{4}, loss: MeanSquaredError, targets: true,
			layers: func() []Layer { return []Layer{denseL(5, "selu"), denseL(2, "linear")} }},
		gradCase{name: "mse_softmax_not_fused", input: []int{4}, loss: MeanSquaredError, targets: true,
			layers: func() []Layer { return []Layer{denseL(5, "relu"), denseL(3, "softmax")} }},
		gradCase{name: "dropout", input: []int{6},
			layers: func() []Layer { return []Layer{Dropout(0.3), denseL(5, "elu"), Dropout(0.5), denseL(3, "softmax")} }},
		gradCase{name: "alpha_dropout", input: []int{6},
			layers: func() []Layer {
				return []Layer{denseL(5, "selu"), AlphaDropout(0.2), denseL(3, "softmax")}
			}},
		gradCase{name: "batch_norm", input: []int{4},
			layers: func() []Layer {
				return []Layer{BatchNormalization(BatchNormConfig{}), denseL(5, "linear"), BatchNormalization(BatchNormConfig{Momentum: 0.9}), Activation("elu"), denseL(3, "softmax")}
			}},
		gradCase{name: "batch_norm_frozen", input: []int{4},
			layers: func() []Layer {
				f := false
				return []Layer{denseL(5, "linear"), BatchNormalization(BatchNormConfig{Trainable: &f}), Activation("elu"), denseL(3, "softmax")}
			}},
		gradCase{name: "leaky_relu_layer", input: []int{5},
			layers: func() []Layer { return []Layer{denseL(6, "linear"), LeakyReLU(LeakyReLUSlope), denseL(4, "softmax")} }},
		gradCase{name: "dropout_noise_shape", input: []int{2, 3},
			layers: func() []Layer {
				return []Layer{Dropout(0.4, 0, 1, 0), Flatten(), denseL(5, "elu"), Dropout(0.5, 0, 1), denseL(4, "selu"), Dropout(0.3, 1, 0), denseL(3, "softmax")}
			}},
		gradCase{name: "alpha_dropout_noise_shape", input: []int{6},
			layers: func() []Layer {
				return []Layer{denseL(5, "selu"), AlphaDropout(0.3, 0, 1), denseL(4, "selu"), AlphaDropout(0.2, 1, 0), denseL(3, "softmax")}
			}},
		gradCase{name: "normalization", input: []int{4},
			layers: func() []Layer {
				return []Layer{denseL(5, "tanh"), Normalization(), denseL(3, "softmax")}
			}},
		gradCase{name: "regularizers", input: []int{4},
			layers: func() []Layer {
				return []Layer{
					Dense(DenseConfig{Units: 5, Activation: "elu", KernelInitializer: "he_normal", BiasInitializer: "ones",
						KernelRegularizer: reg.L1L2{L1: 0.01, L2: 0.02}, BiasRegularizer: reg.L2(0.03)}),
					Dense(DenseConfig{Units: 3, Activation: "softmax", KernelRegularizer: reg.L1(0.05)}),
				}
			}},
		gradCase{name: "sparse_input", input: []int{2, 9}, zeros: 0.8,
			layers: func() []Layer {
				return []Layer{Flatten(), denseL(5, "elu"), Dropout(0.3), denseL(3, "softmax")}
			}},
		gradCase{name: "sparse_input_regularized", input: []int{18}, zeros: 0.8,
			layers: func() []Layer {
				return []Layer{
					Dense(DenseConfig{Units: 6, Activation: "selu", KernelRegularizer: reg.L1L2{L1: 0.01, L2: 0.02}}),
					denseL(3, "softmax"),
				}
			}},
		gradCase{name: "no_bias", input: []int{4},
			layers: func() []Layer {
				f := false
				return []Layer{Dense(DenseConfig{Units: 5, Activation: "tanh", UseBias: &f}), denseL(3, "softmax")}
			}},
	)
	return cases
}

// TestGradients compares every trainable parameter's gradient from
// gradients() with central differences of the loss (penalties included),
// for every layer, activation, loss and regularizer, alone and composed.
func TestGradients(t *testing.T) {
	const rows = 5
	for _, c := range gradCases() {
		t.Run(c.name, func(t *testing.T) {
			m := NewSequential(c.input, c.layers()...)
			if err := m.Compile(CompileConfig{Optimizer: NewSGD(0.1), Loss: c.loss, FromLogits: c.fromLogits, Seed: 3}); err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(1, 2))
			in := prod(c.input)
			x := make([]float32, rows*in)
			for i := range x {
				x[i] = float32(rng.NormFloat64())
				if c.zeros > 0 && rng.Float64() < c.zeros {
					x[i] = 0
				}
			}
			if c.zeros > 0 {
				defer forceSparse()()
			}
			var labels []int32
			var targets []float32
			if c.targets {
				targets = make([]float32, rows*m.outCols)
				for r := 0; r < rows; r++ {
					if c.loss == MeanSquaredError {
						for j := 0; j < m.outCols; j++ {
							targets[r*m.outCols+j] = float32(rng.NormFloat64())
						}
					} else {
						// soft targets that sum to 1
						var s float32
						for j := 0; j < m.outCols; j++ {
							v := float32(rng.Float64()) + 0.1
							targets[r*m.outCols+j] = v
							s += v
						}
						for j := 0; j < m.outCols; j++ {
							targets[r*m.outCols+j] /= s
						}
					}
				}
			} else {
				labels = make([]int32, rows)
				for i := range labels {
					labels[i] = int32(rng.IntN(m.outCols))
				}
			}
			for _, l := range m.layers {
				if nl, ok := l.(*NormalizationLayer); ok {
					nl.mean.Value[1], nl.variance.Value[1], nl.variance.Value[3] = 0.3, 2.5, 0.2
				}
				if bn, ok := l.(*batchNorm); ok && bn.frozen {
					copy(bn.mmean.Value, []float32{0.5, -1, 0, 2, 0.1})
					copy(bn.mvar.Value, []float32{2, 0.5, 1, 3, 0.2})
					copy(bn.gamma.Value, []float32{1.5, 0.7, -1, 1, 2})
				}
			}
			m.reserve(rows)
			// Dropout layers must draw the same mask in every pass.
			resetDropout := func() {
				for _, l := range m.layers {
					if d, ok := l.(*dropoutLayer); ok {
						d.offset = 0
					}
				}
			}
			lossAt := func() float64 {
				resetDropout()
				out := m.forward(x, rows, training, nil)
				return m.loss.compute(nil, out, labels, targets, rows, m.outCols, 0)/rows + m.penalties()
			}
			resetDropout()
			m.gradients(x, labels, targets, rows, nil)
			if first := firstDense(m); c.zeros > 0 && (first == nil || !first.sparse || !first.sparseDW) {
				t.Fatal("the first Dense layer did not multiply its input on its nonzeros")
			}
			for _, p := range m.opt.params {
				analytic := append([]float32(nil), p.Grad...)
				for i := range p.Value {
					orig := p.Value[i]
					h := float32(1e-3) * max(1, float32(math.Abs(float64(orig))))
					p.Value[i] = orig + h
					lp := lossAt()
					p.Value[i] = orig - h
					lm := lossAt()
					p.Value[i] = orig
					numeric := (lp - lm) / float64(2*h)
					a := float64(analytic[i])
					if d := math.Abs(numeric - a); d > 2e-3+2e-2*math.Abs(numeric) {
						t.Errorf("%s[%d]: analytic %.6g, numeric %.6g", p.Name, i, a, numeric)
					}
				}
			}
		})
	}
}

func firstDense(m *Sequential) *dense {
	for _, l := range m.layers {
		if d, ok := l.(*dense); ok {
			return d
		}
	}
	return nil
}

// TestGradientsL1AtKink: L1's subgradient at w = 0 is 0 (Keras's sign(0)).
func TestGradientsL1AtKink(t *testing.T) {
	g := []float32{1, 1, 1}
	w := []float32{-2, 0, 3}
	p := reg.L1L2{L1: 0.5, L2: 0.25}.AddGrad(g, w)
	want := []float32{1 - 0.5 - 1, 1, 1 + 0.5 + 1.5}
	for i := range g {
		if math.Abs(float64(g[i]-want[i])) > 1e-6 {
			t.Errorf("g[%d] = %v, want %v", i, g[i], want[i])
		}
	}
	if wantP := 0.5*5 + 0.25*13; math.Abs(p-wantP) > 1e-5 {
		t.Errorf("penalty %v, want %v", p, wantP)
	}
}
