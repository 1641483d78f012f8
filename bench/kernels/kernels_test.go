package kernels

import (
	"math"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nnrt/nnrt/asm"
	nrt "github.com/nnrt/nnrt/runtime"
	gblas "gonum.org/v1/gonum/blas"
)

func TestSummarize(t *testing.T) {
	s := Summarize([]float64{10, 12, 11, 30, 9})
	// sorted 9 10 11 12 30: median 11; deviations 2 1 0 1 19: MAD 1.
	if s.Median != 11 || s.Min != 9 || s.Max != 30 {
		t.Fatalf("median/min/max = %v/%v/%v, want 11/9/30", s.Median, s.Min, s.Max)
	}
	if want := 1.0 / 11; math.Abs(s.Spread-want) > 1e-12 {
		t.Fatalf("spread = %v, want %v", s.Spread, want)
	}
	if e := Summarize(nil); !math.IsNaN(e.Median) || !math.IsNaN(e.Spread) {
		t.Fatalf("empty summary = %+v, want NaNs", e)
	}
}

func TestCalibrate(t *testing.T) {
	var calls atomic.Int64
	fn := func() { calls.Add(1); time.Sleep(100 * time.Microsecond) }
	tm := Calibrate(fn, 1e9, 5*time.Millisecond)
	// Each call sleeps at least 100µs, so 5ms needs at most 50 calls; the
	// geometric search must stop short of overshooting by far.
	if tm.Iters < 2 || tm.Iters > 100 {
		t.Fatalf("Iters = %d, want between 2 and 100", tm.Iters)
	}
	before := calls.Load()
	rate := tm.Sample()
	if got := calls.Load() - before; got != int64(tm.Iters) {
		t.Fatalf("Sample made %d calls, want %d", got, tm.Iters)
	}
	// 1e9 units per call of >= 100µs: at most 1e13 per second, 1e4 giga.
	if rate <= 0 || rate > 1e4 {
		t.Fatalf("rate %v out of range", rate)
	}
	if spc := tm.SecondsPerCall(rate); spc < 100e-6 {
		t.Fatalf("SecondsPerCall = %v, want >= 100µs", spc)
	}
}

func TestShapeAndTrans(t *testing.T) {
	for _, s := range []string{"4096", "256x1024", "1024x512x3"} {
		d, err := ParseShape(s)
		if err != nil || FormatShape(d) != s {
			t.Errorf("ParseShape(%q) = %v, %v", s, d, err)
		}
	}
	for _, s := range []string{"", "x", "0", "3x-1", "axb", "2x"} {
		if d, err := ParseShape(s); err == nil {
			t.Errorf("ParseShape(%q) = %v, want an error", s, d)
		}
	}
	for _, s := range []string{"NN", "NT", "TN", "TT"} {
		a, b, err := ParseTrans(s)
		if err != nil || FormatTrans(a, b) != s {
			t.Errorf("ParseTrans(%q) = %v %v %v", s, a, b, err)
		}
	}
	if a, b, _ := ParseTrans("TN"); a != gblas.Trans || b != gblas.NoTrans {
		t.Errorf("TN parsed as %v %v", a, b)
	}
	for _, s := range []string{"", "N", "NNN", "NX", "CT"} {
		if _, _, err := ParseTrans(s); err == nil {
			t.Errorf("ParseTrans(%q): want an error", s)
		}
	}
}

func TestResolve(t *testing.T) {
	axpy, err := Lookup("axpy")
	if err != nil {
		t.Fatal(err)
	}
	dot, _ := Lookup("dot")
	c, err := Resolve(axpy, Config{})
	if err != nil || !slices.Equal(c.Shape, axpy.DefaultShape) || c.Threads != 1 || c.Count != 5 {
		t.Fatalf("Resolve(axpy, {}) = %+v, %v", c, err)
	}
	if c, err := Resolve(axpy, Config{Threads: 2}); err != nil || c.Threads != 2 {
		t.Fatalf("Resolve(axpy, threads 2) = %+v, %v", c, err)
	}
	for name, tc := range map[string]struct {
		op Op
		c  Config
	}{
		"dims":     {axpy, Config{Shape: []int{3, 4}}},
		"trans":    {axpy, Config{TransA: gblas.Trans}},
		"threads":  {dot, Config{Threads: 2}},
		"negative": {axpy, Config{Threads: -1}},
	} {
		if _, err := Resolve(tc.op, tc.c); err == nil {
			t.Errorf("%s: Resolve(%s, %+v): want an error", name, tc.op.Name, tc.c)
		}
	}
	if _, err := Lookup("nope"); err == nil {
		t.Error("Lookup(nope): want an error")
	}
}

