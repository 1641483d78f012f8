package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// gemvShapes are (rows, cols) pairs of the matrix: every small shape
// across the kernels' vector, unroll and pass boundaries (AVX2's passes
// are 104 columns wide, AVX-512's 448), and the book model's layers at
// batch 1.
func gemvShapes() [][2]int {
	var s [][2]int
	for cols := 0; cols <= 130; cols++ {
		for _, rows := range []int{0, 1, 2, 3, 4, 5, 7, 9} {
			s = append(s, [2]int{rows, cols})
		}
	}
	return append(s, [2]int{300, 784}, [2]int{784, 300}, [2]int{100, 300}, [2]int{300, 100},
		[2]int{10, 100}, [2]int{100, 10}, [2]int{1, 4097}, [2]int{4097, 3}, [2]int{17, 241},
		[2]int{3, 447}, [2]int{3, 448}, [2]int{3, 449}, [2]int{2, 911})
}

// gemvMatrix returns a rows×cols matrix with leading dimension lda, starting
// off elements into its buffer and ending at its last element; the
// padding between rows holds NaN, so a kernel that reads it (and uses
// it) gives NaN.
func gemvMatrix(r *rand.Rand, rows, cols, lda, off int) []float32 {
	n := 0
	if rows > 0 {
		n = (rows-1)*lda + cols
	}
	buf := make([]float32, off+n)
	a := buf[off:]
	for i := range a {
		if i%lda < cols {
			a[i] = r.Float32()*8 - 4
		} else {
			a[i] = float32(math.NaN())
		}
	}
	return a
}

// gemvWant is the float64 product and the sum of its terms' magnitudes (for
// the error bound) of element (i of GemvN, j of GemvT).
func gemvWant(a []float32, lda int, x []float32, trans bool, i int) (sum, abs float64) {
	for p, v := range x {
		var w float32
		if trans {
			w = a[p*lda+i]
		} else {
			w = a[i*lda+p]
		}
		t := float64(v) * float64(w)
		sum += t
		abs += math.Abs(t)
	}
	return sum, abs
}

func TestGemv(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		k := vecFor(l)
		r := rand.New(rand.NewPCG(11, uint64(l)))
		for _, sh := range gemvShapes() {
			rows, cols := sh[0], sh[1]
			for _, pad := range []int{0, 3} {
				lda := max(1, cols+pad)
				off := r.IntN(16)
				a := gemvMatrix(r, rows, cols, lda, off)
				for _, trans := range []bool{false, true} {
					name, f, nx, nd := "gemvN", k.gemvN, cols, rows
					if trans {
						name, f, nx, nd = "gemvT", k.gemvT, rows, cols
					}
					x := newGuarded(nx, (off+5)%16).fill(randSlice(r, nx, -4, 4))
					gd := newGuarded(nd, (off*3+7)%16)
					f(gd.fill(randSlice(r, nd, -1e6, 1e6)), a, lda, x) // dst starts as garbage
					gd.check(t, name+" dst")
					for i, got := range gd.Data {
						want, abs := gemvWant(a, lda, x, trans, i)
						if d := math.Abs(float64(got) - want); !(d <= vecReduceBound(nx, abs)) {
							t.Fatalf("%s %dx%d lda %d: element %d = %v, want %v (error %g, bound %g)",
								name, rows, cols, lda, i, got, want, d, vecReduceBound(nx, abs))
						}
					}
					// Every element is summed in the same order whatever its
					// place: alone, it has the same bits.
					for _, i := range []int{0, nd / 2, nd - 1} {
						if nd == 0 || nx == 0 {
							break
						}
						var one [1]float32
						if trans {
							f(one[:], a[i:], lda, x)
						} else {
							f(one[:], a[i*lda:], lda, x)
						}
						if math.Float32bits(one[0]) != math.Float32bits(gd.Data[i]) {
							t.Fatalf("%s %dx%d lda %d: element %d alone = %v, in the call %v",
								name, rows, cols, lda, i, one[0], gd.Data[i])
						}
					}
				}
			}
		}
	})
}

