package asm

import (
	"fmt"
	"math"
	"unsafe"
)

// The assembly of the gemm family is generated (asm/_gen/gemm):
//go:generate sh -c "cd _gen && env -u GOARCH go run ./gemm > ../gemm_amd64.s && env -u GOARCH go run ./gemm -neon > ../gemm_arm64.s"

// GEMM microkernels: the innermost piece of blas.Sgemm. The loops, packing
// and blocking live in package blas; here is only the computation of one
// MR×NR tile of C, one per level.
//
// # The microkernel contract (every level obeys exactly this)
//
// A call Gemm.Kernel(k, alpha, a, rsa, csa, b, rsb, beta, c, ldc) computes
//
//	for i := 0; i < MR; i++ {
//		for j := 0; j < NR; j++ {
//			var s float32
//			for p := 0; p < k; p++ {
//				s += a[p*rsa+i*csa] * b[p*rsb+j] // in this order of p
//			}
//			if beta == 0 {
//				c[i*ldc+j] = alpha * s // c is not read: NaN in c does not leak
//			} else {
//				c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
//			}
//		}
//	}
//
// with s accumulated in float32 and each product-add fused (FMA) on the
// assembly levels; the generic level computes s += a*b as Go does on the
// architecture (fused on arm64, not on amd64). alpha*s + beta*c is two
// roundings or one depending on the level. So results are bit-identical for
// a given level and architecture whatever the caller's blocking of m and n,
// and agree with a float64 reference to about k float32 roundings.
//
// Layouts. The A operand is read with a row stride rsa (between consecutive
// p) and a column stride csa (between consecutive i): a packed A micro-panel
// has rsa = MR, csa = 1 (MR values for each p, contiguous); an unpacked
// row-major A (op(A) = A) has rsa = 1, csa = lda; an unpacked transposed one
// (op(A) = Aᵀ) has rsa = lda, csa = 1. The B operand is always read NR
// contiguous values at a time with row stride rsb: a packed B micro-panel has
// rsb = NR; an unpacked row-major B (op(B) = B) has rsb = ldb. C is
// row-major with leading dimension ldc >= NR.
//
// Edge duties. The kernel computes only full MR×NR tiles and reads full
// MR-tall and NR-wide operand panels. Partial tiles at the edges of C go
// through KernelEdge: the caller packs the partial panels with zero padding,
// and the edge kernel stores only the valid part with masked stores (the
// x86 levels; EdgeDirect) or lets the kernel write a scratch tile and copies
// the valid part (the others). The x86 levels also have row kernels of
// fewer rows than MR (PartialRows, KernelRows), so that a partial row of
// whole tiles costs its rows rather than MR.
//
// Narrow kernel. Each level also has a kernel of NarrowNR <= NR columns,
// called through KernelNarrow with the same contract with NarrowNR in place
// of NR. It computes every element with exactly the operations of Kernel,
// so its tile is bit-identical to the first NarrowNR columns of Kernel's: a
// caller may choose between them by shape without changing any result. The
// x86 levels have one of half the width (one vector per row), for the last
// column panel of a product whose n is not a multiple of NR (n = 10 on the
// avx512 tile of 32 computes 16 columns instead of 32); on the other levels
// NarrowNR = NR and KernelNarrow is Kernel.
//
// Row panels. A kernel with RowPanels set runs as fast on A micro-panels
// packed row by row (rsa = 1, csa = kc: each row's kc values contiguous,
// which packing a row-major A produces with plain copies) as on column
// panels, so blas packs a row-major A by rows. Every kernel takes both (any
// strides do); avx2 has RowPanels. The avx512 kernel runs up to 4% faster
// on column panels (its packed loop reads a step's 12 values of A from one
// 48-byte run instead of 12 rows' lines: 0.956 of the time in the host's
// quiet phases, 0.98-1.00 in busy ones), which pays for the transposing
// pack where A is packed. NEON loads A's MR values of a step as vectors,
// so it wants column panels too.
//
// Packed loops. The x86 wide and partial-row kernels have, beside their
// loop for any strides, loops for packed panels (B's rows NR floats apart
// and A in row or column panels) that run four steps an iteration at
// constant displacements and step their pointers once an iteration: a
// step's integer work, five adds and a decrement on the avx512 tile,
// competes with the FMAs for issue slots and ports. Same operations in the
// same order, so the same bits. In these loops the row kernels also
// prefetch a row of the caller's choosing per tile, a line an iteration
// (KernelRowPrefetch), and the AVX-512 ones warm C's tile 96 steps before
// the end rather than at the start (when the depth allows): misses to
// memory issued all at once hold the line-fill buffers that the loads of
// B need.
//
// Tall kernel. A level may also have KernelTall, which computes tiles of
// at most TallMR rows and TallNR columns with the vectors along the rows:
// it reads op(A) column by column (A transposed, in place: TallMR values
// contiguous per step), broadcasts B, and holds the tile transposed, which
// it transposes back into C's rows on the store. A column panel of C only a few columns wide then costs
// its few columns per step, where the row-vector kernels pay a whole vector
// per row (four columns of a product of 300x100 with k = 32 cost the narrow
// kernel as much as sixteen). Every element gets exactly Kernel's
// operations, so the bits do not depend on which kernel computed it. On
// levels without one TallMR = 0.
//
// Alignment. Nothing is required: the kernels use unaligned loads and
// stores. Packed panels that start on a 64-byte boundary avoid cache-line
// splits, so blas allocates its packing buffers 64-byte aligned.
//
// The tile of each level is in gemmTiles; the block sizes (MC, KC, NC) are
// not here: blas derives them from the tile and the cache sizes.

