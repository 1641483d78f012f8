package asm

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// useDropoutLevel makes the exported dropout functions run on level l until
// the returned function restores the active table. Tests that use it must
// not run in parallel.
func useDropoutLevel(l Level) (restore func()) {
	saved := dropout
	dropout = dropoutFor(l)
	return func() { dropout = saved }
}

// maskGuard is the value of the mask words after the ones a call may write.
const maskGuard = 0xdeadbeefcafef00d

// guardedMask returns a mask of (n+63)/64 words followed by 2 guard words,
// all filled with maskGuard, and the words the call owns.
func guardedMask(n int) (buf, mask []uint64) {
	w := (n + 63) / 64
	buf = make([]uint64, w+2)
	for i := range buf {
		buf[i] = maskGuard
	}
	return buf, buf[:w:w]
}

// checkMask fails t unless the mask holds exactly want[i] at bit i < n,
// zeros above n in the last word, and the guard words are untouched.
func checkMask(t *testing.T, what string, buf []uint64, n int, want func(i int) bool) {
	t.Helper()
	w := (n + 63) / 64
	for i := 0; i < w*64; i++ {
		got := buf[i/64]>>(i%64)&1 != 0
		exp := i < n && want(i)
		if got != exp {
			t.Fatalf("%s: mask bit %d = %v, want %v (n=%d)", what, i, got, exp, n)
		}
	}
	for i := w; i < len(buf); i++ {
		if buf[i] != maskGuard {
			t.Fatalf("%s: mask word %d past the end written (n=%d)", what, i, n)
		}
	}
}

func TestDropoutForwardLevels(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		defer useDropoutLevel(l)()
		r := rand.New(rand.NewPCG(1, 2))
		for _, n := range testLengths() {
			for off := range 16 {
				if n > 300 && off%5 != 0 {
					continue
				}
				seed, offset := r.Uint64(), r.Uint64()>>r.IntN(64)
				if offset > math.MaxUint64-uint64(n) {
					offset = 0
				}
				rate := []float32{0.1, 0.5, 0.9, 0.2}[off%4]
				x := randSlice(r, n, -3, 3)
				g := newGuarded(n, off)
				buf, mask := guardedMask(n)
				DropoutForward(g.Data, x, mask, rate, seed, offset)
				g.check(t, "DropoutForward")
				keep := func(i int) bool { return dropoutKeep(seed, offset+uint64(i), rate) }
				checkMask(t, "DropoutForward", buf, n, keep)
				scale := 1 / (1 - rate)
				for i, v := range x {
					want := float32(0)
					if keep(i) {
						want = v * scale
					}
					if math.Float32bits(g.Data[i]) != math.Float32bits(want) {
						t.Fatalf("n=%d off=%d: dst[%d] = %v, want %v", n, off, i, g.Data[i], want)
					}
				}
			}
		}
	})
}

func TestAlphaDropoutForwardLevels(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		defer useDropoutLevel(l)()
		r := rand.New(rand.NewPCG(3, 4))
		for _, n := range testLengths() {
			off := n % 16
			seed, offset := r.Uint64(), uint64(r.Uint32())
			rate := float32(0.2)
			x := randSlice(r, n, -3, 3)
			g := newGuarded(n, off)
			buf, mask := guardedMask(n)
			AlphaDropoutForward(g.Data, x, mask, rate, seed, offset)
			g.check(t, "AlphaDropoutForward")
			keep := func(i int) bool { return dropoutKeep(seed, offset+uint64(i), rate) }
			checkMask(t, "AlphaDropoutForward", buf, n, keep)
			a, b := AlphaDropoutCoefficients(rate)
			dropped := float32(a*float32(alphaDropoutAlphaP)) + b
			for i, v := range x {
				want := dropped
				if keep(i) {
					want = float32(a*v) + b
				}
				if math.Float32bits(g.Data[i]) != math.Float32bits(want) {
					t.Fatalf("n=%d: dst[%d] = %v, want %v", n, i, g.Data[i], want)
				}
			}
		}
	})
}

