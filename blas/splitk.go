package blas

import (
	"math/bits"
	goruntime "runtime"
	"sync/atomic"

	"github.com/nnrt/nnrt/asm"
	"github.com/nnrt/nnrt/runtime"
)

// depthBlocks is the number of depth blocks of a product: k in blocks of
// at most KC; for a product whose C is small next to its operands and whose
// depth is at least 2*minSplitK, a power of two of at least two blocks of
// at least minSplitK, so that splitK can share it between threads. It
// depends on the shape only: the blocks fix the order of the sums, and so
// the bits, whatever the thread count.
func (d *driver) depthBlocks(m, n, k int) int {
	kb := d.kc.ceil(k)
	if smallC(m, n, k) && k >= 2*minSplitK {
		// a power of two, so that 2 or 4 threads share the blocks (and
		// splitK's tree) evenly
		if p := 1 << bits.Len(uint(max(kb, 2)-1)); k >= p*minSplitK {
			kb = p
		} else {
			kb = max(kb, 2)
		}
	}
	return kb
}

// minSplitK is the smallest depth block that depthBlocks makes to share a
// product between threads: under it, the pass over C that each block adds
// costs more than the block saves.
const minSplitK = 128

// smallC reports whether C (m×n) is small next to the operands (m×k and
// k×n): splitting such a product along k costs a pass over C per block, and
// gives each thread a contiguous block of rows of an operand read along k
// (the weights, in a network's forward pass), which stays in that thread's
// cache when the weight update is split the same way (along its rows).
// Split along m or n, both threads would read interleaved parts of every
// row, and the lines the other thread's update wrote travel between cores.
// The bound, 5*m*n, takes the forward of 256 images through a 784x300
// layer (the operands 5.7 times C): on two threads the book's training
// step then took 0.94 of its time (six paired rounds; at 8*m*n that
// product ran split along m, each thread reading all of the weights after
// the update had written half of them on the other core: 70 µs of its
// 500 went to those lines, and the update then paid as much again to take
// them back), while the product alone ran at 0.99 of its rate on two
// threads and 0.985 on one (whose four blocks are summed in the tree).
func smallC(m, n, k int) bool { return 5*m*n <= (m+n)*k }

