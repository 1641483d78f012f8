package asm

import (
	"math"
)

// AMX: float32 products on the bfloat16 tiles of Intel's AMX.
//
// The tiles multiply bfloat16 (8 significant bits) and accumulate in
// float32, some 16 times as fast as the FMA units. A float32 x is exactly
// the sum of three bfloat16 parts, x = x0 + x1 + x2, each rounded to
// nearest from what the previous ones leave, so
//
//	a·b = Σ ai·bj over i, j in 0..2,
//
// and the six products with i + j <= 2 give a·b to within about
// 2^-23·|a·b|: rounding to nearest makes |x1| <= 2^-8·|x| and |x2| <=
// 2^-16·|x|, so the three dropped ones (a1·b2, a2·b1, a2·b2) are at most
// 2^-24, 2^-24 and 2^-32 of |a·b|, about the rounding of one float32
// addition. The level
// amx computes each block of depth kc of C = alpha·A·B + beta·C as those six
// products on the tiles, the small ones first (A2·B0, A0·B2, A1·B1, A1·B0,
// A0·B1) and A0·B0 last, all in one float32 accumulator per element of C:
// the small terms sum to under 2^-7 of the result, so their own rounding
// errors are 2^-7 of the last product's, and the result carries the error
// of a float32 dot product of its depth, as the FMA kernels' does (the
// tests measure both against a float64 reference: the tiles' error is no
// larger). The tiles flush subnormal inputs and results to zero; packing
// therefore checks that every nonzero value of alpha·A and of B lies in
// [2^-50, 2^100), where no part, product or sum of products that matters
// is subnormal or overflows, and reports otherwise, and blas then computes
// that depth block on the FMA kernels instead (NaN and ±Inf take that path
// too, so they propagate as IEEE arithmetic says). C is updated from the
// tile sums with FMA: C = alpha·S + beta·C, subnormal C included.
//
// # Layouts
//
// A packed micro-panel holds 32 lines (rows of A, or columns of B) over a
// depth kc rounded up to kp, a multiple of 32, zero-padded: three parts
// (x0, x1, x2) of kp/32 chunks; a chunk is two tiles (lines 0-15, 16-31)
// of 16 rows of 64 bytes; so a part is AMXChunk·kp/32 values (seg) and a
// micro-panel 3·seg. In an A tile, row i holds line i's 32 values of k in
// order; in a B tile (bfloat16 pairs, "VNNI"), row j holds for each of the
// 16 lines the pair (k = 2j, 2j+1), the even one first.

// AMXChunk is the number of bfloat16 values in one chunk (two tiles of
// 16x32) of a packed micro-panel.
const AMXChunk = 1024

// Safe range of |alpha·a| and |b| for the tiles, as biased float32
// exponents: [2^-50, 2^100). The lower bound keeps the smallest product
// that counts (x2·y0 >= 2^-24·|x|·|y|/2 >= 2^-125) normal; the upper one
// keeps the rounding of x0 and the products below float32's overflow as
// float32 would have them.
const (
	amxMinExp = 127 - 50
	amxMaxExp = 127 + 100
)

// AMXAvailable reports whether this process can run the amx level (the CPU
// has AMX-BF16 and the OS granted the tile state).
func AMXAvailable() bool { return features.AMX }

// AMXPack packs ntiles tiles of 16 lines × 32 values of k of alpha·src into
// dst, as AMXChunk-spaced tiles of the three parts seg values apart, and
// reports whether every value was in the safe range (when not, dst holds
// garbage and the caller must not use it). Tile t reads src from
// t·srcStep and writes dst from t·dstStep. With kMajor false, line l of a
// tile is the 32 contiguous values at src[l·ld:]; with kMajor true, value k
// of line l is src[k·ld+l]. transpose false gives the A layout when kMajor
// is false and the B layout when it is true; transpose true the other one.
// src must hold every value a tile reads: callers pad edges themselves.
func AMXPack(dst []uint16, seg int, src []float32, ld, ntiles, srcStep, dstStep int, alpha float32, kMajor, transpose bool) bool {
	if ntiles <= 0 {
		return true
	}
	last := (ntiles-1)*srcStep + 15*ld + 32
	if kMajor {
		last = (ntiles-1)*srcStep + 31*ld + 16
	}
	if ntiles < 0 || seg < 512 || len(src) < last || len(dst) < 2*seg+(ntiles-1)*dstStep+512 {
		panic("asm: AMXPack: bad arguments")
	}
	return amxPack(dst, seg, src, ld, ntiles, srcStep, dstStep, alpha, kMajor, transpose)
}

