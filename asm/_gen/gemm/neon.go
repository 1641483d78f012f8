package main

import (
	"fmt"
	"io"
)

// NEON 8×12: the tile in V8-V31 (row i in V(8+3i)..V(10+3i)), B's row in
// V2-V4. When A's rows are contiguous (csa = 1, the packed layout) each step
// loads A's 8 values into V0-V1 and uses them by element (FMLA by element);
// otherwise it broadcasts each row's value with LD1R from 8 row pointers.
// Go's arm64 assembler has no FMLA/FMUL by element, so those are WORDs
// (encodings below, checked against GNU as).

// byElem encodes FMLA (op 0x1) or FMUL (op 0x9) Vd.4S, Vn.4S, Vm.S[idx].
func byElem(op uint32, d, n, m, idx int) string {
	w := 0x4f800000 | op<<12 | uint32(idx&1)<<21 | uint32(idx>>1)<<11 | uint32(m)<<16 | uint32(n)<<5 | uint32(d)
	name := map[uint32]string{1: "fmla", 9: "fmul"}[op]
	return fmt.Sprintf("WORD $0x%08x // %s v%d.4s, v%d.4s, v%d.s[%d]", w, name, d, n, m, idx)
}

func genNEON(w io.Writer) {
	p := func(format string, a ...any) { fmt.Fprintf(w, "\t"+format+"\n", a...) }
	const name = "gemmNEON_8x12"
	acc := func(i, v int) int { return 8 + 3*i + v }
	fmt.Fprintf(w, "// func %s(k int, alpha float32, a []float32, rsa, csa int, b []float32, rsb int, beta float32, c []float32, ldc int)\n", name)
	fmt.Fprintf(w, "// NEON 8x12: 24 accumulators, 3 loads of B and 8 values of A per step.\n")
	fmt.Fprintf(w, "TEXT ·%s(SB), NOSPLIT, $0-128\n", name)
	p("MOVD k+0(FP), R0")
	p("MOVD a_base+16(FP), R1")
	p("MOVD rsa+40(FP), R2")
	p("LSL $2, R2, R2")
	p("MOVD csa+48(FP), R3")
	p("LSL $2, R3, R3")
	p("MOVD b_base+56(FP), R4")
	p("MOVD rsb+80(FP), R5")
	p("LSL $2, R5, R5")
	p("MOVD c_base+96(FP), R6")
	p("MOVD ldc+120(FP), R7")
	p("LSL $2, R7, R7")
	for r := 8; r < 32; r++ {
		p("VEOR V%d.B16, V%d.B16, V%d.B16", r, r, r)
	}
	p("CBZ R0, %s_store", name)
	p("CMP $4, R3")
	p("BNE %s_rows", name)
	fmt.Fprintf(w, "%s_packed:\n", name)
	p("VLD1 (R1), [V0.S4, V1.S4]")
	p("ADD R2, R1, R1")
	p("VLD1 (R4), [V2.S4, V3.S4, V4.S4]")
	p("ADD R5, R4, R4")
	for i := 0; i < 8; i++ {
		for v := 0; v < 3; v++ {
			p("%s", byElem(1, acc(i, v), 2+v, i/4, i%4))
		}
	}
	p("SUBS $1, R0, R0")
	p("BNE %s_packed", name)
	p("B %s_store", name)

	fmt.Fprintf(w, "%s_rows:\n", name)
	rows := []int{8, 9, 10, 11, 12, 13, 14, 15}
	p("MOVD R1, R8")
	for i := 1; i < 8; i++ {
		p("ADD R3, R%d, R%d", rows[i-1], rows[i])
	}
	fmt.Fprintf(w, "%s_rowsloop:\n", name)
	p("VLD1 (R4), [V2.S4, V3.S4, V4.S4]")
	p("ADD R5, R4, R4")
	tmps := []int{0, 1, 5, 6, 7}
	for i := 0; i < 8; i++ {
		t := tmps[i%len(tmps)]
		p("VLD1R (R%d), [V%d.S4]", rows[i], t)
		p("ADD R2, R%d, R%d", rows[i], rows[i])
		for v := 0; v < 3; v++ {
			p("VFMLA V%d.S4, V%d.S4, V%d.S4", 2+v, t, acc(i, v))
		}
	}
	p("SUBS $1, R0, R0")
	p("BNE %s_rowsloop", name)

	fmt.Fprintf(w, "%s_store:\n", name)
	p("FMOVS alpha+8(FP), F0")
	p("FMOVS beta+88(FP), F1")
	p("MOVWU beta+88(FP), R9")
	p("LSLW $1, R9, R9") // drop the sign: -0 is 0
	p("CBZW R9, %s_beta0", name)
	for i := 0; i < 8; i++ {
		p("VLD1 (R6), [V2.S4, V3.S4, V4.S4]")
		for v := 0; v < 3; v++ {
			p("%s", byElem(9, acc(i, v), acc(i, v), 0, 0))
			p("%s", byElem(1, acc(i, v), 2+v, 1, 0))
		}
		p("VST1 [V%d.S4, V%d.S4, V%d.S4], (R6)", acc(i, 0), acc(i, 1), acc(i, 2))
		p("ADD R7, R6, R6")
	}
	p("RET")
	fmt.Fprintf(w, "%s_beta0:\n", name)
	for i := 0; i < 8; i++ {
		for v := 0; v < 3; v++ {
			p("%s", byElem(9, acc(i, v), acc(i, v), 0, 0))
		}
		p("VST1 [V%d.S4, V%d.S4, V%d.S4], (R6)", acc(i, 0), acc(i, 1), acc(i, 2))
		p("ADD R7, R6, R6")
	}
	p("RET")
}
