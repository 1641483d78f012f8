// Hand-written; the WORD lines carry their mnemonics (encoded with
// ../shared/tools/a64enc).

//go:build !purego

#include "textflag.h"

// GemvT (dst = x * A, A with len(x) rows of len(dst) columns) walks A by
// blocks of columns and, inside a block, down the rows, with one
// accumulator per column that takes the products of the rows in order,
// fused (fmla, four rows at a time by element of a vector of x, then one
// row at a time with x broadcast): every column gets the same sequential
// chain of fused multiply-adds, whichever lane or block computes it. A block
// that would run past the last column is moved back to end at it: it
// recomputes some columns of the previous block, bit for bit, and stores
// them again. From 16 columns on, blocks of 32 columns (two halves of 16,
// each with its own pointer, 8 accumulators); the last block is
// [len-32, len), or [0, 16) and [len-16, len) under 32 columns. For 8..15
// columns, the halves [0, 8) and [len-8, len); for 4..7, [0, 4) and
// [len-4, len); for 1..3, scalars (column pointers clamped to the last
// column). Every row of a block is read once: row data alternates between
// V0-V7 and V8-V15, x sits in V24, the accumulators in V16-V23.
//
// R0 dst, R1 columns, R2 a, R3 row stride in bytes, R4 x, R5 rows,
// R7 block start (columns), R8/R9 the two halves' first columns,
// R10/R11 their pointers into the current row, R12 x pointer,
// R13 rows left, R14/R15 the halves' dst pointers.

// func gemvTNEON(dst, a []float32, lda int, x []float32)
TEXT ·gemvTNEON(SB), NOSPLIT, $0-80
	MOVD dst_base+0(FP), R0
	MOVD dst_len+8(FP), R1
	MOVD a_base+24(FP), R2
	MOVD lda+48(FP), R3
	MOVD x_base+56(FP), R4
	MOVD x_len+64(FP), R5
	LSL $2, R3, R3
	CBZ R1, tdone
	CMP $16, R1
	BLT t8
	MOVD ZR, R7

tAblk:
	ADD $32, R7, R10
	CMP R1, R10
	BGT tAlast
	MOVD R7, R8
	ADD $16, R7, R9
	B tAgo

tAlast:
	// Last block: [len-32, len) or, under 32 columns, [0, 16) and [len-16, len).
	SUB $16, R1, R9
	SUBS $32, R1, R8
	CSEL LT, ZR, R8, R8
	MOVD R1, R7

tAgo:
	ADD R8<<2, R2, R10
	ADD R9<<2, R2, R11
	ADD R8<<2, R0, R14
	ADD R9<<2, R0, R15
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	VEOR V18.B16, V18.B16, V18.B16
	VEOR V19.B16, V19.B16, V19.B16
	VEOR V20.B16, V20.B16, V20.B16
	VEOR V21.B16, V21.B16, V21.B16
	VEOR V22.B16, V22.B16, V22.B16
	VEOR V23.B16, V23.B16, V23.B16
	MOVD R4, R12
	MOVD R5, R13

