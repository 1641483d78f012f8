package nn

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// Sequential is a stack of layers trained as Keras's Sequential model.
type Sequential struct {
	gatherer gatherRows // gather's parallel body, reused
	input    []int
	layers   []Layer
	cfg      CompileConfig
	opt      *Optimizer
	loss     lossFn
	lossWork lossWork // the loss's parallel body, reused
	built    bool
	params   []*Param
	// index of the first layer with trainable parameters: backward stops
	// there, and that layer skips dX (the input needs no gradient).
	firstParam int
	outCols    int
	capRows    int

	// step buffers, sized for capRows
	xb []float32
	// kb: the batch's bytes (row stride ldkb), and room for their
	// transpose (ldkbT), for byteLayer, the first layer when it multiplies
	// them on the tiles (see useByteLayer); nil otherwise
	kb, kbT     []uint8
	ldkb, ldkbT int
	byteLayer   *dense
	// byteDrop: a Dropout between the bytes and byteLayer, which zeroes
	// the bytes it drops into kbDrop (rows of ldkb); nil if none
	byteDrop *dropoutLayer
	kbDrop   []uint8
	yb       []int32
	tb       []float32
	dOut     []float32

	prof *StepProfile // where the steps' time goes (Profile); nil: not timed

	budget paramBudget // what Compile's layers may allocate (Load limits it)
}

// NewSequential returns a model whose samples have the given input shape
// (for Fashion-MNIST, 28, 28) and whose layers run in order. Layers without
// a name are named as Keras does: dense, dense_1, ...
func NewSequential(input []int, layers ...Layer) *Sequential {
	m := &Sequential{input: append([]int(nil), input...), layers: layers}
	seen := map[string]int{}
	for _, l := range layers {
		b := l.base()
		if b.name == "" {
			kind := l.Spec().Kind
			n := seen[kind]
			seen[kind] = n + 1
			b.name = kind
			if n > 0 {
				b.name = fmt.Sprintf("%s_%d", kind, n)
			}
		}
	}
	return m
}

// Layers returns the model's layers.
func (m *Sequential) Layers() []Layer { return m.layers }

// InputShape returns the shape of one sample.
func (m *Sequential) InputShape() []int { return slices.Clone(m.input) }

// Optimizer returns the compiled optimizer (nil before Compile).
func (m *Sequential) Optimizer() *Optimizer { return m.opt }

// Config returns the compile configuration.
func (m *Sequential) Config() CompileConfig { return m.cfg }

// CompileConfig is the argument of Compile, as Keras's compile.
type CompileConfig struct {
	Optimizer *Optimizer
	// Loss is SparseCategoricalCrossentropy (default), CategoricalCrossentropy
	// or MeanSquaredError.
	Loss string
	// FromLogits says the model outputs logits (Keras's from_logits=True).
	// Otherwise, when the last layer ends in softmax and the loss is a
	// cross-entropy, the softmax is fused with the loss and computed from
	// the logits (as TF's backend does), which is stable.
	FromLogits bool
	// Metrics may contain "accuracy" (the loss is always reported).
	Metrics []string
	// Seed seeds the weight initializers and dropout masks.
	Seed uint64
}

