package blas

import (
	"math"
	"sync/atomic"

	"github.com/nnrt/nnrt/asm"
	"github.com/nnrt/nnrt/runtime"
)

// workspace holds one thread's buffers for a product, taken from the
// driver and put back after (see lazyWorkspace).
type workspace struct {
	apack []float32 // the A micro-panel in use (MR×KC), 64-byte aligned
	tile  []float32 // KernelEdge's scratch tile (MR×NR)
	bpack []float32 // the packed B block of a private-mode share (made on first use)
	// An A micro-panel's steps that are not all zeros and their B offsets
	// (see gather; made on first use).
	gpack []float32
	goff  []int32
}

// gatherBuffers returns ws's buffers for the nonzero steps of an A
// micro-panel of depth kc.
func (ws *workspace) gatherBuffers(mr, kc int) ([]float32, []int32) {
	if len(ws.goff) < kc+asm.GatherPad {
		ws.gpack = make([]float32, mr*rowPanelStride(kc))
		ws.goff = make([]int32, kc+asm.GatherPad)
	}
	return ws.gpack, ws.goff
}

// call is one Sgemm in flight: the operands, how it is blocked and shared,
// and in shared mode the current (jc, pc) block and its packed B. It is the
// runtime.Body of the private shares and of the shared mode's two phases.
type call struct {
	d *driver

	aT, bT       bool
	m, n, k      int
	alpha, beta  float32
	a, b, c      []float32
	lda, ldb     int
	ldc          int
	packA, packB bool // pack the operand (else read it in place)
	// bEdgeInPlace: B is read in place (!packB) and so is its partial
	// last panel, which KernelEdge then reads unpadded (EdgeMasksB).
	bEdgeInPlace bool
	padded       bool // C has room for whole edge tiles (see run)
	// tallCols > 0: KernelTall computes C's last tallCols columns (see
	// tallCols), reading B in place; the tile kernels do the rest. A
	// row-major A is read transposed from aTall (see tallColsOfAT).
	tallCols int
	aTall    []float32
	ldaTall  int

	bpack        []float32 // the shared mode's packed B block (kept with the record)
	kcEff, ncEff int       // depth and width of the blocks
	mcEff        int       // rows per ic block (a multiple of MR)
	icBlocks     int
	ablock       []float32 // the depth block's packed A micro-panels, kept across column blocks (or nil)

	// Shared mode: the threads pack the current block's B together, then
	// compute its row blocks and column chunks.
	cur     block
	packing bool
	// Private mode (see loops): each of shares threads runs all blocks of
	// its own row blocks, with its own packed B.
	private bool
	shares  int
	// steal: the private shares' row blocks are claimed one at a time,
	// each share's from its front by its thread and from its back by a
	// thread done with its own (claims[t] packs front<<32 | back).
	steal  bool
	claims []atomic.Uint64
	// lend, when set on a one-thread call whose row blocks are claimed
	// (steal, see setup), lends them to other threads: once its B block
	// is packed (into bfixed, which outlives the call, rather than into
	// the workspace), share copies the block to lent and sets lend, and a
	// thread that sees it set takes blocks from the back (helpLent).
	lend   *atomic.Bool
	bfixed []float32
	lent   block
	// slot is the workspace slot of share 0 (see lazyWorkspace); share t
	// takes slot+t.
	slot int
	// gather: the whole tiles of an A micro-panel run over its steps that
	// are not all zeros (see gathers).
	gather bool
	// rec, when set, notes the kernel calls of a one-thread call (see
	// recipe).
	rec *recorder
}

// kern returns the level's kernels as the call's loops call them.
func (cl *call) kern() kernels { return kernels{&cl.d.g, cl.rec} }

// block is one (jc, pc) block of a call: the shared current one, or one
// thread's own in private mode.
type block struct {
	jc, nc, pc, kc int
	beta           float32 // beta for the first depth block, 1 after
	nChunks        int     // each ic block's nc columns split into this many NR-aligned chunks
	bpack          []float32
}

// setBlock makes bk the block of columns jc... and depths pc....
func (cl *call) setBlock(bk *block, pc, jc int) {
	bk.pc, bk.kc = pc, min(cl.kcEff, cl.k-pc)
	bk.jc, bk.nc = jc, min(cl.ncEff, cl.n-jc)
	bk.beta = cl.beta
	if pc > 0 {
		bk.beta = 1
	}
}

// packPanels packs B micro-panels [lo, hi) of bk.
func (cl *call) packPanels(bk *block, lo, hi int) {
	for q := lo; q < hi; q++ {
		cl.packBPanel(bk, q)
	}
}

