package asm

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"
)

// Tolerances (see vec.go): Scale, ScaleTo, Add, Mul, AddBias and ColSums are
// bit-identical on every level (NaN compared as NaN); Axpy is either the
// unfused Go result or within 1 ulp of the fused one; Dot and Sum are within
// the bound of any summation order, (n+2)*2^-24*sum|terms| (plus 2^-149 per
// product, for underflow), of the exact (float64) value.

// vecOffsets gives the three offsets (0..15) used for x, y and dst for an
// offset index, so that inputs and output are misaligned differently.
func vecOffsets(off int) (ox, oy, od int) { return off, (off + 5) % 16, (off*3 + 7) % 16 }

// vecInput returns n values in [-4, 4) with about one in eight replaced by
// a special value.
func vecInput(r *rand.Rand, n int) []float32 {
	s := randSlice(r, n, -4, 4)
	for i := range s {
		if r.IntN(8) == 0 {
			s[i] = specialValues[r.IntN(len(specialValues))]
		}
	}
	return s
}

// vecOffsetsFor limits the offsets tried on large lengths, to keep the test
// quick: every offset below 4096 elements, four above.
func vecOffsetsFor(n int) int {
	if n > 4096 {
		return 4
	}
	return 16
}

// vecSameBits reports whether a and b are the same value (NaN matches NaN, and
// the two zeros match).
func vecSameBits(a, b float32) bool { return ulpDiff(a, b) == 0 }

// vecCheckExact fails t unless got and want agree element by element.
func vecCheckExact(t *testing.T, what string, got, want []float32) {
	t.Helper()
	for i := range want {
		if !vecSameBits(got[i], want[i]) {
			t.Fatalf("%s: [%d] = %v (%#08x), want %v (%#08x)", what, i, got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
		}
	}
}

// vecAxpyOK reports whether got is an acceptable y + alpha*x: the unfused Go
// result, or within 1 ulp of the fused one (computed exactly in float64,
// since a product of two float32 is exact there).
func vecAxpyOK(got, alpha, x, y float32) bool {
	p := float32(alpha * x)
	unfused := float32(y + p)
	fused := float32(float64(alpha)*float64(x) + float64(y))
	return vecSameBits(got, unfused) || ulpDiff(got, fused) <= 1
}

// vecBinaryCase runs a dst = f(x, y) kernel on guarded buffers at the offsets
// of off and checks the guards; it returns dst.
func vecBinaryCase(t *testing.T, what string, x, y []float32, off int, f func(dst, x, y []float32)) []float32 {
	t.Helper()
	ox, oy, od := vecOffsets(off)
	gx, gy, gd := newGuarded(len(x), ox), newGuarded(len(y), oy), newGuarded(len(x), od)
	gx.fill(x)
	gy.fill(y)
	f(gd.Data, gx.Data, gy.Data)
	gx.check(t, what+" x")
	gy.check(t, what+" y")
	gd.check(t, what+" dst")
	return gd.Data
}

func TestVecElementwise(t *testing.T) {
	ref := vecFor(Generic)
	forEachLevel(t, func(t *testing.T, l Level) {
		k := vecFor(l)
		r := rand.New(rand.NewPCG(1, uint64(l)))
		for _, n := range testLengths() {
			for off := 0; off < vecOffsetsFor(n); off++ {
				x, y := vecInput(r, n), vecInput(r, n)
				alpha := []float32{1.5, -0.37, 0, float32(math.Inf(1)), 3e38}[off%5]

				want := make([]float32, n)
				ref.add(want, x, y)
				vecCheckExact(t, "add", vecBinaryCase(t, "add", x, y, off, k.add), want)
				ref.mul(want, x, y)
				vecCheckExact(t, "mul", vecBinaryCase(t, "mul", x, y, off, k.mul), want)

				ref.scaleTo(want, alpha, x)
				got := vecBinaryCase(t, "scaleTo", x, y, off, func(dst, x, _ []float32) { k.scaleTo(dst, alpha, x) })
				vecCheckExact(t, "scaleTo", got, want)
				got = vecBinaryCase(t, "scale", x, y, off, func(dst, x, _ []float32) { copy(dst, x); k.scale(alpha, dst) })
				vecCheckExact(t, "scale", got, want)

				got = vecBinaryCase(t, "axpy", x, y, off, func(dst, x, y []float32) { copy(dst, y); k.axpy(alpha, x, dst) })
				for i := range got {
					if !vecAxpyOK(got[i], alpha, x[i], y[i]) {
						t.Fatalf("axpy n=%d off=%d: [%d] = %v, want %v + %v*%v", n, off, i, got[i], y[i], alpha, x[i])
					}
				}
			}
		}
	})
}

// TestVecAliasing checks the documented aliasing: dst may be x or y, and
// Axpy's x may be y.
func TestVecAliasing(t *testing.T) {
	ref := vecFor(Generic)
	forEachLevel(t, func(t *testing.T, l Level) {
		k := vecFor(l)
		r := rand.New(rand.NewPCG(2, uint64(l)))
		for _, n := range []int{0, 1, 7, 16, 33, 64, 100, 257, 1023} {
			x, y := vecInput(r, n), vecInput(r, n)
			want := make([]float32, n)
			for _, c := range []struct {
				name     string
				ref, got func(dst, x, y []float32)
			}{
				{"add", ref.add, k.add},
				{"mul", ref.mul, k.mul},
				{"scaleTo", func(d, x, _ []float32) { ref.scaleTo(d, 0.75, x) }, func(d, x, _ []float32) { k.scaleTo(d, 0.75, x) }},
			} {
				c.ref(want, x, y)
				a := append([]float32(nil), x...)
				c.got(a, a, y)
				vecCheckExact(t, c.name+" dst==x", a, want)
				b := append([]float32(nil), y...)
				c.ref(want, x, y)
				c.got(b, x, b)
				if c.name != "scaleTo" {
					vecCheckExact(t, c.name+" dst==y", b, want)
				}
				s := append([]float32(nil), x...)
				c.ref(want, x, x)
				c.got(s, s, s)
				vecCheckExact(t, c.name+" dst==x==y", s, want)
			}
			a := append([]float32(nil), x...)
			k.axpy(-0.75, a, a)
			for i := range a {
				if !vecAxpyOK(a[i], -0.75, x[i], x[i]) {
					t.Fatalf("axpy x==y: [%d] = %v, want %[3]v - 0.75*%[3]v", i, a[i], x[i])
				}
			}
		}
	})
}

// vecReduceBound is the error bound of any order of summation of n terms
// whose absolute values add up to abs, each term possibly rounded once to a
// denormal (a product that underflows).
func vecReduceBound(n int, abs float64) float64 {
	return float64(n+2)*0x1p-24*abs + float64(n)*0x1p-149
}

func TestVecReductions(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		k := vecFor(l)
		r := rand.New(rand.NewPCG(3, uint64(l)))
		for _, n := range testLengths() {
			for off := 0; off < vecOffsetsFor(n); off++ {
				x, y := randSlice(r, n, -1, 1), randSlice(r, n, -1, 1)
				ox, oy, _ := vecOffsets(off)
				gx, gy := newGuarded(n, ox), newGuarded(n, oy)
				gx.fill(x)
				gy.fill(y)
				var exact, abs float64
				for i := range x {
					exact += float64(x[i])
					abs += math.Abs(float64(x[i]))
				}
				if s := k.sum(gx.Data); math.Abs(float64(s)-exact) > vecReduceBound(n, abs) {
					t.Fatalf("sum n=%d off=%d: %v, exact %v", n, off, s, exact)
				}
				exact, abs = 0, 0
				for i := range x {
					p := float64(x[i]) * float64(y[i])
					exact += p
					abs += math.Abs(p)
				}
				if d := k.dot(gx.Data, gy.Data); math.Abs(float64(d)-exact) > vecReduceBound(n, abs) {
					t.Fatalf("dot n=%d off=%d: %v, exact %v", n, off, d, exact)
				}
				gx.check(t, "sum/dot x")
				gy.check(t, "dot y")
			}
		}
	})
}

