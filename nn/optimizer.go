package nn

import (
	"errors"
	"fmt"
	"math"

	"github.com/nnrt/nnrt/asm"
	"github.com/nnrt/nnrt/reg"
	"github.com/nnrt/nnrt/runtime"
	"github.com/nnrt/nnrt/sched"
)

// Optimizer is one of Keras 3's SGD, Adam, Nadam or RMSprop, with their
// update rules and defaults (see NewSGD and friends), gradient clipping and
// an optional learning-rate schedule. A Sequential owns its optimizer after
// Compile; its state (slots, iterations) lives here.
type Optimizer struct {
	Kind         string  `json:"kind"` // "sgd", "adam", "nadam", "rmsprop"
	LearningRate float64 `json:"learning_rate"`
	// Schedule, when set, gives the learning rate of each update:
	// Schedule.LR(iterations) with iterations counted before the update, as
	// Keras evaluates a LearningRateSchedule. If it also implements
	// sched.MomentumSchedule, its Momentum(iterations) replaces Momentum
	// (SGD, RMSprop) or Beta1 (Adam, Nadam); if it implements sched.EpochObserver,
	// Fit feeds it the monitored metric after each epoch.
	Schedule sched.Schedule `json:"-"`
	Momentum float64        `json:"momentum,omitempty"` // SGD, RMSprop
	Nesterov bool           `json:"nesterov,omitempty"` // SGD
	Centered bool           `json:"centered,omitempty"` // RMSprop
	Beta1    float64        `json:"beta_1,omitempty"`   // Adam, Nadam
	Beta2    float64        `json:"beta_2,omitempty"`   // Adam, Nadam
	Rho      float64        `json:"rho,omitempty"`      // RMSprop
	Epsilon  float64        `json:"epsilon,omitempty"`  // Adam, Nadam, RMSprop
	reg.Clip

	iterations int
	params     []*Param // trainable
	grads      [][]float32
	m, v       [][]float32
	ag         [][]float32 // RMSprop's average gradients (centered only)
	uProduct   float64     // Nadam's running product of u_t
	upd        update
	rows       []rowsUpdate // per variable, for Param.fuseRows
}

// NewSGD is Keras's SGD(learning_rate): momentum 0, no Nesterov. The
// update is m = momentum*m - lr*g; w += m (or w += momentum*m - lr*g with
// Nesterov): the velocity carries the learning rate, unlike PyTorch.
func NewSGD(lr float64) *Optimizer { return &Optimizer{Kind: "sgd", LearningRate: lr} }

// NewAdam is Keras's Adam(learning_rate): beta_1 0.9, beta_2 0.999, epsilon
// 1e-7, with w -= lr·sqrt(1-β2^t)/(1-β1^t)·m/(sqrt(v)+ε), t = iterations+1.
func NewAdam(lr float64) *Optimizer {
	return &Optimizer{Kind: "adam", LearningRate: lr, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-7}
}

// NewNadam is Keras's Nadam(learning_rate): beta_1 0.9, beta_2 0.999,
// epsilon 1e-7, with the momentum-decay schedule u_t = β1(1-0.5·0.96^t).
func NewNadam(lr float64) *Optimizer {
	return &Optimizer{Kind: "nadam", LearningRate: lr, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-7}
}

// NewRMSprop is Keras's RMSprop(learning_rate): rho 0.9, momentum 0,
// epsilon 1e-7, not centered. Keras 3's update (rmsprop.py), per element:
//
//	v = ρv + (1-ρ)g²
//	d = v + ε, or with Centered: ag = ρ·ag + (1-ρ)g; d = v - ag² + ε
//	inc = lr·g/sqrt(d)
//	Momentum > 0: m = momentum·m + inc; w -= m
//	otherwise:    w -= inc
func NewRMSprop(lr float64) *Optimizer {
	return &Optimizer{Kind: "rmsprop", LearningRate: lr, Rho: 0.9, Epsilon: 1e-7}
}

// NewOptimizer returns the optimizer of the given kind with Keras's defaults.
func NewOptimizer(kind string, lr float64) (*Optimizer, error) {
	switch kind {
	case "sgd":
		return NewSGD(lr), nil
	case "adam":
		return NewAdam(lr), nil
	case "nadam":
		return NewNadam(lr), nil
	case "rmsprop":
		return NewRMSprop(lr), nil
	}
	return nil, fmt.Errorf("unknown optimizer %q (want sgd, adam, nadam or rmsprop)", kind)
}

