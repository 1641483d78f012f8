package runtime

import (
	goruntime "runtime"
	"sync"
	"sync/atomic"
	"time"
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
// idle persistent workers the rest. It returns when all chunks are done.
// With one chunk it calls body.Range(0, n) inline. The chunks depend on n,
// grain and Threads() only, never on which goroutine runs them, so a body
// whose chunks are independent computes the same bits however they are
// scheduled. Nested calls are safe: a chunk for which no worker is idle is
// run by the caller itself, so the pool cannot deadlock. A panic in body on
// a worker goroutine ends the process.
//
// Why workers spin: a training step issues one ParallelFor every few tens of
// microseconds, and waking a parked goroutine costs as much or more (futex
// round trips, and under a hypervisor the wake-up of a halted virtual CPU).
// A worker that has just finished a chunk therefore polls for the next one
// for spinFor before it parks, and a caller polls for its chunks to finish
// before it parks (see spin).
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
	c.pending.Store(0)
	c.parked.Store(0)
	// Hand chunks 1.. to idle workers; remember the first chunk none took.
	self := chunks
	for i := 1; i < chunks; i++ {
		w := pool.claim()
		if w == nil {
			self = i
			break
		}
		c.pending.Add(1)
		w.post(job{body: body, lo: i * n / chunks, hi: (i + 1) * n / chunks, call: c})
	}
	body.Range(0, n/chunks)
	for i := self; i < chunks; i++ {
		body.Range(i*n/chunks, (i+1)*n/chunks)
	}
	c.wait()
	calls.Put(c)
}

// spinFor is how long an idle worker, or a caller waiting for its chunks,
// polls before it parks: longer than the gaps between the parallel parts of
// a training step (up to some 100 µs of serial work at batch 32), short
// enough not to hold a core long after the work ends. A parked worker's
// core may halt, and on a virtual machine waking a halted core costs more
// than a product of a training step: with 100 µs here, the book's
// batch-32 weight update ran no faster on two threads than on one.
const spinFor = time.Millisecond

// spin polls done until it reports true (spin returns true) or spinFor
// has passed (false). It does not yield the processor while it polls: a
// yield lets the scheduler swap goroutines between processors, and a
// worker that moves to the other core leaves its share of the operands in
// the cache of the core it left. When there are more threads than
// processors, a poll would keep a goroutine that has work off its
// processor, so then it polls once and reports false.
func spin(done func() bool) bool {
	oversubscribed := Threads() > goruntime.GOMAXPROCS(0)
	var start time.Time
	for i := 0; ; i++ {
		for j := 0; j < 64; j++ {
			if done() {
				return true
			}
		}
		switch {
		case oversubscribed:
			return false
		case i == 0:
			start = time.Now()
		case time.Since(start) > spinFor:
			return false
		}
	}
}

// call tracks the chunks of one ParallelFor still running on workers. The
// caller polls pending, then parks on done; the worker that finishes the
// last chunk sends a token on done if the caller said it parked. A token
// can outlive its call (the caller saw pending reach 0 just as it parked),
// so the caller re-checks pending after each token.
//
// Both parkings (here and the worker's) are a flag set, then a re-check of
// the other side's counter, against that side's counter changed, then a
// check of the flag: each side must see the other's write, so the flag is
// set with a swap, not a store. A read-modify-write orders the load after
// it on every implementation; a store-release followed by a load-acquire
// is ordered on arm64 hardware, but an emulator may run the pair as a
// plain store and load, which an x86 host lets pass each other: under
// qemu-user the arm64 tests' ParallelFor once parked for good (every
// worker waiting on its wake channel, the caller on done).
type call struct {
	pending atomic.Int32
	parked  atomic.Int32
	done    chan struct{}
}

var calls = FreeList[call]{New: func() *call { return &call{done: make(chan struct{}, 1)} }}

func (c *call) finished() bool { return c.pending.Load() == 0 }

func (c *call) wait() {
	if c.finished() || spin(c.finished) {
		return
	}
	c.parked.Swap(1) // not Store: see call
	for !c.finished() {
		<-c.done
	}
}

// finish records that one chunk of c is done.
func (c *call) finish() {
	if c.pending.Add(-1) == 0 && c.parked.Load() == 1 {
		select {
		case c.done <- struct{}{}:
		default:
		}
	}
}

type job struct {
	body   Body
	lo, hi int
	call   *call
}

// worker is one persistent worker goroutine and its mailbox. The poster
// claims an idle worker (busy 0 -> 1), writes job and bumps seq; the worker
// runs it and clears busy. Fields written by different goroutines sit on
// separate cache lines.
type worker struct {
	busy  atomic.Int32
	_     [60]byte
	seq   atomic.Uint32
	sleep atomic.Int32 // the worker is parked (or about to) on wake
	job   job
	wake  chan struct{}
	_     [64]byte
}

// post hands j to w, which the caller has claimed.
func (w *worker) post(j job) {
	w.job = j
	w.seq.Add(1)
	if w.sleep.Load() == 1 {
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
}

func (w *worker) loop() {
	var seen uint32
	ready := func() bool { return w.seq.Load() != seen }
	for {
		if !spin(ready) {
			// Park. Either the re-check below sees a post, or the poster
			// sees sleep == 1 and sends a token (a stale token only makes
			// a later park return early; the loop re-checks).
			w.sleep.Swap(1) // not Store: see call
			if !ready() {
				<-w.wake
			}
			w.sleep.Store(0)
			continue
		}
		seen = w.seq.Load()
		j := w.job
		w.job = job{}
		j.body.Range(j.lo, j.hi)
		w.busy.Store(0)
		j.call.finish()
	}
}

// workerPool is the process-wide set of persistent workers; it grows to the
// largest number of helpers ever asked for and never shrinks.
type workerPool struct {
	mu      sync.Mutex
	workers atomic.Pointer[[]*worker]
}

var pool workerPool

func (p *workerPool) ensure(n int) {
	if ws := p.workers.Load(); ws != nil && len(*ws) >= n {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var ws []*worker
	if old := p.workers.Load(); old != nil {
		ws = append(ws, *old...)
	}
	for len(ws) < n {
		w := &worker{wake: make(chan struct{}, 1)}
		ws = append(ws, w)
		go w.loop()
	}
	p.workers.Store(&ws)
}

// claim returns an idle worker, marked busy, or nil when all are busy.
func (p *workerPool) claim() *worker {
	for _, w := range *p.workers.Load() {
		if w.busy.Load() == 0 && w.busy.CompareAndSwap(0, 1) {
			return w
		}
	}
	return nil
}