tA4:
	CMP $4, R13
	BLT tA1
	VLD1.P 16(R12), [V24.S4]
	VLD1.P (R10)(R3), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P (R11)(R3), [V4.S4, V5.S4, V6.S4, V7.S4]
	WORD $0x4f981010 // fmla v16.4s, v0.4s, v24.s[0]
	WORD $0x4f981031 // fmla v17.4s, v1.4s, v24.s[0]
	WORD $0x4f981052 // fmla v18.4s, v2.4s, v24.s[0]
	WORD $0x4f981073 // fmla v19.4s, v3.4s, v24.s[0]
	WORD $0x4f981094 // fmla v20.4s, v4.4s, v24.s[0]
	WORD $0x4f9810b5 // fmla v21.4s, v5.4s, v24.s[0]
	WORD $0x4f9810d6 // fmla v22.4s, v6.4s, v24.s[0]
	WORD $0x4f9810f7 // fmla v23.4s, v7.4s, v24.s[0]
	VLD1.P (R10)(R3), [V8.S4, V9.S4, V10.S4, V11.S4]
	VLD1.P (R11)(R3), [V12.S4, V13.S4, V14.S4, V15.S4]
	WORD $0x4fb81110 // fmla v16.4s, v8.4s, v24.s[1]
	WORD $0x4fb81131 // fmla v17.4s, v9.4s, v24.s[1]
	WORD $0x4fb81152 // fmla v18.4s, v10.4s, v24.s[1]
	WORD $0x4fb81173 // fmla v19.4s, v11.4s, v24.s[1]
	WORD $0x4fb81194 // fmla v20.4s, v12.4s, v24.s[1]
	WORD $0x4fb811b5 // fmla v21.4s, v13.4s, v24.s[1]
	WORD $0x4fb811d6 // fmla v22.4s, v14.4s, v24.s[1]
	WORD $0x4fb811f7 // fmla v23.4s, v15.4s, v24.s[1]
	VLD1.P (R10)(R3), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P (R11)(R3), [V4.S4, V5.S4, V6.S4, V7.S4]
	WORD $0x4f981810 // fmla v16.4s, v0.4s, v24.s[2]
	WORD $0x4f981831 // fmla v17.4s, v1.4s, v24.s[2]
	WORD $0x4f981852 // fmla v18.4s, v2.4s, v24.s[2]
	WORD $0x4f981873 // fmla v19.4s, v3.4s, v24.s[2]
	WORD $0x4f981894 // fmla v20.4s, v4.4s, v24.s[2]
	WORD $0x4f9818b5 // fmla v21.4s, v5.4s, v24.s[2]
	WORD $0x4f9818d6 // fmla v22.4s, v6.4s, v24.s[2]
	WORD $0x4f9818f7 // fmla v23.4s, v7.4s, v24.s[2]
	VLD1.P (R10)(R3), [V8.S4, V9.S4, V10.S4, V11.S4]
	VLD1.P (R11)(R3), [V12.S4, V13.S4, V14.S4, V15.S4]
	WORD $0x4fb81910 // fmla v16.4s, v8.4s, v24.s[3]
	WORD $0x4fb81931 // fmla v17.4s, v9.4s, v24.s[3]
	WORD $0x4fb81952 // fmla v18.4s, v10.4s, v24.s[3]
	WORD $0x4fb81973 // fmla v19.4s, v11.4s, v24.s[3]
	WORD $0x4fb81994 // fmla v20.4s, v12.4s, v24.s[3]
	WORD $0x4fb819b5 // fmla v21.4s, v13.4s, v24.s[3]
	WORD $0x4fb819d6 // fmla v22.4s, v14.4s, v24.s[3]
	WORD $0x4fb819f7 // fmla v23.4s, v15.4s, v24.s[3]
	SUB $4, R13, R13
	B tA4

tA1:
	CBZ R13, tAst
	VLD1R.P 4(R12), [V24.S4]
	VLD1.P (R10)(R3), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P (R11)(R3), [V4.S4, V5.S4, V6.S4, V7.S4]
	WORD $0x4e38cc10 // fmla v16.4s, v0.4s, v24.4s
	WORD $0x4e38cc31 // fmla v17.4s, v1.4s, v24.4s
	WORD $0x4e38cc52 // fmla v18.4s, v2.4s, v24.4s
	WORD $0x4e38cc73 // fmla v19.4s, v3.4s, v24.4s
	WORD $0x4e38cc94 // fmla v20.4s, v4.4s, v24.4s
	WORD $0x4e38ccb5 // fmla v21.4s, v5.4s, v24.4s
	WORD $0x4e38ccd6 // fmla v22.4s, v6.4s, v24.4s
	WORD $0x4e38ccf7 // fmla v23.4s, v7.4s, v24.4s
	SUB $1, R13, R13
	B tA1

tAst:
	VST1 [V16.S4, V17.S4, V18.S4, V19.S4], (R14)
	VST1 [V20.S4, V21.S4, V22.S4, V23.S4], (R15)
	ADD $32, R7, R7
	CMP R1, R7
	BLT tAblk
	RET

t8:
	// 8..15 columns: [0, 8) and [len-8, len).
	CMP $8, R1
	BLT t4
	SUB $8, R1, R9
	MOVD R2, R10
	ADD R9<<2, R2, R11
	MOVD R0, R14
	ADD R9<<2, R0, R15
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	VEOR V18.B16, V18.B16, V18.B16
	VEOR V19.B16, V19.B16, V19.B16
	MOVD R4, R12
	MOVD R5, R13

