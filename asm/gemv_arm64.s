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

// GemmRows (C = X * A for m = 2..4 rows of X, see gemv.go) is m gemvT's
// that read A once: blocks of columns (W = 32, 24, 16 for m = 2, 3, 4: V =
// 8, 6, 4 vectors of four, m*V accumulators), and inside a block the rows
// p of A in order, each vector of A loaded once and fused into the m rows'
// accumulators with x[i][p] broadcast (VLD1R): every element is the
// sequential chain of fused multiply-adds from +0 over p, the bits of
// gemvTNEON. After the full blocks, the 1..W-1 columns left take nv =
// ceil(left/4) vectors, the last one moved back to end at the last column
// (left < 4 with n >= 4: one vector at [n-4, n)), recomputing and storing
// again some columns bit for bit; n < 4 is scalar (fmadd), with the column
// pointers clamped to the last column. Every access stays inside the rows'
// n elements and inside x.
//
// R0 C block (row 0), R1 ldc in bytes, R2 columns left, R3 lda in bytes,
// R4 A block (row 0), R5 x, R6 sxi in bytes, R7 sxp in bytes, R9 k,
// R8/R10/R16 A pointers (vectors 0-3, 4.., the last), R12-R15 x row
// pointers, R17 rows left, R20 the last vector's byte offset, R19/R21
// store pointers, R22/R23 the scalar columns' byte offsets.

// func gemmRows2NEON(c []float32, ldc, n int, a []float32, lda int, x []float32, sxi, sxp, k int)
TEXT ·gemmRows2NEON(SB), NOSPLIT, $0-120
	MOVD c_base+0(FP), R0
	MOVD ldc+24(FP), R1
	MOVD n+32(FP), R2
	MOVD a_base+40(FP), R4
	MOVD lda+64(FP), R3
	MOVD x_base+72(FP), R5
	MOVD sxi+96(FP), R6
	MOVD sxp+104(FP), R7
	MOVD k+112(FP), R9
	LSL $2, R1, R1
	LSL $2, R3, R3
	LSL $2, R6, R6
	LSL $2, R7, R7

gr2full:
	CMP $32, R2
	BLT gr2rem
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16
	VEOR V8.B16, V8.B16, V8.B16
	VEOR V9.B16, V9.B16, V9.B16
	VEOR V10.B16, V10.B16, V10.B16
	VEOR V11.B16, V11.B16, V11.B16
	VEOR V12.B16, V12.B16, V12.B16
	VEOR V13.B16, V13.B16, V13.B16
	VEOR V14.B16, V14.B16, V14.B16
	VEOR V15.B16, V15.B16, V15.B16
	MOVD R4, R8
	ADD $64, R4, R10
	MOVD R5, R12
	ADD R6, R12, R13
	MOVD R9, R17
	CBZ R17, gr2b8st

gr2b8:
	VLD1R.P (R12)(R7), [V24.S4]
	VLD1R.P (R13)(R7), [V25.S4]
	VLD1.P (R8)(R3), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1.P (R10)(R3), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4e38ce00 // fmla v0.4s, v16.4s, v24.4s
	WORD $0x4e39ce08 // fmla v8.4s, v16.4s, v25.4s
	WORD $0x4e38ce21 // fmla v1.4s, v17.4s, v24.4s
	WORD $0x4e39ce29 // fmla v9.4s, v17.4s, v25.4s
	WORD $0x4e38ce42 // fmla v2.4s, v18.4s, v24.4s
	WORD $0x4e39ce4a // fmla v10.4s, v18.4s, v25.4s
	WORD $0x4e38ce63 // fmla v3.4s, v19.4s, v24.4s
	WORD $0x4e39ce6b // fmla v11.4s, v19.4s, v25.4s
	WORD $0x4e38ce84 // fmla v4.4s, v20.4s, v24.4s
	WORD $0x4e39ce8c // fmla v12.4s, v20.4s, v25.4s
	WORD $0x4e38cea5 // fmla v5.4s, v21.4s, v24.4s
	WORD $0x4e39cead // fmla v13.4s, v21.4s, v25.4s
	WORD $0x4e38cec6 // fmla v6.4s, v22.4s, v24.4s
	WORD $0x4e39cece // fmla v14.4s, v22.4s, v25.4s
	WORD $0x4e38cee7 // fmla v7.4s, v23.4s, v24.4s
	WORD $0x4e39ceef // fmla v15.4s, v23.4s, v25.4s
	SUBS $1, R17, R17
	BNE gr2b8

gr2b8st:
	MOVD R0, R19
	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R19)
	ADD $64, R19, R21
	VST1 [V4.S4, V5.S4, V6.S4, V7.S4], (R21)
	ADD R1, R19, R19
	VST1 [V8.S4, V9.S4, V10.S4, V11.S4], (R19)
	ADD $64, R19, R21
	VST1 [V12.S4, V13.S4, V14.S4, V15.S4], (R21)
	ADD $128, R0, R0
	ADD $128, R4, R4
	SUB $32, R2, R2
	B gr2full

gr2rem:
	CBZ R2, gr2done
	CMP $4, R2
	BGE gr2vec
	MOVD n+32(FP), R19
	CMP $4, R19
	BLT gr2sc
	// Under 4 columns left of n >= 4: one vector at [n-4, n).
	MOVD $4, R19
	SUB R2, R19, R19
	SUB R19<<2, R0, R0
	SUB R19<<2, R4, R4
	MOVD $4, R2

gr2vec:
	// nv = ceil(R2/4) vectors, the last at byte offset 4*(R2-4).
	SUB $4, R2, R20
	LSL $2, R20, R20
	ADD $3, R2, R19
	LSR $2, R19, R19
	CMP $1, R19
	BEQ gr2v1
	CMP $2, R19
	BEQ gr2v2
	CMP $3, R19
	BEQ gr2v3
	CMP $4, R19
	BEQ gr2v4
	CMP $5, R19
	BEQ gr2v5
	CMP $6, R19
	BEQ gr2v6
	CMP $7, R19
	BEQ gr2v7

gr2v8:
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16
	VEOR V8.B16, V8.B16, V8.B16
	VEOR V9.B16, V9.B16, V9.B16
	VEOR V10.B16, V10.B16, V10.B16
	VEOR V11.B16, V11.B16, V11.B16
	VEOR V12.B16, V12.B16, V12.B16
	VEOR V13.B16, V13.B16, V13.B16
	VEOR V14.B16, V14.B16, V14.B16
	VEOR V15.B16, V15.B16, V15.B16
	MOVD R4, R8
	ADD $64, R4, R10
	ADD R20, R4, R16
	MOVD R5, R12
	ADD R6, R12, R13
	MOVD R9, R17
	CBZ R17, gr2b8lst

gr2b8l:
	VLD1R.P (R12)(R7), [V24.S4]
	VLD1R.P (R13)(R7), [V25.S4]
	VLD1.P (R8)(R3), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1.P (R10)(R3), [V20.S4, V21.S4, V22.S4]
	VLD1.P (R16)(R3), [V23.S4]
	WORD $0x4e38ce00 // fmla v0.4s, v16.4s, v24.4s
	WORD $0x4e39ce08 // fmla v8.4s, v16.4s, v25.4s
	WORD $0x4e38ce21 // fmla v1.4s, v17.4s, v24.4s
	WORD $0x4e39ce29 // fmla v9.4s, v17.4s, v25.4s
	WORD $0x4e38ce42 // fmla v2.4s, v18.4s, v24.4s
	WORD $0x4e39ce4a // fmla v10.4s, v18.4s, v25.4s
	WORD $0x4e38ce63 // fmla v3.4s, v19.4s, v24.4s
	WORD $0x4e39ce6b // fmla v11.4s, v19.4s, v25.4s
	WORD $0x4e38ce84 // fmla v4.4s, v20.4s, v24.4s
	WORD $0x4e39ce8c // fmla v12.4s, v20.4s, v25.4s
	WORD $0x4e38cea5 // fmla v5.4s, v21.4s, v24.4s
	WORD $0x4e39cead // fmla v13.4s, v21.4s, v25.4s
	WORD $0x4e38cec6 // fmla v6.4s, v22.4s, v24.4s
	WORD $0x4e39cece // fmla v14.4s, v22.4s, v25.4s
	WORD $0x4e38cee7 // fmla v7.4s, v23.4s, v24.4s
	WORD $0x4e39ceef // fmla v15.4s, v23.4s, v25.4s
	SUBS $1, R17, R17
	BNE gr2b8l

