package blas

import (
	"sync/atomic"
	"unsafe"

	"github.com/nnrt/nnrt/asm"
	"github.com/nnrt/nnrt/runtime"
)

// The amx level's products on the tiles (asm.AMXKernel: each float32 as
// three bfloat16 parts, six part products in float32; see asm/amx.go).
//
//	for pc over k by depth blocks (multiples of 32 but the last, about amxKC):
//	  pack all of op(B)'s block into 32-column micro-panels   } in parallel,
//	  pack all of op(A)'s block into 32-row micro-panels      } one item each
//	  a value out of the tiles' range: this depth block on the FMA driver
//	  else for each item (row block of up to amxMC rows, B micro-panel):
//	    AMXKernel: C[rows, 32 columns] = alpha*S + beta*C   (beta: 1 after the first block)
//
// A B micro-panel (3 parts × kp × 32 bfloat16, 48 KiB at kp = 256) is
// reused across the row block's A micro-panels, which stream from L2 (or
// L3: all of A's block is packed before the compute phase). The
// items split along m and n only, so the bits do not depend on the thread
// count; which depth blocks take the FMA path depends on the data alone.
const (
	amxKC = 256
	amxMC = 512
	// The tiles pay when m*n >= amxReuse*(m+n) and k >= amxMinK: packing
	// costs some 0.3-1.2 ns per element of A and B (three parts, six bytes
	// written for each), the tiles save about a third of the FMA kernels'
	// time per multiply-add (about 200 against 150 GFLOPS on one core of
	// the Xeon measured, with real data: the tiles' rate depends on the bits),
	// so the product must reuse each packed element often enough. Paired
	// against the avx512 level, one thread: 512^3 1.18 times as fast,
	// 768^3 1.23, 1024^3 1.09, 2048^3 1.12, 512x512x128 1.43, TN 784x300x256
	// 1.06; two threads: 768^3 1.19, 1024^3 1.09, 512x512x128 1.24, TN
	// 784x300x256 1.05. Below the threshold (on the FMA kernels): one
	// thread 256x300x784 1.02, 128x300x784 0.87, TN 300x100x256 0.69,
	// 32x300x784 0.46; two threads 256x300x784 0.73, 128x300x784 0.63.
	amxReuse = 192
	amxMinK  = 64
)

// amxCall is the state of one product on the tiles, shared by the workers.
type amxCall struct {
	aT, bT       bool
	m, n, kc, kp int
	pc           int
	alpha        float32
	a, b, c      []float32
	lda, ldb     int
	ldc          int
	mode         int
	beta         float32
	seg          int // values of one part of a micro-panel
	na, nb       int // micro-panels of A and of B
	mcp          int // A micro-panels per row block
	apack, bpack []uint16
	packing      bool
	bad          atomic.Bool
}

// amxUses reports whether the product goes to the tiles.
func (d *driver) amxUses(m, n, k int) bool {
	return d.amx && k >= amxMinK && m*n >= amxReuse*(m+n)
}

// amxGemm computes C = alpha*op(A)*op(B) + beta*C on the tiles, for
// checked arguments with m, n, k > 0 and alpha != 0.
func (d *driver) amxGemm(aT, bT bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	blocks := ceilDiv(k, amxKC)
	kcMax := roundUp(ceilDiv(k, blocks), 32)
	cl := d.amxCalls.Get()
	*cl = amxCall{aT: aT, bT: bT, m: m, n: n, alpha: alpha, a: a, b: b, c: c, lda: lda, ldb: ldb, ldc: ldc,
		na: ceilDiv(m, 32), nb: ceilDiv(n, 32)}
	// Row blocks of equal size (within a micro-panel), at most amxMC rows:
	// the items are then of one size, and threads that split them evenly
	// get even work (16+8 panels for m = 768 left one thread half idle).
	cl.mcp = ceilDiv(cl.na, ceilDiv(cl.na, amxMC/32))
	seg := kcMax / 32 * asm.AMXChunk
	abuf := runtime.Alloc(cl.na * 3 * seg / 2)
	bbuf := runtime.Alloc(cl.nb * 3 * seg / 2)
	cl.apack, cl.bpack = asUint16(abuf), asUint16(bbuf)
	threads := runtime.Threads()
	if m*n*k < parallelMin {
		threads = 1
	}
	for pc := 0; pc < k; pc += kcMax {
		kc := min(kcMax, k-pc)
		betaEff := beta
		if pc > 0 {
			betaEff = 1
		}
		cl.pc, cl.kc, cl.kp = pc, kc, roundUp(kc, 32)
		cl.seg = cl.kp / 32 * asm.AMXChunk
		cl.bad.Store(false)
		cl.packing = true
		parallelFor(threads, cl.na+cl.nb, 1, cl)
		if cl.bad.Load() {
			// A value the tiles cannot take: this block on the FMA kernels.
			ao, bo := pc, pc*ldb
			if aT {
				ao = pc * lda
			}
			if bT {
				bo = pc
			}
			d.gemm(aT, bT, m, n, kc, alpha, a[ao:], lda, b[bo:], ldb, betaEff, c, ldc)
			continue
		}
		cl.beta, cl.mode = betaEff, 2
		switch betaEff {
		case 0:
			cl.mode = 0
		case 1:
			cl.mode = 1
		}
		cl.packing = false
		parallelFor(threads, ceilDiv(cl.na, cl.mcp)*cl.nb, 1, cl)
	}
	runtime.Free(abuf)
	runtime.Free(bbuf)
	*cl = amxCall{}
	d.amxCalls.Put(cl)
}

