package main

import (
	"fmt"
	"io"
)

// tallNR is the widest tall tile: 2*tallNR accumulators, 2 vectors of A
// and up to 6 broadcast registers fill the 32 ZMM registers.
const tallNR = 12

// genTall writes gemmAVX512_tall1 ... gemmAVX512_tall12, Gemm.KernelTall's
// kernels: a tile of up to 32 rows and cols columns of C held transposed,
// one column of C in two ZMM accumulators (rows 0-15 and 16-31). Per step
// p they load A's 32 values a[p*lda+i] (contiguous: a transposed operand
// read in place) under the row mask, broadcast the cols values of B's row
// p, and do 2*cols FMAs (cols, in a second loop, when the tile has at
// most 16 rows); so a narrow column of C costs cols FMA pairs a step
// instead of a whole 16-wide vector per row, as the row-vector kernels
// pay. The accumulators are scaled by alpha (and added to beta*C)
// as Kernel does, so every element gets Kernel's bits, and transposed into
// C's rows on the store (see the store's comment). A tile of all 32 rows
// loads A without the row mask: a masked load takes a vector port beside
// its load, and the FMAs want both (tall10, paired runs: 0.92 of the time
// at depth 32 and 100, 0.94-0.97 at 10, with alpha 1's multiplies
// skipped).
//
// One call computes tiles tiles of rows down C (a, c stepping 32 rows), all
// whole but the last: a call per tile had cost as much as a fifth of a
// tile of depth 32 in the Go wrapper, the call and the set-up (TN
// 100x10x32, the weight gradient of the book's last layer at batch 32,
// makes four).
//
// func gemmAVX512_tallN(k int, alpha float32, a []float32, lda int,
// b []float32, rsb, csb int, beta float32, c []float32, ldc int, mask,
// pmask uint32, tiles int): mask has the rows (of 32) of the last tile to
// load and store, pmask the same rows in the layout of the paired stores
// (see genTallCols).
func genTall(w io.Writer) {
	// The scatters' row numbers: lane l of a vector of 16 floats is row l;
	// the pairs of columns that VUNPCKLPS and VUNPCKHPS interleave hold
	// rows 0, 1, 4, 5, ... and 2, 3, 6, 7, ... (a pair per 64-bit lane).
	fmt.Fprintln(w, "// The row numbers of the tall kernels' scatters: lanes, then pairs of lanes.")
	rows := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15}
	for l, r := range rows {
		fmt.Fprintf(w, "DATA tallRows<>+%d(SB)/4, $%d\n", 4*l, r)
	}
	fmt.Fprintf(w, "GLOBL tallRows<>(SB), RODATA|NOPTR, $%d\n\n", 4*len(rows))
	for cols := 1; cols <= tallNR; cols++ {
		genTallCols(w, cols)
	}
}

