package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"syscall"
	"testing"
)

// TestGemmKernel checks every level's microkernels (wide and narrow) against a float64
// evaluation of the contract: packed and in-place operand strides, k around
// the unroll and block sizes, alpha and beta (beta = 0 with NaN in C), C
// with ldc > NR at offsets 0..15 inside guard bands.
func TestGemmKernel(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		g := GemmFor(l)
		r := rand.New(rand.NewPCG(1, uint64(l)))
		for _, kn := range gemmVariants(g) {
			nr := kn.nr
			for _, k := range []int{0, 1, 2, 3, 7, 16, 31, 64, 191, 192, 193, 385} {
				for _, lay := range []string{"packed", "rowPanel", "inplaceN", "inplaceT", "inplaceTB"} {
					for _, ab := range [][2]float32{{1, 0}, {-0.5, 1}, {2, -1.5}, {1.5, 0}} {
						// op(A)(i, p) = a[p*rsa+i*csa]
						var rsa, csa int
						switch lay {
						case "packed": // a column panel
							rsa, csa = g.MR, 1
						case "rowPanel", "inplaceN": // row-major A with lda = k+3
							rsa, csa = 1, k+3
						case "inplaceT", "inplaceTB": // transposed A with lda = MR+5
							rsa, csa = g.MR+5, 1
						}
						// The packed layouts, and a transposed A in place
						// with B packed (inplaceTB), have B packed too (the
						// kernels' unrolled loops).
						rsb := nr
						if lay == "inplaceN" || lay == "inplaceT" {
							rsb = nr + 9
						}
						a := randSlice(r, max(1, k)*rsa+g.MR*csa, -1, 1)
						b := randSlice(r, max(1, k)*rsb+nr, -1, 1)
						ldc := nr + r.IntN(5)
						off := r.IntN(16)
						c := newGuarded((g.MR-1)*ldc+nr, off)
						c0 := randSlice(r, len(c.Data), -1, 1)
						if ab[1] == 0 {
							for i := range c0 {
								c0[i] = float32(math.NaN())
							}
						}
						c.fill(c0)
						kn.fn(k, ab[0], a, rsa, csa, b, rsb, ab[1], c.Data, ldc)
						c.check(t, "gemm "+kn.name)
						for i := 0; i < g.MR; i++ {
							for j := 0; j < nr; j++ {
								var s, mag float64
								for p := 0; p < k; p++ {
									x := float64(a[p*rsa+i*csa]) * float64(b[p*rsb+j])
									s += x
									mag += math.Abs(x)
								}
								want := float64(ab[0]) * s
								mag *= math.Abs(float64(ab[0]))
								if ab[1] != 0 {
									want += float64(ab[1]) * float64(c0[i*ldc+j])
									mag += math.Abs(float64(ab[1]) * float64(c0[i*ldc+j]))
								}
								got := float64(c.Data[i*ldc+j])
								if math.IsNaN(got) || math.Abs(got-want) > float64(k+2)*0x1p-24*mag {
									t.Fatalf("%s %s k=%d alpha=%g beta=%g: C[%d,%d] = %g, want %g", kn.name, lay, k, ab[0], ab[1], i, j, got, want)
								}
							}
						}
						// Padding between rows of C (j >= NR) is not written.
						for i := 0; i < g.MR-1; i++ {
							for j := nr; j < ldc; j++ {
								if got := c.Data[i*ldc+j]; math.Float32bits(got) != math.Float32bits(c0[i*ldc+j]) {
									t.Fatalf("%s %s k=%d: wrote C[%d,%d] past NR", kn.name, lay, k, i, j)
								}
							}
						}
					}
				}
			}
		}
	})
}

// gemmKernelVariant is one of a level's two microkernels, for the tests.
type gemmKernelVariant struct {
	name string
	nr   int
	fn   func(k int, alpha float32, a []float32, rsa, csa int, b []float32, rsb int, beta float32, c []float32, ldc int)
}

func gemmVariants(g Gemm) []gemmKernelVariant {
	return []gemmKernelVariant{{"wide", g.NR, g.Kernel}, {"narrow", g.NarrowNR, g.KernelNarrow}}
}

