package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// sparseMatrix returns r×c values of which about a fraction zeros are ±0,
// with a NaN planted when withNaN.
func sparseMatrix(rng *rand.Rand, r, c, ld int, zeros float64, withNaN bool) []float32 {
	x := make([]float32, max(0, (r-1)*ld+c))
	for i := range x {
		switch u := rng.Float64(); {
		case u < zeros/2:
			x[i] = 0
		case u < zeros:
			x[i] = float32(math.Copysign(0, -1))
		default:
			x[i] = rng.Float32()*2 - 1
		}
	}
	if withNaN && len(x) > 0 {
		x[rng.IntN(len(x))] = float32(math.NaN())
	}
	return x
}

// compressed runs one level's compressor on x into fresh arrays with a
// guard entry past their ends.
func compressed(k *sparseKernels, cols bool, n, l int, x []float32, ldx, blk int) (ptr, col []int32, val []float32) {
	pl, el := CompressedLen(n, l, blk)
	ptr, col, val = make([]int32, pl+1), make([]int32, el+1), make([]float32, 2*el+1)
	ptr[pl], col[el], val[2*el] = -7, -7, guardValue
	saved := sparse
	sparse = k
	defer func() { sparse = saved }()
	if cols {
		CompressCols(n, l, x, ldx, blk, ptr, col, val)
	} else {
		CompressRows(n, l, x, ldx, blk, ptr, col, val)
	}
	return ptr, col, val
}

func TestCompress(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		k := sparseFor(l)
		rng := rand.New(rand.NewPCG(5, 6))
		for _, cols := range []bool{false, true} {
			for _, blk := range []int{16, 32, 64} {
				for _, n := range []int{1, 2, 3, 7, 16, 17, 34} {
					for _, ln := range []int{1, 2, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 129} {
						for _, zeros := range []float64{0, 0.5, 1} {
							rows, width := n, ln
							if cols {
								rows, width = ln, n
							}
							ldx := width + rng.IntN(3)
							x := sparseMatrix(rng, rows, width, ldx, zeros, zeros == 0.5)
							what := fmt.Sprintf("cols=%v blk=%d n=%d l=%d zeros=%g", cols, blk, n, ln, zeros)
							gp, gc, gv := compressed(&sparseGeneric, cols, n, ln, x, ldx, blk)
							p, c, v := compressed(k, cols, n, ln, x, ldx, blk)
							nb := CompressedBlocks(ln, blk)
							for i := range gp {
								if p[i] != gp[i] {
									t.Fatalf("%s: ptr[%d] = %d, want %d", what, i, p[i], gp[i])
								}
							}
							for i := 0; i < (n+1)/2; i++ {
								for e := gp[i*(nb+1)]; e < gp[i*(nb+1)+nb]; e++ {
									if c[e] != gc[e] || math.Float32bits(v[2*e]) != math.Float32bits(gv[2*e]) || math.Float32bits(v[2*e+1]) != math.Float32bits(gv[2*e+1]) {
										t.Fatalf("%s: entry %d = (%d, %v, %v), want (%d, %v, %v)", what, e, c[e], v[2*e], v[2*e+1], gc[e], gv[2*e], gv[2*e+1])
									}
									if gv[2*e] == 0 && gv[2*e+1] == 0 {
										t.Fatalf("%s: a pair of zeros was kept", what)
									}
								}
							}
							if c[len(c)-1] != -7 || math.Float32bits(v[len(v)-1]) != math.Float32bits(guardValue) {
								t.Fatalf("%s: wrote past the entries", what)
							}
						}
					}
				}
			}
		}
	})
}

// TestCompressCount checks the returned count and the layout on a case
// worked by hand.
func TestCompressCount(t *testing.T) {
	x := []float32{
		0, 1, 0, 2,
		3, 0, 0, 0,
		0, 0, 0, 5,
	}
	forEachLevel(t, func(t *testing.T, l Level) {
		saved := sparse
		sparse = sparseFor(l)
		defer func() { sparse = saved }()
		// rows: pair 0 (rows 0 and 1) keeps positions 0, 1, 3; pair 1 (row
		// 2 and zeros) position 3
		pl, el := CompressedLen(3, 4, 16)
		if pl != 4 || el != 40 {
			t.Fatalf("CompressedLen = %d, %d", pl, el)
		}
		ptr, col, val := make([]int32, pl), make([]int32, el), make([]float32, 2*el)
		if got := CompressRows(3, 4, x, 4, 16, ptr, col, val); got != 4 {
			t.Fatalf("rows: %d entries, want 4", got)
		}
		if want := []int32{0, 3, 20, 21}; !slices.Equal(ptr, want) {
			t.Fatalf("rows: ptr %v, want %v", ptr, want)
		}
		if want := []int32{0, 1, 3}; !slices.Equal(col[:3], want) || col[20] != 3 {
			t.Fatalf("rows: col %v %d", col[:3], col[20])
		}
		if want := []float32{0, 3, 1, 0, 2, 0}; !slices.Equal(val[:6], want) || val[40] != 5 || val[41] != 0 {
			t.Fatalf("rows: val %v, %v", val[:6], val[40:42])
		}
		// columns: pair 0 (columns 0 and 1) keeps rows 0 and 1; pair 1
		// (columns 2 and 3) rows 0 and 2
		pl, el = CompressedLen(4, 3, 16)
		ptr, col, val = make([]int32, pl), make([]int32, el), make([]float32, 2*el)
		if got := CompressCols(4, 3, x, 4, 16, ptr, col, val); got != 4 {
			t.Fatalf("cols: %d entries, want 4", got)
		}
		if want := []int32{0, 2, 19, 21}; !slices.Equal(ptr, want) {
			t.Fatalf("cols: ptr %v, want %v", ptr, want)
		}
		if col[0] != 0 || col[1] != 1 || col[19] != 0 || col[20] != 2 {
			t.Fatalf("cols: col %v %v", col[:2], col[19:21])
		}
		if want := []float32{0, 1, 3, 0}; !slices.Equal(val[:4], want) {
			t.Fatalf("cols: val %v", val[:4])
		}
		if want := []float32{0, 2, 0, 5}; !slices.Equal(val[38:42], want) {
			t.Fatalf("cols: val %v", val[38:42])
		}
		// an odd count of columns: the last pair's second line is zeros
		pl, el = CompressedLen(3, 3, 16)
		ptr, col, val = make([]int32, pl), make([]int32, el), make([]float32, 2*el)
		if got := CompressCols(3, 3, x, 4, 16, ptr, col, val); got != 2 {
			t.Fatalf("odd cols: %d entries, want 2", got)
		}
	})
}

