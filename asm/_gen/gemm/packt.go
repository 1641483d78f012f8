package main

import (
	"fmt"
	"io"
)

// genPackT8 writes gemmPackT8_AVX2: the transpose of an xn×pn block (both
// multiples of 8) in 8×8 tiles: dst[p*w+x] = src[x*sx+p]. Each tile is 8
// row loads, the classic 24-shuffle transpose (unpack, shuffle, permute
// 128-bit lanes) and 8 row stores.
func genPackT8(w io.Writer) {
	p := func(format string, a ...any) { fmt.Fprintf(w, "\t"+format+"\n", a...) }
	const name = "gemmPackT8_AVX2"
	fmt.Fprintf(w, "// func %s(dst []float32, w int, src []float32, sx, xn, pn int)\n", name)
	fmt.Fprintf(w, "TEXT ·%s(SB), NOSPLIT, $0-80\n", name)
	packTPrologue(p, "SI")
	p("MOVQ xn+64(FP), CX")
	p("SHRQ $3, CX")
	p("JEQ %s_done", name)
	fmt.Fprintf(w, "%s_xloop:\n", name)
	p("MOVQ pn+72(FP), DX")
	p("SHRQ $3, DX")
	p("JEQ %s_done", name)
	p("MOVQ SI, AX")         // row 0 of this strip, at p
	p("LEAQ (SI)(R8*4), BX") // row 4
	p("MOVQ DI, R12")        // dst row p, at x
	fmt.Fprintf(w, "%s_ploop:\n", name)
	for i, a := range []string{"(AX)", "(AX)(R8*1)", "(AX)(R8*2)", "(AX)(R9*1)", "(BX)", "(BX)(R8*1)", "(BX)(R8*2)", "(BX)(R9*1)"} {
		p("VMOVUPS %s, Y%d", a, i)
	}
	transpose8(p)
	p("LEAQ (R12)(R10*4), R13")
	for j, a := range []string{"(R12)", "(R12)(R10*1)", "(R12)(R10*2)", "(R12)(R11*1)", "(R13)", "(R13)(R10*1)", "(R13)(R10*2)", "(R13)(R11*1)"} {
		p("VMOVUPS Y%d, %s", 8+j, a)
	}
	p("ADDQ $32, AX")
	p("ADDQ $32, BX")
	p("LEAQ (R13)(R10*4), R12")
	p("DECQ DX")
	p("JNE %s_ploop", name)
	p("LEAQ (SI)(R8*8), SI")
	p("ADDQ $32, DI")
	p("DECQ CX")
	p("JNE %s_xloop", name)
	fmt.Fprintf(w, "%s_done:\n", name)
	p("VZEROUPPER")
	p("RET")
	fmt.Fprintln(w)
}

// packTPrologue loads the transposers' common arguments of func(dst
// []float32, w int, src []float32, sx int, ...): dst into DI, src into
// srcReg, and the strides in bytes, w*4 into R10 and 3*w*4 into R11, sx*4
// into R8 and 3*sx*4 into R9 (rows 0-3 of a tile are base + 0, 1, 2, 3
// strides).
func packTPrologue(p func(string, ...any), srcReg string) {
	p("MOVQ dst_base+0(FP), DI")
	p("MOVQ w+24(FP), R10")
	p("SHLQ $2, R10")
	p("LEAQ (R10)(R10*2), R11")
	p("MOVQ src_base+32(FP), %s", srcReg)
	p("MOVQ sx+56(FP), R8")
	p("SHLQ $2, R8")
	p("LEAQ (R8)(R8*2), R9")
}

