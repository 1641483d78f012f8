package blas

import (
	"math"
	"math/bits"
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
}

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

type workspace struct {
	apack []float32 // the A micro-panel in use (MR×KC), 64-byte aligned
	tile  []float32 // KernelEdge's scratch tile (MR×NR)
	bpack []float32 // the packed B block of a private-mode share (made on first use)
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
	// tallCols), reading B in place; the tile kernels do the rest.
	tallCols int

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
	// slot is the workspace slot of share 0 (see lazyWorkspace); share t
	// takes slot+t.
	slot int
}

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

// gemm computes C = alpha*op(A)*op(B) + beta*C for checked arguments with
// m, n, k > 0 and alpha != 0: directly, or as the transposed product when
// that costs less (see flip), through a scratch matrix D = alpha *
// op(B)ᵀ*op(A)ᵀ (n×m) and then C = Dᵀ + beta*C. The choice depends on the
// shape only, so the thread count does not change the bits.
func (d *driver) gemm(aT, bT bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	pl := d.plans(aT, bT, m, n, k)
	if pl&planFlip != 0 {
		d.flipped(aT, bT, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	d.run(aT, bT, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, false, pl&planTransposeA != 0)
}

// flipped computes gemm's product transposed, through the scratch D.
func (d *driver) flipped(aT, bT bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	// D is padded to whole tiles, so that its edge tiles need no scratch.
	ldd := d.nr.roundUp(m)
	dt := runtime.Alloc(d.mr.roundUp(n) * ldd)
	d.run(!bT, !aT, n, m, k, alpha, b, ldb, a, lda, 0, dt, ldd, true, false)
	if beta == 0 {
		d.g.PackT(c, ldc, dt, ldd, n, m) // c[i*ldc+j] = dt[j*ldd+i]
		runtime.Free(dt)
		return
	}
	// C = Dᵀ + beta*C: Dᵀ into E (m×n, gapless), then E += beta*C with one
	// rounding (fused on the SIMD levels; exactly C + E when beta is 1),
	// copied back to C, in one call each when C's rows have no gaps.
	e := runtime.Alloc(m * n)
	d.g.PackT(e, n, dt, ldd, n, m)
	runtime.Free(dt)
	rows, width := m, n
	if ldc == n {
		rows, width = 1, m*n
	}
	for i := 0; i < rows; i++ {
		crow, erow := c[i*ldc:i*ldc+width], e[i*width:(i+1)*width]
		if beta == 1 {
			asm.Add(crow, crow, erow)
		} else {
			asm.Axpy(beta, crow, erow)
			copy(crow, erow)
		}
	}
	runtime.Free(e)
}

// Cost model of flip, in multiply-adds of the microkernel (a core does
// about 32 a cycle on avx512, so 100 cycles are some 3000):
//   - a tile costs its k*MR*NR multiply-adds plus tileOverhead*MR*NR for
//     the call, the zeroing and the load and store of C (partial tiles are
//     computed whole);
//   - the last column panel, when the narrow kernel computes it, costs
//     narrowWeight of a whole one: the narrow kernel loads a broadcast of A
//     for each vector FMA where the wide one loads it for two, so it is
//     bound by loads at about 13/24 of the wide kernel's time;
//   - an edge tile of a direct product costs edgeOverhead*MR*NR more on a
//     level whose edge kernel reads a padded B: through a scratch tile
//     that it merges into C, or (avx2) with masked stores of C, which
//     kept the flip of TN 100x10x32 1.3 times as fast as the direct
//     product (the flipped product writes its padded scratch D directly;
//     the avx512 edge kernels read B and write C with masks);
//   - a B read in place (the direct product of a short A, see loops) costs
//     bInPlaceWeight per element and row of tiles: its rows, ldb apart,
//     come from L2 once per row of tiles, about a cycle a cache line,
//     which the FMAs do not hide as they do for packed panels;
//   - each element transposed while packing or merging costs
//     transposeWeight (PackT moves about 7 G elements/s on a core that does
//     about 60 G multiply-adds/s; the strided reads of larger operands,
//     which miss L1, make it more).
//
// The weights were fitted to the book model's nine products at batch 32
// and 256 (configurations timed interleaved in one process); the flipped
// product must win by 10%.
const (
	tileOverhead    = 8
	edgeOverhead    = 4
	transposeWeight = 12
	narrowWeight    = 0.54
	bInPlaceWeight  = 2
	tallOverhead    = 16
	// aTransposeWeight is transposeWeight for an A that fits in L1 (see
	// transposesA), fitted to its paired runs.
	aTransposeWeight = 5
)

// plan is the shape's choice of gemm's paths (see plan).
type plan uint8

const (
	planFlip       plan = 1 << iota // the transposed product (flip)
	planTransposeA                  // the direct product on Aᵀ (transposesA)
)

// plan chooses gemm's paths for a shape: flipped, or direct and then
// whether on Aᵀ.
func (d *driver) plan(aT, bT bool, m, n, k int) plan {
	switch {
	case d.flip(aT, bT, m, n, k):
		return planFlip
	case d.transposesA(aT, m, n, k):
		return planTransposeA
	}
	return 0
}

// plans is plan through a cache of its recent answers: a training step
// asks about the same few shapes again and again, and the cost model takes
// some 30-60 ns, a sixth of the fixed cost of a small product. An entry
// holds the shape (m, n, k < 2^19 and the transposes), whether it is set,
// and the plan; entries are single atomic words, so concurrent callers
// see either an old entry or a new one, never a mix.
func (d *driver) plans(aT, bT bool, m, n, k int) plan {
	if m >= 1<<19 || n >= 1<<19 || k >= 1<<19 {
		return d.plan(aT, bT, m, n, k)
	}
	key := uint64(m) | uint64(n)<<19 | uint64(k)<<38 | 1<<59
	if aT {
		key |= 1 << 57
	}
	if bT {
		key |= 1 << 58
	}
	slot := &d.planMemo[(key*0x9E3779B97F4A7C15)>>(64-planMemoBits)]
	if e := slot.Load(); e&(1<<60-1) == key {
		return plan(e >> 60)
	}
	pl := d.plan(aT, bT, m, n, k)
	slot.Store(key | uint64(pl)<<60)
	return pl
}

// planMemoBits sets the size of the cache of plans (2^planMemoBits entries).
const planMemoBits = 6

// flip reports whether the transposed product Cᵀ = op(B)ᵀ*op(A)ᵀ is the
// cheaper one. Directly, op(B) = Bᵀ must be transposed into B's panels
// (or, for a narrow product, A: see transposesA); flipped, a row-major A
// must be, and so must the result D.
func (d *driver) flip(aT, bT bool, m, n, k int) bool {
	direct := d.directCost(aT, bT, m, n, k)
	if d.transposesA(aT, m, n, k) {
		direct = d.transposedACost(m, n, k)
	}
	flipped := d.tilesCost(n, m, k) + transposeWeight*float64(m*n)
	if e := d.tallCols(!bT, n, m, k); e > 0 {
		flipped += d.tallCost(n, e, k) - d.edgePanelCost(n, e, k)
	}
	if !aT {
		flipped += transposeWeight * float64(m*k)
	}
	return flipped < 0.9*direct
}

// tilesCost is the cost (see flip) of the tiles of an m×n product of depth k.
func (d *driver) tilesCost(m, n, k int) float64 {
	g := d.g
	panels := float64(d.nr.div(n))
	if e := d.nr.mod(n); e > 0 && e <= g.NarrowNR && g.NarrowNR < g.NR {
		panels += narrowWeight
	} else if e > 0 {
		panels++
	}
	// A partial row panel counts whole, even on levels with partial-row
	// kernels: counted by its rows, a product of a few rows looked cheaper
	// flipped (NN 4096x1x100, 2048x1x784, 1024x2x300), and the flipped
	// products, whose transposes of large operands this model prices
	// low, took 1.25-1.45 times as long.
	return float64(d.mr.ceil(m)) * panels * float64(g.MR*g.NR) * float64(k+tileOverhead)
}

// directCost is the cost (see flip) of the direct product through the
// five loops.
func (d *driver) directCost(aT, bT bool, m, n, k int) float64 {
	g := d.g
	mr, nr := g.MR, g.NR
	direct := d.tilesCost(m, n, k)
	if e := d.tallCols(aT, m, n, k); e > 0 {
		direct += d.tallCost(m, e, k) - d.edgePanelCost(m, e, k)
	}
	if !g.EdgeMasksB {
		edges := 0
		if d.mr.mod(m) != 0 {
			edges += d.nr.ceil(n)
		}
		if d.nr.mod(n) != 0 {
			edges += d.mr.ceil(m)
		}
		direct += float64(edges * mr * nr * edgeOverhead)
	}
	if bT {
		direct += transposeWeight * float64(n*k)
	} else if !d.packsB(m) {
		direct += bInPlaceWeight * float64(d.mr.ceil(m)*n*k)
	}
	return direct
}

// transposesA reports whether the direct product of a row-major A and an
// n columns narrow enough for KernelTall (tallCols) is cheaper with Aᵀ
// made whole, in one PackT, and every tile computed by KernelTall, which
// vectorizes along the rows: per step, one vector FMA for each column and
// 16 rows, where the narrow kernel pays a broadcast and a whole vector FMA
// for each row. It takes at least one whole tall tile (TallMR rows): on
// fewer, the transpose and the partly used vectors cost more than they
// save (12x4x100: 1.16 of the time). Paired runs against the narrow
// kernel, one thread: NN 32x10x100 0.77-0.81 of the time, 32x1x100 0.47,
// 64x4x32 0.46, 256x10x100 0.86-0.97, 256x10x784 0.76; every m >= 32,
// n <= 12 with k = 32, 100, 300 was faster. It also takes an A that fits
// in half of L2: past it the transpose runs from memory, and Aᵀ streams
// from it once more (n = 10: 512x784 1.06 of the time, 1024x300 1.21,
// 2048x784 1.9). The bits are those of the narrow kernel (see KernelTall).
func (d *driver) transposesA(aT bool, m, n, k int) bool {
	g := d.g
	if aT || g.TallMR == 0 || m < g.TallMR || n > g.TallNR || d.tallCols(true, m, n, k) != n ||
		4*m*k > d.blk.Caches.L2/2 {
		return false
	}
	return d.transposedACost(m, n, k) < 0.9*d.directCost(false, false, m, n, k)
}

// transposedACost is the cost (see flip) of transposesA's product: the
// tall tiles and the transpose of A, aTransposeWeight an element.
func (d *driver) transposedACost(m, n, k int) float64 {
	return d.tallCost(m, n, k) + aTransposeWeight*float64(m*k)
}

// packsB reports whether the direct product packs a row-major B: when its
// micro-panels serve more than reuseToPack rows of tiles.
func (d *driver) packsB(m int) bool { return d.mr.ceil(m) > reuseToPack }

// tallCols returns the width of the last column panel of an m×n product
// of depth k that KernelTall computes instead of the tile kernels (0:
// none). It takes a transposed A (op(A) = Aᵀ, each step's rows contiguous,
// read in place), a panel of at most TallNR columns (n%NR: the 4 of n =
// 100, or n = 10 itself), and the lower cost: a tile kernel computes its
// whole vector of 16 columns (or 32) whatever the panel's width, KernelTall
// its width, at the price of transposing its tile on the store. The
// result does not depend on the choice: both give Kernel's bits.
func (d *driver) tallCols(aT bool, m, n, k int) int {
	g := d.g
	e := d.nr.mod(n)
	if !aT || g.TallMR == 0 || e == 0 || e > g.TallNR || d.tallCost(m, e, k) >= d.edgePanelCost(m, e, k) {
		return 0
	}
	return e
}

// edgePanelCost is the cost (see flip) of the tile kernels' last column
// panel of an m×n product of depth k when it is e columns wide.
func (d *driver) edgePanelCost(m, e, k int) float64 {
	g := d.g
	w := 1.0
	if e <= g.NarrowNR && g.NarrowNR < g.NR {
		w = narrowWeight
	}
	return float64(d.mr.ceil(m)) * w * float64(g.MR*g.NR) * float64(k+tileOverhead)
}

// tallCost is the cost of KernelTall's tiles of m rows and e columns at
// depth k: its FMAs (as many per step as the tile has columns, with the
// tile kernels' 32 multiply-adds a cycle) and the transposing store of the
// tile, which costs about tallOverhead steps (fitted to paired runs of
// KernelTall against the narrow kernel on 288 rows with 4, 10 and 12
// columns at depth 32: 0.29, 0.58 and 0.62 of its time).
func (d *driver) tallCost(m, e, k int) float64 {
	return float64(d.tallMR.roundUp(m)*e) * float64(k+tallOverhead)
}

// run is gemm's direct product, on Aᵀ when transA (see transposesA). When
// padded, C has room for whole tiles past m and n (and beta is 0), so edge
// tiles are written whole, directly.
// It runs the five loops (loops), or, on several threads, a product whose C
// is small next to its operands as one product per depth block (splitK).
func (d *driver) run(aT, bT bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, padded, transA bool) {
	threads := runtime.Threads()
	if m*n*k < splitMin || aT && m*n*k < parallelMin {
		threads = 1
	}
	kb := d.depthBlocks(m, n, k)
	// More than two blocks are summed in splitK's tree on one thread too.
	if (threads > 1 && kb > 1 && m*n*k >= parallelMin || kb > 2) && smallC(m, n, k) {
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
		d.g.PackT(at, ldat, a, lda, m, k) // at[p*ldat+i] = a[i*lda+p]
		d.loops(true, bT, m, n, k, kb, 1, alpha, at, ldat, b, ldb, beta, c, ldc, padded, 0)
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
		d.g.PackT(bt, n, b, ldb, n, k) // bt[p*n+j] = b[j*ldb+p]
		d.loops(aT, false, m, n, k, kb, 1, alpha, a, lda, bt, n, beta, c, ldc, padded, 0)
		runtime.Free(bt)
		return
	}
	d.loops(aT, bT, m, n, k, kb, threads, alpha, a, lda, b, ldb, beta, c, ldc, padded, 0)
}

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

// stealMinRows and stealMinDepth bound the products whose row blocks the
// threads claim (see setup).
const (
	stealMinRows  = 256
	stealMinDepth = 64
)

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
		a: a, b: b, c: c, lda: lda, ldb: ldb, ldc: ldc, padded: padded, parts: w.parts[:0]}
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
	runtime.ParallelFor(ceilDiv(kb, w.leaves), 1, w)
	w.sums(0, kb, w.leaves, true)
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
	adding          kAdd // the body of a shared add (see add)
}

