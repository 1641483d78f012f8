//go:build !purego

#include "textflag.h"
#include "vec_amd64.h"

// Batch-norm kernels, AVX-512 and AVX2. Contracts in bnorm.go: the float32
// operations of the generic loops, unfused and in their order, so that
// every level gives the same bits.
//
// The column sums run over blocks of 64 (AVX-512) or 32 (AVX2) columns,
// one accumulator a vector, down the rows (stride R10 bytes), then over
// the last columns a vector at a time under a lane mask. The per-element
// passes run a row at a time through EW512 / EW256 (vec_amd64.h), with the
// per-column operands at the same offset BX as the row's.

// func colSumsSqDevAVX512(dst, x, c []float32)
TEXT ·colSumsSqDevAVX512(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), R9
	MOVQ c_base+48(FP), DX
	LEAQ (SI)(R9*4), R9
	LEAQ (CX*4), R10
	XORQ BX, BX

sq_block:
	CMPQ CX, $64
	JB   sq_tail
	VMOVUPS (DX)(BX*1), Z4
	VMOVUPS 64(DX)(BX*1), Z5
	VMOVUPS 128(DX)(BX*1), Z6
	VMOVUPS 192(DX)(BX*1), Z7
	VXORPS  Z0, Z0, Z0
	VXORPS  Z1, Z1, Z1
	VXORPS  Z2, Z2, Z2
	VXORPS  Z3, Z3, Z3
	LEAQ    (SI)(BX*1), R8

sq_rows:
	CMPQ   R8, R9
	JAE    sq_store
	// c - x: the negated difference, whose square is the same float
	VSUBPS (R8), Z4, Z8
	VSUBPS 64(R8), Z5, Z9
	VSUBPS 128(R8), Z6, Z10
	VSUBPS 192(R8), Z7, Z11
	VMULPS Z8, Z8, Z8
	VMULPS Z9, Z9, Z9
	VMULPS Z10, Z10, Z10
	VMULPS Z11, Z11, Z11
	VADDPS Z8, Z0, Z0
	VADDPS Z9, Z1, Z1
	VADDPS Z10, Z2, Z2
	VADDPS Z11, Z3, Z3
	ADDQ   R10, R8
	JMP    sq_rows

sq_store:
	VMOVUPS Z0, (DI)(BX*1)
	VMOVUPS Z1, 64(DI)(BX*1)
	VMOVUPS Z2, 128(DI)(BX*1)
	VMOVUPS Z3, 192(DI)(BX*1)
	ADDQ    $256, BX
	SUBQ    $64, CX
	JMP     sq_block

sq_tail:
	TESTQ CX, CX
	JLE   sq_done
	MASK512(sq_mask)
	VMOVUPS.Z (DX)(BX*1), K1, Z4
	VXORPS    Z0, Z0, Z0
	LEAQ      (SI)(BX*1), R8

sq_trows:
	CMPQ      R8, R9
	JAE       sq_tstore
	VMOVUPS.Z (R8), K1, Z8
	VSUBPS    Z8, Z4, Z8
	VMULPS    Z8, Z8, Z8
	VADDPS    Z8, Z0, Z0
	ADDQ      R10, R8
	JMP       sq_trows

sq_tstore:
	VMOVUPS Z0, K1, (DI)(BX*1)
	ADDQ    $64, BX
	SUBQ    $16, CX
	JMP     sq_tail

sq_done:
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
	LEAQ ew_mask<>(SB), R11
	XORQ BX, BX

sq_block:
	CMPQ    CX, $32
	JB      sq_tail
	VMOVUPS (DX)(BX*1), Y4
	VMOVUPS 32(DX)(BX*1), Y5
	VMOVUPS 64(DX)(BX*1), Y6
	VMOVUPS 96(DX)(BX*1), Y7
	VXORPS  Y0, Y0, Y0
	VXORPS  Y1, Y1, Y1
	VXORPS  Y2, Y2, Y2
	VXORPS  Y3, Y3, Y3
	LEAQ    (SI)(BX*1), R8

sq_rows:
	CMPQ   R8, R9
	JAE    sq_store
	VSUBPS (R8), Y4, Y8
	VSUBPS 32(R8), Y5, Y9
	VSUBPS 64(R8), Y6, Y10
	VSUBPS 96(R8), Y7, Y11
	VMULPS Y8, Y8, Y8
	VMULPS Y9, Y9, Y9
	VMULPS Y10, Y10, Y10
	VMULPS Y11, Y11, Y11
	VADDPS Y8, Y0, Y0
	VADDPS Y9, Y1, Y1
	VADDPS Y10, Y2, Y2
	VADDPS Y11, Y3, Y3
	ADDQ   R10, R8
	JMP    sq_rows

