package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func skipWithoutAMX(t *testing.T) {
	t.Helper()
	if !available(AMX) {
		t.Skip("the amx level is not available here (it needs NNRT_ISA=amx and a CPU with AMX-BF16; make test-amx)")
	}
}

// TestAMXSplit: the three parts sum to x exactly, each is a bfloat16, and
// the range check flags exactly the values outside [2^-50, 2^100) but 0.
func TestAMXSplit(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 100000; i++ {
		x := math.Float32frombits(rng.Uint32())
		e := int(math.Float32bits(x)>>23) & 0xFF
		p, ok := amxSplit(x)
		wantOK := x == 0 || (e >= amxMinExp && e <= amxMaxExp)
		if ok != wantOK {
			t.Fatalf("x=%g: in range %v, want %v", x, ok, wantOK)
		}
		if !ok {
			continue
		}
		for _, v := range p {
			if math.Float32bits(v)&0xFFFF != 0 {
				t.Fatalf("x=%g: part %g is not a bfloat16", x, v)
			}
		}
		if p[0]+p[1]+p[2] != x || float64(p[0])+float64(p[1])+float64(p[2]) != float64(x) {
			t.Fatalf("x=%g: parts %v do not sum to it", x, p)
		}
	}
	for _, x := range []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 1e-20, -1e-20, 1e-45, 1e31, math.MaxFloat32} {
		if _, ok := amxSplit(x); ok {
			t.Errorf("%g: reported in range", x)
		}
	}
	for _, x := range []float32{0, float32(math.Copysign(0, -1)), 1e-15, 1e30, -3} {
		if _, ok := amxSplit(x); !ok {
			t.Errorf("%g: reported out of range", x)
		}
	}
}

// TestAMXPack: the asm packs the bits of the Go oracle in all four modes,
// touches nothing outside its tiles, and flags out-of-range values.
func TestAMXPack(t *testing.T) {
	skipWithoutAMX(t)
	rng := rand.New(rand.NewPCG(3, 4))
	const ntiles, seg = 3, 4 * AMXChunk
	for _, kMajor := range []bool{false, true} {
		for _, transpose := range []bool{false, true} {
			ld := 37 + 16
			if kMajor {
				ld = 16 + 5
			}
			srcStep := 32
			if kMajor {
				srcStep = 32 * ld
			}
			src := make([]float32, (ntiles-1)*srcStep+32*ld+32)
			for i := range src {
				src[i] = float32(rng.NormFloat64()) * float32(math.Exp2(float64(rng.IntN(40)-20)))
			}
			want := make([]uint16, 3*seg)
			got := make([]uint16, 3*seg)
			for i := range got {
				got[i], want[i] = 0xABCD, 0xABCD
			}
			const dstStep = AMXChunk + 512
			alpha := float32(-1.5)
			okW := amxPackGeneric(want, seg, src, ld, ntiles, srcStep, dstStep, alpha, kMajor, transpose)
			okG := AMXPack(got, seg, src, ld, ntiles, srcStep, dstStep, alpha, kMajor, transpose)
			if !okW || !okG {
				t.Fatalf("kMajor=%v transpose=%v: in-range data flagged (go %v asm %v)", kMajor, transpose, okW, okG)
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("kMajor=%v transpose=%v: dst[%d] = %#04x, want %#04x", kMajor, transpose, i, got[i], want[i])
				}
			}
			for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(-1)), 1e-30, 1e38} {
				saved := src[srcStep+2*ld+5]
				src[srcStep+2*ld+5] = bad
				if AMXPack(got, seg, src, ld, ntiles, srcStep, dstStep, 1, kMajor, transpose) {
					t.Errorf("kMajor=%v transpose=%v: %g not flagged", kMajor, transpose, bad)
				}
				src[srcStep+2*ld+5] = saved
			}
		}
	}
}

// packAMXPanel packs a 32-line micro-panel of depth kp (a multiple of 32)
// in the A layout from row-major lines, or in the B layout from k-major
// ones, as blas does.
func packAMXPanel(dst []uint16, seg int, src []float32, ld, kp int, alpha float32, kMajor bool) bool {
	step, half := 32, 16*ld
	if kMajor {
		step, half = 32*ld, 16
	}
	ok := AMXPack(dst, seg, src, ld, kp/32, step, AMXChunk, alpha, kMajor, false)
	return AMXPack(dst[512:], seg, src[half:], ld, kp/32, step, AMXChunk, alpha, kMajor, false) && ok
}

