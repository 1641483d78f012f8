package nn

import (
	"fmt"
	"math"

	"github.com/nnrt/nnrt/blas"
	"github.com/nnrt/nnrt/reg"
	"github.com/nnrt/nnrt/runtime"
)

// Param is one variable of a layer: its values, its gradient (nil for
// non-trainable state such as batch-norm moving statistics), its penalty
// and its constraint. A matrix is row-major with Cols columns.
type Param struct {
	Name      string // "dense/kernel", "batch_normalization/moving_mean", ...
	Shape     []int
	Value     []float32
	Grad      []float32 // nil when not trainable
	Penalty   reg.L1L2
	Constrain reg.Constraint // applied after each update; nil for none
	Cols      int

	// fusable: the owning layer can apply a plain SGD update inside its
	// gradient product (Dense kernels). fuseLR != 0 during a step asks it
	// to: W = fuseDecay*W - fuseLR * X^T dZ as one Sgemm (fuseDecay is 1,
	// or 1 - 2*lr*l2 with an L2 penalty, whose gradient 2*l2*W folds into
	// the product's beta), which saves a pass over the gradient and the
	// weights; the layer then leaves the penalty of W before the update in
	// fusedPenalty, and the optimizer skips the update of this variable.
	fusable      bool
	fuseLR       float32
	fuseDecay    float32
	fusedPenalty float64
	// foldL2: the optimizer's update kernel adds the L2 penalty's
	// gradient 2*l2*W itself, during this step (see Optimizer.planFused),
	// so the backward pass takes only the penalty's value.
	foldL2 bool
	// fuseRows, when set during a step, is the optimizer's update of this
	// variable a group of rows of the gradient at a time: a layer whose
	// gradient product can hand it the rows (blas.SgemmSparseRows) applies
	// the update that way, leaves the penalty of W before it in
	// fusedPenalty and sets updated; the optimizer then skips it.
	fuseRows blas.RowsFunc
	updated  bool
}

func newParam(name string, trainable bool, shape ...int) *Param {
	n := prod(shape)
	p := &Param{Name: name, Shape: shape, Value: zeroed(n), Cols: shape[len(shape)-1]}
	if trainable {
		p.Grad = zeroed(n)
	}
	return p
}

// paramBudget bounds the values that a model's layers allocate for their
// variables while Compile builds them. Load sets it to the values that its
// weights file holds, so that a corrupt or hostile configuration (a layer
// of 10^11 units) is an error rather than a process killed for memory;
// without a limit, it still refuses variables of more than maxSize values.
type paramBudget struct {
	limited bool
	left    int
}

// charge takes from the budget the values of variables of the given shapes
// (every dimension > 0), before a layer allocates them.
func (pb *paramBudget) charge(shapes ...[]int) error {
	total := 0
	for _, sh := range shapes {
		n, ok := checkedProd(sh)
		if !ok || n > maxSize-total {
			return fmt.Errorf("a variable of shape %v is too large", sh)
		}
		total += n
	}
	if pb.limited && total > pb.left {
		return fmt.Errorf("its variables need %d values, more than the weights file holds (%d left)", total, pb.left)
	}
	pb.left -= total
	return nil
}

// maxSize bounds the values of one variable, and of one sample at any
// layer: 2^40, four TiB of float32 (a product of larger dimensions is a
// corrupt configuration, whatever the memory), or math.MaxInt where int
// has 32 bits.
const maxSize = min(1<<40, math.MaxInt)

// checkedProd returns the product of shape's dimensions and whether every
// one is positive and the product is at most maxSize.
func checkedProd(shape []int) (int, bool) {
	n := 1
	for _, d := range shape {
		if d <= 0 || d > maxSize/n {
			return 0, false
		}
		n *= d
	}
	return n, true
}

// Trainable reports whether the optimizer updates p.
func (p *Param) Trainable() bool { return p.Grad != nil }

// mode is the forward pass's mode.
type mode int

const (
	evaluate  mode = iota // Evaluate: dropout off, batch norm uses moving statistics, a fused softmax emits logits
	predict               // Predict: as evaluate, but every activation is applied (probabilities out)
	training              // Fit: dropout on, batch norm uses and updates batch statistics, fused softmax emits logits
	mcDropout             // PredictMC: dropout on, batch norm in inference mode, probabilities out
)

