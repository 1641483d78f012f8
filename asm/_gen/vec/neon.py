#!/usr/bin/env python3
"""Generates asm/vec_arm64.s and asm/optim_arm64.s, the NEON kernels of the
vec and optim families.

Go's arm64 assembler lacks most vector float instructions, so they are
written as WORD directives, encoded by a64enc (GNU syntax in, `WORD $0x...
// mnemonic` out; it needs binutils-aarch64-linux-gnu). Run from asm/:

    (cd _gen && go build -o /tmp/a64enc ./a64enc)
    A64ENC=/tmp/a64enc python3 _gen/vec/neon.py

Each elementwise kernel is a list of abstract operations on logical
registers; the generator emits it three times: four vectors per iteration
(each logical temp is a group of four consecutive V registers, so that one
VLD1/VST1 moves a stream for all four copies), one vector, and one scalar
(the s-register forms of the same operations) for the tail. AddBias and
ColSums are written out in neon_rows.s.tmpl, whose lines starting with @
are encoded.
"""
import os, subprocess, sys

A64ENC = os.environ.get('A64ENC', 'a64enc')
HERE = os.path.dirname(os.path.abspath(__file__))

def enc(lines):
    out = subprocess.run([A64ENC], input='\n'.join(lines)+'\n',
                         capture_output=True, text=True, check=True).stdout.strip().split('\n')
    assert len(out) == len(lines), (lines, out)
    return out

# Logical registers: temps are groups of 4 consecutive V registers (one per
# unrolled copy); constants are single registers.
TEMP_BASE = {'X': 0, 'Y': 4, 'Z': 8, 'W': 12, 'ACC': 16, 'T': 25}

def vreg(name, consts, copy):
    if name in consts:
        return consts[name]
    return TEMP_BASE[name] + copy

def render_op(op, consts, copy, scalar):
    kind = op[0]
    r = [vreg(a, consts, copy) for a in op[1:]]
    if scalar:
        s = ['s%d' % x for x in r]
        if kind == 'fmla':   # d += a*b
            return 'fmadd %s, %s, %s, %s' % (s[0], s[1], s[2], s[0])
        if kind == 'fsqrt':
            return 'fsqrt %s, %s' % (s[0], s[1])
        if kind == 'mov':
            return 'fmov %s, %s' % (s[0], s[1])
        return '%s %s, %s, %s' % (kind, s[0], s[1], s[2])
    v = ['v%d.4s' % x for x in r]
    if kind == 'fsqrt':
        return 'fsqrt %s, %s' % (v[0], v[1])
    if kind == 'mov':
        return 'mov v%d.16b, v%d.16b' % (r[0], r[1])
    return '%s %s, %s, %s' % (kind, v[0], v[1], v[2])

def body(spec, width):
    """width: 4 (four vectors), 1 (one vector), 0 (scalar)."""
    consts, streams, ops = spec['consts'], spec['streams'], spec['body']
    stored = {o[2] for o in ops if o[0] == 'st'}
    copies = 4 if width == 4 else 1
    out = []
    pending = []  # encoded ops to flush in batch
    def flush():
        if pending:
            out.extend('\t' + l for l in enc([p for p in pending]))
            pending.clear()
    for o in ops:
        if o[0] in ('ld', 'st'):
            flush()
            if o[0] == 'ld':
                st, reg = o[1], o[2]
            else:
                reg, st = o[1], o[2]
            base = TEMP_BASE[reg]
            p = streams[st]
            if width == 0:
                if o[0] == 'ld':
                    out.append('\tFMOVS (%s), F%d' % (p, base) if st in stored
                               else '\tFMOVS.P 4(%s), F%d' % (p, base))
                else:
                    out.append('\tFMOVS.P F%d, 4(%s)' % (base, p))
            else:
                regs = ', '.join('V%d.S4' % (base + c) for c in range(copies))
                if o[0] == 'ld':
                    if st in stored:
                        out.append('\tVLD1 (%s), [%s]' % (p, regs))
                    else:
                        out.append('\tVLD1.P %d(%s), [%s]' % (16 * copies, p, regs))
                else:
                    out.append('\tVST1.P [%s], %d(%s)' % (regs, 16 * copies, p))
        else:
            for c in range(copies):
                pending.append(render_op(o, consts, c, width == 0))
    flush()
    return out

