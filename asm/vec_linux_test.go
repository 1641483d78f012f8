//go:build linux

package asm

import (
	"math"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// vecPageEnd returns n float32 that end exactly where an inaccessible page
// begins, so that a kernel touching one element past the end faults, even
// for a read of a lane its mask turns off (AMD documents that VMASKMOVPS
// may fault on masked-out elements: this test is the check).
func vecPageEnd(t *testing.T, n int) []float32 {
	t.Helper()
	pg := syscall.Getpagesize()
	buf, err := syscall.Mmap(-1, 0, 2*pg, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Skipf("mmap: %v", err)
	}
	t.Cleanup(func() { syscall.Munmap(buf) })
	if err := syscall.Mprotect(buf[pg:], syscall.PROT_NONE); err != nil {
		t.Skipf("mprotect: %v", err)
	}
	f := unsafe.Slice((*float32)(unsafe.Pointer(&buf[0])), pg/4)
	s := f[pg/4-n:]
	for i := range s {
		s[i] = float32(i%7) - 3
	}
	return s
}

// TestVecPageEnd runs every vec and optim kernel on operands that all end
// at an inaccessible page, for every tail length.
func TestVecPageEnd(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		v, o := vecFor(l), optimFor(l)
		for n := 1; n <= 70; n++ {
			x, y, z, u := vecPageEnd(t, n), vecPageEnd(t, n), vecPageEnd(t, n), vecPageEnd(t, n)
			v.axpy(0.5, x, y)
			v.scale(0.5, x)
			v.scaleTo(z, 0.5, x)
			v.add(z, x, y)
			v.mul(z, x, y)
			vecSink += v.dot(x, y) + v.sum(x)
			v.addBias(x, y)
			v.colSums(z, x)
			for _, cols := range []int{1, n / 3, n / 2} {
				if cols > 0 {
					v.addBias(x[len(x)-n/cols*cols:], vecPageEndTail(y, cols))
					v.colSums(vecPageEndTail(z, cols), x[len(x)-n/cols*cols:])
				}
			}
			// gemv and ger: the matrix's last row ends at the page, and
			// so do the vectors
			for _, cols := range []int{1, min(3, n), n} {
				for _, lda := range []int{cols, cols + 2} {
					rows := (n-cols)/lda + 1
					a := vecPageEndTail(x, (rows-1)*lda+cols)
					v.gemvN(vecPageEndTail(z, rows), a, lda, vecPageEndTail(y, cols))
					v.gemvT(vecPageEndTail(z, cols), a, lda, vecPageEndTail(y, rows))
					for _, beta := range []float32{0, 1, 0.5} {
						v.ger(a, lda, vecPageEndTail(y, rows), vecPageEndTail(z, cols), 0.5, beta)
					}
					// gemmRows: a is the matrix read (rows × cols), C and X
					// end at the page too
					for m := 2; m <= MaxGemmRows && m <= rows; m++ {
						if f := v.gemmRows[m]; f != nil {
							c, xm := vecPageEnd(t, m*cols), vecPageEnd(t, m*rows)
							f(c, cols, cols, a, lda, xm, rows, 1, rows)
							f(c, cols, cols, a, lda, xm, 1, m, rows)
						}
					}
				}
			}
			for _, l2x2 := range []float32{0, 0.02} { // both loops
				o.sgdMomentum(x, y, z, 0.1, 0.9, l2x2)
				o.sgdNesterov(x, y, z, 0.1, 0.9, l2x2)
				o.adam(x, y, z, u, 0.1, 0.9, 0.1, 0.999, 0.001, 1e-7, l2x2)
				o.nadam(x, y, z, u, 0.1, 0.9, 0.1, 0.999, 0.001, 1e-7, 1, 1, 1, l2x2)
				o.rmsprop(x, y, u, 0.1, 0.9, 0.1, 1e-7, l2x2)
			}
		}
	})
}

// vecPageEndTail is the last k elements of s (which end at the page).
func vecPageEndTail(s []float32, k int) []float32 { return s[len(s)-k:] }

var vecSink float32

