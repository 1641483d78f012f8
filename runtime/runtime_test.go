package runtime

import (
	"sync"
	"sync/atomic"
	"testing"
)

type countBody struct{ hits []atomic.Int32 }

func (c *countBody) Range(lo, hi int) {
	for i := lo; i < hi; i++ {
		c.hits[i].Add(1)
	}
}

func TestParallelForCoversEachIndexOnce(t *testing.T) {
	defer SetThreads(SetThreads(1))
	for _, threads := range []int{1, 2, 3, 7, 16} {
		SetThreads(threads)
		for _, n := range []int{0, 1, 2, 5, 63, 64, 1000} {
			for _, grain := range []int{0, 1, 7, 64, 5000} {
				c := &countBody{hits: make([]atomic.Int32, n)}
				ParallelFor(n, grain, c)
				for i := range c.hits {
					if h := c.hits[i].Load(); h != 1 {
						t.Fatalf("threads=%d n=%d grain=%d: index %d run %d times", threads, n, grain, i, h)
					}
				}
			}
		}
	}
}

func TestParallelForChunksRespectGrainAndThreads(t *testing.T) {
	defer SetThreads(SetThreads(4))
	var chunks atomic.Int32
	ParallelFor(100, 30, Func(func(lo, hi int) {
		chunks.Add(1)
		if hi-lo < 25 {
			t.Errorf("chunk [%d,%d) smaller than expected", lo, hi)
		}
	}))
	if got := chunks.Load(); got != 4 {
		t.Fatalf("got %d chunks, want 4 (min of 4 threads and ceil(100/30))", got)
	}
}

func TestParallelForNested(t *testing.T) {
	defer SetThreads(SetThreads(3))
	var total atomic.Int64
	ParallelFor(8, 1, Func(func(lo, hi int) {
		for i := lo; i < hi; i++ {
			ParallelFor(100, 1, Func(func(lo, hi int) { total.Add(int64(hi - lo)) }))
		}
	}))
	if total.Load() != 800 {
		t.Fatalf("nested total %d, want 800", total.Load())
	}
}

func TestParallelForAllocationFree(t *testing.T) {
	defer SetThreads(SetThreads(2))
	c := &countBody{hits: make([]atomic.Int32, 256)}
	ParallelFor(256, 16, c) // start the workers
	if a := testing.AllocsPerRun(100, func() { ParallelFor(256, 16, c) }); a != 0 {
		t.Fatalf("ParallelFor allocates %v times per call", a)
	}
}

func TestSetThreads(t *testing.T) {
	prev := SetThreads(5)
	defer SetThreads(prev)
	if Threads() != 5 {
		t.Fatalf("Threads() = %d after SetThreads(5)", Threads())
	}
	SetThreads(0)
	if Threads() != defaultThreads() {
		t.Fatalf("SetThreads(0) did not restore the default")
	}
}

func TestDefaultThreadsEnv(t *testing.T) {
	t.Setenv("NNRT_THREADS", "3")
	if defaultThreads() != 3 {
		t.Fatal("NNRT_THREADS=3 not honoured")
	}
	for _, bad := range []string{"0", "-1", "two"} {
		t.Setenv("NNRT_THREADS", bad)
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NNRT_THREADS=%q accepted", bad)
				}
			}()
			defaultThreads()
		}()
	}
}

func TestAllocAlignedAndReused(t *testing.T) {
	for _, n := range []int{0, 1, 15, 16, 17, 1000, 1 << 20} {
		b := Alloc(n)
		if len(b) != n || !IsAligned(b) || cap(b) < n || cap(b)&(cap(b)-1) != 0 {
			t.Fatalf("Alloc(%d): len %d cap %d aligned %v", n, len(b), cap(b), IsAligned(b))
		}
		Free(b)
	}
	b := Alloc(300)
	Free(b)
	if a := testing.AllocsPerRun(100, func() { Free(Alloc(300)) }); a != 0 {
		t.Fatalf("Alloc/Free of a pooled class allocates %v times", a)
	}
	Free(make([]float32, 10)) // foreign slices are ignored, not pooled
}

// TestAllocLIFO: buffers of a class come back in the reverse order of
// their Free (blas frees a product's scratch parts last first, so that
// each is written next time by the thread that wrote it).
func TestAllocLIFO(t *testing.T) {
	var bufs [4][]float32
	for i := range bufs {
		bufs[i] = Alloc(5000 + i)
	}
	for _, b := range bufs {
		Free(b)
	}
	for i := len(bufs) - 1; i >= 0; i-- {
		if b := Alloc(5000); &b[0] != &bufs[i][0] {
			t.Fatalf("Alloc %d: not the buffer freed %d-th from last", len(bufs)-1-i, len(bufs)-1-i)
		}
	}
}

