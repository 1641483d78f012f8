package main

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/montanaflynn/stats"
	"github.com/nnrt/nnrt/bench/dataset"
	"github.com/nnrt/nnrt/nn"
	"github.com/nnrt/nnrt/reg"
	"github.com/nnrt/nnrt/runtime"
	"github.com/nnrt/nnrt/sched"
)

func init() {
	register(command{name: "train", summary: "train a model (the book's by default) on Fashion-MNIST", run: runTrain})
}

// trainFlags are the flags of `nnbench train`.
type trainFlags struct {
	optimizer, schedule, activation, init, data, format, save string
	lr, momentum, dropout, l1, l2, maxNorm                    float64
	batch, epochs, threads, limit                             int
	seed                                                      uint64
	nesterov, standardize, profile                            bool
}

// trainReport is the --format json output.
type trainReport struct {
	Data         string         `json:"data"`
	Embedded     bool           `json:"embedded"`
	Threads      int            `json:"threads"`
	Model        nn.ModelConfig `json:"model"`
	Batch        int            `json:"batch"`
	Epochs       int            `json:"epochs"`
	History      []nn.EpochLog  `json:"history"`
	Test         nn.Evaluation  `json:"test"`
	TotalSeconds float64        `json:"total_seconds"`
	SecondsEpoch float64        `json:"median_seconds_per_epoch"`
	SavedTo      string         `json:"saved_to,omitempty"`
	// Profile: where the training steps' time went (--profile)
	Profile *nn.StepProfile `json:"profile,omitempty"`
}

func runTrain(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("train", stderr)
	var f trainFlags
	fs.StringVar(&f.optimizer, "optimizer", "sgd", "sgd, adam, nadam or rmsprop (Keras defaults)")
	fs.Float64Var(&f.lr, "lr", 0.01, "learning rate (when --schedule is not given)")
	fs.Float64Var(&f.momentum, "momentum", 0, "SGD momentum (Keras form)")
	fs.BoolVar(&f.nesterov, "nesterov", false, "SGD Nesterov momentum")
	fs.StringVar(&f.schedule, "schedule", "", "learning-rate schedule SPEC (see `nnbench lr -h`); overrides --lr")
	fs.IntVar(&f.batch, "batch", 32, "batch size")
	fs.IntVar(&f.epochs, "epochs", 5, "epochs")
	fs.Float64Var(&f.dropout, "dropout", 0, "Dropout rate before each Dense layer (Géron's placement; 0: none)")
	fs.Float64Var(&f.l1, "l1", 0, "L1 kernel penalty on every Dense layer (Keras: no 1/2)")
	fs.Float64Var(&f.l2, "l2", 0, "L2 kernel penalty on every Dense layer (Keras: no 1/2)")
	fs.Float64Var(&f.maxNorm, "max-norm", 0, "max-norm kernel constraint on the hidden layers (0: none)")
	fs.BoolVar(&f.standardize, "standardize", false, "standardize each pixel with the training set's mean and std (Normalization layer; the book's SELU setup)")
	fs.StringVar(&f.activation, "activation", "elu", "hidden activation")
	fs.StringVar(&f.init, "init", "he_normal", "hidden kernel initializer")
	fs.IntVar(&f.limit, "limit", 0, "train on the first N training images only (0: all), for quick runs")
	fs.Uint64Var(&f.seed, "seed", 42, "seed of the weights, dropout and shuffle")
	fs.IntVar(&f.threads, "threads", 0, "kernel threads (0: NNRT_THREADS, else GOMAXPROCS)")
	fs.StringVar(&f.data, "data", "", "folder with the Fashion-MNIST IDX gz files (default: $NNRT_DATA, /usr/share/datasets/fashion-mnist, ~/.keras/datasets/fashion-mnist, else the embedded subset); \"embedded\" forces the subset")
	fs.StringVar(&f.format, "format", "text", "text or json (json: the whole history on stdout, progress on stderr)")
	fs.StringVar(&f.save, "save", "", "write the trained model to PATH (safetensors) and its config to PATH.json")
	fs.BoolVar(&f.profile, "profile", false, "time each layer's forward and backward pass, the loss, the update and the batch gathering, and print µs per step")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: nnbench train [flags]\n\nTrains Flatten, Dense 300, Dense 100, Dense 10 softmax (Géron ch. 11) and reports the test accuracy.")
		fs.PrintDefaults()
	}
	err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if f.format != "text" && f.format != "json" {
		return usagef("--format must be text or json, got %q", f.format)
	}
	if f.batch <= 0 || f.epochs <= 0 {
		return usagef("--batch and --epochs must be > 0")
	}
	if f.threads < 0 || f.limit < 0 {
		return usagef("--threads and --limit must be >= 0")
	}
	if f.threads > 0 {
		defer runtime.SetThreads(runtime.SetThreads(f.threads))
	}

	d, err := dataset.Load(dataset.Options{Dir: f.data})
	if err != nil {
		return err
	}
	d.Train = d.Train.Head(f.limit)
	progress := stdout
	if f.format == "json" {
		progress = stderr
	}
	fmt.Fprintln(progress, d.Source())

	m, err := buildTrainModel(f, d.Rows, d.Cols, (d.Train.N+f.batch-1)/f.batch)
	if err != nil {
		return err
	}
	if f.standardize {
		if err := m.Layers()[1].(*nn.NormalizationLayer).Adapt(d.Train.X); err != nil {
			return err
		}
	}
	var prof *nn.StepProfile
	if f.profile {
		prof = &nn.StepProfile{}
		m.Profile(prof)
	}
	start := time.Now()
	h, err := m.Fit(d.Train.X, d.Train.Y, nn.FitConfig{Epochs: f.epochs, BatchSize: f.batch, Seed: f.seed,
		ValidationX: d.Val.X, ValidationY: d.Val.Y, ValidationBatchSize: 1024,
		Callbacks: []nn.Callback{&nn.Progress{W: progress}, nn.TerminateOnNaN{}}})
	if err != nil {
		return err
	}
	total := time.Since(start).Seconds()
	test, err := m.Evaluate(d.Test.X, d.Test.Y, 1024)
	if err != nil {
		return err
	}
	if f.save != "" {
		if err := m.Save(f.save); err != nil {
			return err
		}
	}
	secs := h.Series("seconds")
	med, _ := stats.Median(secs)
	if f.format == "json" {
		r := trainReport{Data: d.Source(), Embedded: d.Embedded, Threads: runtime.Threads(), Model: m.ModelConfig(),
			Batch: f.batch, Epochs: f.epochs, History: h.Epochs, Test: test, TotalSeconds: total, SecondsEpoch: med, SavedTo: f.save, Profile: prof}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	fmt.Fprintf(stdout, "test loss %.4f, test accuracy %.4f (%d images); %d epochs in %.1fs, median %.3fs/epoch, %d threads\n",
		test.Loss, test.Accuracy, d.Test.N, len(h.Epochs), total, med, runtime.Threads())
	if f.save != "" {
		fmt.Fprintf(stdout, "saved %s and %s\n", f.save, nn.ConfigPath(f.save))
	}
	if prof != nil {
		fmt.Fprintf(stdout, "\nwhere a training step's time went (%d steps, wall clock of the calling thread):\n", prof.Steps)
		return prof.Write(stdout)
	}
	return nil
}

