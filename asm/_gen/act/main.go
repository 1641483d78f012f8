// Command act generates asm/act_amd64.s, the AVX2 and AVX-512 kernels of the
// act family (see asm/act.go for their semantics). Run from asm/_gen:
//
//	go run ./act -out ../act_amd64.s
package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/reg"

	"github.com/nnrt/nnrt/asm/_gen/act/vx"
)

const (
	unarySig   = "func(dst, x []float32)"
	unaryASig  = "func(dst, x []float32, alpha float32)"
	gradSig    = "func(dx, dy, y []float32)"
	gradASig   = "func(dx, dy, y []float32, alpha float32)"
	simpleLoop = 4 // unroll of the kernels without exp
	expLoop    = 2 // and of those with it
)

func unary(name, sig string, scalars, consts, inReg []string, unroll int, body func(t *vx.Target, in, sc []VecVirtual) VecVirtual) vx.Kernel {
	return vx.Kernel{Name: name, Sig: sig, Out: "dst", Ins: []string{"x"}, Scalars: scalars,
		Consts: consts, InReg: inReg, Unroll: unroll, Body: body}
}

func grad(name, sig string, scalars, consts, inReg []string, body func(t *vx.Target, in, sc []VecVirtual) VecVirtual) vx.Kernel {
	return vx.Kernel{Name: name, Sig: sig, Out: "dx", Ins: []string{"dy", "y"}, Scalars: scalars,
		Consts: consts, InReg: inReg, Unroll: simpleLoop, Body: body}
}

func with(a []string, b ...string) []string { return append(append([]string{}, a...), b...) }

var kernels = []vx.Kernel{
	unary("exp", unarySig, nil, vx.ExpConsts, vx.ExpRegs, expLoop,
		func(t *vx.Target, in, _ []VecVirtual) VecVirtual { return t.Exp(in[0]) }),

	unary("relu", unarySig, nil, nil, nil, simpleLoop,
		func(t *vx.Target, in, _ []VecVirtual) VecVirtual {
			return t.SelZero(vx.NLE, in[0], t.Zero(), in[0])
		}),
	grad("reluGrad", gradSig, nil, nil, nil,
		func(t *vx.Target, in, _ []VecVirtual) VecVirtual {
			return t.SelZero(vx.GT, in[1], t.Zero(), in[0])
		}),

	unary("leakyRelu", unaryASig, []string{"alpha"}, nil, nil, simpleLoop,
		func(t *vx.Target, in, sc []VecVirtual) VecVirtual {
			a := t.Vec()
			VMULPS(sc[0], in[0], a)
			return t.Sel(vx.GT, in[0], t.Zero(), in[0], a)
		}),
	grad("leakyReluGrad", gradASig, []string{"alpha"}, nil, nil,
		func(t *vx.Target, in, sc []VecVirtual) VecVirtual {
			a := t.Vec()
			VMULPS(sc[0], in[0], a)
			return t.Sel(vx.GT, in[1], t.Zero(), in[0], a)
		}),

	unary("elu", unaryASig, []string{"alpha"}, vx.Em1Consts, vx.Em1Regs, expLoop,
		func(t *vx.Target, in, sc []VecVirtual) VecVirtual {
			e := t.Expm1(in[0])
			VMULPS(sc[0], e, e)
			return t.Sel(vx.GE, in[0], t.Zero(), in[0], e)
		}),
	grad("eluGrad", gradASig, []string{"alpha"}, nil, nil,
		func(t *vx.Target, in, sc []VecVirtual) VecVirtual {
			a := t.Vec()
			VADDPS(sc[0], in[1], a) // y + alpha
			VMULPS(a, in[0], a)     // dy*(y+alpha)
			return t.Sel(vx.GT, in[1], t.Zero(), in[0], a)
		}),

	unary("selu", unarySig, nil, with(vx.Em1Consts, "selus", "selusa"), vx.Em1Regs, expLoop,
		func(t *vx.Target, in, _ []VecVirtual) VecVirtual {
			e := t.Expm1(in[0])
			VMULPS(t.K("selusa"), e, e)
			p := t.Vec()
			VMULPS(t.K("selus"), in[0], p)
			return t.Sel(vx.GE, in[0], t.Zero(), p, e)
		}),
	grad("seluGrad", gradSig, nil, []string{"selus", "selusa"}, nil,
		func(t *vx.Target, in, _ []VecVirtual) VecVirtual {
			a := t.Vec()
			VADDPS(t.K("selusa"), in[1], a) // y + scale*alpha
			VMULPS(in[0], a, a)             // dy*(y+scale*alpha)
			p := t.Vec()
			VMULPS(t.K("selus"), in[0], p) // scale*dy
			return t.Sel(vx.GT, in[1], t.Zero(), p, a)
		}),

	// sigmoid(x) = 1/(1+e) for x >= 0 and e/(1+e) for x < 0, with
	// e = e**-|x| in (0, 1]: nothing overflows, and for very negative x the
	// result is e itself, subnormal included.
	unary("sigmoid", unarySig, nil, with(vx.ExpConsts, "sign"), vx.ExpRegs, expLoop,
		func(t *vx.Target, in, _ []VecVirtual) VecVirtual {
			a := t.Vec()
			VORPS(t.K("sign"), in[0], a) // -|x|
			e := t.Exp(a)
			d := t.Vec()
			VADDPS(t.K("one"), e, d)
			num := t.Sel(vx.GE, in[0], t.Zero(), t.K("one"), e)
			VDIVPS(d, num, num)
			return num
		}),
	grad("sigmoidGrad", gradSig, nil, []string{"one"}, []string{"one"},
		func(t *vx.Target, in, _ []VecVirtual) VecVirtual {
			a := t.Vec()
			VMULPS(in[1], in[0], a) // dy*y
			u := t.Vec()
			VSUBPS(in[1], t.K("one"), u) // 1-y
			VMULPS(u, a, a)
			return a
		}),

	// tanh(|x|) = -e/(e+2) with e = expm1(-2|x|) in [-1, 0]: no overflow,
	// no cancellation near 0; the sign of x is put back last.
	unary("tanh", unarySig, nil, with(vx.Em1Consts, "abs", "sign", "m2", "two"), vx.Em1Regs, expLoop,
		func(t *vx.Target, in, _ []VecVirtual) VecVirtual {
			a := t.Vec()
			VANDPS(t.K("abs"), in[0], a)
			VMULPS(t.K("m2"), a, a)
			e := t.Expm1(a)
			d := t.Vec()
			VADDPS(t.K("two"), e, d)
			VDIVPS(d, e, e) // e/(e+2) = -tanh(|x|)
			return t.CopySign(e, in[0])
		}),
	grad("tanhGrad", gradSig, nil, []string{"one"}, nil,
		func(t *vx.Target, in, _ []VecVirtual) VecVirtual {
			u := t.Vec()
			VMOVAPS(in[1], u)
			VFNMADD213PS(t.K("one"), in[1], u) // 1 - y*y, rounded once
			VMULPS(in[0], u, u)
			return u
		}),
}

func main() {
	ConstraintExpr("!purego")
	tab := vx.NewTable("act")
	for _, t := range vx.Targets(tab) {
		for _, k := range kernels {
			t.Elementwise(k)
		}
	}
	Generate()
}
