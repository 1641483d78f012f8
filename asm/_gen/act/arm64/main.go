// Command arm64 generates asm/act_arm64.s, the NEON kernels of the act
// family (semantics in asm/act.go). Run from asm/_gen (needs
// binutils-aarch64-linux-gnu):
//
//	go run ./act/arm64 -out ../act_arm64.s
package main

import (
	"flag"
	"fmt"
	"log"

	"github.com/nnrt/nnrt/asm/_gen/act/neon"
)

// kernel is an elementwise kernel over len(ins[0]) elements.
type kernel struct {
	name   string
	grad   bool     // (dx, dy, y) rather than (dst, x)
	alpha  bool     // a trailing float32 alpha parameter, in v31
	consts []string // constants of the body
	unroll int      // vectors per main-loop iteration
	// body computes one vector from the input registers and returns the
	// register of the result.
	body func(m *neon.Math, in []int) int
}

const alphaReg = 31

var kernels = []kernel{
	{name: "exp", consts: neon.ExpConsts, unroll: 2, body: func(m *neon.Math, in []int) int { return m.Exp(in[0]) }},
	{name: "relu", consts: []string{"zero"}, unroll: 4, body: func(m *neon.Math, in []int) int {
		o := m.R.Get()
		m.F.V("fmax v%d.4s, v%d.4s, v%d.4s", o, in[0], m.K["zero"]) // NaN stays, -0 -> +0
		return o
	}},
	{name: "reluGrad", grad: true, unroll: 4, body: func(m *neon.Math, in []int) int {
		o := m.R.Get()
		m.F.V("fcmgt v%d.4s, v%d.4s, #0.0", o, in[1])
		m.F.V("and v%d.16b, v%d.16b, v%d.16b", o, o, in[0])
		return o
	}},
	{name: "leakyRelu", alpha: true, unroll: 4, body: func(m *neon.Math, in []int) int {
		t, o := m.R.Get(), m.R.Get()
		m.F.V("fmul v%d.4s, v%d.4s, v%d.4s", t, in[0], alphaReg)
		return sel(m, "fcmgt", in[0], in[0], t, o)
	}},
	{name: "leakyReluGrad", grad: true, alpha: true, unroll: 4, body: func(m *neon.Math, in []int) int {
		t, o := m.R.Get(), m.R.Get()
		m.F.V("fmul v%d.4s, v%d.4s, v%d.4s", t, in[0], alphaReg)
		return sel(m, "fcmgt", in[1], in[0], t, o)
	}},
	{name: "elu", alpha: true, consts: neon.Em1Consts, unroll: 2, body: func(m *neon.Math, in []int) int {
		e := m.Expm1(in[0])
		m.F.V("fmul v%d.4s, v%d.4s, v%d.4s", e, e, alphaReg)
		return sel(m, "fcmge", in[0], in[0], e, m.R.Get())
	}},
	{name: "eluGrad", grad: true, alpha: true, unroll: 4, body: func(m *neon.Math, in []int) int {
		t := m.R.Get()
		m.F.V("fadd v%d.4s, v%d.4s, v%d.4s", t, in[1], alphaReg) // y + alpha
		m.F.V("fmul v%d.4s, v%d.4s, v%d.4s", t, in[0], t)        // dy*(y+alpha)
		return sel(m, "fcmgt", in[1], in[0], t, m.R.Get())
	}},
	{name: "selu", consts: append([]string{"selus", "selusa"}, neon.Em1Consts...), unroll: 2, body: func(m *neon.Math, in []int) int {
		e := m.Expm1(in[0])
		m.F.V("fmul v%d.4s, v%d.4s, v%d.4s", e, e, m.K["selusa"])
		p := m.R.Get()
		m.F.V("fmul v%d.4s, v%d.4s, v%d.4s", p, in[0], m.K["selus"])
		return sel(m, "fcmge", in[0], p, e, m.R.Get())
	}},
	{name: "seluGrad", grad: true, consts: []string{"selus", "selusa"}, unroll: 4, body: func(m *neon.Math, in []int) int {
		t, p := m.R.Get(), m.R.Get()
		m.F.V("fadd v%d.4s, v%d.4s, v%d.4s", t, in[1], m.K["selusa"]) // y + scale*alpha
		m.F.V("fmul v%d.4s, v%d.4s, v%d.4s", t, in[0], t)             // dy*(y+scale*alpha)
		m.F.V("fmul v%d.4s, v%d.4s, v%d.4s", p, in[0], m.K["selus"])  // scale*dy
		return sel(m, "fcmgt", in[1], p, t, m.R.Get())
	}},
	// sigmoid(x) = 1/(1+e) for x >= 0 and e/(1+e) for x < 0, e = e**-|x|.
	{name: "sigmoid", consts: append([]string{"sign"}, neon.ExpConsts...), unroll: 2, body: func(m *neon.Math, in []int) int {
		a := m.R.Get()
		m.F.V("orr v%d.16b, v%d.16b, v%d.16b", a, in[0], m.K["sign"]) // -|x|
		e := m.Exp(a)
		d := m.R.Get()
		m.F.V("fadd v%d.4s, v%d.4s, v%d.4s", d, e, m.K["one"])
		num := sel(m, "fcmge", in[0], m.K["one"], e, m.R.Get())
		m.F.V("fdiv v%d.4s, v%d.4s, v%d.4s", num, num, d)
		return num
	}},
	{name: "sigmoidGrad", grad: true, consts: []string{"one"}, unroll: 4, body: func(m *neon.Math, in []int) int {
		t, u := m.R.Get(), m.R.Get()
		m.F.V("fmul v%d.4s, v%d.4s, v%d.4s", t, in[0], in[1])      // dy*y
		m.F.V("fsub v%d.4s, v%d.4s, v%d.4s", u, m.K["one"], in[1]) // 1-y
		m.F.V("fmul v%d.4s, v%d.4s, v%d.4s", t, t, u)
		return t
	}},
	// tanh(|x|) = -e/(e+2), e = expm1(-2|x|), then the sign of x.
	{name: "tanh", consts: append([]string{"sign", "m2", "two"}, neon.Em1Consts...), unroll: 2, body: func(m *neon.Math, in []int) int {
		a := m.R.Get()
		m.F.V("fabs v%d.4s, v%d.4s", a, in[0])
		m.F.V("fmul v%d.4s, v%d.4s, v%d.4s", a, a, m.K["m2"])
		e := m.Expm1(a)
		d := m.R.Get()
		m.F.V("fadd v%d.4s, v%d.4s, v%d.4s", d, e, m.K["two"])
		m.F.V("fdiv v%d.4s, v%d.4s, v%d.4s", e, e, d)
		m.F.V("bit v%d.16b, v%d.16b, v%d.16b", e, in[0], m.K["sign"]) // the sign bit of x
		return e
	}},
	{name: "tanhGrad", grad: true, consts: []string{"one"}, unroll: 4, body: func(m *neon.Math, in []int) int {
		u := m.R.Get()
		m.F.V("mov v%d.16b, v%d.16b", u, m.K["one"])
		m.F.V("fmls v%d.4s, v%d.4s, v%d.4s", u, in[1], in[1]) // 1 - y*y, rounded once
		m.F.V("fmul v%d.4s, v%d.4s, v%d.4s", u, in[0], u)
		return u
	}},
}