// buildTrainModel builds and compiles the book's model with the flags'
// options.
func buildTrainModel(f trainFlags, rows, cols, stepsPerEpoch int) (*nn.Sequential, error) {
	opt, err := nn.NewOptimizer(f.optimizer, f.lr)
	if err != nil {
		return nil, usageError{err}
	}
	if f.momentum != 0 || f.nesterov {
		if f.optimizer != "sgd" {
			return nil, usagef("--momentum and --nesterov apply to sgd only")
		}
		opt.Momentum, opt.Nesterov = f.momentum, f.nesterov
	}
	if f.schedule != "" {
		s, err := sched.Parse(f.schedule, sched.Context{StepsPerEpoch: stepsPerEpoch})
		if err != nil {
			return nil, usageError{err}
		}
		opt.Schedule = s
	}
	penalty := reg.L1L2{L1: float32(f.l1), L2: float32(f.l2)}
	var constraint *reg.ConstraintSpec
	if f.maxNorm != 0 {
		constraint = &reg.ConstraintSpec{Kind: "max_norm", MaxValue: float32(f.maxNorm)}
	}
	layers := []nn.Layer{nn.Flatten()}
	if f.standardize {
		layers = append(layers, nn.Normalization())
	}
	for _, units := range []int{300, 100} {
		if f.dropout > 0 {
			layers = append(layers, nn.Dropout(float32(f.dropout)))
		}
		layers = append(layers, nn.Dense(nn.DenseConfig{Units: units, Activation: f.activation,
			KernelInitializer: f.init, KernelRegularizer: penalty, KernelConstraint: constraint}))
	}
	if f.dropout > 0 {
		layers = append(layers, nn.Dropout(float32(f.dropout)))
	}
	layers = append(layers, nn.Dense(nn.DenseConfig{Units: 10, Activation: "softmax", KernelRegularizer: penalty}))
	m := nn.NewSequential([]int{rows, cols}, layers...)
	if err := m.Compile(nn.CompileConfig{Optimizer: opt, Metrics: []string{"accuracy"}, Seed: f.seed}); err != nil {
		return nil, usageError{err}
	}
	return m, nil
}