// probs reports whether a softmax fused with the loss must still be applied.
func (m mode) probs() bool { return m == predict || m == mcDropout }

// Layer is one layer of a Sequential model. Build one with Flatten, Dense,
// Dropout, AlphaDropout, BatchNormalization or Activation; a layer belongs
// to one model.
type Layer interface {
	// Name is the layer's unique name in its model ("dense_1").
	Name() string
	// Spec is the layer's serializable configuration.
	Spec() LayerSpec
	// OutputShape is the shape of one sample's output, known after Compile.
	OutputShape() []int
	// Params are the layer's variables (after Compile).
	Params() []*Param

	base() *layerBase
	build(in []int, seed uint64, pb *paramBudget) (out []int, err error)
	reserve(rows int)
	forward(x []float32, rows int, m mode) []float32
	backward(dy []float32, rows int, needDX bool) []float32
}

// layerBase holds what every layer has.
type layerBase struct {
	name     string
	in, out  []int
	inSize   int
	outSize  int
	capRows  int
	params   []*Param
	fuseSoft bool // last layer whose softmax the loss fuses: forward emits logits except in predict
	// y and dx are the output and the input's gradient of a layer that
	// writes its own (not Flatten's), for capRows rows.
	y, dx []float32
}

// reserveIO sizes y and dx for rows rows.
func (b *layerBase) reserveIO(rows int) {
	b.capRows = rows
	b.y = grow(b.y, rows*b.outSize)
	b.dx = grow(b.dx, rows*b.inSize)
}

func (b *layerBase) Name() string       { return b.name }
func (b *layerBase) OutputShape() []int { return append([]int(nil), b.out...) }
func (b *layerBase) Params() []*Param   { return b.params }
func (b *layerBase) base() *layerBase   { return b }
func (b *layerBase) setShapes(in, out []int) {
	b.in, b.out = append([]int(nil), in...), append([]int(nil), out...)
	b.inSize, b.outSize = prod(in), prod(out)
}

func prod(s []int) int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

// grow returns buf with room for n values, reallocating only when it must.
// Buffers come from runtime's 64-byte aligned pools (the vector kernels
// then never split a cache line on a full-width load); their contents are
// not zeroed: every user writes a buffer before reading it.
func grow(buf []float32, n int) []float32 {
	if cap(buf) >= n {
		return buf[:n]
	}
	if buf != nil {
		runtime.Free(buf)
	}
	return runtime.Alloc(n)
}

// zeroed returns an aligned, zeroed buffer of n values.
func zeroed(n int) []float32 {
	b := runtime.Alloc(n)
	clear(b)
	return b
}

// LayerSpec is a layer's configuration, as saved in the model's JSON.
type LayerSpec struct {
	Kind       string           `json:"kind"` // flatten, dense, dropout, alpha_dropout, batch_normalization, activation, leaky_relu, normalization
	Name       string           `json:"name,omitempty"`
	Dense      *DenseConfig     `json:"dense,omitempty"`
	Rate       float32          `json:"rate,omitempty"`
	Activation string           `json:"activation,omitempty"`
	BatchNorm  *BatchNormConfig `json:"batch_normalization,omitempty"`
	// NoiseShape is a dropout layer's noise shape (see Dropout).
	NoiseShape []int `json:"noise_shape,omitempty"`
	// NegativeSlope is a leaky_relu layer's slope.
	NegativeSlope *float32 `json:"negative_slope,omitempty"`
}

// ---- Flatten ----

type flatten struct{ layerBase }

// Flatten reshapes each sample to a vector (Keras's Flatten); it copies nothing.
func Flatten() Layer { return &flatten{} }

func (l *flatten) Spec() LayerSpec { return LayerSpec{Kind: "flatten", Name: l.name} }
func (l *flatten) build(in []int, _ uint64, _ *paramBudget) ([]int, error) {
	l.setShapes(in, []int{prod(in)})
	return l.out, nil
}
func (l *flatten) reserve(int)                                    {}
func (l *flatten) forward(x []float32, _ int, _ mode) []float32   { return x }
func (l *flatten) backward(dy []float32, _ int, _ bool) []float32 { return dy }