func TestGemvChecks(t *testing.T) {
	g := GemmFor(ISA())
	a := make([]float32, 12)
	x3, d4 := make([]float32, 3), make([]float32, 4)
	for _, c := range []struct {
		name, msg string
		f         func()
	}{
		{"GemvN lda", gemvErrLda, func() { GemvN(d4, a, 2, x3) }},
		{"GemvN lda 0", gemvErrLda, func() { GemvN(d4, a, 0, nil) }},
		{"GemvN short", gemvErrShort, func() { GemvN(d4, a, 4, x3) }}, // needs 3*4+3
		{"GemvT lda", gemvErrLda, func() { GemvT(d4, a, 3, x3) }},
		{"GemvT short", gemvErrShort, func() { GemvT(d4, a, 5, x3) }}, // needs 2*5+4
		{"Ger ldc", gemvErrLda, func() { Ger(a, 3, 1, x3, d4, 0) }},
		{"Ger short", gemvErrShort, func() { Ger(a, 5, 1, x3, d4, 0) }}, // needs 2*5+4
		{"GemvNRows m 1", "asm: GemvNRows: m out of range", func() { g.GemvNRows(a, 4, 4, a, 3, x3, 3, 1, 3) }},
		{"GemvNRows m 5", "asm: GemvNRows: m out of range", func() { g.GemvNRows(a, 1, 1, a, 3, a, 1, 5, 1) }},
		{"GemvNRows ldx", gemvErrLda, func() { g.GemvNRows(d4, 2, 2, a, 3, a, 2, 2, 3) }},
		{"GemvNRows x short", gemvErrShort, func() { g.GemvNRows(d4, 2, 2, a, 3, x3, 3, 2, 3) }},    // needs 3+3
		{"GemvNRows a short", gemvErrShort, func() { g.GemvNRows(d4, 2, 2, a[:5], 3, a, 3, 2, 3) }}, // needs 3+3
		{"GemvNRows c short", gemvErrShort, func() { g.GemvNRows(d4[:3], 2, 2, a, 3, a, 3, 2, 3) }}, // needs 2+2
	} {
		if got := vecPanicMessage(c.f); got != c.msg {
			t.Errorf("%s: panic %q, want %q", c.name, got, c.msg)
		}
	}
	// Fits exactly; empty shapes.
	GemvN(d4[:3], a[:11], 4, x3)
	GemvT(d4, a[:10], 4, x3[:2])
	GemvN(nil, nil, 1, x3[:0])
	GemvT(d4, nil, 4, nil)
	for _, v := range d4 {
		if v != 0 {
			t.Fatalf("GemvT with no rows: dst %v, want zeros", d4)
		}
	}
}

// TestGer: every level against a float64 rank-one update, each element
// within an ulp or two of the exact s*y+beta*c of its rounded operands; beta
// = 0 does not read C (NaN there does not leak), beta = 1 adds onto it;
// writes stay in each row's len(y) elements (the gaps between rows hold
// guards too).
func TestGer(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		k := vecFor(l)
		r := rand.New(rand.NewPCG(12, uint64(l)))
		for _, sh := range gemvShapes() {
			rows, cols := sh[0], sh[1]
			for _, pad := range []int{0, 3} {
				ldc := max(1, cols+pad)
				for _, beta := range []float32{0, 1, -0.75} {
					alpha := 2*r.Float32() - 1
					x := newGuarded(rows, r.IntN(16)).fill(randSlice(r, rows, -4, 4))
					y := newGuarded(cols, r.IntN(16)).fill(randSlice(r, cols, -4, 4))
					n := 0
					if rows > 0 {
						n = (rows-1)*ldc + cols
					}
					gc := newGuarded(n, r.IntN(16))
					c0 := randSlice(r, n, -4, 4)
					for i := range c0 {
						if i%ldc >= cols {
							c0[i] = guardValue // the gaps between rows must stay
						} else if beta == 0 {
							c0[i] = float32(math.NaN())
						}
					}
					c := gc.fill(c0)
					k.ger(c, ldc, x, y, alpha, beta)
					gc.check(t, "ger c")
					for i := 0; i < rows; i++ {
						s := float64(alpha * x[i])
						for j := 0; j < ldc && i*ldc+j < n; j++ {
							got := c[i*ldc+j]
							if j >= cols {
								if math.Float32bits(got) != math.Float32bits(guardValue) {
									t.Fatalf("ger %dx%d ldc %d: wrote the gap at (%d, %d)", rows, cols, ldc, i, j)
								}
								continue
							}
							want := s * float64(y[j])
							if beta != 0 {
								want += float64(beta * c0[i*ldc+j])
							}
							bound := 0x1p-23 * (math.Abs(s*float64(y[j])) + math.Abs(float64(beta*c0[i*ldc+j])))
							if beta == 0 {
								bound = 0x1p-23 * math.Abs(want)
							}
							if d := math.Abs(float64(got) - want); !(d <= bound+0x1p-149) {
								t.Fatalf("ger %dx%d ldc %d beta %g: (%d, %d) = %v, want %v (bound %g)",
									rows, cols, ldc, beta, i, j, got, want, bound)
							}
						}
					}
				}
			}
		}
	})
}

// guardedRows returns a C of m rows of n values, ldc apart, for a kernel
// to write: garbage in the rows, guardValue in the gaps between them (which
// the kernel must not touch), guard bands around.
func guardedRows(r *rand.Rand, m, n, ldc int) (*guarded, []float32) {
	gc := newGuarded((m-1)*ldc+n, r.IntN(16))
	c0 := randSlice(r, len(gc.Data), -1e6, 1e6)
	for i := range c0 {
		if i%ldc >= n {
			c0[i] = guardValue
		}
	}
	return gc, gc.fill(c0)
}

