//go:build !purego

#include "textflag.h"

// Over255: q = k*r with r = fl(1/255), then one Newton step on the
// residual, q + (k - q*255)*r, both fused: the quotient rounded once
// (TestOver255 checks all 256 bytes). Z15/Y15 = r, Z14/Y14 = 255.

#define CONSTS512 \
	MOVL $0x3b808081, AX; \
	VPBROADCASTD AX, Z15; \
	MOVL $0x437f0000, AX; \
	VPBROADCASTD AX, Z14

#define CONSTS256 \
	MOVL $0x3b808081, AX; \
	MOVL AX, X15; \
	VPBROADCASTD X15, Y15; \
	MOVL $0x437f0000, AX; \
	MOVL AX, X14; \
	VPBROADCASTD X14, Y14

// V1 = the values of the int32 codes in V0 (which it overwrites).
#define DECODE(V0, V1, R, C255) \
	VCVTDQ2PS V0, V0; \
	VMULPS R, V0, V1; \
	VFNMADD231PS C255, V1, V0; \
	VFMADD231PS R, V0, V1

#define OVER255(off, V0, V1, R, C255) \
	VPMOVZXBD off(SI), V0; \
	DECODE(V0, V1, R, C255)

// The loop of both widths: four vectors of N bytes a pass, then one;
// SI = src, DI = dst, CX = bytes left (a multiple of N). B1-B3 are N, 2N,
// 3N and F1-F3 the same in float32s' bytes (4N, 8N, 12N).
#define OVER255LOOP(N, B1, B2, B3, F1, F2, F3, V0, V1, V2, V3, V4, V5, V6, V7, R, C255) \
four: \
	CMPQ CX, $(4*N); \
	JB   one; \
	OVER255(0, V0, V1, R, C255); \
	OVER255(B1, V2, V3, R, C255); \
	OVER255(B2, V4, V5, R, C255); \
	OVER255(B3, V6, V7, R, C255); \
	VMOVUPS V1, (DI); \
	VMOVUPS V3, F1(DI); \
	VMOVUPS V5, F2(DI); \
	VMOVUPS V7, F3(DI); \
	ADDQ $(4*N), SI; \
	ADDQ $(16*N), DI; \
	SUBQ $(4*N), CX; \
	JMP  four; \
one: \
	CMPQ CX, $N; \
	JB   done; \
	OVER255(0, V0, V1, R, C255); \
	VMOVUPS V1, (DI); \
	ADDQ $N, SI; \
	ADDQ $(4*N), DI; \
	SUBQ $N, CX; \
	JMP  one; \
done: \
	VZEROUPPER; \
	RET

// func over255AVX512(dst []float32, src []uint8)
// len(src) a multiple of 16
TEXT ·over255AVX512(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	CONSTS512
	OVER255LOOP(16, 16, 32, 48, 64, 128, 192, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z15, Z14)

// func over255AVX2(dst []float32, src []uint8)
// len(src) a multiple of 8
TEXT ·over255AVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	CONSTS256
	OVER255LOOP(8, 8, 16, 24, 32, 64, 96, Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y15, Y14)

// func prefetchLines(p []uint8)
// PREFETCHT0 of each 64-byte line that p touches.
TEXT ·prefetchLines(SB), NOSPLIT, $0-24
	MOVQ p_base+0(FP), SI
	MOVQ p_len+8(FP), CX
	TESTQ CX, CX
	JZ   pfdone
	LEAQ (SI)(CX*1), DX
	ANDQ $~63, SI

pfloop:
	PREFETCHT0 (SI)
	ADDQ $64, SI
	CMPQ SI, DX
	JB   pfloop

pfdone:
	RET

// Over255Codes: k = the nearest integer to v*255, clamped to [0, 255],
// decoded back and compared with v bit for bit: NaN, ±Inf and values past
// the int32 range convert to 0x80000000, clamped to 0, whose +0 has other
// bits; -0 too. K gets the codes, D their values (T is scratch); I255 =
// 255 as an integer, ZERO = 0.
#define NEARCODE(V, K, T, D, R, C255, I255, ZERO) \
	VMULPS C255, V, K; \
	VCVTPS2DQ K, K; \
	VPMINSD I255, K, K; \
	VPMAXSD ZERO, K, K; \
	VMOVAPS K, T; \
	DECODE(T, D, R, C255)

// func over255CodesAVX512(dst []uint8, src []float32) bool
// len(src) a multiple of 16
TEXT ·over255CodesAVX512(SB), NOSPLIT, $0-49
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	CONSTS512
	MOVL $255, AX
	VPBROADCASTD AX, Z13
	VPXORD Z12, Z12, Z12

cloop:
	TESTQ CX, CX
	JZ    cok
	VMOVUPS (SI), Z0
	NEARCODE(Z0, Z1, Z2, Z3, Z15, Z14, Z13, Z12)
	VPCMPD $4, Z3, Z0, K1
	KORTESTW K1, K1
	JNZ   cbad
	VPMOVDB Z1, (DI)
	ADDQ $64, SI
	ADDQ $16, DI
	SUBQ $16, CX
	JMP  cloop

cok:
	MOVB $1, ret+48(FP)
	VZEROUPPER
	RET

cbad:
	MOVB $0, ret+48(FP)
	VZEROUPPER
	RET

// func over255CodesAVX2(dst []uint8, src []float32) bool
// len(src) a multiple of 8
TEXT ·over255CodesAVX2(SB), NOSPLIT, $0-49
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	CONSTS256
	MOVL $255, AX
	MOVL AX, X13
	VPBROADCASTD X13, Y13
	VPXOR Y12, Y12, Y12
	// byte 0 of each dword to the lane's first four bytes
	MOVQ $0x0c080400, AX
	MOVQ AX, X11
	VPBROADCASTQ X11, Y11

c2loop:
	TESTQ CX, CX
	JZ    c2ok
	VMOVUPS (SI), Y0
	NEARCODE(Y0, Y1, Y2, Y3, Y15, Y14, Y13, Y12)
	VPCMPEQD Y3, Y0, Y4
	VPMOVMSKB Y4, AX
	CMPL AX, $-1
	JNE  c2bad
	VPSHUFB Y11, Y1, Y1
	VEXTRACTI128 $1, Y1, X5
	VPUNPCKLDQ X5, X1, X1
	MOVQ X1, (DI)
	ADDQ $32, SI
	ADDQ $8, DI
	SUBQ $8, CX
	JMP  c2loop

c2ok:
	MOVB $1, ret+48(FP)
	VZEROUPPER
	RET

c2bad:
	MOVB $0, ret+48(FP)
	VZEROUPPER
	RET
