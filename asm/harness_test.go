package asm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Shared test machinery for every kernel family. Each family test compares
// each level in Available() with the generic reference of the same family.

// forEachLevel runs f once per level this machine supports, as a subtest
// named after the level.
func forEachLevel(t *testing.T, f func(t *testing.T, l Level)) {
	for _, l := range Available() {
		t.Run(l.String(), func(t *testing.T) { f(t, l) })
	}
}

// testLengths are the lengths every kernel is tested on: 0..300 and a few
// large ones that cross every unroll and tail boundary.
func testLengths() []int {
	ns := make([]int, 0, 310)
	for n := 0; n <= 300; n++ {
		ns = append(ns, n)
	}
	return append(ns, 511, 1000, 1023, 1024, 4097, 65537)
}

// guardValue fills the bands around an output; a kernel that writes out of
// bounds changes it. It is a NaN with a payload no kernel produces.
var guardValue = math.Float32frombits(0x7fc0dead)

const guardLen = 32

// guarded is an output slice of n elements starting at offset off (0..15
// elements past a 64-byte boundary, to test unaligned access), with guard
// bands of guardLen elements on both sides.
type guarded struct {
	buf  []float32
	off  int
	Data []float32
}

func newGuarded(n, off int) *guarded {
	buf := make([]float32, off+guardLen+n+guardLen)
	for i := range buf {
		buf[i] = guardValue
	}
	g := &guarded{buf: buf, off: off}
	g.Data = buf[off+guardLen : off+guardLen+n : off+guardLen+n]
	return g
}

// fill copies src into Data and returns Data.
func (g *guarded) fill(src []float32) []float32 { copy(g.Data, src); return g.Data }

// check fails t when a guard element was written.
func (g *guarded) check(t *testing.T, what string) {
	t.Helper()
	n := len(g.Data)
	for i, v := range g.buf {
		inData := i >= g.off+guardLen && i < g.off+guardLen+n
		if !inData && math.Float32bits(v) != math.Float32bits(guardValue) {
			t.Fatalf("%s: write out of bounds at index %d relative to the output (n=%d)", what, i-(g.off+guardLen), n)
		}
	}
}

// randSlice returns n values uniform in [lo, hi) from r.
func randSlice(r *rand.Rand, n int, lo, hi float32) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = lo + (hi-lo)*r.Float32()
	}
	return s
}

// specialValues are the special inputs every elementwise kernel meets.
var specialValues = []float32{
	0, float32(math.Copysign(0, -1)), 1, -1,
	float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()),
	math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32,
	1.1754942e-38, -1.1754942e-38, // largest denormal
	math.MaxFloat32, -math.MaxFloat32,
	88.72283, 88.72284, -87.33654, -103.97208, -104, 1e-8, -1e-8,
}

// sameFloat reports whether a and b agree within tol, relative to max(1,|b|)
// (so near zero it is absolute). NaN equals NaN; infinities must match.
func sameFloat(a, b float32, tol float64) bool {
	if math.IsNaN(float64(a)) || math.IsNaN(float64(b)) {
		return math.IsNaN(float64(a)) && math.IsNaN(float64(b))
	}
	if math.IsInf(float64(a), 0) || math.IsInf(float64(b), 0) {
		return a == b
	}
	d := math.Abs(float64(a) - float64(b))
	return d <= tol*math.Max(1, math.Abs(float64(b)))
}

// ulpDiff is the distance between a and b in units in the last place; NaN
// against NaN is 0, NaN against a number is MaxInt64.
func ulpDiff(a, b float32) int64 {
	if a != a || b != b {
		if a != a && b != b {
			return 0
		}
		return math.MaxInt64
	}
	ia, ib := orderedBits(a), orderedBits(b)
	if ia > ib {
		return ia - ib
	}
	return ib - ia
}

func orderedBits(f float32) int64 {
	b := int64(int32(math.Float32bits(f)))
	if b < 0 {
		b = math.MinInt32 - b
	}
	return b
}