// TestAMXKernel: the asm and its Go oracle, every mode, partial rows and
// columns, against a float64 reference: the error stays within that of a
// float32 dot product, and C outside the valid block keeps its guard
// values.
func TestAMXKernel(t *testing.T) {
	kernels := map[string]func(a, b []uint16, seg, np, aStride int, c []float32, ldc, rows, cols int, alpha, beta float32, mode int, scratch []float32){
		"generic": amxKernelGeneric,
	}
	if available(AMX) {
		kernels["asm"] = AMXKernel
	}
	for name, kernel := range kernels {
		t.Run(name, func(t *testing.T) { testAMXKernel(t, kernel) })
	}
}

func testAMXKernel(t *testing.T, kernel func(a, b []uint16, seg, np, aStride int, c []float32, ldc, rows, cols int, alpha, beta float32, mode int, scratch []float32)) {
	rng := rand.New(rand.NewPCG(5, 6))
	const np, kp = 3, 96
	const seg = kp / 32 * AMXChunk
	lda, ldb, ldc := kp+3, 32+7, 32+5
	m := np * 32
	a := make([]float32, m*lda)
	b := make([]float32, kp*ldb)
	for i := range a {
		a[i] = float32(rng.NormFloat64())
	}
	for i := range b {
		b[i] = float32(rng.NormFloat64())
	}
	pa := make([]uint16, np*3*seg)
	pb := make([]uint16, 3*seg)
	for p := 0; p < np; p++ {
		packAMXPanel(pa[p*3*seg:], seg, a[p*32*lda:], lda, kp, 1, false)
	}
	packAMXPanel(pb, seg, b, ldb, kp, 1, true) // AMXPack is the oracle's on levels without AMX
	scratch := make([]float32, 1024)
	for _, tc := range []struct {
		rows, cols, mode int
		alpha, beta      float32
	}{{32, 32, 0, 1, 0}, {32, 32, 1, 0.5, 1}, {32, 32, 2, -2, 0.25}, {5, 17, 1, 1, 1}, {1, 1, 2, 3, -1}, {31, 16, 0, 1, 0}, {32, 15, 2, 1, 2}} {
		c := make([]float32, m*ldc)
		c0 := make([]float32, len(c))
		for i := range c0 {
			c0[i] = float32(rng.NormFloat64())
		}
		copy(c, c0)
		if tc.mode == 0 {
			for i := range c {
				c[i] = float32(math.NaN()) // not read
			}
		}
		kernel(pa, pb, seg, np, 3*seg, c, ldc, tc.rows, tc.cols, tc.alpha, tc.beta, tc.mode, scratch)
		validRows := (np-1)*32 + tc.rows
		var worst, worstFMA float64
		for i := 0; i < m; i++ {
			for j := 0; j < ldc; j++ {
				got := c[i*ldc+j]
				if i >= validRows || j >= tc.cols {
					if tc.mode != 0 && got != c0[i*ldc+j] || tc.mode == 0 && !math.IsNaN(float64(got)) {
						t.Fatalf("%+v: C[%d,%d] outside the block changed to %g", tc, i, j, got)
					}
					continue
				}
				var s, sabs float64
				var s32 float32
				for p := 0; p < kp; p++ {
					x, y := float64(a[i*lda+p]), float64(b[p*ldb+j])
					s += x * y
					sabs += math.Abs(x * y)
					s32 = float32(math.FMA(x, y, float64(s32)))
				}
				want := float64(tc.alpha) * s
				if tc.mode != 0 {
					want += float64(tc.beta) * float64(c0[i*ldc+j])
				}
				scale := math.Abs(float64(tc.alpha))*sabs + math.Abs(float64(tc.beta)*float64(c0[i*ldc+j]))
				worst = math.Max(worst, math.Abs(float64(got)-want)/scale)
				worstFMA = math.Max(worstFMA, math.Abs(float64(tc.alpha)*(float64(s32)-s))/scale)
			}
		}
		// kp float32 roundings bound both; the tiles must do no worse than
		// twice the FMA chain's worst case here.
		if tol := float64(kp) * 0x1p-24; worst > tol || worst > 2*worstFMA+4*0x1p-24 {
			t.Errorf("%+v: worst relative error %.3g (FMA chain %.3g, bound %.3g)", tc, worst, worstFMA, tol)
		}
	}
}

// TestAMXKernelUnavailable: without the tiles, AMXKernel panics with a
// message instead of dying on an illegal instruction.
func TestAMXKernelUnavailable(t *testing.T) {
	if !compiledAsm || available(AMX) {
		t.Skip("the tiles are available (or there is no asm)")
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "NNRT_ISA=amx") {
			t.Errorf("recovered %v, want a panic naming NNRT_ISA=amx", r)
		}
	}()
	const seg = AMXChunk
	AMXKernel(make([]uint16, 3*seg), make([]uint16, 3*seg), seg, 1, 3*seg, make([]float32, 1024), 32, 32, 32, 1, 0, 0, make([]float32, 1024))
}
