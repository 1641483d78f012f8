//go:build !purego

#include "textflag.h"

// dropout kernels, AVX-512 (F, BW; BMI2) and AVX2. Contracts in dropout.go
// (dropoutKernels). The counter-based hash (dropoutHash) runs in 32-bit
// lanes: lane j of a step holds lo0+i+j plus k0, advanced by the lane count
// each step. Mask bits are stored 16 (AVX-512, KMOVW) or 8 (AVX2, VMOVMSKPS)
// at a time at byte i/8 of the mask: on a little-endian machine that is bit
// i%64 of word i/64. A partial last step enables only its first lanes for
// loads and stores and clears the mask bits past the end.

DATA dropoutIota<>+0(SB)/4, $0
DATA dropoutIota<>+4(SB)/4, $1
DATA dropoutIota<>+8(SB)/4, $2
DATA dropoutIota<>+12(SB)/4, $3
DATA dropoutIota<>+16(SB)/4, $4
DATA dropoutIota<>+20(SB)/4, $5
DATA dropoutIota<>+24(SB)/4, $6
DATA dropoutIota<>+28(SB)/4, $7
DATA dropoutIota<>+32(SB)/4, $8
DATA dropoutIota<>+36(SB)/4, $9
DATA dropoutIota<>+40(SB)/4, $10
DATA dropoutIota<>+44(SB)/4, $11
DATA dropoutIota<>+48(SB)/4, $12
DATA dropoutIota<>+52(SB)/4, $13
DATA dropoutIota<>+56(SB)/4, $14
DATA dropoutIota<>+60(SB)/4, $15
GLOBL dropoutIota<>(SB), RODATA|NOPTR, $64

// dropoutBits<>: 1 << j in lane j, to spread 8 mask bits over 8 lanes.
DATA dropoutBits<>+0(SB)/4, $1
DATA dropoutBits<>+4(SB)/4, $2
DATA dropoutBits<>+8(SB)/4, $4
DATA dropoutBits<>+12(SB)/4, $8
DATA dropoutBits<>+16(SB)/4, $16
DATA dropoutBits<>+20(SB)/4, $32
DATA dropoutBits<>+24(SB)/4, $64
DATA dropoutBits<>+28(SB)/4, $128
GLOBL dropoutBits<>(SB), RODATA|NOPTR, $32

// dropoutLanes<>: 8 all-ones lanes then 8 zero lanes; the 8 dwords at
// dropoutLanes<>+4*(8-r) enable the first r lanes.
DATA dropoutLanes<>+0(SB)/8, $-1
DATA dropoutLanes<>+8(SB)/8, $-1
DATA dropoutLanes<>+16(SB)/8, $-1
DATA dropoutLanes<>+24(SB)/8, $-1
DATA dropoutLanes<>+32(SB)/8, $0
DATA dropoutLanes<>+40(SB)/8, $0
DATA dropoutLanes<>+48(SB)/8, $0
DATA dropoutLanes<>+56(SB)/8, $0
GLOBL dropoutLanes<>(SB), RODATA|NOPTR, $64

// ---- AVX-512 ----
// Z31 counter (lo+k0 per lane), Z30 16s, Z29 0x7feb352d, Z28 0x846ca68b,
// Z27 k1, Z26 thr, Z25 a (or scale), Z24 b, Z23 c.

// HASH512(h, t): h = dropoutHash of the lanes of Z31; Z31 += 16.
#define HASH512(h, t) \
	VPSRLD     $16, Z31, t \
	VPXORD     Z31, t, h \
	VPMULLD    Z29, h, h \
	VPSRLD     $15, h, t \
	VPTERNLOGD $0x96, Z27, t, h \
	VPMULLD    Z28, h, h \
	VPSRLD     $16, h, t \
	VPXORD     t, h, h \
	VPADDD     Z30, Z31, Z31

// FWD512(off, moff, h, t, v, k, ST): 16 elements at byte off of x and dst,
// their 16 mask bits at byte moff of the mask. VPCMPUD predicate 5 is
// "not less than": h >= thr, unsigned.
#define FWD512(off, moff, h, t, v, k, ST) \
	HASH512(h, t) \
	VPCMPUD   $5, Z26, h, k \
	VMULPS    off(SI), Z25, v \
	VADDPS    Z24, v, v \
	VBLENDMPS v, Z23, k, v \
	ST        v, off(DI) \
	KMOVW     k, moff(DX)

