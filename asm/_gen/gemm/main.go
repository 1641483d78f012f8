// Command gemm writes asm/gemm_amd64.s: the x86 SGEMM microkernels of
// nnrt, one per (level, tile), obeying the contract in asm/gemm.go.
//
// Each kernel keeps an MR×NR tile of C in MR*V vector accumulators (V =
// NR/W vectors of W floats per row), and per step p loads the V vectors of
// B's row p and broadcasts each of the MR values of A's column p, then
// does MR*V FMAs. A is addressed with two strides (rsa between steps, csa
// between rows) so one kernel serves packed and in-place panels: row i of
// A is base[i/3] + (i%3)*csa, with ceil(MR/3) base registers stepped by
// rsa; where both operands are packed, the kernels with unroll set also
// have loops at constant displacements (see packedModes). Each step also
// prefetches B's row 8 steps ahead into L1 (a packed
// panel's next KiB, or 8 rows of an operand read in place): paired runs in
// one process, on 1024^3, 2048^3 and 784x300x256, were 2-4% faster with it
// on both levels and no product slower; on the nine products of a batch-32
// training step (one thread, five alternated rounds, medians), the
// avx512 kernels without it ran at 0.94x (geometric mean), and with a
// prefetch of A's step 8 steps ahead added, at 0.91x. The tile is then
// scaled by alpha and, unless beta is 0 (then C is not read), added to
// beta*C with one FMA per vector. With alpha 1 (a training step's
// products) the multiplies are skipped, which keeps the bits (x*1 is x):
// in paired runs of the 12x32 row kernel, three tiles, beta 0, 0.94-0.95
// of the time at depth 10, 0.97-0.99 at depths 32 and 100.
//
// Usage (from asm/_gen): go run ./gemm > ../gemm_amd64.s and
// go run ./gemm -neon > ../gemm_arm64.s; -sweep adds the candidate AVX-512
// tiles compared by BenchmarkGemmKernel (see asm/gemm.go).
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

type kernel struct {
	name  string
	zmm   bool // AVX-512 (32 ZMM registers) or AVX2 (16 YMM)
	mr, v int  // tile rows, vectors per row
	bcst  bool // FMA with an embedded broadcast of A (no broadcast register)
	// row: the kernel computes np tiles side by side (Gemm.KernelRow):
	// the B panel of tile q starts q*bstep floats after b, its C tile
	// q*NR columns right of c; the same A panel serves all of them.
	row bool
	// edge: the kernel stores only the first rows rows and the columns set
	// in mask of its tile (Gemm.KernelEdge), with masked loads and stores
	// of C, which do not touch the memory of the masked-out elements. On
	// AVX-512 it loads B with the same mask, so B's row may end at the
	// last column in mask (the operand read in place, unpadded); the
	// masked-out lanes are zero, and are never stored. On AVX2 (no spare
	// registers for masks in the loop) it reads B's whole padded rows.
	edge bool
	// gather: a row kernel whose steps are a subset of B's rows: step t
	// reads the row off[t] floats into B's panel (Gemm.KernelGather)
	// instead of the row after the last; A's steps are as packed.
	gather bool
	// unroll > 1 (a power of 2): the kernel has packedModes' loops.
	unroll int
	// panelMR, when not 0, is the rows of the column panels the kernel
	// reads (the level's MR, for the kernels of fewer rows); else mr.
	panelMR int
}

func (k kernel) panelRows() int {
	if k.panelMR > 0 {
		return k.panelMR
	}
	return k.mr
}

// addrMode is how a kernel's loop addresses its operands.
type addrMode int

// packedModes: the loops of a kernel with unroll > 1 for packed panels,
// where both operands' steps are constant: B's rows the tile's width
// apart (rsb = NR) and A in row panels (rsa = 1) or column panels
// (rsa = MR, csa = 1). They run unroll steps an iteration at constant
// displacements and step the pointers once an iteration, which cuts the
// loop's integer work (5 adds and a decrement a step of 12x32, which
// compete with the FMAs for their ports) to an add a pointer and a
// decrement per unroll steps.
const (
	generic   addrMode = iota // any strides; the pointers stepped every step
	rowPanels                 // rsa = 1, rsb = NR
	colPanels                 // csa = 1, rsa = MR, rsb = NR
)

func log2(n int) int {
	l := 0
	for ; n > 1; n >>= 1 {
		l++
	}
	return l
}

