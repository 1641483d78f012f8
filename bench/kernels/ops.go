// Package kernels measures nnrt's kernels from a program, for `nnbench
// kernels` and the peer benchmarks: SGEMM over shapes and transposes, the
// asm package's elementwise, dropout, norm and optimizer kernels, and Go's
// copy as the memory-bandwidth reference. Each measurement is repeated and
// reported as the median rate and a robust spread (see Summary), in GFLOPS
// for SGEMM and in GB/s for everything else.
//
// It measures the ISA level the asm package chose for this process
// (asm.ISA()); the level is fixed at start-up, so measuring another one
// means running another process with NNRT_ISA set (nnbench does that).
package kernels

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nnrt/nnrt/asm"
	nrt "github.com/nnrt/nnrt/runtime"
	gblas "gonum.org/v1/gonum/blas"
)

// Unit names of rates.
const (
	GFLOPS = "GFLOPS"
	GBps   = "GB/s"
)

// Op is one benchmarkable kernel.
type Op struct {
	Name string
	// Unit is GFLOPS (work counts floating-point operations) or GB/s
	// (work counts the bytes the kernel reads plus the bytes it writes,
	// each array once per direction, as testing.B.SetBytes counts).
	Unit string
	// Dims is the number of shape dimensions: 1 (n elements), 2 (rows x
	// cols) or 3 (m x n x k, SGEMM).
	Dims         int
	DefaultShape []int
	// Parallel ops split their work over runtime's workers when more than
	// one thread is asked for; the others are single-threaded kernels.
	Parallel bool
	// AllThreads ops (SGEMM) run on runtime.Threads() threads unless told
	// otherwise; the others on one, as nnrt calls them and as the asm
	// package's own benchmarks measure them.
	AllThreads bool
	// Transposes reports whether the op takes --trans (SGEMM).
	Transposes bool
	// Equivalent ops report dense-equivalent flops (the sparse product):
	// their rate has no fraction of the FMA peak.
	Equivalent bool
	Summary    string
	// setup allocates the operands of a call for shape and returns the call
	// and its work (flops or bytes).
	setup func(c Config) (fn func(), work float64)
}

// Config is what one measurement runs.
type Config struct {
	Shape   []int
	TransA  gblas.Transpose // SGEMM only; NoTrans for other ops
	TransB  gblas.Transpose
	Threads int // 0: runtime.Threads() for AllThreads ops, 1 for the others
	Count   int // samples (0: 5)
	MinTime time.Duration
	Clock   Clock // Wall (default) or CPU
}

var ops = map[string]Op{}

func register(o Op) {
	if _, dup := ops[o.Name]; dup {
		panic("kernels: op registered twice: " + o.Name)
	}
	ops[o.Name] = o
}

