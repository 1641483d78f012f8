//go:build !purego

#include "textflag.h"

// AMX-BF16 kernels (see amx.go for the layouts and the arithmetic). Go's
// assembler has no AMX mnemonics, so the tile instructions are spelled out
// as bytes; each macro names the instruction it encodes. The registers are
// fixed by the encodings:
//
//	tiles: T0..T3 the 2x2 C tiles (T0 rows 0-15 cols 0-15, T1 rows 0-15
//	       cols 16-31, T2 rows 16-31 cols 0-15, T3 rows 16-31 cols 16-31),
//	       T4/T5 the A tiles (rows 0-15, 16-31), T6/T7 the B tiles (cols
//	       0-15, 16-31);
//	A/B chunk loads: base SI (A) and DI (B), index DX = 64 (the tile row
//	       stride), the second tile of a pair 1024 bytes on;
//	C tile stores: base BX (T0/T1) and CX (T2/T3), index AX (row stride),
//	       T1 and T3 64 bytes to the right.

// TILELOADD T4, (SI)(DX*1); T5, 1024(SI)(DX*1); T6, (DI)(DX*1); T7, 1024(DI)(DX*1)
#define LOAD_AB \
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x4B; BYTE $0x24; BYTE $0x16 \
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x4B; BYTE $0xAC; BYTE $0x16; BYTE $0x00; BYTE $0x04; BYTE $0x00; BYTE $0x00 \
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x4B; BYTE $0x34; BYTE $0x17 \
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x4B; BYTE $0xBC; BYTE $0x17; BYTE $0x00; BYTE $0x04; BYTE $0x00; BYTE $0x00

// TDPBF16PS T0, T4, T6; T1, T4, T7; T2, T5, T6; T3, T5, T7
#define DP4 \
	BYTE $0xC4; BYTE $0xE2; BYTE $0x4A; BYTE $0x5C; BYTE $0xC4 \
	BYTE $0xC4; BYTE $0xE2; BYTE $0x42; BYTE $0x5C; BYTE $0xCC \
	BYTE $0xC4; BYTE $0xE2; BYTE $0x4A; BYTE $0x5C; BYTE $0xD5 \
	BYTE $0xC4; BYTE $0xE2; BYTE $0x42; BYTE $0x5C; BYTE $0xDD

// TILESTORED (BX)(AX*1), T0; 64(BX)(AX*1), T1; (CX)(AX*1), T2; 64(CX)(AX*1), T3
#define STORE_C \
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7A; BYTE $0x4B; BYTE $0x04; BYTE $0x03 \
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7A; BYTE $0x4B; BYTE $0x4C; BYTE $0x03; BYTE $0x40 \
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7A; BYTE $0x4B; BYTE $0x14; BYTE $0x01 \
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7A; BYTE $0x4B; BYTE $0x5C; BYTE $0x01; BYTE $0x40

// TILEZERO T0; T1; T2; T3
#define ZERO_C \
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x49; BYTE $0xC0 \
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x49; BYTE $0xC8 \
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x49; BYTE $0xD0 \
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x49; BYTE $0xD8

// LDTILECFG (SI)
#define LDTILECFG_SI BYTE $0xC4; BYTE $0xE2; BYTE $0x78; BYTE $0x49; BYTE $0x06

// TILERELEASE
#define TILERELEASE BYTE $0xC4; BYTE $0xE2; BYTE $0x78; BYTE $0x49; BYTE $0xC0

// The tile configuration: palette 1, eight tiles of 16 rows of 64 bytes.
DATA amxTileCfg<>+0(SB)/8, $1
DATA amxTileCfg<>+8(SB)/8, $0
DATA amxTileCfg<>+16(SB)/8, $0x0040004000400040
DATA amxTileCfg<>+24(SB)/8, $0x0040004000400040
DATA amxTileCfg<>+32(SB)/8, $0
DATA amxTileCfg<>+40(SB)/8, $0
DATA amxTileCfg<>+48(SB)/8, $0x1010101010101010
DATA amxTileCfg<>+56(SB)/8, $0
GLOBL amxTileCfg<>(SB), RODATA|NOPTR, $64

// One product of an A part with a B part over a depth block: R13 chunks of
// 32 values of k, A from aseg, B from bseg (each an address expression).
#define SEGMENT(aseg, bseg, label) \
	LEAQ aseg, SI \
	LEAQ bseg, DI \
	MOVQ R13, R14 \
label: \
	LOAD_AB \
	DP4 \
	ADDQ $2048, SI \
	ADDQ $2048, DI \
	DECQ R14 \
	JNZ  label

// C_ROW_LOAD loads the valid columns of C's row at DI into Z0, Z1 (zeros
// elsewhere); C_ROW_STORE_NEXT stores them back and moves to the next row of
// the scratch (SI) and of C (DI, AX apart), looping to label while CX rows
// remain.
#define C_ROW_LOAD \
	VMOVUPS.Z (DI), K1, Z0 \
	VMOVUPS.Z 64(DI), K2, Z1

#define C_ROW_STORE_NEXT(label) \
	VMOVUPS Z0, K1, (DI) \
	VMOVUPS Z1, K2, 64(DI) \
	ADDQ    $128, SI \
	ADDQ    AX, DI \
	DECQ    CX \
	JNZ     label

// func amxKernelAsm(a, b unsafe.Pointer, seg, np, aStride int, c unsafe.Pointer, ldc, rows, cols int, alpha, beta float32, mode int, scratch unsafe.Pointer)
TEXT ·amxKernelAsm(SB), NOSPLIT, $0-96
	MOVQ a+0(FP), R8
	MOVQ b+8(FP), R9
	MOVQ seg+16(FP), R12
	MOVQ np+24(FP), R10
	MOVQ aStride+32(FP), R11
	MOVQ c+40(FP), R15
	MOVQ R12, R13
	SHRQ $11, R13 // chunks per part

	// Column masks of C: K1 for columns 0-15, K2 for 16-31.
	MOVQ cols+64(FP), CX
	MOVQ $1, AX
	SHLQ CX, AX
	DECQ AX
	KMOVW AX, K1
	SHRQ $16, AX
	KMOVW AX, K2
	VBROADCASTSS alpha+72(FP), Z30
	VBROADCASTSS beta+76(FP), Z31

	LEAQ amxTileCfg<>(SB), SI
	LDTILECFG_SI
	MOVQ $64, DX

