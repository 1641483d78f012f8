package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"strconv"
	"strings"
	"time"

	"github.com/montanaflynn/stats"
	"github.com/nnrt/nnrt/asm"
	"github.com/nnrt/nnrt/bench/dataset"
	"github.com/nnrt/nnrt/bench/kernels"
	"github.com/nnrt/nnrt/nn"
	nrt "github.com/nnrt/nnrt/runtime"
)

// epochConfig is one training configuration of the comparison.
type epochConfig struct {
	Batch   int     `json:"batch"`
	Dropout float64 `json:"dropout"`
	Threads int     `json:"threads"`
}

// epochResult is one framework's seconds per epoch for a configuration,
// the shape of torch_epoch.py's JSON lines.
type epochResult struct {
	Framework string    `json:"framework"`
	Version   string    `json:"version"`
	Batch     int       `json:"batch"`
	Dropout   float64   `json:"dropout"`
	Threads   int       `json:"threads"`
	Train     int       `json:"train"`
	EpochsS   []float64 `json:"epochs_s"`
	MedianS   float64   `json:"median_s"`
	// CPU seconds of the process per epoch (all threads): on one thread,
	// the time the epoch ran without the time other processes held the core.
	CPUS        []float64 `json:"cpu_s"`
	MedianCPUS  float64   `json:"median_cpu_s"`
	ValAccuracy float64   `json:"val_accuracy"`
}

// bookModel builds the model torch_epoch.py builds: Flatten, then Dense
// 300 elu he_normal, Dense 100 elu he_normal, Dense 10 softmax, each Dense
// preceded by Dropout(rate) when rate > 0 (the placement of `nnbench
// train --dropout` and of the book's dropout model); SGD at Keras's
// default rate 0.01, sparse categorical cross-entropy. No training metric:
// the PyTorch loop computes none either.
func bookModel(rate float64, seed uint64) (*nn.Sequential, error) {
	layers := []nn.Layer{nn.Flatten()}
	dense := []nn.DenseConfig{
		{Units: 300, Activation: "elu", KernelInitializer: "he_normal"},
		{Units: 100, Activation: "elu", KernelInitializer: "he_normal"},
		{Units: 10, Activation: "softmax"},
	}
	for _, d := range dense {
		if rate > 0 {
			layers = append(layers, nn.Dropout(float32(rate)))
		}
		layers = append(layers, nn.Dense(d))
	}
	m := nn.NewSequential([]int{28, 28}, layers...)
	return m, m.Compile(nn.CompileConfig{Optimizer: nn.NewSGD(0.01), Seed: seed})
}

// nnrtEpochs trains the book model for a configuration: a warm-up on the
// first 200 batches, then epochs timed epochs on the training split.
func nnrtEpochs(d *dataset.Data, c epochConfig, epochs int, seed uint64) (epochResult, error) {
	defer nrt.SetThreads(nrt.SetThreads(c.Threads))
	defer goruntime.GOMAXPROCS(goruntime.GOMAXPROCS(c.Threads))
	m, err := bookModel(c.Dropout, seed)
	if err != nil {
		return epochResult{}, err
	}
	feat := d.Train.Features
	warm := min(d.Train.N, 200*c.Batch)
	if _, err := m.Fit(d.Train.X[:warm*feat], d.Train.Y[:warm], nn.FitConfig{BatchSize: c.Batch, Seed: seed}); err != nil {
		return epochResult{}, err
	}
	cpu := &cpuPerEpoch{}
	h, err := m.Fit(d.Train.X, d.Train.Y, nn.FitConfig{Epochs: epochs, BatchSize: c.Batch, Seed: seed + 1,
		Callbacks: []nn.Callback{cpu}})
	if err != nil {
		return epochResult{}, err
	}
	r := epochResult{Framework: "nnrt", Version: asm.ISA().String(), Batch: c.Batch, Dropout: c.Dropout,
		Threads: c.Threads, Train: d.Train.N, EpochsS: h.Series("seconds"), CPUS: cpu.seconds}
	r.MedianS, _ = stats.Median(r.EpochsS)
	r.MedianCPUS, _ = stats.Median(r.CPUS)
	probs, err := m.Predict(d.Val.X, 1024)
	if err != nil {
		return r, err
	}
	r.ValAccuracy = accuracy(probs, d.Val.Y)
	return r, nil
}