// gemmTiles is the microkernel tile (MR rows × NR columns of C) per level.
//
//   - generic 4×4: the pure-Go oracle; 16 accumulators, as many as the Go
//     compiler keeps in registers.
//   - avx2 6×16 (BLIS haswell): 12 YMM accumulators, 2 YMM loads of B and 6
//     broadcasts of A per step, in 16 registers.
//   - avx512 12×32 (BLIS skx/zen4's 32×12 seen from row-major C): 24 ZMM
//     accumulators, 2 ZMM loads of B and 12 broadcasts per step. The sweep
//     (`go run ./gemm -sweep` in asm/_gen emits the candidates; each was
//     put in this table in turn and timed with BenchmarkGemmKernel, per CPU
//     second, best of 5, on a shared 2-core Intel AVX-512 VM): 12×32,
//     14×32, 8×48 and 6×64 with broadcasts into a register all reached
//     105-120 GFLOPS/core with panels in L1 or A streamed from L2, within
//     the machine's noise; the variants that fold the broadcast into the FMA
//     (12×32, 14×32, 7×64 with {1to16}) were 10-25% slower. 12×32 keeps
//     BLIS's proven shape, the smallest NR of the fast ones (less waste on
//     narrow products) and 6 spare registers.
//   - neon 8×12 (BLIS armv8a): 24 Q accumulators, 3 Q loads of B, 2 Q loads
//     of A used by element.
var gemmTiles = [...]struct{ MR, NR int }{
	Generic: {4, 4},
	AVX2:    {6, 16},
	AVX512:  {12, 32},
	NEON:    {8, 12},
	AMX:     {12, 32}, // avx512's (the tiles take the larger products in blas)
}

// gemmKernels is one level's microkernel. fn obeys the contract above and
// may assume the checks of Gemm.Kernel passed.
type gemmKernels struct {
	mr, nr    int
	nrNarrow  int // the narrow kernel's width (nr when narrow is fn)
	rowPanels bool
	// packT8, when not nil, is PackT for xn and pn multiples of 8.
	packT8 func(dst []float32, w int, src []float32, sx, xn, pn int)
	// packTEdge, when not nil, is PackT for any xn, pn >= 1, in strips of 8
	// rows, with the bits of the last strip's rows set in xmask and those
	// of pn%8 in pmask.
	packTEdge func(dst []float32, w int, src []float32, sx, xn, pn int, xmask, pmask uint32)
	// packTGather, when not nil, is PackT by gathers of 16 rows of a
	// column, for any xn with 15*sx*4 < 2^31 (the gathers' byte offsets).
	packTGather func(dst []float32, w int, src []float32, sx, xn, pn int)
	// packT4, when not nil, is PackT for xn = 4 and pn a multiple of 8.
	packT4 func(dst []float32, w int, src []float32, sx, pn int)
	// packRows, when not nil, is PackRows for w <= packRowsW (at most 32),
	// with the bits of valid and of w set in lmask and smask.
	packRows  func(dst []float32, ldd int, src []float32, lds, rows int, lmask, smask uint32)
	packRowsW int
	fn        func(k int, alpha float32, a []float32, rsa, csa int, b []float32, rsb int, beta float32, c []float32, ldc int)
	narrow    func(k int, alpha float32, a []float32, rsa, csa int, b []float32, rsb int, beta float32, c []float32, ldc int)
	// row, when not nil, is KernelRow in one call (pfRows = 0), and
	// KernelRowPrefetch (pfRows rows of pfLines lines from pf, pfStride
	// bytes apart, one a tile); otherwise KernelRow calls fn once per tile.
	row func(k int, alpha float32, a []float32, rsa, csa int, b []float32, rsb, bstep int, beta float32, c []float32, ldc, np int, pf uintptr, pfStride, pfRows, pfLines int)
	// rows[r], when not nil, is KernelRows for r rows (rows[mr] is row).
	rows []func(k int, alpha float32, a []float32, rsa, csa int, b []float32, rsb, bstep int, beta float32, c []float32, ldc, np int, pf uintptr, pfStride, pfRows, pfLines int)
	// edge and edgeNarrow, when not nil, are KernelEdge for the wide and
	// the narrow tile, storing rows < rows and the columns set in mask;
	// otherwise KernelEdge goes through a scratch tile. edgeMasksB: they
	// read only the columns in mask of B.
	edge, edgeNarrow func(k int, alpha float32, a []float32, rsa, csa int, b []float32, rsb int, beta float32, c []float32, ldc, rows int, mask uint32)
	edgeMasksB       bool
	// tall[cols], when not nil, is KernelTall for cols columns and tiles
	// tiles of tallMR rows, the last of them the rows set in mask.
	tallMR int
	tall   []func(k int, alpha float32, a []float32, lda int, b []float32, rsb, csb int, beta float32, c []float32, ldc int, mask, pmask uint32, tiles int)
	// gather, when not nil, is KernelGather, and nonzeroSteps is
	// NonzeroSteps for at most mr rows.
	gather       func(k int, alpha float32, a []float32, rsa, csa int, b []float32, off []int32, bstep int, beta float32, c []float32, ldc, np int)
	nonzeroSteps func(dst []float32, ldd int, off []int32, a []float32, lda, rows, k, rsb int) int
}