func TestDropoutBackwardLevels(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		defer useDropoutLevel(l)()
		r := rand.New(rand.NewPCG(5, 6))
		for _, n := range testLengths() {
			for off := range 16 {
				if n > 300 && off%5 != 0 {
					continue
				}
				dy := randSlice(r, n, -3, 3)
				if n > 0 {
					copy(dy, specialValues[:min(n, len(specialValues))])
				}
				// Random words; the bits past n must be ignored.
				mask := make([]uint64, (n+63)/64)
				for i := range mask {
					mask[i] = r.Uint64()
				}
				scale := float32(1.25)
				g := newGuarded(n, off)
				DropoutBackward(g.Data, dy, mask, scale)
				g.check(t, "DropoutBackward")
				for i, v := range dy {
					want := float32(0)
					if mask[i/64]>>(i%64)&1 != 0 {
						want = v * scale
					}
					if !sameBitsOrNaN(g.Data[i], want) {
						t.Fatalf("n=%d off=%d: dx[%d] = %v, want %v", n, off, i, g.Data[i], want)
					}
				}
			}
		}
	})
}

// sameBitsOrNaN compares bit for bit (so -0 differs from +0), except that
// any NaN equals any NaN (the quieting of a NaN payload is the hardware's
// business).
func sameBitsOrNaN(a, b float32) bool {
	if a != a || b != b {
		return a != a && b != b
	}
	return math.Float32bits(a) == math.Float32bits(b)
}

// TestDropoutSplits checks that the mask of a tensor does not depend on how
// it is split into calls, including across a 2^32 block of positions, where
// the keys change inside a mask word.
func TestDropoutSplits(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		defer useDropoutLevel(l)()
		const n = 777
		seed := uint64(42)
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(i) + 1
		}
		for _, offset := range []uint64{0, 5, 1<<32 - 300, 1<<32 - 64, 1<<32 - 37, 1<<33 - 1, math.MaxUint64 - n} {
			for _, split := range []int{0, 1, 17, 63, 64, 65, 200, 512, n} {
				dst := make([]float32, n)
				m1 := make([]uint64, (split+63)/64)
				m2 := make([]uint64, (n-split+63)/64)
				DropoutForward(dst[:split], x[:split], m1, 0.5, seed, offset)
				DropoutForward(dst[split:], x[split:], m2, 0.5, seed, offset+uint64(split))
				for i := range n {
					want := dropoutKeep(seed, offset+uint64(i), 0.5)
					var got bool
					if i < split {
						got = m1[i/64]>>(i%64)&1 != 0
					} else {
						j := i - split
						got = m2[j/64]>>(j%64)&1 != 0
					}
					if got != want || (dst[i] != 0) != want {
						t.Fatalf("offset %d split %d: element %d keep %v, want %v", offset, split, i, got, want)
					}
				}
			}
		}
	})
}

func TestDropoutIdentityAtRateZero(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		defer useDropoutLevel(l)()
		x := append(randSlice(rand.New(rand.NewPCG(7, 8)), 100, -5, 5), specialValues...)
		for _, fw := range []func(dst, x []float32, mask []uint64, rate float32, seed, offset uint64){DropoutForward, AlphaDropoutForward} {
			dst := make([]float32, len(x))
			buf, mask := guardedMask(len(x))
			fw(dst, x, mask, 0, 9, 0)
			checkMask(t, "rate 0", buf, len(x), func(int) bool { return true })
			for i := range x {
				if !sameBitsOrNaN(dst[i], x[i]) {
					t.Fatalf("rate 0: dst[%d] = %v, want %v", i, dst[i], x[i])
				}
			}
		}
	})
}

