//go:build !purego

#include "textflag.h"

// func nonzeroStepsAVX512(dst []float32, ldd int, off []int32, a []float32, lda, rows, k, rsb int) int
//
// Gemm.NonzeroSteps, 16 steps at a time: the rows' nonzero lanes (|x| has
// a bit set: ±0 is zero, NaN is not) are ORed into K1, each row's kept
// lanes are compressed and stored (K4: the first popcount(K1) lanes), and
// so are the kept steps' offsets p*rsb. Z0-Z3 and Z13-Z15 only, so that
// VZEROUPPER leaves no wide state.
TEXT ·nonzeroStepsAVX512(SB), NOSPLIT, $0-120
	MOVQ  dst_base+0(FP), DI
	MOVQ  ldd+24(FP), R9
	SHLQ  $2, R9
	MOVQ  off_base+32(FP), R10
	MOVQ  a_base+56(FP), SI
	MOVQ  lda+80(FP), R8
	SHLQ  $2, R8
	MOVQ  rows+88(FP), R11
	MOVQ  k+96(FP), CX
	MOVL  $0x7fffffff, AX
	VPBROADCASTD AX, Z15
	MOVQ  rsb+104(FP), AX
	VPBROADCASTD AX, Z14
	MOVQ  $0x0706050403020100, AX
	VMOVQ AX, X0
	MOVQ  $0x0f0e0d0c0b0a0908, AX
	VPINSRQ $1, AX, X0, X0
	VPMOVZXBD X0, Z13 // 0, 1, ..., 15
	XORQ  DX, DX      // steps kept
	XORQ  BX, BX      // step p

ns_chunk:
	CMPQ BX, CX
	JGE  ns_done
	MOVQ CX, AX
	SUBQ BX, AX
	MOVL $0xffff, R12
	CMPQ AX, $16
	JGE  ns_full
	BZHIL AX, R12, R12
ns_full:
	KMOVW R12, K3
	KXORW K1, K1, K1
	LEAQ (SI)(BX*4), R12
	MOVQ R11, R13

ns_test:
	VMOVUPS.Z (R12), K3, Z0
	VPTESTMD  Z15, Z0, K2
	KORW      K2, K1, K1
	ADDQ      R8, R12
	DECQ      R13
	JNZ       ns_test

	KMOVW   K1, AX
	POPCNTL AX, R14
	JZ      ns_next
	MOVL    $0xffff, AX
	BZHIL   R14, AX, AX
	KMOVW   AX, K4
	LEAQ    (SI)(BX*4), R12
	LEAQ    (DI)(DX*4), R13
	MOVQ    R11, AX

ns_copy:
	VMOVUPS.Z   (R12), K3, Z0
	VCOMPRESSPS Z0, K1, Z1
	VMOVUPS     Z1, K4, (R13)
	ADDQ        R8, R12
	ADDQ        R9, R13
	DECQ        AX
	JNZ         ns_copy

	VPBROADCASTD BX, Z2
	VPADDD       Z13, Z2, Z2
	VPMULLD      Z14, Z2, Z2
	VPCOMPRESSD  Z2, K1, Z3
	VMOVDQU32    Z3, K4, (R10)(DX*4)
	ADDQ         R14, DX

ns_next:
	ADDQ $16, BX
	JMP  ns_chunk

ns_done:
	MOVQ DX, ret+112(FP)
	VZEROUPPER
	RET