tB4:
	CMP $4, R13
	BLT tB1
	VLD1.P 16(R12), [V24.S4]
	VLD1.P (R10)(R3), [V0.S4, V1.S4]
	VLD1.P (R11)(R3), [V2.S4, V3.S4]
	WORD $0x4f981010 // fmla v16.4s, v0.4s, v24.s[0]
	WORD $0x4f981031 // fmla v17.4s, v1.4s, v24.s[0]
	WORD $0x4f981052 // fmla v18.4s, v2.4s, v24.s[0]
	WORD $0x4f981073 // fmla v19.4s, v3.4s, v24.s[0]
	VLD1.P (R10)(R3), [V4.S4, V5.S4]
	VLD1.P (R11)(R3), [V6.S4, V7.S4]
	WORD $0x4fb81090 // fmla v16.4s, v4.4s, v24.s[1]
	WORD $0x4fb810b1 // fmla v17.4s, v5.4s, v24.s[1]
	WORD $0x4fb810d2 // fmla v18.4s, v6.4s, v24.s[1]
	WORD $0x4fb810f3 // fmla v19.4s, v7.4s, v24.s[1]
	VLD1.P (R10)(R3), [V8.S4, V9.S4]
	VLD1.P (R11)(R3), [V10.S4, V11.S4]
	WORD $0x4f981910 // fmla v16.4s, v8.4s, v24.s[2]
	WORD $0x4f981931 // fmla v17.4s, v9.4s, v24.s[2]
	WORD $0x4f981952 // fmla v18.4s, v10.4s, v24.s[2]
	WORD $0x4f981973 // fmla v19.4s, v11.4s, v24.s[2]
	VLD1.P (R10)(R3), [V12.S4, V13.S4]
	VLD1.P (R11)(R3), [V14.S4, V15.S4]
	WORD $0x4fb81990 // fmla v16.4s, v12.4s, v24.s[3]
	WORD $0x4fb819b1 // fmla v17.4s, v13.4s, v24.s[3]
	WORD $0x4fb819d2 // fmla v18.4s, v14.4s, v24.s[3]
	WORD $0x4fb819f3 // fmla v19.4s, v15.4s, v24.s[3]
	SUB $4, R13, R13
	B tB4

tB1:
	CBZ R13, tBst
	VLD1R.P 4(R12), [V24.S4]
	VLD1.P (R10)(R3), [V0.S4, V1.S4]
	VLD1.P (R11)(R3), [V2.S4, V3.S4]
	WORD $0x4e38cc10 // fmla v16.4s, v0.4s, v24.4s
	WORD $0x4e38cc31 // fmla v17.4s, v1.4s, v24.4s
	WORD $0x4e38cc52 // fmla v18.4s, v2.4s, v24.4s
	WORD $0x4e38cc73 // fmla v19.4s, v3.4s, v24.4s
	SUB $1, R13, R13
	B tB1

tBst:
	VST1 [V16.S4, V17.S4], (R14)
	VST1 [V18.S4, V19.S4], (R15)
	RET

t4:
	// 4..7 columns: [0, 4) and [len-4, len).
	CMP $4, R1
	BLT t1
	SUB $4, R1, R9
	MOVD R2, R10
	ADD R9<<2, R2, R11
	MOVD R0, R14
	ADD R9<<2, R0, R15
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	MOVD R4, R12
	MOVD R5, R13

tC4:
	CMP $4, R13
	BLT tC1
	VLD1.P 16(R12), [V24.S4]
	VLD1.P (R10)(R3), [V0.S4]
	VLD1.P (R11)(R3), [V1.S4]
	WORD $0x4f981010 // fmla v16.4s, v0.4s, v24.s[0]
	WORD $0x4f981031 // fmla v17.4s, v1.4s, v24.s[0]
	VLD1.P (R10)(R3), [V4.S4]
	VLD1.P (R11)(R3), [V5.S4]
	WORD $0x4fb81090 // fmla v16.4s, v4.4s, v24.s[1]
	WORD $0x4fb810b1 // fmla v17.4s, v5.4s, v24.s[1]
	VLD1.P (R10)(R3), [V8.S4]
	VLD1.P (R11)(R3), [V9.S4]
	WORD $0x4f981910 // fmla v16.4s, v8.4s, v24.s[2]
	WORD $0x4f981931 // fmla v17.4s, v9.4s, v24.s[2]
	VLD1.P (R10)(R3), [V12.S4]
	VLD1.P (R11)(R3), [V13.S4]
	WORD $0x4fb81990 // fmla v16.4s, v12.4s, v24.s[3]
	WORD $0x4fb819b1 // fmla v17.4s, v13.4s, v24.s[3]
	SUB $4, R13, R13
	B tC4