// bPanelsToPack is the range of bk's B micro-panels that must be packed:
// all, or only the partial edge panel when B is read in place and the edge
// kernel needs it padded.
func (cl *call) bPanelsToPack(bk *block) (lo, hi int) {
	panels := cl.d.nr.ceil(bk.nc)
	partial := cl.d.nr.mod(bk.nc) != 0
	if cl.hasTall(bk) { // the partial panel is the tall one, read in place
		panels, partial = panels-1, false
	}
	switch {
	case cl.packB:
		return 0, panels
	case partial && !cl.bEdgeInPlace:
		return panels - 1, panels
	}
	return 0, 0
}

// hasTall reports whether block bk holds the columns KernelTall computes
// (its last micro-panel).
func (cl *call) hasTall(bk *block) bool { return cl.tallCols > 0 && bk.jc+bk.nc == cl.n }

// stealMinRows and stealMinDepth bound the products whose row blocks the
// threads claim (see setup).
const (
	stealMinRows  = 256
	stealMinDepth = 64
)

// setup chooses, for the call's product on threads threads, what to pack,
// the blocks, and how the threads share them (private mode, or shared with
// the columns split too: splitN).
func (cl *call) setup(kb, threads int) (splitN bool) {
	d := cl.d
	m, n, k := cl.m, cl.n, cl.k
	nr := d.g.NR
	blk := &d.blk
	// A micro-panel is reused once per NR columns, a B micro-panel once per
	// MR rows.
	cl.packB = cl.bT || d.packsB(m)
	cl.bEdgeInPlace = !cl.packB && d.g.EdgeMasksB
	cl.aTall = nil
	if cl.ldc <= math.MaxInt32/15 { // KernelTall's scatter offsets fit
		cl.tallCols = d.tallCols(cl.aT, m, n, k)
		// (not on a call that lends its row blocks: its transpose is freed
		// when the call returns, which may be before its helpers do)
		if cl.tallCols == 0 && !cl.aT && threads == 1 && cl.lend == nil {
			if cl.tallCols = d.tallColsOfAT(m, n, k); cl.tallCols > 0 {
				cl.ldaTall = rowPanelStride(m)
				cl.aTall = runtime.Alloc(k * cl.ldaTall)
				cl.rec.scratch(cl.aTall)
				cl.kern().PackT(cl.aTall, cl.ldaTall, cl.a, cl.lda, m, k) // aTall[p*ldaTall+i] = a[i*lda+p]
			}
		}
	}

	// Equal blocks (rounded to the tile) rather than full blocks and a short
	// remainder: better balance across threads, same cache footprint.
	kcEff := ceilDiv(k, kb)
	// A transposed A micro-panel read in place is MR contiguous values per
	// step, as packed, but kc steps lda apart, a cache line or two each:
	// packing pays when that stride folds the panel onto a few L1 sets, or
	// when the panel's lines and a B micro-panel fill more than half of L1
	// (784x300x256 with Xᵀ: 11% faster packed, at depth 256; at depth 32
	// the same either way).
	cl.packA = d.nr.ceil(n-cl.tallCols) > reuseToPack &&
		(!cl.aT || cl.lda%aliasStride == 0 || kcEff*(cacheLine+4*nr) > blk.Caches.L1D/2)
	nBlocks := d.nc.ceil(n)
	ncEff := d.nr.roundUp(ceilDiv(n, nBlocks))
	// The work of a (jc, pc) block is split into icBlocks row blocks times
	// nChunks column chunks. Rows first, unless that balances the threads
	// badly and columns better: a column chunk repacks the A micro-panels
	// its row block shares with the other chunks, and row blocks are
	// contiguous in C, which a weight update writes (column chunks would
	// interleave the threads' parts of every row). The split only moves
	// work between threads: no result depends on it.
	icBlocks := d.mc.ceil(m)
	if threads > 1 && icBlocks >= threads {
		// Whole row blocks per thread: 3 blocks on 2 threads would give
		// one thread twice the work of the other.
		icBlocks = roundUp(icBlocks, threads)
	}
	if threads > 1 && icBlocks < threads {
		if bm := balance(d.mr.ceil(m), threads); bm >= 0.8 || bm >= balance(d.nr.ceil(min(n, ncEff)), threads) {
			icBlocks = min(d.mr.ceil(m), threads)
		} else {
			splitN = true
		}
	}
	cl.mcEff = d.mr.roundUp(ceilDiv(m, icBlocks))
	cl.icBlocks = ceilDiv(m, cl.mcEff)
	cl.kcEff, cl.ncEff = kcEff, ncEff
	// Rows alone split into fewer blocks than threads (whole tiles: 256
	// rows on 16 threads are 11 blocks of 24): one thread a block, in
	// private mode, rather than every thread in shared mode, where each
	// would read B's panels from the cores that packed them. 16 threads,
	// NT 256x300x100 and NN 256x100x300: 194-227 GFLOPS (12 and 16
	// threads, shared) against 330-399 (8 threads, private).
	if threads > 1 && !splitN && cl.icBlocks < threads {
		threads = cl.icBlocks
	}
	// Private mode when the threads split the rows only: each thread packs
	// its own copy of B and runs every block of its rows, with no barrier
	// between blocks, and reads only the packed B in its own core's cache
	// (shared, each core packs half of B and reads the other half from the
	// other core). Packing B once per thread costs about 8*threads/m of
	// the product (a cycle for 4 elements against 32 multiply-adds a cycle
	// on each of m/threads rows).
	cl.private = threads == 1 || !splitN
	cl.shares = threads
	// Row blocks are claimed rather than dealt when a private-mode product
	// is one (depth, column) block with enough rows and depth: this host's
	// cores run at unequal speeds that change from call to call (one
	// share of 784x300x256 takes 0.78-1.31 of the other's time), and with
	// blocks of 2*MR rows claimed one at a time, each thread from the
	// front of its own share and then from the back of the others', the
	// faster core takes over the slower one's tail. Paired two-thread
	// batch-256 steps: 2-10% faster. Shallow products (the batch-32
	// weight gradients, depth 32) lost more to the finer blocks than they
	// gained (that step 4-7% slower), so they keep whole shares. Which
	// thread computes a block does not change its bits.
	//
	// A one-thread call with lend set (a depth block of splitK) has its
	// row blocks claimed in the same way, by its own thread from the
	// front and by threads done with their own blocks from the back (see
	// lend); one that cannot lend them clears lend.
	cl.steal = (threads > 1 || cl.lend != nil) && cl.private && kcEff >= k && ncEff >= n && m >= stealMinRows && k >= stealMinDepth
	if !cl.steal || threads > 1 {
		cl.lend = nil
	}
	if cl.steal {
		cl.mcEff = 2 * d.g.MR
		cl.icBlocks = ceilDiv(m, cl.mcEff)
		if len(cl.claims) < threads {
			cl.claims = make([]atomic.Uint64, threads)
		}
		for t := 0; t < threads; t++ {
			b0, b1 := t*cl.icBlocks/threads, (t+1)*cl.icBlocks/threads
			cl.claims[t].Store(uint64(b0)<<32 | uint64(b1))
		}
	}
	// With more than one column block, the packed A micro-panels of a depth
	// block are kept for the column blocks after the first (depth blocks
	// outermost), rather than packed again for each: A is packed once.
	// Column chunks of one row block would pack the same panels at once, so
	// not with splitN.
	cl.ablock = nil
	if cl.packA && ncEff < n && !splitN {
		cl.ablock = runtime.Alloc(d.mr.roundUp(m) * rowPanelStride(kcEff))
		cl.rec.scratch(cl.ablock)
	}
	return splitN
}

