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

// dropoutConst<>: 8 lanes each of 8 (the step), 0x7feb352d and 0x846ca68b,
// read as memory operands by the AVX2 code, which needs its 16 registers.
DATA dropoutConst<>+0(SB)/8, $0x0000000800000008
DATA dropoutConst<>+8(SB)/8, $0x0000000800000008
DATA dropoutConst<>+16(SB)/8, $0x0000000800000008
DATA dropoutConst<>+24(SB)/8, $0x0000000800000008
DATA dropoutConst<>+32(SB)/8, $0x7feb352d7feb352d
DATA dropoutConst<>+40(SB)/8, $0x7feb352d7feb352d
DATA dropoutConst<>+48(SB)/8, $0x7feb352d7feb352d
DATA dropoutConst<>+56(SB)/8, $0x7feb352d7feb352d
DATA dropoutConst<>+64(SB)/8, $0x846ca68b846ca68b
DATA dropoutConst<>+72(SB)/8, $0x846ca68b846ca68b
DATA dropoutConst<>+80(SB)/8, $0x846ca68b846ca68b
DATA dropoutConst<>+88(SB)/8, $0x846ca68b846ca68b
GLOBL dropoutConst<>(SB), RODATA|NOPTR, $96

// dropoutShifts<>: lane j of the k-th 32-byte row holds 31-(8k+j).
DATA dropoutShifts<>+0(SB)/8, $0x0000001e0000001f
DATA dropoutShifts<>+8(SB)/8, $0x0000001c0000001d
DATA dropoutShifts<>+16(SB)/8, $0x0000001a0000001b
DATA dropoutShifts<>+24(SB)/8, $0x0000001800000019
DATA dropoutShifts<>+32(SB)/8, $0x0000001600000017
DATA dropoutShifts<>+40(SB)/8, $0x0000001400000015
DATA dropoutShifts<>+48(SB)/8, $0x0000001200000013
DATA dropoutShifts<>+56(SB)/8, $0x0000001000000011
DATA dropoutShifts<>+64(SB)/8, $0x0000000e0000000f
DATA dropoutShifts<>+72(SB)/8, $0x0000000c0000000d
DATA dropoutShifts<>+80(SB)/8, $0x0000000a0000000b
DATA dropoutShifts<>+88(SB)/8, $0x0000000800000009
DATA dropoutShifts<>+96(SB)/8, $0x0000000600000007
DATA dropoutShifts<>+104(SB)/8, $0x0000000400000005
DATA dropoutShifts<>+112(SB)/8, $0x0000000200000003
DATA dropoutShifts<>+120(SB)/8, $0x0000000000000001
GLOBL dropoutShifts<>(SB), RODATA|NOPTR, $128

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

// The non-temporal loops (large outputs) also prefetch the input 512 bytes
// ahead, past the 4 KiB page boundaries where the hardware prefetchers stop
// (measured: a few per cent faster at 64 MiB; PREFETCHNTA, as Go's memmove
// uses, was a third slower here).

// ---- AVX-512 ----
// Z31 counter (lo+k0 per lane), Z30 16s, Z29 0x7feb352d, Z28 0x846ca68b,
// Z27 k1, Z26 thr, Z25 a (or scale), Z24 b, Z23 c.

// HASH512KEYS(k0, lo0, k1, thr): the hash's registers from the kernel's
// arguments: Z31 the counters lo0+k0+j, Z30 16s, Z29 and Z28 the
// multipliers, Z27 k1, Z26 thr.
#define HASH512KEYS(k0, lo0, k1, thr) \
	MOVL         k0, AX \
	ADDL         lo0, AX \
	VPBROADCASTD AX, Z31 \
	VPADDD       dropoutIota<>(SB), Z31, Z31 \
	MOVL         $16, AX \
	VPBROADCASTD AX, Z30 \
	MOVL         $0x7feb352d, AX \
	VPBROADCASTD AX, Z29 \
	MOVL         $0x846ca68b, AX \
	VPBROADCASTD AX, Z28 \
	MOVL         k1, AX \
	VPBROADCASTD AX, Z27 \
	MOVL         thr, AX \
	VPBROADCASTD AX, Z26

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

// TAILKEEP512: for the last CX < 16 elements, K7 enables their lanes and
// K1 holds their keep decisions (hash in Z0).
#define TAILKEEP512 \
	MOVL     $-1, AX \
	BZHIL    CX, AX, AX \
	KMOVW    AX, K7 \
	HASH512(Z0, Z1) \
	VPCMPUD  $5, Z26, Z0, K7, K1

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