panel:
	ZERO_C
	// The six products, the small ones first (see amx.go):
	// A2·B0, A0·B2, A1·B1, A1·B0, A0·B1, A0·B0.
	SEGMENT((R8)(R12*2), (R9), a2b0)
	SEGMENT((R8), (R9)(R12*2), a0b2)
	SEGMENT((R8)(R12*1), (R9)(R12*1), a1b1)
	SEGMENT((R8)(R12*1), (R9), a1b0)
	SEGMENT((R8), (R9)(R12*1), a0b1)
	SEGMENT((R8), (R9), a0b0)

	// The 32x32 sums to the scratch tile (row stride 128 bytes).
	MOVQ scratch+88(FP), BX
	MOVQ $128, AX
	LEAQ 2048(BX), CX
	STORE_C

	// C = alpha*S (+ beta*C) on the valid rows and columns.
	MOVQ $32, CX
	CMPQ R10, $1
	JNE  update
	MOVQ rows+56(FP), CX
update:
	MOVQ R15, DI
	MOVQ BX, SI
	MOVQ ldc+48(FP), AX
	MOVQ mode+80(FP), R14
	CMPQ R14, $1
	JEQ  add
	JGT  general

store:
	VMULPS (SI), Z30, Z0
	VMULPS 64(SI), Z30, Z1
	C_ROW_STORE_NEXT(store)
	JMP    next

add:
	C_ROW_LOAD
	VFMADD231PS (SI), Z30, Z0
	VFMADD231PS 64(SI), Z30, Z1
	C_ROW_STORE_NEXT(add)
	JMP         next

general:
	C_ROW_LOAD
	VMULPS      Z31, Z0, Z0
	VMULPS      Z31, Z1, Z1
	VFMADD231PS (SI), Z30, Z0
	VFMADD231PS 64(SI), Z30, Z1
	C_ROW_STORE_NEXT(general)

next:
	ADDQ R11, R8
	SHLQ $5, AX
	ADDQ AX, R15
	DECQ R10
	JNZ  panel

	TILERELEASE
	VZEROUPPER
	RET

// RNE rounds the float32 values in x to bfloat16 by their bits (round to
// nearest, ties to even), leaving them as float32 with the low 16 bits
// zero in out; t is clobbered. Z27 = 1, Z28 = 0x7FFF, Z29 = 0xFFFF0000.
#define RNE(x, out, t) \
	VPSRLD $16, x, t \
	VPANDD Z27, t, t \
	VPADDD x, t, t \
	VPADDD Z28, t, t \
	VPANDD Z29, t, out

// SPLIT scales x by alpha (Z25), flags in K5 the values outside the safe
// range (see amx.go), and splits the product into three bfloat16 parts
// p0 + p1 + p2 (float32 with zero low halves). Z24 = 0x7FFFFFFF,
// Z23 = the lowest safe biased exponent, Z22 = the width of the safe range;
// Z20, Z21 and K3, K4 are clobbered.
#define SPLIT(x, p0, p1, p2) \
	VMULPS    Z25, x, x \
	VPANDD    Z24, x, Z20 \
	VPTESTMD  Z20, Z20, K4 \
	VPSRLD    $23, Z20, Z20 \
	VPSUBD    Z23, Z20, Z20 \
	VPCMPUD   $6, Z22, Z20, K4, K3 \
	KORW      K3, K5, K5 \
	RNE(x, p0, Z20) \
	VSUBPS    p0, x, Z21 \
	RNE(Z21, p1, Z20) \
	VSUBPS    p1, Z21, Z21 \
	RNE(Z21, p2, Z20)

#define PACK_CONSTANTS \
	MOVL         $1, AX \
	VPBROADCASTD AX, Z27 \
	MOVL         $0x7FFF, AX \
	VPBROADCASTD AX, Z28 \
	MOVL         $0xFFFF0000, AX \
	VPBROADCASTD AX, Z29 \
	MOVL         $0x7FFFFFFF, AX \
	VPBROADCASTD AX, Z24 \
	MOVL         $amxMinExp, AX \
	VPBROADCASTD AX, Z23 \
	MOVL         $(amxMaxExp-amxMinExp), AX \
	VPBROADCASTD AX, Z22

#define amxMinExp 77
#define amxMaxExp 227