// Range runs, in private mode, the shares [lo, hi) of the row blocks;
// else B micro-panels [lo, hi) of the current block's packing phase
// (counted from its first panel to pack), or work items [lo, hi) of its
// compute phase (item = icBlock*nChunks + chunk).
func (cl *call) Range(lo, hi int) {
	if cl.private {
		for t := lo; t < hi; t++ {
			cl.share(t)
		}
		return
	}
	bk := &cl.cur
	if cl.packing {
		q0, _ := cl.bPanelsToPack(bk)
		cl.packPanels(bk, q0+lo, q0+hi)
		return
	}
	ws := lazyWorkspace{d: cl.d, slot: -1}
	for it := lo; it < hi; it++ {
		cl.macro(&ws, bk, it/bk.nChunks, it%bk.nChunks)
	}
	ws.release()
}

// lazyWorkspace is a worker's workspace, taken on first use: a small
// product that packs nothing and writes its edge tiles with masks needs
// none, and taking one and putting it back costs two atomic operations, a
// tenth of such a product's fixed cost.
//
// It comes from the driver's slot for the share's place in its
// ParallelFor (slot t: chunk t, which runtime gives the caller for t = 0
// and its first idle worker for t = 1, and so on), when that slot holds
// one, else from the free list. A workspace then tends to stay with one
// thread, so that its packing buffers are written where they were last
// written: taken at random from the list, a two-thread product's worker
// often got the buffers the caller had just filled, and fetched them
// from the other core before it could pack (NN 32x100x300 on two
// threads: the worker's half took 14.5 µs, the caller's 10.6; with the
// slots, 11 and 10.2). Paired, two threads: the book's batch-32 layer-2
// products 0.87-0.95 of the time, the batch-256 layer-1 ones 0.96-0.99,
// training steps 0.97-1.0.
type lazyWorkspace struct {
	d    *driver
	ws   *workspace
	slot int       // -1: none
	rec  *recorder // notes the buffers it hands out (see recipe)
}