// ErrScheduledLR is returned when a callback tries to set the learning rate
// of an optimizer driven by a Schedule (Keras raises TypeError).
var ErrScheduledLR = errors.New("the optimizer's learning rate comes from a schedule and cannot be set")

func (o *Optimizer) validate() error {
	if _, err := NewOptimizer(o.Kind, 0); err != nil {
		return err
	}
	if o.Schedule == nil && !(o.LearningRate > 0) {
		return fmt.Errorf("learning rate must be > 0, got %v", o.LearningRate)
	}
	if (o.Kind == "sgd" || o.Kind == "rmsprop") && !(o.Momentum >= 0 && o.Momentum < 1) {
		return fmt.Errorf("%s momentum must be in [0, 1), got %v", o.Kind, o.Momentum)
	}
	if o.Kind == "adam" || o.Kind == "nadam" {
		if !(o.Beta1 >= 0 && o.Beta1 < 1 && o.Beta2 >= 0 && o.Beta2 < 1) {
			return fmt.Errorf("%s betas must be in [0, 1), got %v, %v", o.Kind, o.Beta1, o.Beta2)
		}
	}
	if o.Kind == "rmsprop" && !(o.Rho >= 0 && o.Rho < 1) {
		return fmt.Errorf("rmsprop rho must be in [0, 1), got %v", o.Rho)
	}
	if o.Kind != "sgd" && !(o.Epsilon > 0) {
		return fmt.Errorf("%s epsilon must be > 0, got %v", o.Kind, o.Epsilon)
	}
	return o.Clip.Validate()
}

// Iterations is the number of updates applied so far (Keras's optimizer.iterations).
func (o *Optimizer) Iterations() int { return o.iterations }

// CurrentLR is the learning rate the next update will use.
func (o *Optimizer) CurrentLR() float64 {
	if o.Schedule != nil {
		return o.Schedule.LR(o.iterations)
	}
	return o.LearningRate
}

// SetLR sets a constant learning rate; it fails when a Schedule drives the
// rate (as Keras's setter raises TypeError for a LearningRateSchedule).
func (o *Optimizer) SetLR(lr float64) error {
	if o.Schedule != nil {
		return ErrScheduledLR
	}
	if !(lr > 0) || math.IsInf(lr, 0) {
		return fmt.Errorf("learning rate must be finite and > 0, got %v", lr)
	}
	o.LearningRate = lr
	return nil
}

// bind allocates the slots for the model's trainable parameters and resets
// the state.
func (o *Optimizer) bind(params []*Param) {
	o.params, o.grads, o.m, o.v, o.ag, o.rows = nil, nil, nil, nil, nil, nil
	for _, p := range params {
		if !p.Trainable() {
			continue
		}
		o.rows = append(o.rows, rowsUpdate{u: &o.upd, i: len(o.params)})
		o.params = append(o.params, p)
		o.grads = append(o.grads, p.Grad)
		o.m = append(o.m, zeroed(len(p.Value)))
		if o.Kind != "sgd" {
			o.v = append(o.v, zeroed(len(p.Value)))
		}
		if o.Kind == "rmsprop" && o.Centered {
			o.ag = append(o.ag, zeroed(len(p.Value)))
		}
	}
	o.iterations, o.uProduct, o.upd.prepared = 0, 1, false
}

// optimizerState is a copy of the optimizer's mutable state.
type optimizerState struct {
	iterations int
	uProduct   float64
	m, v, ag   [][]float32
	lr         float64
}

func (o *Optimizer) saveState() optimizerState {
	s := optimizerState{iterations: o.iterations, uProduct: o.uProduct, lr: o.LearningRate}
	for _, b := range o.m {
		s.m = append(s.m, append([]float32(nil), b...))
	}
	for _, b := range o.v {
		s.v = append(s.v, append([]float32(nil), b...))
	}
	for _, b := range o.ag {
		s.ag = append(s.ag, append([]float32(nil), b...))
	}
	return s
}

