#!/usr/bin/env python3
# neon.py writes asm/gemv_arm64.s, the NEON gemv kernels (see gemv.go):
#     A64ENC=/path/to/a64enc python3 -B asm/_gen/gemv/neon.py > asm/gemv_arm64.s
# Lines starting with @ are GNU
# syntax, encoded by a64enc into WORD lines.
import subprocess, sys
import os
A64ENC = os.environ.get('A64ENC', 'a64enc')

out = []
def L(s=''): out.append(s)
def I(s): out.append('\t' + s)
def E(s): out.append('@' + s)

def zero(regs):
    for r in regs:
        I(f'VEOR V{r}.B16, V{r}.B16, V{r}.B16')

def vlist(base, n):
    return '[' + ', '.join(f'V{base+i}.S4' for i in range(n)) + ']'

# ---------------------------------------------------------------- gemvT
def t_kernel(p, groups):
    """groups: list of (ptr reg, dst reg, nregs); accumulators from V16 on,
    one per vector; row data in two banks (V0.. and V8..) alternately."""
    nacc = sum(g[2] for g in groups)
    accs = list(range(16, 16 + nacc))
    zero(accs)
    I('MOVD R4, R12')
    I('MOVD R5, R13')
    def row(bank, xsel):
        d = bank
        a = 16
        for (ptr, _, n) in groups:
            I(f'VLD1.P (R{ptr})(R3), {vlist(d, n)}')
            d += n
        d = bank
        for (ptr, _, n) in groups:
            for k in range(n):
                if xsel is None:
                    E(f'fmla v{a}.4s, v{d}.4s, v24.4s')
                else:
                    E(f'fmla v{a}.4s, v{d}.4s, v24.s[{xsel}]')
                a += 1; d += 1
    # Banks: data for one row takes nacc registers; alternate two banks.
    banks = [0, 8] if nacc <= 8 else None
    assert banks
    if nacc <= 4:
        banks = [0, 4, 8, 12]
    L()
    L(f'{p}4:')
    I('CMP $4, R13')
    I(f'BLT {p}1')
    I('VLD1.P 16(R12), [V24.S4]')
    for r in range(4):
        row(banks[r % len(banks)], r)
    I('SUB $4, R13, R13')
    I(f'B {p}4')
    L()
    L(f'{p}1:')
    I(f'CBZ R13, {p}st')
    I('VLD1R.P 4(R12), [V24.S4]')
    row(0, None)
    I('SUB $1, R13, R13')
    I(f'B {p}1')
    L()
    L(f'{p}st:')
    a = 16
    for (_, dreg, n) in groups:
        I(f'VST1 {vlist(a, n)}, (R{dreg})')
        a += n

L('''// Hand-written; the WORD lines carry their mnemonics (encoded with
// ../shared/tools/a64enc).

//go:build !purego

#include "textflag.h"

// GemvT (dst = x * A, A with len(x) rows of len(dst) columns) walks A by
// blocks of columns and, inside a block, down the rows, with one
// accumulator per column that takes the products of the rows in order,
// fused (fmla, four rows at a time by element of a vector of x, then one
// row at a time with x broadcast): every column gets the same sequential
// chain of fused multiply-adds, whichever lane or block computes it. A block
// that would run past the last column is moved back to end at it: it
// recomputes some columns of the previous block, bit for bit, and stores
// them again. From 16 columns on, blocks of 32 columns (two halves of 16,
// each with its own pointer, 8 accumulators); the last block is
// [len-32, len), or [0, 16) and [len-16, len) under 32 columns. For 8..15
// columns, the halves [0, 8) and [len-8, len); for 4..7, [0, 4) and
// [len-4, len); for 1..3, scalars (column pointers clamped to the last
// column). Every row of a block is read once: row data alternates between
// V0-V7 and V8-V15, x sits in V24, the accumulators in V16-V23.
//
// R0 dst, R1 columns, R2 a, R3 row stride in bytes, R4 x, R5 rows,
// R7 block start (columns), R8/R9 the two halves' first columns,
// R10/R11 their pointers into the current row, R12 x pointer,
// R13 rows left, R14/R15 the halves' dst pointers.

// func gemvTNEON(dst, a []float32, lda int, x []float32)
TEXT ·gemvTNEON(SB), NOSPLIT, $0-80
	MOVD dst_base+0(FP), R0
	MOVD dst_len+8(FP), R1
	MOVD a_base+24(FP), R2
	MOVD lda+48(FP), R3
	MOVD x_base+56(FP), R4
	MOVD x_len+64(FP), R5
	LSL $2, R3, R3
	CBZ R1, tdone
	CMP $16, R1
	BLT t8
	MOVD ZR, R7

tAblk:
	ADD $32, R7, R10
	CMP R1, R10
	BGT tAlast
	MOVD R7, R8
	ADD $16, R7, R9
	B tAgo

tAlast:
	// Last block: [len-32, len) or, under 32 columns, [0, 16) and [len-16, len).
	SUB $16, R1, R9
	SUBS $32, R1, R8
	CSEL LT, ZR, R8, R8
	MOVD R1, R7

tAgo:
	ADD R8<<2, R2, R10
	ADD R9<<2, R2, R11
	ADD R8<<2, R0, R14
	ADD R9<<2, R0, R15''')