// Compile checks that the layers chain, creates and initializes their
// weights from cfg.Seed, and binds the optimizer. Compiling again
// reinitializes everything.
func (m *Sequential) Compile(cfg CompileConfig) error {
	// A failed Compile leaves the model uncompiled, never half-built.
	m.built = false
	if cfg.Loss == "" {
		cfg.Loss = SparseCategoricalCrossentropy
	}
	if err := checkLoss(cfg.Loss); err != nil {
		return err
	}
	for _, name := range cfg.Metrics {
		if name != "accuracy" && name != "acc" && name != "loss" {
			return fmt.Errorf("nn: unknown metric %q (want accuracy)", name)
		}
	}
	if cfg.Optimizer == nil {
		return errors.New("nn: Compile needs an optimizer")
	}
	if err := cfg.Optimizer.validate(); err != nil {
		return fmt.Errorf("nn: %w", err)
	}
	if len(m.layers) == 0 {
		return errors.New("nn: the model has no layers")
	}
	if _, ok := checkedProd(m.input); len(m.input) == 0 || !ok {
		return fmt.Errorf("nn: bad input shape %v", m.input)
	}
	pb := m.budget
	names := map[string]bool{}
	shape := m.input
	m.params = nil
	m.firstParam = len(m.layers)
	for i, l := range m.layers {
		b := l.base()
		if names[b.name] {
			return fmt.Errorf("nn: two layers named %q", b.name)
		}
		names[b.name] = true
		b.fuseSoft = false
		out, err := l.build(shape, cfg.Seed*0x9E3779B97F4A7C15+uint64(i)+1, &pb)
		if err != nil {
			return fmt.Errorf("nn: layer %d (%s) with input shape %v: %w", i, b.name, shape, err)
		}
		if m.firstParam == len(m.layers) && slices.ContainsFunc(l.Params(), (*Param).Trainable) {
			m.firstParam = i
		}
		m.params = append(m.params, l.Params()...)
		shape = out
	}
	if len(shape) != 1 {
		return fmt.Errorf("nn: the model's output shape %v is not flat: add Flatten", shape)
	}
	m.outCols = shape[0]
	last := m.layers[len(m.layers)-1]
	lastSoftmax := false
	switch l := last.(type) {
	case *dense:
		lastSoftmax = l.act.softmax
	case *activationLayer:
		lastSoftmax = l.act.softmax
	}
	m.loss = lossFn{name: cfg.Loss, sparse: cfg.Loss == SparseCategoricalCrossentropy}
	if cfg.Loss != MeanSquaredError {
		if cfg.FromLogits && lastSoftmax {
			return errors.New("nn: from_logits with a softmax output layer: the model outputs probabilities, not logits")
		}
		if cfg.FromLogits || lastSoftmax {
			m.loss.fromLogits = true
		}
		if lastSoftmax {
			last.base().fuseSoft = true
		}
	}
	if m.loss.sparse && m.outCols < 2 && !cfg.FromLogits && !lastSoftmax {
		return fmt.Errorf("nn: sparse categorical cross-entropy needs at least 2 outputs, got %d", m.outCols)
	}
	m.cfg = cfg
	m.opt = cfg.Optimizer
	m.opt.bind(m.params)
	m.capRows = 0
	m.built = true
	return nil
}

func (m *Sequential) hasAccuracy() bool {
	return slices.Contains(m.cfg.Metrics, "accuracy") || slices.Contains(m.cfg.Metrics, "acc")
}

// reserve sizes every buffer for batches of up to rows samples.
func (m *Sequential) reserve(rows int) {
	if rows <= m.capRows {
		return
	}
	m.capRows = rows
	for _, l := range m.layers {
		l.reserve(rows)
	}
	m.xb = grow(m.xb, rows*prod(m.input))
	if cap(m.yb) < rows {
		m.yb = make([]int32, rows)
	}
	m.tb = grow(m.tb, rows*m.outCols)
	m.dOut = grow(m.dOut, rows*m.outCols)
}

// forward runs the layers on rows samples of x, each timed by t (nil: not
// timed).
func (m *Sequential) forward(x []float32, rows int, md mode, t *stepTimer) []float32 {
	for i, l := range m.layers {
		x = l.forward(x, rows, md)
		t.layer(i, false)
	}
	return x
}

// step runs one training step on rows samples (x, and labels or targets):
// gradients, then the optimizer update with clipping and constraints. It
// returns the loss and the number of correct predictions. t times its
// parts (and counts the step) when the model has a profile; the caller
// starts it, so that what it does first for the step counts too.
func (m *Sequential) step(x []float32, labels []int32, targets []float32, rows int, t *stepTimer) (loss float64, nCorrect int) {
	m.opt.planFused()
	loss, nCorrect = m.gradients(x, labels, targets, rows, t)
	m.opt.step()
	t.part(partUpdate)
	t.done(rows)
	return loss, nCorrect
}