// cpuPerEpoch records the process CPU time of each epoch.
type cpuPerEpoch struct {
	nn.BaseCallback
	start   time.Duration
	seconds []float64
}

func (c *cpuPerEpoch) OnEpochBegin(*nn.TrainContext, int) error {
	c.start, _ = kernels.ProcessCPU()
	return nil
}

func (c *cpuPerEpoch) OnEpochEnd(*nn.TrainContext, nn.EpochLog) error {
	now, ok := kernels.ProcessCPU()
	v := math.NaN()
	if ok {
		v = (now - c.start).Seconds()
	}
	c.seconds = append(c.seconds, v)
	return nil
}

func accuracy(probs []float32, y []int32) float64 {
	cols := len(probs) / len(y)
	right := 0
	for i, label := range y {
		row := probs[i*cols : (i+1)*cols]
		best := 0
		for j, p := range row {
			if p > row[best] {
				best = j
			}
		}
		if best == int(label) {
			right++
		}
	}
	return float64(right) / float64(len(y))
}

// torchEpochs runs torch_epoch.py for one configuration on the first
// train images of the training split.
func torchEpochs(python, script, dataDir, coretype string, c epochConfig, epochs, train int, stderr io.Writer) (epochResult, error) {
	cmd := exec.Command(python, script, "--data", dataDir, "--batch", strconv.Itoa(c.Batch),
		"--dropout", strconv.FormatFloat(c.Dropout, 'g', -1, 64), "--threads", strconv.Itoa(c.Threads),
		"--epochs", strconv.Itoa(epochs), "--train", strconv.Itoa(train))
	// PyTorch's products run in the system BLAS, OpenBLAS: at its best,
	// and on the thread count of the configuration. torch.set_num_threads
	// sets OpenMP's threads but not OpenBLAS's own pthreads, which default
	// to one per core: without OPENBLAS_NUM_THREADS a "1 thread" run would
	// multiply on 2, and a 2-thread run would put 4 threads on 2 cores.
	// OMP_WAIT_POLICY=passive makes idle OpenMP threads sleep instead of
	// spinning: on a machine shared with other jobs, spinning threads that
	// wait for a descheduled peer made 2-thread epochs 10-20x slower here.
	n := strconv.Itoa(c.Threads)
	cmd.Env = openblasEnv(coretype, "OPENBLAS_NUM_THREADS="+n, "OMP_NUM_THREADS="+n, "OMP_WAIT_POLICY=passive")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, stderr
	if err := cmd.Run(); err != nil {
		return epochResult{}, fmt.Errorf("%s %s: %v", python, script, err)
	}
	var r epochResult
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "{") {
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				return r, fmt.Errorf("torch_epoch.py output %q: %v", sc.Text(), err)
			}
			return r, nil
		}
	}
	return r, fmt.Errorf("torch_epoch.py printed no result: %q", out.String())
}