// TestSplit checks that the parallel splitting of element ranges and of
// rows covers every index exactly once, and element chunks start on block
// boundaries (dropout masks are split by whole words).
func TestSplit(t *testing.T) {
	defer nrt.SetThreads(nrt.SetThreads(3))
	for _, threads := range []int{1, 2, 3} {
		for _, n := range []int{1, 63, 64, 65, 1000, 4096} {
			seen := make([]atomic.Int32, n)
			split(Config{Threads: threads}, n, func(lo, hi int) {
				if lo%blockElems != 0 {
					t.Errorf("chunk starts at %d, not a block boundary", lo)
				}
				for i := lo; i < hi; i++ {
					seen[i].Add(1)
				}
			})()
			rows := make([]atomic.Int32, n)
			splitRows(Config{Threads: threads}, n, func(lo, hi int) {
				for i := lo; i < hi; i++ {
					rows[i].Add(1)
				}
			})()
			for i := range n {
				if seen[i].Load() != 1 || rows[i].Load() != 1 {
					t.Fatalf("threads %d n %d: index %d covered %d/%d times", threads, n, i, seen[i].Load(), rows[i].Load())
				}
			}
		}
	}
}

// TestRunEveryOp runs every op once on a small odd shape, on one thread and
// (for parallel ops) two, and checks the result's fields.
func TestRunEveryOp(t *testing.T) {
	for _, o := range Ops() {
		shape := map[int][]int{1: {1000}, 2: {7, 130}, 3: {37, 45, 53}}[o.Dims]
		threads := []int{1}
		if o.Parallel {
			threads = append(threads, 2)
		}
		for _, th := range threads {
			r, err := Run(o, Config{Shape: shape, Threads: th, Count: 2, MinTime: time.Millisecond})
			if err != nil {
				t.Fatalf("%s: %v", o.Name, err)
			}
			if r.Op != o.Name || r.Shape != FormatShape(shape) || r.Threads != th || r.Unit != o.Unit ||
				len(r.Samples) != 2 || len(r.NsPerOp) != 2 || !(r.Median > 0) || r.Iters < 1 {
				t.Errorf("%s threads %d: result %+v", o.Name, th, r)
			}
			if (r.Trans != "") != o.Transposes {
				t.Errorf("%s: trans %q", o.Name, r.Trans)
			}
		}
	}
}

// TestCPUClock checks that a CPU-clock sample of a call that spins for a
// known CPU time gives the matching rate, and that sleeping (no CPU) is not
// counted as work time.
func TestCPUClock(t *testing.T) {
	if _, ok := ProcessCPU(); !ok {
		t.Skip("no process CPU clock here")
	}
	spin := func() {
		c0, _ := ProcessCPU()
		for {
			if c, _ := ProcessCPU(); c-c0 >= 2*time.Millisecond {
				return
			}
		}
	}
	tm := &Timer{fn: spin, work: 1e9, Iters: 5, Clock: CPU}
	// 1e9 units per >= 2ms of CPU: at most 500 giga-units per CPU-second,
	// and not far below (the loop overshoots by one Getrusage call).
	if r := tm.Sample(); !(r > 300 && r <= 500) {
		t.Errorf("CPU rate of a 2ms spin = %v, want in (300, 500]", r)
	}
	nap := &Timer{fn: func() { time.Sleep(2 * time.Millisecond) }, work: 1e9, Iters: 5, Clock: CPU}
	if r := nap.Sample(); !(r > 2000 || math.IsNaN(r)) {
		t.Errorf("CPU rate of a 2ms sleep = %v, want far above the wall rate of 500", r)
	}
}

// TestPeakFraction: an SGEMM result on a level with an FMA peak loop
// carries a fraction of peak that a real GEMM can have (above 0, not far
// above 1); a GB/s op carries none.
func TestPeakFraction(t *testing.T) {
	if asm.FMAPeak(asm.ISA(), 1) == 0 {
		t.Skip("no FMA peak loop on level " + asm.ISA().String())
	}
	r, err := Run(mustOp(t, "sgemm"), Config{Shape: []int{128, 128, 128}, Threads: 1, Count: 3, MinTime: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if !(r.PeakFraction > 0.05 && r.PeakFraction < 1.5) {
		t.Fatalf("sgemm at %.1f GFLOPS: fraction of peak %v", r.Median, r.PeakFraction)
	}
	r, err = Run(mustOp(t, "axpy"), Config{Count: 2, MinTime: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if r.PeakFraction != 0 {
		t.Fatalf("axpy (GB/s) has a fraction of peak %v", r.PeakFraction)
	}
}

func mustOp(t *testing.T, name string) Op {
	t.Helper()
	o, err := Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return o
}