// gradients runs the forward pass in training mode, the loss (mean over the
// batch plus the penalties) and the backward pass, leaving every trainable
// Param's Grad set (penalty terms included). It returns the loss and the
// number of correct predictions. t (nil: none) times the passes.
func (m *Sequential) gradients(x []float32, labels []int32, targets []float32, rows int, t *stepTimer) (loss float64, nCorrect int) {
	out := m.forward(x, rows, training, t)
	cols := m.outCols
	sum, nCorrect := m.lossWork.run(&m.loss, m.dOut[:rows*cols], out, labels, targets, rows, cols, 1/float32(rows), m.hasAccuracy())
	t.part(partLoss)
	dy := m.dOut[:rows*cols]
	for i := len(m.layers) - 1; i >= m.firstParam; i-- {
		dy = m.layers[i].backward(dy, rows, i > m.firstParam)
		t.layer(i, true)
	}
	// Penalties on the weights as they were in the forward pass, as Keras
	// adds layer.losses to the loss before the update.
	var pen float64
	for _, p := range m.opt.params {
		switch {
		case p.fuseLR != 0 || p.updated: // its layer took the penalty before the update
			pen += p.fusedPenalty
		case p.foldL2: // the update adds the gradient
			pen += p.Penalty.Penalty(p.Value)
		default:
			pen += p.Penalty.AddGrad(p.Grad, p.Value)
		}
	}
	t.part(partLoss)
	return sum/float64(rows) + pen, nCorrect
}

// TrainOnBatch runs one training step on a batch of sparse labels (Keras's
// train_on_batch) and returns the loss of the batch (mean cross-entropy
// plus the penalties). In steady state it allocates nothing. Unlike Fit it
// does not scan x for NaN.
func (m *Sequential) TrainOnBatch(x []float32, y []int32) (float64, error) {
	if err := m.checkBatch(x, len(y)); err != nil {
		return 0, err
	}
	if !m.loss.sparse {
		return 0, fmt.Errorf("nn: TrainOnBatch takes class labels, but the loss is %s", m.loss.name)
	}
	for i, c := range y {
		if c < 0 || int(c) >= m.outCols {
			return 0, fmt.Errorf("nn: label %d of the batch is %d, outside [0, %d)", i, c, m.outCols)
		}
	}
	rows := len(y)
	t := m.stepTimer()
	m.reserve(rows)
	loss, _ := m.step(x, y, nil, rows, &t)
	return loss, nil
}

func (m *Sequential) checkBatch(x []float32, rows int) error {
	if !m.built {
		return errors.New("nn: the model is not compiled")
	}
	if rows == 0 {
		return errors.New("nn: empty batch")
	}
	if in := prod(m.input); len(x) != rows*in {
		return fmt.Errorf("nn: x has %d values, want %d samples x %d", len(x), rows, in)
	}
	return nil
}

// dataset is x with sparse labels or dense targets.
type dataset struct {
	x       []float32
	labels  []int32
	targets []float32
	n       int
	// codes: x as bytes, x[i] == asm.Over255Table[codes[i]] (see
	// newByteCodes), or nil
	codes []uint8
}