// asUint16 views an aligned float32 buffer as twice as many uint16.
func asUint16(f []float32) []uint16 {
	return unsafe.Slice((*uint16)(unsafe.Pointer(unsafe.SliceData(f))), 2*len(f))
}

// Range packs micro-panels [lo, hi) (B's first, then A's) in the packing
// phase, and computes items [lo, hi) (row block × B micro-panel) in the
// compute phase.
func (cl *amxCall) Range(lo, hi int) {
	if cl.packing {
		stage := runtime.Alloc(16 * 32)
		for u := lo; u < hi; u++ {
			var ok bool
			if u < cl.nb {
				// op(B)[p, j]: b[p*ldb+j], or b[j*ldb+p] when transposed.
				j0 := 32 * u
				off, ls, ps := cl.pc*cl.ldb+j0, 1, cl.ldb
				if cl.bT {
					off, ls, ps = j0*cl.ldb+cl.pc, cl.ldb, 1
				}
				ok = amxPackPanel(cl.bpack[u*3*cl.seg:], cl.seg, cl.b, off, ls, ps, min(32, cl.n-j0), cl.kc, cl.kp, true, stage)
			} else {
				i0 := 32 * (u - cl.nb)
				off, ls, ps := i0*cl.lda+cl.pc, cl.lda, 1
				if cl.aT {
					off, ls, ps = cl.pc*cl.lda+i0, 1, cl.lda
				}
				ok = amxPackPanel(cl.apack[(u-cl.nb)*3*cl.seg:], cl.seg, cl.a, off, ls, ps, min(32, cl.m-i0), cl.kc, cl.kp, false, stage)
			}
			if !ok {
				cl.bad.Store(true)
			}
		}
		runtime.Free(stage)
		return
	}
	scratch := runtime.Alloc(1024)
	for u := lo; u < hi; u++ {
		rb, jr := u/cl.nb, u%cl.nb
		p0 := rb * cl.mcp
		np := min(cl.mcp, cl.na-p0)
		rows := min(32, cl.m-32*(p0+np-1))
		cols := min(32, cl.n-32*jr)
		asm.AMXKernel(cl.apack[p0*3*cl.seg:], cl.bpack[jr*3*cl.seg:], cl.seg, np, 3*cl.seg,
			cl.c[32*p0*cl.ldc+32*jr:], cl.ldc, rows, cols, cl.alpha, cl.beta, cl.mode, scratch)
	}
	runtime.Free(scratch)
}

// amxPackPanel packs a micro-panel of 32 lines (lines valid, the rest
// zero) over depth kc (zero-padded to kp) into dst, in the B layout when
// bLayout is set, else the A layout; line l at depth p is x[off+l*ls+p*ps],
// one of ls and ps being 1. Whole tiles are packed in place, the edges
// through stage (16×32). It reports whether every value was in range.
func amxPackPanel(dst []uint16, seg int, x []float32, off, ls, ps, lines, kc, kp int, bLayout bool, stage []float32) bool {
	kMajor := ls == 1 && ps != 1
	ld := ls
	if kMajor {
		ld = ps
	}
	ok := true
	for g := 0; g < 2; g++ {
		valid := min(16, lines-16*g)
		ch := 0
		if valid == 16 {
			if full := kc / 32; full > 0 {
				ok = asm.AMXPack(dst[g*512:], seg, x[off+16*g*ls:], ld, full, 32*ps, asm.AMXChunk, 1, kMajor, kMajor != bLayout) && ok
				ch = full
			}
		}
		for ; ch < kp/32; ch++ {
			// The edge tile, zero-padded, in the operand's own orientation
			// (so that its valid part is a few contiguous copies): 16 lines
			// of 32 values of k, or 32 values of k of 16 lines.
			clear(stage)
			depth := max(0, min(32, kc-32*ch))
			base := off + 16*g*ls + 32*ch*ps
			if kMajor {
				for q := 0; q < depth && valid > 0; q++ {
					copy(stage[q*16:q*16+valid], x[base+q*ps:])
				}
			} else {
				for l := 0; l < valid && depth > 0; l++ {
					copy(stage[l*32:l*32+depth], x[base+l*ls:])
				}
			}
			ld := 32
			if kMajor {
				ld = 16
			}
			ok = asm.AMXPack(dst[g*512+ch*asm.AMXChunk:], seg, stage, ld, 1, 0, 0, 1, kMajor, kMajor != bLayout) && ok
		}
	}
	return ok
}
