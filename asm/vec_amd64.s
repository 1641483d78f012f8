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

#define AXPY512(off, LD, ST) AXPY(off, LD, ST, Z31, Z0, Z1)
#define AXPY256(off, LD, ST) AXPY(off, LD, ST, Y14, Y0, Y1)
#define SCALE512(off, LD, ST) SCALE(off, LD, ST, Z31, Z0)
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
	VBROADCASTSS alpha+0(FP), Z31
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
	EW256(X4_256(AXPY256), AXPY256(0, LDM, STM))
	VZEROUPPER
	RET

// func scaleAVX512(alpha float32, x []float32)
TEXT ·scaleAVX512(SB), NOSPLIT, $0-32
	VBROADCASTSS alpha+0(FP), Z31
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
	EW256(X4_256(SCALE256), SCALE256(0, LDM, STM))
	VZEROUPPER
	RET

// func scaleToAVX512(dst []float32, alpha float32, x []float32)
TEXT ·scaleToAVX512(SB), NOSPLIT, $0-56
	MOVQ dst_base+0(FP), DI
	VBROADCASTSS alpha+24(FP), Z31
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
	EW256(X4_256(SCALE256), SCALE256(0, LDM, STM))
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
	EW256(X4_256(ADD256), ADD256(0, LDM, STM))
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
	EW256(X4_256(MUL256), MUL256(0, LDM, STM))
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
	EW256(SUM256_4, SUMV(0, LDM, Y0, Y4))
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
	EW256(DOT256_4, DOTV(0, LDM, Y0, Y4, Y8))
	HSUM256
	VMOVSS X0, ret+48(FP)
	VZEROUPPER
	RET