tC1:
	CBZ R13, tCst
	VLD1R.P 4(R12), [V24.S4]
	VLD1.P (R10)(R3), [V0.S4]
	VLD1.P (R11)(R3), [V1.S4]
	WORD $0x4e38cc10 // fmla v16.4s, v0.4s, v24.4s
	WORD $0x4e38cc31 // fmla v17.4s, v1.4s, v24.4s
	SUB $1, R13, R13
	B tC1

tCst:
	VST1 [V16.S4], (R14)
	VST1 [V17.S4], (R15)
	RET

t1:
	// 1..3 columns, scalar: column k at min(k, len-1) in R10, R11, R19
	// (dst: R14, R15, R20).
	SUB $1, R1, R9
	CMP $1, R9
	CSET GE, R6
	LSL $2, R6, R6
	CMP $2, R9
	CSET GE, R7
	ADD R7<<2, R6, R7
	MOVD R2, R10
	ADD R6, R2, R11
	ADD R7, R2, R19
	MOVD R0, R14
	ADD R6, R0, R15
	ADD R7, R0, R20
	FMOVS $0.0, F16
	FMOVS $0.0, F17
	FMOVS $0.0, F18
	MOVD R4, R12
	MOVD R5, R13

tD1:
	CBZ R13, tDst
	FMOVS.P 4(R12), F24
	FMOVS (R10), F0
	FMOVS (R11), F1
	FMOVS (R19), F2
	FMADDS F0, F16, F24, F16 // fmadd s16, s24, s0, s16: s16 += s24*s0
	FMADDS F1, F17, F24, F17
	FMADDS F2, F18, F24, F18
	ADD R3, R10, R10
	ADD R3, R11, R11
	ADD R3, R19, R19
	SUB $1, R13, R13
	B tD1

tDst:
	FMOVS F16, (R14)
	FMOVS F17, (R15)
	FMOVS F18, (R20)

tdone:
	RET

// GemvN (dst = A * x, A with len(dst) rows of len(x) columns) takes the
// rows four at a time, each with two accumulators of four lanes: 16
// elements of x a step (the accumulators take elements 0-3 and 8-11, 4-7
// and 12-15), then 8, then 4; the two accumulators are added, the lanes
// reduced pairwise ((l0+l1)+(l2+l3)), and the last len%4 elements fused
// into the sums one at a time, the four rows' elements gathered in the
// lanes of one vector. A last group of 1..3 rows runs the same code with the
// missing rows' pointers (matrix and dst) clamped to its last row, which it
// computes and stores again, bit for bit: every row is summed in the same
// order whatever its index and len(dst).
//
// R0 dst, R1 rows, R2 a (group start), R3 row stride in bytes, R4 x,
// R5 columns, R7 rows left, R9 x pointer, R10-R13 row pointers,
// R14/R15/R19/R20 dst pointers, R21 columns left.

// func gemvNNEON(dst, a []float32, lda int, x []float32)
TEXT ·gemvNNEON(SB), NOSPLIT, $0-80
	MOVD dst_base+0(FP), R0
	MOVD dst_len+8(FP), R1
	MOVD a_base+24(FP), R2
	MOVD lda+48(FP), R3
	MOVD x_base+56(FP), R4
	MOVD x_len+64(FP), R5
	LSL $2, R3, R3
	CBZ R1, ndone
	MOVD R1, R7

ngrp:
	MOVD R2, R10
	ADD R3, R10, R11
	CMP $1, R7
	CSEL GT, R11, R10, R11
	ADD R3, R11, R12
	CMP $2, R7
	CSEL GT, R12, R11, R12
	ADD R3, R12, R13
	CMP $3, R7
	CSEL GT, R13, R12, R13
	MOVD R0, R14
	ADD $4, R14, R15
	CMP $1, R7
	CSEL GT, R15, R14, R15
	ADD $4, R15, R19
	CMP $2, R7
	CSEL GT, R19, R15, R19
	ADD $4, R19, R20
	CMP $3, R7
	CSEL GT, R20, R19, R20
	MOVD R4, R9
	MOVD R5, R21
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	VEOR V18.B16, V18.B16, V18.B16
	VEOR V19.B16, V19.B16, V19.B16
	VEOR V20.B16, V20.B16, V20.B16
	VEOR V21.B16, V21.B16, V21.B16
	VEOR V22.B16, V22.B16, V22.B16
	VEOR V23.B16, V23.B16, V23.B16