func (k kernel) w() int { return map[bool]int{true: 16, false: 8}[k.zmm] }
func (k kernel) reg(i int) string {
	if k.zmm {
		return fmt.Sprintf("Z%d", i)
	}
	return fmt.Sprintf("Y%d", i)
}

// frame is the argument layout of func(k int, alpha float32, a []float32,
// rsa, csa int, b []float32, rsb int, beta float32, c []float32, ldc int),
// and of the row kernels' func(k int, alpha float32, a []float32, rsa, csa
// int, b []float32, rsb, bstep int, beta float32, c []float32, ldc, np int,
// pf uintptr, pfStride, pfRows, pfLines int).
type frame struct {
	size                    int
	bstep, beta, c, ldc, np int // offsets
	pf, rows, mask          int
}

var (
	tileFrame = frame{size: 128, beta: 88, c: 96, ldc: 120}
	rowFrame  = frame{size: 176, bstep: 88, beta: 96, c: 104, ldc: 128, np: 136, pf: 144}
	// func(k int, alpha float32, a []float32, rsa, csa int, b []float32,
	// off []int32, bstep int, beta float32, c []float32, ldc, np int)
	gatherFrame = frame{size: 160, bstep: 104, beta: 112, c: 120, ldc: 144, np: 152}
	// func(k int, alpha float32, a []float32, rsa, csa int, b []float32,
	// rsb int, beta float32, c []float32, ldc, rows int, mask uint32)
	edgeFrame = frame{size: 140, beta: 88, c: 96, ldc: 120, rows: 128, mask: 136}
)

var bases = []string{"AX", "BX", "R9", "R10", "R11"}

func (k kernel) aAddr(i int) string { return strided(bases, "R8", i) }

// strided is the address of element i of a row read with a stride held
// in register stride (in bytes): element i is base[i/3] + (i%3)*stride,
// with bases[j] = bases[0] + 3j*stride, since an x86 address scales its
// index by at most 8 and the kernels keep the stride unscaled.
func strided(bases []string, stride string, i int) string {
	b := bases[i/3]
	switch i % 3 {
	case 0:
		return "(" + b + ")"
	case 1:
		return "(" + b + ")(" + stride + "*1)"
	}
	return "(" + b + ")(" + stride + "*2)"
}