// TRANSPOSE16 transposes the 16x16 dwords in Z0-Z15 (row i in Zi), using
// Z16-Z31.
#define TRANSPOSE16 \
	VPUNPCKLDQ Z1, Z0, Z16; VPUNPCKHDQ Z1, Z0, Z17 \
	VPUNPCKLDQ Z3, Z2, Z18; VPUNPCKHDQ Z3, Z2, Z19 \
	VPUNPCKLDQ Z5, Z4, Z20; VPUNPCKHDQ Z5, Z4, Z21 \
	VPUNPCKLDQ Z7, Z6, Z22; VPUNPCKHDQ Z7, Z6, Z23 \
	VPUNPCKLDQ Z9, Z8, Z24; VPUNPCKHDQ Z9, Z8, Z25 \
	VPUNPCKLDQ Z11, Z10, Z26; VPUNPCKHDQ Z11, Z10, Z27 \
	VPUNPCKLDQ Z13, Z12, Z28; VPUNPCKHDQ Z13, Z12, Z29 \
	VPUNPCKLDQ Z15, Z14, Z30; VPUNPCKHDQ Z15, Z14, Z31 \
	VPUNPCKLQDQ Z18, Z16, Z0; VPUNPCKHQDQ Z18, Z16, Z1; VPUNPCKLQDQ Z19, Z17, Z2; VPUNPCKHQDQ Z19, Z17, Z3 \
	VPUNPCKLQDQ Z22, Z20, Z4; VPUNPCKHQDQ Z22, Z20, Z5; VPUNPCKLQDQ Z23, Z21, Z6; VPUNPCKHQDQ Z23, Z21, Z7 \
	VPUNPCKLQDQ Z26, Z24, Z8; VPUNPCKHQDQ Z26, Z24, Z9; VPUNPCKLQDQ Z27, Z25, Z10; VPUNPCKHQDQ Z27, Z25, Z11 \
	VPUNPCKLQDQ Z30, Z28, Z12; VPUNPCKHQDQ Z30, Z28, Z13; VPUNPCKLQDQ Z31, Z29, Z14; VPUNPCKHQDQ Z31, Z29, Z15 \
	VSHUFI32X4 $0x88, Z4, Z0, Z16; VSHUFI32X4 $0xDD, Z4, Z0, Z20; VSHUFI32X4 $0x88, Z12, Z8, Z24; VSHUFI32X4 $0xDD, Z12, Z8, Z28 \
	VSHUFI32X4 $0x88, Z5, Z1, Z17; VSHUFI32X4 $0xDD, Z5, Z1, Z21; VSHUFI32X4 $0x88, Z13, Z9, Z25; VSHUFI32X4 $0xDD, Z13, Z9, Z29 \
	VSHUFI32X4 $0x88, Z6, Z2, Z18; VSHUFI32X4 $0xDD, Z6, Z2, Z22; VSHUFI32X4 $0x88, Z14, Z10, Z26; VSHUFI32X4 $0xDD, Z14, Z10, Z30 \
	VSHUFI32X4 $0x88, Z7, Z3, Z19; VSHUFI32X4 $0xDD, Z7, Z3, Z23; VSHUFI32X4 $0x88, Z15, Z11, Z27; VSHUFI32X4 $0xDD, Z15, Z11, Z31 \
	VSHUFI32X4 $0x88, Z24, Z16, Z0; VSHUFI32X4 $0xDD, Z24, Z16, Z8; VSHUFI32X4 $0x88, Z28, Z20, Z4; VSHUFI32X4 $0xDD, Z28, Z20, Z12 \
	VSHUFI32X4 $0x88, Z25, Z17, Z1; VSHUFI32X4 $0xDD, Z25, Z17, Z9; VSHUFI32X4 $0x88, Z29, Z21, Z5; VSHUFI32X4 $0xDD, Z29, Z21, Z13 \
	VSHUFI32X4 $0x88, Z26, Z18, Z2; VSHUFI32X4 $0xDD, Z26, Z18, Z10; VSHUFI32X4 $0x88, Z30, Z22, Z6; VSHUFI32X4 $0xDD, Z30, Z22, Z14 \
	VSHUFI32X4 $0x88, Z27, Z19, Z3; VSHUFI32X4 $0xDD, Z27, Z19, Z11; VSHUFI32X4 $0x88, Z31, Z23, Z7; VSHUFI32X4 $0xDD, Z31, Z23, Z15

#define LOAD16(base) \
	VMOVDQU32 (base), Z0; VMOVDQU32 64(base), Z1; VMOVDQU32 128(base), Z2; VMOVDQU32 192(base), Z3 \
	VMOVDQU32 256(base), Z4; VMOVDQU32 320(base), Z5; VMOVDQU32 384(base), Z6; VMOVDQU32 448(base), Z7 \
	VMOVDQU32 512(base), Z8; VMOVDQU32 576(base), Z9; VMOVDQU32 640(base), Z10; VMOVDQU32 704(base), Z11 \
	VMOVDQU32 768(base), Z12; VMOVDQU32 832(base), Z13; VMOVDQU32 896(base), Z14; VMOVDQU32 960(base), Z15

#define STORE16(base) \
	VMOVDQU32 Z0, (base); VMOVDQU32 Z1, 64(base); VMOVDQU32 Z2, 128(base); VMOVDQU32 Z3, 192(base) \
	VMOVDQU32 Z4, 256(base); VMOVDQU32 Z5, 320(base); VMOVDQU32 Z6, 384(base); VMOVDQU32 Z7, 448(base) \
	VMOVDQU32 Z8, 512(base); VMOVDQU32 Z9, 576(base); VMOVDQU32 Z10, 640(base); VMOVDQU32 Z11, 704(base) \
	VMOVDQU32 Z12, 768(base); VMOVDQU32 Z13, 832(base); VMOVDQU32 Z14, 896(base); VMOVDQU32 Z15, 960(base)

// func amxPackAsm(dst unsafe.Pointer, seg int, src unsafe.Pointer, ld, ntiles, srcStep, dstStep int, alpha float32, kMajor, transpose bool) (bad bool)
TEXT ·amxPackAsm(SB), NOSPLIT, $0-65
	MOVQ dst+0(FP), DI
	MOVQ seg+8(FP), R8
	MOVQ src+16(FP), SI
	MOVQ ld+24(FP), R9
	MOVQ ntiles+32(FP), R10
	MOVQ srcStep+40(FP), R11
	MOVQ dstStep+48(FP), R12
	KXORW K5, K5, K5
	LEAQ (R8)(R8*1), R13 // 2*seg

tile:
	PACK_CONSTANTS
	VBROADCASTSS alpha+56(FP), Z25
	MOVQ SI, BX
	MOVQ DI, DX
	MOVQ $16, CX
	MOVBQZX kMajor+60(FP), AX
	TESTQ AX, AX
	JNZ  kmajor

