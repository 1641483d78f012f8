package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	goruntime "runtime"
	"strconv"
	"strings"
	"time"

	"github.com/montanaflynn/stats"
	"github.com/nnrt/nnrt/asm"
	"github.com/nnrt/nnrt/bench/kernels"
	nblas "github.com/nnrt/nnrt/blas"
	nrt "github.com/nnrt/nnrt/runtime"
	gblas "gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// sgemmFunc is an Sgemm with gonum's row-major arguments that runs the
// product reps times in a row (OpenBLAS loops in C; see openblas.go).
type sgemmFunc func(reps int, tA, tB gblas.Transpose, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int)

// library is one SGEMM under test.
type library struct {
	name       string
	sgemm      sgemmFunc
	setThreads func(n int)
	// settle is how long the library's idle threads keep a core busy
	// after a call returns: OpenBLAS's threads spin for 2^28 cycles (its
	// THREAD_TIMEOUT, about 0.1 s here) before they sleep. On several
	// threads the next library's sample waits that long, so that it does
	// not share its cores with them, and then warms up (see warmUp).
	settle time.Duration
}

func loopGo(f func(tA, tB gblas.Transpose, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int)) sgemmFunc {
	return func(reps int, tA, tB gblas.Transpose, m, n, k int, alpha float32, a []float32, lda int,
		b []float32, ldb int, beta float32, c []float32, ldc int) {
		for range reps {
			f(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		}
	}
}

// libraries returns nnrt, OpenBLAS and gonum, in the order of the table.
// Go's scheduler threads (GOMAXPROCS) are set by the caller for all of them:
// gonum's Sgemm splits big products over GOMAXPROCS goroutines.
func libraries() []library {
	return []library{
		{"nnrt", loopGo(nblas.Sgemm), func(n int) { nrt.SetThreads(n) }, 0},
		{"openblas", openblasSgemm, openblasSetThreads, 300 * time.Millisecond},
		{"gonum", loopGo(gonum.Implementation{}.Sgemm), func(int) {}, 0},
	}
}

// product is one C = op(A)·op(B) of an m x n result with inner size k.
type product struct {
	name    string
	tA, tB  gblas.Transpose
	m, n, k int
}

func (p product) trans() string { return transName(p.tA) + transName(p.tB) }

func transName(t gblas.Transpose) string {
	if t == gblas.NoTrans {
		return "N"
	}
	return "T"
}

func (p product) flops() float64 { return 2 * float64(p.m) * float64(p.n) * float64(p.k) }

// bookLayers are the Dense layers of the book's model, 784-300-100-10.
var bookLayers = [][2]int{{784, 300}, {300, 100}, {100, 10}}

// bookProducts returns the nine products of one training step of the book's
// model at a batch size: per layer of in x out weights W, the forward
// Y = X·W (batch x out, inner in), the weight gradient dW = X^T·dY (TN,
// in x out, inner batch) and the input gradient dX = dY·W^T (NT, batch x in,
// inner out).
func bookProducts(batch int) []product {
	var ps []product
	for i, l := range bookLayers {
		in, out := l[0], l[1]
		ps = append(ps,
			product{fmt.Sprintf("b%d L%d fwd X.W", batch, i+1), gblas.NoTrans, gblas.NoTrans, batch, out, in},
			product{fmt.Sprintf("b%d L%d dW=X^T.dY", batch, i+1), gblas.Trans, gblas.NoTrans, in, out, batch},
			product{fmt.Sprintf("b%d L%d dX=dY.W^T", batch, i+1), gblas.NoTrans, gblas.Trans, batch, in, out},
		)
	}
	return ps
}

func squareProducts(sizes []int) []product {
	ps := make([]product, len(sizes))
	for i, s := range sizes {
		ps[i] = product{fmt.Sprintf("square %d", s), gblas.NoTrans, gblas.NoTrans, s, s, s}
	}
	return ps
}

// operands holds A, B and one C per library for a product, stored
// row-major as gonum expects for the product's transposes.
type operands struct {
	a, b          []float32
	lda, ldb, ldc int
	c             [][]float32
}

func newOperands(p product, libs int, rng *rand.Rand) *operands {
	ar, ac := p.m, p.k
	if p.tA == gblas.Trans {
		ar, ac = p.k, p.m
	}
	br, bc := p.k, p.n
	if p.tB == gblas.Trans {
		br, bc = p.n, p.k
	}
	o := &operands{a: randSlice(ar*ac, rng), b: randSlice(br*bc, rng), lda: ac, ldb: bc, ldc: p.n}
	for range libs {
		o.c = append(o.c, make([]float32, p.m*p.n))
	}
	return o
}

func randSlice(n int, rng *rand.Rand) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = 2*rng.Float32() - 1
	}
	return s
}