// splitK computes a product whose C is small next to its operands as kb
// depth blocks, each a product of its own, summed in a fixed tree: the
// blocks in pairs, b0+b1, b2+b3, ..., then those sums pairwise, (b0+b1) +
// (b2+b3), and so on up to C. A pair's second block is added by its
// kernel onto the first's result (beta = 1: fl(alpha*s_j) added with one
// rounding, as a separate sum of the two results would be), so a thread
// can take a subtree of any size: its blocks in pairs, then its own
// sums, the ones left over done after the threads. The tree fixes every
// rounding, so the bits do not depend on the thread count, while two
// threads each do their half of the depth as two blocks into one result,
// and one sum joins them. (Summed in block order, ((b0+b1)+b2)+b3, four
// blocks on two threads needed three passes over C and two scratch
// results written on the other core: NN 32x300x784 on two threads took
// 0.92-0.95 of that time.)
func (d *driver) splitK(aT, bT bool, m, n, k, kb, threads int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, padded bool) {
	w := d.kSplits.Get()
	*w = kSplit{d: d, aT: aT, bT: bT, m: m, n: n, k: k, kb: kb, kc: ceilDiv(k, kb), alpha: alpha, beta: beta,
		a: a, b: b, c: c, lda: lda, ldb: ldb, ldc: ldc, padded: padded, parts: w.parts[:0],
		lasts: w.lasts, lends: w.lends, states: w.states, bpacks: w.bpacks[:0]}
	// Subtrees of leaves blocks, one per task: the fewest blocks that give
	// each thread at most one task.
	w.leaves = 1
	for ceilDiv(kb, w.leaves) > threads {
		w.leaves *= 2
	}
	// Scratch results are padded to whole tiles: no edge tiles. parts[j]
	// holds the sum rooted at block j, for j > 0 where one is rooted: at
	// even blocks, and at odd ones when they are leaves of their own.
	w.ldp = d.nr.roundUp(n)
	w.parts = append(w.parts, nil)
	for j := 1; j < kb; j++ {
		var p []float32
		if j%2 == 0 || w.leaves == 1 {
			p = runtime.Alloc(d.mr.roundUp(m) * w.ldp)
		}
		w.parts = append(w.parts, p)
	}
	tasks := ceilDiv(kb, w.leaves)
	// Threads past one a task share each task's blocks along m and n (which
	// does not change their bits): the book's forward products make at most
	// four depth blocks, and so four tasks, whatever the core count.
	w.sub = max(1, threads/tasks)
	// Each subtree's last block lends its row blocks to the threads done
	// with their own subtrees (see call.lend), where that block is its
	// subtree's last operation (pairs at most: a larger subtree adds its
	// pairs' sums after it), the product is wide enough, and a thread
	// never waits for a goroutine that has no processor. The book's
	// model at batch 256 on two threads, five steps with and five
	// without alternated over ten epochs, six runs: the median pair 1.00
	// of the time, the total 0.966-0.993 (the steps where one core ran
	// slower got faster).
	w.steal = tasks > 1 && w.sub == 1 && w.leaves <= 2 && w.m >= stealMinRows && w.n >= lendMinCols && w.kc >= stealMinDepth &&
		d.nc.ceil(n) == 1 && runtime.Threads() <= goruntime.GOMAXPROCS(0)
	if w.steal {
		w.lends = grown(w.lends, tasks)
		w.lasts = grown(w.lasts, tasks)
		w.states = grown(w.states, tasks)
		w.bpacks = w.bpacks[:0]
		for range tasks {
			w.bpacks = append(w.bpacks, runtime.Alloc(panelStride(w.kc, d.g.NR)*d.nr.ceil(n)))
		}
	}
	runtime.ParallelFor(tasks, 1, w)
	w.sums(0, kb, w.leaves, true)
	if w.steal {
		for t := tasks - 1; t >= 0; t-- {
			runtime.Free(w.bpacks[t])
			w.lends[t].Store(false)
			w.states[t].Store(taskWaiting)
			w.lasts[t] = call{claims: w.lasts[t].claims}
		}
		clear(w.bpacks)
	}
	// freed last first, so that the next call's parts are these, each
	// written again by the thread that wrote it
	for j := kb - 1; j > 0; j-- {
		if w.parts[j] != nil {
			runtime.Free(w.parts[j])
		}
	}
	clear(w.parts)
	w.a, w.b, w.c, w.parts = nil, nil, nil, w.parts[:0]
	d.kSplits.Put(w)
}

// kSplit is one splitK in flight, the runtime.Body over its subtrees.
type kSplit struct {
	d               *driver
	aT, bT          bool
	m, n, k, kb, kc int
	alpha, beta     float32
	a, b, c         []float32
	lda, ldb, ldc   int
	padded          bool
	parts           [][]float32 // parts[j]: the sum rooted at block j > 0 (or nil)
	ldp             int
	leaves          int  // blocks per task
	sub             int  // threads per task
	adding          kAdd // the body of a shared add (see add)
	// steal: each task's last block is a call of its own (lasts) that
	// lends its row blocks (lends, states, bpacks: see call.lend).
	steal  bool
	lasts  []call
	lends  []atomic.Bool
	states []atomic.Int32 // taskWaiting, taskRunning, taskDone
	bpacks [][]float32
}

// A task's states, for its helpers: one that has not started will be run
// whole by a thread that has not reached it yet (perhaps the helper
// itself), so only a running one is waited for.
const (
	taskWaiting = iota
	taskRunning
	taskDone
)

// lendMinCols is the fewest columns of a product whose depth blocks lend
// row blocks: a helper's row blocks of A come from the other core, n
// multiply-adds a value.
const lendMinCols = 128

// Range computes subtrees [lo, hi): their blocks, then their sums; with
// steal, it then helps the other subtrees' last blocks.
func (w *kSplit) Range(lo, hi int) {
	for t := lo; t < hi; t++ {
		j0, j1 := t*w.leaves, min((t+1)*w.leaves, w.kb)
		if w.steal {
			w.states[t].Store(taskRunning)
		}
		for j := j0; j < j1; j++ {
			w.block(j, t, w.steal && j == j1-1)
		}
		w.sums(j0, j1, 1, false)
		if w.steal {
			w.states[t].Store(taskDone)
		}
	}
	if !w.steal {
		return
	}
	for u := range w.states {
		if lo <= u && u < hi {
			continue
		}
		for w.states[u].Load() == taskRunning {
			if w.lends[u].Load() {
				w.lasts[u].helpLent(lo)
				break
			}
		}
	}
}