gr2b8lst:
	MOVD R0, R19
	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R19)
	ADD $64, R19, R21
	VST1 [V4.S4, V5.S4, V6.S4], (R21)
	ADD R20, R19, R21
	VST1 [V7.S4], (R21)
	ADD R1, R19, R19
	VST1 [V8.S4, V9.S4, V10.S4, V11.S4], (R19)
	ADD $64, R19, R21
	VST1 [V12.S4, V13.S4, V14.S4], (R21)
	ADD R20, R19, R21
	VST1 [V15.S4], (R21)
	RET

gr2v7:
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V8.B16, V8.B16, V8.B16
	VEOR V9.B16, V9.B16, V9.B16
	VEOR V10.B16, V10.B16, V10.B16
	VEOR V11.B16, V11.B16, V11.B16
	VEOR V12.B16, V12.B16, V12.B16
	VEOR V13.B16, V13.B16, V13.B16
	VEOR V14.B16, V14.B16, V14.B16
	MOVD R4, R8
	ADD $64, R4, R10
	ADD R20, R4, R16
	MOVD R5, R12
	ADD R6, R12, R13
	MOVD R9, R17
	CBZ R17, gr2b7lst

gr2b7l:
	VLD1R.P (R12)(R7), [V24.S4]
	VLD1R.P (R13)(R7), [V25.S4]
	VLD1.P (R8)(R3), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1.P (R10)(R3), [V20.S4, V21.S4]
	VLD1.P (R16)(R3), [V22.S4]
	WORD $0x4e38ce00 // fmla v0.4s, v16.4s, v24.4s
	WORD $0x4e39ce08 // fmla v8.4s, v16.4s, v25.4s
	WORD $0x4e38ce21 // fmla v1.4s, v17.4s, v24.4s
	WORD $0x4e39ce29 // fmla v9.4s, v17.4s, v25.4s
	WORD $0x4e38ce42 // fmla v2.4s, v18.4s, v24.4s
	WORD $0x4e39ce4a // fmla v10.4s, v18.4s, v25.4s
	WORD $0x4e38ce63 // fmla v3.4s, v19.4s, v24.4s
	WORD $0x4e39ce6b // fmla v11.4s, v19.4s, v25.4s
	WORD $0x4e38ce84 // fmla v4.4s, v20.4s, v24.4s
	WORD $0x4e39ce8c // fmla v12.4s, v20.4s, v25.4s
	WORD $0x4e38cea5 // fmla v5.4s, v21.4s, v24.4s
	WORD $0x4e39cead // fmla v13.4s, v21.4s, v25.4s
	WORD $0x4e38cec6 // fmla v6.4s, v22.4s, v24.4s
	WORD $0x4e39cece // fmla v14.4s, v22.4s, v25.4s
	SUBS $1, R17, R17
	BNE gr2b7l

gr2b7lst:
	MOVD R0, R19
	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R19)
	ADD $64, R19, R21
	VST1 [V4.S4, V5.S4], (R21)
	ADD R20, R19, R21
	VST1 [V6.S4], (R21)
	ADD R1, R19, R19
	VST1 [V8.S4, V9.S4, V10.S4, V11.S4], (R19)
	ADD $64, R19, R21
	VST1 [V12.S4, V13.S4], (R21)
	ADD R20, R19, R21
	VST1 [V14.S4], (R21)
	RET

gr2v6:
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V8.B16, V8.B16, V8.B16
	VEOR V9.B16, V9.B16, V9.B16
	VEOR V10.B16, V10.B16, V10.B16
	VEOR V11.B16, V11.B16, V11.B16
	VEOR V12.B16, V12.B16, V12.B16
	VEOR V13.B16, V13.B16, V13.B16
	MOVD R4, R8
	ADD $64, R4, R10
	ADD R20, R4, R16
	MOVD R5, R12
	ADD R6, R12, R13
	MOVD R9, R17
	CBZ R17, gr2b6lst

gr2b6l:
	VLD1R.P (R12)(R7), [V24.S4]
	VLD1R.P (R13)(R7), [V25.S4]
	VLD1.P (R8)(R3), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1.P (R10)(R3), [V20.S4]
	VLD1.P (R16)(R3), [V21.S4]
	WORD $0x4e38ce00 // fmla v0.4s, v16.4s, v24.4s
	WORD $0x4e39ce08 // fmla v8.4s, v16.4s, v25.4s
	WORD $0x4e38ce21 // fmla v1.4s, v17.4s, v24.4s
	WORD $0x4e39ce29 // fmla v9.4s, v17.4s, v25.4s
	WORD $0x4e38ce42 // fmla v2.4s, v18.4s, v24.4s
	WORD $0x4e39ce4a // fmla v10.4s, v18.4s, v25.4s
	WORD $0x4e38ce63 // fmla v3.4s, v19.4s, v24.4s
	WORD $0x4e39ce6b // fmla v11.4s, v19.4s, v25.4s
	WORD $0x4e38ce84 // fmla v4.4s, v20.4s, v24.4s
	WORD $0x4e39ce8c // fmla v12.4s, v20.4s, v25.4s
	WORD $0x4e38cea5 // fmla v5.4s, v21.4s, v24.4s
	WORD $0x4e39cead // fmla v13.4s, v21.4s, v25.4s
	SUBS $1, R17, R17
	BNE gr2b6l

gr2b6lst:
	MOVD R0, R19
	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R19)
	ADD $64, R19, R21
	VST1 [V4.S4], (R21)
	ADD R20, R19, R21
	VST1 [V5.S4], (R21)
	ADD R1, R19, R19
	VST1 [V8.S4, V9.S4, V10.S4, V11.S4], (R19)
	ADD $64, R19, R21
	VST1 [V12.S4], (R21)
	ADD R20, R19, R21
	VST1 [V13.S4], (R21)
	RET

gr2v5:
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V8.B16, V8.B16, V8.B16
	VEOR V9.B16, V9.B16, V9.B16
	VEOR V10.B16, V10.B16, V10.B16
	VEOR V11.B16, V11.B16, V11.B16
	VEOR V12.B16, V12.B16, V12.B16
	MOVD R4, R8
	ADD R20, R4, R16
	MOVD R5, R12
	ADD R6, R12, R13
	MOVD R9, R17
	CBZ R17, gr2b5lst

gr2b5l:
	VLD1R.P (R12)(R7), [V24.S4]
	VLD1R.P (R13)(R7), [V25.S4]
	VLD1.P (R8)(R3), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1.P (R16)(R3), [V20.S4]
	WORD $0x4e38ce00 // fmla v0.4s, v16.4s, v24.4s
	WORD $0x4e39ce08 // fmla v8.4s, v16.4s, v25.4s
	WORD $0x4e38ce21 // fmla v1.4s, v17.4s, v24.4s
	WORD $0x4e39ce29 // fmla v9.4s, v17.4s, v25.4s
	WORD $0x4e38ce42 // fmla v2.4s, v18.4s, v24.4s
	WORD $0x4e39ce4a // fmla v10.4s, v18.4s, v25.4s
	WORD $0x4e38ce63 // fmla v3.4s, v19.4s, v24.4s
	WORD $0x4e39ce6b // fmla v11.4s, v19.4s, v25.4s
	WORD $0x4e38ce84 // fmla v4.4s, v20.4s, v24.4s
	WORD $0x4e39ce8c // fmla v12.4s, v20.4s, v25.4s
	SUBS $1, R17, R17
	BNE gr2b5l