// maxRelDiff returns max |x-y| / (k + 1): the entries are sums of k products
// of values in [-1, 1], so a float32 result is off by a few k*eps at most.
func maxRelDiff(x, y []float32, k int) float64 {
	var d float64
	for i := range x {
		d = max(d, math.Abs(float64(x[i])-float64(y[i])))
	}
	return d / float64(k+1)
}

// sgemmRow is one measured product at one thread count.
type sgemmRow struct {
	Product string             `json:"product"`
	Trans   string             `json:"trans"`
	M       int                `json:"m"`
	N       int                `json:"n"`
	K       int                `json:"k"`
	Threads int                `json:"threads"`
	GFLOPS  map[string]float64 `json:"gflops_median"`
	Spread  map[string]float64 `json:"spread"`
	Iters   map[string]int     `json:"products_per_sample"`
	// Paired is nnrt's sample over OpenBLAS's taken next to it, per round.
	Paired pairedRatio `json:"nnrt_openblas_paired"`
}

// pairedRatio summarizes the ratios a[r]/b[r] of two libraries' samples of
// the same round r, taken one right after the other: the host's speed
// drifts over a run (the same product by the same library, 40 or 76
// GFLOPS by the minute), and a ratio of medians can set one library's
// fast minutes against the other's slow ones, where a round's two samples
// share their minute. Median and quartiles (montanaflynn/stats' Quartile:
// the medians of the halves below and above the median).
type pairedRatio struct {
	Median float64 `json:"median"`
	Q1     float64 `json:"q1"`
	Q3     float64 `json:"q3"`
}

// pairRatios returns the pairedRatio of a over b (NaN for no rounds).
func pairRatios(a, b []float64) pairedRatio {
	n := min(len(a), len(b))
	r := make([]float64, n)
	for i := range r {
		r[i] = a[i] / b[i]
	}
	p := pairedRatio{math.NaN(), math.NaN(), math.NaN()}
	if n == 0 {
		return p
	}
	p.Median, _ = stats.Median(r)
	p.Q1, p.Q3 = p.Median, p.Median
	if q, err := stats.Quartile(r); err == nil && n >= 4 {
		p.Q1, p.Q3 = q.Q1, q.Q3
	}
	return p
}

// measureProduct checks that every library computes the product gonum
// computes (the last library, the independent oracle), then takes count samples of each, interleaved (one sample of each library
// in turn), so that load from other processes hits them alike.
func measureProduct(p product, threads int, libs []library, count int, minTime time.Duration, clock kernels.Clock, rng *rand.Rand) (sgemmRow, error) {
	o := newOperands(p, len(libs), rng)
	row := sgemmRow{Product: p.name, Trans: p.trans(), M: p.m, N: p.n, K: p.k, Threads: threads,
		GFLOPS: map[string]float64{}, Spread: map[string]float64{}, Iters: map[string]int{}}
	for i, l := range libs {
		l.sgemm(1, p.tA, p.tB, p.m, p.n, p.k, 1, o.a, o.lda, o.b, o.ldb, 0, o.c[i], o.ldc)
	}
	ref := len(libs) - 1
	for i, l := range libs[:ref] {
		if d := maxRelDiff(o.c[i], o.c[ref], p.k); d > 1e-5 {
			return row, fmt.Errorf("%s: %s and %s differ by %.3g x (k+1)", p.name, l.name, libs[ref].name, d)
		}
	}
	// Run tiny products in batches of about a megaflop so that one timed
	// call is long next to the clock and to a cgo call.
	inner := max(1, int(1e6/p.flops()))
	timers := make([]*kernels.Timer, len(libs))
	fns := make([]func(), len(libs))
	for i, l := range libs {
		c := o.c[i]
		fn := func() { l.sgemm(inner, p.tA, p.tB, p.m, p.n, p.k, 1, o.a, o.lda, o.b, o.ldb, 0, c, o.ldc) }
		fns[i] = fn
		timers[i] = kernels.Calibrate(fn, float64(inner)*p.flops(), minTime)
		timers[i].Clock = clock
		row.Iters[l.name] = inner * timers[i].Iters
	}
	samples := make([][]float64, len(libs))
	for range count {
		for i, t := range timers {
			if prev := libs[(i+len(libs)-1)%len(libs)]; threads > 1 && prev.settle > 0 {
				time.Sleep(prev.settle)
				warmUp(fns[i])
			}
			samples[i] = append(samples[i], t.Sample())
		}
	}
	for i, l := range libs {
		s := kernels.Summarize(samples[i])
		row.GFLOPS[l.name], row.Spread[l.name] = s.Median, s.Spread
	}
	row.Paired = pairRatios(samples[libIndex(libs, "nnrt")], samples[libIndex(libs, "openblas")])
	return row, nil
}

