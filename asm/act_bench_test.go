package asm

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// Benchmarks of the act and softmax families: Benchmark<Kernel>/<isa>/n=<N>
// with the bytes each call reads and writes (8 per element forward, 12
// backward), so that -bench reports bandwidth; compare a level with
// generic at the same n.

var actBenchSizes = []int{16, 32, 64, 4096, 16777216}

// benchActLevels runs fn for every available level and size; setup returns
// the call to time and the bytes it touches.
func benchActLevels(b *testing.B, sizes []int, setup func(l Level, n int) (call func(), bytes int64)) {
	for _, l := range Available() {
		b.Run(l.String(), func(b *testing.B) {
			for _, n := range sizes {
				b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
					call, bytes := setup(l, n)
					b.SetBytes(bytes)
					b.ResetTimer()
					for range b.N {
						call()
					}
				})
			}
		})
	}
}

// benchAct benchmarks case c of actCases.
func benchAct(b *testing.B, name string) {
	var c actCase
	for _, cc := range actCases() {
		if cc.name == name {
			c = cc
		}
	}
	benchActLevels(b, actBenchSizes, func(l Level, n int) (func(), int64) {
		r := rand.New(rand.NewPCG(1, 2))
		// Inputs within [-10, 10]: typical activations, and no subnormal
		// results of exp, which cost a microcode assist per element on
		// some x86 cores.
		x := randSlice(r, n, max(c.lo, -10), min(c.hi, 10))
		dst := make([]float32, n)
		k := actFor(l)
		if c.grad == nil {
			return func() { c.fwd(k, dst, x) }, 8 * int64(n)
		}
		y := make([]float32, n)
		c.gradOf(&actGeneric, y, x)
		return func() { c.grad(k, dst, x, y) }, 12 * int64(n)
	})
}

func BenchmarkExp(b *testing.B)           { benchAct(b, "Exp") }
func BenchmarkRelu(b *testing.B)          { benchAct(b, "Relu") }
func BenchmarkReluGrad(b *testing.B)      { benchAct(b, "ReluGrad") }
func BenchmarkLeakyRelu(b *testing.B)     { benchAct(b, "LeakyRelu") }
func BenchmarkLeakyReluGrad(b *testing.B) { benchAct(b, "LeakyReluGrad") }
func BenchmarkElu(b *testing.B)           { benchAct(b, "Elu") }
func BenchmarkEluGrad(b *testing.B)       { benchAct(b, "EluGrad") }
func BenchmarkSelu(b *testing.B)          { benchAct(b, "Selu") }
func BenchmarkSeluGrad(b *testing.B)      { benchAct(b, "SeluGrad") }
func BenchmarkSigmoid(b *testing.B)       { benchAct(b, "Sigmoid") }
func BenchmarkSigmoidGrad(b *testing.B)   { benchAct(b, "SigmoidGrad") }
func BenchmarkTanh(b *testing.B)          { benchAct(b, "Tanh") }
func BenchmarkTanhGrad(b *testing.B)      { benchAct(b, "TanhGrad") }

// The softmax benchmarks use rows of min(n, 128) columns; n=320 is the
// book's output layer (batch 32, 10 classes) for the cross-entropy.
func BenchmarkSoftmax(b *testing.B) {
	benchActLevels(b, actBenchSizes, func(l Level, n int) (func(), int64) {
		x := randSlice(rand.New(rand.NewPCG(3, 4)), n, -10, 10)
		dst := make([]float32, n)
		return func() { withSoftmaxLevel(l, func() { Softmax(dst, x, min(n, 128)) }) }, 8 * int64(n)
	})
}

func BenchmarkSoftmaxCrossEntropy(b *testing.B) {
	benchActLevels(b, append([]int{320}, actBenchSizes...), func(l Level, n int) (func(), int64) {
		r := rand.New(rand.NewPCG(5, 6))
		cols := min(n, 128)
		if n == 320 {
			cols = 10
		}
		x := randSlice(r, n, -10, 10)
		labels := make([]int32, n/cols)
		for i := range labels {
			labels[i] = int32(r.IntN(cols))
		}
		grad := make([]float32, n)
		return func() {
			withSoftmaxLevel(l, func() { SoftmaxCrossEntropy(grad, x, labels, cols, 1/float32(len(labels))) })
		}, 8 * int64(n)
	})
}