// AMXKernel computes, for np consecutive packed A micro-panels (aStride
// values apart, from a) and one packed B micro-panel b of seg values per
// part, the 32×32 blocks
//
//	C[32p+i, j] = alpha·S[i, j] + beta·C[32p+i, j]   (C not read when mode is 0)
//
// for i < 32 (rows in the last one), j < cols, where S is the sum of the
// six part products (see above). mode 0 stores alpha·S (beta = 0), mode 1
// adds alpha·S to C with one rounding (beta = 1), mode 2 uses beta. c is
// row-major with leading dimension ldc; scratch holds 1024 float32.
func AMXKernel(a, b []uint16, seg, np, aStride int, c []float32, ldc, rows, cols int, alpha, beta float32, mode int, scratch []float32) {
	if np <= 0 || rows < 1 || rows > 32 || cols < 1 || cols > 32 || seg%AMXChunk != 0 || seg == 0 || mode < 0 || mode > 2 ||
		len(b) < 3*seg || len(a) < (np-1)*aStride+3*seg || len(scratch) < 1024 ||
		len(c) < (np-1)*32*ldc+(rows-1)*ldc+cols {
		panic("asm: AMXKernel: bad arguments")
	}
	if compiledAsm && !features.AMX {
		panic("asm: AMXKernel: the amx level is not available (it needs NNRT_ISA=amx)")
	}
	amxKernel(a, b, seg, np, aStride, c, ldc, rows, cols, alpha, beta, mode, scratch)
}

// bf16Round rounds x's bits to bfloat16, to nearest, ties to even, as a
// float32 (the asm's RNE; x finite and in range).
func bf16Round(x float32) float32 {
	u := math.Float32bits(x)
	u += 0x7FFF + (u>>16)&1
	return math.Float32frombits(u &^ 0xFFFF)
}

// amxSplit returns the three parts of x and whether x is in the safe range.
func amxSplit(x float32) (p [3]float32, ok bool) {
	u := math.Float32bits(x) & 0x7FFFFFFF
	e := int(u >> 23)
	ok = u == 0 || (e >= amxMinExp && e <= amxMaxExp)
	p[0] = bf16Round(x)
	r := x - p[0]
	p[1] = bf16Round(r)
	p[2] = bf16Round(r - p[1])
	return p, ok
}

// amxPackGeneric is AMXPack in Go: the test oracle of the asm (bit for bit).
func amxPackGeneric(dst []uint16, seg int, src []float32, ld, ntiles, srcStep, dstStep int, alpha float32, kMajor, transpose bool) bool {
	ok := true
	for t := 0; t < ntiles; t++ {
		s := src[t*srcStep:]
		d := dst[t*dstStep:]
		for l := 0; l < 16; l++ {
			for k := 0; k < 32; k++ {
				var x float32
				if kMajor {
					x = s[k*ld+l]
				} else {
					x = s[l*ld+k]
				}
				parts, in := amxSplit(alpha * x)
				ok = ok && in
				// A layout: row l, column k; B layout: row k/2, pair l.
				pos := l*32 + k
				if kMajor != transpose {
					pos = (k/2)*32 + 2*l + k%2
				}
				for q, v := range parts {
					d[q*seg+pos] = uint16(math.Float32bits(v) >> 16)
				}
			}
		}
	}
	return ok
}

// amxKernelGeneric is AMXKernel in Go, in the tiles' order of operations
// (each product rounded, added in k order); the hardware may round its
// pairs differently, so tests compare the two within float32 tolerance.
func amxKernelGeneric(a, b []uint16, seg, np, aStride int, c []float32, ldc, rows, cols int, alpha, beta float32, mode int, scratch []float32) {
	bf := func(h uint16) float32 { return math.Float32frombits(uint32(h) << 16) }
	order := [6][2]int{{2, 0}, {0, 2}, {1, 1}, {1, 0}, {0, 1}, {0, 0}}
	chunks := seg / AMXChunk
	for p := 0; p < np; p++ {
		ap := a[p*aStride:]
		nrows := 32
		if p == np-1 {
			nrows = rows
		}
		for i := 0; i < nrows; i++ {
			for j := 0; j < cols; j++ {
				var s float32
				for _, o := range order {
					for ch := 0; ch < chunks; ch++ {
						at := ap[o[0]*seg+ch*AMXChunk+(i/16)*512+(i%16)*32:]
						bt := b[o[1]*seg+ch*AMXChunk+(j/16)*512+2*(j%16):]
						for k := 0; k < 32; k++ {
							s += bf(at[k]) * bf(bt[(k/2)*32+k%2])
						}
					}
				}
				ci := (32*p+i)*ldc + j
				switch mode {
				case 0:
					c[ci] = alpha * s
				case 1:
					c[ci] = float32(math.FMA(float64(alpha), float64(s), float64(c[ci])))
				default:
					c[ci] = float32(math.FMA(float64(alpha), float64(s), float64(beta*c[ci])))
				}
			}
		}
	}
}