// check validates a dataset against the model: lengths, labels in range,
// finite inputs.
func (m *Sequential) check(what string, d dataset) error {
	in := prod(m.input)
	if d.n == 0 {
		return fmt.Errorf("nn: %s: empty dataset", what)
	}
	if len(d.x) != d.n*in {
		return fmt.Errorf("nn: %s: x has %d values, which is not %d samples x %d (input shape %v)", what, len(d.x), d.n, in, m.input)
	}
	if m.loss.sparse {
		if d.labels == nil {
			return fmt.Errorf("nn: %s: the loss %s needs class labels", what, m.loss.name)
		}
		for i, c := range d.labels {
			if c < 0 || int(c) >= m.outCols {
				return fmt.Errorf("nn: %s: label %d is %d, outside [0, %d) for a model with %d outputs", what, i, c, m.outCols, m.outCols)
			}
		}
	} else {
		if d.targets == nil {
			return fmt.Errorf("nn: %s: the loss %s needs target rows, not class labels", what, m.loss.name)
		}
		if len(d.targets) != d.n*m.outCols {
			return fmt.Errorf("nn: %s: targets have %d values, want %d samples x %d outputs", what, len(d.targets), d.n, m.outCols)
		}
	}
	for i, v := range d.x {
		// v-v is 0 for finite v and NaN for NaN and ±Inf: one test per value.
		if z := v - v; z != z {
			return fmt.Errorf("nn: %s: x[%d] (sample %d) is %v", what, i, i/in, v)
		}
	}
	return nil
}

func labelsDataset(x []float32, y []int32, in int) (dataset, error) {
	if in > 0 && len(x)%in == 0 && len(x)/in != len(y) {
		return dataset{}, fmt.Errorf("nn: x holds %d samples but y has %d labels", len(x)/in, len(y))
	}
	return dataset{x: x, labels: y, n: len(y)}, nil
}

func targetsDataset(x, t []float32, in, out int) (dataset, error) {
	if in <= 0 || out <= 0 || len(t)%out != 0 {
		return dataset{}, fmt.Errorf("nn: targets have %d values, not a multiple of the %d outputs", len(t), out)
	}
	n := len(t) / out
	if len(x)%in == 0 && len(x)/in != n {
		return dataset{}, fmt.Errorf("nn: x holds %d samples but the targets %d", len(x)/in, n)
	}
	return dataset{x: x, targets: t, n: n}, nil
}

// Evaluation is the result of Evaluate.
type Evaluation struct {
	Loss     float64 `json:"loss"`
	Accuracy float64 `json:"accuracy"` // NaN when accuracy is not a metric
}

// Evaluate returns the loss (with the penalties, as Keras) and accuracy on
// (x, y) in inference mode, in batches of batchSize (0: 32).
func (m *Sequential) Evaluate(x []float32, y []int32, batchSize int) (Evaluation, error) {
	if !m.built {
		return Evaluation{}, errors.New("nn: the model is not compiled")
	}
	d, err := labelsDataset(x, y, prod(m.input))
	if err != nil {
		return Evaluation{}, err
	}
	return m.evaluateData("evaluate", d, batchSize)
}

// EvaluateTargets is Evaluate for dense targets (categorical cross-entropy, MSE).
func (m *Sequential) EvaluateTargets(x, t []float32, batchSize int) (Evaluation, error) {
	if !m.built {
		return Evaluation{}, errors.New("nn: the model is not compiled")
	}
	d, err := targetsDataset(x, t, prod(m.input), m.outCols)
	if err != nil {
		return Evaluation{}, err
	}
	return m.evaluateData("evaluate", d, batchSize)
}

func (m *Sequential) evaluateData(what string, d dataset, batchSize int) (Evaluation, error) {
	if err := m.check(what, d); err != nil {
		return Evaluation{}, err
	}
	if batchSize <= 0 {
		batchSize = 32
	}
	return m.evaluate(d, batchSize), nil
}

// evaluate assumes d was checked.
func (m *Sequential) evaluate(d dataset, batchSize int) Evaluation {
	m.reserve(batchSize)
	in, cols := prod(m.input), m.outCols
	var sum float64
	nCorrect := 0
	for lo := 0; lo < d.n; lo += batchSize {
		rows := min(batchSize, d.n-lo)
		out := m.forward(d.x[lo*in:(lo+rows)*in], rows, evaluate, nil)
		var labels []int32
		var targets []float32
		if d.labels != nil {
			labels = d.labels[lo : lo+rows]
		} else {
			targets = d.targets[lo*cols : (lo+rows)*cols]
		}
		s, c := m.lossWork.run(&m.loss, nil, out, labels, targets, rows, cols, 0, true)
		sum += s
		nCorrect += c
	}
	e := Evaluation{Loss: sum/float64(d.n) + m.penalties(), Accuracy: math.NaN()}
	if m.hasAccuracy() {
		e.Accuracy = float64(nCorrect) / float64(d.n)
	}
	return e
}

