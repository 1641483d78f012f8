// Command arm64 generates asm/bnorm_arm64.s, the NEON kernels of batch
// normalization (semantics in asm/bnorm.go). Run from asm/_gen (needs
// binutils-aarch64-linux-gnu):
//
//	go run ./bnorm/arm64 -out ../bnorm_arm64.s
//
// Every kernel does the float32 operations of the generic loop, unfused
// (FSUB, FMUL, FADD, never FMLA) and in its order, so that NEON gives the
// generic level's bits. The column sums run over blocks of 16, then 4
// columns (one accumulator a vector, the lanes being columns), then single
// columns, down the rows in order. The per-element passes run a row at a
// time, 16, 4 then 1 element at a time, the per-column operands' cursors
// restarting with each row.
package main

import (
	"flag"
	"fmt"
	"log"
	"strings"

	"github.com/nnrt/nnrt/asm/_gen/act/neon"
)

// width is how many columns a step handles: 16 (four vectors), 4 (one
// vector) or 1 (lane 0, for the tails: FMOVS loads and stores one float,
// so nothing outside the slices is touched).
type width int

func (w width) vecs() int {
	if w == 1 {
		return 1
	}
	return int(w) / 4
}

// next is the width of the step after w's.
func (w width) next() width { return max(w/4, 1) }

func (w width) bytes() int { return 4 * int(w) }

// reg names the i-th register of a group starting at v<r>: a vector, or
// the scalar of lane 0 in the tails.
func (w width) reg(r, i int) string {
	if w == 1 {
		return fmt.Sprintf("s%d", r+i)
	}
	return fmt.Sprintf("v%d.4s", r+i)
}

func (w width) list(r int) string {
	var s []string
	for i := 0; i < w.vecs(); i++ {
		s = append(s, fmt.Sprintf("V%d.S4", r+i))
	}
	return "[" + strings.Join(s, ", ") + "]"
}

// gen wraps a File with the loads, stores and lane-wise operations of a
// step of width w.
type gen struct {
	f *neon.File
	w width
}

// ld loads the group v<r> from (Rp), stepping Rp past it.
func (g gen) ld(p, r int) {
	if g.w == 1 {
		g.f.G("FMOVS.P 4(R%d), F%d", p, r)
		return
	}
	g.f.G("VLD1.P %d(R%d), %s", g.w.bytes(), p, g.w.list(r))
}

// ldRow loads the group v<r> from (Rp) and steps Rp a row (Rs bytes) on.
func (g gen) ldRow(p, s, r int) {
	if g.w == 1 {
		g.f.G("FMOVS (R%d), F%d", p, r)
		g.f.G("ADD R%d, R%d", s, p)
		return
	}
	g.f.G("VLD1.P (R%d)(R%d), %s", p, s, g.w.list(r))
}

// st stores the group v<r> to (Rp), stepping Rp past it.
func (g gen) st(p, r int) {
	if g.w == 1 {
		g.f.G("FMOVS.P F%d, 4(R%d)", r, p)
		return
	}
	g.f.G("VST1.P %s, %d(R%d)", g.w.list(r), g.w.bytes(), p)
}

// op emits d = a op b for each register of the groups.
func (g gen) op(op string, d, a, b int) {
	for i := 0; i < g.w.vecs(); i++ {
		g.f.V("%s %s, %s, %s", op, g.w.reg(d, i), g.w.reg(a, i), g.w.reg(b, i))
	}
}

// zero clears the group v<r> (the whole registers, also in the tails).
func (g gen) zero(r int) {
	for i := 0; i < g.w.vecs(); i++ {
		g.f.V("movi v%d.4s, #0", r+i)
	}
}

// colSums emits the column loop of a column-sum kernel: R1 columns left,
// R3 the end of x, R5 a row of x in bytes. For each block, start resets
// the accumulators, row adds one row to them and store writes them out;
// next steps the column cursors past the block.
func colSums(f *neon.File, name string, start, row, store, next func(g gen)) {
	L := func(s string) string { return name + "_" + s }
	for _, w := range []width{16, 4, 1} {
		g := gen{f, w}
		s := fmt.Sprintf("%d", w)
		f.Raw("%s:", L("block"+s))
		f.G("CMP $%d, R1", w)
		if w == 1 {
			f.G("BLT %s", L("done"))
		} else {
			f.G("BLT %s", L("block"+fmt.Sprint(w.next())))
		}
		start(g)
		// R8 walks down the rows: x+off+r*stride < end exactly for the
		// rows of the batch (off < stride), and is already past an empty x.
		f.Raw("%s:", L("rows"+s))
		f.G("CMP R3, R8")
		f.G("BHS %s", L("store"+s))
		row(g)
		f.G("B %s", L("rows"+s))
		f.Raw("%s:", L("store"+s))
		store(g)
		next(g)
		f.G("SUB $%d, R1", w)
		f.G("B %s", L("block"+s))
	}
	f.Raw("%s:", L("done"))
	f.G("RET")
}

