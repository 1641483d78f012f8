package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// bnormShapes are the (rows, columns) the batch-norm kernels are tested on:
// every column count up to 70 (each vector width and its tails, and the
// 64-column blocks of the column sums), wider ones that cross the blocks,
// the book's layer widths, and 0 to 5 rows.
func bnormShapes() [][2]int {
	var s [][2]int
	for cols := 0; cols <= 70; cols++ {
		for _, rows := range []int{0, 1, 2, 3, 5} {
			s = append(s, [2]int{rows, cols})
		}
	}
	for _, cols := range []int{79, 95, 96, 100, 127, 128, 129, 191, 255, 256, 300, 784} {
		for _, rows := range []int{1, 4, 7} {
			s = append(s, [2]int{rows, cols})
		}
	}
	return s
}

// bnormInputs returns a batch of rows x cols values in [-4, 4), with
// special values (NaN, infinities, subnormals, zeros) sprinkled in when
// special is set, and a per-column vector of each kind.
func bnormInputs(r *rand.Rand, rows, cols int, special bool) (x, y []float32, col [4][]float32) {
	x, y = randSlice(r, rows*cols, -4, 4), randSlice(r, rows*cols, -4, 4)
	for k := range col {
		col[k] = randSlice(r, cols, -2, 2)
	}
	if special {
		for i := 0; i < len(x); i += 7 {
			x[i] = specialValues[r.IntN(len(specialValues))]
			y[(i*3)%len(y)] = specialValues[r.IntN(len(specialValues))]
		}
		for k := range col {
			for j := k; j < cols; j += 11 {
				col[k][j] = specialValues[r.IntN(len(specialValues))]
			}
		}
	}
	return x, y, col
}

// sameBits fails t unless got and want are the same floats bit for bit
// (any NaN matches any NaN: payloads may differ between levels).
func sameBits(t *testing.T, what string, got, want []float32) {
	t.Helper()
	for i := range want {
		if ulpDiff(got[i], want[i]) != 0 || got[i] == 0 && math.Signbit(float64(got[i])) != math.Signbit(float64(want[i])) {
			t.Fatalf("%s: element %d = %v, want %v", what, i, got[i], want[i])
		}
	}
}

func TestBatchNormKernels(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		k := bnormFor(l)
		r := rand.New(rand.NewPCG(7, uint64(l)))
		for _, sh := range bnormShapes() {
			rows, cols := sh[0], sh[1]
			if cols == 0 && rows > 0 {
				continue
			}
			for _, special := range []bool{false, true} {
				off := r.IntN(16)
				name := fmt.Sprintf("%dx%d special=%v off=%d", rows, cols, special, off)
				x, y, col := bnormInputs(r, rows, cols, special)

				// column sums
				want, want2 := make([]float32, cols), make([]float32, cols)
				colSumsSqDevGeneric(want, x, col[0])
				g := newGuarded(cols, off)
				g.fill(randSlice(r, cols, 5, 6)) // overwritten, never read
				k.colSumsSqDev(g.Data, x, col[0])
				g.check(t, "colSumsSqDev "+name)
				sameBits(t, "colSumsSqDev "+name, g.Data, want)

				colSumsDotsGeneric(want, want2, x, y)
				g, g2 := newGuarded(cols, off), newGuarded(cols, 15-off)
				g.fill(randSlice(r, cols, 5, 6))
				g2.fill(randSlice(r, cols, 5, 6))
				k.colSumsDots(g.Data, g2.Data, x, y)
				g.check(t, "colSumsDots sums "+name)
				g2.check(t, "colSumsDots dots "+name)
				sameBits(t, "colSumsDots sums "+name, g.Data, want)
				sameBits(t, "colSumsDots dots "+name, g2.Data, want2)

				// the two passes, with and without xhat
				n := rows * cols
				wy, wh := make([]float32, n), make([]float32, n)
				normalizeGeneric(wy, wh, x, col[0], col[1], col[2], col[3])
				gy, gh := newGuarded(n, off), newGuarded(n, (off+5)%16)
				k.normalize(gy.Data, gh.Data, x, col[0], col[1], col[2], col[3])
				gy.check(t, "normalize y "+name)
				gh.check(t, "normalize xhat "+name)
				sameBits(t, "normalize y "+name, gy.Data, wy)
				sameBits(t, "normalize xhat "+name, gh.Data, wh)
				gy = newGuarded(n, (off+3)%16)
				k.normalize(gy.Data, nil, x, col[0], col[1], col[2], col[3])
				gy.check(t, "normalize y without xhat "+name)
				sameBits(t, "normalize y without xhat "+name, gy.Data, wy)

				wdx := make([]float32, n)
				normalizeGradGeneric(wdx, y, x, col[0], col[1], col[2])
				gdx := newGuarded(n, off)
				k.normalizeGrad(gdx.Data, y, x, col[0], col[1], col[2])
				gdx.check(t, "normalizeGrad "+name)
				sameBits(t, "normalizeGrad "+name, gdx.Data, wdx)
			}
		}
	})
}

