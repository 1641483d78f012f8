//go:build !purego

#include "textflag.h"
#include "vec_amd64.h"

// Bodies of the optimizer updates, one vector per stream (see
// vec_amd64.h); the last arguments name the registers, so that one body
// serves both widths. Streams: DI = w, SI = g, DX = m, R8 = v. The order of
// the operations is the Go loop's, with products fused into the adds.
//
// DECAY forms the gradient from g in G: NOL2 leaves it, L2G adds
// l2x2*w (fused), loading w into the temp W, which the body loads again at
// its end (from L1). Each kernel runs the NOL2 loop when l2x2 is ±0 and
// the L2G loop otherwise, so that no 0*w term can turn an infinite weight
// into NaN.
#define NOL2(off, LD, L2, G, W)
#define L2G(off, LD, L2, G, W) \
	LD(off(DI)(BX*1), W); \
	VFMADD231PS W, L2, G

// RUN512 and RUN256 run body B over the elements, or BL2 when the
// broadcast l2x2 in Z14 / Y14 is not ±0 (its sign shifted out), and
// return.
#define RUN512(B, BL2) \
	VMOVD X14, AX; \
	SHLL  $1, AX; \
	JNZ   l2; \
	EW512(X4_512(B), B(0, LDK, STK)); \
	VZEROUPPER; \
	RET; \
l2: \
	EW512AT(X4_512(BL2), BL2(0, LDK, STK), l2_loop, l2_tail, l2_full, l2_done); \
	VZEROUPPER; \
	RET
#define RUN256(B, BL2) \
	VMOVD X14, AX; \
	SHLL  $1, AX; \
	JNZ   l2; \
	EW256(X4_256(B), B(0, LDU, STU), B(0, LDM, STM)); \
	VZEROUPPER; \
	RET; \
l2: \
	EW256AT(X4_256(BL2), BL2(0, LDU, STU), BL2(0, LDM, STM), l2_loop, l2_tail, l2_last, l2_part, l2_done); \
	VZEROUPPER; \
	RET

// m = momentum*m - lr*g; w += m (nesterov: w += momentum*m - lr*g).
#define SGD(DECAY, NESTEROV, off, LD, ST, LR, MOM, L2, G, T, W) \
	LD(off(SI)(BX*1), G); \
	DECAY(off, LD, L2, G, W); \
	VMULPS G, LR, G; \
	LD(off(DX)(BX*1), T); \
	VFMSUB213PS G, MOM, T; \
	ST(T, off(DX)(BX*1)); \
	NESTEROV(G, MOM, T); \
	LD(off(DI)(BX*1), W); \
	VADDPS T, W, W; \
	ST(W, off(DI)(BX*1))
#define PLAIN(G, MOM, T)
#define NEST(G, MOM, T) VFMSUB213PS G, MOM, T

// m = beta1*m + c1*g; v = beta2*v + c2*g*g, leaving m in T and v in W.
#define MOMENTS(DECAY, off, LD, ST, B1, C1, B2, C2, L2, G, T, U, W) \
	LD(off(SI)(BX*1), G); \
	DECAY(off, LD, L2, G, W); \
	LD(off(DX)(BX*1), T); \
	VMULPS G, C1, U; \
	VFMADD213PS U, B1, T; \
	ST(T, off(DX)(BX*1)); \
	LD(off(R8)(BX*1), W); \
	VMULPS G, C2, U; \
	VMULPS G, U, U; \
	VFMADD213PS U, B2, W; \
	ST(W, off(R8)(BX*1))

// w -= T (the update).
#define SUBW(off, LD, ST, T, W) \
	LD(off(DI)(BX*1), W); \
	VSUBPS T, W, W; \
	ST(W, off(DI)(BX*1))