// Registers: R0 dst, R1 columns left, R2 x at the block's column, R3 end
// of x, R4 c, R5 row stride, R8 row cursor; v0-v3 sums, v4-v7 c, v8-v11 x.
func colSumsSqDev(f *neon.File) {
	const name = "colSumsSqDevNEON"
	f.Raw("")
	f.Raw("// func %s(dst, x, c []float32)", name)
	f.Raw("TEXT ·%s(SB), NOSPLIT, $0-72", name)
	f.G("MOVD dst_base+0(FP), R0")
	f.G("MOVD dst_len+8(FP), R1")
	f.G("MOVD x_base+24(FP), R2")
	f.G("MOVD x_len+32(FP), R3")
	f.G("MOVD c_base+48(FP), R4")
	f.G("ADD R3<<2, R2, R3")
	f.G("LSL $2, R1, R5")
	colSums(f, name,
		func(g gen) {
			g.ld(4, 4)
			g.zero(0)
			f.G("MOVD R2, R8")
		},
		func(g gen) {
			g.ldRow(8, 5, 8)
			g.op("fsub", 8, 8, 4) // d = x - c
			g.op("fmul", 8, 8, 8) // d*d, rounded
			g.op("fadd", 0, 0, 8) // then added
		},
		func(g gen) { g.st(0, 0) },
		func(g gen) { f.G("ADD $%d, R2", g.w.bytes()) })
}

// Registers: R0 sums, R6 dots, R1 columns left, R2 x and R7 y at the
// block's column, R3 end of x, R5 row stride, R8 R9 row cursors of x and
// y; v0-v3 sums, v4-v7 dots, v16-v19 x, v20-v23 y.
func colSumsDots(f *neon.File) {
	const name = "colSumsDotsNEON"
	f.Raw("")
	f.Raw("// func %s(sums, dots, x, y []float32)", name)
	f.Raw("TEXT ·%s(SB), NOSPLIT, $0-96", name)
	f.G("MOVD sums_base+0(FP), R0")
	f.G("MOVD sums_len+8(FP), R1")
	f.G("MOVD dots_base+24(FP), R6")
	f.G("MOVD x_base+48(FP), R2")
	f.G("MOVD x_len+56(FP), R3")
	f.G("MOVD y_base+72(FP), R7")
	f.G("ADD R3<<2, R2, R3")
	f.G("LSL $2, R1, R5")
	colSums(f, name,
		func(g gen) {
			g.zero(0)
			g.zero(4)
			f.G("MOVD R2, R8")
			f.G("MOVD R7, R9")
		},
		func(g gen) {
			g.ldRow(8, 5, 16)
			g.ldRow(9, 5, 20)
			g.op("fadd", 0, 0, 16)   // sums += x
			g.op("fmul", 16, 16, 20) // x*y, rounded
			g.op("fadd", 4, 4, 16)   // then added to dots
		},
		func(g gen) {
			g.st(0, 0)
			g.st(6, 4)
		},
		func(g gen) {
			f.G("ADD $%d, R2", g.w.bytes())
			f.G("ADD $%d, R7", g.w.bytes())
		})
}

// elementwise emits the row loop of a per-element pass: R3 elements left,
// R9 the row length, R10 the row's columns left. The row cursors go on
// from row to row; reset points the per-column cursors at their slices'
// starts for each row; step does w elements.
func elementwise(f *neon.File, name string, reset func(), step func(g gen)) {
	L := func(s string) string { return name + "_" + s }
	f.G("CBZ R9, %s", L("done")) // no columns: no rows either
	f.Raw("%s:", L("row"))
	f.G("CMP $0, R3")
	f.G("BLE %s", L("done"))
	reset()
	f.G("MOVD R9, R10")
	for _, w := range []width{16, 4, 1} {
		s := fmt.Sprintf("%d", w)
		f.Raw("%s:", L("cols"+s))
		if w == 1 {
			f.G("CBZ R10, %s", L("next"))
		} else {
			f.G("CMP $%d, R10", w)
			f.G("BLT %s", L("cols"+fmt.Sprint(w.next())))
		}
		step(gen{f, w})
		f.G("SUB $%d, R10", w)
		f.G("B %s", L("cols"+s))
	}
	f.Raw("%s:", L("next"))
	f.G("SUB R9, R3")
	f.G("B %s", L("row"))
	f.Raw("%s:", L("done"))
	f.G("RET")
}