// sel emits o = (c compared with 0 by cmp) ? x : y and returns o.
func sel(m *neon.Math, cmp string, c, x, y, o int) int {
	m.F.V("%s v%d.4s, v%d.4s, #0.0", cmp, o, c)
	m.F.V("bsl v%d.16b, v%d.16b, v%d.16b", o, x, y)
	return o
}

func emit(f *neon.File, k kernel) {
	name := k.name + "NEON"
	outp, ins := "dst", []string{"x"}
	if k.grad {
		outp, ins = "dx", []string{"dy", "y"}
	}
	size := 24 * (1 + len(ins))
	alphaOff := size
	if k.alpha {
		size += 4
	}
	f.Raw("")
	f.Raw("// func %s(%s)", name, map[bool]string{false: "dst, x []float32", true: "dx, dy, y []float32"}[k.grad]+map[bool]string{false: "", true: ", alpha float32"}[k.alpha])
	f.Raw("TEXT ·%s(SB), NOSPLIT, $0-%d", name, size)
	f.G("MOVD %s_base+0(FP), R0", outp)
	for j, p := range ins {
		f.G("MOVD %s_base+%d(FP), R%d", p, 24*(j+1), j+1)
	}
	f.G("MOVD %s_len+32(FP), R3", ins[0])
	if k.alpha {
		f.G("FMOVS alpha+%d(FP), F%d", alphaOff, alphaReg)
		f.V("dup v%d.4s, v%d.s[0]", alphaReg, alphaReg)
	}
	m := &neon.Math{F: f}
	m.LoadConsts(16, k.consts)

	L := func(s string) string { return name + "_" + s }
	block := func(u int, scalar bool) {
		// Inputs in v0.. (one per input per unrolled copy), scratch after.
		m.R = neon.NewRegs(len(ins)*k.unroll, 15)
		in := make([]int, len(ins))
		for j := range ins {
			in[j] = j*k.unroll + u
			if scalar {
				f.G("FMOVS (R%d), F%d", j+1, in[j])
			} else {
				f.G("VLD1.P 16(R%d), [V%d.S4]", j+1, in[j])
			}
		}
		o := k.body(m, in)
		if scalar {
			f.G("FMOVS F%d, (R0)", o)
		} else {
			f.G("VST1.P [V%d.S4], 16(R0)", o)
		}
	}
	f.Raw("%s:", L("loop"))
	f.G("CMP $%d, R3", 4*k.unroll)
	f.G("BLT %s", L("single"))
	for u := 0; u < k.unroll; u++ {
		block(u, false)
	}
	f.G("SUB $%d, R3", 4*k.unroll)
	f.G("B %s", L("loop"))
	f.Raw("%s:", L("single"))
	f.G("CMP $4, R3")
	f.G("BLT %s", L("tail"))
	block(0, false)
	f.G("SUB $4, R3")
	f.G("B %s", L("single"))
	// The last len%4 elements one at a time, in lane 0 of the vectors.
	f.Raw("%s:", L("tail"))
	f.G("CBZ R3, %s", L("done"))
	block(0, true)
	f.G("ADD $4, R0")
	for j := range ins {
		f.G("ADD $4, R%d", j+1)
	}
	f.G("SUB $1, R3")
	f.G("B %s", L("tail"))
	f.Raw("%s:", L("done"))
	f.G("RET")
}

func main() {
	out := flag.String("out", "", "output file")
	flag.Parse()
	f := neon.NewFile(fmt.Sprintf("go run ./act/arm64 -out %s", *out))
	for _, k := range kernels {
		emit(f, k)
	}
	if err := f.Write(*out); err != nil {
		log.Fatal(err)
	}
}