var gemmGeneric = gemmKernels{mr: gemmTiles[Generic].MR, nr: gemmTiles[Generic].NR, nrNarrow: gemmTiles[Generic].NR,
	rowPanels: true, fn: gemmKernelGeneric, narrow: gemmKernelGeneric}

// Gemm is the microkernel of one level (see the contract above).
type Gemm struct {
	Level     Level
	MR, NR    int
	NarrowNR  int  // the width of KernelNarrow's tile (see above)
	RowPanels bool // pack a row-major A's micro-panels row by row (see above)
	// EdgeDirect: KernelEdge writes C directly, with masked stores, and
	// needs no scratch tile (see KernelEdge).
	EdgeDirect bool
	// EdgeMasksB: KernelEdge also reads only the cols columns of B that it
	// stores, so B's partial panel need not be padded (see KernelEdge).
	EdgeMasksB bool
	// TallMR and TallNR bound KernelTall's tile (0 on levels without one).
	TallMR, TallNR int
	// PartialRows: KernelRows computes fewer rows than MR (see KernelRows).
	PartialRows bool
	// Gather: the level has KernelGather (see there).
	Gather bool
	k      *gemmKernels
	v      *vecKernels // the level's gemv and ger (see gemv.go)
}

// GemmFor returns the microkernel of level l, which must be one of
// Available() (it panics otherwise: there is no code for it here).
func GemmFor(l Level) Gemm {
	if !available(l) {
		panic("asm: gemm level not available: " + l.String())
	}
	k := gemmFor(l)
	g := Gemm{Level: l, MR: k.mr, NR: k.nr, NarrowNR: k.nrNarrow, RowPanels: k.rowPanels,
		EdgeDirect: k.edge != nil, EdgeMasksB: k.edgeMasksB, PartialRows: len(k.rows) > 0, Gather: k.gather != nil, k: k, v: vecFor(l)}
	if len(k.tall) > 1 {
		g.TallMR, g.TallNR = k.tallMR, len(k.tall)-1
	}
	return g
}

// String names the level's microkernels and their tiles, e.g. "avx512:
// tile 12x32, narrow 12x16, masked edges, partial rows, tall 32x12".
func (g *Gemm) String() string {
	s := fmt.Sprintf("%s: tile %dx%d", g.Level, g.MR, g.NR)
	if g.NarrowNR < g.NR {
		s += fmt.Sprintf(", narrow %dx%d", g.MR, g.NarrowNR)
	}
	if g.EdgeDirect {
		s += ", masked edges"
	}
	if g.PartialRows {
		s += ", partial rows"
	}
	if g.TallMR > 0 {
		s += fmt.Sprintf(", tall %dx%d", g.TallMR, g.TallNR)
	}
	if g.Gather {
		s += ", gather"
	}
	return s
}

// Kernel computes one MR×NR tile of C as the contract above states. It
// panics with "asm: gemm: bad stride" when a stride is negative or ldc < NR,
// and with "asm: gemm: short a" (b, c) when a slice is shorter than the
// elements the tile reads or writes.
func (g *Gemm) Kernel(k int, alpha float32, a []float32, rsa, csa int, b []float32, rsb int, beta float32, c []float32, ldc int) {
	checkTiles(g.MR, g.NR, k, len(a), rsa, csa, len(b), rsb, 0, 1, len(c), ldc, g.MR, g.NR)
	g.k.fn(k, alpha, a, rsa, csa, b, rsb, beta, c, ldc)
}

