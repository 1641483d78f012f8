package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	goruntime "runtime"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/klauspost/cpuid/v2"
	"github.com/nnrt/nnrt/asm"
	"github.com/nnrt/nnrt/bench/kernels"
	gblas "gonum.org/v1/gonum/blas"
)

func init() {
	register(command{name: "kernels", summary: "measure nnrt's kernels (SGEMM, elementwise, dropout, norms, optimizers)", run: runKernels})
}

// reexecEnv marks a process that nnbench kernels started to measure
// another ISA level, so that it never starts another one.
const reexecEnv = "NNBENCH_KERNELS_CHILD"

func runKernels(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("kernels", stderr)
	opFlag := fs.String("op", "sgemm", "ops to measure, comma-separated, or all (see --list)")
	shapeFlag := fs.String("shape", "", "shape: N, RxC or MxNxK for sgemm (default: each op's own)")
	transFlag := fs.String("trans", "NN", "sgemm transposes of A and B: NN, NT, TN or TT")
	threads := fs.Int("threads", 0, "threads (default: runtime's thread count for sgemm, 1 for the others; --list shows which ops split over threads)")
	isaFlag := fs.String("isa", "", "ISA levels, comma-separated, or all (default: the active one, "+asm.ISA().String()+")")
	count := fs.Int("count", 5, "samples per measurement")
	minTime := fs.Duration("time", 100*time.Millisecond, "minimum duration of one sample")
	clockFlag := fs.String("clock", "wall", "time samples by wall clock, or by the process's CPU time (cpu: on one thread, immune to other processes' load)")
	format := fs.String("format", "table", "output: table, json (one object per line) or gobench (benchstat input)")
	list := fs.Bool("list", false, "list the ops and exit")
	header := fs.Bool("gobench-header", true, "with --format gobench, print the goos/goarch/cpu lines first")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: nnbench kernels [--op sgemm|axpy|dropout|...] [--shape MxNxK] [--trans NN|NT|TN|TT]")
		fmt.Fprintln(stderr, "         [--threads N] [--isa LEVEL] [--format table|json|gobench]")
		fmt.Fprintln(stderr, "Rates are medians over --count samples; spread is the median absolute deviation / median.")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	if *list {
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "op\tunit\tdefault shape\tthreads\twhat")
		for _, o := range kernels.Ops() {
			par := "1"
			if o.Parallel {
				par = "N"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", o.Name, o.Unit, kernels.FormatShape(o.DefaultShape), par, o.Summary)
		}
		return tw.Flush()
	}
	switch *format {
	case "table", "json", "gobench":
	default:
		return usagef("--format %q: want table, json or gobench", *format)
	}
	if *count < 1 {
		return usagef("--count %d: want at least 1", *count)
	}
	if *threads < 0 {
		return usagef("--threads %d: want a positive count", *threads)
	}

	var selected []kernels.Op
	if *opFlag == "all" {
		selected = kernels.Ops()
	} else {
		for _, name := range strings.Split(*opFlag, ",") {
			o, err := kernels.Lookup(strings.TrimSpace(name))
			if err != nil {
				return usagef("--op: %v", err)
			}
			selected = append(selected, o)
		}
	}
	clock, err := kernels.ParseClock(*clockFlag)
	if err != nil {
		return usagef("--clock: %v", err)
	}
	cfg := kernels.Config{Threads: *threads, Count: *count, MinTime: *minTime, Clock: clock}
	if *shapeFlag != "" {
		s, err := kernels.ParseShape(*shapeFlag)
		if err != nil {
			return usagef("--shape: %v", err)
		}
		cfg.Shape = s
	}
	tA, tB, err := kernels.ParseTrans(*transFlag)
	if err != nil {
		return usagef("--trans: %v", err)
	}
	// Check every op's configuration before measuring anything.
	configs := make([]kernels.Config, len(selected))
	for i, o := range selected {
		c := cfg
		if o.Transposes {
			c.TransA, c.TransB = tA, tB
		} else if tA != gblas.NoTrans || tB != gblas.NoTrans {
			return usagef("--trans applies to sgemm only, not %s", o.Name)
		}
		if configs[i], err = kernels.Resolve(o, c); err != nil {
			return usagef("%v", err)
		}
	}

	levels, err := isaLevels(*isaFlag)
	if err != nil {
		return usagef("--isa: %v", err)
	}
	if *format == "gobench" && *header {
		writeGobenchHeader(stdout)
	}
	for _, l := range levels {
		if l != asm.ISA() {
			// The level is fixed when the process starts: measure another
			// one in a child process with NNRT_ISA set.
			if err := reexecKernels(l, args, stdout, stderr); err != nil {
				return err
			}
			continue
		}
		results := make([]kernels.Result, 0, len(selected))
		for i, o := range selected {
			r, err := kernels.Run(o, configs[i])
			if err != nil {
				return err
			}
			results = append(results, r)
			if *format != "table" {
				if err := writeResult(stdout, *format, r); err != nil {
					return err
				}
			}
		}
		if *format == "table" {
			writeKernelTable(stdout, results)
		}
	}
	return nil
}