gr2b5lst:
	MOVD R0, R19
	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R19)
	ADD R20, R19, R21
	VST1 [V4.S4], (R21)
	ADD R1, R19, R19
	VST1 [V8.S4, V9.S4, V10.S4, V11.S4], (R19)
	ADD R20, R19, R21
	VST1 [V12.S4], (R21)
	RET

gr2v4:
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V8.B16, V8.B16, V8.B16
	VEOR V9.B16, V9.B16, V9.B16
	VEOR V10.B16, V10.B16, V10.B16
	VEOR V11.B16, V11.B16, V11.B16
	MOVD R4, R8
	ADD R20, R4, R16
	MOVD R5, R12
	ADD R6, R12, R13
	MOVD R9, R17
	CBZ R17, gr2b4lst

gr2b4l:
	VLD1R.P (R12)(R7), [V24.S4]
	VLD1R.P (R13)(R7), [V25.S4]
	VLD1.P (R8)(R3), [V16.S4, V17.S4, V18.S4]
	VLD1.P (R16)(R3), [V19.S4]
	WORD $0x4e38ce00 // fmla v0.4s, v16.4s, v24.4s
	WORD $0x4e39ce08 // fmla v8.4s, v16.4s, v25.4s
	WORD $0x4e38ce21 // fmla v1.4s, v17.4s, v24.4s
	WORD $0x4e39ce29 // fmla v9.4s, v17.4s, v25.4s
	WORD $0x4e38ce42 // fmla v2.4s, v18.4s, v24.4s
	WORD $0x4e39ce4a // fmla v10.4s, v18.4s, v25.4s
	WORD $0x4e38ce63 // fmla v3.4s, v19.4s, v24.4s
	WORD $0x4e39ce6b // fmla v11.4s, v19.4s, v25.4s
	SUBS $1, R17, R17
	BNE gr2b4l

gr2b4lst:
	MOVD R0, R19
	VST1 [V0.S4, V1.S4, V2.S4], (R19)
	ADD R20, R19, R21
	VST1 [V3.S4], (R21)
	ADD R1, R19, R19
	VST1 [V8.S4, V9.S4, V10.S4], (R19)
	ADD R20, R19, R21
	VST1 [V11.S4], (R21)
	RET

gr2v3:
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V8.B16, V8.B16, V8.B16
	VEOR V9.B16, V9.B16, V9.B16
	VEOR V10.B16, V10.B16, V10.B16
	MOVD R4, R8
	ADD R20, R4, R16
	MOVD R5, R12
	ADD R6, R12, R13
	MOVD R9, R17
	CBZ R17, gr2b3lst

gr2b3l:
	VLD1R.P (R12)(R7), [V24.S4]
	VLD1R.P (R13)(R7), [V25.S4]
	VLD1.P (R8)(R3), [V16.S4, V17.S4]
	VLD1.P (R16)(R3), [V18.S4]
	WORD $0x4e38ce00 // fmla v0.4s, v16.4s, v24.4s
	WORD $0x4e39ce08 // fmla v8.4s, v16.4s, v25.4s
	WORD $0x4e38ce21 // fmla v1.4s, v17.4s, v24.4s
	WORD $0x4e39ce29 // fmla v9.4s, v17.4s, v25.4s
	WORD $0x4e38ce42 // fmla v2.4s, v18.4s, v24.4s
	WORD $0x4e39ce4a // fmla v10.4s, v18.4s, v25.4s
	SUBS $1, R17, R17
	BNE gr2b3l

gr2b3lst:
	MOVD R0, R19
	VST1 [V0.S4, V1.S4], (R19)
	ADD R20, R19, R21
	VST1 [V2.S4], (R21)
	ADD R1, R19, R19
	VST1 [V8.S4, V9.S4], (R19)
	ADD R20, R19, R21
	VST1 [V10.S4], (R21)
	RET

gr2v2:
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V8.B16, V8.B16, V8.B16
	VEOR V9.B16, V9.B16, V9.B16
	MOVD R4, R8
	ADD R20, R4, R16
	MOVD R5, R12
	ADD R6, R12, R13
	MOVD R9, R17
	CBZ R17, gr2b2lst

gr2b2l:
	VLD1R.P (R12)(R7), [V24.S4]
	VLD1R.P (R13)(R7), [V25.S4]
	VLD1.P (R8)(R3), [V16.S4]
	VLD1.P (R16)(R3), [V17.S4]
	WORD $0x4e38ce00 // fmla v0.4s, v16.4s, v24.4s
	WORD $0x4e39ce08 // fmla v8.4s, v16.4s, v25.4s
	WORD $0x4e38ce21 // fmla v1.4s, v17.4s, v24.4s
	WORD $0x4e39ce29 // fmla v9.4s, v17.4s, v25.4s
	SUBS $1, R17, R17
	BNE gr2b2l

gr2b2lst:
	MOVD R0, R19
	VST1 [V0.S4], (R19)
	ADD R20, R19, R21
	VST1 [V1.S4], (R21)
	ADD R1, R19, R19
	VST1 [V8.S4], (R19)
	ADD R20, R19, R21
	VST1 [V9.S4], (R21)
	RET

gr2v1:
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V8.B16, V8.B16, V8.B16
	ADD R20, R4, R16
	MOVD R5, R12
	ADD R6, R12, R13
	MOVD R9, R17
	CBZ R17, gr2b1lst

gr2b1l:
	VLD1R.P (R12)(R7), [V24.S4]
	VLD1R.P (R13)(R7), [V25.S4]
	VLD1.P (R16)(R3), [V16.S4]
	WORD $0x4e38ce00 // fmla v0.4s, v16.4s, v24.4s
	WORD $0x4e39ce08 // fmla v8.4s, v16.4s, v25.4s
	SUBS $1, R17, R17
	BNE gr2b1l

gr2b1lst:
	MOVD R0, R19
	ADD R20, R19, R21
	VST1 [V0.S4], (R21)
	ADD R1, R19, R19
	ADD R20, R19, R21
	VST1 [V8.S4], (R21)
	RET

gr2sc:
	// 1..3 columns, scalar: column j at min(j, n-1), byte offsets 0, R22, R23.
	SUB $1, R2, R21
	CMP $1, R21
	CSET GE, R22
	LSL $2, R22, R22
	CMP $2, R21
	CSET GE, R23
	ADD R23<<2, R22, R23
	MOVD R4, R8
	ADD R22, R4, R10
	ADD R23, R4, R16
	MOVD R5, R12
	ADD R6, R12, R13
	FMOVS $0.0, F0
	FMOVS $0.0, F1
	FMOVS $0.0, F2
	FMOVS $0.0, F3
	FMOVS $0.0, F4
	FMOVS $0.0, F5
	MOVD R9, R17
	CBZ R17, gr2scst

gr2s1:
	FMOVS (R12), F20
	ADD R7, R12, R12
	FMOVS (R13), F21
	ADD R7, R13, R13
	FMOVS (R8), F16
	FMOVS (R10), F17
	FMOVS (R16), F18
	FMADDS F16, F0, F20, F0 // fmadd s0, s20, s16, s0
	FMADDS F17, F1, F20, F1 // fmadd s1, s20, s17, s1
	FMADDS F18, F2, F20, F2 // fmadd s2, s20, s18, s2
	FMADDS F16, F3, F21, F3 // fmadd s3, s21, s16, s3
	FMADDS F17, F4, F21, F4 // fmadd s4, s21, s17, s4
	FMADDS F18, F5, F21, F5 // fmadd s5, s21, s18, s5
	ADD R3, R8, R8
	ADD R3, R10, R10
	ADD R3, R16, R16
	SUBS $1, R17, R17
	BNE gr2s1

gr2scst:
	MOVD R0, R19
	FMOVS F0, (R19)
	ADD R22, R19, R21
	FMOVS F1, (R21)
	ADD R23, R19, R21
	FMOVS F2, (R21)
	ADD R1, R19, R19
	FMOVS F3, (R19)
	ADD R22, R19, R21
	FMOVS F4, (R21)
	ADD R23, R19, R21
	FMOVS F5, (R21)

gr2done:
	RET

