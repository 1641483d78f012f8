package nn

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/nnrt/nnrt/asm"
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
	// to: W += -fuseLR * X^T dZ as one Sgemm with beta = 1, which saves a
	// pass over the gradient and the weights; the optimizer then skips the
	// update of this variable.
	fusable bool
	fuseLR  float32
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
// corrupt configuration, whatever the memory).
const maxSize = 1 << 40

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

// ---- Dense ----

// DenseConfig configures a Dense layer as Keras's Dense does. Empty strings
// take Keras's defaults: no activation, glorot_uniform kernel, zeros bias.
type DenseConfig struct {
	Units             int                 `json:"units"`
	Activation        string              `json:"activation,omitempty"`
	KernelInitializer string              `json:"kernel_initializer,omitempty"`
	BiasInitializer   string              `json:"bias_initializer,omitempty"`
	KernelRegularizer reg.L1L2            `json:"kernel_regularizer"`
	BiasRegularizer   reg.L1L2            `json:"bias_regularizer"`
	KernelConstraint  *reg.ConstraintSpec `json:"kernel_constraint,omitempty"`
	// UseBias false drops the bias (Keras use_bias=False); nil means true.
	UseBias *bool `json:"use_bias,omitempty"`
}

type dense struct {
	layerBase
	cfg          DenseConfig
	act          activation
	kernel, bias *Param

	x      []float32 // the input of the last forward pass (not owned)
	z, y   []float32 // pre-activation and output
	dz, dx []float32
	// ldz is dz's row stride: units rounded up to whole vectors of 16, so
	// that the dW products read dz's rows aligned, in place (SgemmSparse
	// otherwise copies all of dz on each thread first). Two threads, the
	// book's first layer: the sparse dW 0.93 of the time at batch 256, 0.95
	// at 32; the training step (BenchmarkTrainStep, six paired rounds)
	// 0.94 and 0.97. The values, and so the bits, are the same.
	ldz   int
	par   elementwise // the activation's passes, split across threads
	bsum  colSums     // the bias gradient's column sums
	bpart []float32   // their blocks' sums (see colSums)

	// The input's products on its nonzeros (see sparseGate): xs holds
	// the input compressed (x for the forward product, then xᵀ for dW);
	// sparse and sparseDW say whether the last passes used it.
	xs               blas.Sparse
	fwdGate, dwGate  sparseGate
	sparse, sparseDW bool
}

// Sparse inputs. A batch whose values are mostly zeros (images with a
// blank background, one-hot or bag-of-words features, an input dropout)
// is multiplied on its nonzeros (blas.SgemmSparse), in the forward pass
// (x by rows) and in dW (xᵀ by rows: pairs of adjacent features), each when
// a pair of rows leaves at most sparseMaxDensityFwd (forward) or
// sparseMaxDensity (dW) of the dense multiply-adds. Measured on
// Fashion-MNIST batches of 256 (pixels half zeros) with more zeros added,
// two threads, before the dense forward was split by depth, the sparse products
// against the dense ones (forward, dW): densities 0.66 and 0.55 (x and xᵀ
// of plain Fashion-MNIST; the forward stays dense) 1.00 and 1.28, 0.58 and
// 0.51 (with the book's input dropout 0.2) 1.04 and 1.32, 0.34 1.44 and
// 1.74, 0.19 1.79 and 2.42. Below sparseMinRows rows the copy of the kernel to aligned
// rows that the forward product makes costs more than it saves (batch 32:
// 0.57); dW copies only dZ and takes batches from sparseMinRowsDW rows:
// the book's step (plain Fashion-MNIST, sparse dW against dense,
// alternated in one process) took 0.96-0.97 of the time at batch 32 on
// one thread and 0.995-1.02 on two (0.94 and 0.96 with dropout 0.2), 0.93
// and 0.95 at batch 64, but 1.02 and 1.07 at batch 16. A product whose
// operand is too dense looks again after
// sparseRecheck passes, so a dense input costs one compression (1/15 of
// its product) per sparseRecheck steps. The choice depends only on the
// data, so a seed still gives the same bits, on any number of threads.
//
// The forward takes sparseMaxDensityFwd: on several threads the dense
// forward of a layer such as the book's first is split by depth, each
// thread reading only the rows of W that its share of dW (dense or sparse)
// updates, while the sparse one is split by pairs of rows and each thread
// reads all of W, half of it written on the other core. The book's step at
// batch 256 on two threads, sparse forward against dense (alternated every
// ten steps; dropout rates 0.2, 0.4, 0.6 before each layer, pair densities
// 0.59, 0.48, 0.34): 1.025, 0.99, 0.905 of the time. On one thread the
// sparse forward still won at 0.59 (0.984), which the lower bound gives up
// so that the choice, and the bits, do not depend on the thread count.
var (
	sparseMaxDensity    = 0.6
	sparseMaxDensityFwd = 0.45
	sparseMinRows       = 128
	sparseMinRowsDW     = 32
	// sparseOn: the level has assembly for the sparse products (avx512,
	// amx, avx2; on the others, asm's Go loops would be slower than the
	// dense products).
	sparseOn = asm.SparseFast()
)