n16:
	CMP $16, R21
	BLT n8
	VLD1.P 64(R9), [V24.S4, V25.S4, V26.S4, V27.S4]
	VLD1.P 64(R10), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P 64(R11), [V4.S4, V5.S4, V6.S4, V7.S4]
	VLD1.P 64(R12), [V8.S4, V9.S4, V10.S4, V11.S4]
	VLD1.P 64(R13), [V12.S4, V13.S4, V14.S4, V15.S4]
	WORD $0x4e38cc10 // fmla v16.4s, v0.4s, v24.4s
	WORD $0x4e38cc92 // fmla v18.4s, v4.4s, v24.4s
	WORD $0x4e38cd14 // fmla v20.4s, v8.4s, v24.4s
	WORD $0x4e38cd96 // fmla v22.4s, v12.4s, v24.4s
	WORD $0x4e39cc31 // fmla v17.4s, v1.4s, v25.4s
	WORD $0x4e39ccb3 // fmla v19.4s, v5.4s, v25.4s
	WORD $0x4e39cd35 // fmla v21.4s, v9.4s, v25.4s
	WORD $0x4e39cdb7 // fmla v23.4s, v13.4s, v25.4s
	WORD $0x4e3acc50 // fmla v16.4s, v2.4s, v26.4s
	WORD $0x4e3accd2 // fmla v18.4s, v6.4s, v26.4s
	WORD $0x4e3acd54 // fmla v20.4s, v10.4s, v26.4s
	WORD $0x4e3acdd6 // fmla v22.4s, v14.4s, v26.4s
	WORD $0x4e3bcc71 // fmla v17.4s, v3.4s, v27.4s
	WORD $0x4e3bccf3 // fmla v19.4s, v7.4s, v27.4s
	WORD $0x4e3bcd75 // fmla v21.4s, v11.4s, v27.4s
	WORD $0x4e3bcdf7 // fmla v23.4s, v15.4s, v27.4s
	SUB $16, R21, R21
	B n16

n8:
	CMP $8, R21
	BLT n4
	VLD1.P 32(R9), [V24.S4, V25.S4]
	VLD1.P 32(R10), [V0.S4, V1.S4]
	VLD1.P 32(R11), [V4.S4, V5.S4]
	VLD1.P 32(R12), [V8.S4, V9.S4]
	VLD1.P 32(R13), [V12.S4, V13.S4]
	WORD $0x4e38cc10 // fmla v16.4s, v0.4s, v24.4s
	WORD $0x4e38cc92 // fmla v18.4s, v4.4s, v24.4s
	WORD $0x4e38cd14 // fmla v20.4s, v8.4s, v24.4s
	WORD $0x4e38cd96 // fmla v22.4s, v12.4s, v24.4s
	WORD $0x4e39cc31 // fmla v17.4s, v1.4s, v25.4s
	WORD $0x4e39ccb3 // fmla v19.4s, v5.4s, v25.4s
	WORD $0x4e39cd35 // fmla v21.4s, v9.4s, v25.4s
	WORD $0x4e39cdb7 // fmla v23.4s, v13.4s, v25.4s
	SUB $8, R21, R21

n4:
	CMP $4, R21
	BLT nred
	VLD1.P 16(R9), [V24.S4]
	VLD1.P 16(R10), [V0.S4]
	VLD1.P 16(R11), [V4.S4]
	VLD1.P 16(R12), [V8.S4]
	VLD1.P 16(R13), [V12.S4]
	WORD $0x4e38cc10 // fmla v16.4s, v0.4s, v24.4s
	WORD $0x4e38cc92 // fmla v18.4s, v4.4s, v24.4s
	WORD $0x4e38cd14 // fmla v20.4s, v8.4s, v24.4s
	WORD $0x4e38cd96 // fmla v22.4s, v12.4s, v24.4s
	SUB $4, R21, R21