// func gemmRows3NEON(c []float32, ldc, n int, a []float32, lda int, x []float32, sxi, sxp, k int)
TEXT ·gemmRows3NEON(SB), NOSPLIT, $0-120
	MOVD c_base+0(FP), R0
	MOVD ldc+24(FP), R1
	MOVD n+32(FP), R2
	MOVD a_base+40(FP), R4
	MOVD lda+64(FP), R3
	MOVD x_base+72(FP), R5
	MOVD sxi+96(FP), R6
	MOVD sxp+104(FP), R7
	MOVD k+112(FP), R9
	LSL $2, R1, R1
	LSL $2, R3, R3
	LSL $2, R6, R6
	LSL $2, R7, R7

gr3full:
	CMP $24, R2
	BLT gr3rem
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16
	VEOR V8.B16, V8.B16, V8.B16
	VEOR V9.B16, V9.B16, V9.B16
	VEOR V10.B16, V10.B16, V10.B16
	VEOR V11.B16, V11.B16, V11.B16
	VEOR V12.B16, V12.B16, V12.B16
	VEOR V13.B16, V13.B16, V13.B16
	VEOR V14.B16, V14.B16, V14.B16
	VEOR V15.B16, V15.B16, V15.B16
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	MOVD R4, R8
	ADD $64, R4, R10
	MOVD R5, R12
	ADD R6, R12, R13
	ADD R6, R13, R14
	MOVD R9, R17
	CBZ R17, gr3b6st

gr3b6:
	VLD1R.P (R12)(R7), [V24.S4]
	VLD1R.P (R13)(R7), [V25.S4]
	VLD1R.P (R14)(R7), [V26.S4]
	VLD1.P (R8)(R3), [V18.S4, V19.S4, V20.S4, V21.S4]
	VLD1.P (R10)(R3), [V22.S4, V23.S4]
	WORD $0x4e38ce40 // fmla v0.4s, v18.4s, v24.4s
	WORD $0x4e39ce46 // fmla v6.4s, v18.4s, v25.4s
	WORD $0x4e3ace4c // fmla v12.4s, v18.4s, v26.4s
	WORD $0x4e38ce61 // fmla v1.4s, v19.4s, v24.4s
	WORD $0x4e39ce67 // fmla v7.4s, v19.4s, v25.4s
	WORD $0x4e3ace6d // fmla v13.4s, v19.4s, v26.4s
	WORD $0x4e38ce82 // fmla v2.4s, v20.4s, v24.4s
	WORD $0x4e39ce88 // fmla v8.4s, v20.4s, v25.4s
	WORD $0x4e3ace8e // fmla v14.4s, v20.4s, v26.4s
	WORD $0x4e38cea3 // fmla v3.4s, v21.4s, v24.4s
	WORD $0x4e39cea9 // fmla v9.4s, v21.4s, v25.4s
	WORD $0x4e3aceaf // fmla v15.4s, v21.4s, v26.4s
	WORD $0x4e38cec4 // fmla v4.4s, v22.4s, v24.4s
	WORD $0x4e39ceca // fmla v10.4s, v22.4s, v25.4s
	WORD $0x4e3aced0 // fmla v16.4s, v22.4s, v26.4s
	WORD $0x4e38cee5 // fmla v5.4s, v23.4s, v24.4s
	WORD $0x4e39ceeb // fmla v11.4s, v23.4s, v25.4s
	WORD $0x4e3acef1 // fmla v17.4s, v23.4s, v26.4s
	SUBS $1, R17, R17
	BNE gr3b6

gr3b6st:
	MOVD R0, R19
	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R19)
	ADD $64, R19, R21
	VST1 [V4.S4, V5.S4], (R21)
	ADD R1, R19, R19
	VST1 [V6.S4, V7.S4, V8.S4, V9.S4], (R19)
	ADD $64, R19, R21
	VST1 [V10.S4, V11.S4], (R21)
	ADD R1, R19, R19
	VST1 [V12.S4, V13.S4, V14.S4, V15.S4], (R19)
	ADD $64, R19, R21
	VST1 [V16.S4, V17.S4], (R21)
	ADD $96, R0, R0
	ADD $96, R4, R4
	SUB $24, R2, R2
	B gr3full

gr3rem:
	CBZ R2, gr3done
	CMP $4, R2
	BGE gr3vec
	MOVD n+32(FP), R19
	CMP $4, R19
	BLT gr3sc
	// Under 4 columns left of n >= 4: one vector at [n-4, n).
	MOVD $4, R19
	SUB R2, R19, R19
	SUB R19<<2, R0, R0
	SUB R19<<2, R4, R4
	MOVD $4, R2

gr3vec:
	// nv = ceil(R2/4) vectors, the last at byte offset 4*(R2-4).
	SUB $4, R2, R20
	LSL $2, R20, R20
	ADD $3, R2, R19
	LSR $2, R19, R19
	CMP $1, R19
	BEQ gr3v1
	CMP $2, R19
	BEQ gr3v2
	CMP $3, R19
	BEQ gr3v3
	CMP $4, R19
	BEQ gr3v4
	CMP $5, R19
	BEQ gr3v5

gr3v6:
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16
	VEOR V8.B16, V8.B16, V8.B16
	VEOR V9.B16, V9.B16, V9.B16
	VEOR V10.B16, V10.B16, V10.B16
	VEOR V11.B16, V11.B16, V11.B16
	VEOR V12.B16, V12.B16, V12.B16
	VEOR V13.B16, V13.B16, V13.B16
	VEOR V14.B16, V14.B16, V14.B16
	VEOR V15.B16, V15.B16, V15.B16
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	MOVD R4, R8
	ADD $64, R4, R10
	ADD R20, R4, R16
	MOVD R5, R12
	ADD R6, R12, R13
	ADD R6, R13, R14
	MOVD R9, R17
	CBZ R17, gr3b6lst

gr3b6l:
	VLD1R.P (R12)(R7), [V24.S4]
	VLD1R.P (R13)(R7), [V25.S4]
	VLD1R.P (R14)(R7), [V26.S4]
	VLD1.P (R8)(R3), [V18.S4, V19.S4, V20.S4, V21.S4]
	VLD1.P (R10)(R3), [V22.S4]
	VLD1.P (R16)(R3), [V23.S4]
	WORD $0x4e38ce40 // fmla v0.4s, v18.4s, v24.4s
	WORD $0x4e39ce46 // fmla v6.4s, v18.4s, v25.4s
	WORD $0x4e3ace4c // fmla v12.4s, v18.4s, v26.4s
	WORD $0x4e38ce61 // fmla v1.4s, v19.4s, v24.4s
	WORD $0x4e39ce67 // fmla v7.4s, v19.4s, v25.4s
	WORD $0x4e3ace6d // fmla v13.4s, v19.4s, v26.4s
	WORD $0x4e38ce82 // fmla v2.4s, v20.4s, v24.4s
	WORD $0x4e39ce88 // fmla v8.4s, v20.4s, v25.4s
	WORD $0x4e3ace8e // fmla v14.4s, v20.4s, v26.4s
	WORD $0x4e38cea3 // fmla v3.4s, v21.4s, v24.4s
	WORD $0x4e39cea9 // fmla v9.4s, v21.4s, v25.4s
	WORD $0x4e3aceaf // fmla v15.4s, v21.4s, v26.4s
	WORD $0x4e38cec4 // fmla v4.4s, v22.4s, v24.4s
	WORD $0x4e39ceca // fmla v10.4s, v22.4s, v25.4s
	WORD $0x4e3aced0 // fmla v16.4s, v22.4s, v26.4s
	WORD $0x4e38cee5 // fmla v5.4s, v23.4s, v24.4s
	WORD $0x4e39ceeb // fmla v11.4s, v23.4s, v25.4s
	WORD $0x4e3acef1 // fmla v17.4s, v23.4s, v26.4s
	SUBS $1, R17, R17
	BNE gr3b6l