krows:
	// Line l of the tile: 32 values of k, contiguous; its tile row is
	// their 32 bfloat16 in order.
	VMOVUPS   (BX), Z0
	VMOVUPS   64(BX), Z1
	SPLIT(Z0, Z2, Z3, Z4)
	SPLIT(Z1, Z5, Z6, Z7)
	VPSRLD    $16, Z2, Z2
	VPSRLD    $16, Z5, Z5
	VPMOVDW   Z2, (DX)
	VPMOVDW   Z5, 32(DX)
	VPSRLD    $16, Z3, Z3
	VPSRLD    $16, Z6, Z6
	VPMOVDW   Z3, (DX)(R8*1)
	VPMOVDW   Z6, 32(DX)(R8*1)
	VPSRLD    $16, Z4, Z4
	VPSRLD    $16, Z7, Z7
	VPMOVDW   Z4, (DX)(R13*1)
	VPMOVDW   Z7, 32(DX)(R13*1)
	ADDQ      R9, BX
	ADDQ      $64, DX
	DECQ      CX
	JNZ       krows
	JMP       packed

kmajor:
	// Pair j of the tile: rows 2j and 2j+1 of k, 16 lines contiguous in
	// each; its tile row holds per line the pair (k even in the low half).
	VMOVUPS   (BX), Z0
	VMOVUPS   (BX)(R9*1), Z1
	SPLIT(Z0, Z2, Z3, Z4)
	SPLIT(Z1, Z5, Z6, Z7)
	VPSRLD    $16, Z2, Z2
	VPORD     Z5, Z2, Z2
	VMOVDQU32 Z2, (DX)
	VPSRLD    $16, Z3, Z3
	VPORD     Z6, Z3, Z3
	VMOVDQU32 Z3, (DX)(R8*1)
	VPSRLD    $16, Z4, Z4
	VPORD     Z7, Z4, Z4
	VMOVDQU32 Z4, (DX)(R13*1)
	LEAQ      (BX)(R9*2), BX
	ADDQ      $64, DX
	DECQ      CX
	JNZ       kmajor

packed:
	MOVBQZX transpose+61(FP), AX
	TESTQ   AX, AX
	JZ      done
	MOVQ    DI, DX
	LOAD16(DX)
	TRANSPOSE16
	STORE16(DX)
	ADDQ    R8, DX
	LOAD16(DX)
	TRANSPOSE16
	STORE16(DX)
	ADDQ    R8, DX
	LOAD16(DX)
	TRANSPOSE16
	STORE16(DX)

done:
	ADDQ R11, SI
	ADDQ R12, DI
	DECQ R10
	JNZ  tile

	KORTESTW K5, K5
	SETNE    bad+64(FP)
	VZEROUPPER
	RET

// Byte products (amxbytes.go): TDPBUSD on A (unsigned bytes) and the
// packed parts of W (signed bytes).

// TILELOADD T4, (SI)(DX*1); T5, (BX)(DX*1); T6, (DI)(AX*1); T7, 1024(DI)(AX*1)
#define LOAD_BYTES \
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x4B; BYTE $0x24; BYTE $0x16 \
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x4B; BYTE $0x2C; BYTE $0x13 \
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x4B; BYTE $0x34; BYTE $0x07 \
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x4B; BYTE $0xBC; BYTE $0x07; BYTE $0x00; BYTE $0x04; BYTE $0x00; BYTE $0x00

// TDPBUSD T0, T4, T6; T1, T4, T7; T2, T5, T6; T3, T5, T7
#define DPBUSD4 \
	BYTE $0xC4; BYTE $0xE2; BYTE $0x49; BYTE $0x5E; BYTE $0xC4 \
	BYTE $0xC4; BYTE $0xE2; BYTE $0x41; BYTE $0x5E; BYTE $0xCC \
	BYTE $0xC4; BYTE $0xE2; BYTE $0x49; BYTE $0x5E; BYTE $0xD5 \
	BYTE $0xC4; BYTE $0xE2; BYTE $0x41; BYTE $0x5E; BYTE $0xDD

// BYTE_SUM combines the four parts' sums of 8 columns of a row (scratch
// at SI + off, the parts 4096 bytes apart) exactly, as float64 in Z0.
#define BYTE_SUM(off) \
	VPMOVSXDQ off(SI), Z0 \
	VPMOVSXDQ 4096+off(SI), Z1 \
	VPMOVSXDQ 8192+off(SI), Z2 \
	VPMOVSXDQ 12288+off(SI), Z3 \
	VPSLLQ    $21, Z0, Z0 \
	VPSLLQ    $14, Z1, Z1 \
	VPSLLQ    $7, Z2, Z2 \
	VPADDQ    Z1, Z0, Z0 \
	VPADDQ    Z3, Z2, Z2 \
	VPADDQ    Z2, Z0, Z0 \
	VCVTQQ2PD Z0, Z0

// BYTE_GROUP stores the 8 columns at off (bytes, in the scratch row and in
// C's row at DI alike) of S·f (f: their alpha·scale) under mask k;
// BYTE_GROUP_BETA of S·f + beta·C (beta in Z31) with one rounding.
#define BYTE_GROUP(off, f, k) \
	BYTE_SUM(off) \
	VMULPD    f, Z0, Z0 \
	VCVTPD2PS Z0, Y0 \
	VMOVUPS   Y0, k, off(DI)

#define BYTE_GROUP_BETA(off, f, k) \
	VMOVUPS.Z   off(DI), k, Y4 \
	VCVTPS2PD   Y4, Z4 \
	VMULPD      Z31, Z4, Z4 \
	BYTE_SUM(off) \
	VFMADD213PD Z4, f, Z0 \
	VCVTPD2PS   Z0, Y0 \
	VMOVUPS     Y0, k, off(DI)

// TILELOADD T0, (BX)(AX*1); T1, 64(BX)(AX*1); T2, (CX)(AX*1); T3, 64(CX)(AX*1)
#define LOAD_C \
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x4B; BYTE $0x04; BYTE $0x03 \
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x4B; BYTE $0x4C; BYTE $0x03; BYTE $0x40 \
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x4B; BYTE $0x14; BYTE $0x01 \
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x4B; BYTE $0x5C; BYTE $0x01; BYTE $0x40