// TestVecReductionSpecials puts one or two special values at every position
// of a short vector of ones: NaN gives NaN, one infinity gives that
// infinity, two opposite ones give NaN, and signed zeros and denormals do
// not disturb the sum.
func TestVecReductionSpecials(t *testing.T) {
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	forEachLevel(t, func(t *testing.T, l Level) {
		k := vecFor(l)
		for _, n := range []int{1, 3, 8, 17, 40, 64, 100, 129} {
			for i := 0; i < n; i++ {
				for _, c := range []struct {
					a, b, want float32 // a at i, b at n-1-i (b used when i != n-1-i)
				}{
					{nan, 1, nan}, {inf, 1, inf}, {-inf, 1, -inf}, {inf, -inf, nan}, {inf, nan, nan},
					{float32(math.Copysign(0, -1)), 1, 0}, {math.SmallestNonzeroFloat32, 1, 0},
				} {
					x := make([]float32, n)
					ones := make([]float32, n)
					for j := range x {
						x[j], ones[j] = 1, 1
					}
					x[i] = c.a
					if j := n - 1 - i; j != i {
						x[j] = c.b
					}
					var exact float64
					for _, v := range x {
						exact += float64(v)
					}
					want := float32(exact)
					if c.want != 0 && !math.IsNaN(exact) && !math.IsInf(exact, 0) {
						t.Fatalf("bad case %v", c)
					}
					if got := k.sum(x); !vecSameBits(got, want) {
						t.Fatalf("sum n=%d i=%d x[i]=%v: %v, want %v", n, i, c.a, got, want)
					}
					if got := k.dot(x, ones); !vecSameBits(got, want) {
						t.Fatalf("dot n=%d i=%d x[i]=%v: %v, want %v", n, i, c.a, got, want)
					}
				}
			}
		}
	})
}