func (k kernel) gen(w io.Writer) {
	p := func(format string, a ...any) { fmt.Fprintf(w, "\t"+format+"\n", a...) }
	label := func(l string) { fmt.Fprintf(w, "%s_%s:\n", k.name, l) }
	acc := func(i, v int) string { return k.reg(i*k.v + v) }
	bReg := func(v int) string { return k.reg(k.mr*k.v + v) }
	nregs := map[bool]int{true: 32, false: 16}[k.zmm]
	firstTmp := k.mr*k.v + k.v
	ntmp := nregs - firstTmp
	if !k.bcst && ntmp < 1 || ntmp < 0 {
		panic("too many registers: " + k.name)
	}
	nb := (k.mr + 2) / 3
	f := tileFrame
	if k.edge {
		f = edgeFrame
		if k.v > 2 || nb > 4 || !k.zmm && k.mr*k.v+k.v+2 > nregs {
			panic("edge kernels are tiles of at most 12 rows and 2 vectors, with two registers spare on AVX2: " + k.name)
		}
		fmt.Fprintf(w, "// func %s(k int, alpha float32, a []float32, rsa, csa int, b []float32, rsb int, beta float32, c []float32, ldc, rows int, mask uint32)\n", k.name)
		fmt.Fprintf(w, "// %s: the %dx%d tile, of which it stores rows < rows and the columns in mask (Gemm.KernelEdge).\n", k.name, k.mr, k.v*k.w())
	} else if k.gather {
		f = gatherFrame
		fmt.Fprintf(w, "// func %s(k int, alpha float32, a []float32, rsa, csa int, b []float32, off []int32, bstep int, beta float32, c []float32, ldc, np int)\n", k.name)
		fmt.Fprintf(w, "// %s: np %dx%d tiles side by side on one A panel, step t on B's row off[t] floats into the panel (Gemm.KernelGather).\n", k.name, k.mr, k.v*k.w())
	} else if k.row {
		f = rowFrame
		if nb > 4 {
			panic("row kernel needs R11 for its tile count: " + k.name)
		}
		fmt.Fprintf(w, "// func %s(k int, alpha float32, a []float32, rsa, csa int, b []float32, rsb, bstep int, beta float32, c []float32, ldc, np int, pf uintptr, pfStride, pfRows, pfLines int)\n", k.name)
		fmt.Fprintf(w, "// %s: np %dx%d tiles side by side on one A panel (Gemm.KernelRow, Gemm.KernelRowPrefetch).\n", k.name, k.mr, k.v*k.w())
	} else {
		fmt.Fprintf(w, "// func %s(k int, alpha float32, a []float32, rsa, csa int, b []float32, rsb int, beta float32, c []float32, ldc int)\n", k.name)
	}
	fmt.Fprintf(w, "// %s %dx%d: %d accumulators, %d loads of B and %d broadcasts of A per step.\n",
		map[bool]string{true: "AVX-512", false: "AVX2+FMA"}[k.zmm], k.mr, k.v*k.w(), k.mr*k.v, k.v, k.mr)
	fmt.Fprintf(w, "TEXT ·%s(SB), NOSPLIT, $0-%d\n", k.name, f.size)
	p("MOVQ rsa+40(FP), R12")
	p("SHLQ $2, R12")
	p("MOVQ csa+48(FP), R8")
	p("SHLQ $2, R8")
	if !k.gather {
		p("MOVQ rsb+80(FP), DX")
		p("SHLQ $2, DX")
	}
	p("MOVQ ldc+%d(FP), R13", f.ldc)
	p("SHLQ $2, R13")
	if k.edge && k.zmm {
		// The column mask, for the loads of B and the stores of C: K1 for
		// the first vector of a row, K2 for the second.
		p("MOVL mask+%d(FP), R14", f.mask)
		p("KMOVW R14, K1")
		if k.v == 2 {
			p("SHRL $16, R14")
			p("KMOVW R14, K2")
		}
	}
	if k.row || k.gather {
		p("MOVQ np+%d(FP), R11", f.np)
		p("TESTQ R11, R11")
		p("JEQ %s_done", k.name)
		label("tile")
	}
	p("MOVQ k+0(FP), CX")
	p("MOVQ a_base+16(FP), AX")
	p("MOVQ b_base+56(FP), SI")
	p("MOVQ c_base+%d(FP), DI", f.c)
	// setBases sets the bases of A's rows from AX (see strided).
	setBases := func() {
		for j := 1; j < nb; j++ {
			p("LEAQ (%s)(R8*2), %s", bases[j-1], bases[j])
			p("ADDQ R8, %s", bases[j])
		}
	}
	setBases()
	// Warm C's tile into L1 while the loop runs. (Paired runs of the 12x32
	// row kernel at depth 10, three tiles, C's rows 400 bytes apart: without
	// these, 0.96 of the time with C in L1 but 1.33 with C out of it; with a
	// third line a row, the one a row not aligned to 64 bytes ends in,
	// 1.02-1.04.) The AVX-512 kernels with packed loops warm it lateC
	// steps before the loop ends when the depth allows (see
	// prefetchCLate), and here only below that depth.
	if k.lateC() {
		p("CMPQ CX, $%d", lateC)
		p("JAE %s_cearly", k.name)
	}
	p("MOVQ DI, R14")
	for i := 0; i < k.mr; i++ {
		for off := 0; off < k.v*k.w()*4; off += 64 {
			p("PREFETCHT0 %d(R14)", off)
		}
		if i < k.mr-1 {
			p("ADDQ R13, R14")
		}
	}
	if k.lateC() {
		label("cearly")
	}
	for i := 0; i < k.mr*k.v; i++ {
		p("VXORPS %s, %s, %s", k.reg(i), k.reg(i), k.reg(i))
	}
	bRow := "(SI)"
	if k.gather {
		// R14: the B panel; DX: the offsets, SI: the step's.
		p("MOVQ SI, R14")
		p("MOVQ off_base+80(FP), DX")
		bRow = "(R14)(SI*4)"
	}
	p("TESTQ CX, CX")
	p("JEQ %s_store", k.name)
	// step writes step u of a loop iteration in addressing mode m: the
	// prefetch, B's row, the broadcasts of A's column and the FMAs. In
	// the generic mode (u = 0) it then moves B's pointer to the next row;
	// the packed modes address step u at constant displacements (see
	// packedModes) and leave the pointers to the iteration's end.
	bw := k.v * k.w() * 4 // bytes of B's row
	step := func(m addrMode, u int) {
		// B's row 8 steps ahead (a prefetch does not fault past the end of
		// B; the gather kernels read the offset 8 entries on, which off
		// holds).
		if k.gather {
			p("MOVLQSX 32(DX), SI")
		}
		for off := 0; off < bw; off += 64 {
			switch {
			case k.gather:
				p("PREFETCHT0 %d(R14)(SI*4)", off)
			case m == generic:
				p("PREFETCHT0 %d(SI)(DX*8)", off)
			default:
				p("PREFETCHT0 %d(SI)", (8+u)*bw+off)
			}
		}
		if k.gather {
			p("MOVLQSX (DX), SI")
		}
		for v := 0; v < k.v; v++ {
			if k.edge && k.zmm {
				p("VMOVUPS.Z %d(SI), K%d, %s", u*bw+v*k.w()*4, v+1, bReg(v))
				continue
			}
			p("VMOVUPS %d%s, %s", u*bw+v*k.w()*4, bRow, bReg(v))
		}
		for i := 0; i < k.mr; i++ {
			var a string
			switch m {
			case generic:
				a = k.aAddr(i)
			case rowPanels:
				a = fmt.Sprintf("%d%s", 4*u, k.aAddr(i))
			case colPanels:
				a = fmt.Sprintf("%d(AX)", 4*(u*k.panelRows()+i))
			}
			if k.bcst {
				for v := 0; v < k.v; v++ {
					p("VFMADD231PS.BCST %s, %s, %s", a, bReg(v), acc(i, v))
				}
				continue
			}
			t := k.reg(firstTmp + i%ntmp)
			p("VBROADCASTSS %s, %s", a, t)
			for v := 0; v < k.v; v++ {
				p("VFMADD231PS %s, %s, %s", bReg(v), t, acc(i, v))
			}
		}
		if m != generic {
			return
		}
		for j := 0; j < nb; j++ {
			p("ADDQ R12, %s", bases[j])
		}
		if k.gather {
			p("ADDQ $4, DX")
		} else {
			p("ADDQ DX, SI")
		}
	}
	if k.unroll > 1 {
		if k.gather || k.edge {
			panic("packed loops are for the wide and partial-row kernels: " + k.name)
		}
		// The packed panels' loops (see packedModes): B packed (rsb = the
		// tile's width) and A in row or column panels; R15 counts the
		// iterations of unroll steps, CX the steps left for the generic
		// loop.
		p("CMPQ DX, $%d", bw)
		p("JNE %s_loop", k.name)
		p("MOVQ CX, R15")
		p("SHRQ $%d, R15", log2(k.unroll))
		p("JEQ %s_loop", k.name)
		p("CMPQ R12, $4")
		p("JEQ %s_rows", k.name)
		p("CMPQ R8, $4")
		p("JNE %s_loop", k.name)
		p("CMPQ R12, $%d", 4*k.panelRows())
		p("JNE %s_loop", k.name)
		for _, m := range []addrMode{colPanels, rowPanels} {
			name := map[addrMode]string{rowPanels: "rows", colPanels: "cols"}[m]
			if m == rowPanels {
				label(name)
			}
			p("ANDQ $%d, CX", k.unroll-1)
			if k.row {
				prefetchRowStart(p, label, k.name, name, f)
			}
			label(name + "_loop")
			if k.row {
				prefetchRowLine(p, label, k.name, name)
			}
			if k.lateC() {
				k.prefetchCLate(p, label, f, "R15", lateC/k.unroll, name+"_c")
			}
			for u := 0; u < k.unroll; u++ {
				step(m, u)
			}
			if m == rowPanels {
				for j := 0; j < nb; j++ {
					p("ADDQ $%d, %s", 4*k.unroll, bases[j])
				}
			} else {
				p("ADDQ $%d, AX", 4*k.unroll*k.panelRows())
			}
			p("ADDQ $%d, SI", k.unroll*bw)
			p("DECQ R15")
			p("JNE %s_%s_loop", k.name, name)
			if k.row {
				p("MOVQ $%d, DX", bw) // B's row stride again, for the generic loop
			}
			if m == colPanels {
				// The generic loop steps all the bases.
				setBases()
			}
			p("TESTQ CX, CX")
			p("JNE %s_loop", k.name)
			p("JMP %s_store", k.name)
		}
	}
	label("loop")
	if k.lateC() {
		k.prefetchCLate(p, label, f, "CX", lateC, "c")
	}
	step(generic, 0)
	p("DECQ CX")
	p("JNE %s_loop", k.name)

	label("store")
	alpha := bReg(0)
	beta := bReg(1 % k.v)
	if k.v == 1 {
		beta = k.reg(firstTmp)
	}
	if k.edge && k.zmm {
		k.genEdgeStore(p, label, f, alpha, beta, nregs)
		fmt.Fprintln(w)
		return
	}
	if k.edge {
		k.genEdgeStoreAVX2(p, label, f, alpha, beta, nregs)
		fmt.Fprintln(w)
		return
	}
	// end closes a store path: return, or move on to the next tile.
	end := func() {
		if k.row || k.gather {
			p("JMP %s_next", k.name)
			return
		}
		p("VZEROUPPER")
		p("RET")
	}
	// Four store paths: alpha 1 or not (see scaleByAlpha; here each
	// multiply sits beside its store, which a tile of small depth takes
	// 0.95 of the time of the multiplies first), beta 0 or not.
	p("CMPL alpha+8(FP), $0x3f800000")
	p("JNE %s_scaled", k.name)
	for _, scaled := range []bool{false, true} {
		pre := ""
		if scaled {
			pre = "scaled_"
			label("scaled")
			p("VBROADCASTSS alpha+8(FP), %s", alpha)
		}
		p("MOVL beta+%d(FP), R14", f.beta)
		p("SHLL $1, R14") // drop the sign: -0 is 0
		p("JEQ %s_%sbeta0", k.name, pre)
		p("VBROADCASTSS beta+%d(FP), %s", f.beta, beta)
		for _, withBeta := range []bool{true, false} {
			if !withBeta {
				label(pre + "beta0")
			}
			for i := 0; i < k.mr; i++ {
				for v := 0; v < k.v; v++ {
					if scaled {
						p("VMULPS %s, %s, %s", alpha, acc(i, v), acc(i, v))
					}
					if withBeta {
						p("VFMADD231PS %d(DI), %s, %s", v*k.w()*4, beta, acc(i, v))
					}
					p("VMOVUPS %s, %d(DI)", acc(i, v), v*k.w()*4)
				}
				if i < k.mr-1 {
					p("ADDQ R13, DI")
				}
			}
			end()
		}
	}
	if k.row || k.gather {
		// The next tile: B's panel bstep floats on, C's tile NR columns right.
		label("next")
		p("MOVQ bstep+%d(FP), R14", f.bstep)
		p("SHLQ $2, R14")
		p("ADDQ R14, b_base+56(FP)")
		p("ADDQ $%d, c_base+%d(FP)", k.v*k.w()*4, f.c)
		p("DECQ R11")
		p("JNE %s_tile", k.name)
		label("done")
		p("VZEROUPPER")
		p("RET")
	}
	fmt.Fprintln(w)
}

