//go:build !purego

#include "textflag.h"
#include "vec_amd64.h"

// Batch-norm kernels, AVX-512 and AVX2. Contracts in bnorm.go: the float32
// operations of the generic loops, unfused and in their order, so that
// every level gives the same bits.
//
// The column sums run on vec_amd64.h's COLS512 / COLS256 (blocks of 64 or
// 32 columns, one accumulator a vector, down the rows; then the last
// columns a vector at a time under a lane mask). The per-element
// passes run a row at a time through EW512 / EW256 (vec_amd64.h), with the
// per-column operands at the same offset BX as the row's.

// ColSumsSqDev: c (at DX) in C, the squares of c - x (the negated
// difference, whose square is the same float) summed in A.
#define SQ_INIT4(O1, O2, O3, C0, C1, C2, C3, A0, A1, A2, A3) \
	LOAD4(O1, O2, O3, DX, C0, C1, C2, C3); \
	ZERO4(A0, A1, A2, A3)
#define SQ_ROW4(O1, O2, O3, C0, C1, C2, C3, T0, T1, T2, T3, A0, A1, A2, A3) \
	VSUBPS (R8), C0, T0; \
	VSUBPS O1(R8), C1, T1; \
	VSUBPS O2(R8), C2, T2; \
	VSUBPS O3(R8), C3, T3; \
	VMULPS T0, T0, T0; \
	VMULPS T1, T1, T1; \
	VMULPS T2, T2, T2; \
	VMULPS T3, T3, T3; \
	VADDPS T0, A0, A0; \
	VADDPS T1, A1, A1; \
	VADDPS T2, A2, A2; \
	VADDPS T3, A3, A3
#define SQ_INIT1(LD, C, A) \
	LD((DX)(BX*1), C); \
	VXORPS A, A, A
#define SQ_ROW1(LD, C, T, A) \
	LD((R8), T); \
	VSUBPS T, C, T; \
	VMULPS T, T, T; \
	VADDPS T, A, A

// func colSumsSqDevAVX512(dst, x, c []float32)
TEXT ·colSumsSqDevAVX512(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), R9
	MOVQ c_base+48(FP), DX
	LEAQ (SI)(R9*4), R9
	LEAQ (CX*4), R10
	COLS512(SQ_INIT4(64, 128, 192, Z4, Z5, Z6, Z7, Z0, Z1, Z2, Z3), SQ_ROW4(64, 128, 192, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z0, Z1, Z2, Z3), STORE4(64, 128, 192, DI, Z0, Z1, Z2, Z3), SQ_INIT1(LDK, Z4, Z0), SQ_ROW1(LDK, Z4, Z8, Z0), STK(Z0, (DI)(BX*1)))
	VZEROUPPER
	RET

// func colSumsSqDevAVX2(dst, x, c []float32)
TEXT ·colSumsSqDevAVX2(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), R9
	MOVQ c_base+48(FP), DX
	LEAQ (SI)(R9*4), R9
	LEAQ (CX*4), R10
	COLS256(SQ_INIT4(32, 64, 96, Y4, Y5, Y6, Y7, Y0, Y1, Y2, Y3), SQ_ROW4(32, 64, 96, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11, Y0, Y1, Y2, Y3), STORE4(32, 64, 96, DI, Y0, Y1, Y2, Y3), SQ_INIT1(LDM, Y4, Y0), SQ_ROW1(LDM, Y4, Y8, Y0), STM(Y0, (DI)(BX*1)))
	VZEROUPPER
	RET

// ColSumsDots: the sums of x in S, of x*y in D; Y holds y - x in bytes, so
// that a row of y is at (R8)(Y*1), and the dots go to (Q)(BX*1).
#define CD_INIT4(S0, S1, S2, S3, D0, D1, D2, D3) \
	ZERO4(S0, S1, S2, S3); \
	ZERO4(D0, D1, D2, D3)
#define CD_ROW4(O1, O2, O3, Y, X0, X1, X2, X3, S0, S1, S2, S3, D0, D1, D2, D3) \
	VMOVUPS (R8), X0; \
	VMOVUPS O1(R8), X1; \
	VMOVUPS O2(R8), X2; \
	VMOVUPS O3(R8), X3; \
	VADDPS  X0, S0, S0; \
	VADDPS  X1, S1, S1; \
	VADDPS  X2, S2, S2; \
	VADDPS  X3, S3, S3; \
	VMULPS  (R8)(Y*1), X0, X0; \
	VMULPS  O1(R8)(Y*1), X1, X1; \
	VMULPS  O2(R8)(Y*1), X2, X2; \
	VMULPS  O3(R8)(Y*1), X3, X3; \
	VADDPS  X0, D0, D0; \
	VADDPS  X1, D1, D1; \
	VADDPS  X2, D2, D2; \
	VADDPS  X3, D3, D3