t_kernel('tA', [(10, 14, 4), (11, 15, 4)])
L('''	ADD $32, R7, R7
	CMP R1, R7
	BLT tAblk
	RET

t8:
	// 8..15 columns: [0, 8) and [len-8, len).
	CMP $8, R1
	BLT t4
	SUB $8, R1, R9
	MOVD R2, R10
	ADD R9<<2, R2, R11
	MOVD R0, R14
	ADD R9<<2, R0, R15''')
t_kernel('tB', [(10, 14, 2), (11, 15, 2)])
L('''	RET

t4:
	// 4..7 columns: [0, 4) and [len-4, len).
	CMP $4, R1
	BLT t1
	SUB $4, R1, R9
	MOVD R2, R10
	ADD R9<<2, R2, R11
	MOVD R0, R14
	ADD R9<<2, R0, R15''')
t_kernel('tC', [(10, 14, 1), (11, 15, 1)])
L('''	RET

t1:
	// 1..3 columns, scalar: column k at min(k, len-1) in R10, R11, R19
	// (dst: R14, R15, R20).
	SUB $1, R1, R9
	CMP $1, R9
	CSET GE, R6
	LSL $2, R6, R6
	CMP $2, R9
	CSET GE, R7
	ADD R7<<2, R6, R7
	MOVD R2, R10
	ADD R6, R2, R11
	ADD R7, R2, R19
	MOVD R0, R14
	ADD R6, R0, R15
	ADD R7, R0, R20
	FMOVS $0.0, F16
	FMOVS $0.0, F17
	FMOVS $0.0, F18
	MOVD R4, R12
	MOVD R5, R13

tD1:
	CBZ R13, tDst
	FMOVS.P 4(R12), F24
	FMOVS (R10), F0
	FMOVS (R11), F1
	FMOVS (R19), F2
	FMADDS F0, F16, F24, F16 // fmadd s16, s24, s0, s16: s16 += s24*s0
	FMADDS F1, F17, F24, F17
	FMADDS F2, F18, F24, F18
	ADD R3, R10, R10
	ADD R3, R11, R11
	ADD R3, R19, R19
	SUB $1, R13, R13
	B tD1

tDst:
	FMOVS F16, (R14)
	FMOVS F17, (R15)
	FMOVS F18, (R20)

tdone:
	RET
''')

