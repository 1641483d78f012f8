package bench

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/nnrt/nnrt/bench/dataset"
	"github.com/nnrt/nnrt/nn"
	"github.com/nnrt/nnrt/runtime"
	"github.com/nnrt/nnrt/sched"
)

// BookModelText describes BookModel in a study's protocol.
const BookModelText = "Flatten(28x28), Dense(300, elu, he_normal), Dense(100, elu, he_normal), Dense(10, softmax); sparse categorical cross-entropy"

// BookModel returns the model of Géron's chapter 11 (the Fashion-MNIST
// classifier the schedule sections train), uncompiled.
func BookModel(rows, cols int) *nn.Sequential {
	return nn.NewSequential([]int{rows, cols},
		nn.Flatten(),
		nn.Dense(nn.DenseConfig{Units: 300, Activation: "elu", KernelInitializer: "he_normal"}),
		nn.Dense(nn.DenseConfig{Units: 100, Activation: "elu", KernelInitializer: "he_normal"}),
		nn.Dense(nn.DenseConfig{Units: dataset.Classes, Activation: "softmax"}),
	)
}

// DataInfoOf describes d for a Study.
func DataInfoOf(d *dataset.Data) DataInfo {
	return DataInfo{Kind: string(d.Kind), Embedded: d.Embedded, Train: d.Train.N, Val: d.Val.N, Test: d.Test.N}
}

// StepsPerEpoch is the number of updates in an epoch: ceil(train/batch).
func StepsPerEpoch(train, batch int) int { return (train + batch - 1) / batch }

// DefaultScheduleNames are the book presets the default study compares,
// the first being the constant baseline.
var DefaultScheduleNames = []string{"constant", "power", "exponential", "piecewise", "plateau", "onecycle"}

// DefaultSchedules returns the SPECs of the default study: sched's book
// presets named in DefaultScheduleNames for this many steps per epoch,
// except that the 1cycle preset (the book's cell 151, which spans its 25
// epochs) gets iterations = steps per epoch x epochs, so that its cycle
// spans the study's epochs; its other settings stay the preset's.
func DefaultSchedules(stepsPerEpoch, epochs int) []string {
	byName := map[string]string{}
	for _, p := range sched.BookPresets(stepsPerEpoch) {
		byName[p.Name] = p.Spec
	}
	out := make([]string, 0, len(DefaultScheduleNames))
	for _, n := range DefaultScheduleNames {
		spec := byName[n]
		if n == "onecycle" {
			spec = withParam(spec, "iterations", strconv.Itoa(stepsPerEpoch*epochs))
		}
		out = append(out, spec)
	}
	return out
}

// withParam sets key=value in a SPEC "name:k=v,...", replacing the key's
// value if the SPEC has one and appending it otherwise.
func withParam(spec, key, value string) string {
	name, args, _ := strings.Cut(spec, ":")
	var kvs []string
	found := false
	if strings.TrimSpace(args) != "" {
		for _, kv := range strings.Split(args, ",") {
			if k, _, _ := strings.Cut(kv, "="); strings.TrimSpace(k) == key {
				kv, found = key+"="+value, true
			}
			kvs = append(kvs, kv)
		}
	}
	if !found {
		kvs = append(kvs, key+"="+value)
	}
	return name + ":" + strings.Join(kvs, ",")
}