func (o *Optimizer) restoreState(s optimizerState) {
	o.iterations, o.uProduct, o.LearningRate = s.iterations, s.uProduct, s.lr
	for i := range o.m {
		copy(o.m[i], s.m[i])
	}
	for i := range o.v {
		copy(o.v[i], s.v[i])
	}
	for i := range o.ag {
		copy(o.ag[i], s.ag[i])
	}
}

// momenta returns the SGD/RMSprop momentum and Adam/Nadam beta_1 of the next
// update: a MomentumSchedule's value when the schedule is one.
func (o *Optimizer) momenta() (momentum, beta1 float64) {
	if ms, ok := o.Schedule.(sched.MomentumSchedule); ok {
		v := ms.Momentum(o.iterations)
		return v, v
	}
	return o.Momentum, o.Beta1
}

// planFused marks the variables whose next update is a plain SGD step
// (no momentum, no clipping, no L1 penalty) that their layer can fuse into
// its gradient product; step then skips them. An L2 penalty's gradient is
// the weights' own multiple, so the update w - lr*(g + 2*l2*w) is
// (1 - 2*lr*l2)*w - lr*g, the product's beta and alpha (the same up to
// rounding: each weight within an ulp or so of the separate update's).
//
// It also marks the other variables with an L2 penalty (and no L1) whose
// update kernel can add the penalty's gradient 2*l2*w itself, reading w
// as it updates it: the backward pass then skips the separate pass that
// would add it to the gradient (asm.L1L2Grad, three streams). Clipping
// needs the whole gradient first, and RMSprop with momentum or centering
// runs in Go, so those keep that pass.
//
// Under the same conditions, a fusable variable whose update is one of
// those kernels (momentum, Nesterov, Adam, Nadam, RMSprop) gets fuseRows:
// its layer may apply the update to each group of rows of the gradient as
// its sparse product makes them (blas.SgemmSparseRows), so that the
// gradient never goes to memory (two of the eight streams of the product
// and the update); it then sets updated, and step skips the variable.
// That needs the step's coefficients before the backward pass: planFused
// prepares them.
func (o *Optimizer) planFused() {
	lr := 0.0
	momentum, _ := o.momenta()
	if o.Kind == "sgd" && momentum == 0 && !o.Clip.Active() {
		lr = o.CurrentLR()
	}
	fold := !o.Clip.Active() && !(o.Kind == "rmsprop" && (momentum != 0 || o.Centered))
	rows := fold && !(o.Kind == "sgd" && momentum == 0)
	for i, p := range o.params {
		p.fuseLR, p.foldL2, p.fuseRows, p.updated = 0, false, nil, false
		if p.Penalty.L1 != 0 {
			continue
		}
		if p.fusable {
			p.fuseLR = float32(lr)
			p.fuseDecay = float32(1 - 2*lr*float64(p.Penalty.L2))
			if rows {
				p.fuseRows = &o.rows[i]
			}
		}
		p.foldL2 = p.fuseLR == 0 && fold && p.Penalty.L2 != 0
	}
	if rows {
		o.prepare()
	}
}

// updateGrain is the smallest slice of a variable one thread updates: the
// updates stream memory, so smaller chunks cost more in hand-off than they
// gain.
const updateGrain = 1 << 14

// update is the per-step state of the update kernels, a runtime.Body over
// the elements of variable i (a field of Optimizer, so that passing it to
// ParallelFor allocates nothing). prepared says the coefficients are those
// of the coming step.
type update struct {
	o                                    *Optimizer
	i                                    int
	prepared                             bool
	lr, momentum, beta1, beta2, eps, rho float32
	alpha, cm, cg, cv                    float32
}

// Range updates elements [lo, hi) of variable u.i; the kernels are
// element-wise, so the result does not depend on the split.
func (u *update) Range(lo, hi int) { u.apply(u.i, lo, hi, u.o.params[u.i].Grad[lo:hi]) }

// rowsUpdate is the blas.RowsFunc through which a layer's gradient product
// updates variable i a group of rows at a time (Param.fuseRows).
type rowsUpdate struct {
	u *update
	i int
}

func (r *rowsUpdate) Rows(r0, r1 int, g []float32) {
	cols := r.u.o.params[r.i].Cols
	r.u.apply(r.i, r0*cols, r1*cols, g)
}

