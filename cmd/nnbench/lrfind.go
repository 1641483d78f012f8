package main

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/nnrt/nnrt/bench"
	"github.com/nnrt/nnrt/bench/dataset"
	"github.com/nnrt/nnrt/runtime"
)

func init() {
	register(command{name: "lrfind", summary: "learning-rate range test on the book's model: loss-vs-rate plot, CSV and a suggested rate", run: runLRFind})
}

func runLRFind(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("lrfind", stderr)
	var cfg bench.LRFindConfig
	fs.StringVar(&cfg.Optimizer, "optimizer", defaultStudyOptimizer, "optimizer SPEC (as for the study)")
	fs.IntVar(&cfg.Batch, "batch", defaultStudyBatch, "batch size")
	fs.IntVar(&cfg.Epochs, "epochs", 1, "epochs of steps the rate takes to grow from --min to --max")
	fs.Float64Var(&cfg.Min, "min", 1e-5, "first rate")
	fs.Float64Var(&cfg.Max, "max", 10, "last rate")
	fs.Uint64Var(&cfg.Seed, "seed", defaultFirstSeed, "seed of the initial weights and the batch order")
	threads := fs.Int("threads", 0, "kernel threads (0: NNRT_THREADS, else GOMAXPROCS)")
	data := fs.String("data", "", "folder with the Fashion-MNIST IDX gz files (default: searched as for the study, else the embedded subset); \"embedded\" forces the subset")
	out := fs.String("out", defaultOut, "output folder for lrfind.csv, lrfind.png and lrfind.svg")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: nnbench lrfind [flags]\n\nGrows the rate exponentially from --min to --max over --epochs of batches (Géron's\nfind_learning_rate), records each batch's loss, stops when it diverges, and suggests a rate.")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if cfg.Batch < 1 || cfg.Epochs < 1 || *threads < 0 || !(cfg.Min > 0 && cfg.Max > cfg.Min) {
		return usagef("need --batch, --epochs >= 1, --threads >= 0 and 0 < --min < --max")
	}
	if _, err := bench.NewOptimizer(cfg.Optimizer, nil); err != nil {
		return usageError{err}
	}
	if err := bench.CheckWritable(*out); err != nil {
		return err
	}
	if *threads > 0 {
		defer runtime.SetThreads(runtime.SetThreads(*threads))
	}
	d, err := dataset.Load(dataset.Options{Dir: *data})
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, d.Source())
	res, err := bench.LRFind(d, cfg, *out)
	if err != nil {
		return err
	}
	last := res.Points[len(res.Points)-1]
	fmt.Fprintf(stdout, "%d of %d steps, rate %.3g to %.3g (%s)\n", len(res.Points), res.Iterations, res.Points[0].LR, last.LR, res.Stopped)
	fmt.Fprintf(stdout, "suggested learning rate: %.4g (%s)\n", res.Suggested, res.Rule)
	fmt.Fprintf(stdout, "wrote %s, %s, %s\n", filepath.Join(*out, res.CSV), filepath.Join(*out, res.Figure.PNG), filepath.Join(*out, res.Figure.SVG))
	return nil
}