gr3b6lst:
	MOVD R0, R19
	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R19)
	ADD $64, R19, R21
	VST1 [V4.S4], (R21)
	ADD R20, R19, R21
	VST1 [V5.S4], (R21)
	ADD R1, R19, R19
	VST1 [V6.S4, V7.S4, V8.S4, V9.S4], (R19)
	ADD $64, R19, R21
	VST1 [V10.S4], (R21)
	ADD R20, R19, R21
	VST1 [V11.S4], (R21)
	ADD R1, R19, R19
	VST1 [V12.S4, V13.S4, V14.S4, V15.S4], (R19)
	ADD $64, R19, R21
	VST1 [V16.S4], (R21)
	ADD R20, R19, R21
	VST1 [V17.S4], (R21)
	RET

gr3v5:
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16
	VEOR V8.B16, V8.B16, V8.B16
	VEOR V9.B16, V9.B16, V9.B16
	VEOR V10.B16, V10.B16, V10.B16
	VEOR V12.B16, V12.B16, V12.B16
	VEOR V13.B16, V13.B16, V13.B16
	VEOR V14.B16, V14.B16, V14.B16
	VEOR V15.B16, V15.B16, V15.B16
	VEOR V16.B16, V16.B16, V16.B16
	MOVD R4, R8
	ADD R20, R4, R16
	MOVD R5, R12
	ADD R6, R12, R13
	ADD R6, R13, R14
	MOVD R9, R17
	CBZ R17, gr3b5lst

gr3b5l:
	VLD1R.P (R12)(R7), [V24.S4]
	VLD1R.P (R13)(R7), [V25.S4]
	VLD1R.P (R14)(R7), [V26.S4]
	VLD1.P (R8)(R3), [V18.S4, V19.S4, V20.S4, V21.S4]
	VLD1.P (R16)(R3), [V22.S4]
	WORD $0x4e38ce40 // fmla v0.4s, v18.4s, v24.4s
	WORD $0x4e39ce46 // fmla v6.4s, v18.4s, v25.4s
	WORD $0x4e3ace4c // fmla v12.4s, v18.4s, v26.4s
	WORD $0x4e38ce61 // fmla v1.4s, v19.4s, v24.4s
	WORD $0x4e39ce67 // fmla v7.4s, v19.4s, v25.4s
	WORD $0x4e3ace6d // fmla v13.4s, v19.4s, v26.4s
	WORD $0x4e38ce82 // fmla v2.4s, v20.4s, v24.4s
	WORD $0x4e39ce88 // fmla v8.4s, v20.4s, v25.4s
	WORD $0x4e3ace8e // fmla v14.4s, v20.4s, v26.4s
	WORD $0x4e38cea3 // fmla v3.4s, v21.4s, v24.4s
	WORD $0x4e39cea9 // fmla v9.4s, v21.4s, v25.4s
	WORD $0x4e3aceaf // fmla v15.4s, v21.4s, v26.4s
	WORD $0x4e38cec4 // fmla v4.4s, v22.4s, v24.4s
	WORD $0x4e39ceca // fmla v10.4s, v22.4s, v25.4s
	WORD $0x4e3aced0 // fmla v16.4s, v22.4s, v26.4s
	SUBS $1, R17, R17
	BNE gr3b5l

gr3b5lst:
	MOVD R0, R19
	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R19)
	ADD R20, R19, R21
	VST1 [V4.S4], (R21)
	ADD R1, R19, R19
	VST1 [V6.S4, V7.S4, V8.S4, V9.S4], (R19)
	ADD R20, R19, R21
	VST1 [V10.S4], (R21)
	ADD R1, R19, R19
	VST1 [V12.S4, V13.S4, V14.S4, V15.S4], (R19)
	ADD R20, R19, R21
	VST1 [V16.S4], (R21)
	RET

gr3v4:
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16
	VEOR V8.B16, V8.B16, V8.B16
	VEOR V9.B16, V9.B16, V9.B16
	VEOR V12.B16, V12.B16, V12.B16
	VEOR V13.B16, V13.B16, V13.B16
	VEOR V14.B16, V14.B16, V14.B16
	VEOR V15.B16, V15.B16, V15.B16
	MOVD R4, R8
	ADD R20, R4, R16
	MOVD R5, R12
	ADD R6, R12, R13
	ADD R6, R13, R14
	MOVD R9, R17
	CBZ R17, gr3b4lst

gr3b4l:
	VLD1R.P (R12)(R7), [V24.S4]
	VLD1R.P (R13)(R7), [V25.S4]
	VLD1R.P (R14)(R7), [V26.S4]
	VLD1.P (R8)(R3), [V18.S4, V19.S4, V20.S4]
	VLD1.P (R16)(R3), [V21.S4]
	WORD $0x4e38ce40 // fmla v0.4s, v18.4s, v24.4s
	WORD $0x4e39ce46 // fmla v6.4s, v18.4s, v25.4s
	WORD $0x4e3ace4c // fmla v12.4s, v18.4s, v26.4s
	WORD $0x4e38ce61 // fmla v1.4s, v19.4s, v24.4s
	WORD $0x4e39ce67 // fmla v7.4s, v19.4s, v25.4s
	WORD $0x4e3ace6d // fmla v13.4s, v19.4s, v26.4s
	WORD $0x4e38ce82 // fmla v2.4s, v20.4s, v24.4s
	WORD $0x4e39ce88 // fmla v8.4s, v20.4s, v25.4s
	WORD $0x4e3ace8e // fmla v14.4s, v20.4s, v26.4s
	WORD $0x4e38cea3 // fmla v3.4s, v21.4s, v24.4s
	WORD $0x4e39cea9 // fmla v9.4s, v21.4s, v25.4s
	WORD $0x4e3aceaf // fmla v15.4s, v21.4s, v26.4s
	SUBS $1, R17, R17
	BNE gr3b4l

gr3b4lst:
	MOVD R0, R19
	VST1 [V0.S4, V1.S4, V2.S4], (R19)
	ADD R20, R19, R21
	VST1 [V3.S4], (R21)
	ADD R1, R19, R19
	VST1 [V6.S4, V7.S4, V8.S4], (R19)
	ADD R20, R19, R21
	VST1 [V9.S4], (R21)
	ADD R1, R19, R19
	VST1 [V12.S4, V13.S4, V14.S4], (R19)
	ADD R20, R19, R21
	VST1 [V15.S4], (R21)
	RET

gr3v3:
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16
	VEOR V8.B16, V8.B16, V8.B16
	VEOR V12.B16, V12.B16, V12.B16
	VEOR V13.B16, V13.B16, V13.B16
	VEOR V14.B16, V14.B16, V14.B16
	MOVD R4, R8
	ADD R20, R4, R16
	MOVD R5, R12
	ADD R6, R12, R13
	ADD R6, R13, R14
	MOVD R9, R17
	CBZ R17, gr3b3lst

gr3b3l:
	VLD1R.P (R12)(R7), [V24.S4]
	VLD1R.P (R13)(R7), [V25.S4]
	VLD1R.P (R14)(R7), [V26.S4]
	VLD1.P (R8)(R3), [V18.S4, V19.S4]
	VLD1.P (R16)(R3), [V20.S4]
	WORD $0x4e38ce40 // fmla v0.4s, v18.4s, v24.4s
	WORD $0x4e39ce46 // fmla v6.4s, v18.4s, v25.4s
	WORD $0x4e3ace4c // fmla v12.4s, v18.4s, v26.4s
	WORD $0x4e38ce61 // fmla v1.4s, v19.4s, v24.4s
	WORD $0x4e39ce67 // fmla v7.4s, v19.4s, v25.4s
	WORD $0x4e3ace6d // fmla v13.4s, v19.4s, v26.4s
	WORD $0x4e38ce82 // fmla v2.4s, v20.4s, v24.4s
	WORD $0x4e39ce88 // fmla v8.4s, v20.4s, v25.4s
	WORD $0x4e3ace8e // fmla v14.4s, v20.4s, v26.4s
	SUBS $1, R17, R17
	BNE gr3b3l