// checkRows checks that a kernel that wrote c (from guardedRows) left its
// guard bands and the gaps between its rows alone.
func checkRows(t *testing.T, name string, gc *guarded, c []float32, n, ldc int) {
	t.Helper()
	gc.check(t, name)
	for i, v := range c {
		if i%ldc >= n && math.Float32bits(v) != math.Float32bits(guardValue) {
			t.Fatalf("%s: wrote the gap at (%d, %d)", name, i/ldc, i%ldc)
		}
	}
}

// TestGemmRows: every level, 2 to 4 rows of X (row-major and transposed
// strides), against a float64 reference, with guard bands and the gaps
// between C's rows untouched, and each row the bits of GemvT on that row
// (the same sequential chains).
func TestGemmRows(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		g := GemmFor(l)
		r := rand.New(rand.NewPCG(13, uint64(l)))
		var shapes [][2]int // (n, k)
		for n := 0; n <= 130; n += 1 + n/20 {
			shapes = append(shapes, [2]int{n, 1 + r.IntN(40)})
		}
		shapes = append(shapes, [2]int{300, 784}, [2]int{100, 300}, [2]int{10, 100}, [2]int{449, 33}, [2]int{241, 0})
		for _, sh := range shapes {
			n, k := sh[0], sh[1]
			for m := 2; m <= MaxGemmRows; m++ {
				for _, trans := range []bool{false, true} {
					lda := max(1, n+r.IntN(3))
					a := gemvMatrix(r, k, n, lda, r.IntN(16))
					sxi, sxp := k+1, 1 // X row-major, a gap after each row
					if trans {
						sxi, sxp = 1, m+2 // Xᵀ row-major
					}
					x := randSlice(r, max(1, (m-1)*sxi+(k-1)*sxp+1), -4, 4)
					ldc := max(1, n+r.IntN(3))
					gc, c := guardedRows(r, m, n, ldc)
					g.GemmRows(c, ldc, n, a, lda, x, sxi, sxp, m, k)
					checkRows(t, fmt.Sprintf("gemmRows m=%d %dx%d", m, n, k), gc, c, n, ldc)
					for i := 0; i < m; i++ {
						xi := make([]float32, k)
						for p := range xi {
							xi[p] = x[i*sxi+p*sxp]
						}
						row := make([]float32, n)
						g.GemvT(row, a, lda, xi)
						for j := 0; j < n; j++ {
							got := c[i*ldc+j]
							want, abs := gemvWant(a, lda, xi, true, j)
							if d := math.Abs(float64(got) - want); !(d <= vecReduceBound(k, abs)) {
								t.Fatalf("gemmRows m=%d %dx%d trans %v: (%d, %d) = %v, want %v", m, n, k, trans, i, j, got, want)
							}
							if l != Generic && math.Float32bits(got) != math.Float32bits(row[j]) {
								t.Fatalf("gemmRows m=%d %dx%d trans %v: (%d, %d) = %v, GemvT of the row %v", m, n, k, trans, i, j, got, row[j])
							}
						}
					}
				}
			}
		}
	})
}

// TestGemvNRows: every level, 2 to 4 rows of X with gaps between them
// (holding NaN, as do A's), with guard bands and C's gaps untouched, each
// row the bits of GemvN on that row.
func TestGemvNRows(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		g := GemmFor(l)
		r := rand.New(rand.NewPCG(17, uint64(l)))
		var shapes [][2]int // (n, k)
		for k := 0; k <= 70; k++ {
			shapes = append(shapes, [2]int{1 + r.IntN(9), k})
		}
		shapes = append(shapes, [2]int{300, 100}, [2]int{100, 10}, [2]int{784, 300}, [2]int{32, 784},
			[2]int{16, 2000}, [2]int{0, 5}, [2]int{7, 127}, [2]int{5, 129})
		for _, sh := range shapes {
			n, k := sh[0], sh[1]
			for m := 2; m <= MaxGemmRows; m++ {
				lda := max(1, k+r.IntN(3))
				a := gemvMatrix(r, n, k, lda, r.IntN(16))
				ldx := max(1, k+r.IntN(3))
				x := gemvMatrix(r, m, k, ldx, r.IntN(16))
				ldc := max(1, n+r.IntN(3))
				gc, c := guardedRows(r, m, n, ldc)
				g.GemvNRows(c, ldc, n, a, lda, x, ldx, m, k)
				checkRows(t, fmt.Sprintf("gemvNRows m=%d %dx%d", m, n, k), gc, c, n, ldc)
				for i := 0; i < m; i++ {
					xi := x[i*ldx : i*ldx+k]
					row := make([]float32, n)
					g.GemvN(row, a, lda, xi)
					for j := 0; j < n; j++ {
						got := c[i*ldc+j]
						if math.Float32bits(got) != math.Float32bits(row[j]) {
							t.Fatalf("gemvNRows m=%d n=%d k=%d: (%d, %d) = %v, GemvN of the row %v", m, n, k, i, j, got, row[j])
						}
					}
				}
			}
		}
	})
}