// DIV256 sets T = T/W as T*(1/W), like DIV512 with VRCPPS's estimate r
// (relative error < 1.5*2^-12) and one Newton-Raphson step r += r*e,
// e = 1-W*r, so the quotient is within about 3 ulp of T/W. Lanes where
// e*e < 1 fails (e NaN or infinite: W is ±0 or ±Inf, or denormal, which
// VRCPPS takes as ±0) keep r: ±Inf for ±0 and ±0 for ±Inf, exact; a
// denormal W (only when eps is) gives T*(±Inf). VRCPPS also flushes the
// reciprocal of |W| >= 2^126 to 0, which W cannot reach unless eps does
// (sqrt bounds it to 2^64). Y13 holds 1.0; G and W are clobbered.
#define DIV256(T, W, U, G) \
	VRCPPS W, U; \
	VFNMADD213PS Y13, U, W; \
	VMULPS W, W, G; \
	VCMPPS $0x11, Y13, G, G; \
	VFMADD213PS U, U, W; \
	VANDPS G, W, W; \
	VANDNPS U, G, G; \
	VORPS G, W, U; \
	VMULPS U, T, T

// DIV512 sets T = T/W as T*(1/W), replacing VDIVPS, whose throughput (with
// VSQRTPS) bounds the AVX-512 updates. 1/W is VRCP14PS's estimate r
// (relative error < 2^-14) refined by one Newton-Raphson step
// r += r*(1-W*r), to within about 1 ulp, so the quotient is within about
// 2 ulp of T/W. Where W is ±0, ±Inf or denormal the step would produce NaN
// (0*Inf) or overflow, so those lanes keep r as it is: ±Inf for ±0 and ±0
// for ±Inf, which are exact and give T/W's infinities and NaNs; a denormal
// W (only when eps is denormal) keeps the 2^-14 estimate. NaN W gives
// NaN. Z13 holds 1.0; K2 and W are clobbered, U receives 1/W.
#define DIV512(T, W, U, G) \
	VRCP14PS W, U; \
	VFPCLASSPSZ $0x3e, W, K2; \
	KNOTW K2, K2; \
	VFNMADD213PS Z13, U, W; \
	VFMADD231PS W, U, K2, U; \
	VMULPS U, T, T

// Adam: w -= alphaT*m / (sqrt(v)+eps).
#define ADAM(DIV, DECAY, off, LD, ST, B1, C1, B2, C2, EPS, AT, L2, G, T, U, W) \
	MOMENTS(DECAY, off, LD, ST, B1, C1, B2, C2, L2, G, T, U, W); \
	VSQRTPS W, W; \
	VADDPS EPS, W, W; \
	VMULPS T, AT, T; \
	DIV(T, W, U, G); \
	SUBW(off, LD, ST, T, W)

// Nadam: w -= lr*(cm*m + cg*g) / (sqrt(cv*v)+eps).
#define NADAM(DIV, DECAY, off, LD, ST, B1, C1, B2, C2, EPS, LR, CM, CG, CV, L2, G, T, U, W) \
	MOMENTS(DECAY, off, LD, ST, B1, C1, B2, C2, L2, G, T, U, W); \
	VMULPS W, CV, W; \
	VSQRTPS W, W; \
	VADDPS EPS, W, W; \
	VMULPS T, CM, T; \
	VFMADD231PS G, CG, T; \
	VMULPS T, LR, T; \
	DIV(T, W, U, G); \
	SUBW(off, LD, ST, T, W)

// RMSprop: v = rho*v + c*g*g; w -= lr*g / sqrt(v+eps).
#define RMSPROP(DIV, DECAY, off, LD, ST, RHO, C, EPS, LR, L2, G, T, U, W) \
	LD(off(SI)(BX*1), G); \
	DECAY(off, LD, L2, G, W); \
	LD(off(R8)(BX*1), W); \
	VMULPS G, C, U; \
	VMULPS G, U, U; \
	VFMADD213PS U, RHO, W; \
	ST(W, off(R8)(BX*1)); \
	VADDPS EPS, W, W; \
	VSQRTPS W, W; \
	VMULPS G, LR, T; \
	DIV(T, W, U, G); \
	SUBW(off, LD, ST, T, W)