#define CD_STORE4(O1, O2, O3, Q, S0, S1, S2, S3, D0, D1, D2, D3) \
	STORE4(O1, O2, O3, DI, S0, S1, S2, S3); \
	STORE4(O1, O2, O3, Q, D0, D1, D2, D3)
#define CD_INIT1(S, D) \
	VXORPS S, S, S; \
	VXORPS D, D, D
#define CD_ROW1(LD, Y, X, T, S, D) \
	LD((R8), X); \
	LD((R8)(Y*1), T); \
	VADDPS X, S, S; \
	VMULPS T, X, X; \
	VADDPS X, D, D
#define CD_STORE1(ST, Q, S, D) \
	ST(S, (DI)(BX*1)); \
	ST(D, (Q)(BX*1))

// func colSumsDotsAVX512(sums, dots, x, y []float32)
// DX holds y - x in bytes, R11 the dots.
TEXT ·colSumsDotsAVX512(SB), NOSPLIT, $0-96
	MOVQ sums_base+0(FP), DI
	MOVQ sums_len+8(FP), CX
	MOVQ dots_base+24(FP), R11
	MOVQ x_base+48(FP), SI
	MOVQ x_len+56(FP), R9
	MOVQ y_base+72(FP), DX
	LEAQ (SI)(R9*4), R9
	SUBQ SI, DX
	LEAQ (CX*4), R10
	COLS512(CD_INIT4(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7), CD_ROW4(64, 128, 192, DX, Z8, Z9, Z10, Z11, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7), CD_STORE4(64, 128, 192, R11, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7), CD_INIT1(Z0, Z4), CD_ROW1(LDK, DX, Z8, Z9, Z0, Z4), CD_STORE1(STK, R11, Z0, Z4))
	VZEROUPPER
	RET

// func colSumsDotsAVX2(sums, dots, x, y []float32)
// R12 holds y - x in bytes, DX the dots (R11 is the lane-mask table's).
TEXT ·colSumsDotsAVX2(SB), NOSPLIT, $0-96
	MOVQ sums_base+0(FP), DI
	MOVQ sums_len+8(FP), CX
	MOVQ dots_base+24(FP), DX
	MOVQ x_base+48(FP), SI
	MOVQ x_len+56(FP), R9
	MOVQ y_base+72(FP), R12
	LEAQ (SI)(R9*4), R9
	SUBQ SI, R12
	LEAQ (CX*4), R10
	COLS256(CD_INIT4(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7), CD_ROW4(32, 64, 96, R12, Y8, Y9, Y10, Y11, Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7), CD_STORE4(32, 64, 96, DX, Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7), CD_INIT1(Y0, Y4), CD_ROW1(LDM, R12, Y8, Y9, Y0, Y4), CD_STORE1(STM, DX, Y0, Y4))
	VZEROUPPER
	RET

// Normalize one vector: SI = x's row, DI = y's, DX = xhat's (y's when there
// is no xhat: its store is then overwritten by y's), R12 = mean, R13 =
// scale, R14 = gamma, R10 = beta.
#define NORMALIZE(off, LD, ST, T, U) \
	LD(off(SI)(BX*1), T); \
	LD(off(R12)(BX*1), U); \
	VSUBPS U, T, T; \
	LD(off(R13)(BX*1), U); \
	VMULPS U, T, T; \
	ST(T, off(DX)(BX*1)); \
	LD(off(R14)(BX*1), U); \
	VMULPS U, T, T; \
	LD(off(R10)(BX*1), U); \
	VADDPS U, T, T; \
	ST(T, off(DI)(BX*1))

#define NORMALIZE512(off, LD, ST) NORMALIZE(off, LD, ST, Z0, Z1)
#define NORMALIZE256(off, LD, ST) NORMALIZE(off, LD, ST, Y0, Y1)