// isaLevels parses --isa: empty is the active level, "all" every level this
// machine supports (those it runs only on request, asm.OnRequest, included:
// each level runs in a process of its own), else a comma-separated list of
// supported levels.
func isaLevels(s string) ([]asm.Level, error) {
	all := append(asm.Available(), asm.OnRequest()...)
	switch s {
	case "":
		return []asm.Level{asm.ISA()}, nil
	case "all":
		return all, nil
	}
	var out []asm.Level
	for _, name := range strings.Split(s, ",") {
		l, err := asm.ParseLevel(strings.TrimSpace(name))
		if err != nil {
			return nil, err
		}
		supported := false
		for _, a := range all {
			supported = supported || a == l
		}
		if !supported {
			return nil, fmt.Errorf("level %s is not supported here (available: %v)", l, all)
		}
		out = append(out, l)
	}
	return out, nil
}

// childArgs returns the arguments of a child that measures level l: the
// parent's, with --isa replaced by that level and the gobench header left
// to the parent.
func childArgs(l asm.Level, args []string) []string {
	out := []string{"kernels"}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--isa" || a == "-isa":
			i++ // and its value
			continue
		case strings.HasPrefix(a, "--isa=") || strings.HasPrefix(a, "-isa="):
			continue
		}
		out = append(out, a)
	}
	return append(out, "--isa="+l.String(), "--gobench-header=false")
}

func reexecKernels(l asm.Level, args []string, stdout, stderr io.Writer) error {
	if os.Getenv(reexecEnv) != "" {
		return fmt.Errorf("child process runs level %s, not %s", asm.ISA(), l)
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("measuring level %s needs a new process: %v", l, err)
	}
	cmd := exec.Command(exe, childArgs(l, args)...)
	cmd.Env = append(os.Environ(), "NNRT_ISA="+l.String(), reexecEnv+"=1")
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return fmt.Errorf("level %s: child exited with status %d", l, ee.ExitCode())
		}
		return fmt.Errorf("level %s: %v", l, err)
	}
	return nil
}

func writeKernelTable(w io.Writer, results []kernels.Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "op\tshape\ttrans\tisa\tthreads\tclock\tmedian\tunit\tspread\tmin\tmax\tof peak\t")
	for _, r := range results {
		trans := r.Trans
		if trans == "" {
			trans = "-"
		}
		peak := "-"
		if r.PeakFraction > 0 {
			peak = fmt.Sprintf("%.0f%%", 100*r.PeakFraction)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%.2f\t%s\t±%.1f%%\t%.2f\t%.2f\t%s\t\n",
			r.Op, r.Shape, trans, r.ISA, r.Threads, r.Clock, r.Median, r.Unit, 100*r.Spread, r.Min, r.Max, peak)
	}
	tw.Flush()
}

func writeResult(w io.Writer, format string, r kernels.Result) error {
	if format == "json" {
		return json.NewEncoder(w).Encode(r)
	}
	// One line per sample, as `go test -bench -count N` prints them, so
	// that benchstat computes its own statistics.
	name := gobenchName(r)
	for i, v := range r.Samples {
		rate := fmt.Sprintf("%.2f GFLOPS", v)
		if r.Unit == kernels.GBps {
			rate = fmt.Sprintf("%.2f MB/s", 1000*v)
		}
		if _, err := fmt.Fprintf(w, "%s-%d\t%d\t%.1f ns/op\t%s\n", name, goruntime.GOMAXPROCS(0), r.Iters, r.NsPerOp[i], rate); err != nil {
			return err
		}
	}
	return nil
}

// gobenchName follows the asm package's benchmark names,
// Benchmark<Kernel>/<isa>/n=<N>, with the thread count and, for 2-D and
// SGEMM shapes, the shape and transposes.
func gobenchName(r kernels.Result) string {
	op := []rune(r.Op)
	op[0] = unicode.ToUpper(op[0])
	name := "Benchmark" + string(op) + "/" + r.ISA
	if r.Trans != "" {
		name += "/" + r.Trans
	}
	if strings.Contains(r.Shape, "x") {
		name += "/" + r.Shape
	} else {
		name += "/n=" + r.Shape
	}
	name += fmt.Sprintf("/threads=%d", r.Threads)
	if r.Clock == kernels.CPU.String() {
		name += "/clock=cpu"
	}
	return name
}

func writeGobenchHeader(w io.Writer) {
	fmt.Fprintf(w, "goos: %s\ngoarch: %s\npkg: github.com/nnrt/nnrt/cmd/nnbench\ncpu: %s\n",
		goruntime.GOOS, goruntime.GOARCH, cpuid.CPU.BrandName)
}