// FWD512P: FWD512 for plain dropout (b = -0, c = 0): x*a + -0 is x*a, and
// the dropped lanes are zeroed by the masked multiply.
#define FWD512P(off, moff, h, t, v, k, ST) \
	HASH512(h, t) \
	VPCMPUD  $5, Z26, h, k \
	VMULPS.Z off(SI), Z25, k, v \
	ST       v, off(DI) \
	KMOVW    k, moff(DX)

#define FWD512Px4(ST) \
	FWD512P(0, 0, Z0, Z1, Z2, K1, ST) \
	FWD512P(64, 2, Z3, Z4, Z5, K2, ST) \
	FWD512P(128, 4, Z6, Z7, Z8, K3, ST) \
	FWD512P(192, 6, Z9, Z10, Z11, K4, ST)

#define FWD512x4(ST) \
	FWD512(0, 0, Z0, Z1, Z2, K1, ST) \
	FWD512(64, 2, Z3, Z4, Z5, K2, ST) \
	FWD512(128, 4, Z6, Z7, Z8, K3, ST) \
	FWD512(192, 6, Z9, Z10, Z11, K4, ST)

// func dropoutForwardAVX512(dst []float32, x []float32, mask []uint64, k0 uint32, k1 uint32, lo0 uint32, thr uint32, a float32, b float32, c float32, flags uint32)
TEXT ·dropoutForwardAVX512(SB), NOSPLIT, $0-104
	MOVQ         dst_base+0(FP), DI
	MOVQ         x_base+24(FP), SI
	MOVQ         x_len+32(FP), CX
	MOVQ         mask_base+48(FP), DX
	HASH512KEYS(k0+72(FP), lo0+80(FP), k1+76(FP), thr+84(FP))
	VBROADCASTSS a+88(FP), Z25
	VBROADCASTSS b+92(FP), Z24
	VBROADCASTSS c+96(FP), Z23
	MOVL         flags+100(FP), R8
	CMPL         R8, $1
	JEQ          df512_nt
	CMPL         R8, $2
	JEQ          df512_plain
	CMPL         R8, $3
	JEQ          df512_plain_nt

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
	PREFETCHT0 512(SI)
	PREFETCHT0 576(SI)
	PREFETCHT0 640(SI)
	PREFETCHT0 704(SI)
	FWD512x4(VMOVNTPS)
	ADDQ $256, SI
	ADDQ $256, DI
	ADDQ $8, DX
	SUBQ $64, CX
	JMP  df512_nt

df512_plain:
	CMPQ CX, $64
	JB   df512_loop16
	FWD512Px4(VMOVUPS)
	ADDQ $256, SI
	ADDQ $256, DI
	ADDQ $8, DX
	SUBQ $64, CX
	JMP  df512_plain

df512_plain_nt:
	CMPQ CX, $64
	JB   df512_loop16
	PREFETCHT0 512(SI)
	PREFETCHT0 576(SI)
	PREFETCHT0 640(SI)
	PREFETCHT0 704(SI)
	FWD512Px4(VMOVNTPS)
	ADDQ $256, SI
	ADDQ $256, DI
	ADDQ $8, DX
	SUBQ $64, CX
	JMP  df512_plain_nt

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
	TAILKEEP512
	VMOVUPS.Z (SI), K7, Z2
	VMULPS    Z25, Z2, Z2
	VADDPS    Z24, Z2, Z2
	VBLENDMPS Z2, Z23, K1, Z2
	VMOVUPS   Z2, K7, (DI)
	KMOVW     K1, (DX)

df512_done:
	TESTL $1, R8
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
	PREFETCHT0 512(SI)
	PREFETCHT0 576(SI)
	PREFETCHT0 640(SI)
	PREFETCHT0 704(SI)
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
// Y15 counter, Y11 k1, Y10 thr (forward) or dropoutBits (backward), Y9 a
// (or scale), Y8 b, Y7 c, Y6 the lanes of a partial step; the step and the
// multipliers are memory operands (dropoutConst<>), so that four steps of
// two registers each fit in the rest and hide the latency of VPMULLD.