// BYTE_SCRATCH points BX, CX at part R12's sums in the scratch (R15) and
// AX at their row stride.
#define BYTE_SCRATCH \
	MOVQ R12, BX \
	SHLQ $12, BX \
	ADDQ R15, BX \
	LEAQ 2048(BX), CX \
	MOVQ $128, AX

// BYTE_ROW writes one row of a block's 32 columns from its sums with
// group (BYTE_GROUP, or BYTE_GROUP_BETA; SI: the scratch row; DI: C's row;
// AX: ldc in bytes) and moves SI and DI to the next row.
#define BYTE_ROW(group) \
	group(0, Z16, K1) \
	group(32, Z17, K2) \
	group(64, Z18, K3) \
	group(96, Z19, K4) \
	ADDQ $128, SI \
	ADDQ AX, DI

// func amxByteKernelAsm(a unsafe.Pointer, lda int, b unsafe.Pointer, chunks, kblock int, scale unsafe.Pointer, alpha, beta float64, c unsafe.Pointer, ldc, rows, cols int, scratch unsafe.Pointer)
//
// The rows of A run in blocks of 32. For each, the depth runs in blocks of
// kblock chunks, each through the four parts, so that a block's A (32 rows)
// and one part's B stay in L1 together (2·kblock KiB); each part's sums
// wait in the scratch between depth blocks. The sums of row blocks go to
// the scratch's two halves in turn: while the tiles compute a block, the
// vector units write the previous block's rows of C, two rows after each
// chunk (the tiles and the vector units run side by side; written after the
// tiles, the rows of C took a third of the time of a block of depth 256).
// Frame: the pending block (0-23), rows left (24), C's block (32), saved
// SI, DI, AX (40-63).
TEXT ·amxByteKernelAsm(SB), NOSPLIT, $64-104
	// the pending block (its sums done, its rows of C not yet written):
	// its rows left, the scratch row and C row of the next one
#define PENDING_ROWS 0(SP)
#define PENDING_SUMS 8(SP)
#define PENDING_C 16(SP)

	// alpha·scale of the 32 columns in Z16-Z19; column masks K1-K4; beta
	// in Z31 and K7 all ones when it is not 0
	MOVQ         scale+40(FP), AX
	VBROADCASTSD alpha+48(FP), Z20
	VMULPD       (AX), Z20, Z16
	VMULPD       64(AX), Z20, Z17
	VMULPD       128(AX), Z20, Z18
	VMULPD       192(AX), Z20, Z19
	VBROADCASTSD beta+56(FP), Z31
	MOVQ         cols+88(FP), CX
	MOVQ         $1, AX
	SHLQ         CX, AX
	DECQ         AX
	KMOVW        AX, K1
	SHRQ         $8, AX
	KMOVW        AX, K2
	SHRQ         $8, AX
	KMOVW        AX, K3
	SHRQ         $8, AX
	KMOVW        AX, K4
	KXORW        K7, K7, K7
	VXORPD       X5, X5, X5
	VUCOMISD     beta+56(FP), X5
	JNE          betaon
	JPS          betaon
	JMP          betaset

betaon:
	KXNORW K7, K7, K7

betaset:
	MOVQ $0, PENDING_ROWS
	MOVQ rows+80(FP), AX
	MOVQ AX, 24(SP)
	MOVQ c+64(FP), AX
	MOVQ AX, 32(SP)
	MOVQ a+0(FP), R8
	MOVQ lda+8(FP), DX
	MOVQ chunks+24(FP), R13
	MOVQ scratch+96(FP), R15
	LEAQ amxTileCfg<>(SB), SI
	LDTILECFG_SI
	MOVQ DX, R9
	SHLQ $4, R9 // 16 rows of A

rowblock:
	XORQ R10, R10 // the depth block's first chunk

kblock:
	MOVQ R13, R11
	SUBQ R10, R11
	CMPQ R11, kblock+32(FP)
	JLE  kparts
	MOVQ kblock+32(FP), R11 // the depth block's chunks

kparts:
	XORQ R12, R12

kpart:
	BYTE_SCRATCH
	TESTQ R10, R10
	JNZ   sums
	ZERO_C
	JMP   ready

sums:
	LOAD_C

ready:
	// A from chunk R10, B from part R12's chunk R10
	MOVQ  R10, SI
	SHLQ  $6, SI
	ADDQ  R8, SI
	LEAQ  (SI)(R9*1), BX
	MOVQ  R12, DI
	IMULQ R13, DI
	ADDQ  R10, DI
	SHLQ  $11, DI
	ADDQ  b+16(FP), DI
	MOVQ  $64, AX
	MOVQ  R11, R14

chunk:
	LOAD_BYTES
	DPBUSD4

	// two rows of the pending block, if any
	CMPQ PENDING_ROWS, $0
	JEQ  nextchunk
	MOVQ SI, 40(SP)
	MOVQ DI, 48(SP)
	MOVQ AX, 56(SP)
	MOVQ PENDING_SUMS, SI
	MOVQ PENDING_C, DI
	MOVQ ldc+72(FP), AX
	KORTESTW K7, K7
	JNZ  piecebeta
	BYTE_ROW(BYTE_GROUP)
	DECQ PENDING_ROWS
	JZ   piecedone
	BYTE_ROW(BYTE_GROUP)
	DECQ PENDING_ROWS
	JMP  piecedone

piecebeta:
	BYTE_ROW(BYTE_GROUP_BETA)
	DECQ PENDING_ROWS
	JZ   piecedone
	BYTE_ROW(BYTE_GROUP_BETA)
	DECQ PENDING_ROWS