#define SGDM512(off, LD, ST) SGD(NOL2, PLAIN, off, LD, ST, Z4, Z5, Z14, Z0, Z1, Z2)
#define SGDM512L2(off, LD, ST) SGD(L2G, PLAIN, off, LD, ST, Z4, Z5, Z14, Z0, Z1, Z2)
#define SGDM256(off, LD, ST) SGD(NOL2, PLAIN, off, LD, ST, Y4, Y5, Y14, Y0, Y1, Y2)
#define SGDM256L2(off, LD, ST) SGD(L2G, PLAIN, off, LD, ST, Y4, Y5, Y14, Y0, Y1, Y2)
#define SGDN512(off, LD, ST) SGD(NOL2, NEST, off, LD, ST, Z4, Z5, Z14, Z0, Z1, Z2)
#define SGDN512L2(off, LD, ST) SGD(L2G, NEST, off, LD, ST, Z4, Z5, Z14, Z0, Z1, Z2)
#define SGDN256(off, LD, ST) SGD(NOL2, NEST, off, LD, ST, Y4, Y5, Y14, Y0, Y1, Y2)
#define SGDN256L2(off, LD, ST) SGD(L2G, NEST, off, LD, ST, Y4, Y5, Y14, Y0, Y1, Y2)
#define ADAM512(off, LD, ST) ADAM(DIV512, NOL2, off, LD, ST, Z4, Z5, Z6, Z7, Z8, Z9, Z14, Z0, Z1, Z2, Z3)
#define ADAM512L2(off, LD, ST) ADAM(DIV512, L2G, off, LD, ST, Z4, Z5, Z6, Z7, Z8, Z9, Z14, Z0, Z1, Z2, Z3)
#define ADAM256(off, LD, ST) ADAM(DIV256, NOL2, off, LD, ST, Y4, Y5, Y6, Y7, Y8, Y9, Y14, Y0, Y1, Y2, Y3)
#define ADAM256L2(off, LD, ST) ADAM(DIV256, L2G, off, LD, ST, Y4, Y5, Y6, Y7, Y8, Y9, Y14, Y0, Y1, Y2, Y3)
#define NADAM512(off, LD, ST) NADAM(DIV512, NOL2, off, LD, ST, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z14, Z0, Z1, Z2, Z3)
#define NADAM512L2(off, LD, ST) NADAM(DIV512, L2G, off, LD, ST, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z14, Z0, Z1, Z2, Z3)
#define NADAM256(off, LD, ST) NADAM(DIV256, NOL2, off, LD, ST, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11, Y12, Y14, Y0, Y1, Y2, Y3)
#define NADAM256L2(off, LD, ST) NADAM(DIV256, L2G, off, LD, ST, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11, Y12, Y14, Y0, Y1, Y2, Y3)
#define RMSPROP512(off, LD, ST) RMSPROP(DIV512, NOL2, off, LD, ST, Z4, Z5, Z6, Z7, Z14, Z0, Z1, Z2, Z3)
#define RMSPROP512L2(off, LD, ST) RMSPROP(DIV512, L2G, off, LD, ST, Z4, Z5, Z6, Z7, Z14, Z0, Z1, Z2, Z3)
#define RMSPROP256(off, LD, ST) RMSPROP(DIV256, NOL2, off, LD, ST, Y4, Y5, Y6, Y7, Y14, Y0, Y1, Y2, Y3)
#define RMSPROP256L2(off, LD, ST) RMSPROP(DIV256, L2G, off, LD, ST, Y4, Y5, Y6, Y7, Y14, Y0, Y1, Y2, Y3)

// func sgdMomentumAVX512(w, g, m []float32, lr, momentum, l2x2 float32)
TEXT ·sgdMomentumAVX512(SB), NOSPLIT, $0-84
	MOVQ w_base+0(FP), DI
	MOVQ w_len+8(FP), CX
	MOVQ g_base+24(FP), SI
	MOVQ m_base+48(FP), DX
	VBROADCASTSS lr+72(FP), Z4
	VBROADCASTSS momentum+76(FP), Z5
	VBROADCASTSS l2x2+80(FP), Z14
	RUN512(SGDM512, SGDM512L2)

