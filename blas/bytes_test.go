package blas

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/nnrt/nnrt/asm"
	"github.com/nnrt/nnrt/runtime"
)

func skipWithoutBytes(tb testing.TB) {
	tb.Helper()
	if !BytesAvailable() {
		tb.Skip("byte products need AMX-INT8 and the tile state (BytesAvailable)")
	}
}

// byteProblem is a random m×k byte matrix (a third zeros, padded as
// SgemmBytes reads it) and a k×n float32 one.
func byteProblem(rng *rand.Rand, m, n, k int) (a []uint8, lda int, w []float32, ldw int) {
	lda, ldw = k+rng.IntN(5), n+rng.IntN(5)
	a = make([]uint8, ByteRowsLen(m, k, lda))
	for i := range a {
		if rng.IntN(3) > 0 {
			a[i] = uint8(rng.IntN(256))
		}
	}
	w = make([]float32, k*ldw)
	for i := range w {
		w[i] = float32(rng.NormFloat64() * 0.05)
	}
	return a, lda, w, ldw
}

// TestSgemmBytes: against a float64 reference within the bound of
// asm/amxbytes.go, the same bits on 1, 2, 3 and 7 threads, nothing written
// outside C's rows and columns.
func TestSgemmBytes(t *testing.T) {
	skipWithoutBytes(t)
	defer runtime.SetThreads(runtime.SetThreads(1))
	rng := rand.New(rand.NewPCG(21, 22))
	for _, s := range [][3]int{{1, 1, 1}, {32, 300, 784}, {256, 300, 784}, {33, 31, 65}, {70, 97, 130}, {216, 300, 784}} {
		m, n, k := s[0], s[1], s[2]
		a, lda, w, ldw := byteProblem(rng, m, n, k)
		for _, beta := range []float32{0, 1, 0.5} {
			ldc := n + 3
			c0 := make([]float32, m*ldc+5)
			for i := range c0 {
				c0[i] = float32(rng.NormFloat64())
			}
			var first []float32
			for _, th := range []int{1, 2, 3, 7} {
				runtime.SetThreads(th)
				var p BytePacked
				if !p.Pack(k, n, w, ldw) {
					t.Fatal("Pack refused finite values")
				}
				c := append([]float32(nil), c0...)
				SgemmBytes(m, 1.0/255, a, lda, &p, beta, c, ldc)
				if first == nil {
					first = c
					checkBytesProduct(t, m, n, k, a, lda, w, ldw, beta, c0, c, ldc)
					continue
				}
				for i := range c {
					if math.Float32bits(c[i]) != math.Float32bits(first[i]) {
						t.Fatalf("%dx%dx%d beta %g: %d threads differ at %d", m, n, k, beta, th, i)
					}
				}
			}
		}
	}
}

// TestSgemmBytesAllocates: once its buffers have grown, a BytePacked packs
// and multiplies without allocating (a training step must not).
func TestSgemmBytesAllocates(t *testing.T) {
	skipWithoutBytes(t)
	rng := rand.New(rand.NewPCG(27, 28))
	const m, n, k = 256, 300, 784
	a, lda, w, ldw := byteProblem(rng, m, n, k)
	c := make([]float32, m*n)
	for _, th := range []int{1, 2} {
		defer runtime.SetThreads(runtime.SetThreads(th))
		var p BytePacked
		step := func() {
			p.Pack(k, n, w, ldw)
			SgemmBytes(m, 1.0/255, a, lda, &p, 0.5, c, n)
		}
		step()
		if allocs := testing.AllocsPerRun(5, step); allocs != 0 {
			t.Fatalf("%d threads: %v allocations a Pack and SgemmBytes", th, allocs)
		}
	}
}

