package blas

import (
	"sync/atomic"

	"github.com/nnrt/nnrt/asm"
	"github.com/nnrt/nnrt/runtime"
)

// driver runs BLIS's five loops for one level. The x86 kernels broadcast A
// and load B as vectors, like BLIS's skx kernel seen from row-major C, so
// the roles are those of BLIS's skx configuration: the A micro-panel (the
// broadcast side) stays in L1 and B micro-panels stream from L2:
//
//	for pc over k by KC:                      (depth blocks; beta applies to the first)
//	  for jc over n by NC:                    (a KC×NC block of B fits in L2)
//	    pack B[pc:pc+kc, jc:jc+nc] into KC×NR micro-panels
//	    for ic over m by MC:                  (in parallel, with n split further when m is short)
//	      for ir over mc by MR:
//	        pack A[ir:ir+MR, pc:pc+kc], an MR×KC micro-panel  (per worker, stays in L1;
//	                                           kept across jc when there are several)
//	        for jr over nc by NR:             (B micro-panels from L2; one KernelRow call
//	                                           for the whole tiles, KernelEdge for those
//	                                           C's edges cut)
//	          microkernel: C[ir:ir+MR, jr:jr+NR] (+)= A micro-panel × B micro-panel
//
// Threads share the ic loop in one of two modes. Private (the rows alone are
// split): each thread runs both outer loops over its own row blocks and
// packs its own copy of B, with no barrier between blocks (and, for a
// product of one block of B, claims row blocks from the others' shares
// when done with its own). Shared (the
// columns are split too, when m is short): per (pc, jc) block the threads
// pack B's panels together, then compute. One thread is the private mode's
// single share.
//
// Packing is skipped where it does not pay (see reuseToPack) and the
// microkernel reads the operand in place. With a transposed A, C's last
// column panel, when it is only a few columns wide, is computed apart by
// KernelTall, which vectorizes along the rows (see tallCols); a product
// only that narrow with a row-major A is computed on Aᵀ, made whole
// (transposesA). The last row panel, when m is not a multiple of MR,
// computes only its rows where the level has partial-row kernels
// (KernelRows). Every C
// element is computed by the same sequence of operations whatever the
// thread count: work is split along m and n on MR and NR boundaries, and
// along k only at depth blocks that the one-thread loops use too, whose
// results a fixed tree adds (splitK).
type driver struct {
	g   asm.Gemm
	blk Blocking
	// calls recycles the per-call state (packed B block, work description)
	// and workspaces the per-worker state (packed A block, edge tile), so
	// that a steady state allocates nothing. They are free lists rather
	// than sync.Pools because the GC empties a sync.Pool, and refilling it
	// would allocate inside training steps.
	calls      runtime.FreeList[call]
	workspaces runtime.FreeList[workspace]
	slots      [maxSlots]atomic.Pointer[workspace] // per share index, see lazyWorkspace
	kSplits    runtime.FreeList[kSplit]
	level2s    runtime.FreeList[level2Work]
	// The tile's and the blocks' sizes as divisors (see divisor).
	mr, nr, tallMR divisor
	kc, mc, nc     divisor
	planMemo       [1 << planMemoBits]atomic.Uint64 // see plans
	// amx: the level computes its larger products on the AMX tiles (amx.go).
	amx      bool
	amxCalls runtime.FreeList[amxCall]
	recipes  recipeBook // the kernel calls of small products (see recipe)
	// tallEdge is the widest last column panel that KernelTall computes
	// over packed column panels of A (see tallEdgeMax); 0: none.
	tallEdge int
}