const sparseRecheck = 64

// sparseGate decides, for one product of a layer, whether to multiply its
// left operand on its nonzeros: it compresses the operand into s when it
// looks, and then keeps it when sparse enough.
type sparseGate struct {
	denseFor int // passes left before the next look at a dense operand
}

func (g *sparseGate) admit(s *blas.Sparse, tA blas.Transpose, m, k int, a []float32, lda, rows, minRows int, maxDensity float64) bool {
	if !sparseOn || rows < minRows {
		return false
	}
	if g.denseFor > 0 {
		g.denseFor--
		return false
	}
	if s.Compress(tA, m, k, a, lda) > maxDensity {
		g.denseFor = sparseRecheck
		return false
	}
	return true
}

// Dense is a fully connected layer: y = act(x·W + b) with W of shape
// (inputs, units).
func Dense(cfg DenseConfig) Layer { return &dense{cfg: cfg} }

func (l *dense) Spec() LayerSpec {
	c := l.cfg
	return LayerSpec{Kind: "dense", Name: l.name, Dense: &c}
}

func (l *dense) useBias() bool { return l.cfg.UseBias == nil || *l.cfg.UseBias }

func (l *dense) build(in []int, seed uint64, pb *paramBudget) ([]int, error) {
	c := l.cfg
	if len(in) != 1 {
		return nil, fmt.Errorf("dense needs flat input, got shape %v: add Flatten before it", in)
	}
	if c.Units <= 0 {
		return nil, fmt.Errorf("dense units must be > 0, got %d", c.Units)
	}
	act, err := lookupActivation(c.Activation)
	if err != nil {
		return nil, err
	}
	ki, bi := c.KernelInitializer, c.BiasInitializer
	if ki == "" {
		ki = "glorot_uniform"
	}
	if bi == "" {
		bi = "zeros"
	}
	kinit, err := lookupInitializer(ki)
	if err != nil {
		return nil, err
	}
	binit, err := lookupInitializer(bi)
	if err != nil {
		return nil, err
	}
	if err := c.KernelRegularizer.Validate(); err != nil {
		return nil, err
	}
	if err := c.BiasRegularizer.Validate(); err != nil {
		return nil, err
	}
	l.act = act
	l.setShapes(in, []int{c.Units})
	rng := rand.New(rand.NewPCG(seed, 0x6e6e7274))
	shapes := [][]int{{in[0], c.Units}}
	if l.useBias() {
		shapes = append(shapes, []int{c.Units})
	}
	if err := pb.charge(shapes...); err != nil {
		return nil, err
	}
	l.kernel = newParam(l.name+"/kernel", true, in[0], c.Units)
	l.kernel.fusable = true
	l.kernel.Penalty = c.KernelRegularizer
	if c.KernelConstraint != nil {
		if l.kernel.Constrain, err = reg.NewConstraint(*c.KernelConstraint); err != nil {
			return nil, err
		}
	}
	kinit.fill(l.kernel.Value, in[0], c.Units, rng)
	l.params = []*Param{l.kernel}
	if l.useBias() {
		l.bias = newParam(l.name+"/bias", true, c.Units)
		l.bias.Penalty = c.BiasRegularizer
		binit.fill(l.bias.Value, c.Units, 1, rng)
		l.params = append(l.params, l.bias)
	}
	return l.out, nil
}