#define FWD512x4(ST) \
	FWD512(0, 0, Z0, Z1, Z2, K1, ST) \
	FWD512(64, 2, Z3, Z4, Z5, K2, ST) \
	FWD512(128, 4, Z6, Z7, Z8, K3, ST) \
	FWD512(192, 6, Z9, Z10, Z11, K4, ST)

// func dropoutForwardAVX512(dst []float32, x []float32, mask []uint64, k0 uint32, k1 uint32, lo0 uint32, thr uint32, a float32, b float32, c float32, nt uint32)
TEXT ·dropoutForwardAVX512(SB), NOSPLIT, $0-104
	MOVQ         dst_base+0(FP), DI
	MOVQ         x_base+24(FP), SI
	MOVQ         x_len+32(FP), CX
	MOVQ         mask_base+48(FP), DX
	MOVL         k0+72(FP), AX
	ADDL         lo0+80(FP), AX
	VPBROADCASTD AX, Z31
	VPADDD       dropoutIota<>(SB), Z31, Z31
	MOVL         $16, AX
	VPBROADCASTD AX, Z30
	MOVL         $0x7feb352d, AX
	VPBROADCASTD AX, Z29
	MOVL         $0x846ca68b, AX
	VPBROADCASTD AX, Z28
	MOVL         k1+76(FP), AX
	VPBROADCASTD AX, Z27
	MOVL         thr+84(FP), AX
	VPBROADCASTD AX, Z26
	VBROADCASTSS a+88(FP), Z25
	VBROADCASTSS b+92(FP), Z24
	VBROADCASTSS c+96(FP), Z23
	MOVL         nt+100(FP), R8
	TESTL        R8, R8
	JNZ          df512_nt

df512_loop64:
	CMPQ CX, $64
	JB   df512_loop16
	FWD512x4(VMOVUPS)
	ADDQ $256, SI
	ADDQ $256, DI
	ADDQ $8, DX
	SUBQ $64, CX
	JMP  df512_loop64

df512_nt:
	CMPQ CX, $64
	JB   df512_loop16
	FWD512x4(VMOVNTPS)
	ADDQ $256, SI
	ADDQ $256, DI
	ADDQ $8, DX
	SUBQ $64, CX
	JMP  df512_nt

df512_loop16:
	CMPQ CX, $16
	JB   df512_tail
	FWD512(0, 0, Z0, Z1, Z2, K1, VMOVUPS)
	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $2, DX
	SUBQ $16, CX
	JMP  df512_loop16

df512_tail:
	TESTQ     CX, CX
	JZ        df512_done
	MOVL      $-1, AX
	BZHIL     CX, AX, AX
	KMOVW     AX, K7
	HASH512(Z0, Z1)
	VPCMPUD   $5, Z26, Z0, K7, K1
	VMOVUPS.Z (SI), K7, Z2
	VMULPS    Z25, Z2, Z2
	VADDPS    Z24, Z2, Z2
	VBLENDMPS Z2, Z23, K1, Z2
	VMOVUPS   Z2, K7, (DI)
	KMOVW     K1, (DX)

df512_done:
	TESTL R8, R8
	JZ    2(PC)
	SFENCE
	VZEROUPPER
	RET

// BWD512(off, moff, v, k, ST): dx = bit ? dy*scale : 0 for 16 elements.
#define BWD512(off, moff, v, k, ST) \
	KMOVW    moff(DX), k \
	VMULPS.Z off(SI), Z25, k, v \
	ST       v, off(DI)

#define BWD512x4(ST) \
	BWD512(0, 0, Z0, K1, ST) \
	BWD512(64, 2, Z1, K2, ST) \
	BWD512(128, 4, Z2, K3, ST) \
	BWD512(192, 6, Z3, K4, ST)

// func dropoutBackwardAVX512(dx []float32, dy []float32, mask []uint64, scale float32, nt uint32)
TEXT ·dropoutBackwardAVX512(SB), NOSPLIT, $0-80
	MOVQ         dx_base+0(FP), DI
	MOVQ         dy_base+24(FP), SI
	MOVQ         dy_len+32(FP), CX
	MOVQ         mask_base+48(FP), DX
	VBROADCASTSS scale+72(FP), Z25
	MOVL         nt+76(FP), R8
	TESTL        R8, R8
	JNZ          db512_nt

