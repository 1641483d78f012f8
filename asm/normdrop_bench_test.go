package asm

import (
	"fmt"
	"testing"
)

// Benchmarks of the norm and dropout families, named
// Benchmark<Kernel>/<isa>/n=<N> with the bytes each call touches (read or
// written, each counted once) set by b.SetBytes, to compare with
// BenchmarkCopy/n=<N> (8 bytes an element). Issue 2's targets: at
// n = 16,777,216 dropout forward and backward and max-norm clipping on
// avx512 reach 0.85 of copy's bytes/s; at n = 4096 each kernel on avx512 is
// 6x generic and avx2 half of avx512; n = 16 shows the call overhead.

var normdropBenchSizes = []int{16, 4096, 16 << 20}

// normdropBench runs body once per level and size as a sub-benchmark.
// setup allocates the buffers of one size and returns the call to time;
// use switches the family's table to a level and returns the restore.
func normdropBench(b *testing.B, sizes []int, bytesPerElem float64, use func(Level) func(), setup func(n int) func()) {
	for _, l := range Available() {
		for _, n := range sizes {
			b.Run(fmt.Sprintf("%v/n=%d", l, n), func(b *testing.B) {
				defer use(l)()
				call := setup(n)
				b.SetBytes(int64(bytesPerElem * float64(n)))
				b.ResetTimer()
				for b.Loop() {
					call()
				}
			})
		}
	}
}

func benchFloats(n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(i%251)*0.01 - 1.2
	}
	return x
}

// Dropout: x read, dst written (4+4 bytes), mask written (1/8 byte).
func BenchmarkDropoutForward(b *testing.B) {
	normdropBench(b, normdropBenchSizes, 8+1.0/8, useDropoutLevel, func(n int) func() {
		x, dst, mask := benchFloats(n), make([]float32, n), make([]uint64, (n+63)/64)
		return func() { DropoutForward(dst, x, mask, 0.2, 42, 0) }
	})
}

func BenchmarkAlphaDropoutForward(b *testing.B) {
	normdropBench(b, normdropBenchSizes, 8+1.0/8, useDropoutLevel, func(n int) func() {
		x, dst, mask := benchFloats(n), make([]float32, n), make([]uint64, (n+63)/64)
		return func() { AlphaDropoutForward(dst, x, mask, 0.2, 42, 0) }
	})
}

func BenchmarkDropoutBackward(b *testing.B) {
	normdropBench(b, normdropBenchSizes, 8+1.0/8, useDropoutLevel, func(n int) func() {
		dy, dx, mask := benchFloats(n), make([]float32, n), make([]uint64, (n+63)/64)
		DropoutForward(dx, dy, mask, 0.2, 42, 0)
		return func() { DropoutBackward(dx, dy, mask, 1.25) }
	})
}

// normBenchCols is the row length of the matrix benchmarks: a 1024-wide
// Dense layer (4 rows at n = 4096).
const normBenchCols = 1024

// MaxNorm: x read and written in place (8 bytes; MaxNormCols reads it twice,
// counted once).
func BenchmarkMaxNormRows(b *testing.B) {
	normdropBench(b, normdropBenchSizes[1:], 8, useNormLevel, func(n int) func() {
		x := benchFloats(n)
		return func() { MaxNormRows(x, normBenchCols, 1e6) }
	})
}

func BenchmarkMaxNormCols(b *testing.B) {
	normdropBench(b, normdropBenchSizes[1:], 8, useNormLevel, func(n int) func() {
		x := benchFloats(n)
		return func() { MaxNormCols(x, normBenchCols, 1e6) }
	})
}

func BenchmarkSumSquares(b *testing.B) {
	normdropBench(b, normdropBenchSizes, 4, useNormLevel, func(n int) func() {
		x := benchFloats(n)
		return func() { SumSquares(x) }
	})
}

func BenchmarkRowNorms(b *testing.B) {
	normdropBench(b, normdropBenchSizes[1:2], 4, useNormLevel, func(n int) func() {
		x, dst := benchFloats(n), make([]float32, n/normBenchCols)
		return func() { RowNorms(dst, x, normBenchCols) }
	})
}

func BenchmarkColNorms(b *testing.B) {
	normdropBench(b, normdropBenchSizes[1:2], 4, useNormLevel, func(n int) func() {
		x, dst := benchFloats(n), make([]float32, normBenchCols)
		return func() { ColNorms(dst, x) }
	})
}

func BenchmarkClipByValue(b *testing.B) {
	normdropBench(b, normdropBenchSizes[:2], 8, useNormLevel, func(n int) func() {
		x := benchFloats(n)
		return func() { ClipByValue(x, -1, 1) }
	})
}

// L1L2Grad: w read, g read and written.
func BenchmarkL1L2Grad(b *testing.B) {
	normdropBench(b, normdropBenchSizes[:2], 12, useNormLevel, func(n int) func() {
		w, g := benchFloats(n), make([]float32, n)
		return func() { L1L2Grad(g, w, 1e-3, 1e-3) }
	})
}
