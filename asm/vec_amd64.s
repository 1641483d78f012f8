//go:build !purego

#include "textflag.h"
#include "vec_amd64.h"

// Bodies of the elementwise kernels, one vector per stream; the last
// arguments name the registers, so that one body serves both widths.
// Streams: SI = x, DX = y, DI = dst.

// y = alpha*x + y, alpha in A.
#define AXPY(off, LD, ST, A, T, U) \
	LD(off(SI)(BX*1), T); \
	LD(off(DX)(BX*1), U); \
	VFMADD231PS T, A, U; \
	ST(U, off(DX)(BX*1))

// dst = alpha*x, alpha in A.
#define SCALE(off, LD, ST, A, T) \
	LD(off(SI)(BX*1), T); \
	VMULPS T, A, T; \
	ST(T, off(DI)(BX*1))

// dst = x OP y.
#define BINOP(OP, off, LD, ST, T, U) \
	LD(off(SI)(BX*1), T); \
	LD(off(DX)(BX*1), U); \
	OP U, T, T; \
	ST(T, off(DI)(BX*1))

// Accumulate x into ACC (sum) or x*y into ACC (dot).
#define SUMV(off, LD, ACC, T) \
	LD(off(SI)(BX*1), T); \
	VADDPS T, ACC, ACC
#define DOTV(off, LD, ACC, T, U) \
	LD(off(SI)(BX*1), T); \
	LD(off(DX)(BX*1), U); \
	VFMADD231PS U, T, ACC

#define AXPY512(off, LD, ST) AXPY(off, LD, ST, Z15, Z0, Z1)
#define AXPY256(off, LD, ST) AXPY(off, LD, ST, Y14, Y0, Y1)
#define SCALE512(off, LD, ST) SCALE(off, LD, ST, Z15, Z0)
#define SCALE256(off, LD, ST) SCALE(off, LD, ST, Y14, Y0)
#define ADD512(off, LD, ST) BINOP(VADDPS, off, LD, ST, Z0, Z1)
#define ADD256(off, LD, ST) BINOP(VADDPS, off, LD, ST, Y0, Y1)
#define MUL512(off, LD, ST) BINOP(VMULPS, off, LD, ST, Z0, Z1)
#define MUL256(off, LD, ST) BINOP(VMULPS, off, LD, ST, Y0, Y1)

#define SUM512_4 SUMV(0, LDU, Z0, Z4); SUMV(64, LDU, Z1, Z5); SUMV(128, LDU, Z2, Z6); SUMV(192, LDU, Z3, Z7)
#define SUM256_4 SUMV(0, LDU, Y0, Y4); SUMV(32, LDU, Y1, Y5); SUMV(64, LDU, Y2, Y6); SUMV(96, LDU, Y3, Y7)
#define DOT512_4 DOTV(0, LDU, Z0, Z4, Z8); DOTV(64, LDU, Z1, Z5, Z9); DOTV(128, LDU, Z2, Z6, Z10); DOTV(192, LDU, Z3, Z7, Z11)
#define DOT256_4 DOTV(0, LDU, Y0, Y4, Y8); DOTV(32, LDU, Y1, Y5, Y9); DOTV(64, LDU, Y2, Y6, Y10); DOTV(96, LDU, Y3, Y7, Y11)

// Horizontal sums of the four accumulators into X0.
#define HSUM256 \
	VADDPS Y1, Y0, Y0; \
	VADDPS Y3, Y2, Y2; \
	VADDPS Y2, Y0, Y0; \
	VEXTRACTF128 $1, Y0, X1; \
	VADDPS X1, X0, X0; \
	VMOVHLPS X0, X0, X1; \
	VADDPS X1, X0, X0; \
	VMOVSHDUP X0, X1; \
	VADDSS X1, X0, X0