// vecShapes are (rows, cols) pairs for AddBias and ColSums: every small
// shape, and the shapes of the book's layers.
func vecShapes() [][2]int {
	var s [][2]int
	for cols := 1; cols <= 70; cols++ {
		for _, rows := range []int{0, 1, 2, 5} {
			s = append(s, [2]int{rows, cols})
		}
	}
	return append(s, [2]int{32, 300}, [2]int{32, 100}, [2]int{32, 10}, [2]int{3, 1023}, [2]int{2, 4097}, [2]int{128, 784})
}

func TestVecRows(t *testing.T) {
	ref := vecFor(Generic)
	forEachLevel(t, func(t *testing.T, l Level) {
		k := vecFor(l)
		r := rand.New(rand.NewPCG(4, uint64(l)))
		for _, sh := range vecShapes() {
			rows, cols := sh[0], sh[1]
			for off := 0; off < 16; off += 1 + 2*(rows*cols/4096) {
				x, b := vecInput(r, rows*cols), vecInput(r, cols)
				ox, ob, _ := vecOffsets(off)

				want := append([]float32(nil), x...)
				ref.addBias(want, b)
				gx, gb := newGuarded(len(x), ox), newGuarded(cols, ob)
				k.addBias(gx.fill(x), gb.fill(b))
				gx.check(t, "addBias x")
				gb.check(t, "addBias bias")
				vecCheckExact(t, "addBias", gx.Data, want)

				want = make([]float32, cols)
				ref.colSums(want, x)
				gx, gd := newGuarded(len(x), ox), newGuarded(cols, ob)
				k.colSums(gd.fill(vecInput(r, cols)), gx.fill(x)) // dst starts as garbage
				gx.check(t, "colSums x")
				gd.check(t, "colSums dst")
				vecCheckExact(t, "colSums", gd.Data, want)
			}
		}
	})
}

func TestVecChecks(t *testing.T) {
	a, b := make([]float32, 3), make([]float32, 4)
	for _, c := range []struct {
		name, msg string
		f         func()
	}{
		{"Axpy", vecErrLength, func() { Axpy(1, a, b) }},
		{"ScaleTo", vecErrLength, func() { ScaleTo(a, 1, b) }},
		{"Dot", vecErrLength, func() { Dot(a, b) }},
		{"Add", vecErrLength, func() { Add(a, a, b) }},
		{"Add dst", vecErrLength, func() { Add(b, a, a) }},
		{"Mul", vecErrLength, func() { Mul(a, b, a) }},
		{"AddBias", vecErrShape, func() { AddBias(b, a) }},
		{"AddBias empty bias", vecErrShape, func() { AddBias(a, nil) }},
		{"ColSums", vecErrShape, func() { ColSums(a, b) }},
		{"ColSums empty dst", vecErrShape, func() { ColSums(nil, a) }},
	} {
		if got := vecPanicMessage(c.f); got != c.msg {
			t.Errorf("%s: panic %q, want %q", c.name, got, c.msg)
		}
	}
	// The valid edge cases must not panic.
	AddBias(nil, nil)
	ColSums(nil, nil)
	ColSums(a, nil)
	if a[0] != 0 {
		t.Errorf("ColSums of no rows: %v, want zeros", a)
	}
}

func vecPanicMessage(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg, _ = r.(string)
			if msg == "" {
				msg = "non-string panic"
			}
		}
	}()
	f()
	return ""
}

// TestVecExported checks that the exported functions reach the active table.
func TestVecExported(t *testing.T) {
	x := []float32{1, 2, 3, 4, 5}
	y := []float32{5, 4, 3, 2, 1}
	d := make([]float32, 5)
	Add(d, x, y)
	Mul(d, d, x)
	ScaleTo(d, 2, d)
	Scale(0.5, d)
	Axpy(-6, x, d) // d = 6x - 6x = 0
	if Sum(d) != 0 || Dot(x, y) != 35 || Sum(x) != 15 {
		t.Fatalf("d=%v dot=%v sum=%v", d, Dot(x, y), Sum(x))
	}
	AddBias(d, []float32{1})
	c := make([]float32, 1)
	ColSums(c, d)
	if c[0] != 5 {
		t.Fatalf("ColSums: %v of %v", c, d)
	}
}

