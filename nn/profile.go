package nn

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// StepProfile accumulates where the time of training steps goes: each
// layer's forward and backward pass, the loss with its gradient and the
// metrics, the optimizer's update, and in Fit the copy of each shuffled
// batch into the step buffers. Attach one with Sequential.Profile; Fit and
// TrainOnBatch then add every step to it, at the cost of two clock reads
// per layer and step (some 50 ns each), and still allocate nothing.
//
// The parts are wall-clock times of the calling goroutine, so on several
// threads a layer's time is that of its parallel products, waits
// included. With plain SGD the Dense kernels' update is fused into their
// weight-gradient product (W -= lr·xᵀ·dz) and counted in the layer's
// backward pass, and with the other optimizers so is the update of a
// kernel whose gradient product is sparse (it updates the weights a group
// of the gradient's rows at a time); Update then holds the biases' and
// the other parameters' updates, clipping and constraints.
type StepProfile struct {
	Steps   int           `json:"steps"`   // steps timed
	Samples int           `json:"samples"` // samples in them
	Layers  []LayerTiming `json:"layers"`  // in the model's order
	// Loss: the loss, its gradient and the metrics (and the penalties'
	// gradients); Update: Optimizer's step; Gather: Fit's copy of the
	// batches; Total: the whole steps, Gather included. Durations are in
	// nanoseconds in JSON.
	Loss, Update, Gather, Total time.Duration
}

// LayerTiming is one layer's share of a StepProfile.
type LayerTiming struct {
	Name     string        `json:"name"`
	Kind     string        `json:"kind"`
	Forward  time.Duration `json:"forward"`
	Backward time.Duration `json:"backward"`
}

// Profile attaches p to the model, reset to its layers, so that the
// training steps that follow add their times to it; nil detaches it.
func (m *Sequential) Profile(p *StepProfile) {
	m.prof = p
	if p == nil {
		return
	}
	*p = StepProfile{Layers: p.Layers[:0]}
	for _, l := range m.layers {
		p.Layers = append(p.Layers, LayerTiming{Name: l.Name(), Kind: l.Spec().Kind})
	}
}

// Write prints p as a table: each part's mean microseconds per step and
// share of the step; "other" is what the parts leave of Total (the
// step's bookkeeping between them). Callbacks run between steps and are
// not counted.
func (p *StepProfile) Write(w io.Writer) error {
	if p.Steps == 0 {
		_, err := fmt.Fprintln(w, "no steps profiled")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	per := func(d time.Duration) float64 { return d.Seconds() * 1e6 / float64(p.Steps) }
	share := func(d time.Duration) float64 { return 100 * d.Seconds() / p.Total.Seconds() }
	fmt.Fprintf(tw, "part\t  µs/step\t  share\n")
	rest := p.Total
	row := func(name string, d time.Duration) {
		rest -= d
		fmt.Fprintf(tw, "%s\t%9.1f\t%6.1f%%\n", name, per(d), share(d))
	}
	row("gather", p.Gather)
	for _, l := range p.Layers {
		row(l.Name+" forward", l.Forward)
	}
	row("loss and metrics", p.Loss)
	for i := len(p.Layers) - 1; i >= 0; i-- {
		if l := p.Layers[i]; l.Backward > 0 {
			row(l.Name+" backward", l.Backward)
		}
	}
	row("update", p.Update)
	row("other", rest)
	fmt.Fprintf(tw, "step (%.4g samples)\t%9.1f\t%6.1f%%\n", float64(p.Samples)/float64(p.Steps), per(p.Total), 100.0)
	return tw.Flush()
}

// Parts of a step that stepTimer times besides the layers.
const (
	partLoss = iota
	partUpdate
	partGather
)

// stepTimer times the parts of one step into the model's profile: each
// lap adds the time since the previous one to a part. Without a profile
// it does nothing, and neither does a nil *stepTimer.
type stepTimer struct {
	p           *StepProfile
	start, last time.Time
}

func (m *Sequential) stepTimer() stepTimer {
	if m.prof == nil {
		return stepTimer{}
	}
	now := time.Now()
	return stepTimer{p: m.prof, start: now, last: now}
}

func (t *stepTimer) elapsed() time.Duration {
	now := time.Now()
	d := now.Sub(t.last)
	t.last = now
	return d
}

// layer adds the lap to layer i's forward or backward pass.
func (t *stepTimer) layer(i int, backward bool) {
	if t == nil || t.p == nil {
		return
	}
	l := &t.p.Layers[i]
	if backward {
		l.Backward += t.elapsed()
	} else {
		l.Forward += t.elapsed()
	}
}

// part adds the lap to part k.
func (t *stepTimer) part(k int) {
	if t == nil || t.p == nil {
		return
	}
	d := t.elapsed()
	switch k {
	case partLoss:
		t.p.Loss += d
	case partUpdate:
		t.p.Update += d
	case partGather:
		t.p.Gather += d
	}
}

// done counts the step of rows samples and its whole time.
func (t *stepTimer) done(rows int) {
	if t == nil || t.p == nil {
		return
	}
	t.p.Steps++
	t.p.Samples += rows
	t.p.Total += time.Since(t.start)
}