// TestBatchNormInPlace: y and xhat may be x, dx may be dy or xhat.
func TestBatchNormInPlace(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		k := bnormFor(l)
		r := rand.New(rand.NewPCG(8, uint64(l)))
		for _, sh := range [][2]int{{3, 17}, {5, 100}, {2, 784}} {
			rows, cols := sh[0], sh[1]
			x, y, col := bnormInputs(r, rows, cols, false)
			n := rows * cols
			wy, wh := make([]float32, n), make([]float32, n)
			normalizeGeneric(wy, wh, x, col[0], col[1], col[2], col[3])
			got := append([]float32(nil), x...)
			k.normalize(got, nil, got, col[0], col[1], col[2], col[3])
			sameBits(t, "normalize y = x", got, wy)
			got = append([]float32(nil), x...)
			gy := make([]float32, n)
			k.normalize(gy, got, got, col[0], col[1], col[2], col[3])
			sameBits(t, "normalize xhat = x: xhat", got, wh)
			sameBits(t, "normalize xhat = x: y", gy, wy)

			wdx := make([]float32, n)
			normalizeGradGeneric(wdx, y, x, col[0], col[1], col[2])
			got = append([]float32(nil), y...)
			k.normalizeGrad(got, got, x, col[0], col[1], col[2])
			sameBits(t, "normalizeGrad dx = dy", got, wdx)
			got = append([]float32(nil), x...)
			k.normalizeGrad(got, y, got, col[0], col[1], col[2])
			sameBits(t, "normalizeGrad dx = xhat", got, wdx)
		}
	})
}