// vecFloatsFromBytes turns fuzz input into float32 values (any bit pattern).
func vecFloatsFromBytes(b []byte) []float32 {
	s := make([]float32, len(b)/4)
	for i := range s {
		s[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return s
}

func vecFuzzSeeds(f *testing.F) {
	r := rand.New(rand.NewPCG(5, 5))
	for _, n := range []int{0, 1, 3, 15, 16, 17, 31, 33, 63, 64, 65, 127, 200} {
		b := make([]byte, 8*n)
		for i := 0; i < 2*n; i++ {
			binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(vecInput(r, 1)[0]))
		}
		f.Add(b, float32(r.IntN(7))-3.5, uint8(r.IntN(16)))
	}
}

// FuzzAxpy checks axpy, scaleTo, scale, add and mul on arbitrary bit patterns,
// lengths and offsets on every level.
func FuzzAxpy(f *testing.F) {
	vecFuzzSeeds(f)
	ref := vecFor(Generic)
	f.Fuzz(func(t *testing.T, data []byte, alpha float32, off uint8) {
		v := vecFloatsFromBytes(data)
		x, y := v[:len(v)/2], v[len(v)/2:len(v)/2*2]
		o := int(off % 16)
		want := make([]float32, len(x))
		for _, l := range Available() {
			k := vecFor(l)
			got := vecBinaryCase(t, "axpy", x, y, o, func(dst, x, y []float32) { copy(dst, y); k.axpy(alpha, x, dst) })
			for i := range got {
				if !vecAxpyOK(got[i], alpha, x[i], y[i]) {
					t.Fatalf("%v axpy: [%d] = %v, want %v + %v*%v", l, i, got[i], y[i], alpha, x[i])
				}
			}
			ref.scaleTo(want, alpha, x)
			vecCheckExact(t, l.String()+" scaleTo", vecBinaryCase(t, "scaleTo", x, y, o, func(d, x, _ []float32) { k.scaleTo(d, alpha, x) }), want)
			vecCheckExact(t, l.String()+" scale", vecBinaryCase(t, "scale", x, y, o, func(d, x, _ []float32) { copy(d, x); k.scale(alpha, d) }), want)
			ref.add(want, x, y)
			vecCheckExact(t, l.String()+" add", vecBinaryCase(t, "add", x, y, o, k.add), want)
			ref.mul(want, x, y)
			vecCheckExact(t, l.String()+" mul", vecBinaryCase(t, "mul", x, y, o, k.mul), want)
		}
	})
}

// FuzzDot checks dot and sum on arbitrary finite values of moderate size
// (so that no partial sum overflows) against the bound of vecReduceBound.
func FuzzDot(f *testing.F) {
	vecFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte, _ float32, off uint8) {
		v := vecFloatsFromBytes(data)
		for i, e := range v {
			if e != e || math.Abs(float64(e)) > 1e15 {
				v[i] = float32(math.Mod(float64(math.Float32bits(e)), 1000)) // a finite stand-in
			}
		}
		x, y := v[:len(v)/2], v[len(v)/2:len(v)/2*2]
		ox, oy, _ := vecOffsets(int(off % 16))
		gx, gy := newGuarded(len(x), ox), newGuarded(len(y), oy)
		gx.fill(x)
		gy.fill(y)
		var sx, ax, sd, ad float64
		for i := range x {
			sx += float64(x[i])
			ax += math.Abs(float64(x[i]))
			p := float64(x[i]) * float64(y[i])
			sd += p
			ad += math.Abs(p)
		}
		for _, l := range Available() {
			k := vecFor(l)
			if s := k.sum(gx.Data); math.Abs(float64(s)-sx) > vecReduceBound(len(x), ax) {
				t.Fatalf("%v sum: %v, exact %v", l, s, sx)
			}
			if d := k.dot(gx.Data, gy.Data); math.Abs(float64(d)-sd) > vecReduceBound(len(x), ad) {
				t.Fatalf("%v dot: %v, exact %v", l, d, sd)
			}
		}
	})
}

// FuzzColSums checks addBias and colSums on arbitrary shapes.
func FuzzColSums(f *testing.F) {
	vecFuzzSeeds(f)
	ref := vecFor(Generic)
	f.Fuzz(func(t *testing.T, data []byte, _ float32, colsB uint8) {
		v := vecFloatsFromBytes(data)
		cols := 1 + int(colsB)%80
		if len(v) < cols {
			return
		}
		b, x := v[:cols], v[cols:cols+(len(v)-cols)/cols*cols]
		want := append([]float32(nil), x...)
		ref.addBias(want, b)
		sums := make([]float32, cols)
		ref.colSums(sums, x)
		for _, l := range Available() {
			k := vecFor(l)
			got := append([]float32(nil), x...)
			k.addBias(got, b)
			vecCheckExact(t, l.String()+" addBias", got, want)
			got = make([]float32, cols)
			k.colSums(got, x)
			vecCheckExact(t, l.String()+" colSums", got, sums)
		}
	})
}