// Ops returns every op, sorted by name.
func Ops() []Op {
	out := make([]Op, 0, len(ops))
	for _, o := range ops {
		out = append(out, o)
	}
	slices.SortFunc(out, func(a, b Op) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Lookup returns the op of a name.
func Lookup(name string) (Op, error) {
	o, ok := ops[name]
	if !ok {
		names := make([]string, 0, len(ops))
		for _, o := range Ops() {
			names = append(names, o.Name)
		}
		return Op{}, fmt.Errorf("unknown op %q (want one of %s)", name, strings.Join(names, ", "))
	}
	return o, nil
}

// ParseShape parses "4096", "256x1024" or "1024x1024x1024" into its
// dimensions; each must be a positive integer.
func ParseShape(s string) ([]int, error) {
	var dims []int
	for _, f := range strings.Split(s, "x") {
		v, err := strconv.Atoi(f)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("shape %q: %q is not a positive integer", s, f)
		}
		dims = append(dims, v)
	}
	return dims, nil
}

// FormatShape is the inverse of ParseShape.
func FormatShape(dims []int) string {
	parts := make([]string, len(dims))
	for i, d := range dims {
		parts[i] = strconv.Itoa(d)
	}
	return strings.Join(parts, "x")
}

// ParseTrans parses "NN", "NT", "TN" or "TT" (A's then B's transpose).
func ParseTrans(s string) (a, b gblas.Transpose, err error) {
	t := func(c byte) (gblas.Transpose, bool) {
		switch c {
		case 'N', 'n':
			return gblas.NoTrans, true
		case 'T', 't':
			return gblas.Trans, true
		}
		return 0, false
	}
	if len(s) == 2 {
		a, okA := t(s[0])
		b, okB := t(s[1])
		if okA && okB {
			return a, b, nil
		}
	}
	return 0, 0, fmt.Errorf("transposes %q: want NN, NT, TN or TT", s)
}

// FormatTrans is the inverse of ParseTrans.
func FormatTrans(a, b gblas.Transpose) string {
	f := func(t gblas.Transpose) string {
		if t == gblas.NoTrans {
			return "N"
		}
		return "T"
	}
	return f(a) + f(b)
}

// Result is one measurement.
type Result struct {
	Op      string    `json:"op"`
	Shape   string    `json:"shape"`
	Trans   string    `json:"trans,omitempty"`
	ISA     string    `json:"isa"`
	Threads int       `json:"threads"`
	Unit    string    `json:"unit"`
	Clock   string    `json:"clock"` // wall or cpu (see Clock)
	Median  float64   `json:"median"`
	Spread  float64   `json:"spread"` // relative median absolute deviation
	Min     float64   `json:"min"`
	Max     float64   `json:"max"`
	Samples []float64 `json:"samples"`
	Iters   int       `json:"calls_per_sample"`
	// NsPerOp is the time of one call at each sample's rate, for the
	// testing package's ns/op.
	NsPerOp []float64 `json:"ns_per_op"`
	// PeakFraction is, for a GFLOPS op on a level with an FMA peak loop
	// (asm.FMAPeak), the median over samples of the sample's rate over the
	// FMA peak of Threads cores, the mean of the peaks timed right before
	// and right after it: "percent of peak" at the clock the sample ran at
	// (which a virtual machine changes).
	PeakFraction float64 `json:"peak_fraction,omitempty"`
}

// Resolve fills the defaults of c for o and checks it: the shape's number
// of dimensions, transposes only for SGEMM, and more than one thread only
// for parallel ops.
func Resolve(o Op, c Config) (Config, error) {
	if c.Shape == nil {
		c.Shape = o.DefaultShape
	}
	if len(c.Shape) != o.Dims {
		return c, fmt.Errorf("op %s: shape %s has %d dimensions, want %d (e.g. %s)",
			o.Name, FormatShape(c.Shape), len(c.Shape), o.Dims, FormatShape(o.DefaultShape))
	}
	if c.TransA == 0 {
		c.TransA = gblas.NoTrans
	}
	if c.TransB == 0 {
		c.TransB = gblas.NoTrans
	}
	if !o.Transposes && (c.TransA != gblas.NoTrans || c.TransB != gblas.NoTrans) {
		return c, fmt.Errorf("op %s takes no transposes", o.Name)
	}
	switch {
	case c.Threads < 0:
		return c, fmt.Errorf("threads %d: want a positive count", c.Threads)
	case c.Threads == 0 && o.AllThreads:
		c.Threads = nrt.Threads()
	case c.Threads == 0:
		c.Threads = 1
	case c.Threads > 1 && !o.Parallel:
		return c, fmt.Errorf("op %s is a single-threaded kernel: threads must be 1", o.Name)
	}
	if c.Count <= 0 {
		c.Count = 5
	}
	if c.MinTime <= 0 {
		c.MinTime = 100 * time.Millisecond
	}
	return c, nil
}

// Run measures o under c on the active ISA level. It sets runtime's thread
// count for the measurement and restores it afterwards.
func Run(o Op, c Config) (Result, error) {
	c, err := Resolve(o, c)
	if err != nil {
		return Result{}, err
	}
	prev := nrt.SetThreads(c.Threads)
	defer nrt.SetThreads(prev)
	fn, work := o.setup(c)
	t := Calibrate(fn, work, c.MinTime)
	t.Clock = c.Clock
	samples := make([]float64, c.Count)
	var fractions []float64
	// The peak is timed right before and right after each sample (the
	// after of one sample is the before of the next) and the sample is
	// set against their mean: a host whose speed drifts during the sample
	// moves both sides.
	withPeak := o.Unit == GFLOPS && !o.Equivalent
	var before float64
	if withPeak {
		before = fmaPeak()
	}
	for i := range samples {
		samples[i] = t.Sample()
		if !withPeak {
			continue
		}
		after := fmaPeak()
		if peak := (before + after) / 2; peak > 0 {
			fractions = append(fractions, samples[i]/(float64(c.Threads)*peak))
		}
		before = after
	}
	s := Summarize(samples)
	r := Result{Op: o.Name, Shape: FormatShape(c.Shape), ISA: asm.ISA().String(), Threads: c.Threads,
		Unit: o.Unit, Clock: c.Clock.String(), Median: s.Median, Spread: s.Spread, Min: s.Min, Max: s.Max, Samples: samples, Iters: t.Iters}
	if o.Transposes {
		r.Trans = FormatTrans(c.TransA, c.TransB)
	}
	for _, v := range samples {
		r.NsPerOp = append(r.NsPerOp, 1e9*t.SecondsPerCall(v))
	}
	if len(fractions) > 0 {
		r.PeakFraction = Summarize(fractions).Median
	}
	return r, nil
}

// fmaPeak is one core's FMA peak in GFLOPS on the active level, timed over
// a few milliseconds now; 0 when the level has no peak loop.
func fmaPeak() float64 {
	const iters = 20000 // about 3 ms at 2.5 GHz
	start := time.Now()
	flops := asm.FMAPeak(asm.ISA(), iters)
	if flops == 0 {
		return 0
	}
	return flops / time.Since(start).Seconds() / 1e9
}

// blockElems is the unit in which parallel ops split a vector: 64 float32
// (one dropout mask word, four cache lines), so chunks never share a mask
// word or a cache line of an aligned buffer.
const blockElems = 64

// split returns a call of f over [0, n): inline on one thread, else split
// into chunks of whole blocks of blockElems elements on runtime's workers.
// The body is made once here, so a call allocates nothing.
func split(c Config, n int, f func(lo, hi int)) func() {
	if c.Threads == 1 {
		return func() { f(0, n) }
	}
	blocks := (n + blockElems - 1) / blockElems
	body := nrt.Func(func(lo, hi int) { f(lo*blockElems, min(hi*blockElems, n)) })
	return func() { nrt.ParallelFor(blocks, 1, body) }
}

// splitRows is split over rows [0, rows) instead of blocks of elements.
func splitRows(c Config, rows int, f func(lo, hi int)) func() {
	if c.Threads == 1 {
		return func() { f(0, rows) }
	}
	body := nrt.Func(f)
	return func() { nrt.ParallelFor(rows, 1, body) }
}

// rng returns the generator of a setup: fixed, so runs are comparable.
func rng() *rand.Rand { return rand.New(rand.NewPCG(7, 11)) }

// randSlice returns n values uniform in [lo, hi), from a runtime buffer
// (64-byte aligned, as nnrt's own callers pass them).
func randSlice(r *rand.Rand, n int, lo, hi float32) []float32 {
	s := nrt.Alloc(n)
	for i := range s {
		s[i] = lo + (hi-lo)*r.Float32()
	}
	return s
}

func init() {
	register(Op{Name: "copy", Unit: GBps, Dims: 1, DefaultShape: []int{4096}, Parallel: true,
		Summary: "Go's copy(dst, src): the memory-bandwidth reference",
		setup: func(c Config) (func(), float64) {
			n := c.Shape[0]
			r := rng()
			src, dst := randSlice(r, n, -1, 1), randSlice(r, n, -1, 1)
			return split(c, n, func(lo, hi int) { copy(dst[lo:hi], src[lo:hi]) }), 8 * float64(n)
		}})
}