sq_store:
	VMOVUPS Y0, (DI)(BX*1)
	VMOVUPS Y1, 32(DI)(BX*1)
	VMOVUPS Y2, 64(DI)(BX*1)
	VMOVUPS Y3, 96(DI)(BX*1)
	ADDQ    $128, BX
	SUBQ    $32, CX
	JMP     sq_block

sq_tail:
	TESTQ CX, CX
	JLE   sq_done
	MASK256(sq_mask)
	LDM((DX)(BX*1), Y4)
	VXORPS Y0, Y0, Y0
	LEAQ   (SI)(BX*1), R8

sq_trows:
	CMPQ   R8, R9
	JAE    sq_tstore
	LDM((R8), Y8)
	VSUBPS Y8, Y4, Y8
	VMULPS Y8, Y8, Y8
	VADDPS Y8, Y0, Y0
	ADDQ   R10, R8
	JMP    sq_trows

sq_tstore:
	STM(Y0, (DI)(BX*1))
	ADDQ $32, BX
	SUBQ $8, CX
	JMP  sq_tail

sq_done:
	VZEROUPPER
	RET

// func colSumsDotsAVX512(sums, dots, x, y []float32)
// DX holds y - x in bytes: a row of y is at (R8)(DX*1).
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
	XORQ BX, BX

cd_block:
	CMPQ   CX, $64
	JB     cd_tail
	VXORPS Z0, Z0, Z0
	VXORPS Z1, Z1, Z1
	VXORPS Z2, Z2, Z2
	VXORPS Z3, Z3, Z3
	VXORPS Z4, Z4, Z4
	VXORPS Z5, Z5, Z5
	VXORPS Z6, Z6, Z6
	VXORPS Z7, Z7, Z7
	LEAQ   (SI)(BX*1), R8

cd_rows:
	CMPQ    R8, R9
	JAE     cd_store
	VMOVUPS (R8), Z8
	VMOVUPS 64(R8), Z9
	VMOVUPS 128(R8), Z10
	VMOVUPS 192(R8), Z11
	VADDPS  Z8, Z0, Z0
	VADDPS  Z9, Z1, Z1
	VADDPS  Z10, Z2, Z2
	VADDPS  Z11, Z3, Z3
	VMULPS  (R8)(DX*1), Z8, Z8
	VMULPS  64(R8)(DX*1), Z9, Z9
	VMULPS  128(R8)(DX*1), Z10, Z10
	VMULPS  192(R8)(DX*1), Z11, Z11
	VADDPS  Z8, Z4, Z4
	VADDPS  Z9, Z5, Z5
	VADDPS  Z10, Z6, Z6
	VADDPS  Z11, Z7, Z7
	ADDQ    R10, R8
	JMP     cd_rows

cd_store:
	VMOVUPS Z0, (DI)(BX*1)
	VMOVUPS Z1, 64(DI)(BX*1)
	VMOVUPS Z2, 128(DI)(BX*1)
	VMOVUPS Z3, 192(DI)(BX*1)
	VMOVUPS Z4, (R11)(BX*1)
	VMOVUPS Z5, 64(R11)(BX*1)
	VMOVUPS Z6, 128(R11)(BX*1)
	VMOVUPS Z7, 192(R11)(BX*1)
	ADDQ    $256, BX
	SUBQ    $64, CX
	JMP     cd_block

cd_tail:
	TESTQ CX, CX
	JLE   cd_done
	MASK512(cd_mask)
	VXORPS Z0, Z0, Z0
	VXORPS Z4, Z4, Z4
	LEAQ   (SI)(BX*1), R8

cd_trows:
	CMPQ      R8, R9
	JAE       cd_tstore
	VMOVUPS.Z (R8), K1, Z8
	VMOVUPS.Z (R8)(DX*1), K1, Z9
	VADDPS    Z8, Z0, Z0
	VMULPS    Z9, Z8, Z8
	VADDPS    Z8, Z4, Z4
	ADDQ      R10, R8
	JMP       cd_trows