// benchThreadCPU returns the CPU time of the calling thread (getrusage
// with RUSAGE_THREAD, 1 on Linux), for the benchmarks' cpu-MB/s.
func benchThreadCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(1, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestGemmKernelEdgePageEnd: on a level with masked edges (EdgeDirect), an
// edge tile whose C ends at its last element, at an inaccessible page,
// computes the bits of the full kernel, and touches nothing past the end;
// on a level that masks B too (EdgeMasksB), so does a B that ends at its
// last column.
func TestGemmKernelEdgePageEnd(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		g := GemmFor(l)
		if !g.EdgeDirect {
			t.Skip("level writes edges through a scratch tile")
		}
		for _, k := range []int{1, 9} {
			for cols := 1; cols <= g.NR; cols++ {
				nr, fn := g.NR, g.Kernel
				if cols <= g.NarrowNR {
					nr, fn = g.NarrowNR, g.KernelNarrow
				}
				rsb := nr + 3
				padded := make([]float32, k*rsb+nr)
				for i := range padded {
					padded[i] = float32(i%7) - 3
				}
				b := padded
				if g.EdgeMasksB {
					rsb = cols + 3
					b = vecPageEnd(t, (k-1)*rsb+cols)
					copy(b, padded)
					clear(padded)
					copy(padded, b)
				}
				a := make([]float32, k*g.MR)
				for i := range a {
					a[i] = float32(i%5) - 2
				}
				for _, beta := range []float32{0, 0.5} {
					got := vecPageEnd(t, g.MR*cols)
					want := make([]float32, g.MR*nr)
					for i := 0; i < g.MR; i++ {
						for j := 0; j < cols; j++ {
							got[i*cols+j] = float32(i - j)
							want[i*nr+j] = float32(i - j)
						}
					}
					g.KernelEdge(k, 1.5, a, g.MR, 1, b, rsb, beta, got, cols, g.MR, cols, nil)
					fn(k, 1.5, a, g.MR, 1, padded, rsb, beta, want, nr)
					for i := 0; i < g.MR; i++ {
						for j := 0; j < cols; j++ {
							if got[i*cols+j] != want[i*nr+j] {
								t.Fatalf("k=%d cols=%d beta=%g: C[%d,%d] = %g, want %g", k, cols, beta, i, j, got[i*cols+j], want[i*nr+j])
							}
						}
					}
				}
			}
		}
	})
}

// TestGemmPackTPageEnd: PackT reads nothing past the last element of src
// and writes nothing past the last of dst (the masked edge tiles
// included), with both ending at an inaccessible page.
func TestGemmPackTPageEnd(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		g := GemmFor(l)
		for _, xn := range []int{1, 5, 8, 10, 17} {
			for _, pn := range []int{1, 3, 8, 12, 45} { // src within a page
				sx := pn + 2
				src := vecPageEnd(t, (xn-1)*sx+pn)
				dst := vecPageEnd(t, pn*xn)
				g.PackT(dst, xn, src, sx, xn, pn)
				for p := 0; p < pn; p++ {
					for x := 0; x < xn; x++ {
						if dst[p*xn+x] != src[x*sx+p] {
							t.Fatalf("xn=%d pn=%d: dst[%d,%d] = %g, want %g", xn, pn, p, x, dst[p*xn+x], src[x*sx+p])
						}
					}
				}
			}
		}
	})
}

// TestGemmPackRowsPageEnd: PackRows reads nothing past src's last value
// and writes nothing past dst's last (masked loads and stores included),
// with both ending at an inaccessible page.
func TestGemmPackRowsPageEnd(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		g := GemmFor(l)
		for _, w := range []int{1, 6, 8, 12, 16, 20, 32} {
			for _, valid := range []int{0, 1, w / 2, w - 1, w} {
				const rows = 5
				lds, ldd := valid+1, w
				src := vecPageEnd(t, (rows-1)*lds+valid)
				for i := range src {
					src[i] = float32(i + 1)
				}
				dst := vecPageEnd(t, (rows-1)*ldd+w)
				g.PackRows(dst, ldd, src, lds, rows, w, valid)
				for p := 0; p < rows; p++ {
					for x := 0; x < w; x++ {
						var want float32
						if x < valid {
							want = src[p*lds+x]
						}
						if got := dst[p*ldd+x]; got != want {
							t.Fatalf("w=%d valid=%d: dst[%d,%d] = %g, want %g", w, valid, p, x, got, want)
						}
					}
				}
			}
		}
	})
}

// TestGemmKernelTallPageEnd: KernelTall touches no element outside its
// operands' exact extents (masked rows of A and C, B's last column) when
// A, B and C each end at an inaccessible page; its results are those of a
// call on copies that do not.
func TestGemmKernelTallPageEnd(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		g := GemmFor(l)
		if g.TallMR == 0 {
			t.Skip("no tall kernel")
		}
		for _, k := range []int{1, 9} {
			for _, rows := range []int{1, 5, 16, 17, 31, 32} {
				for _, cols := range []int{1, 4, g.TallNR} {
					lda, ldb, ldc := rows+3, cols+2, cols+1
					a := vecPageEnd(t, (k-1)*lda+rows)
					b := vecPageEnd(t, (k-1)*ldb+cols)
					for _, beta := range []float32{0, 0.5} {
						c := vecPageEnd(t, (rows-1)*ldc+cols)
						want := append([]float32(nil), c...)
						g.KernelTall(k, 1.5, a, lda, b, ldb, 1, beta, c, ldc, rows, cols)
						g.KernelTall(k, 1.5, append([]float32(nil), a...), lda, append([]float32(nil), b...), ldb, 1, beta, want, ldc, rows, cols)
						for i := range c {
							if math.Float32bits(c[i]) != math.Float32bits(want[i]) {
								t.Fatalf("k=%d rows=%d cols=%d beta=%g: c[%d] = %g, want %g", k, rows, cols, beta, i, c[i], want[i])
							}
						}
					}
				}
			}
		}
	})
}
