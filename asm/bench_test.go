package asm

import (
	"fmt"
	"math/rand/v2"
	goruntime "runtime"
	"testing"
)

// Kernel benchmarks are named Benchmark<Kernel>/<isa>/n=<N> and report
// bytes per second (b.SetBytes with the bytes each call reads and writes),
// so that they compare directly with BenchmarkCopy/n=<N>, the memory
// bandwidth reference: Go's copy, which reads and writes 8 bytes per
// element. On Linux they also report cpu-MB/s, the same bytes over the
// CPU time of the benchmark's thread, which a shared machine disturbs less
// than wall time (preemption does not count; memory contention still does).

// benchSizes are the lengths of the vec and optim benchmarks: call
// overhead (16), L1-resident (4096) and DRAM-bound (16M floats, 64 MiB).
var benchSizes = []int{16, 4096, 1 << 24}

func BenchmarkCopy(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			// dst is written before timing, as every kernel's operands are,
			// so that page faults are not timed.
			src, dst := benchData(n, 1), benchData(n, 2)
			benchRun(b, 8*n, func() { copy(dst, src) })
		})
	}
}

// benchLevels runs fn's operation as sub-benchmarks <isa>/n=<N> for every
// available level and size, with bytesPerElem bytes touched per element.
// fn(l, n) prepares the operands (not timed) and returns the operation.
func benchLevels(b *testing.B, sizes []int, bytesPerElem int, fn func(l Level, n int) func()) {
	for _, l := range Available() {
		b.Run(l.String(), func(b *testing.B) {
			for _, n := range sizes {
				b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
					benchRun(b, bytesPerElem*n, fn(l, n))
				})
			}
		})
	}
}

// benchRun times op, which touches bytes bytes, and reports cpu-MB/s
// where the thread's CPU time can be read.
func benchRun(b *testing.B, bytes int, op func()) {
	b.SetBytes(int64(bytes))
	goruntime.LockOSThread()
	defer goruntime.UnlockOSThread()
	c0 := benchThreadCPU()
	for b.Loop() {
		op()
	}
	if c := benchThreadCPU() - c0; c > 0 {
		b.ReportMetric(float64(bytes)*float64(b.N)/c.Seconds()/1e6, "cpu-MB/s")
	}
}

// benchZeros returns n zeros, written (not just mapped), so that page
// faults do not fall into the timed loop.
func benchZeros(n int) []float32 {
	s := make([]float32, n)
	clear(s)
	return s
}

// benchData returns n values in [-1, 1) that stay finite under repeated
// kernel calls.
func benchData(n int, seed uint64) []float32 {
	return randSlice(rand.New(rand.NewPCG(seed, 99)), n, -1, 1)
}

func BenchmarkAxpy(b *testing.B) {
	benchLevels(b, benchSizes, 12, func(l Level, n int) func() {
		k, x, y := vecFor(l), benchData(n, 1), benchData(n, 2)
		return func() { k.axpy(1e-3, x, y) }
	})
}

func BenchmarkScale(b *testing.B) {
	benchLevels(b, benchSizes, 8, func(l Level, n int) func() {
		k, x := vecFor(l), benchData(n, 1)
		return func() { k.scale(1, x) }
	})
}

func BenchmarkScaleTo(b *testing.B) {
	benchLevels(b, benchSizes, 8, func(l Level, n int) func() {
		k, x, dst := vecFor(l), benchData(n, 1), benchZeros(n)
		return func() { k.scaleTo(dst, 0.5, x) }
	})
}

func BenchmarkAdd(b *testing.B) {
	benchLevels(b, benchSizes, 12, func(l Level, n int) func() {
		k, x, y, dst := vecFor(l), benchData(n, 1), benchData(n, 2), benchZeros(n)
		return func() { k.add(dst, x, y) }
	})
}

func BenchmarkMul(b *testing.B) {
	benchLevels(b, benchSizes, 12, func(l Level, n int) func() {
		k, x, y, dst := vecFor(l), benchData(n, 1), benchData(n, 2), benchZeros(n)
		return func() { k.mul(dst, x, y) }
	})
}

var benchSink float32

func BenchmarkDot(b *testing.B) {
	benchLevels(b, benchSizes, 8, func(l Level, n int) func() {
		k, x, y := vecFor(l), benchData(n, 1), benchData(n, 2)
		return func() { benchSink += k.dot(x, y) }
	})
}