// TestGemmKernelNarrowBits: the narrow kernel's tile is bit-identical to the
// first NarrowNR columns of the wide kernel's, for packed and in-place
// operands and both beta paths (the contract blas's choice between them
// relies on).
func TestGemmKernelNarrowBits(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		g := GemmFor(l)
		if g.NarrowNR < 1 || g.NarrowNR > g.NR {
			t.Fatalf("NarrowNR = %d with NR = %d", g.NarrowNR, g.NR)
		}
		r := rand.New(rand.NewPCG(5, uint64(l)))
		for _, k := range []int{1, 17, 300} {
			for _, beta := range []float32{0, 0.75} {
				rsa, csa := 1, k+2 // row-major A in place
				rsb := g.NR + 3
				a := randSlice(r, k*rsa+g.MR*csa, -1, 1)
				b := randSlice(r, k*rsb+g.NR, -1, 1)
				ldc := g.NR + 1
				c0 := randSlice(r, g.MR*ldc, -1, 1)
				wide := append([]float32(nil), c0...)
				narrow := append([]float32(nil), c0...)
				g.Kernel(k, 1.5, a, rsa, csa, b, rsb, beta, wide, ldc)
				g.KernelNarrow(k, 1.5, a, rsa, csa, b, rsb, beta, narrow, ldc)
				for i := 0; i < g.MR; i++ {
					for j := 0; j < ldc; j++ {
						want := wide[i*ldc+j]
						if j >= g.NarrowNR {
							want = c0[i*ldc+j] // not written
						}
						if got := narrow[i*ldc+j]; math.Float32bits(got) != math.Float32bits(want) {
							t.Fatalf("k=%d beta=%g: C[%d,%d] = %g, want %g", k, beta, i, j, got, want)
						}
					}
				}
			}
		}
	})
}

// TestGemmTiles: each level's kernel has the tile of the table.
func TestGemmTiles(t *testing.T) {
	for _, l := range Available() {
		g := GemmFor(l)
		if g.Level != l || g.MR != gemmTiles[l].MR || g.NR != gemmTiles[l].NR {
			t.Errorf("%v: kernel %v %dx%d, table %dx%d", l, g.Level, g.MR, g.NR, gemmTiles[l].MR, gemmTiles[l].NR)
		}
		if g.NarrowNR != g.NR && 2*g.NarrowNR != g.NR {
			t.Errorf("%v: NarrowNR %d is neither NR nor NR/2 (NR %d)", l, g.NarrowNR, g.NR)
		}
	}
}

// BenchmarkGemmKernel/<isa>/<where> times one level's microkernel on packed
// panels: "L1" keeps both panels in L1 (the kernel's own ceiling);
// "L2" streams A micro-panels through a 512 KiB block as the driver does.
// <where>-narrow times the narrow kernel likewise (on the x86 levels).
func BenchmarkGemmKernel(b *testing.B) {
	const k = 192
	for _, l := range Available() {
		g := GemmFor(l)
		b.Run(l.String(), func(b *testing.B) {
			for _, kn := range gemmVariants(g) {
				if kn.name == "narrow" && g.NarrowNR == g.NR {
					continue
				}
				for _, where := range []string{"L1", "L2"} {
					name := where
					if kn.name == "narrow" {
						name += "-narrow"
					}
					b.Run(name, func(b *testing.B) {
						panels := 1
						if where == "L2" {
							panels = (512 << 10) / (4 * k * g.MR)
						}
						a := make([]float32, panels*k*g.MR)
						bb := make([]float32, k*kn.nr)
						c := make([]float32, g.MR*kn.nr)
						cpu0 := cpuSeconds()
						for i := 0; i < b.N; i++ {
							ap := a[(i%panels)*k*g.MR:]
							kn.fn(k, 1, ap, g.MR, 1, bb, kn.nr, 1, c, kn.nr)
						}
						flops := 2 * float64(g.MR*kn.nr*k) * float64(b.N)
						b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOPS")
						b.ReportMetric(flops/(cpuSeconds()-cpu0)/1e9, "GFLOPS/core")
					})
				}
			}
		})
	}
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// TestGemmPackT checks PackT on every level against its loop, on sizes
// around the 8×8 tiles, with guard bands around dst; and the edge
// transposer alone on every block (PackT gives it only the blocks its
// tiles leave).
func TestGemmPackT(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		g := GemmFor(l)
		r := rand.New(rand.NewPCG(2, 0))
		for _, xn := range []int{0, 1, 3, 4, 7, 8, 9, 12, 16, 20, 24, 28, 31, 32, 33, 40} {
			for _, pn := range []int{0, 1, 2, 3, 5, 8, 9, 10, 11, 15, 16, 17, 19, 64, 301} {
				w, sx := xn+r.IntN(3), pn+r.IntN(5)
				src := randSlice(r, max(1, xn*sx), -1, 1)
				n := 0
				if xn > 0 && pn > 0 {
					n = (pn-1)*w + xn
				}
				d := newGuarded(n, r.IntN(16))
				d0 := randSlice(r, n, -1, 1)
				d.fill(d0)
				if xn >= 1 && pn >= 1 && r.IntN(2) == 0 {
					g.packTEdge(d.Data, w, src, sx, xn, pn)
				} else {
					g.PackT(d.Data, w, src, sx, xn, pn)
				}
				d.check(t, "PackT")
				for i := range d.Data {
					p, x := i/w, i%w
					want := d0[i]
					if x < xn {
						want = src[x*sx+p]
					}
					if d.Data[i] != want {
						t.Fatalf("xn=%d pn=%d w=%d sx=%d: dst[%d] (p=%d x=%d) = %g, want %g", xn, pn, w, sx, i, p, x, d.Data[i], want)
					}
				}
			}
		}
	})
}