// transpose8 writes the classic 24-shuffle transpose of the 8×8 block in
// Y0..Y7 (row i in Yi) into Y8..Y15 (column j in Y8+j): unpack pairs of
// rows, shuffle quads, permute 128-bit lanes.
func transpose8(p func(string, ...any)) {
	// t: Y8..Y15
	for q := 0; q < 4; q++ {
		a, b := 2*q, 2*q+1
		p("VUNPCKLPS Y%d, Y%d, Y%d", b, a, 8+2*q)
		p("VUNPCKHPS Y%d, Y%d, Y%d", b, a, 9+2*q)
	}
	// u0..u3 from t0..t3 (rows 0-3), u4..u7 from t4..t7 (rows 4-7), into Y0..Y7
	for h := 0; h < 2; h++ {
		t := 8 + 4*h
		u := 4 * h
		p("VSHUFPS $0x44, Y%d, Y%d, Y%d", t+2, t, u)
		p("VSHUFPS $0xEE, Y%d, Y%d, Y%d", t+2, t, u+1)
		p("VSHUFPS $0x44, Y%d, Y%d, Y%d", t+3, t+1, u+2)
		p("VSHUFPS $0xEE, Y%d, Y%d, Y%d", t+3, t+1, u+3)
	}
	// columns j = 0..3: lanes lo of u_j and u_{j+4}; j+4: lanes hi
	for j := 0; j < 4; j++ {
		p("VPERM2F128 $0x20, Y%d, Y%d, Y%d", j+4, j, 8+j)
		p("VPERM2F128 $0x31, Y%d, Y%d, Y%d", j+4, j, 12+j)
	}
}

// genPackTEdge writes gemmPackTEdge_AVX512, the transpose of a block of
// xn <= 8 rows and any pn: the 8×8 tiles of genPackT8 with AVX-512 masks,
// column loads masked to the valid p of the last tile (pmask) and row
// stores masked to the xn valid x (xmask). Rows x >= xn are not loaded:
// their lanes are never stored.
func genPackTEdge(w io.Writer) {
	p := func(format string, a ...any) { fmt.Fprintf(w, "\t"+format+"\n", a...) }
	const name = "gemmPackTEdge_AVX512"
	fmt.Fprintf(w, "// func %s(dst []float32, w int, src []float32, sx, xn, pn int, xmask, pmask uint32)\n", name)
	fmt.Fprintf(w, "TEXT ·%s(SB), NOSPLIT, $0-88\n", name)
	packTPrologue(p, "AX")
	p("LEAQ (AX)(R8*4), BX")
	p("MOVQ xn+64(FP), CX")
	p("MOVL xmask+80(FP), R12")
	p("KMOVW R12, K2")
	p("MOVL pmask+84(FP), R12")
	p("KMOVW R12, K3")
	p("MOVL $0xff, R12")
	p("KMOVW R12, K1")
	p("MOVQ pn+72(FP), DX")
	p("MOVQ DX, SI")
	p("ANDQ $7, SI") // columns of the last, partial tile
	p("SHRQ $3, DX") // whole tiles
	rows := []string{"(AX)", "(AX)(R8*1)", "(AX)(R8*2)", "(AX)(R9*1)", "(BX)", "(BX)(R8*1)", "(BX)(R8*2)", "(BX)(R9*1)"}
	tile := func(tag, load string, partial bool) {
		for i, a := range rows {
			if i > 0 {
				p("CMPQ CX, $%d", i)
				p("JLE %s_%st", name, tag)
			}
			p("VMOVUPS.Z %s, %s, Y%d", a, load, i)
		}
		fmt.Fprintf(w, "%s_%st:\n", name, tag)
		transpose8(p)
		p("LEAQ (DI)(R10*4), R13")
		for j, a := range []string{"(DI)", "(DI)(R10*1)", "(DI)(R10*2)", "(DI)(R11*1)", "(R13)", "(R13)(R10*1)", "(R13)(R10*2)", "(R13)(R11*1)"} {
			if partial && j > 0 {
				p("CMPQ SI, $%d", j)
				p("JLE %s_done", name)
			}
			p("VMOVUPS Y%d, K2, %s", 8+j, a)
		}
	}
	p("TESTQ DX, DX")
	p("JEQ %s_tail", name)
	fmt.Fprintf(w, "%s_loop:\n", name)
	tile("full", "K1", false)
	p("ADDQ $32, AX")
	p("ADDQ $32, BX")
	p("LEAQ (R13)(R10*4), DI")
	p("DECQ DX")
	p("JNE %s_loop", name)
	fmt.Fprintf(w, "%s_tail:\n", name)
	p("TESTQ SI, SI")
	p("JEQ %s_done", name)
	tile("part", "K3", true)
	fmt.Fprintf(w, "%s_done:\n", name)
	p("VZEROUPPER")
	p("RET")
	fmt.Fprintln(w)
}