// TestAllocFreeConcurrent: goroutines that take and give back buffers of
// the same classes at once never hold the same buffer (each writes its tag
// over its buffer and finds it intact before Free); under the race
// detector it also checks the hand-over through a class's last slot.
func TestAllocFreeConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	var bad atomic.Int32
	for g := 1; g <= 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tag := float32(g)
			for i := 0; i < 2000; i++ {
				b, c := Alloc(100+i%3), Alloc(1000)
				for j := range b {
					b[j] = tag
				}
				for j := range c {
					c[j] = tag
				}
				for _, v := range b {
					if v != tag {
						bad.Add(1)
					}
				}
				for _, v := range c {
					if v != tag {
						bad.Add(1)
					}
				}
				Free(b)
				Free(c)
			}
		}()
	}
	wg.Wait()
	if n := bad.Load(); n > 0 {
		t.Fatalf("%d values overwritten by another holder of the same buffer", n)
	}
}

// BenchmarkAllocFree: two buffers taken and given back, as a small product
// takes its scratch.
func BenchmarkAllocFree(b *testing.B) {
	for i := 0; i < b.N; i++ {
		x, y := Alloc(1000), Alloc(3000)
		Free(x)
		Free(y)
	}
}

func TestArena(t *testing.T) {
	a := NewArena()
	step := func() {
		a.Reset()
		for _, n := range []int{1, 784 * 32, 300, 17} {
			s := a.Floats(n)
			if len(s) != n || !IsAligned(s) {
				t.Fatalf("Floats(%d): len %d aligned %v", n, len(s), IsAligned(s))
			}
			for i, v := range s {
				if v != 0 {
					t.Fatalf("Floats(%d)[%d] = %v, want zeroed", n, i, v)
				}
				s[i] = 1
			}
		}
	}
	step()
	step() // sized now
	if allocs := testing.AllocsPerRun(50, step); allocs != 0 {
		t.Fatalf("a warm arena step allocates %v times", allocs)
	}
	x, y := a.Floats(10), a.Floats(10)
	x[9] = 5
	if y[0] != 0 {
		t.Fatal("arena slices overlap")
	}
}

type sumBody struct {
	x   []float32
	out []float32
}

func (s *sumBody) Range(lo, hi int) {
	for i := lo; i < hi; i++ {
		s.out[i] = s.x[i] * 2
	}
}

func BenchmarkParallelFor(b *testing.B) {
	s := &sumBody{x: make([]float32, 1<<16), out: make([]float32, 1<<16)}
	b.ReportAllocs()
	for b.Loop() {
		ParallelFor(len(s.x), 4096, s)
	}
}

type nopBody struct{ sink atomic.Int64 }

func (b *nopBody) Range(lo, hi int) { b.sink.Add(int64(hi - lo)) }

// BenchmarkParallelForLatency is the cost of one fork-join of two empty
// chunks on two threads: the hand-off and wake-up a small product pays.
func BenchmarkParallelForLatency(b *testing.B) {
	defer SetThreads(SetThreads(2))
	var body nopBody
	ParallelFor(2, 1, &body)
	for b.Loop() {
		ParallelFor(2, 1, &body)
	}
}

// TestFreeList: records come back (the slot and the stack both), a record
// is never handed out twice, and New runs only when none is free, also
// under concurrent use.
func TestFreeList(t *testing.T) {
	made := 0
	l := FreeList[int]{New: func() *int { made++; return new(int) }}
	a, b, c := l.Get(), l.Get(), l.Get()
	if made != 3 || a == b || b == c || a == c {
		t.Fatalf("made %d, records %p %p %p", made, a, b, c)
	}
	l.Put(a)
	l.Put(b)
	l.Put(c)
	seen := map[*int]bool{}
	for i := 0; i < 3; i++ {
		x := l.Get()
		if seen[x] || (x != a && x != b && x != c) {
			t.Fatalf("Get %d returned %p again or a new record", i, x)
		}
		seen[x] = true
	}
	if made != 3 {
		t.Fatalf("New ran %d times, want 3", made)
	}
	for x := range seen {
		l.Put(x)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	live := map[*int]bool{}
	l2 := FreeList[int]{New: func() *int { return new(int) }}
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				x := l2.Get()
				mu.Lock()
				if live[x] {
					mu.Unlock()
					t.Errorf("record %p handed out twice", x)
					return
				}
				live[x] = true
				mu.Unlock()
				mu.Lock()
				delete(live, x)
				mu.Unlock()
				l2.Put(x)
			}
		}()
	}
	wg.Wait()
}
