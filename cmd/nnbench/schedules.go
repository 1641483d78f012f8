package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/nnrt/nnrt/bench"
	"github.com/nnrt/nnrt/bench/dataset"
	"github.com/nnrt/nnrt/runtime"
)

func init() {
	register(command{name: "schedules", summary: "the study: do exponential, performance and 1cycle scheduling converge faster? (default)", run: runSchedules})
}

// Defaults of the study: the book's protocol on the real data, and a
// shorter one on the embedded subset (5,000 training images learn less, so
// the targets are lower too).
const (
	defaultEpochs         = 25
	defaultTargets        = "0.88,0.89"
	defaultSubsetEpochs   = 10
	defaultSubsetTargets  = "0.8,0.81"
	defaultSeeds          = 5
	defaultFirstSeed      = 42
	defaultStudyBatch     = 32
	defaultStudyOptimizer = "sgd"
	defaultOut            = "nnbench-out"
)

type studyFlags struct {
	schedules, optimizer, targets, data, out, shard string
	seeds, epochs, batch, threads, jobs, limit      int
	firstSeed                                       int64
	resume                                          bool
}

func runSchedules(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("schedules", stderr)
	var f studyFlags
	fs.StringVar(&f.schedules, "schedules", "", "schedule SPECs separated by ';' (see `nnbench lr -h`); the first is the baseline (default: the book's constant, power, exponential, piecewise, plateau and 1cycle)")
	fs.StringVar(&f.optimizer, "optimizer", defaultStudyOptimizer, "optimizer SPEC, fixed across schedules: sgd, adam, nadam or rmsprop, optionally with :momentum=0.9,nesterov=true,beta_1=..,clipnorm=.. (the rate comes from the schedule)")
	fs.IntVar(&f.seeds, "seeds", defaultSeeds, "seeds per schedule (each seed fixes the initial weights and the data order)")
	fs.Int64Var(&f.firstSeed, "first-seed", defaultFirstSeed, "the seeds are first-seed, first-seed+1, ...")
	fs.IntVar(&f.epochs, "epochs", 0, fmt.Sprintf("epochs per run (default %d; %d on the embedded subset)", defaultEpochs, defaultSubsetEpochs))
	fs.IntVar(&f.batch, "batch", defaultStudyBatch, "batch size")
	fs.StringVar(&f.targets, "targets", "", fmt.Sprintf("validation accuracies to reach, comma-separated; the first decides the verdict (default %s; %s on the embedded subset)", defaultTargets, defaultSubsetTargets))
	fs.IntVar(&f.threads, "threads", 1, "kernel threads per run; part of the protocol (it may change the bits), so a resumed or merged study must use the same")
	fs.IntVar(&f.jobs, "jobs", 0, "runs trained at once, each with its own model and --threads threads (0: the cores nnrt may use, NNRT_THREADS else GOMAXPROCS, divided by --threads, at least 1); changes speed only, not the results")
	fs.StringVar(&f.data, "data", "", "folder with the Fashion-MNIST IDX gz files (default: $NNRT_DATA, /usr/share/datasets/fashion-mnist, ~/.keras/datasets/fashion-mnist, else the embedded subset); \"embedded\" forces the subset")
	fs.StringVar(&f.out, "out", defaultOut, "output folder")
	fs.IntVar(&f.limit, "limit", 0, "train on the first N training images only (0: all), for quick trials; part of the protocol")
	fs.BoolVar(&f.resume, "resume", false, "continue the study in --out, training only the runs not finished")
	fs.StringVar(&f.shard, "shard", "", "run only part i of n of the study (i/n, 0 <= i < n); combine the folders with `nnbench merge`")
	fs.Usage = func() {
		fmt.Fprint(stderr, `usage: nnbench [schedules] [flags]

Trains the book's Fashion-MNIST model (Géron ch. 11) under each learning-rate
schedule over several seeds, everything else held fixed per seed, and says
for each schedule whether it reaches the target validation accuracy in fewer
epochs than the constant baseline, with a bootstrap interval and the
probability of improvement. Writes results.jsonl (appended per run),
summary.json, summary.csv, plots and report.html into --out.

`)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if f.seeds < 1 || f.batch < 1 || f.threads < 1 || f.epochs < 0 || f.jobs < 0 || f.limit < 0 {
		return usagef("--seeds, --batch and --threads must be > 0, --epochs, --jobs and --limit >= 0")
	}
	jobs := f.jobs
	if jobs == 0 {
		jobs = defaultJobs(runtime.Threads(), f.threads)
	}
	shard := bench.All
	if f.shard != "" {
		sh, err := bench.ParseShard(f.shard)
		if err != nil {
			return usagef("--shard: %v", err)
		}
		shard = sh
	}
	// Fail on an unusable output folder before loading data or training.
	if err := bench.CheckWritable(f.out); err != nil {
		return err
	}
	d, err := dataset.Load(dataset.Options{Dir: f.data})
	if err != nil {
		return err
	}
	d.Train = d.Train.Head(f.limit)
	st, err := studyFromFlags(f, d)
	if err != nil {
		return err
	}
	tr := &bench.NNTrainer{Data: d}
	if err := tr.Check(st); err != nil {
		return usageError{err}
	}
	fmt.Fprintln(stdout, bench.DataNote(st))
	runs := shard.Runs(st)
	fmt.Fprintf(stdout, "%d schedules x %d seeds x %d epochs, batch %d, %s, %d thread(s) per run, %d run(s) at once; shard %s: %d runs; output in %s\n",
		len(st.Schedules), len(st.Seeds), st.Epochs, st.Batch, st.Optimizer, st.Threads, jobs, shard, len(runs), f.out)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	s, err := bench.Execute(ctx, bench.Config{Dir: f.out, Study: st, Shard: shard, Resume: f.resume,
		Jobs: jobs, Trainer: tr, Progress: &bench.LineProgress{W: stdout, Terminal: isTerminal(stdout)}})
	if s != nil {
		fmt.Fprintln(stdout)
		fmt.Fprint(stdout, bench.Table(s))
		fmt.Fprintf(stdout, "\nwall time %s; report: %s\n", time.Since(start).Round(time.Second), filepath.Join(f.out, bench.ReportHTML))
		if shard.N > 1 {
			fmt.Fprintf(stdout, "shard %s done; run `nnbench merge` over the %d shard folders for the verdicts\n", shard, shard.N)
		}
	}
	if errors.Is(err, bench.ErrInterrupted) {
		return fmt.Errorf("%w (outputs so far written to %s)", err, f.out)
	}
	return err
}

// defaultJobs is --jobs 0: as many runs at once as the cores nnrt may use
// hold runs of threads kernel threads, at least one. At batch 32 the
// products are small and one run scales poorly over threads, so the
// default is one thread per run and one run per core.
func defaultJobs(cores, threads int) int { return max(1, cores/max(1, threads)) }

// studyFromFlags builds the study's protocol from the flags and the data.
func studyFromFlags(f studyFlags, d *dataset.Data) (*bench.Study, error) {
	epochs, targets := f.epochs, f.targets
	if epochs == 0 {
		epochs = defaultEpochs
		if d.Embedded {
			epochs = defaultSubsetEpochs
		}
	}
	if targets == "" {
		targets = defaultTargets
		if d.Embedded {
			targets = defaultSubsetTargets
		}
	}
	st := &bench.Study{Version: bench.FormatVersion, Data: bench.DataInfoOf(d), Model: bench.BookModelText,
		Optimizer: strings.TrimSpace(f.optimizer), Batch: f.batch, Epochs: epochs, Threads: f.threads}
	for _, t := range strings.Split(targets, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
		if err != nil {
			return nil, usagef("--targets: %q is not a number", t)
		}
		st.Targets = append(st.Targets, v)
	}
	if f.schedules == "" {
		st.Schedules = bench.DefaultSchedules(bench.StepsPerEpoch(d.Train.N, f.batch), epochs)
	} else {
		for _, s := range strings.Split(f.schedules, ";") {
			if s = strings.TrimSpace(s); s != "" {
				st.Schedules = append(st.Schedules, s)
			}
		}
	}
	for i := 0; i < f.seeds; i++ {
		st.Seeds = append(st.Seeds, f.firstSeed+int64(i))
	}
	if err := st.Validate(); err != nil {
		return nil, usageError{err}
	}
	return st, nil
}

// isTerminal reports whether w is a terminal, where the progress line is
// rewritten in place.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