# ---------------------------------------------------------------- gemvN
L('''// GemvN (dst = A * x, A with len(dst) rows of len(x) columns) takes the
// rows four at a time, each with two accumulators of four lanes: 16
// elements of x a step (the accumulators take elements 0-3 and 8-11, 4-7
// and 12-15), then 8, then 4; the two accumulators are added, the lanes
// reduced pairwise ((l0+l1)+(l2+l3)), and the last len%4 elements fused
// into the sums one at a time, the four rows' elements gathered in the
// lanes of one vector. A last group of 1..3 rows runs the same code with the
// missing rows' pointers (matrix and dst) clamped to its last row, which it
// computes and stores again, bit for bit: every row is summed in the same
// order whatever its index and len(dst).
//
// R0 dst, R1 rows, R2 a (group start), R3 row stride in bytes, R4 x,
// R5 columns, R7 rows left, R9 x pointer, R10-R13 row pointers,
// R14/R15/R19/R20 dst pointers, R21 columns left.

// func gemvNNEON(dst, a []float32, lda int, x []float32)
TEXT ·gemvNNEON(SB), NOSPLIT, $0-80
	MOVD dst_base+0(FP), R0
	MOVD dst_len+8(FP), R1
	MOVD a_base+24(FP), R2
	MOVD lda+48(FP), R3
	MOVD x_base+56(FP), R4
	MOVD x_len+64(FP), R5
	LSL $2, R3, R3
	CBZ R1, ndone
	MOVD R1, R7

ngrp:
	MOVD R2, R10
	ADD R3, R10, R11
	CMP $1, R7
	CSEL GT, R11, R10, R11
	ADD R3, R11, R12
	CMP $2, R7
	CSEL GT, R12, R11, R12
	ADD R3, R12, R13
	CMP $3, R7
	CSEL GT, R13, R12, R13
	MOVD R0, R14
	ADD $4, R14, R15
	CMP $1, R7
	CSEL GT, R15, R14, R15
	ADD $4, R15, R19
	CMP $2, R7
	CSEL GT, R19, R15, R19
	ADD $4, R19, R20
	CMP $3, R7
	CSEL GT, R20, R19, R20
	MOVD R4, R9
	MOVD R5, R21''')
zero(range(16, 24))
ptrs = [10, 11, 12, 13]
L('''
n16:
	CMP $16, R21
	BLT n8
	VLD1.P 64(R9), [V24.S4, V25.S4, V26.S4, V27.S4]''')
for r in range(4):
    I(f'VLD1.P 64(R{ptrs[r]}), {vlist(4*r, 4)}')
for k in range(4):
    for r in range(4):
        E(f'fmla v{16+2*r+(k%2)}.4s, v{4*r+k}.4s, v{24+k}.4s')
L('''	SUB $16, R21, R21
	B n16

n8:
	CMP $8, R21
	BLT n4
	VLD1.P 32(R9), [V24.S4, V25.S4]''')
for r in range(4):
    I(f'VLD1.P 32(R{ptrs[r]}), {vlist(4*r, 2)}')
for k in range(2):
    for r in range(4):
        E(f'fmla v{16+2*r+k}.4s, v{4*r+k}.4s, v{24+k}.4s')
L('''	SUB $8, R21, R21

n4:
	CMP $4, R21
	BLT nred
	VLD1.P 16(R9), [V24.S4]''')
for r in range(4):
    I(f'VLD1.P 16(R{ptrs[r]}), {vlist(4*r, 1)}')
for r in range(4):
    E(f'fmla v{16+2*r}.4s, v{4*r}.4s, v24.4s')
L('''	SUB $4, R21, R21

nred:''')
for r in range(4):
    E(f'fadd v{16+2*r}.4s, v{16+2*r}.4s, v{17+2*r}.4s')
E('faddp v16.4s, v16.4s, v18.4s')
E('faddp v20.4s, v20.4s, v22.4s')
E('faddp v16.4s, v16.4s, v20.4s')
L('''
n1:
	CBZ R21, nst
	VLD1R.P 4(R9), [V24.S4]''')
for r in range(4):
    I(f'VLD1.P 4(R{ptrs[r]}), V0.S[{r}]')
E('fmla v16.4s, v0.4s, v24.4s')
L('''	SUB $1, R21, R21
	B n1

nst:
	FMOVS F16, (R14)
	VST1 V16.S[1], (R15)
	VST1 V16.S[2], (R19)
	VST1 V16.S[3], (R20)
	ADD $16, R0, R0
	ADD R3<<2, R2, R2
	SUBS $4, R7, R7
	BGT ngrp

ndone:
	RET''')