func TestDropoutArgumentChecks(t *testing.T) {
	x := make([]float32, 65)
	mask := make([]uint64, 2)
	nan := float32(math.NaN())
	for _, c := range []struct {
		name, msg string
		f         func()
	}{
		{"rate -0.1", dropoutErrRate, func() { DropoutForward(x, x, mask, -0.1, 0, 0) }},
		{"rate 1", dropoutErrRate, func() { DropoutForward(x, x, mask, 1, 0, 0) }},
		{"rate 1.5", dropoutErrRate, func() { AlphaDropoutForward(x, x, mask, 1.5, 0, 0) }},
		{"rate NaN", dropoutErrRate, func() { DropoutForward(x, x, mask, nan, 0, 0) }},
		{"coefficients rate 1", dropoutErrRate, func() { AlphaDropoutCoefficients(1) }},
		{"short mask", dropoutErrMask, func() { DropoutForward(x, x, mask[:1], 0.5, 0, 0) }},
		{"short mask alpha", dropoutErrMask, func() { AlphaDropoutForward(x, x, mask[:1], 0.5, 0, 0) }},
		{"short mask backward", dropoutErrMask, func() { DropoutBackward(x, x, mask[:1], 2) }},
		{"length", dropoutErrLength, func() { DropoutForward(x[:3], x, mask, 0.5, 0, 0) }},
		{"length backward", dropoutErrLength, func() { DropoutBackward(x[:3], x, mask, 2) }},
	} {
		func() {
			defer func() {
				r := recover()
				if s, _ := r.(string); s != c.msg {
					t.Errorf("%s: panic %v, want %q", c.name, r, c.msg)
				}
			}()
			c.f()
		}()
	}
	if !strings.Contains(dropoutErrRate, "[0, 1)") {
		t.Errorf("rate message %q does not state the range", dropoutErrRate)
	}
}

func TestAlphaDropoutCoefficients(t *testing.T) {
	// Keras's values at rate 0.2 (SEMANTICS.md): a = 0.878904, b = 0.309040.
	a, b := AlphaDropoutCoefficients(0.2)
	if math.Abs(float64(a)-0.878904) > 5e-7 || math.Abs(float64(b)-0.309040) > 5e-7 {
		t.Errorf("rate 0.2: a, b = %v, %v, want 0.878904, 0.309040", a, b)
	}
	// For a standard normal input the output has mean 0 and variance 1:
	// the kept value x and the dropped alphaP give E = a*p*alphaP + b = 0 and
	// Var = a^2*(1-p)*(1+p*alphaP^2) = 1.
	for _, p := range []float64{0.05, 0.2, 0.5, 0.8} {
		a, b := AlphaDropoutCoefficients(float32(p))
		mean := float64(a)*p*alphaDropoutAlphaP + float64(b)
		variance := float64(a) * float64(a) * (1 - p) * (1 + p*alphaDropoutAlphaP*alphaDropoutAlphaP)
		if math.Abs(mean) > 1e-6 || math.Abs(variance-1) > 1e-6 {
			t.Errorf("rate %v: mean %v, a^2*(1-p)*(1+p*alphaP^2) = %v", p, mean, variance)
		}
	}
}

// keepBits returns the keep decisions of positions [0, n) under seed and
// rate, computed by the active level in calls of 1 MiB elements.
func keepBits(n int, rate float32, seed uint64) []uint64 {
	const chunk = 1 << 20
	x := make([]float32, chunk)
	mask := make([]uint64, (n+63)/64)
	for i := 0; i < n; i += chunk {
		m := min(chunk, n-i)
		DropoutForward(x[:m], x[:m], mask[i/64:], rate, seed, uint64(i))
	}
	return mask
}

func bit(m []uint64, i int) float64 { return float64(m[i/64] >> (i % 64) & 1) }