def loop(spec, p=''):
    """The kernel's loops, with labels prefixed by p."""
    L = ['\tCMP $16, R3', '\tBLT %sv4' % p, '%sv16:' % p]
    L += body(spec, 4)
    L += ['\tSUB $16, R3, R3', '\tCMP $16, R3', '\tBGE %sv16' % p, '%sv4:' % p, '\tCMP $4, R3']
    red = spec.get('reduce')
    L += ['\tBLT %s' % ('red' if red else p + 's1')]
    L += body(spec, 1)
    L += ['\tSUB $4, R3, R3', '\tB %sv4' % p]
    if red:
        L += ['red:'] + ['\t' + l for l in enc([
            'fadd v16.4s, v16.4s, v17.4s', 'fadd v18.4s, v18.4s, v19.4s',
            'fadd v16.4s, v16.4s, v18.4s', 'faddp v16.4s, v16.4s, v16.4s', 'faddp s16, v16.2s'])]
    L += ['%ss1:' % p, '\tCBZ R3, %sdone' % p]
    L += body(spec, 0)
    L += ['\tSUB $1, R3, R3', '\tB %ss1' % p, '%sdone:' % p]
    if red:
        L += ['\tFMOVS F16, ret+%d(FP)' % red]
    L += ['\tRET']
    return L

def with_l2(spec):
    """The spec with the L2 term in its gradient: right after g is loaded
    into X, w is loaded into T and X += L2*T (the body loads w again at its
    end, from L1)."""
    ops = list(spec['body'])
    i = ops.index(('ld', 'g', 'X')) + 1
    ops[i:i] = [('ld', 'w', 'T'), ('fmla', 'X', 'L2', 'T')]
    return dict(spec, body=ops, consts=dict(spec['consts'], L2=L2REG))

def kernel(name, spec):
    L = ['', '// func %s%s' % (name, spec['sig']),
         'TEXT ·%s(SB), NOSPLIT, $0-%d' % (name, spec['args'])]
    L += ['\t' + l for l in spec['prologue']]
    l2 = spec.get('l2')
    if l2 is not None:
        # l2x2 == ±0: the loop without the term (no 0*w: an infinite w stays
        # infinite); otherwise V29 = l2x2 and the loop with it.
        L += ['\tMOVWU l2x2+%d(FP), R5' % l2, '\tLSLW $1, R5, R5', '\tCBNZW R5, l2']
    L += loop(spec)
    if l2 is not None:
        L += ['l2:'] + ['\t' + l for l in dup(L2REG, 'l2x2+%d(FP)' % l2)]
        L += loop(with_l2(spec), 'l2')
    return L

def dup(reg, arg):
    return ['FMOVS %s, F%d' % (arg, reg), 'VDUP V%d.S[0], V%d.S4' % (reg, reg)]

def zero_acc():
    return ['VEOR V%d.B16, V%d.B16, V%d.B16' % (r, r, r) for r in range(16, 20)]

VEC = {
 'axpyNEON': dict(sig='(alpha float32, x, y []float32)', args=56,
   prologue=dup(31, 'alpha+0(FP)') + ['MOVD x_base+8(FP), R1', 'MOVD x_len+16(FP), R3', 'MOVD y_base+32(FP), R2'],
   streams={'x': 'R1', 'y': 'R2'}, consts={'A': 31},
   body=[('ld', 'x', 'X'), ('ld', 'y', 'Y'), ('fmla', 'Y', 'A', 'X'), ('st', 'Y', 'y')]),
 'scaleNEON': dict(sig='(alpha float32, x []float32)', args=32,
   prologue=dup(31, 'alpha+0(FP)') + ['MOVD x_base+8(FP), R1', 'MOVD x_len+16(FP), R3'],
   streams={'x': 'R1'}, consts={'A': 31},
   body=[('ld', 'x', 'X'), ('fmul', 'X', 'X', 'A'), ('st', 'X', 'x')]),
 'scaleToNEON': dict(sig='(dst []float32, alpha float32, x []float32)', args=56,
   prologue=dup(31, 'alpha+24(FP)') + ['MOVD dst_base+0(FP), R0', 'MOVD x_base+32(FP), R1', 'MOVD x_len+40(FP), R3'],
   streams={'x': 'R1', 'dst': 'R0'}, consts={'A': 31},
   body=[('ld', 'x', 'X'), ('fmul', 'X', 'X', 'A'), ('st', 'X', 'dst')]),
 'addNEON': dict(sig='(dst, x, y []float32)', args=72,
   prologue=['MOVD dst_base+0(FP), R0', 'MOVD x_base+24(FP), R1', 'MOVD x_len+32(FP), R3', 'MOVD y_base+48(FP), R2'],
   streams={'x': 'R1', 'y': 'R2', 'dst': 'R0'}, consts={},
   body=[('ld', 'x', 'X'), ('ld', 'y', 'Y'), ('fadd', 'X', 'X', 'Y'), ('st', 'X', 'dst')]),
 'mulNEON': dict(sig='(dst, x, y []float32)', args=72,
   prologue=['MOVD dst_base+0(FP), R0', 'MOVD x_base+24(FP), R1', 'MOVD x_len+32(FP), R3', 'MOVD y_base+48(FP), R2'],
   streams={'x': 'R1', 'y': 'R2', 'dst': 'R0'}, consts={},
   body=[('ld', 'x', 'X'), ('ld', 'y', 'Y'), ('fmul', 'X', 'X', 'Y'), ('st', 'X', 'dst')]),
 'sumNEON': dict(sig='(x []float32) float32', args=28, reduce=24,
   prologue=['MOVD x_base+0(FP), R1', 'MOVD x_len+8(FP), R3'] + zero_acc(),
   streams={'x': 'R1'}, consts={},
   body=[('ld', 'x', 'X'), ('fadd', 'ACC', 'ACC', 'X')]),
 'dotNEON': dict(sig='(x, y []float32) float32', args=52, reduce=48,
   prologue=['MOVD x_base+0(FP), R1', 'MOVD x_len+8(FP), R3', 'MOVD y_base+24(FP), R2'] + zero_acc(),
   streams={'x': 'R1', 'y': 'R2'}, consts={},
   body=[('ld', 'x', 'X'), ('ld', 'y', 'Y'), ('fmla', 'ACC', 'X', 'Y')]),
}