// TestGemmKernelRows: on a level with PartialRows, KernelRows for every
// row count is bit-identical to the first rows rows of Kernel's tiles,
// on packed and in-place B panels, both beta paths; A ends after its
// rows rows and C after its rows rows (guard bands), so a read or write
// of a row past them fails. Other levels panic on fewer rows than MR.
func TestGemmKernelRows(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		g := GemmFor(l)
		if !g.PartialRows {
			wantPanic(t, "asm: gemm: bad edge", func() {
				g.KernelRows(1, 1, make([]float32, 64), 1, 1, make([]float32, 64), g.NR, g.NR, 0, make([]float32, 64), g.NR, 1, g.MR-1)
			})
			return
		}
		r := rand.New(rand.NewPCG(11, uint64(l)))
		for rows := 1; rows <= g.MR; rows++ {
			for _, np := range []int{1, 2, 5} {
				for _, k := range []int{0, 1, 7, 40, 43} {
					for _, packed := range []bool{true, false} {
						ab := [][2]float32{{1, 0}, {-0.5, 1.25}, {1.5, 0}}[r.IntN(3)]
						// A row panel (rows of k values csa apart) or, with
						// B packed, a column panel or a transposed A in
						// place (MR or MR+2 values a step, the first rows
						// of them read).
						rsa, csa := 1, k+r.IntN(3)
						alen := (rows-1)*csa + max(1, k)
						if x := r.IntN(3); packed && x > 0 {
							rsa, csa = g.MR+2*(x-1), 1 // a column panel, or a transposed A in place
							alen = (max(1, k)-1)*rsa + rows
						}
						a := randSlice(r, alen, -1, 1)
						afull := make([]float32, max((g.MR-1)*csa+max(1, k), (max(1, k)-1)*rsa+g.MR))
						copy(afull, a)
						rsb, bstep := g.NR, max(1, k)*g.NR
						if !packed {
							rsb, bstep = np*g.NR+3, g.NR
						}
						b := randSlice(r, (np-1)*bstep+max(1, k)*rsb+g.NR, -1, 1)
						ldc := np*g.NR + r.IntN(4)
						n := (rows-1)*ldc + np*g.NR
						got := newGuarded(n, r.IntN(16))
						c0 := randSlice(r, n, -1, 1)
						got.fill(c0)
						want := make([]float32, (g.MR-1)*ldc+np*g.NR)
						copy(want, c0)
						g.KernelRows(k, ab[0], a, rsa, csa, b, rsb, bstep, ab[1], got.Data, ldc, np, rows)
						got.check(t, "KernelRows")
						for q := 0; q < np; q++ {
							g.Kernel(k, ab[0], afull, rsa, csa, b[q*bstep:], rsb, ab[1], want[q*g.NR:], ldc)
						}
						for i := 0; i < rows; i++ {
							for j := 0; j < np*g.NR; j++ {
								if x, y := got.Data[i*ldc+j], want[i*ldc+j]; math.Float32bits(x) != math.Float32bits(y) {
									t.Fatalf("rows=%d np=%d k=%d packed=%v: C[%d,%d] = %g, Kernel gives %g", rows, np, k, packed, i, j, x, y)
								}
							}
						}
					}
				}
			}
		}
		wantPanic(t, "asm: gemm: bad edge", func() {
			g.KernelRows(1, 1, make([]float32, 64), 1, 1, make([]float32, 64), g.NR, g.NR, 0, make([]float32, 64), g.NR, 1, 0)
		})
	})
}