// HASH256(h, t): h = dropoutHash of the lanes of Y15; Y15 += 8.
#define HASH256(h, t) \
	VPSRLD  $16, Y15, t \
	VPXOR   Y15, t, h \
	VPMULLD dropoutConst<>+32(SB), h, h \
	VPSRLD  $15, h, t \
	VPXOR   t, h, h \
	VPXOR   Y11, h, h \
	VPMULLD dropoutConst<>+64(SB), h, h \
	VPSRLD  $16, h, t \
	VPXOR   t, h, h \
	VPADDD  dropoutConst<>+0(SB), Y15, Y15

// KEEP256(h, t): h = all ones in the lanes where h >= thr (unsigned:
// max(h, thr) == h).
#define KEEP256(h, t) \
	VPMAXUD  Y10, h, t \
	VPCMPEQD t, h, h

// FWD256(off, moff, h, t, ST): 8 elements, their 8 mask bits at byte moff.
#define FWD256(off, moff, h, t, ST) \
	HASH256(h, t) \
	KEEP256(h, t) \
	VMULPS    off(SI), Y9, t \
	VADDPS    Y8, t, t \
	VBLENDVPS h, t, Y7, t \
	ST        t, off(DI) \
	VMOVMSKPS h, AX \
	MOVB      AX, moff(DX)

// FWD256P: FWD256 for plain dropout (b = -0, c = 0): x*a, and-ed with the
// keep mask.
#define FWD256P(off, moff, h, t, ST) \
	HASH256(h, t) \
	KEEP256(h, t) \
	VMULPS    off(SI), Y9, t \
	VANDPS    h, t, t \
	ST        t, off(DI) \
	VMOVMSKPS h, AX \
	MOVB      AX, moff(DX)

#define FWD256Px4(ST) \
	FWD256P(0, 0, Y0, Y1, ST) \
	FWD256P(32, 1, Y2, Y3, ST) \
	FWD256P(64, 2, Y4, Y5, ST) \
	FWD256P(96, 3, Y12, Y13, ST)

#define FWD256x4(ST) \
	FWD256(0, 0, Y0, Y1, ST) \
	FWD256(32, 1, Y2, Y3, ST) \
	FWD256(64, 2, Y4, Y5, ST) \
	FWD256(96, 3, Y12, Y13, ST)

// LANES256(n): Y6 = the first n lanes (0 <= n <= 8). Clobbers AX, BX.
#define LANES256(n) \
	LEAQ    dropoutLanes<>+32(SB), BX \
	MOVQ    n, AX \
	SHLQ    $2, AX \
	SUBQ    AX, BX \
	VMOVDQU (BX), Y6

// func dropoutForwardAVX2(dst []float32, x []float32, mask []uint64, k0 uint32, k1 uint32, lo0 uint32, thr uint32, a float32, b float32, c float32, flags uint32)
TEXT ·dropoutForwardAVX2(SB), NOSPLIT, $0-104
	MOVQ         dst_base+0(FP), DI
	MOVQ         x_base+24(FP), SI
	MOVQ         x_len+32(FP), CX
	MOVQ         mask_base+48(FP), DX
	MOVL         k0+72(FP), AX
	ADDL         lo0+80(FP), AX
	VMOVD        AX, X15
	VPBROADCASTD X15, Y15
	VPADDD       dropoutIota<>(SB), Y15, Y15
	MOVL         k1+76(FP), AX
	VMOVD        AX, X11
	VPBROADCASTD X11, Y11
	MOVL         thr+84(FP), AX
	VMOVD        AX, X10
	VPBROADCASTD X10, Y10
	VBROADCASTSS a+88(FP), Y9
	VBROADCASTSS b+92(FP), Y8
	VBROADCASTSS c+96(FP), Y7
	MOVL         flags+100(FP), R8
	CMPL         R8, $1
	JEQ          df256_nt
	CMPL         R8, $2
	JEQ          df256_plain
	CMPL         R8, $3
	JEQ          df256_plain_nt

df256_loop32:
	CMPQ CX, $32
	JB   df256_loop8
	FWD256x4(VMOVUPS)
	ADDQ $128, SI
	ADDQ $128, DI
	ADDQ $4, DX
	SUBQ $32, CX
	JMP  df256_loop32

df256_nt:
	CMPQ CX, $32
	JB   df256_loop8
	PREFETCHT0 512(SI)
	PREFETCHT0 576(SI)
	FWD256x4(VMOVNTPS)
	ADDQ $128, SI
	ADDQ $128, DI
	ADDQ $4, DX
	SUBQ $32, CX
	JMP  df256_nt