// Registers: R0 y, R1 xhat (y's cursor when there is no xhat: its stores
// are then overwritten by y's), R2 x, R4-R7 mean, scale, gamma and beta,
// R11-R14 their cursors; v0-v3 x then h then y, v4-v19 the per-column
// operands.
func normalize(f *neon.File) {
	const name = "normalizeNEON"
	f.Raw("")
	f.Raw("// func %s(y, xhat, x, mean, scale, gamma, beta []float32)", name)
	f.Raw("TEXT ·%s(SB), NOSPLIT, $0-168", name)
	f.G("MOVD y_base+0(FP), R0")
	f.G("MOVD xhat_base+24(FP), R1")
	f.G("MOVD x_base+48(FP), R2")
	f.G("MOVD x_len+56(FP), R3")
	f.G("MOVD mean_base+72(FP), R4")
	f.G("MOVD mean_len+80(FP), R9")
	f.G("MOVD scale_base+96(FP), R5")
	f.G("MOVD gamma_base+120(FP), R6")
	f.G("MOVD beta_base+144(FP), R7")
	f.G("CBNZ R1, 2(PC)")
	f.G("MOVD R0, R1")
	elementwise(f, name,
		func() {
			f.G("MOVD R4, R11")
			f.G("MOVD R5, R12")
			f.G("MOVD R6, R13")
			f.G("MOVD R7, R14")
		},
		func(g gen) {
			// All loads of the step come before its stores: y and xhat
			// may be x.
			g.ld(2, 0)
			g.ld(11, 4)
			g.ld(12, 8)
			g.ld(13, 12)
			g.ld(14, 16)
			g.op("fsub", 0, 0, 4)  // x - mean
			g.op("fmul", 0, 0, 8)  // h = (x-mean)*scale
			g.st(1, 0)             // xhat
			g.op("fmul", 0, 0, 12) // h*gamma, rounded
			g.op("fadd", 0, 0, 16) // + beta
			g.st(0, 0)
		})
}

// Registers: R0 dx, R1 dy, R2 xhat, R4-R6 scale, meanDy and meanDyXhat,
// R11-R13 their cursors; v0-v3 dy then dx, v4-v7 meanDy, v8-v11 xhat then
// xhat*meanDyXhat, v12-v15 meanDyXhat, v16-v19 scale.
func normalizeGrad(f *neon.File) {
	const name = "normalizeGradNEON"
	f.Raw("")
	f.Raw("// func %s(dx, dy, xhat, scale, meanDy, meanDyXhat []float32)", name)
	f.Raw("TEXT ·%s(SB), NOSPLIT, $0-144", name)
	f.G("MOVD dx_base+0(FP), R0")
	f.G("MOVD dy_base+24(FP), R1")
	f.G("MOVD dy_len+32(FP), R3")
	f.G("MOVD xhat_base+48(FP), R2")
	f.G("MOVD scale_base+72(FP), R4")
	f.G("MOVD scale_len+80(FP), R9")
	f.G("MOVD meanDy_base+96(FP), R5")
	f.G("MOVD meanDyXhat_base+120(FP), R6")
	elementwise(f, name,
		func() {
			f.G("MOVD R4, R11")
			f.G("MOVD R5, R12")
			f.G("MOVD R6, R13")
		},
		func(g gen) {
			// Loads before the store: dx may be dy or xhat.
			g.ld(1, 0)
			g.ld(12, 4)
			g.ld(2, 8)
			g.ld(13, 12)
			g.ld(11, 16)
			g.op("fsub", 0, 0, 4)  // dy - meanDy
			g.op("fmul", 8, 8, 12) // xhat*meanDyXhat, rounded
			g.op("fsub", 0, 0, 8)  // (dy-meanDy) - that
			g.op("fmul", 0, 16, 0) // scale * that
			g.st(0, 0)
		})
}

func main() {
	out := flag.String("out", "", "output file")
	flag.Parse()
	f := neon.NewFile(fmt.Sprintf("go run ./bnorm/arm64 -out %s", *out))
	colSumsSqDev(f)
	colSumsDots(f)
	normalize(f)
	normalizeGrad(f)
	if err := f.Write(*out); err != nil {
		log.Fatal(err)
	}
}