// Predict returns the model's outputs for x (n samples x outputs,
// row-major): class probabilities for a softmax model. batchSize 0 means 32.
func (m *Sequential) Predict(x []float32, batchSize int) ([]float32, error) {
	return m.predict(x, batchSize, predict)
}

func (m *Sequential) predict(x []float32, batchSize int, md mode) ([]float32, error) {
	if !m.built {
		return nil, errors.New("nn: the model is not compiled")
	}
	in := prod(m.input)
	if len(x) == 0 || len(x)%in != 0 {
		return nil, fmt.Errorf("nn: predict: x has %d values, not a positive multiple of the input size %d", len(x), in)
	}
	if batchSize <= 0 {
		batchSize = 32
	}
	n := len(x) / in
	m.reserve(batchSize)
	res := make([]float32, n*m.outCols)
	for lo := 0; lo < n; lo += batchSize {
		rows := min(batchSize, n-lo)
		out := m.forward(x[lo*in:(lo+rows)*in], rows, md, nil)
		copy(res[lo*m.outCols:], out[:rows*m.outCols])
	}
	return res, nil
}

// PredictMC is MC Dropout (Gal & Ghahramani; Géron's MCDropout): it runs
// samples forward passes with Dropout and AlphaDropout active (batch
// normalization stays in inference mode, as with Géron's MCDropout layer)
// and returns the mean and the population standard deviation of the
// outputs over the passes, each n x outputs.
func (m *Sequential) PredictMC(x []float32, samples, batchSize int) (mean, std []float32, err error) {
	if samples <= 0 {
		return nil, nil, fmt.Errorf("nn: PredictMC needs samples > 0, got %d", samples)
	}
	sum := []float64(nil)
	sq := []float64(nil)
	for s := 0; s < samples; s++ {
		p, err := m.predict(x, batchSize, mcDropout)
		if err != nil {
			return nil, nil, err
		}
		if sum == nil {
			sum, sq = make([]float64, len(p)), make([]float64, len(p))
		}
		for i, v := range p {
			sum[i] += float64(v)
			sq[i] += float64(v) * float64(v)
		}
	}
	mean, std = make([]float32, len(sum)), make([]float32, len(sum))
	for i := range sum {
		mu := sum[i] / float64(samples)
		mean[i] = float32(mu)
		std[i] = float32(math.Sqrt(math.Max(0, sq[i]/float64(samples)-mu*mu)))
	}
	return mean, std, nil
}

// Weights returns a copy of every variable's values (trainable and not), in
// Params order (Keras's get_weights).
func (m *Sequential) Weights() [][]float32 {
	w := make([][]float32, len(m.params))
	for i, p := range m.params {
		w[i] = slices.Clone(p.Value)
	}
	return w
}

// SetWeights copies w into the variables (Keras's set_weights).
func (m *Sequential) SetWeights(w [][]float32) error {
	if len(w) != len(m.params) {
		return fmt.Errorf("nn: SetWeights got %d arrays, the model has %d variables", len(w), len(m.params))
	}
	for i, p := range m.params {
		if len(w[i]) != len(p.Value) {
			return fmt.Errorf("nn: SetWeights: %s has %d values, got %d", p.Name, len(p.Value), len(w[i]))
		}
	}
	for i, p := range m.params {
		copy(p.Value, w[i])
	}
	return nil
}

// Params returns every variable of the model, layer by layer.
func (m *Sequential) Params() []*Param { return m.params }

// penalties is the regularization penalty of the current weights.
func (m *Sequential) penalties() float64 {
	var pen float64
	for _, p := range m.params {
		if p.Trainable() {
			pen += p.Penalty.Penalty(p.Value)
		}
	}
	return pen
}