# ---------------------------------------------------------------- ger
L('''
// Ger (c = alpha*x*yᵀ + beta*c, len(x) rows of len(y) columns, ldc apart)
// picks one of three row loops by the bits of beta, once: beta == ±0 does
// not read c (c = s*y), beta == 1 fuses onto c (fmla), any other beta
// scales c first and then fuses (fmul, fmla: s*y + round(beta*c)). Per row,
// s = alpha*x[i] rounded once (scalar), broadcast to V16; the columns go 16
// a step (y in V0-V3, c in V4-V7), then 4, then 1-3 scalar (fmadd). Every
// access stays inside the row's len(y) elements and inside x and y.
//
// R0 c row start, R1 row stride in bytes, R2 x pointer, R3 rows left,
// R4 y, R5 columns, R6 beta bits, R7 y pointer, R8 c pointer,
// R9 columns left; F30 alpha, V31 beta (broadcast), V16 s (broadcast).

// func gerNEON(c []float32, ldc int, x, y []float32, alpha, beta float32)
TEXT ·gerNEON(SB), NOSPLIT, $0-88
	MOVD c_base+0(FP), R0
	MOVD ldc+24(FP), R1
	MOVD x_base+32(FP), R2
	MOVD x_len+40(FP), R3
	MOVD y_base+56(FP), R4
	MOVD y_len+64(FP), R5
	FMOVS alpha+80(FP), F30
	FMOVS beta+84(FP), F31
	MOVWU beta+84(FP), R6
	LSL $2, R1, R1
	CBZ R3, gdone
	CBZ R5, gdone
	VDUP V31.S[0], V31.S4
	LSLW $1, R6, R7
	CBZW R7, gZrow
	MOVW $0x3f800000, R7
	CMPW R7, R6
	BEQ gOrow''')

def ger_rows(p, kind):
    """kind: 'B' (any beta: fmul by beta, then fmla), 'O' (beta 1: fmla),
    'Z' (beta 0: fmul, c not read)."""
    L()
    L(f'{p}row:')
    I('FMOVS.P 4(R2), F17')
    I('FMULS F30, F17, F17')
    I('VDUP V17.S[0], V16.S4')
    I('MOVD R4, R7')
    I('MOVD R0, R8')
    I('MOVD R5, R9')
    I('CMP $16, R9')
    I(f'BLT {p}4')
    L()
    L(f'{p}16:')
    def body(n):
        I(f'VLD1.P {16*n}(R7), {vlist(0, n)}')
        if kind != 'Z':
            I(f'VLD1 (R8), {vlist(4, n)}')
        for k in range(n):
            if kind == 'B':
                E(f'fmul v{4+k}.4s, v{4+k}.4s, v31.4s')
        for k in range(n):
            if kind == 'Z':
                E(f'fmul v{4+k}.4s, v{k}.4s, v16.4s')
            else:
                E(f'fmla v{4+k}.4s, v{k}.4s, v16.4s')
        I(f'VST1.P {vlist(4, n)}, {16*n}(R8)')
    body(4)
    I('SUB $16, R9, R9')
    I('CMP $16, R9')
    I(f'BGE {p}16')
    L()
    L(f'{p}4:')
    I('CMP $4, R9')
    I(f'BLT {p}1')
    body(1)
    I('SUB $4, R9, R9')
    I(f'B {p}4')
    L()
    L(f'{p}1:')
    I(f'CBZ R9, {p}next')
    I('FMOVS.P 4(R7), F0')
    if kind == 'Z':
        I('FMULS F16, F0, F4')
    else:
        I('FMOVS (R8), F4')
        if kind == 'B':
            I('FMULS F31, F4, F4')
        I('FMADDS F0, F4, F16, F4 // fmadd s4, s16, s0, s4: s4 += s16*s0')
    I('FMOVS.P F4, 4(R8)')
    I('SUB $1, R9, R9')
    I(f'B {p}1')
    L()
    L(f'{p}next:')
    I('ADD R1, R0, R0')
    I('SUBS $1, R3, R3')
    I(f'BGT {p}row')

ger_rows('gB', 'B')
I('RET')
ger_rows('gO', 'O')
I('RET')
ger_rows('gZ', 'Z')
L('''
gdone:
	RET''')

