package asm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestOver255Table: the table is numpy's x / 255. cast to float32 (a
// float64 quotient rounded to float32) for every byte, the value the
// dataset loaders compute, so that decoding gives the bits they gave.
func TestOver255Table(t *testing.T) {
	for k := 0; k < 256; k++ {
		if got, want := Over255Table[k], float32(float64(k)/255); math.Float32bits(got) != math.Float32bits(want) {
			t.Fatalf("byte %d: table %v, float64 quotient %v", k, got, want)
		}
	}
	if Over255Table[0] != 0 || math.Signbit(float64(Over255Table[0])) || Over255Table[255] != 1 {
		t.Fatalf("ends %v, %v: want +0 and 1", Over255Table[0], Over255Table[255])
	}
}

// TestOver255: every level gives the table's bits for every byte, on
// every length (the assembly's unrolled loops and the Go tail), unaligned
// source and destination, without writing past the output.
func TestOver255(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		k := decodeFor(l)
		all := make([]uint8, 256)
		for i := range all {
			all[i] = uint8(i)
		}
		r := rand.New(rand.NewPCG(7, 255))
		for _, n := range testLengths() {
			for _, off := range []int{0, 3} {
				src := make([]uint8, n+off)[off:]
				for i := range src {
					src[i] = all[(i*37+n)%256]
					if r.IntN(4) == 0 {
						src[i] = uint8(r.IntN(256))
					}
				}
				g := newGuarded(n, off)
				k.over255(g.Data, src)
				g.check(t, "over255")
				for i, b := range src {
					if math.Float32bits(g.Data[i]) != math.Float32bits(Over255Table[b]) {
						t.Fatalf("n=%d off=%d: dst[%d] = %v for byte %d, want %v", n, off, i, g.Data[i], b, Over255Table[b])
					}
				}
			}
		}
	})
}

func TestOver255Code(t *testing.T) {
	for k := 0; k < 256; k++ {
		if c, ok := Over255Code(Over255Table[k]); !ok || int(c) != k {
			t.Fatalf("code of byte %d's value: %d, %v", k, c, ok)
		}
		// the neighbouring floats are no byte's value
		v := Over255Table[k]
		for _, w := range []float32{math.Nextafter32(v, -1), math.Nextafter32(v, 2)} {
			if c, ok := Over255Code(w); ok {
				t.Fatalf("%v (next to byte %d's value) decodes as byte %d", w, k, c)
			}
		}
	}
	for _, v := range []float32{float32(math.Copysign(0, -1)), -1, 2, float32(math.NaN()), float32(math.Inf(1)), 0.1, 0.5} {
		if c, ok := Over255Code(v); ok {
			t.Fatalf("%v decodes as byte %d", v, c)
		}
	}
}

func TestOver255Short(t *testing.T) {
	for name, f := range map[string]func(){
		"Over255":      func() { Over255(make([]float32, 3), make([]uint8, 4)) },
		"Over255Codes": func() { Over255Codes(make([]uint8, 3), make([]float32, 4)) },
	} {
		func() {
			defer func() {
				if r := recover(); r != decodeErrShort {
					t.Fatalf("%s: panic %v, want %q", name, r, decodeErrShort)
				}
			}()
			f()
		}()
	}
}

// TestPrefetch: a hint only, on any slice (empty, unaligned, a line's
// last byte), that leaves the data as it was.
func TestPrefetch(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		buf := make([]uint8, 4096)
		for i := range buf {
			buf[i] = uint8(i * 7)
		}
		for _, s := range [][]uint8{nil, buf[:0], buf[63:64], buf[1:200], buf[64:128], buf} {
			decodeFor(l).prefetch(s)
		}
		for i, b := range buf {
			if b != uint8(i*7) {
				t.Fatalf("byte %d changed", i)
			}
		}
	})
}

// TestOver255Codes: on every level, the codes of a slice of byte values
// are those bytes, on every length and alignment, without writing past
// dst; and one value that is no byte's (a neighbour of one, -0, NaN, ±Inf,
// out of [0, 1], past the int32 range), at any position, makes it false.
func TestOver255Codes(t *testing.T) {
	bad := []float32{math.Nextafter32(Over255Table[17], 1), math.Nextafter32(Over255Table[200], 0),
		float32(math.Copysign(0, -1)), float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)),
		-Over255Table[3], 2, 255, 1e20, -1e20, 0.1, math.SmallestNonzeroFloat32}
	forEachLevel(t, func(t *testing.T, l Level) {
		k := decodeFor(l)
		r := rand.New(rand.NewPCG(3, 255))
		for _, n := range testLengths() {
			if n > 4097 {
				continue
			}
			for _, off := range []int{0, 5} {
				want := make([]uint8, n)
				src := make([]float32, n+off)[off:]
				for i := range src {
					want[i] = uint8(r.IntN(256))
					src[i] = Over255Table[want[i]]
				}
				buf := make([]uint8, n+2*guardLen)
				for i := range buf {
					buf[i] = 0xa5
				}
				dst := buf[guardLen : guardLen+n]
				if !k.codes(dst, src) {
					t.Fatalf("n=%d off=%d: byte values reported as not bytes", n, off)
				}
				for i := range dst {
					if dst[i] != want[i] {
						t.Fatalf("n=%d: dst[%d] = %d, want %d", n, i, dst[i], want[i])
					}
				}
				for i := 0; i < guardLen; i++ {
					if buf[i] != 0xa5 || buf[guardLen+n+i] != 0xa5 {
						t.Fatalf("n=%d: write out of bounds", n)
					}
				}
				if n == 0 || n > 300 {
					continue
				}
				// one bad value at a position of each vector lane and the tail
				for _, at := range []int{0, n - 1, n / 2, r.IntN(n)} {
					v := bad[r.IntN(len(bad))]
					old := src[at]
					src[at] = v
					if k.codes(dst, src) {
						t.Fatalf("n=%d: %v at %d reported as a byte", n, v, at)
					}
					src[at] = old
				}
			}
		}
		// every byte value, and every bad value, alone
		all := make([]float32, 256)
		copy(all, Over255Table[:])
		dst := make([]uint8, 256)
		if !k.codes(dst, all) {
			t.Fatal("the table is not all bytes")
		}
		for i, c := range dst {
			if int(c) != i {
				t.Fatalf("code of byte %d's value: %d", i, c)
			}
		}
		for _, v := range bad {
			x := make([]float32, 16)
			x[7] = v
			if k.codes(make([]uint8, 16), x) {
				t.Fatalf("%v reported as a byte", v)
			}
		}
	})
}