// KernelRow computes np tiles of C side by side that share one A panel:
//
//	for q := 0; q < np; q++ {
//		g.Kernel(k, alpha, a, rsa, csa, b[q*bstep:], rsb, beta, c[q*NR:], ldc)
//	}
//
// with exactly Kernel's operations (the same bits), in one call where the
// level has a row kernel: a tile of small depth costs little more than the
// call and the checks that Kernel makes for it. It panics as Kernel does,
// and with "asm: gemm: bad stride" when bstep < 0, np < 0 or ldc < np*NR.
func (g *Gemm) KernelRow(k int, alpha float32, a []float32, rsa, csa int, b []float32, rsb, bstep int, beta float32, c []float32, ldc, np int) {
	if np <= 0 {
		if np < 0 {
			panic("asm: gemm: bad stride")
		}
		return
	}
	checkTiles(g.MR, g.NR, k, len(a), rsa, csa, len(b), rsb, bstep, np, len(c), ldc, g.MR, np*g.NR)
	if g.k.row != nil {
		g.k.row(k, alpha, a, rsa, csa, b, rsb, bstep, beta, c, ldc, np, 0, 0, 0, 0)
		return
	}
	for q := 0; q < np; q++ {
		g.k.fn(k, alpha, a, rsa, csa, b[q*bstep:], rsb, beta, c[q*g.NR:], ldc)
	}
}

// KernelRowPrefetch is KernelRow (the same operations, the same bits) that
// also, while its tiles run, asks the CPU to bring into its caches rows
// rows of cols floats of next, lds floats apart: the first min(rows, np)
// tiles each prefetch one row, a cache line every four steps (rows past
// the tiles are not prefetched). It serves a driver that packs the next A
// micro-panel from memory after this one: the transposes then find its
// lines in cache, their reads from memory having overlapped the FMAs
// (one thread, paired: NN 2048^3 0.99 of the time, 1024^3 0.985, 512^3
// 0.97; see docs/performance.md). Spread so because a row's lines
// prefetched at once hold the line-fill buffers that the kernel's loads
// of B need. A hint, which changes no data: levels without a row kernel,
// and tiles that do not run its packed loops (B packed, A in row or
// column panels, k >= 4), prefetch nothing. It panics as KernelRow does,
// and with "asm: gemm: bad stride" or "asm: gemm: short next" when rows >
// 0 and lds < cols or next is shorter than (rows-1)*lds+cols.
func (g *Gemm) KernelRowPrefetch(k int, alpha float32, a []float32, rsa, csa int, b []float32, rsb, bstep int, beta float32, c []float32, ldc, np int, next []float32, lds, rows, cols int) {
	if rows > 0 && cols > 0 {
		if lds < cols {
			panic("asm: gemm: bad stride")
		}
		if len(next) < (rows-1)*lds+cols {
			panic("asm: gemm: short next")
		}
	}
	if rows <= 0 || cols <= 0 || g.k.row == nil || np <= 0 {
		g.KernelRow(k, alpha, a, rsa, csa, b, rsb, bstep, beta, c, ldc, np)
		return
	}
	checkTiles(g.MR, g.NR, k, len(a), rsa, csa, len(b), rsb, bstep, np, len(c), ldc, g.MR, np*g.NR)
	// The lines of a row: its first's offset in its line, plus its bytes,
	// rounded up; rows whose offsets differ get the most any can need (a
	// line past a row costs a read, and a prefetch never faults).
	first := uintptr(unsafe.Pointer(unsafe.SliceData(next)))
	lines := (int(first%64) + 4*cols + 63) / 64
	if lds%16 != 0 {
		lines = (63 + 4*cols + 63) / 64
	}
	g.k.row(k, alpha, a, rsa, csa, b, rsb, bstep, beta, c, ldc, np, first, 4*lds, rows, lines)
}

// GatherPad is the number of entries past the k it uses that
// KernelGather's offsets must hold: it reads them ahead to prefetch B's
// rows (their values may be anything).
const GatherPad = 8

// KernelGather is KernelRow over some of B's rows: step t of the tiles
// multiplies A's step t by B's row that starts off[t] floats into the
// tile's panel, as if
//
//	for q := 0; q < np; q++ {
//		// bq: for t < k, the NR floats at b[q*bstep+off[t]:], row after row
//		g.Kernel(k, alpha, a, rsa, csa, bq, NR, beta, c[q*NR:], ldc)
//	}
//
// with exactly those operations (the same bits). It serves an A panel
// with steps that are zero in all its rows, which NonzeroSteps leaves
// out: where B is finite, a multiply-add of 0 leaves the sum's bits as
// they were (the accumulators start at +0 and a sum of nonzero terms is
// never -0), so the product is the full one's, bit for bit. Only levels
// with Gather have it; the others panic with "asm: gemm: no gather
// kernel". It panics as KernelRow does, and with "asm: gemm: short off"
// when off holds fewer than k+GatherPad entries or "asm: gemm: bad
// offset" when one of the first k is negative.
func (g *Gemm) KernelGather(k int, alpha float32, a []float32, rsa, csa int, b []float32, off []int32, bstep int, beta float32, c []float32, ldc, np int) {
	if g.k.gather == nil {
		panic("asm: gemm: no gather kernel")
	}
	if np <= 0 {
		if np < 0 {
			panic("asm: gemm: bad stride")
		}
		return
	}
	if k >= 0 && len(off) < k+GatherPad {
		panic("asm: gemm: short off")
	}
	last := 0
	for _, o := range off[:max(k, 0)] {
		if o < 0 {
			panic("asm: gemm: bad offset")
		}
		last = max(last, int(o))
	}
	// B's extent: the farthest row, as a one-step tile
	checkTiles(g.MR, g.NR, k, len(a), rsa, csa, len(b)-last, 0, bstep, np, len(c), ldc, g.MR, np*g.NR)
	g.k.gather(k, alpha, a, rsa, csa, b, off, bstep, beta, c, ldc, np)
}