db512_loop64:
	CMPQ CX, $64
	JB   db512_loop16
	BWD512x4(VMOVUPS)
	ADDQ $256, SI
	ADDQ $256, DI
	ADDQ $8, DX
	SUBQ $64, CX
	JMP  db512_loop64

db512_nt:
	CMPQ CX, $64
	JB   db512_loop16
	BWD512x4(VMOVNTPS)
	ADDQ $256, SI
	ADDQ $256, DI
	ADDQ $8, DX
	SUBQ $64, CX
	JMP  db512_nt

db512_loop16:
	CMPQ CX, $16
	JB   db512_tail
	BWD512(0, 0, Z0, K1, VMOVUPS)
	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $2, DX
	SUBQ $16, CX
	JMP  db512_loop16

db512_tail:
	TESTQ    CX, CX
	JZ       db512_done
	MOVL     $-1, AX
	BZHIL    CX, AX, AX
	KMOVW    AX, K7
	KMOVW    (DX), K1
	KANDW    K7, K1, K1
	VMULPS.Z (SI), Z25, K1, Z0
	VMOVUPS  Z0, K7, (DI)

db512_done:
	TESTL R8, R8
	JZ    2(PC)
	SFENCE
	VZEROUPPER
	RET

// ---- AVX2 ----
// Y15 counter, Y14 8s, Y13 0x7feb352d, Y12 0x846ca68b, Y11 k1, Y10 thr
// (forward) or dropoutBits (backward), Y9 a (or scale), Y8 b, Y7 c, Y6 the
// lanes of a partial step.

// HASH256(h, t): h = dropoutHash of the lanes of Y15; Y15 += 8.
#define HASH256(h, t) \
	VPSRLD  $16, Y15, t \
	VPXOR   Y15, t, h \
	VPMULLD Y13, h, h \
	VPSRLD  $15, h, t \
	VPXOR   t, h, h \
	VPXOR   Y11, h, h \
	VPMULLD Y12, h, h \
	VPSRLD  $16, h, t \
	VPXOR   t, h, h \
	VPADDD  Y14, Y15, Y15

// KEEP256(h, t): h = all ones in the lanes where h >= thr (unsigned:
// max(h, thr) == h).
#define KEEP256(h, t) \
	VPMAXUD  Y10, h, t \
	VPCMPEQD t, h, h

// FWD256(off, moff, h, t, v, ST): 8 elements, their 8 mask bits at byte moff.
#define FWD256(off, moff, h, t, v, ST) \
	HASH256(h, t) \
	KEEP256(h, t) \
	VMULPS    off(SI), Y9, v \
	VADDPS    Y8, v, v \
	VBLENDVPS h, v, Y7, v \
	ST        v, off(DI) \
	VMOVMSKPS h, AX \
	MOVB      AX, moff(DX)

#define FWD256x2(ST) \
	FWD256(0, 0, Y0, Y1, Y2, ST) \
	FWD256(32, 1, Y3, Y4, Y5, ST)

// LANES256(n): Y6 = the first n lanes (0 <= n <= 8). Clobbers AX, BX.
#define LANES256(n) \
	LEAQ    dropoutLanes<>+32(SB), BX \
	MOVQ    n, AX \
	SHLQ    $2, AX \
	SUBQ    AX, BX \
	VMOVDQU (BX), Y6

// func dropoutForwardAVX2(dst []float32, x []float32, mask []uint64, k0 uint32, k1 uint32, lo0 uint32, thr uint32, a float32, b float32, c float32, nt uint32)
TEXT ·dropoutForwardAVX2(SB), NOSPLIT, $0-104
	MOVQ         dst_base+0(FP), DI
	MOVQ         x_base+24(FP), SI
	MOVQ         x_len+32(FP), CX
	MOVQ         mask_base+48(FP), DX
	MOVL         k0+72(FP), AX
	ADDL         lo0+80(FP), AX
	MOVQ         AX, X15
	VPBROADCASTD X15, Y15
	VPADDD       dropoutIota<>(SB), Y15, Y15
	MOVL         $8, AX
	MOVQ         AX, X14
	VPBROADCASTD X14, Y14
	MOVL         $0x7feb352d, AX
	MOVQ         AX, X13
	VPBROADCASTD X13, Y13
	MOVL         $0x846ca68b, AX
	MOVQ         AX, X12
	VPBROADCASTD X12, Y12
	MOVL         k1+76(FP), AX
	MOVQ         AX, X11
	VPBROADCASTD X11, Y11
	MOVL         thr+84(FP), AX
	MOVQ         AX, X10
	VPBROADCASTD X10, Y10
	VBROADCASTSS a+88(FP), Y9
	VBROADCASTSS b+92(FP), Y8
	VBROADCASTSS c+96(FP), Y7
	MOVL         nt+100(FP), R8
	TESTL        R8, R8
	JNZ          df256_nt

