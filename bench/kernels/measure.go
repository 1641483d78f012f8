package kernels

import (
	"fmt"
	"math"
	"time"

	"github.com/montanaflynn/stats"
)

// Timer runs one benchmarked call a calibrated number of times per sample.
// Calibrating once and then taking samples one at a time lets a caller
// interleave several timers (nnrt, OpenBLAS and gonum on the same product)
// so that a burst of load from other processes hits all of them alike.
type Timer struct {
	fn    func()
	work  float64 // units of work (flops or bytes) of one call
	Iters int     // calls per sample
	Clock Clock   // what Sample measures; Calibrate sets Wall
}

// Clock is what a sample's duration is measured with.
type Clock int

const (
	// Wall is elapsed real time: what a user waits for.
	Wall Clock = iota
	// CPU is the CPU time of the whole process (user + system, all
	// threads). On one thread it is the time the work ran, without the time
	// other processes held the core: on a machine shared with other jobs it
	// measures the code rather than the load. With several threads it adds
	// them up (and counts their spinning), so it is a measure of cost, not
	// of speed. NaN where the platform has no process CPU clock.
	CPU
)

func (c Clock) String() string {
	if c == CPU {
		return "cpu"
	}
	return "wall"
}

// ParseClock parses "wall" or "cpu".
func ParseClock(s string) (Clock, error) {
	switch s {
	case "wall":
		return Wall, nil
	case "cpu":
		return CPU, nil
	}
	return Wall, fmt.Errorf("clock %q: want wall or cpu", s)
}

// ProcessCPU returns the CPU time this process has used (user + system,
// all threads); ok is false where the platform has no such clock.
func ProcessCPU() (d time.Duration, ok bool) { return processCPU() }

// maxIters bounds the calls per sample so that a call that the clock
// measures as 0 ns cannot make calibration loop forever.
const maxIters = 1 << 30

// Calibrate runs fn once to warm caches and code paths, then finds the
// number of calls that lasts at least minTime, growing it geometrically the
// way the testing package does. work is what one call does, in the unit the
// rates are reported in (flops for GFLOPS, bytes for GB/s).
func Calibrate(fn func(), work float64, minTime time.Duration) *Timer {
	fn()
	n := 1
	for {
		d := timeCalls(fn, n)
		if d >= minTime || n >= maxIters {
			return &Timer{fn: fn, work: work, Iters: n}
		}
		// Aim 20% past minTime, grow at most 100x and at least 2x per round.
		next := maxIters
		if d > 0 {
			next = int(float64(n) * 1.2 * float64(minTime) / float64(d))
		}
		next = min(max(next, 2*n), 100*n, maxIters)
		n = next
	}
}

func timeCalls(fn func(), n int) time.Duration {
	start := time.Now()
	for range n {
		fn()
	}
	return time.Since(start)
}

// Sample times Iters calls and returns the rate in giga-units of work per
// second (GFLOPS when work is flops, GB/s when it is bytes).
func (t *Timer) Sample() float64 {
	if t.Clock == CPU {
		c0, ok := processCPU()
		for range t.Iters {
			t.fn()
		}
		c1, _ := processCPU()
		if !ok || c1 <= c0 {
			return math.NaN()
		}
		return t.work * float64(t.Iters) / (c1 - c0).Seconds() / 1e9
	}
	d := timeCalls(t.fn, t.Iters)
	return t.work * float64(t.Iters) / d.Seconds() / 1e9
}

// SecondsPerCall returns the time of one call implied by a rate that
// Sample returned.
func (t *Timer) SecondsPerCall(rate float64) float64 { return t.work / (rate * 1e9) }

// Summary condenses the samples of one measurement.
type Summary struct {
	Samples  []float64 // rates, in the order taken
	Median   float64
	Min, Max float64
	// Spread is the median absolute deviation of the samples divided by
	// their median: a robust relative spread (0.02 reads "±2%") that one
	// sample disturbed by another process does not inflate, unlike a
	// standard deviation or a min-max range on a shared machine.
	Spread float64
}

// Summarize computes the median, range and relative spread of samples.
// It returns a zero Summary (NaN median) for no samples.
func Summarize(samples []float64) Summary {
	s := Summary{Samples: samples, Median: math.NaN(), Min: math.NaN(), Max: math.NaN(), Spread: math.NaN()}
	if len(samples) == 0 {
		return s
	}
	s.Median, _ = stats.Median(samples)
	s.Min, _ = stats.Min(samples)
	s.Max, _ = stats.Max(samples)
	mad, _ := stats.MedianAbsoluteDeviation(samples)
	if s.Median != 0 {
		s.Spread = mad / s.Median
	}
	return s
}

// Measure calibrates fn to minTime per sample and takes count samples.
func Measure(fn func(), work float64, count int, minTime time.Duration) Summary {
	t := Calibrate(fn, work, minTime)
	samples := make([]float64, count)
	for i := range samples {
		samples[i] = t.Sample()
	}
	return Summarize(samples)
}
