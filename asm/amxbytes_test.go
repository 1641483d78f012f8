package asm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// byteTestMatrix returns a k×ld matrix whose columns have magnitudes of
// their own (exponents spread over several powers of two), with zeros,
// subnormals and negative values.
func byteTestMatrix(rng *rand.Rand, k, ld int) []float32 {
	w := make([]float32, k*ld)
	colExp := make([]int, ld)
	for j := range colExp {
		colExp[j] = rng.IntN(40) - 30
		if j%7 == 3 {
			colExp[j] = -140 // subnormal columns
		}
	}
	for i := range w {
		j := i % ld
		switch rng.IntN(10) {
		case 0:
			w[i] = 0
		case 1:
			w[i] = math.Float32frombits(rng.Uint32() & 0x807FFFFF) // subnormal
		case 2:
			// odd multiples of small powers of two: some fall halfway
			// between two points of the column's grid (ties)
			w[i] = float32(math.Ldexp(float64(2*rng.IntN(1<<20)+1), colExp[j]+rng.IntN(12)-28))
		default:
			w[i] = float32(rng.NormFloat64() * math.Ldexp(1, colExp[j]+rng.IntN(12)-6))
		}
	}
	return w
}

var byteShapes = []struct{ k, cols int }{
	{1, 1}, {3, 5}, {4, 16}, {63, 17}, {64, 32}, {65, 31}, {130, 20}, {784, 32}, {300, 12},
}

// TestBytePackGeneric: the parts of the Go split lie in [-64, 64], and
// they and the scales give back each value to within 2^(e-22) (e the
// column's exponent), with zeros past the columns and the depth.
func TestBytePackGeneric(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, s := range byteShapes {
		ld := s.cols + 3
		w := byteTestMatrix(rng, s.k, ld)
		chunks := ByteChunks(s.k)
		dst := make([]int8, BytePanelLen(s.k))
		scale := make([]float64, 32)
		if !bytePackPanelGeneric(dst, scale, w, ld, s.k, s.cols) {
			t.Fatalf("k=%d cols=%d: refused finite values", s.k, s.cols)
		}
		for j := 0; j < 32; j++ {
			var maxAbs float64
			for r := 0; r < s.k && j < s.cols; r++ {
				maxAbs = max(maxAbs, math.Abs(float64(w[r*ld+j])))
			}
			grid := scale[j] // 2^(e-21)
			if maxAbs > 0 && (maxAbs >= grid*(1<<27) || (maxAbs < grid*(1<<26) && grid > math.Ldexp(1, -141))) {
				t.Fatalf("k=%d col %d: scale %g for largest magnitude %g", s.k, j, grid, maxAbs)
			}
			for r := 0; r < chunks*ByteDepth; r++ {
				pos := bytePanelPos(r, j)
				var v float64
				for p := 0; p < 4; p++ {
					q := dst[p*chunks*ByteChunk+pos]
					if q < -64 || q > 64 {
						t.Fatalf("k=%d col %d row %d: part %d is %d", s.k, j, r, p, q)
					}
					v += float64(q) * math.Ldexp(grid, 7*(3-p))
				}
				var want float64
				if r < s.k && j < s.cols {
					want = float64(w[r*ld+j])
				}
				if math.Abs(v-want) > grid/2 {
					t.Fatalf("k=%d col %d row %d: parts give %g for %g (grid %g)", s.k, j, r, v, want, grid)
				}
			}
		}
	}
}

// TestBytePackRefusesNonFinite: NaN or ±Inf anywhere in the panel's
// columns is reported; past cols it is not read.
func TestBytePackRefusesNonFinite(t *testing.T) {
	for _, pack := range bytePackers(t) {
		for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))} {
			for _, at := range []int{0, 17, 31, 64*40 + 5, 99*40 + 31} {
				w := make([]float32, 100*40)
				for i := range w {
					w[i] = float32(i%13) - 6
				}
				w[at] = bad
				got := pack.fn(make([]int8, BytePanelLen(100)), make([]float64, 32), w, 40, 100, 32)
				if got {
					t.Errorf("%s: %g at %d accepted", pack.name, bad, at)
				}
				w[at] = 0
				w[35] = bad // column 35: past the panel
				if !pack.fn(make([]int8, BytePanelLen(100)), make([]float64, 32), w, 40, 100, 32) {
					t.Errorf("%s: a value past the columns refused", pack.name)
				}
			}
		}
	}
}