// TestBatchNormByHand checks the generic reference on values worked out by
// hand: a batch of two rows, two columns.
func TestBatchNormByHand(t *testing.T) {
	x := []float32{1, 10, 3, 30}
	sq := make([]float32, 2)
	ColSumsSqDev(sq, x, []float32{2, 20}) // (1-2)^2+(3-2)^2, (10-20)^2+(30-20)^2
	sameBits(t, "ColSumsSqDev", sq, []float32{2, 200})

	sums, dots := make([]float32, 2), make([]float32, 2)
	ColSumsDots(sums, dots, x, []float32{2, 0.5, -1, 2})
	sameBits(t, "ColSumsDots sums", sums, []float32{4, 40})
	sameBits(t, "ColSumsDots dots", dots, []float32{-1, 65})

	// mean 2, 20; variance 1, 100; scale 1/1, 1/10; gamma 2, 3; beta 1, -1
	y, xhat := make([]float32, 4), make([]float32, 4)
	BatchNorm(y, xhat, x, []float32{2, 20}, []float32{1, 0.1}, []float32{2, 3}, []float32{1, -1})
	sameBits(t, "BatchNorm xhat", xhat, []float32{-1, -1, 1, 1})
	sameBits(t, "BatchNorm y", y, []float32{-1, -4, 3, 2})

	// dy = [1, 2; 3, 6]: meanDy 2, 4; dy*xhat = [-1, -2; 3, 6], mean 1, 2;
	// dx = scale*((dy - meanDy) - xhat*meanDyXhat) with scale 2, 0.3:
	// row 0: 2*((1-2) - (-1)(1)) = 0, 0.3*((2-4) - (-1)(2)) = 0;
	// row 1: 2*((3-2) - 1) = 0, 0.3*((6-4) - 2) = 0: dy linear in xhat
	// has no gradient left; dy = [1, 0; 1, 0] keeps its mean removed only.
	dx := make([]float32, 4)
	BatchNormGrad(dx, []float32{1, 2, 3, 6}, xhat, []float32{2, 0.3}, []float32{2, 4}, []float32{1, 2})
	sameBits(t, "BatchNormGrad (dy linear in xhat)", dx, []float32{0, 0, 0, 0})
	BatchNormGrad(dx, []float32{1, 0, 1, 0}, xhat, []float32{2, 0.3}, []float32{1, 0}, []float32{0, 0})
	sameBits(t, "BatchNormGrad (constant dy)", dx, []float32{0, 0, 0, 0})
	BatchNormGrad(dx, []float32{2, 0, 0, 0}, xhat, []float32{2, 0.3}, []float32{1, 0}, []float32{-1, 0})
	// row 0: 2*((2-1) - (-1)(-1)) = 0; row 1: 2*((0-1) - (1)(-1)) = 0
	sameBits(t, "BatchNormGrad (one nonzero)", dx, []float32{0, 0, 0, 0})
	BatchNormGrad(dx, []float32{3, 0, 1, 0}, xhat, []float32{2, 0.3}, []float32{1, 0}, []float32{0, 0})
	// row 0: 2*((3-1) - 0) = 4; row 1: 2*((1-1) - 0) = 0
	sameBits(t, "BatchNormGrad", dx, []float32{4, 0, 0, 0})
}

func TestBatchNormPanics(t *testing.T) {
	v2, v3, v4, v6 := make([]float32, 2), make([]float32, 3), make([]float32, 4), make([]float32, 6)
	for _, c := range []struct {
		name string
		want string
		f    func()
	}{
		{"ColSumsSqDev c", vecErrLength, func() { ColSumsSqDev(v2, v4, v3) }},
		{"ColSumsSqDev rows", vecErrShape, func() { ColSumsSqDev(v4, v6, v4) }},
		{"ColSumsSqDev empty dst", vecErrShape, func() { ColSumsSqDev(nil, v2, nil) }},
		{"ColSumsDots dots", vecErrLength, func() { ColSumsDots(v2, v3, v4, v4) }},
		{"ColSumsDots y", vecErrLength, func() { ColSumsDots(v2, v2, v4, v6) }},
		{"ColSumsDots rows", vecErrShape, func() { ColSumsDots(v4, v4, v6, v6) }},
		{"BatchNorm gamma", vecErrLength, func() { BatchNorm(v4, nil, v4, v2, v2, v3, v2) }},
		{"BatchNorm y", vecErrLength, func() { BatchNorm(v6, nil, v4, v2, v2, v2, v2) }},
		{"BatchNorm xhat", vecErrLength, func() { BatchNorm(v4, v2, v4, v2, v2, v2, v2) }},
		{"BatchNorm rows", vecErrShape, func() { BatchNorm(v6, nil, v6, v4, v4, v4, v4) }},
		{"BatchNormGrad meanDy", vecErrLength, func() { BatchNormGrad(v4, v4, v4, v2, v3, v2) }},
		{"BatchNormGrad xhat", vecErrLength, func() { BatchNormGrad(v4, v4, v6, v2, v2, v2) }},
		{"BatchNormGrad rows", vecErrShape, func() { BatchNormGrad(v6, v6, v6, v4, v4, v4) }},
	} {
		func() {
			defer func() {
				if got := recover(); got != c.want {
					t.Errorf("%s: panic %v, want %q", c.name, got, c.want)
				}
			}()
			c.f()
		}()
	}
}