// NonzeroSteps copies the steps of an A micro-panel packed by rows (rows
// rows of k values, lda apart) at which some row is not zero (±0 is
// zero; NaN is not) into dst (rows rows, ldd apart), in order, writes
// step p's offset p*rsb into off for each step it keeps, and returns how
// many it kept:
//
//	kept := 0
//	for p := 0; p < k; p++ {
//		if some a[i*lda+p] != 0 (or NaN), i < rows {
//			for i < rows { dst[i*ldd+kept] = a[i*lda+p] }
//			off[kept] = int32(p*rsb)
//			kept++
//		}
//	}
//
// The kept steps and their offsets are KernelGather's operands. The x86
// avx512 level tests 16 steps at a time in assembly. It panics with "asm:
// gemm: bad stride" for rows < 1, k < 0, lda or ldd < k, rsb < 0 or
// k*rsb past int32, and "asm: gemm: short a" (dst, off) for a slice too
// short for k steps.
func (g *Gemm) NonzeroSteps(dst []float32, ldd int, off []int32, a []float32, lda, rows, k, rsb int) int {
	switch {
	case rows < 1 || k < 0 || lda < k || ldd < k || rsb < 0 || int64(k)*int64(rsb) > math.MaxInt32:
		panic("asm: gemm: bad stride")
	case k == 0:
		return 0
	case len(a) < (rows-1)*lda+k:
		panic("asm: gemm: short a")
	case len(dst) < (rows-1)*ldd+k:
		panic("asm: gemm: short dst")
	case len(off) < k:
		panic("asm: gemm: short off")
	}
	if g.k.nonzeroSteps != nil && rows <= g.MR {
		return g.k.nonzeroSteps(dst, ldd, off, a, lda, rows, k, rsb)
	}
	return nonzeroStepsGeneric(dst, ldd, off, a, lda, rows, k, rsb)
}

// nonzeroStepsGeneric is NonzeroSteps in Go (its specification).
func nonzeroStepsGeneric(dst []float32, ldd int, off []int32, a []float32, lda, rows, k, rsb int) int {
	kept := 0
	for p := 0; p < k; p++ {
		nz := false
		for i := 0; i < rows; i++ {
			if v := a[i*lda+p]; v != 0 || v != v {
				nz = true
				break
			}
		}
		if !nz {
			continue
		}
		for i := 0; i < rows; i++ {
			dst[i*ldd+kept] = a[i*lda+p]
		}
		off[kept] = int32(p * rsb)
		kept++
	}
	return kept
}

// KernelRows is KernelRow for the first rows rows of the tiles (1 <= rows
// <= MR): the elements of those rows get exactly Kernel's operations (the
// same bits), and no other row of A or C is read or written. A level with
// PartialRows computes just those rows, where Kernel (and KernelEdge)
// computes all MR: the last row panel of a product whose m is not a
// multiple of MR (32 = 12+12+8) costs its rows, not a whole panel. Other
// levels take only rows = MR (KernelRow). It panics as KernelRow does,
// and with "asm: gemm: bad edge" when rows is out of range.
func (g *Gemm) KernelRows(k int, alpha float32, a []float32, rsa, csa int, b []float32, rsb, bstep int, beta float32, c []float32, ldc, np, rows int) {
	if rows == g.MR {
		g.KernelRow(k, alpha, a, rsa, csa, b, rsb, bstep, beta, c, ldc, np)
		return
	}
	if rows < 1 || rows > g.MR || !g.PartialRows {
		panic("asm: gemm: bad edge")
	}
	if np <= 0 {
		if np < 0 {
			panic("asm: gemm: bad stride")
		}
		return
	}
	// the checks of a tile of rows rows: A's and C's extents
	checkTiles(rows, g.NR, k, len(a), rsa, csa, len(b), rsb, bstep, np, len(c), ldc, rows, np*g.NR)
	g.k.rows[rows](k, alpha, a, rsa, csa, b, rsb, bstep, beta, c, ldc, np, 0, 0, 0, 0)
}