// TestGemmKernelRow: KernelRow is bit-identical to Kernel called per tile,
// on packed (bstep = k*NR) and in-place (bstep = NR) B panels, both beta
// paths, with guard bands around C and padding past np*NR untouched.
func TestGemmKernelRow(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		g := GemmFor(l)
		r := rand.New(rand.NewPCG(5, uint64(l)))
		for _, np := range []int{0, 1, 2, 3, 7} {
			for _, k := range []int{0, 1, 5, 32, 193} {
				for _, packed := range []bool{true, false} {
					for x, ab := range [][2]float32{{1, 0}, {-0.5, 1.25}, {1.5, 0}} {
						rsa, csa := 1, k+3 // a row panel
						if packed && x == 1 {
							rsa, csa = g.MR, 1 // a column panel
						}
						if packed && x == 2 {
							rsa, csa = g.MR+3, 1 // a transposed A in place
						}
						a := randSlice(r, max(1, k)*rsa+g.MR*csa, -1, 1)
						rsb, bstep := g.NR, max(1, k)*g.NR
						if !packed {
							rsb, bstep = np*g.NR+5, g.NR
						}
						b := randSlice(r, max(1, np)*bstep+max(1, k)*rsb+g.NR, -1, 1)
						ldc := np*g.NR + r.IntN(4)
						if np == 0 {
							ldc = g.NR
						}
						n := (g.MR-1)*ldc + max(1, np)*g.NR
						got, want := newGuarded(n, r.IntN(16)), newGuarded(n, 0)
						c0 := randSlice(r, n, -1, 1)
						got.fill(c0)
						want.fill(c0)
						g.KernelRow(k, ab[0], a, rsa, csa, b, rsb, bstep, ab[1], got.Data, ldc, np)
						got.check(t, "KernelRow")
						for q := 0; q < np; q++ {
							g.Kernel(k, ab[0], a, rsa, csa, b[q*bstep:], rsb, ab[1], want.Data[q*g.NR:], ldc)
						}
						for i := range got.Data {
							if math.Float32bits(got.Data[i]) != math.Float32bits(want.Data[i]) {
								t.Fatalf("np=%d k=%d packed=%v beta=%g: C[%d] = %g, per tile %g", np, k, packed, ab[1], i, got.Data[i], want.Data[i])
							}
						}
						// KernelRowPrefetch: the same bits whatever it
						// prefetches (no rows, fewer or more rows than
						// tiles, rows a cache line apart or not, the last
						// ending at the end of next).
						for _, pf := range [][3]int{{0, 0, 0}, {1, 16, 7}, {g.MR, 35, 33}, {g.MR + 4, 48, 48}} {
							rows, lds, cols := pf[0], pf[1], pf[2]
							next := make([]float32, max(0, (rows-1)*lds+cols))
							again := newGuarded(n, r.IntN(16))
							again.fill(c0)
							g.KernelRowPrefetch(k, ab[0], a, rsa, csa, b, rsb, bstep, ab[1], again.Data, ldc, np, next, lds, rows, cols)
							again.check(t, "KernelRowPrefetch")
							for i := range again.Data {
								if math.Float32bits(again.Data[i]) != math.Float32bits(want.Data[i]) {
									t.Fatalf("np=%d k=%d packed=%v beta=%g, prefetching %d rows: C[%d] = %g, per tile %g", np, k, packed, ab[1], rows, i, again.Data[i], want.Data[i])
								}
							}
						}
					}
				}
			}
		}
	})
}

// TestGemmKernelRowPrefetchPanics: the rows to prefetch must lie in next.
func TestGemmKernelRowPrefetchPanics(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		g := GemmFor(l)
		a, b, c := make([]float32, 64*g.MR), make([]float32, 64*g.NR), make([]float32, g.MR*g.NR)
		next := make([]float32, 100)
		wantPanic(t, "asm: gemm: bad stride", func() { g.KernelRowPrefetch(4, 1, a, g.MR, 1, b, g.NR, 4*g.NR, 0, c, g.NR, 1, next, 9, 2, 10) })
		wantPanic(t, "asm: gemm: short next", func() { g.KernelRowPrefetch(4, 1, a, g.MR, 1, b, g.NR, 4*g.NR, 0, c, g.NR, 1, next, 40, 3, 21) })
		g.KernelRowPrefetch(4, 1, a, g.MR, 1, b, g.NR, 4*g.NR, 0, c, g.NR, 1, next, 40, 3, 20) // ends at next's end
	})
}