#define HSUM512 \
	VADDPS Z1, Z0, Z0; \
	VADDPS Z3, Z2, Z2; \
	VADDPS Z2, Z0, Z0; \
	VEXTRACTF64X4 $1, Z0, Y1; \
	VADDPS Y1, Y0, Y0; \
	VEXTRACTF128 $1, Y0, X1; \
	VADDPS X1, X0, X0; \
	VMOVHLPS X0, X0, X1; \
	VADDPS X1, X0, X0; \
	VMOVSHDUP X0, X1; \
	VADDSS X1, X0, X0

// func axpyAVX512(alpha float32, x, y []float32)
TEXT ·axpyAVX512(SB), NOSPLIT, $0-56
	VBROADCASTSS alpha+0(FP), Z15
	MOVQ x_base+8(FP), SI
	MOVQ x_len+16(FP), CX
	MOVQ y_base+32(FP), DX
	EW512(X4_512(AXPY512), AXPY512(0, LDK, STK))
	VZEROUPPER
	RET

// func axpyAVX2(alpha float32, x, y []float32)
TEXT ·axpyAVX2(SB), NOSPLIT, $0-56
	VBROADCASTSS alpha+0(FP), Y14
	MOVQ x_base+8(FP), SI
	MOVQ x_len+16(FP), CX
	MOVQ y_base+32(FP), DX
	EW256(X4_256(AXPY256), AXPY256(0, LDU, STU), AXPY256(0, LDM, STM))
	VZEROUPPER
	RET

// func scaleAVX512(alpha float32, x []float32)
TEXT ·scaleAVX512(SB), NOSPLIT, $0-32
	VBROADCASTSS alpha+0(FP), Z15
	MOVQ x_base+8(FP), SI
	MOVQ x_len+16(FP), CX
	MOVQ SI, DI
	EW512(X4_512(SCALE512), SCALE512(0, LDK, STK))
	VZEROUPPER
	RET

// func scaleAVX2(alpha float32, x []float32)
TEXT ·scaleAVX2(SB), NOSPLIT, $0-32
	VBROADCASTSS alpha+0(FP), Y14
	MOVQ x_base+8(FP), SI
	MOVQ x_len+16(FP), CX
	MOVQ SI, DI
	EW256(X4_256(SCALE256), SCALE256(0, LDU, STU), SCALE256(0, LDM, STM))
	VZEROUPPER
	RET

// func scaleToAVX512(dst []float32, alpha float32, x []float32)
TEXT ·scaleToAVX512(SB), NOSPLIT, $0-56
	MOVQ dst_base+0(FP), DI
	VBROADCASTSS alpha+24(FP), Z15
	MOVQ x_base+32(FP), SI
	MOVQ x_len+40(FP), CX
	EW512(X4_512(SCALE512), SCALE512(0, LDK, STK))
	VZEROUPPER
	RET

// func scaleToAVX2(dst []float32, alpha float32, x []float32)
TEXT ·scaleToAVX2(SB), NOSPLIT, $0-56
	MOVQ dst_base+0(FP), DI
	VBROADCASTSS alpha+24(FP), Y14
	MOVQ x_base+32(FP), SI
	MOVQ x_len+40(FP), CX
	EW256(X4_256(SCALE256), SCALE256(0, LDU, STU), SCALE256(0, LDM, STM))
	VZEROUPPER
	RET

