//go:build !purego

#include "textflag.h"

// norm kernels, AVX-512 (F, BW, DQ, VL; BMI2, which every AVX-512 CPU has)
// and AVX2+FMA. Contracts in norm.go (normKernels). Tails: AVX-512 uses
// lane masks (masked-off lanes are neither loaded, so they cannot fault,
// nor stored); AVX2 uses VMASKMOVPS with a lane mask read from
// normLanes<> for the column kernels and a scalar loop elsewhere.

// normLanes<>: 8 all-ones lanes then 8 zero lanes; the 8 dwords at
// normLanes<>+4*(8-r) enable the first r lanes (0 <= r <= 8).
DATA normLanes<>+0(SB)/8, $-1
DATA normLanes<>+8(SB)/8, $-1
DATA normLanes<>+16(SB)/8, $-1
DATA normLanes<>+24(SB)/8, $-1
DATA normLanes<>+32(SB)/8, $0
DATA normLanes<>+40(SB)/8, $0
DATA normLanes<>+48(SB)/8, $0
DATA normLanes<>+56(SB)/8, $0
GLOBL normLanes<>(SB), RODATA|NOPTR, $64

// LANEMASK16(n, tmp, k): k = the first min(n, 16) lanes, for 0 <= n < 16.
#define LANEMASK16(n, tmp, k) \
	MOVL $-1, tmp \
	BZHIL n, tmp, tmp \
	KMOVW tmp, k

// Horizontal sum of Z0 into X0 (lane 0).
#define HSUM512 \
	VEXTRACTF64X4 $1, Z0, Y1 \
	VADDPS        Y1, Y0, Y0 \
	VEXTRACTF128  $1, Y0, X1 \
	VADDPS        X1, X0, X0 \
	VMOVHLPS      X0, X0, X1 \
	VADDPS        X1, X0, X0 \
	VMOVSHDUP     X0, X1 \
	VADDSS        X1, X0, X0

// Horizontal sum of Y0 into X0 (lane 0).
#define HSUM256 \
	VEXTRACTF128 $1, Y0, X1 \
	VADDPS       X1, X0, X0 \
	VMOVHLPS     X0, X0, X1 \
	VADDPS       X1, X0, X0 \
	VMOVSHDUP    X0, X1 \
	VADDSS       X1, X0, X0

// Sums of squares keep 8 accumulators, enough independent FMA chains to
// run at two FMAs a cycle (latency 4).

// func sumSquaresAVX512(x []float32) float32
TEXT ·sumSquaresAVX512(SB), NOSPLIT, $0-28
	MOVQ   x_base+0(FP), SI
	MOVQ   x_len+8(FP), CX
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7

ss512_loop128:
	CMPQ        CX, $128
	JB          ss512_loop16
	VMOVUPS     (SI), Z8
	VMOVUPS     64(SI), Z9
	VMOVUPS     128(SI), Z10
	VMOVUPS     192(SI), Z11
	VMOVUPS     256(SI), Z12
	VMOVUPS     320(SI), Z13
	VMOVUPS     384(SI), Z14
	VMOVUPS     448(SI), Z15
	VFMADD231PS Z8, Z8, Z0
	VFMADD231PS Z9, Z9, Z1
	VFMADD231PS Z10, Z10, Z2
	VFMADD231PS Z11, Z11, Z3
	VFMADD231PS Z12, Z12, Z4
	VFMADD231PS Z13, Z13, Z5
	VFMADD231PS Z14, Z14, Z6
	VFMADD231PS Z15, Z15, Z7
	ADDQ        $512, SI
	SUBQ        $128, CX
	JMP         ss512_loop128

ss512_loop16:
	CMPQ        CX, $16
	JB          ss512_tail
	VMOVUPS     (SI), Z8
	VFMADD231PS Z8, Z8, Z0
	ADDQ        $64, SI
	SUBQ        $16, CX
	JMP         ss512_loop16

ss512_tail:
	TESTQ       CX, CX
	JZ          ss512_reduce
	LANEMASK16(CX, AX, K1)
	VMOVUPS.Z   (SI), K1, Z8
	VFMADD231PS Z8, Z8, Z1

ss512_reduce:
	VADDPS Z4, Z0, Z0
	VADDPS Z5, Z1, Z1
	VADDPS Z6, Z2, Z2
	VADDPS Z7, Z3, Z3
	VADDPS Z1, Z0, Z0
	VADDPS Z3, Z2, Z2
	VADDPS Z2, Z0, Z0
	HSUM512
	VMOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