// block computes depth block j into the result rooted at it (with beta,
// or with 0 into a scratch part), or, for the second block of a pair
// computed together, onto its pair's result, as the work of task slot,
// whose workspace slot it is (see lazyWorkspace). When lend, the block is
// the task's last and lends its row blocks (see call.lend).
func (w *kSplit) block(j, slot int, lend bool) {
	pc := j * w.kc
	kc := min(w.kc, w.k-pc)
	// op(A)'s columns pc.. and op(B)'s rows pc..
	var a, b []float32
	if w.aT {
		a = w.a[pc*w.lda:]
	} else {
		a = w.a[pc:]
	}
	if w.bT {
		b = w.b[pc:]
	} else {
		b = w.b[pc*w.ldb:]
	}
	root, beta := j, float32(0)
	if j%2 == 1 && w.leaves > 1 {
		root, beta = j-1, 1
	}
	// Whole edge tiles into the padding only where C is not read (beta
	// 0): the padding holds whatever the buffer held before.
	c, ldc, padded := w.c, w.ldc, w.padded
	if root == 0 {
		if j == 0 {
			beta = w.beta
		}
		padded = padded && beta == 0
	} else {
		c, ldc, padded = w.parts[root], w.ldp, beta == 0
	}
	if !lend {
		w.d.loops(nil, w.aT, w.bT, w.m, w.n, kc, 1, w.sub, w.alpha, a, w.lda, b, w.ldb, beta, c, ldc, padded, slot*w.sub)
		return
	}
	cl := &w.lasts[slot]
	*cl = call{d: w.d, aT: w.aT, bT: w.bT, m: w.m, n: w.n, k: kc, alpha: w.alpha, beta: beta,
		a: a, b: b, c: c, lda: w.lda, ldb: w.ldb, ldc: ldc, padded: padded, slot: slot,
		lend: &w.lends[slot], bfixed: w.bpacks[slot], claims: cl.claims}
	cl.alone(1)
}

// sums adds, within blocks [j0, j1), the sums of the tree's levels whose
// subtrees span from 2*from blocks: each root's result gets its right
// sibling's, level by level. Pairs computed together (from 1, leaves > 1)
// were summed by their kernel. shared: the caller's levels, after the
// threads' subtrees, whose large sums the threads share by rows.
func (w *kSplit) sums(j0, j1, from int, shared bool) {
	s := from
	if s == 1 && w.leaves > 1 {
		s = 2
	}
	for ; s < j1-j0; s *= 2 {
		for g := j0; g+s < j1; g += 2 * s {
			w.add(g, w.parts[g+s], shared)
		}
	}
}

// splitKAddMin is the size of C (m*n) from which the caller's sums of
// splitK's tree are split by rows between the threads: each then adds
// rows of the other's result once, in parallel, and keeps the rows it
// wrote in its own cache for the pass that reads C next (on one thread
// the caller read all of the other thread's result, then wrote C for
// both). The elementwise additions do not depend on the split.
const splitKAddMin = 1 << 15

// add adds p (ldp apart) to the result rooted at block g, split by rows
// between the threads when shared and the result is large.
func (w *kSplit) add(g int, p []float32, shared bool) {
	if th := runtime.Threads(); shared && th > 1 && w.m > 1 && w.m*w.n >= splitKAddMin {
		w.adding = kAdd{w: w, g: g, p: p}
		runtime.ParallelFor(w.m, ceilDiv(w.m, th), &w.adding)
		w.adding = kAdd{}
		return
	}
	w.addRows(g, p, 0, w.m)
}

// addRows adds rows [lo, hi) of p to those of the result rooted at g.
func (w *kSplit) addRows(g int, p []float32, lo, hi int) {
	n := w.n
	dst, ldd := w.c, w.ldc
	if g > 0 {
		dst, ldd = w.parts[g], w.ldp
	}
	if ldd == n && w.ldp == n { // rows without gaps: one call
		asm.Add(dst[lo*n:hi*n], dst[lo*n:hi*n], p[lo*n:hi*n])
		return
	}
	for i := lo; i < hi; i++ {
		row := dst[i*ldd : i*ldd+n]
		asm.Add(row, row, p[i*w.ldp:i*w.ldp+n])
	}
}

// kAdd is the runtime.Body of a shared add: rows [lo, hi).
type kAdd struct {
	w *kSplit
	g int
	p []float32
}

func (a *kAdd) Range(lo, hi int) { a.w.addRows(a.g, a.p, lo, hi) }