gr3b3lst:
	MOVD R0, R19
	VST1 [V0.S4, V1.S4], (R19)
	ADD R20, R19, R21
	VST1 [V2.S4], (R21)
	ADD R1, R19, R19
	VST1 [V6.S4, V7.S4], (R19)
	ADD R20, R19, R21
	VST1 [V8.S4], (R21)
	ADD R1, R19, R19
	VST1 [V12.S4, V13.S4], (R19)
	ADD R20, R19, R21
	VST1 [V14.S4], (R21)
	RET

gr3v2:
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16
	VEOR V12.B16, V12.B16, V12.B16
	VEOR V13.B16, V13.B16, V13.B16
	MOVD R4, R8
	ADD R20, R4, R16
	MOVD R5, R12
	ADD R6, R12, R13
	ADD R6, R13, R14
	MOVD R9, R17
	CBZ R17, gr3b2lst

gr3b2l:
	VLD1R.P (R12)(R7), [V24.S4]
	VLD1R.P (R13)(R7), [V25.S4]
	VLD1R.P (R14)(R7), [V26.S4]
	VLD1.P (R8)(R3), [V18.S4]
	VLD1.P (R16)(R3), [V19.S4]
	WORD $0x4e38ce40 // fmla v0.4s, v18.4s, v24.4s
	WORD $0x4e39ce46 // fmla v6.4s, v18.4s, v25.4s
	WORD $0x4e3ace4c // fmla v12.4s, v18.4s, v26.4s
	WORD $0x4e38ce61 // fmla v1.4s, v19.4s, v24.4s
	WORD $0x4e39ce67 // fmla v7.4s, v19.4s, v25.4s
	WORD $0x4e3ace6d // fmla v13.4s, v19.4s, v26.4s
	SUBS $1, R17, R17
	BNE gr3b2l

gr3b2lst:
	MOVD R0, R19
	VST1 [V0.S4], (R19)
	ADD R20, R19, R21
	VST1 [V1.S4], (R21)
	ADD R1, R19, R19
	VST1 [V6.S4], (R19)
	ADD R20, R19, R21
	VST1 [V7.S4], (R21)
	ADD R1, R19, R19
	VST1 [V12.S4], (R19)
	ADD R20, R19, R21
	VST1 [V13.S4], (R21)
	RET

gr3v1:
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V12.B16, V12.B16, V12.B16
	ADD R20, R4, R16
	MOVD R5, R12
	ADD R6, R12, R13
	ADD R6, R13, R14
	MOVD R9, R17
	CBZ R17, gr3b1lst

gr3b1l:
	VLD1R.P (R12)(R7), [V24.S4]
	VLD1R.P (R13)(R7), [V25.S4]
	VLD1R.P (R14)(R7), [V26.S4]
	VLD1.P (R16)(R3), [V18.S4]
	WORD $0x4e38ce40 // fmla v0.4s, v18.4s, v24.4s
	WORD $0x4e39ce46 // fmla v6.4s, v18.4s, v25.4s
	WORD $0x4e3ace4c // fmla v12.4s, v18.4s, v26.4s
	SUBS $1, R17, R17
	BNE gr3b1l

gr3b1lst:
	MOVD R0, R19
	ADD R20, R19, R21
	VST1 [V0.S4], (R21)
	ADD R1, R19, R19
	ADD R20, R19, R21
	VST1 [V6.S4], (R21)
	ADD R1, R19, R19
	ADD R20, R19, R21
	VST1 [V12.S4], (R21)
	RET

gr3sc:
	// 1..3 columns, scalar: column j at min(j, n-1), byte offsets 0, R22, R23.
	SUB $1, R2, R21
	CMP $1, R21
	CSET GE, R22
	LSL $2, R22, R22
	CMP $2, R21
	CSET GE, R23
	ADD R23<<2, R22, R23
	MOVD R4, R8
	ADD R22, R4, R10
	ADD R23, R4, R16
	MOVD R5, R12
	ADD R6, R12, R13
	ADD R6, R13, R14
	FMOVS $0.0, F0
	FMOVS $0.0, F1
	FMOVS $0.0, F2
	FMOVS $0.0, F3
	FMOVS $0.0, F4
	FMOVS $0.0, F5
	FMOVS $0.0, F6
	FMOVS $0.0, F7
	FMOVS $0.0, F8
	MOVD R9, R17
	CBZ R17, gr3scst

gr3s1:
	FMOVS (R12), F20
	ADD R7, R12, R12
	FMOVS (R13), F21
	ADD R7, R13, R13
	FMOVS (R14), F22
	ADD R7, R14, R14
	FMOVS (R8), F16
	FMOVS (R10), F17
	FMOVS (R16), F18
	FMADDS F16, F0, F20, F0 // fmadd s0, s20, s16, s0
	FMADDS F17, F1, F20, F1 // fmadd s1, s20, s17, s1
	FMADDS F18, F2, F20, F2 // fmadd s2, s20, s18, s2
	FMADDS F16, F3, F21, F3 // fmadd s3, s21, s16, s3
	FMADDS F17, F4, F21, F4 // fmadd s4, s21, s17, s4
	FMADDS F18, F5, F21, F5 // fmadd s5, s21, s18, s5
	FMADDS F16, F6, F22, F6 // fmadd s6, s22, s16, s6
	FMADDS F17, F7, F22, F7 // fmadd s7, s22, s17, s7
	FMADDS F18, F8, F22, F8 // fmadd s8, s22, s18, s8
	ADD R3, R8, R8
	ADD R3, R10, R10
	ADD R3, R16, R16
	SUBS $1, R17, R17
	BNE gr3s1

gr3scst:
	MOVD R0, R19
	FMOVS F0, (R19)
	ADD R22, R19, R21
	FMOVS F1, (R21)
	ADD R23, R19, R21
	FMOVS F2, (R21)
	ADD R1, R19, R19
	FMOVS F3, (R19)
	ADD R22, R19, R21
	FMOVS F4, (R21)
	ADD R23, R19, R21
	FMOVS F5, (R21)
	ADD R1, R19, R19
	FMOVS F6, (R19)
	ADD R22, R19, R21
	FMOVS F7, (R21)
	ADD R23, R19, R21
	FMOVS F8, (R21)

gr3done:
	RET

// func gemmRows4NEON(c []float32, ldc, n int, a []float32, lda int, x []float32, sxi, sxp, k int)
TEXT ·gemmRows4NEON(SB), NOSPLIT, $0-120
	MOVD c_base+0(FP), R0
	MOVD ldc+24(FP), R1
	MOVD n+32(FP), R2
	MOVD a_base+40(FP), R4
	MOVD lda+64(FP), R3
	MOVD x_base+72(FP), R5
	MOVD sxi+96(FP), R6
	MOVD sxp+104(FP), R7
	MOVD k+112(FP), R9
	LSL $2, R1, R1
	LSL $2, R3, R3
	LSL $2, R6, R6
	LSL $2, R7, R7

gr4full:
	CMP $16, R2
	BLT gr4rem
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16
	VEOR V8.B16, V8.B16, V8.B16
	VEOR V9.B16, V9.B16, V9.B16
	VEOR V10.B16, V10.B16, V10.B16
	VEOR V11.B16, V11.B16, V11.B16
	VEOR V12.B16, V12.B16, V12.B16
	VEOR V13.B16, V13.B16, V13.B16
	VEOR V14.B16, V14.B16, V14.B16
	VEOR V15.B16, V15.B16, V15.B16
	MOVD R4, R8
	MOVD R5, R12
	ADD R6, R12, R13
	ADD R6, R13, R14
	ADD R6, R14, R15
	MOVD R9, R17
	CBZ R17, gr4b4st