cd_tstore:
	VMOVUPS Z0, K1, (DI)(BX*1)
	VMOVUPS Z4, K1, (R11)(BX*1)
	ADDQ    $64, BX
	SUBQ    $16, CX
	JMP     cd_tail

cd_done:
	VZEROUPPER
	RET

// func colSumsDotsAVX2(sums, dots, x, y []float32)
// R12 holds y - x in bytes (R11 is the lane-mask table's).
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
	LEAQ ew_mask<>(SB), R11
	XORQ BX, BX

cd_block:
	CMPQ   CX, $32
	JB     cd_tail
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	LEAQ   (SI)(BX*1), R8

cd_rows:
	CMPQ    R8, R9
	JAE     cd_store
	VMOVUPS (R8), Y8
	VMOVUPS 32(R8), Y9
	VMOVUPS 64(R8), Y10
	VMOVUPS 96(R8), Y11
	VADDPS  Y8, Y0, Y0
	VADDPS  Y9, Y1, Y1
	VADDPS  Y10, Y2, Y2
	VADDPS  Y11, Y3, Y3
	VMULPS  (R8)(R12*1), Y8, Y8
	VMULPS  32(R8)(R12*1), Y9, Y9
	VMULPS  64(R8)(R12*1), Y10, Y10
	VMULPS  96(R8)(R12*1), Y11, Y11
	VADDPS  Y8, Y4, Y4
	VADDPS  Y9, Y5, Y5
	VADDPS  Y10, Y6, Y6
	VADDPS  Y11, Y7, Y7
	ADDQ    R10, R8
	JMP     cd_rows

cd_store:
	VMOVUPS Y0, (DI)(BX*1)
	VMOVUPS Y1, 32(DI)(BX*1)
	VMOVUPS Y2, 64(DI)(BX*1)
	VMOVUPS Y3, 96(DI)(BX*1)
	VMOVUPS Y4, (DX)(BX*1)
	VMOVUPS Y5, 32(DX)(BX*1)
	VMOVUPS Y6, 64(DX)(BX*1)
	VMOVUPS Y7, 96(DX)(BX*1)
	ADDQ    $128, BX
	SUBQ    $32, CX
	JMP     cd_block

cd_tail:
	TESTQ CX, CX
	JLE   cd_done
	MASK256(cd_mask)
	VXORPS Y0, Y0, Y0
	VXORPS Y4, Y4, Y4
	LEAQ   (SI)(BX*1), R8

cd_trows:
	CMPQ   R8, R9
	JAE    cd_tstore
	LDM((R8), Y8)
	LDM((R8)(R12*1), Y9)
	VADDPS Y8, Y0, Y0
	VMULPS Y9, Y8, Y8
	VADDPS Y8, Y4, Y4
	ADDQ   R10, R8
	JMP    cd_trows

cd_tstore:
	STM(Y0, (DI)(BX*1))
	STM(Y4, (DX)(BX*1))
	ADDQ $32, BX
	SUBQ $8, CX
	JMP  cd_tail

cd_done:
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
	JNE   nz_rows
	MOVQ  DI, DX

nz_rows:
	TESTQ R8, R8
	JLE   nz_done
	MOVQ  R9, CX
	EW512(X4_512(NORMALIZE512), NORMALIZE512(0, LDK, STK))
	NEXTROW
	JMP   nz_rows

nz_done:
	VZEROUPPER
	RET

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
	JNE   nz_rows
	MOVQ  DI, DX

nz_rows:
	TESTQ R8, R8
	JLE   nz_done
	MOVQ  R9, CX
	EW256(X4_256(NORMALIZE256), NORMALIZE256(0, LDU, STU), NORMALIZE256(0, LDM, STM))
	NEXTROW
	JMP   nz_rows

nz_done:
	VZEROUPPER
	RET

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

ng_rows:
	TESTQ R8, R8
	JLE   ng_done
	MOVQ  R9, CX
	EW512(X4_512(NORMGRAD512), NORMGRAD512(0, LDK, STK))
	NEXTROW
	JMP   ng_rows

ng_done:
	VZEROUPPER
	RET

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

ng_rows:
	TESTQ R8, R8
	JLE   ng_done
	MOVQ  R9, CX
	EW256(X4_256(NORMGRAD256), NORMGRAD256(0, LDU, STU), NORMGRAD256(0, LDM, STM))
	NEXTROW
	JMP   ng_rows

ng_done:
	VZEROUPPER
	RET