# ---------------------------------------------------------------- gemmRows
L('''
// GemmRows (C = X * A for m = 2..4 rows of X, see gemv.go) is m gemvT's
// that read A once: blocks of columns (W = 32, 24, 16 for m = 2, 3, 4: V =
// 8, 6, 4 vectors of four, m*V accumulators), and inside a block the rows
// p of A in order, each vector of A loaded once and fused into the m rows'
// accumulators with x[i][p] broadcast (VLD1R): every element is the
// sequential chain of fused multiply-adds from +0 over p, the bits of
// gemvTNEON. After the full blocks, the 1..W-1 columns left take nv =
// ceil(left/4) vectors, the last one moved back to end at the last column
// (left < 4 with n >= 4: one vector at [n-4, n)), recomputing and storing
// again some columns bit for bit; n < 4 is scalar (fmadd), with the column
// pointers clamped to the last column. Every access stays inside the rows'
// n elements and inside x.
//
// R0 C block (row 0), R1 ldc in bytes, R2 columns left, R3 lda in bytes,
// R4 A block (row 0), R5 x, R6 sxi in bytes, R7 sxp in bytes, R9 k,
// R8/R10/R16 A pointers (vectors 0-3, 4.., the last), R12-R15 x row
// pointers, R17 rows left, R20 the last vector's byte offset, R19/R21
// store pointers, R22/R23 the scalar columns' byte offsets.''')

GR_V = {2: 8, 3: 6, 4: 4}

def gr_block(m, V, nv, last_reg):
    """One block of nv vectors at R4 (A) / R0 (C); the last vector at byte
    offset R20 when last_reg, else contiguous."""
    acc = lambda i, v: i * V + v
    abase = m * V
    bbase = abase + V
    if last_reg:
        body = list(range(nv - 1))
    else:
        body = list(range(nv))
    g0 = [v for v in body if v < 4]
    g1 = [v for v in body if v >= 4]
    for i in range(m):
        for v in range(nv):
            I(f'VEOR V{acc(i, v)}.B16, V{acc(i, v)}.B16, V{acc(i, v)}.B16')
    if g0:
        I('MOVD R4, R8')
    if g1:
        I('ADD $64, R4, R10')
    if last_reg:
        I('ADD R20, R4, R16')
    I('MOVD R5, R12')
    for i in range(1, m):
        I(f'ADD R6, R{11+i}, R{12+i}')
    I('MOVD R9, R17')
    lab = f'gr{m}b{nv}{"l" if last_reg else ""}'
    I(f'CBZ R17, {lab}st')
    L()
    L(f'{lab}:')
    for i in range(m):
        I(f'VLD1R.P (R{12+i})(R7), [V{bbase+i}.S4]')
    if g0:
        I(f'VLD1.P (R8)(R3), {vlist(abase + g0[0], len(g0))}')
    if g1:
        I(f'VLD1.P (R10)(R3), {vlist(abase + g1[0], len(g1))}')
    if last_reg:
        I(f'VLD1.P (R16)(R3), [V{abase + nv - 1}.S4]')
    for v in range(nv):
        for i in range(m):
            E(f'fmla v{acc(i, v)}.4s, v{abase + v}.4s, v{bbase + i}.4s')
    I('SUBS $1, R17, R17')
    I(f'BNE {lab}')
    L()
    L(f'{lab}st:')
    I('MOVD R0, R19')
    for i in range(m):
        if i > 0:
            I('ADD R1, R19, R19')
        if g0:
            I(f'VST1 {vlist(acc(i, g0[0]), len(g0))}, (R19)')
        if g1:
            I('ADD $64, R19, R21')
            I(f'VST1 {vlist(acc(i, g1[0]), len(g1))}, (R21)')
        if last_reg:
            I('ADD R20, R19, R21')
            I(f'VST1 [V{acc(i, nv - 1)}.S4], (R21)')