func (l *lazyWorkspace) get() *workspace {
	if l.ws == nil {
		if uint(l.slot) < uint(len(l.d.slots)) {
			l.ws = l.d.slots[l.slot].Swap(nil)
		}
		if l.ws == nil {
			l.ws = l.d.workspaces.Get()
		}
		l.rec.scratch(l.ws.apack)
		l.rec.scratch(l.ws.tile)
	}
	return l.ws
}

func (l *lazyWorkspace) release() {
	if l.ws != nil {
		if uint(l.slot) >= uint(len(l.d.slots)) || !l.d.slots[l.slot].CompareAndSwap(nil, l.ws) {
			l.d.workspaces.Put(l.ws)
		}
		l.ws = nil
	}
}

// share runs share t of a private-mode call: every block of row blocks
// [t*icBlocks/shares, (t+1)*icBlocks/shares), in the shared mode's order,
// packing B into the workspace's own buffer. When the row blocks are
// claimed (steal, one block of B), it runs those it claims, its own first.
func (cl *call) share(t int) {
	ws := lazyWorkspace{d: cl.d, slot: cl.slot + t, rec: cl.rec}
	bk := block{nChunks: 1}
	if cl.steal {
		cl.setBlock(&bk, 0, 0)
		if lo, hi := cl.bPanelsToPack(&bk); hi > lo {
			if bk.bpack = cl.bfixed; bk.bpack == nil {
				bk.bpack = cl.d.bpackFor(&ws.get().bpack, cl.kcEff, min(cl.n, cl.ncEff))
			}
			cl.packPanels(&bk, lo, hi)
		}
		if cl.lend != nil {
			cl.lent = bk
			cl.lend.Store(true)
		}
		workShares(cl.claims[:cl.shares], t, t+1, true, func(_, icb int) { cl.macro(&ws, &bk, icb, 0) })
		ws.release()
		return
	}
	b0, b1 := 0, cl.icBlocks
	if cl.shares > 1 {
		b0, b1 = t*cl.icBlocks/cl.shares, (t+1)*cl.icBlocks/cl.shares
	}
	for pc := 0; pc < cl.k; pc += cl.kcEff {
		for jc := 0; jc < cl.n; jc += cl.ncEff {
			cl.setBlock(&bk, pc, jc)
			if lo, hi := cl.bPanelsToPack(&bk); hi > lo {
				if bk.bpack == nil {
					bk.bpack = cl.d.bpackFor(&ws.get().bpack, cl.kcEff, min(cl.n, cl.ncEff))
					cl.rec.scratch(bk.bpack)
				}
				cl.packPanels(&bk, lo, hi)
			}
			for icb := b0; icb < b1; icb++ {
				cl.macro(&ws, &bk, icb, 0)
			}
		}
	}
	ws.release()
}

// workShares runs do(share, block) on blocks it claims from claims (a
// share's blocks a word, see claimBlock): those of shares [lo, hi) from
// their fronts, then, when help, the other shares' from their backs, as
// long as any are left. (Leaving the last two to their own thread, for
// the trip a block's operands make to the helper's core, did not pay: the
// book's model at batch 256, two threads, with the sparse dW's groups and
// the byte panels taken to the last, steps were 1-3% faster, medians of
// 215 alternated pairs of five steps, four runs each.)
func workShares(claims []atomic.Uint64, lo, hi int, help bool, do func(share, block int)) {
	for t := lo; t < hi; t++ {
		if testHooks.lending != nil {
			testHooks.lending(t)
		}
		for {
			b, ok := claimBlock(&claims[t], true, 1)
			if !ok {
				break
			}
			do(t, b)
		}
	}
	if !help {
		return
	}
	for u := range claims {
		if lo <= u && u < hi {
			continue
		}
		for {
			b, ok := claimBlock(&claims[u], false, 1)
			if !ok {
				break
			}
			if testHooks.helped != nil {
				testHooks.helped()
			}
			do(u, b)
		}
	}
}