// tallEdgeMax is the widest last column panel of a product with A packed
// in column panels that KernelTall computes, a 12-row panel at a time,
// instead of the narrow edge kernel: its e columns cost e FMAs a step
// (latency-bound below 8: a chain per column), the narrow kernel's 12.
// Paired in one process, one thread, NN 256xnx300 (A packed: n > 128),
// time against the edge kernel's: n%32 = 2: 0.966, 4: 0.960-0.963, 5:
// 0.964, 6: 0.979, 7: 0.983, 8: 0.989-0.999, 12: 1.02-1.05 (NN
// 256x300x784, 1000x300x1000); NN 1000x164x500 (4) 0.96. The bits are the
// edge kernel's (KernelTall gives Kernel's). The book's n = 100 products
// read A in place (4 panels) and keep the edge kernel: packing A for the
// tall panel made NN 256x100x300 and 1000x100x1000 slower (1.01-1.04).
const tallEdgeMax = 6

// Packing thresholds: an operand micro-panel that the microkernel reuses at
// most this many times is read in place instead of packed (when its layout
// allows: the kernel needs NR contiguous values of B). Packing copies the
// panel once; reading in place costs strided loads on each reuse.
const reuseToPack = 4

// aliasStride is the row stride, in floats (1 KiB), whose multiples map the
// rows of an operand read in place onto so few L1 sets that they evict each
// other.
const aliasStride = 256

// maxSlots bounds the workspace slots (see lazyWorkspace): shares past it
// take theirs from the free list.
const maxSlots = 64

// cacheLine is the cache line size in bytes.
const cacheLine = 64

// parallelMin is the number of multiply-adds (m*n*k) below which a product
// runs on one thread: under it the worker hand-off and the operands' trip
// to the other core cost more than the split saves. The book's batch-32
// products of about 10^6 (32x100x300 and its kin, some 25 µs) run 1.2-1.4
// times as fast on two threads; those of 3*10^4 do not.
const parallelMin = 1 << 18

// splitMin is the number of multiply-adds from which the five loops share
// a product with a row-major A between the threads along m and n (splitK,
// and a transposed A, keep parallelMin). The last layer of the book's
// model at batch 256 is just under parallelMin: alone, NN 256x10x100 ran
// 1.3 times as fast on two threads and NT 256x100x10 1.4; in the training
// step the forward took 10 µs instead of 17.5, while TN 100x10x256 (the
// weight gradient, with the update) took some 5 µs more split than on one
// thread.
const splitMin = 1 << 17

var (
	drivers [len(asmLevels)]*driver
	active  *driver
)

var asmLevels = [...]asm.Level{asm.Generic, asm.AVX2, asm.AVX512, asm.NEON, asm.AMX}

func init() {
	caches := DetectCaches()
	for _, l := range asm.Available() {
		drivers[l] = newDriver(l, caches)
	}
	active = drivers[asm.ISA()]
}

func newDriver(l asm.Level, c Caches) *driver {
	g := asm.GemmFor(l)
	d := &driver{g: g, blk: NewBlocking(l, g.MR, g.NR, c)}
	d.mr, d.nr, d.tallMR = newDivisor(g.MR), newDivisor(g.NR), newDivisor(max(1, g.TallMR))
	d.kc, d.mc, d.nc = newDivisor(d.blk.KC), newDivisor(d.blk.MC), newDivisor(d.blk.NC)
	d.workspaces.New = func() *workspace {
		return &workspace{
			apack: runtime.Alloc(g.MR * rowPanelStride(d.blk.KC)),
			tile:  make([]float32, g.MR*g.NR),
		}
	}
	d.calls.New = func() *call { return &call{d: d} }
	d.kSplits.New = func() *kSplit { return &kSplit{} }
	d.level2s.New = func() *level2Work { return &level2Work{} }
	d.amx = l == asm.AMX
	d.amxCalls.New = func() *amxCall { return &amxCall{} }
	if g.TallMR > 0 {
		d.tallEdge = min(g.TallNR, tallEdgeMax)
	}
	return d
}

// BlockingFor returns the blocking of level l (one of asm.Available()).
func BlockingFor(l asm.Level) Blocking { return drivers[l].blk }

// panelStride is the distance in floats between consecutive packed
// micro-panels of width w and depth kc, rounded up to 16 floats so that
// every panel starts 64-byte aligned.
func panelStride(kc, w int) int { return (kc*w + 15) &^ 15 }

