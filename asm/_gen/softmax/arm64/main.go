// Command arm64 generates asm/softmax_arm64.s, the NEON row kernel of the
// softmax family (semantics in asm/softmax.go). Run from asm/_gen (needs
// binutils-aarch64-linux-gnu):
//
//	go run ./softmax/arm64 -out ../softmax_arm64.s
package main

import (
	"flag"
	"fmt"
	"log"

	"github.com/nnrt/nnrt/asm/_gen/act/neon"
)

// Registers: R0 dst row, R1 x row, R2 end of x, R3 row stride in bytes,
// R5 stats, R6 whole vectors per row, R7 the remaining elements, R9 len(dst),
// R10 len(stats), R11 R13 cursors, R12 counter; v1 row max, v5 vector sums,
// v4 sum of the tail elements, v6 scale/sum, v31 scale; v8-v15 exp scratch;
// v16-v30 constants.
func rows(f *neon.File) {
	const name = "softmaxRowsNEON"
	f.Raw("")
	f.Raw("// func %s(dst, x []float32, cols int, scale float32, stats []float32)", name)
	f.Raw("TEXT ·%s(SB), NOSPLIT, $0-88", name)
	f.G("MOVD dst_base+0(FP), R0")
	f.G("MOVD dst_len+8(FP), R9")
	f.G("MOVD x_base+24(FP), R1")
	f.G("MOVD x_len+32(FP), R2")
	f.G("ADD R2<<2, R1, R2")
	f.G("MOVD cols+48(FP), R3")
	f.G("FMOVS scale+56(FP), F31")
	f.G("MOVD stats_base+64(FP), R5")
	f.G("MOVD stats_len+72(FP), R10")
	f.G("LSR $2, R3, R6")
	f.G("AND $3, R3, R7")
	f.G("LSL $2, R3, R3")
	m := &neon.Math{F: f}
	m.LoadConsts(16, append([]string{"neginf", "zero"}, neon.ExpConsts...))
	L := func(s string) string { return name + "_" + s }
	exp := func(x int) int {
		m.R = neon.NewRegs(8, 15)
		return m.Exp(x)
	}

	f.G("CMP R2, R1")
	f.G("BHS %s", L("done"))
	f.Raw("%s:", L("row"))

	// Pass 1: the row maximum, vectors then the tail.
	f.V("mov v1.16b, v%d.16b", m.K["neginf"])
	f.G("MOVD R1, R11")
	f.G("MOVD R6, R12")
	f.Raw("%s:", L("max"))
	f.G("CBZ R12, %s", L("maxtail"))
	f.G("VLD1.P 16(R11), [V0.S4]")
	f.V("fmax v1.4s, v1.4s, v0.4s")
	f.G("SUB $1, R12")
	f.G("B %s", L("max"))
	f.Raw("%s:", L("maxtail"))
	f.V("fmaxv s1, v1.4s")
	f.G("MOVD R7, R12")
	f.Raw("%s:", L("maxtail1"))
	f.G("CBZ R12, %s", L("maxdone"))
	f.G("FMOVS (R11), F0")
	f.G("ADD $4, R11")
	f.V("fmax s1, s1, s0")
	f.G("SUB $1, R12")
	f.G("B %s", L("maxtail1"))
	f.Raw("%s:", L("maxdone"))
	f.V("dup v1.4s, v1.s[0]")

	// Pass 2: e = e**(x-max), summed, stored into dst when len(dst) > 0.
	f.V("mov v5.16b, v%d.16b", m.K["zero"])
	f.V("mov v4.16b, v%d.16b", m.K["zero"])
	f.G("MOVD R1, R11")
	f.G("MOVD R0, R13")
	f.G("MOVD R6, R12")
	f.Raw("%s:", L("exp"))
	f.G("CBZ R12, %s", L("exptail"))
	f.G("VLD1.P 16(R11), [V0.S4]")
	f.V("fsub v0.4s, v0.4s, v1.4s")
	e := exp(0)
	f.V("fadd v5.4s, v5.4s, v%d.4s", e)
	f.G("CBZ R9, 2(PC)")
	f.G("VST1.P [V%d.S4], 16(R13)", e)
	f.G("SUB $1, R12")
	f.G("B %s", L("exp"))
	f.Raw("%s:", L("exptail"))
	f.G("MOVD R7, R12")
	f.Raw("%s:", L("exptail1"))
	f.G("CBZ R12, %s", L("expdone"))
	f.G("FMOVS (R11), F0")
	f.G("ADD $4, R11")
	f.V("fsub v0.4s, v0.4s, v1.4s")
	e = exp(0)
	f.V("fadd s4, s4, s%d", e) // lane 0 only: the other lanes are not in the row
	f.G("CBZ R9, 3(PC)")
	f.G("FMOVS F%d, (R13)", e)
	f.G("ADD $4, R13")
	f.G("SUB $1, R12")
	f.G("B %s", L("exptail1"))
	f.Raw("%s:", L("expdone"))
	f.V("faddp v5.4s, v5.4s, v5.4s")
	f.V("faddp s5, v5.2s")
	f.V("fadd s5, s5, s4")

	// Row statistics.
	f.G("CBZ R10, %s", L("nostats"))
	f.G("FMOVS F1, (R5)")
	f.G("FMOVS F5, 4(R5)")
	f.G("ADD $8, R5")
	f.Raw("%s:", L("nostats"))

	// Pass 3: dst *= scale/sum.
	f.G("CBZ R9, %s", L("next"))
	f.V("fdiv s6, s31, s5")
	f.V("dup v6.4s, v6.s[0]")
	f.G("MOVD R0, R13")
	f.G("MOVD R6, R12")
	f.Raw("%s:", L("scale"))
	f.G("CBZ R12, %s", L("scaletail"))
	f.G("VLD1 (R13), [V7.S4]")
	f.V("fmul v7.4s, v7.4s, v6.4s")
	f.G("VST1.P [V7.S4], 16(R13)")
	f.G("SUB $1, R12")
	f.G("B %s", L("scale"))
	f.Raw("%s:", L("scaletail"))
	f.G("MOVD R7, R12")
	f.Raw("%s:", L("scaletail1"))
	f.G("CBZ R12, %s", L("scaled"))
	f.G("FMOVS (R13), F7")
	f.V("fmul s7, s7, s6")
	f.G("FMOVS F7, (R13)")
	f.G("ADD $4, R13")
	f.G("SUB $1, R12")
	f.G("B %s", L("scaletail1"))
	f.Raw("%s:", L("scaled"))
	f.G("ADD R3, R0")
	f.Raw("%s:", L("next"))
	f.G("ADD R3, R1")
	f.G("CMP R2, R1")
	f.G("BLO %s", L("row"))
	f.Raw("%s:", L("done"))
	f.G("RET")
}

func main() {
	out := flag.String("out", "", "output file")
	flag.Parse()
	f := neon.NewFile(fmt.Sprintf("go run ./softmax/arm64 -out %s", *out))
	rows(f)
	if err := f.Write(*out); err != nil {
		log.Fatal(err)
	}
}