// claimBlock takes a block of the share whose unclaimed blocks c holds
// (front<<32 | back): its first (own) or its last, as long as at least
// least are left.
func claimBlock(c *atomic.Uint64, own bool, least uint64) (int, bool) {
	for {
		v := c.Load()
		f, b := v>>32, v&(1<<32-1)
		if f+least > b {
			return 0, false
		}
		if own {
			if c.CompareAndSwap(v, (f+1)<<32|b) {
				return int(f), true
			}
		} else if c.CompareAndSwap(v, f<<32|(b-1)) {
			return int(b - 1), true
		}
	}
}

// alone runs the call's kb depth blocks on the calling thread, as the one
// share of a private-mode call (lending its row blocks when lend is set:
// then other threads may still be reading the call when it returns).
func (cl *call) alone(kb int) {
	cl.setup(kb, 1)
	cl.gather = cl.gathers()
	cl.share(0)
	runtime.Free(cl.ablock)
	runtime.Free(cl.aTall)
}

// helpLent computes, on the calling thread (workspace slot slot), the last
// row blocks of a call its own thread lent (see lend), from the back, as
// long as there are any: the first one only while lendMinLeft are left,
// since the first costs this thread the trip of the whole packed B block
// from the other core.
func (cl *call) helpLent(slot int) {
	ws := lazyWorkspace{d: cl.d, slot: slot}
	bk := cl.lent
	for least := uint64(lendMinLeft); ; least = 1 {
		icb, ok := claimBlock(&cl.claims[0], false, least)
		if !ok {
			break
		}
		if testHooks.helped != nil {
			testHooks.helped()
		}
		cl.macro(&ws, &bk, icb, 0)
	}
	ws.release()
}

// lendMinLeft is how many row blocks a lent call must have left for a
// helper to take its first (after which it has the packed B block).
const lendMinLeft = 3

// testHooks, set by tests only, hold up a thread where others may take
// over its blocks, and count the blocks taken over.
var testHooks struct {
	lending func(share int) // share is about to compute its blocks (workShares)
	helped  func()          // a thread took over a block of another's
}

// packBPanel packs micro-panel q (columns jc+q*NR ...) of B block bk,
// zero-padding columns past n.
func (cl *call) packBPanel(bk *block, q int) {
	nr := cl.d.g.NR
	j0 := bk.jc + q*nr
	dst := bk.bpack[q*panelStride(bk.kc, nr):]
	if cl.bT { // op(B)(p, j) = b[j*ldb+p]
		cl.kern().pack(dst, nr, cl.b, j0*cl.ldb+bk.pc, 1, cl.ldb, bk.kc, nr, min(nr, cl.n-j0))
	} else { // op(B)(p, j) = b[p*ldb+j]
		cl.kern().pack(dst, nr, cl.b, bk.pc*cl.ldb+j0, cl.ldb, 1, bk.kc, nr, min(nr, cl.n-j0))
	}
}

// packAPanel packs the A micro-panel of rows i0... (zero rows past m) of the
// current depth block into dst and returns its strides: column panels
// (rsa = MR, csa = 1) or, for a row-major A and a kernel that takes them,
// row panels (rsa = 1, csa = kc), which are plain copies.
func (cl *call) packAPanel(bk *block, dst []float32, i0 int) (rsa, csa int) {
	g := cl.kern()
	valid := min(g.MR, cl.m-i0)
	rsa, csa = cl.aPanelStrides(bk)
	switch {
	case cl.aT: // op(A)(i, p) = a[p*lda+i]
		g.pack(dst, g.MR, cl.a, bk.pc*cl.lda+i0, cl.lda, 1, bk.kc, g.MR, valid)
	case csa > 1: // row panels: rows of kc values, then zero rows
		g.pack(dst, csa, cl.a, i0*cl.lda+bk.pc, cl.lda, 1, valid, bk.kc, bk.kc)
		for x := valid; x < g.MR; x++ {
			g.clear(dst[x*csa : x*csa+bk.kc])
		}
	default:
		g.pack(dst, g.MR, cl.a, i0*cl.lda+bk.pc, 1, cl.lda, bk.kc, g.MR, valid)
	}
	return rsa, csa
}

