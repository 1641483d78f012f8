package nn

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nnrt/nnrt/reg"
	"github.com/nnrt/nnrt/sched"
)

// TrainContext is what Fit shares with its callbacks.
type TrainContext struct {
	Model         *Sequential
	Epochs        int // the epoch count Fit was asked for
	Steps         int // batches per epoch
	Epoch         int // current epoch, 0-based
	History       *History
	HasValidation bool
	// StopTraining, set by a callback, ends Fit after the current batch or
	// epoch (Keras's model.stop_training).
	StopTraining bool
}

// BatchLogs are passed to OnBatchEnd.
type BatchLogs struct {
	Epoch, Batch int     // 0-based
	Size         int     // samples in the batch
	Loss         float64 // this batch's loss (with penalties)
	MeanLoss     float64 // running mean over the epoch so far (Keras's logs["loss"] since TF 2.2)
	MeanAccuracy float64 // running accuracy over the epoch, NaN without the metric
}

// Callback receives Fit's events; an error ends Fit with that error. Embed
// BaseCallback to implement only some of them.
type Callback interface {
	OnTrainBegin(ctx *TrainContext) error
	OnEpochBegin(ctx *TrainContext, epoch int) error
	OnBatchEnd(ctx *TrainContext, logs BatchLogs) error
	OnEpochEnd(ctx *TrainContext, logs EpochLog) error
	OnTrainEnd(ctx *TrainContext) error
}

// BaseCallback implements every Callback method as a no-op.
type BaseCallback struct{}

func (BaseCallback) OnTrainBegin(*TrainContext) error          { return nil }
func (BaseCallback) OnEpochBegin(*TrainContext, int) error     { return nil }
func (BaseCallback) OnBatchEnd(*TrainContext, BatchLogs) error { return nil }
func (BaseCallback) OnEpochEnd(*TrainContext, EpochLog) error  { return nil }
func (BaseCallback) OnTrainEnd(*TrainContext) error            { return nil }

// ---- EarlyStopping ----

// EarlyStoppingCallback wires reg.EarlyStopping into Fit: it stops training
// when the monitored metric stops improving and, with RestoreBest, puts
// the best weights back at the end of training (Keras 3: even when it did
// not stop training itself).
type EarlyStoppingCallback struct {
	BaseCallback
	ES   *reg.EarlyStopping
	best [][]float32
}

// EarlyStopping returns the callback for Keras's EarlyStopping with cfg.
func EarlyStopping(cfg reg.EarlyStoppingConfig) (*EarlyStoppingCallback, error) {
	es, err := reg.NewEarlyStopping(cfg)
	if err != nil {
		return nil, err
	}
	return &EarlyStoppingCallback{ES: es}, nil
}

func (c *EarlyStoppingCallback) OnTrainBegin(*TrainContext) error {
	c.ES.Reset()
	c.best = nil
	return nil
}

func (c *EarlyStoppingCallback) OnEpochEnd(ctx *TrainContext, logs EpochLog) error {
	v, ok := logs.Get(c.ES.Config().Monitor)
	d := c.ES.Observe(logs.Epoch, v, ok)
	if d.Snapshot {
		if c.best == nil {
			c.best = ctx.Model.Weights()
		} else {
			for i, p := range ctx.Model.params {
				copy(c.best[i], p.Value)
			}
		}
	}
	if d.Stop {
		ctx.StopTraining = true
	}
	return nil
}

func (c *EarlyStoppingCallback) OnTrainEnd(ctx *TrainContext) error {
	if c.ES.Restore() && c.best != nil {
		return ctx.Model.SetWeights(c.best)
	}
	return nil
}

// ---- ReduceLROnPlateau ----

