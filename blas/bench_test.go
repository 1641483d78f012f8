package blas

import (
	"fmt"
	"math/rand/v2"
	goruntime "runtime"
	"syscall"
	"testing"

	"github.com/nnrt/nnrt/asm"
	"github.com/nnrt/nnrt/runtime"
	"gonum.org/v1/gonum/blas/gonum"
)

// benchShape is one product: C (m×n) = op(A) (m×k) × op(B) (k×n).
type benchShape struct {
	tA, tB  Transpose
	m, n, k int
}

func (s benchShape) String() string {
	return fmt.Sprintf("%s%s_%dx%dx%d", tname(s.tA), tname(s.tB), s.m, s.n, s.k)
}

// BookProducts are the nine products of one training step of the book's
// Fashion-MNIST model (784-300-100-10) at the given batch: forward X·W
// (NN), weight gradients Xᵀ·dY (TN) and input gradients dY·Wᵀ (NT).
func bookProducts(batch int) []benchShape {
	var s []benchShape
	layers := [][2]int{{784, 300}, {300, 100}, {100, 10}}
	for _, l := range layers {
		s = append(s, benchShape{NoTrans, NoTrans, batch, l[1], l[0]})
	}
	for _, l := range layers {
		s = append(s, benchShape{Trans, NoTrans, l[0], l[1], batch})
	}
	for _, l := range layers {
		s = append(s, benchShape{NoTrans, Trans, batch, l[0], l[1]})
	}
	return s
}

// BenchmarkSgemm/<isa>/<shape>/threads=<t> reports GFLOPS (2mnk per op).
func BenchmarkSgemm(b *testing.B) {
	shapes := []benchShape{{NoTrans, NoTrans, 1024, 1024, 1024}, {NoTrans, NoTrans, 2048, 2048, 2048}}
	shapes = append(shapes, bookProducts(1)...)
	shapes = append(shapes, bookProducts(32)...)
	shapes = append(shapes, bookProducts(256)...)
	for _, l := range asm.Available() {
		d := drivers[l]
		b.Run(l.String(), func(b *testing.B) {
			for _, s := range shapes {
				b.Run(s.String(), func(b *testing.B) {
					for _, th := range []int{1, 2} {
						b.Run(fmt.Sprintf("threads=%d", th), func(b *testing.B) {
							benchSgemm(b, d, s, th)
						})
					}
				})
			}
		})
	}
}

// BenchmarkGonumSgemm/<shape>/threads=<t> is gonum's pure-Go Sgemm on the
// squares, for the ratio issue 3 asks for (threads via GOMAXPROCS, which is
// what gonum's goroutines follow).
func BenchmarkGonumSgemm(b *testing.B) {
	for _, s := range []benchShape{{NoTrans, NoTrans, 1024, 1024, 1024}} {
		b.Run(s.String(), func(b *testing.B) {
			for _, th := range []int{1, 2} {
				b.Run(fmt.Sprintf("threads=%d", th), func(b *testing.B) {
					defer goruntime.GOMAXPROCS(goruntime.GOMAXPROCS(th))
					r := rand.New(rand.NewPCG(1, 2))
					p := newProblem(r, s.tA, s.tB, s.m, s.n, s.k, 1, 0, 0)
					var g gonum.Implementation
					b.ResetTimer()
					cpu0 := cpuTime()
					for i := 0; i < b.N; i++ {
						g.Sgemm(s.tA, s.tB, s.m, s.n, s.k, 1, p.a, p.lda, p.b, p.ldb, 0, p.c(), p.ldc)
					}
					reportFlops(b, s, cpuTime()-cpu0)
				})
			}
		})
	}
}

func benchSgemm(b *testing.B, d *driver, s benchShape, threads int) {
	defer runtime.SetThreads(runtime.SetThreads(threads))
	r := rand.New(rand.NewPCG(1, 2))
	p := newProblem(r, s.tA, s.tB, s.m, s.n, s.k, 1, 0, 0)
	c := p.c()
	p.run(d)
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		sgemm(d, s.tA, s.tB, s.m, s.n, s.k, 1, p.a, p.lda, p.b, p.ldb, 0, c, p.ldc)
	}
	reportFlops(b, s, cpuTime()-cpu0)
}

// reportFlops reports GFLOPS (2mnk per op over wall time) and GFLOPS/core.
func reportFlops(b *testing.B, s benchShape, cpu float64) {
	flops := 2 * float64(s.m) * float64(s.n) * float64(s.k) * float64(b.N)
	b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOPS")
	// On a shared machine wall time counts the time other processes held
	// our cores; CPU time does not. GFLOPS/core = flops per CPU second of
	// this process, the per-core rate that the FMA peak bounds.
	b.ReportMetric(flops/cpu/1e9, "GFLOPS/core")
}

// cpuTime returns the user+system CPU seconds of this process so far.
func cpuTime() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