nred:
	WORD $0x4e31d610 // fadd v16.4s, v16.4s, v17.4s
	WORD $0x4e33d652 // fadd v18.4s, v18.4s, v19.4s
	WORD $0x4e35d694 // fadd v20.4s, v20.4s, v21.4s
	WORD $0x4e37d6d6 // fadd v22.4s, v22.4s, v23.4s
	WORD $0x6e32d610 // faddp v16.4s, v16.4s, v18.4s
	WORD $0x6e36d694 // faddp v20.4s, v20.4s, v22.4s
	WORD $0x6e34d610 // faddp v16.4s, v16.4s, v20.4s

n1:
	CBZ R21, nst
	VLD1R.P 4(R9), [V24.S4]
	VLD1.P 4(R10), V0.S[0]
	VLD1.P 4(R11), V0.S[1]
	VLD1.P 4(R12), V0.S[2]
	VLD1.P 4(R13), V0.S[3]
	WORD $0x4e38cc10 // fmla v16.4s, v0.4s, v24.4s
	SUB $1, R21, R21
	B n1

nst:
	FMOVS F16, (R14)
	VST1 V16.S[1], (R15)
	VST1 V16.S[2], (R19)
	VST1 V16.S[3], (R20)
	ADD $16, R0, R0
	ADD R3<<2, R2, R2
	SUBS $4, R7, R7
	BGT ngrp

ndone:
	RET

// Ger (c = alpha*x*yᵀ + beta*c, len(x) rows of len(y) columns, ldc apart)
// picks one of three row loops by the bits of beta, once: beta == ±0 does
// not read c (c = s*y), beta == 1 fuses onto c (fmla), any other beta
// scales c first and then fuses (fmul, fmla: s*y + round(beta*c)). Per row,
// s = alpha*x[i] rounded once (scalar), broadcast to V16; the columns go 16
// a step (y in V0-V3, c in V4-V7), then 4, then 1-3 scalar (fmadd). Every
// access stays inside the row's len(y) elements and inside x and y.
//
// R0 c row start, R1 row stride in bytes, R2 x pointer, R3 rows left,
// R4 y, R5 columns, R6 beta bits, R7 y pointer, R8 c pointer,
// R9 columns left; F30 alpha, V31 beta (broadcast), V16 s (broadcast).

// func gerNEON(c []float32, ldc int, x, y []float32, alpha, beta float32)
TEXT ·gerNEON(SB), NOSPLIT, $0-88
	MOVD c_base+0(FP), R0
	MOVD ldc+24(FP), R1
	MOVD x_base+32(FP), R2
	MOVD x_len+40(FP), R3
	MOVD y_base+56(FP), R4
	MOVD y_len+64(FP), R5
	FMOVS alpha+80(FP), F30
	FMOVS beta+84(FP), F31
	MOVWU beta+84(FP), R6
	LSL $2, R1, R1
	CBZ R3, gdone
	CBZ R5, gdone
	VDUP V31.S[0], V31.S4
	LSLW $1, R6, R7
	CBZW R7, gZrow
	MOVW $0x3f800000, R7
	CMPW R7, R6
	BEQ gOrow

gBrow:
	FMOVS.P 4(R2), F17
	FMULS F30, F17, F17
	VDUP V17.S[0], V16.S4
	MOVD R4, R7
	MOVD R0, R8
	MOVD R5, R9
	CMP $16, R9
	BLT gB4

gB16:
	VLD1.P 64(R7), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1 (R8), [V4.S4, V5.S4, V6.S4, V7.S4]
	WORD $0x6e3fdc84 // fmul v4.4s, v4.4s, v31.4s
	WORD $0x6e3fdca5 // fmul v5.4s, v5.4s, v31.4s
	WORD $0x6e3fdcc6 // fmul v6.4s, v6.4s, v31.4s
	WORD $0x6e3fdce7 // fmul v7.4s, v7.4s, v31.4s
	WORD $0x4e30cc04 // fmla v4.4s, v0.4s, v16.4s
	WORD $0x4e30cc25 // fmla v5.4s, v1.4s, v16.4s
	WORD $0x4e30cc46 // fmla v6.4s, v2.4s, v16.4s
	WORD $0x4e30cc67 // fmla v7.4s, v3.4s, v16.4s
	VST1.P [V4.S4, V5.S4, V6.S4, V7.S4], 64(R8)
	SUB $16, R9, R9
	CMP $16, R9
	BGE gB16