// func addAVX512(dst, x, y []float32)
TEXT ·addAVX512(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	MOVQ y_base+48(FP), DX
	EW512(X4_512(ADD512), ADD512(0, LDK, STK))
	VZEROUPPER
	RET

// func addAVX2(dst, x, y []float32)
TEXT ·addAVX2(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	MOVQ y_base+48(FP), DX
	EW256(X4_256(ADD256), ADD256(0, LDU, STU), ADD256(0, LDM, STM))
	VZEROUPPER
	RET

// func mulAVX512(dst, x, y []float32)
TEXT ·mulAVX512(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	MOVQ y_base+48(FP), DX
	EW512(X4_512(MUL512), MUL512(0, LDK, STK))
	VZEROUPPER
	RET

// func mulAVX2(dst, x, y []float32)
TEXT ·mulAVX2(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	MOVQ y_base+48(FP), DX
	EW256(X4_256(MUL256), MUL256(0, LDU, STU), MUL256(0, LDM, STM))
	VZEROUPPER
	RET

// func sumAVX512(x []float32) float32
TEXT ·sumAVX512(SB), NOSPLIT, $0-28
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	VXORPS Z0, Z0, Z0
	VXORPS Z1, Z1, Z1
	VXORPS Z2, Z2, Z2
	VXORPS Z3, Z3, Z3
	EW512(SUM512_4, SUMV(0, LDK, Z0, Z4))
	HSUM512
	VMOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

// func sumAVX2(x []float32) float32
TEXT ·sumAVX2(SB), NOSPLIT, $0-28
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	EW256(SUM256_4, SUMV(0, LDU, Y0, Y4), SUMV(0, LDM, Y0, Y4))
	HSUM256
	VMOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

// func dotAVX512(x, y []float32) float32
TEXT ·dotAVX512(SB), NOSPLIT, $0-52
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	MOVQ y_base+24(FP), DX
	VXORPS Z0, Z0, Z0
	VXORPS Z1, Z1, Z1
	VXORPS Z2, Z2, Z2
	VXORPS Z3, Z3, Z3
	EW512(DOT512_4, DOTV(0, LDK, Z0, Z4, Z8))
	HSUM512
	VMOVSS X0, ret+48(FP)
	VZEROUPPER
	RET

// func dotAVX2(x, y []float32) float32
TEXT ·dotAVX2(SB), NOSPLIT, $0-52
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	MOVQ y_base+24(FP), DX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	EW256(DOT256_4, DOTV(0, LDU, Y0, Y4, Y8), DOTV(0, LDM, Y0, Y4, Y8))
	HSUM256
	VMOVSS X0, ret+48(FP)
	VZEROUPPER
	RET

// AddBias and ColSums walk the matrix by blocks of columns (four vectors,
// then one masked vector at a time) and, inside a block, down the rows, so
// that the bias or the sums stay in registers. R9 = end of x, R10 = row
// stride in bytes, BX = byte offset of the block, R8 = row pointer.

// func addBiasAVX512(x, bias []float32)
TEXT ·addBiasAVX512(SB), NOSPLIT, $0-48
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), R9
	MOVQ bias_base+24(FP), DX
	MOVQ bias_len+32(FP), CX
	LEAQ (SI)(R9*4), R9
	LEAQ (CX*4), R10
	XORQ BX, BX

ab_block:
	CMPQ CX, $64
	JB   ab_tail
	VMOVUPS (DX)(BX*1), Z0
	VMOVUPS 64(DX)(BX*1), Z1
	VMOVUPS 128(DX)(BX*1), Z2
	VMOVUPS 192(DX)(BX*1), Z3
	LEAQ (SI)(BX*1), R8

ab_rows:
	CMPQ R8, R9
	JAE  ab_next
	VADDPS (R8), Z0, Z4
	VADDPS 64(R8), Z1, Z5
	VADDPS 128(R8), Z2, Z6
	VADDPS 192(R8), Z3, Z7
	VMOVUPS Z4, (R8)
	VMOVUPS Z5, 64(R8)
	VMOVUPS Z6, 128(R8)
	VMOVUPS Z7, 192(R8)
	ADDQ R10, R8
	JMP  ab_rows

ab_next:
	ADDQ $256, BX
	SUBQ $64, CX
	JMP  ab_block

ab_tail:
	TESTQ CX, CX
	JLE   ab_done
	MASK512(ab_mask)
	VMOVUPS.Z (DX)(BX*1), K1, Z0
	LEAQ (SI)(BX*1), R8

ab_trows:
	CMPQ R8, R9
	JAE  ab_tnext
	VMOVUPS.Z (R8), K1, Z4
	VADDPS Z0, Z4, Z4
	VMOVUPS Z4, K1, (R8)
	ADDQ R10, R8
	JMP  ab_trows

ab_tnext:
	ADDQ $64, BX
	SUBQ $16, CX
	JMP  ab_tail

ab_done:
	VZEROUPPER
	RET

// func addBiasAVX2(x, bias []float32)
TEXT ·addBiasAVX2(SB), NOSPLIT, $0-48
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), R9
	MOVQ bias_base+24(FP), DX
	MOVQ bias_len+32(FP), CX
	LEAQ (SI)(R9*4), R9
	LEAQ (CX*4), R10
	LEAQ ew_mask<>(SB), R11
	XORQ BX, BX

ab_block:
	CMPQ CX, $32
	JB   ab_tail
	VMOVUPS (DX)(BX*1), Y0
	VMOVUPS 32(DX)(BX*1), Y1
	VMOVUPS 64(DX)(BX*1), Y2
	VMOVUPS 96(DX)(BX*1), Y3
	LEAQ (SI)(BX*1), R8

ab_rows:
	CMPQ R8, R9
	JAE  ab_next
	VADDPS (R8), Y0, Y4
	VADDPS 32(R8), Y1, Y5
	VADDPS 64(R8), Y2, Y6
	VADDPS 96(R8), Y3, Y7
	VMOVUPS Y4, (R8)
	VMOVUPS Y5, 32(R8)
	VMOVUPS Y6, 64(R8)
	VMOVUPS Y7, 96(R8)
	ADDQ R10, R8
	JMP  ab_rows

ab_next:
	ADDQ $128, BX
	SUBQ $32, CX
	JMP  ab_block

ab_tail:
	TESTQ CX, CX
	JLE   ab_done
	MASK256(ab_mask)
	LDM((DX)(BX*1), Y0)
	LEAQ (SI)(BX*1), R8

ab_trows:
	CMPQ R8, R9
	JAE  ab_tnext
	LDM((R8), Y4)
	VADDPS Y0, Y4, Y4
	STM(Y4, (R8))
	ADDQ R10, R8
	JMP  ab_trows

ab_tnext:
	ADDQ $32, BX
	SUBQ $8, CX
	JMP  ab_tail

ab_done:
	VZEROUPPER
	RET

// ColSums: one accumulator a vector, down the rows (COLS512 / COLS256 in
// vec_amd64.h).
#define CS_ROW4(O1, O2, O3, A, B, C, D) \
	VADDPS (R8), A, A; \
	VADDPS O1(R8), B, B; \
	VADDPS O2(R8), C, C; \
	VADDPS O3(R8), D, D
#define CS_ROW1(LD, A, T) \
	LD((R8), T); \
	VADDPS T, A, A
#define CS_ZERO1(A) VXORPS A, A, A

// func colSumsAVX512(dst, x []float32)
TEXT ·colSumsAVX512(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), R9
	LEAQ (SI)(R9*4), R9
	LEAQ (CX*4), R10
	COLS512(ZERO4(Z0, Z1, Z2, Z3), CS_ROW4(64, 128, 192, Z0, Z1, Z2, Z3), STORE4(64, 128, 192, DI, Z0, Z1, Z2, Z3), CS_ZERO1(Z0), CS_ROW1(LDK, Z0, Z4), STK(Z0, (DI)(BX*1)))
	VZEROUPPER
	RET

// func colSumsAVX2(dst, x []float32)
TEXT ·colSumsAVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), R9
	LEAQ (SI)(R9*4), R9
	LEAQ (CX*4), R10
	COLS256(ZERO4(Y0, Y1, Y2, Y3), CS_ROW4(32, 64, 96, Y0, Y1, Y2, Y3), STORE4(32, 64, 96, DI, Y0, Y1, Y2, Y3), CS_ZERO1(Y0), CS_ROW1(LDM, Y0, Y4), STM(Y0, (DI)(BX*1)))
	VZEROUPPER
	RET