gr4b4:
	VLD1R.P (R12)(R7), [V20.S4]
	VLD1R.P (R13)(R7), [V21.S4]
	VLD1R.P (R14)(R7), [V22.S4]
	VLD1R.P (R15)(R7), [V23.S4]
	VLD1.P (R8)(R3), [V16.S4, V17.S4, V18.S4, V19.S4]
	WORD $0x4e34ce00 // fmla v0.4s, v16.4s, v20.4s
	WORD $0x4e35ce04 // fmla v4.4s, v16.4s, v21.4s
	WORD $0x4e36ce08 // fmla v8.4s, v16.4s, v22.4s
	WORD $0x4e37ce0c // fmla v12.4s, v16.4s, v23.4s
	WORD $0x4e34ce21 // fmla v1.4s, v17.4s, v20.4s
	WORD $0x4e35ce25 // fmla v5.4s, v17.4s, v21.4s
	WORD $0x4e36ce29 // fmla v9.4s, v17.4s, v22.4s
	WORD $0x4e37ce2d // fmla v13.4s, v17.4s, v23.4s
	WORD $0x4e34ce42 // fmla v2.4s, v18.4s, v20.4s
	WORD $0x4e35ce46 // fmla v6.4s, v18.4s, v21.4s
	WORD $0x4e36ce4a // fmla v10.4s, v18.4s, v22.4s
	WORD $0x4e37ce4e // fmla v14.4s, v18.4s, v23.4s
	WORD $0x4e34ce63 // fmla v3.4s, v19.4s, v20.4s
	WORD $0x4e35ce67 // fmla v7.4s, v19.4s, v21.4s
	WORD $0x4e36ce6b // fmla v11.4s, v19.4s, v22.4s
	WORD $0x4e37ce6f // fmla v15.4s, v19.4s, v23.4s
	SUBS $1, R17, R17
	BNE gr4b4

gr4b4st:
	MOVD R0, R19
	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R19)
	ADD R1, R19, R19
	VST1 [V4.S4, V5.S4, V6.S4, V7.S4], (R19)
	ADD R1, R19, R19
	VST1 [V8.S4, V9.S4, V10.S4, V11.S4], (R19)
	ADD R1, R19, R19
	VST1 [V12.S4, V13.S4, V14.S4, V15.S4], (R19)
	ADD $64, R0, R0
	ADD $64, R4, R4
	SUB $16, R2, R2
	B gr4full

gr4rem:
	CBZ R2, gr4done
	CMP $4, R2
	BGE gr4vec
	MOVD n+32(FP), R19
	CMP $4, R19
	BLT gr4sc
	// Under 4 columns left of n >= 4: one vector at [n-4, n).
	MOVD $4, R19
	SUB R2, R19, R19
	SUB R19<<2, R0, R0
	SUB R19<<2, R4, R4
	MOVD $4, R2

gr4vec:
	// nv = ceil(R2/4) vectors, the last at byte offset 4*(R2-4).
	SUB $4, R2, R20
	LSL $2, R20, R20
	ADD $3, R2, R19
	LSR $2, R19, R19
	CMP $1, R19
	BEQ gr4v1
	CMP $2, R19
	BEQ gr4v2
	CMP $3, R19
	BEQ gr4v3

gr4v4:
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16
	VEOR V8.B16, V8.B16, V8.B16
	VEOR V9.B16, V9.B16, V9.B16
	VEOR V10.B16, V10.B16, V10.B16
	VEOR V11.B16, V11.B16, V11.B16
	VEOR V12.B16, V12.B16, V12.B16
	VEOR V13.B16, V13.B16, V13.B16
	VEOR V14.B16, V14.B16, V14.B16
	VEOR V15.B16, V15.B16, V15.B16
	MOVD R4, R8
	ADD R20, R4, R16
	MOVD R5, R12
	ADD R6, R12, R13
	ADD R6, R13, R14
	ADD R6, R14, R15
	MOVD R9, R17
	CBZ R17, gr4b4lst

gr4b4l:
	VLD1R.P (R12)(R7), [V20.S4]
	VLD1R.P (R13)(R7), [V21.S4]
	VLD1R.P (R14)(R7), [V22.S4]
	VLD1R.P (R15)(R7), [V23.S4]
	VLD1.P (R8)(R3), [V16.S4, V17.S4, V18.S4]
	VLD1.P (R16)(R3), [V19.S4]
	WORD $0x4e34ce00 // fmla v0.4s, v16.4s, v20.4s
	WORD $0x4e35ce04 // fmla v4.4s, v16.4s, v21.4s
	WORD $0x4e36ce08 // fmla v8.4s, v16.4s, v22.4s
	WORD $0x4e37ce0c // fmla v12.4s, v16.4s, v23.4s
	WORD $0x4e34ce21 // fmla v1.4s, v17.4s, v20.4s
	WORD $0x4e35ce25 // fmla v5.4s, v17.4s, v21.4s
	WORD $0x4e36ce29 // fmla v9.4s, v17.4s, v22.4s
	WORD $0x4e37ce2d // fmla v13.4s, v17.4s, v23.4s
	WORD $0x4e34ce42 // fmla v2.4s, v18.4s, v20.4s
	WORD $0x4e35ce46 // fmla v6.4s, v18.4s, v21.4s
	WORD $0x4e36ce4a // fmla v10.4s, v18.4s, v22.4s
	WORD $0x4e37ce4e // fmla v14.4s, v18.4s, v23.4s
	WORD $0x4e34ce63 // fmla v3.4s, v19.4s, v20.4s
	WORD $0x4e35ce67 // fmla v7.4s, v19.4s, v21.4s
	WORD $0x4e36ce6b // fmla v11.4s, v19.4s, v22.4s
	WORD $0x4e37ce6f // fmla v15.4s, v19.4s, v23.4s
	SUBS $1, R17, R17
	BNE gr4b4l

gr4b4lst:
	MOVD R0, R19
	VST1 [V0.S4, V1.S4, V2.S4], (R19)
	ADD R20, R19, R21
	VST1 [V3.S4], (R21)
	ADD R1, R19, R19
	VST1 [V4.S4, V5.S4, V6.S4], (R19)
	ADD R20, R19, R21
	VST1 [V7.S4], (R21)
	ADD R1, R19, R19
	VST1 [V8.S4, V9.S4, V10.S4], (R19)
	ADD R20, R19, R21
	VST1 [V11.S4], (R21)
	ADD R1, R19, R19
	VST1 [V12.S4, V13.S4, V14.S4], (R19)
	ADD R20, R19, R21
	VST1 [V15.S4], (R21)
	RET

gr4v3:
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V8.B16, V8.B16, V8.B16
	VEOR V9.B16, V9.B16, V9.B16
	VEOR V10.B16, V10.B16, V10.B16
	VEOR V12.B16, V12.B16, V12.B16
	VEOR V13.B16, V13.B16, V13.B16
	VEOR V14.B16, V14.B16, V14.B16
	MOVD R4, R8
	ADD R20, R4, R16
	MOVD R5, R12
	ADD R6, R12, R13
	ADD R6, R13, R14
	ADD R6, R14, R15
	MOVD R9, R17
	CBZ R17, gr4b3lst

gr4b3l:
	VLD1R.P (R12)(R7), [V20.S4]
	VLD1R.P (R13)(R7), [V21.S4]
	VLD1R.P (R14)(R7), [V22.S4]
	VLD1R.P (R15)(R7), [V23.S4]
	VLD1.P (R8)(R3), [V16.S4, V17.S4]
	VLD1.P (R16)(R3), [V18.S4]
	WORD $0x4e34ce00 // fmla v0.4s, v16.4s, v20.4s
	WORD $0x4e35ce04 // fmla v4.4s, v16.4s, v21.4s
	WORD $0x4e36ce08 // fmla v8.4s, v16.4s, v22.4s
	WORD $0x4e37ce0c // fmla v12.4s, v16.4s, v23.4s
	WORD $0x4e34ce21 // fmla v1.4s, v17.4s, v20.4s
	WORD $0x4e35ce25 // fmla v5.4s, v17.4s, v21.4s
	WORD $0x4e36ce29 // fmla v9.4s, v17.4s, v22.4s
	WORD $0x4e37ce2d // fmla v13.4s, v17.4s, v23.4s
	WORD $0x4e34ce42 // fmla v2.4s, v18.4s, v20.4s
	WORD $0x4e35ce46 // fmla v6.4s, v18.4s, v21.4s
	WORD $0x4e36ce4a // fmla v10.4s, v18.4s, v22.4s
	WORD $0x4e37ce4e // fmla v14.4s, v18.4s, v23.4s
	SUBS $1, R17, R17
	BNE gr4b3l