// libIndex returns the position of the library called name in libs.
func libIndex(libs []library, name string) int {
	for i, l := range libs {
		if l.name == name {
			return i
		}
	}
	panic("peer: no library " + name)
}

// warmUp runs fn, untimed, for at least warmUpTime: after a pause the
// cores run at a lower clock and the library's threads sleep, which the
// first calls would otherwise pay inside the timed sample.
func warmUp(fn func()) {
	for start := time.Now(); time.Since(start) < warmUpTime; {
		fn()
	}
}

const warmUpTime = 30 * time.Millisecond

func runSgemm(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("peer sgemm", flag.ContinueOnError)
	fs.SetOutput(stderr)
	threadsFlag := fs.String("threads", "1,2", "thread counts, comma-separated")
	squaresFlag := fs.String("squares", "64,128,256,512,1024,2048", "square sizes, comma-separated (empty: none)")
	batchesFlag := fs.String("batches", "1,32,256", "batch sizes of the book model's nine products (empty: none)")
	count := fs.Int("count", 5, "samples per library and product")
	minTime := fs.Duration("mintime", 50*time.Millisecond, "minimum duration of one sample")
	jsonPath := fs.String("json", "", "also write the rows as JSON lines to this file")
	clockFlag := fs.String("clock", "wall", "wall, or cpu: rates from the process's CPU time (on one thread, immune to other processes' load; with more, a cost, not a speed)")
	coretype := fs.String("coretype", "auto", "OpenBLAS kernel set: auto (probe the candidates, run the fastest), keep (as loaded), or a name for OPENBLAS_CORETYPE")
	if err := fs.Parse(args); err != nil {
		return err
	}
	threads, err := parseInts(*threadsFlag)
	if err != nil {
		return fmt.Errorf("-threads: %v", err)
	}
	squares, err := parseInts(*squaresFlag)
	if err != nil {
		return fmt.Errorf("-squares: %v", err)
	}
	batches, err := parseInts(*batchesFlag)
	if err != nil {
		return fmt.Errorf("-batches: %v", err)
	}
	clock, err := kernels.ParseClock(*clockFlag)
	if err != nil {
		return fmt.Errorf("-clock: %v", err)
	}
	if *coretype != "keep" && os.Getenv(chosenEnv) == "" {
		// OpenBLAS reads OPENBLAS_CORETYPE once, when it is loaded: the run
		// with the chosen kernel set is another process.
		return rerunWithCoretype(*coretype, args, stdout, stderr)
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

	libs := libraries()
	fmt.Fprintf(stdout, "nnrt: isa %s (%s)\n", asm.ISA(), asm.Why())
	fmt.Fprintf(stdout, "OpenBLAS: core %s (OPENBLAS_CORETYPE=%q); %s\n", openblasCorename(), os.Getenv("OPENBLAS_CORETYPE"), openblasConfig())
	fmt.Fprintf(stdout, "gonum: v0.17 pure Go; %s; %d samples of >= %v per library and product, interleaved; GFLOPS medians ± relative MAD; %s clock\n\n",
		goruntime.Version(), *count, *minTime, clock)

	type group struct {
		title string
		ps    []product
		geo   bool
	}
	groups := []group{{"squares", squareProducts(squares), false}}
	for _, b := range batches {
		groups = append(groups, group{fmt.Sprintf("book model, batch %d", b), bookProducts(b), true})
	}
	rng := rand.New(rand.NewPCG(1, 2))
	prevProcs := goruntime.GOMAXPROCS(0)
	defer goruntime.GOMAXPROCS(prevProcs)
	var summary []string
	for _, t := range threads {
		goruntime.GOMAXPROCS(t)
		for _, l := range libs {
			l.setThreads(t)
		}
		if got := openblasThreads(); got != t {
			fmt.Fprintf(stdout, "note: OpenBLAS runs %d threads, not %d\n", got, t)
		}
		for _, g := range groups {
			if len(g.ps) == 0 {
				continue
			}
			fmt.Fprintf(stdout, "%s, %d thread(s)\n", g.title, t)
			fmt.Fprintf(stdout, "%-18s %5s %5s %5s %5s", "product", "trans", "m", "n", "k")
			for _, l := range libs {
				fmt.Fprintf(stdout, " %14s", l.name)
			}
			fmt.Fprintf(stdout, " %14s %17s %11s\n", "nnrt/openblas", "paired [q1, q3]", "nnrt/gonum")
			var logOB, logGo, logPaired float64
			for _, p := range g.ps {
				row, err := measureProduct(p, t, libs, *count, *minTime, clock, rng)
				if err != nil {
					return err
				}
				rOB := row.GFLOPS["nnrt"] / row.GFLOPS["openblas"]
				rGo := row.GFLOPS["nnrt"] / row.GFLOPS["gonum"]
				logOB += math.Log(rOB)
				logGo += math.Log(rGo)
				logPaired += math.Log(row.Paired.Median)
				paired := fmt.Sprintf("%.2f [%.2f, %.2f]", row.Paired.Median, row.Paired.Q1, row.Paired.Q3)
				fmt.Fprintf(stdout, "%-18s %5s %5d %5d %5d", p.name, p.trans(), p.m, p.n, p.k)
				for _, l := range libs {
					fmt.Fprintf(stdout, " %14s", fmt.Sprintf("%.1f ±%.0f%%", row.GFLOPS[l.name], 100*row.Spread[l.name]))
				}
				fmt.Fprintf(stdout, " %14.2f %17s %11.2f\n", rOB, paired, rGo)
				if !g.geo && (p.m == 1024 || p.m == 2048) {
					summary = append(summary, fmt.Sprintf("%s, %d thread(s): nnrt/openblas %.2f (paired %s), nnrt/gonum %.2f", p.name, t, rOB, paired, rGo))
				}
				if jsonOut != nil {
					if err := json.NewEncoder(jsonOut).Encode(row); err != nil {
						return err
					}
				}
			}
			if g.geo {
				n := float64(len(g.ps))
				gOB, gGo, gPaired := math.Exp(logOB/n), math.Exp(logGo/n), math.Exp(logPaired/n)
				fmt.Fprintf(stdout, "%-42s %*s %14.2f %17.2f %11.2f\n", fmt.Sprintf("geometric mean of the %d products", len(g.ps)),
					15*len(libs)-1, "", gOB, gPaired, gGo)
				summary = append(summary, fmt.Sprintf("%s, %d thread(s), geometric mean: nnrt/openblas %.2f (of paired medians %.2f), nnrt/gonum %.2f", g.title, t, gOB, gPaired, gGo))
			}
			fmt.Fprintln(stdout)
		}
	}
	if len(summary) > 0 {
		fmt.Fprintln(stdout, "summary (ratios of medians; paired: the median and quartiles of the rounds' ratios):")
		for _, s := range summary {
			fmt.Fprintln(stdout, "  "+s)
		}
	}
	return nil
}

func parseInts(s string) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("%q is not a positive integer", f)
		}
		out = append(out, v)
	}
	return out, nil
}