// lateC is how many steps before a tile's loop ends the kernels with
// packed loops warm C's tile into L1, where a tile of at least that depth
// does not at its start: the lines then arrive while the last steps run
// and are still in L1 for the stores, where warmed at the start they
// left it with the B rows that streamed through since, and their misses
// to memory, all at once, held the fill buffers that those loads of B
// needed. The 12x32 row kernel over 170 packed panels of depth 342, C
// 2048 wide: 1.1-1.4% faster with C in cache, 1.5-1.9% with C out of it
// (24 or 32 iterations of four steps before the end; 4: 0.7% slower);
// the products NN 2048^3 0.991, 1024^3 0.994-0.997, 256x300x784
// 0.989-0.993 of the time. The AVX2 kernels keep C's warming at the
// start: 96 of their steps are half the time, and the products ran at
// 0.994-1.004 of it.
const lateC = 96

// lateC reports whether k warms C late (see lateC).
func (k kernel) lateC() bool { return k.unroll > 1 && k.zmm }

// prefetchCLate warms C's tile when the loop counter ctr equals at (steps
// or iterations left), through DI, which it sets back from c_base (the
// tile's C, as the tile's start loaded it).
func (k kernel) prefetchCLate(p func(string, ...any), label func(string), f frame, ctr string, at int, name string) {
	p("CMPQ %s, $%d", ctr, at)
	p("JNE %s_%s", k.name, name)
	for i := 0; i < k.mr; i++ {
		for off := 0; off < k.v*k.w()*4; off += 64 {
			p("PREFETCHT0 %d(DI)", off)
		}
		if i < k.mr-1 {
			p("ADDQ R13, DI")
		}
	}
	if k.mr > 1 {
		p("MOVQ c_base+%d(FP), DI", f.c)
	}
	label(name)
}

