package blas

import (
	"math/rand/v2"
	"testing"
)

// TestDivisor checks divisor's quotients, ceilings and remainders against
// the division instruction for every divisor the blockings use and a few
// others, on the numbers around their multiples, random ones, and both
// sides of 2^32 (where it falls back to division).
func TestDivisor(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	ds := []int{1, 2, 3, 4, 6, 7, 8, 12, 16, 32, 96, 100, 256, 384, 4080, 1<<31 - 1, 1 << 31, 1<<32 - 1}
	for i := 0; i < 50; i++ {
		ds = append(ds, 1+r.IntN(1<<20))
	}
	for _, d := range ds {
		v := newDivisor(d)
		ns := []int{0, 1, 2, d - 1, d, d + 1, 2*d - 1, 2 * d, 1<<32 - 2, 1<<32 - 1, 1 << 32, 1<<32 + 1, 1 << 40}
		for i := 0; i < 200; i++ {
			ns = append(ns, r.IntN(1<<32), r.IntN(1<<16))
		}
		for _, n := range ns {
			if n < 0 {
				continue
			}
			if got, want := v.div(n), n/d; got != want {
				t.Fatalf("%d/%d = %d, want %d", n, d, got, want)
			}
			if got, want := v.mod(n), n%d; got != want {
				t.Fatalf("%d mod %d = %d, want %d", n, d, got, want)
			}
			if n < 1<<40 {
				if got, want := v.ceil(n), (n+d-1)/d; got != want {
					t.Fatalf("ceil(%d/%d) = %d, want %d", n, d, got, want)
				}
			}
		}
	}
}