// TestDropoutStatistics checks the random bits over 10^7 draws: the keep
// rate is within 4 standard deviations of 1-p, and the Pearson correlation
// of the keep indicators of neighbouring positions (lags 1, 2, 16, 64) and
// of the same position under consecutive seeds is within 4/sqrt(N), four
// standard deviations of the correlation of N independent pairs.
func TestDropoutStatistics(t *testing.T) {
	n := 10_000_000
	if testing.Short() {
		n = 1_000_000
	}
	for _, rate := range []float32{0.5, 0.2} {
		m := keepBits(n, rate, 7)
		kept := 0
		for i := range n {
			kept += int(bit(m, i))
		}
		p := 1 - float64(rate)
		sd := math.Sqrt(float64(n) * p * (1 - p))
		d := math.Abs(float64(kept) - float64(n)*p)
		t.Logf("rate %v: kept %d of %d (%.2f sd from n(1-p))", rate, kept, n, d/sd)
		if d > 4*sd {
			t.Errorf("rate %v: kept %d of %d, %.1f sd from %v", rate, kept, n, d/sd, float64(n)*p)
		}
		bound := 4 / math.Sqrt(float64(n))
		for _, lag := range []int{1, 2, 16, 64} {
			c := correlation(n-lag, func(i int) (float64, float64) { return bit(m, i), bit(m, i+lag) })
			t.Logf("rate %v: correlation at lag %d = %+.2e (bound %.2e)", rate, lag, c, bound)
			if math.Abs(c) > bound {
				t.Errorf("rate %v: correlation at lag %d = %.2e, bound %.2e", rate, lag, c, bound)
			}
		}
		for _, seed := range []uint64{0, 7, 1 << 40} {
			m0, m1 := keepBits(n, rate, seed), keepBits(n, rate, seed+1)
			c := correlation(n, func(i int) (float64, float64) { return bit(m0, i), bit(m1, i) })
			t.Logf("rate %v: correlation of seeds %d, %d = %+.2e (bound %.2e)", rate, seed, seed+1, c, bound)
			if math.Abs(c) > bound {
				t.Errorf("rate %v: correlation of seeds %d and %d = %.2e, bound %.2e", rate, seed, seed+1, c, bound)
			}
		}
	}
}

// correlation is the Pearson correlation of n pairs.
func correlation(n int, pair func(i int) (float64, float64)) float64 {
	var sx, sy, sxx, syy, sxy float64
	for i := range n {
		x, y := pair(i)
		sx += x
		sy += y
		sxx += x * x
		syy += y * y
		sxy += x * y
	}
	fn := float64(n)
	cov := sxy/fn - sx/fn*sy/fn
	return cov / math.Sqrt((sxx/fn-sx/fn*sx/fn)*(syy/fn-sy/fn*sy/fn))
}

// FuzzDropout compares every level's forward and backward kernels with the
// definition, on arbitrary lengths, seeds, offsets and rates.
func FuzzDropout(f *testing.F) {
	f.Add(uint16(0), uint64(0), uint64(0), uint32(0))
	f.Add(uint16(1), uint64(1), uint64(1<<32-1), uint32(1<<31))
	f.Add(uint16(63), uint64(99), uint64(1<<32-40), uint32(3<<30))
	f.Add(uint16(129), uint64(5), uint64(7), uint32(1<<29))
	f.Add(uint16(1000), uint64(1<<63), uint64(12345), uint32(4000000000))
	f.Fuzz(func(t *testing.T, n16 uint16, seed, offset uint64, r32 uint32) {
		n := int(n16 % 4096)
		if offset > math.MaxUint64-uint64(n) {
			offset -= uint64(n)
		}
		rate := float32(float64(r32) / (1 << 32))
		if rate >= 1 {
			rate = 0.5
		}
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(i%97) - 48
		}
		for _, l := range Available() {
			restore := useDropoutLevel(l)
			g := newGuarded(n, int(seed%16))
			buf, mask := guardedMask(n)
			DropoutForward(g.Data, x, mask, rate, seed, offset)
			g.check(t, "DropoutForward")
			checkMask(t, l.String(), buf, n, func(i int) bool { return dropoutKeep(seed, offset+uint64(i), rate) })
			dx := newGuarded(n, int(offset%16))
			DropoutBackward(dx.Data, x, mask, 3)
			dx.check(t, "DropoutBackward")
			for i, v := range x {
				want := float32(0)
				if dropoutKeep(seed, offset+uint64(i), rate) {
					want = v * 3
				}
				if dx.Data[i] != want {
					t.Fatalf("%v: dx[%d] = %v, want %v", l, i, dx.Data[i], want)
				}
			}
			restore()
		}
	})
}