func (l *dense) reserve(rows int) {
	l.capRows = rows
	l.z = grow(l.z, rows*l.outSize)
	l.ldz = l.outSize
	if !l.act.linear() {
		l.y = grow(l.y, rows*l.outSize)
		l.ldz = (l.outSize + 15) &^ 15
		l.dz = grow(l.dz, rows*l.ldz)
		// the padding is never written, nor read as data (see colSums):
		// zeros, so that nothing stale lies in a row
		clear(l.dz)
	}
	l.dx = grow(l.dx, rows*l.inSize)
	if l.bias != nil {
		l.bpart = grow(l.bpart, colSumsPartLen(rows, l.outSize, l.ldz))
	}
}

func (l *dense) forward(x []float32, rows int, m mode) []float32 {
	in, units := l.inSize, l.outSize
	l.x = x[:rows*in]
	z := l.z[:rows*units]
	if l.sparse = l.fwdGate.admit(&l.xs, blas.NoTrans, rows, in, l.x, in, rows, sparseMinRows, sparseMaxDensityFwd); l.sparse {
		blas.SgemmSparse(&l.xs, units, 1, l.kernel.Value, units, 0, z, units)
	} else {
		blas.Sgemm(blas.NoTrans, blas.NoTrans, rows, units, in, 1, l.x, in, l.kernel.Value, units, 0, z, units)
	}
	linear := l.act.linear() || (l.fuseSoft && !m.probs())
	var y []float32
	if !linear {
		y = l.y[:rows*units]
	}
	switch {
	case l.bias != nil:
		l.act.applyBias(&l.par, y, z, l.bias.Value, linear)
	case !linear:
		l.act.apply(&l.par, y, z, units)
	}
	if linear {
		return z
	}
	return y
}

func (l *dense) backward(dy []float32, rows int, needDX bool) []float32 {
	in, units := l.inSize, l.outSize
	dz, ldz := dy[:rows*units], units
	if !l.act.linear() && !l.fuseSoft {
		dz, ldz = l.dz[:rows*l.ldz], l.ldz
		l.act.grad(&l.par, dz, ldz, dy[:rows*units], l.y[:rows*units], units)
	}
	if l.bias != nil {
		l.bsum.run(l.bias.Grad, dz, ldz, l.bpart)
	}
	var dx []float32
	if needDX {
		// before a fused update changes the kernel
		dx = l.dx[:rows*in]
		blas.Sgemm(blas.NoTrans, blas.Trans, rows, in, units, 1, dz, ldz, l.kernel.Value, units, 0, dx, in)
	}
	// dW = xᵀ·dz, or with a fused update W -= lr·xᵀ·dz
	alpha, beta, dw := float32(1), float32(0), l.kernel.Grad
	if lr := l.kernel.fuseLR; lr != 0 {
		alpha, beta, dw = -lr, 1, l.kernel.Value
	}
	if l.sparseDW = l.dwGate.admit(&l.xs, blas.Trans, in, rows, l.x, in, rows, sparseMinRowsDW, sparseMaxDensity); l.sparseDW {
		blas.SgemmSparse(&l.xs, units, alpha, dz, ldz, beta, dw, units)
	} else {
		blas.Sgemm(blas.Trans, blas.NoTrans, in, units, rows, alpha, l.x, in, dz, ldz, beta, dw, units)
	}
	return dx
}

// ---- Activation ----