// prefetchRowStart starts a row kernel's tile on its prefetch row (see
// Gemm.KernelRowPrefetch): while pfRows is not 0, the tile takes pfLines
// lines from pf, and moves pf pfStride bytes on and pfRows down for the
// next tile. R14 gets the row's address, DX its lines (0: none); the
// packed loops use neither (B's stride in DX is the constant row width
// there, set again after them). A tile that runs the generic loop leaves
// its row to the next.
func prefetchRowStart(p func(string, ...any), label func(string), name, mode string, f frame) {
	p("XORL DX, DX")
	p("CMPQ pfRows+%d(FP), $0", f.pf+16)
	p("JEQ %s_%s_pf", name, mode)
	p("DECQ pfRows+%d(FP)", f.pf+16)
	p("MOVQ pf+%d(FP), R14", f.pf)
	p("MOVQ pfStride+%d(FP), DX", f.pf+8)
	p("ADDQ DX, pf+%d(FP)", f.pf)
	p("MOVQ pfLines+%d(FP), DX", f.pf+24)
	label(mode + "_pf")
}

// prefetchRowLine prefetches the next line of the tile's prefetch row,
// one an iteration of the packed loops (four steps, 48 cycles of FMAs on
// the 12x32 tile) while lines are left: spread so, the reads from memory
// overlap the FMAs; a row at once held the line-fill buffers that the
// loads of B need (see docs/performance.md).
func prefetchRowLine(p func(string, ...any), label func(string), name, mode string) {
	p("TESTQ DX, DX")
	p("JEQ %s_%s_pfdone", name, mode)
	p("PREFETCHT0 (R14)")
	p("ADDQ $64, R14")
	p("DECQ DX")
	label(mode + "_pfdone")
}