// TestGemmKernelEdge: KernelEdge writes exactly the rows×cols corner of the
// tile, with the bits of the full kernel (narrow when cols <= NarrowNR),
// and no other element of C, on packed and in-place operands, both beta
// paths, with guard bands; C's elements past the corner are NaN in the
// input so that a read of them would show.
func TestGemmKernelEdge(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		g := GemmFor(l)
		r := rand.New(rand.NewPCG(6, uint64(l)))
		for rows := 1; rows <= g.MR; rows++ {
			for cols := 1; cols <= g.NR; cols++ {
				for _, k := range []int{0, 1, 7, 33} {
					for _, ab := range [][2]float32{{1, 0}, {-0.5, 1.25}, {1.5, 0}} {
						packed := r.IntN(2) == 0
						rsa, csa := g.MR, 1
						if !packed {
							rsa, csa = 1, k+3
						}
						a := randSlice(r, max(1, k)*rsa+g.MR*csa, -1, 1)
						rsb := g.NR + r.IntN(3)
						b := randSlice(r, max(1, k)*rsb+g.NR, -1, 1)
						// A level that masks B reads only cols columns: its
						// B may end at the last row's last column (the
						// slice check panics otherwise).
						bEdge := b
						if g.EdgeMasksB {
							bEdge = b[:(max(1, k)-1)*rsb+cols]
						}
						ldc := cols + r.IntN(3)
						n := (rows-1)*ldc + cols
						c := newGuarded(n, r.IntN(16))
						c0 := randSlice(r, n, -1, 1)
						nan := float32(math.NaN())
						for i := range c0 {
							if i%ldc >= cols || ab[1] == 0 {
								c0[i] = nan
							}
						}
						c.fill(c0)
						var scratch []float32 // a level that masks C's stores needs none
						if !g.EdgeDirect {
							scratch = make([]float32, g.MR*g.NR)
						}
						g.KernelEdge(k, ab[0], a, rsa, csa, bEdge, rsb, ab[1], c.Data, ldc, rows, cols, scratch)
						c.check(t, "KernelEdge")
						// the full tile, by the kernel KernelEdge stands for
						nr, fn := g.NR, g.Kernel
						if cols <= g.NarrowNR {
							nr, fn = g.NarrowNR, g.KernelNarrow
						}
						full := make([]float32, g.MR*nr)
						for i := 0; i < rows; i++ {
							for j := 0; j < cols; j++ {
								full[i*nr+j] = c0[i*ldc+j]
							}
						}
						fn(k, ab[0], a, rsa, csa, b, rsb, ab[1], full, nr)
						checkEdgeTile(t, c.Data, c0, ldc, full, nr, rows, cols,
							fmt.Sprintf("rows=%d cols=%d k=%d beta=%g packed=%v", rows, cols, k, ab[1], packed))
					}
				}
			}
		}
	})
}

// TestGemmPackRows checks PackRows on every level against its loop, for
// widths around the 16- and 32-value masks, every valid count, with guard
// bands around dst and src ending where the last row's values end.
func TestGemmPackRows(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		g := GemmFor(l)
		r := rand.New(rand.NewPCG(7, uint64(l)))
		for _, w := range []int{0, 1, 4, 12, 15, 16, 17, 31, 32, 33, 40} {
			for valid := 0; valid <= w; valid++ {
				for _, rows := range []int{0, 1, 3, 10} {
					ldd := w + r.IntN(3)
					lds := valid + r.IntN(4)
					ns := 0
					if rows > 0 {
						ns = (rows-1)*lds + valid
					}
					src := newGuarded(ns, r.IntN(16))
					src.fill(randSlice(r, ns, -1, 1))
					nd := 0
					if rows > 0 && w > 0 {
						nd = (rows-1)*ldd + w
					}
					dst := newGuarded(nd, r.IntN(16))
					d0 := randSlice(r, nd, -1, 1)
					dst.fill(d0)
					g.PackRows(dst.Data, ldd, src.Data, lds, rows, w, valid)
					dst.check(t, "PackRows")
					src.check(t, "PackRows src")
					for p := 0; p < rows; p++ {
						for x := 0; x < ldd && p*ldd+x < nd; x++ {
							want := d0[p*ldd+x] // padding between rows: untouched
							if x < valid {
								want = src.Data[p*lds+x]
							} else if x < w {
								want = 0
							}
							if got := dst.Data[p*ldd+x]; math.Float32bits(got) != math.Float32bits(want) {
								t.Fatalf("w=%d valid=%d rows=%d: dst[%d,%d] = %g, want %g", w, valid, rows, p, x, got, want)
							}
						}
					}
				}
			}
		}
	})
}

// BenchmarkFMAPeak is the FMA peak of one core on each level, at the clock
// it runs at now: the yardstick of BenchmarkGemmKernel and of blas's
// percent-of-peak figures (run them together).
func BenchmarkFMAPeak(b *testing.B) {
	for _, l := range Available() {
		if FMAPeak(l, 1) == 0 {
			continue
		}
		b.Run(l.String(), func(b *testing.B) {
			var flops float64
			for b.Loop() {
				flops += FMAPeak(l, 10000)
			}
			b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOPS")
		})
	}
}

// TestFMAPeak: the flops count is iterations times the loop's flops, and 0
// on levels without a loop.
func TestFMAPeak(t *testing.T) {
	for _, l := range Available() {
		got := FMAPeak(l, 3)
		switch want := map[Level]float64{AVX512: 3 * 384, AMX: 3 * 384, AVX2: 3 * 192}[l]; {
		case got != want:
			t.Errorf("%v: FMAPeak(3) = %v, want %v", l, got, want)
		}
	}
	if FMAPeak(Generic, 10) != 0 {
		t.Error("FMAPeak on generic is not 0")
	}
}