df256_loop16:
	CMPQ CX, $16
	JB   df256_loop8
	FWD256x2(VMOVUPS)
	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $2, DX
	SUBQ $16, CX
	JMP  df256_loop16

df256_nt:
	CMPQ CX, $16
	JB   df256_loop8
	FWD256x2(VMOVNTPS)
	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $2, DX
	SUBQ $16, CX
	JMP  df256_nt

df256_loop8:
	CMPQ CX, $8
	JB   df256_tail
	FWD256(0, 0, Y0, Y1, Y2, VMOVUPS)
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $1, DX
	SUBQ $8, CX
	JMP  df256_loop8

df256_tail:
	TESTQ      CX, CX
	JZ         df256_done
	LANES256(CX)
	HASH256(Y0, Y1)
	KEEP256(Y0, Y1)
	VANDPS     Y6, Y0, Y0
	VMASKMOVPS (SI), Y6, Y2
	VMULPS     Y9, Y2, Y2
	VADDPS     Y8, Y2, Y2
	VBLENDVPS  Y0, Y2, Y7, Y2
	VMASKMOVPS Y2, Y6, (DI)
	VMOVMSKPS  Y0, AX
	MOVB       AX, (DX)

df256_done:
	TESTL R8, R8
	JZ    2(PC)
	SFENCE
	VZEROUPPER
	RET

// BWD256(off, moff, m, v, ST): dx = bit ? dy*scale : 0 for 8 elements; the
// mask byte is broadcast, and lane j keeps its bit j.
#define BWD256(off, moff, m, v, ST) \
	VPBROADCASTB moff(DX), m \
	VPAND        Y10, m, m \
	VPCMPEQD     Y10, m, m \
	VMULPS       off(SI), Y9, v \
	VANDPS       m, v, v \
	ST           v, off(DI)

#define BWD256x2(ST) \
	BWD256(0, 0, Y0, Y1, ST) \
	BWD256(32, 1, Y2, Y3, ST)

// func dropoutBackwardAVX2(dx []float32, dy []float32, mask []uint64, scale float32, nt uint32)
TEXT ·dropoutBackwardAVX2(SB), NOSPLIT, $0-80
	MOVQ         dx_base+0(FP), DI
	MOVQ         dy_base+24(FP), SI
	MOVQ         dy_len+32(FP), CX
	MOVQ         mask_base+48(FP), DX
	VBROADCASTSS scale+72(FP), Y9
	VMOVDQU      dropoutBits<>(SB), Y10
	MOVL         nt+76(FP), R8
	TESTL        R8, R8
	JNZ          db256_nt

db256_loop16:
	CMPQ CX, $16
	JB   db256_loop8
	BWD256x2(VMOVUPS)
	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $2, DX
	SUBQ $16, CX
	JMP  db256_loop16

db256_nt:
	CMPQ CX, $16
	JB   db256_loop8
	BWD256x2(VMOVNTPS)
	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $2, DX
	SUBQ $16, CX
	JMP  db256_nt

db256_loop8:
	CMPQ CX, $8
	JB   db256_tail
	BWD256(0, 0, Y0, Y1, VMOVUPS)
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $1, DX
	SUBQ $8, CX
	JMP  db256_loop8

db256_tail:
	TESTQ        CX, CX
	JZ           db256_done
	LANES256(CX)
	VPBROADCASTB (DX), Y0
	VPAND        Y10, Y0, Y0
	VPCMPEQD     Y10, Y0, Y0
	VMASKMOVPS   (SI), Y6, Y1
	VMULPS       Y9, Y1, Y1
	VANDPS       Y0, Y1, Y1
	VMASKMOVPS   Y1, Y6, (DI)

db256_done:
	TESTL R8, R8
	JZ    2(PC)
	SFENCE
	VZEROUPPER
	RET