func BenchmarkSum(b *testing.B) {
	benchLevels(b, benchSizes, 4, func(l Level, n int) func() {
		k, x := vecFor(l), benchData(n, 1)
		return func() { benchSink += k.sum(x) }
	})
}

// benchCols is the row length of the AddBias and ColSums benchmarks (the
// book's first hidden layer); n is rounded down to whole rows.
const benchCols = 300

func BenchmarkAddBias(b *testing.B) {
	benchLevels(b, benchSizes, 8, func(l Level, n int) func() {
		cols := min(n, benchCols)
		k, x, bias := vecFor(l), benchData(n/cols*cols, 1), benchData(cols, 2)
		return func() { k.addBias(x, bias) }
	})
}

func BenchmarkColSums(b *testing.B) {
	benchLevels(b, benchSizes, 4, func(l Level, n int) func() {
		cols := min(n, benchCols)
		k, x, dst := vecFor(l), benchData(n/cols*cols, 1), benchZeros(cols)
		return func() { k.colSums(dst, x) }
	})
}

// The optimizer benchmarks keep the weights finite with a tiny rate.

func BenchmarkSGDMomentum(b *testing.B) {
	benchLevels(b, benchSizes, 20, func(l Level, n int) func() {
		k, w, g, m := optimFor(l), benchData(n, 1), benchData(n, 2), benchZeros(n)
		return func() { k.sgdMomentum(w, g, m, 1e-6, 0.9, 0) }
	})
}

func BenchmarkSGDNesterov(b *testing.B) {
	benchLevels(b, benchSizes, 20, func(l Level, n int) func() {
		k, w, g, m := optimFor(l), benchData(n, 1), benchData(n, 2), benchZeros(n)
		return func() { k.sgdNesterov(w, g, m, 1e-6, 0.9, 0) }
	})
}

func BenchmarkAdam(b *testing.B) {
	benchLevels(b, benchSizes, 28, func(l Level, n int) func() {
		k, w, g, m, v := optimFor(l), benchData(n, 1), benchData(n, 2), benchZeros(n), benchZeros(n)
		return func() { k.adam(w, g, m, v, 1e-6, 0.9, 0.1, 0.999, 0.001, 1e-7, 0) }
	})
}

func BenchmarkNadam(b *testing.B) {
	benchLevels(b, benchSizes, 28, func(l Level, n int) func() {
		k, w, g, m, v := optimFor(l), benchData(n, 1), benchData(n, 2), benchZeros(n), benchZeros(n)
		return func() { k.nadam(w, g, m, v, 1e-6, 0.9, 0.1, 0.999, 0.001, 1e-7, 8.7, 0.95, 1000, 0) }
	})
}

// BenchmarkNadamL2 is Nadam with the L2 term (the book's l2(0.01)), whose
// extra load of w hits L1: it should cost what BenchmarkNadam does, where
// a separate pass adding 2*l2*w to g (L1L2Grad) streams three arrays.
func BenchmarkNadamL2(b *testing.B) {
	benchLevels(b, benchSizes, 28, func(l Level, n int) func() {
		k, w, g, m, v := optimFor(l), benchData(n, 1), benchData(n, 2), benchZeros(n), benchZeros(n)
		return func() { k.nadam(w, g, m, v, 1e-6, 0.9, 0.1, 0.999, 0.001, 1e-7, 8.7, 0.95, 1000, 0.02) }
	})
}

func BenchmarkRMSprop(b *testing.B) {
	benchLevels(b, benchSizes, 20, func(l Level, n int) func() {
		k, w, g, v := optimFor(l), benchData(n, 1), benchData(n, 2), benchZeros(n)
		return func() { k.rmsprop(w, g, v, 1e-6, 0.9, 0.1, 1e-7, 0) }
	})
}

// BenchmarkDispatch measures what the exported API costs over a direct
// call of the active level's assembly at n=16: the argument check and the
// call through the table.
func BenchmarkDispatch(b *testing.B) {
	x, y := benchData(16, 1), benchData(16, 2)
	b.Run("exported", func(b *testing.B) {
		for b.Loop() {
			Axpy(1e-3, x, y)
		}
	})
	b.Run("direct", func(b *testing.B) {
		for b.Loop() {
			benchAxpyDirect(1e-3, x, y)
		}
	})
}