df256_plain:
	CMPQ CX, $32
	JB   df256_loop8
	FWD256Px4(VMOVUPS)
	ADDQ $128, SI
	ADDQ $128, DI
	ADDQ $4, DX
	SUBQ $32, CX
	JMP  df256_plain

df256_plain_nt:
	CMPQ CX, $32
	JB   df256_loop8
	PREFETCHT0 512(SI)
	PREFETCHT0 576(SI)
	FWD256Px4(VMOVNTPS)
	ADDQ $128, SI
	ADDQ $128, DI
	ADDQ $4, DX
	SUBQ $32, CX
	JMP  df256_plain_nt

df256_loop8:
	CMPQ CX, $8
	JB   df256_tail
	FWD256(0, 0, Y0, Y1, VMOVUPS)
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
	TESTL $1, R8
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

// BWD256Q(off, k, v, ST): 8 elements of a 32-element step whose mask dword
// is in Y14: VPSLLVD moves bit 8k+j to the sign of lane j, VPSRAD spreads it
// (one broadcast per 32 elements instead of one per 8).
#define BWD256Q(off, k, m, v, ST) \
	VPSLLVD dropoutShifts<>+(32*k)(SB), Y14, m \
	VPSRAD  $31, m, m \
	VMULPS  off(SI), Y9, v \
	VANDPS  m, v, v \
	ST      v, off(DI)

#define BWD256x4(ST) \
	VPBROADCASTD (DX), Y14 \
	BWD256Q(0, 0, Y0, Y1, ST) \
	BWD256Q(32, 1, Y2, Y3, ST) \
	BWD256Q(64, 2, Y4, Y5, ST) \
	BWD256Q(96, 3, Y12, Y13, ST)

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

db256_loop32:
	CMPQ CX, $32
	JB   db256_loop8
	BWD256x4(VMOVUPS)
	ADDQ $128, SI
	ADDQ $128, DI
	ADDQ $4, DX
	SUBQ $32, CX
	JMP  db256_loop32

db256_nt:
	CMPQ CX, $32
	JB   db256_loop8
	PREFETCHT0 512(SI)
	PREFETCHT0 576(SI)
	BWD256x4(VMOVNTPS)
	ADDQ $128, SI
	ADDQ $128, DI
	ADDQ $4, DX
	SUBQ $32, CX
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

// func dropoutBytesAVX512(dst []uint8, src []uint8, k0 uint32, k1 uint32, lo0 uint32, thr uint32)
// dst[i] = hash >= thr ? src[i] : 0, 64 bytes a step: four hash vectors'
// 16-bit keep masks joined into one 64-bit byte mask (K5).
TEXT ·dropoutBytesAVX512(SB), NOSPLIT, $0-64
	MOVQ         dst_base+0(FP), DI
	MOVQ         src_base+24(FP), SI
	MOVQ         src_len+32(FP), CX
	HASH512KEYS(k0+48(FP), lo0+56(FP), k1+52(FP), thr+60(FP))

dbytes512_loop64:
	CMPQ       CX, $64
	JB         dbytes512_loop16
	HASH512(Z0, Z1)
	VPCMPUD    $5, Z26, Z0, K1
	HASH512(Z2, Z3)
	VPCMPUD    $5, Z26, Z2, K2
	HASH512(Z4, Z5)
	VPCMPUD    $5, Z26, Z4, K3
	HASH512(Z6, Z7)
	VPCMPUD    $5, Z26, Z6, K4
	KUNPCKWD   K1, K2, K1
	KUNPCKWD   K3, K4, K3
	KUNPCKDQ   K1, K3, K5
	VMOVDQU8.Z (SI), K5, Z8
	VMOVDQU8   Z8, (DI)
	ADDQ       $64, SI
	ADDQ       $64, DI
	SUBQ       $64, CX
	JMP        dbytes512_loop64

dbytes512_loop16:
	CMPQ       CX, $16
	JB         dbytes512_tail
	HASH512(Z0, Z1)
	VPCMPUD    $5, Z26, Z0, K1
	VMOVDQU8.Z (SI), K1, X8
	VMOVDQU8   X8, (DI)
	ADDQ       $16, SI
	ADDQ       $16, DI
	SUBQ       $16, CX
	JMP        dbytes512_loop16

dbytes512_tail:
	TESTQ      CX, CX
	JZ         dbytes512_done
	TAILKEEP512
	VMOVDQU8.Z (SI), K1, X8
	VMOVDQU8   X8, K7, (DI)

dbytes512_done:
	VZEROUPPER
	RET