// param returns the value of key in a SPEC "name:k=v,...".
func param(spec, key string) (string, bool) {
	_, args, _ := strings.Cut(spec, ":")
	for _, kv := range strings.Split(args, ",") {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

// NewOptimizer builds an optimizer from a SPEC: a kind (sgd, adam, nadam,
// rmsprop) optionally followed by ":key=value,..." with keys momentum,
// nesterov (SGD), beta_1, beta_2, epsilon (Adam, Nadam), rho, epsilon
// (RMSprop) and clipnorm, clipvalue, global_clipnorm. The learning rate is
// not part of it: the study's schedule gives it.
func NewOptimizer(spec string, schedule sched.Schedule) (*nn.Optimizer, error) {
	kind, args, _ := strings.Cut(spec, ":")
	kind = strings.TrimSpace(kind)
	lr := 0.01
	if schedule != nil {
		lr = schedule.LR(0)
	}
	o, err := nn.NewOptimizer(kind, lr)
	if err != nil {
		return nil, fmt.Errorf("optimizer %q: %w", spec, err)
	}
	o.Schedule = schedule
	if strings.TrimSpace(args) == "" {
		return o, nil
	}
	for _, kv := range strings.Split(args, ",") {
		k, v, ok := strings.Cut(kv, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok {
			return nil, fmt.Errorf("optimizer %q: %q is not key=value", spec, kv)
		}
		if k == "nesterov" {
			b, err := strconv.ParseBool(v)
			if err != nil || kind != "sgd" {
				return nil, fmt.Errorf("optimizer %q: nesterov=%q (SGD only, true or false)", spec, v)
			}
			o.Nesterov = b
			continue
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
			return nil, fmt.Errorf("optimizer %q: %s=%q is not a finite number >= 0", spec, k, v)
		}
		allowed := map[string][]string{"momentum": {"sgd"}, "beta_1": {"adam", "nadam"}, "beta_2": {"adam", "nadam"},
			"rho": {"rmsprop"}, "epsilon": {"adam", "nadam", "rmsprop"},
			"clipnorm": nil, "clipvalue": nil, "global_clipnorm": nil}
		kinds, known := allowed[k]
		if !known || (kinds != nil && !contains(kinds, kind)) {
			return nil, fmt.Errorf("optimizer %q: unknown key %q for %s", spec, k, kind)
		}
		switch k {
		case "momentum":
			o.Momentum = f
		case "beta_1":
			o.Beta1 = f
		case "beta_2":
			o.Beta2 = f
		case "rho":
			o.Rho = f
		case "epsilon":
			o.Epsilon = f
		case "clipnorm":
			o.Clip.Norm = float32(f)
		case "clipvalue":
			o.Clip.Value = float32(f)
		case "global_clipnorm":
			o.Clip.GlobalNorm = float32(f)
		}
	}
	return o, nil
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// evalBatch is the batch size of validation and test passes: larger than
// training batches because it only changes speed, not the result's meaning.
const evalBatch = 1024

// NNTrainer trains runs of a study with nn on Data.
type NNTrainer struct {
	Data *dataset.Data
}

func (t *NNTrainer) stepsPerEpoch(st *Study) int { return StepsPerEpoch(t.Data.Train.N, st.Batch) }

// Check parses the optimizer and every schedule of st, so a typo fails
// before any training.
func (t *NNTrainer) Check(st *Study) error {
	if err := st.Validate(); err != nil {
		return err
	}
	if got := DataInfoOf(t.Data); got != st.Data {
		return fmt.Errorf("study is for data %+v, loaded %+v", st.Data, got)
	}
	for _, spec := range st.Schedules {
		s, err := sched.Parse(spec, sched.Context{StepsPerEpoch: t.stepsPerEpoch(st)})
		if err != nil {
			return err
		}
		if _, err := NewOptimizer(st.Optimizer, s); err != nil {
			return err
		}
	}
	return nil
}

// Train trains the book model under schedule k.Schedule: weights from
// CompileConfig.Seed = seed and shuffle from FitConfig.Seed = seed, so runs
// with the same seed differ only by their schedule. A batch loss that is
// not finite stops the run, which is returned as diverged. Train may be
// called concurrently (the data is only read); the kernel thread count
// must be st.Threads, as Execute sets it.
func (t *NNTrainer) Train(ctx context.Context, st *Study, k RunKey, epoch func(Epoch)) (*Run, error) {
	start := time.Now()
	if n := runtime.Threads(); n != st.Threads {
		return nil, fmt.Errorf("kernel threads %d, the study's protocol says %d (run it through Execute)", n, st.Threads)
	}
	s, err := sched.Parse(st.Schedules[k.Schedule], sched.Context{StepsPerEpoch: t.stepsPerEpoch(st)})
	if err != nil {
		return nil, err
	}
	opt, err := NewOptimizer(st.Optimizer, s)
	if err != nil {
		return nil, err
	}
	d := t.Data
	m := BookModel(d.Rows, d.Cols)
	if err := m.Compile(nn.CompileConfig{Optimizer: opt, Metrics: []string{"accuracy"}, Seed: uint64(k.Seed)}); err != nil {
		return nil, err
	}
	w := &watch{ctx: ctx, epoch: epoch}
	_, err = m.Fit(d.Train.X, d.Train.Y, nn.FitConfig{
		Epochs: st.Epochs, BatchSize: st.Batch, Seed: uint64(k.Seed),
		ValidationX: d.Val.X, ValidationY: d.Val.Y, ValidationBatchSize: evalBatch,
		Callbacks: []nn.Callback{w},
	})
	if err != nil && !w.diverged {
		return nil, err
	}
	r := &Run{Status: StatusOK, Epochs: w.epochs}
	if w.diverged {
		r.Status = StatusDiverged
	}
	ev, err := m.Evaluate(d.Test.X, d.Test.Y, evalBatch)
	if err != nil {
		return nil, err
	}
	r.TestLoss, r.TestAccuracy = F(ev.Loss), F(ev.Accuracy)
	r.Seconds = F(time.Since(start).Seconds())
	return r, nil
}

// watch records the epochs, stops training on a non-finite batch loss
// (the run diverged) and on ctx's cancellation.
type watch struct {
	nn.BaseCallback
	ctx      context.Context
	epoch    func(Epoch)
	epochs   []Epoch
	diverged bool
}

func (w *watch) OnBatchEnd(c *nn.TrainContext, l nn.BatchLogs) error {
	if !finite(l.Loss) {
		w.diverged = true
		c.StopTraining = true
	}
	if w.ctx.Err() != nil {
		c.StopTraining = true
	}
	return nil
}

func (w *watch) OnEpochEnd(c *nn.TrainContext, l nn.EpochLog) error {
	e := Epoch{Epoch: l.Epoch + 1, Loss: F(l.Loss), Accuracy: F(l.Accuracy), ValLoss: F(l.ValLoss),
		ValAccuracy: F(l.ValAccuracy), LR: F(l.LearningRate), Seconds: F(l.Seconds)}
	if !finite(l.Loss) {
		w.diverged = true
		c.StopTraining = true
	}
	w.epochs = append(w.epochs, e)
	if w.epoch != nil {
		w.epoch(e)
	}
	return nil
}