// rowPanelStride is the distance in floats between the rows of an A
// micro-panel packed row by row: kc rounded up to a cache line, plus one
// line, so that the MR rows the kernel reads side by side fall in distinct
// L1 sets (with a stride of 2 KiB they would share two sets of a 4 KiB-way
// cache and evict each other).
func rowPanelStride(kc int) int { return (kc+15)&^15 + 16 }

// gemm computes C = alpha*op(A)*op(B) + beta*C for checked arguments with
// m, n, k > 0 and alpha != 0: directly, or as the transposed product when
// that costs less (see flip), through a scratch matrix D = alpha *
// op(B)ᵀ*op(A)ᵀ (n×m) and then C = Dᵀ + beta*C. The choice depends on the
// shape only, so the thread count does not change the bits.
func (d *driver) gemm(aT, bT bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	pl, recipes := d.recipePlan(aT, bT, m, n, k)
	if recipes {
		key := keyOf(aT, bT, m, n, k, beta, lda, ldb, ldc)
		rp, room := d.recipes.find(key)
		if rp != nil && !rp.loops {
			rp.replay(d, alpha, beta, a, b, c)
			return
		}
		if rp == nil && room {
			rec := newRecorder(key, beta, a, b, c)
			d.product(rec, pl, aT, bT, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
			if !rec.ok {
				rec.rp = &recipe{key: key, loops: true}
			}
			d.recipes.add(rec.rp)
			return
		}
	}
	d.product(nil, pl, aT, bT, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// product is gemm through the loops, on its plan pl, noting its kernel
// calls in rec when that is set (see recipe).
func (d *driver) product(rec *recorder, pl plan, aT, bT bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if pl&planFlip != 0 {
		d.flipped(rec, aT, bT, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	d.run(rec, aT, bT, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, false, pl&planTransposeA != 0)
}

// flipped computes gemm's product transposed, through the scratch D.
func (d *driver) flipped(rec *recorder, aT, bT bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	// D is padded to whole tiles, so that its edge tiles need no scratch.
	ldd := d.nr.roundUp(m)
	g := kernels{&d.g, rec}
	dt := runtime.Alloc(d.mr.roundUp(n) * ldd)
	rec.scratch(dt)
	d.run(rec, !bT, !aT, n, m, k, alpha, b, ldb, a, lda, 0, dt, ldd, true, false)
	if beta == 0 {
		g.PackT(c, ldc, dt, ldd, n, m) // c[i*ldc+j] = dt[j*ldd+i]
		runtime.Free(dt)
		return
	}
	// C = Dᵀ + beta*C: Dᵀ into E (m×n, gapless), then E += beta*C with one
	// rounding (fused on the SIMD levels; exactly C + E when beta is 1),
	// copied back to C, in one call each when C's rows have no gaps.
	e := runtime.Alloc(m * n)
	rec.scratch(e)
	g.PackT(e, n, dt, ldd, n, m)
	runtime.Free(dt)
	rows, width := m, n
	if ldc == n {
		rows, width = 1, m*n
	}
	for i := 0; i < rows; i++ {
		crow, erow := c[i*ldc:i*ldc+width], e[i*width:(i+1)*width]
		if beta == 1 {
			g.add(crow, crow, erow)
		} else {
			g.axpy(beta, crow, erow)
			g.copy(crow, erow)
		}
	}
	runtime.Free(e)
}

// run is gemm's direct product, on Aᵀ when transA (see transposesA). When
// padded, C has room for whole tiles past m and n (and beta is 0), so edge
// tiles are written whole, directly.
// It runs the five loops (loops), or, on several threads, a product whose C
// is small next to its operands as one product per depth block (splitK).
func (d *driver) run(rec *recorder, aT, bT bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, padded, transA bool) {
	threads := runtime.Threads()
	if oneThread(aT, m, n, k) {
		threads = 1
	}
	kb := d.depthBlocks(m, n, k)
	// More than two blocks are summed in splitK's tree on one thread too.
	if (threads > 1 && kb > 1 && m*n*k >= parallelMin || kb > 2) && smallC(m, n, k) {
		if rec != nil {
			rec.ok = false // splitK's trees are not replayed
		}
		d.splitK(aT, bT, m, n, k, kb, threads, alpha, a, lda, b, ldb, beta, c, ldc, padded)
		return
	}
	if transA && threads == 1 {
		// KernelTall reads B in place, whatever its transpose.
		// Aᵀ's rows a line longer than m, so that a tall tile's rows do
		// not fall into a few L1 sets (m = 2048: rows 8 KiB apart; padded,
		// NN 2048x10x100 took 0.59 of the time)
		ldat := rowPanelStride(m)
		at := runtime.Alloc(k * ldat)
		rec.scratch(at)
		kernels{&d.g, rec}.PackT(at, ldat, a, lda, m, k) // at[p*ldat+i] = a[i*lda+p]
		d.loops(rec, true, bT, m, n, k, kb, 1, alpha, at, ldat, b, ldb, beta, c, ldc, padded, 0)
		runtime.Free(at)
		return
	}
	if bT && threads == 1 && !d.packsB(m) {
		// A transposed B that a row-major one would not need packed (few
		// rows of tiles): transposed whole, in one call, and read in place,
		// instead of transposed panel by panel (32x100x10 with Bᵀ: 4% less
		// time in paired runs). On several threads the panels' packing is
		// shared; this transpose would not be.
		bt := runtime.Alloc(k * n)
		rec.scratch(bt)
		kernels{&d.g, rec}.PackT(bt, n, b, ldb, n, k) // bt[p*n+j] = b[j*ldb+p]
		d.loops(rec, aT, false, m, n, k, kb, 1, alpha, a, lda, bt, n, beta, c, ldc, padded, 0)
		runtime.Free(bt)
		return
	}
	d.loops(rec, aT, bT, m, n, k, kb, threads, alpha, a, lda, b, ldb, beta, c, ldc, padded, 0)
}

// loops runs BLIS's five loops over kb depth blocks on threads threads.
// On one thread the call's state lives on the stack and the loops run as
// the one share of a private-mode call: getting and putting back a
// recycled record took about an eighth of a 200 ns product.
func (d *driver) loops(rec *recorder, aT, bT bool, m, n, k, kb, threads int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, padded bool, slot int) {
	if threads <= 1 {
		// Fields set one by one: a composite literal was built in a
		// temporary and copied (the 480 bytes written twice; a one-tile
		// product took 0.97 of the time without the copy).
		var cl call
		cl.d, cl.aT, cl.bT, cl.m, cl.n, cl.k, cl.alpha, cl.beta = d, aT, bT, m, n, k, alpha, beta
		cl.a, cl.b, cl.c, cl.lda, cl.ldb, cl.ldc, cl.padded, cl.slot = a, b, c, lda, ldb, ldc, padded, slot
		cl.rec = rec
		cl.alone(kb)
		return
	}
	if rec != nil {
		rec.ok = false // recipes are of one-thread products
	}
	cl := d.calls.Get()
	*cl = call{d: d, aT: aT, bT: bT, m: m, n: n, k: k, alpha: alpha, beta: beta,
		a: a, b: b, c: c, lda: lda, ldb: ldb, ldc: ldc, padded: padded, slot: slot, bpack: cl.bpack, claims: cl.claims}
	splitN := cl.setup(kb, threads)
	cl.gather = cl.gathers()
	if cl.private {
		runtime.ParallelFor(cl.shares, 1, cl)
	} else {
		bk := &cl.cur
		bk.bpack = d.bpackFor(&cl.bpack, cl.kcEff, min(n, cl.ncEff))
		for pc := 0; pc < k; pc += cl.kcEff {
			for jc := 0; jc < n; jc += cl.ncEff {
				cl.setBlock(bk, pc, jc)
				bk.nChunks = 1
				if splitN {
					bk.nChunks = min(d.nr.ceil(bk.nc), ceilDiv(threads, cl.icBlocks))
				}
				// Phase 1: pack B's block, in parallel over micro-panels.
				lo, hi := cl.bPanelsToPack(bk)
				cl.packing = true
				if hi-lo > 1 {
					parallelFor(threads, hi-lo, 4, cl)
				} else {
					cl.packPanels(bk, lo, hi)
				}
				// Phase 2: the macro-kernels.
				cl.packing = false
				parallelFor(threads, cl.icBlocks*bk.nChunks, 1, cl)
			}
		}
	}
	runtime.Free(cl.ablock)
	cl.ablock, cl.cur.bpack = nil, nil
	cl.a, cl.b, cl.c = nil, nil, nil
	d.calls.Put(cl)
}

// oneThread reports whether run keeps a product to one thread whatever the
// thread count: too small to share (see splitMin and parallelMin).
func oneThread(aT bool, m, n, k int) bool {
	return m*n*k < splitMin || aT && m*n*k < parallelMin
}

// parallelFor is runtime.ParallelFor, inline when the product runs on one
// thread.
func parallelFor(threads, n, grain int, body runtime.Body) {
	if threads <= 1 {
		body.Range(0, n)
		return
	}
	runtime.ParallelFor(n, grain, body)
}

// bpackFor returns *buf, made large enough for a packed B block of kc×nc
// first: sized for the largest block the blocking allows (KC×NC), so that
// it fits any later product.
func (d *driver) bpackFor(buf *[]float32, kc, nc int) []float32 {
	nr := d.g.NR
	if need := panelStride(kc, nr) * d.nr.ceil(nc); cap(*buf) < need {
		runtime.Free(*buf)
		*buf = runtime.Alloc(panelStride(d.blk.KC, nr) * d.nr.ceil(d.blk.NC))
	}
	*buf = (*buf)[:cap(*buf)]
	return *buf
}

// pack copies a kc-deep, w-wide operand panel into dst as kc rows of w
// values, ldd apart: dst[p*ldd+x] = src[off+p*sp+x*sx] for x < valid, and 0
// for valid <= x < w (the zero padding of partial panels). One of sx and sp
// is 1 in every layout: rows are copies, or the panel is a transpose.
func (g kernels) pack(dst []float32, ldd int, src []float32, off, sp, sx, kc, w, valid int) {
	if g.rec != nil {
		g.rec.add(stepPack, 0, [][]float32{dst, src}, ldd, off, sp, sx, kc, w, valid)
	}
	switch {
	case sx == 1 && w <= 32: // micro-panel rows: asm.PackRows pads them too
		g.Gemm.PackRows(dst, ldd, src[off:], sp, kc, w, valid)
		return
	case valid < w:
		// One clear of the panel costs less than one per row.
		if ldd == w {
			clear(dst[:kc*w])
		} else {
			for p := 0; p < kc; p++ {
				clear(dst[p*ldd+valid : p*ldd+w])
			}
		}
	}
	switch {
	case sx == 1: // long rows (an A micro-panel packed row by row)
		for p := 0; p < kc; p++ {
			copy(dst[p*ldd:p*ldd+valid], src[off+p*sp:])
		}
	case sp == 1:
		g.Gemm.PackT(dst, ldd, src[off:], sx, valid, kc)
	default:
		panic("blas: internal error: panel layout with no unit stride")
	}
}

// balance is the share of t threads' time spent working when p equal
// pieces of work are dealt out to them: 1 when t divides p.
func balance(p, t int) float64 { return float64(p) / float64(t*ceilDiv(p, t)) }

// ceilDiv returns ⌈a/b⌉ for a >= 0, b > 0 (a division; see divisor for
// the fixed divisors). b is often 1 here (one block, one thread).
func ceilDiv(a, b int) int {
	if b == 1 {
		return a
	}
	return (a + b - 1) / b
}
func roundUp(a, b int) int { return ceilDiv(a, b) * b }