// KernelEdge computes the part of a tile that lies inside C when C's edges
// cut it: the elements of its first rows rows and cols columns
// (1 <= rows <= MR, 1 <= cols <= NR), with the bits Kernel gives them (or
// KernelNarrow, when cols <= NarrowNR), reading and writing no other
// element of c. It reads MR rows of A, as that kernel does, which the
// caller pads. Levels with masked stores (EdgeDirect) write C directly;
// those that also load B with the same mask (EdgeMasksB) read only its
// first cols columns, so that B may be an operand read in place whose rows
// end there; the others read NR (or NarrowNR) columns of B, which the
// caller pads. scratch, of at least MR*NR floats, holds the tile on levels
// without masked stores: the caller owns it (one per thread), so that a
// call allocates nothing; the others take nil. It panics as Kernel does, with "asm: gemm: bad edge"
// when rows or cols is out of range and with "asm: gemm: short scratch".
func (g *Gemm) KernelEdge(k int, alpha float32, a []float32, rsa, csa int, b []float32, rsb int, beta float32, c []float32, ldc, rows, cols int, scratch []float32) {
	if rows < 1 || rows > g.MR || cols < 1 || cols > g.NR {
		panic("asm: gemm: bad edge")
	}
	nr, fn, edge := g.NR, g.k.fn, g.k.edge
	if cols <= g.NarrowNR {
		nr, fn, edge = g.NarrowNR, g.k.narrow, g.k.edgeNarrow
	}
	bcols := nr
	if g.EdgeMasksB {
		bcols = cols
	}
	checkTiles(g.MR, bcols, k, len(a), rsa, csa, len(b), rsb, 0, 1, len(c), ldc, rows, cols)
	if edge != nil {
		edge(k, alpha, a, rsa, csa, b, rsb, beta, c, ldc, rows, uint32(uint64(1)<<cols-1))
		return
	}
	if len(scratch) < g.MR*g.NR {
		panic("asm: gemm: short scratch")
	}
	t := scratch[:g.MR*nr]
	if beta != 0 {
		for i := 0; i < rows; i++ {
			copy(t[i*nr:i*nr+cols], c[i*ldc:])
		}
	}
	fn(k, alpha, a, rsa, csa, b, rsb, beta, t, nr)
	for i := 0; i < rows; i++ {
		copy(c[i*ldc:i*ldc+cols], t[i*nr:])
	}
}

// KernelNarrow is Kernel with a tile of MR×NarrowNR, bit-identical to the
// first NarrowNR columns of Kernel's (see the contract above). It panics as
// Kernel does, with NarrowNR in place of NR.
func (g *Gemm) KernelNarrow(k int, alpha float32, a []float32, rsa, csa int, b []float32, rsb int, beta float32, c []float32, ldc int) {
	checkTiles(g.MR, g.NarrowNR, k, len(a), rsa, csa, len(b), rsb, 0, 1, len(c), ldc, g.MR, g.NarrowNR)
	g.k.narrow(k, alpha, a, rsa, csa, b, rsb, beta, c, ldc)
}

// KernelTall computes the rows×cols block of C
//
//	for i := 0; i < rows; i++ {
//		for j := 0; j < cols; j++ {
//			var s float32
//			for p := 0; p < k; p++ {
//				s += a[p*lda+i] * b[p*rsb+j*csb] // in this order of p, fused
//			}
//			c[i*ldc+j] = alpha*s (+ beta*c[i*ldc+j] unless beta == 0)
//		}
//	}
//
// with Kernel's operations (see the contract above), for rows >= 1, in
// tiles of TallMR rows (one call for all of them), and 1 <= cols <=
// TallNR: A is op(A) = Aᵀ read in place (or any panel whose rows are
// contiguous for each p), B is read with any strides (rsb, csb = ldb, 1
// for a row-major B, 1, ldb for Bᵀ). It reads and writes no element of a,
// b or c outside those the loops name. It panics with "asm: gemm: bad
// edge" when the level has no tall kernel or rows or cols is out of range,
// "asm: gemm: bad stride" when a stride is negative, lda < rows, ldc <
// cols or 15*ldc does not fit in an int32 (the scatter's offsets), and
// "asm: gemm: short a" (b, c) when a slice is too short.
func (g *Gemm) KernelTall(k int, alpha float32, a []float32, lda int, b []float32, rsb, csb int, beta float32, c []float32, ldc, rows, cols int) {
	switch {
	case g.TallMR == 0 || rows < 1 || cols < 1 || cols > g.TallNR:
		panic("asm: gemm: bad edge")
	case k < 0:
		panic("asm: gemm: negative k")
	case lda < rows || rsb < 0 || csb < 0 || ldc < cols || ldc > math.MaxInt32/15:
		panic("asm: gemm: bad stride")
	case k > 0 && len(a) < (k-1)*lda+rows:
		panic("asm: gemm: short a")
	case k > 0 && len(b) < (k-1)*rsb+(cols-1)*csb+1:
		panic("asm: gemm: short b")
	case len(c) < (rows-1)*ldc+cols:
		panic("asm: gemm: short c")
	}
	tiles := (rows + g.TallMR - 1) / g.TallMR
	last := rows - (tiles-1)*g.TallMR
	g.k.tall[cols](k, alpha, a, lda, b, rsb, csb, beta, c, ldc, uint32(uint64(1)<<last-1), tallPairMasks[last], tiles)
}