type bytePacker struct {
	name string
	fn   func(dst []int8, scale []float64, src []float32, ld, k, cols int) bool
}

func bytePackers(t *testing.T) []bytePacker {
	p := []bytePacker{{"generic", bytePackPanelGeneric}}
	if compiledAsm && BytesAvailable() {
		p = append(p, bytePacker{"asm", bytePackPanel})
	} else {
		t.Log("no byte products here (AMX-INT8 with the tile state; NNRT_ISA=avx2 or avx512 keeps them off): the asm is not tested")
	}
	return p
}

// TestBytePackAsm: the asm split equals the Go one bit for bit, writes
// nothing past the panel, and reads src from an unaligned offset.
func TestBytePackAsm(t *testing.T) {
	if !compiledAsm || !BytesAvailable() {
		t.Skip("no byte products here (AMX-INT8 with the tile state; NNRT_ISA=avx2 or avx512 keeps them off)")
	}
	rng := rand.New(rand.NewPCG(9, 10))
	for _, s := range byteShapes {
		for _, off := range []int{0, 1, 3} {
			ld := s.cols + off + 2
			w := byteTestMatrix(rng, s.k, ld+off)[off:]
			n := BytePanelLen(s.k)
			want := make([]int8, n)
			wantScale := make([]float64, 32)
			bytePackPanelGeneric(want, wantScale, w, ld, s.k, s.cols)
			got := make([]int8, n+128)
			for i := range got {
				got[i] = 0x5A
			}
			gotScale := make([]float64, 40)
			if !BytePackPanel(got[:n], gotScale, w, ld, s.k, s.cols) {
				t.Fatalf("k=%d cols=%d: refused", s.k, s.cols)
			}
			for i := 0; i < n; i++ {
				if got[i] != want[i] {
					t.Fatalf("k=%d cols=%d off=%d: byte %d is %d, want %d", s.k, s.cols, off, i, got[i], want[i])
				}
			}
			for i := n; i < len(got); i++ {
				if got[i] != 0x5A {
					t.Fatalf("k=%d cols=%d: wrote past the panel at %d", s.k, s.cols, i)
				}
			}
			for j := 0; j < 32; j++ {
				if gotScale[j] != wantScale[j] {
					t.Fatalf("k=%d cols=%d: scale %d is %g, want %g", s.k, s.cols, j, gotScale[j], wantScale[j])
				}
			}
		}
	}
}