// genEdgeStore writes an edge kernel's store: alpha (and beta) as the full
// kernel applies them, then rows rows of masked stores (with the masks K1
// and K2 that gen set).
func (k kernel) genEdgeStore(p func(string, ...any), label func(string), f frame, alpha, beta string, nregs int) {
	acc := func(i, v int) string { return k.reg(i*k.v + v) }
	tmp := k.reg(nregs - 1)
	p("MOVQ rows+%d(FP), R11", f.rows)
	p("TESTQ R11, R11")
	p("JEQ %s_done", k.name)
	k.scaleTile(p, label, alpha)
	p("MOVL beta+%d(FP), R14", f.beta)
	p("SHLL $1, R14") // drop the sign: -0 is 0
	p("JEQ %s_beta0", k.name)
	p("VBROADCASTSS beta+%d(FP), %s", f.beta, beta)
	rows := func(withBeta bool) {
		for i := 0; i < k.mr; i++ {
			for v := 0; v < k.v; v++ {
				mask := fmt.Sprintf("K%d", v+1)
				if withBeta {
					p("VMOVUPS.Z %d(DI), %s, %s", v*k.w()*4, mask, tmp)
					p("VFMADD231PS %s, %s, %s", tmp, beta, acc(i, v))
				}
				p("VMOVUPS %s, %s, %d(DI)", acc(i, v), mask, v*k.w()*4)
			}
			k.nextEdgeRow(p, i)
		}
		p("JMP %s_done", k.name)
	}
	rows(true)
	label("beta0")
	rows(false)
	label("done")
	p("VZEROUPPER")
	p("RET")
}

// scaleTile writes the scaling of an edge kernel's whole tile by alpha
// (see scaleByAlpha), with alpha's register.
func (k kernel) scaleTile(p func(string, ...any), label func(string), alpha string) {
	accs := make([]string, k.mr*k.v)
	for i := range accs {
		accs[i] = k.reg(i)
	}
	scaleByAlpha(p, label, k.name, alpha, accs)
}