// genPackRows writes gemmPackRows_AVX512, Gemm.PackRows for w <= 32: per
// row, two masked loads (zeroing: the values past valid are 0) and two
// masked stores of w values.
func genPackRows(w io.Writer) {
	p := func(format string, a ...any) { fmt.Fprintf(w, "\t"+format+"\n", a...) }
	const name = "gemmPackRows_AVX512"
	fmt.Fprintf(w, "// func %s(dst []float32, ldd int, src []float32, lds, rows int, lmask, smask uint32)\n", name)
	fmt.Fprintf(w, "TEXT ·%s(SB), NOSPLIT, $0-80\n", name)
	p("MOVQ dst_base+0(FP), DI")
	p("MOVQ ldd+24(FP), R8")
	p("SHLQ $2, R8")
	p("MOVQ src_base+32(FP), SI")
	p("MOVQ lds+56(FP), R9")
	p("SHLQ $2, R9")
	p("MOVQ rows+64(FP), CX")
	p("MOVL lmask+72(FP), AX")
	p("KMOVW AX, K1")
	p("SHRL $16, AX")
	p("KMOVW AX, K2")
	p("MOVL smask+76(FP), AX")
	p("KMOVW AX, K3")
	p("SHRL $16, AX")
	p("KMOVW AX, K4")
	p("TESTQ CX, CX")
	p("JEQ %s_done", name)
	fmt.Fprintf(w, "%s_loop:\n", name)
	p("VMOVUPS.Z (SI), K1, Z0")
	p("VMOVUPS.Z 64(SI), K2, Z1")
	p("VMOVUPS Z0, K3, (DI)")
	p("VMOVUPS Z1, K4, 64(DI)")
	p("ADDQ R9, SI")
	p("ADDQ R8, DI")
	p("DECQ CX")
	p("JNE %s_loop", name)
	fmt.Fprintf(w, "%s_done:\n", name)
	p("VZEROUPPER")
	p("RET")
	fmt.Fprintln(w)
}

// genFMALoops writes fmaLoopAVX512 and fmaLoopAVX2, asm.FMAPeak's loops:
// n iterations of 12 independent VFMADD231PS on the level's widest
// registers, enough accumulators to cover the FMA latency on two ports.
func genFMALoops(w io.Writer) {
	p := func(format string, a ...any) { fmt.Fprintf(w, "\t"+format+"\n", a...) }
	for _, l := range []struct {
		name, reg string
		flops     int
	}{{"fmaLoopAVX512", "Z", 12 * 16 * 2}, {"fmaLoopAVX2", "Y", 12 * 8 * 2}} {
		fmt.Fprintf(w, "// func %s(n int)\n// %d flops an iteration.\n", l.name, l.flops)
		fmt.Fprintf(w, "TEXT ·%s(SB), NOSPLIT, $0-8\n", l.name)
		p("MOVQ n+0(FP), CX")
		for r := 0; r < 14; r++ {
			p("VXORPS %s%d, %s%d, %s%d", l.reg, r, l.reg, r, l.reg, r)
		}
		p("TESTQ CX, CX")
		p("JEQ %s_done", l.name)
		fmt.Fprintf(w, "%s_loop:\n", l.name)
		for r := 0; r < 12; r++ {
			p("VFMADD231PS %s12, %s13, %s%d", l.reg, l.reg, l.reg, r)
		}
		p("DECQ CX")
		p("JNE %s_loop", l.name)
		fmt.Fprintf(w, "%s_done:\n", l.name)
		p("VZEROUPPER")
		p("RET")
		fmt.Fprintln(w)
	}
}