// The gradient of one vector: SI = dy's row, DX = xhat's, DI = dx's,
// R12 = meanDy, R13 = scale, R14 = meanDyXhat.
#define NORMGRAD(off, LD, ST, T, U, V) \
	LD(off(SI)(BX*1), T); \
	LD(off(R12)(BX*1), U); \
	VSUBPS U, T, T; \
	LD(off(DX)(BX*1), U); \
	LD(off(R14)(BX*1), V); \
	VMULPS V, U, U; \
	VSUBPS U, T, T; \
	LD(off(R13)(BX*1), U); \
	VMULPS U, T, T; \
	ST(T, off(DI)(BX*1))

#define NORMGRAD512(off, LD, ST) NORMGRAD(off, LD, ST, Z0, Z1, Z2)
#define NORMGRAD256(off, LD, ST) NORMGRAD(off, LD, ST, Y0, Y1, Y2)

// Row loop of the per-element passes: R8 = elements left, R9 = row length
// (> 0); SI, DI and DX step a row at a time.
#define NEXTROW \
	LEAQ (SI)(R9*4), SI; \
	LEAQ (DI)(R9*4), DI; \
	LEAQ (DX)(R9*4), DX; \
	SUBQ R9, R8

// ROWS512 and ROWS256 run body B over each row (R9 elements; R8 elements
// left in all), then return; the row loop starts at the label rows.
#define ROWS512(B) \
rows: \
	TESTQ R8, R8; \
	JLE   rows_done; \
	MOVQ  R9, CX; \
	EW512(X4_512(B), B(0, LDK, STK)); \
	NEXTROW; \
	JMP   rows; \
rows_done: \
	VZEROUPPER; \
	RET
#define ROWS256(B) \
rows: \
	TESTQ R8, R8; \
	JLE   rows_done; \
	MOVQ  R9, CX; \
	EW256(X4_256(B), B(0, LDU, STU), B(0, LDM, STM)); \
	NEXTROW; \
	JMP   rows; \
rows_done: \
	VZEROUPPER; \
	RET

// func normalizeAVX512(y, xhat, x, mean, scale, gamma, beta []float32)
TEXT ·normalizeAVX512(SB), NOSPLIT, $0-168
	MOVQ  y_base+0(FP), DI
	MOVQ  xhat_base+24(FP), DX
	MOVQ  x_base+48(FP), SI
	MOVQ  x_len+56(FP), R8
	MOVQ  mean_base+72(FP), R12
	MOVQ  mean_len+80(FP), R9
	MOVQ  scale_base+96(FP), R13
	MOVQ  gamma_base+120(FP), R14
	MOVQ  beta_base+144(FP), R10
	TESTQ DX, DX
	JNE   rows
	MOVQ  DI, DX
	ROWS512(NORMALIZE512)

// func normalizeAVX2(y, xhat, x, mean, scale, gamma, beta []float32)
TEXT ·normalizeAVX2(SB), NOSPLIT, $0-168
	MOVQ  y_base+0(FP), DI
	MOVQ  xhat_base+24(FP), DX
	MOVQ  x_base+48(FP), SI
	MOVQ  x_len+56(FP), R8
	MOVQ  mean_base+72(FP), R12
	MOVQ  mean_len+80(FP), R9
	MOVQ  scale_base+96(FP), R13
	MOVQ  gamma_base+120(FP), R14
	MOVQ  beta_base+144(FP), R10
	TESTQ DX, DX
	JNE   rows
	MOVQ  DI, DX
	ROWS256(NORMALIZE256)

// func normalizeGradAVX512(dx, dy, xhat, scale, meanDy, meanDyXhat []float32)
TEXT ·normalizeGradAVX512(SB), NOSPLIT, $0-144
	MOVQ dx_base+0(FP), DI
	MOVQ dy_base+24(FP), SI
	MOVQ dy_len+32(FP), R8
	MOVQ xhat_base+48(FP), DX
	MOVQ scale_base+72(FP), R13
	MOVQ scale_len+80(FP), R9
	MOVQ meanDy_base+96(FP), R12
	MOVQ meanDyXhat_base+120(FP), R14
	ROWS512(NORMGRAD512)

// func normalizeGradAVX2(dx, dy, xhat, scale, meanDy, meanDyXhat []float32)
TEXT ·normalizeGradAVX2(SB), NOSPLIT, $0-144
	MOVQ dx_base+0(FP), DI
	MOVQ dy_base+24(FP), SI
	MOVQ dy_len+32(FP), R8
	MOVQ xhat_base+48(FP), DX
	MOVQ scale_base+72(FP), R13
	MOVQ scale_len+80(FP), R9
	MOVQ meanDy_base+96(FP), R12
	MOVQ meanDyXhat_base+120(FP), R14
	ROWS256(NORMGRAD256)