// func sgdMomentumAVX2(w, g, m []float32, lr, momentum, l2x2 float32)
TEXT ·sgdMomentumAVX2(SB), NOSPLIT, $0-84
	MOVQ w_base+0(FP), DI
	MOVQ w_len+8(FP), CX
	MOVQ g_base+24(FP), SI
	MOVQ m_base+48(FP), DX
	VBROADCASTSS lr+72(FP), Y4
	VBROADCASTSS momentum+76(FP), Y5
	VBROADCASTSS l2x2+80(FP), Y14
	RUN256(SGDM256, SGDM256L2)

// func sgdNesterovAVX512(w, g, m []float32, lr, momentum, l2x2 float32)
TEXT ·sgdNesterovAVX512(SB), NOSPLIT, $0-84
	MOVQ w_base+0(FP), DI
	MOVQ w_len+8(FP), CX
	MOVQ g_base+24(FP), SI
	MOVQ m_base+48(FP), DX
	VBROADCASTSS lr+72(FP), Z4
	VBROADCASTSS momentum+76(FP), Z5
	VBROADCASTSS l2x2+80(FP), Z14
	RUN512(SGDN512, SGDN512L2)

// func sgdNesterovAVX2(w, g, m []float32, lr, momentum, l2x2 float32)
TEXT ·sgdNesterovAVX2(SB), NOSPLIT, $0-84
	MOVQ w_base+0(FP), DI
	MOVQ w_len+8(FP), CX
	MOVQ g_base+24(FP), SI
	MOVQ m_base+48(FP), DX
	VBROADCASTSS lr+72(FP), Y4
	VBROADCASTSS momentum+76(FP), Y5
	VBROADCASTSS l2x2+80(FP), Y14
	RUN256(SGDN256, SGDN256L2)

// func adamAVX512(w, g, m, v []float32, alphaT, beta1, c1, beta2, c2, eps, l2x2 float32)
TEXT ·adamAVX512(SB), NOSPLIT, $0-124
	MOVQ w_base+0(FP), DI
	MOVQ w_len+8(FP), CX
	MOVQ g_base+24(FP), SI
	MOVQ m_base+48(FP), DX
	MOVQ v_base+72(FP), R8
	VBROADCASTSS alphaT+96(FP), Z9
	VBROADCASTSS beta1+100(FP), Z4
	VBROADCASTSS c1+104(FP), Z5
	VBROADCASTSS beta2+108(FP), Z6
	VBROADCASTSS c2+112(FP), Z7
	VBROADCASTSS eps+116(FP), Z8
	MOVL $0x3f800000, AX
	VPBROADCASTD AX, Z13
	VBROADCASTSS l2x2+120(FP), Z14
	RUN512(ADAM512, ADAM512L2)

// func adamAVX2(w, g, m, v []float32, alphaT, beta1, c1, beta2, c2, eps, l2x2 float32)
TEXT ·adamAVX2(SB), NOSPLIT, $0-124
	MOVQ w_base+0(FP), DI
	MOVQ w_len+8(FP), CX
	MOVQ g_base+24(FP), SI
	MOVQ m_base+48(FP), DX
	MOVQ v_base+72(FP), R8
	VBROADCASTSS alphaT+96(FP), Y9
	VBROADCASTSS beta1+100(FP), Y4
	VBROADCASTSS c1+104(FP), Y5
	VBROADCASTSS beta2+108(FP), Y6
	VBROADCASTSS c2+112(FP), Y7
	VBROADCASTSS eps+116(FP), Y8
	MOVL $0x3f800000, AX
	VMOVD AX, X13
	VBROADCASTSS X13, Y13
	VBROADCASTSS l2x2+120(FP), Y14
	RUN256(ADAM256, ADAM256L2)