// tallPairMasks[rows] is the row mask of the tall kernels' paired stores
// when the first rows rows (of 32) are stored: a byte for each of the
// row sets {0, 1, 4, 5, 8, 9, 12, 13} and {2, 3, 6, 7, 10, 11, 14, 15}, then
// the same sets 16 rows down.
var tallPairMasks = func() (m [33]uint32) {
	sets := [2][8]int{{0, 1, 4, 5, 8, 9, 12, 13}, {2, 3, 6, 7, 10, 11, 14, 15}}
	for rows := range m {
		for q := 0; q < 4; q++ {
			for b, r := range sets[q%2] {
				if 16*(q/2)+r < rows {
					m[rows] |= 1 << (8*q + b)
				}
			}
		}
	}
	return m
}()

// checkTiles panics unless the operands of np mr×nr tiles side by side, B's
// panels bstep apart, of which the first rows rows and cols columns of C
// are written, fit the contract (the last tile's operands cover the
// others'). It takes lengths rather than slices: it runs once per kernel
// call, and the microkernel of a shallow tile takes not much longer; and
// no Gemm, whose copy for a method's receiver cost a wrapper more than the
// checks.
func checkTiles(mr, nr, k, na, rsa, csa, nb, rsb, bstep, np, nc, ldc, rows, cols int) {
	switch {
	case k < 0:
		panic("asm: gemm: negative k")
	case rsa < 0 || csa < 0 || rsb < 0 || bstep < 0 || ldc < cols:
		panic("asm: gemm: bad stride")
	case k > 0 && na < (k-1)*rsa+(mr-1)*csa+1:
		panic("asm: gemm: short a")
	case k > 0 && nb < (np-1)*bstep+(k-1)*rsb+nr:
		panic("asm: gemm: short b")
	case nc < (rows-1)*ldc+cols:
		panic("asm: gemm: short c")
	}
}

// PackT writes the transpose of the xn×pn block of src with row stride sx
// into dst with row stride w, the transposing half of GEMM packing:
//
//	for x := 0; x < xn; x++ {
//		for p := 0; p < pn; p++ {
//			dst[p*w+x] = src[x*sx+p]
//		}
//	}
//
// The x86 levels transpose 8×8 tiles in registers, the partial tiles at
// the edges too, with masked loads and stores that touch no element
// outside the block (avx512 gathers up to packTGatherCols columns past
// the tiles, one dst row a gather); the other levels are Go. It
// panics with "asm: gemm: bad stride" when w < xn or sx < pn, and with
// "asm: gemm: short dst" (src) when a slice is too short.
func (g *Gemm) PackT(dst []float32, w int, src []float32, sx, xn, pn int) {
	if xn < 0 || pn < 0 || w < xn || sx < pn {
		panic("asm: gemm: bad stride")
	}
	if xn == 0 || pn == 0 {
		return
	}
	if len(dst) < (pn-1)*w+xn {
		panic("asm: gemm: short dst")
	}
	if len(src) < (xn-1)*sx+pn {
		panic("asm: gemm: short src")
	}
	x8, p8 := 0, 0
	if g.k.packT8 != nil {
		x8, p8 = xn&^7, pn&^7
		if x8 > 0 && p8 > 0 {
			g.k.packT8(dst, w, src, sx, x8, p8)
		}
	}
	// What the tiles left: the columns p >= p8 of rows x < x8, and rows x >= x8.
	if x8 > 0 && p8 < pn {
		if g.k.packTGather != nil && pn-p8 <= packTGatherCols && sx <= math.MaxInt32/60 {
			g.k.packTGather(dst[p8*w:], w, src[p8:], sx, x8, pn-p8)
		} else {
			g.packTEdge(dst[p8*w:], w, src[p8:], sx, x8, pn-p8)
		}
	}
	if x8 < xn {
		// Four rows left (the last of a 12-row panel): their own
		// transposer for the columns of whole 8x8 blocks.
		if q8 := pn &^ 7; xn-x8 == 4 && q8 > 0 && g.k.packT4 != nil {
			g.k.packT4(dst[x8:], w, src[x8*sx:], sx, q8)
			if q8 < pn {
				g.packTEdge(dst[q8*w+x8:], w, src[x8*sx+q8:], sx, 4, pn-q8)
			}
			return
		}
		g.packTEdge(dst[x8:], w, src[x8*sx:], sx, xn-x8, pn)
	}
}

// packTGatherCols is the most columns past the 8×8 tiles that PackT
// gathers (where the level can): a gather of 16 rows a column costs about
// what the edge transposer's 8×8 transposes cost for three columns.
// Paired in one process, the gathers took 0.77 of PackT's time at 100x10
// (two columns), 0.83 at 100x11 (three); with four 0.92 (100x12) and 1.02
// (32x100), with five to seven 1.05-1.22; NT 32x100x10 (the book's last layer's input gradient at
// batch 32, two such transposes) took 0.935 of its time.
const packTGatherCols = 3