// ReduceLROnPlateau is Keras's ReduceLROnPlateau callback. The state
// machine is sched.Plateau (Keras rules by default): at the start of Fit the
// callback replaces the optimizer's constant rate by a Plateau over it,
// which Fit feeds the monitored metric after every epoch; at the end it
// puts the (possibly reduced) rate back as a constant, as Keras leaves the
// reduced rate in the optimizer. Like Keras, it refuses an optimizer whose
// rate already comes from a schedule (ErrScheduledLR); wrap such a
// schedule with sched.NewPlateau(base, cfg, true) instead.
type ReduceLROnPlateau struct {
	BaseCallback
	Config  sched.PlateauConfig
	plateau *sched.Plateau
}

// NewReduceLROnPlateau returns the callback for cfg; start from
// sched.KerasPlateau() for Keras's defaults (monitor val_loss, factor 0.1,
// patience 10, min_delta 1e-4 absolute, cooldown 0, min_lr 0).
func NewReduceLROnPlateau(cfg sched.PlateauConfig) (*ReduceLROnPlateau, error) {
	if _, err := sched.NewPlateau(sched.Constant(1), cfg, false); err != nil {
		return nil, err
	}
	return &ReduceLROnPlateau{Config: cfg}, nil
}

func (r *ReduceLROnPlateau) OnTrainBegin(ctx *TrainContext) error {
	o := ctx.Model.opt
	if o.Schedule != nil {
		return fmt.Errorf("nn: ReduceLROnPlateau: %w", ErrScheduledLR)
	}
	p, err := sched.NewPlateau(sched.Constant(o.LearningRate), r.Config, false)
	if err != nil {
		return err
	}
	r.plateau, o.Schedule = p, p
	return nil
}

func (r *ReduceLROnPlateau) OnTrainEnd(ctx *TrainContext) error {
	o := ctx.Model.opt
	if r.plateau == nil || o.Schedule != sched.Schedule(r.plateau) {
		return nil
	}
	o.LearningRate = r.plateau.LR(o.iterations)
	o.Schedule, r.plateau = nil, nil
	return nil
}

// ---- LearningRateScheduler ----

// LearningRateScheduler is Keras's LearningRateScheduler: at the start of
// each epoch it sets the optimizer's rate to fn(epoch, current rate).
type LearningRateScheduler struct {
	BaseCallback
	Fn func(epoch int, lr float64) float64
}

func (s LearningRateScheduler) OnEpochBegin(ctx *TrainContext, epoch int) error {
	return ctx.Model.opt.SetLR(s.Fn(epoch, ctx.Model.opt.CurrentLR()))
}

// ---- TerminateOnNaN ----

// TerminateOnNaN ends Fit with an error naming the epoch and batch as soon
// as a batch loss is NaN or infinite.
type TerminateOnNaN struct{ BaseCallback }

// ErrNaNLoss is wrapped by TerminateOnNaN's error.
var ErrNaNLoss = errors.New("loss is not finite")

func (TerminateOnNaN) OnBatchEnd(ctx *TrainContext, l BatchLogs) error {
	if math.IsNaN(l.Loss) || math.IsInf(l.Loss, 0) {
		ctx.StopTraining = true
		return fmt.Errorf("nn: epoch %d, batch %d: %w (%v)", l.Epoch+1, l.Batch+1, ErrNaNLoss, l.Loss)
	}
	return nil
}

// ---- CSVLogger ----

// CSVLogger writes the history to Path after every epoch: a header row
// epoch,accuracy,learning_rate,loss,val_accuracy,val_loss (Keras's sorted
// keys; validation columns only with validation data) and one row per
// epoch. Each write goes to a temporary file renamed over Path, so a
// reader never sees a partial file.
type CSVLogger struct {
	BaseCallback
	Path string
}

func (c CSVLogger) OnEpochEnd(ctx *TrainContext, _ EpochLog) error {
	var b bytes.Buffer
	acc := ctx.Model.hasAccuracy()
	cols := []string{"epoch"}
	if acc {
		cols = append(cols, "accuracy")
	}
	cols = append(cols, "learning_rate", "loss")
	if ctx.HasValidation {
		if acc {
			cols = append(cols, "val_accuracy")
		}
		cols = append(cols, "val_loss")
	}
	b.WriteString(strings.Join(cols, ",") + "\n")
	for _, e := range ctx.History.Epochs {
		for i, col := range cols {
			if i > 0 {
				b.WriteByte(',')
			}
			if col == "epoch" {
				fmt.Fprintf(&b, "%d", e.Epoch)
				continue
			}
			v, _ := e.Get(col)
			fmt.Fprintf(&b, "%.17g", v)
		}
		b.WriteByte('\n')
	}
	return WriteFileAtomic(c.Path, b.Bytes())
}

