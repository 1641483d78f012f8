package blas

import (
	"sync/atomic"

	"github.com/nnrt/nnrt/asm"
	"github.com/nnrt/nnrt/runtime"
)

// Byte products: C = alpha·A·W + beta·C where A holds bytes and W is a
// float32 matrix split once for many products (BytePacked), on the AMX-INT8
// tiles (asm.ByteKernel: W's columns as four fixed-point parts, exact
// integer sums, one rounding; see asm/amxbytes.go for the error bound).
// A training step's first layer on an image batch multiplies the batch's
// bytes by W this way: the forward product, and with the batch's bytes
// transposed, dW.
//
//	for each panel of 32 columns of W (in parallel, one thread a run of panels):
//	  ByteKernel: C[all rows, 32 columns] = alpha·S + beta·C, by blocks of 32 rows
//
// A panel (four parts of its depth × 32 columns, 104 KiB at depth 784)
// stays in L2 across the row blocks, a part's depth block (up to 14 KiB)
// in L1 with A's block; A streams from L2. The bits depend on the data
// only, not on the thread count.

// BytePacked is a k×n float32 matrix split for byte products
// (asm.BytePackPanel), panel by panel. Its buffers grow to the largest
// matrix packed and are reused.
type BytePacked struct {
	k, n   int
	parts  []int8
	scale  []float64
	bad    []bool // per panel: it holds NaN or ±Inf
	w      []float32
	ldw    int
	call   byteCall
	packer bytePacker
}

// BytesAvailable reports whether byte products can run (asm.BytesAvailable:
// a CPU with AMX-INT8, on the amx level or on the default avx512 one; the
// first call asks the OS for the tile state).
func BytesAvailable() bool { return asm.BytesAvailable() }

// ByteRowsLen returns the length a byte matrix of m rows of depth k with
// leading dimension lda must have for SgemmBytes: the tiles read whole
// blocks of 32 rows and whole chunks of 64 bytes of depth.
func ByteRowsLen(m, k, lda int) int {
	return ((m+31)&^31-1)*lda + asm.ByteDepth*asm.ByteChunks(k)
}

// Pack splits the k×n matrix w (row-major, leading dimension ldw) and
// reports whether it could: false when w holds NaN or ±Inf, whose products
// must then be computed in float32. Panels pack in parallel.
func (p *BytePacked) Pack(k, n int, w []float32, ldw int) bool {
	if k < 1 || n < 1 || k > asm.ByteMaxDepth || ldw < n || len(w) < (k-1)*ldw+n {
		panic("blas: BytePacked.Pack: bad arguments")
	}
	np := (n + 31) / 32
	p.k, p.n = k, n
	p.parts = grown(p.parts, np*asm.BytePanelLen(k))
	p.scale = grown(p.scale, np*32)
	p.bad = grown(p.bad, np)
	p.w, p.ldw = w, ldw
	p.packer.p = p
	if runtime.Threads() > 1 && k*n >= bytePackParallel {
		runtime.ParallelFor(np, 1, &p.packer)
	} else {
		p.packer.Range(0, np)
	}
	p.w = nil
	for _, b := range p.bad {
		if b {
			return false
		}
	}
	return true
}

// bytePackParallel: the splits of smaller matrices run on one thread.
const bytePackParallel = 32 * 1024

type bytePacker struct{ p *BytePacked }

func (b *bytePacker) Range(lo, hi int) {
	p := b.p
	plen := asm.BytePanelLen(p.k)
	for i := lo; i < hi; i++ {
		j := 32 * i
		p.bad[i] = !asm.BytePackPanel(p.parts[i*plen:(i+1)*plen], p.scale[j:j+32], p.w[j:], p.ldw, p.k, min(32, p.n-j))
	}
}

// SgemmBytes computes C = alpha·A·W + beta·C (beta = 0: C is not read) for
// the m×k bytes A (row-major, leading dimension lda, at least ByteRowsLen
// long: the rows past m are read and their products discarded) and the
// packed k×n W. It panics when byte products are not available.
func SgemmBytes(m int, alpha float64, a []uint8, lda int, w *BytePacked, beta float32, c []float32, ldc int) {
	k, n := w.k, w.n
	if m < 1 || lda < k || ldc < n || len(a) < ByteRowsLen(m, k, lda) || len(c) < (m-1)*ldc+n {
		panic("blas: SgemmBytes: bad arguments")
	}
	np := (n + 31) / 32
	call := &w.call
	*call = byteCall{m: m, alpha: alpha, beta: float64(beta), a: a, lda: lda, w: w, c: c, ldc: ldc,
		scratch: grown(call.scratch, np*asm.ByteScratch), claims: call.claims}
	if th := min(runtime.Threads(), np); th > 1 && m*n*k >= byteParallel {
		// Each thread takes W's panels of its share, as Pack's threads
		// packed them, then the others' last ones (see workShares): this
		// host's cores run at unequal speeds, and
		// a share of whole panels may be the larger (300 columns: 160
		// against 140). The book's model at batch 256 on two threads,
		// five steps with and five without alternated over ten epochs,
		// six runs: the median pair 0.853-0.992 of the time, the total
		// 0.854-0.984 (leaving the last two panels to their thread;
		// taking them too, 1-3% faster again).
		call.claims = grown(call.claims, th)
		for t := range th {
			call.claims[t].Store(uint64(t*np/th)<<32 | uint64((t+1)*np/th))
		}
		runtime.ParallelFor(th, 1, call)
	} else {
		for pi := range np {
			call.panel(pi)
		}
	}
	call.a, call.c, call.w = nil, nil, nil
}

// byteParallel: smaller products run on one thread (a batch-32 forward of
// the book's first layer, 7.5 M multiply-adds, takes some 15 µs).
const byteParallel = 4 << 20

// byteCall is one SgemmBytes, shared by the workers: each takes W's
// panels, each over all of A's row blocks, from the shares (claims).
type byteCall struct {
	m           int
	alpha, beta float64
	a           []uint8
	lda         int
	w           *BytePacked
	c           []float32
	ldc         int
	scratch     []int32         // asm.ByteScratch a panel
	claims      []atomic.Uint64 // the threads' shares of panels not yet taken (see claimBlock)
}

// Range computes shares [lo, hi) of the panels, then helps the others.
func (b *byteCall) Range(lo, hi int) {
	workShares(b.claims, lo, hi, true, func(_, pi int) { b.panel(pi) })
}

// panel computes C's columns of W's panel pi (32 columns).
func (b *byteCall) panel(pi int) {
	w := b.w
	j := 32 * pi
	cols := min(32, w.n-j)
	plen := asm.BytePanelLen(w.k)
	scratch := b.scratch[pi*asm.ByteScratch : (pi+1)*asm.ByteScratch]
	asm.ByteKernel(b.a, b.lda, w.parts[pi*plen:(pi+1)*plen], asm.ByteChunks(w.k), w.scale[j:j+32], b.alpha, b.beta, b.c[j:], b.ldc, b.m, cols, scratch)
}

// grown returns s with length n, reallocating only when it must (the
// contents are not kept).
func grown[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n)
}