piecedone:
	MOVQ SI, PENDING_SUMS
	MOVQ DI, PENDING_C
	MOVQ 40(SP), SI
	MOVQ 48(SP), DI
	MOVQ 56(SP), AX

nextchunk:
	ADDQ $64, SI
	ADDQ $64, BX
	ADDQ $2048, DI
	DECQ R14
	JNZ  chunk

	BYTE_SCRATCH
	STORE_C
	INCQ R12
	CMPQ R12, $4
	JLT  kpart
	ADDQ R11, R10
	CMPQ R10, R13
	JLT  kblock

	// the rest of the pending block's rows (shallow products have fewer
	// chunks than rows to share them)
	CMPQ PENDING_ROWS, $0
	JEQ  drained
	MOVQ PENDING_SUMS, SI
	MOVQ PENDING_C, DI
	MOVQ ldc+72(FP), AX
	KORTESTW K7, K7
	JNZ  drainbeta

drain:
	BYTE_ROW(BYTE_GROUP)
	DECQ PENDING_ROWS
	JNZ  drain
	JMP  drained

drainbeta:
	BYTE_ROW(BYTE_GROUP_BETA)
	DECQ PENDING_ROWS
	JNZ  drainbeta

drained:
	// this block is now the pending one
	MOVQ    24(SP), CX
	MOVQ    $32, AX
	CMPQ    CX, AX
	CMOVQLT CX, AX
	MOVQ    AX, PENDING_ROWS
	MOVQ    R15, PENDING_SUMS
	MOVQ    32(SP), AX
	MOVQ    AX, PENDING_C
	SUBQ    $32, CX
	JLE     last
	MOVQ    CX, 24(SP)
	MOVQ    ldc+72(FP), AX
	SHLQ    $5, AX
	ADDQ    AX, 32(SP)
	LEAQ    (R8)(R9*2), R8

	// the other half of the scratch
	MOVQ scratch+96(FP), AX
	CMPQ R15, AX
	JNE  firsthalf
	ADDQ $16384, R15
	JMP  rowblock

firsthalf:
	MOVQ AX, R15
	JMP  rowblock

last:
	TILERELEASE
	MOVQ PENDING_SUMS, SI
	MOVQ PENDING_C, DI
	MOVQ ldc+72(FP), AX
	MOVQ PENDING_ROWS, CX
	KORTESTW K7, K7
	JNZ  lastbeta

lastrow:
	BYTE_ROW(BYTE_GROUP)
	DECQ CX
	JNZ  lastrow
	VZEROUPPER
	RET

lastbeta:
	BYTE_ROW(BYTE_GROUP_BETA)
	DECQ CX
	JNZ  lastbeta
	VZEROUPPER
	RET

// BYTE_ROW_MASK sets K5 to the column mask m when row q of the group is
// within the depth (CX rows left), else to none (the row reads as zeros).
#define BYTE_ROW_MASK(q, m) \
	XORL    AX, AX \
	CMPQ    CX, $q \
	CMOVQGT m, AX \
	KMOVW   AX, K5

// The split of four rows' values (ints of Z0-Z3: M = round(w·2^(21-e)) +
// 2^20 + 2^13 + 2^6, so that the digits d1..d3 of M in base 128 are
// q1..q3 + 64, and M >> 21 is q0) into the four parts' dwords, one a
// column with row r in byte r. BYTE_DIGIT gathers one digit of the four
// rows into the bytes of Z4, each row's shifted into its byte by op $s
// (Z25-Z27: the byte masks 0xFFFFFF00, 0xFFFF0000, 0xFF000000);
// BYTE_UNBIAS takes 64 off digits 1-3 (Z23: 0x7F7F7F7F, Z22: 0x40404040).
#define BYTE_DIGIT(op0, s0, op1, s1, op2, s2, op3, s3) \
	op0        $s0, Z0, Z4 \
	op1        $s1, Z1, Z5 \
	VPTERNLOGD $0xD8, Z25, Z5, Z4 \
	op2        $s2, Z2, Z5 \
	VPTERNLOGD $0xD8, Z26, Z5, Z4 \
	op3        $s3, Z3, Z5 \
	VPTERNLOGD $0xD8, Z27, Z5, Z4

#define BYTE_UNBIAS \
	VPANDD Z23, Z4, Z4 \
	VPSUBB Z22, Z4, Z4

// BYTE_INT scales row z (w) by 2^-e (inv) and 2^21 (Z30), both exact,
// rounds it to an int (to nearest, even on ties) and adds 2^20 + 2^13 +
// 2^6 (Z24).
#define BYTE_INT(z, inv) \
	VMULPS    inv, z, z \
	VMULPS    Z30, z, z \
	VCVTPS2DQ z, z \
	VPADDD    Z24, z, z

// BYTE_TILE_GROUP packs the four rows at SI (ld R9, 3·ld R12) of one tile's
// 16 columns (soff bytes into the row, column mask in m, 2^-e in inv) into
// row DX+doff of the tile in each part (R13 apart; R10 = DX + 2·R13).
#define BYTE_TILE_GROUP(m, soff, inv, doff) \
	BYTE_ROW_MASK(0, m) \
	VMOVUPS.Z soff(SI), K5, Z0 \
	BYTE_ROW_MASK(1, m) \
	VMOVUPS.Z soff(SI)(R9*1), K5, Z1 \
	BYTE_ROW_MASK(2, m) \
	VMOVUPS.Z soff(SI)(R9*2), K5, Z2 \
	BYTE_ROW_MASK(3, m) \
	VMOVUPS.Z soff(SI)(R12*1), K5, Z3 \
	BYTE_INT(Z0, inv) \
	BYTE_INT(Z1, inv) \
	BYTE_INT(Z2, inv) \
	BYTE_INT(Z3, inv) \
	BYTE_DIGIT(VPSRLD, 21, VPSRLD, 13, VPSRLD, 5, VPSLLD, 3) \
	VMOVDQU32 Z4, doff(DX) \
	BYTE_DIGIT(VPSRLD, 14, VPSRLD, 6, VPSLLD, 2, VPSLLD, 10) \
	BYTE_UNBIAS \
	VMOVDQU32 Z4, doff(DX)(R13*1) \
	BYTE_DIGIT(VPSRLD, 7, VPSLLD, 1, VPSLLD, 9, VPSLLD, 17) \
	BYTE_UNBIAS \
	VMOVDQU32 Z4, doff(R10) \
	BYTE_DIGIT(VPSLLD, 0, VPSLLD, 8, VPSLLD, 16, VPSLLD, 24) \
	BYTE_UNBIAS \
	VMOVDQU32 Z4, doff(R10)(R13*1)