// WriteFileAtomic writes data to a temporary file beside path, syncs it and
// renames it over path, so that readers see the old file or the new one,
// never a part. nn's savers and callbacks and the bench package use it.
func WriteFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// ---- Progress ----

// Progress prints Keras-style progress to W: "Epoch 3/10", then a line
// redrawn with \r at most every Interval (default 100ms) with batches done,
// a bar, ETA, loss and metrics, ended at the epoch's end with its time,
// time per step and the validation metrics.
type Progress struct {
	BaseCallback
	W        io.Writer
	Interval time.Duration

	start, last time.Time
	line        []byte
}

func (p *Progress) OnEpochBegin(ctx *TrainContext, epoch int) error {
	fmt.Fprintf(p.W, "Epoch %d/%d\n", epoch+1, ctx.Epochs)
	p.start = time.Now()
	p.last = time.Time{}
	return nil
}

func (p *Progress) OnBatchEnd(ctx *TrainContext, l BatchLogs) error {
	iv := p.Interval
	if iv == 0 {
		iv = 100 * time.Millisecond
	}
	now := time.Now()
	if l.Batch+1 < ctx.Steps && now.Sub(p.last) < iv {
		return nil
	}
	p.last = now
	done := l.Batch + 1
	el := now.Sub(p.start).Seconds()
	eta := el / float64(done) * float64(ctx.Steps-done)
	p.line = p.line[:0]
	p.line = fmt.Appendf(p.line, "\r%*d/%d %s - ETA: %s - loss: %.4f", len(fmt.Sprint(ctx.Steps)), done, ctx.Steps,
		bar(done, ctx.Steps), fmtSeconds(eta), l.MeanLoss)
	if !math.IsNaN(l.MeanAccuracy) {
		p.line = fmt.Appendf(p.line, " - accuracy: %.4f", l.MeanAccuracy)
	}
	_, err := p.W.Write(p.line)
	return err
}

func (p *Progress) OnEpochEnd(ctx *TrainContext, e EpochLog) error {
	el := time.Since(p.start)
	line := fmt.Sprintf("\r%d/%d %s - %s %s/step - loss: %.4f", ctx.Steps, ctx.Steps, bar(1, 1),
		fmtSeconds(el.Seconds()), fmtStep(el.Seconds()/float64(ctx.Steps)), e.Loss)
	for _, kv := range []struct {
		k string
		v float64
	}{{"accuracy", e.Accuracy}, {"val_loss", e.ValLoss}, {"val_accuracy", e.ValAccuracy}} {
		if !math.IsNaN(kv.v) {
			line += fmt.Sprintf(" - %s: %.4f", kv.k, kv.v)
		}
	}
	line += fmt.Sprintf(" - learning_rate: %.4g\n", e.LearningRate)
	_, err := io.WriteString(p.W, line)
	return err
}

func bar(done, total int) string {
	const width = 30
	n := done * width / total
	if n >= width {
		return "[" + strings.Repeat("=", width) + "]"
	}
	return "[" + strings.Repeat("=", n) + ">" + strings.Repeat(".", width-n-1) + "]"
}

func fmtSeconds(s float64) string {
	if s >= 60 {
		return fmt.Sprintf("%dm%02ds", int(s)/60, int(s)%60)
	}
	return fmt.Sprintf("%.0fs", s)
}

func fmtStep(s float64) string {
	if s < 1e-3 {
		return fmt.Sprintf("%.0fus", s*1e6)
	}
	return fmt.Sprintf("%.0fms", s*1e3)
}