// aPanelStrides returns the strides of the current depth block's packed A
// micro-panels: row panels (rsa = 1, csa = kc rounded, see rowPanelStride)
// for a row-major A on a kernel that takes them or in a call that gathers
// (NonzeroSteps reads row panels), else column panels (rsa = MR, csa = 1).
func (cl *call) aPanelStrides(bk *block) (rsa, csa int) {
	if !cl.aT && (cl.d.g.RowPanels || cl.gather) {
		return 1, rowPanelStride(bk.kc)
	}
	return cl.d.g.MR, 1
}

// aInPlace returns the A micro-panel of rows i0... of the current depth
// block read in place (all MR rows must be inside A).
func (cl *call) aInPlace(bk *block, i0 int) (a []float32, rsa, csa int) {
	if cl.aT {
		return cl.a[bk.pc*cl.lda+i0:], cl.lda, 1
	}
	return cl.a[i0*cl.lda+bk.pc:], 1, cl.lda
}

// bView returns B micro-panel q of the current block: packed, or in place.
func (cl *call) bView(bk *block, q int) (b []float32, rsb int) {
	nr := cl.d.g.NR
	j0 := bk.jc + q*nr
	if !cl.packB && (j0+nr <= cl.n || cl.bEdgeInPlace) {
		return cl.b[bk.pc*cl.ldb+j0:], cl.ldb
	}
	return bk.bpack[q*panelStride(bk.kc, nr):], nr
}

// macro computes chunk ch of ic block icb of the current (jc, pc) block.
func (cl *call) macro(ws *lazyWorkspace, bk *block, icb, ch int) {
	g := cl.kern()
	mr, nr := g.MR, g.NR
	i0 := icb * cl.mcEff
	i1 := min(cl.m, i0+cl.mcEff)
	panels := cl.d.nr.ceil(bk.nc)
	qlo, qhi := 0, panels
	if bk.nChunks > 1 {
		qlo, qhi = ch*panels/bk.nChunks, (ch+1)*panels/bk.nChunks
	}
	tall := qhi == panels && cl.hasTall(bk)
	if tall {
		qhi--
	}
	qw := max(qlo, min(qhi, cl.d.nr.div(cl.n-bk.jc))) // panels of NR columns inside B and C
	for i := i0; i < i1 && qlo < qhi; i += mr {
		if i+mr > cl.m && cl.shiftsLastTile(bk, i0, qw < qhi) {
			i = cl.m - mr
		}
		rows := min(mr, cl.m-i)
		q := qlo
		var ap []float32
		var rsa, csa int
		lazy := false   // see the gathering case
		packed := false // this panel packed from A, and so the next one
		switch {
		case cl.ablock != nil:
			size := mr * rowPanelStride(bk.kc)
			ap = cl.ablock[cl.d.mr.div(i)*size : (cl.d.mr.div(i)+1)*size]
			if bk.jc == 0 {
				rsa, csa = cl.packAPanel(bk, ap, i)
				packed = true
			} else {
				rsa, csa = cl.aPanelStrides(bk)
			}
		// A row of whole tiles that may gather: NonzeroSteps reads A in
		// place, and its copy serves the tiles; the panel is packed only
		// if they do not gather (lazily, below).
		case cl.gather && rows == mr && qw > q && !cl.aT:
			ap, rsa, csa = cl.aInPlace(bk, i)
			lazy = cl.packA
		// A read in place must have MR rows, unless only KernelRows
		// reads it (no edge tile in this row).
		case cl.packA || rows < mr && !(g.PartialRows && qw == qhi):
			ap = ws.get().apack
			rsa, csa = cl.packAPanel(bk, ap, i)
			packed = cl.packA
		default:
			ap, rsa, csa = cl.aInPlace(bk, i)
		}
		if qw > q && (rows == mr || cl.padded || g.PartialRows) {
			// The whole tiles of this row of C, in one call: of its rows
			// only where the level computes partial rows (a padded C's
			// padding rows are left unwritten), else of MR rows.
			bp, rsb := cl.bView(bk, q)
			bstep := nr
			if rsb == nr { // packed panels
				bstep = panelStride(bk.kc, nr)
			}
			ct := cl.c[i*cl.ldc+bk.jc+q*nr:]
			var kept int
			var gp []float32
			var off []int32
			ldg := rowPanelStride(bk.kc)
			if cl.gather && rows == mr && rsa == 1 {
				gp, off = ws.get().gatherBuffers(mr, bk.kc)
				kept = g.NonzeroSteps(gp, ldg, off, ap, csa, mr, bk.kc, rsb)
			}
			gathered := gp != nil && kept <= int(gatherMaxDensity*float64(bk.kc))
			if !gathered && lazy {
				ap = ws.get().apack
				rsa, csa = cl.packAPanel(bk, ap, i)
			}
			if gathered {
				if testGathered != nil {
					testGathered(kept, bk.kc)
				}
				g.KernelGather(kept, cl.alpha, gp, 1, ldg, bp, off, bstep, bk.beta, ct, cl.ldc, qw-q)
			} else if rows < mr && g.PartialRows {
				g.KernelRows(bk.kc, cl.alpha, ap, rsa, csa, bp, rsb, bstep, bk.beta, ct, cl.ldc, qw-q, rows)
			} else if next := min(i1, cl.m) - (i + mr); packed && next > 0 && !cl.aT && !prefetchOff {
				// The next panel's rows of A, packed after this one:
				// prefetched while its tiles run (see KernelRowPrefetch).
				if testPrefetched != nil {
					testPrefetched()
				}
				g.KernelRowPrefetch(bk.kc, cl.alpha, ap, rsa, csa, bp, rsb, bstep, bk.beta, ct, cl.ldc, qw-q,
					cl.a[(i+mr)*cl.lda+bk.pc:], cl.lda, min(mr, next), bk.kc)
			} else {
				g.KernelRow(bk.kc, cl.alpha, ap, rsa, csa, bp, rsb, bstep, bk.beta, ct, cl.ldc, qw-q)
			}
			q = qw
		}
		for ; q < qhi; q++ {
			j0 := bk.jc + q*nr
			bp, rsb := cl.bView(bk, q)
			w := cl.tileWidth(bk, q)
			ct := cl.c[i*cl.ldc+j0:]
			switch {
			// The last few columns over a packed column panel: KernelTall
			// reads it as a transposed A (lda = MR) and costs those
			// columns a step, where the narrow kernel costs 16 (see
			// tallEdge).
			case j0+w > cl.n && cl.n-j0 <= cl.d.tallEdge && rsa == mr && csa == 1 && cl.ldc <= math.MaxInt32/15:
				if testTallEdge != nil {
					testTallEdge()
				}
				g.KernelTall(bk.kc, cl.alpha, ap, mr, bp, rsb, 1, bk.beta, ct, cl.ldc, min(mr, cl.m-i), cl.n-j0)
			case !cl.padded && (i+mr > cl.m || j0+w > cl.n), // cut by C's edges
				cl.bEdgeInPlace && j0+w > cl.n: // or by B's (which KernelEdge reads unpadded)
				var scratch []float32 // KernelEdge's, on levels that do not mask (see EdgeDirect)
				if !g.EdgeDirect {
					scratch = ws.get().tile
				}
				g.KernelEdge(bk.kc, cl.alpha, ap, rsa, csa, bp, rsb, bk.beta, ct, cl.ldc, min(mr, cl.m-i), min(w, cl.n-j0), scratch)
			case w < nr:
				g.KernelNarrow(bk.kc, cl.alpha, ap, rsa, csa, bp, rsb, bk.beta, ct, cl.ldc)
			default:
				g.Kernel(bk.kc, cl.alpha, ap, rsa, csa, bp, rsb, bk.beta, ct, cl.ldc)
			}
		}
	}
	if tall {
		cl.tall(bk, i0, i1)
	}
}

