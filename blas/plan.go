package blas

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

// tallColsOfAT is tallCols for a row-major A on one thread, which the
// loops then transpose for KernelTall (into a copy: the tiles still read
// A in place): when A fits in half of L1, at aTransposeWeight an element.
// It takes products with whole column panels too (narrower ones are
// transposesA's). NT 32x100x10, the last layer's input gradient at batch
// 32, then computes its 4 last columns in one call of 32 rows instead of
// three narrow edge tiles of 12. It must cost 0.8 of the edge tiles by
// this model: paired runs, one thread, NT 32x100x10 0.90-0.92 of the
// time, NN 32x100x10 0.89, NT 256x100x10 0.82-0.86, NN 64x40x50 0.80, NN
// 32x40x100 0.82; NT 32x300x100, at 0.90 by the model, 1.01.
func (d *driver) tallColsOfAT(m, n, k int) int {
	g := d.g
	e := d.nr.mod(n)
	if tallOfATOff || g.TallMR == 0 || n < g.NR || e == 0 || e > g.TallNR || m < g.TallMR || 4*m*k > d.blk.Caches.L1D/2 ||
		d.tallCost(m, e, k)+aTransposeWeight*float64(m*k) >= 0.8*d.edgePanelCost(m, e, k) {
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

// tallOfATOff, set by tests only, turns tallColsOfAT off.
var tallOfATOff bool