func genTallCols(w io.Writer, cols int) {
	name := fmt.Sprintf("gemmAVX512_tall%d", cols)
	p := func(format string, a ...any) { fmt.Fprintf(w, "\t"+format+"\n", a...) }
	label := func(l string) { fmt.Fprintf(w, "%s_%s:\n", name, l) }
	acc := func(j, v int) string { return fmt.Sprintf("Z%d", 8+2*j+v) }
	// B's value of column j: base[j/3] + (j%3)*csb, the bases stepped by rsb.
	bBases := []string{"SI", "BX", "R9", "R10"}
	nb := (cols + 2) / 3
	bAddr := func(j int) string { return strided(bBases, "R11", j) }
	fmt.Fprintf(w, "// func %s(k int, alpha float32, a []float32, lda int, b []float32, rsb, csb int, beta float32, c []float32, ldc int, mask, pmask uint32, tiles int)\n", name)
	fmt.Fprintf(w, "// %s: tiles tiles of 32 rows (the last: the rows in mask) of %d columns of C, each held transposed (Gemm.KernelTall).\n", name, cols)
	fmt.Fprintf(w, "TEXT ·%s(SB), NOSPLIT, $24-144\n", name)
	// The tiles left, and this tile's A and C, in the frame: every
	// general register serves the loop or the store.
	p("MOVQ tiles+136(FP), R12")
	p("MOVQ R12, tl-8(SP)")
	p("MOVQ a_base+16(FP), R12")
	p("MOVQ R12, ta-16(SP)")
	p("MOVQ c_base+96(FP), R12")
	p("MOVQ R12, tc-24(SP)")
	label("tile")
	// tileMask loads into R12 the rows of this tile: all 32, or arg's
	// (mask or pmask) on the last.
	tileMask := func(arg, lbl string) {
		p("MOVL $0xffffffff, R12")
		p("CMPQ tl-8(SP), $1")
		p("JNE %s_%s", name, lbl)
		p("MOVL %s, R12", arg)
		label(lbl)
	}
	p("MOVQ k+0(FP), CX")
	p("MOVQ ta-16(SP), AX")
	p("MOVQ lda+40(FP), R8")
	p("SHLQ $2, R8")
	p("MOVQ b_base+48(FP), SI")
	p("MOVQ rsb+72(FP), DX")
	p("SHLQ $2, DX")
	p("MOVQ csb+80(FP), R11")
	p("SHLQ $2, R11")
	for j := 1; j < nb; j++ {
		p("LEAQ (%s)(R11*2), %s", bBases[j-1], bBases[j])
		p("ADDQ R11, %s", bBases[j])
	}
	// K1: rows 0-15, K2: rows 16-31, for the loads of A and the stores.
	tileMask("mask+128(FP)", "loadmask")
	p("KMOVW R12, K1")
	p("SHRL $16, R12")
	p("KMOVW R12, K2")
	for j := 0; j < cols; j++ {
		for v := 0; v < 2; v++ {
			p("VXORPS %s, %s, %s", acc(j, v), acc(j, v), acc(j, v))
		}
	}
	p("TESTQ CX, CX")
	p("JEQ %s_store", name)
	// At most 16 rows (the last rows of a panel): one vector a column,
	// half the FMAs.
	p("KORTESTW K2, K2")
	p("JEQ %s_loop16", name)
	// All 32 rows (K2 whole, so K1 too): loads without a mask (a masked
	// load takes a vector port's uop beside the load, which the FMAs need).
	p("KORTESTW K2, K2")
	p("JCS %s_full", name)
	// loop writes the loop over the steps for one or two vectors a column.
	loop := func(lbl string, vecs int) {
		label(lbl)
		// A's rows 8 steps ahead: the operand that streams.
		for v := 0; v < vecs; v++ {
			p("PREFETCHT0 %d(AX)(R8*8)", 64*v)
		}
		for v := 0; v < vecs; v++ {
			if lbl == "full" {
				p("VMOVUPS %d(AX), Z%d", 64*v, v)
			} else {
				p("VMOVUPS.Z %d(AX), K%d, Z%d", 64*v, v+1, v)
			}
		}
		for j := 0; j < cols; j++ {
			t := fmt.Sprintf("Z%d", 2+j%6)
			p("VBROADCASTSS %s, %s", bAddr(j), t)
			for v := 0; v < vecs; v++ {
				p("VFMADD231PS Z%d, %s, %s", v, t, acc(j, v))
			}
		}
		p("ADDQ R8, AX")
		for j := 0; j < nb; j++ {
			p("ADDQ DX, %s", bBases[j])
		}
		p("DECQ CX")
		p("JNE %s_%s", name, lbl)
	}
	loop("loop", 2)
	p("JMP %s_store", name)
	loop("full", 2)
	p("JMP %s_store", name)
	loop("loop16", 1)

	label("store")
	// Whole groups of 4 columns are stored as rows: VUNPCKLPS/HPS and
	// VUNPCKLPD/HPD transpose each 4x4 block of the four accumulators, so
	// that 128-bit lane l of register r holds row 4l+r's 4 values, stored
	// with one 16-byte store (rotating the lanes down between rows
	// 4l+3 and 4l+4). The 1-3 columns left are scattered: a pair of them
	// interleaved into 64-bit elements, one scatter of 8 doubles per 8 rows,
	// a single one with one float per row. DI is C's first row, R14 row
	// 16, R10 a row's bytes, CX the rows to store (of 32); K4-K7 are the
	// pairs' row masks (rows 0-15 low and high, then rows 16-31) from
	// pmask.
	p("MOVQ tc-24(SP), DI")
	p("MOVQ ldc+120(FP), R10")
	p("SHLQ $2, R10")
	p("MOVQ R10, R13")
	p("SHLQ $4, R13")
	p("LEAQ (DI)(R13*1), R14")
	p("LEAQ (R10)(R10*2), R13") // 3 rows' bytes
	tileMask("mask+128(FP)", "rows")
	p("POPCNTL R12, CX")
	tileMask("pmask+132(FP)", "pairs")
	for q := 4; q < 8; q++ {
		p("KMOVB R12, K%d", q)
		if q < 7 {
			p("SHRL $8, R12")
		}
	}
	var accs []string
	for j := 0; j < cols; j++ {
		accs = append(accs, acc(j, 0), acc(j, 1))
	}
	scaleByAlpha(p, label, name, "Z0", accs)
	p("MOVL beta+88(FP), R12")
	p("SHLL $1, R12") // drop the sign: -0 is 0
	p("JEQ %s_beta0", name)
	p("VBROADCASTSS beta+88(FP), Z1")
	// quad stores columns j..j+3 of rows 16v.. (Z1 = beta when withBeta).
	quad := func(j, v int, withBeta bool, path string) {
		end := fmt.Sprintf("q%d%d%s_end", j, v, path)
		p("MOVQ CX, R11") // the rows of this half: min(rows-16v, 16)
		if v == 1 {
			p("SUBQ $16, R11")
			p("JLE %s_%s", name, end)
		} else {
			p("MOVQ $16, R8")
			p("CMPQ R11, R8")
			p("CMOVQGT R8, R11")
		}
		p("VUNPCKLPS %s, %s, Z2", acc(j+1, v), acc(j, v))
		p("VUNPCKHPS %s, %s, Z3", acc(j+1, v), acc(j, v))
		p("VUNPCKLPS %s, %s, Z4", acc(j+3, v), acc(j+2, v))
		p("VUNPCKHPS %s, %s, Z5", acc(j+3, v), acc(j+2, v))
		p("VUNPCKLPD Z4, Z2, %s", acc(j, v))
		p("VUNPCKHPD Z4, Z2, %s", acc(j+1, v))
		p("VUNPCKLPD Z5, Z3, %s", acc(j+2, v))
		p("VUNPCKHPD Z5, Z3, %s", acc(j+3, v))
		p("LEAQ %d(%s), R9", 4*j, []string{"DI", "R14"}[v])
		p("MOVQ $4, R8")
		// A whole half (16 rows, the usual case): straight-line stores,
		// lane l of each register extracted to its row (no rotations,
		// no count per row).
		p("CMPQ R11, $16")
		p("JNE %s_q%d%d%s", name, j, v, path)
		rowAddr := []string{"(R9)", "(R9)(R10*1)", "(R9)(R10*2)", "(R9)(R13*1)"}
		for l := 0; l < 4; l++ {
			for r, addr := range rowAddr {
				x := "X" + acc(j+r, v)[1:]
				switch {
				case withBeta && l == 0:
					p("VMOVAPS %s, X6", x)
				case withBeta:
					p("VEXTRACTF32X4 $%d, %s, X6", l, acc(j+r, v))
				case l == 0:
					p("VMOVUPS %s, %s", x, addr)
					continue
				default:
					p("VEXTRACTF32X4 $%d, %s, %s", l, acc(j+r, v), addr)
					continue
				}
				p("VFMADD231PS %s, X1, X6", addr)
				p("VMOVUPS X6, %s", addr)
			}
			if l < 3 {
				p("LEAQ (R9)(R10*4), R9")
			}
		}
		p("JMP %s_%s", name, end)
		label(fmt.Sprintf("q%d%d%s", j, v, path))
		for r := 0; r < 4; r++ {
			x := "X" + acc(j+r, v)[1:]
			p("DECQ R11")
			p("JS %s_%s", name, end)
			if withBeta { // beta*C + alpha*s, as Kernel: one FMA
				p("VMOVAPS %s, X6", x)
				p("VFMADD231PS (R9), X1, X6")
				p("VMOVUPS X6, (R9)")
			} else {
				p("VMOVUPS %s, (R9)", x)
			}
			p("ADDQ R10, R9")
		}
		for r := 0; r < 4; r++ {
			p("VSHUFF32X4 $0x39, %s, %s, %s", acc(j+r, v), acc(j+r, v), acc(j+r, v))
		}
		p("DECQ R8")
		p("JNE %s_q%d%d%s", name, j, v, path)
		label(end)
	}
	store := func(withBeta bool) {
		path := map[bool]string{true: "b", false: "z"}[withBeta]
		j := 0
		for ; j+4 <= cols; j += 4 {
			for v := 0; v < 2; v++ {
				quad(j, v, withBeta, path)
			}
		}
		if j < cols {
			// The scatters' offsets: Z3 those of rows 0-15 (l*ldc floats),
			// Y6 and Y7 those of the pairs' rows.
			p("MOVQ ldc+120(FP), R13")
			p("VPBROADCASTD R13, Z3")
			p("VPMULLD tallRows<>+64(SB), Y3, Y6")
			p("VPMULLD tallRows<>+96(SB), Y3, Y7")
			p("VPMULLD tallRows<>(SB), Z3, Z3")
		}
		for ; j < cols; j += 2 {
			for v := 0; v < 2; v++ {
				base := []string{"DI", "R14"}[v]
				if j+1 == cols { // the last, unpaired column
					mask := fmt.Sprintf("K%d", v+1)
					if withBeta {
						// A gather and a scatter clear the mask they use: K3 is a copy.
						p("KMOVW %s, K3", mask)
						p("VGATHERDPS %d(%s)(Z3*4), K3, Z2", 4*j, base)
						p("VFMADD231PS Z2, Z1, %s", acc(j, v))
					}
					p("KMOVW %s, K3", mask)
					p("VSCATTERDPS %s, K3, %d(%s)(Z3*4)", acc(j, v), 4*j, base)
					continue
				}
				p("VUNPCKLPS %s, %s, Z4", acc(j+1, v), acc(j, v))
				p("VUNPCKHPS %s, %s, Z5", acc(j+1, v), acc(j, v))
				for h, z := range []string{"Z4", "Z5"} {
					idx := []string{"Y6", "Y7"}[h]
					mask := fmt.Sprintf("K%d", 4+2*v+h)
					if withBeta {
						p("KMOVB %s, K3", mask)
						p("VGATHERDPD %d(%s)(%s*4), K3, Z2", 4*j, base, idx)
						p("VFMADD231PS Z2, Z1, %s", z)
					}
					p("KMOVB %s, K3", mask)
					p("VSCATTERDPD %s, K3, %d(%s)(%s*4)", z, 4*j, base, idx)
				}
			}
		}
		p("JMP %s_next", name)
	}
	store(true)
	label("beta0")
	store(false)
	// The next tile: 32 rows down A's columns and C's rows.
	label("next")
	p("DECQ tl-8(SP)")
	p("JEQ %s_ret", name)
	p("ADDQ $128, ta-16(SP)")
	p("MOVQ ldc+120(FP), R12")
	p("SHLQ $7, R12")
	p("ADDQ R12, tc-24(SP)")
	p("JMP %s_tile", name)
	label("ret")
	p("VZEROUPPER")
	p("RET")
	fmt.Fprintln(w)
}