// TestGemmKernelTall checks KernelTall, on the levels that have one,
// against the level's Kernel bit for bit, for every rows and cols, depths
// around the unroll, both beta paths, B row-major and transposed, and exact
// operand slices; guard bands around C, whose elements outside the tile
// (NaN, and all of it when beta is 0) must not change or leak.
func TestGemmKernelTall(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		g := GemmFor(l)
		if g.TallMR == 0 {
			t.Skip("no tall kernel")
		}
		r := rand.New(rand.NewPCG(9, uint64(l)))
		nan := float32(math.NaN())
		// one tile, and several (the last whole or not)
		var rowCounts []int
		for rows := 1; rows <= g.TallMR; rows++ {
			rowCounts = append(rowCounts, rows)
		}
		rowCounts = append(rowCounts, g.TallMR+1, 2*g.TallMR-1, 2*g.TallMR, 2*g.TallMR+16, 3*g.TallMR+4, 4*g.TallMR+17)
		for _, rows := range rowCounts {
			for cols := 1; cols <= g.TallNR; cols++ {
				k := []int{0, 1, 7, 33}[r.IntN(4)]
				ab := [][2]float32{{1, 0}, {-0.5, 1.25}, {1.5, 0}}[r.IntN(3)]
				bT := r.IntN(2) == 0
				lda := rows + r.IntN(3)
				a := randSlice(r, max(0, (k-1)*lda+rows), -1, 1)
				ldb := cols + r.IntN(3) // B is k×ldb, or cols×ldb (bT)
				rsb, csb := ldb, 1
				nb := max(0, (k-1)*ldb+cols)
				if bT {
					ldb = k + r.IntN(3)
					rsb, csb = 1, ldb
					nb = max(0, (cols-1)*ldb+k)
				}
				if k == 0 {
					nb = 0
				}
				b := randSlice(r, nb, -1, 1)
				ldc := cols + r.IntN(3)
				n := (rows-1)*ldc + cols
				c := newGuarded(n, r.IntN(16))
				c0 := randSlice(r, n, -1, 1)
				for i := range c0 {
					if i%ldc >= cols || ab[1] == 0 {
						c0[i] = nan
					}
				}
				c.fill(c0)
				g.KernelTall(k, ab[0], a, lda, b, rsb, csb, ab[1], c.Data, ldc, rows, cols)
				c.check(t, "KernelTall")
				// The same tile through Kernel: A as MR-row panels (rsa =
				// lda', csa = 1), B as one zero-padded NR-wide panel.
				mr, nr := g.MR, g.NR
				rowsUp := (rows + mr - 1) / mr * mr
				ap := make([]float32, max(1, k)*rowsUp)
				bp := make([]float32, max(1, k)*nr)
				for p := 0; p < k; p++ {
					copy(ap[p*rowsUp:p*rowsUp+rows], a[p*lda:])
					for j := 0; j < cols; j++ {
						bp[p*nr+j] = b[p*rsb+j*csb]
					}
				}
				full := make([]float32, rowsUp*nr)
				for i := 0; i < rows; i++ {
					copy(full[i*nr:i*nr+cols], c0[i*ldc:])
				}
				for i := 0; i < rowsUp; i += mr {
					g.Kernel(k, ab[0], ap[i:], rowsUp, 1, bp, nr, ab[1], full[i*nr:], nr)
				}
				checkEdgeTile(t, c.Data, c0, ldc, full, nr, rows, cols,
					fmt.Sprintf("rows=%d cols=%d k=%d beta=%g bT=%v", rows, cols, k, ab[1], bT))
			}
		}
	})
}

// TestGemmKernelTallPanics: arguments outside the contract panic with the
// documented messages rather than reaching the assembly.
func TestGemmKernelTallPanics(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		g := GemmFor(l)
		a, b, c := make([]float32, 128), make([]float32, 128), make([]float32, 128)
		if g.TallMR == 0 {
			wantPanic(t, "asm: gemm: bad edge", func() { g.KernelTall(1, 1, a, 1, b, 1, 1, 0, c, 1, 1, 1) })
			return
		}
		for _, tc := range []struct {
			msg string
			f   func()
		}{
			{"asm: gemm: bad edge", func() { g.KernelTall(1, 1, a, 40, b, 1, 1, 0, c, 1, 0, 1) }},
			{"asm: gemm: bad edge", func() { g.KernelTall(1, 1, a, 4, b, 1, 1, 0, c, 13, 4, g.TallNR+1) }},
			{"asm: gemm: negative k", func() { g.KernelTall(-1, 1, a, 4, b, 1, 1, 0, c, 4, 4, 4) }},
			{"asm: gemm: bad stride", func() { g.KernelTall(1, 1, a, 3, b, 1, 1, 0, c, 4, 4, 4) }},
			{"asm: gemm: bad stride", func() { g.KernelTall(1, 1, a, 4, b, 1, 1, 0, c, 3, 4, 4) }},
			{"asm: gemm: bad stride", func() { g.KernelTall(1, 1, a, 4, b, 1, 1, 0, c, 1<<28, 4, 4) }},
			{"asm: gemm: short a", func() { g.KernelTall(3, 1, a[:2*32+3], 32, b, 1, 1, 0, c, 4, 4, 4) }},
			{"asm: gemm: short b", func() { g.KernelTall(3, 1, a, 4, b[:2*8+3], 8, 1, 0, c, 4, 4, 4) }},
			{"asm: gemm: short c", func() { g.KernelTall(1, 1, a, 4, b, 1, 1, 0, c[:3*8+3], 8, 4, 4) }},
		} {
			wantPanic(t, tc.msg, tc.f)
		}
	})
}