// packTEdge is PackT on its checked arguments, by the level's edge
// transposer, else in Go.
func (g *Gemm) packTEdge(dst []float32, w int, src []float32, sx, xn, pn int) {
	if g.k.packTEdge == nil {
		packTGeneric(dst, w, src, sx, xn, pn)
		return
	}
	last := (xn-1)%8 + 1 // the rows of the last strip of 8
	g.k.packTEdge(dst, w, src, sx, xn, pn, uint32(1)<<last-1, uint32(1)<<(pn%8)-1)
}

// PackRows copies rows rows of valid values into rows of width w, zero
// padded, the copying half of GEMM packing:
//
//	for p := 0; p < rows; p++ {
//		for x := 0; x < w; x++ {
//			var v float32
//			if x < valid {
//				v = src[p*lds+x]
//			}
//			dst[p*ldd+x] = v
//		}
//	}
//
// The avx512 level copies rows of up to 32 values, and the avx2 level of
// up to 16, with masked loads and stores, where a call of memmove per row
// would cost more than the copy; the rest is Go. It panics with "asm: gemm: bad stride" unless
// 0 <= valid <= w <= ldd and (rows <= 1 or valid <= lds), and with "asm:
// gemm: short dst" (src) when a slice is too short.
func (g *Gemm) PackRows(dst []float32, ldd int, src []float32, lds, rows, w, valid int) {
	if valid < 0 || valid > w || w > ldd || lds < 0 || rows > 1 && valid > lds {
		panic("asm: gemm: bad stride")
	}
	if rows <= 0 || w == 0 {
		return
	}
	if len(dst) < (rows-1)*ldd+w {
		panic("asm: gemm: short dst")
	}
	if len(src) < (rows-1)*lds+valid {
		panic("asm: gemm: short src")
	}
	if g.k.packRows != nil && w <= g.k.packRowsW {
		g.k.packRows(dst, ldd, src, lds, rows, uint32(uint64(1)<<valid-1), uint32(uint64(1)<<w-1))
		return
	}
	for p := 0; p < rows; p++ {
		row := dst[p*ldd : p*ldd+w]
		if valid >= 8 { // memmove's vector moves pay for its call
			copy(row[:valid], src[p*lds:])
		} else {
			for x, v := range src[p*lds : p*lds+valid] {
				row[x] = v
			}
		}
		clear(row[valid:])
	}
}

// packTGeneric is PackT in Go, four source rows at a time so that each p
// makes four contiguous stores.
func packTGeneric(dst []float32, w int, src []float32, sx, xn, pn int) {
	if xn == 0 || pn == 0 {
		return
	}
	x := 0
	for ; x+4 <= xn; x += 4 {
		r0 := src[x*sx : x*sx+pn]
		r1 := src[(x+1)*sx:][:pn]
		r2 := src[(x+2)*sx:][:pn]
		r3 := src[(x+3)*sx:][:pn]
		d := dst[x:]
		for p := range r0 {
			q := d[p*w : p*w+4 : p*w+4]
			q[0], q[1], q[2], q[3] = r0[p], r1[p], r2[p], r3[p]
		}
	}
	for ; x < xn; x++ {
		for p, v := range src[x*sx : x*sx+pn] {
			dst[p*w+x] = v
		}
	}
}

// gemmKernelGeneric is the generic 4×4 microkernel: the oracle of the
// assembly levels and the purego build's kernel. Its 16 accumulators are
// locals, which the Go compiler keeps in registers on amd64 and arm64.
func gemmKernelGeneric(k int, alpha float32, a []float32, rsa, csa int, b []float32, rsb int, beta float32, c []float32, ldc int) {
	var c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33 float32
	for p := 0; p < k; p++ {
		bp := b[p*rsb : p*rsb+4 : p*rsb+4]
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		ap := a[p*rsa : p*rsa+3*csa+1]
		a0, a1, a2, a3 := ap[0], ap[csa], ap[2*csa], ap[3*csa]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	acc := [4][4]float32{{c00, c01, c02, c03}, {c10, c11, c12, c13}, {c20, c21, c22, c23}, {c30, c31, c32, c33}}
	for i := range acc {
		ci := c[i*ldc : i*ldc+4 : i*ldc+4]
		if beta == 0 {
			for j := range ci {
				ci[j] = alpha * acc[i][j]
			}
		} else {
			// alpha*s is rounded before the add, as on the assembly
			// levels (the conversion keeps arm64 from fusing it): so
			// with beta = 1, adding a depth block is fl(C + fl(alpha*s)),
			// which blas's split of a product along k relies on.
			for j := range ci {
				ci[j] = float32(alpha*acc[i][j]) + beta*ci[j]
			}
		}
	}
}