// func amxBytePackAsm(dst, scale, src unsafe.Pointer, ld, k, cols, chunks int) (bad bool)
TEXT ·amxBytePackAsm(SB), NOSPLIT, $0-57
	MOVQ dst+0(FP), DX
	MOVQ scale+8(FP), R8
	MOVQ src+16(FP), SI
	MOVQ ld+24(FP), R9
	MOVQ k+32(FP), R10
	MOVQ cols+40(FP), CX

	// column masks: BX (K1) columns 0-15, R11 (K2) 16-31
	MOVQ  $1, AX
	SHLQ  CX, AX
	DECQ  AX
	MOVQ  AX, BX
	ANDQ  $0xFFFF, BX
	SHRQ  $16, AX
	MOVQ  AX, R11
	KMOVW BX, K1
	KMOVW R11, K2

	// the columns' largest magnitudes, as bits
	MOVL         $0x7FFFFFFF, AX
	VPBROADCASTD AX, Z30
	VPXORD       Z0, Z0, Z0
	VPXORD       Z1, Z1, Z1
	MOVQ         SI, DI
	MOVQ         R10, CX

colmax:
	VMOVDQU32.Z (DI), K1, Z2
	VMOVDQU32.Z 64(DI), K2, Z3
	VPANDD      Z30, Z2, Z2
	VPANDD      Z30, Z3, Z3
	VPMAXUD     Z2, Z0, Z0
	VPMAXUD     Z3, Z1, Z1
	ADDQ        R9, DI
	DECQ        CX
	JNZ         colmax

	MOVL         $0x7F800000, AX
	VPBROADCASTD AX, Z2
	VPCMPUD      $5, Z2, Z0, K3
	VPCMPUD      $5, Z2, Z1, K4
	KORW         K3, K4, K3
	KORTESTW     K3, K3
	JNE          nonfinite

	// e = max(biased exponent - 132, -120); 2^-e in Z28, Z29
	VPSRLD       $23, Z0, Z0
	VPSRLD       $23, Z1, Z1
	MOVL         $132, AX
	VPBROADCASTD AX, Z2
	VPSUBD       Z2, Z0, Z0
	VPSUBD       Z2, Z1, Z1
	MOVL         $-120, AX
	VPBROADCASTD AX, Z2
	VPMAXSD      Z2, Z0, Z0
	VPMAXSD      Z2, Z1, Z1
	MOVL         $127, AX
	VPBROADCASTD AX, Z2
	VPSUBD       Z0, Z2, Z28
	VPSUBD       Z1, Z2, Z29
	VPSLLD       $23, Z28, Z28
	VPSLLD       $23, Z29, Z29

	// the scales 2^(e-21) as float64
	MOVQ          $1002, AX
	VPBROADCASTQ  AX, Z2
	VPMOVSXDQ     Y0, Z3
	VPADDQ        Z2, Z3, Z3
	VPSLLQ        $52, Z3, Z3
	VMOVDQU64     Z3, (R8)
	VEXTRACTI32X8 $1, Z0, Y4
	VPMOVSXDQ     Y4, Z3
	VPADDQ        Z2, Z3, Z3
	VPSLLQ        $52, Z3, Z3
	VMOVDQU64     Z3, 64(R8)
	VPMOVSXDQ     Y1, Z3
	VPADDQ        Z2, Z3, Z3
	VPSLLQ        $52, Z3, Z3
	VMOVDQU64     Z3, 128(R8)
	VEXTRACTI32X8 $1, Z1, Y4
	VPMOVSXDQ     Y4, Z3
	VPADDQ        Z2, Z3, Z3
	VPSLLQ        $52, Z3, Z3
	VMOVDQU64     Z3, 192(R8)

	MOVL         $0x4A000000, AX // 2^21
	VPBROADCASTD AX, Z30
	MOVL         $0x00102040, AX // 2^20 + 2^13 + 2^6
	VPBROADCASTD AX, Z24
	MOVL         $0x7F7F7F7F, AX
	VPBROADCASTD AX, Z23
	MOVL         $0x40404040, AX
	VPBROADCASTD AX, Z22
	MOVL         $0xFFFFFF00, AX
	VPBROADCASTD AX, Z25
	MOVL         $0xFFFF0000, AX
	VPBROADCASTD AX, Z26
	MOVL         $0xFF000000, AX
	VPBROADCASTD AX, Z27

	LEAQ (R9)(R9*2), R12
	MOVQ chunks+48(FP), R13
	SHLQ $11, R13 // a part's bytes
	MOVQ k+32(FP), CX
	MOVQ chunks+48(FP), R14
	SHLQ $4, R14 // groups of four rows
	MOVQ $16, R15

group:
	LEAQ (DX)(R13*2), R10
	BYTE_TILE_GROUP(BX, 0, Z28, 0)
	BYTE_TILE_GROUP(R11, 64, Z29, 1024)
	LEAQ (SI)(R9*4), SI
	SUBQ $4, CX
	ADDQ $64, DX
	DECQ R15
	JNZ  nextgroup
	ADDQ $1024, DX // the next chunk
	MOVQ $16, R15

nextgroup:
	DECQ R14
	JNZ  group
	MOVB $0, bad+56(FP)
	VZEROUPPER
	RET