type activationLayer struct {
	layerBase
	actName string
	slope   *float32 // a LeakyReLU layer's negative slope; nil for Activation
	act     activation
	y, dx   []float32
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
	l.capRows = rows
	l.y = grow(l.y, rows*l.outSize)
	l.dx = grow(l.dx, rows*l.inSize)
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

// ---- Dropout and AlphaDropout ----

type dropoutLayer struct {
	layerBase
	alpha      bool
	rate       float32
	noiseShape []int // as configured (0 = the input's dimension); nil for none
	d          reg.Dropout
	ad         reg.AlphaDropout
	offset     uint64 // counter position of the next mask, advanced by every training pass
	active     bool   // the last forward applied a mask
	y, dx      []float32
	mask       []uint64
	par        elementwise // the passes of the full-shape mask, split across threads

	// With a noise shape that broadcasts: the batch's shape and the shape
	// the mask is drawn over (axis 0 set per batch), and the drawn mask.
	shape, noise []int
	rmask        []uint64
}

// Dropout is Keras's inverted Dropout(rate, noise_shape): active in
// training (and in PredictMC), the identity otherwise. noiseShape, if
// given, has one entry for the batch axis and one per axis of the input
// sample; each is 0 (Keras's None: the input's dimension), 1 (one mask
// value shared along the axis) or the input's dimension. Dropout(0.5, 0, 1)
// on (batch, features) drops whole samples, Dropout(0.5, 1, 0) drops the
// same features in every sample of a batch. The mask is drawn over the
// noise shape and broadcast, as Keras does.
func Dropout(rate float32, noiseShape ...int) Layer {
	return &dropoutLayer{rate: rate, noiseShape: cloneInts(noiseShape)}
}

// AlphaDropout is Keras's AlphaDropout(rate, noise_shape) for
// self-normalizing (SELU) networks; noiseShape as for Dropout.
func AlphaDropout(rate float32, noiseShape ...int) Layer {
	return &dropoutLayer{rate: rate, alpha: true, noiseShape: cloneInts(noiseShape)}
}

func cloneInts(s []int) []int {
	if len(s) == 0 {
		return nil
	}
	return append([]int(nil), s...)
}

func (l *dropoutLayer) Spec() LayerSpec {
	k := "dropout"
	if l.alpha {
		k = "alpha_dropout"
	}
	return LayerSpec{Kind: k, Name: l.name, Rate: l.rate, NoiseShape: cloneInts(l.noiseShape)}
}

func (l *dropoutLayer) build(in []int, seed uint64, _ *paramBudget) ([]int, error) {
	l.d = reg.Dropout{Rate: l.rate, Seed: seed}
	l.ad = reg.AlphaDropout{Rate: l.rate, Seed: seed}
	var err error
	if l.alpha {
		err = l.ad.Validate()
	} else {
		err = l.d.Validate()
	}
	if err != nil {
		return nil, err
	}
	l.shape, l.noise = nil, nil
	if ns := l.noiseShape; ns != nil {
		if len(ns) != len(in)+1 {
			return nil, fmt.Errorf("noise_shape %v needs %d entries (batch and input shape %v)", ns, len(in)+1, in)
		}
		if ns[0] != 0 && ns[0] != 1 {
			return nil, fmt.Errorf("noise_shape %v: the batch entry must be 0 (None) or 1, got %d", ns, ns[0])
		}
		// the shape of a batch (axis 0 set per batch) and the shape the mask is drawn over
		shape := append([]int{0}, in...)
		noise := append([]int{0}, in...)
		broadcast := ns[0] == 1
		for d := 1; d < len(ns); d++ {
			switch ns[d] {
			case 0, in[d-1]:
			case 1:
				noise[d] = 1
				broadcast = true
			default:
				return nil, fmt.Errorf("noise_shape %v does not broadcast to input shape %v: entry %d must be 0, 1 or %d", ns, in, d, in[d-1])
			}
		}
		if broadcast { // otherwise the mask is drawn over the whole input, as without a noise shape
			l.shape, l.noise = shape, noise
		}
	}
	l.offset = 0
	l.setShapes(in, in)
	return l.out, nil
}

func (l *dropoutLayer) reserve(rows int) {
	l.capRows = rows
	l.y = grow(l.y, rows*l.outSize)
	l.dx = grow(l.dx, rows*l.inSize)
	n := reg.MaskWords(rows * l.inSize)
	if cap(l.mask) < n {
		l.mask = make([]uint64, n)
	}
	if l.noise != nil && cap(l.rmask) < n {
		l.rmask = make([]uint64, n)
	}
}

func (l *dropoutLayer) forward(x []float32, rows int, m mode) []float32 {
	l.active = (m == training || m == mcDropout) && l.rate > 0
	if !l.active {
		return x
	}
	n := rows * l.inSize
	y, mask := l.y[:n], l.mask[:reg.MaskWords(n)]
	if l.noise != nil {
		l.forwardBroadcast(y, x[:n], mask, rows)
		return y
	}
	e := &l.par
	e.dst, e.x, e.mask, e.offset = y, x[:n], mask, l.offset
	if l.alpha {
		e.alpha = l.ad
		e.run(alphaDropoutForward, n)
	} else {
		e.drop = l.d
		e.run(dropoutForward, n)
	}
	l.offset += uint64(n)
	return y
}

// forwardBroadcast draws the mask over the noise shape (the kernels' keep
// decisions for that many positions, written to a scratch prefix of y),
// broadcasts it to the batch and applies it.
func (l *dropoutLayer) forwardBroadcast(y, x []float32, mask []uint64, rows int) {
	l.shape[0], l.noise[0] = rows, rows
	if l.noiseShape[0] == 1 {
		l.noise[0] = 1
	}
	nr := prod(l.noise)
	rmask := l.rmask[:reg.MaskWords(nr)]
	if l.alpha {
		l.ad.Forward(y[:nr], x[:nr], rmask, l.offset)
	} else {
		l.d.Forward(y[:nr], x[:nr], rmask, l.offset)
	}
	l.offset += uint64(nr)
	reg.BroadcastMask(mask, rmask, l.shape, l.noise)
	if l.alpha {
		l.ad.Apply(y, x, mask)
	} else {
		l.d.Apply(y, x, mask)
	}
}

func (l *dropoutLayer) backward(dy []float32, rows int, _ bool) []float32 {
	if !l.active {
		return dy
	}
	n := rows * l.inSize
	dx := l.dx[:n]
	e := &l.par
	e.dst, e.x, e.mask = dx, dy[:n], l.mask[:reg.MaskWords(n)]
	if l.alpha {
		e.alpha = l.ad
		e.run(alphaDropoutBackward, n)
	} else {
		e.drop = l.d
		e.run(dropoutBackward, n)
	}
	return dx
}

// ---- BatchNormalization ----

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
	xhat, y, dx      []float32
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
	l.capRows = rows
	l.xhat = grow(l.xhat, rows*l.outSize)
	l.y = grow(l.y, rows*l.outSize)
	l.dx = grow(l.dx, rows*l.inSize)
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

// ---- Normalization ----

// NormalizationLayer is Keras's Normalization layer (axis -1): it outputs
// (x - mean) / max(sqrt(variance), 1e-7) per feature of the last axis, with
// mean and variance set by Adapt. Before Adapt it is the identity (mean
// 0, variance 1). Put it after Flatten to standardize each pixel as the
// book does (NB cell 47).
type NormalizationLayer struct {
	layerBase
	mean, variance *Param
	invStd         []float32
	y, dx          []float32
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
	l.invStd = make([]float32, f)
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
	l.capRows = rows
	l.y = grow(l.y, rows*l.outSize)
	l.dx = grow(l.dx, rows*l.inSize)
}

func (l *NormalizationLayer) forward(x []float32, rows int, _ mode) []float32 {
	f := len(l.mean.Value)
	for j := range l.invStd {
		l.invStd[j] = 1 / max(float32(math.Sqrt(float64(l.variance.Value[j]))), reg.Epsilon)
	}
	n := rows * l.inSize
	y := l.y[:n]
	for r := 0; r < n/f; r++ {
		xr, yr := x[r*f:(r+1)*f], y[r*f:(r+1)*f]
		for j := range yr {
			yr[j] = (xr[j] - l.mean.Value[j]) * l.invStd[j]
		}
	}
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