// Gathered steps. Where an A micro-panel (MR rows) has steps at which all
// its rows are zero (a batch of images with a blank background, one-hot
// features), its whole tiles run over the other steps only
// (asm.NonzeroSteps, then asm.KernelGather on the rows of B they use)
// when they are at most gatherMaxDensity of the depth block: KernelGather
// costs up to 1.1 times KernelRow a step, and finding the steps a few
// percent of the tiles. A multiply-add of 0 by a finite b leaves a sum's
// bits as they were, so the product's bits are those of the full panels,
// whatever the panel's choice; a B with a NaN or an infinity (0·Inf is
// NaN) keeps the full panels. The product must be large enough
// (gatherMinWork multiply-adds) for the look at three of its panels and
// the check of B to be paid back.
const (
	gatherMaxDensity = 0.9
	gatherMinWork    = 1 << 21
)

// Test hooks: gatherOff turns the gathered steps off; testGathered, when
// set, is told of each micro-panel that runs them; testTallEdge of each
// tile of the tall edge (see tallEdge).
var (
	prefetchOff    bool   // KernelRow where the driver would prefetch the next panel
	testPrefetched func() // told of each row of tiles that prefetches the next panel
	gatherOff      bool
	testGathered   func(kept, kc int)
	testTallEdge   func()
)