nonfinite:
	MOVB $1, bad+56(FP)
	VZEROUPPER
	RET

// Byte transpose (ByteTranspose): blocks of 16 rows by 64 columns.

// Within each 128-bit lane (4 rows × 4 columns as dwords of rows), the
// bytes column by column.
DATA byteT4x4<>+0(SB)/8, $0x0d0905010c080400
DATA byteT4x4<>+8(SB)/8, $0x0f0b07030e0a0602
DATA byteT4x4<>+16(SB)/8, $0x0d0905010c080400
DATA byteT4x4<>+24(SB)/8, $0x0f0b07030e0a0602
DATA byteT4x4<>+32(SB)/8, $0x0d0905010c080400
DATA byteT4x4<>+40(SB)/8, $0x0f0b07030e0a0602
DATA byteT4x4<>+48(SB)/8, $0x0d0905010c080400
DATA byteT4x4<>+56(SB)/8, $0x0f0b07030e0a0602
GLOBL byteT4x4<>(SB), RODATA|NOPTR, $64

// Across the lanes: dword q of lane L to lane q, position L.
DATA byteLanes<>+0(SB)/8, $0x0000000400000000
DATA byteLanes<>+8(SB)/8, $0x0000000c00000008
DATA byteLanes<>+16(SB)/8, $0x0000000500000001
DATA byteLanes<>+24(SB)/8, $0x0000000d00000009
DATA byteLanes<>+32(SB)/8, $0x0000000600000002
DATA byteLanes<>+40(SB)/8, $0x0000000e0000000a
DATA byteLanes<>+48(SB)/8, $0x0000000700000003
DATA byteLanes<>+56(SB)/8, $0x0000000f0000000b
GLOBL byteLanes<>(SB), RODATA|NOPTR, $64

// BYTE_T_ROWS shuffles Z (4 columns × 16 rows after the dword transpose)
// into 4 lanes of 16 rows, one column a lane, and stores them to 4
// consecutive rows of dst at R10 (stride R9).
#define BYTE_T_ROWS(z, x) \
	VPSHUFB       Z16, z, z \
	VPERMD        z, Z17, z \
	VMOVDQU       x, (R10) \
	ADDQ          R9, R10 \
	VEXTRACTI32X4 $1, z, (R10) \
	ADDQ          R9, R10 \
	VEXTRACTI32X4 $2, z, (R10) \
	ADDQ          R9, R10 \
	VEXTRACTI32X4 $3, z, (R10) \
	ADDQ          R9, R10

// func byteTransposeAVX512Asm(dst unsafe.Pointer, ldd int, src unsafe.Pointer, lds, rowBlocks, colBlocks int)
TEXT ·byteTransposeAVX512Asm(SB), NOSPLIT, $0-48
	MOVQ ldd+8(FP), R9
	MOVQ lds+24(FP), R11
	MOVQ rowBlocks+32(FP), R12
	MOVQ src+16(FP), SI
	MOVQ dst+0(FP), DI

rowblock:
	MOVQ colBlocks+40(FP), R13
	MOVQ SI, BX // 16 rows of src at column 0 of the block
	MOVQ DI, R14 // dst at row 0, column of the row block

colblock:
	MOVQ      BX, AX
	VMOVDQU32 (AX), Z0
	ADDQ      R11, AX
	VMOVDQU32 (AX), Z1
	ADDQ      R11, AX
	VMOVDQU32 (AX), Z2
	ADDQ      R11, AX
	VMOVDQU32 (AX), Z3
	ADDQ      R11, AX
	VMOVDQU32 (AX), Z4
	ADDQ      R11, AX
	VMOVDQU32 (AX), Z5
	ADDQ      R11, AX
	VMOVDQU32 (AX), Z6
	ADDQ      R11, AX
	VMOVDQU32 (AX), Z7
	ADDQ      R11, AX
	VMOVDQU32 (AX), Z8
	ADDQ      R11, AX
	VMOVDQU32 (AX), Z9
	ADDQ      R11, AX
	VMOVDQU32 (AX), Z10
	ADDQ      R11, AX
	VMOVDQU32 (AX), Z11
	ADDQ      R11, AX
	VMOVDQU32 (AX), Z12
	ADDQ      R11, AX
	VMOVDQU32 (AX), Z13
	ADDQ      R11, AX
	VMOVDQU32 (AX), Z14
	ADDQ      R11, AX
	VMOVDQU32 (AX), Z15
	TRANSPOSE16
	VMOVDQU32 byteT4x4<>(SB), Z16
	VMOVDQU32 byteLanes<>(SB), Z17
	MOVQ      R14, R10
	BYTE_T_ROWS(Z0, X0)
	BYTE_T_ROWS(Z1, X1)
	BYTE_T_ROWS(Z2, X2)
	BYTE_T_ROWS(Z3, X3)
	BYTE_T_ROWS(Z4, X4)
	BYTE_T_ROWS(Z5, X5)
	BYTE_T_ROWS(Z6, X6)
	BYTE_T_ROWS(Z7, X7)
	BYTE_T_ROWS(Z8, X8)
	BYTE_T_ROWS(Z9, X9)
	BYTE_T_ROWS(Z10, X10)
	BYTE_T_ROWS(Z11, X11)
	BYTE_T_ROWS(Z12, X12)
	BYTE_T_ROWS(Z13, X13)
	BYTE_T_ROWS(Z14, X14)
	BYTE_T_ROWS(Z15, X15)
	ADDQ      $64, BX
	MOVQ      R10, R14 // 64 rows of dst on
	DECQ      R13
	JNZ       colblock

	MOVQ R11, AX
	SHLQ $4, AX
	ADDQ AX, SI // 16 rows of src on
	ADDQ $16, DI // 16 columns of dst on
	DECQ R12
	JNZ  rowblock
	VZEROUPPER
	RET