gB4:
	CMP $4, R9
	BLT gB1
	VLD1.P 16(R7), [V0.S4]
	VLD1 (R8), [V4.S4]
	WORD $0x6e3fdc84 // fmul v4.4s, v4.4s, v31.4s
	WORD $0x4e30cc04 // fmla v4.4s, v0.4s, v16.4s
	VST1.P [V4.S4], 16(R8)
	SUB $4, R9, R9
	B gB4

gB1:
	CBZ R9, gBnext
	FMOVS.P 4(R7), F0
	FMOVS (R8), F4
	FMULS F31, F4, F4
	FMADDS F0, F4, F16, F4 // fmadd s4, s16, s0, s4: s4 += s16*s0
	FMOVS.P F4, 4(R8)
	SUB $1, R9, R9
	B gB1

gBnext:
	ADD R1, R0, R0
	SUBS $1, R3, R3
	BGT gBrow
	RET

gOrow:
	FMOVS.P 4(R2), F17
	FMULS F30, F17, F17
	VDUP V17.S[0], V16.S4
	MOVD R4, R7
	MOVD R0, R8
	MOVD R5, R9
	CMP $16, R9
	BLT gO4

gO16:
	VLD1.P 64(R7), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1 (R8), [V4.S4, V5.S4, V6.S4, V7.S4]
	WORD $0x4e30cc04 // fmla v4.4s, v0.4s, v16.4s
	WORD $0x4e30cc25 // fmla v5.4s, v1.4s, v16.4s
	WORD $0x4e30cc46 // fmla v6.4s, v2.4s, v16.4s
	WORD $0x4e30cc67 // fmla v7.4s, v3.4s, v16.4s
	VST1.P [V4.S4, V5.S4, V6.S4, V7.S4], 64(R8)
	SUB $16, R9, R9
	CMP $16, R9
	BGE gO16

gO4:
	CMP $4, R9
	BLT gO1
	VLD1.P 16(R7), [V0.S4]
	VLD1 (R8), [V4.S4]
	WORD $0x4e30cc04 // fmla v4.4s, v0.4s, v16.4s
	VST1.P [V4.S4], 16(R8)
	SUB $4, R9, R9
	B gO4

gO1:
	CBZ R9, gOnext
	FMOVS.P 4(R7), F0
	FMOVS (R8), F4
	FMADDS F0, F4, F16, F4 // fmadd s4, s16, s0, s4: s4 += s16*s0
	FMOVS.P F4, 4(R8)
	SUB $1, R9, R9
	B gO1

gOnext:
	ADD R1, R0, R0
	SUBS $1, R3, R3
	BGT gOrow
	RET

gZrow:
	FMOVS.P 4(R2), F17
	FMULS F30, F17, F17
	VDUP V17.S[0], V16.S4
	MOVD R4, R7
	MOVD R0, R8
	MOVD R5, R9
	CMP $16, R9
	BLT gZ4

gZ16:
	VLD1.P 64(R7), [V0.S4, V1.S4, V2.S4, V3.S4]
	WORD $0x6e30dc04 // fmul v4.4s, v0.4s, v16.4s
	WORD $0x6e30dc25 // fmul v5.4s, v1.4s, v16.4s
	WORD $0x6e30dc46 // fmul v6.4s, v2.4s, v16.4s
	WORD $0x6e30dc67 // fmul v7.4s, v3.4s, v16.4s
	VST1.P [V4.S4, V5.S4, V6.S4, V7.S4], 64(R8)
	SUB $16, R9, R9
	CMP $16, R9
	BGE gZ16

gZ4:
	CMP $4, R9
	BLT gZ1
	VLD1.P 16(R7), [V0.S4]
	WORD $0x6e30dc04 // fmul v4.4s, v0.4s, v16.4s
	VST1.P [V4.S4], 16(R8)
	SUB $4, R9, R9
	B gZ4

gZ1:
	CBZ R9, gZnext
	FMOVS.P 4(R7), F0
	FMULS F16, F0, F4
	FMOVS.P F4, 4(R8)
	SUB $1, R9, R9
	B gZ1

gZnext:
	ADD R1, R0, R0
	SUBS $1, R3, R3
	BGT gZrow

gdone:
	RET