// byteKernelCase runs kernel on one random block and compares it with the
// Go oracle (bits) and with a float64 reference (the error bound).
func byteKernelCase(t *testing.T, rng *rand.Rand, kernel func(a []uint8, lda int, b []int8, chunks int, scale []float64, alpha, beta float64, c []float32, ldc, rows, cols int, scratch []int32), k, rows, cols int, beta float64) {
	t.Helper()
	lda, ldw, ldc := k+rng.IntN(9), cols+1, cols+5
	chunks := ByteChunks(k)
	a := make([]uint8, ((rows+31)&^31-1)*lda+chunks*ByteDepth)
	for i := range a {
		if rng.IntN(3) > 0 {
			a[i] = uint8(rng.IntN(256))
		}
	}
	w := byteTestMatrix(rng, k, ldw)
	b := make([]int8, BytePanelLen(k))
	scale := make([]float64, 32)
	if !bytePackPanelGeneric(b, scale, w, ldw, k, cols) {
		t.Fatal("refused")
	}
	const guard = 7
	c0 := make([]float32, guard+(rows-1)*ldc+cols+guard)
	for i := range c0 {
		c0[i] = float32(rng.NormFloat64())
	}
	want := append([]float32(nil), c0...)
	got := append([]float32(nil), c0...)
	alpha := 1.0 / 255
	byteKernelGeneric(a, lda, b, chunks, scale, alpha, beta, want[guard:], ldc, rows, cols, nil)
	kernel(a, lda, b, chunks, scale, alpha, beta, got[guard:], ldc, rows, cols, make([]int32, ByteScratch))
	for i := range got {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("k=%d rows=%d cols=%d beta=%g: C[%d] = %g, want %g", k, rows, cols, beta, i-guard, got[i], want[i])
		}
	}
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			var exact, sumA, maxW float64
			for r := 0; r < k; r++ {
				exact += float64(a[i*lda+r]) * float64(w[r*ldw+j])
				sumA += float64(a[i*lda+r])
				maxW = max(maxW, math.Abs(float64(w[r*ldw+j])))
			}
			ci := guard + i*ldc + j
			ref := alpha*exact + beta*float64(c0[ci])
			// the split's remainders (half the grid: 2^-27 of the column's
			// largest magnitude, or 2^-142), the float64 and float32 roundings
			if scale[j]/2 > max(maxW*math.Ldexp(1, -27), math.Ldexp(1, -142)) {
				t.Fatalf("col %d: grid %g for largest magnitude %g", j, scale[j], maxW)
			}
			bound := alpha*sumA*scale[j]/2 + math.Abs(ref)*math.Ldexp(1, -23) + math.Ldexp(1, -149)
			if d := math.Abs(float64(want[ci]) - ref); d > bound {
				t.Fatalf("k=%d (%d,%d): %g, reference %g: error %g over %g", k, i, j, want[ci], ref, d, bound)
			}
		}
	}
}

func TestByteKernelGeneric(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, k := range []int{1, 64, 65, 200} {
		for _, rc := range [][2]int{{1, 1}, {32, 32}, {17, 9}, {5, 31}, {70, 9}} {
			for _, beta := range []float64{0, 1, 0.5} {
				byteKernelCase(t, rng, byteKernelGeneric, k, rc[0], rc[1], beta)
			}
		}
	}
}

func TestByteKernelAsm(t *testing.T) {
	if !compiledAsm || !BytesAvailable() {
		t.Skip("no byte products here (AMX-INT8 with the tile state; NNRT_ISA=avx2 or avx512 keeps them off)")
	}
	rng := rand.New(rand.NewPCG(13, 14))
	for _, k := range []int{1, 63, 64, 65, 200, 784, 1600} {
		for _, rc := range [][2]int{{1, 1}, {32, 32}, {17, 9}, {5, 31}, {32, 12}, {24, 32}, {33, 32}, {64, 7}, {95, 32}, {256, 30}, {97, 17}} {
			for _, beta := range []float64{0, 1, 0.5, -2} {
				byteKernelCase(t, rng, ByteKernel, k, rc[0], rc[1], beta)
			}
		}
	}
}

// TestByteTranspose: every shape around the blocks (16 rows, 64 columns),
// unaligned, with guard bands around dst, against the byte loop.
func TestByteTranspose(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for _, rows := range []int{0, 1, 15, 16, 17, 33, 64, 256} {
		for _, cols := range []int{0, 1, 63, 64, 65, 130, 784} {
			lds, ldd := cols+rng.IntN(3), rows+rng.IntN(3)
			// src and dst as short as the arguments allow
			srcLen, dstLen := 0, 0
			if rows > 0 && cols > 0 {
				srcLen, dstLen = (rows-1)*lds+cols, (cols-1)*ldd+rows
			}
			src := make([]uint8, 1+srcLen)
			for i := range src {
				src[i] = uint8(rng.Uint32())
			}
			const guard = 5
			got := make([]uint8, guard+dstLen+guard)
			for i := range got {
				got[i] = 0xA5
			}
			want := append([]uint8(nil), got...)
			byteTransposeGeneric(want[guard:], ldd, src[1:], lds, rows, cols)
			if rows > 0 && cols > 0 {
				ByteTranspose(got[guard:guard+dstLen], ldd, src[1:], lds, rows, cols)
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("%dx%d: byte %d is %d, want %d", rows, cols, i-guard, got[i], want[i])
				}
			}
		}
	}
}