def gemm_rows(m):
    V = GR_V[m]
    W = 4 * V
    name = f'gemmRows{m}NEON'
    L()
    L(f'// func {name}(c []float32, ldc, n int, a []float32, lda int, x []float32, sxi, sxp, k int)')
    L(f'TEXT ·{name}(SB), NOSPLIT, $0-120')
    I('MOVD c_base+0(FP), R0')
    I('MOVD ldc+24(FP), R1')
    I('MOVD n+32(FP), R2')
    I('MOVD a_base+40(FP), R4')
    I('MOVD lda+64(FP), R3')
    I('MOVD x_base+72(FP), R5')
    I('MOVD sxi+96(FP), R6')
    I('MOVD sxp+104(FP), R7')
    I('MOVD k+112(FP), R9')
    I('LSL $2, R1, R1')
    I('LSL $2, R3, R3')
    I('LSL $2, R6, R6')
    I('LSL $2, R7, R7')
    p = f'gr{m}'
    L()
    L(f'{p}full:')
    I(f'CMP ${W}, R2')
    I(f'BLT {p}rem')
    gr_block(m, V, V, False)
    I(f'ADD ${4 * W}, R0, R0')
    I(f'ADD ${4 * W}, R4, R4')
    I(f'SUB ${W}, R2, R2')
    I(f'B {p}full')
    L()
    L(f'{p}rem:')
    I(f'CBZ R2, {p}done')
    I('CMP $4, R2')
    I(f'BGE {p}vec')
    I('MOVD n+32(FP), R19')
    I('CMP $4, R19')
    I(f'BLT {p}sc')
    I('// Under 4 columns left of n >= 4: one vector at [n-4, n).')
    I('MOVD $4, R19')
    I('SUB R2, R19, R19')
    I('SUB R19<<2, R0, R0')
    I('SUB R19<<2, R4, R4')
    I('MOVD $4, R2')
    L()
    L(f'{p}vec:')
    I('// nv = ceil(R2/4) vectors, the last at byte offset 4*(R2-4).')
    I('SUB $4, R2, R20')
    I('LSL $2, R20, R20')
    I('ADD $3, R2, R19')
    I('LSR $2, R19, R19')
    for nv in range(1, V):
        I(f'CMP ${nv}, R19')
        I(f'BEQ {p}v{nv}')
    for nv in range(V, 0, -1):
        L()
        L(f'{p}v{nv}:')
        gr_block(m, V, nv, True)
        I('RET')
    # scalar: n in 1..3
    L()
    L(f'{p}sc:')
    I('// 1..3 columns, scalar: column j at min(j, n-1), byte offsets 0, R22, R23.')
    I('SUB $1, R2, R21')
    I('CMP $1, R21')
    I('CSET GE, R22')
    I('LSL $2, R22, R22')
    I('CMP $2, R21')
    I('CSET GE, R23')
    I('ADD R23<<2, R22, R23')
    I('MOVD R4, R8')
    I('ADD R22, R4, R10')
    I('ADD R23, R4, R16')
    I('MOVD R5, R12')
    for i in range(1, m):
        I(f'ADD R6, R{11+i}, R{12+i}')
    # accumulators F0..F(3m-1): row i column j in F(3i+j); A in F16-F18; x in F20..
    for i in range(m):
        for j in range(3):
            I(f'FMOVS $0.0, F{3*i+j}')
    I('MOVD R9, R17')
    I(f'CBZ R17, {p}scst')
    L()
    L(f'{p}s1:')
    for i in range(m):
        I(f'FMOVS (R{12+i}), F{20+i}')
        I(f'ADD R7, R{12+i}, R{12+i}')
    I('FMOVS (R8), F16')
    I('FMOVS (R10), F17')
    I('FMOVS (R16), F18')
    for i in range(m):
        for j in range(3):
            d = 3 * i + j
            I(f'FMADDS F{16+j}, F{d}, F{20+i}, F{d} // fmadd s{d}, s{20+i}, s{16+j}, s{d}')
    I('ADD R3, R8, R8')
    I('ADD R3, R10, R10')
    I('ADD R3, R16, R16')
    I('SUBS $1, R17, R17')
    I(f'BNE {p}s1')
    L()
    L(f'{p}scst:')
    I('MOVD R0, R19')
    for i in range(m):
        if i > 0:
            I('ADD R1, R19, R19')
        I(f'FMOVS F{3*i}, (R19)')
        I('ADD R22, R19, R21')
        I(f'FMOVS F{3*i+1}, (R21)')
        I('ADD R23, R19, R21')
        I(f'FMOVS F{3*i+2}, (R21)')
    L()
    L(f'{p}done:')
    I('RET')

for m in (2, 3, 4):
    gemm_rows(m)

# encode
todo = [s[1:] for s in out if s.startswith('@')]
enc = subprocess.run([A64ENC], input='\n'.join(todo)+'\n', capture_output=True, text=True, check=True).stdout.strip().split('\n')
assert len(enc) == len(todo)
it = iter(enc)
res = []
for s in out:
    res.append('\t' + next(it) if s.startswith('@') else s)
sys.stdout.write('\n'.join(res) + '\n')