// apply updates elements [lo, hi) of variable i from g, their gradient.
func (u *update) apply(i, lo, hi int, g []float32) {
	o := u.o
	p := o.params[i]
	w := p.Value[lo:hi]
	var l2 float32 // the penalty's gradient, when the kernel adds it
	if p.foldL2 {
		l2 = p.Penalty.L2
	}
	switch o.Kind {
	case "sgd":
		asm.SGD(w, g, o.m[i][lo:hi], u.lr, u.momentum, l2, o.Nesterov)
	case "adam":
		asm.Adam(w, g, o.m[i][lo:hi], o.v[i][lo:hi], u.alpha, u.beta1, u.beta2, u.eps, l2)
	case "nadam":
		asm.Nadam(w, g, o.m[i][lo:hi], o.v[i][lo:hi], u.lr, u.beta1, u.beta2, u.eps, u.cm, u.cg, u.cv, l2)
	case "rmsprop":
		if u.momentum == 0 && !o.Centered {
			asm.RMSprop(w, g, o.v[i][lo:hi], u.lr, u.rho, u.eps, l2)
			return
		}
		var ag []float32
		if o.Centered {
			ag = o.ag[i][lo:hi]
		}
		rmspropGeneral(w, g, o.v[i][lo:hi], o.m[i][lo:hi], ag, u.lr, u.rho, u.momentum, u.eps)
	}
}

// rmspropGeneral is Keras 3's RMSprop update with momentum and/or centering
// (see NewRMSprop), element-wise in float32 in the order of rmsprop.py.
// ag is nil when not centered; m is unused when momentum is 0. The plain
// form runs on asm.RMSprop instead.
func rmspropGeneral(w, g, v, m, ag []float32, lr, rho, momentum, eps float32) {
	v, m = v[:len(w)], m[:len(w)]
	g = g[:len(w)]
	for i := range w {
		gi := g[i]
		v[i] = rho*v[i] + (1-rho)*(gi*gi)
		d := v[i] + eps
		if ag != nil {
			ag[i] = rho*ag[i] + (1-rho)*gi
			d = v[i] - ag[i]*ag[i] + eps
		}
		inc := lr * gi / float32(math.Sqrt(float64(d)))
		if momentum > 0 {
			m[i] = momentum*m[i] + inc
			inc = m[i]
		}
		w[i] -= inc
	}
}

// prepare computes the coefficients of the coming update, once a step.
func (o *Optimizer) prepare() {
	u := &o.upd
	if u.prepared {
		return
	}
	t := o.iterations
	lr := o.CurrentLR()
	momentum, beta1 := o.momenta()
	*u = update{o: o, prepared: true, lr: float32(lr), momentum: float32(momentum), beta1: float32(beta1),
		beta2: float32(o.Beta2), eps: float32(o.Epsilon), rho: float32(o.Rho)}
	tt := float64(t + 1)
	switch o.Kind {
	case "adam":
		u.alpha = float32(lr * math.Sqrt(1-math.Pow(o.Beta2, tt)) / (1 - math.Pow(beta1, tt)))
	case "nadam":
		// Keras nadam.py: u_t and u_{t+1} with t = iterations+1; u_product
		// accumulates u_t once per step.
		ut := beta1 * (1 - 0.5*math.Pow(0.96, tt))
		ut1 := beta1 * (1 - 0.5*math.Pow(0.96, tt+1))
		up := o.uProduct * ut
		up1 := up * ut1
		u.cm = float32(ut1 / (1 - up1))
		u.cg = float32((1 - ut) / (1 - up))
		u.cv = float32(1 / (1 - math.Pow(o.Beta2, tt)))
		o.uProduct = up
	}
}

// step clips the gradients, updates every trainable parameter (but those
// whose layer already applied a fused update) in parallel chunks, applies
// the constraints and counts the iteration. It allocates nothing.
func (o *Optimizer) step() {
	o.Clip.Apply(o.grads)
	o.prepare()
	u := &o.upd
	for i, p := range o.params {
		if p.fuseLR != 0 || p.updated {
			continue
		}
		u.i = i
		runtime.ParallelFor(len(p.Value), updateGrain, u)
	}
	u.prepared = false
	for _, p := range o.params {
		p.fuseLR, p.foldL2, p.fuseRows, p.updated = 0, false, nil, false
		if p.Constrain != nil {
			p.Constrain.Apply(p.Value, p.Cols)
		}
	}
	o.iterations++
}