// TestDropoutLarge runs the kernels on outputs large and aligned enough for
// the non-temporal stores (dropoutNTBytes), plain and alpha dropout and the
// backward pass, and checks every value.
func TestDropoutLarge(t *testing.T) {
	n := dropoutNTBytes/4 + 37
	x := randSlice(rand.New(rand.NewPCG(27, 28)), n, -2, 2)
	forEachLevel(t, func(t *testing.T, l Level) {
		defer useDropoutLevel(l)()
		dst, dx := make([]float32, n), make([]float32, n)
		if dropoutNT(dst) == 0 || dropoutNT(dx) == 0 {
			t.Skip("allocation not 64-byte aligned; the non-temporal path is not taken")
		}
		mask := make([]uint64, (n+63)/64)
		a, b := AlphaDropoutCoefficients(0.3)
		dropped := float32(a*float32(alphaDropoutAlphaP)) + b
		for _, alpha := range []bool{false, true} {
			if alpha {
				AlphaDropoutForward(dst, x, mask, 0.3, 5, 1000)
			} else {
				DropoutForward(dst, x, mask, 0.3, 5, 1000)
			}
			DropoutBackward(dx, x, mask, 2)
			scale := 1 / (1 - float32(0.3))
			for i, v := range x {
				keep := dropoutKeep(5, 1000+uint64(i), 0.3)
				want, wantDx := float32(0), float32(0)
				if keep {
					want, wantDx = v*scale, v*2
					if alpha {
						want = float32(a*v) + b
					}
				} else if alpha {
					want = dropped
				}
				if dst[i] != want || dx[i] != wantDx || (mask[i/64]>>(i%64)&1 != 0) != keep {
					t.Fatalf("alpha=%v: element %d: dst %v want %v, dx %v want %v", alpha, i, dst[i], want, dx[i], wantDx)
				}
			}
		}
	})
}

// TestDropoutBytesLevels: DropoutBytes keeps exactly DropoutForward's
// elements, on every level, at every length and unaligned start, across a
// 2^32 block of positions, writing nothing outside dst.
func TestDropoutBytesLevels(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		defer useDropoutLevel(l)()
		r := rand.New(rand.NewPCG(31, 32))
		for _, n := range append(testLengths(), 784, 1000) {
			for off := range 8 {
				seed, offset := r.Uint64(), r.Uint64()>>r.IntN(64)
				if off == 7 {
					offset = 1<<32 - uint64(n/2) // the keys change mid-call
				}
				if offset > math.MaxUint64-uint64(n) {
					offset = 0
				}
				rate := []float32{0.1, 0.5, 0.9, 0.2}[off%4]
				src := make([]uint8, n)
				for i := range src {
					src[i] = uint8(r.IntN(256))
				}
				const guard = 64
				buf := make([]uint8, n+2*guard+off)
				for i := range buf {
					buf[i] = 0xA5
				}
				dst := buf[guard+off : guard+off+n]
				DropoutBytes(dst, src, rate, seed, offset)
				for i := range buf {
					if (i < guard+off || i >= guard+off+n) && buf[i] != 0xA5 {
						t.Fatalf("n=%d off=%d: byte %d outside dst written", n, off, i-guard-off)
					}
				}
				for i, v := range src {
					want := uint8(0)
					if dropoutKeep(seed, offset+uint64(i), rate) {
						want = v
					}
					if dst[i] != want {
						t.Fatalf("n=%d off=%d: dst[%d] = %d, want %d", n, off, i, dst[i], want)
					}
				}
				// in place
				in := append([]uint8(nil), src...)
				DropoutBytes(in, in, rate, seed, offset)
				if string(in) != string(dst) {
					t.Fatalf("n=%d off=%d: in place differs", n, off)
				}
			}
		}
	})
}

func TestDropoutBytesChecks(t *testing.T) {
	for _, c := range []struct {
		name     string
		dst, src []uint8
		rate     float32
		want     string
	}{
		{"length", make([]uint8, 3), make([]uint8, 4), 0.5, dropoutErrLength},
		{"rate 1", make([]uint8, 4), make([]uint8, 4), 1, dropoutErrRate},
		{"rate NaN", make([]uint8, 4), make([]uint8, 4), float32(math.NaN()), dropoutErrRate},
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(r.(string), c.want) {
					t.Errorf("%s: panic %v, want %q", c.name, r, c.want)
				}
			}()
			DropoutBytes(c.dst, c.src, c.rate, 1, 0)
		}()
	}
}