func checkBytesProduct(t *testing.T, m, n, k int, a []uint8, lda int, w []float32, ldw int, beta float32, c0, c []float32, ldc int) {
	t.Helper()
	for i := range c {
		if i/ldc >= m || i%ldc >= n {
			if c[i] != c0[i] {
				t.Fatalf("%dx%dx%d: wrote C[%d] outside the product", m, n, k, i)
			}
		}
	}
	for j := 0; j < n; j++ {
		var maxW float64
		for r := 0; r < k; r++ {
			maxW = max(maxW, math.Abs(float64(w[r*ldw+j])))
		}
		for i := 0; i < m; i++ {
			var exact, sumA float64
			for r := 0; r < k; r++ {
				exact += float64(a[i*lda+r]) * float64(w[r*ldw+j])
				sumA += float64(a[i*lda+r])
			}
			ref := exact/255 + float64(beta)*float64(c0[i*ldc+j])
			// a float32 dot product's bound would be about k·2^-24·Σ|a·w|
			bound := sumA/255*maxW*math.Ldexp(1, -27) + math.Abs(ref)*math.Ldexp(1, -23) + 1e-30
			if d := math.Abs(float64(c[i*ldc+j]) - ref); d > bound {
				t.Fatalf("%dx%dx%d beta %g (%d,%d): %g, reference %g, error %g over %g", m, n, k, beta, i, j, c[i*ldc+j], ref, d, bound)
			}
		}
	}
}

func TestBytePackedRefusesNonFinite(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	_, _, w, ldw := byteProblem(rng, 1, 70, 40)
	var p BytePacked
	if !p.Pack(40, 70, w, ldw) {
		t.Fatal("refused finite values")
	}
	w[39*ldw+69] = float32(math.Inf(-1))
	if p.Pack(40, 70, w, ldw) {
		t.Fatal("packed -Inf")
	}
	w[39*ldw+69] = 0
	w[5*ldw+3] = float32(math.NaN())
	if p.Pack(40, 70, w, ldw) {
		t.Fatal("packed NaN")
	}
}

// BenchmarkSgemmBytes: the book's first layer at batch 256, its forward
// product (256x300x784) and its dW (784x300x256: the batch's bytes
// transposed), bytes on the tiles against the float32 product of the same
// values (Sgemm); the split of W (or dZ), and the transpose of the bytes.
func BenchmarkSgemmBytes(b *testing.B) {
	skipWithoutBytes(b)
	rng := rand.New(rand.NewPCG(25, 26))
	for _, s := range []struct {
		name    string
		m, n, k int
	}{{"forward", 256, 300, 784}, {"dW", 784, 300, 256}} {
		m, n, k := s.m, s.n, s.k
		a, lda, w, ldw := byteProblem(rng, m, n, k)
		x := make([]float32, m*lda)
		for i := range x {
			x[i] = float32(a[i]) / 255
		}
		c := make([]float32, m*n)
		for _, th := range []int{1, 2} {
			defer runtime.SetThreads(runtime.SetThreads(th))
			var p BytePacked
			p.Pack(k, n, w, ldw)
			b.Run(fmt.Sprintf("%s/bytes/threads=%d", s.name, th), func(b *testing.B) {
				for b.Loop() {
					SgemmBytes(m, 1.0/255, a, lda, &p, 0, c, n)
				}
				b.ReportMetric(2*float64(m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
			})
			b.Run(fmt.Sprintf("%s/pack/threads=%d", s.name, th), func(b *testing.B) {
				for b.Loop() {
					p.Pack(k, n, w, ldw)
				}
			})
			b.Run(fmt.Sprintf("%s/sgemm/threads=%d", s.name, th), func(b *testing.B) {
				for b.Loop() {
					Sgemm(NoTrans, NoTrans, m, n, k, 1, x, lda, w, ldw, 0, c, n)
				}
				b.ReportMetric(2*float64(m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
			})
		}
	}
	// the dW's left operand: the batch's 256x784 bytes transposed
	const rows, cols = 256, 784
	src := make([]uint8, rows*832)
	dst := make([]uint8, cols*rows)
	b.Run("transpose", func(b *testing.B) {
		for b.Loop() {
			asm.ByteTranspose(dst, rows, src, 832, rows, cols)
		}
	})
}
