package blas

import (
	"math"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nnrt/nnrt/runtime"
)

// holdUp sets testHooks so that the first share to reach the blocks it
// lends waits there until another thread has taken one over (for at most
// ten seconds), and returns the count of blocks taken over; the returned
// func clears the hooks. (Not a given share: the other may start only
// after the first is done, on a loaded machine.)
func holdUp() (*atomic.Int64, func()) {
	var helped atomic.Int64
	var held atomic.Bool
	testHooks.lending = func(int) {
		if !held.CompareAndSwap(false, true) {
			return
		}
		for end := time.Now().Add(10 * time.Second); helped.Load() == 0 && time.Now().Before(end); {
			time.Sleep(100 * time.Microsecond)
		}
	}
	testHooks.helped = func() { helped.Add(1) }
	return &helped, func() { testHooks.lending, testHooks.helped = nil, nil }
}

// sameBits fails t unless got and want hold the same bits (NaNs alike).
func sameBits(t *testing.T, what string, got, want []float32) {
	t.Helper()
	for i, g := range got {
		if w := want[i]; math.Float32bits(g) != math.Float32bits(w) && !(g != g && w != w) {
			t.Fatalf("%s: C[%d] = %v, one thread %v", what, i, g, w)
		}
	}
}

// TestSplitKLends: when one thread of a depth-split product is held up in
// its last depth block, the other, done with its own, takes over that
// block's row blocks; the result keeps the one-thread bits. Two depth
// blocks, one a thread; and four, a pair a thread, whose lent block adds
// onto its pair's first (in short mode on the active level only: the
// generic level's Go loops are slow under the race detector).
func TestSplitKLends(t *testing.T) {
	defer runtime.SetThreads(runtime.SetThreads(1))
	forEachLevel(t, func(t *testing.T, d *driver) {
		if d.nc.ceil(128) > 1 {
			// Lent depth blocks are one block of B (see call.lend): where
			// the caches are unknown (qemu), the fallback sizes make
			// B's blocks narrower than n; a server core's make them wider.
			d = newDriver(d.blk.Level, Caches{L1D: 48 << 10, L2: 2 << 20, L3: 32 << 20})
		}
		for _, c := range []struct{ k, kb int }{{512, 2}, {2*d.blk.KC + 64, 4}} {
			m, n, k := 256, 128, c.k
			if c.kb == 4 && testing.Short() && d != active {
				continue
			}
			if d.amxUses(m, n, k) {
				t.Skip("the level computes the product on the AMX tiles")
			}
			if kb := d.depthBlocks(m, n, k); kb != c.kb {
				t.Fatalf("%dx%dx%d: %d depth blocks, want %d", m, n, k, kb, c.kb)
			}
			r := rand.New(rand.NewPCG(21, 22))
			p := newProblem(r, NoTrans, NoTrans, m, n, k, 1.5, 0.5, 3)
			c0 := append([]float32(nil), p.c()...)
			runtime.SetThreads(1)
			p.run(d)
			p.check(t)
			want := append([]float32(nil), p.c()...)
			runtime.SetThreads(2)
			for range 2 {
				copy(p.c(), c0)
				helped, clear := holdUp()
				p.run(d)
				clear()
				if helped.Load() == 0 {
					t.Fatalf("%v: a task held up, no row block taken over", p)
				}
				sameBits(t, p.String(), p.c(), want)
			}
		}
	})
}

// TestSgemmSparseLends: a thread of a sparse product held up before its
// groups has them taken over by the other, the result (and, through
// SgemmSparseRows, each row given once) keeping the one-thread bits.
func TestSgemmSparseLends(t *testing.T) {
	defer runtime.SetThreads(runtime.SetThreads(1))
	m, n, k := 512, 128, 128
	for range 3 {
		r := rand.New(rand.NewPCG(23, 24))
		p := newProblem(r, Trans, NoTrans, m, n, k, 0.75, 0.5, 0)
		sparsify(r, p, 0.5)
		var s Sparse
		runtime.SetThreads(1)
		copy(p.c(), p.c0)
		p.runSparse(&s)
		want := append([]float32(nil), p.c()...)
		runtime.SetThreads(2)
		copy(p.c(), p.c0)
		helped, clear := holdUp()
		p.runSparse(&s)
		rc := newRowsCollector(m, n)
		s.Compress(Trans, m, k, p.a, p.lda)
		SgemmSparseRows(&s, n, p.alpha, p.b, p.ldb, rc)
		clear()
		if helped.Load() == 0 {
			t.Fatal("a share held up: no group taken over")
		}
		sameBits(t, p.String(), p.c(), want)
		for i := range m {
			if rc.times[i] != 1 {
				t.Fatalf("SgemmSparseRows: row %d given %d times", i, rc.times[i])
			}
		}
		p.check(t)
	}
}

// TestSgemmBytesLends: a thread of a byte product held up before its
// panels has them taken over by the other, with the one-thread bits.
func TestSgemmBytesLends(t *testing.T) {
	skipWithoutBytes(t)
	defer runtime.SetThreads(runtime.SetThreads(1))
	m, n, k := 256, 300, 784
	rng := rand.New(rand.NewPCG(25, 26))
	a, lda, w, ldw := byteProblem(rng, m, n, k)
	var p BytePacked
	if !p.Pack(k, n, w, ldw) {
		t.Fatal("Pack refused finite values")
	}
	want := make([]float32, m*n)
	SgemmBytes(m, 1.0/255, a, lda, &p, 0, want, n)
	runtime.SetThreads(2)
	for range 3 {
		c := make([]float32, m*n)
		helped, clear := holdUp()
		SgemmBytes(m, 1.0/255, a, lda, &p, 0, c, n)
		clear()
		if helped.Load() == 0 {
			t.Fatal("a share held up: no panel taken over")
		}
		sameBits(t, "SgemmBytes", c, want)
	}
}