# Optimizers: streams w R0, g R1, m R2, v R4. Constants from V16 up; the
# L2 factor 2*l2 (the last argument, at byte offset l2) in V29.
L2REG = 29
def moments():
    # m = b1*m + c1*g (in Y); v = b2*v + c2*g*g (in Z). g in X.
    # The products of the gradient are the ones fused, as the Go compiler
    # fuses the generic loop on arm64 (which matters only for infinities).
    return [('ld', 'g', 'X'), ('ld', 'm', 'Y'), ('fmul', 'W', 'Y', 'B1'), ('fmla', 'W', 'C1', 'X'),
            ('st', 'W', 'm'), ('ld', 'v', 'Z'), ('fmul', 'Y', 'Z', 'B2'), ('fmul', 'T', 'X', 'C2'),
            ('fmla', 'Y', 'T', 'X'), ('st', 'Y', 'v')]
    # after: W = m', Y = v'

OPT = {
 'sgdMomentumNEON': dict(sig='(w, g, m []float32, lr, momentum, l2x2 float32)', args=84, l2=80,
   prologue=['MOVD w_base+0(FP), R0', 'MOVD w_len+8(FP), R3', 'MOVD g_base+24(FP), R1', 'MOVD m_base+48(FP), R2',
             'FMOVS lr+72(FP), F16', 'FNEGS F16, F16', 'VDUP V16.S[0], V16.S4'] + dup(17, 'momentum+76(FP)'),
   streams={'w': 'R0', 'g': 'R1', 'm': 'R2'}, consts={'NLR': 16, 'MOM': 17},
   # X = -lr*g; X += mom*m (= m'); w += m'
   body=[('ld', 'g', 'X'), ('ld', 'm', 'Y'), ('fmul', 'X', 'X', 'NLR'), ('fmla', 'X', 'MOM', 'Y'), ('st', 'X', 'm'),
         ('ld', 'w', 'Z'), ('fadd', 'Z', 'Z', 'X'), ('st', 'Z', 'w')]),
 'sgdNesterovNEON': dict(sig='(w, g, m []float32, lr, momentum, l2x2 float32)', args=84, l2=80,
   prologue=['MOVD w_base+0(FP), R0', 'MOVD w_len+8(FP), R3', 'MOVD g_base+24(FP), R1', 'MOVD m_base+48(FP), R2',
             'FMOVS lr+72(FP), F16', 'FNEGS F16, F16', 'VDUP V16.S[0], V16.S4'] + dup(17, 'momentum+76(FP)'),
   streams={'w': 'R0', 'g': 'R1', 'm': 'R2'}, consts={'NLR': 16, 'MOM': 17},
   # X = -lr*g; W = X + mom*m (= m'); X += mom*m'; w += X
   body=[('ld', 'g', 'X'), ('ld', 'm', 'Y'), ('fmul', 'X', 'X', 'NLR'), ('mov', 'W', 'X'),
         ('fmla', 'W', 'MOM', 'Y'), ('st', 'W', 'm'), ('fmla', 'X', 'MOM', 'W'),
         ('ld', 'w', 'Z'), ('fadd', 'Z', 'Z', 'X'), ('st', 'Z', 'w')]),
 'adamNEON': dict(sig='(w, g, m, v []float32, alphaT, beta1, c1, beta2, c2, eps, l2x2 float32)', args=124, l2=120,
   prologue=['MOVD w_base+0(FP), R0', 'MOVD w_len+8(FP), R3', 'MOVD g_base+24(FP), R1', 'MOVD m_base+48(FP), R2',
             'MOVD v_base+72(FP), R4'] + dup(16, 'alphaT+96(FP)') + dup(17, 'beta1+100(FP)') + dup(18, 'c1+104(FP)')
             + dup(19, 'beta2+108(FP)') + dup(20, 'c2+112(FP)') + dup(21, 'eps+116(FP)'),
   streams={'w': 'R0', 'g': 'R1', 'm': 'R2', 'v': 'R4'},
   consts={'AT': 16, 'B1': 17, 'C1': 18, 'B2': 19, 'C2': 20, 'EPS': 21},
   body=moments() + [('fsqrt', 'Y', 'Y'), ('fadd', 'Y', 'Y', 'EPS'), ('fmul', 'W', 'W', 'AT'), ('fdiv', 'W', 'W', 'Y'),
         ('ld', 'w', 'Z'), ('fsub', 'Z', 'Z', 'W'), ('st', 'Z', 'w')]),
 'nadamNEON': dict(sig='(w, g, m, v []float32, lr, beta1, c1, beta2, c2, eps, cm, cg, cv, l2x2 float32)', args=136, l2=132,
   prologue=['MOVD w_base+0(FP), R0', 'MOVD w_len+8(FP), R3', 'MOVD g_base+24(FP), R1', 'MOVD m_base+48(FP), R2',
             'MOVD v_base+72(FP), R4'] + dup(16, 'lr+96(FP)') + dup(17, 'beta1+100(FP)') + dup(18, 'c1+104(FP)')
             + dup(19, 'beta2+108(FP)') + dup(20, 'c2+112(FP)') + dup(21, 'eps+116(FP)')
             + dup(22, 'cm+120(FP)') + dup(23, 'cg+124(FP)') + dup(24, 'cv+128(FP)'),
   streams={'w': 'R0', 'g': 'R1', 'm': 'R2', 'v': 'R4'},
   consts={'LR': 16, 'B1': 17, 'C1': 18, 'B2': 19, 'C2': 20, 'EPS': 21, 'CM': 22, 'CG': 23, 'CV': 24},
   body=moments() + [('fmul', 'Y', 'Y', 'CV'), ('fsqrt', 'Y', 'Y'), ('fadd', 'Y', 'Y', 'EPS'),
         ('fmul', 'W', 'W', 'CM'), ('fmla', 'W', 'CG', 'X'), ('fmul', 'W', 'W', 'LR'), ('fdiv', 'W', 'W', 'Y'),
         ('ld', 'w', 'Z'), ('fsub', 'Z', 'Z', 'W'), ('st', 'Z', 'w')]),
 'rmspropNEON': dict(sig='(w, g, v []float32, lr, rho, c, eps, l2x2 float32)', args=92, l2=88,
   prologue=['MOVD w_base+0(FP), R0', 'MOVD w_len+8(FP), R3', 'MOVD g_base+24(FP), R1', 'MOVD v_base+48(FP), R4']
             + dup(16, 'lr+72(FP)') + dup(17, 'rho+76(FP)') + dup(18, 'c+80(FP)') + dup(19, 'eps+84(FP)'),
   streams={'w': 'R0', 'g': 'R1', 'v': 'R4'}, consts={'LR': 16, 'RHO': 17, 'C': 18, 'EPS': 19},
   body=[('ld', 'g', 'X'), ('ld', 'v', 'Z'), ('fmul', 'Y', 'Z', 'RHO'), ('fmul', 'T', 'X', 'C'), ('fmla', 'Y', 'T', 'X'),
         ('st', 'Y', 'v'), ('fadd', 'Y', 'Y', 'EPS'), ('fsqrt', 'Y', 'Y'), ('fmul', 'X', 'X', 'LR'), ('fdiv', 'X', 'X', 'Y'),
         ('ld', 'w', 'W'), ('fsub', 'W', 'W', 'X'), ('st', 'W', 'w')]),
}

HEADER = '''// Code generated by asm/_gen/vec/neon.py; the WORD lines carry their mnemonics. DO NOT EDIT.

//go:build !purego

#include "textflag.h"
'''

def template(text):
    out = []
    for line in text.rstrip('\n').split('\n'):
        if line.lstrip().startswith('@'):
            out.append('\t' + enc([line.strip()[1:]])[0])
        else:
            out.append(line)
    return '\n'.join(out)

def emit(table, path, extra=''):
    L = [HEADER.rstrip('\n')]
    for name, spec in table.items():
        L += kernel(name, spec)
    if extra:
        L += ['', template(extra)]
    open(path, 'w').write('\n'.join(L) + '\n')

if __name__ == '__main__':
    emit(VEC, 'vec_arm64.s', open(os.path.join(HERE, 'neon_rows.s.tmpl')).read())
    emit(OPT, 'optim_arm64.s')
