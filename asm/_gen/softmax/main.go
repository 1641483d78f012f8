// Command softmax generates asm/softmax_amd64.s, the AVX2 and AVX-512 row
// kernels of the softmax family (semantics in asm/softmax.go), with the exp
// of package vx. Run from asm/_gen:
//
//	go run ./softmax -out ../softmax_amd64.s
package main

import (
	. "github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/gotypes"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"

	"github.com/nnrt/nnrt/asm/_gen/act/vx"
)

func addr(c gotypes.Component) Mem {
	b, err := c.Resolve()
	if err != nil {
		panic(err)
	}
	return b.Addr
}

// reduce combines the lanes of v with op (VMAXPS or VADDPS) so that every
// lane holds the result.
func reduce(t *vx.Target, v VecVirtual, op func(...Op)) {
	s := t.Vec()
	if t.Z {
		VSHUFF32X4(U8(0x4e), v, v, s) // swap the 256-bit halves
		op(s, v, v)
		VSHUFF32X4(U8(0xb1), v, v, s) // swap 128-bit lanes within them
		op(s, v, v)
	} else {
		VPERM2F128(U8(0x01), v, v, s)
		op(s, v, v)
	}
	VPERMILPS(U8(0x4e), v, s)
	op(s, v, v)
	VPERMILPS(U8(0xb1), v, s)
	op(s, v, v)
}

func rows(t *vx.Target) {
	t.Begin("softmaxRows", "func(dst, x []float32, cols int, scale float32, stats []float32)",
		append(append([]string{}, vx.ExpConsts...), "neginf"), append(append([]string{}, vx.ExpRegs...), "neginf"))
	L := func(s string) string { return "softmaxRows" + t.Name + "_" + s }
	step := t.Lanes * 4
	shift := map[int]uint8{8: 3, 16: 4}[t.Lanes]

	scale := t.Broadcast("scale")
	xp := Load(Param("x").Base(), GP64()).(GPVirtual)
	xend := Load(Param("x").Len(), GP64()).(GPVirtual)
	LEAQ(Mem{Base: xp, Index: xend, Scale: 4}, xend)
	dp := Load(Param("dst").Base(), GP64()).(GPVirtual)
	sp := Load(Param("stats").Base(), GP64()).(GPVirtual)
	cols := Load(Param("cols"), GP64()).(GPVirtual)
	full := GP64()
	MOVQ(cols, full)
	SHRQ(U8(shift), full) // whole vectors per row
	rem := GP64()
	MOVQ(cols, rem)
	ANDQ(U32(t.Lanes-1), rem)
	SHLQ(U8(2), cols)    // row stride in bytes
	m := t.TailMask(rem) // the mask of the last rem lanes (unused when rem is 0)
	p, q, j := GP64(), GP64(), GP64()

	CMPQ(xp, xend)
	JAE(LabelRef(L("done")))
	CMPQ(addr(Param("dst").Len()), U32(0))
	JE(LabelRef(L("nodst")))
	for _, withDst := range []bool{true, false} {
		pre := "dst"
		if !withDst {
			pre = "nodst"
			Label(L("nodst"))
		}
		lb := func(s string) string { return L(pre + "_" + s) }
		Label(lb("row"))

		// Pass 1: the row maximum (lanes past the row hold -Inf).
		mx := t.Vec()
		VMOVAPS(t.K("neginf"), mx)
		MOVQ(xp, p)
		MOVQ(full, j)
		Label(lb("max"))
		TESTQ(j, j)
		JZ(LabelRef(lb("maxtail")))
		VMAXPS(Mem{Base: p}, mx, mx)
		ADDQ(U32(step), p)
		DECQ(j)
		JMP(LabelRef(lb("max")))
		Label(lb("maxtail"))
		TESTQ(rem, rem)
		JZ(LabelRef(lb("maxdone")))
		v := t.MaskLoad(m, Mem{Base: p})
		t.MaskBlend(m, v, t.K("neginf"))
		VMAXPS(v, mx, mx)
		Label(lb("maxdone"))
		reduce(t, mx, VMAXPS)

		// Pass 2: e = e**(x-max), summed; stored into dst when there is one.
		sum := t.Zero()
		MOVQ(xp, p)
		MOVQ(dp, q)
		MOVQ(full, j)
		Label(lb("exp"))
		TESTQ(j, j)
		JZ(LabelRef(lb("exptail")))
		v = t.Vec()
		VMOVUPS(Mem{Base: p}, v)
		VSUBPS(mx, v, v)
		e := t.Exp(v)
		VADDPS(e, sum, sum)
		if withDst {
			VMOVUPS(e, Mem{Base: q})
			ADDQ(U32(step), q)
		}
		ADDQ(U32(step), p)
		DECQ(j)
		JMP(LabelRef(lb("exp")))
		Label(lb("exptail"))
		TESTQ(rem, rem)
		JZ(LabelRef(lb("expdone")))
		v = t.MaskLoad(m, Mem{Base: p})
		VSUBPS(mx, v, v)
		e = t.MaskAnd(m, t.Exp(v))
		VADDPS(e, sum, sum)
		if withDst {
			t.MaskStore(m, e, Mem{Base: q})
		}
		Label(lb("expdone"))
		reduce(t, sum, VADDPS)

		// Row statistics.
		CMPQ(addr(Param("stats").Len()), U32(0))
		JE(LabelRef(lb("nostats")))
		VMOVSS(mx.AsX(), Mem{Base: sp})
		VMOVSS(sum.AsX(), Mem{Base: sp, Disp: 4})
		ADDQ(U32(8), sp)
		Label(lb("nostats"))

		if withDst {
			// Pass 3: dst *= scale/sum.
			inv := t.Vec()
			VDIVPS(sum, scale, inv)
			MOVQ(dp, q)
			MOVQ(full, j)
			Label(lb("scale"))
			TESTQ(j, j)
			JZ(LabelRef(lb("scaletail")))
			v = t.Vec()
			VMULPS(Mem{Base: q}, inv, v)
			VMOVUPS(v, Mem{Base: q})
			ADDQ(U32(step), q)
			DECQ(j)
			JMP(LabelRef(lb("scale")))
			Label(lb("scaletail"))
			TESTQ(rem, rem)
			JZ(LabelRef(lb("scaledone")))
			v = t.MaskLoad(m, Mem{Base: q})
			VMULPS(inv, v, v)
			t.MaskStore(m, v, Mem{Base: q})
			Label(lb("scaledone"))
			ADDQ(cols, dp)
		}
		ADDQ(cols, xp)
		CMPQ(xp, xend)
		JB(LabelRef(lb("row")))
		JMP(LabelRef(L("done")))
	}
	Label(L("done"))
	VZEROUPPER()
	RET()
}

func main() {
	ConstraintExpr("!purego")
	tab := vx.NewTable("softmax")
	for _, t := range vx.Targets(tab) {
		rows(t)
	}
	Generate()
}