// wantPanic fails t unless f panics with msg.
func wantPanic(t *testing.T, msg string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		if r := recover(); r != msg {
			t.Errorf("panic %v, want %q", r, msg)
		}
	}()
	f()
}

// checkEdgeTile fails t unless c (rows x cols of C, ldc apart, that held
// c0) has, bit for bit, the first cols columns of full (nr apart) in its
// tile and c0's values everywhere else.
func checkEdgeTile(t *testing.T, c, c0 []float32, ldc int, full []float32, nr, rows, cols int, what string) {
	t.Helper()
	for i := 0; i < rows; i++ {
		for j := 0; j < ldc && i*ldc+j < len(c); j++ {
			got, want := c[i*ldc+j], c0[i*ldc+j]
			if j < cols {
				want = full[i*nr+j]
			}
			if math.Float32bits(got) != math.Float32bits(want) {
				t.Fatalf("%s: C[%d,%d] = %g, want %g", what, i, j, got, want)
			}
		}
	}
}

// TestGemmString: each level's description names its tile, and the
// narrow, masked-edge and tall kernels exactly when it has them.
func TestGemmString(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		g := GemmFor(l)
		s := g.String()
		for _, c := range []struct {
			part string
			has  bool
		}{
			{fmt.Sprintf("%s: tile %dx%d", l, g.MR, g.NR), true},
			{fmt.Sprintf("narrow %dx%d", g.MR, g.NarrowNR), g.NarrowNR < g.NR},
			{"masked edges", g.EdgeDirect},
			{"partial rows", g.PartialRows},
			{fmt.Sprintf("tall %dx%d", g.TallMR, g.TallNR), g.TallMR > 0},
		} {
			if strings.Contains(s, c.part) != c.has {
				t.Errorf("%q: contains %q = %v, want %v", s, c.part, !c.has, c.has)
			}
		}
	})
}

// TestGemmKernelGather: on the levels with Gather, KernelGather is
// bit-identical to KernelRow on B's gathered rows, on packed and in-place
// panels, both beta paths, offsets in and out of order, with guard bands
// around C; and a panel's zero steps left out (NonzeroSteps) give the
// full product's bits.
func TestGemmKernelGather(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		g := GemmFor(l)
		if !g.Gather {
			wantPanic(t, "asm: gemm: no gather kernel", func() {
				g.KernelGather(0, 1, nil, 1, 1, nil, nil, 0, 0, nil, g.NR, 1)
			})
			return
		}
		r := rand.New(rand.NewPCG(9, uint64(l)))
		for _, np := range []int{0, 1, 2, 10} {
			for _, k := range []int{0, 1, 7, 33, 300} {
				for _, packed := range []bool{true, false} {
					for _, ab := range [][2]float32{{1, 0}, {-0.5, 1.25}, {1.5, 0}} {
						rows := 2*k + 5 // B's rows, of which the steps take k
						rsa, csa := 1, k+3
						a := randSlice(r, max(1, k)*rsa+g.MR*csa, -1, 1)
						rsb, bstep := g.NR, rows*g.NR
						if !packed {
							rsb, bstep = np*g.NR+5, g.NR
						}
						b := randSlice(r, max(1, np)*bstep+rows*rsb+g.NR, -1, 1)
						off := make([]int32, k+GatherPad)
						for t := range off {
							off[t] = int32(r.IntN(rows) * rsb)
						}
						// the gathered panels, for KernelRow
						gb := make([]float32, max(1, np)*max(1, k)*g.NR)
						for q := 0; q < np; q++ {
							for t := 0; t < k; t++ {
								copy(gb[(q*k+t)*g.NR:(q*k+t+1)*g.NR], b[q*bstep+int(off[t]):])
							}
						}
						ldc := max(1, np)*g.NR + r.IntN(4)
						n := (g.MR-1)*ldc + max(1, np)*g.NR
						got, want := newGuarded(n, r.IntN(16)), newGuarded(n, 0)
						c0 := randSlice(r, n, -1, 1)
						got.fill(c0)
						want.fill(c0)
						g.KernelGather(k, ab[0], a, rsa, csa, b, off, bstep, ab[1], got.Data, ldc, np)
						got.check(t, "KernelGather")
						g.KernelRow(k, ab[0], a, rsa, csa, gb, g.NR, max(1, k)*g.NR, ab[1], want.Data, ldc, np)
						for i := range got.Data {
							if math.Float32bits(got.Data[i]) != math.Float32bits(want.Data[i]) {
								t.Fatalf("np=%d k=%d packed=%v beta=%g: C[%d] = %g, gathered %g", np, k, packed, ab[1], i, got.Data[i], want.Data[i])
							}
						}
					}
				}
			}
		}
		// zero steps left out: the full row's bits (beta 0 and 1)
		for _, k := range []int{1, 16, 17, 100, 384} {
			for _, beta := range []float32{0, 1} {
				lda := k + 5
				a := make([]float32, g.MR*lda)
				for p := 0; p < k; p++ {
					if r.IntN(3) == 0 { // a step some row uses
						for i := 0; i < g.MR; i++ {
							if r.IntN(2) == 0 {
								a[i*lda+p] = r.Float32() - 0.5
							}
						}
					}
				}
				a[lda+k-1] = float32(math.Copysign(0, -1)) // -0 is a zero step
				np := 3
				b := randSlice(r, np*k*g.NR, -1, 1)
				ldc := np * g.NR
				c0 := randSlice(r, g.MR*ldc, -1, 1)
				want := append([]float32(nil), c0...)
				got := append([]float32(nil), c0...)
				g.KernelRow(k, 1.5, a, 1, lda, b, g.NR, k*g.NR, beta, want, ldc, np)
				ap := make([]float32, g.MR*lda)
				off := make([]int32, k+GatherPad)
				kept := g.NonzeroSteps(ap, lda, off, a, lda, g.MR, k, g.NR)
				g.KernelGather(kept, 1.5, ap, 1, lda, b, off, k*g.NR, beta, got, ldc, np)
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("k=%d beta=%g, %d steps kept: C[%d] = %g, full %g", k, beta, kept, i, got[i], want[i])
					}
				}
			}
		}
	})
}