// Range computes subtrees [lo, hi): their blocks, then their sums.
func (w *kSplit) Range(lo, hi int) {
	for t := lo; t < hi; t++ {
		j0, j1 := t*w.leaves, min((t+1)*w.leaves, w.kb)
		for j := j0; j < j1; j++ {
			w.block(j, t)
		}
		w.sums(j0, j1, 1, false)
	}
}

// block computes depth block j into the result rooted at it (with beta,
// or with 0 into a scratch part), or, for the second block of a pair
// computed together, onto its pair's result, as the work of the thread
// whose workspace slot is slot (see lazyWorkspace).
func (w *kSplit) block(j, slot int) {
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
	if root == 0 {
		if j == 0 {
			beta = w.beta
		}
		w.d.loops(w.aT, w.bT, w.m, w.n, kc, 1, 1, w.alpha, a, w.lda, b, w.ldb, beta, w.c, w.ldc, w.padded && beta == 0, slot)
	} else {
		w.d.loops(w.aT, w.bT, w.m, w.n, kc, 1, 1, w.alpha, a, w.lda, b, w.ldb, beta, w.parts[root], w.ldp, beta == 0, slot)
	}
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

// loops runs BLIS's five loops over kb depth blocks on threads threads.
// On one thread the call's state lives on the stack and the loops run as
// the one share of a private-mode call: getting and putting back a
// recycled record took about an eighth of a 200 ns product.
func (d *driver) loops(aT, bT bool, m, n, k, kb, threads int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, padded bool, slot int) {
	if threads <= 1 {
		cl := call{d: d, aT: aT, bT: bT, m: m, n: n, k: k, alpha: alpha, beta: beta,
			a: a, b: b, c: c, lda: lda, ldb: ldb, ldc: ldc, padded: padded, slot: slot}
		cl.setup(kb, 1)
		cl.share(0)
		runtime.Free(cl.ablock)
		return
	}
	cl := d.calls.Get()
	*cl = call{d: d, aT: aT, bT: bT, m: m, n: n, k: k, alpha: alpha, beta: beta,
		a: a, b: b, c: c, lda: lda, ldb: ldb, ldc: ldc, padded: padded, bpack: cl.bpack, claims: cl.claims}
	splitN := cl.setup(kb, threads)
	if cl.private {
		runtime.ParallelFor(threads, 1, cl)
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
	if cl.ldc <= math.MaxInt32/15 { // KernelTall's scatter offsets fit
		cl.tallCols = d.tallCols(cl.aT, m, n, k)
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
	// Private mode when the threads split the rows only: each thread packs
	// its own copy of B and runs every block of its rows, with no barrier
	// between blocks, and reads only the packed B in its own core's cache
	// (shared, each core packs half of B and reads the other half from the
	// other core). Packing B once per thread costs about 8*threads/m of
	// the product (a cycle for 4 elements against 32 multiply-adds a cycle
	// on each of m/threads rows).
	cl.private = threads == 1 || !splitN && cl.icBlocks >= threads
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
	cl.steal = threads > 1 && cl.private && kcEff >= k && ncEff >= n && m >= stealMinRows && k >= stealMinDepth
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
	}
	return splitN
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
	slot int // -1: none
}

func (l *lazyWorkspace) get() *workspace {
	if l.ws == nil {
		if uint(l.slot) < uint(len(l.d.slots)) {
			l.ws = l.d.slots[l.slot].Swap(nil)
		}
		if l.ws == nil {
			l.ws = l.d.workspaces.Get()
		}
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
	ws := lazyWorkspace{d: cl.d, slot: cl.slot + t}
	bk := block{nChunks: 1}
	if cl.steal {
		cl.setBlock(&bk, 0, 0)
		if lo, hi := cl.bPanelsToPack(&bk); hi > lo {
			bk.bpack = cl.d.bpackFor(&ws.get().bpack, cl.kcEff, min(cl.n, cl.ncEff))
			cl.packPanels(&bk, lo, hi)
		}
		for o := 0; o < cl.shares; o++ {
			u := (t + o) % cl.shares
			for {
				icb, ok := cl.claim(u, o == 0)
				if !ok {
					break
				}
				cl.macro(&ws, &bk, icb, 0)
			}
		}
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

// claim takes a row block of share u, its first (own) or its last, or
// reports false when none is left.
func (cl *call) claim(u int, own bool) (int, bool) {
	c := &cl.claims[u]
	for {
		v := c.Load()
		f, b := v>>32, v&(1<<32-1)
		if f >= b {
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

// packBPanel packs micro-panel q (columns jc+q*NR ...) of B block bk,
// zero-padding columns past n.
func (cl *call) packBPanel(bk *block, q int) {
	nr := cl.d.g.NR
	j0 := bk.jc + q*nr
	dst := bk.bpack[q*panelStride(bk.kc, nr):]
	if cl.bT { // op(B)(p, j) = b[j*ldb+p]
		cl.d.pack(dst, nr, cl.b, j0*cl.ldb+bk.pc, 1, cl.ldb, bk.kc, nr, min(nr, cl.n-j0))
	} else { // op(B)(p, j) = b[p*ldb+j]
		cl.d.pack(dst, nr, cl.b, bk.pc*cl.ldb+j0, cl.ldb, 1, bk.kc, nr, min(nr, cl.n-j0))
	}
}

// packAPanel packs the A micro-panel of rows i0... (zero rows past m) of the
// current depth block into dst and returns its strides: column panels
// (rsa = MR, csa = 1) or, for a row-major A and a kernel that takes them,
// row panels (rsa = 1, csa = kc), which are plain copies.
func (cl *call) packAPanel(bk *block, dst []float32, i0 int) (rsa, csa int) {
	g := cl.d.g
	valid := min(g.MR, cl.m-i0)
	rsa, csa = cl.aPanelStrides(bk)
	switch {
	case cl.aT: // op(A)(i, p) = a[p*lda+i]
		cl.d.pack(dst, g.MR, cl.a, bk.pc*cl.lda+i0, cl.lda, 1, bk.kc, g.MR, valid)
	case csa > 1: // row panels: rows of kc values, then zero rows
		cl.d.pack(dst, csa, cl.a, i0*cl.lda+bk.pc, cl.lda, 1, valid, bk.kc, bk.kc)
		for x := valid; x < g.MR; x++ {
			clear(dst[x*csa : x*csa+bk.kc])
		}
	default:
		cl.d.pack(dst, g.MR, cl.a, i0*cl.lda+bk.pc, 1, cl.lda, bk.kc, g.MR, valid)
	}
	return rsa, csa
}

// aPanelStrides returns the strides of the current depth block's packed A
// micro-panels: row panels (rsa = 1, csa = kc rounded, see rowPanelStride)
// for a row-major A on a kernel that takes them, else column panels
// (rsa = MR, csa = 1).
func (cl *call) aPanelStrides(bk *block) (rsa, csa int) {
	if !cl.aT && cl.d.g.RowPanels {
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
	g := cl.d.g
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
		switch {
		case cl.ablock != nil:
			size := mr * rowPanelStride(bk.kc)
			ap = cl.ablock[cl.d.mr.div(i)*size : (cl.d.mr.div(i)+1)*size]
			if bk.jc == 0 {
				rsa, csa = cl.packAPanel(bk, ap, i)
			} else {
				rsa, csa = cl.aPanelStrides(bk)
			}
		// A read in place must have MR rows, unless only KernelRows
		// reads it (no edge tile in this row).
		case cl.packA || rows < mr && !(g.PartialRows && qw == qhi):
			ap = ws.get().apack
			rsa, csa = cl.packAPanel(bk, ap, i)
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
			if rows < mr && g.PartialRows {
				g.KernelRows(bk.kc, cl.alpha, ap, rsa, csa, bp, rsb, bstep, bk.beta, ct, cl.ldc, qw-q, rows)
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
// the current depth block, TallMR rows a call; A and B are read in place.
func (cl *call) tall(bk *block, i0, i1 int) {
	g := cl.d.g
	j0 := cl.n - cl.tallCols
	var b []float32
	var rsb, csb int
	if cl.bT { // op(B)(p, j) = b[j*ldb+p]
		b, rsb, csb = cl.b[j0*cl.ldb+bk.pc:], 1, cl.ldb
	} else { // b[p*ldb+j]
		b, rsb, csb = cl.b[bk.pc*cl.ldb+j0:], cl.ldb, 1
	}
	for i := i0; i < i1; i += g.TallMR {
		g.KernelTall(bk.kc, cl.alpha, cl.a[bk.pc*cl.lda+i:], cl.lda, b, rsb, csb, bk.beta,
			cl.c[i*cl.ldc+j0:], cl.ldc, min(g.TallMR, i1-i), cl.tallCols)
	}
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

// pack copies a kc-deep, w-wide operand panel into dst as kc rows of w
// values, ldd apart: dst[p*ldd+x] = src[off+p*sp+x*sx] for x < valid, and 0
// for valid <= x < w (the zero padding of partial panels). One of sx and sp
// is 1 in every layout: rows are copies, or the panel is a transpose.
func (d *driver) pack(dst []float32, ldd int, src []float32, off, sp, sx, kc, w, valid int) {
	switch {
	case sx == 1 && w <= 32: // micro-panel rows: asm.PackRows pads them too
		d.g.PackRows(dst, ldd, src[off:], sp, kc, w, valid)
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
		d.g.PackT(dst, ldd, src[off:], sx, valid, kc)
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