func runEpoch(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("peer epoch", flag.ContinueOnError)
	fs.SetOutput(stderr)
	batchesFlag := fs.String("batches", "32,256", "batch sizes, comma-separated")
	dropoutsFlag := fs.String("dropouts", "0,0.2", "dropout rates, comma-separated")
	threadsFlag := fs.String("threads", "1,2", "thread counts, comma-separated")
	epochs := fs.Int("epochs", 2, "timed epochs per configuration and framework (after a warm-up)")
	rounds := fs.Int("rounds", 1, "times to run the whole interleaved sweep: each round gives each batch and dropout a ratio of the two frameworks' best thread settings, and the summary takes their median (a host whose speed drifts shifts single rounds)")
	python := fs.String("python", "/usr/bin/python3", "the Python that imports Debian's python3-torch")
	script := fs.String("script", "torch_epoch.py", "the PyTorch script")
	data := fs.String("data", "", "folder of the Fashion-MNIST IDX gz files (default: searched as nnbench does)")
	noTorch := fs.Bool("no-torch", false, "time nnrt only")
	train := fs.Int("train", 0, "train on the first N images of the training split (0: all 55,000, the book's protocol)")
	jsonPath := fs.String("json", "", "also write every result as JSON lines to this file")
	seed := fs.Uint64("seed", 42, "seed of the weights, dropout and shuffle")
	coretype := fs.String("coretype", "auto", "OPENBLAS_CORETYPE for PyTorch, whose products run in OpenBLAS: auto (probe, take the fastest), or a name (\"\" for the library's own choice)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	batches, err := parseInts(*batchesFlag)
	if err != nil {
		return fmt.Errorf("-batches: %v", err)
	}
	threads, err := parseInts(*threadsFlag)
	if err != nil {
		return fmt.Errorf("-threads: %v", err)
	}
	var dropouts []float64
	for _, f := range strings.Split(*dropoutsFlag, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || v < 0 || v >= 1 {
			return fmt.Errorf("-dropouts: %q is not a rate in [0, 1)", f)
		}
		dropouts = append(dropouts, v)
	}
	if *epochs < 1 {
		return fmt.Errorf("-epochs %d: want at least 1", *epochs)
	}
	if *rounds < 1 {
		return fmt.Errorf("-rounds %d: want at least 1", *rounds)
	}
	d, err := dataset.Load(dataset.Options{Dir: *data, NoEmbedded: true})
	if err != nil {
		return fmt.Errorf("%v (the comparison needs the real Fashion-MNIST: apt-get install dataset-fashion-mnist)", err)
	}
	if *train < 0 {
		return fmt.Errorf("-train %d: want a positive count or 0", *train)
	}
	if *train > 0 && *train < d.Train.N {
		d.Train.N = *train
		d.Train.X, d.Train.Y = d.Train.X[:*train*d.Train.Features], d.Train.Y[:*train]
	}
	var jsonOut io.Writer
	if *jsonPath != "" {
		f, err := os.Create(*jsonPath)
		if err != nil {
			return err
		}
		defer f.Close()
		jsonOut = f
	}
	scriptPath, err := filepath.Abs(*script)
	if err != nil {
		return err
	}
	core := ""
	if !*noTorch {
		if core, err = chooseCoretype(*coretype, stdout); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "%s\nnnrt: isa %s (%s), %s; PyTorch: %s %s, OPENBLAS_CORETYPE=%q\n", d.Source(), asm.ISA(), asm.Why(), goruntime.Version(), *python, *script, core)
	fmt.Fprintf(stdout, "book model 784-300-100-10 elu, SGD 0.01, sparse CE; seconds per epoch, median of %d after a warm-up; configurations interleaved, %d round(s)\n\n", *epochs, *rounds)
	fmt.Fprintf(stdout, "wall: elapsed seconds; cpu: the process's CPU seconds (all threads; on one thread, immune to other processes' load)\n")

	type key struct {
		batch   int
		dropout float64
	}
	// Per batch and dropout, one entry per round: each framework's best
	// thread setting in that round, and nnrt/PyTorch in CPU seconds on one
	// thread.
	nnrtBest := map[key][]float64{}
	torchBest := map[key][]float64{}
	cpuOne := map[key][]float64{}
	run := epochRun{d: d, epochs: *epochs, seed: *seed, torch: !*noTorch, python: *python, script: scriptPath,
		coretype: core, stderr: stderr}
	for round := 0; round < *rounds; round++ {
		if *rounds > 1 {
			fmt.Fprintf(stdout, "\nround %d of %d\n", round+1, *rounds)
		}
		fmt.Fprintf(stdout, "%6s %7s %7s %9s %9s %11s %9s %9s %11s %8s %9s\n", "batch", "dropout", "threads",
			"nnrt wall", "torch wall", "nnrt/torch", "nnrt cpu", "torch cpu", "nnrt/torch", "nnrt acc", "torch acc")
		for _, b := range batches {
			for _, rate := range dropouts {
				k := key{b, rate}
				nnrtBest[k] = append(nnrtBest[k], math.Inf(1))
				torchBest[k] = append(torchBest[k], math.Inf(1))
				for _, t := range threads {
					c := epochConfig{Batch: b, Dropout: rate, Threads: t}
					nr, tr, err := compareEpochs(run, c)
					if err != nil {
						return err
					}
					lowerLast(nnrtBest[k], nr.MedianS)
					if !*noTorch {
						lowerLast(torchBest[k], tr.MedianS)
						if t == 1 {
							cpuOne[k] = append(cpuOne[k], nr.MedianCPUS/tr.MedianCPUS)
						}
					}
					if err := reportEpochs(stdout, jsonOut, c, nr, tr, !*noTorch); err != nil {
						return err
					}
				}
			}
		}
	}
	if *noTorch {
		return nil
	}
	fmt.Fprintf(stdout, "\nbest thread setting of each, median over %d round(s) of the round's ratio [lowest, highest]\n", *rounds)
	fmt.Fprintln(stdout, "(issue 4 targets: batch 32 <= 0.25, batch 256 <= 0.4, dropout <= 0.25):")
	for _, b := range batches {
		for _, rate := range dropouts {
			k := key{b, rate}
			ratios := make([]float64, len(nnrtBest[k]))
			for r := range ratios {
				ratios[r] = nnrtBest[k][r] / torchBest[k][r]
			}
			nm, _ := stats.Median(nnrtBest[k])
			tm, _ := stats.Median(torchBest[k])
			fmt.Fprintf(stdout, "  batch %d, dropout %.1f: nnrt %.3f s, PyTorch %.3f s (medians), nnrt/PyTorch %s (wall)",
				b, rate, nm, tm, medianRange(ratios))
			if v := cpuOne[k]; len(v) > 0 {
				fmt.Fprintf(stdout, "; one thread, CPU seconds: %s", medianRange(v))
			}
			fmt.Fprintln(stdout)
		}
	}
	return nil
}

// lowerLast lowers the last element of v to x if x is smaller.
func lowerLast(v []float64, x float64) {
	v[len(v)-1] = min(v[len(v)-1], x)
}

// medianRange formats the median of v, with its range when v has more
// than one value.
func medianRange(v []float64) string {
	m, _ := stats.Median(v)
	if len(v) == 1 {
		return fmt.Sprintf("%.3f", m)
	}
	lo, _ := stats.Min(v)
	hi, _ := stats.Max(v)
	return fmt.Sprintf("%.3f [%.3f, %.3f]", m, lo, hi)
}

// epochRun is what every configuration of a comparison shares.
type epochRun struct {
	d              *dataset.Data
	epochs         int
	seed           uint64
	torch          bool // also time PyTorch
	python, script string
	coretype       string
	stderr         io.Writer
}

// compareEpochs times configuration c in PyTorch (when run.torch), then
// in nnrt.
func compareEpochs(run epochRun, c epochConfig) (nr, tr epochResult, err error) {
	if run.torch {
		if tr, err = torchEpochs(run.python, run.script, run.d.Dir, run.coretype, c, run.epochs, run.d.Train.N, run.stderr); err != nil {
			return nr, tr, err
		}
	}
	nr, err = nnrtEpochs(run.d, c, run.epochs, run.seed)
	return nr, tr, err
}

// reportEpochs prints configuration c's row (with the PyTorch columns NaN
// without torch) and writes its results to jsonOut when it is not nil.
func reportEpochs(stdout, jsonOut io.Writer, c epochConfig, nr, tr epochResult, torch bool) error {
	ratio, cpuRatio := math.NaN(), math.NaN()
	if torch {
		ratio, cpuRatio = nr.MedianS/tr.MedianS, nr.MedianCPUS/tr.MedianCPUS
	}
	fmt.Fprintf(stdout, "%6d %7.1f %7d %9.3f %9.3f %11.3f %9.3f %9.3f %11.3f %8.4f %9.4f\n",
		c.Batch, c.Dropout, c.Threads, nr.MedianS, tr.MedianS, ratio, nr.MedianCPUS, tr.MedianCPUS, cpuRatio, nr.ValAccuracy, tr.ValAccuracy)
	if jsonOut == nil {
		return nil
	}
	enc := json.NewEncoder(jsonOut)
	if err := enc.Encode(nr); err != nil {
		return err
	}
	if torch {
		return enc.Encode(tr)
	}
	return nil
}