// gathers reports whether the call's whole tiles may run over their A
// micro-panels' nonzero steps: the level has KernelGather, A is
// row-major (read in place, or packed by rows: see aPanelStrides), one
// of three micro-panels' steps in the first depth block are at most
// gatherMaxDensity nonzero, and B is finite.
func (cl *call) gathers() bool {
	d := cl.d
	g := d.g
	if gatherOff || !g.Gather || cl.aT || cl.m < g.MR || cl.n < g.NR || cl.m*cl.n*cl.k < gatherMinWork {
		return false
	}
	kc := min(cl.k, cl.kcEff)
	ws := d.workspaces.Get()
	gp, off := ws.gatherBuffers(g.MR, kc)
	sparse := false
	// three micro-panels: the rows of a batch may come in an order
	for _, i := range [...]int{0, (cl.m - g.MR) / 2, cl.m - g.MR} {
		if g.NonzeroSteps(gp, kc, off, cl.a[i*cl.lda:], cl.lda, g.MR, kc, 1) <= int(gatherMaxDensity*float64(kc)) {
			sparse = true
			break
		}
	}
	d.workspaces.Put(ws)
	return sparse && finite(cl.bT, cl.k, cl.n, cl.b, cl.ldb)
}

// finite reports whether op(B), k×n, holds no NaN and no infinity (or
// sums of its rows overflow, which only keeps the full panels).
func finite(bT bool, k, n int, b []float32, ldb int) bool {
	rows, cols := k, n
	if bT {
		rows, cols = n, k
	}
	if ldb == cols {
		rows, cols = 1, rows*cols
	}
	for r := 0; r < rows; r++ {
		if s := asm.Sum(b[r*ldb : r*ldb+cols]); s-s != 0 {
			return false
		}
	}
	return true
}

// shiftsLastTile reports whether the row block from i0 computes its last,
// partial row of tiles as the whole one that ends at C's last row, rather
// than over a zero-padded A micro-panel: one KernelRow call instead of a
// KernelEdge call per tile, and whole stores. Its A panel is read in
// place or packed from those MR rows; the rows it shares with the tile
// before are written again with the same bits, by the same thread. That
// takes beta = 0 (C not read, so writing a row twice changes nothing), at
// least MR rows in the block, and A panels packed per tile (kept panels,
// cl.ablock, sit at multiples of MR). A padded C (a flipped product's D)
// leaves its padding rows unwritten, which nothing reads. Before the
// partial-row kernels it made 32x100x300 (flipped) 2% faster, and avx2
// NT 32x100x10 (packed A) 5%.
//
// Levels with PartialRows compute the partial row's rows alone
// (KernelRows), which costs less, and shift only where that would pack an
// A read in place for the row's edge tiles (edges), which read MR rows of
// it: NT 32x100x10, 3% less time shifted.
func (cl *call) shiftsLastTile(bk *block, i0 int, edges bool) bool {
	if bk.beta != 0 || cl.ablock != nil || cl.m-cl.d.g.MR < i0 {
		return false
	}
	return !cl.d.g.PartialRows || !cl.packA && edges
}

// tall computes rows [i0, i1) of the columns KernelTall computes, of
// the current depth block, in one call; A and B are read in place.
func (cl *call) tall(bk *block, i0, i1 int) {
	g := cl.kern()
	j0 := cl.n - cl.tallCols
	var b []float32
	var rsb, csb int
	if cl.bT { // op(B)(p, j) = b[j*ldb+p]
		b, rsb, csb = cl.b[j0*cl.ldb+bk.pc:], 1, cl.ldb
	} else { // b[p*ldb+j]
		b, rsb, csb = cl.b[bk.pc*cl.ldb+j0:], cl.ldb, 1
	}
	a, lda := cl.a, cl.lda
	if cl.aTall != nil {
		a, lda = cl.aTall, cl.ldaTall
	}
	g.KernelTall(bk.kc, cl.alpha, a[bk.pc*lda+i0:], lda, b, rsb, csb, bk.beta,
		cl.c[i0*cl.ldc+j0:], cl.ldc, i1-i0, cl.tallCols)
}

// tileWidth is the width of the kernel that computes column panel q: the
// last panel, when it is at most NarrowNR wide, takes the narrow kernel,
// which gives the same bits in those columns for a fraction of the work.
func (cl *call) tileWidth(bk *block, q int) int {
	g := cl.d.g
	if cl.n-(bk.jc+q*g.NR) <= g.NarrowNR {
		return g.NarrowNR
	}
	return g.NR
}