// scaleByAlpha writes the scaling of accumulators accs by alpha (broadcast
// into register reg) in kernel name, before the stores: skipped when alpha
// is 1, the case of a training step's products, since x*1 is x bit for
// bit and the multiplies take a vector port each, which the FMAs of the
// next tile need.
func scaleByAlpha(p func(string, ...any), label func(string), name, reg string, accs []string) {
	p("CMPL alpha+8(FP), $0x3f800000")
	p("JEQ %s_scaled", name)
	p("VBROADCASTSS alpha+8(FP), %s", reg)
	for _, acc := range accs {
		p("VMULPS %s, %s, %s", reg, acc, acc)
	}
	label("scaled")
}

// nextEdgeRow writes an edge store's step from row i to the next: done
// when rows rows are stored (R11 counts them down), else DI to the next
// row of C.
func (k kernel) nextEdgeRow(p func(string, ...any), i int) {
	if i < k.mr-1 {
		p("DECQ R11")
		p("JEQ %s_done", k.name)
		p("ADDQ R13, DI")
	}
}

// genEdgeStoreAVX2 writes an AVX2 edge kernel's store: alpha (and beta)
// as the full kernel applies them, then rows rows of stores of the
// columns in mask. A row's first vector is stored whole when the mask
// covers it, else masked (VMASKMOVPS, with the mask as a vector made from
// the bits, see laneBits), and then its second is not stored; a second
// vector is stored masked. One mask vector serves a call, so the two
// registers left after the loop's (alpha and beta take the B vectors')
// hold it and the loads of C (the tile leaves them free: see gen's check).
func (k kernel) genEdgeStoreAVX2(p func(string, ...any), label func(string), f frame, alpha, beta string, nregs int) {
	acc := func(i, v int) string { return k.reg(i*k.v + v) }
	mask, tmp := k.reg(nregs-2), k.reg(nregs-1)
	p("MOVQ rows+%d(FP), R11", f.rows)
	p("TESTQ R11, R11")
	p("JEQ %s_done", k.name)
	k.scaleTile(p, label, alpha)
	p("VBROADCASTSS beta+%d(FP), %s", f.beta, beta)
	// full: the column mask covers the first vector (and the second is
	// masked); else the first is masked and the second not stored.
	p("MOVL mask+%d(FP), R14", f.mask)
	bits := "laneBits<>+0(SB)"
	if k.v == 2 {
		p("CMPL R14, $0xff")
		p("JLS %s_low", k.name)
		bits = "laneBits<>+32(SB)" // lanes 8-15's bits, for the second vector
	}
	makeMask := func(bits string) {
		p("VMOVD R14, %s", k.xreg(mask))
		p("VPBROADCASTD %s, %s", k.xreg(mask), mask)
		p("VPAND %s, %s, %s", bits, mask, mask)
		p("VPCMPEQD %s, %s, %s", bits, mask, mask)
	}
	// rows writes the stores of rows rows, each vector whole or masked
	// (or skipped), with beta or without, ending at _done.
	rows := func(name string, whole, masked []int) {
		for _, withBeta := range []bool{true, false} {
			if withBeta {
				p("MOVL beta+%d(FP), R12", f.beta)
				p("SHLL $1, R12") // drop the sign: -0 is 0
				p("JEQ %s_%s_beta0", k.name, name)
			} else {
				label(name + "_beta0")
			}
			for i := 0; i < k.mr; i++ {
				for _, v := range whole {
					if withBeta {
						p("VFMADD231PS %d(DI), %s, %s", v*k.w()*4, beta, acc(i, v))
					}
					p("VMOVUPS %s, %d(DI)", acc(i, v), v*k.w()*4)
				}
				for _, v := range masked {
					if withBeta {
						p("VMASKMOVPS %d(DI), %s, %s", v*k.w()*4, mask, tmp)
						p("VFMADD231PS %s, %s, %s", tmp, beta, acc(i, v))
					}
					p("VMASKMOVPS %s, %s, %d(DI)", acc(i, v), mask, v*k.w()*4)
				}
				k.nextEdgeRow(p, i)
			}
			p("JMP %s_done", k.name)
		}
	}
	if k.v == 2 {
		makeMask(bits)
		rows("full", []int{0}, []int{1})
		label("low")
	}
	makeMask("laneBits<>+0(SB)")
	rows("part", nil, []int{0})
	label("done")
	p("VZEROUPPER")
	p("RET")
}

// xreg is the XMM register under vector register r.
func (k kernel) xreg(r string) string { return "X" + r[1:] }