// TestGemmNonzeroSteps: every level's NonzeroSteps equals the Go loop
// (nonzeroStepsGeneric), on every row count up to MR and beyond, lengths
// around the 16-step chunks, ±0 as zeros and NaN as nonzero, with guard
// bands around dst; and the argument checks panic.
func TestGemmNonzeroSteps(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		g := GemmFor(l)
		r := rand.New(rand.NewPCG(10, uint64(l)))
		for rows := 1; rows <= g.MR+1; rows++ {
			for _, k := range []int{0, 1, 15, 16, 17, 33, 100, 385} {
				for _, density := range []int{0, 1, 3, 10} {
					lda, ldd := k+r.IntN(3), k+r.IntN(3)
					a := make([]float32, max(1, rows*lda))
					for i := range a {
						switch v := r.IntN(10); {
						case v < density:
							a[i] = r.Float32() - 0.5
						case v == 9 && density == 10:
							a[i] = float32(math.NaN())
						case v == 8:
							a[i] = float32(math.Copysign(0, -1))
						}
					}
					rsb := 1 + r.IntN(40)
					got := newGuarded(max(1, (rows-1)*ldd+k), r.IntN(16))
					want := make([]float32, max(1, (rows-1)*ldd+k))
					gotOff, wantOff := make([]int32, k), make([]int32, k)
					n := g.NonzeroSteps(got.Data, ldd, gotOff, a, lda, rows, k, rsb)
					got.check(t, "NonzeroSteps")
					m := nonzeroStepsGeneric(want, ldd, wantOff, a, lda, rows, k, rsb)
					if n != m {
						t.Fatalf("rows=%d k=%d density=%d: kept %d steps, want %d", rows, k, density, n, m)
					}
					for t2 := 0; t2 < n; t2++ {
						if gotOff[t2] != wantOff[t2] {
							t.Fatalf("rows=%d k=%d: off[%d] = %d, want %d", rows, k, t2, gotOff[t2], wantOff[t2])
						}
						for i := 0; i < rows; i++ {
							x, y := got.Data[i*ldd+t2], want[i*ldd+t2]
							if math.Float32bits(x) != math.Float32bits(y) {
								t.Fatalf("rows=%d k=%d: dst[%d][%d] = %g, want %g", rows, k, i, t2, x, y)
							}
						}
					}
				}
			}
		}
		wantPanic(t, "asm: gemm: bad stride", func() { g.NonzeroSteps(nil, 4, nil, nil, 4, 0, 4, 1) })
		wantPanic(t, "asm: gemm: bad stride", func() { g.NonzeroSteps(nil, 4, nil, nil, 4, 1, 4, 1<<30) })
		wantPanic(t, "asm: gemm: short a", func() { g.NonzeroSteps(make([]float32, 8), 4, make([]int32, 4), make([]float32, 7), 4, 2, 4, 1) })
		wantPanic(t, "asm: gemm: short off", func() { g.NonzeroSteps(make([]float32, 8), 4, make([]int32, 3), make([]float32, 8), 4, 2, 4, 1) })
	})
}
