package runtime

import (
	"sync"
	"sync/atomic"
)

// Body is the work of a ParallelFor: Range(lo, hi) processes [lo, hi).
// Passing a pointer to a reused struct keeps ParallelFor allocation-free.
type Body interface{ Range(lo, hi int) }

// Func adapts a function to Body. A closure that escapes allocates when it
// is made; hot paths should pass a reused struct pointer instead.
type Func func(lo, hi int)

// Range calls f(lo, hi).
func (f Func) Range(lo, hi int) { f(lo, hi) }

// ParallelFor splits [0, n) into at most Threads() contiguous chunks of at
// least grain elements (the i-th of c chunks spans [i*n/c, (i+1)*n/c)) and
// runs body.Range on each, the calling goroutine taking the first chunk and
// persistent workers the rest. It returns when all chunks are done. With one
// chunk it calls body.Range(0, n) inline. Nested calls are safe: a caller
// waiting for its chunks runs queued chunks itself, so the pool cannot
// deadlock. A panic in body on a worker goroutine ends the process.
func ParallelFor(n, grain int, body Body) {
	if n <= 0 {
		return
	}
	if grain < 1 {
		grain = 1
	}
	chunks := min(Threads(), (n+grain-1)/grain)
	if chunks <= 1 {
		body.Range(0, n)
		return
	}
	pool.ensure(chunks - 1)
	c := calls.Get()
	c.pending.Store(int32(chunks - 1))
	for i := 1; i < chunks; i++ {
		pool.jobs <- job{body: body, lo: i * n / chunks, hi: (i + 1) * n / chunks, call: c}
	}
	body.Range(0, n/chunks)
	for {
		select {
		case j := <-pool.jobs:
			j.run()
		case <-c.done:
			calls.Put(c)
			return
		}
	}
}

// call tracks the chunks of one ParallelFor still running on workers; the
// worker that finishes the last one sends the single token on done.
type call struct {
	pending atomic.Int32
	done    chan struct{}
}

var calls = FreeList[call]{New: func() *call { return &call{done: make(chan struct{}, 1)} }}

type job struct {
	body   Body
	lo, hi int
	call   *call
}

func (j job) run() {
	j.body.Range(j.lo, j.hi)
	if j.call.pending.Add(-1) == 0 {
		j.call.done <- struct{}{}
	}
}

// workerPool is the process-wide set of persistent worker goroutines; it
// grows to the largest number of helpers ever asked for and never shrinks.
type workerPool struct {
	mu      sync.Mutex
	started atomic.Int32
	jobs    chan job
}

var pool = workerPool{jobs: make(chan job, 1024)}

func (p *workerPool) ensure(n int) {
	if int(p.started.Load()) >= n {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for int(p.started.Load()) < n {
		p.started.Add(1)
		go func() {
			for j := range p.jobs {
				j.run()
			}
		}()
	}
}
