// Package vx is the shared part of the avo generators of the act and softmax
// families: the AVX2 / AVX-512 target abstraction, the elementwise loop
// (unrolled body, one-vector loop, masked tail) and the vectorized exp and
// expm1 that both families use.
package vx

import (
	"fmt"
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// Target is one x86 level. Z is AVX-512 (ZMM, 16 lanes, opmask registers);
// otherwise AVX2+FMA (YMM, 8 lanes, vector masks).
type Target struct {
	Name  string // suffix of the function names: "AVX2" or "AVX512"
	Lanes int
	Z     bool

	tab    *Table
	consts map[string]VecVirtual // constants materialized in registers in the current function
}

// Targets returns the two x86 levels over the constant table tab.
func Targets(tab *Table) []*Target {
	return []*Target{
		{Name: "AVX2", Lanes: 8, tab: tab},
		{Name: "AVX512", Lanes: 16, Z: true, tab: tab},
	}
}

// Vec allocates a vector register of the target's width.
func (t *Target) Vec() VecVirtual {
	if t.Z {
		return ZMM()
	}
	return YMM()
}

// SELU constants of Keras, rounded to float32 exactly as asm/act.go does.
const (
	seluAlpha = 1.6732632423543772848170429916717
	seluScale = 1.0507009873554804934193349852946
)

// The constants, by name. exp: e**x = 2**k * e**r with k = round(x*log2(e))
// and r = x - k*ln2 (ln2 split in a short high part, so that k*ln2hi is
// exact, and a low part: Cody and Waite); e**r - 1 - r = r*r*P(r) with the
// degree-5 minimax P of Cephes expf on |r| <= ln2/2. k is rounded by adding
// 1.5*2**23 (magic), whose low mantissa bits then hold k.
var constants = []struct {
	name string
	bits uint32
}{
	{"log2e", math.Float32bits(1.44269504088896341)},
	{"magic", math.Float32bits(12582912)},
	{"ln2hi", math.Float32bits(0.693359375)},
	{"ln2lo", math.Float32bits(-2.12194440e-4)},
	{"c5", math.Float32bits(1.9875691500e-4)},
	{"c4", math.Float32bits(1.3981999507e-3)},
	{"c3", math.Float32bits(8.3334519073e-3)},
	{"c2", math.Float32bits(4.1665795894e-2)},
	{"c1", math.Float32bits(1.6666665459e-1)},
	{"c0", math.Float32bits(5.0000001201e-1)},
	{"one", math.Float32bits(1)},
	{"two", math.Float32bits(2)},
	{"m2", math.Float32bits(-2)},
	// exp input range: below -104 the result rounds to 0, above 89 it
	// overflows; clamping keeps k in [-150, 128].
	{"explo", math.Float32bits(-104)},
	{"exphi", math.Float32bits(89)},
	// expm1 below -20 is -1 in float32 (e**-20 < 2**-25); the clamp keeps
	// 2**k a normal number.
	{"em1lo", math.Float32bits(-20)},
	{"sign", 0x80000000},
	{"abs", 0x7fffffff},
	{"neginf", 0xff800000},
	{"selus", math.Float32bits(float32(seluScale))},
	{"selusa", math.Float32bits(float32(seluScale * seluAlpha))},
}

// Table is the file's read-only data: every constant replicated over 8
// lanes (32 bytes: an m256 operand for AVX2, a broadcast source for
// AVX-512) and the tail masks.
type Table struct {
	mem   Mem
	index map[string]int
	Tail  Mem // int32: 8 x -1 then 8 x 0; 8-n elements in are n lanes set (AVX2)
	KMask Mem // uint16: entry n is (1<<n)-1 (AVX-512)
}

// NewTable emits the data sections, with symbol names prefixed by prefix.
func NewTable(prefix string) *Table {
	tb := &Table{index: map[string]int{}}
	tb.mem = GLOBL(prefix+"consts", RODATA|NOPTR)
	for i, c := range constants {
		tb.index[c.name] = 32 * i
		for l := 0; l < 8; l++ {
			DATA(32*i+4*l, U32(c.bits))
		}
	}
	tb.Tail = GLOBL(prefix+"tail", RODATA|NOPTR)
	for l := 0; l < 16; l++ {
		v := uint32(0)
		if l < 8 {
			v = 0xffffffff
		}
		DATA(4*l, U32(v))
	}
	tb.KMask = GLOBL(prefix+"kmask", RODATA|NOPTR)
	for n := 0; n <= 16; n++ {
		DATA(2*n, U16(uint16(1<<n-1)))
	}
	return tb
}

func (tb *Table) at(name string) Mem {
	off, ok := tb.index[name]
	if !ok {
		panic("vx: no constant " + name)
	}
	return tb.mem.Offset(off)
}

// Begin starts function name+t.Name with the Go signature sig and loads the
// named constants into registers: all of them on AVX-512 (32 registers), on
// AVX2 only those in inReg (16 registers; the others stay memory operands).
func (t *Target) Begin(name, sig string, consts, inReg []string) {
	TEXT(name+t.Name, NOSPLIT, sig)
	t.consts = map[string]VecVirtual{}
	load := consts
	if !t.Z {
		load = inReg
	}
	for _, c := range load {
		r := t.Vec()
		VBROADCASTSS(t.tab.at(c), r)
		t.consts[c] = r
	}
}

// K returns constant name as an operand: its register when loaded, else
// its memory (AVX2 only).
func (t *Target) K(name string) Op {
	if r, ok := t.consts[name]; ok {
		return r
	}
	if t.Z {
		panic(fmt.Sprintf("vx: constant %s not loaded on %s", name, t.Name))
	}
	return t.tab.at(name)
}

// KR returns constant name as a register, loading it into a fresh one when
// it is not kept in a register.
func (t *Target) KR(name string) VecVirtual {
	if r, ok := t.consts[name]; ok {
		return r
	}
	r := t.Vec()
	VMOVUPS(t.K(name), r)
	return r
}

// Zero returns a zeroed register.
func (t *Target) Zero() VecVirtual {
	r := t.Vec()
	VXORPS(r, r, r)
	return r
}

// Broadcast loads the float32 parameter name into every lane, straight from
// the argument frame: a legacy-SSE MOVSS after the wide constant loads
// would meet dirty upper register halves, which costs an SSE/AVX state
// transition (measured: ~1us per call on the Xeon of the team's machine).
func (t *Target) Broadcast(name string) VecVirtual {
	b, err := Param(name).Resolve()
	if err != nil {
		panic(err)
	}
	r := t.Vec()
	VBROADCASTSS(b.Addr, r)
	return r
}

// Comparison predicates of VCMPPS.
const (
	LT  = 0x11 // less, ordered (false on NaN)
	GE  = 0x1d // greater or equal, ordered
	GT  = 0x1e // greater, ordered
	NLE = 0x16 // not less or equal, unordered: x > y or either is NaN
)

// Sel returns (a pred b) ? x : y lane by lane. b and x may be constants
// (memory on AVX2); a and y are registers.
func (t *Target) Sel(pred uint8, a, b, x, y Op) VecVirtual {
	d := t.Vec()
	if t.Z {
		k := K()
		VCMPPS(U8(pred), b, a, k)
		VBLENDMPS(x, y, k, d)
		return d
	}
	m := t.Vec()
	VCMPPS(U8(pred), b, a, m)
	VBLENDVPS(m, x, y, d)
	return d
}

// SelZero returns (a pred b) ? x : +0 lane by lane.
func (t *Target) SelZero(pred uint8, a, b, x Op) VecVirtual {
	d := t.Vec()
	if t.Z {
		k := K()
		VCMPPS(U8(pred), b, a, k)
		VMOVAPS_Z(x, k, d)
		return d
	}
	VCMPPS(U8(pred), b, a, d)
	VANDPS(x, d, d)
	return d
}

// CopySign returns the magnitude of mag with the sign of sgn.
func (t *Target) CopySign(mag, sgn VecVirtual) VecVirtual {
	if t.Z {
		// imm 0xd8: C ? B : A bit by bit, with A = mag, B = sgn, C = the sign mask.
		VPTERNLOGD(U8(0xd8), t.K("sign"), sgn, mag)
		return mag
	}
	s := t.Vec()
	VANDPS(t.K("sign"), sgn, s)
	VANDPS(t.K("abs"), mag, mag)
	VORPS(s, mag, mag)
	return mag
}

// ExpConsts are the constants Exp and Expm1 need; ExpRegs those that must be
// registers on AVX2 too (NaN-propagating clamps take the constant as the
// first source, which cannot be memory).
var (
	ExpConsts = []string{"log2e", "magic", "ln2hi", "ln2lo", "c5", "c4", "c3", "c2", "c1", "c0", "one", "explo", "exphi"}
	ExpRegs   = []string{"magic", "explo", "exphi"}
	Em1Consts = []string{"log2e", "magic", "ln2hi", "ln2lo", "c5", "c4", "c3", "c2", "c1", "c0", "one", "em1lo"}
	Em1Regs   = []string{"magic", "em1lo"}
)

// reduce clamps x into [lo, hi] (hi == "" for none), keeping NaN (MAXPS and
// MINPS return their second source operand, x, when either is NaN), and
// returns r = x - k*ln2, kf = k as a float and t, whose bits minus magic's
// are k: the Cody-Waite reduction with |r| <= ln2/2, r exact up to the
// rounding of k*ln2lo.
func (t *Target) reduce(x VecVirtual, lo, hi string) (r, kf, tt VecVirtual) {
	r = t.Vec()
	VMAXPS(x, t.K(lo), r)
	if hi != "" {
		VMINPS(r, t.K(hi), r)
	}
	tt = t.Vec()
	VMOVAPS(t.K("magic"), tt)
	VFMADD231PS(t.K("log2e"), r, tt) // tt = r*log2e + magic: k in the low bits
	kf = t.Vec()
	VSUBPS(t.K("magic"), tt, kf)
	VFNMADD231PS(t.K("ln2hi"), kf, r) // exact: kf*ln2hi has at most 17 bits
	VFNMADD231PS(t.K("ln2lo"), kf, r)
	return r, kf, tt
}

// em1r returns e**r - 1 = r + r*r*P(r) (r is not modified).
func (t *Target) em1r(r VecVirtual) VecVirtual {
	p := t.Vec()
	VMOVUPS(t.K("c5"), p)
	for _, c := range []string{"c4", "c3", "c2", "c1", "c0"} {
		VFMADD213PS(t.K(c), r, p) // p = r*p + c
	}
	z := t.Vec()
	VMULPS(r, r, z)
	VFMADD213PS(r, z, p) // p = z*p + r
	return p
}

// Exp returns e**x lane by lane (x is not modified): NaN stays NaN, overflow
// is +Inf and small results are subnormal or 0, rounded once. 2**k is
// applied in two halves 2**(k>>1) * 2**(k-k>>1), both normal numbers for
// every k in [-150, 128], so that only the last multiplication rounds
// (AVX-512 has VSCALEFPS, which does the same in one instruction).
func (t *Target) Exp(x VecVirtual) VecVirtual {
	r, kf, tt := t.reduce(x, "explo", "exphi")
	p := t.em1r(r)
	VADDPS(t.K("one"), p, p)
	if t.Z {
		VSCALEFPS(kf, p, p) // p * 2**floor(kf)
		return p
	}
	VPSUBD(t.K("magic"), tt, tt) // k
	VPSRAD(U8(1), tt, kf)        // k1 = k>>1
	VPSUBD(kf, tt, tt)           // k2 = k-k1
	VPSLLD(U8(23), kf, kf)
	VPADDD(t.K("one"), kf, kf) // 2**k1: the bits of 1.0 are the exponent bias
	VPSLLD(U8(23), tt, tt)
	VPADDD(t.K("one"), tt, tt) // 2**k2
	VMULPS(kf, p, p)
	VMULPS(tt, p, p)
	return p
}

// Expm1 returns e**x - 1 lane by lane for x <= 0 (NaN stays NaN; lanes with
// x > 0 get unspecified values) as 2**k*(e**r-1) + (2**k-1), which has no
// cancellation: for |x| < ln2/2, k = 0 and the result is e**r-1 itself.
func (t *Target) Expm1(x VecVirtual) VecVirtual {
	r, kf, tt := t.reduce(x, "em1lo", "")
	p := t.em1r(r)
	VPSLLD(U8(23), tt, tt) // k<<23: magic's low bits are 0
	VPADDD(t.K("one"), tt, tt)
	VSUBPS(t.K("one"), tt, kf) // 2**k - 1, exact
	VFMADD213PS(kf, tt, p)     // p = 2**k*p + (2**k-1)
	return p
}

// Kernel is an elementwise kernel: Out[i] = Body(Ins[0][i], Ins[1][i], ...)
// over len(Ins[0]) elements (the Go wrapper checks the lengths).
type Kernel struct {
	Name    string   // function name without the level suffix
	Sig     string   // Go signature
	Out     string   // output slice parameter
	Ins     []string // input slice parameters
	Scalars []string // float32 parameters, broadcast into registers
	Consts  []string // constants of the body
	InReg   []string // constants that stay in registers on AVX2
	Unroll  int      // vectors per main-loop iteration
	Body    func(t *Target, in, scalars []VecVirtual) VecVirtual
}

// Elementwise emits kernel k for t: a main loop over k.Unroll vectors, a
// loop over single vectors, then one masked vector for the last
// n % Lanes elements (AVX-512 opmask, AVX2 VMASKMOVPS; masked lanes are
// neither read nor written).
func (t *Target) Elementwise(k Kernel) {
	t.Begin(k.Name, k.Sig, k.Consts, k.InReg)
	var sc []VecVirtual
	for _, s := range k.Scalars {
		sc = append(sc, t.Broadcast(s))
	}
	out := Load(Param(k.Out).Base(), GP64()).(GPVirtual)
	var ins []GPVirtual
	for _, p := range k.Ins {
		ins = append(ins, Load(Param(p).Base(), GP64()).(GPVirtual))
	}
	n := Load(Param(k.Ins[0]).Len(), GP64()).(GPVirtual)
	L := func(s string) string { return k.Name + t.Name + "_" + s }
	step := t.Lanes * 4

	block := func(u int) {
		in := make([]VecVirtual, len(ins))
		for j, p := range ins {
			in[j] = t.Vec()
			VMOVUPS(Mem{Base: p, Disp: u * step}, in[j])
		}
		VMOVUPS(k.Body(t, in, sc), Mem{Base: out, Disp: u * step})
	}
	advance := func(v int) {
		ADDQ(U32(v*step), out)
		for _, p := range ins {
			ADDQ(U32(v*step), p)
		}
		SUBQ(U32(v*t.Lanes), n)
	}
	Label(L("loop"))
	CMPQ(n, U32(k.Unroll*t.Lanes))
	JB(LabelRef(L("single")))
	for u := 0; u < k.Unroll; u++ {
		block(u)
	}
	advance(k.Unroll)
	JMP(LabelRef(L("loop")))

	Label(L("single"))
	CMPQ(n, U32(t.Lanes))
	JB(LabelRef(L("tail")))
	block(0)
	advance(1)
	JMP(LabelRef(L("single")))

	Label(L("tail"))
	TESTQ(n, n)
	JZ(LabelRef(L("done")))
	m := t.TailMask(n)
	in := make([]VecVirtual, len(ins))
	for j, p := range ins {
		in[j] = t.MaskLoad(m, Mem{Base: p})
	}
	t.MaskStore(m, k.Body(t, in, sc), Mem{Base: out})

	Label(L("done"))
	VZEROUPPER()
	RET()
}

// Mask is a tail mask: an opmask register (AVX-512) or a vector (AVX2).
type Mask struct {
	k Op
	v VecVirtual
}

// TailMask returns the mask of the first n lanes, 0 <= n < Lanes.
func (t *Target) TailMask(n GPVirtual) Mask {
	p := GP64()
	if t.Z {
		LEAQ(t.tab.KMask, p)
		k := K()
		KMOVW(Mem{Base: p, Index: n, Scale: 2}, k)
		return Mask{k: k}
	}
	LEAQ(t.tab.Tail.Offset(32), p)
	NEGQ(n)
	m := t.Vec()
	VMOVDQU(Mem{Base: p, Index: n, Scale: 4}, m) // 8-n elements into the table
	NEGQ(n)
	return Mask{v: m}
}

// MaskLoad loads the masked lanes from src and zeroes the others.
func (t *Target) MaskLoad(m Mask, src Mem) VecVirtual {
	r := t.Vec()
	if t.Z {
		VMOVUPS_Z(src, m.k, r)
	} else {
		VMASKMOVPS(src, m.v, r)
	}
	return r
}

// MaskStore stores the masked lanes of v to dst.
func (t *Target) MaskStore(m Mask, v VecVirtual, dst Mem) {
	if t.Z {
		VMOVUPS(v, m.k, dst)
	} else {
		VMASKMOVPS(v, m.v, dst)
	}
}

// MaskBlend sets the lanes of v outside m to c (a constant register).
func (t *Target) MaskBlend(m Mask, v VecVirtual, c Op) {
	if t.Z {
		VBLENDMPS(v, c, m.k, v)
	} else {
		VBLENDVPS(m.v, v, c, v)
	}
}

// MaskAnd returns v with the lanes outside m set to +0 (v is clobbered).
func (t *Target) MaskAnd(m Mask, v VecVirtual) VecVirtual {
	if t.Z {
		VMOVAPS_Z(v, m.k, v)
	} else {
		VANDPS(m.v, v, v)
	}
	return v
}