func main() {
	sweep := flag.Bool("sweep", false, "also emit the candidate tiles of the AVX-512 sweep")
	neon := flag.Bool("neon", false, "write the arm64 kernels instead")
	flag.Parse()
	if *neon {
		var sb strings.Builder
		sb.WriteString("// Code generated by asm/_gen/gemm -neon; DO NOT EDIT.\n\n//go:build !purego\n\n#include \"textflag.h\"\n\n")
		genNEON(&sb)
		os.Stdout.WriteString(sb.String())
		return
	}
	ks := []kernel{
		{name: "gemmAVX2_6x16", mr: 6, v: 2, unroll: 4},
		{name: "gemmAVX512_12x32", zmm: true, mr: 12, v: 2, unroll: 4},
		// The narrow kernels (one vector per row) for the last column
		// panel of C when it is at most half the tile wide: same per-element
		// operations as the wide ones, so the same bits, at half the work.
		// No packed loops: they and the edge kernels read a packed panel
		// of the wide kernel's width, and with loops for that the products
		// whose last panel they take (NN and NT 256x300x784, 1000x300x1000)
		// ran no faster (paired in one process: 1.00-1.01 of the time).
		{name: "gemmAVX2_6x8", mr: 6, v: 1},
		{name: "gemmAVX512_12x16", zmm: true, mr: 12, v: 1},
		// Row kernels: the wide tiles of a row of C in one call, which
		// saves a call and its argument checks per tile (a tile of depth
		// 32 takes only some 200 ns).
		{name: "gemmAVX2_6x16_row", mr: 6, v: 2, row: true, unroll: 4},
		{name: "gemmAVX512_12x32_row", zmm: true, mr: 12, v: 2, row: true, unroll: 4},
		// The gather kernel: the row kernel on the steps where A's panel
		// is not all zeros (see Gemm.KernelGather).
		{name: "gemmAVX512_12x32_gather", zmm: true, mr: 12, v: 2, gather: true},
		// Edge kernels: the tiles that C's edges cut, written straight
		// into C with masked stores instead of through a scratch tile.
		{name: "gemmAVX512_12x32_edge", zmm: true, mr: 12, v: 2, edge: true},
		{name: "gemmAVX512_12x16_edge", zmm: true, mr: 12, v: 1, edge: true},
		{name: "gemmAVX2_6x16_edge", mr: 6, v: 2, edge: true},
		{name: "gemmAVX2_6x8_edge", mr: 6, v: 1, edge: true},
	}
	// Row kernels of fewer rows, for the last row panel of a product
	// whose m is not a multiple of MR (32 = 12+12+8 at batch 32): they
	// compute only the rows that exist, where the whole tile would
	// compute MR.
	for r := 1; r < 12; r++ {
		ks = append(ks, kernel{name: fmt.Sprintf("gemmAVX512_%dx32_row", r), zmm: true, mr: r, v: 2, row: true, unroll: 4, panelMR: 12})
	}
	for r := 1; r < 6; r++ {
		ks = append(ks, kernel{name: fmt.Sprintf("gemmAVX2_%dx16_row", r), mr: r, v: 2, row: true, unroll: 4, panelMR: 6})
	}
	if *sweep {
		ks = append(ks,
			kernel{name: "gemmAVX512_12x32b", zmm: true, mr: 12, v: 2, bcst: true},
			kernel{name: "gemmAVX512_14x32", zmm: true, mr: 14, v: 2},
			kernel{name: "gemmAVX512_14x32b", zmm: true, mr: 14, v: 2, bcst: true},
			kernel{name: "gemmAVX512_8x48", zmm: true, mr: 8, v: 3},
			kernel{name: "gemmAVX512_6x64", zmm: true, mr: 6, v: 4},
			kernel{name: "gemmAVX512_7x64b", zmm: true, mr: 7, v: 4, bcst: true},
		)
	}
	var sb strings.Builder
	sb.WriteString("// Code generated by asm/_gen/gemm; DO NOT EDIT.\n\n//go:build !purego\n\n#include \"textflag.h\"\n\n")
	genLaneBits(&sb)
	for _, k := range ks {
		k.gen(&sb)
	}
	genPackT8(&sb)
	genPackT8AVX512(&sb)
	genPackTEdge(&sb)
	genPackT4(&sb)
	genPackTGather(&sb)
	genPackRows(&sb)
	genPackRowsAVX2(&sb)
	genTall(&sb)
	genFMALoops(&sb)
	os.Stdout.WriteString(sb.String())
}