// func nadamAVX512(w, g, m, v []float32, lr, beta1, c1, beta2, c2, eps, cm, cg, cv, l2x2 float32)
TEXT ·nadamAVX512(SB), NOSPLIT, $0-136
	MOVQ w_base+0(FP), DI
	MOVQ w_len+8(FP), CX
	MOVQ g_base+24(FP), SI
	MOVQ m_base+48(FP), DX
	MOVQ v_base+72(FP), R8
	VBROADCASTSS lr+96(FP), Z9
	VBROADCASTSS beta1+100(FP), Z4
	VBROADCASTSS c1+104(FP), Z5
	VBROADCASTSS beta2+108(FP), Z6
	VBROADCASTSS c2+112(FP), Z7
	VBROADCASTSS eps+116(FP), Z8
	VBROADCASTSS cm+120(FP), Z10
	VBROADCASTSS cg+124(FP), Z11
	VBROADCASTSS cv+128(FP), Z12
	MOVL $0x3f800000, AX
	VPBROADCASTD AX, Z13
	VBROADCASTSS l2x2+132(FP), Z14
	RUN512(NADAM512, NADAM512L2)

// func nadamAVX2(w, g, m, v []float32, lr, beta1, c1, beta2, c2, eps, cm, cg, cv, l2x2 float32)
TEXT ·nadamAVX2(SB), NOSPLIT, $0-136
	MOVQ w_base+0(FP), DI
	MOVQ w_len+8(FP), CX
	MOVQ g_base+24(FP), SI
	MOVQ m_base+48(FP), DX
	MOVQ v_base+72(FP), R8
	VBROADCASTSS lr+96(FP), Y9
	VBROADCASTSS beta1+100(FP), Y4
	VBROADCASTSS c1+104(FP), Y5
	VBROADCASTSS beta2+108(FP), Y6
	VBROADCASTSS c2+112(FP), Y7
	VBROADCASTSS eps+116(FP), Y8
	VBROADCASTSS cm+120(FP), Y10
	VBROADCASTSS cg+124(FP), Y11
	VBROADCASTSS cv+128(FP), Y12
	MOVL $0x3f800000, AX
	VMOVD AX, X13
	VBROADCASTSS X13, Y13
	VBROADCASTSS l2x2+132(FP), Y14
	RUN256(NADAM256, NADAM256L2)

// func rmspropAVX512(w, g, v []float32, lr, rho, c, eps, l2x2 float32)
TEXT ·rmspropAVX512(SB), NOSPLIT, $0-92
	MOVQ w_base+0(FP), DI
	MOVQ w_len+8(FP), CX
	MOVQ g_base+24(FP), SI
	MOVQ v_base+48(FP), R8
	VBROADCASTSS lr+72(FP), Z7
	VBROADCASTSS rho+76(FP), Z4
	VBROADCASTSS c+80(FP), Z5
	VBROADCASTSS eps+84(FP), Z6
	MOVL $0x3f800000, AX
	VPBROADCASTD AX, Z13
	VBROADCASTSS l2x2+88(FP), Z14
	RUN512(RMSPROP512, RMSPROP512L2)

// func rmspropAVX2(w, g, v []float32, lr, rho, c, eps, l2x2 float32)
TEXT ·rmspropAVX2(SB), NOSPLIT, $0-92
	MOVQ w_base+0(FP), DI
	MOVQ w_len+8(FP), CX
	MOVQ g_base+24(FP), SI
	MOVQ v_base+48(FP), R8
	VBROADCASTSS lr+72(FP), Y7
	VBROADCASTSS rho+76(FP), Y4
	VBROADCASTSS c+80(FP), Y5
	VBROADCASTSS eps+84(FP), Y6
	MOVL $0x3f800000, AX
	VMOVD AX, X13
	VBROADCASTSS X13, Y13
	VBROADCASTSS l2x2+88(FP), Y14
	RUN256(RMSPROP256, RMSPROP256L2)