func TestSparseMul(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		k := sparseFor(l)
		rng := rand.New(rand.NewPCG(7, 8))
		for n := 1; n <= k.width; n++ {
			for _, depth := range []int{1, 3, 64, 70} {
				rows := 1 + rng.IntN(4)
				x := sparseMatrix(rng, rows, depth, depth, 0.5, false)
				ptr, col, val := compressed(&sparseGeneric, false, rows, depth, x, depth, 64)
				nb := CompressedBlocks(depth, 64)
				ldb := n + rng.IntN(20)
				bm := randSlice(rng, (depth-1)*ldb+n, -1, 1)
				for _, beta := range []float32{0, 1, -0.5} {
					alpha := float32(0.75)
					ldc := n + rng.IntN(5)
					cInit := randSlice(rng, (rows-1)*ldc+n, -1, 1)
					off := rng.IntN(16)
					g := newGuarded(len(cInit), off)
					c := g.fill(cInit)
					if beta == 0 {
						for i := range c {
							c[i] = float32(math.NaN()) // not read
						}
					}
					want := make([]float32, len(c))
					copy(want, cInit)
					// every block of each row, beta on the first, as blas does
					for q := 0; q < nb; q++ {
						bq := float32(1)
						if q == 0 {
							bq = beta
						}
						k.mul(rows, n, ptr[q:], nb+1, col, val, bm, ldb, alpha, bq, c, ldc)
					}
					g.check(t, fmt.Sprintf("n=%d depth=%d", n, depth))
					for r := 0; r < rows; r++ {
						for j := 0; j < n; j++ {
							var s, mag float64
							for p := 0; p < depth; p++ {
								s += float64(x[r*depth+p]) * float64(bm[p*ldb+j])
								mag += math.Abs(float64(x[r*depth+p]) * float64(bm[p*ldb+j]))
							}
							ref := float64(alpha) * s
							if beta != 0 {
								ref += float64(beta) * float64(cInit[r*ldc+j])
							}
							got := float64(c[r*ldc+j])
							if math.Abs(got-ref) > 1e-5*(mag+2) {
								t.Fatalf("n=%d depth=%d rows=%d beta=%v: c[%d,%d] = %v, want %v", n, depth, rows, beta, r, j, got, ref)
							}
						}
					}
				}
			}
		}
	})
}

// TestSparseMulSkipsZeros: the product over compressed entries is a dense
// product's, when B is finite, up to the rounding of the two chains.
func TestSparseMulNaN(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		k := sparseFor(l)
		x := []float32{0, float32(math.NaN()), 2, 0}
		ptr, col, val := compressed(&sparseGeneric, false, 1, 4, x, 4, 16)
		b := []float32{1, 1, 1, 1}
		c := []float32{5}
		k.mul(1, 1, ptr, 2, col, val, b, 1, 1, 0, c, 1)
		if c[0] == c[0] {
			t.Fatalf("NaN in A gave %v", c[0])
		}
	})
}

func TestSparseArgs(t *testing.T) {
	mustPanic := func(what string, f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s: no panic", what)
			}
		}()
		f()
	}
	x := make([]float32, 8)
	ptr, col, val := make([]int32, 8), make([]int32, 64), make([]float32, 128)
	mustPanic("blk 8", func() { CompressRows(2, 4, x, 4, 8, ptr, col, val) })
	mustPanic("short x", func() { CompressRows(3, 4, x, 4, 16, ptr, col, val) })
	mustPanic("short col", func() { CompressRows(2, 4, x, 4, 16, ptr, col[:10], val) })
	mustPanic("ldx", func() { CompressCols(4, 2, x, 3, 16, ptr, col, val) })
	mustPanic("n > width", func() { SparseMul(1, sparse.width+1, ptr, 2, col, val, x, 200, 1, 0, x, 200) })
	mustPanic("short c", func() { SparseMul(2, 4, ptr, 2, col, val, x, 4, 1, 0, x[:5], 4) })
}