// func sumSquaresAVX2(x []float32) float32
TEXT ·sumSquaresAVX2(SB), NOSPLIT, $0-28
	MOVQ   x_base+0(FP), SI
	MOVQ   x_len+8(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7

ss256_loop64:
	CMPQ        CX, $64
	JB          ss256_loop8
	VMOVUPS     (SI), Y8
	VMOVUPS     32(SI), Y9
	VMOVUPS     64(SI), Y10
	VMOVUPS     96(SI), Y11
	VMOVUPS     128(SI), Y12
	VMOVUPS     160(SI), Y13
	VMOVUPS     192(SI), Y14
	VMOVUPS     224(SI), Y15
	VFMADD231PS Y8, Y8, Y0
	VFMADD231PS Y9, Y9, Y1
	VFMADD231PS Y10, Y10, Y2
	VFMADD231PS Y11, Y11, Y3
	VFMADD231PS Y12, Y12, Y4
	VFMADD231PS Y13, Y13, Y5
	VFMADD231PS Y14, Y14, Y6
	VFMADD231PS Y15, Y15, Y7
	ADDQ        $256, SI
	SUBQ        $64, CX
	JMP         ss256_loop64

ss256_loop8:
	CMPQ        CX, $8
	JB          ss256_reduce
	VMOVUPS     (SI), Y8
	VFMADD231PS Y8, Y8, Y0
	ADDQ        $32, SI
	SUBQ        $8, CX
	JMP         ss256_loop8

ss256_reduce:
	VADDPS Y4, Y0, Y0
	VADDPS Y5, Y1, Y1
	VADDPS Y6, Y2, Y2
	VADDPS Y7, Y3, Y3
	VADDPS Y1, Y0, Y0
	VADDPS Y3, Y2, Y2
	VADDPS Y2, Y0, Y0
	HSUM256

ss256_tail:
	TESTQ       CX, CX
	JZ          ss256_done
	VMOVSS      (SI), X4
	VFMADD231SS X4, X4, X0
	ADDQ        $4, SI
	DECQ        CX
	JMP         ss256_tail

ss256_done:
	VMOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

// COLMASKS512(n): K1..K4 enable the first min(n, 64) columns of a block
// (n > 0); BZHI keeps min(n, 64) low bits. Clobbers BX, DX.
#define COLMASKS512(n) \
	MOVQ  $64, DX \
	CMPQ  n, DX \
	CMOVQLT n, DX \
	MOVQ  $-1, BX \
	BZHIQ DX, BX, BX \
	KMOVW BX, K1 \
	SHRQ  $16, BX \
	KMOVW BX, K2 \
	SHRQ  $16, BX \
	KMOVW BX, K3 \
	SHRQ  $16, BX \
	KMOVW BX, K4

// func colSumSquaresAVX512(acc []float32, x []float32, ld int, rows int)
TEXT ·colSumSquaresAVX512(SB), NOSPLIT, $0-64
	MOVQ acc_base+0(FP), DI
	MOVQ acc_len+8(FP), CX
	MOVQ x_base+24(FP), SI
	MOVQ ld+48(FP), R8
	SHLQ $2, R8
	MOVQ rows+56(FP), R9
	TESTQ R9, R9
	JZ   css512_done

	CMPQ CX, $64
	JA   css512_rowwise

css512_block:
	TESTQ CX, CX
	JZ    css512_done
	COLMASKS512(CX)
	VMOVUPS.Z (DI), K1, Z0
	VMOVUPS.Z 64(DI), K2, Z1
	VMOVUPS.Z 128(DI), K3, Z2
	VMOVUPS.Z 192(DI), K4, Z3
	MOVQ      SI, R10
	MOVQ      R9, R11

css512_row:
	VMOVUPS.Z   (R10), K1, Z4
	VMOVUPS.Z   64(R10), K2, Z5
	VMOVUPS.Z   128(R10), K3, Z6
	VMOVUPS.Z   192(R10), K4, Z7
	VFMADD231PS Z4, Z4, Z0
	VFMADD231PS Z5, Z5, Z1
	VFMADD231PS Z6, Z6, Z2
	VFMADD231PS Z7, Z7, Z3
	ADDQ        R8, R10
	DECQ        R11
	JNZ         css512_row
	VMOVUPS     Z0, K1, (DI)
	VMOVUPS     Z1, K2, 64(DI)
	VMOVUPS     Z2, K3, 128(DI)
	VMOVUPS     Z3, K4, 192(DI)
	ADDQ        $256, DI
	ADDQ        $256, SI
	SUBQ        $64, CX
	JA          css512_block

	JMP css512_done

// Wider than one block: rows outer, so that the matrix is read in order
// (a block at a time would stride through memory once per block); the
// sums stay in L1.
css512_rowwise:
	MOVQ SI, R10
	MOVQ DI, R12
	MOVQ CX, R13

css512_r64:
	CMPQ R13, $64
	JB   css512_r16
	VMOVUPS   0(R10), Z4
	VMOVUPS   64(R10), Z5
	VMOVUPS   128(R10), Z6
	VMOVUPS   192(R10), Z7
	VMOVUPS   0(R12), Z0
	VMOVUPS   64(R12), Z1
	VMOVUPS   128(R12), Z2
	VMOVUPS   192(R12), Z3
	VFMADD231PS Z4, Z4, Z0
	VFMADD231PS Z5, Z5, Z1
	VFMADD231PS Z6, Z6, Z2
	VFMADD231PS Z7, Z7, Z3
	VMOVUPS     Z0, 0(R12)
	VMOVUPS     Z1, 64(R12)
	VMOVUPS     Z2, 128(R12)
	VMOVUPS     Z3, 192(R12)
	ADDQ $256, R10
	ADDQ $256, R12
	SUBQ $64, R13
	JMP  css512_r64

css512_r16:
	CMPQ R13, $16
	JB   css512_rtail
	VMOVUPS   0(R10), Z4
	VMOVUPS   0(R12), Z0
	VFMADD231PS Z4, Z4, Z0
	VMOVUPS     Z0, 0(R12)
	ADDQ $64, R10
	ADDQ $64, R12
	SUBQ $16, R13
	JMP  css512_r16

css512_rtail:
	TESTQ R13, R13
	JZ    css512_rnext
	LANEMASK16(R13, AX, K1)
	VMOVUPS.Z   0(R10), K1, Z4
	VMOVUPS.Z   0(R12), K1, Z0
	VFMADD231PS Z4, Z4, Z0
	VMOVUPS     Z0, K1, 0(R12)

css512_rnext:
	ADDQ R8, SI
	DECQ R9
	JNZ  css512_rowwise
	JMP  css512_done

css512_done:
	VZEROUPPER
	RET

// func scaleColsAVX512(x []float32, ld int, rows int, f []float32)
TEXT ·scaleColsAVX512(SB), NOSPLIT, $0-64
	MOVQ x_base+0(FP), SI
	MOVQ ld+24(FP), R8
	SHLQ $2, R8
	MOVQ rows+32(FP), R9
	MOVQ f_base+40(FP), DI
	MOVQ f_len+48(FP), CX
	TESTQ R9, R9
	JZ   sc512_done

	CMPQ CX, $64
	JA   sc512_rowwise

sc512_block:
	TESTQ CX, CX
	JZ    sc512_done
	COLMASKS512(CX)
	VMOVUPS.Z (DI), K1, Z0
	VMOVUPS.Z 64(DI), K2, Z1
	VMOVUPS.Z 128(DI), K3, Z2
	VMOVUPS.Z 192(DI), K4, Z3
	MOVQ      SI, R10
	MOVQ      R9, R11

sc512_row:
	VMULPS.Z (R10), Z0, K1, Z4
	VMULPS.Z 64(R10), Z1, K2, Z5
	VMULPS.Z 128(R10), Z2, K3, Z6
	VMULPS.Z 192(R10), Z3, K4, Z7
	VMOVUPS  Z4, K1, (R10)
	VMOVUPS  Z5, K2, 64(R10)
	VMOVUPS  Z6, K3, 128(R10)
	VMOVUPS  Z7, K4, 192(R10)
	ADDQ     R8, R10
	DECQ     R11
	JNZ      sc512_row
	ADDQ     $256, DI
	ADDQ     $256, SI
	SUBQ     $64, CX
	JA       sc512_block

	JMP sc512_done

// Wider than one block: rows outer, so that the matrix is read in order
// (a block at a time would stride through memory once per block); the
// factors stay in L1.
sc512_rowwise:
	MOVQ SI, R10
	MOVQ DI, R12
	MOVQ CX, R13

sc512_r64:
	CMPQ R13, $64
	JB   sc512_r16
	VMOVUPS   0(R12), Z0
	VMOVUPS   64(R12), Z1
	VMOVUPS   128(R12), Z2
	VMOVUPS   192(R12), Z3
	VMULPS    0(R10), Z0, Z4
	VMULPS    64(R10), Z1, Z5
	VMULPS    128(R10), Z2, Z6
	VMULPS    192(R10), Z3, Z7
	VMOVUPS     Z4, 0(R10)
	VMOVUPS     Z5, 64(R10)
	VMOVUPS     Z6, 128(R10)
	VMOVUPS     Z7, 192(R10)
	ADDQ $256, R10
	ADDQ $256, R12
	SUBQ $64, R13
	JMP  sc512_r64

sc512_r16:
	CMPQ R13, $16
	JB   sc512_rtail
	VMOVUPS   0(R12), Z0
	VMULPS    0(R10), Z0, Z4
	VMOVUPS     Z4, 0(R10)
	ADDQ $64, R10
	ADDQ $64, R12
	SUBQ $16, R13
	JMP  sc512_r16

sc512_rtail:
	TESTQ R13, R13
	JZ    sc512_rnext
	LANEMASK16(R13, AX, K1)
	VMOVUPS.Z   0(R12), K1, Z0
	VMULPS.Z    0(R10), Z0, K1, Z4
	VMOVUPS     Z4, K1, 0(R10)

sc512_rnext:
	ADDQ R8, SI
	DECQ R9
	JNZ  sc512_rowwise
	JMP  sc512_done

sc512_done:
	VZEROUPPER
	RET

// COLMASKS256(n): Y8..Y11 enable the first min(n, 32) columns of a block,
// 8 per register (n > 0). Clobbers AX, BX, DX.
#define COLMASK256(n, k, y) \
	MOVQ    n, AX \
	SUBQ    $(8*k), AX \
	MOVQ    $0, DX \
	CMOVQLT DX, AX \
	MOVQ    $8, DX \
	CMPQ    AX, DX \
	CMOVQGT DX, AX \
	LEAQ    normLanes<>+32(SB), BX \
	SHLQ    $2, AX \
	SUBQ    AX, BX \
	VMOVDQU (BX), y

#define COLMASKS256(n) \
	COLMASK256(n, 0, Y8) \
	COLMASK256(n, 1, Y9) \
	COLMASK256(n, 2, Y10) \
	COLMASK256(n, 3, Y11)

// func colSumSquaresAVX2(acc []float32, x []float32, ld int, rows int)
TEXT ·colSumSquaresAVX2(SB), NOSPLIT, $0-64
	MOVQ acc_base+0(FP), DI
	MOVQ acc_len+8(FP), CX
	MOVQ x_base+24(FP), SI
	MOVQ ld+48(FP), R8
	SHLQ $2, R8
	MOVQ rows+56(FP), R9
	TESTQ R9, R9
	JZ   css256_done

	CMPQ CX, $32
	JA   css256_rowwise

css256_full:
	CMPQ        CX, $32
	JB          css256_part
	VMOVUPS     (DI), Y0
	VMOVUPS     32(DI), Y1
	VMOVUPS     64(DI), Y2
	VMOVUPS     96(DI), Y3
	MOVQ        SI, R10
	MOVQ        R9, R11

css256_full_row:
	VMOVUPS     (R10), Y4
	VMOVUPS     32(R10), Y5
	VMOVUPS     64(R10), Y6
	VMOVUPS     96(R10), Y7
	VFMADD231PS Y4, Y4, Y0
	VFMADD231PS Y5, Y5, Y1
	VFMADD231PS Y6, Y6, Y2
	VFMADD231PS Y7, Y7, Y3
	ADDQ        R8, R10
	DECQ        R11
	JNZ         css256_full_row
	VMOVUPS     Y0, (DI)
	VMOVUPS     Y1, 32(DI)
	VMOVUPS     Y2, 64(DI)
	VMOVUPS     Y3, 96(DI)
	ADDQ        $128, DI
	ADDQ        $128, SI
	SUBQ        $32, CX
	JMP         css256_full

css256_part:
	TESTQ      CX, CX
	JZ         css256_done
	COLMASKS256(CX)
	VMASKMOVPS (DI), Y8, Y0
	VMASKMOVPS 32(DI), Y9, Y1
	VMASKMOVPS 64(DI), Y10, Y2
	VMASKMOVPS 96(DI), Y11, Y3
	MOVQ       SI, R10
	MOVQ       R9, R11

css256_part_row:
	VMASKMOVPS  (R10), Y8, Y4
	VMASKMOVPS  32(R10), Y9, Y5
	VMASKMOVPS  64(R10), Y10, Y6
	VMASKMOVPS  96(R10), Y11, Y7
	VFMADD231PS Y4, Y4, Y0
	VFMADD231PS Y5, Y5, Y1
	VFMADD231PS Y6, Y6, Y2
	VFMADD231PS Y7, Y7, Y3
	ADDQ        R8, R10
	DECQ        R11
	JNZ         css256_part_row
	VMASKMOVPS  Y0, Y8, (DI)
	VMASKMOVPS  Y1, Y9, 32(DI)
	VMASKMOVPS  Y2, Y10, 64(DI)
	VMASKMOVPS  Y3, Y11, 96(DI)

	JMP css256_done

// Wider than one block: rows outer, so that the matrix is read in order.
css256_rowwise:
	MOVQ SI, R10
	MOVQ DI, R12
	MOVQ CX, R13

css256_r32:
	CMPQ R13, $32
	JB   css256_r8
	VMOVUPS     0(R10), Y4
	VMOVUPS     32(R10), Y5
	VMOVUPS     64(R10), Y6
	VMOVUPS     96(R10), Y7
	VMOVUPS     0(R12), Y0
	VMOVUPS     32(R12), Y1
	VMOVUPS     64(R12), Y2
	VMOVUPS     96(R12), Y3
	VFMADD231PS Y4, Y4, Y0
	VFMADD231PS Y5, Y5, Y1
	VFMADD231PS Y6, Y6, Y2
	VFMADD231PS Y7, Y7, Y3
	VMOVUPS     Y0, 0(R12)
	VMOVUPS     Y1, 32(R12)
	VMOVUPS     Y2, 64(R12)
	VMOVUPS     Y3, 96(R12)
	ADDQ $128, R10
	ADDQ $128, R12
	SUBQ $32, R13
	JMP  css256_r32

css256_r8:
	CMPQ R13, $8
	JB   css256_rtail
	VMOVUPS     0(R10), Y4
	VMOVUPS     0(R12), Y0
	VFMADD231PS Y4, Y4, Y0
	VMOVUPS     Y0, 0(R12)
	ADDQ $32, R10
	ADDQ $32, R12
	SUBQ $8, R13
	JMP  css256_r8

css256_rtail:
	TESTQ R13, R13
	JZ    css256_rnext
	VMOVSS      (R10), X4
	VMOVSS      (R12), X0
	VFMADD231SS X4, X4, X0
	VMOVSS      X0, (R12)
	ADDQ  $4, R10
	ADDQ  $4, R12
	DECQ  R13
	JMP   css256_rtail

css256_rnext:
	ADDQ R8, SI
	DECQ R9
	JNZ  css256_rowwise
	JMP  css256_done

css256_done:
	VZEROUPPER
	RET

// func scaleColsAVX2(x []float32, ld int, rows int, f []float32)
TEXT ·scaleColsAVX2(SB), NOSPLIT, $0-64
	MOVQ x_base+0(FP), SI
	MOVQ ld+24(FP), R8
	SHLQ $2, R8
	MOVQ rows+32(FP), R9
	MOVQ f_base+40(FP), DI
	MOVQ f_len+48(FP), CX
	TESTQ R9, R9
	JZ   sc256_done

	CMPQ CX, $32
	JA   sc256_rowwise

sc256_full:
	CMPQ    CX, $32
	JB      sc256_part
	VMOVUPS (DI), Y0
	VMOVUPS 32(DI), Y1
	VMOVUPS 64(DI), Y2
	VMOVUPS 96(DI), Y3
	MOVQ    SI, R10
	MOVQ    R9, R11

sc256_full_row:
	VMULPS  (R10), Y0, Y4
	VMULPS  32(R10), Y1, Y5
	VMULPS  64(R10), Y2, Y6
	VMULPS  96(R10), Y3, Y7
	VMOVUPS Y4, (R10)
	VMOVUPS Y5, 32(R10)
	VMOVUPS Y6, 64(R10)
	VMOVUPS Y7, 96(R10)
	ADDQ    R8, R10
	DECQ    R11
	JNZ     sc256_full_row
	ADDQ    $128, DI
	ADDQ    $128, SI
	SUBQ    $32, CX
	JMP     sc256_full

sc256_part:
	TESTQ      CX, CX
	JZ         sc256_done
	COLMASKS256(CX)
	VMASKMOVPS (DI), Y8, Y0
	VMASKMOVPS 32(DI), Y9, Y1
	VMASKMOVPS 64(DI), Y10, Y2
	VMASKMOVPS 96(DI), Y11, Y3
	MOVQ       SI, R10
	MOVQ       R9, R11

sc256_part_row:
	VMASKMOVPS (R10), Y8, Y4
	VMASKMOVPS 32(R10), Y9, Y5
	VMASKMOVPS 64(R10), Y10, Y6
	VMASKMOVPS 96(R10), Y11, Y7
	VMULPS     Y4, Y0, Y4
	VMULPS     Y5, Y1, Y5
	VMULPS     Y6, Y2, Y6
	VMULPS     Y7, Y3, Y7
	VMASKMOVPS Y4, Y8, (R10)
	VMASKMOVPS Y5, Y9, 32(R10)
	VMASKMOVPS Y6, Y10, 64(R10)
	VMASKMOVPS Y7, Y11, 96(R10)
	ADDQ       R8, R10
	DECQ       R11
	JNZ        sc256_part_row

	JMP sc256_done

// Wider than one block: rows outer, so that the matrix is read in order.
sc256_rowwise:
	MOVQ SI, R10
	MOVQ DI, R12
	MOVQ CX, R13

sc256_r32:
	CMPQ R13, $32
	JB   sc256_r8
	VMOVUPS     0(R12), Y0
	VMOVUPS     32(R12), Y1
	VMOVUPS     64(R12), Y2
	VMOVUPS     96(R12), Y3
	VMULPS      0(R10), Y0, Y4
	VMULPS      32(R10), Y1, Y5
	VMULPS      64(R10), Y2, Y6
	VMULPS      96(R10), Y3, Y7
	VMOVUPS     Y4, 0(R10)
	VMOVUPS     Y5, 32(R10)
	VMOVUPS     Y6, 64(R10)
	VMOVUPS     Y7, 96(R10)
	ADDQ $128, R10
	ADDQ $128, R12
	SUBQ $32, R13
	JMP  sc256_r32

sc256_r8:
	CMPQ R13, $8
	JB   sc256_rtail
	VMOVUPS     0(R12), Y0
	VMULPS      0(R10), Y0, Y4
	VMOVUPS     Y4, 0(R10)
	ADDQ $32, R10
	ADDQ $32, R12
	SUBQ $8, R13
	JMP  sc256_r8

sc256_rtail:
	TESTQ R13, R13
	JZ    sc256_rnext
	VMOVSS      (R12), X0
	VMULSS      (R10), X0, X4
	VMOVSS      X4, (R10)
	ADDQ  $4, R10
	ADDQ  $4, R12
	DECQ  R13
	JMP   sc256_rtail

sc256_rnext:
	ADDQ R8, SI
	DECQ R9
	JNZ  sc256_rowwise
	JMP  sc256_done

sc256_done:
	VZEROUPPER
	RET

// CLIP(v, lo, hi): v = (lo > v ? lo : v), then (hi < v ? hi : v): VMAXPS and
// VMINPS return their second source operand (v) when the comparison is
// false, NaN included, which is the Go loop's behaviour.
#define CLIP(v, lo, hi) \
	VMAXPS v, lo, v \
	VMINPS v, hi, v

// func clipByValueAVX512(x []float32, lo float32, hi float32)
TEXT ·clipByValueAVX512(SB), NOSPLIT, $0-32
	MOVQ         x_base+0(FP), SI
	MOVQ         x_len+8(FP), CX
	VBROADCASTSS lo+24(FP), Z30
	VBROADCASTSS hi+28(FP), Z31

cv512_loop64:
	CMPQ    CX, $64
	JB      cv512_loop16
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	VMOVUPS 128(SI), Z2
	VMOVUPS 192(SI), Z3
	CLIP(Z0, Z30, Z31)
	CLIP(Z1, Z30, Z31)
	CLIP(Z2, Z30, Z31)
	CLIP(Z3, Z30, Z31)
	VMOVUPS Z0, (SI)
	VMOVUPS Z1, 64(SI)
	VMOVUPS Z2, 128(SI)
	VMOVUPS Z3, 192(SI)
	ADDQ    $256, SI
	SUBQ    $64, CX
	JMP     cv512_loop64

cv512_loop16:
	CMPQ    CX, $16
	JB      cv512_tail
	VMOVUPS (SI), Z0
	CLIP(Z0, Z30, Z31)
	VMOVUPS Z0, (SI)
	ADDQ    $64, SI
	SUBQ    $16, CX
	JMP     cv512_loop16

cv512_tail:
	TESTQ     CX, CX
	JZ        cv512_done
	LANEMASK16(CX, AX, K1)
	VMOVUPS.Z (SI), K1, Z0
	CLIP(Z0, Z30, Z31)
	VMOVUPS   Z0, K1, (SI)

cv512_done:
	VZEROUPPER
	RET

// func clipByValueAVX2(x []float32, lo float32, hi float32)
TEXT ·clipByValueAVX2(SB), NOSPLIT, $0-32
	MOVQ         x_base+0(FP), SI
	MOVQ         x_len+8(FP), CX
	VBROADCASTSS lo+24(FP), Y14
	VBROADCASTSS hi+28(FP), Y15

cv256_loop32:
	CMPQ    CX, $32
	JB      cv256_loop8
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	CLIP(Y0, Y14, Y15)
	CLIP(Y1, Y14, Y15)
	CLIP(Y2, Y14, Y15)
	CLIP(Y3, Y14, Y15)
	VMOVUPS Y0, (SI)
	VMOVUPS Y1, 32(SI)
	VMOVUPS Y2, 64(SI)
	VMOVUPS Y3, 96(SI)
	ADDQ    $128, SI
	SUBQ    $32, CX
	JMP     cv256_loop32

cv256_loop8:
	CMPQ    CX, $8
	JB      cv256_tail
	VMOVUPS (SI), Y0
	CLIP(Y0, Y14, Y15)
	VMOVUPS Y0, (SI)
	ADDQ    $32, SI
	SUBQ    $8, CX
	JMP     cv256_loop8

cv256_tail:
	TESTQ  CX, CX
	JZ     cv256_done
	VMOVSS (SI), X0
	VMAXSS X0, X14, X0
	VMINSS X0, X15, X0
	VMOVSS X0, (SI)
	ADDQ   $4, SI
	DECQ   CX
	JMP    cv256_tail

cv256_done:
	VZEROUPPER
	RET

// L1L2(w, ...): g += (l1 ^ (w & sign), zeroed unless w != 0 ordered) +
// l2x2*w, rounding the product and each sum; abs += |w|; sq += w*w.
// AVX-512: the comparison writes a mask register and the xor is zeroing.
#define L1L2_512(off, A, S, W, T, U) \
	VMOVUPS     off(SI), W \
	VCMPPS      $12, Z26, W, K1 \
	VPANDD      Z28, W, T \
	VPXORD.Z    Z30, T, K1, T \
	VMULPS      Z29, W, U \
	VADDPS      U, T, T \
	VADDPS      off(DI), T, T \
	VMOVUPS     T, off(DI) \
	VPANDD      Z27, W, U \
	VADDPS      U, A, A \
	VFMADD231PS W, W, S

// func l1l2GradAVX512(g []float32, w []float32, l1 float32, l2x2 float32) (sumAbs float32, sumSq float32)
TEXT ·l1l2GradAVX512(SB), NOSPLIT, $0-64
	MOVQ         g_base+0(FP), DI
	MOVQ         w_base+24(FP), SI
	MOVQ         w_len+32(FP), CX
	VBROADCASTSS l1+48(FP), Z30
	VBROADCASTSS l2x2+52(FP), Z29
	MOVL         $0x80000000, AX
	VPBROADCASTD AX, Z28
	MOVL         $0x7fffffff, AX
	VPBROADCASTD AX, Z27
	VPXORD       Z26, Z26, Z26
	VPXORD       Z0, Z0, Z0
	VPXORD       Z1, Z1, Z1
	VPXORD       Z2, Z2, Z2
	VPXORD       Z3, Z3, Z3

l12_512_loop32:
	CMPQ CX, $32
	JB   l12_512_loop16
	L1L2_512(0, Z0, Z2, Z4, Z5, Z6)
	L1L2_512(64, Z1, Z3, Z7, Z8, Z9)
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $32, CX
	JMP  l12_512_loop32

l12_512_loop16:
	CMPQ CX, $16
	JB   l12_512_tail
	L1L2_512(0, Z0, Z2, Z4, Z5, Z6)
	ADDQ $64, SI
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  l12_512_loop16

l12_512_tail:
	TESTQ       CX, CX
	JZ          l12_512_reduce
	LANEMASK16(CX, AX, K2)
	VMOVUPS.Z   (SI), K2, Z4
	VCMPPS      $12, Z26, Z4, K2, K1
	VPANDD      Z28, Z4, Z5
	VPXORD.Z    Z30, Z5, K1, Z5
	VMULPS      Z29, Z4, Z6
	VADDPS      Z6, Z5, Z5
	VMOVUPS.Z   (DI), K2, Z6
	VADDPS      Z6, Z5, Z5
	VMOVUPS     Z5, K2, (DI)
	VPANDD      Z27, Z4, Z6
	VADDPS      Z6, Z1, Z1
	VFMADD231PS Z4, Z4, Z3

l12_512_reduce:
	VADDPS Z3, Z2, Z2
	VADDPS Z1, Z0, Z0
	VMOVAPS Z2, Z10
	HSUM512
	VMOVSS X0, sumAbs+56(FP)
	VMOVAPS Z10, Z0
	HSUM512
	VMOVSS X0, sumSq+60(FP)
	VZEROUPPER
	RET

// AVX2 form of L1L2_512 in fewer instructions. The signed l1 comes from
// VPSIGND: with c = +-2.0 (0x40000000 or 0xc0000000, whose int32 negation
// is the float negation), VPSIGND(c, w+0) is c, -c or +0 as w is > 0, < 0
// or +-0 (w+0 turns -0, int32-negative, into +0); times h = |l1|/2 that
// is l1, -l1 or +0 exactly, signed zeros included, when c has l1's sign and
// |l1|/2 is exact, so one FMA (c'*h + l2x2*w) rounds the same sum as the Go
// loop's s + l2x2*w. A NaN w gives a NaN product, so its c' is moot.
// Constants: Y15 h, Y14 l2x2, Y13 c, Y12 abs mask, Y11 zero.
#define L1L2_256(off, A, S, W, T, U) \
	VMOVUPS     off(SI), W \
	VADDPS      Y11, W, T \
	VPSIGND     T, Y13, T \
	VMULPS      Y14, W, U \
	VFMADD132PS Y15, U, T \
	VADDPS      off(DI), T, T \
	VMOVUPS     T, off(DI) \
	VANDPS      Y12, W, U \
	VADDPS      U, A, A \
	VFMADD231PS W, W, S

// func l1l2GradAVX2(g []float32, w []float32, l1 float32, l2x2 float32) (sumAbs float32, sumSq float32)
TEXT ·l1l2GradAVX2(SB), NOSPLIT, $0-64
	MOVQ         g_base+0(FP), DI
	MOVQ         w_base+24(FP), SI
	MOVQ         w_len+32(FP), CX
	VBROADCASTSS l2x2+52(FP), Y14

	// VMOVD, not MOVQ AX, X12: MOVQ is a legacy-SSE instruction, and one
	// of those among the AVX ones cost about 350 ns a call on the
	// benchmark machine (more than the whole loop at n = 4096).
	MOVL         $0x7fffffff, AX
	VMOVD        AX, X12
	VPBROADCASTD X12, Y12
	VXORPS       Y11, Y11, Y11
	VXORPS       Y0, Y0, Y0
	VXORPS       Y1, Y1, Y1
	VXORPS       Y2, Y2, Y2
	VXORPS       Y3, Y3, Y3
	VXORPS       Y7, Y7, Y7
	VXORPS       Y8, Y8, Y8
	VXORPS       Y9, Y9, Y9
	VXORPS       Y10, Y10, Y10

	// An l1 that is Inf, NaN or an odd float below 2^-125 (|l1|/2 not
	// exact) leaves every element to the scalar loop.
	MOVL  l1+48(FP), AX
	MOVL  AX, BX
	ANDL  $0x7fffffff, BX
	CMPL  BX, $0x7f800000
	JAE   l12_256_reduce
	CMPL  BX, $0x01000000
	JAE   l12_256_consts
	TESTL $1, BX
	JNZ   l12_256_reduce

l12_256_consts:
	MOVL         $0x3f000000, DX
	VMOVD        DX, X15
	VMOVD        BX, X13
	VMULSS       X15, X13, X13
	VBROADCASTSS X13, Y15
	ANDL         $0x80000000, AX
	ORL          $0x40000000, AX
	VMOVD        AX, X13
	VPBROADCASTD X13, Y13

	// Four copies share the temporaries Y4-Y6 (renamed by the CPU) and
	// have accumulators of their own, Y0-Y3 and Y7-Y10. CX counts the
	// elements after this block of 32.
	SUBQ $32, CX
	JB   l12_256_loop32_end

l12_256_loop32:
	L1L2_256(0, Y0, Y7, Y4, Y5, Y6)
	L1L2_256(32, Y1, Y8, Y4, Y5, Y6)
	L1L2_256(64, Y2, Y9, Y4, Y5, Y6)
	L1L2_256(96, Y3, Y10, Y4, Y5, Y6)
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $32, CX
	JAE  l12_256_loop32

l12_256_loop32_end:
	ADDQ $32, CX

l12_256_loop8:
	CMPQ CX, $8
	JB   l12_256_reduce
	L1L2_256(0, Y0, Y7, Y4, Y5, Y6)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  l12_256_loop8

l12_256_reduce:
	VADDPS  Y1, Y0, Y0
	VADDPS  Y3, Y2, Y2
	VADDPS  Y2, Y0, Y0
	VADDPS  Y8, Y7, Y7
	VADDPS  Y10, Y9, Y9
	VADDPS  Y9, Y7, Y7
	VMOVAPS Y7, Y10
	HSUM256
	VMOVAPS X0, X9
	VMOVAPS Y10, Y0
	HSUM256
	VMOVAPS X0, X10
	VMOVAPS X9, X0

	// X0 = sum |w|, X10 = sum w*w. The scalar loop's constants: X15 l1,
	// X13 sign bit.
	VMOVSS l1+48(FP), X15
	MOVL   $0x80000000, AX
	VMOVD  AX, X13

l12_256_tail:
	TESTQ       CX, CX
	JZ          l12_256_done
	VMOVSS      (SI), X4
	VCMPSS      $12, X11, X4, X6
	VANDPS      X13, X4, X5
	VXORPS      X15, X5, X5
	VANDPS      X6, X5, X5
	VMULSS      X14, X4, X6
	VADDSS      X6, X5, X5
	VADDSS      (DI), X5, X5
	VMOVSS      X5, (DI)
	VANDPS      X12, X4, X6
	VADDSS      X6, X0, X0
	VFMADD231SS X4, X4, X10
	ADDQ        $4, SI
	ADDQ        $4, DI
	DECQ        CX
	JMP         l12_256_tail

l12_256_done:
	VMOVSS X0, sumAbs+56(FP)
	VMOVSS X10, sumSq+60(FP)
	VZEROUPPER
	RET

// MNF(v, c): v = maxNormFactor(sqrt(v), max) with max in the register mx
// and float32(1e-7) in eps: c = (max < n ? max : n), NaN n kept as
// maxNormFactor does; then c/(eps+n). Every step is correctly rounded.
#define MNF(v, c, mx, eps) \
	VSQRTPS v, v \
	VMINPS  v, mx, c \
	VADDPS  eps, v, v \
	VDIVPS  v, c, v

// func sqrtsAVX512(x []float32)
TEXT ·sqrtsAVX512(SB), NOSPLIT, $0-24
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX

sq512_loop16:
	CMPQ    CX, $16
	JB      sq512_tail
	VSQRTPS (SI), Z0
	VMOVUPS Z0, (SI)
	ADDQ    $64, SI
	SUBQ    $16, CX
	JMP     sq512_loop16

sq512_tail:
	TESTQ     CX, CX
	JZ        sq512_done
	LANEMASK16(CX, AX, K1)
	VMOVUPS.Z (SI), K1, Z0
	VSQRTPS   Z0, Z0
	VMOVUPS   Z0, K1, (SI)

sq512_done:
	VZEROUPPER
	RET

// func maxNormFactorsAVX512(s []float32, maxValue float32)
TEXT ·maxNormFactorsAVX512(SB), NOSPLIT, $0-28
	MOVQ         s_base+0(FP), SI
	MOVQ         s_len+8(FP), CX
	VBROADCASTSS maxValue+24(FP), Z31
	MOVL         $0x33d6bf95, AX // float32(1e-7)
	VPBROADCASTD AX, Z30

mf512_loop16:
	CMPQ    CX, $16
	JB      mf512_tail
	VMOVUPS (SI), Z0
	MNF(Z0, Z1, Z31, Z30)
	VMOVUPS Z0, (SI)
	ADDQ    $64, SI
	SUBQ    $16, CX
	JMP     mf512_loop16

mf512_tail:
	TESTQ     CX, CX
	JZ        mf512_done
	LANEMASK16(CX, AX, K1)
	VMOVUPS.Z (SI), K1, Z0
	MNF(Z0, Z1, Z31, Z30)
	VMOVUPS   Z0, K1, (SI)

mf512_done:
	VZEROUPPER
	RET

// func sqrtsAVX2(x []float32)
TEXT ·sqrtsAVX2(SB), NOSPLIT, $0-24
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX

sq256_loop8:
	CMPQ    CX, $8
	JB      sq256_tail
	VSQRTPS (SI), Y0
	VMOVUPS Y0, (SI)
	ADDQ    $32, SI
	SUBQ    $8, CX
	JMP     sq256_loop8

sq256_tail:
	TESTQ   CX, CX
	JZ      sq256_done
	VMOVSS  (SI), X0
	VSQRTSS X0, X0, X0
	VMOVSS  X0, (SI)
	ADDQ    $4, SI
	DECQ    CX
	JMP     sq256_tail

sq256_done:
	VZEROUPPER
	RET

// func maxNormFactorsAVX2(s []float32, maxValue float32)
TEXT ·maxNormFactorsAVX2(SB), NOSPLIT, $0-28
	MOVQ         s_base+0(FP), SI
	MOVQ         s_len+8(FP), CX
	VBROADCASTSS maxValue+24(FP), Y15
	MOVL         $0x33d6bf95, AX // float32(1e-7)
	VMOVD        AX, X14
	VPBROADCASTD X14, Y14

mf256_loop8:
	CMPQ    CX, $8
	JB      mf256_tail
	VMOVUPS (SI), Y0
	MNF(Y0, Y1, Y15, Y14)
	VMOVUPS Y0, (SI)
	ADDQ    $32, SI
	SUBQ    $8, CX
	JMP     mf256_loop8

mf256_tail:
	TESTQ   CX, CX
	JZ      mf256_done
	VMOVSS  (SI), X0
	VSQRTSS X0, X0, X0
	VMINSS  X0, X15, X1
	VADDSS  X14, X0, X0
	VDIVSS  X0, X1, X0
	VMOVSS  X0, (SI)
	ADDQ    $4, SI
	DECQ    CX
	JMP     mf256_tail

mf256_done:
	VZEROUPPER
	RET