gr4b3lst:
	MOVD R0, R19
	VST1 [V0.S4, V1.S4], (R19)
	ADD R20, R19, R21
	VST1 [V2.S4], (R21)
	ADD R1, R19, R19
	VST1 [V4.S4, V5.S4], (R19)
	ADD R20, R19, R21
	VST1 [V6.S4], (R21)
	ADD R1, R19, R19
	VST1 [V8.S4, V9.S4], (R19)
	ADD R20, R19, R21
	VST1 [V10.S4], (R21)
	ADD R1, R19, R19
	VST1 [V12.S4, V13.S4], (R19)
	ADD R20, R19, R21
	VST1 [V14.S4], (R21)
	RET

gr4v2:
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V8.B16, V8.B16, V8.B16
	VEOR V9.B16, V9.B16, V9.B16
	VEOR V12.B16, V12.B16, V12.B16
	VEOR V13.B16, V13.B16, V13.B16
	MOVD R4, R8
	ADD R20, R4, R16
	MOVD R5, R12
	ADD R6, R12, R13
	ADD R6, R13, R14
	ADD R6, R14, R15
	MOVD R9, R17
	CBZ R17, gr4b2lst

gr4b2l:
	VLD1R.P (R12)(R7), [V20.S4]
	VLD1R.P (R13)(R7), [V21.S4]
	VLD1R.P (R14)(R7), [V22.S4]
	VLD1R.P (R15)(R7), [V23.S4]
	VLD1.P (R8)(R3), [V16.S4]
	VLD1.P (R16)(R3), [V17.S4]
	WORD $0x4e34ce00 // fmla v0.4s, v16.4s, v20.4s
	WORD $0x4e35ce04 // fmla v4.4s, v16.4s, v21.4s
	WORD $0x4e36ce08 // fmla v8.4s, v16.4s, v22.4s
	WORD $0x4e37ce0c // fmla v12.4s, v16.4s, v23.4s
	WORD $0x4e34ce21 // fmla v1.4s, v17.4s, v20.4s
	WORD $0x4e35ce25 // fmla v5.4s, v17.4s, v21.4s
	WORD $0x4e36ce29 // fmla v9.4s, v17.4s, v22.4s
	WORD $0x4e37ce2d // fmla v13.4s, v17.4s, v23.4s
	SUBS $1, R17, R17
	BNE gr4b2l

gr4b2lst:
	MOVD R0, R19
	VST1 [V0.S4], (R19)
	ADD R20, R19, R21
	VST1 [V1.S4], (R21)
	ADD R1, R19, R19
	VST1 [V4.S4], (R19)
	ADD R20, R19, R21
	VST1 [V5.S4], (R21)
	ADD R1, R19, R19
	VST1 [V8.S4], (R19)
	ADD R20, R19, R21
	VST1 [V9.S4], (R21)
	ADD R1, R19, R19
	VST1 [V12.S4], (R19)
	ADD R20, R19, R21
	VST1 [V13.S4], (R21)
	RET

gr4v1:
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V8.B16, V8.B16, V8.B16
	VEOR V12.B16, V12.B16, V12.B16
	ADD R20, R4, R16
	MOVD R5, R12
	ADD R6, R12, R13
	ADD R6, R13, R14
	ADD R6, R14, R15
	MOVD R9, R17
	CBZ R17, gr4b1lst

gr4b1l:
	VLD1R.P (R12)(R7), [V20.S4]
	VLD1R.P (R13)(R7), [V21.S4]
	VLD1R.P (R14)(R7), [V22.S4]
	VLD1R.P (R15)(R7), [V23.S4]
	VLD1.P (R16)(R3), [V16.S4]
	WORD $0x4e34ce00 // fmla v0.4s, v16.4s, v20.4s
	WORD $0x4e35ce04 // fmla v4.4s, v16.4s, v21.4s
	WORD $0x4e36ce08 // fmla v8.4s, v16.4s, v22.4s
	WORD $0x4e37ce0c // fmla v12.4s, v16.4s, v23.4s
	SUBS $1, R17, R17
	BNE gr4b1l

gr4b1lst:
	MOVD R0, R19
	ADD R20, R19, R21
	VST1 [V0.S4], (R21)
	ADD R1, R19, R19
	ADD R20, R19, R21
	VST1 [V4.S4], (R21)
	ADD R1, R19, R19
	ADD R20, R19, R21
	VST1 [V8.S4], (R21)
	ADD R1, R19, R19
	ADD R20, R19, R21
	VST1 [V12.S4], (R21)
	RET

gr4sc:
	// 1..3 columns, scalar: column j at min(j, n-1), byte offsets 0, R22, R23.
	SUB $1, R2, R21
	CMP $1, R21
	CSET GE, R22
	LSL $2, R22, R22
	CMP $2, R21
	CSET GE, R23
	ADD R23<<2, R22, R23
	MOVD R4, R8
	ADD R22, R4, R10
	ADD R23, R4, R16
	MOVD R5, R12
	ADD R6, R12, R13
	ADD R6, R13, R14
	ADD R6, R14, R15
	FMOVS $0.0, F0
	FMOVS $0.0, F1
	FMOVS $0.0, F2
	FMOVS $0.0, F3
	FMOVS $0.0, F4
	FMOVS $0.0, F5
	FMOVS $0.0, F6
	FMOVS $0.0, F7
	FMOVS $0.0, F8
	FMOVS $0.0, F9
	FMOVS $0.0, F10
	FMOVS $0.0, F11
	MOVD R9, R17
	CBZ R17, gr4scst

gr4s1:
	FMOVS (R12), F20
	ADD R7, R12, R12
	FMOVS (R13), F21
	ADD R7, R13, R13
	FMOVS (R14), F22
	ADD R7, R14, R14
	FMOVS (R15), F23
	ADD R7, R15, R15
	FMOVS (R8), F16
	FMOVS (R10), F17
	FMOVS (R16), F18
	FMADDS F16, F0, F20, F0 // fmadd s0, s20, s16, s0
	FMADDS F17, F1, F20, F1 // fmadd s1, s20, s17, s1
	FMADDS F18, F2, F20, F2 // fmadd s2, s20, s18, s2
	FMADDS F16, F3, F21, F3 // fmadd s3, s21, s16, s3
	FMADDS F17, F4, F21, F4 // fmadd s4, s21, s17, s4
	FMADDS F18, F5, F21, F5 // fmadd s5, s21, s18, s5
	FMADDS F16, F6, F22, F6 // fmadd s6, s22, s16, s6
	FMADDS F17, F7, F22, F7 // fmadd s7, s22, s17, s7
	FMADDS F18, F8, F22, F8 // fmadd s8, s22, s18, s8
	FMADDS F16, F9, F23, F9 // fmadd s9, s23, s16, s9
	FMADDS F17, F10, F23, F10 // fmadd s10, s23, s17, s10
	FMADDS F18, F11, F23, F11 // fmadd s11, s23, s18, s11
	ADD R3, R8, R8
	ADD R3, R10, R10
	ADD R3, R16, R16
	SUBS $1, R17, R17
	BNE gr4s1

gr4scst:
	MOVD R0, R19
	FMOVS F0, (R19)
	ADD R22, R19, R21
	FMOVS F1, (R21)
	ADD R23, R19, R21
	FMOVS F2, (R21)
	ADD R1, R19, R19
	FMOVS F3, (R19)
	ADD R22, R19, R21
	FMOVS F4, (R21)
	ADD R23, R19, R21
	FMOVS F5, (R21)
	ADD R1, R19, R19
	FMOVS F6, (R19)
	ADD R22, R19, R21
	FMOVS F7, (R21)
	ADD R23, R19, R21
	FMOVS F8, (R21)
	ADD R1, R19, R19
	FMOVS F9, (R19)
	ADD R22, R19, R21
	FMOVS F10, (R21)
	ADD R23, R19, R21
	FMOVS F11, (R21)

gr4done:
	RET
